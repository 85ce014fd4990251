"""Chapter 7 (activations of 2023–2026): the exact range of gpt-oss's clamped SwiGLU, what
sharding a fused gate/value projection does to each packing, and whether squared ReLU's output
alone gives back its input in a 16-bit format, as a kernel that saves only the output needs.

Every question here is exact: mpmath for the range, float64 for the sharding, every finite
value of the format for the square roots. The printed results are the same on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import torch
from torch import Tensor

from actbook import F, quant
from actbook._checks import Layout

__all__ = [
    "ClampedRange",
    "SquareRootRecovery",
    "clamped_swiglu_range",
    "closing_gate_logit",
    "sharded_unit_error",
    "sink_logit_gap",
    "square_root_recovery",
]


@dataclass(frozen=True)
class ClampedRange:
    """The exact output range of the clamped SwiGLU and the points where it is reached.

    Args:
        gate_minimum: the smallest value of the gate function a(g) = g·σ(1.702g).
        gate_argmin: where a takes it.
        gate_maximum: a at the clamp, a(L).
        low: the smallest output, min over the gate and value ranges of a·(v + c).
        high: the largest output, a(L)·(L + c).
        e4m3_margin: 448 divided by the largest output magnitude: how far the unit's
            outputs stay inside FP8 E4M3's range.
    """

    gate_minimum: float
    gate_argmin: float
    gate_maximum: float
    low: float
    high: float
    e4m3_margin: float


def clamped_swiglu_range(
    limit: float = F.CLAMPED_SWIGLU_LIMIT, offset: float = F.CLAMPED_SWIGLU_OFFSET
) -> ClampedRange:
    r"""The exact range of :func:`actbook.functional.clamped_swiglu` over all real inputs.

    The gate function :math:`a(g) = g\,\sigma(1.702g)` on :math:`g \le L` has its minimum at
    the root of :math:`a'(g) = 0` (found by mpmath to 30 digits) and its maximum at L, where it
    is clamped; the value factor :math:`v + c` covers :math:`[c - L, c + L]`. A product of two
    intervals has its extremes at their ends.

    Args:
        limit: the clamp bound L. Default: 7.0.
        offset: the constant c. Default: 1.0.

    Returns:
        The :class:`ClampedRange`.

    Examples::

        >>> r = clamped_swiglu_range()
        >>> round(r.low, 4), round(r.high, 4)
        (-41.9997, 55.9996)
    """
    with mpmath.workdps(30):
        k = mpmath.mpf(F.GELU_SIGMOID_COEFF)

        def gate(g: mpmath.mpf) -> mpmath.mpf:
            return g / (1 + mpmath.exp(-k * g))

        argmin = mpmath.findroot(lambda g: mpmath.diff(gate, g), -0.75)
        a_min, a_max = gate(argmin), gate(mpmath.mpf(limit))
        ends = [a * (v + offset) for a in (a_min, a_max) for v in (-limit, limit)]
        low, high = min(ends), max(ends)
        margin = quant.FORMAT_MAX["e4m3"] / max(abs(low), abs(high))
        return ClampedRange(float(a_min), float(argmin), float(a_max), float(low), float(high),
                            float(margin))


def sharded_unit_error(
    layout: Layout, ranks: int = 4, width: int = 64, d_model: int = 32, tokens: int = 16,
    seed: int = 0,
) -> float:
    """The relative error of a gated unit whose fused gate/value projection is split by column
    blocks across ``ranks`` tensor-parallel ranks, each rank applying the unit to its own block.

    Column-parallel sharding hands rank r the contiguous columns ``[r·2n/R, (r+1)·2n/R)`` of
    the fused ``(d_model, 2n)`` projection. Each rank then splits its block as the layout says
    and applies the unit. With interleaved columns every block holds whole (gate, value) pairs
    and the result is exact; with halves (``"gate_first"`` or ``"gate_last"``) a block holds
    gates only or values only, and the ranks compute another function. The fix for halves is to
    shard the gate and the value weights separately, so that each rank holds matching halves,
    or to interleave them before sharding.

    Args:
        layout: how the fused projection packs gate and value (:func:`actbook.F.split_gated`).
        ranks: the number of tensor-parallel ranks R; ``width`` must be a multiple of it.
            Default: 4.
        width: the number n of hidden units. Default: 64.
        d_model: the input width. Default: 32.
        tokens: the number of input rows. Default: 16.
        seed: the seed of the float64 inputs and weights. Default: 0.

    Returns:
        ‖sharded − unsharded‖ / ‖unsharded‖ of the clamped SwiGLU's hidden activations (0.0 if
        the sharding keeps pairs together).

    Raises:
        ValueError: if ``width`` is not a multiple of ``ranks``.

    Examples::

        >>> sharded_unit_error("interleaved")
        0.0
        >>> sharded_unit_error("gate_first") > 0.5
        True
    """
    if width % ranks:
        raise ValueError(f"width {width} is not a multiple of ranks {ranks}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(tokens, d_model, generator=generator, dtype=torch.float64)
    fused = torch.randn(d_model, 2 * width, generator=generator, dtype=torch.float64)
    fused = fused / d_model**0.5
    packed = x @ fused
    whole = F.clamped_swiglu(*F.split_gated(packed, layout=layout))
    blocks = packed.chunk(ranks, dim=-1)
    sharded = torch.cat([F.clamped_swiglu(*F.split_gated(b, layout=layout)) for b in blocks],
                        dim=-1)
    # A rank's outputs are the units its block holds: compare them in the order they are
    # gathered, which for a correct sharding is the order of the whole unit's outputs.
    return float((sharded - whole).norm() / whole.norm())


@dataclass(frozen=True)
class SquareRootRecovery:
    """What √(round(x²)) gives back for every positive finite value x of a format.

    Args:
        dtype: the format's name.
        values: the number of positive finite values x.
        normal_squares: how many have x² rounding to a normal number.
        recovered: how many of those give back x exactly.
        subnormal_or_zero: how many have x² rounding to a subnormal number or to 0.
        overflow: how many have x² overflowing to infinity.
        recovered_below_normal: how many of the subnormal-or-zero squares still give back x.
        smallest_recovered: the smallest x that is given back.
        largest_recovered: the largest x that is given back.
    """

    dtype: str
    values: int
    normal_squares: int
    recovered: int
    subnormal_or_zero: int
    overflow: int
    recovered_below_normal: int
    smallest_recovered: float
    largest_recovered: float


def _positive_finite(dtype: torch.dtype) -> Tensor:
    """Every positive finite value of a 16-bit format, in increasing order."""
    bits = torch.arange(1, 1 << 15, dtype=torch.int32).to(torch.int16)
    values = bits.view(dtype)
    return values[torch.isfinite(values)]


def square_root_recovery(dtype: torch.dtype = torch.bfloat16) -> SquareRootRecovery:
    """Checks, for every positive finite x of a 16-bit format, whether √ of the stored square
    round(x²) rounds back to x.

    Squared ReLU's derivative is 2·ReLU(x) = 2√y for its output y: a kernel may keep only y for
    the backward pass if √y gives back x. Both the square and the root are rounded once to the
    format from float32, in which the square of a 16-bit value is exact.

    Args:
        dtype: ``torch.bfloat16`` or ``torch.float16``. Default: ``torch.bfloat16``.

    Returns:
        The :class:`SquareRootRecovery`.

    Raises:
        ValueError: for another dtype.

    Examples::

        >>> r = square_root_recovery(torch.bfloat16)
        >>> r.recovered == r.normal_squares
        True
    """
    if dtype not in (torch.bfloat16, torch.float16):
        raise ValueError(f"square_root_recovery takes bfloat16 or float16, got {dtype}")
    x = _positive_finite(dtype)
    square = (x.float() * x.float()).to(dtype)
    back = square.float().sqrt().to(dtype)
    recovered = back == x
    tiny = torch.finfo(dtype).tiny
    normal = torch.isfinite(square) & (square >= tiny)
    below = square < tiny
    good = x[recovered]
    return SquareRootRecovery(
        dtype=str(dtype).removeprefix("torch."),
        values=x.numel(),
        normal_squares=int(normal.sum()),
        recovered=int((recovered & normal).sum()),
        subnormal_or_zero=int(below.sum()),
        overflow=int(torch.isinf(square).sum()),
        recovered_below_normal=int((recovered & below).sum()),
        smallest_recovered=float(good.min()),
        largest_recovered=float(good.max()),
    )


def sink_logit_gap(context: int, leak: float) -> float:
    r"""How far a sink's attention logit must stand above every other for softmax attention
    to give all the other tokens together at most ``leak`` of the weight.

    A head that should change nothing must still spend its softmax weight somewhere. With the
    sink's logit Δ above the other ``context − 1`` equal logits, the others get
    :math:`(n-1)/(e^{\Delta} + n - 1)`; that is at most ε when
    :math:`\Delta \ge \ln((n-1)(1-\varepsilon)/\varepsilon)`, which grows with the context
    length n. A sigmoid output gate (Qiu et al. 2025) closes to ε at a fixed logit instead,
    :func:`closing_gate_logit`.

    Args:
        context: the number n of tokens attended to, at least 2.
        leak: the weight ε left to the other tokens, in (0, 1).

    Returns:
        float: the smallest gap Δ.

    Raises:
        ValueError: for ``context < 2`` or ``leak`` outside (0, 1).

    Examples::

        >>> round(sink_logit_gap(1024, 0.01), 2)
        11.53
    """
    if context < 2 or not 0 < leak < 1:
        raise ValueError(f"sink_logit_gap: need context >= 2 and leak in (0, 1), got "
                         f"{context}, {leak}")
    return math.log((context - 1) * (1 - leak) / leak)


def closing_gate_logit(leak: float) -> float:
    r"""The logit at which a sigmoid gate lets through only ``leak`` of its input:
    :math:`\sigma(g) = \varepsilon` at :math:`g = \ln(\varepsilon/(1-\varepsilon))`, whatever the
    context length.

    Args:
        leak: the share ε let through, in (0, 1).

    Returns:
        float: the logit g (negative for ε < 1/2).

    Raises:
        ValueError: for ``leak`` outside (0, 1).

    Examples::

        >>> round(closing_gate_logit(0.01), 2)
        -4.6
    """
    if not 0 < leak < 1:
        raise ValueError(f"closing_gate_logit: leak must lie in (0, 1), got {leak}")
    return math.log(leak / (1 - leak))
