"""Chapter 4 (the smooth activations): GELU as the expectation of a stochastic gate, its two
approximations and where their constants come from, and the minima of SiLU, GELU and Mish.

The questions are mathematical, so everything runs in float64 (or with mpmath) from seeded
generators, and the printed results are the same on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import mpmath
import torch
from torch import Tensor

from actbook import F
from actbook import _numerics as N

__all__ = [
    "DTYPE",
    "ApproximationError",
    "approximation_error",
    "derivative_curves",
    "fit_constant",
    "gate_form",
    "minimum_exact",
    "mish_naive",
    "mismatch",
    "relative_error",
    "silu_minimum_closed_form",
    "stochastic_gate",
]

#: The dtype of the chapter's experiments.
DTYPE = torch.float64
#: The two approximations of Φ in GELU's constants: ½(1 + tanh(√(2/π)(x + c·x³))) and σ(c·x).
Form = Literal["tanh", "sigmoid"]
#: What a constant is fitted to: the distribution function Φ, or GELU, x·Φ(x).
Target = Literal["cdf", "gelu"]
#: How a constant is fitted: least squares on a uniform grid, or the smallest largest error.
Criterion = Literal["least_squares", "minimax"]


def stochastic_gate(x: Tensor, n_samples: int = 10_000, seed: int = 0) -> tuple[Tensor, Tensor]:
    r"""Monte-Carlo estimate of GELU as an expected gate: the mean of :math:`x\,m` over draws
    :math:`m \sim \mathrm{Bernoulli}(\Phi(x))`, with the half-width of its 95 % confidence
    interval.

    Hendrycks & Gimpel motivate GELU this way: multiply the input by 0 or 1 at random, more
    likely 1 the larger the input, and take the expectation, :math:`x\,\Phi(x)`.

    Args:
        x: the points, a 1-D float tensor.
        n_samples: draws per point, at least 2 (default 10,000).
        seed: the seed of the draws (default 0).

    Returns:
        tuple[Tensor, Tensor]: the sample means and 1.96 times their standard errors, in
        float64, of the shape of ``x``.

    Raises:
        ValueError: if ``x`` is not 1-D or ``n_samples`` is below 2.

    Examples::

        >>> x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
        >>> mean, half = stochastic_gate(x)
        >>> bool(((mean - F.gelu(x)).abs() < half).all())
        True
    """
    if x.dim() != 1 or n_samples < 2:
        raise ValueError(f"stochastic_gate: need a 1-D x and n_samples >= 2, got shape "
                         f"{tuple(x.shape)} and {n_samples}")
    x = x.to(DTYPE)
    keep = N.normal_cdf(x)
    generator = torch.Generator().manual_seed(seed)
    draws = torch.rand(n_samples, len(x), generator=generator, dtype=DTYPE) < keep
    samples = x * draws
    return samples.mean(dim=0), 1.96 * samples.std(dim=0) / math.sqrt(n_samples)


def gate_form(form: Form, x: Tensor, constant: float) -> Tensor:
    r"""An approximation of :math:`\Phi(x)` with its constant left free:
    :math:`\tfrac12(1 + \tanh(\sqrt{2/\pi}\,(x + c x^3)))` for ``"tanh"`` and
    :math:`\sigma(c x)` for ``"sigmoid"``. With :math:`c = 0.044715` and :math:`c = 1.702`,
    times x, these are GELU's two approximations (Hendrycks & Gimpel 2016).

    Args:
        form: ``"tanh"`` or ``"sigmoid"``.
        x: the points, a float tensor.
        constant: c.

    Returns:
        Tensor: the approximation of Φ at ``x``.

    Raises:
        ValueError: if ``form`` is neither.
    """
    if form == "tanh":
        return 0.5 * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + constant * x**3)))
    if form == "sigmoid":
        return torch.sigmoid(constant * x)
    raise ValueError(f"gate_form: form must be 'tanh' or 'sigmoid', got {form!r}")


@dataclass(frozen=True)
class ApproximationError:
    """The largest absolute error of an approximation on a grid, and where it is.

    Args:
        max_abs: the largest absolute error.
        at: the point where it occurs (the one of smallest absolute value if several).
    """

    max_abs: float
    at: float


def _grid(lo: float, hi: float, n: int) -> Tensor:
    if not lo < hi or n < 2:
        raise ValueError(f"need lo < hi and n >= 2, got {lo}, {hi}, {n}")
    return torch.linspace(lo, hi, n, dtype=DTYPE)


def approximation_error(approx: Callable[[Tensor], Tensor],
                        exact: Callable[[Tensor], Tensor] = F.gelu, lo: float = -8.0,
                        hi: float = 8.0, n: int = 160_001) -> ApproximationError:
    """The largest absolute difference between two functions on a uniform grid, in float64.

    Args:
        approx: the approximation, a function of a float64 tensor, e.g. ``F.gelu_tanh``.
        exact: the function it approximates (default: the exact GELU, ``F.gelu``).
        lo: the left end of the grid (default -8).
        hi: the right end (default 8).
        n: the number of points, at least 2 (default 160,001: a step of 1e-4).

    Returns:
        ApproximationError: the largest error and where it occurs.

    Raises:
        ValueError: if ``lo >= hi`` or ``n < 2``.

    Examples::

        >>> error = approximation_error(F.gelu_tanh)
        >>> f"{error.max_abs:.1e}"
        '4.7e-04'
    """
    x = _grid(lo, hi, n)
    error = (approx(x) - exact(x)).abs()
    largest = error.max()
    where = x[error == largest]
    return ApproximationError(largest.item(), where[where.abs().argmin()].item())


_BRACKETS = {"tanh": (0.0, 0.1), "sigmoid": (1.0, 2.5)}


def fit_constant(form: Form, target: Target = "cdf", criterion: Criterion = "minimax",
                 lo: float = -6.0, hi: float = 6.0, n: int = 12_001) -> float:
    r"""The constant of :func:`gate_form` fitted on a uniform grid of ``[lo, hi]``.

    With ``target="cdf"`` the form approximates :math:`\Phi(x)`; with ``"gelu"``, x times the
    form approximates :math:`x\,\Phi(x)`. ``"least_squares"`` minimises the mean squared error
    on the grid, ``"minimax"`` the largest absolute error, each by bounded scalar minimisation
    (``scipy.optimize.minimize_scalar``) to near float64 precision.

    Args:
        form: ``"tanh"`` (c of x + c·x³) or ``"sigmoid"`` (c of σ(c·x)).
        target: ``"cdf"`` (the default) or ``"gelu"``.
        criterion: ``"minimax"`` (the default) or ``"least_squares"``.
        lo: the left end of the grid (default -6).
        hi: the right end (default 6).
        n: the number of points, at least 2 (default 12,001).

    Returns:
        float: the fitted constant.

    Raises:
        ValueError: if ``form``, ``target`` or ``criterion`` is unknown, ``lo >= hi`` or
            ``n < 2``.
    """
    from scipy.optimize import minimize_scalar

    if form not in _BRACKETS or target not in ("cdf", "gelu") or criterion not in (
            "least_squares", "minimax"):
        raise ValueError(f"fit_constant: unknown form, target or criterion: {form!r}, "
                         f"{target!r}, {criterion!r}")
    x = _grid(lo, hi, n)
    phi = N.normal_cdf(x)
    scale = x if target == "gelu" else torch.ones_like(x)

    def loss(c: float) -> float:
        error = scale * (gate_form(form, x, c) - phi)
        return (error.abs().max() if criterion == "minimax" else error.pow(2).mean()).item()

    result = minimize_scalar(loss, bounds=_BRACKETS[form], method="bounded",
                             options={"xatol": 1e-12})
    return float(result.x)


def silu_minimum_closed_form(digits: int = 30) -> tuple[mpmath.mpf, mpmath.mpf]:
    r"""Where SiLU, :math:`x\,\sigma(x)`, has its minimum, and its value there, with Lambert's W.

    The derivative :math:`\sigma(x)(1 + x(1 - \sigma(x)))` vanishes where
    :math:`e^x = -(1 + x)`; with :math:`y = -(1 + x)` that is :math:`y e^y = 1/e`, so
    :math:`x^* = -1 - W_0(1/e)`, and since :math:`\sigma(x^*) = (1 + x^*)/x^*` there, the value
    is :math:`x^* + 1 = -W_0(1/e)`.

    Args:
        digits: significant digits of the mpmath computation (default 30).

    Returns:
        tuple[mpmath.mpf, mpmath.mpf]: x* ≈ −1.2785 and SiLU(x*) ≈ −0.2785.

    Examples::

        >>> x, value = silu_minimum_closed_form()
        >>> f"{float(x):.6f} {float(value):.6f}"
        '-1.278465 -0.278465'
    """
    with mpmath.workdps(digits):
        w = mpmath.lambertw(1 / mpmath.e).real
        return +(-1 - w), +(-w)


def minimum_exact(name: str, start: float = -1.0, digits: int = 30,
                  ) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The minimum of an elementwise activation to ``digits`` digits: a root of its derivative
    found by :func:`mpmath.findroot` from ``start``, on the 50-digit reference of
    :mod:`actbook.accuracy.exact`.

    Args:
        name: a registered elementwise activation with a smooth minimum (``"silu"``,
            ``"gelu"``, ``"mish"``, ...).
        start: where the root search starts (default -1).
        digits: significant digits (default 30).

    Returns:
        tuple[mpmath.mpf, mpmath.mpf]: where the minimum is and the value there.

    Raises:
        ValueError: if no root of the derivative is found from ``start``, or the one found is
            not a minimum (the second derivative is not positive there).
    """
    from actbook.accuracy.exact import EXACT
    from actbook.registry import canonical_name

    f = EXACT[canonical_name(name)]
    with mpmath.workdps(digits + 10):
        try:
            x = mpmath.findroot(lambda t: mpmath.diff(f, t), mpmath.mpf(start))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"minimum_exact: found no minimum of {name!r} from {start}: its "
                             f"derivative has no root there") from None
        if not mpmath.diff(f, x, 2) > 0:
            raise ValueError(f"minimum_exact: {name!r} has no minimum at {float(x)}")
        value = f(x)
    with mpmath.workdps(digits):
        return +x, +value


def mismatch(used: str, intended: str, d_model: int = 256, hidden: int = 1024,
             n_tokens: int = 512, seed: int = 0) -> float:
    r"""The relative change of a random feed-forward block's output when it runs activation
    ``used`` instead of the ``intended`` one: the silent error of a configuration that names
    the wrong GELU.

    The block is :math:`y = f(x W_1) W_2` with :math:`x` standard normal (``n_tokens`` ×
    ``d_model``), :math:`W_1 \sim \mathcal N(0, 1/d_{\text{model}})` and
    :math:`W_2 \sim \mathcal N(0, 1/\text{hidden})`, in float64; the result is
    :math:`\lVert y_{\text{used}} - y_{\text{intended}}\rVert / \lVert y_{\text{intended}}\rVert`.

    Args:
        used: the registered name of the activation the block runs (e.g. ``"gelu_tanh"``).
        intended: the one it was trained with (e.g. ``"gelu"``).
        d_model: the block's input and output width (default 256).
        hidden: its hidden width (default 1024).
        n_tokens: the number of inputs (default 512).
        seed: the seed of the inputs and weights (default 0).

    Returns:
        float: the relative error of the output, 0 if ``used`` is ``intended``.

    Raises:
        ValueError: if a size is below 1.

    Examples::

        >>> mismatch("gelu", "gelu")
        0.0
        >>> 1e-5 < mismatch("gelu_tanh", "gelu") < 1e-3 < mismatch("gelu_sigmoid", "gelu")
        True
    """
    from actbook.registry import get

    if min(d_model, hidden, n_tokens) < 1:
        raise ValueError(f"mismatch: sizes must be at least 1, got {d_model}, {hidden}, "
                         f"{n_tokens}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n_tokens, d_model, generator=generator, dtype=DTYPE)
    w1 = torch.randn(d_model, hidden, generator=generator, dtype=DTYPE) / math.sqrt(d_model)
    w2 = torch.randn(hidden, d_model, generator=generator, dtype=DTYPE) / math.sqrt(hidden)
    a = x @ w1
    y_used, y_intended = get(used)(a) @ w2, get(intended)(a) @ w2
    return ((y_used - y_intended).norm() / y_intended.norm()).item()


def mish_naive(x: Tensor) -> Tensor:
    r"""Mish written as its definition, :math:`x \tanh(\log(1 + e^x))`, in the dtype of ``x``.

    For large negative x, :math:`1 + e^x` rounds to 1 and the logarithm to 0, so the result is
    0 where Mish is :math:`\approx x e^x`: in float32 from about x = -17. (For large positive x
    it does not overflow: :math:`e^x` becomes inf, the logarithm inf and the tanh 1.) Compare
    :func:`actbook.functional.mish`, which uses a stable softplus.

    Args:
        x: the input, a floating-point tensor.

    Returns:
        Tensor: the naive Mish, of the shape and dtype of ``x``.
    """
    return x * torch.tanh(torch.log(1 + torch.exp(x)))


def relative_error(values: Tensor, name: str, x: Tensor) -> Tensor:
    """The relative error of ``values``, computed at ``x``, against the 50-digit reference of
    activation ``name`` (:mod:`actbook.accuracy.exact`).

    Args:
        values: the results to judge, of the shape of ``x``.
        name: the registered elementwise activation they compute.
        x: the points, finite floats.

    Returns:
        Tensor: :math:`|v - f(x)| / |f(x)|` in float64 (0 where both are 0).

    Raises:
        ValueError: if ``values`` and ``x`` differ in shape.
    """
    from actbook.accuracy.exact import exact_reference

    if values.shape != x.shape:
        raise ValueError(f"relative_error: values {tuple(values.shape)} and x "
                         f"{tuple(x.shape)} differ in shape")
    hi, lo = exact_reference(name, x.double().flatten().numpy())
    exact = torch.from_numpy(hi).reshape(x.shape)
    difference = (values.double() - exact - torch.from_numpy(lo).reshape(x.shape)).abs()
    return torch.where(exact == 0, difference, difference / exact.abs())


def derivative_curves(name: str, x: Tensor, order: int = 2) -> list[Tensor]:
    """An activation and its derivatives up to ``order`` at ``x``, by automatic
    differentiation in float64.

    At a kink (ReLU at 0) autograd returns one of the one-sided values; elsewhere the
    derivatives are exact up to rounding.

    Args:
        name: a registered elementwise activation.
        x: the points, a 1-D tensor.
        order: the highest derivative, at least 1 (default 2).

    Returns:
        list[Tensor]: ``[f(x), f'(x), ..., f^(order)(x)]`` in float64.

    Raises:
        ValueError: if ``order`` is below 1 or ``x`` is not 1-D.

    Examples::

        >>> x = torch.tensor([-1.0, 1.0], dtype=torch.float64)
        >>> [c.tolist() for c in derivative_curves("relu", x)]
        [[0.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    """
    from actbook.registry import get

    if order < 1 or x.dim() != 1:
        raise ValueError(f"derivative_curves: need order >= 1 and a 1-D x, got {order} and "
                         f"shape {tuple(x.shape)}")
    t = x.detach().to(DTYPE).requires_grad_(True)
    curves = [get(name)(t)]
    for _ in range(order):
        (grad,) = torch.autograd.grad(curves[-1].sum(), t, create_graph=True)
        curves.append(grad)
    return [c.detach() for c in curves]
