"""Tests of the Chapter 4 experiments: the stochastic gate, GELU's approximations and their
constants, the minima of the smooth activations."""

from __future__ import annotations

import math

import mpmath
import pytest
import torch

from actbook import F, analysis
from actbook.experiments import smooth as S


def test_the_stochastic_gate_averages_to_gelu_within_its_band():
    x = torch.arange(-12, 13, dtype=torch.float64) / 4  # -3 to 3, with 0 exactly
    mean, half = S.stochastic_gate(x, n_samples=20_000, seed=1)
    inside = ((mean - F.gelu(x)).abs() <= half).double().mean().item()
    assert inside > 0.85  # a 95 % band: about 24 of 25 points
    assert half[12] == 0 and (half[:12] > 0).all()  # at x = 0 every draw is 0
    narrow = S.stochastic_gate(x, n_samples=80_000, seed=1)[1]
    torch.testing.assert_close(narrow[:12], half[:12] / 2, rtol=0.05, atol=0)
    with pytest.raises(ValueError, match="stochastic_gate"):
        S.stochastic_gate(x.reshape(5, 5))
    with pytest.raises(ValueError, match="stochastic_gate"):
        S.stochastic_gate(x, n_samples=1)


def test_gate_forms_with_the_published_constants_are_actbooks_approximations():
    x = torch.linspace(-5, 5, 101, dtype=torch.float64)
    torch.testing.assert_close(x * S.gate_form("tanh", x, 0.044715), F.gelu_tanh(x))
    torch.testing.assert_close(x * S.gate_form("sigmoid", x, 1.702), F.gelu_sigmoid(x))
    with pytest.raises(ValueError, match="gate_form"):
        S.gate_form("erf", x, 1.0)


def test_approximation_errors_are_the_largest_differences_and_where():
    tanh = S.approximation_error(F.gelu_tanh)
    sigmoid = S.approximation_error(F.gelu_sigmoid)
    assert 4e-4 < tanh.max_abs < 5e-4 and 1.5 < abs(tanh.at) < 3.5
    assert 0.015 < sigmoid.max_abs < 0.025 and 1.5 < abs(sigmoid.at) < 3.5
    exact = S.approximation_error(F.gelu, F.gelu)
    assert exact.max_abs == 0.0 and abs(exact.at) < 1e-12  # all tie: the point nearest 0
    with pytest.raises(ValueError, match="lo < hi"):
        S.approximation_error(F.gelu_tanh, lo=1.0, hi=1.0)


def test_the_published_constants_are_minimax_fits_to_the_distribution_function():
    assert S.fit_constant("tanh", "cdf", "minimax") == pytest.approx(0.044715, abs=5e-7)
    assert S.fit_constant("sigmoid", "cdf", "minimax") == pytest.approx(1.702, abs=1e-3)
    # fitted to GELU itself, or by least squares, they come out different
    assert abs(S.fit_constant("tanh", "gelu", "minimax") - 0.044715) > 1e-4
    assert abs(S.fit_constant("sigmoid", "gelu", "minimax") - 1.702) > 0.05
    assert abs(S.fit_constant("tanh", "cdf", "least_squares") - 0.044715) > 5e-5
    # a minimax constant does have the smallest largest error
    c = S.fit_constant("sigmoid", "cdf", "minimax")
    x = torch.linspace(-6, 6, 12_001, dtype=torch.float64)
    phi = 0.5 * torch.erfc(-x / math.sqrt(2))

    def worst(k):
        return (S.gate_form("sigmoid", x, k) - phi).abs().max().item()

    assert worst(c) < min(worst(c - 1e-3), worst(c + 1e-3))


@pytest.mark.parametrize(("args", "message"), [
    (("erf", "cdf", "minimax"), "unknown"), (("tanh", "phi", "minimax"), "unknown"),
    (("tanh", "cdf", "l1"), "unknown"),
])
def test_fit_constant_rejects_unknown_choices(args, message):
    with pytest.raises(ValueError, match=message):
        S.fit_constant(*args)


def test_silu_minimum_from_lambert_w_agrees_with_the_numerical_ones():
    x, value = S.silu_minimum_closed_form()
    with mpmath.workdps(30):
        assert abs(x * (1 / (1 + mpmath.exp(-x))) - value) < mpmath.mpf(10) ** -28
        assert abs(mpmath.exp(x) + 1 + x) < mpmath.mpf(10) ** -28  # the stationarity condition
    found_x, found_value = S.minimum_exact("silu")
    assert abs(found_x - x) < 1e-25 and abs(found_value - value) < 1e-25
    numeric = analysis.minimum(analysis.scalar_function("silu"))
    assert numeric[0] == pytest.approx(float(x), abs=1e-6)


def test_minima_of_gelu_and_mish_are_minima():
    for name, expected in (("gelu", -0.16997), ("mish", -0.30884)):
        x, value = S.minimum_exact(name)
        assert float(value) == pytest.approx(expected, abs=1e-5)
        f = analysis.scalar_function(name)
        near = torch.tensor([float(x) - 1e-3, float(x) + 1e-3], dtype=torch.float64)
        assert (f(near) > float(value)).all()
    with pytest.raises(ValueError, match="no minimum"):
        S.minimum_exact("tanh")  # tanh' > 0 everywhere


def test_running_the_wrong_gelu_changes_a_blocks_output_by_the_approximation_error():
    tanh = S.mismatch("gelu_tanh", "gelu")
    sigmoid = S.mismatch("gelu_sigmoid", "gelu")
    assert S.mismatch("gelu", "gelu") == 0.0
    assert 1e-5 < tanh < 1e-3 and 5e-3 < sigmoid < 5e-2
    assert S.mismatch("gelu_tanh", "gelu", seed=1) != tanh
    assert S.mismatch("gelu", "gelu_tanh") == pytest.approx(tanh, rel=1e-2)
    with pytest.raises(ValueError, match="at least 1"):
        S.mismatch("gelu_tanh", "gelu", hidden=0)
    with pytest.raises(KeyError):
        S.mismatch("gelu_wrong", "gelu")


def test_naive_mish_returns_zero_for_large_negative_inputs_and_stable_mish_does_not():
    x = torch.tensor([-30.0, -20.0, -1.0, 0.5, 100.0])
    naive = S.relative_error(S.mish_naive(x), "mish", x)
    stable = S.relative_error(F.mish(x), "mish", x)
    assert S.mish_naive(x)[:2].tolist() == [0.0, 0.0] and naive[:2].tolist() == [1.0, 1.0]
    assert (stable < 1e-6).all() and (naive[2:] < 1e-6).all()
    with pytest.raises(ValueError, match="differ in shape"):
        S.relative_error(x[:2], "mish", x)


def test_derivative_curves_match_the_closed_forms():
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    f, d1, d2 = S.derivative_curves("silu", x)
    sigma = torch.sigmoid(x)
    torch.testing.assert_close(f, x * sigma)
    torch.testing.assert_close(d1, sigma * (1 + x * (1 - sigma)))
    torch.testing.assert_close(d2, sigma * (1 - sigma) * (2 + x * (1 - 2 * sigma)))
    assert len(S.derivative_curves("gelu", x, order=3)) == 4
    for bad in ({"order": 0}, {"x": x.reshape(9, 9)}):
        with pytest.raises(ValueError, match="derivative_curves"):
            S.derivative_curves("relu", **({"x": x} | bad))
