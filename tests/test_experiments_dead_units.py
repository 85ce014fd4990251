"""Tests of the dead-unit sweep: one point, a tiny grid through the command, the stored file."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from actbook.experiments import dead_units as U
from actbook.experiments.digits import train_digits

TINY = U.Grid(activations=("relu", "leaky_relu"), depths=(2, 6), widths=(8,), lrs=(0.1,),
              seeds=(0, 1), epochs=1)
STORED = Path(__file__).parents[1] / "benchmarks" / "experiments" / U.RESULT_NAME


def test_a_sweep_point_is_the_training_run_reduced_to_shares():
    point = U.sweep_point("relu", 6, 8, 0.1, 0, 1)
    run = train_digits("relu", 6, 8, lr=0.1, epochs=1, seed=0)
    assert point["dead"] == point["stuck"] == sum(run.final.dead) / 6
    assert point["born_stuck"] == sum(run.initial.stuck) / 6 > 0
    assert point["stuck"] == pytest.approx(point["born_stuck"] - point["revived"]
                                           + point["newly_stuck"])
    assert point["final_loss"] == run.losses[-1] and not point["diverged"]
    diverged = U.sweep_point("leaky_relu", 2, 16, 10.0, 0, 1)
    assert diverged["diverged"] and diverged["final_loss"] is None


def test_the_command_writes_a_sweep_that_loads_and_summarises(tmp_path, capsys):
    assert U.main(["--out", str(tmp_path), "--activations", "relu,leaky_relu", "--depths", "2,6",
                   "--widths", "8", "--lrs", "0.1", "--seeds", "0,1", "--epochs", "1"]) == 0
    assert "dead_units.json" in capsys.readouterr().err
    result = U.load_sweep(tmp_path / U.RESULT_NAME)
    assert result["grid"] == TINY and len(result["runs"]) == TINY.size == 8
    assert result["machine"]["torch"] and result["machine"]["cpu"]
    depths, medians, diverged = U.sweep_medians(result, "dead", "relu", "depth", width=8, lr=0.1)
    assert depths == [2, 6] and diverged == [0, 0]
    deep = [r["dead"] for r in result["runs"] if r["activation"] == "relu" and r["depth"] == 6]
    assert medians[1] == sorted(deep)[0] + (sorted(deep)[1] - sorted(deep)[0]) / 2
    assert U.sweep_medians(result, "dead", "leaky_relu", "depth", width=8, lr=0.1)[1] == [0, 0]


def test_reproduce_reruns_the_stored_points_it_is_asked_for():
    result = U.run_sweep(TINY)
    pairs = U.reproduce(result, activation="relu", depth=6)
    assert [stored["seed"] for stored, _ in pairs] == [0, 1]
    assert all(stored == again for stored, again in pairs)
    doctored = result | {"runs": [r | {"stuck": 1.0} for r in result["runs"]]}
    assert all(s["stuck"] != a["stuck"] for s, a in U.reproduce(doctored, depth=6))
    for where, message in (({}, "select points"), ({"epochs": 1}, "select points"),
                           ({"depth": 3}, "no stored point")):
        with pytest.raises(ValueError, match=message):
            U.reproduce(result, **where)


def test_sweep_medians_leave_out_diverged_runs(tmp_path):
    grid = U.Grid(("leaky_relu",), (2,), (16,), (10.0,), (0,), 1)
    result = U.run_sweep(grid)
    values, medians, diverged = U.sweep_medians(result, "stuck", "leaky_relu", "lr", depth=2,
                                                width=16)
    assert values == [10.0] and math.isnan(medians[0]) and diverged == [1]
    json.loads(U.write_sweep(result, tmp_path).read_text())  # strict JSON: no NaN


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"vary": "depth", "width": 8}, "fix the other two"),
    ({"vary": "seed", "width": 8, "lr": 0.1}, "vary one of"),
    ({"vary": "depth", "width": 9, "lr": 0.1}, "width=9 is not in the grid"),
    ({"vary": "depth", "width": 8, "lr": 0.1, "activation": "elu"}, "'elu' is not in the grid"),
])
def test_sweep_medians_reject_what_the_grid_does_not_have(kwargs, message):
    result = {"grid": TINY, "runs": []}
    arguments = {"activation": "relu", "quantity": "dead"} | kwargs
    with pytest.raises(ValueError, match=message):
        U.sweep_medians(result, **arguments)


@pytest.mark.parametrize(("change", "message"), [
    ({"depths": ()}, "depths must not be empty"), ({"widths": (0,)}, "widths >= 1"),
    ({"lrs": (-0.1,)}, "positive"), ({"epochs": -1}, "epochs >= 0"),
])
def test_a_grid_rejects_empty_or_impossible_axes(change, message):
    arguments = {f.name: getattr(TINY, f.name) for f in dataclasses.fields(TINY)} | change
    with pytest.raises(ValueError, match=message):
        U.Grid(**arguments)


def test_load_sweep_rejects_files_that_do_not_match_their_grid(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"grid": {}, "runs": []}))
    with pytest.raises(ValueError, match="lacks machine"):
        U.load_sweep(path)
    grid = {f.name: getattr(TINY, f.name) for f in dataclasses.fields(TINY)}
    path.write_text(json.dumps({"grid": grid, "machine": {}, "runs": [{}]}))
    with pytest.raises(ValueError, match="1 runs for a grid of 8"):
        U.load_sweep(path)


def test_the_command_rejects_a_malformed_list(capsys):
    with pytest.raises(SystemExit):
        U.main(["--depths", "2,x"])
    assert "comma-separated list of int" in capsys.readouterr().err


@pytest.mark.skipif(not STORED.exists(), reason="no stored sweep")
def test_the_stored_sweep_is_the_full_grid_and_its_first_point_reproduces():
    result = U.load_sweep(STORED)
    assert result["grid"] == U.FULL_GRID
    first = result["runs"][0]
    again = U.sweep_point(first["activation"], first["depth"], first["width"], first["lr"],
                          first["seed"], result["grid"].epochs)
    assert again["dead"] == first["dead"] and again["stuck"] == first["stuck"]
    assert again["final_loss"] == pytest.approx(first["final_loss"], rel=1e-9)
