r"""The numerical building blocks under :mod:`actbook.functional` and :mod:`actbook.kernels`.

Private: the public functions document the formulas they are built from. What is here, and why:

* :func:`sigmoid`, a logistic function whose ``exp`` never overflows, differentiated as
  :math:`\sigma(x)\sigma(-x)`;
* :func:`expm1`, :math:`e^x - 1` differentiated as :math:`e^x`;
* :func:`softplus`, :math:`\log(1 + e^z)` without overflow or cancellation;
* :func:`linear_tails`, the limits :math:`f(-\infty) = 0` and :math:`f(+\infty) = +\infty` of a
  self-gated :math:`f(x) = x\,g(x)`, with no ``inf * 0`` in the value or the gradient;
* :class:`Step`, the Heaviside step with a zero gradient and NaN propagated.

**Eager and compiled.** :func:`sigmoid` and :func:`expm1` branch on
``torch.compiler.is_compiling()``. Eagerly they are autograd Functions with hand-written
backward passes (for accuracy); under ``torch.compile``, where Inductor fuses the pointwise work
and cannot trace into a custom backward pass cheaply, they are traced as plain formulas of equal
accuracy: the one-``exp`` sigmoid, and :math:`\tanh(x/2)(e^x + 1)` for ``expm1``, since Inductor
lowers ``torch.expm1`` to ``exp(x) - 1`` on the CPU. Compiled results may therefore differ from
eager ones in the last bit; the accuracy harness measures both
(:mod:`actbook.accuracy.compiled`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

SQRT_HALF = math.sqrt(0.5)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
#: Beyond this |x| (|βx| for Swish) the gates of SiLU, Swish, Mish and the three GELUs are
#: exactly 0 or 1 in every floating dtype (e^-10000 underflows even in float64).
TAIL = 1.0e4
#: Above this z, softplus is z + log1p(e^{−z}); at or below, log1p(e^z) (e^8 fits in float16).
SOFTPLUS_SWITCH = 8.0
#: Below this x the sigmoid is e^x/(1 + e^x), so that ``exp`` never overflows.
_SIGMOID_SWITCH = -80.0


class _Sigmoid(torch.autograd.Function):
    """σ(x) without overflow, differentiated as σ(x)·σ(−x).

    Down to x = −80 the value is ``torch.sigmoid``'s 1/(1 + e^{−x}); below, e^x/(1 + e^x), so
    ``exp`` never overflows and σ keeps its digits where it is subnormal (``torch.sigmoid``
    returns 0 there once e^{−x} overflows, which matters when σ is multiplied by a large x, as
    in the tanh GELU). The backward pass, σ(x)·σ(−x), has none of the cancellation of
    PyTorch's σ(1 − σ) for large x, and is itself differentiable (second derivatives work).
    It is evaluated as e^{−|x|}/(1 + e^{−|x|})², which needs no branch.
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        e = torch.exp(x.clamp(max=_SIGMOID_SWITCH))
        return torch.where(x < _SIGMOID_SWITCH, e / (1 + e), torch.sigmoid(x))

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        # σ(x)σ(−x) = e^{−|x|} / (1 + e^{−|x|})², even in x; float32 is evaluated in float64
        # and rounded once, since exp, the square and the division each add float32 rounding.
        wide = x.double() if x.dtype == torch.float32 else x
        e = torch.exp(-wide.abs())
        return grad_output * (e / (1 + e).square()).to(x.dtype)


def normal_cdf(x: Tensor) -> Tensor:
    """Standard normal distribution function Φ(x) = erfc(−x/√2)/2, without the cancellation of
    (1 + erf(x/√2))/2 for x < 0."""
    return 0.5 * torch.erfc(-SQRT_HALF * x)


def sigmoid_one_exp(x: Tensor) -> Tensor:
    """σ from one ``exp``: 1/(1 + e) for x ≥ 0, e/(1 + e) below, e = e^{−|x|}."""
    e = torch.exp(-x.abs())
    return torch.where(x < 0, e, 1.0) / (1 + e)


def sigmoid(x: Tensor) -> Tensor:
    """The logistic function without overflow: :class:`_Sigmoid` eagerly, one ``exp`` compiled."""
    if torch.compiler.is_compiling():
        return sigmoid_one_exp(x)
    return _Sigmoid.apply(x)


def softplus(z: Tensor) -> Tensor:
    """log(1 + e^z): log1p(e^z) up to :data:`SOFTPLUS_SWITCH`, z + log1p(e^{−z}) above.

    log1p(e^z) is accurate wherever e^z does not overflow: one well-conditioned log1p of a
    correctly rounded exp. Each branch sees only its own side of the switch, so neither can
    overflow or meet inf·0 in the backward pass; the gradient is σ(z) either way.
    """
    low = z.clamp(max=SOFTPLUS_SWITCH)
    high = z.clamp(min=SOFTPLUS_SWITCH)
    return torch.where(z > SOFTPLUS_SWITCH, high + torch.log1p(torch.exp(-high)),
                       torch.log1p(torch.exp(low)))


def linear_tails(f: Callable[[Tensor], Tensor], x: Tensor, cutoff: float = TAIL) -> Tensor:
    """``f(x)`` for a self-gated f = x·g(x) whose gate g is exactly 0 below ``-cutoff`` and
    exactly 1 above ``cutoff`` in every floating dtype.

    f only ever sees inputs clamped to [−cutoff, cutoff], so neither ``inf * 0`` nor an
    overflowing x³ or x·upstream can make a NaN in the forward or the backward pass; above the
    cutoff the result is x itself. This gives the mathematical limits f(−inf) = 0 (gradient 0)
    and f(+inf) = +inf (gradient 1).
    """
    return torch.where(x > cutoff, x, f(x.clamp(-cutoff, cutoff)))


def as_tensor(p: float | Tensor, like: Tensor) -> Tensor:
    """A parameter as a tensor of ``like``'s dtype and device."""
    return torch.as_tensor(p, dtype=like.dtype, device=like.device)


class _Expm1(torch.autograd.Function):
    """``expm1`` differentiated as ``exp(x)``.

    PyTorch differentiates ``expm1`` as ``1 + expm1(x)``, which is accurate only to an absolute
    eps: for x = −20 the ELU gradient αeˣ ≈ 2e-9 would keep 7 of its 16 digits.
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        return torch.expm1(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        return grad_output * torch.exp(x)


def expm1(x: Tensor) -> Tensor:
    """eˣ − 1 to full precision, eagerly and under ``torch.compile``.

    While compiling, the identity eˣ − 1 = tanh(x/2)(eˣ + 1) is used (no cancellation);
    eagerly, ``torch.expm1`` is exact to the last bit more often, so it is kept there.
    """
    if torch.compiler.is_compiling():
        return torch.tanh(0.5 * x) * (torch.exp(x) + 1)
    return _Expm1.apply(x)


class Step(torch.autograd.Function):
    """The Heaviside step 1[x ≥ θ] with NaN propagated and a gradient of 0 everywhere."""

    @staticmethod
    def forward(ctx, x: Tensor, threshold: float) -> Tensor:  # type: ignore[override]
        return torch.where(torch.isnan(x), x, (x >= threshold).to(x.dtype))

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        return torch.zeros_like(grad_output), None
