"""Tests of Chapter 6's experiments: hard forms, StarReLU's constants, squared ReLU as a tied
ReGLU, 8-bit errors with heavy tails and an outlier channel, the sparsity command and its stored
file, and the row-skipping timing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from actbook import F
from actbook.experiments import hardware as H
from actbook.experiments import sparsity as S
from actbook.experiments import tiny_lm as L
from actbook.experiments.smooth import approximation_error

TINY = L.LMConfig(d_model=12, n_layer=2, n_head=2, context=16, batch=4, steps=6, warmup=2,
                  eval_every=3)
STORED = Path(__file__).parents[1] / "benchmarks" / "experiments" / S.RESULT_NAME


def test_the_hard_forms_match_their_closed_form_errors():
    # ReLU6(x+3)/6 - σ is largest where σ'(x) = 1/6: σ(x)(1 - σ(x)) = 1/6
    at = math.log((3 + math.sqrt(3)) / (3 - math.sqrt(3)))  # σ(at) = (3 + √3)/6
    expected = (3 + math.sqrt(3)) / 6 - (at + 3) / 6
    error = approximation_error(F.hardsigmoid, torch.sigmoid)
    assert error.max_abs == pytest.approx(expected, abs=1e-8)
    assert abs(error.at) == pytest.approx(at, abs=1e-3)
    keras2 = approximation_error(H.hard_sigmoid_keras2, torch.sigmoid)
    assert keras2.max_abs == pytest.approx(1 - 1 / (1 + math.exp(-2.5)), abs=1e-12)
    swish = approximation_error(F.hardswish, F.silu)
    assert swish.max_abs == pytest.approx(3 - 3 / (1 + math.exp(-3)), abs=1e-12)


def test_the_best_hard_sigmoid_slope_beats_both_framework_slopes():
    slope, error = H.best_hard_sigmoid_slope()
    assert 1 / 6 < slope < 1 / 5
    for fn in H.HARD_SIGMOIDS.values():
        assert error.max_abs < approximation_error(fn, torch.sigmoid).max_abs
    interior, corner = H.hard_sigmoid_error_parts(slope)  # the best slope balances the two
    assert interior == pytest.approx(corner, abs=H.SLOPE_GRID_STEP)
    # a grid misses the exact extremum by at most about slope × step
    assert -1e-15 < max(interior, corner) - error.max_abs < slope * H.SLOPE_GRID_STEP


def test_the_hard_sigmoid_error_is_the_larger_of_its_interior_and_corner_parts():
    parts = {}
    for slope in (0.12, 1 / 6, 0.18, 1 / 5, 0.24):
        parts[slope] = H.hard_sigmoid_error_parts(slope)
        grid = approximation_error(lambda x, a=slope: (a * x + 0.5).clamp(0.0, 1.0),
                                   torch.sigmoid)
        assert -1e-15 < max(parts[slope]) - grid.max_abs < slope * 1e-4  # the grid step
    interiors, corners = zip(*parts.values(), strict=True)
    assert list(interiors) == sorted(interiors, reverse=True)
    assert list(corners) == sorted(corners)
    assert parts[1 / 6][0] > parts[1 / 6][1] and parts[1 / 5][0] < parts[1 / 5][1]
    with pytest.raises(ValueError, match="slope"):
        H.hard_sigmoid_error_parts(0.25)


def test_star_relu_constants_are_two_and_minus_one_over_root_five():
    c = H.star_relu_constants()
    assert c.second_moment == pytest.approx(0.5, abs=1e-25)
    assert c.fourth_moment == pytest.approx(1.5, abs=1e-25)
    assert float(c.scale) == pytest.approx(2 / math.sqrt(5), rel=1e-15)
    assert float(c.bias) == pytest.approx(-1 / math.sqrt(5), rel=1e-15)
    assert float(c.scale) == pytest.approx(F.STAR_RELU_SCALE, rel=1e-15)
    mean, var = H.star_relu_sampled(n=200_000)
    assert abs(mean) < 0.01 and abs(var - 1) < 0.02


def test_a_tied_reglu_is_a_squared_relu_block_but_an_untied_one_is_not():
    assert H.tied_reglu_equals_squared_relu()
    z = torch.randn(100, dtype=torch.float64)
    assert not torch.equal(F.reglu(z, z.flip(0)), F.squared_relu(z))


def test_quadratic_gain_is_the_eigenvalues_of_the_symmetrised_outer_product():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(5, generator=g, dtype=torch.float64)
    b = torch.randn(5, generator=g, dtype=torch.float64)
    a, b = a / a.norm(), b / b.norm()
    m = (torch.outer(a, b) + torch.outer(b, a)) / 2
    eig = torch.linalg.eigvalsh(m)
    lo, hi = H.quadratic_gain((a @ b).item())
    assert eig[0].item() == pytest.approx(lo) and eig[-1].item() == pytest.approx(hi)
    with pytest.raises(ValueError, match="cosine"):
        H.quadratic_gain(1.5)


def test_int8_error_grows_with_heavier_tails_and_fp8_error_does_not():
    rows = H.heavy_tail_errors(degrees=(None, 3), n=1 << 14)
    assert rows[3]["peak_to_rms"] > rows[None]["peak_to_rms"]
    assert rows[3]["int8"] > 3 * rows[None]["int8"]
    for fmt in ("e4m3", "e5m2"):
        assert rows[3][fmt] == pytest.approx(rows[None][fmt], rel=0.2)
    with pytest.raises(ValueError, match="degree"):
        H.student_t(0, 10)


def test_outlier_channel_breaks_delayed_and_int8_tensor_scaling_but_not_per_channel():
    rows = H.outlier_channel(norms=(1, 16, 256), tokens=512)
    first, mid, last = rows
    assert mid.peak_ratio > 100 * first.peak_ratio
    assert mid.overall_error["e4m3", "delayed"] > 0.5 > 10 * mid.overall_error["e4m3", "tensor"]
    assert mid.saturated["e4m3", "delayed"] > 0 == mid.saturated["e4m3", "tensor"]
    assert mid.median_error["int8", "tensor"] > 0.5
    assert last.median_error["e4m3", "tensor"] > 2 * first.median_error["e4m3", "tensor"]
    # past r = 256 the tokens whose gate turns the outlier off lose their output
    assert first.large_error_share["e4m3", "tensor"] == 0
    assert 0.3 < last.large_error_share["e4m3", "tensor"] < 0.7
    for row in rows:
        assert row.median_error["e4m3", "channel"] < 0.04
        assert row.median_error["int8", "channel"] < 0.05
        assert row.large_error_share["e4m3", "channel"] == 0
    aligned = H.outlier_channel(norms=(1, 16), tokens=512)[1].peak_ratio
    orthogonal = H.outlier_channel(norms=(1, 16), tokens=512, cosine=0.0)[1].peak_ratio
    assert aligned > orthogonal


def test_the_clamped_unit_bounds_the_outlier_and_int8_error_stays_small():
    rows = H.outlier_channel(norms=(1, 16, 256), tokens=512, unit="clamped_swiglu")
    assert rows[1].peak_ratio == pytest.approx(rows[2].peak_ratio)  # clamped: no more growth
    assert rows[2].peak_ratio < 10 < H.outlier_channel(norms=(1, 16), tokens=512)[1].peak_ratio
    for row in rows:
        assert row.median_error["int8", "tensor"] < 0.2
    with pytest.raises(ValueError, match="unit must be"):
        H.outlier_channel(norms=(1,), unit="relu")


# --- sparsity ----------------------------------------------------------------------------------


def test_hidden_activations_are_the_inputs_of_w_out():
    model = L.TinyLM("ReLU", TINY)
    tokens = torch.randint(256, (2, 16))
    hidden = S.hidden_activations(model, tokens)
    assert len(hidden) == 2 and hidden[0].shape == (2, 16, 48)
    assert (hidden[0] >= 0).all() and (hidden[0] == 0).any()


def test_sparsity_counts_zeros_and_rows_a_batch_needs():
    heldout = L.corpus_split()[1]
    model = L.TinyLM("dReLU", TINY)
    layers = S.measure_sparsity(model, heldout, windows=8, batch_sizes=(1, 2, 8))
    for layer in layers:
        assert 0 < layer["zero_share"] < 1
        assert layer["rows_needed"]["1"] == pytest.approx(1 - layer["zero_share"])
        assert layer["rows_needed"]["1"] <= layer["rows_needed"]["2"] <= layer["rows_needed"]["8"]
        assert layer["independent_rows"]["1"] == pytest.approx(layer["rows_needed"]["1"])
        assert layer["alignment"] is not None and 0 <= layer["alignment"] <= 1
    gelu = S.measure_sparsity(L.TinyLM("GELU", TINY), heldout, windows=4, batch_sizes=(1,))
    assert gelu[0]["zero_share"] == 0 and gelu[0]["alignment"] is None
    with pytest.raises(ValueError, match="do not divide"):
        S.measure_sparsity(model, heldout, windows=8, batch_sizes=(3,))


def test_the_sparsity_command_writes_a_record_and_reproduce_reruns_it(tmp_path):
    assert S.main(["--out", str(tmp_path), "--variants", "ReLU2,SwiGLU", "--seeds", "0",
                   "--steps", "6", "--d-model", "12", "--n-layer", "1", "--context", "16",
                   "--batch", "4", "--eval-every", "3", "--warmup", "2"]) == 0
    result = S.load_sparsity(tmp_path / S.RESULT_NAME)
    assert [r["variant"] for r in result["runs"]] == ["ReLU2", "SwiGLU"]
    steps = [step for step, _ in result["runs"][0]["sparsity"]]
    assert steps == [3, 6]
    stored, rerun = S.reproduce(result, "ReLU2", 0, 3)
    assert stored == pytest.approx(rerun, abs=1e-6)
    with pytest.raises(ValueError, match="measured at"):
        S.reproduce(result, "ReLU2", 0, 4)
    with pytest.raises(KeyError, match="unknown variants"):
        S.run_sparsity(("Tanh",), (0,), TINY)


def test_the_stored_sparsity_record_is_complete_and_consistent():
    result = S.load_sparsity(STORED)
    assert result["variants"] == list(S.MEASURED_VARIANTS)
    assert result["seeds"] == list(S.SEEDS)
    assert len(result["runs"]) == len(S.MEASURED_VARIANTS) * len(S.SEEDS)
    for run in result["runs"]:
        last = run["sparsity"][-1]
        assert last[0] == result["config"]["steps"]
        for layer in last[1]:
            exact_zero = run["variant"] in ("ReLU", "ReLU2", "dReLU")
            assert (layer["zero_share"] > 0.5) == exact_zero
            rows = [layer["rows_needed"][str(b)] for b in S.BATCH_SIZES]
            assert rows == sorted(rows)


def test_row_skipping_computes_the_dense_product_and_break_even_interpolates():
    points = S.time_row_skipping([1.0, 0.1], d_model=64, d_ff=256, tokens=2, repeats=2)
    assert [p.active for p in points] == [1.0, pytest.approx(0.1, abs=0.01)]
    assert all(p.dense > 0 and p.skipping > 0 for p in points)
    slow = S.RowSkipTiming(1.0, 1.0, 4.0)
    fast = S.RowSkipTiming(0.2, 1.0, 0.5)
    assert S.break_even([fast, slow]) == pytest.approx(0.0 + (1 - 0.25) / (2 - 0.25) * 0.8)
    assert S.break_even([fast]) is None
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        S.time_row_skipping([0.0])
