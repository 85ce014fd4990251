"""actbook.analysis: each probe on functions whose answer is known, then the whole table.

References for minima and maximal slopes come from mpmath (50 digits), independently of
actbook's formulas; the expected table rows are the mathematical facts about each activation.
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
import torch

import actbook
from actbook import analysis as A
from actbook import functional as F
from actbook.accuracy.oracles import oracle

mp.mp.dps = 50
INF = math.inf
PHI_MINUS_3 = 0.5 * math.erfc(3.0 / math.sqrt(2.0))  # P(X <= -3), X ~ N(0, 1)
SELU_LEFT_SLOPE = F.SELU_SCALE * F.SELU_ALPHA  # selu'(0-) = λα, also -selu(-inf) / 1


def _mp_silu(x):
    return x / (1 + mp.exp(-x))


def _mp_gelu(x):
    return x * mp.ncdf(x)


def _mp_mish(x):
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def _reference_minimum(fn, guess: float) -> tuple[float, float]:
    x = mp.findroot(lambda t: mp.diff(fn, t), guess)
    return float(x), float(fn(x))


def _reference_max_slope(fn, guess: float) -> float:
    x = mp.findroot(lambda t: mp.diff(fn, t, 2), guess)
    return float(mp.diff(fn, x))


SILU_MIN = _reference_minimum(_mp_silu, -1.3)
GELU_MIN = _reference_minimum(_mp_gelu, -0.75)
MISH_MIN = _reference_minimum(_mp_mish, -1.2)
SILU_MAX_SLOPE = _reference_max_slope(_mp_silu, 2.4)
GELU_MAX_SLOPE = _reference_max_slope(_mp_gelu, 1.4)
MISH_MAX_SLOPE = _reference_max_slope(_mp_mish, 1.5)


def test_references_agree_with_closed_forms():
    # SiLU's minimum is at x = -1 - W(1/e) with value -W(1/e); GELU's slope peaks at x = √2.
    w = float(mp.lambertw(mp.exp(-1)))
    assert SILU_MIN == pytest.approx((-1 - w, -w), abs=1e-15)
    root2 = mp.sqrt(2)
    assert GELU_MAX_SLOPE == pytest.approx(float(mp.ncdf(root2) + root2 * mp.npdf(root2)))


def cube(x):
    return x**3


def square(x):
    return x * x


def x_abs_x(x):
    return x * x.abs()


def x2_abs_x(x):
    return x * x * x.abs()


def small_jump(x):
    return x + 1e-3 * (x > 0.3).to(x.dtype)


def faint_kink(x):
    return x + 1e-3 * x.abs()


def softsign(x):
    return x / (1 + x.abs())


def log_growth(x):
    return torch.log1p(torch.relu(x))


def negative_relu(x):
    return -torch.relu(-x)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (cube, True),
        (torch.neg, True),
        (square, False),
        (torch.sin, False),
        (F.sigmoid, True),
        (F.relu, True),
        (F.step, True),
        (F.star_relu, True),
        (F.silu, False),
        (F.gelu, False),
        (F.mish, False),
        (F.hardswish, False),
    ],
)
def test_is_monotonic(f, expected):
    assert A.is_monotonic(f) is expected


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (F.step, "discontinuous"),
        (torch.sign, "discontinuous"),
        (small_jump, "discontinuous"),
        (torch.abs, "C0"),
        (faint_kink, "C0"),
        (lambda x: torch.relu(x - 0.3), "C0"),
        (x_abs_x, "C1"),
        (x2_abs_x, "C2"),
        (torch.sin, "C∞"),
        (torch.exp, "C∞"),
        (cube, "C∞"),
        (F.elu, "C1"),
        (lambda x: F.elu(x, alpha=2.0), "C0"),
        (F.softplus, "C∞"),
    ],
)
def test_smoothness_class(f, expected):
    assert A.smoothness_class(f) == expected


@pytest.mark.parametrize(
    ("f", "expected", "tol"),
    [
        (F.sigmoid, (0.0, 1.0), 0.0),
        (torch.tanh, (-1.0, 1.0), 0.0),
        (F.relu6, (0.0, 6.0), 0.0),
        (F.relu, (0.0, INF), 0.0),
        (cube, (-INF, INF), 0.0),
        (torch.exp, (0.0, INF), 0.0),
        (square, (0.0, INF), 1e-15),
        (log_growth, (0.0, INF), 0.0),
        (softsign, (-1.0, 1.0), 1e-7),
        (torch.atan, (-math.pi / 2, math.pi / 2), 1e-7),
        (torch.sin, (-1.0, 1.0), 1e-15),
        (F.silu, (SILU_MIN[1], INF), 1e-15),
        (F.gelu, (GELU_MIN[1], INF), 1e-15),
    ],
)
def test_output_range(f, expected, tol):
    lower, upper = A.output_range(f)
    assert lower == pytest.approx(expected[0], abs=tol)
    assert upper == pytest.approx(expected[1], abs=tol)


@pytest.mark.parametrize(
    ("f", "expected", "tol"),
    [
        (F.relu, 1 / math.sqrt(2 * math.pi), 1e-7),  # E[max(0, X)] = φ(0)
        (F.gelu, 1 / (2 * math.sqrt(math.pi)), 1e-12),  # Stein: E[XΦ(X)] = E[φ(X)]
        (F.sigmoid, 0.5, 1e-12),  # σ(x) - 1/2 is odd
        (F.step, 0.5, 1e-12),
        (square, 1.0, 1e-12),
        (torch.sin, 0.0, 1e-12),
    ],
)
def test_mean_output(f, expected, tol):
    assert A.mean_output(f) == pytest.approx(expected, abs=tol)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (torch.tanh, True),
        (torch.sin, True),
        (F.selu, True),  # the self-normalising fixed point has mean 0
        (F.star_relu, True),  # s·E[ReLU(X)²] + b = 0 by construction
        (F.sigmoid, False),
        (F.relu, False),
        (F.leaky_relu, False),  # takes both signs, but its mean is 0.395
        (F.elu, False),
        (F.silu, False),
    ],
)
def test_is_zero_centred(f, expected):
    assert A.is_zero_centred(f) is expected


@pytest.mark.parametrize("shift, expected", [(1e-9, True), (1e-4, False), (-1e-4, False)])
def test_zero_centred_tolerance_is_one_in_a_million(shift, expected):
    """tanh shifted by a constant has mean equal to the shift: 1e-9 is within the default
    tolerance of 1e-6, 1e-4 is not (quadrature error ~1e-8 leaves both sides clear)."""
    assert A.is_zero_centred(lambda x: torch.tanh(x) + shift) is expected


@pytest.mark.parametrize(
    ("f", "expected", "tol"),
    [
        (F.sigmoid, 0.25, 1e-15),
        (torch.tanh, 1.0, 1e-15),
        (torch.sin, 1.0, 1e-15),
        (F.relu, 1.0, 0.0),
        (F.step, 0.0, 0.0),
        (F.hardswish, 1.5, 1e-9),  # the limit as x -> 3 from below
        (F.selu, SELU_LEFT_SLOPE, 1e-9),  # the limit as x -> 0 from below
        (F.softplus, 1.0, 0.0),  # approached as x -> +inf
        (F.squared_relu, INF, 0.0),
        (cube, INF, 0.0),
        (F.silu, SILU_MAX_SLOPE, 1e-14),
        (F.gelu, GELU_MAX_SLOPE, 1e-14),
        (F.mish, MISH_MAX_SLOPE, 1e-14),
    ],
)
def test_max_abs_derivative(f, expected, tol):
    assert A.max_abs_derivative(f) == pytest.approx(expected, abs=tol)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (F.sigmoid, "both"),
        (F.step, "both"),
        (F.relu6, "both"),
        (F.relu, "left"),
        (F.softplus, "left"),
        (F.elu, "left"),
        (torch.exp, "left"),
        (negative_relu, "right"),
        (F.leaky_relu, "none"),
        (cube, "none"),
        (torch.sin, "none"),
    ],
)
def test_saturates(f, expected):
    assert A.saturates(f) == expected


def test_exact_zero_fraction_exact_cases():
    assert A.exact_zero_fraction(torch.zeros_like) == 1.0
    assert A.exact_zero_fraction(torch.clone) == 0.0
    assert A.exact_zero_fraction(F.sigmoid) == 0.0


@pytest.mark.parametrize(("f", "p"), [(F.relu, 0.5), (F.step, 0.5), (F.hardswish, PHI_MINUS_3)])
def test_exact_zero_fraction_matches_probability(f, p):
    n = 100_000
    five_sigma = 5 * math.sqrt(p * (1 - p) / n)
    assert A.exact_zero_fraction(f, n=n) == pytest.approx(p, abs=five_sigma)


def test_exact_zero_fraction_is_seeded():
    first = A.exact_zero_fraction(F.relu, n=1000, seed=3)
    assert A.exact_zero_fraction(F.relu, n=1000, seed=3) == first
    assert A.exact_zero_fraction(F.relu, n=1000, seed=4) != first


@pytest.mark.parametrize(
    ("f", "expected", "x_tol"),
    [
        (square, (0.0, 0.0), 1e-7),
        (lambda x: (x - 1) ** 2 + 2, (1.0, 2.0), 1e-7),
        (torch.abs, (0.0, 0.0), 1e-12),  # a kink is located by value, to the grid's limit
        (F.hardswish, (-1.5, -0.375), 1e-7),
        (F.silu, SILU_MIN, 1e-7),
        (F.gelu, GELU_MIN, 1e-7),
        (F.mish, MISH_MIN, 1e-7),
    ],
)
def test_minimum(f, expected, x_tol):
    x_min, f_min = A.minimum(f)
    assert x_min == pytest.approx(expected[0], abs=x_tol)
    assert f_min == pytest.approx(expected[1], rel=1e-15, abs=1e-14)


@pytest.mark.parametrize("f", [F.relu, F.step, cube, F.sigmoid, F.star_relu, torch.neg])
def test_minimum_is_none_without_an_interior_minimum(f):
    assert A.minimum(f) is None


def test_minimum_is_none_when_a_tail_goes_lower():
    # Interior local minimum at 0 on [-10, 10], but f -> -inf beyond x = 20.
    assert A.minimum(lambda x: x * x - torch.relu(x - 20) ** 3) is None


def test_probes_return_plain_python_values():
    f = F.silu
    assert type(A.is_monotonic(f)) is bool
    assert type(A.is_zero_centred(f)) is bool
    assert type(A.smoothness_class(f)) is str
    assert type(A.saturates(f)) is str
    assert all(type(v) is float for v in A.output_range(f))
    assert all(type(v) is float for v in A.minimum(f))
    for probe in (A.mean_output, A.max_abs_derivative, A.exact_zero_fraction):
        assert type(probe(f)) is float


def test_probes_reject_non_elementwise_functions():
    with pytest.raises(ValueError, match="elementwise"):
        A.is_monotonic(torch.sum)
    with pytest.raises(ValueError, match="elementwise"):
        A.exact_zero_fraction(lambda x: x[:10])


def test_probes_report_nan():
    with pytest.raises(ValueError, match="NaN"):
        A.output_range(lambda x: torch.sqrt(x))


def test_bad_grid():
    with pytest.raises(ValueError, match="lo < hi"):
        A.is_monotonic(F.relu, lo=1.0, hi=-1.0)


def test_scalar_function_views():
    x = torch.linspace(-5, 5, 101, dtype=torch.float64)
    torch.testing.assert_close(A.scalar_function("softmax")(x), F.sigmoid(x))
    torch.testing.assert_close(A.scalar_function("swiglu")(x), F.silu(x))
    torch.testing.assert_close(A.scalar_function("bilinear")(x), x)
    assert A.scalar_function("gelu_new") is F.gelu_tanh


#: Minima of the scalar views whose range the oracles leave open, computed here with mpmath.
MINIMA = {
    "gelu": GELU_MIN[1],
    "silu": SILU_MIN[1],
    "swish": SILU_MIN[1],
    "mish": MISH_MIN[1],
    "geglu": GELU_MIN[1],
    "swiglu": SILU_MIN[1],
    "solu": SILU_MIN[1],  # its scalar view is SiLU
}


@pytest.fixture(scope="module")
def table():
    return {row["name"]: row for row in A.property_table()}


def test_property_table_covers_every_activation(table):
    assert list(table) == actbook.names()


@pytest.mark.parametrize("name", actbook.names())
def test_property_table_matches_the_oracle(table, name):
    """What analysis finds numerically is what the activation's oracle states."""
    row = table[name]
    known = oracle(name).properties
    monotonic, smoothness, saturation = known.monotonic, known.smoothness, known.saturation
    zero_centred, bounds = known.zero_centred, known.range
    if name in MINIMA:
        assert bounds is None
        bounds = (MINIMA[name], INF)
    assert row["monotonic"] is monotonic
    assert row["smoothness"] == smoothness
    assert row["saturation"] == saturation
    assert row["zero_centred"] is zero_centred
    if bounds is not None:
        assert row["range"] == pytest.approx(bounds, abs=1e-12)
    assert (row["minimum"] is None) is monotonic
    if row["minimum"] is not None:
        assert row["range"][0] == row["minimum"][1]


def test_properties_accepts_aliases():
    assert A.properties("quick_gelu")["name"] == "gelu_sigmoid"
    assert A.property_table(["relu2"])[0]["name"] == "squared_relu"
