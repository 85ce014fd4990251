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

from collections.abc import Callable

import torch
from torch import Tensor

from actbook import _numerics as N
from actbook import derivatives as D
from actbook import functional as F
from actbook import registry
from actbook._checks import upcast

# Each activation with its derivative, (a(g), a'(g)) from one shared evaluation; and a(g) alone.
Activation = Callable[[Tensor], tuple[Tensor, Tensor]]
Value = Callable[[Tensor], Tensor]


def _with_tails(value_and_slope: Activation) -> Activation:
    """(a, a') of an activation with a(-inf) = 0, a(+inf) = +inf, a'(±inf) = 0 or 1.

    Beyond ``±_numerics.TAIL`` the gate function of these activations is exactly 0 or 1
    (as in :func:`actbook._numerics.linear_tails`), so there a = g, a' = 1 above and
    a = −0, a' = 0 below, and whatever the formula made of such gates (``inf * 0`` or an
    overflowing x³ may make a NaN) is discarded. Where autograd records, in a backward pass with
    ``create_graph=True``, that is not enough, because autograd differentiates both branches of
    a select: there the formula sees 0 in place of such gates, which keeps the second
    derivatives finite. (Dynamo compiles the two cases as separate graphs: the extra select,
    needed only there, would slow every training step.) A NaN gate stays NaN. The eager
    reference clamps the gate instead; Inductor's C++ code runs the clamped formula markedly
    slower than these selects. The measurements are in ``benchmarks/results/README.md``.
    """

    def with_tails(g: Tensor) -> tuple[Tensor, Tensor]:
        big, small = g > N.TAIL, g < -N.TAIL
        recorded = torch.is_grad_enabled()
        a, slope = value_and_slope(torch.where(big | small, 0.0, g) if recorded else g)
        return (
            torch.where(big, g, torch.where(small, -0.0, a)),
            torch.where(big, 1.0, torch.where(small, 0.0, slope)),
        )

    return with_tails


def _forward_value(value_and_slope: Activation) -> Value:
    """a(g) alone, for forward passes, with the limits of :func:`_with_tails` but fewer selects.

    A forward pass runs inside an :class:`torch.autograd.Function` and is never differentiated,
    so the formula may see the gate as it is: above the cutoff it already gives g (+inf
    included), and below, where it may make ``-inf * 0``, one select returns −0. (The unused
    derivative is dropped from the compiled graph.) The selects of :func:`_with_tails` would
    make the forward pass slower (``benchmarks/results/README.md``).
    """

    def value(g: Tensor) -> Tensor:
        a, _ = value_and_slope(g)
        return torch.where(g < -N.TAIL, -0.0, a)

    return value


def _sigmoid_weighted(x: Tensor, alpha: float) -> tuple[Tensor, Tensor]:
    """xσ(αx) and its derivative σ(αx)(1 + αx(1 − σ(αx))), from one ``exp``.

    With e = e^{−α|x|}, σ(αx) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below (the one-exp sigmoid of
    :func:`actbook._numerics.sigmoid_one_exp`, written out here), and xσ(αx) is computed as
    (x or xe)/(1 + e): the forward pass, which needs no σ, then divides once. ``alpha`` is a
    Python constant of the traced graph; at 1 it adds no multiplication.
    """
    ax = x if alpha == 1.0 else alpha * x
    e = torch.exp(-ax.abs())
    negative = x < 0
    s = torch.where(negative, e, 1.0) / (1.0 + e)
    return torch.where(negative, x * e, x) / (1.0 + e), s * (1.0 + ax * (1.0 - s))


def _silu(x: Tensor) -> tuple[Tensor, Tensor]:
    """SiLU xσ(x) (Elfwing et al. 2017) and its derivative."""
    return _sigmoid_weighted(x, 1.0)


def _gelu_sigmoid(x: Tensor) -> tuple[Tensor, Tensor]:
    """The sigmoid GELU xσ(1.702x) (gpt-oss's gate) and its derivative."""
    return _sigmoid_weighted(x, F.GELU_SIGMOID_COEFF)


#: Coefficients, highest power first, of p(q) ≈ (1 + 2a)·e^{a²}·erfc(a) − 1 in q = (a − 2)/(a + 2)
#: on 0 ≤ a ≤ 10.6: Juffa's float32 erfc scheme, refitted by weighted least squares
#: (``tests/test_kernels.py::test_the_fast_erfc_coefficients_are_the_fit`` refits them).
ERFC_COEFFS = (
    -4.0420939e-04, -1.2313490e-03, 1.3211139e-03, 8.6349836e-03, -8.0641191e-03,
    -5.4205854e-02, 1.6405618e-01, -1.6603123e-01, -9.2764027e-02, 2.7697840e-01,
)
#: Where :func:`_half_erfc` stops: erfc(10.5)/2 is below float32's smallest subnormal.
ERFC_CUTOFF = 10.5


def _half_erfc(a: Tensor) -> tuple[Tensor, Tensor]:
    r"""erfc(a)/2 and e^{−a²} for float32 a ≥ 0 (NaN stays NaN), with one ``exp`` and no
    ``erfc``.

    erfc(a) = e^{−a²}(1 + p(q))/(1 + 2a), p the polynomial of :data:`ERFC_COEFFS`, whose
    coefficients are small, so that 1 + p loses nothing to cancellation (the scheme of Juffa's
    float32 erfc, here without fused multiply-adds, which Inductor does not emit). e^{−a²} is
    computed as e^{−s}(1 − e), s = fl(a²) and e = a² − s exactly (Dekker's split of a into
    12-bit halves), so that the rounding of a² costs no accuracy where e^{−a²} is tiny. Measured
    on a grid of 6·10⁶ points of [0, 10.6]: within 4.6 ulp of float64 erfc, where SLEEF's
    vector erfc, which Inductor's C++ calls otherwise, is within 0.9 ulp but takes 1.7 times as
    long in a fused GEGLU (``benchmarks/results/README.md``).
    """
    a = a.clamp(max=ERFC_CUTOFF)
    q = (a - 2.0) / (a + 2.0)
    p = ERFC_COEFFS[0]
    for c in ERFC_COEFFS[1:]:
        p = p * q + c
    square = a * a
    split = a * 4097.0
    high = split - (split - a)
    low = a - high
    error = ((high * high - square) + 2.0 * high * low) + low * low
    gauss = torch.exp(-square)
    gauss = gauss - gauss * error
    return 0.5 * (1.0 + p) / (1.0 + 2.0 * a) * gauss, gauss


def _gelu(x: Tensor) -> tuple[Tensor, Tensor]:
    """Exact GELU xΦ(x), Φ(x) = erfc(−x/√2)/2, and its derivative Φ(x) + xφ(x) (Hendrycks &
    Gimpel 2016).

    In float32 (float16 and bfloat16 arrive upcast) Φ comes from :func:`_half_erfc` of
    |x|/√2, and φ(x) = e^{−x²/2}/√(2π) from the same exponential; float64 uses ``erfc``.
    """
    if x.dtype == torch.float64:
        cdf = 0.5 * torch.erfc(-N.SQRT_HALF * x)
        return x * cdf, cdf + x * (N.INV_SQRT_2PI * torch.exp(-0.5 * x * x))
    half, gauss = _half_erfc(x.abs() * N.SQRT_HALF)
    cdf = torch.where(x < 0, half, 1.0 - half)
    return x * cdf, cdf + x * (N.INV_SQRT_2PI * gauss)


def _gelu_tanh(x: Tensor) -> tuple[Tensor, Tensor]:
    """Tanh GELU xσ(2u), u = √(2/π)(x + 0.044715x³), and σ(2u) + 2xσ(2u)(1 − σ(2u))u′
    (Hendrycks & Gimpel 2016).

    For |x| above about 7·10¹², x³ overflows and σ(2u) is exactly 0 or 1; the callers replace
    the results there (:func:`_with_tails`, :func:`_forward_value`).
    """
    u = N.SQRT_2_OVER_PI * (x + F.GELU_TANH_COEFF * x * x * x)
    du = N.SQRT_2_OVER_PI * (1.0 + 3.0 * F.GELU_TANH_COEFF * x * x)
    t = N.sigmoid(2.0 * u)
    return x * t, t + 2.0 * x * t * (1.0 - t) * du


def _sigmoid_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    """σ and its derivative σ(1 − σ), from one stable sigmoid (GLU's gate)."""
    s = N.sigmoid(g)
    return s, s * (1.0 - s)


def _relu_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    """max(0, g) and its derivative 1[g > 0] (ReGLU's gate)."""
    return torch.relu(g), D.relu(g)


def _identity_gate(g: Tensor) -> tuple[Tensor, Tensor]:
    """g and its derivative 1 (the bilinear unit's gate)."""
    return g, torch.ones_like(g)


def _identity(g: Tensor) -> Tensor:
    return g


# The closures are traced into each kernel's graph, not compiled on their own.
_SILU, _SILU_VALUE = _with_tails(_silu), _forward_value(_silu)
_GELU, _GELU_VALUE = _with_tails(_gelu), _forward_value(_gelu)
_GELU_TANH, _GELU_TANH_VALUE = _with_tails(_gelu_tanh), _forward_value(_gelu_tanh)
_GELU_SIGMOID = _with_tails(_gelu_sigmoid), _forward_value(_gelu_sigmoid)

#: The activations a gated kernel can apply to its gate or value, by registry name: (a and a'
#: from one evaluation, for the backward pass; a alone, for the forward pass).
PIECES: dict[str, tuple[Activation, Value]] = {
    "silu": (_SILU, _SILU_VALUE),
    "gelu": (_GELU, _GELU_VALUE),
    "gelu_tanh": (_GELU_TANH, _GELU_TANH_VALUE),
    "gelu_sigmoid": _GELU_SIGMOID,
    "sigmoid": (_sigmoid_gate, N.sigmoid),
    "relu": (_relu_gate, torch.relu),
    "identity": (_identity_gate, _identity),
}


def _gated_forward(name: str, gate: Tensor, value: Tensor) -> Tensor:
    """y = a(g)·(b(v) + c) for the :class:`~actbook.registry.GatedForm` of ``name``, computed in
    float32 for float16/bfloat16 and rounded once.

    The form is read while tracing: its fields are Python constants of the compiled graph, and a
    part it does not use (a clamp, an identity transform, a zero offset) costs nothing.
    """
    form = registry.VARIANTS[name].gated
    g, v = form.clamped(upcast(gate), upcast(value))
    a = form.capped(PIECES[form.gate][1](g))
    b = v if form.value == "identity" else PIECES[form.value][1](v)
    if form.value_offset:
        b = b + form.value_offset
    return (a * b).to(gate.dtype)


def _gated_backward(
    name: str, grad: Tensor, gate: Tensor, value: Tensor
) -> tuple[Tensor, Tensor]:
    """(ȳ·a'(g)·(b(v) + c), ȳ·a(g)·b'(v)), computed like :func:`_gated_forward`; a clamp
    passes the gradient on its closed interval, as :func:`torch.clamp` does."""
    form = registry.VARIANTS[name].gated
    grad32, gate32, value32 = upcast(grad), upcast(gate), upcast(value)
    g, v = form.clamped(gate32, value32)
    a, slope = PIECES[form.gate][0](g)
    # An untransformed value has slope 1: a Python float, so that no tensor of ones is made.
    b, value_slope = (v, 1.0) if form.value == "identity" else PIECES[form.value][0](v)
    slope, value_slope = form.clamp_slopes(gate32, value32, slope, value_slope)
    a, slope = form.capped(a), form.cap_slope(a, slope)
    grad_value = grad32 * a
    if not isinstance(value_slope, float):
        grad_value = grad_value * value_slope
    if form.value_offset:
        b = b + form.value_offset
    return (grad32 * slope * b).to(gate.dtype), grad_value.to(value.dtype)


# Each kernel is its own top-level function: torch.compile caches graphs per code object, so
# kernels that shared one (a closure, or the decorators of actbook.functional) would evict
# each other's graphs and count against one recompilation limit. A gated kernel for a unit of
# the registry, a pair named after its variant, is all it takes: actbook.kernels finds it.


def swiglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("swiglu", gate, value)


def swiglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("swiglu", grad, gate, value)


def geglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("geglu", gate, value)


def geglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("geglu", grad, gate, value)


def geglu_tanh(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("geglu_tanh", gate, value)


def geglu_tanh_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("geglu_tanh", grad, gate, value)


def reglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("reglu", gate, value)


def reglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("reglu", grad, gate, value)


def glu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("glu", gate, value)


def glu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("glu", grad, gate, value)


def bilinear(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("bilinear", gate, value)


def bilinear_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("bilinear", grad, gate, value)


def drelu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("drelu", gate, value)


def drelu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("drelu", grad, gate, value)


def clamped_swiglu(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("clamped_swiglu", gate, value)


def clamped_swiglu_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("clamped_swiglu", grad, gate, value)


def swiglu_step(gate: Tensor, value: Tensor) -> Tensor:
    return _gated_forward("swiglu_step", gate, value)


def swiglu_step_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return _gated_backward("swiglu_step", grad, gate, value)


def squared_relu(x: Tensor) -> Tensor:
    return F.squared_relu(x)


def squared_relu_backward(grad: Tensor, y: Tensor) -> Tensor:
    """:math:`\\bar x = \\bar y \\cdot 2\\max(0, x) = \\bar y \\cdot 2\\sqrt{y}`, from the output
    :math:`y = \\max(0, x)^2` (the input is not kept). In float32, :math:`\\sqrt{y}` is
    :math:`\\max(0, x)` to within one rounding; once :math:`x^2` overflows (:math:`x > 1.8
    \\times 10^{19}` in float32, 256 in float16) the output is inf, and so is this gradient.
    The square root is taken of 1 where y = 0, so that a second differentiation
    (``create_graph=True``) gives 0 there, not the NaN of 0·∞."""
    positive = upcast(y) > 0
    root = torch.sqrt(torch.where(positive, upcast(y), 1.0))
    return (upcast(grad) * 2 * torch.where(positive, root, 0.0)).to(y.dtype)


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


def xielu(x: Tensor, alpha_p: Tensor | float, alpha_n: Tensor | float, beta: Tensor | float,
          eps: Tensor | float) -> Tensor:
    return F.xielu(x, alpha_p, alpha_n, beta, eps)


def xielu_backward(
    grad: Tensor,
    x: Tensor,
    params: tuple[Tensor | float, Tensor | float, Tensor | float, Tensor | float],
    wanted: tuple[bool, bool, bool, bool],
) -> tuple[Tensor, Tensor | None, Tensor | None, Tensor | None, Tensor | None]:
    r"""Gradients of xIELU :math:`f(x; \alpha_p, \alpha_n, \beta, \epsilon)` for x and, where
    ``wanted``, for each parameter, summed to its shape.

    :math:`\partial f/\partial\alpha_p = x^2` for x > 0; :math:`\partial f/\partial\alpha_n =
    \operatorname{expm1}(\min(x, \epsilon)) - x` for x ≤ 0; :math:`\partial f/\partial\beta = x`;
    :math:`\partial f/\partial\epsilon = \alpha_n e^\epsilon` on (ε, 0], where f holds the
    constant :math:`\alpha_n\operatorname{expm1}(\epsilon)`, and 0 elsewhere: the derivatives of
    :func:`actbook.functional.xielu`'s formula, computed in float32 for float16/bfloat16.
    """
    grad32, x32 = upcast(grad), upcast(x)
    a_p, a_n, b, e = (p.to(x32.dtype) if isinstance(p, Tensor) else p for p in params)
    grad_x = (grad32 * D.xielu(x32, a_p, a_n, b, e)).to(x.dtype)
    positive, negative, above = x32.clamp(min=0.0), x32.clamp(max=0.0), x32 > 0
    exponent = torch.where(negative <= e, negative, e)
    partials = (
        lambda: torch.where(above, positive * positive, 0.0),
        lambda: torch.where(above, 0.0, N.expm1(exponent) - negative),
        lambda: x32,
        lambda: torch.where(above | (negative <= e), 0.0, a_n * torch.exp(exponent)),
    )
    grads = [None if not want else
             (grad32 * partial()).sum_to_size(p.shape).to(p.dtype)  # type: ignore[union-attr]
             for partial, p, want in zip(partials, params, wanted, strict=True)]
    return (grad_x, *grads)
