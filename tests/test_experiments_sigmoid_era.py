"""Tests of the Chapter 2 experiments: perceptron, gradient flow, zig-zag, timing, softmax."""

from __future__ import annotations

import itertools
import math
import time

import pytest
import torch

import actbook
from actbook.experiments import sigmoid_era as S

# --- threshold units and the perceptron ----------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "threshold", "logic"),
    [((1.0, 1.0), 2.0, lambda a, b: a and b), ((1.0, 1.0), 1.0, lambda a, b: a or b),
     ((-1.0, -1.0), 0.0, lambda a, b: not (a or b))],
)
def test_threshold_unit_computes_logic(weights, threshold, logic):
    x, _ = S.xor_data()
    out = S.threshold_unit(x, torch.tensor(weights, dtype=x.dtype), threshold)
    expected = [float(logic(bool(a), bool(b))) for a, b in x.tolist()]
    assert out.tolist() == expected


def test_xor_data_labels():
    x, y = S.xor_data()
    assert y.tolist() == [float(int(a) ^ int(b)) for a, b in x.tolist()]


def test_separable_data_respects_margin_and_labels():
    x, y = S.separable_data(n=60, margin=0.1, seed=3, normal=(1.0, 2.0), offset=1.0)
    distance = (x @ torch.tensor([1.0, 2.0], dtype=x.dtype) - 1.0) / math.sqrt(5.0)
    assert x.shape == (60, 2) and y.shape == (60,)
    assert (distance.abs() >= 0.1).all()
    assert torch.equal(y, (distance > 0).to(y.dtype))
    assert 0 < y.mean() < 1
    assert torch.equal(x, S.separable_data(n=60, margin=0.1, seed=3)[0])


def test_perceptron_single_update_by_hand():
    # w = 0 predicts step(0) = 1 for the point x = 2 of label 0: one update w -= (2, 1),
    # after which w·(2, 1) = -5 < 0 predicts 0 and the second epoch makes no mistake.
    run = S.perceptron_train(torch.tensor([[2.0]]), torch.tensor([0.0]), epochs=10)
    assert run.errors == [1, 0] and run.converged
    assert run.weights.tolist() == [-2.0, -1.0]
    assert run.history.tolist() == [[0.0, 0.0], [-2.0, -1.0], [-2.0, -1.0]]


def test_perceptron_converges_within_novikoff_bound():
    x, y = S.separable_data(n=60, margin=0.1, seed=1)
    run = S.perceptron_train(x, y, epochs=100)
    assert run.converged and run.errors[-1] == 0
    predictions = actbook.F.step(torch.cat([x, torch.ones(60, 1, dtype=x.dtype)], 1) @ run.weights)
    assert torch.equal(predictions, y)
    assert sum(run.errors) <= S.mistake_bound(x, (1.0, 2.0), 1.0)
    assert len(run.history) == len(run.errors) + 1


def test_perceptron_cycles_on_xor():
    x, y = S.xor_data()
    run = S.perceptron_train(x, y, epochs=30)
    assert not run.converged and min(run.errors) > 0 and len(run.errors) == 30
    cycle = S.find_cycle(run.history)
    assert cycle is not None
    start, period = cycle
    assert torch.equal(run.history[start], run.history[start + period])
    # a deterministic rule from a repeated state repeats for ever
    assert torch.equal(run.history[-1], run.history[-1 - period])


@pytest.mark.parametrize("bad", [dict(epochs=0), dict(y=torch.zeros(3))])
def test_perceptron_rejects_bad_arguments(bad):
    x, y = S.xor_data()
    kwargs = dict(x=x, y=y, epochs=5) | bad
    with pytest.raises(ValueError):
        S.perceptron_train(**kwargs)


def test_find_cycle_by_hand():
    rows = torch.tensor([[0.0], [1.0], [2.0], [1.0], [2.0]])
    assert S.find_cycle(rows) == (1, 2)
    assert S.find_cycle(torch.tensor([[0.0], [1.0], [2.0]])) is None


def test_mistake_bound_by_hand():
    # augmented points (±1, 0, 1), u = (1, 0, 0): R = √2, γ = 1, bound 2.
    x = torch.tensor([[1.0, 0.0], [-1.0, 0.0]], dtype=torch.float64)
    assert S.mistake_bound(x, (1.0, 0.0), 0.0) == pytest.approx(2.0)


# --- gradient flow -------------------------------------------------------------------------------


def test_initialisations_have_the_stated_scale():
    torch.manual_seed(0)
    model = S._MLP(torch.tanh, 200, depth=2, width=300)
    S._initialise(model, "xavier", gain=1.0)
    bound = math.sqrt(6.0 / (200 + 300))
    assert model.hidden[0].weight.abs().max() <= bound
    assert model.hidden[0].weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    S._initialise(model, "he", gain=1.0)
    assert model.hidden[1].weight.std().item() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    assert all((layer.bias == 0).all() for layer in model.hidden)
    with pytest.raises(ValueError):
        S._initialise(model, "lecun", gain=1.0)  # type: ignore[arg-type]


def test_gradient_flow_matches_autograd_on_a_rebuilt_network():
    flow = S.gradient_flow("tanh", depth=2, width=8, seed=5, n_samples=32, in_features=4)
    torch.manual_seed(5)
    model = S._MLP(actbook.get("tanh"), 4, 2, 8)
    S._initialise(model, "xavier", 1.0)
    x, y = S._teacher_task(32, 4, torch.Generator().manual_seed(5))
    torch.nn.functional.mse_loss(model(x), y).backward()
    assert flow.initial_grad_norms == pytest.approx([m.weight.grad.norm().item()
                                                     for m in model.hidden])


def test_gradient_flow_vanishes_for_sigmoid_not_for_tanh_or_relu():
    ratios = {}
    for name, init in (("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")):
        norms = S.gradient_flow(name, depth=10, width=32, init=init).initial_grad_norms
        assert len(norms) == 10
        ratios[name] = norms[0] / norms[-1]
    assert ratios["sigmoid"] < 1e-4
    assert ratios["tanh"] > 1e-2 and ratios["relu"] > 1e-2


def test_gradient_flow_without_steps_and_determinism():
    flow = S.gradient_flow("sigmoid", depth=3, width=8, seed=2)
    assert flow.final_grad_norms == flow.initial_grad_norms
    assert flow.relative_change == [0.0, 0.0, 0.0] and len(flow.losses) == 1
    assert S.gradient_flow("sigmoid", depth=3, width=8, seed=2) == flow
    assert S.gradient_flow("sigmoid", depth=3, width=8, seed=3) != flow


def test_gradient_flow_training_reduces_loss_and_moves_weights():
    state = torch.get_rng_state()
    flow = S.gradient_flow("tanh", depth=3, width=16, steps=20, lr=0.1)
    assert torch.equal(torch.get_rng_state(), state)
    assert len(flow.losses) == 21 and flow.losses[-1] < flow.losses[0]
    _, y = S._teacher_task(256, 16, torch.Generator().manual_seed(0))
    assert flow.constant_loss == pytest.approx(y.var(unbiased=False).item())
    assert all(c > 0 for c in flow.relative_change)


def test_gradient_flow_final_norms_are_those_after_training():
    """The final gradient norms are measured at the trained weights, not copied from the start:
    one more step from the same network, rebuilt by hand, reproduces them."""
    flow = S.gradient_flow("tanh", depth=2, width=8, seed=5, n_samples=32, in_features=4,
                           steps=3, lr=0.1)
    torch.manual_seed(5)
    model = S._MLP(actbook.get("tanh"), 4, 2, 8)
    S._initialise(model, "xavier", 1.0)
    x, y = S._teacher_task(32, 4, torch.Generator().manual_seed(5))
    for step in range(4):  # three steps, then the gradient at the trained weights
        model.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        norms = [m.weight.grad.norm().item() for m in model.hidden]
        if step < 3:
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
    assert flow.final_grad_norms == pytest.approx(norms, rel=1e-12)
    assert flow.final_grad_norms != pytest.approx(flow.initial_grad_norms, rel=1e-3)


def test_gradient_flow_over_seeds_takes_medians():
    kwargs = dict(width=8, steps=4, lr=0.05, n_samples=32, in_features=4)
    summary = S.gradient_flow_over_seeds("tanh", 3, (0, 1, 2), **kwargs)
    runs = [S.gradient_flow("tanh", 3, seed=seed, **kwargs) for seed in (0, 1, 2)]
    assert summary.runs == tuple(runs) and summary.seeds == (0, 1, 2)
    assert summary.final_loss == sorted(r.losses[-1] for r in runs)[1]
    assert summary.constant_loss == sorted(r.constant_loss for r in runs)[1]
    assert summary.losses[0] == sorted(r.losses[0] for r in runs)[1]
    assert summary.relative_change[2] == sorted(r.relative_change[2] for r in runs)[1]
    assert summary.min_change == sorted(min(r.relative_change) for r in runs)[1]
    with pytest.raises(ValueError, match="seed"):
        S.gradient_flow_over_seeds("tanh", 3, ())


def test_input_perturbation_changes_the_inputs_by_the_relative_amount():
    base = S.gradient_flow("relu", 2, width=4, n_samples=16, in_features=3)
    moved = S.gradient_flow("relu", 2, width=4, n_samples=16, in_features=3,
                            input_perturbation=1e-6)
    assert moved.losses[0] != base.losses[0]
    assert moved.losses[0] == pytest.approx(base.losses[0], rel=1e-4)


def test_rounding_sensitivity_tells_a_smooth_run_from_a_chaotic_one():
    """Chapter 2's training run (step 0.005) moves as little as its inputs; the same tanh
    network at step 0.02, at the edge of stability, amplifies a 1e-13 change by a factor of
    at least a million (a change in the 14th digit reaches the 7th or earlier)."""
    training = dict(width=64, steps=200, n_samples=128, init="xavier")
    assert S.rounding_sensitivity("tanh", 20, lr=0.005, **training) < 1e-9
    assert S.rounding_sensitivity("tanh", 20, lr=0.02, **training) > 1e-7


@pytest.mark.parametrize("bad", [dict(depth=0), dict(steps=-1), dict(init="lecun")])
def test_gradient_flow_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        S.gradient_flow(**(dict(activation="relu", depth=2, width=4) | bad))


# --- zig-zag -------------------------------------------------------------------------------------


def test_zigzag_data_kinds():
    xs, ys = S.zigzag_data("sigmoid", n=100)
    xc, yc = S.zigzag_data("sigmoid_centred", n=100)
    xt, _ = S.zigzag_data("tanh", n=100)
    assert (xs > 0).all() and (xt.abs() < 1).all()
    torch.testing.assert_close(xc, xs - 0.5)
    # w* = (1, -1) cancels the mean: both problems have the same targets
    torch.testing.assert_close(yc, ys)
    torch.testing.assert_close(ys, xs[:, 0] - xs[:, 1])
    with pytest.raises(ValueError):
        S.zigzag_data("relu")  # type: ignore[arg-type]


def test_second_moment_eigenvalues():
    x = torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, -2.0], [-1.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(S.second_moment_eigenvalues(x), torch.tensor(
        [0.5, 2.0], dtype=torch.float64))
    positive = S.second_moment_eigenvalues(S.zigzag_data("sigmoid")[0])
    centred = S.second_moment_eigenvalues(S.zigzag_data("sigmoid_centred")[0])
    assert positive[1] / positive[0] > 5 > 1.5 > centred[1] / centred[0]


def test_zigzag_step_is_the_autograd_gradient_step():
    x, y = S.zigzag_data("sigmoid", n=16)
    run = S.zigzag_descent(x, y, steps=1, lr=0.3, start=(0.2, 0.4))
    w = torch.tensor([0.2, 0.4], dtype=torch.float64, requires_grad=True)
    (0.5 * ((x @ w - y) ** 2).mean()).backward()
    torch.testing.assert_close(run.path[1], (w - 0.3 * w.grad).detach())
    assert run.losses[1] == pytest.approx(0.5 * ((x @ run.path[1] - y) ** 2).mean().item())


def test_single_example_steps_on_positive_inputs_always_share_a_sign():
    x, y = S.zigzag_data("sigmoid")
    assert S.zigzag_descent(x, y, steps=200, lr=0.5, batch_size=1).same_sign_fraction == 1.0
    xc, yc = S.zigzag_data("sigmoid_centred")
    assert S.zigzag_descent(xc, yc, steps=200, lr=0.5, batch_size=1).same_sign_fraction < 0.8


def test_full_batch_descent_converges_slower_on_positive_inputs():
    steps = {}
    for kind in ("sigmoid", "sigmoid_centred"):
        x, y = S.zigzag_data(kind)
        low, high = S.second_moment_eigenvalues(x).tolist()
        run = S.zigzag_descent(x, y, steps=200, lr=2 / (low + high))
        assert all(b <= a for a, b in itertools.pairwise(run.losses))
        torch.testing.assert_close(run.path[-1], torch.tensor([1.0, -1.0], dtype=x.dtype))
        steps[kind] = S.steps_to_reach(run.losses, 1e-4 * run.losses[0])
    assert steps["sigmoid"] > 5 * steps["sigmoid_centred"]


def test_zigzag_descent_bad_arguments_and_no_steps():
    x, y = S.zigzag_data("tanh", n=8)
    assert math.isnan(S.zigzag_descent(x, y, steps=0, lr=1.0).same_sign_fraction)
    with pytest.raises(ValueError):
        S.zigzag_descent(x, y, steps=3, lr=0.0)


def test_steps_to_reach():
    assert S.steps_to_reach([4.0, 2.0, 1.0, 0.5], 1.0) == 2
    assert S.steps_to_reach([4.0, 2.0], 1.0) is None


# --- cost and softmax ----------------------------------------------------------------------------


def test_time_elementwise_returns_times_and_restores_threads():
    threads = torch.get_num_threads()
    times = S.time_elementwise({"relu": torch.relu, "exp": torch.exp}, numel=1024, repeats=3)
    assert set(times) == {"relu", "exp"}
    assert all(t > 0 and math.isfinite(t) for t in times.values())
    assert torch.get_num_threads() == threads


def test_time_elementwise_measures_the_call():
    """A function that sleeps 2 ms takes at least 2 ms and longer than ReLU on 1024 values."""
    def slow(x):
        time.sleep(0.002)
        return x

    times = S.time_elementwise({"relu": torch.relu, "slow": slow}, numel=1024, repeats=3)
    assert times["slow"] >= 0.002 > times["relu"]


def test_naive_softmax_agrees_when_small_and_overflows_when_large():
    x = torch.randn(5, 7)
    torch.testing.assert_close(S.naive_softmax(x), actbook.F.softmax(x, dim=-1))
    large = torch.tensor([1000.0, 0.0])
    assert torch.isnan(S.naive_softmax(large)).any()
    assert not torch.isnan(actbook.F.softmax(large, dim=-1)).any()


def test_entropy():
    assert S.entropy(torch.full((8,), 1 / 8)).item() == pytest.approx(math.log(8))
    assert S.entropy(torch.tensor([0.0, 1.0, 0.0])).item() == 0.0
    p = torch.tensor([[0.25, 0.75]])
    assert S.entropy(p).item() == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))


def test_first_to_last_is_the_ratio_of_the_end_layers():
    flow = S.gradient_flow("sigmoid", depth=4, width=8, seed=1)
    assert flow.first_to_last == flow.initial_grad_norms[0] / flow.initial_grad_norms[-1]


def test_zigzag_comparison_and_table():
    r = S.zigzag_comparison("sigmoid", n=64, seed=0, steps=200)
    low, high = S.second_moment_eigenvalues(r.z).tolist()
    assert r.condition == pytest.approx(high / low)
    assert r.sgd_lr == pytest.approx(1.0 / (r.z**2).sum(dim=1).max().item())
    assert r.gd_steps == S.steps_to_reach(r.gd.losses, 1e-4 * r.gd.losses[0])
    assert r.sgd.same_sign_fraction == 1.0  # single examples, all-positive inputs
    centred = S.zigzag_comparison("sigmoid_centred", n=64, seed=0, steps=200)
    assert centred.condition < r.condition
    lines = S.zigzag_table({"sigma(u)": r, "centred": centred}).splitlines()
    assert len(lines) == 4 and lines[2].startswith("sigma(u)") and "100\u202f%" in lines[2]
    assert lines[2].split()[-2:] == [str(r.gd_steps), str(r.sgd_steps)]


def test_softmax_entropy_runs_from_zero_to_log_k() -> None:
    logits = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0], dtype=torch.float64)
    assert S.softmax_entropy(logits, 0.01) < 1e-30
    assert S.softmax_entropy(logits, 1e6) == pytest.approx(math.log(5), abs=1e-6)
    values = [S.softmax_entropy(logits, t) for t in (0.1, 0.5, 1.0, 2.0, 10.0)]
    assert values == sorted(values)  # rises with the temperature
    uniform = torch.zeros(4, dtype=torch.float64)
    assert S.softmax_entropy(uniform, 0.3) == pytest.approx(math.log(4), rel=1e-15)


def test_saturated_share_counts_slopes_below_a_tenth_of_the_maximum():
    # sigmoid: slope 1/4 at 0; below 1/40 where sigma(1 - sigma) < 0.025, |x| > 3.636...
    edge = 2 * math.atanh(math.sqrt(1 - 4 * 0.025))  # sigma'(x) = 0.025 exactly here
    x = torch.tensor([0.0, edge - 1e-6, edge + 1e-6, -10.0], dtype=torch.float64)
    assert S.saturated_share("sigmoid", x) == 0.5
    assert S.saturated_share("relu", torch.tensor([-1.0, -1e-30, 2.0, 3.0])) == 0.5
    assert S.saturated_share("tanh", torch.zeros(7)) == 0.0


def test_gradient_flow_records_saturation_per_layer_before_and_after_training():
    flow = S.gradient_flow("tanh", 4, width=8, gain=4.0, steps=2, lr=0.01, n_samples=32)
    assert len(flow.initial_saturation) == len(flow.final_saturation) == 4
    assert all(0.0 <= s <= 1.0 for s in flow.initial_saturation + flow.final_saturation)
    # weights four times too large put a large share of the units where tanh is flat
    assert min(flow.initial_saturation[1:]) > 0.3
    gentle = S.gradient_flow("tanh", 4, width=8, n_samples=32)
    assert max(gentle.initial_saturation[1:]) < 0.05
    medians = S.gradient_flow_over_seeds("tanh", 3, (0, 1, 2), width=8, n_samples=16)
    assert medians.final_saturation == [
        sorted(r.final_saturation[layer] for r in medians.runs)[1] for layer in range(3)]


def test_cross_entropy_gradient_is_p_minus_one_hot():
    logits = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 3, 1, 1, 2])
    autograd, closed_form = S.cross_entropy_gradient(logits, target)
    torch.testing.assert_close(autograd, closed_form, rtol=0, atol=1e-15)
    p = torch.softmax(logits, dim=-1)
    assert math.isclose(closed_form[1, 3], p[1, 3] - 1, abs_tol=1e-15)
    assert math.isclose(closed_form[1, 0], p[1, 0], abs_tol=1e-15)
    torch.testing.assert_close(closed_form.sum(dim=1), torch.zeros(5, dtype=torch.float64),
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize(("logits", "target", "message"), [
    (torch.zeros(3, 4), torch.zeros(2, dtype=torch.long), "need logits"),
    (torch.zeros(4), torch.zeros(4, dtype=torch.long), "need logits"),
    (torch.zeros(3, 4), torch.zeros(3), "integer classes"),
    (torch.zeros(3, 4), torch.tensor([0, 4, 1]), r"\[0, 4\)"),
    (torch.zeros(3, 4), torch.tensor([0, -1, 1]), r"\[0, 4\)"),
])
def test_cross_entropy_gradient_rejects_what_does_not_fit(logits, target, message):
    with pytest.raises(ValueError, match=message):
        S.cross_entropy_gradient(logits, target)


def test_lecun_tanh_maps_plus_minus_one_to_themselves_and_is_a_scaled_tanh():
    x = torch.linspace(-5, 5, 101, dtype=torch.float64)
    torch.testing.assert_close(S.lecun_tanh(x), 1.7159 * torch.tanh(2 * x / 3),
                               rtol=1e-4, atol=0)
    ones = S.lecun_tanh(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    torch.testing.assert_close(ones, torch.tensor([-1.0, 1.0], dtype=torch.float64),
                               rtol=0, atol=1e-15)
    # the curvature |f''| peaks at 1.5 atanh(1/sqrt(3)), close to 1 as the paper says
    grid = torch.linspace(0, 3, 30001, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(S.lecun_tanh(grid).sum(), grid, create_graph=True)
    (curvature,) = torch.autograd.grad(slope.sum(), grid)
    peak = grid[curvature.abs().argmax()].item()
    assert abs(peak - 1.5 * math.atanh(1 / math.sqrt(3))) < 2e-4 and abs(peak - 1) < 0.02
