r"""Fused activation kernels: one compiled pass forward, one backward, only inputs saved.

Eager PyTorch runs ``silu(gate) * value`` as two kernels: five tensor passes forward (silu reads
g and writes s, the product reads s, v and writes y), nine backward, and autograd keeps three
tensors (g, s, v) alive until the backward pass. Each function here is a
:class:`torch.autograd.Function` whose forward and backward are ``torch.compile``-d pointwise
functions (see ``actbook/kernels/_pointwise.py``): the forward reads g and v and writes y (three
passes), saves only g and v, and the backward recomputes the activation while it reads
:math:`\bar y, g, v` and writes :math:`\bar g, \bar v` (five passes). Where elementwise work is
memory-bound, as on GPUs, time falls with the traffic: the idea of Liger-Kernel's fused SwiGLU
(Hsu et al. 2024), here without hand-written kernels.

The signatures are those of :mod:`actbook.functional`; so are the results, up to rounding:
same formulas, float16/bfloat16 computed in float32 and rounded once. Compilation happens on
first use and reuses its graph when a leading size (batch, sequence) changes; a new dtype,
rank, last dimension or memory layout (a transposed input), or a dimension of size 0 or 1,
compiles once more, up to ``RECOMPILE_LIMIT`` (64) graphs per kernel; beyond it, calls that
would need a new graph run the kernel's formula eagerly, after one :class:`RecompileLimitWarning`
per kernel. Without a working compiler the kernels run eagerly after one
:class:`FusionUnavailableWarning`. Either way :func:`fallback_reason` says why.

Example::

    from actbook import kernels
    y = kernels.swiglu(gate, value)  # as actbook.functional.swiglu
    act = kernels.get("geglu", approximate="tanh")  # by name, with parameters
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from actbook import functional as F
from actbook import registry
from actbook._checks import check_floating, check_pair
from actbook.kernels import _pointwise as P
from actbook.kernels._lazy import (
    FusionUnavailableWarning,
    LazyKernel,
    RecompileLimitWarning,
    fallback_reason,
)

# Public here, where readers import them from (and the API page documents them).
FusionUnavailableWarning.__module__ = RecompileLimitWarning.__module__ = __name__
fallback_reason.__module__ = __name__

__all__ = [
    "FUSED",
    "KERNELS",
    "FusionUnavailableWarning",
    "RecompileLimitWarning",
    "bilinear",
    "clamped_swiglu",
    "drelu",
    "fallback_reason",
    "geglu",
    "get",
    "glu",
    "reglu",
    "squared_relu",
    "star_relu",
    "swiglu",
    "xielu",
]


@dataclass(frozen=True)
class _GatedKernel:
    forward: LazyKernel
    backward: LazyKernel


def _gated_kernel(name: str) -> _GatedKernel:
    return _GatedKernel(LazyKernel(getattr(P, name)), LazyKernel(getattr(P, f"{name}_backward")))


# One compiled pair per gated variant of the registry that _pointwise has a kernel for, shared
# by every call in the process.
_GATED = {
    v.name: _gated_kernel(v.name) for v in registry.variants(kind="gated") if hasattr(P, v.name)
}
_SQUARED_RELU = (LazyKernel(P.squared_relu), LazyKernel(P.squared_relu_backward))
_STAR_RELU = (LazyKernel(P.star_relu), LazyKernel(P.star_relu_backward))
_XIELU = (LazyKernel(P.xielu), LazyKernel(P.xielu_backward))

#: The fused variants, by registry name (variants included: ``geglu_tanh`` is
#: ``geglu(approximate="tanh")``): the gated units, then the elementwise ones.
FUSED: tuple[str, ...] = (*_GATED, "squared_relu", "star_relu", "xielu")


class _FusedGated(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx, kernel: _GatedKernel, gate: Tensor, value: Tensor
    ) -> Tensor:
        ctx.kernel = kernel
        ctx.save_for_backward(gate, value)
        return kernel.forward(gate, value)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, Tensor, Tensor]:  # type: ignore[override]
        gate, value = ctx.saved_tensors
        grad_gate, grad_value = ctx.kernel.backward(grad, gate, value)
        return None, grad_gate, grad_value


class _FusedSquaredReLU(torch.autograd.Function):
    """Saves its output y, not x: the derivative is 2·sqrt(y), and the next layer of a block
    (Linear → ReLU² → Linear) saves y anyway, so the two share one tensor."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:  # type: ignore[override]
        y = _SQUARED_RELU[0](x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:  # type: ignore[override]
        (y,) = ctx.saved_tensors
        return _SQUARED_RELU[1](grad, y)


class _FusedStarReLU(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx, x: Tensor, scale: Tensor | float, bias: Tensor | float
    ) -> Tensor:
        scale_is_tensor = isinstance(scale, Tensor)
        ctx.scale = None if scale_is_tensor else scale
        ctx.bias_like = (bias.shape, bias.dtype) if isinstance(bias, Tensor) else None
        ctx.save_for_backward(x, scale if scale_is_tensor else None)
        return _STAR_RELU[0](x, scale, bias)

    @staticmethod
    def backward(  # type: ignore[override]
        ctx, grad: Tensor
    ) -> tuple[Tensor, Tensor | None, Tensor | None]:
        x, scale_tensor = ctx.saved_tensors
        scale = ctx.scale if scale_tensor is None else scale_tensor
        _, scale_grad, bias_grad = ctx.needs_input_grad
        bias_shape = tuple(ctx.bias_like[0]) if bias_grad else None
        grad_x, grad_scale, grad_bias = _STAR_RELU[1](grad, x, scale, scale_grad, bias_shape)
        if grad_bias is not None:
            grad_bias = grad_bias.to(ctx.bias_like[1])
        return grad_x, grad_scale, grad_bias


class _FusedXIELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, *params: Tensor | float) -> Tensor:  # type: ignore[override]
        tensors = [p for p in params if isinstance(p, Tensor)]
        ctx.floats = [None if isinstance(p, Tensor) else p for p in params]
        ctx.save_for_backward(x, *tensors)
        return _XIELU[0](x, *params)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:  # type: ignore[override]
        x, *tensors = ctx.saved_tensors
        given = iter(tensors)
        params = tuple(next(given) if f is None else f for f in ctx.floats)
        return _XIELU[1](grad, x, params, tuple(ctx.needs_input_grad[1:]))


def _check_broadcast(x: Tensor, name: str, **params: Tensor | float) -> None:
    """Tensor parameters of an elementwise kernel must broadcast to the shape of ``x``."""
    shapes = [p.shape for p in params.values() if isinstance(p, Tensor)]
    try:
        fits = not shapes or torch.broadcast_shapes(x.shape, *shapes) == x.shape
    except RuntimeError:  # shapes that do not broadcast at all
        fits = False
    if not fits:
        raise ValueError(
            f"actbook.kernels.{name}: {' and '.join(params)} of shapes "
            f"{[tuple(s) for s in shapes]} must broadcast to the shape of x, {tuple(x.shape)}"
        )


def _check_gated(gate: Tensor, value: Tensor, name: str) -> None:
    check_pair(gate, value, name)
    if gate.device != value.device:
        raise ValueError(
            f"actbook.kernels.{name}: gate and value must be on one device, got {gate.device} "
            f"and {value.device}"
        )


@functools.cache
def _variant_name(name: str, params: tuple[tuple[str, object], ...]) -> str:
    """The registry variant of ``name`` that ``params`` name, looked up once per distinct call
    (:func:`actbook.registry.bind` costs microseconds, a fused call tens)."""
    return registry.bind(name, **dict(params)).name


def _gated(name: str, gate: Tensor, value: Tensor, **params: object) -> Tensor:
    """The fused gated unit ``name`` with ``params``: the variant of the registry they name."""
    _check_gated(gate, value, name)
    return _FusedGated.apply(_GATED[_variant_name(name, tuple(params.items()))], gate, value)


def swiglu(gate: Tensor, value: Tensor) -> Tensor:
    r"""Fused SwiGLU :math:`\mathrm{SiLU}(\text{gate}) \odot \text{value}` (Shazeer 2020).

    Same result as :func:`actbook.functional.swiglu`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.

    Returns:
        SiLU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("swiglu") is swiglu
        True
        >>> KERNELS["swiglu"] is swiglu
        True
    """
    return _gated("swiglu", gate, value)


def geglu(gate: Tensor, value: Tensor, approximate: str = "none") -> Tensor:
    r"""Fused GEGLU :math:`\mathrm{GELU}(\text{gate}) \odot \text{value}` (Shazeer 2020).

    Same result as :func:`actbook.functional.geglu`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.
        approximate: ``"none"`` for the exact GELU, ``"tanh"`` for its tanh approximation.
            Default: ``"none"``.

    Returns:
        GELU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device, or ``approximate`` is
            neither ``"none"`` nor ``"tanh"``.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("geglu") is geglu
        True
        >>> get("geglu_tanh")
        functools.partial(<function geglu at ...>, approximate='tanh')
    """
    return _gated("geglu", gate, value, approximate=approximate)


def reglu(gate: Tensor, value: Tensor) -> Tensor:
    r"""Fused ReGLU :math:`\max(0, \text{gate}) \odot \text{value}` (Shazeer 2020).

    Same result as :func:`actbook.functional.reglu`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.

    Returns:
        ReLU(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("reglu") is reglu
        True
    """
    return _gated("reglu", gate, value)


def glu(gate: Tensor, value: Tensor) -> Tensor:
    r"""Fused GLU :math:`\sigma(\text{gate}) \odot \text{value}` (Dauphin et al. 2016).

    Same result as :func:`actbook.functional.glu`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.

    Returns:
        σ(gate)·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("GLU") is glu
        True
    """
    return _gated("glu", gate, value)


def bilinear(gate: Tensor, value: Tensor) -> Tensor:
    r"""Fused bilinear unit :math:`\text{gate} \odot \text{value}` (Shazeer 2020).

    Same result as :func:`actbook.functional.bilinear`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.

    Returns:
        gate·value, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("bilinear") is bilinear
        True
    """
    return _gated("bilinear", gate, value)


def drelu(gate: Tensor, value: Tensor) -> Tensor:
    r"""Fused dReLU :math:`\max(0, \text{gate}) \odot \max(0, \text{value})` (Song et al. 2024).

    Same result as :func:`actbook.functional.drelu`; saves only gate and value.

    Args:
        gate: the gate, a floating-point tensor of any shape.
        value: the value, of the gate's shape, dtype and device.

    Returns:
        ReLU(gate)·ReLU(value), of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("dReLU") is drelu
        True
    """
    return _gated("drelu", gate, value)


def clamped_swiglu(
    gate: Tensor,
    value: Tensor,
    limit: float = F.CLAMPED_SWIGLU_LIMIT,
    offset: float = F.CLAMPED_SWIGLU_OFFSET,
    alpha: float = F.GELU_SIGMOID_COEFF,
    clamp: F.ClampAt = "input",
) -> Tensor:
    r"""Fused bounded SwiGLU, gpt-oss's by default: :math:`g'\,\sigma(1.702\,g') \odot (v' + 1)`
    with :math:`g' = \min(g, 7)`, :math:`v' = \mathrm{clamp}(v, -7, 7)` (OpenAI 2025).

    Same result as :func:`actbook.functional.clamped_swiglu`; saves only gate and value. The
    kernels cover the registry's two variants: these defaults, and ``alpha=1.0, offset=0.0,
    clamp="output"`` (``swiglu_step``, vLLM's clamp after SiLU). gpt-oss interleaves gate and
    value in its packed projection: split it with
    ``actbook.functional.split_gated(h, layout="interleaved")``, whose strided halves the kernel
    reads as they are.

    Args:
        gate: the gate g, a floating-point tensor of any shape.
        value: the value v, of the gate's shape, dtype and device.
        limit: the clamp bound L. Default: 7.0.
        offset: the constant added to the clamped value. Default: 1.0.
        alpha: the sigmoid's slope. Default: 1.702.
        clamp: ``"input"`` or ``"output"``. Default: ``"input"``.

    Returns:
        The unit's output, of the shape and dtype of ``gate``.

    Raises:
        ValueError: if ``gate`` and ``value`` differ in shape or device, or the parameters are
            not those of one of the two variants.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> get("gpt_oss_swiglu") is clamped_swiglu
        True
        >>> get("swiglu_step")
        functools.partial(<function clamped_swiglu at ...>, alpha=1.0, offset=0.0, clamp='output')
    """
    return _gated("clamped_swiglu", gate, value, limit=limit, offset=offset, alpha=alpha,
                  clamp=clamp)


def squared_relu(x: Tensor) -> Tensor:
    r"""Fused squared ReLU :math:`\max(0, x)^2` (So et al. 2021).

    Same result as :func:`actbook.functional.squared_relu`; saves only its output y, from which
    the backward pass computes the derivative 2·sqrt(y), so that in Linear → ReLU² → Linear the
    activation and the next layer keep one tensor between them.

    Args:
        x: the input, a floating-point tensor of any shape.

    Returns:
        max(0, x)², of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> get("relu2") is squared_relu
        True
    """
    check_floating(x, "kernels.squared_relu")
    return _FusedSquaredReLU.apply(x)


def star_relu(
    x: Tensor,
    scale: Tensor | float = F.STAR_RELU_SCALE,
    bias: Tensor | float = F.STAR_RELU_BIAS,
) -> Tensor:
    r"""Fused StarReLU :math:`s\max(0, x)^2 + b` (Yu et al. 2022).

    Same result as :func:`actbook.functional.star_relu`; saves only x (and s if a tensor).

    ``scale`` and ``bias`` may be tensors (learnable, as in MetaFormer) that broadcast to the
    shape of x; their gradients are the sums of :math:`\bar y \max(0, x)^2` and :math:`\bar y`.

    Args:
        x: the input, a floating-point tensor of any shape.
        scale: the scale s, a float or a tensor that broadcasts to the shape of ``x``.
            Default: 2/√5 ≈ 0.8944.
        bias: the offset b, a float or a tensor that broadcasts to the shape of ``x``.
            Default: −1/√5 ≈ −0.4472.

    Returns:
        s·max(0, x)² + b, of the shape and dtype of ``x``.

    Raises:
        ValueError: if a tensor ``scale`` or ``bias`` does not broadcast to the shape of ``x``.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> get("star_relu") is star_relu
        True
        >>> get("star_relu", scale=1.0, bias=0.0)
        functools.partial(<function star_relu at ...>, scale=1.0, bias=0.0)
    """
    check_floating(x, "kernels.star_relu")
    _check_broadcast(x, "star_relu", scale=scale, bias=bias)
    return _FusedStarReLU.apply(x, scale, bias)


def xielu(
    x: Tensor,
    alpha_p: Tensor | float = F.XIELU_ALPHA_P,
    alpha_n: Tensor | float = F.XIELU_ALPHA_N,
    beta: Tensor | float = F.XIELU_BETA,
    eps: Tensor | float = F.XIELU_EPS,
) -> Tensor:
    r"""Fused xIELU (Huang & Schlag 2024): :math:`\alpha_p x^2 + \beta x` for x > 0,
    :math:`\alpha_n(\operatorname{expm1}(\min(x, \epsilon)) - x) + \beta x` below.

    Same result as :func:`actbook.functional.xielu`; saves only x (and the tensor parameters).
    Each parameter may be a tensor that broadcasts to the shape of x, learnable as in
    :class:`actbook.nn.XIELU`: the backward pass computes its gradient in the same compiled
    pass, summed to its shape.

    Args:
        x: the input, a floating-point tensor of any shape.
        alpha_p: α_p > 0. Default: 0.8.
        alpha_n: α_n > β. Default: 0.8.
        beta: β. Default: 0.5.
        eps: ε ≤ 0. Default: −10⁻⁶.

    Returns:
        f(x), of the shape and dtype of ``x``.

    Raises:
        ValueError: for a float parameter out of range, or a tensor parameter that does not
            broadcast to the shape of ``x``.
        TypeError: if ``x`` is not a floating-point tensor.

    Examples::

        >>> get("xielu") is xielu
        True
    """
    check_floating(x, "kernels.xielu")
    F.check_xielu(alpha_p, alpha_n, beta, eps)
    _check_broadcast(x, "xielu", alpha_p=alpha_p, alpha_n=alpha_n, beta=beta, eps=eps)
    return _FusedXIELU.apply(x, alpha_p, alpha_n, beta, eps)


#: The kernel of each activation that has one, by canonical name.
KERNELS: dict[str, Callable[..., Tensor]] = {
    kernel.__name__: kernel
    for kernel in (swiglu, geglu, reglu, glu, bilinear, drelu, clamped_swiglu, squared_relu,
                   star_relu, xielu)
}


def get(name: str, **params: object) -> Callable[..., Tensor]:
    """The fused kernel of activation ``name``, with ``params`` bound.

    Args:
        name: any name, alias or variant name :func:`actbook.get` accepts (``"geglu_tanh"``).
        **params: the activation's parameters (``approximate="tanh"``); a variant's own are the
            defaults.

    Returns:
        The kernel, a function with the signature of the activation's function.

    Raises:
        ValueError: for an activation without a fused kernel.
        TypeError: for a parameter the kernel does not take.
        KeyError: for an unknown name.

    Examples::

        >>> get("SwiGLU") is swiglu
        True
        >>> get("geglu_tanh")
        functools.partial(<function geglu at ...>, approximate='tanh')
    """
    variant = registry.resolve(name)
    kernel = KERNELS.get(variant.base)
    if kernel is None:
        raise ValueError(
            f"actbook.kernels: no fused kernel for {name!r}; available: {', '.join(KERNELS)}"
        )
    params = {**variant.params, **params}
    options = inspect.signature(kernel).parameters.values()
    unknown = set(params) - {p.name for p in options if p.default is not p.empty}
    if unknown:
        raise TypeError(f"actbook.kernels.{variant.base} takes no parameter {sorted(unknown)}")
    return functools.partial(kernel, **params) if params else kernel
