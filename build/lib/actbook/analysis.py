r"""Numerical probes of an activation's shape, for the book's property tables.

Each probe takes an elementwise function ``f`` (a tensor in, a tensor of the same shape out;
differentiable by autograd where a derivative is needed) and returns plain Python values.
:func:`scalar_function` turns any registered activation into such an ``f`` and
:func:`properties` / :func:`property_table` run every probe on registered activations.

Where the probes look. Everything is computed in float64 (except
:func:`exact_zero_fraction`, which measures float32 by default) on

* a dense grid of ``n`` points over ``[lo, hi]`` (default ``[-10, 10]``, spacing 1e-3), shifted
  by an irrational fraction of a step so that no sample lands on 0, ±3, 6 or another kink,
  where the value of a derivative is only a convention;
* for limits at ±∞, the tails: 40 log-spaced points per decade out to ``|x| = 1e8``.

A probe sees only what these samples show. The results are exact for every registered
activation (the tests check each probe on functions with a known answer), but a function that
misbehaves only between samples or beyond 1e8 can fool them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from actbook.registry import info, names

__all__ = [
    "SMOOTHNESS_CLASSES",
    "SATURATION_SIDES",
    "scalar_function",
    "is_monotonic",
    "smoothness_class",
    "output_range",
    "mean_output",
    "is_zero_centred",
    "max_abs_derivative",
    "saturates",
    "exact_zero_fraction",
    "minimum",
    "properties",
    "property_table",
]

#: A function of one real tensor.
Function = Callable[[Tensor], Tensor]

#: Results of :func:`smoothness_class`, from least to most smooth.
SMOOTHNESS_CLASSES = ("discontinuous", "C0", "C1", "C2", "C∞")
#: Results of :func:`saturates`.
SATURATION_SIDES = ("none", "left", "right", "both")

LO, HI, N = -10.0, 10.0, 20_000
_DTYPE = torch.float64
_EPS = torch.finfo(_DTYPE).eps
# Grid offset in steps: the golden ratio's fractional part, far from every simple fraction.
_SHIFT = (math.sqrt(5.0) - 1.0) / 2.0
_TAIL = (1.0, 8.0, 281)  # log10 of the first and last tail point, number of points
_FAR = torch.tensor([1e6, 1e7, 1e8], dtype=_DTYPE)  # limits at ±∞ are read here
# A jump must keep at least this size (relative to max |g|, at least 1) in a 1e-12-wide bracket.
_JUMP_TOL = 1e-6
_BISECTIONS = 30
_CANDIDATES = 8
_ZOOM_LEVELS, _ZOOM_POINTS = 4, 1001
_ZERO_MEAN_TOL = 1e-6


def scalar_function(name: str) -> Function:
    """A registered activation as a function of one real variable, parameters at defaults.

    The function of :meth:`actbook.ActivationInfo.scalar`: elementwise activations as they
    are, a gated unit with value 1 (GLU becomes the sigmoid, ReGLU the ReLU, GEGLU the GELU,
    SwiGLU the SiLU and Bilinear the identity, the gate's shape that the table describes), a
    row-wise activation as its first output for the inputs ``(x, 0)`` (softmax: the sigmoid).

    Args:
        name: a canonical name or alias of the registry; a variant name gives its base
            activation, at the base's defaults.

    Returns:
        The function, taking and returning tensors of the same shape.

    Raises:
        KeyError: for an unknown name.
    """
    return info(name).scalar().function


# --- sampling and evaluation ---------------------------------------------------------------


def _grid(lo: float, hi: float, n: int) -> Tensor:
    if not lo < hi or n < 8:
        raise ValueError(f"need lo < hi and n >= 8, got lo={lo}, hi={hi}, n={n}")
    step = (hi - lo) / n
    return lo + step * (torch.arange(n, dtype=_DTYPE) + _SHIFT)


def _samples(lo: float, hi: float, n: int) -> Tensor:
    """The dense grid with the tails beyond it, in increasing order."""
    tail = torch.logspace(*_TAIL[:2], _TAIL[2], dtype=_DTYPE)
    return torch.cat((-tail[tail > -lo].flip(0), _grid(lo, hi, n), tail[tail > hi]))


def _checked(x: Tensor, y: object, what: str = "f") -> Tensor:
    if not isinstance(y, Tensor) or y.shape != x.shape:
        shape = tuple(y.shape) if isinstance(y, Tensor) else type(y).__name__
        raise ValueError(
            f"{what} must be elementwise: input of shape {tuple(x.shape)} gave {shape}"
        )
    y = y.detach().to(_DTYPE)
    nan = torch.isnan(y)
    if nan.any():
        raise ValueError(f"{what} is NaN at x = {x[nan][0].item()!r}")
    return y


def _evaluate(f: Function, x: Tensor) -> Tensor:
    with torch.no_grad():
        return _checked(x, f(x))


def _derivatives(f: Function, x: Tensor, order: int) -> list[Tensor]:
    """``[f, f', ..., f^(order)]`` at ``x`` by repeated autograd (a missing graph means 0)."""
    x = x.detach().clone().requires_grad_(True)
    values = [f(x)]
    for _ in range(order):
        g = values[-1]
        if g.requires_grad:
            (g,) = torch.autograd.grad(
                g.sum(), x, create_graph=True, allow_unused=True, materialize_grads=True
            )
        else:
            g = torch.zeros_like(x)
        values.append(g)
    return [_checked(x, v, f"derivative {k} of f") for k, v in enumerate(values)]


def _derivative(f: Function) -> Function:
    return lambda x: _derivatives(f, x, 1)[1]


def _zoom_max(g: Function, a: float, b: float) -> tuple[float, float]:
    """Location and value of the maximum of ``g`` on ``[a, b]``, by repeated finer grids."""
    for _ in range(_ZOOM_LEVELS):
        x = torch.linspace(a, b, _ZOOM_POINTS, dtype=_DTYPE)
        y = g(x)
        i = int(torch.argmax(y))
        a, b = x[max(i - 1, 0)].item(), x[min(i + 1, _ZOOM_POINTS - 1)].item()
    return x[i].item(), y[i].item()


def _grows_without_bound(far: Tensor, largest: float) -> bool:
    """Whether values at ``|x| = 1e6, 1e7, 1e8`` still grow: the last is the largest of all
    samples and its rise is positive and at least half the one before (a bounded function's
    rises shrink towards 0, an oscillating one's never exceed its earlier peaks)."""
    if far[-1] == math.inf:
        return True
    last, before = (far[2] - far[1]).item(), (far[1] - far[0]).item()
    return far[-1].item() >= largest and last > 0 and last >= 0.5 * before


def _supremum(g: Function, lo: float, hi: float, n: int) -> float:
    """sup of ``g`` over the reals: +inf if it grows without bound in a tail, else the largest
    sample, refined around the largest sample of the dense grid."""
    largest = g(_samples(lo, hi, n)).max().item()
    if _grows_without_bound(g(_FAR), largest) or _grows_without_bound(g(-_FAR), largest):
        return math.inf
    grid = _grid(lo, hi, n)
    i = int(torch.argmax(g(grid)))
    a, b = grid[max(i - 1, 0)].item(), grid[min(i + 1, n - 1)].item()
    return max(largest, _zoom_max(g, a, b)[1])


# --- the probes ------------------------------------------------------------------------------


def is_monotonic(f: Function, lo: float = LO, hi: float = HI, n: int = N) -> bool:
    """Whether ``f`` is monotonic (non-decreasing or non-increasing) on the samples.

    Differences between neighbouring samples smaller than 16 ulps of the values are read as
    rounding, so flat pieces (ReLU, the step) count as monotonic.

    Args:
        f: the function, elementwise on float64 tensors.
        lo: the left end of the dense grid. Default: ``-10.0``.
        hi: the right end of the dense grid. Default: ``10.0``.
        n: the number of points of the dense grid, at least 8. Default: ``20_000``.

    Returns:
        A bool: whether the samples never both rise and fall by more than rounding.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 8``, if ``f`` is not elementwise, or if it is NaN
            at a sample.
    """
    y = _evaluate(f, _samples(lo, hi, n))
    rise = y.diff()
    tol = 16 * _EPS * torch.maximum(y[1:].abs(), y[:-1].abs())
    return not (bool((rise > tol).any()) and bool((rise < -tol).any()))


def _has_jump(g: Function, x: Tensor, y: Tensor) -> bool:
    """Whether ``g`` (sampled as ``y`` on the uniform grid ``x``) jumps somewhere.

    A jump J between two samples shows in the second difference of consecutive increments
    as about J, a kink only as (slope change) × step. The few largest candidates are
    bisected 30 times down to brackets 1e-12 wide, keeping the half whose ends differ more:
    across a jump the ends keep differing by J, on a continuous piece the difference
    vanishes with the width.
    """
    scale = max(1.0, y.abs().max().item())
    rise = y.diff()
    score = (rise[1:-1] - 0.5 * (rise[:-2] + rise[2:])).abs()
    top = torch.topk(score, min(_CANDIDATES, score.numel()))
    index = top.indices[top.values > _JUMP_TOL * scale] + 1
    if index.numel() == 0:
        return False
    a, b, ga, gb = x[index], x[index + 1], y[index], y[index + 1]
    for _ in range(_BISECTIONS):
        m = 0.5 * (a + b)
        gm = g(m)
        left = (gm - ga).abs() >= (gb - gm).abs()
        a, ga = torch.where(left, a, m), torch.where(left, ga, gm)
        b, gb = torch.where(left, m, b), torch.where(left, gm, gb)
    return bool(((gb - ga).abs() > _JUMP_TOL * scale).any())


def smoothness_class(f: Function, lo: float = LO, hi: float = HI, n: int = N) -> str:
    """The smoothness class of ``f`` on ``[lo, hi]``, one of :data:`SMOOTHNESS_CLASSES`.

    ``"discontinuous"`` if f itself jumps, ``"C0"`` if f is continuous and f′ jumps (a kink),
    ``"C1"`` if f″ jumps, ``"C2"`` if f‴ jumps, and ``"C∞"`` if none of f, f′, f″, f‴
    jumps. Derivatives come from autograd, so piecewise formulas give each piece's exact
    derivative. "C∞" is what the probe can see, not a proof: a function smooth to third
    order with a jump in f⁗ would also be reported "C∞" (no registered activation is one).

    Args:
        f: the function, elementwise on float64 tensors and differentiable by
            autograd (a missing graph counts as a zero derivative).
        lo: the left end of the dense grid. Default: ``-10.0``.
        hi: the right end of the dense grid. Default: ``10.0``.
        n: the number of points of the dense grid, at least 8. Default: ``20_000``.

    Returns:
        A string, one of :data:`SMOOTHNESS_CLASSES`.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 8``, if ``f`` or its derivative is not
            elementwise, or if either is NaN at a sample.
    """
    x = _grid(lo, hi, n)
    orders = _derivatives(f, x, len(SMOOTHNESS_CLASSES) - 2)
    for k, y in enumerate(orders):
        if _has_jump(lambda t, k=k: _derivatives(f, t, k)[k], x, y):
            return SMOOTHNESS_CLASSES[k]
    return SMOOTHNESS_CLASSES[-1]


def output_range(f: Function, lo: float = LO, hi: float = HI, n: int = N) -> tuple[float, float]:
    """``(inf f, sup f)`` over the reals, with ``-inf``/``+inf`` for an unbounded side.

    A side is unbounded when f still grows at ``|x| = 1e6 … 1e8`` beyond every earlier sample
    (each decade's rise at least half the previous one, which logarithmic growth already
    satisfies). Otherwise the bound is the extreme sample, refined to machine precision around
    an interior extremum; a bound approached only as x -> ±∞ is read at ``|x| = 1e8`` (exact for
    exponential saturation, within ~1e-8 for one like ``x/(1 + |x|)``).

    Args:
        f: the function, elementwise on float64 tensors.
        lo: the left end of the dense grid. Default: ``-10.0``.
        hi: the right end of the dense grid. Default: ``10.0``.
        n: the number of points of the dense grid, at least 8. Default: ``20_000``.

    Returns:
        A pair of floats ``(lower, upper)``.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 8``, if ``f`` is not elementwise, or if it is NaN
            at a sample.
    """
    upper = _supremum(lambda x: _evaluate(f, x), lo, hi, n)
    lower = -_supremum(lambda x: -_evaluate(f, x), lo, hi, n)
    return lower, upper


def mean_output(f: Function) -> float:
    r""":math:`\mathbb{E}[f(X)]` for :math:`X \sim \mathcal N(0, 1)`, by the midpoint rule
    with step 1e-3 on ``[-12, 12]`` (the tails beyond carry a weight below 1e-32).

    The cells are symmetric about 0 and no midpoint is 0, so a jump at 0 (the step) costs
    no accuracy; a kink costs about 1e-8.

    Args:
        f: the function, elementwise on float64 tensors.

    Returns:
        A float, the mean output.

    Raises:
        ValueError: if ``f`` is not elementwise, or if it is NaN at a sample.
    """
    step = 1e-3
    x = -12.0 + step * (torch.arange(24_000, dtype=_DTYPE) + 0.5)
    density = torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return step * torch.sum(_evaluate(f, x) * density).item()


def is_zero_centred(f: Function, tol: float = _ZERO_MEAN_TOL) -> bool:
    r"""Whether ``f`` has zero mean output on standard normal inputs: :math:`|\mathbb E f(X)|
    \le` ``tol`` for :math:`X \sim \mathcal N(0, 1)` (see :func:`mean_output`).

    This is LeCun et al.'s (1998) sense: the next layer learns fastest when its inputs average
    to zero. Tanh, SELU and StarReLU (by construction of their constants) are zero-centred;
    an activation that merely takes both signs, such as Leaky ReLU or SiLU, is not.

    Args:
        f: the function, elementwise on float64 tensors.
        tol: the largest mean, in absolute value, that counts as zero. Default: ``1e-6``.

    Returns:
        A bool: whether ``|mean_output(f)| <= tol``.

    Raises:
        ValueError: if ``f`` is not elementwise, or if it is NaN at a sample.
    """
    return abs(mean_output(f)) <= tol


def max_abs_derivative(f: Function, lo: float = LO, hi: float = HI, n: int = N) -> float:
    """``sup |f′(x)|`` over the reals (``inf`` if ``|f′|`` grows without bound, as for x²).

    At a kink the supremum of the one-sided limits counts (HardSwish: 1.5 as x -> 3⁻), not
    the convention at the kink itself. The step function gives 0 (its derivative is 0 wherever
    it exists).

    Args:
        f: the function, elementwise on float64 tensors and differentiable by
            autograd.
        lo: the left end of the dense grid. Default: ``-10.0``.
        hi: the right end of the dense grid. Default: ``10.0``.
        n: the number of points of the dense grid, at least 8. Default: ``20_000``.

    Returns:
        A float: the supremum, ``inf`` if it is unbounded.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 8``, if ``f`` or its derivative is not
            elementwise, or if either is NaN at a sample.
    """
    slope = _derivative(f)
    return _supremum(lambda x: slope(x).abs(), lo, hi, n)


def saturates(f: Function, tol: float = 1e-6) -> str:
    """Which sides saturate, one of :data:`SATURATION_SIDES`.

    A side saturates when ``|f′|`` is at most ``tol`` at ``|x| = 1e6``, ``1e7`` and ``1e8`` on
    that side: the derivative dies out, so a unit driven far that way passes back almost no
    gradient.
    ReLU saturates on the left (its gradient is exactly 0 there); Leaky ReLU does not.

    Args:
        f: the function, elementwise on float64 tensors and differentiable by autograd.
        tol: the largest ``|f′|`` that counts as saturated. Default: ``1e-6``.

    Returns:
        A string, one of :data:`SATURATION_SIDES`.

    Raises:
        ValueError: if ``f`` or its derivative is not elementwise, or if either is NaN at
            ``|x| = 1e6``, ``1e7`` or ``1e8``.
    """
    slope = _derivative(f)
    left = bool((slope(-_FAR).abs() <= tol).all())
    right = bool((slope(_FAR).abs() <= tol).all())
    return SATURATION_SIDES[left + 2 * right]


def exact_zero_fraction(
    f: Function, n: int = 100_000, seed: int = 0, dtype: torch.dtype = torch.float32
) -> float:
    """Share of exact zeros in ``f(X)`` for ``n`` standard normal samples ``X`` of ``dtype``.

    A Monte Carlo estimate (seeded, so repeatable) of the sparsity an activation gives a
    layer: 1/2 for ReLU, Φ(−3) ≈ 0.0013 for HardSwish, and 0 for SiLU and GELU, whose
    outputs are tiny but not zero for every input a float32 standard normal can produce.

    Args:
        f: the function, elementwise on tensors of ``dtype``.
        n: the number of samples. Default: ``100_000``.
        seed: the seed of the random generator. Default: ``0``.
        dtype: the floating dtype of the samples. Default: ``torch.float32``.

    Returns:
        A float from 0 to 1: the share of outputs equal to 0 (of either sign).

    Raises:
        ValueError: if ``f`` does not return a tensor of the shape of its input.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=generator, dtype=dtype)
    with torch.no_grad():
        y = f(x)
    if not isinstance(y, Tensor) or y.shape != x.shape:
        raise ValueError("f must be elementwise")
    return (y == 0).sum().item() / n


def minimum(
    f: Function, lo: float = LO, hi: float = HI, n: int = N
) -> tuple[float, float] | None:
    """``(x_min, f(x_min))``, the global minimum of ``f``, or ``None`` if it has none inside.

    ``None`` means the smallest sample of ``[lo, hi]`` lies at an end of the interval or a
    tail sample is smaller still: the infimum is approached at ±∞ (x³, Leaky ReLU) or taken
    on a whole half-line (ReLU, the step). Otherwise the location is refined on finer grids;
    for a smooth minimum it is accurate to about 1e-8 (f is flat there to within rounding)
    and the value to machine precision. Of several equal minima, the leftmost is returned.

    Args:
        f: the function, elementwise on float64 tensors.
        lo: the left end of the dense grid. Default: ``-10.0``.
        hi: the right end of the dense grid. Default: ``10.0``.
        n: the number of points of the dense grid, at least 8. Default: ``20_000``.

    Returns:
        A pair of floats ``(x_min, f(x_min))``, or ``None``.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 8``, if ``f`` is not elementwise, or if it is NaN
            at a sample.
    """
    x = _grid(lo, hi, n)
    y = _evaluate(f, x)
    i = int(torch.argmin(y))
    if i in (0, n - 1):
        return None
    x_min, minus_f = _zoom_max(lambda t: -_evaluate(f, t), x[i - 1].item(), x[i + 1].item())
    if _evaluate(f, _samples(lo, hi, n)).min().item() < -minus_f:
        return None
    return x_min, -minus_f


def properties(name: str) -> dict[str, Any]:
    """Every probe on registered activation ``name``, on :func:`scalar_function` (gated units
    with value 1, softmax against a zero logit), parameters at their defaults.

    Keys: ``name`` (canonical), ``monotonic``, ``smoothness``, ``range`` (lower, upper),
    ``zero_centred``, ``mean`` (E f(X), X ~ N(0, 1)), ``max_abs_derivative``, ``saturation``,
    ``exact_zero_fraction`` and ``minimum`` ((x, f) or None).

    Args:
        name: a canonical name or alias of the registry; a variant name gives its base
            activation, at the base's defaults.

    Returns:
        A dict with the keys above.

    Raises:
        KeyError: for an unknown name.
    """
    f = scalar_function(name)
    mean = mean_output(f)
    return {
        "name": info(name).name,
        "monotonic": is_monotonic(f),
        "smoothness": smoothness_class(f),
        "range": output_range(f),
        "zero_centred": abs(mean) <= _ZERO_MEAN_TOL,
        "mean": mean,
        "max_abs_derivative": max_abs_derivative(f),
        "saturation": saturates(f),
        "exact_zero_fraction": exact_zero_fraction(f),
        "minimum": minimum(f),
    }


def property_table(activations: list[str] | None = None) -> list[dict[str, Any]]:
    """:func:`properties` of each activation (default: all of :func:`actbook.names`, in order).

    Args:
        activations: canonical names or aliases of the registry. Default: ``None``, every
            canonical name in book order.

    Returns:
        A list of the dicts of :func:`properties`, in the order of ``activations``.
    """
    return [properties(name) for name in (names() if activations is None else activations)]
