r"""The pure pointwise functions that the fused kernels compile.

Forward passes are the functions of :mod:`actbook.functional` themselves, so a fused kernel
computes exactly the formula of the eager reference (stable sigmoid, ``erfc`` GELU, ...), in
float32 for float16/bfloat16 inputs, rounded once. Backward passes recompute the activation
:math:`a` of the gate from the saved inputs, together with its derivative, from one evaluation
of the same helpers (one ``exp`` for SiLU, not one per formula), and return, for
:math:`y = a(g)\,v`,

.. math:: \bar g = \bar y\, a'(g)\, v, \qquad \bar v = \bar y\, a(g),

in one read of :math:`\bar y, g, v` and one write of :math:`\bar g, \bar v` once compiled. The
derivatives are those of :mod:`actbook.derivatives`, with the same limits at ±inf. Every
function here is pure: no state, no Python branching on tensor values.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from actbook import derivatives as D
from actbook import functional as F
from actbook._checks import upcast

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

# Each activation with its derivative: (a(g), a'(g)) from one shared evaluation.
Activation = Callable[[Tensor], tuple[Tensor, Tensor]]


def _linear_tails(g: Tensor, value_and_slope: Activation) -> tuple[Tensor, Tensor]:
    """(a, a') of an activation with a(-inf) = 0, a(+inf) = +inf, a'(±inf) = 0 or 1.

    As :func:`actbook.functional._linear_tails`: the formula sees the gate clamped to
    ``±functional._TAIL``, beyond which the gate function is exactly 0 or 1, so no ``inf * 0``
    or overflow makes a NaN; above the cutoff a = g and a' = 1.
    """
    a, slope = value_and_slope(g.clamp(-F._TAIL, F._TAIL))
    big = g > F._TAIL
    return torch.where(big, g, a), torch.where(big, 1.0, slope)


def _silu(x: Tensor) -> tuple[Tensor, Tensor]:
    """SiLU and its derivative σ(x)(1 + x(1 − σ(x))), with one stable sigmoid."""
    s = F._sigmoid(x)
    return x * s, s * (1.0 + x * (1.0 - s))


def _gelu(x: Tensor) -> tuple[Tensor, Tensor]:
    """Exact GELU xΦ(x), Φ(x) = erfc(−x/√2)/2, and its derivative Φ(x) + xφ(x)."""
    cdf = 0.5 * torch.erfc(-F._SQRT_HALF * x)
    return x * cdf, cdf + x * (_INV_SQRT_2PI * torch.exp(-0.5 * x * x))


def _gelu_tanh(x: Tensor) -> tuple[Tensor, Tensor]:
    """Tanh GELU xσ(2u), u = √(2/π)(x + 0.044715x³), and σ(2u) + 2xσ(2u)(1 − σ(2u))u′.

    Called with x already clamped by :func:`_linear_tails`, so x³ cannot overflow.
    """
    u = F._SQRT_2_OVER_PI * (x + F.GELU_TANH_COEFF * x * x * x)
    du = F._SQRT_2_OVER_PI * (1.0 + 3.0 * F.GELU_TANH_COEFF * x * x)
    t = F._sigmoid(2.0 * u)
    return x * t, t + 2.0 * x * t * (1.0 - t) * du


def _gated_backward(
    activation: Callable[[Tensor], tuple[Tensor, Tensor]],
    grad: Tensor,
    gate: Tensor,
    value: Tensor,
) -> tuple[Tensor, Tensor]:
    grad32, value32 = upcast(grad), upcast(value)
    a, slope = activation(upcast(gate))
    return (grad32 * slope * value32).to(gate.dtype), (grad32 * a).to(value.dtype)


# Each kernel is its own top-level function: torch.compile caches graphs per code object, so
# kernels that shared one (a closure, or the decorators of actbook.functional) would evict
# each other's graphs and count against one recompilation limit.


def swiglu(gate: Tensor, value: Tensor) -> Tensor:
    return F.swiglu(gate, value)


def swiglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(lambda g: _linear_tails(g, _silu), grad, gate, value)


def geglu(gate: Tensor, value: Tensor) -> Tensor:
    return F.geglu(gate, value)


def geglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(lambda g: _linear_tails(g, _gelu), grad, gate, value)


def geglu_tanh(gate: Tensor, value: Tensor) -> Tensor:
    return F.geglu(gate, value, approximate="tanh")


def geglu_tanh_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(lambda g: _linear_tails(g, _gelu_tanh), grad, gate, value)


def reglu(gate: Tensor, value: Tensor) -> Tensor:
    return F.reglu(gate, value)


def reglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(lambda g: (torch.relu(g), D.relu(g)), grad, gate, value)


def glu(gate: Tensor, value: Tensor) -> Tensor:
    return F.glu(gate, value)


def glu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    def sigmoid(g: Tensor) -> tuple[Tensor, Tensor]:
        s = F._sigmoid(g)
        return s, s * (1.0 - s)

    return _gated_backward(sigmoid, grad, gate, value)


def bilinear(gate: Tensor, value: Tensor) -> Tensor:
    return F.bilinear(gate, value)


def bilinear_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(lambda g: (g, torch.ones_like(g)), grad, gate, value)


def squared_relu(x: Tensor) -> Tensor:
    return F.squared_relu(x)


def squared_relu_backward(grad: Tensor, x: Tensor) -> Tensor:
    """:math:`\\bar x = \\bar y \\cdot 2\\max(0, x)`."""
    return (upcast(grad) * D.squared_relu(upcast(x))).to(x.dtype)


def star_relu(x: Tensor, scale: Tensor | float, bias: Tensor | float) -> Tensor:
    return F.star_relu(x, scale, bias)


def star_relu_backward(
    grad: Tensor,
    x: Tensor,
    scale: Tensor | float,
    scale_grad: bool,
    bias_shape: tuple[int, ...] | None,
) -> tuple[Tensor, Tensor | None, Tensor | None]:
    r"""Gradients of :math:`y = s\max(0, x)^2 + b` for x, and for s and b where asked.

    :math:`\bar x = 2 s \max(0, x)\,\bar y`, :math:`\bar s = \sum \bar y \max(0, x)^2` and
    :math:`\bar b = \sum \bar y`, each sum over the dimensions that s or b is broadcast along
    (``bias_shape`` is b's shape, ``None`` when b needs no gradient; b's value is not needed).
    s is used in the compute dtype of x, as in :func:`actbook.functional.star_relu`;
    :math:`\bar b` is returned in that dtype.
    """
    grad32, x32 = upcast(grad), upcast(x)
    s = scale.to(x32.dtype) if isinstance(scale, Tensor) else scale
    grad_x = (grad32 * D.star_relu(x32, s)).to(x.dtype)
    grad_scale = grad_bias = None
    if scale_grad:
        assert isinstance(scale, Tensor)
        grad_scale = (grad32 * torch.square(torch.relu(x32))).sum_to_size(scale.shape)
        grad_scale = grad_scale.to(scale.dtype)
    if bias_shape is not None:
        grad_bias = grad32.sum_to_size(bias_shape)
    return grad_x, grad_scale, grad_bias
