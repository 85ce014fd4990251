r"""Analytic first derivatives of every activation.

Each function takes the same arguments as its activation in :mod:`actbook.functional` and
returns :math:`f'(x)` elementwise. Kinks follow the conventions of :mod:`actbook.functional`
(the derivative of the outer piece). At ``±inf`` and at huge finite inputs each derivative is
its mathematical limit, never the NaN of ``inf * 0``. Softmax returns its Jacobian
:math:`\operatorname{diag}(p) - pp^\top` along ``dim`` (moved last), and each gated unit
returns the pair of partial derivatives
:math:`(\partial/\partial\,\text{gate}, \partial/\partial\,\text{value})`.

Like the activations, the elementwise derivatives reject non-floating tensors and compute
float16/bfloat16 inputs in float32, rounding once. Inside this module ``sigmoid`` and ``tanh``
are the derivatives σ′ and tanh′, written as products of sigmoids so that no ``1 − σ`` or
``1 − tanh²`` cancels in the tails. The tests compare every derivative against autograd and
against 50-digit references.
"""

from __future__ import annotations

import torch
from torch import Tensor

from actbook import _numerics as N
from actbook import functional as F
from actbook._checks import check_pair, elementwise, upcast


def _pdf(x: Tensor) -> Tensor:
    """Standard normal density φ(x)."""
    return N.INV_SQRT_2PI * torch.exp(-0.5 * x * x)


@elementwise
def step(x: Tensor, threshold: float = 0.0) -> Tensor:
    """0 everywhere (undefined at the threshold, where autograd also returns 0).

    Args:
        x: the input, a floating-point tensor.
        threshold: θ, the input at which the step jumps. Default: 0.0.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return torch.zeros_like(x)


@elementwise
def sigmoid(x: Tensor) -> Tensor:
    """σ′ = σ(1 − σ) = σ(x)σ(−x), at most 1/4 (at x = 0).

    The product form keeps full relative precision for x ≫ 0, where 1 − σ(x) cancels.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return F.sigmoid(x) * F.sigmoid(-x)


@elementwise
def tanh(x: Tensor) -> Tensor:
    """tanh′ = 1 − tanh² = 4σ(2x)σ(−2x), at most 1 (at x = 0), without cancellation.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return 4 * sigmoid(2 * x)


def softmax(
    x: Tensor, dim: int = -1, temperature: float = 1.0, *, dtype: torch.dtype | None = None
) -> Tensor:
    """Jacobian ∂p_i/∂x_j = (diag(p) − ppᵀ)/T along ``dim``, shape ``(..., n, n)``.

    Args:
        x: the input, a floating-point tensor.
        dim: the dimension softmax normalises along. Default: -1.
        temperature: T > 0. Default: 1.0.
        dtype: as :func:`actbook.functional.softmax`; the Jacobian has this dtype. Default:
            ``None``.

    Returns:
        The Jacobian, of the shape of ``x`` with ``dim`` moved last and one more dimension of
        the same size appended, and of the dtype of ``x``.
    """
    p = F.softmax(x, dim=dim, temperature=temperature, dtype=dtype).movedim(dim, -1)
    return (torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)) / temperature


def solu(x: Tensor, dim: int = -1) -> Tensor:
    """Jacobian ∂y_i/∂x_j = δ_ij p_i + x_i p_i (δ_ij − p_j) of y = x·p, p = softmax(x), along
    ``dim``, shape ``(..., n, n)``.

    Args:
        x: the input, a floating-point tensor.
        dim: the dimension of the softmax. Default: -1.

    Returns:
        The Jacobian, of the shape of ``x`` with ``dim`` moved last and one more dimension of
        the same size appended, and of the dtype of ``x``.
    """
    p = F.softmax(x, dim=dim).movedim(dim, -1)
    xp = x.movedim(dim, -1) * p
    return torch.diag_embed(p + xp) - xp.unsqueeze(-1) * p.unsqueeze(-2)


def gaussian_topk(
    x: Tensor, dim: int = -1, sparsity: float = F.GAUSSIAN_TOPK_SPARSITY
) -> Tensor:
    r"""Jacobian of the Gaussian top-k, :math:`\partial y_i/\partial x_j = h'(z_i)\,(\delta_{ij}
    - 1/n - k (x_j - \mu)/(n\sigma))` with :math:`z = x - \mu - k\sigma`,
    :math:`k = \Phi^{-1}(s)` and :math:`h' = \mathrm{GELU_{tanh}}'\cdot\mathbb{1}[z > 0]`,
    along ``dim``, shape ``(..., n, n)``.

    A constant row (σ = 0) has every z = 0 and so a zero Jacobian; autograd gives NaN there.

    Args:
        x: the input, a floating-point tensor.
        dim: the dimension of the statistics. Default: -1.
        sparsity: the target share s of zeros. Default: 0.95.

    Returns:
        The Jacobian, of the shape of ``x`` with ``dim`` moved last and one more dimension of
        the same size appended, and of the dtype of ``x``.
    """
    z = x.movedim(dim, -1)
    n = z.shape[-1]
    if sparsity == 0.0:
        return torch.diag_embed(gelu_tanh(z))
    k = F.gaussian_quantile(sparsity)
    mean = z.mean(-1, keepdim=True)
    std = z.std(-1, keepdim=True, correction=0)
    shifted = z - mean - k * std
    slope = gelu_tanh(shifted) * (shifted > 0)
    spread = torch.where(std > 0, (z - mean) / (n * std), 0.0)
    through_statistics = -1.0 / n - k * spread
    return torch.diag_embed(slope) + slope.unsqueeze(-1) * through_statistics.unsqueeze(-2)


def polynorm(
    x: Tensor,
    dim: int = -1,
    weight: tuple[float, float, float] | Tensor = F.POLYNORM_WEIGHT,
    bias: float | Tensor = 0.0,
    eps: float = F.POLYNORM_EPS,
) -> Tensor:
    r"""Jacobian of PolyNorm, :math:`\sum_p w_p\,p\,x_j^{p-1}(\delta_{ij} r_p^{-1/2}
    - u_i u_j r_p^{-3/2}/n)` with :math:`u = x^p`, :math:`r_p = \mathrm{mean}(u^2) + \epsilon`
    and :math:`w_p` the weight of :math:`N(x^p)`, along ``dim``, shape ``(..., n, n)``.

    Args:
        x: the input, a floating-point tensor.
        dim: the dimension of the normalisation. Default: -1.
        weight: (w₀, w₁, w₂), the weights of N(x³), N(x²) and N(x). Default: 1/3 each.
        bias: the constant b (it has no derivative). Default: 0.0.
        eps: ε inside the root. Default: 1e-6.

    Returns:
        The Jacobian, of the shape of ``x`` with ``dim`` moved last and one more dimension of
        the same size appended, and of the dtype of ``x``.
    """
    z = x.movedim(dim, -1)
    n = z.shape[-1]
    jacobian = torch.zeros(*z.shape, n, dtype=z.dtype)
    for w, p in zip(weight, (3, 2, 1), strict=True):
        u = z**p
        inverse_root = torch.rsqrt(u.square().mean(-1, keepdim=True) + eps)
        inner = p * z ** (p - 1)
        block = (torch.diag_embed(inverse_root.expand_as(u))
                 - u.unsqueeze(-1) * u.unsqueeze(-2) * (inverse_root**3 / n).unsqueeze(-1))
        scale = w.to(z.dtype) if isinstance(w, Tensor) else w
        jacobian = jacobian + scale * block * inner.unsqueeze(-2)
    return jacobian


@elementwise
def relu(x: Tensor) -> Tensor:
    """1 for x > 0, else 0.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return (x > 0).to(x.dtype)


@elementwise
def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """1 for x > 0, else the slope.

    Args:
        x: the input, a floating-point tensor.
        negative_slope: the slope for x ≤ 0. Default: 0.01.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


@elementwise
def prelu(x: Tensor, weight: Tensor | float = 0.25) -> Tensor:
    """1 for x > 0, else the (per-channel) slope.

    Args:
        x: the input, a floating-point tensor.
        weight: one slope, or one per channel (dimension 1, or 0 for a 1-D input).
            Default: 0.25.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    slope = -F.prelu(-torch.ones_like(x), weight)
    return torch.where(x > 0, 1.0, slope)


@elementwise
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """1 for x > 0, else αeˣ.

    Args:
        x: the input, a floating-point tensor.
        alpha: α, the scale of the negative side. Default: 1.0.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return torch.where(x > 0, 1.0, alpha * torch.exp(x.clamp(max=0)))


@elementwise
def selu(x: Tensor) -> Tensor:
    """λ for x > 0, else λαeˣ.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return F.SELU_SCALE * elu(x, F.SELU_ALPHA)


@elementwise
def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Φ(x) + xφ(x); xφ(x) → 0 as x → ±inf. ``approximate="tanh"``: :func:`gelu_tanh`.

    Args:
        x: the input, a floating-point tensor.
        approximate: ``"none"`` or ``"tanh"``, as :func:`actbook.functional.gelu`.
            Default: ``"none"``.

    Returns:
        f'(x), of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``approximate`` is neither ``"none"`` nor ``"tanh"``.
    """
    if approximate == "tanh":
        return gelu_tanh(x)
    if approximate != "none":
        raise ValueError(
            f"actbook.derivatives.gelu: approximate must be 'none' or 'tanh', got {approximate!r}"
        )
    return torch.where(torch.isinf(x), N.normal_cdf(x), N.normal_cdf(x) + x * _pdf(x))


@elementwise
def gelu_tanh(x: Tensor) -> Tensor:
    """d/dx [x σ(2u)] = σ(2u) + 2x σ′(2u) u′, u = √(2/π)(x + 0.044715x³).

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    # Beyond the clamp σ(2u) is exactly 0 or 1, as in actbook.functional.gelu_tanh; clamping
    # keeps x³ finite, so huge and infinite inputs give the limits 0 and 1, not inf * 0.
    c = x.clamp(-N.TAIL, N.TAIL)
    k = N.SQRT_2_OVER_PI
    u = k * (c + F.GELU_TANH_COEFF * c**3)
    du = k * (1 + 3 * F.GELU_TANH_COEFF * c**2)
    return F.sigmoid(2 * u) + 2 * c * sigmoid(2 * u) * du


def _swish(x: Tensor, beta: float) -> Tensor:
    """σ(βx) + βxσ′(βx); the second term → 0 as x → ±inf (β ≠ 0)."""
    s = F.sigmoid(beta * x)
    return torch.where(torch.isinf(x), s, s + beta * x * sigmoid(beta * x))


@elementwise
def gelu_sigmoid(x: Tensor) -> Tensor:
    """σ(kx) + kxσ′(kx), k = 1.702.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return _swish(x, F.GELU_SIGMOID_COEFF)


@elementwise
def silu(x: Tensor) -> Tensor:
    """σ(x) + xσ′(x) = σ(x)(1 + x(1 − σ(x))).

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return _swish(x, 1.0)


@elementwise
def swish(x: Tensor, beta: float = 1.0) -> Tensor:
    """σ(βx) + βxσ′(βx).

    Args:
        x: the input, a floating-point tensor.
        beta: β. Default: 1.0.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return _swish(x, beta)


@elementwise
def mish(x: Tensor) -> Tensor:
    """tanh(sp(x)) + x σ(x) tanh′(sp(x)), sp = softplus; the second term → 0 at ±inf.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    sp = F.softplus(x)
    t = torch.tanh(sp)
    return torch.where(torch.isinf(x), t, t + x * F.sigmoid(x) * tanh(sp))


@elementwise
def softplus(x: Tensor, beta: float = 1.0, threshold: float | None = None) -> Tensor:
    """σ(βx); 1 where βx > ``threshold`` when it is given.

    Args:
        x: the input, a floating-point tensor.
        beta: β. Default: 1.0.
        threshold: as :func:`actbook.functional.softplus`. Default: ``None``.

    Returns:
        f'(x), of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``beta`` is not positive, as :func:`actbook.functional.softplus`.
    """
    if not beta > 0:
        raise ValueError(f"actbook.derivatives.softplus: beta must be positive, got {beta}")
    slope = F.sigmoid(beta * x)
    return slope if threshold is None else torch.where(beta * x > threshold, 1.0, slope)


@elementwise
def hardsigmoid(x: Tensor) -> Tensor:
    """1/6 on (−3, 3), else 0.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return ((x > -3) & (x < 3)).to(x.dtype) / 6


@elementwise
def hardswish(x: Tensor) -> Tensor:
    """(2x + 3)/6 on (−3, 3), 0 for x ≤ −3, 1 for x ≥ 3.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return torch.where(x <= -3, 0.0, torch.where(x >= 3, 1.0, (2 * x + 3) / 6)).to(x.dtype)


@elementwise
def relu6(x: Tensor) -> Tensor:
    """1 on (0, 6), else 0.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return ((x > 0) & (x < 6)).to(x.dtype)


@elementwise
def squared_relu(x: Tensor) -> Tensor:
    """2 max(0, x).

    Args:
        x: the input, a floating-point tensor.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return 2 * torch.relu(x)


@elementwise
def star_relu(
    x: Tensor, scale: float = F.STAR_RELU_SCALE, bias: float = F.STAR_RELU_BIAS
) -> Tensor:
    """2s max(0, x).

    Args:
        x: the input, a floating-point tensor.
        scale: s. Default: 2/√5.
        bias: b (it does not enter the derivative). Default: −1/√5.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return 2 * scale * torch.relu(x)


@elementwise
def xielu(
    x: Tensor,
    alpha_p: float | Tensor = F.XIELU_ALPHA_P,
    alpha_n: float | Tensor = F.XIELU_ALPHA_N,
    beta: float | Tensor = F.XIELU_BETA,
    eps: float | Tensor = F.XIELU_EPS,
) -> Tensor:
    """2α_p x + β for x > 0; α_n eˣ + β − α_n for x ≤ ε; β − α_n on (ε, 0].

    Args:
        x: the input, a floating-point tensor.
        alpha_p: α_p, the curvature of the positive side. Default: 0.8.
        alpha_n: α_n, the scale of the negative side. Default: 0.8.
        beta: β, the slope at 0. Default: 0.5.
        eps: ε ≤ 0, the cut-off of the exponential. Default: −10⁻⁶.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    a_p, a_n, b, e = (p.to(x.dtype) if isinstance(p, Tensor) else p
                      for p in (alpha_p, alpha_n, beta, eps))
    exponential = torch.where(x <= e, a_n * torch.exp(x.clamp(max=e)), 0.0)
    return torch.where(x > 0, 2 * a_p * x.clamp(min=0.0) + b, exponential + (b - a_n))


@elementwise
def polyrelu(
    x: Tensor,
    weight: tuple[float, float, float] | Tensor = F.POLYRELU_WEIGHT,
    bias: float | Tensor = 0.0,
) -> Tensor:
    """w₁ + 2w₂r + 3w₃r² for x > 0 (r = x), else 0.

    Args:
        x: the input, a floating-point tensor.
        weight: (w₁, w₂, w₃). Default: 1/3 each.
        bias: b (it does not enter the derivative). Default: 0.0.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    w1, w2, w3 = (w.to(x.dtype) if isinstance(w, Tensor) else w for w in weight)
    r = torch.relu(x)
    return torch.where(x > 0, w1 + r * (2 * w2 + 3 * w3 * r), 0.0)


@elementwise
def fatrelu(x: Tensor, threshold: float = F.FATRELU_THRESHOLD) -> Tensor:
    """1 for x > t, else 0 (the jump at t is left out, as autograd leaves it out).

    Args:
        x: the input, a floating-point tensor.
        threshold: t ≥ 0. Default: 0.125.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return (x > threshold).to(x.dtype)


@elementwise
def softcap(x: Tensor, cap: float = F.SOFTCAP_CAP) -> Tensor:
    """tanh′(x/c) = 1 − tanh²(x/c), at most 1 (at x = 0).

    Args:
        x: the input, a floating-point tensor.
        cap: c > 0. Default: 30.0.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    return tanh(x / cap)


@elementwise
def dyt(x: Tensor, alpha: float | Tensor = F.DYT_ALPHA) -> Tensor:
    """α·tanh′(αx), at most α (at x = 0).

    Args:
        x: the input, a floating-point tensor.
        alpha: α. Default: 0.5.

    Returns:
        f'(x), of the shape and dtype of ``x``.
    """
    a = alpha.to(x.dtype) if isinstance(alpha, Tensor) else alpha
    return a * tanh(a * x)


def _partials(name: str, gate: Tensor, value: Tensor, **params: object) -> tuple[Tensor, Tensor]:
    """The partial derivatives of gated unit ``name``, read from its
    :class:`~actbook.registry.GatedForm`."""
    from actbook.registry import gated_form  # the registry imports this module

    check_pair(gate, value, name)
    pair = gated_form(name, **params).partials(upcast(gate), upcast(value))
    return pair[0].to(gate.dtype), pair[1].to(value.dtype)


def glu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(σ′(gate)·value, σ(gate)).

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("glu", gate, value)


def reglu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(1[gate > 0]·value, max(0, gate)).

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("reglu", gate, value)


def geglu(gate: Tensor, value: Tensor, approximate: str = "none") -> tuple[Tensor, Tensor]:
    """(GELU′(gate)·value, GELU(gate)), exact or tanh form.

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.
        approximate: ``"none"`` for the exact GELU, ``"tanh"`` for its tanh approximation.
            Default: ``"none"``.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("geglu", gate, value, approximate=approximate)


def swiglu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(SiLU′(gate)·value, SiLU(gate)).

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("swiglu", gate, value)


def bilinear(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(value, gate).

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("bilinear", gate, value)


def drelu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(1[gate > 0]·max(0, value), max(0, gate)·1[value > 0]).

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    return _partials("drelu", gate, value)


def clamped_swiglu(
    gate: Tensor,
    value: Tensor,
    limit: float = F.CLAMPED_SWIGLU_LIMIT,
    offset: float = F.CLAMPED_SWIGLU_OFFSET,
    alpha: float = F.GELU_SIGMOID_COEFF,
    clamp: F.ClampAt = "input",
) -> tuple[Tensor, Tensor]:
    """(a′(g′)·(v′ + c)·1[g ≤ L], a(g′)·1[−L ≤ v ≤ L]) with a(x) = x·σ(αx), g′ = min(g, L),
    v′ = clamp(v, −L, L); with ``clamp="output"`` the gate factor is
    a′(g)·1[a(g) ≤ L] instead. A clamp passes the gradient on its closed interval, as
    :func:`torch.clamp` does.

    Args:
        gate: the gate, a floating-point tensor.
        value: the value, of the gate's shape and dtype.
        limit: the clamp bound L. Default: 7.0.
        offset: the constant c added to the clamped value. Default: 1.0.
        alpha: the sigmoid's slope, 1.702 or 1.0. Default: 1.702.
        clamp: ``"input"`` or ``"output"``. Default: ``"input"``.

    Returns:
        The pair ``(df/dgate, df/dvalue)``, each of the shape and dtype of ``gate``.
    """
    from actbook.registry import clamped_swiglu_form  # the registry imports this module

    check_pair(gate, value, "clamped_swiglu")
    form = clamped_swiglu_form(limit, offset, alpha, clamp)
    pair = form.partials(upcast(gate), upcast(value))
    return pair[0].to(gate.dtype), pair[1].to(value.dtype)
