r"""float64 reference values and derivatives of every elementwise activation.

The harness measures float32, float16 and bfloat16 results against these. Each formula is
chosen to be free of cancellation and overflow, so its relative error is a few float64 ulp,
about :math:`10^{-9}` float32 ulp; the tests check every one against :mod:`mpmath` at 50 digits
(:mod:`actbook.accuracy.exact`). Where a stable form exists that differs from the one
:mod:`actbook.functional` uses, the reference uses it, so the two are not the same code:

* sigmoid: :math:`e^{-|x|}`-based, which never overflows;
* GELU: :math:`\tfrac{x}{2}\operatorname{erfc}(-x/\sqrt 2)` (no cancellation in
  :math:`1 + \operatorname{erf}`);
* tanh GELU: :math:`x\,\sigma(2u)`, since :math:`\tfrac12(1 + \tanh u) = \sigma(2u)`;
* Mish: :math:`\tanh(\log(1 + e^x)) = \frac{e^{2x} + 2e^x}{e^{2x} + 2e^x + 2}`, rational in
  :math:`e^{\mp x}`;
* StarReLU: :math:`s\,(\max(0, x)^2 - \tfrac12)`, since its default b/s is exactly −½;
* ELU, SELU: ``expm1``; softplus: :math:`\max(x, 0) + \log(1 + e^{-|x|})`.

The condition number :math:`\operatorname{cond}(x) = |x f'(x) / f(x)|` (Higham 2002, §1.6)
measures how much any method must amplify the relative rounding of its input: a result whose
error stays within a small multiple of :math:`1 + \operatorname{cond}(x)` ulp is as accurate as
the problem allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from actbook import functional as F

RealFunction = Callable[[Tensor], Tensor]

_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_SCALE_ALPHA = F.SELU_SCALE * F.SELU_ALPHA
# Beyond |x| = 1e4 every smooth gate below is exactly 0 or 1 in float64; derivatives clamp
# their argument there so that x·(vanishing factor) never becomes inf·0.
_CLAMP = 1.0e4


def _sigmoid(x: Tensor) -> Tensor:
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_slope(x: Tensor) -> Tensor:
    """σ(x)σ(−x) = σ′(x), without the cancellation of σ(1 − σ) for large x."""
    return _sigmoid(x) * _sigmoid(-x)


def _tanh_softplus(x: Tensor) -> Tensor:
    """tanh(log(1 + eˣ)), rational in e^{−|x|}."""
    e = torch.exp(-x.abs())
    negative = e * (e + 2.0) / (e * (e + 2.0) + 2.0)
    positive = (1.0 + 2.0 * e) / (1.0 + 2.0 * e + 2.0 * e * e)
    return torch.where(x > 0, positive, negative)


def _swish(k: float) -> tuple[RealFunction, RealFunction]:
    def value(x: Tensor) -> Tensor:
        return torch.where(torch.isinf(x) & (x < 0), 0.0, x * _sigmoid(k * x))

    def derivative(x: Tensor) -> Tensor:
        c = x.clamp(-_CLAMP, _CLAMP)
        return _sigmoid(k * c) + k * c * _sigmoid_slope(k * c)

    return value, derivative


def _phi(x: Tensor) -> Tensor:
    return _INV_SQRT_2PI * torch.exp(-0.5 * x * x)


def _gelu(x: Tensor) -> Tensor:
    return torch.where(torch.isinf(x) & (x < 0), 0.0, 0.5 * x * torch.erfc(-_SQRT_HALF * x))


def _gelu_derivative(x: Tensor) -> Tensor:
    c = x.clamp(-_CLAMP, _CLAMP)
    return 0.5 * torch.erfc(-_SQRT_HALF * c) + c * _phi(c)


def _tanh_u(x: Tensor) -> tuple[Tensor, Tensor]:
    """u = √(2/π)(x + 0.044715x³) and du/dx, on x clamped to ±1e4."""
    c = x.clamp(-_CLAMP, _CLAMP)
    u = _SQRT_2_OVER_PI * (c + F.GELU_TANH_COEFF * c**3)
    return u, _SQRT_2_OVER_PI * (1.0 + 3.0 * F.GELU_TANH_COEFF * c * c)


def _gelu_tanh(x: Tensor) -> Tensor:
    u, _ = _tanh_u(x)
    return torch.where(torch.isinf(x) & (x < 0), 0.0, x * _sigmoid(2.0 * u))


def _gelu_tanh_derivative(x: Tensor) -> Tensor:
    u, du = _tanh_u(x)
    c = x.clamp(-_CLAMP, _CLAMP)
    return _sigmoid(2.0 * u) + 2.0 * c * _sigmoid_slope(2.0 * u) * du


def _mish(x: Tensor) -> Tensor:
    return torch.where(torch.isinf(x) & (x < 0), 0.0, x * _tanh_softplus(x))


def _mish_derivative(x: Tensor) -> Tensor:
    t = _tanh_softplus(x)
    return t + x * _sigmoid(x) * (1.0 - t) * (1.0 + t)


def _softplus(x: Tensor) -> Tensor:
    return x.clamp(min=0.0) + torch.log1p(torch.exp(-x.abs()))


def _elu(x: Tensor) -> Tensor:
    return torch.where(x > 0, x, torch.expm1(x.clamp(max=0.0)))


def _positive(x: Tensor) -> Tensor:
    return (x > 0).to(x.dtype)


def _hardswish(x: Tensor) -> Tensor:
    return torch.where(x <= -3.0, 0.0, torch.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _star_relu(x: Tensor) -> Tensor:
    return F.STAR_RELU_SCALE * (torch.relu(x) ** 2 - 0.5)


_silu, _silu_derivative = _swish(1.0)
_quick, _quick_derivative = _swish(F.GELU_SIGMOID_COEFF)

#: name -> (f, f′), both on float64 tensors, for every elementwise activation at its defaults.
REFERENCES: dict[str, tuple[RealFunction, RealFunction]] = {
    "step": (
        lambda x: torch.where(torch.isnan(x), x, (x >= 0).to(x.dtype)),
        torch.zeros_like,
    ),
    "sigmoid": (_sigmoid, _sigmoid_slope),
    "tanh": (torch.tanh, lambda x: 4.0 * _sigmoid_slope(2.0 * x)),
    "relu": (torch.relu, _positive),
    "leaky_relu": (
        lambda x: torch.where(x > 0, x, 0.01 * x),
        lambda x: torch.where(x > 0, 1.0, torch.full_like(x, 0.01)),
    ),
    "prelu": (
        lambda x: torch.where(x > 0, x, 0.25 * x),
        lambda x: torch.where(x > 0, 1.0, torch.full_like(x, 0.25)),
    ),
    "elu": (_elu, lambda x: torch.where(x > 0, 1.0, torch.exp(x.clamp(max=0.0)))),
    "selu": (
        lambda x: torch.where(x > 0, F.SELU_SCALE * x, _SELU_SCALE_ALPHA * _elu(x)),
        lambda x: torch.where(
            x > 0, F.SELU_SCALE, _SELU_SCALE_ALPHA * torch.exp(x.clamp(max=0.0))
        ),
    ),
    "gelu": (_gelu, _gelu_derivative),
    "gelu_tanh": (_gelu_tanh, _gelu_tanh_derivative),
    "gelu_sigmoid": (_quick, _quick_derivative),
    "silu": (_silu, _silu_derivative),
    "swish": (_silu, _silu_derivative),
    "mish": (_mish, _mish_derivative),
    "softplus": (_softplus, _sigmoid),
    "hardsigmoid": (
        lambda x: ((x + 3.0) / 6.0).clamp(0.0, 1.0),
        lambda x: ((x > -3) & (x < 3)).to(x.dtype) / 6.0,
    ),
    "hardswish": (
        _hardswish,
        lambda x: torch.where(x <= -3.0, 0.0, torch.where(x >= 3.0, 1.0, (2.0 * x + 3.0) / 6.0)),
    ),
    "relu6": (lambda x: x.clamp(0.0, 6.0), lambda x: ((x > 0) & (x < 6)).to(x.dtype)),
    "squared_relu": (lambda x: torch.relu(x) ** 2, lambda x: 2.0 * torch.relu(x)),
    "star_relu": (_star_relu, lambda x: 2.0 * F.STAR_RELU_SCALE * torch.relu(x)),
}

#: Gated units measured by the harness: name -> (keyword arguments, name of the gate function).
GATED: dict[str, tuple[dict[str, str], str]] = {
    "glu": ({}, "sigmoid"),
    "reglu": ({}, "relu"),
    "geglu": ({}, "gelu"),
    "geglu_tanh": ({"approximate": "tanh"}, "gelu_tanh"),
    "swiglu": ({}, "silu"),
    "bilinear": ({}, "identity"),
}


def gate_reference(gate_name: str) -> tuple[RealFunction, RealFunction]:
    """(f, f′) of a gated unit's gate function; ``"identity"`` is the bilinear unit's."""
    if gate_name == "identity":
        return (lambda x: x, torch.ones_like)
    return REFERENCES[gate_name]


def value(name: str, x: Tensor) -> Tensor:
    """float64 reference value of activation ``name`` at ``x`` (any float dtype)."""
    return REFERENCES[name][0](x.double())


def relative_error(result: Tensor, name: str, x: float) -> float:
    """|result / f(x) − 1| for a one-element ``result`` of activation ``name`` at ``x``, against
    the float64 reference :func:`value`."""
    exact = value(name, torch.tensor([x], dtype=torch.float64))
    return abs(result.double().item() / exact.item() - 1)


def derivative(name: str, x: Tensor) -> Tensor:
    """float64 reference derivative of activation ``name`` at ``x``."""
    return REFERENCES[name][1](x.double())


def condition_number(x: Tensor, f: Tensor, df: Tensor) -> Tensor:
    r"""cond(x) = \|x f′(x) / f(x)\|; 0 where x f′ = 0, inf where only f = 0 (a root at x ≠ 0).

    Computed as \|f′\| · \|x / f\| so that neither factor overflows before the quotient.
    """
    x, f, df = x.double(), f.double(), df.double()
    with torch.no_grad():
        cond = (df * (x / f)).abs()
    cond = torch.where((f == 0) & ((x == 0) | (df == 0)), 0.0, cond)
    return torch.nan_to_num(cond, nan=math.inf, posinf=math.inf)
