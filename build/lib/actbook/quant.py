"""Simulated 8-bit activations: FP8 (E4M3 and E5M2, Micikevicius et al. 2022) and int8, with
per-tensor, per-channel and delayed scaling, and the per-channel scaling of Smooth-SwiGLU
(Fishman et al. 2024).

A kernel that multiplies in 8 bits divides a tensor by a *scale*, rounds it to the format,
multiplies, and multiplies the result back. :func:`quantize` does the division and the
rounding (saturating at the largest finite value), :func:`fake_quantize` the multiplication
back as well, so
that the error of a quantised computation can be measured in float32 or float64. Channels are
the last dimension, as in the hidden activations of a feed-forward block.

Smooth-SwiGLU quantises the SwiGLU output with one scale per channel (hidden unit), computed
from the current tensor, and folds the scales into the next linear layer
(:func:`fold_scales`): in exact arithmetic the block's output is unchanged, and no outlier
channel can overflow the format or squeeze the others.
"""

from __future__ import annotations

from typing import Literal, get_args

import torch
from torch import Tensor

from actbook import _checks

__all__ = [
    "FORMAT_MAX",
    "Format",
    "FORMATS",
    "absmax_scale",
    "fake_quantize",
    "fold_scales",
    "overflow_share",
    "quantize",
    "smooth_swiglu",
]

#: An 8-bit format: FP8 E4M3 (``torch.float8_e4m3fn``), FP8 E5M2 (``torch.float8_e5m2``) or
#: symmetric int8.
Format = Literal["e4m3", "e5m2", "int8"]
#: The formats, in order.
FORMATS: tuple[str, ...] = get_args(Format)
#: The largest finite value of each format: 448, 57,344 and 127.
FORMAT_MAX: dict[str, float] = {
    "e4m3": float(torch.finfo(torch.float8_e4m3fn).max),
    "e5m2": float(torch.finfo(torch.float8_e5m2).max),
    "int8": 127.0,
}
_FP8 = {"e4m3": torch.float8_e4m3fn, "e5m2": torch.float8_e5m2}


def _format(fmt: str) -> float:
    if fmt not in FORMAT_MAX:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return FORMAT_MAX[fmt]


def absmax_scale(x: Tensor, fmt: Format = "e4m3", per_channel: bool = False) -> Tensor:
    """The scale that maps the largest magnitude of ``x`` to the largest value of ``fmt``.

    Args:
        x: a floating-point tensor.
        fmt: the format. Default: ``"e4m3"``.
        per_channel: one scale per channel (the last dimension, the maximum taken over all
            the others) instead of one for the tensor. Default: ``False``.

    Returns:
        Tensor: ``max |x| / FORMAT_MAX[fmt]``, a 0-d tensor or one of shape
        ``(x.shape[-1],)``; 1 where the maximum is 0, so that dividing by it is harmless.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.
        ValueError: for an unknown format.

    Examples::

        >>> absmax_scale(torch.tensor([[1.0, -896.0], [2.0, 4.0]]))
        tensor(2.)
        >>> absmax_scale(torch.tensor([[1.0, -896.0], [2.0, 4.0]]), per_channel=True)
        tensor([0.0045, 2.0000])
    """
    _checks.check_floating(x, "absmax_scale")
    top = _format(fmt)
    amax = x.abs().flatten(0, -2).amax(0) if per_channel and x.dim() > 1 else x.abs().amax()
    return torch.where(amax > 0, amax / top, torch.ones_like(amax))


def quantize(x: Tensor, fmt: Format, scale: Tensor | float) -> Tensor:
    r"""Round ``x / scale`` to ``fmt``: :math:`Q(x/s)`, the values an 8-bit kernel stores.

    Values beyond the format's largest finite value saturate to it (FP8 E4M3 has no infinity;
    int8 has none either), so an outlier under a stale scale is clipped, not turned into NaN.
    FP8 rounds to nearest even in PyTorch's cast; int8 rounds to the nearest integer, ties to
    even.

    Args:
        x: a floating-point tensor.
        fmt: the format.
        scale: positive scale(s) broadcasting to ``x`` (:func:`absmax_scale`).

    Returns:
        Tensor: values of the format, held in the dtype of ``x``, of its shape.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.
        ValueError: for an unknown format or a scale that is not positive.

    Examples::

        >>> quantize(torch.tensor([0.3, 20.0]), "int8", 0.25)
        tensor([ 1., 80.])
    """
    _checks.check_floating(x, "quantize")
    top = _format(fmt)
    scale = torch.as_tensor(scale, dtype=x.dtype, device=x.device)
    if not bool((scale > 0).all()):
        raise ValueError("quantize: scales must be positive")
    y = (x / scale).clamp(-top, top)
    return torch.round(y) if fmt == "int8" else y.to(_FP8[fmt]).to(x.dtype)


def fake_quantize(x: Tensor, fmt: Format, scale: Tensor | float) -> Tensor:
    r"""Quantise and multiply back: :math:`s\,Q(x/s)`, the value a kernel computes with.

    Args:
        x: a floating-point tensor.
        fmt: the format.
        scale: positive scale(s) broadcasting to ``x``.

    Returns:
        Tensor: the dequantised values, of the shape and dtype of ``x``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor.
        ValueError: for an unknown format or a scale that is not positive.

    Examples::

        >>> fake_quantize(torch.tensor([0.3, 20.0]), "e4m3", 1.0)
        tensor([ 0.3125, 20.0000])
        >>> fake_quantize(torch.tensor([500.0]), "e4m3", 1.0)
        tensor([448.])
    """
    return quantize(x, fmt, scale) * torch.as_tensor(scale, dtype=x.dtype, device=x.device)


def overflow_share(x: Tensor, fmt: Format, scale: Tensor | float) -> float:
    """The share of the values of ``x`` that ``scale`` puts beyond the format's range.

    Args:
        x: a floating-point tensor.
        fmt: the format.
        scale: scale(s) broadcasting to ``x``.

    Returns:
        float: the share of values with ``|x / scale|`` above ``FORMAT_MAX[fmt]``.

    Raises:
        ValueError: for an unknown format.

    Examples::

        >>> overflow_share(torch.tensor([1.0, 500.0, -600.0, 3.0]), "e4m3", 1.0)
        0.5
    """
    top = _format(fmt)
    return (x.abs() / scale > top).double().mean().item()


def smooth_swiglu(gate: Tensor, value: Tensor, fmt: Format = "e4m3") -> tuple[Tensor, Tensor]:
    r"""Smooth-SwiGLU's quantised output: :math:`Q(h / s)` and the per-channel scales :math:`s`.

    :math:`h = \mathrm{SiLU}(\text{gate}) \odot \text{value}`, the SwiGLU output, and
    :math:`s_i = \max_t |h_{t,i}| / \text{FORMAT\_MAX}` for each channel :math:`i`, computed
    from the tensor itself (Fishman et al. 2024, who write it with :math:`s^{-1}`). The scales
    go into the next linear layer, ``fold_scales(w_out.weight, s)``, so that the block's output
    is unchanged in exact arithmetic; ``q * s`` is the dequantised SwiGLU output.

    Args:
        gate: the gate, ``(..., d_ff)``.
        value: the value, of the gate's shape and dtype.
        fmt: the format. Default: ``"e4m3"``.

    Returns:
        tuple[Tensor, Tensor]: ``q`` (values of the format, in the input's dtype, of the
        input's shape) and ``s`` (shape ``(d_ff,)``).

    Raises:
        ValueError: if gate and value differ in shape, or for an unknown format.
        TypeError: if they differ in dtype or are not floating-point tensors.

    Examples::

        >>> gate = torch.tensor([[1.0, 30.0], [2.0, 40.0]])
        >>> q, s = smooth_swiglu(gate, gate)
        >>> q.abs().amax(0)
        tensor([448., 448.])
        >>> s
        tensor([0.0079, 3.5714])
    """
    from actbook.functional import swiglu

    h = swiglu(gate, value)
    s = absmax_scale(h, fmt, per_channel=True)
    return quantize(h, fmt, s), s


def fold_scales(weight: Tensor, scale: Tensor) -> Tensor:
    r"""The weight of a linear layer with per-channel input scales folded in: :math:`W\,D_s`.

    Applied to ``q = h / s``, the folded weight gives :math:`W\,\mathrm{diag}(s)\,
    \mathrm{diag}(s)^{-1} h = W h`: the layer after a per-channel quantiser absorbs the scales,
    as Smooth-SwiGLU's third linear layer does.

    Args:
        weight: ``(out_features, in_features)``, as in :class:`torch.nn.Linear`.
        scale: ``(in_features,)`` positive scales.

    Returns:
        Tensor: ``weight * scale``, of the shape of ``weight``.

    Raises:
        ValueError: if the scale does not have one entry per input feature.

    Examples::

        >>> fold_scales(torch.ones(2, 3), torch.tensor([1.0, 2.0, 4.0]))
        tensor([[1., 2., 4.],
                [1., 2., 4.]])
    """
    if scale.shape != (weight.shape[-1],):
        raise ValueError(f"fold_scales: need one scale per input feature ({weight.shape[-1]}), "
                         f"got shape {tuple(scale.shape)}")
    return weight * scale
