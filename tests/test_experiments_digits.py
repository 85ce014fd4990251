"""Tests of the digits experiments: the data, the training run, its census of dead and stuck
units, what revives them, batch normalisation."""

from __future__ import annotations

import math

import pytest
import torch

from actbook.experiments import digits as D


def test_digits_data_is_split_and_standardised_on_the_training_set():
    x, y, x_test, y_test = D.digits_data(seed=0)
    assert x.shape == (1438, 64) and x_test.shape == (359, 64) and x.dtype == D.DTYPE
    assert y.shape == (1438,) and set(y.tolist()) == set(range(10))
    assert x.mean(dim=0).abs().max() < 1e-12
    spread = x.std(dim=0)
    assert ((spread - 1).abs() < 1e-12).sum() + (spread == 0).sum() == 64
    other = D.digits_data(seed=1)[0]
    assert not torch.equal(x, other)
    with pytest.raises(ValueError, match="test_share"):
        D.digits_data(test_share=1.0)


def test_train_digits_learns_and_counts_zeros_dead_units_and_slopes():
    relu = D.train_digits("relu", depth=2, width=16, epochs=3, lr=0.2)
    assert relu.losses[-1] < 0.5 * relu.losses[0] and relu.test_accuracy > 0.7
    assert len(relu.initial.dead) == len(relu.final.zeros) == 2 and relu.slopes == []
    assert 0.3 < relu.initial.zeros[0] < 0.7  # He weights, zero biases: about half
    assert all(0 <= d <= z <= 1 for d, z in zip(relu.final.dead, relu.final.zeros,
                                                 strict=True))
    leaky = D.train_digits("leaky_relu", depth=2, width=16, epochs=2)
    assert leaky.final.zeros == [0.0, 0.0] and leaky.final.dead == [0.0, 0.0]
    prelu = D.train_digits("prelu", depth=2, width=16, epochs=2)
    assert [len(s) for s in prelu.slopes] == [16, 16]
    assert any(abs(v - 0.25) > 1e-6 for s in prelu.slopes for v in s)  # they were learned
    again = D.train_digits("relu", depth=2, width=16, epochs=3, lr=0.2)
    assert again.losses == relu.losses  # seeded


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"depth": 0}, "depth"), ({"width": 0}, "width"), ({"batch_size": 0}, "batch_size"),
    ({"epochs": -1}, "epochs"), ({"epochs_after_step": -1}, "epochs_after_step"),
    ({"epochs_after_step": 1}, "needs a large_step"),
    ({"activation": "swiglu"}, "not an elementwise"),
])
def test_train_digits_rejects_bad_arguments(kwargs, message):
    arguments = {"activation": "relu", "depth": 1, "width": 4, "epochs": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        D.train_digits(**arguments)


def test_train_digits_perturbation_moves_a_calm_run_by_about_its_size():
    base = D.train_digits("relu", depth=2, width=16, epochs=2, lr=0.1)
    moved = D.train_digits("relu", depth=2, width=16, epochs=2, lr=0.1,
                           input_perturbation=1e-13)
    change = abs(moved.losses[-1] - base.losses[-1]) / base.losses[-1]
    assert 0 < change < 1e-9
    assert D.digits_sensitivity("relu", depth=2, width=16, epochs=2, lr=0.1) == change
    assert (base.n_train, base.steps) == (1438, 2 * 23)  # 23 batches of at most 64
    assert D.train_digits("relu", depth=2, width=16, epochs=2, lr=0.1).losses == base.losses


def test_one_large_step_kills_relu_units_and_no_leaky_ones():
    relu = D.train_digits("relu", depth=3, width=32, epochs=1, lr=0.05, large_step=30.0)
    assert relu.before_step is not None and len(relu.losses) == 3
    assert sum(relu.final.dead) > sum(relu.before_step.dead) + 0.1
    leaky = D.train_digits("leaky_relu", depth=3, width=32, epochs=1, lr=0.05, large_step=30.0)
    assert leaky.final.dead == [0.0, 0.0, 0.0]
    assert D.train_digits("relu", depth=1, width=4, epochs=0).before_step is None


def test_stuck_counts_dead_relu_units_and_leaky_units_on_their_negative_side():
    relu = D.train_digits("relu", depth=6, width=8, epochs=2, lr=0.1)
    assert relu.final.stuck == relu.final.dead and relu.initial.stuck == relu.initial.dead
    assert sum(relu.initial.dead) > 0  # narrow and deep: some units are born dead
    # the same weights under Leaky ReLU: no unit is dead, but units are on their negative side
    leaky = D.train_digits("leaky_relu", depth=6, width=8, epochs=0)
    assert leaky.initial.dead == [0.0] * 6 and sum(leaky.initial.stuck) > 0
    assert leaky.initial.stuck[0] == relu.initial.stuck[0]  # the first layer sees the same input


def test_changes_of_stuck_units_add_up_between_the_censuses():
    for run in (D.train_digits("relu", depth=6, width=8, epochs=3, lr=0.2),
                D.train_digits("relu", depth=3, width=32, epochs=1, lr=0.05, large_step=30.0,
                               epochs_after_step=2)):
        pairs = [(run.initial, run.since_start)]
        if run.after_step is not None:
            pairs.append((run.after_step, run.since_step))
        for before, change in pairs:
            for b, a, r, n in zip(before.stuck, run.final.stuck, change.revived,
                                  change.newly_stuck, strict=True):
                assert a == pytest.approx(b - r + n, abs=1e-12)
    assert sum(run.since_step.revived) > 0  # the step's dead units in deeper layers came back


def test_large_step_with_epochs_after_it_counts_steps_and_losses():
    run = D.train_digits("relu", depth=2, width=16, epochs=1, lr=0.05, large_step=5.0,
                         epochs_after_step=2)
    assert len(run.losses) == 1 + 1 + 1 + 2 and run.steps == 3 * 23
    assert run.before_step is not None and run.after_step is not None
    plain = D.train_digits("relu", depth=2, width=16, epochs=1, lr=0.05)
    assert plain.since_step is None and plain.after_step is None
    assert plain.losses == run.losses[:2]  # the same run up to the step


def test_batch_norm_normalises_the_pre_activations_and_trains():
    run = D.train_digits("relu", depth=3, width=16, epochs=2, lr=0.1, batch_norm=True)
    plain = D.train_digits("relu", depth=3, width=16, epochs=2, lr=0.1)
    assert run.batch_norm and not plain.batch_norm and run.losses != plain.losses
    assert run.losses[-1] < 0.7 * run.losses[0]
    # zero-mean pre-activations: about half the outputs are zero in every layer, none stuck
    assert all(0.3 < z < 0.7 for z in run.initial.zeros) and run.initial.stuck == [0.0] * 3


def test_a_diverged_run_says_so():
    assert D.train_digits("leaky_relu", depth=2, width=16, epochs=1, lr=10.0).diverged
    assert not D.train_digits("relu", depth=2, width=16, epochs=1).diverged


def test_step_summary_takes_medians_and_leaves_out_diverged_runs():
    kwargs = {"depth": 3, "width": 32, "epochs": 1, "lr": 0.05, "epochs_after_step": 1}
    runs = [D.train_digits("relu", seed=s, large_step=10.0, **kwargs) for s in (0, 1, 2)]
    summary = D.step_summary(runs)
    afters = sorted(sum(r.after_step.stuck) / 3 for r in runs)
    assert summary.after == afters[1] and summary.diverged == 0
    assert summary.after > summary.before and 0 < summary.test_accuracy <= 1
    news = sorted(sum(r.since_step.newly_stuck) / 3 for r in runs)
    assert summary.newly_stuck == news[1]
    blown = [D.train_digits("leaky_relu", depth=2, width=16, epochs=1, lr=10.0, large_step=1.0)]
    assert blown[0].diverged
    summary = D.step_summary(blown)
    assert summary.diverged == 1 and math.isnan(summary.final) and summary.after >= 0
    assert math.isnan(summary.newly_stuck)
    for bad in ([], [D.train_digits("relu", depth=1, width=4, epochs=0)]):
        with pytest.raises(ValueError, match="step_summary"):
            D.step_summary(bad)


def test_final_losses_are_those_of_the_runs_in_seed_order():
    kwargs = {"depth": 2, "width": 8, "epochs": 1, "lr": 0.1}
    losses = [D.train_digits("relu", seed=s, **kwargs).losses[-1] for s in (2, 0, 1)]
    assert D.final_losses("relu", (2, 0, 1), **kwargs) == losses
    with pytest.raises(ValueError, match="at least one seed"):
        D.final_losses("relu", ())


def test_the_census_counts_negative_outputs():
    relu = D.train_digits("relu", depth=2, width=16, epochs=1)
    silu = D.train_digits("silu", depth=2, width=16, epochs=1)
    assert relu.final.negative == [0.0, 0.0]
    assert all(0.2 < n < 0.8 for n in silu.initial.negative)  # about half the inputs < 0


def test_the_loss_along_a_line_starts_at_the_trained_loss_and_leaves_the_model_alone():
    run = D.train_digits("relu", depth=2, width=16, epochs=2, lr=0.1, keep_model=True)
    before = [p.clone() for p in run.model.parameters()]
    losses = D.loss_along_line(run.model, [-0.5, 0.0, 0.5])
    assert losses[1] == pytest.approx(run.losses[-1], rel=1e-12)
    assert min(losses[0], losses[2]) > losses[1]  # a trained network sits in a valley
    assert all(torch.equal(a, b) for a, b in zip(before, run.model.parameters(), strict=True))
    assert D.train_digits("relu", depth=1, width=4, epochs=0).model is None
    with pytest.raises(ValueError, match="at least one step"):
        D.loss_along_line(run.model, [])


def test_relus_curvature_along_a_line_jumps_and_a_smooth_ones_does_not():
    spreads = {}
    for name in ("relu", "gelu"):
        run = D.train_digits(name, depth=2, width=16, epochs=2, lr=0.1, keep_model=True)
        t, curvature = D.line_curvature(run.model, n_points=41)
        assert len(t) == len(curvature) == 39 and abs(t[19]) < 1e-12
        spreads[name] = ((curvature.max() - curvature.min()) / curvature.median()).item()
    assert spreads["relu"] > 3 * spreads["gelu"]
    with pytest.raises(ValueError, match="line_curvature"):
        D.line_curvature(run.model, n_points=2)
