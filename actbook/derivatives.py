r"""Analytic first derivatives of every activation.

Each function takes the same arguments as its activation in :mod:`actbook.functional` and
returns :math:`f'(x)` elementwise. Kinks follow the conventions of :mod:`actbook.functional`
(the derivative of the outer piece). Softmax returns its Jacobian
:math:`\operatorname{diag}(p) - pp^\top` along the last dimension, and each gated unit returns
the pair of partial derivatives :math:`(\partial/\partial\,\text{gate}, \partial/\partial\,\text{value})`.
The tests compare every one against autograd.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from actbook import functional as F

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _pdf(x: Tensor) -> Tensor:
    """Standard normal density φ(x)."""
    return _INV_SQRT_2PI * torch.exp(-0.5 * x * x)


def _cdf(x: Tensor) -> Tensor:
    """Standard normal distribution function Φ(x) = erfc(−x/√2)/2."""
    return 0.5 * torch.erfc(-x / math.sqrt(2.0))


def step(x: Tensor, threshold: float = 0.0) -> Tensor:
    """0 everywhere (undefined at the threshold, where autograd also returns 0)."""
    return torch.zeros_like(x)


def sigmoid(x: Tensor) -> Tensor:
    """σ′ = σ(1 − σ), at most 1/4 (at x = 0)."""
    s = F.sigmoid(x)
    return s * (1 - s)


def tanh(x: Tensor) -> Tensor:
    """tanh′ = 1 − tanh², at most 1 (at x = 0)."""
    return 1 - torch.tanh(x) ** 2


def softmax(x: Tensor, dim: int = -1, temperature: float = 1.0) -> Tensor:
    """Jacobian ∂p_i/∂x_j = (diag(p) − ppᵀ)/T along ``dim``, shape ``(..., n, n)``."""
    p = F.softmax(x, dim=dim, temperature=temperature).movedim(dim, -1)
    return (torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)) / temperature


def relu(x: Tensor) -> Tensor:
    """1 for x > 0, else 0."""
    return (x > 0).to(x.dtype)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """1 for x > 0, else the slope."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def prelu(x: Tensor, weight: Tensor | float = 0.25) -> Tensor:
    """1 for x > 0, else the (per-channel) slope."""
    slope = -F.prelu(-torch.ones_like(x), weight)
    return torch.where(x > 0, 1.0, slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """1 for x > 0, else αeˣ."""
    return torch.where(x > 0, 1.0, alpha * torch.exp(x.clamp(max=0)))


def selu(x: Tensor) -> Tensor:
    """λ for x > 0, else λαeˣ."""
    return F.SELU_SCALE * elu(x, F.SELU_ALPHA)


def gelu(x: Tensor) -> Tensor:
    """Φ(x) + xφ(x)."""
    return _cdf(x) + x * _pdf(x)


def gelu_tanh(x: Tensor) -> Tensor:
    """d/dx [x σ(2u)] = σ(2u) + 2x σ(2u)(1 − σ(2u)) u′, u = √(2/π)(x + 0.044715x³)."""
    k = math.sqrt(2.0 / math.pi)
    u = k * (x + F.GELU_TANH_COEFF * x**3)
    du = k * (1 + 3 * F.GELU_TANH_COEFF * x**2)
    s = F.sigmoid(2 * u)
    return s + 2 * x * s * (1 - s) * du


def _swish(x: Tensor, beta: float) -> Tensor:
    s = F.sigmoid(beta * x)
    return s + beta * x * s * (1 - s)


def gelu_sigmoid(x: Tensor) -> Tensor:
    """σ(kx) + kxσ(kx)(1 − σ(kx)), k = 1.702."""
    return _swish(x, F.GELU_SIGMOID_COEFF)


def silu(x: Tensor) -> Tensor:
    """σ(x)(1 + x(1 − σ(x)))."""
    return _swish(x, 1.0)


def swish(x: Tensor, beta: float = 1.0) -> Tensor:
    """σ(βx) + βxσ(βx)(1 − σ(βx))."""
    return _swish(x, beta)


def mish(x: Tensor) -> Tensor:
    """tanh(sp(x)) + x σ(x) (1 − tanh²(sp(x))), sp = softplus."""
    t = torch.tanh(F.softplus(x))
    return t + x * F.sigmoid(x) * (1 - t * t)


def softplus(x: Tensor, beta: float = 1.0) -> Tensor:
    """σ(βx)."""
    return F.sigmoid(beta * x)


def hardsigmoid(x: Tensor) -> Tensor:
    """1/6 on (−3, 3), else 0."""
    return ((x > -3) & (x < 3)).to(x.dtype) / 6


def hardswish(x: Tensor) -> Tensor:
    """(2x + 3)/6 on (−3, 3), 0 for x ≤ −3, 1 for x ≥ 3."""
    return torch.where(x <= -3, 0.0, torch.where(x >= 3, 1.0, (2 * x + 3) / 6)).to(x.dtype)


def relu6(x: Tensor) -> Tensor:
    """1 on (0, 6), else 0."""
    return ((x > 0) & (x < 6)).to(x.dtype)


def squared_relu(x: Tensor) -> Tensor:
    """2 max(0, x)."""
    return 2 * torch.relu(x)


def star_relu(
    x: Tensor, scale: float = F.STAR_RELU_SCALE, bias: float = F.STAR_RELU_BIAS
) -> Tensor:
    """2s max(0, x)."""
    return 2 * scale * torch.relu(x)


def glu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(σ′(gate)·value, σ(gate))."""
    return sigmoid(gate) * value, F.sigmoid(gate)


def reglu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(1[gate > 0]·value, max(0, gate))."""
    return relu(gate) * value, torch.relu(gate)


def geglu(gate: Tensor, value: Tensor, approximate: str = "none") -> tuple[Tensor, Tensor]:
    """(GELU′(gate)·value, GELU(gate)), exact or tanh form."""
    if approximate == "tanh":
        return gelu_tanh(gate) * value, F.gelu_tanh(gate)
    return gelu(gate) * value, F.gelu(gate)


def swiglu(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(SiLU′(gate)·value, SiLU(gate))."""
    return silu(gate) * value, F.silu(gate)


def bilinear(gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """(value, gate)."""
    return value, gate
