"""Tests of Chapter 7's stored training runs: the new variants of the tiny model, the learned
parameters, block statistics, the CATS and TEAL thresholds, the command and its stored file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from actbook import F
from actbook.experiments import frontier_runs as R
from actbook.experiments import tiny_lm as L

TINY = L.LMConfig(d_model=12, n_layer=2, n_head=2, context=16, batch=4, steps=6, warmup=2,
                  eval_every=3)
STORED = Path(__file__).parents[1] / "benchmarks" / "experiments" / R.RESULT_NAME


def test_the_gate_variants_apply_their_activation_to_the_gate_only():
    model = L.TinyLM("FATReLU-GLU", TINY)
    ffn = model.blocks[0].ffn
    x = torch.randn(3, 12)
    gate, value = ffn.w_gate(x), ffn.w_value(x)
    expected = ffn.w_out(F.fatrelu(gate, F.FATRELU_THRESHOLD) * value)
    torch.testing.assert_close(ffn(x), expected, rtol=0, atol=0)
    topk = L.TinyLM("TopK-GeGLU", TINY).blocks[0].ffn
    expected = topk.w_out(F.gaussian_topk(topk.w_gate(x), -1, 0.95) * topk.w_value(x))
    torch.testing.assert_close(topk(x), expected, rtol=0, atol=0)
    assert set(L.GATE_VARIANTS) <= set(L.variant_names())
    with pytest.raises(ValueError, match="no fused kernel"):
        L.TinyLM("TopK-GeGLU", TINY, fused=True)
    with pytest.raises(KeyError, match="TopK-GeGLU"):
        L.TinyLM("Tanh", TINY)


def test_train_lm_returns_the_trained_model_only_when_asked():
    kept = L.train_lm("PolyReLU", 0, TINY, keep_model=True)
    assert L.train_lm("PolyReLU", 0, TINY).model is None
    assert isinstance(kept.model, L.TinyLM) and not kept.model.training
    assert kept.model.blocks[0].ffn.act.weight.tolist() != [1 / 3] * 3


def test_learned_parameters_read_the_formulas_parameters():
    tokens = torch.randint(256, (2, 16))
    xielu = R.learned_parameters(L.TinyLM("xIELU", TINY), tokens)
    assert xielu[0]["alpha_p"] == pytest.approx(F.XIELU_ALPHA_P, rel=1e-6)
    assert xielu[0]["alpha_n"] == pytest.approx(F.XIELU_ALPHA_N, rel=1e-6)
    model = L.TinyLM("PolyNorm", TINY)
    polynorm = R.learned_parameters(model, tokens)
    assert polynorm[1]["weight"] == pytest.approx([1 / 3] * 3)
    pre = R._gate_inputs(model, tokens)[0].double().flatten(0, -2)
    rms = pre.pow(2).mean(-1).sqrt().median().item()
    assert polynorm[0]["row_rms"][0] == pytest.approx(rms)
    with pytest.raises(ValueError, match="no learnable"):
        R.learned_parameters(L.TinyLM("SwiGLU", TINY), tokens)


def test_block_statistics_count_zeros_and_measure_gaussian_rows():
    tokens = torch.randint(256, (4, 16))
    topk = R.block_statistics(L.TinyLM("TopK-GeGLU", TINY), tokens)
    swiglu = R.block_statistics(L.TinyLM("SwiGLU", TINY), tokens)
    assert all(layer["zero_share"] > 0.5 for layer in topk)
    assert all(layer["zero_share"] == 0 for layer in swiglu)
    rows = torch.randn(2_000, 4096, generator=torch.Generator().manual_seed(0))
    assert R._excess_kurtosis(rows).median().abs() < 0.1
    assert R._excess_kurtosis(rows.exp()).median() > 1


def test_thresholds_reach_their_target_sparsity_and_zero_means_dense():
    heldout = L.corpus_split()[1]
    model = L.train_lm("SwiGLU", 0, TINY, keep_model=True).model
    for method in R.THRESHOLD_METHODS:
        curve = R.threshold_curve(model, heldout, method, targets=(0.3, 0.9))
        assert [p["target"] for p in curve] == [0.3, 0.9]
        for point in curve:
            assert point["zero_share"] == pytest.approx(point["target"], abs=0.05)
        assert 0 < curve[0]["relative_error"] < curve[1]["relative_error"]
        assert math.isfinite(curve[1]["loss_increase"])
    with pytest.raises(ValueError, match="method"):
        R.threshold_curve(model, heldout, "topk")
    with pytest.raises(ValueError, match="targets"):
        R.threshold_curve(model, heldout, "cats", targets=(1.0,))


def test_the_command_writes_a_record_and_reproduce_reruns_it(tmp_path):
    assert R.main(["--out", str(tmp_path), "--variants", "xIELU,SwiGLU", "--seeds", "0",
                   "--steps", "6", "--d-model", "12", "--n-layer", "1", "--context", "16",
                   "--batch", "4", "--eval-every", "3", "--warmup", "2"]) == 0
    result = R.load_frontier_runs(tmp_path / R.RESULT_NAME)
    xielu, swiglu = result["runs"]
    assert (xielu["variant"], swiglu["variant"]) == ("xIELU", "SwiGLU")
    assert "parameters" in xielu and "thresholds" not in xielu
    assert set(swiglu["thresholds"]) == set(R.THRESHOLD_METHODS)
    stored, rerun = R.reproduce(result, "xIELU", 0, 3)
    assert stored == pytest.approx(rerun, abs=1e-6)
    with pytest.raises(ValueError, match="evaluated at"):
        R.reproduce(result, "xIELU", 0, 4)
    with pytest.raises(KeyError, match="unknown variants"):
        R.run_frontier(("ReLU",), (0,), TINY)


def test_the_stored_record_is_complete_and_consistent():
    result = R.load_frontier_runs(STORED)
    variants = list(R.ALL_VARIANTS)
    assert result["variants"] == variants and result["seeds"] == list(R.SEEDS)
    assert len(result["runs"]) == len(variants) * len(R.SEEDS)
    for run in result["runs"]:
        assert run["curve"][-1][0] == result["config"]["steps"]
        assert len(run["layers"]) == result["config"]["n_layer"]
        assert ("parameters" in run) == (run["variant"] in R.LEARNED_VARIANTS)
        assert ("thresholds" in run) == (run["variant"] == "SwiGLU")
        for curve in run.get("thresholds", {}).values():
            errors = [point["relative_error"] for point in curve]
            assert errors == sorted(errors)


def test_the_record_readers_take_medians_over_seeds_per_layer_and_target():
    record = {"runs": [
        {"variant": "SwiGLU", "heldout_loss": loss,
         "layers": [{"zero_share": z}, {"zero_share": 2 * z}],
         "thresholds": {"cats": [{"target": 0.5, "relative_error": z},
                                 {"target": 0.9, "relative_error": 3 * z}]}}
        for loss, z in ((1.5, 0.1), (1.2, 0.3), (1.4, 0.2))]}
    assert R.heldout_losses(record, "SwiGLU") == [1.5, 1.2, 1.4]
    assert R.median_loss(record, "SwiGLU") == 1.4
    assert R.layer_medians(record, "SwiGLU", "zero_share") == [0.2, 0.4]
    medians = R.threshold_medians(record, "cats", "relative_error")
    assert medians == {0.5: 0.2, 0.9: pytest.approx(0.6)}
    with pytest.raises(ValueError, match="no runs of 'xIELU'"):
        R.median_loss(record, "xIELU")


def test_learned_function_evaluates_each_learned_shape():
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)
    xielu = {"activation": "xielu", "alpha_p": 1.2, "alpha_n": 0.9}
    torch.testing.assert_close(R.learned_function(xielu, x), F.xielu(x, 1.2, 0.9))
    poly = {"activation": "polyrelu", "weight": [0.0, 1.0, 0.0], "bias": 0.0}
    torch.testing.assert_close(R.learned_function(poly, x), F.squared_relu(x))
    # PolyNorm on a long standard normal row: its entries follow the Gaussian row statistics
    row = torch.randn(1, 1 << 16, generator=torch.Generator().manual_seed(0),
                      dtype=torch.float64)
    weight = [0.5, 0.3, 0.2]
    stats = [row.pow(k).pow(2).mean().sqrt().item() for k in (1, 2, 3)]
    norm = {"activation": "polynorm", "weight": weight, "bias": 0.1, "row_rms": stats}
    entries = row[0, :5]
    expected = F.polynorm(row, -1, torch.tensor(weight, dtype=torch.float64), 0.1)[0, :5]
    torch.testing.assert_close(R.learned_function(norm, entries / stats[0]), expected,
                               rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="no learnable"):
        R.learned_function({"activation": "relu"}, x)
