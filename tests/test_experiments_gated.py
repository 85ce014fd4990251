"""Tests of Chapter 5's experiments: the corpus, the tiny language model, the Table 1 command and
its stored file, layouts, the product task, hidden sizes and saved memory."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest
import torch

from actbook import data
from actbook.experiments import gated as G
from actbook.experiments import glu_variants as T
from actbook.experiments import tiny_lm as L

TINY = L.LMConfig(d_model=12, n_layer=1, n_head=2, context=16, batch=4, steps=6, warmup=2,
                  eval_every=3)
STORED = Path(__file__).parents[1] / "benchmarks" / "experiments" / T.RESULT_NAME


def test_the_corpus_is_the_shipped_text_split_into_every_tenth_block():
    text = data.pydoc_topics()
    assert hashlib.sha256(text).hexdigest() == data.PYDOC_TOPICS_SHA256
    assert text.decode().startswith('The "assert" statement')
    train, heldout = L.corpus_split()
    assert train.numel() + heldout.numel() == len(text)
    assert heldout[: L.BLOCK].tolist() == list(text[9 * L.BLOCK: 10 * L.BLOCK])
    assert train[9 * L.BLOCK: 10 * L.BLOCK].tolist() == list(text[10 * L.BLOCK: 11 * L.BLOCK])
    assert 0.09 < heldout.numel() / len(text) < 0.11


@pytest.mark.parametrize("variant", list(L.VARIANTS))
def test_every_variant_has_the_weights_of_the_relu_block(variant):
    config = L.LMConfig(d_model=24, n_head=2, context=8)
    model = L.TinyLM(variant, config)
    assert model.ffn_parameters() == config.n_layer * 8 * 24**2
    assert model(torch.zeros(2, 8, dtype=torch.long)).shape == (2, 8, 256)


def test_the_model_is_causal():
    model = L.TinyLM("SwiGLU", L.LMConfig(d_model=12, n_head=2, context=8))
    tokens = torch.randint(256, (1, 8), generator=torch.Generator().manual_seed(0))
    changed = tokens.clone()
    changed[0, 5] = (changed[0, 5] + 1) % 256
    a, b = model(tokens), model(changed)
    assert torch.equal(a[:, :5], b[:, :5]) and not torch.equal(a[:, 5:], b[:, 5:])


def test_bad_configurations_and_variants_are_refused():
    with pytest.raises(ValueError, match="does not divide"):
        L.LMConfig(d_model=10, n_head=4)
    with pytest.raises(ValueError, match="positive integers"):
        L.LMConfig(steps=0)
    with pytest.raises(ValueError, match="warmup"):
        L.LMConfig(steps=10, warmup=10)
    with pytest.raises(KeyError, match="choose from"):
        L.TinyLM("Swoosh", TINY)
    with pytest.raises(ValueError, match="gated variants"):
        L.TinyLM("ReLU", TINY, fused=True)
    with pytest.raises(ValueError, match="stop_after"):
        L.train_lm("ReLU", 0, TINY, stop_after=7)


def test_the_schedule_warms_up_then_falls_on_a_cosine_to_a_tenth():
    config = L.LMConfig(steps=101, warmup=10, lr=1.0)
    assert config.lr_at(0) == pytest.approx(0.1) and config.lr_at(9) == pytest.approx(1.0)
    assert config.lr_at(10) == pytest.approx(1.0) and config.lr_at(100) == pytest.approx(0.1)
    assert config.lr_at(55) == pytest.approx(0.55)


def test_training_lowers_the_heldout_loss_and_is_repeatable():
    config = L.LMConfig(d_model=12, n_layer=1, n_head=2, context=16, batch=8, steps=40,
                        warmup=4, eval_every=20, lr=1e-2)
    run = L.train_lm("GELU", 0, config)
    assert [step for step, _ in run.curve] == [20, 40]
    assert run.heldout_loss == run.curve[-1][1] < math.log(256)
    assert L.train_lm("GELU", 0, config, stop_after=20).heldout_loss == run.curve[0][1]
    assert L.train_lm("GELU", 1, config, stop_after=20).heldout_loss != run.curve[0][1]


def test_the_heldout_loss_of_a_uniform_model_is_log_256():
    model = L.TinyLM("ReLU", TINY)
    for p in model.parameters():
        torch.nn.init.zeros_(p)
    assert L.heldout_loss(model, L.corpus_split()[1]) == pytest.approx(math.log(256))


def test_the_command_writes_a_table_that_loads_summarises_and_reproduces(tmp_path, capsys):
    assert T.main(["--out", str(tmp_path), "--variants", "ReLU,SwiGLU", "--seeds", "0,1",
                   "--steps", "6", "--d-model", "12", "--n-layer", "1", "--context", "16",
                   "--batch", "4", "--eval-every", "3", "--warmup", "2"]) == 0
    assert T.RESULT_NAME in capsys.readouterr().err
    result = T.load_table(tmp_path / T.RESULT_NAME)
    assert result["config"] == L.LMConfig(**(vars(TINY) | {"n_head": 4}))
    assert len(result["runs"]) == 4 and result["machine"]["torch"]
    relu, swiglu = T.summarise(result)
    assert relu.gain == 0 and relu.paper == T.PAPER_TABLE_1["ReLU"][:2]
    assert swiglu.losses == tuple(r["heldout_loss"] for r in result["runs"]
                                  if r["variant"] == "SwiGLU")
    assert swiglu.gain == pytest.approx(relu.mean - swiglu.mean)
    stored, again = T.reproduce(result, "SwiGLU", 1, 3)
    assert stored == again
    with pytest.raises(ValueError, match="evaluated at"):
        T.reproduce(result, "SwiGLU", 1, 4)
    with pytest.raises(ValueError, match="no stored run"):
        T.reproduce(result, "GEGLU", 0, 3)
    with pytest.raises(ValueError, match="baseline"):
        T.summarise(result, baseline="GELU")


def test_a_table_with_missing_runs_or_unknown_variants_is_refused(tmp_path):
    with pytest.raises(KeyError, match="unknown variants"):
        T.run_table(["ReLU", "Swoosh"], (0,), TINY)
    with pytest.raises(ValueError, match="distinct seeds"):
        T.run_table(["ReLU"], (0, 0), TINY)
    result = T.run_table(["ReLU"], (0,), TINY)
    path = T.write_table(result | {"seeds": [0, 1]}, tmp_path)
    with pytest.raises(ValueError, match="one run per variant"):
        T.load_table(path)
    path.write_text("{}")
    with pytest.raises(ValueError, match="lacks"):
        T.load_table(path)


def test_the_stored_table_covers_every_variant_and_its_first_steps_reproduce():
    result = T.load_table(STORED)
    assert result["variants"] == list(L.VARIANTS) and len(result["seeds"]) >= 3
    assert result["config"] == L.LMConfig()
    assert {r["ffn_parameters"] for r in result["runs"]} == {L.LMConfig().n_layer * 8 * 96**2}
    stored, again = T.reproduce(result, "ReLU", 0, 100)
    assert again == pytest.approx(stored, abs=1e-3)


def test_reading_the_wrong_layout_changes_the_function():
    for stored in G.LAYOUTS:
        for read in G.LAYOUTS:
            error = G.layout_confusion(stored, read)
            assert error == 0 if stored == read else error > 0.5


def test_a_gated_block_learns_products_that_a_plain_one_cannot():
    bilinear = G.fit_products("bilinear", True, seeds=(0,), steps=300)
    relu = G.fit_products("relu", False, seeds=(0,), steps=300)
    assert bilinear.parameters == relu.parameters == 6 * 8**2
    assert bilinear.median < 1e-2 < 0.05 < relu.median < 1
    assert G.product_targets(torch.tensor([[1.0, 2.0, 3.0]])).tolist() == [[2.0, 6.0, 3.0]]


def test_llama_rule_gives_the_published_hidden_sizes():
    rows = G.hidden_sizes()
    assert [r.model for r in rows] == [m[0] for m in G.PUBLISHED_HIDDEN_SIZES]
    assert all(r.computed == r.published for r in rows)


def test_gated_blocks_save_a_third_more_eagerly_and_as_much_as_plain_ones_fused():
    plain, eager, fused = G.saved_memory(d_model=12, tokens=4)
    assert (plain.tensors, plain.floats_per_token) == (3, 12 + 48 + 48)
    assert (eager.tensors, eager.floats_per_token) == (5, 12 + 4 * 32)
    assert (fused.tensors, fused.floats_per_token) == (4, 12 + 3 * 32)
    assert plain.per_d_model == fused.per_d_model == 9
