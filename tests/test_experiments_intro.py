"""Tests of the Chapter 1 experiments (actbook.experiments.intro), each against an answer known
independently of the code under test."""

from __future__ import annotations

import math

import pytest
import torch

import actbook
from actbook.experiments import intro as I
from actbook.experiments.sigmoid_era import xor_data

DTYPE = torch.float64


# --- linear collapse -----------------------------------------------------------------------------


def test_compose_affine_matches_torch_sequential() -> None:
    layers = I.random_affine_layers(depth=5, width=7, seed=3)
    net = torch.nn.Sequential(*(torch.nn.Linear(7, 7, dtype=DTYPE) for _ in layers))
    with torch.no_grad():
        for linear, (w, b) in zip(net, layers, strict=True):
            linear.weight.copy_(w)
            linear.bias.copy_(b)
    x = torch.randn(50, 7, dtype=DTYPE)
    weight, bias = I.compose_affine(layers)
    with torch.no_grad():
        expected = net(x)
    torch.testing.assert_close(x @ weight.T + bias, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(I.run_layers(layers, x), expected, rtol=1e-12, atol=1e-12)


def test_compose_affine_of_two_layers_is_the_textbook_formula() -> None:
    (w1, b1), (w2, b2) = layers = I.random_affine_layers(depth=2, width=3, seed=0)
    weight, bias = I.compose_affine(layers)
    torch.testing.assert_close(weight, w2 @ w1)
    torch.testing.assert_close(bias, w2 @ b1 + b2)


def test_run_layers_puts_the_activation_between_layers_only() -> None:
    layers = [(torch.eye(2, dtype=DTYPE), torch.zeros(2, dtype=DTYPE))] * 2
    x = torch.tensor([[-1.0, 2.0]], dtype=DTYPE)
    # relu after the first layer only: the last layer's output keeps its sign
    torch.testing.assert_close(I.run_layers(layers, -x, actbook.get("relu")),
                               torch.tensor([[1.0, 0.0]], dtype=DTYPE))


def test_random_affine_layers_rejects_empty_stacks() -> None:
    with pytest.raises(ValueError):
        I.random_affine_layers(depth=0, width=3)


def test_affine_least_squares_recovers_an_exact_affine_map() -> None:
    g = torch.Generator().manual_seed(1)
    w = torch.randn(3, 4, generator=g, dtype=DTYPE)
    b = torch.randn(3, generator=g, dtype=DTYPE)
    x = torch.randn(40, 4, generator=g, dtype=DTYPE)
    fit_w, fit_b = I.affine_least_squares(x, x @ w.T + b)
    torch.testing.assert_close(fit_w, w)
    torch.testing.assert_close(fit_b, b)
    fit_w1, fit_b1 = I.affine_least_squares(x, x @ w[0] + b[0])
    torch.testing.assert_close(fit_w1, w[0])
    torch.testing.assert_close(fit_b1, b[0])


def test_linear_collapse_is_exact_and_the_activation_breaks_it() -> None:
    result = I.linear_collapse(depth=8, width=10, n_inputs=500, seed=2)
    assert result.max_abs_error < 1e-12 * result.output_scale
    assert 0.1 < result.nonlinear_residual <= 1.0


def test_linear_collapse_residual_vanishes_where_the_activation_is_nearly_linear() -> None:
    # tanh is linear to first order near 0: tiny inputs leave the stack almost affine
    result = I.linear_collapse(depth=4, width=6, n_inputs=500, input_scale=1e-5)
    assert result.nonlinear_residual < 1e-2


# --- XOR -----------------------------------------------------------------------------------------


def test_least_squares_on_xor_predicts_one_half_everywhere() -> None:
    x, y = xor_data()
    w, b = I.affine_least_squares(x, y)
    torch.testing.assert_close(w, torch.zeros(2, dtype=DTYPE), atol=1e-12, rtol=0)
    assert b.item() == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(("labels", "expected"), [
    ((0, 1, 1, 0), 0.75),  # XOR
    ((0, 0, 0, 1), 1.0),  # AND
    ((0, 1, 1, 1), 1.0),  # OR
    ((1, 0, 0, 1), 0.75),  # XNOR
    ((1, 1, 1, 1), 1.0),
])
def test_best_linear_accuracy_on_the_four_corners(labels: tuple[int, ...],
                                                  expected: float) -> None:
    x, _ = xor_data()
    assert I.best_linear_accuracy(x, torch.tensor(labels, dtype=DTYPE)) == expected


def test_best_linear_accuracy_is_never_beaten_by_random_directions() -> None:
    g = torch.Generator().manual_seed(0)
    for _ in range(10):
        x = torch.randn(7, 2, generator=g, dtype=DTYPE)
        y = (torch.rand(7, generator=g) < 0.5).to(DTYPE)
        exact = I.best_linear_accuracy(x, y)
        angles = torch.rand(4000, generator=g, dtype=DTYPE) * 2 * math.pi
        directions = torch.stack((angles.cos(), angles.sin()), dim=1)
        z = x @ directions.T  # (points, directions)
        # thresholds just below each projection: predicted[i, c, d] = z[i, d] > z[c, d] - 1e-9
        predicted = z[:, None, :] > z[None, :, :] - 1e-9
        best = (predicted == y.bool()[:, None, None]).to(DTYPE).mean(0).max().item()
        assert exact >= best - 1e-12
        assert exact >= max(y.mean().item(), 1 - y.mean().item())


def test_best_linear_accuracy_wants_planar_points() -> None:
    with pytest.raises(ValueError):
        I.best_linear_accuracy(torch.zeros(4, 3, dtype=DTYPE), torch.zeros(4, dtype=DTYPE))


def test_relu_xor_computes_xor() -> None:
    x, y = xor_data()
    torch.testing.assert_close(I.relu_xor(x), y)


def test_cross_entropy_with_logits_matches_torch_and_never_overflows() -> None:
    z = torch.tensor([-1000.0, -30.0, -1.0, 0.0, 2.5, 40.0, 1000.0], dtype=DTYPE)
    y = torch.tensor([0.0, 1.0, 0.3, 0.5, 1.0, 0.0, 1.0], dtype=DTYPE)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")
    torch.testing.assert_close(I.cross_entropy_with_logits(z, y), expected)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_train_xor_reaches_full_accuracy_and_is_repeatable(activation: str) -> None:
    x, y = xor_data()
    net, losses = I.train_xor(activation, hidden=8, steps=300, seed=0)
    assert ((net(x) > 0).to(DTYPE) == y).all()
    assert losses[-1] < 0.05 < losses[0]
    again, losses_again = I.train_xor(activation, hidden=8, steps=300, seed=0)
    assert losses == losses_again
    torch.testing.assert_close(again.w1, net.w1, rtol=0, atol=0)


# --- universal approximation ---------------------------------------------------------------------


def test_square_activation_is_stuck_at_the_best_quadratic() -> None:
    quadratic = I.polynomial_rmse(2)
    for width in (3, 16, 128):
        assert I.random_feature_rmse(torch.square, width) == pytest.approx(quadratic, rel=1e-8)


def test_identity_activation_gives_the_best_straight_line() -> None:
    line = I.polynomial_rmse(1)
    assert I.random_feature_rmse(lambda t: t, 64, seed=4) == pytest.approx(line, rel=1e-8)


def test_polynomial_rmse_of_degree_zero_is_the_spread_of_the_target() -> None:
    x = torch.linspace(-3.0, 3.0, 100_001, dtype=DTYPE)
    f = I.wiggly_target(x)
    assert I.polynomial_rmse(0) == pytest.approx((f - f.mean()).pow(2).mean().sqrt().item(),
                                                 rel=1e-2)
    assert I.polynomial_rmse(30) < 1e-2 < I.polynomial_rmse(3)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "gelu", "squared_relu", "step"])
def test_nonpolynomial_activations_improve_with_width(name: str) -> None:
    f = actbook.get(name)
    narrow, wide = I.random_feature_rmse(f, 8), I.random_feature_rmse(f, 128)
    assert wide < narrow / 5
    assert wide < 0.1 * I.polynomial_rmse(2)


def test_random_feature_fit_interpolates_the_training_points_when_wide() -> None:
    network = I.random_feature_fit(actbook.get("tanh"), 128)
    x = torch.linspace(-3.0, 3.0, 400, dtype=DTYPE)
    assert (network(x) - I.wiggly_target(x)).abs().max().item() < 1e-6


def test_random_feature_rmse_is_repeatable_and_seeded() -> None:
    relu = actbook.get("relu")
    assert I.random_feature_rmse(relu, 32, seed=1) == I.random_feature_rmse(relu, 32, seed=1)
    assert I.random_feature_rmse(relu, 32, seed=1) != I.random_feature_rmse(relu, 32, seed=2)


def test_approximation_curves_summarise_the_seeds() -> None:
    (curve,) = I.approximation_curves({"relu": actbook.get("relu")}, (4, 16), seeds=(0, 1, 2))
    assert curve.label == "relu" and curve.widths == (4, 16)
    for w, mean, low, high in zip(curve.widths, curve.rmse, curve.lowest, curve.highest,
                                  strict=True):
        errors = [I.random_feature_rmse(actbook.get("relu"), w, s) for s in (0, 1, 2)]
        assert mean == pytest.approx(sum(errors) / 3)
        assert (low, high) == (min(errors), max(errors))


def test_log_log_slope_reads_a_power_law() -> None:
    widths = (2, 4, 8, 16)
    curve = I.ApproximationCurve("x", widths, tuple(3.0 * w**-2.0 for w in widths), (), ())
    assert I.log_log_slope(curve, 2, 16) == pytest.approx(-2.0)


# --- the error surface of a single neuron --------------------------------------------------------


def test_neuron_loss_matches_a_direct_sum() -> None:
    x = torch.tensor(I.NEURON_INPUTS, dtype=DTYPE)
    y = torch.tensor(I.NEURON_TARGETS, dtype=DTYPE)
    w = torch.tensor([-1.5, 0.0, 2.0], dtype=DTYPE)
    square = I.neuron_loss(w, x, y, "square")
    cross = I.neuron_loss(w, x, y, "cross_entropy")
    for k, wk in enumerate(w.tolist()):
        p = [1 / (1 + math.exp(-wk * xi)) for xi in I.NEURON_INPUTS]
        assert square[k].item() == pytest.approx(
            sum((pi - yi) ** 2 for pi, yi in zip(p, I.NEURON_TARGETS, strict=True)))
        assert cross[k].item() == pytest.approx(-sum(
            yi * math.log(pi) + (1 - yi) * math.log(1 - pi)
            for pi, yi in zip(p, I.NEURON_TARGETS, strict=True)))
    with pytest.raises(ValueError):
        I.neuron_loss(w, x, y, "hinge")  # type: ignore[arg-type]


def test_square_loss_of_the_neuron_has_two_minima_and_cross_entropy_one() -> None:
    x = torch.tensor(I.NEURON_INPUTS, dtype=DTYPE)
    y = torch.tensor(I.NEURON_TARGETS, dtype=DTYPE)
    w = torch.linspace(-8.0, 8.0, 1601, dtype=DTYPE)
    square = I.neuron_loss(w, x, y, "square")
    cross = I.neuron_loss(w, x, y, "cross_entropy")
    minima = w[I.local_minimum_mask(square)]
    assert len(minima) == 2
    # each minimum is a zero of the analytic derivative sum 2 (p - y) p (1 - p) x
    for wm in minima.tolist():
        for dw in (-0.01, 0.01):
            p = torch.sigmoid((wm + dw) * x)
            assert (dw * (2 * (p - y) * p * (1 - p) * x).sum()).item() > 0
    assert int(I.local_minimum_mask(cross).sum()) == 1
    assert I.second_differences(square, 0.01).min() < 0
    assert I.second_differences(cross, 0.01).min() > 0


def test_axis_dataset_makes_the_loss_separable() -> None:
    inputs, targets = I.axis_dataset(I.NEURON_INPUTS, I.NEURON_TARGETS, 2)
    assert inputs.shape == (6, 2) and targets.shape == (6,)
    w = torch.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=DTYPE)
    x1 = torch.tensor(I.NEURON_INPUTS, dtype=DTYPE)
    y1 = torch.tensor(I.NEURON_TARGETS, dtype=DTYPE)
    for loss in ("square", "cross_entropy"):
        joint = I.neuron_loss(w, inputs, targets, loss)
        parts = I.neuron_loss(w[:, 0], x1, y1, loss) + I.neuron_loss(w[:, 1], x1, y1, loss)
        torch.testing.assert_close(joint, parts)


def test_local_minimum_mask_on_known_surfaces() -> None:
    t = torch.linspace(-1.0, 1.0, 41, dtype=DTYPE)
    bowl = t[:, None] ** 2 + t[None, :] ** 2
    assert I.local_minimum_mask(bowl).nonzero().tolist() == [[20, 20]]
    assert not I.local_minimum_mask(torch.ones(5, 5, dtype=DTYPE)).any()
    s = torch.linspace(0.0, 4 * math.pi, 401, dtype=DTYPE)
    # cos has minima at pi and 3 pi inside (0, 4 pi); 2-D product has 2 x 2 minima
    assert int(I.local_minimum_mask(torch.cos(s)).sum()) == 2
    egg_box = torch.cos(s)[:, None] + torch.cos(s)[None, :]
    assert int(I.local_minimum_mask(egg_box).sum()) == 4


@pytest.mark.parametrize(("dim", "expected"), [(1, 2), (2, 4), (3, 8)])
def test_surface_minima_multiply_with_dimension(dim: int, expected: int) -> None:
    points = 61 if dim < 3 else 46
    assert I.surface_minima(dim, "square", points=points) == expected
    assert I.surface_minima(dim, "cross_entropy", points=points) == 1


def test_second_differences_of_a_parabola() -> None:
    x = torch.linspace(-2.0, 2.0, 41, dtype=DTYPE)
    torch.testing.assert_close(I.second_differences(3 * x * x, 0.1),
                               torch.full((39,), 6.0, dtype=DTYPE))


# --- table and timeline --------------------------------------------------------------------


def test_property_markdown_formats_each_column() -> None:
    row = {"name": "relu", "monotonic": True, "smoothness": "C0", "range": (0.0, math.inf),
           "zero_centred": False, "max_abs_derivative": 1.0, "saturation": "left",
           "exact_zero_fraction": 0.50017}
    other = dict(row, name="gelu", monotonic=False, smoothness="C∞",
                 range=(-0.16997120747990369, math.inf), max_abs_derivative=1.128904,
                 exact_zero_fraction=0.0)
    lines = I.property_markdown([row, other]).splitlines()
    assert len(lines) == 4 and lines[1] == "|---" * 8 + "|"
    assert lines[2] == "| ReLU | yes | C{sup}`0` | 0\u00a0to\u00a0∞ | no | 1 | left | 50\u202f% |"
    assert lines[3] == "| GELU | no | C{sup}`∞` | −0.17\u00a0to\u00a0∞ | no | 1.13 | left | 0 |"
    step = dict(row, name="step", smoothness="discontinuous", range=(0.0, 1.0))
    assert "| Binary step | yes | jumps | 0\u00a0to\u00a01 |" in I.property_markdown([step])


def test_timeline_is_ordered_and_complete() -> None:
    entries = I.timeline()
    assert sorted(e.name for e in entries) == sorted(actbook.names())
    years = [e.year for e in entries]
    assert years == sorted(years)
    assert entries[0].name == "step" and entries[0].year == 1943
    relu = next(e for e in entries if e.name == "relu")
    assert relu.citation == actbook.info("relu").citation


def test_xor_accuracy_counts_signs():
    """relu(x1 + x2) − 2 relu(x1 + x2 − 1) − 1/2 has a positive logit exactly on XOR's ones;
    its negation is wrong everywhere."""
    x, y = xor_data()
    w1 = torch.ones(2, 2, dtype=torch.float64)
    b1 = torch.tensor([0.0, -1.0], dtype=torch.float64)
    w2 = torch.tensor([1.0, -2.0], dtype=torch.float64)
    b2 = torch.tensor(-0.5, dtype=torch.float64)
    assert I.xor_accuracy(I.TwoLayerNet("relu", w1, b1, w2, b2), x, y) == 1.0
    assert I.xor_accuracy(I.TwoLayerNet("relu", w1, b1, -w2, -b2), x, y) == 0.0
