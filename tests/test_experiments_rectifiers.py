"""Tests of the Chapter 3 experiments: SELU's constants, signal propagation, born-dead nets."""

from __future__ import annotations

import statistics

import mpmath
import pytest
import torch

from actbook import F
from actbook.experiments import rectifiers as R


def test_selu_constants_solved_numerically_agree_with_the_closed_form_and_pytorch():
    closed, solved = R.selu_constants_closed_form(), R.selu_constants_solved()
    assert abs(closed.alpha - solved.alpha) < mpmath.mpf("1e-25")
    assert abs(closed.scale - solved.scale) < mpmath.mpf("1e-25")
    assert float(closed.alpha) == F.SELU_ALPHA and float(closed.scale) == F.SELU_SCALE
    # the constants PyTorch documents, to its 10 digits
    assert f"{float(closed.alpha):.10f}" == "1.6732632424"
    assert f"{float(closed.scale):.10f}" == "1.0507009874"


def test_selu_constants_give_mean_zero_and_unit_variance():
    c = R.selu_constants_closed_form()
    with mpmath.workdps(30):
        def f(z):
            return c.scale * z if z > 0 else c.scale * c.alpha * mpmath.expm1(z)
        mean = mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        square = mpmath.quad(lambda z: f(z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
    assert abs(mean) < 1e-25 and abs(square - 1) < 1e-25


def test_he_initialisation_keeps_the_second_moment_and_xavier_halves_it():
    he = R.propagate("relu", 30, width=256, init="he")
    xavier = R.propagate("relu", 30, width=256, init="xavier")
    assert 0.3 < min(he.second_moment) and max(he.second_moment) < 3
    steps = [b / a for a, b in zip(xavier.second_moment, xavier.second_moment[1:], strict=False)]
    assert 0.4 < statistics.median(steps) < 0.6  # ReLU halves E[h^2] at variance 1/n
    assert he.grad_norm[-1] == xavier.grad_norm[-1] == 1.0
    assert xavier.grad_norm[0] < 1e-4 < 0.1 < he.grad_norm[0]  # sqrt(1/2) per layer


def test_selu_with_lecun_weights_self_normalises_from_either_side():
    fixed = R.propagate("selu", 32, width=128, init="lecun", n_samples=256)
    assert max(abs(m) for m in fixed.mean) < 0.05
    assert all(0.85 < v < 1.15 for v in fixed.variance)
    for start in (0.5, 2.0):
        drift = R.propagate("selu", 32, width=128, init="lecun", n_samples=256,
                            input_variance=start)
        assert abs(drift.variance[-1] - 1) < 0.1 < abs(drift.variance[0] - 1)
    tanh = R.propagate("tanh", 32, width=128, init="xavier", n_samples=256)
    assert tanh.variance[-1] < 0.1


def test_propagate_applies_the_dropout_it_is_given():
    def drop_everything(h, generator):
        return h * 0.0

    dropped = R.propagate("selu", 3, width=16, init="lecun", dropout=drop_everything)
    assert dropped.second_moment == [0.0, 0.0, 0.0] and dropped.grad_norm == [0.0, 0.0, 0.0]

    def halve(h, generator):
        return h * 0.5

    kept = R.propagate("relu", 3, width=16, init="he")
    halved = R.propagate("relu", 3, width=16, init="he", dropout=halve)
    assert halved.second_moment[0] == pytest.approx(kept.second_moment[0] / 4, rel=1e-12)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"depth": 0}, "depth >= 1"),
    ({"width": 0}, "width >= 1"),
    ({"input_variance": 0.0}, "input_variance"),
    ({"init": "kaiming"}, "init must be"),
])
def test_propagate_rejects_bad_arguments(kwargs, message):
    arguments = {"activation": "relu", "depth": 2, "width": 4} | kwargs
    with pytest.raises(ValueError, match=message):
        R.propagate(**arguments)


def test_deep_narrow_relu_networks_are_born_dead_and_wide_ones_are_not():
    shallow = R.born_dead_share(depth=5, width=2, n_networks=400)
    deep = R.born_dead_share(depth=50, width=2, n_networks=400)
    assert 0.0 < shallow < deep and deep > 0.95
    assert R.born_dead_share(depth=50, width=64, n_networks=50) == 0.0
    assert R.born_dead_share(depth=20, width=3, n_networks=100, seed=1) == \
        R.born_dead_share(depth=20, width=3, n_networks=100, seed=1)


@pytest.mark.parametrize("kwargs", [
    {"depth": 0, "width": 2}, {"depth": 2, "width": 0}, {"depth": 2, "width": 2, "n_inputs": 0},
    {"depth": 2, "width": 2, "n_networks": 0}, {"depth": 2, "width": 2, "bias_std": -1.0},
])
def test_born_dead_share_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="born_dead_share"):
        R.born_dead_share(**kwargs)


def test_alpha_dropout_keeps_selu_normalised_and_ordinary_dropout_does_not():
    def last_variance(drop):
        run = R.propagate("selu", 24, width=128, init="lecun", n_samples=256, dropout=drop)
        return statistics.mean(run.variance[-8:])

    assert abs(last_variance(R.alpha_dropout(0.1)) - 1) < 0.05
    assert last_variance(R.dropout(0.1)) > 1.3
    # the rates: nothing dropped at 0
    h = torch.randn(1000, dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    assert torch.equal(R.dropout(0.0)(h, generator), h)
    torch.testing.assert_close(R.alpha_dropout(0.0)(h, generator), h)
    dropped = R.dropout(0.5)(torch.ones(10_000, dtype=torch.float64), generator)
    assert set(dropped.unique().tolist()) == {0.0, 2.0} and abs(dropped.mean() - 1) < 0.05


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_dropouts_reject_rates_outside_zero_to_one(rate):
    with pytest.raises(ValueError, match="p must lie"):
        R.dropout(rate)
    with pytest.raises(ValueError, match="p must lie"):
        R.alpha_dropout(rate)


def test_the_single_input_formula_is_the_simulation_on_one_input_and_bounds_more_inputs():
    for depth, width in ((10, 2), (20, 3), (30, 4)):
        exact = R.born_dead_single_input(depth, width)
        simulated = R.born_dead_share(depth, width, n_networks=4000, n_inputs=1, seed=2)
        assert abs(simulated - exact) < 4 * (exact * (1 - exact) / 4000) ** 0.5
        assert R.born_dead_share(depth, width, n_networks=1000, n_inputs=64) < exact
    with pytest.raises(ValueError, match="born_dead_single_input"):
        R.born_dead_single_input(0, 2)


def test_layer_medians_take_the_median_of_each_layer_over_runs():
    assert R.layer_medians([[1.0, 5.0], [3.0, 4.0], [2.0, 9.0]]) == [2.0, 5.0]
    for bad in ([], [[1.0], [1.0, 2.0]]):
        with pytest.raises(ValueError, match="layer_medians"):
            R.layer_medians(bad)
