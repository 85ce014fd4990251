"""Inputs for the accuracy sweep: where activations are easy and where they are delicate.

* :func:`bit_sweep`: every ``stride``-th finite bit pattern of both signs, so every binade
  from the smallest subnormal to the largest finite number is visited with mixed mantissas
  (the stride is odd, so the low mantissa bits vary);
* :func:`exhaustive`: all finite values of a 16-bit format (65,536 patterns less the
  non-finite ones);
* :func:`delicate_bands`: dense runs of consecutive floats and uniform grids around the
  places where formulas break: ``|x| < 1e-3``, subnormals, ±max, the kinks and thresholds of the
  activations (0, ±3, 6, ±20, ±1e4), and each activation's own underflow and overflow knees
  (:func:`knees`);
* :func:`gate_values`: random values to pair with gates for the gated units.

Everything is deterministic: no input depends on a random state other than a fixed seed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from actbook.accuracy import reference
from actbook.accuracy.oracles import oracle
from actbook.accuracy.ulp import FORMATS, FloatFormat

#: Kinks and thresholds of the activations (and of PyTorch's softplus, 20; actbook's tanh-GELU
#: clamp, 1e4), visited densely in every dtype.
KINKS: tuple[float, ...] = (0.0, -3.0, 3.0, 6.0, -20.0, 20.0, -1.0e4, 1.0e4)

_INT = {torch.float32: (np.int32, np.float32), torch.float64: (np.int64, np.float64)}
_BITS_INF = {torch.float32: 0x7F800000, torch.float64: 0x7FF0000000000000}


def _ordered(x: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """Map floats to integers in the same order (consecutive floats → consecutive integers)."""
    int_type, float_type = _INT[dtype]
    bits = np.asarray(x, dtype=float_type).view(int_type).astype(np.int64)
    return np.where(bits < 0, -(bits & np.int64(np.iinfo(int_type).max)), bits)


def _from_ordered(k: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """Inverse of :func:`_ordered`, clipped to the finite floats."""
    int_type, float_type = _INT[dtype]
    k = np.clip(k, -(_BITS_INF[dtype] - 1), _BITS_INF[dtype] - 1)
    bits = np.where(k < 0, (-k) | np.int64(np.iinfo(int_type).min), k)
    return bits.astype(int_type).view(float_type)


def bit_sweep(dtype: torch.dtype, count_per_sign: int) -> Tensor:
    """About ``count_per_sign`` finite floats of each sign, evenly spaced in bit pattern.

    Args:
        dtype: ``torch.float32`` or ``torch.float64``.
        count_per_sign: how many inputs per sign, roughly (the stride between bit patterns is
            rounded to an odd number, and the largest finite number is added).

    Returns:
        A one-dimensional tensor of ``dtype``: the positive floats from +0 up to the largest
        finite number, then their negatives.
    """
    int_type, float_type = _INT[dtype]
    limit = _BITS_INF[dtype]
    stride = max(1, limit // count_per_sign) | 1
    bits = np.arange(0, limit, stride, dtype=np.int64)
    bits = np.concatenate([bits, [limit - 1]])  # +max
    positive = bits.astype(int_type).view(float_type)
    return torch.from_numpy(np.concatenate([positive, -positive]))


def exhaustive(dtype: torch.dtype) -> Tensor:
    """Every finite value of float16 or bfloat16 (both zeros included).

    Args:
        dtype: ``torch.float16`` or ``torch.bfloat16``.

    Returns:
        A one-dimensional tensor of ``dtype``, in the order of the bit patterns read as
        signed 16-bit integers.
    """
    every = torch.arange(-(2**15), 2**15, dtype=torch.int32).to(torch.int16).view(dtype)
    return every[torch.isfinite(every)]


def band(center: float, dtype: torch.dtype, neighbours: int, points: int) -> Tensor:
    """``neighbours`` consecutive floats each side of ``center`` plus a uniform grid of
    ``points`` over center ± 1% (± 0.01 near 0), all finite.

    Args:
        center: the middle of the band.
        dtype: ``torch.float32`` or ``torch.float64``.
        neighbours: how many consecutive floats on each side of ``center``.
        points: how many points in the uniform grid.

    Returns:
        A one-dimensional tensor of ``dtype``: the consecutive floats (``center`` rounded to
        ``dtype`` among them), then the grid; values outside the finite range are dropped.
    """
    k = _ordered(np.array([center]), dtype)[0]
    steps = np.arange(-neighbours, neighbours + 1, dtype=np.int64)
    consecutive = _from_ordered(k + steps, dtype)
    width = 0.01 * max(abs(center), 1.0)
    grid = np.linspace(center - width, center + width, points)
    values = np.concatenate([consecutive.astype(np.float64), grid])
    out = torch.from_numpy(values).to(dtype)
    return out[torch.isfinite(out)]


def _crossings(f, grid: np.ndarray, level: float) -> list[float]:
    """Points of ``grid`` (one sign, monotone order) where ``|f|`` crosses ``level``, refined
    by bisection in float64."""
    above = np.abs(f(grid)) >= level
    found = []
    for i in np.flatnonzero(above[1:] != above[:-1]):
        lo, hi = grid[i], grid[i + 1]
        for _ in range(100):
            mid = 0.5 * lo + 0.5 * hi
            if (abs(float(f(np.array([mid]))[0])) >= level) == above[i]:
                lo = mid
            else:
                hi = mid
        found.append(0.5 * lo + 0.5 * hi)
    return found


def knees(name: str, fmt: FloatFormat) -> list[float]:
    """Where ``|f(x)|`` crosses the smallest normal, the smallest subnormal or the largest
    finite number of ``fmt``, and where exp over- and underflows in ``fmt``: the underflow
    and overflow knees, found on the float64 reference.

    Args:
        name: the registry name of an elementwise activation.
        fmt: the format whose limits are crossed.

    Returns:
        The sorted crossings (floats) of ``|f|`` found on ``±[1e-3, fmt.max]``, and
        ``±log`` of the largest finite, smallest normal and smallest subnormal numbers.
    """

    def f(x: np.ndarray) -> np.ndarray:
        return reference.value(name, torch.from_numpy(x)).numpy()

    magnitudes = np.logspace(-3, np.log10(fmt.max) * (1 - 1e-12), 4000)
    found = []
    for sign in (-1.0, 1.0):
        for level in (fmt.tiny, fmt.smallest_subnormal, fmt.max):
            found += _crossings(f, sign * magnitudes, level)
    logs = [np.log(fmt.max), np.log(fmt.tiny), np.log(fmt.smallest_subnormal)]
    return sorted(set(found + logs + [-v for v in logs]))


def delicate_bands(name: str, dtype: torch.dtype, neighbours: int, points: int) -> Tensor:
    """The dense bands of the module docstring for activation ``name`` in ``dtype``.

    Args:
        name: the registry name of an elementwise activation.
        dtype: ``torch.float32`` or ``torch.float64``.
        neighbours: how many consecutive floats on each side of each centre, and below the
            largest finite number.
        points: how many points in each grid (small magnitudes, subnormals, each band).

    Returns:
        A one-dimensional tensor of ``dtype``, unsorted, possibly with repeated values.
    """
    fmt = FORMATS[dtype]
    int_type, float_type = _INT[dtype]
    small = np.logspace(np.log10(fmt.tiny), -3, points)
    subnormal_bits = np.unique(
        np.linspace(0, 2 ** (fmt.precision - 1) + neighbours, points).astype(np.int64)
    )
    subnormal = subnormal_bits.astype(int_type).view(float_type).astype(np.float64)
    near_max = _from_ordered(
        _ordered(np.array([fmt.max]), dtype)[0] - np.arange(neighbours, dtype=np.int64), dtype
    ).astype(np.float64)
    pieces = [torch.from_numpy(np.concatenate([s, -s])).to(dtype)
              for s in (small, subnormal, near_max)]
    own_kinks = [k.x for k in oracle(name).kinks if k.x not in KINKS]
    centres = [*KINKS, *own_kinks, *(c for c in knees(name, fmt) if abs(c) <= fmt.max)]
    pieces += [band(c, dtype, neighbours, points) for c in centres]
    return torch.cat(pieces)


def unique_floats(x: Tensor) -> Tensor:
    """Distinct values of ``x`` by bit pattern (so −0 and +0 both stay), sorted by bits.

    Args:
        x: a one-dimensional float32 or float64 tensor.

    Returns:
        A one-dimensional tensor of the dtype of ``x``, ordered as the bit patterns read as
        signed integers: the negative floats from −0 down to the most negative, then the
        others from +0 up.
    """
    int_type = {torch.float32: torch.int32, torch.float64: torch.int64}[x.dtype]
    return torch.unique(x.view(int_type)).view(x.dtype)


def sweep_inputs(
    name: str, dtype: torch.dtype, count_per_sign: int, neighbours: int = 256,
    points: int = 2048,
) -> Tensor:
    """Input set for one activation: exhaustive in 16-bit formats, else sweep plus bands.

    Args:
        name: the registry name of an elementwise activation.
        dtype: the floating dtype of the inputs.
        count_per_sign: how many inputs per sign in the bit-pattern sweep
            (:func:`bit_sweep`); unused for the 16-bit formats.
        neighbours: how many consecutive floats on each side of each band's centre
            (:func:`delicate_bands`). Default: ``256``.
        points: how many points in each grid of the bands. Default: ``2048``.

    Returns:
        A one-dimensional tensor of ``dtype``: :func:`exhaustive` for float16 and bfloat16;
        otherwise the sweep and the bands without repeats (:func:`unique_floats`).
    """
    if FORMATS[dtype].precision < 24:
        return exhaustive(dtype)
    sweep = bit_sweep(dtype, count_per_sign)
    return unique_floats(torch.cat([sweep, delicate_bands(name, dtype, neighbours, points)]))


def gate_values(count: int, dtype: torch.dtype, seed: int = 0) -> Tensor:
    """``count`` values ±2^u, u uniform on [−6, 6], with random mantissas (seeded).

    Args:
        count: how many values.
        dtype: the floating dtype of the values.
        seed: the seed of the random generator. Default: ``0``.

    Returns:
        A one-dimensional tensor of ``count`` values of ``dtype``.
    """
    generator = torch.Generator().manual_seed(seed)
    exponent = torch.rand(count, generator=generator, dtype=torch.float64) * 12.0 - 6.0
    sign = torch.where(torch.rand(count, generator=generator) < 0.5, -1.0, 1.0)
    return (sign * torch.exp2(exponent)).to(dtype)
