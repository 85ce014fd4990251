r"""The pure pointwise functions that the fused kernels compile.

Each gated unit :math:`y = a(g)\,v` has one helper that returns its activation :math:`a` and
derivative :math:`a'` from a single evaluation (one ``exp`` for SiLU, not one per formula), with
the formulas of :mod:`actbook.functional` (stable sigmoid, ``erfc`` GELU, the same limits at
±inf), computed in float32 for float16/bfloat16 inputs and rounded once. The forward pass uses
:math:`a` alone (the compiler drops the unused derivative); the backward pass recomputes both
from the saved inputs and returns

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


def _with_tails(value_and_slope: Activation) -> Activation:
    """(a, a') of an activation with a(-inf) = 0, a(+inf) = +inf, a'(±inf) = 0 or 1.

    Beyond ``±functional._TAIL`` the gate function of these activations is exactly 0 or 1
    (as in :func:`actbook.functional._linear_tails`): there a' = 1 above and a = −0, a' = 0
    below, whatever the formula gives (``inf * 0`` or an overflowing x³ may make a NaN). Above
    the cutoff the formulas' own a is already g, +inf included. No gradient flows through these
    functions, so they see the gate unclamped: a compare and select per tail instead of a
    clamp, which Inductor's C++ code runs markedly slower (a SwiGLU forward took 64 instead of
    47 ms at 8192×4096 on two cores).
    """

    def with_tails(g: Tensor) -> tuple[Tensor, Tensor]:
        a, slope = value_and_slope(g)
        big, small = g > F._TAIL, g < -F._TAIL
        return (
            torch.where(small, -0.0, a),
            torch.where(big, 1.0, torch.where(small, 0.0, slope)),
        )

    return with_tails


def _silu(x: Tensor) -> tuple[Tensor, Tensor]:
    """SiLU and its derivative σ(x)(1 + x(1 − σ(x))), from one ``exp``.

    With e = e^{−|x|}, σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below (the one-exp sigmoid of
    :mod:`actbook.functional`), and xσ(x) is computed as (x or xe)/(1 + e): the forward pass,
    which needs no σ, then divides once.
    """
    e = torch.exp(-x.abs())
    negative = x < 0
    s = torch.where(negative, e, 1.0) / (1.0 + e)
    return torch.where(negative, x * e, x) / (1.0 + e), s * (1.0 + x * (1.0 - s))


def _gelu(x: Tensor) -> tuple[Tensor, Tensor]:
    """Exact GELU xΦ(x), Φ(x) = erfc(−x/√2)/2, and its derivative Φ(x) + xφ(x)."""
    cdf = 0.5 * torch.erfc(-F._SQRT_HALF * x)
    return x * cdf, cdf + x * (_INV_SQRT_2PI * torch.exp(-0.5 * x * x))


def _gelu_tanh(x: Tensor) -> tuple[Tensor, Tensor]:
    """Tanh GELU xσ(2u), u = √(2/π)(x + 0.044715x³), and σ(2u) + 2xσ(2u)(1 − σ(2u))u′.

    Beyond the tails x³ may overflow; :func:`_with_tails` discards the result there.
    """
    u = F._SQRT_2_OVER_PI * (x + F.GELU_TANH_COEFF * x * x * x)
    du = F._SQRT_2_OVER_PI * (1.0 + 3.0 * F.GELU_TANH_COEFF * x * x)
    t = F._sigmoid(2.0 * u)
    return x * t, t + 2.0 * x * t * (1.0 - t) * du


def _sigmoid_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    """σ and its derivative σ(1 − σ), from one stable sigmoid."""
    s = F._sigmoid(g)
    return s, s * (1.0 - s)


_SILU = _with_tails(_silu)
_GELU = _with_tails(_gelu)
_GELU_TANH = _with_tails(_gelu_tanh)


def _relu_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    return torch.relu(g), D.relu(g)


def _identity_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    return g, torch.ones_like(g)


def _gated_forward(activation: Activation, gate: Tensor, value: Tensor) -> Tensor:
    a, _ = activation(upcast(gate))  # the unused slope is dropped from the compiled graph
    return (a * upcast(value)).to(gate.dtype)


def _gated_backward(
    activation: Activation, grad: Tensor, gate: Tensor, value: Tensor
) -> tuple[Tensor, Tensor]:
    grad32, value32 = upcast(grad), upcast(value)
    a, slope = activation(upcast(gate))
    return (grad32 * slope * value32).to(gate.dtype), (grad32 * a).to(value.dtype)


# Each kernel is its own top-level function: torch.compile caches graphs per code object, so
# kernels that shared one (a closure, or the decorators of actbook.functional) would evict
# each other's graphs and count against one recompilation limit.


def swiglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_SILU, gate, value)


def swiglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_SILU, grad, gate, value)


def geglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_GELU, gate, value)


def geglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_GELU, grad, gate, value)


def geglu_tanh(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_GELU_TANH, gate, value)


def geglu_tanh_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_GELU_TANH, grad, gate, value)


def reglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_relu_gate, gate, value)


def reglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_relu_gate, grad, gate, value)


def glu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_sigmoid_gate, gate, value)


def glu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_sigmoid_gate, grad, gate, value)


def bilinear(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward(_identity_gate, gate, value)


def bilinear_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward(_identity_gate, grad, gate, value)


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
