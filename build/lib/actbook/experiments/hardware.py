"""Chapter 6 (hardware, sparsity and quantisation): the hard activations against the smooth
ones, StarReLU's constants, squared ReLU as a tied ReGLU, and 8-bit activations with heavy
tails and with an outlier channel.

The questions are mathematical, so everything runs in float64 (or with mpmath) from seeded
generators, and the printed results are the same on every machine. The sparsity runs and the
timing of skipped rows are in :mod:`actbook.experiments.sparsity`; the quantisers in
:mod:`actbook.quant`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import torch
from torch import Tensor

from actbook import F, quant
from actbook.experiments.smooth import ApproximationError, approximation_error
from actbook.nn import FFN, GatedFFN

__all__ = [
    "DTYPE",
    "HARD_SIGMOIDS",
    "LARGE_ERROR",
    "SCALINGS",
    "SLOPE_GRID_STEP",
    "OutlierRow",
    "StarReluConstants",
    "best_hard_sigmoid_slope",
    "hard_sigmoid_error_parts",
    "hard_sigmoid_keras2",
    "heavy_tail_errors",
    "outlier_channel",
    "quadratic_gain",
    "star_relu_constants",
    "star_relu_sampled",
    "student_t",
    "tied_reglu_equals_squared_relu",
]

#: The dtype of the chapter's experiments.
DTYPE = torch.float64


def hard_sigmoid_keras2(x: Tensor) -> Tensor:
    """Keras 2's hard sigmoid, clip(0.2x + 0.5, 0, 1): slope 1/5 on (−2.5, 2.5).

    Args:
        x: the input.

    Returns:
        Tensor: the hard sigmoid of ``x``.

    Examples::

        >>> hard_sigmoid_keras2(torch.tensor([-3.0, 0.0, 1.0]))
        tensor([0.0000, 0.5000, 0.7000])
    """
    return (0.2 * x + 0.5).clamp(0.0, 1.0)


#: The two hard sigmoids of the frameworks: ReLU6(x + 3)/6 (PyTorch, JAX, Keras 3) and
#: clip(0.2x + 0.5, 0, 1) (Keras 2).
HARD_SIGMOIDS: dict[str, Callable[[Tensor], Tensor]] = {
    "ReLU6(x+3)/6 (PyTorch, JAX, Keras 3)": F.hardsigmoid,
    "clip(0.2x+0.5) (Keras 2)": hard_sigmoid_keras2,
}


#: The grid step on [−8, 8] of the errors :func:`best_hard_sigmoid_slope` compares: 5 × 10⁻⁴
#: (32,001 points), coarser than :func:`~actbook.experiments.smooth.approximation_error`'s
#: default, since the search evaluates 120 slopes.
SLOPE_GRID_STEP = 5e-4


def best_hard_sigmoid_slope(lo: float = 0.1, hi: float = 0.4, iterations: int = 60
                            ) -> tuple[float, ApproximationError]:
    """The slope a of clip(a·x + 1/2, 0, 1) with the smallest largest error against σ.

    A golden-section search over ``[lo, hi]`` of :func:`approximation_error` on [−8, 8], on a
    grid of step :data:`SLOPE_GRID_STEP` (the largest error is unimodal in a there).

    Args:
        lo: the smallest slope tried. Default: 0.1.
        hi: the largest slope tried. Default: 0.4.
        iterations: golden-section steps. Default: 60.

    Returns:
        tuple[float, ApproximationError]: the slope and its error.
    """
    points = round(16.0 / SLOPE_GRID_STEP) + 1

    def error(a: float) -> ApproximationError:
        return approximation_error(lambda x: (a * x + 0.5).clamp(0.0, 1.0), torch.sigmoid,
                                   -8.0, 8.0, points)

    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(iterations):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if error(c).max_abs < error(d).max_abs:
            b = d
        else:
            a = c
    best = (a + b) / 2
    return best, error(best)


def hard_sigmoid_error_parts(slope: float) -> tuple[float, float]:
    r"""The two candidates for the largest error of clip(a·x + 1/2, 0, 1) against σ, in
    closed form: the interior one and the one at the corner.

    On :math:`x > 0` (the error is odd) the line starts below σ, whose slope at 0 is 1/4, and
    lies furthest below it where :math:`\sigma(x)(1 - \sigma(x)) = a`; it then crosses σ and
    reaches 1 at the corner :math:`x = 1/(2a)`, where it is :math:`1 - \sigma(1/(2a))` above
    it, and beyond which the error :math:`1 - \sigma(x)` only shrinks. The largest error is
    the larger of the two; the first shrinks and the second grows with a.

    Args:
        slope: the slope a, in (0, 1/4).

    Returns:
        tuple[float, float]: the interior error and the corner error.

    Raises:
        ValueError: for a slope outside (0, 1/4), where the line never lies below σ.

    Examples::

        >>> interior, corner = hard_sigmoid_error_parts(1 / 6)
        >>> f"{interior:.4f} {corner:.4f}"
        '0.0692 0.0474'
    """
    if not 0 < slope < 0.25:
        raise ValueError(f"hard_sigmoid_error_parts: need a slope in (0, 1/4), got {slope}")
    p = (1 + math.sqrt(1 - 4 * slope)) / 2  # sigma(x) at the interior extremum
    x = math.log(p / (1 - p))
    interior = p - (slope * x + 0.5)
    corner = 1 - 1 / (1 + math.exp(-1 / (2 * slope)))
    return interior, corner


@dataclass(frozen=True)
class StarReluConstants:
    """StarReLU's constants and the moments they come from, for x ~ N(0, 1).

    Args:
        second_moment: E[ReLU(x)²].
        fourth_moment: E[ReLU(x)⁴].
        scale: s = 1/√(E[ReLU(x)⁴] − E[ReLU(x)²]²).
        bias: b = −s·E[ReLU(x)²].
    """

    second_moment: mpmath.mpf
    fourth_moment: mpmath.mpf
    scale: mpmath.mpf
    bias: mpmath.mpf


def star_relu_constants(digits: int = 30) -> StarReluConstants:
    r"""StarReLU's s and b, so that :math:`s\,\mathrm{ReLU}(x)^2 + b` has mean 0 and variance 1.

    The moments are integrals of the standard normal density over :math:`(0, \infty)`,
    computed with mpmath: :math:`E[\mathrm{ReLU}(x)^2] = 1/2` and
    :math:`E[\mathrm{ReLU}(x)^4] = 3/2` (half of :math:`E[x^2]` and of :math:`E[x^4]`).

    Args:
        digits: decimal digits of the computation. Default: 30.

    Returns:
        StarReluConstants: the moments, s and b.

    Examples::

        >>> c = star_relu_constants()
        >>> float(c.scale), float(c.bias)
        (0.8944271909999159, -0.4472135954999579)
    """
    with mpmath.workdps(digits):
        def moment(k: int) -> mpmath.mpf:
            return mpmath.quad(lambda t: t**k * mpmath.npdf(t), [0, mpmath.inf])

        m2, m4 = moment(2), moment(4)
        scale = 1 / mpmath.sqrt(m4 - m2**2)
        return StarReluConstants(m2, m4, scale, -scale * m2)


def star_relu_sampled(n: int = 1_000_000, seed: int = 0) -> tuple[float, float]:
    """Mean and variance of StarReLU with its default constants on n standard normal samples.

    Args:
        n: samples. Default: 10⁶.
        seed: seed. Default: 0.

    Returns:
        tuple[float, float]: the sample mean and variance.
    """
    x = torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=DTYPE)
    y = F.star_relu(x)
    return y.mean().item(), y.var().item()


def tied_reglu_equals_squared_relu(d_model: int = 16, d_ff: int = 64, tokens: int = 32,
                                   seed: int = 0) -> bool:
    """Whether a ReGLU block whose value weights equal its gate weights is, bit for bit, a
    squared-ReLU block with the same weights: ReLU(z)·z = ReLU(z)².

    Args:
        d_model: width. Default: 16.
        d_ff: hidden width. Default: 64.
        tokens: tokens compared. Default: 32.
        seed: seed of the weights and inputs. Default: 0.

    Returns:
        bool: ``True`` if the two outputs are equal in every bit.
    """
    torch.manual_seed(seed)
    gated = GatedFFN(d_model, d_ff, "reglu", bias=False).to(DTYPE)
    plain = FFN(d_model, d_ff, "squared_relu", bias=False).to(DTYPE)
    with torch.no_grad():
        gated.w_value.weight.copy_(gated.w_gate.weight)
        plain.w_in.weight.copy_(gated.w_gate.weight)
        plain.w_out.weight.copy_(gated.w_out.weight)
    x = torch.randn(tokens, d_model, dtype=DTYPE)
    with torch.no_grad():
        return torch.equal(gated(x), plain(x))


def quadratic_gain(cosine: float) -> tuple[float, float]:
    r"""The extremes of :math:`(a^\top x)(b^\top x)` over unit x, for unit a, b with
    :math:`a^\top b = \cos\theta`: the eigenvalues :math:`(\cos\theta \pm 1)/2` of the
    symmetric part of :math:`a b^\top`.

    A SwiGLU channel with gate weights a and value weights b is this quadratic form times the
    sigmoid of the gate, so alignment (cos θ → 1) makes its largest gain 1, twice the gain of
    orthogonal weights.

    Args:
        cosine: cos θ, in [−1, 1].

    Returns:
        tuple[float, float]: the smallest and the largest value.

    Raises:
        ValueError: for a cosine outside [−1, 1].

    Examples::

        >>> quadratic_gain(0.0), quadratic_gain(1.0)
        ((-0.5, 0.5), (0.0, 1.0))
    """
    if not -1 <= cosine <= 1:
        raise ValueError(f"quadratic_gain: need a cosine in [-1, 1], got {cosine}")
    return (cosine - 1) / 2, (cosine + 1) / 2


def student_t(degrees: int | None, n: int, seed: int = 0) -> Tensor:
    """Samples of Student's t with integer ``degrees`` of freedom (``None``: the normal).

    z / √(χ²_ν/ν) from seeded float64 normals; smaller ν, heavier tails.

    Args:
        degrees: ν ≥ 1, or ``None`` for standard normal samples.
        n: samples.
        seed: seed. Default: 0.

    Returns:
        Tensor: ``n`` float64 samples.

    Raises:
        ValueError: for ν < 1.
    """
    if degrees is not None and degrees < 1:
        raise ValueError(f"student_t: need at least one degree of freedom, got {degrees}")
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(n, generator=generator, dtype=DTYPE)
    if degrees is None:
        return z
    chi2 = torch.randn(degrees, n, generator=generator, dtype=DTYPE).pow(2).sum(0)
    return z / (chi2 / degrees).sqrt()


def heavy_tail_errors(degrees: Sequence[int | None] = (None, 10, 5, 3, 2), n: int = 1 << 16,
                      seed: int = 0) -> dict[int | None, dict[str, float]]:
    """Relative error ‖Q(x) − x‖/‖x‖ of per-tensor absmax quantisation in each 8-bit format,
    for Student-t samples of decreasing degrees of freedom.

    Args:
        degrees: the degrees of freedom (``None``: normal). Default: normal, 10, 5, 3, 2.
        n: samples per distribution. Default: 2¹⁶.
        seed: seed. Default: 0.

    Returns:
        dict: by degrees, ``peak_to_rms`` (the largest magnitude over the root mean square)
        and the error of each format of :data:`actbook.quant.FORMATS`.
    """
    rows: dict[int | None, dict[str, float]] = {}
    for nu in degrees:
        x = student_t(nu, n, seed)
        row = {"peak_to_rms": (x.abs().max() / x.pow(2).mean().sqrt()).item()}
        for fmt in quant.FORMATS:
            q = quant.fake_quantize(x, fmt, quant.absmax_scale(x, fmt))
            row[fmt] = ((q - x).norm() / x.norm()).item()
        rows[nu] = row
    return rows


#: How :func:`outlier_channel` scales the hidden activations before quantising: one current
#: scale for the tensor, a delayed one (the scale of the block before the channel grew), or
#: one current scale per channel (Smooth-SwiGLU).
SCALINGS = ("tensor", "delayed", "channel")
#: The relative error of a token's output above which :attr:`OutlierRow.large_error_share`
#: counts the token as lost: half its norm.
LARGE_ERROR = 0.5


@dataclass(frozen=True)
class OutlierRow:
    """One norm of :func:`outlier_channel`.

    Args:
        norm: the norm r of the aligned channel's gate and value weights.
        peak_ratio: the largest magnitude of that channel over the largest of all others.
        overall_error: by ``(format, scaling)``, the relative error of the block's output,
            ‖Ŷ − Y‖/‖Y‖ over all tokens (dominated by the tokens the outlier dominates).
        median_error: by ``(format, scaling)``, the median over tokens of the relative error
            of a token's output (the typical token).
        saturated: by ``(format, scaling)``, the share of hidden values beyond the range.
        large_error_share: by ``(format, scaling)``, the share of tokens whose output has a
            relative error above :data:`LARGE_ERROR`.
    """

    norm: float
    peak_ratio: float
    overall_error: dict[tuple[str, str], float]
    median_error: dict[tuple[str, str], float]
    saturated: dict[tuple[str, str], float]
    large_error_share: dict[tuple[str, str], float]


def outlier_channel(norms: Sequence[float] = (1, 4, 16, 64, 256, 1024),
                    formats: Sequence[str] = ("e4m3", "int8"), cosine: float = 1.0,
                    d_model: int = 64, d_ff: int = 256, tokens: int = 2048, seed: int = 0,
                    unit: str = "swiglu") -> list[OutlierRow]:
    r"""A SwiGLU block in which one channel's gate and value weights align and grow, and the
    error of quantising its hidden activations :math:`h` to 8 bits.

    Weights and inputs are standard normal (weights divided by the square root of the fan
    in). Channel 0's gate weights become :math:`r\,a` and its value weights
    :math:`r(\cos\theta\, a + \sin\theta\, a_\perp)` with unit :math:`a, a_\perp`, so that its
    output grows like :math:`r^2`. The output :math:`W_{out}\,\hat h` with quantised
    :math:`\hat h` is compared, token by token, with :math:`W_{out} h`. The delayed scale is
    the per-tensor scale of the block at the first norm: an outlier that grew since the scale
    was set.

    Args:
        norms: the norms r, the first one setting the delayed scale. Default: 1 to 1024.
        formats: formats of :data:`actbook.quant.FORMATS`. Default: E4M3 and int8.
        cosine: cos θ of channel 0's gate and value weights. Default: 1 (aligned).
        d_model: width. Default: 64.
        d_ff: hidden width. Default: 256.
        tokens: tokens. Default: 2048.
        seed: seed. Default: 0.
        unit: ``"swiglu"``, or ``"clamped_swiglu"`` for gpt-oss's bounded unit
            (:func:`actbook.functional.clamped_swiglu`, default parameters) on the same gate
            and value (Chapter 7). Default: ``"swiglu"``.

    Returns:
        list[OutlierRow]: one per norm.

    Raises:
        ValueError: for another unit.
    """
    units = {"swiglu": F.swiglu, "clamped_swiglu": F.clamped_swiglu}
    if unit not in units:
        raise ValueError(f"outlier_channel: unit must be one of {', '.join(units)}, "
                         f"got {unit!r}")
    generator = torch.Generator().manual_seed(seed)

    def normal(*shape: int) -> Tensor:
        return torch.randn(*shape, generator=generator, dtype=DTYPE)

    x = normal(tokens, d_model)
    w_gate = normal(d_ff, d_model) / math.sqrt(d_model)
    w_value = normal(d_ff, d_model) / math.sqrt(d_model)
    w_out = normal(d_model, d_ff) / math.sqrt(d_ff)
    a = w_gate[0] / w_gate[0].norm()
    perp = w_value[0] - (w_value[0] @ a) * a
    perp = perp / perp.norm()
    sine = math.sqrt(max(0.0, 1 - cosine**2))

    def hidden(r: float) -> Tensor:
        gate, value = w_gate.clone(), w_value.clone()
        gate[0], value[0] = r * a, r * (cosine * a + sine * perp)
        return units[unit](x @ gate.T, x @ value.T)

    first = hidden(norms[0])
    rows = []
    for r in norms:
        h = hidden(r)
        exact = h @ w_out.T
        overall, median, saturated, large = {}, {}, {}, {}
        for fmt in formats:
            scales = {"tensor": quant.absmax_scale(h, fmt),
                      "delayed": quant.absmax_scale(first, fmt),
                      "channel": quant.absmax_scale(h, fmt, per_channel=True)}
            for scaling, scale in scales.items():
                wrong = quant.fake_quantize(h, fmt, scale) @ w_out.T - exact
                token_error = wrong.norm(dim=1) / exact.norm(dim=1)
                overall[fmt, scaling] = (wrong.norm() / exact.norm()).item()
                median[fmt, scaling] = token_error.median().item()
                large[fmt, scaling] = (token_error > LARGE_ERROR).double().mean().item()
                saturated[fmt, scaling] = quant.overflow_share(h, fmt, scale)
        peak = (h[:, 0].abs().max() / h[:, 1:].abs().max()).item()
        rows.append(OutlierRow(float(r), peak, overall, median, saturated, large))
    return rows
