r"""Units in the last place: the error measure of the accuracy harness.

For a binary floating-point format with precision :math:`p` (significand bits, the implicit bit
included) and smallest normal exponent :math:`e_{\min}`, the ulp of a real number :math:`r \ne 0`
is

.. math:: \operatorname{ulp}(r) = 2^{\max(\lfloor \log_2 |r| \rfloor,\, e_{\min}) - p + 1},

the spacing of the format's numbers in the binade of :math:`r` (Goldberg 1991; Muller et al.
2018, definition 2.1 with the "Goldberg" convention at powers of two); subnormals share the
spacing :math:`2^{e_{\min} - p + 1}` and so does 0. The error of a computed :math:`y` against
the true value :math:`r` is :math:`|y - r| / \operatorname{ulp}(r)`: a correctly rounded result
is within 0.5 ulp, a faithful one within 1 ulp.

References are float64 arrays (``hi``) with an optional float64 correction (``lo``, a
double-double ``hi + lo``) for float64 results, so every error here is computed in float64
without cancellation: ``y - hi`` is exact when ``y`` and ``hi`` are within a factor 2
(Sterbenz's lemma), and it is never small otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class FloatFormat:
    r"""A binary format: ``precision`` p and the exponents of its normal range.

    Args:
        name: the dtype's name (``"float32"``).
        dtype: the PyTorch dtype.
        precision: p, the significand bits, the implicit bit included (24 for float32).
        min_exponent: :math:`e_{\min}`, the exponent of the smallest normal number.
        max_exponent: :math:`e_{\max}`, the exponent of the largest finite number.
    """

    name: str
    dtype: torch.dtype
    precision: int
    min_exponent: int
    max_exponent: int

    @property
    def tiny(self) -> float:
        r"""The smallest positive normal number, :math:`2^{e_{\min}}`."""
        return float(2.0**self.min_exponent)

    @property
    def smallest_subnormal(self) -> float:
        r""":math:`2^{e_{\min} - p + 1}`."""
        return float(2.0 ** (self.min_exponent - self.precision + 1))

    @property
    def max(self) -> float:
        r"""The largest finite number, :math:`(2 - 2^{1-p})\,2^{e_{\max}}`."""
        return float((2.0 - 2.0 ** (1 - self.precision)) * 2.0**self.max_exponent)

    @property
    def eps(self) -> float:
        """Machine epsilon :math:`2^{1-p}`, the ulp of 1."""
        return float(2.0 ** (1 - self.precision))


#: The floating formats measured, by dtype.
FORMATS: dict[torch.dtype, FloatFormat] = {
    torch.float16: FloatFormat("float16", torch.float16, 11, -14, 15),
    torch.bfloat16: FloatFormat("bfloat16", torch.bfloat16, 8, -126, 127),
    torch.float32: FloatFormat("float32", torch.float32, 24, -126, 127),
    torch.float64: FloatFormat("float64", torch.float64, 53, -1022, 1023),
}

#: The dtypes of :data:`FORMATS`, by name (``"bfloat16"``, ...).
DTYPES_BY_NAME: dict[str, torch.dtype] = {f.name: d for d, f in FORMATS.items()}


def ulp(reference: np.ndarray, fmt: FloatFormat) -> np.ndarray:
    """ulp of each (finite) ``reference`` value in ``fmt``; 0 gets the subnormal spacing.

    Args:
        reference: the real values, finite (converted to float64).
        fmt: the format.

    Returns:
        A float64 array of the shape of ``reference``: each value's ulp in ``fmt``.
    """
    r = np.abs(np.asarray(reference, dtype=np.float64))
    _, exponent = np.frexp(r)  # r = m 2^e with m in [0.5, 1): floor(log2 r) = e - 1
    binade = np.where(r > 0, exponent - 1, fmt.min_exponent)
    return np.ldexp(1.0, np.maximum(binade, fmt.min_exponent) - fmt.precision + 1)


def ulp_error(
    computed: np.ndarray,
    reference: np.ndarray,
    fmt: FloatFormat,
    reference_lo: np.ndarray | None = None,
) -> np.ndarray:
    """``|computed - (reference + reference_lo)| / ulp(reference)``, elementwise, in float64.

    Where either side is not finite, the error is 0 if both are the same value (both NaN, or the
    same infinity) and ``inf`` otherwise.

    Args:
        computed: the computed values (converted to float64).
        reference: the true values, or their high parts (float64).
        fmt: the format of the computed values, whose ulp is the unit.
        reference_lo: the low parts of a double-double reference ``reference + reference_lo``.
            Default: ``None``, no low parts.

    Returns:
        A float64 array of the errors in ulps of ``fmt``.
    """
    y = np.asarray(computed, dtype=np.float64)
    hi = np.asarray(reference, dtype=np.float64)
    lo = np.zeros_like(hi) if reference_lo is None else np.asarray(reference_lo, np.float64)
    finite = np.isfinite(y) & np.isfinite(hi)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs((y - hi) - np.where(finite, lo, 0.0)) / ulp(np.where(finite, hi, 0.0), fmt)
    same_special = (np.isnan(y) & np.isnan(hi)) | (y == hi)
    return np.where(finite, error, np.where(same_special, 0.0, np.inf))


def round_to_format(reference: np.ndarray, fmt: FloatFormat) -> np.ndarray:
    """Round float64 values to ``fmt`` (to nearest, ties to even), kept as float64.

    Rounds once, directly from float64, so there is no double rounding through float32.
    Values beyond the format's range become infinite, as IEEE 754 rounding does.

    Args:
        reference: the values to round (converted to float64).
        fmt: the format to round to.

    Returns:
        A float64 array of the rounded values; NaN and ±∞ are unchanged.
    """
    r = np.asarray(reference, dtype=np.float64)
    finite = np.isfinite(r)
    step = ulp(np.where(finite, r, 0.0), fmt)
    with np.errstate(invalid="ignore"):
        rounded = np.where(finite, np.round(r / step) * step, r)
    return np.where(np.abs(rounded) > fmt.max, np.copysign(np.inf, rounded), rounded)


def correctly_rounded(
    computed: np.ndarray,
    reference: np.ndarray,
    fmt: FloatFormat,
    reference_lo: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each computed value is the reference rounded to nearest in ``fmt``.

    For float64 the double-double reference ``hi + lo`` is already rounded: ``hi`` is it.

    Args:
        computed: the computed values (converted to float64).
        reference: the true values, or for float64 the high parts ``hi`` of a double-double.
        fmt: the format of the computed values.
        reference_lo: the low parts ``lo`` of a double-double reference. Not used, since
            ``hi`` is already the rounded result. Default: ``None``.

    Returns:
        A bool array: whether each computed value equals the rounded reference (NaN counts as
        equal to NaN).
    """
    y = np.asarray(computed, dtype=np.float64)
    target = reference if fmt.precision == 53 else round_to_format(reference, fmt)
    return (y == target) | (np.isnan(y) & np.isnan(target))
