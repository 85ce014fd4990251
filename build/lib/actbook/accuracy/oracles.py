r"""What every activation is known to be: one :class:`Oracle` record per activation and variant.

The records are the ground truth the tests and the accuracy harness check actbook against, kept
apart from :mod:`actbook.functional` on purpose: the formulas here are separate code, written
for a reference rather than for speed, so that a mistake in one is not repeated in the other.
An elementwise activation's record holds

* ``value`` and ``derivative``: float64 formulas free of cancellation and overflow, so their
  relative error is a few float64 ulp, about :math:`10^{-9}` float32 ulp (checked against
  ``exact``);
* ``exact``: the activation on an :mod:`mpmath` number, evaluated at 50 digits
  (:mod:`actbook.accuracy.exact`); constants are the decimal numbers of the definitions
  (0.044715, 1.702, SELU's α and λ to 32 digits), not their float64 roundings;
* ``limits``: the special-value contract at ±0 and ±∞ (:mod:`actbook.accuracy.contract`);
* ``kinks``: the points where it is not twice differentiable, with the value and the derivative
  the contract fixes there;
* ``torch``: PyTorch's own function at the defaults, or ``None`` where PyTorch has none;
* ``properties``: the shape of the function (monotonic, smoothness, saturation, range), which
  :mod:`actbook.analysis` must find numerically.

Gated units and row-wise activations have ``properties`` and ``torch``; the references of a
gated unit are those of the functions its :class:`~actbook.registry.GatedForm` names.
:data:`REQUIRED` lists the fields each kind must have, and a test checks every record.

Where a stable float64 form exists that differs from actbook's, the reference uses it:
:math:`e^{-|x|}`-based sigmoid; :math:`\tfrac{x}{2}\operatorname{erfc}(-x/\sqrt 2)` for GELU;
:math:`x\,\sigma(2u)` for the tanh GELU; Mish's :math:`\tanh(\log(1 + e^x))` as the rational
function :math:`\frac{e^{2x} + 2e^x}{e^{2x} + 2e^x + 2}` of :math:`e^{\mp x}`; StarReLU as
:math:`s\,(\max(0, x)^2 - \tfrac12)`, since its default b/s is exactly −½; softplus as
:math:`\max(x, 0) + \log(1 + e^{-|x|})`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import mpmath
import torch
import torch.nn.functional as TF  # noqa: N812
from mpmath import mpf
from torch import Tensor

from actbook import _numerics as N
from actbook import functional as F

#: A float64 formula on tensors.
RealFunction = Callable[[Tensor], Tensor]
#: A formula on one mpmath number.
ExactFunction = Callable[[mpf], mpf]
#: Positive infinity, as the records write it.
INF = math.inf


@dataclass(frozen=True)
class Limits:
    """The special values of an elementwise activation: f and f′ at −∞, 0 and +∞.

    ``odd_at_zero``: f(x) ~ c·x near 0 with c > 0, so f(−0) = −0.

    Args:
        minus_inf: f(−∞).
        zero: f(0).
        plus_inf: f(+∞).
        slope_minus_inf: f′(−∞), the limit of f′.
        slope_zero: f′(0), as autograd must return it.
        slope_plus_inf: f′(+∞), the limit of f′ (∞ where f′ grows without bound).
        odd_at_zero: whether f(x) ~ c·x near 0 with c > 0, so that f(−0) = −0.
    """

    minus_inf: float
    zero: float
    plus_inf: float
    slope_minus_inf: float
    slope_zero: float
    slope_plus_inf: float
    odd_at_zero: bool


@dataclass(frozen=True)
class Kink:
    """A point where f is not twice differentiable, with f(x) and the f′(x) autograd must give.

    Args:
        x: the point.
        value: f(x).
        derivative: f′(x), as autograd must return it.
    """

    x: float
    value: float
    derivative: float


@dataclass(frozen=True)
class Properties:
    """The shape of an activation's scalar view (:meth:`actbook.ActivationInfo.scalar`).

    ``smoothness`` is ``"discontinuous"``, ``"C0"``, ``"C1"`` or ``"C∞"``; ``saturation`` is
    ``"none"``, ``"left"``, ``"right"`` or ``"both"``; ``range`` is (inf f, sup f), or ``None``
    where the infimum is a minimum found numerically (the tests compute it with mpmath).

    Args:
        monotonic: whether f is monotonic.
        smoothness: the smoothness class, as :func:`actbook.analysis.smoothness_class` names it.
        saturation: the sides on which f′ dies out, as :func:`actbook.analysis.saturates`
            names them.
        zero_centred: whether E f(X) = 0 for X ~ N(0, 1)
            (:func:`actbook.analysis.is_zero_centred`).
        range: ``(inf f, sup f)``, or ``None`` where the infimum is a minimum found
            numerically.
    """

    monotonic: bool
    smoothness: str
    saturation: str
    zero_centred: bool
    range: tuple[float, float] | None


@dataclass(frozen=True)
class Oracle:
    """Everything known about one activation or variant; see the module docstring.

    ``value``, ``derivative``, ``exact`` and ``limits`` are required for an elementwise
    activation (:data:`REQUIRED`).

    Args:
        name: the registry name of the activation or variant.
        properties: the shape of its scalar view.
        value: the float64 formula of f. Default: ``None``.
        derivative: the float64 formula of f′. Default: ``None``.
        exact: f on an mpmath number. Default: ``None``.
        limits: the special values at ±0 and ±∞. Default: ``None``.
        kinks: the points where f is not twice differentiable. Default: ``()``.
        torch: PyTorch's own function at the defaults; ``None`` where PyTorch has none.
            Default: ``None``.
    """

    name: str
    properties: Properties
    value: RealFunction | None = None
    derivative: RealFunction | None = None
    exact: ExactFunction | None = None
    limits: Limits | None = None
    kinks: tuple[Kink, ...] = ()
    torch: Callable[..., Tensor] | None = None


#: The fields an oracle of each kind must have.
REQUIRED: dict[str, tuple[str, ...]] = {
    "elementwise": ("value", "derivative", "exact", "limits"),
    "rowwise": (),
    "gated": (),
}

# --- float64 formulas --------------------------------------------------------------------------


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


def _clamped(x: Tensor) -> Tensor:
    """x clamped to ±1e4, beyond which every smooth gate here is exactly 0 or 1 in float64, so
    that x·(vanishing factor) never becomes inf·0."""
    return x.clamp(-N.TAIL, N.TAIL)


def _self_gated(x: Tensor, fx: Tensor) -> Tensor:
    """f(x) with f(−∞) = 0 for a self-gated f = x·g(x)."""
    return torch.where(torch.isinf(x) & (x < 0), 0.0, fx)


def _swish(k: float) -> tuple[RealFunction, RealFunction]:
    def value(x: Tensor) -> Tensor:
        return _self_gated(x, x * _sigmoid(k * x))

    def derivative(x: Tensor) -> Tensor:
        c = _clamped(x)
        return _sigmoid(k * c) + k * c * _sigmoid_slope(k * c)

    return value, derivative


def _phi(x: Tensor) -> Tensor:
    return N.INV_SQRT_2PI * torch.exp(-0.5 * x * x)


def _gelu(x: Tensor) -> Tensor:
    return _self_gated(x, 0.5 * x * torch.erfc(-N.SQRT_HALF * x))


def _gelu_derivative(x: Tensor) -> Tensor:
    c = _clamped(x)
    return 0.5 * torch.erfc(-N.SQRT_HALF * c) + c * _phi(c)


def _tanh_u(x: Tensor) -> tuple[Tensor, Tensor]:
    """u = √(2/π)(x + 0.044715x³) and du/dx, on x clamped to ±1e4."""
    c = _clamped(x)
    u = N.SQRT_2_OVER_PI * (c + F.GELU_TANH_COEFF * c**3)
    return u, N.SQRT_2_OVER_PI * (1.0 + 3.0 * F.GELU_TANH_COEFF * c * c)


def _gelu_tanh(x: Tensor) -> Tensor:
    u, _ = _tanh_u(x)
    return _self_gated(x, x * _sigmoid(2.0 * u))


def _gelu_tanh_derivative(x: Tensor) -> Tensor:
    u, du = _tanh_u(x)
    return _sigmoid(2.0 * u) + 2.0 * _clamped(x) * _sigmoid_slope(2.0 * u) * du


def _mish(x: Tensor) -> Tensor:
    return _self_gated(x, x * _tanh_softplus(x))


def _mish_derivative(x: Tensor) -> Tensor:
    t = _tanh_softplus(x)
    return t + x * _sigmoid(x) * (1.0 - t) * (1.0 + t)


def _softplus(x: Tensor) -> Tensor:
    return x.clamp(min=0.0) + torch.log1p(torch.exp(-x.abs()))


def _elu(x: Tensor) -> Tensor:
    return torch.where(x > 0, x, torch.expm1(x.clamp(max=0.0)))


def _exp_left(x: Tensor) -> Tensor:
    return torch.exp(x.clamp(max=0.0))


def _positive(x: Tensor) -> Tensor:
    return (x > 0).to(x.dtype)


def _slope(negative: float) -> RealFunction:
    return lambda x: torch.where(x > 0, 1.0, torch.full_like(x, negative))


def _hardswish(x: Tensor) -> Tensor:
    return torch.where(x <= -3.0, 0.0, torch.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _hardswish_derivative(x: Tensor) -> Tensor:
    return torch.where(x <= -3.0, 0.0, torch.where(x >= 3.0, 1.0, (2.0 * x + 3.0) / 6.0))


def _star_relu(x: Tensor) -> Tensor:
    return F.STAR_RELU_SCALE * (torch.relu(x) ** 2 - 0.5)


def _xielu(x: Tensor) -> Tensor:
    """xIELU at its defaults as the released code writes it, with its limit +∞ at ±∞."""
    a_p, a_n, b, e = F.XIELU_ALPHA_P, F.XIELU_ALPHA_N, F.XIELU_BETA, F.XIELU_EPS
    finite = torch.where(torch.isinf(x), 0.0, x)  # the formula would meet ∞ − ∞; NaN stays
    cut = torch.minimum(finite, torch.tensor(e, dtype=x.dtype))
    negative = a_n * (torch.expm1(cut) - finite) + b * finite
    values = torch.where(finite > 0, a_p * finite * finite + b * finite, negative)
    return torch.where(torch.isinf(x), INF, values)


def _xielu_derivative(x: Tensor) -> Tensor:
    a_p, a_n, b, e = F.XIELU_ALPHA_P, F.XIELU_ALPHA_N, F.XIELU_BETA, F.XIELU_EPS
    negative = torch.where(x <= e, a_n * torch.exp(x.clamp(max=e)), 0.0) + (b - a_n)
    return torch.where(x > 0, 2.0 * a_p * x + b, negative)


def _xielu_minimum() -> float:
    """inf xIELU at the defaults: at x = log(r), r = (α_n − β)/α_n, where α_n eˣ + β − α_n = 0."""
    a_n, b = F.XIELU_ALPHA_N, F.XIELU_BETA
    r = (a_n - b) / a_n
    return a_n * (r - 1.0) + (b - a_n) * math.log(r)


_silu, _silu_derivative = _swish(1.0)
_quick, _quick_derivative = _swish(F.GELU_SIGMOID_COEFF)
_SELU_SCALE_ALPHA = F.SELU_SCALE * F.SELU_ALPHA

# --- mpmath formulas ---------------------------------------------------------------------------

_MP_SELU_ALPHA = "1.6732632423543772848170429916717"
_MP_SELU_SCALE = "1.0507009873554804934193349852946"


def _mp_sigmoid(x: mpf) -> mpf:
    return 1 / (1 + mpmath.exp(-x))


def _mp_relu(x: mpf) -> mpf:
    return x if x > 0 else mpf(0)


def _mp_gelu(x: mpf) -> mpf:
    if x < -1e10:
        # mpmath's erfc fails for such arguments; the asymptotic series of xΦ(x) has a
        # relative error below 15/x⁶ < 1e-59 there.
        return -mpmath.npdf(x) * (1 - 1 / x**2 + 3 / x**4)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def _mp_gelu_tanh(x: mpf) -> mpf:
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpf("0.044715") * x**3)
    return x * _mp_sigmoid(2 * u)


def _mp_xielu(x: mpf) -> mpf:
    if x > 0:
        return mpf("0.8") * x**2 + mpf("0.5") * x
    return mpf("0.8") * (mpmath.expm1(min(x, mpf("-1e-6"))) - x) + mpf("0.5") * x


def _mp_selu(x: mpf) -> mpf:
    return mpf(_MP_SELU_SCALE) * (x if x > 0 else mpf(_MP_SELU_ALPHA) * mpmath.expm1(x))


# --- PyTorch's functions -----------------------------------------------------------------------


def _torch_step(x: Tensor) -> Tensor:
    return torch.heaviside(x, torch.ones((), dtype=x.dtype))


def _torch_prelu(x: Tensor) -> Tensor:
    return TF.prelu(x, torch.full((1,), 0.25, dtype=x.dtype))


def _torch_glu(gate: Tensor, value: Tensor) -> Tensor:
    """:func:`torch.nn.functional.glu` on the packed ``[value, gate]`` (its gate is second)."""
    return TF.glu(torch.cat([value, gate], dim=-1), dim=-1)


def _torch_clamped_swiglu(gate: Tensor, value: Tensor) -> Tensor:
    """gpt-oss's clamped SwiGLU composed of PyTorch functions, as its reference code has it."""
    g = gate.clamp(max=F.CLAMPED_SWIGLU_LIMIT)
    v = value.clamp(-F.CLAMPED_SWIGLU_LIMIT, F.CLAMPED_SWIGLU_LIMIT)
    return g * torch.sigmoid(F.GELU_SIGMOID_COEFF * g) * (v + F.CLAMPED_SWIGLU_OFFSET)


def _torch_swiglu_step(gate: Tensor, value: Tensor) -> Tensor:
    """vLLM's ``SwigluStepAndMul``: ``silu(gate).clamp(max=L) * value.clamp(-L, L)``."""
    limit = F.CLAMPED_SWIGLU_LIMIT
    return TF.silu(gate).clamp(max=limit) * value.clamp(-limit, limit)


# --- the records -------------------------------------------------------------------------------

_XIELU_AT_ZERO = F.XIELU_ALPHA_N * math.expm1(F.XIELU_EPS)
_XIELU_SLOPE_ZERO = F.XIELU_BETA - F.XIELU_ALPHA_N
_XIELU_AT_EPS = _XIELU_AT_ZERO + _XIELU_SLOPE_ZERO * F.XIELU_EPS
_XIELU_SLOPE_EPS = F.XIELU_ALPHA_N * math.exp(F.XIELU_EPS) + _XIELU_SLOPE_ZERO
_SIGMOIDAL = Properties(True, "C∞", "both", False, (0.0, 1.0))
_RECTIFIER = Properties(True, "C0", "left", False, (0.0, INF))
_LEAKY = Properties(True, "C0", "none", False, (-INF, INF))
_SELF_GATED = Properties(False, "C∞", "left", False, None)
_SELF_GATED_LIMITS = Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True)

_RECORDS: tuple[Oracle, ...] = (
    Oracle(
        "step", Properties(True, "discontinuous", "both", False, (0.0, 1.0)),
        value=lambda x: torch.where(torch.isnan(x), x, (x >= 0).to(x.dtype)),
        derivative=torch.zeros_like,
        exact=lambda x: mpf(1) if x >= 0 else mpf(0),
        limits=Limits(0.0, 1.0, 1.0, 0.0, 0.0, 0.0, False),
        kinks=(Kink(0.0, 1.0, 0.0),),
        torch=_torch_step,
    ),
    Oracle(
        "sigmoid", _SIGMOIDAL, value=_sigmoid, derivative=_sigmoid_slope, exact=_mp_sigmoid,
        limits=Limits(0.0, 0.5, 1.0, 0.0, 0.25, 0.0, False), torch=torch.sigmoid,
    ),
    Oracle(
        "tanh", Properties(True, "C∞", "both", True, (-1.0, 1.0)),
        value=torch.tanh, derivative=lambda x: 4.0 * _sigmoid_slope(2.0 * x), exact=mpmath.tanh,
        limits=Limits(-1.0, 0.0, 1.0, 0.0, 1.0, 0.0, True), torch=torch.tanh,
    ),
    Oracle("softmax", _SIGMOIDAL, torch=torch.softmax),
    Oracle(
        "relu", _RECTIFIER, value=torch.relu, derivative=_positive, exact=_mp_relu,
        limits=Limits(0.0, 0.0, INF, 0.0, 0.0, 1.0, False), kinks=(Kink(0.0, 0.0, 0.0),),
        torch=torch.relu,
    ),
    Oracle(
        "leaky_relu", _LEAKY,
        value=lambda x: torch.where(x > 0, x, 0.01 * x), derivative=_slope(0.01),
        exact=lambda x: x if x > 0 else mpf("0.01") * x,
        limits=Limits(-INF, 0.0, INF, 0.01, 0.01, 1.0, True), kinks=(Kink(0.0, 0.0, 0.01),),
        torch=TF.leaky_relu,
    ),
    Oracle(
        "prelu", _LEAKY,
        value=lambda x: torch.where(x > 0, x, 0.25 * x), derivative=_slope(0.25),
        exact=lambda x: x if x > 0 else x / 4,
        limits=Limits(-INF, 0.0, INF, 0.25, 0.25, 1.0, True), kinks=(Kink(0.0, 0.0, 0.25),),
        torch=_torch_prelu,
    ),
    Oracle(
        "elu", Properties(True, "C1", "left", False, (-1.0, INF)),
        value=_elu, derivative=lambda x: torch.where(x > 0, 1.0, _exp_left(x)),
        exact=lambda x: x if x > 0 else mpmath.expm1(x),
        limits=Limits(-1.0, 0.0, INF, 0.0, 1.0, 1.0, True), kinks=(Kink(0.0, 0.0, 1.0),),
        torch=TF.elu,
    ),
    Oracle(
        "selu", Properties(True, "C0", "left", True, (-_SELU_SCALE_ALPHA, INF)),
        value=lambda x: torch.where(x > 0, F.SELU_SCALE * x, _SELU_SCALE_ALPHA * _elu(x)),
        derivative=lambda x: torch.where(x > 0, F.SELU_SCALE, _SELU_SCALE_ALPHA * _exp_left(x)),
        exact=_mp_selu,
        limits=Limits(-_SELU_SCALE_ALPHA, 0.0, INF, 0.0, _SELU_SCALE_ALPHA, F.SELU_SCALE, True),
        kinks=(Kink(0.0, 0.0, _SELU_SCALE_ALPHA),),
        torch=TF.selu,
    ),
    Oracle(
        "gelu", _SELF_GATED, value=_gelu, derivative=_gelu_derivative, exact=_mp_gelu,
        limits=_SELF_GATED_LIMITS, torch=TF.gelu,
    ),
    Oracle(
        "gelu_tanh", _SELF_GATED, value=_gelu_tanh, derivative=_gelu_tanh_derivative,
        exact=_mp_gelu_tanh, limits=_SELF_GATED_LIMITS,
        torch=lambda x: TF.gelu(x, approximate="tanh"),
    ),
    Oracle(
        "gelu_sigmoid", _SELF_GATED, value=_quick, derivative=_quick_derivative,
        exact=lambda x: x * _mp_sigmoid(mpf("1.702") * x), limits=_SELF_GATED_LIMITS,
    ),
    Oracle(
        "silu", _SELF_GATED, value=_silu, derivative=_silu_derivative,
        exact=lambda x: x * _mp_sigmoid(x), limits=_SELF_GATED_LIMITS, torch=TF.silu,
    ),
    Oracle(
        "swish", _SELF_GATED, value=_silu, derivative=_silu_derivative,
        exact=lambda x: x * _mp_sigmoid(x), limits=_SELF_GATED_LIMITS,
    ),
    Oracle(
        "mish", _SELF_GATED, value=_mish, derivative=_mish_derivative,
        exact=lambda x: x * mpmath.tanh(mpmath.log1p(mpmath.exp(x))),
        limits=Limits(0.0, 0.0, INF, 0.0, 0.6, 1.0, True), torch=TF.mish,
    ),
    Oracle(
        "softplus", Properties(True, "C∞", "left", False, (0.0, INF)),
        value=_softplus, derivative=_sigmoid, exact=lambda x: mpmath.log1p(mpmath.exp(x)),
        limits=Limits(0.0, math.log(2.0), INF, 0.0, 0.5, 1.0, False), torch=TF.softplus,
    ),
    Oracle(
        "hardsigmoid", Properties(True, "C0", "both", False, (0.0, 1.0)),
        value=lambda x: ((x + 3.0) / 6.0).clamp(0.0, 1.0),
        derivative=lambda x: ((x > -3) & (x < 3)).to(x.dtype) / 6.0,
        exact=lambda x: min(max((x + 3) / 6, mpf(0)), mpf(1)),
        limits=Limits(0.0, 0.5, 1.0, 0.0, 1.0 / 6.0, 0.0, False),
        kinks=(Kink(-3.0, 0.0, 0.0), Kink(3.0, 1.0, 0.0)),
        torch=TF.hardsigmoid,
    ),
    Oracle(
        "hardswish", Properties(False, "C0", "left", False, (-0.375, INF)),
        value=_hardswish, derivative=_hardswish_derivative,
        exact=lambda x: x * min(max(x + 3, mpf(0)), mpf(6)) / 6,
        limits=_SELF_GATED_LIMITS, kinks=(Kink(-3.0, 0.0, 0.0), Kink(3.0, 3.0, 1.0)),
        torch=TF.hardswish,
    ),
    Oracle(
        "relu6", Properties(True, "C0", "both", False, (0.0, 6.0)),
        value=lambda x: x.clamp(0.0, 6.0), derivative=lambda x: ((x > 0) & (x < 6)).to(x.dtype),
        exact=lambda x: min(max(x, mpf(0)), mpf(6)),
        limits=Limits(0.0, 0.0, 6.0, 0.0, 0.0, 0.0, False),
        kinks=(Kink(0.0, 0.0, 0.0), Kink(6.0, 6.0, 0.0)),
        torch=TF.relu6,
    ),
    Oracle(
        "squared_relu", Properties(True, "C1", "left", False, (0.0, INF)),
        value=lambda x: torch.relu(x) ** 2, derivative=lambda x: 2.0 * torch.relu(x),
        exact=lambda x: _mp_relu(x) ** 2,
        limits=Limits(0.0, 0.0, INF, 0.0, 0.0, INF, False), kinks=(Kink(0.0, 0.0, 0.0),),
    ),
    Oracle(
        "star_relu", Properties(True, "C1", "left", True, (F.STAR_RELU_BIAS, INF)),
        value=_star_relu, derivative=lambda x: 2.0 * F.STAR_RELU_SCALE * torch.relu(x),
        exact=lambda x: (2 * _mp_relu(x) ** 2 - 1) / mpmath.sqrt(5),
        limits=Limits(F.STAR_RELU_BIAS, F.STAR_RELU_BIAS, INF, 0.0, 0.0, INF, False),
        kinks=(Kink(0.0, F.STAR_RELU_BIAS, 0.0),),
    ),
    Oracle("drelu", _RECTIFIER, torch=lambda g, v: torch.relu(g) * torch.relu(v)),
    Oracle("glu", _SIGMOIDAL, torch=_torch_glu),
    Oracle("reglu", _RECTIFIER, torch=lambda g, v: torch.relu(g) * v),
    Oracle("geglu", _SELF_GATED, torch=lambda g, v: TF.gelu(g) * v),
    Oracle("geglu_tanh", _SELF_GATED, torch=lambda g, v: TF.gelu(g, approximate="tanh") * v),
    Oracle("swiglu", _SELF_GATED, torch=lambda g, v: TF.silu(g) * v),
    Oracle("bilinear", Properties(True, "C∞", "none", True, (-INF, INF)),
           torch=lambda g, v: g * v),
    Oracle(
        # C1 as designed (ε → 0: the slope β on both sides of 0, the curvature jumping). The
        # released ε = −1e-6 adds a step of α_n·expm1(ε) ≈ −8e-7 at 0 and the slope β − α_n on
        # (ε, 0], both below the resolution of actbook.analysis (jumps above 1e-6); both points
        # are kinks of the record.
        "xielu", Properties(False, "C1", "none", False, (_xielu_minimum(), INF)),
        value=_xielu, derivative=_xielu_derivative, exact=_mp_xielu,
        limits=Limits(INF, _XIELU_AT_ZERO, INF, _XIELU_SLOPE_ZERO, _XIELU_SLOPE_ZERO, INF, False),
        kinks=(Kink(0.0, _XIELU_AT_ZERO, _XIELU_SLOPE_ZERO),
               Kink(F.XIELU_EPS, _XIELU_AT_EPS, _XIELU_SLOPE_EPS)),
    ),
    Oracle(
        "polyrelu", Properties(True, "C0", "left", False, (0.0, INF)),
        value=lambda x: torch.relu(x) * (1.0 + torch.relu(x) * (1.0 + torch.relu(x))) / 3.0,
        derivative=lambda x: torch.where(x > 0, (1.0 + 2.0 * x + 3.0 * x * x) / 3.0, 0.0),
        exact=lambda x: (x + x**2 + x**3) / 3 if x > 0 else mpf(0),
        limits=Limits(0.0, 0.0, INF, 0.0, 0.0, INF, False), kinks=(Kink(0.0, 0.0, 0.0),),
    ),
    Oracle(
        "fatrelu", Properties(True, "discontinuous", "left", False, (0.0, INF)),
        value=lambda x: torch.where(x > F.FATRELU_THRESHOLD, x, 0.0),
        derivative=lambda x: (x > F.FATRELU_THRESHOLD).to(x.dtype),
        exact=lambda x: x if x > mpf("0.125") else mpf(0),
        limits=Limits(0.0, 0.0, INF, 0.0, 0.0, 1.0, False),
        kinks=(Kink(F.FATRELU_THRESHOLD, 0.0, 0.0),),
        torch=lambda x: TF.threshold(x, F.FATRELU_THRESHOLD, 0.0),
    ),
    Oracle(
        "softcap", Properties(True, "C∞", "both", True, (-F.SOFTCAP_CAP, F.SOFTCAP_CAP)),
        value=lambda x: F.SOFTCAP_CAP * torch.tanh(x / F.SOFTCAP_CAP),
        derivative=lambda x: 4.0 * _sigmoid_slope(2.0 * x / F.SOFTCAP_CAP),
        exact=lambda x: 30 * mpmath.tanh(x / 30),
        limits=Limits(-F.SOFTCAP_CAP, 0.0, F.SOFTCAP_CAP, 0.0, 1.0, 0.0, True),
    ),
    Oracle(
        "dyt", Properties(True, "C∞", "both", True, (-1.0, 1.0)),
        value=lambda x: torch.tanh(F.DYT_ALPHA * x),
        derivative=lambda x: 4.0 * F.DYT_ALPHA * _sigmoid_slope(2.0 * F.DYT_ALPHA * x),
        exact=lambda x: mpmath.tanh(x / 2),
        limits=Limits(-1.0, 0.0, 1.0, 0.0, F.DYT_ALPHA, 0.0, True),
    ),
    # The scalar view x·softmax(x, 0)₀ = x·σ(x) is SiLU.
    Oracle("solu", _SELF_GATED),
    # The scalar views in a standard normal row: a cubic x/3 + x²/(3√3) + x³/(3√15), whose
    # derivative never vanishes (its discriminant is negative) and whose mean is 1/(3√3); and
    # GELU-tanh(max(0, x − 1.645)), flat to the left of its kink.
    Oracle("polynorm", Properties(True, "C∞", "none", False, (-INF, INF))),
    Oracle("gaussian_topk", Properties(True, "C0", "left", False, (0.0, INF))),
    # The scalar view 2·min(x, 7)·σ(1.702·min(x, 7)) (value 1, plus the offset 1): a kink at 7,
    # where the gate's clamp takes over, and flat beyond it.
    Oracle("clamped_swiglu", Properties(False, "C0", "both", False, None),
           torch=_torch_clamped_swiglu),
    # min(SiLU(x), 7) with value 1: SiLU up to x ≈ 7.006, where SiLU reaches 7, then flat.
    Oracle("swiglu_step", Properties(False, "C0", "both", False, None),
           torch=_torch_swiglu_step),
)

#: Every oracle, by activation or variant name, in book order.
ORACLES: MappingProxyType = MappingProxyType({o.name: o for o in _RECORDS})

#: The identity, as the oracle of a gated unit's untransformed gate or value.
IDENTITY = Oracle(
    "identity", Properties(True, "C∞", "none", True, (-INF, INF)),
    value=lambda x: x, derivative=torch.ones_like, exact=lambda x: x,
    limits=Limits(-INF, 0.0, INF, 1.0, 1.0, 1.0, True), torch=lambda x: x,
)


def oracle(name: str) -> Oracle:
    """The oracle of an activation or variant (``"identity"`` included), by registry name.

    Args:
        name: a canonical or variant name of the registry, or ``"identity"`` (no aliases).

    Returns:
        The :class:`Oracle` record; :data:`IDENTITY` for ``"identity"``.

    Raises:
        KeyError: naming the file to add it to, if ``name`` has no oracle.
    """
    if name == "identity":
        return IDENTITY
    if name not in ORACLES:
        raise KeyError(f"{name!r} has no oracle: add its record to actbook/accuracy/oracles.py")
    return ORACLES[name]
