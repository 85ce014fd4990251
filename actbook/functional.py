r"""Every activation of the book as a function on tensors.

One function per activation, named as in the registry (:func:`actbook.names`). Elementwise
activations take ``(x, *parameters)``; gated units take the gate and the value explicitly,
``swiglu(gate, value) = silu(gate) * value``, and :func:`split_gated` splits one packed tensor.

Conventions, the same for every function:

* Parameters and defaults follow :mod:`torch.nn.functional` where PyTorch has the function,
  with two deliberate exceptions: softplus switches to the identity only when ``threshold`` is
  given (its formula is accurate everywhere), and softmax needs ``dim``. The gated units take
  ``(gate, value)``; :func:`glu` also takes PyTorch's packed ``glu(input, dim=-1)``.
* Every elementwise function takes PyTorch's ``inplace`` as its last argument: the result is
  written into ``x`` and ``x`` is returned (computed out of place, so no memory is saved).
* Formulas are chosen to be free of cancellation and overflow: ``expm1`` for ELU/SELU
  (differentiated as ``exp``),
  ``erfc`` for the exact GELU, ``x·σ(2u)`` instead of ``x·(1 + tanh u)/2`` for the tanh GELU,
  and a sigmoid whose ``exp`` never overflows (``e^x/(1 + e^x)`` below x = −80).
* float16 and bfloat16 inputs are computed in float32 and rounded once.
* Special values follow the mathematical limits: ``f(-inf) = 0`` for SiLU, Swish (β > 0),
  GELU (all three forms), Mish and HardSwish; ``f(+inf) = +inf`` for unbounded activations;
  NaN propagates (also through ``step``). PyTorch 2.13 returns NaN at ``-inf`` for several of
  these; actbook does not.
* At a kink the derivative is the one-sided derivative of the outer piece: ``relu'(0) = 0``,
  ``relu6'(6) = 0``, ``hardsigmoid'(±3) = 0``, ``hardswish'(-3) = 0``, ``hardswish'(3) = 1``.
  ``leaky_relu'(0)`` and ``elu'(0)`` take the negative piece, as PyTorch does.
* Integer, boolean and complex tensors raise ``TypeError``; gated units with gate and value of
  different shapes raise ``ValueError`` (they never broadcast).
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Literal

import torch
from torch import Tensor

from actbook import _numerics as N
from actbook._checks import (
    Layout,
    activation,
    check_dim,
    check_floating,
    check_layout,
    check_pair,
    gated,
    upcast,
)

__all__ = [
    "step",
    "sigmoid",
    "tanh",
    "softmax",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "selu",
    "gelu",
    "gelu_tanh",
    "gelu_sigmoid",
    "silu",
    "swish",
    "mish",
    "softplus",
    "hardsigmoid",
    "hardswish",
    "relu6",
    "squared_relu",
    "star_relu",
    "xielu",
    "polyrelu",
    "fatrelu",
    "softcap",
    "dyt",
    "solu",
    "gaussian_topk",
    "polynorm",
    "glu",
    "reglu",
    "geglu",
    "swiglu",
    "bilinear",
    "drelu",
    "clamped_swiglu",
    "split_gated",
    "pack_gated",
    "SELU_ALPHA",
    "SELU_SCALE",
    "GELU_TANH_COEFF",
    "GELU_SIGMOID_COEFF",
    "STAR_RELU_SCALE",
    "STAR_RELU_BIAS",
    "XIELU_ALPHA_P",
    "XIELU_ALPHA_N",
    "XIELU_BETA",
    "XIELU_EPS",
    "POLYRELU_WEIGHT",
    "FATRELU_THRESHOLD",
    "SOFTCAP_CAP",
    "DYT_ALPHA",
    "GAUSSIAN_TOPK_SPARSITY",
    "POLYNORM_WEIGHT",
    "POLYNORM_EPS",
    "CLAMPED_SWIGLU_LIMIT",
    "CLAMPED_SWIGLU_OFFSET",
    "SWIGLU_STEP",
    "ClampAt",
    "clamped_swiglu_gate",
]

#: SELU's α; with λ, the fixed point of mean 0 and variance 1 (Klambauer et al. 2017).
SELU_ALPHA = 1.6732632423543772848170429916717
#: SELU's λ (Klambauer et al. 2017).
SELU_SCALE = 1.0507009873554804934193349852946
#: The cubic coefficient of the tanh approximation of Φ (Hendrycks & Gimpel 2016).
GELU_TANH_COEFF = 0.044715
#: The slope of the sigmoid approximation Φ(x) ≈ σ(1.702x) (Hendrycks & Gimpel 2016).
GELU_SIGMOID_COEFF = 1.702
#: StarReLU's s, 2/√5; with b, s·ReLU(x)² + b has mean 0 and variance 1 for x ~ N(0, 1), since
#: E[ReLU(x)²] = 1/2 and Var[ReLU(x)²] = 5/4 (Yu et al. 2022).
STAR_RELU_SCALE = 2.0 / math.sqrt(5.0)
#: StarReLU's b, −1/√5 (Yu et al. 2022).
STAR_RELU_BIAS = -1.0 / math.sqrt(5.0)
#: xIELU's initial α_p; this and the three below are the values of the released code of
#: Apertus (Huang & Schlag 2024; Hugging Face's ``XIELUActivation``).
XIELU_ALPHA_P = 0.8
#: xIELU's initial α_n.
XIELU_ALPHA_N = 0.8
#: xIELU's β, fixed.
XIELU_BETA = 0.5
#: xIELU's ε, the fixed cut-off of the exponential.
XIELU_EPS = -1e-6
#: PolyReLU's initial coefficients of ReLU(x), ReLU(x)² and ReLU(x)³, 1/3 each, as PolyCom
#: initialises PolyNorm's (Zhuo et al. 2025); the constant term starts at 0.
POLYRELU_WEIGHT = (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0)
#: Gemma 3n's ``activation_sparsity`` in its first ten layers: the share of a row the
#: Gaussian top-k cuts off if the row is Gaussian (its later layers use 0, no cut).
GAUSSIAN_TOPK_SPARSITY = 0.95
#: PolyNorm's initial weights (w₀, w₁, w₂) of norm(x³), norm(x²) and norm(x), 1/3 each, as
#: PolyCom initialises them (Zhuo et al. 2025).
POLYNORM_WEIGHT = (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0)
#: PolyNorm's ε inside the root mean square, PolyCom's default.
POLYNORM_EPS = 1e-6
#: FATReLU's threshold at actbook's default, an example, exact in every float format (so that
#: float16 and float64 inputs are cut at the same point): ProSparse tunes it per model (Song et
#: al. 2024), and vLLM reads it from a MiniCPM configuration's ``hidden_act_param``.
FATRELU_THRESHOLD = 0.125
#: The cap of Gemma 2's final-logit soft-capping (``final_logit_softcapping = 30.0``; its
#: attention logits are capped at 50).
SOFTCAP_CAP = 30.0
#: DyT's initial α, the paper's default α₀ = 0.5 (Zhu et al. 2025).
DYT_ALPHA = 0.5
#: gpt-oss's ``swiglu_limit``: the gate is clamped above at 7, the value to ±7 (OpenAI 2025).
CLAMPED_SWIGLU_LIMIT = 7.0
#: gpt-oss's constant 1 added to the clamped value.
CLAMPED_SWIGLU_OFFSET = 1.0
#: Where a bounded SwiGLU clamps its gate: before the gate function or on its output.
ClampAt = Literal["input", "output"]
#: The clamp-after-SiLU form (vLLM's ``SwigluStepAndMul``, used by Step-3.5):
#: ``min(silu(g), L) * clamp(v, -L, L)``, as parameters of :func:`clamped_swiglu`.
SWIGLU_STEP = MappingProxyType({"alpha": 1.0, "offset": 0.0, "clamp": "output"})

def _gelu_tanh(x: Tensor) -> Tensor:
    u = N.SQRT_2_OVER_PI * (x + GELU_TANH_COEFF * x * x * x)
    return x * N.sigmoid(2.0 * u)


@activation
def step(x: Tensor, threshold: float = 0.0, inplace: bool = False) -> Tensor:
    r"""Heaviside step (threshold unit): :math:`1` if :math:`x \ge \theta`, else :math:`0`.

    The McCulloch–Pitts unit (McCulloch & Pitts 1943) and Rosenblatt's perceptron (1958).
    Its derivative is 0 everywhere except at the threshold, where it does not exist; autograd
    returns 0 everywhere, which is why gradient descent cannot train it. NaN stays NaN.

    Args:
        x: the input, a floating-point tensor of any shape.
        threshold: the threshold θ, the smallest input that gives 1. Default: 0.0.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        1 where ``x`` ≥ ``threshold``, 0 elsewhere and NaN where ``x`` is NaN, of the shape and
        dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> step(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 1., 1.])
        >>> step(torch.tensor([-1.0, 0.0, 2.0]), threshold=1.0)
        tensor([0., 0., 1.])
    """
    return N.Step.apply(x, threshold)


@activation
def sigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Evaluated as :math:`e^x/(1+e^x)` for x < −80, so ``exp`` never overflows; the gradient is
    computed as :math:`\sigma(x)\sigma(-x)`, which, unlike PyTorch's :math:`\sigma(1-\sigma)`,
    keeps its digits for large x. Popularised for neural networks by Rumelhart, Hinton and
    Williams (1986).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        σ(x), in [0, 1], of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> sigmoid(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """
    return N.sigmoid(x)


@activation
def tanh(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Hyperbolic tangent :math:`\tanh x = 2\sigma(2x) - 1`, zero-centred (LeCun et al. 1998).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        tanh(x), in [−1, 1], of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> tanh(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.7616,  0.0000,  0.9640])
    """
    return torch.tanh(x)


def softmax(
    x: Tensor,
    dim: int | None = None,
    temperature: float = 1.0,
    *,
    dtype: torch.dtype | None = None,
) -> Tensor:
    r"""Softmax along ``dim``: :math:`p_i = e^{x_i/T} / \sum_j e^{x_j/T}` (Bridle 1990).

    The maximum along ``dim`` is subtracted before ``exp`` (softmax is invariant to adding a
    constant), so no input overflows. ``dim`` is required: PyTorch's implicit choice of
    dimension is deprecated because it silently normalises the wrong axis.

    Args:
        x: the input, a floating-point tensor of any shape.
        dim: the dimension along which the output sums to 1. Required: the default ``None``
            raises ``TypeError``.
        temperature: the temperature T > 0; T > 1 flattens the distribution, T < 1 sharpens it.
            Default: 1.0.
        dtype: cast ``x`` to this floating dtype first, as :func:`torch.nn.functional.softmax`
            does (``dtype=torch.float32`` for attention scores in half precision); ``None``
            keeps the dtype of ``x``. Default: ``None``.

    Returns:
        The probabilities, non-negative and summing to 1 along ``dim``, of the shape of ``x``
        and its dtype (or ``dtype``). A dimension ``dim`` of size 0 gives an empty result.

    Raises:
        TypeError: if ``dim`` is not given, or ``x`` is not a floating-point tensor.
        ValueError: if ``temperature`` is not positive.

    Examples::

        >>> softmax(torch.tensor([1.0, 2.0, 3.0]), dim=-1)
        tensor([0.0900, 0.2447, 0.6652])
        >>> softmax(torch.tensor([1.0, 2.0, 3.0]), dim=-1, temperature=2.0)
        tensor([0.1863, 0.3072, 0.5065])
    """
    check_floating(x, "softmax")
    check_dim(dim, "softmax")
    if not temperature > 0:
        raise ValueError(f"actbook.softmax: temperature must be positive, got {temperature}")
    if dtype is not None:
        x = check_floating(x.to(dtype), "softmax", f"input cast to {dtype}")
    if x.numel() == 0:
        return x.clone()  # torch.softmax's result; amax has no identity to reduce an empty row
    z = upcast(x)
    z = z / temperature
    e = torch.exp(z - z.amax(dim=dim, keepdim=True).detach())
    return (e / e.sum(dim=dim, keepdim=True)).to(x.dtype)


@activation
def relu(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit :math:`\max(0, x)` (Nair & Hinton 2010; Glorot et al. 2011).

    ``relu'(0) = 0``, as in PyTorch.

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        max(0, x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> relu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    return torch.relu(x)


@activation
def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU: :math:`x` for x > 0, :math:`a x` otherwise (Maas et al. 2013).

    ``negative_slope`` defaults to PyTorch's and JAX's 0.01; TensorFlow's functions use 0.2 and
    the Keras layer 0.3.

    Args:
        x: the input, a floating-point tensor of any shape.
        negative_slope: the slope a for x < 0. Default: 0.01.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x where x > 0, a·x elsewhere, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> leaky_relu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.0100,  0.0000,  2.0000])
        >>> leaky_relu(torch.tensor([-1.0, 0.0, 2.0]), negative_slope=0.2)
        tensor([-0.2000,  0.0000,  2.0000])
    """
    return torch.where(x > 0, x, x * negative_slope)


@activation
def prelu(x: Tensor, weight: Tensor | float = 0.25, inplace: bool = False) -> Tensor:
    r"""Parametric ReLU: :math:`x` for x > 0, :math:`a_c x` otherwise (He et al. 2015).

    ``weight`` holds one slope, or one per channel; the channel dimension is dimension 1, as in
    :func:`torch.nn.functional.prelu`. For a 1-D input actbook reads dimension 0 as the channel
    dimension, where PyTorch accepts only a single slope.

    Args:
        x: the input, a floating-point tensor of any shape.
        weight: the slope a for x < 0: a float or a one-element tensor for all channels, or a 1-D
            tensor with one slope per channel (the size of dimension 1, or of dimension 0 for a
            1-D input). A tensor may be learnable (see :class:`actbook.nn.PReLU`). Default: 0.25.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x where x > 0, a·x elsewhere, of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``weight`` has more than one element and is not a 1-D tensor with one
            slope per channel of ``x``.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> prelu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2500,  0.0000,  2.0000])
        >>> prelu(torch.tensor([[-1.0, -1.0], [2.0, -2.0]]), torch.tensor([0.1, 0.5]))
        tensor([[-0.1000, -0.5000],
                [ 2.0000, -1.0000]])
    """
    w = N.as_tensor(weight, x)
    if w.numel() == 1:
        w = w.reshape(())
    else:
        channel_dim = 1 if x.dim() >= 2 else 0
        if w.dim() != 1 or x.dim() == 0 or x.shape[channel_dim] != w.numel():
            raise ValueError(
                f"actbook.prelu: weight of shape {tuple(w.shape)} does not match input of shape "
                f"{tuple(x.shape)}; expected one slope or one per channel (dimension "
                f"{channel_dim})"
            )
        w = w.reshape([-1] + [1] * (x.dim() - channel_dim - 1))
    return torch.where(x > 0, x, w * x)


@activation
def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit: :math:`x` for x > 0, :math:`\alpha(e^x - 1)` otherwise.

    Uses ``expm1`` so small negative inputs keep full precision (Clevert et al. 2015).

    Args:
        x: the input, a floating-point tensor of any shape.
        alpha: the scale α of the negative side, whose limit at −∞ is −α. Default: 1.0.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x where x > 0, α(eˣ − 1) elsewhere, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> elu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
        >>> elu(torch.tensor([-1.0, 0.0, 2.0]), alpha=0.5)
        tensor([-0.3161,  0.0000,  2.0000])
    """
    return torch.where(x > 0, x, alpha * N.expm1(x.clamp(max=0)))


@activation
def selu(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Scaled ELU :math:`\lambda\,\mathrm{elu}_\alpha(x)` with the self-normalising α and λ.

    α ≈ 1.6733 and λ ≈ 1.0507 make mean 0 and variance 1 a stable fixed point of a deep
    network with LeCun-normal weights (Klambauer et al. 2017).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        λ·elu_α(x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> selu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-1.1113,  0.0000,  2.1014])
    """
    # x + (λ − 1)x rather than λx: λ rounded to float32 is 3e-8 too large, enough to overflow
    # for the largest finite x although the true λx is finite.
    return torch.where(
        x > 0, x + (SELU_SCALE - 1.0) * x, (SELU_SCALE * SELU_ALPHA) * N.expm1(x.clamp(max=0))
    )


@activation
def gelu(x: Tensor, approximate: str = "none", inplace: bool = False) -> Tensor:
    r"""Exact Gaussian error linear unit :math:`x\,\Phi(x)` (Hendrycks & Gimpel 2016).

    Evaluated as :math:`\tfrac{x}{2}\,\mathrm{erfc}(-x/\sqrt{2})`: unlike
    :math:`\tfrac{x}{2}(1 + \mathrm{erf}(x/\sqrt 2))` it does not cancel to 0 for x < −6.
    ``approximate="tanh"`` gives :func:`gelu_tanh`, as in :func:`torch.nn.functional.gelu`.

    Args:
        x: the input, a floating-point tensor of any shape.
        approximate: ``"none"`` for the exact GELU, ``"tanh"`` for its tanh approximation.
            Default: ``"none"``.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·Φ(x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.
        ValueError: if ``approximate`` is neither ``"none"`` nor ``"tanh"``.

    Examples::

        >>> gelu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1587,  0.0000,  1.9545])
        >>> gelu(torch.tensor([-1.0, 0.0, 2.0]), approximate="tanh")
        tensor([-0.1588,  0.0000,  1.9546])
    """
    if approximate == "tanh":
        return N.linear_tails(_gelu_tanh, x)
    if approximate != "none":
        raise ValueError(f"actbook.gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return N.linear_tails(lambda t: 0.5 * t * torch.erfc(-N.SQRT_HALF * t), x)


@activation
def gelu_tanh(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Tanh approximation of GELU :math:`\tfrac{x}{2}(1 + \tanh u)`,
    :math:`u = \sqrt{2/\pi}\,(x + 0.044715 x^3)` (Hendrycks & Gimpel 2016).

    Evaluated as :math:`x\,\sigma(2u)`, which equals it exactly but has no cancellation in
    :math:`1 + \tanh u` for negative x. Hugging Face calls it ``gelu_new`` and
    ``gelu_pytorch_tanh``; PyTorch ``gelu(x, approximate="tanh")``.

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        the tanh approximation of x·Φ(x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> gelu_tanh(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1588,  0.0000,  1.9546])
    """
    return N.linear_tails(_gelu_tanh, x)


@activation
def gelu_sigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Sigmoid approximation of GELU :math:`x\,\sigma(1.702x)` (Hendrycks & Gimpel 2016).

    Hugging Face's ``quick_gelu`` (used by CLIP).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·σ(1.702x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> gelu_sigmoid(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1542,  0.0000,  1.9357])
    """
    return N.linear_tails(lambda t: t * N.sigmoid(GELU_SIGMOID_COEFF * t), x)


@activation
def silu(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Sigmoid linear unit :math:`x\,\sigma(x)` (Hendrycks & Gimpel 2016; Elfwing et al. 2017).

    Swish with β = 1 (Ramachandran et al. 2017).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·σ(x), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> silu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    return N.linear_tails(lambda t: t * N.sigmoid(t), x)


@activation
def swish(x: Tensor, beta: float | Tensor = 1.0, inplace: bool = False) -> Tensor:
    r"""Swish :math:`x\,\sigma(\beta x)` (Ramachandran et al. 2017).

    β = 1 is SiLU, β → ∞ tends to ReLU, β = 0 is the line x/2. ``beta`` may be a tensor (a
    learnable parameter, see :class:`actbook.nn.Swish`). ``swish(-inf) = 0`` for β > 0, and
    ``swish(+inf) = 0`` for β < 0: the limits, whatever the sign of β.

    Args:
        x: the input, a floating-point tensor of any shape.
        beta: the slope β of the gate, of either sign: a float, or a tensor that broadcasts
            to the shape of ``x``. Default: 1.0.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·σ(βx), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> swish(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
        >>> swish(torch.tensor([-1.0, 0.0, 2.0]), beta=2.0)
        tensor([-0.1192,  0.0000,  1.9640])
    """
    # One formula for every β, a float or a tensor (learnable) of either sign, with tensor
    # operations only, so that no Python branch or host sync breaks a compiled graph: beyond
    # the tails |βx| > TAIL the gate is exactly 1 (f = x) or 0 (f = 0), and the core sees 0
    # there, so that neither the value nor the gradient in x or β can meet inf·0.
    b = beta.to(x.dtype) if isinstance(beta, Tensor) else beta
    t = b * x
    gate_one, gate_zero = t > N.TAIL, t < -N.TAIL
    core = torch.where(gate_one | gate_zero, 0.0, x)
    return torch.where(gate_one, x, core * N.sigmoid(b * core))


@activation
def mish(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Mish :math:`x \tanh(\mathrm{softplus}(x))` (Misra 2019), with a stable softplus.

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·tanh(softplus(x)), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> mish(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.3034,  0.0000,  1.9440])
    """
    return N.linear_tails(lambda t: t * torch.tanh(N.softplus(t)), x)


@activation
def softplus(
    x: Tensor, beta: float = 1.0, threshold: float | None = None, inplace: bool = False
) -> Tensor:
    r"""Softplus :math:`\tfrac{1}{\beta}\log(1 + e^{\beta x})` (Dugas et al. 2001).

    Evaluated as :math:`\mathrm{log1p}(e^{z})` for z = βx ≤ 8 and :math:`z + \mathrm{log1p}
    (e^{-z})` above, which is accurate everywhere. PyTorch switches to the identity above
    βx = ``threshold`` (default 20, an error of up to 2e-9 in float64); actbook does so only
    when ``threshold`` is given, and by default returns the accurate value.

    Args:
        x: the input, a floating-point tensor of any shape.
        beta: the sharpness β > 0; the larger β, the closer softplus is to ReLU. Default: 1.0.
        threshold: return x where βx > ``threshold``, as :func:`torch.nn.functional.softplus`
            does; ``None`` never switches. Default: ``None``.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        log(1 + e^(βx))/β, of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``beta`` is not positive.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> softplus(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.3133, 0.6931, 2.1269])
        >>> softplus(torch.tensor([-1.0, 0.0, 2.0]), beta=2.0)
        tensor([0.0635, 0.3466, 2.0091])
    """
    if not beta > 0:
        raise ValueError(f"actbook.softplus: beta must be positive, got {beta}")
    smooth = N.softplus(beta * x) / beta
    return smooth if threshold is None else torch.where(beta * x > threshold, x, smooth)


@activation
def hardsigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Hard sigmoid :math:`\mathrm{ReLU6}(x + 3)/6` (Howard et al. 2019, MobileNetV3).

    PyTorch's and JAX's definition; Keras 2 used clip(0.2x + 0.5, 0, 1) instead.
    The derivative is 1/6 on (−3, 3) and 0 elsewhere, including at ±3.

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        ReLU6(x + 3)/6, in [0, 1], of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> hardsigmoid(torch.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    m = x.clamp(-3.0, 3.0)
    inner = (m + 3.0) / 6.0
    return torch.where(x <= -3.0, 0.0, torch.where(x >= 3.0, 1.0, inner))


@activation
def hardswish(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Hard swish :math:`x\,\mathrm{ReLU6}(x + 3)/6` (Howard et al. 2019, MobileNetV3).

    ``hardswish'(-3) = 0`` and ``hardswish'(3) = 1`` (the outer pieces, as in PyTorch 2.13;
    PyTorch 2.6 and earlier returned −0.5 and 1.5, pytorch/pytorch#147801), and
    ``hardswish(-inf) = 0`` (PyTorch returns NaN).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x·ReLU6(x + 3)/6, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> hardswish(torch.tensor([-4.0, -1.0, 1.5, 4.0]))
        tensor([ 0.0000, -0.3333,  1.1250,  4.0000])
    """
    m = x.clamp(-3.0, 3.0)
    inner = m * (m + 3.0) / 6.0
    return torch.where(x <= -3.0, torch.zeros_like(x), torch.where(x >= 3.0, x, inner))


@activation
def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    r""":math:`\min(\max(0, x), 6)` (Krizhevsky 2010; MobileNets). Derivative 0 at 0 and 6.

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        min(max(0, x), 6), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> relu6(torch.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return torch.nn.functional.hardtanh(x, 0.0, 6.0)


@activation
def squared_relu(x: Tensor, inplace: bool = False) -> Tensor:
    r"""Squared ReLU :math:`\max(0, x)^2` (So et al. 2021, Primer).

    Args:
        x: the input, a floating-point tensor of any shape.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        max(0, x)², of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> squared_relu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 4.])
    """
    return torch.square(torch.relu(x))


@activation
def star_relu(
    x: Tensor,
    scale: float | Tensor = STAR_RELU_SCALE,
    bias: float | Tensor = STAR_RELU_BIAS,
    inplace: bool = False,
) -> Tensor:
    r"""StarReLU :math:`s\,\mathrm{ReLU}(x)^2 + b` (Yu et al. 2022, MetaFormer baselines).

    The defaults s = 2/√5 ≈ 0.8944 and b = −1/√5 ≈ −0.4472 give output mean 0 and variance 1
    for x ~ N(0, 1). (The paper's released code learns s and b starting from 1 and 0.)

    Args:
        x: the input, a floating-point tensor of any shape.
        scale: the scale s: a float, or a tensor (learnable, see :class:`actbook.nn.StarReLU`)
            that broadcasts to the shape of ``x``. Default: 2/√5 ≈ 0.8944.
        bias: the offset b, a float or such a tensor. Default: −1/√5 ≈ −0.4472.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        s·ReLU(x)² + b, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> star_relu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.4472, -0.4472,  3.1305])
        >>> star_relu(torch.tensor([-1.0, 0.0, 2.0]), scale=1.0, bias=0.5)
        tensor([0.5000, 0.5000, 4.5000])
    """
    r = torch.relu(x)
    # (s·r)·r rather than s·r²: r² overflows before s·r² does when s < 1.
    return N.as_tensor(scale, x) * r * r + N.as_tensor(bias, x)


def _real(p: float | Tensor, like: Tensor) -> float | Tensor:
    """A parameter as it enters a formula: a float as it is, a tensor in ``like``'s dtype."""
    return p.to(like.dtype) if isinstance(p, Tensor) else p


def check_xielu(alpha_p: float | Tensor, alpha_n: float | Tensor, beta: float | Tensor,
                eps: float | Tensor) -> None:
    """Check xIELU's float parameters; tensors (learnable) are not checked, which would need a
    host sync.

    Args:
        alpha_p: α_p, which must be > 0.
        alpha_n: α_n, which must be > β.
        beta: β.
        eps: ε, which must be ≤ 0.

    Raises:
        ValueError: for a float parameter outside these ranges.

    Examples::

        >>> check_xielu(0.8, 0.8, 0.5, -1e-6)
    """
    def given(*params: float | Tensor) -> bool:
        return not any(isinstance(p, Tensor) for p in params)

    if ((given(alpha_p) and not alpha_p > 0) or (given(alpha_n, beta) and not alpha_n > beta)
            or (given(eps) and not eps <= 0)):
        raise ValueError(
            "actbook.xielu: needs alpha_p > 0, alpha_n > beta and eps <= 0, got "
            f"alpha_p={alpha_p}, alpha_n={alpha_n}, beta={beta}, eps={eps}"
        )


@activation
def xielu(
    x: Tensor,
    alpha_p: float | Tensor = XIELU_ALPHA_P,
    alpha_n: float | Tensor = XIELU_ALPHA_N,
    beta: float | Tensor = XIELU_BETA,
    eps: float | Tensor = XIELU_EPS,
    inplace: bool = False,
) -> Tensor:
    r"""xIELU, the expanded integral of the ELU (Huang & Schlag 2024), as Apertus computes it.

    .. math::
        f(x) = \begin{cases} \alpha_p x^2 + \beta x & x > 0 \\
        \alpha_n\,\bigl(\operatorname{expm1}(\min(x, \epsilon)) - x\bigr) + \beta x
        & x \le 0 \end{cases}

    The integral of a gradient that grows linearly for x > 0 (as ReLU²'s) and may turn
    negative for x < 0 (as xSiLU's): f is not monotonic and grows on both sides. With ε = 0 the
    slope would be β on both sides of 0; the released ε = −10⁻⁶ leaves a step of
    :math:`\alpha_n\operatorname{expm1}(\epsilon) \approx -8\cdot10^{-7}` at 0 and the
    slope β − α_n on (ε, 0], which actbook reproduces. The negative branch is evaluated as
    :math:`\alpha_n\operatorname{expm1}(x) + (\beta - \alpha_n)x` (the same function, finite
    at −∞, where its limit is +∞ for α_n > β) and its constant on (ε, 0] in float64.

    Args:
        x: the input, a floating-point tensor of any shape.
        alpha_p: the curvature α_p > 0 of the positive side. Default: 0.8.
        alpha_n: the scale α_n > β of the negative side. Default: 0.8.
        beta: the slope β at 0. Default: 0.5.
        eps: the cut-off ε ≤ 0 of the exponential. Default: −10⁻⁶. Each parameter may be a
            tensor (learnable, see :class:`actbook.nn.XIELU`).
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        f(x), of the shape and dtype of ``x``.

    Raises:
        ValueError: if a float α_p is not positive, a float α_n is not above a float β, or a
            float ε is positive (tensor parameters are not checked).
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> xielu(torch.tensor([-10.0, 1.0, 3.0]))
        tensor([2.2000, 1.3000, 8.7000])
    """
    check_xielu(alpha_p, alpha_n, beta, eps)
    a_p, a_n, b, e = (_real(p, x) for p in (alpha_p, alpha_n, beta, eps))
    positive = x.clamp(min=0.0)
    negative = x.clamp(max=0.0)
    # expm1(min(x, ε)) is constant on (ε, 0]: computed once, in float64 where ε is a float.
    step = a_n * (math.expm1(e) if isinstance(e, float) else torch.expm1(e))
    exponential = torch.where(negative <= e, a_n * N.expm1(negative.clamp(max=e)), step)
    return torch.where(
        x > 0, a_p * positive * positive + b * positive, exponential + (b - a_n) * negative
    )


@activation
def polyrelu(
    x: Tensor,
    weight: tuple[float, float, float] | Tensor = POLYRELU_WEIGHT,
    bias: float | Tensor = 0.0,
    inplace: bool = False,
) -> Tensor:
    r"""PolyReLU, a cubic in the ReLU (Zhuo et al. 2025, PolyCom):
    :math:`w_1 r + w_2 r^2 + w_3 r^3 + b` with :math:`r = \max(0, x)`.

    A learnable polynomial of order 3 in ReLU(x): ReLU at w = (1, 0, 0), squared ReLU at
    (0, 1, 0). It keeps ReLU's exact zeros for x ≤ 0 (up to b) and grows like a cube. Evaluated
    in Horner's form, :math:`r(w_1 + r(w_2 + r w_3)) + b`.

    Args:
        x: the input, a floating-point tensor of any shape.
        weight: the coefficients (w₁, w₂, w₃) of r, r² and r³: three floats, or a tensor of
            shape (3,) (learnable, see :class:`actbook.nn.PolyReLU`). Default: 1/3 each.
        bias: the constant b, a float or a scalar tensor. Default: 0.0.
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        The polynomial, of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``weight`` does not hold three coefficients.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> polyrelu(torch.tensor([-1.0, 1.0, 2.0]))
        tensor([0.0000, 1.0000, 4.6667])
        >>> polyrelu(torch.tensor([-1.0, 3.0]), weight=(0.0, 1.0, 0.0))  # squared ReLU
        tensor([0., 9.])
    """
    if len(weight) != 3:
        raise ValueError(f"actbook.polyrelu: weight holds three coefficients, got {len(weight)}")
    w1, w2, w3 = (_real(w, x) for w in weight)
    r = torch.relu(x)
    return r * (w1 + r * (w2 + r * w3)) + _real(bias, x)


@activation
def fatrelu(x: Tensor, threshold: float = FATRELU_THRESHOLD, inplace: bool = False) -> Tensor:
    r"""FATReLU, the ReLU with a forced activation threshold (Kurtz et al. 2020):
    :math:`x \text{ if } x > t \text{ else } 0`.

    Values below the threshold t > 0 become exact zeros, so more of the hidden units are zero
    than under ReLU; at t = 0 it is ReLU. ProSparse (Song et al. 2024) shifts the threshold of a
    ReLU-fied LLaMA 2 or MiniCPM to t > 0 after training, in the feed-forward gate of
    MiniCPM-S. The function jumps from 0 to t just above x = t; its derivative is 1 for x > t and
    0 elsewhere. It is :func:`torch.nn.functional.threshold` with value 0, as vLLM's
    ``FatreluAndMul`` computes it, and NaN propagates.

    Args:
        x: the input, a floating-point tensor of any shape.
        threshold: the threshold t ≥ 0. Default: 0.125 (an example; see
            :data:`FATRELU_THRESHOLD`).
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        x where x > t, 0 elsewhere, of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``threshold`` is negative or not finite.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> fatrelu(torch.tensor([-1.0, 0.125, 0.25, 2.0]))
        tensor([0.0000, 0.0000, 0.2500, 2.0000])
    """
    if not (math.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"actbook.fatrelu: threshold must be finite and >= 0, got {threshold}")
    return torch.where(x <= threshold, torch.zeros((), dtype=x.dtype), x)


@activation
def softcap(x: Tensor, cap: float = SOFTCAP_CAP, inplace: bool = False) -> Tensor:
    r"""Soft-capping :math:`c \tanh(x/c)` (Gemma 2, Gemma Team 2024).

    A smooth bound on logits: close to the identity for :math:`|x| \ll c` (slope 1 at 0) and
    never beyond ±c. Gemma 2 caps its final logits at 30 and its attention logits at 50. Below
    :math:`c\sqrt{\epsilon}` the function returns x itself, which is c·tanh(x/c) rounded, and
    keeps the precision of subnormal inputs that x/c would lose.

    Args:
        x: the input, a floating-point tensor of any shape.
        cap: the bound c > 0. Default: 30.0 (Gemma 2's final logits).
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        c·tanh(x/c), of the shape and dtype of ``x``.

    Raises:
        ValueError: if ``cap`` is not positive and finite.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> softcap(torch.tensor([-100.0, 1.0, 30.0]))
        tensor([-29.9237,   0.9996,  22.8478])
    """
    if not (math.isfinite(cap) and cap > 0):
        raise ValueError(f"actbook.softcap: cap must be positive and finite, got {cap}")
    # Below c·√eps, c·tanh(x/c) = x(1 − (x/c)²/3) rounds to x, and x/c would lose the relative
    # precision of a subnormal x: the identity there is exact to half an ulp.
    tiny = x.abs() < cap * math.sqrt(torch.finfo(x.dtype).eps)
    return torch.where(tiny, x, cap * torch.tanh(x / cap))


@activation
def dyt(x: Tensor, alpha: float | Tensor = DYT_ALPHA, inplace: bool = False) -> Tensor:
    r"""Dynamic tanh :math:`\tanh(\alpha x)` (Zhu et al. 2025), the element-wise map that
    replaces a normalisation layer.

    The DyT layer is :math:`\gamma \odot \tanh(\alpha x) + \beta` with a learnable scalar α
    and per-channel γ and β (:class:`actbook.nn.DyT`); this is its nonlinearity, the tanh of
    Chapter 2 with a learned input scale.

    Args:
        x: the input, a floating-point tensor of any shape.
        alpha: the input scale α, a float or a scalar tensor (learnable). Default: 0.5 (the
            paper's α₀).
        inplace: write the result into ``x`` and return ``x``, as PyTorch's ``inplace``
            (computed out of place, then copied: no memory is saved). Default: ``False``.

    Returns:
        tanh(αx), of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> dyt(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.4621,  0.0000,  0.7616])
    """
    return torch.tanh(_real(alpha, x) * x)


def solu(x: Tensor, dim: int | None = None) -> Tensor:
    r"""Softmax linear unit :math:`x_i\,\mathrm{softmax}(x)_i` along ``dim`` (Elhage et al. 2022).

    Each unit is scaled by its share of the softmax over the row, so that the largest inputs
    pass and the rest shrink towards 0: a row-wise, competitive cousin of SiLU, which it is
    exactly on a row of two, ``solu([x, 0])[0] = x·σ(x)``. Elhage et al. follow it with a
    LayerNorm, which is not part of this function. ``dim`` is required, as in :func:`softmax`.

    Args:
        x: the input, a floating-point tensor of any shape.
        dim: the dimension of the softmax. Required: the default ``None`` raises ``TypeError``.

    Returns:
        x·softmax(x) along ``dim``, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``dim`` is not given, or ``x`` is not a floating-point tensor.

    Examples::

        >>> solu(torch.tensor([1.0, 2.0, 3.0]), dim=-1)
        tensor([0.0900, 0.4895, 1.9957])
    """
    check_floating(x, "solu")
    check_dim(dim, "solu")
    z = upcast(x)
    return (z * softmax(z, dim=dim)).to(x.dtype)


def gaussian_topk(
    x: Tensor, dim: int | None = None, sparsity: float = GAUSSIAN_TOPK_SPARSITY
) -> Tensor:
    r"""Gemma 3n's Gaussian top-k gate activation (Gemma Team 2025):
    :math:`\mathrm{GELU_{tanh}}(\max(0, x - \mu - \sigma\,\Phi^{-1}(s)))` with :math:`\mu` and
    :math:`\sigma` the mean and (population) standard deviation of the row along ``dim``.

    The cut-off is where a Gaussian row with the row's mean and spread would leave a share
    ``1 - s`` above it, so about 5 % of a Gaussian row survives at s = 0.95, without sorting.
    What survives is shifted down by the cut-off before the tanh GELU, as Hugging Face's
    ``Gemma3nTextMLP`` computes it (``_gaussian_topk``, then ``act_fn``). ``sparsity=0`` is
    the tanh GELU alone (Gemma 3n's later layers). ``dim`` is required, as in :func:`softmax`.

    Args:
        x: the input, a floating-point tensor of any shape (the gate projection).
        dim: the dimension of the statistics, the hidden units. Required: the default ``None``
            raises ``TypeError``.
        sparsity: the target share s of zeros, 0 ≤ s < 1. Default: 0.95.

    Returns:
        The activation, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``dim`` is not given, or ``x`` is not a floating-point tensor.
        ValueError: if ``sparsity`` is not in [0, 1).

    Examples::

        >>> x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, 10.0])
        >>> gaussian_topk(x, dim=-1)
        tensor([0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 1.7860])
    """
    check_floating(x, "gaussian_topk")
    check_dim(dim, "gaussian_topk")
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"actbook.gaussian_topk: sparsity must be in [0, 1), got {sparsity!r}")
    if sparsity == 0.0:
        return gelu_tanh(x)
    z = upcast(x)
    multiplier = gaussian_quantile(sparsity)
    mean = z.mean(dim, keepdim=True)
    std = z.std(dim, keepdim=True, correction=0)
    return gelu_tanh(torch.relu(z - (mean + std * multiplier))).to(x.dtype)


def gaussian_quantile(p: float) -> float:
    r"""The standard normal quantile :math:`\Phi^{-1}(p)`, in float64.

    Args:
        p: a probability, 0 < p < 1.

    Returns:
        The quantile, a Python float.

    Examples::

        >>> round(gaussian_quantile(0.95), 6)
        1.644854
    """
    return torch.special.ndtri(torch.tensor(p, dtype=torch.float64)).item()


def polynorm(
    x: Tensor,
    dim: int | None = None,
    weight: tuple[float, float, float] | Tensor = POLYNORM_WEIGHT,
    bias: float | Tensor = 0.0,
    eps: float = POLYNORM_EPS,
) -> Tensor:
    r"""PolyNorm (Zhuo et al. 2025, PolyCom): a cubic whose powers are each normalised along
    ``dim``, :math:`w_0 N(x^3) + w_1 N(x^2) + w_2 N(x) + b` with
    :math:`N(u) = u / \sqrt{\mathrm{mean}(u^2) + \epsilon}` (an RMSNorm without gain).

    Not elementwise: each power is divided by its root mean square over the row, like
    RMSNorm. In a standard normal row those are 1, √3 and √15, so an entry there sees the
    cubic :math:`w_0 x^3/\sqrt{15} + w_1 x^2/\sqrt{3} + w_2 x + b`
    (:meth:`actbook.registry.ActivationInfo.scalar`). ``dim`` is required.

    Args:
        x: the input, a floating-point tensor of any shape.
        dim: the dimension of the normalisation, the hidden units (PolyCom uses the last).
            Required: the default ``None`` raises ``TypeError``.
        weight: (w₀, w₁, w₂), the weights of N(x³), N(x²) and N(x): three floats, or a
            tensor of shape (3,) (learnable, see :class:`actbook.nn.PolyNorm`).
            Default: 1/3 each.
        bias: the constant b, a float or a scalar tensor. Default: 0.0.
        eps: ε > 0 inside the root. Default: 1e-6.

    Returns:
        The activation, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``dim`` is not given, or ``x`` is not a floating-point tensor.
        ValueError: if ``weight`` does not hold three coefficients or ``eps`` is not positive.

    Examples::

        >>> polynorm(torch.tensor([-1.0, 1.0]), dim=-1)
        tensor([-0.3333,  1.0000])
    """
    check_floating(x, "polynorm")
    check_dim(dim, "polynorm")
    if len(weight) != 3:
        raise ValueError(f"actbook.polynorm: weight holds three coefficients, got {len(weight)}")
    if not eps > 0:
        raise ValueError(f"actbook.polynorm: eps must be positive, got {eps!r}")
    z = upcast(x)
    w0, w1, w2 = (_real(w, z) for w in weight)

    def norm(u: Tensor) -> Tensor:
        return u * torch.rsqrt(u.square().mean(dim, keepdim=True) + eps)

    square = z * z
    y = w0 * norm(square * z) + w1 * norm(square) + w2 * norm(z) + _real(bias, z)
    return y.to(x.dtype)


@gated
def _glu(gate: Tensor, value: Tensor) -> Tensor:
    return value * N.sigmoid(gate)


def glu(gate: Tensor, value: Tensor | int | None = None, dim: int = -1) -> Tensor:
    r"""Gated linear unit :math:`\sigma(\text{gate}) \odot \text{value}` (Dauphin et al. 2016).

    Called with one tensor, as PyTorch's ``glu(input, dim=-1)``, it splits ``input`` in halves
    along ``dim`` and computes ``a * sigmoid(b)`` of the first half ``a`` and the second ``b``,
    as :func:`torch.nn.functional.glu` does (:func:`split_gated` for other layouts).

    Args:
        gate: the gate, a floating-point tensor of any shape; or PyTorch's packed ``input``.
        value: the value, of the gate's shape and dtype; for a packed input, ``None`` or
            PyTorch's ``dim`` given by position. Default: ``None``.
        dim: the dimension a packed input is split along. Default: -1.

    Returns:
        σ(gate)·value, of the shape and dtype of ``gate``; for a packed input, its shape with
        ``dim`` halved.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape, or a packed input's ``dim`` has an
            odd size or the input is 0-dimensional.
        TypeError: if they differ in dtype or are not floating-point tensors, or ``dim`` is
            given by position and by name, or with two tensors.

    Examples::

        >>> glu(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([3.0, 3.0, 3.0]))
        tensor([0.8068, 1.5000, 2.6424])
        >>> glu(torch.tensor([3.0, 3.0, -1.0, 2.0]))  # packed as PyTorch: value, then gate
        tensor([0.8068, 2.6424])
    """
    if isinstance(value, Tensor):
        if dim != -1:
            raise TypeError("actbook.glu: dim splits a packed input; it is not used with "
                            "gate and value given apart")
        return _glu(gate, value)
    if value is not None:  # PyTorch's glu(input, dim) with dim by position
        if dim != -1 or isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"actbook.glu: the second argument is a value tensor or PyTorch's "
                            f"dim, got {value!r} with dim={dim}")
        dim = value
    return _glu(*split_gated(gate, dim=dim))


@gated
def reglu(gate: Tensor, value: Tensor) -> Tensor:
    r"""ReGLU :math:`\max(0, \text{gate}) \odot \text{value}` (Shazeer 2020).

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape and dtype.

    Returns:
        ReLU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> reglu(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([3.0, 3.0, 3.0]))
        tensor([0., 0., 6.])
    """
    return torch.relu(gate) * value


@gated
def geglu(gate: Tensor, value: Tensor, approximate: str = "none") -> Tensor:
    r"""GEGLU :math:`\mathrm{GELU}(\text{gate}) \odot \text{value}` (Shazeer 2020).

    ``approximate="tanh"`` uses the tanh GELU (Gemma's choice), as in
    :func:`torch.nn.functional.gelu`.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape and dtype.
        approximate: ``"none"`` for the exact GELU (:func:`gelu`), ``"tanh"`` for its tanh
            approximation (:func:`gelu_tanh`). Default: ``"none"``.

    Returns:
        GELU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape, or ``approximate`` is neither
            ``"none"`` nor ``"tanh"``.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> gate, value = torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([3.0, 3.0, 3.0])
        >>> geglu(gate, value)
        tensor([-0.4760,  0.0000,  5.8635])
        >>> geglu(gate, value, approximate="tanh")
        tensor([-0.4764,  0.0000,  5.8638])
    """
    if approximate == "none":
        return gelu(gate) * value
    if approximate == "tanh":
        return gelu_tanh(gate) * value
    raise ValueError(f"actbook.geglu: approximate must be 'none' or 'tanh', got {approximate!r}")


@gated
def swiglu(gate: Tensor, value: Tensor) -> Tensor:
    r"""SwiGLU :math:`\mathrm{SiLU}(\text{gate}) \odot \text{value}` (Shazeer 2020).

    The feed-forward activation of PaLM, LLaMA and Mistral.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape and dtype.

    Returns:
        SiLU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> swiglu(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([3.0, 3.0, 3.0]))
        tensor([-0.8068,  0.0000,  5.2848])
    """
    return silu(gate) * value


@gated
def bilinear(gate: Tensor, value: Tensor) -> Tensor:
    r"""Bilinear unit :math:`\text{gate} \odot \text{value}`, a GLU without the nonlinearity
    (Shazeer 2020).

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape and dtype.

    Returns:
        gate·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> bilinear(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([3.0, 3.0, 3.0]))
        tensor([-3.,  0.,  6.])
    """
    return gate * value


@gated
def drelu(gate: Tensor, value: Tensor) -> Tensor:
    r"""dReLU :math:`\max(0, \text{gate}) \odot \max(0, \text{value})` (Song et al. 2024).

    ReGLU with a ReLU on the value too, so that an output is zero wherever either projection is
    negative: the activation of TurboSparse-Mistral and TurboSparse-Mixtral, made for sparse
    inference.

    Args:
        gate: the gate.
        value: the value, of the gate's shape and dtype.

    Returns:
        ReLU(gate)·ReLU(value).

    Raises:
        ValueError: if gate and value differ in shape.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> drelu(torch.tensor([2.0, 2.0, -1.0]), torch.tensor([3.0, -3.0, 3.0]))
        tensor([6., 0., 0.])
    """
    return torch.relu(gate) * torch.relu(value)


def clamped_swiglu_gate(limit: float, offset: float, alpha: float, clamp: str) -> str:
    """The name of a bounded SwiGLU's gate function, after checking its parameters.

    Args:
        limit: the clamp bound, > 0.
        offset: the constant added to the clamped value, finite.
        alpha: the sigmoid's slope, 1.702 or 1.0.
        clamp: ``"input"`` or ``"output"``.

    Returns:
        ``"gelu_sigmoid"`` for slope 1.702, ``"silu"`` for slope 1.

    Raises:
        ValueError: for a parameter outside these values.

    Examples::

        >>> clamped_swiglu_gate(7.0, 0.0, 1.0, "output")
        'silu'
    """
    gates = {GELU_SIGMOID_COEFF: "gelu_sigmoid", 1.0: "silu"}
    if not (limit > 0 and math.isfinite(offset)):
        raise ValueError(
            "actbook.clamped_swiglu: needs limit > 0 and a finite offset, got "
            f"limit={limit}, offset={offset}"
        )
    if alpha not in gates:
        raise ValueError(
            f"actbook.clamped_swiglu: alpha must be {GELU_SIGMOID_COEFF} (gpt-oss, "
            f"TransformerEngine) or 1.0 (SiLU), got {alpha!r}"
        )
    if clamp not in ("input", "output"):
        raise ValueError(
            f"actbook.clamped_swiglu: clamp must be 'input' or 'output', got {clamp!r}"
        )
    return gates[alpha]


@gated
def clamped_swiglu(
    gate: Tensor,
    value: Tensor,
    limit: float = CLAMPED_SWIGLU_LIMIT,
    offset: float = CLAMPED_SWIGLU_OFFSET,
    alpha: float = GELU_SIGMOID_COEFF,
    clamp: ClampAt = "input",
) -> Tensor:
    r"""A bounded SwiGLU; by default gpt-oss's (OpenAI 2025):
    :math:`g'\,\sigma(1.702\,g') \odot (v' + 1)` with :math:`g' = \min(g, 7)` and
    :math:`v' = \mathrm{clamp}(v, -7, 7)`.

    Four details, each different from :func:`swiglu`: the gate is clamped above only, the value
    on both sides, both before the nonlinearity; the sigmoid has slope 1.702 (the gate function
    is :func:`gelu_sigmoid`); and 1 is added to the value. With the released limit 7 the output
    lies in [−42.0, 56.0], well inside FP8 E4M3's ±448.
    TransformerEngine's ``clamped_swiglu`` computes the same function, but reads a packed
    projection with the gate in the first half, where gpt-oss interleaves gate and value
    columns (``layout="interleaved"`` of :func:`split_gated`).

    The parameters span the family: ``alpha=1.0, offset=0.0, clamp="output"``
    (:data:`SWIGLU_STEP`, the registry's ``swiglu_step``) is the clamp-after-SiLU form
    :math:`\min(\mathrm{SiLU}(g), L) \odot \mathrm{clamp}(v, -L, L)` of vLLM's
    ``SwigluStepAndMul``.

    Args:
        gate: the gate g, a floating-point tensor of any shape.
        value: the value v, of the gate's shape and dtype.
        limit: the clamp bound L > 0: the gate (or its activation) is clamped to (−∞, L], the
            value to [−L, L]. Default: 7.0 (gpt-oss's ``swiglu_limit``).
        offset: the constant added to the clamped value. Default: 1.0.
        alpha: the sigmoid's slope in :math:`g\,\sigma(\alpha g)`: 1.702 or 1.0.
            Default: 1.702.
        clamp: ``"input"`` clamps the gate before the gate function, ``"output"`` clamps the
            gate function's output. Default: ``"input"``.

    Returns:
        The unit's output, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape, ``limit`` is not positive,
            ``offset`` is not finite, or ``alpha`` or ``clamp`` is not one of its values.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> clamped_swiglu(torch.tensor([-1.0, 2.0, 20.0]), torch.tensor([3.0, 3.0, 20.0]))
        tensor([-0.6168,  7.7426, 55.9996])
        >>> clamped_swiglu(torch.tensor([20.0]), torch.tensor([20.0]), **SWIGLU_STEP)
        tensor([49.])
    """
    gate_function = gelu_sigmoid if clamped_swiglu_gate(limit, offset, alpha, clamp) == (
        "gelu_sigmoid") else silu
    bounded = value.clamp(-limit, limit) + offset
    if clamp == "input":
        return gate_function(gate.clamp(max=limit)) * bounded
    return gate_function(gate).clamp(max=limit) * bounded


def split_gated(
    x: Tensor, dim: int = -1, layout: Layout = "gate_last", *, gate_first: bool | None = None
) -> tuple[Tensor, Tensor]:
    """Split a packed tensor into ``(gate, value)`` along ``dim``.

    The default layout matches :func:`torch.nn.functional.glu`, which computes ``a * sigmoid(b)``
    with ``a`` the first half and ``b`` the second: the gate is the **second** half.
    ``layout="gate_first"`` puts the gate first (a fused ``w1 ‖ w3`` projection in LLaMA-style
    code, TransformerEngine's ``clamped_swiglu``); ``layout="interleaved"`` reads the gate from
    the even positions and the value from the odd ones (gpt-oss). The halves are views of ``x``.

    Args:
        x: the packed tensor, of even size along ``dim``.
        dim: the dimension that holds gate and value. Default: -1.
        layout: ``"gate_last"``, ``"gate_first"`` or ``"interleaved"``. Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``).

    Returns:
        ``(gate, value)``, each of half the size of ``x`` along ``dim``.

    Raises:
        ValueError: if the size along ``dim`` is odd, ``x`` is 0-dimensional, or the layout is
            unknown.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> packed = torch.tensor([1.0, 2.0, 3.0, 4.0])
        >>> split_gated(packed)
        (tensor([3., 4.]), tensor([1., 2.]))
        >>> split_gated(packed, layout="interleaved")
        (tensor([1., 3.]), tensor([2., 4.]))
    """
    layout = check_layout(layout, gate_first)
    check_floating(x, "split_gated")
    if x.dim() == 0:
        raise ValueError("actbook.split_gated: cannot split a 0-dimensional tensor")
    size = x.shape[dim]
    if size % 2:
        raise ValueError(
            f"actbook.split_gated: size {size} along dim {dim} is odd; a packed gated tensor "
            "holds gate and value halves of equal size"
        )
    if layout == "interleaved":
        d = dim % x.dim()
        pairs = x.unflatten(d, (size // 2, 2))
        return pairs.select(d + 1, 0), pairs.select(d + 1, 1)
    first, second = x.split(size // 2, dim=dim)
    return (first, second) if layout == "gate_first" else (second, first)


def pack_gated(gate: Tensor, value: Tensor, dim: int = -1, layout: Layout = "gate_last") -> Tensor:
    """The inverse of :func:`split_gated`: one tensor holding ``gate`` and ``value`` in ``layout``.

    Args:
        gate: the gate.
        value: the value, of the gate's shape and dtype.
        dim: the dimension to pack along. Default: -1.
        layout: as in :func:`split_gated`. Default: ``"gate_last"``.

    Returns:
        A tensor twice the size of ``gate`` along ``dim``.

    Raises:
        ValueError: if the shapes differ, the inputs are 0-dimensional or the layout is
            unknown.
        TypeError: if the dtypes differ or an input is not a floating-point tensor.

    Examples::

        >>> gate, value = torch.tensor([1.0, 3.0]), torch.tensor([2.0, 4.0])
        >>> pack_gated(gate, value, layout="interleaved")
        tensor([1., 2., 3., 4.])
    """
    layout = check_layout(layout)
    check_pair(gate, value, "pack_gated")
    if gate.dim() == 0:
        raise ValueError("actbook.pack_gated: cannot pack 0-dimensional tensors")
    if layout == "interleaved":
        d = dim % gate.dim()
        return torch.stack((gate, value), dim=d + 1).flatten(d, d + 1)
    halves = (gate, value) if layout == "gate_first" else (value, gate)
    return torch.cat(halves, dim=dim)
