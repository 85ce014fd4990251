"""actbook.patch on tiny Hugging Face models built from configurations (random weights, nothing
downloaded): logits and gradients stay those of the original model."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from transformers import (
    GemmaConfig,
    GemmaForCausalLM,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    MistralConfig,
    MistralForCausalLM,
    MixtralConfig,
    MixtralForCausalLM,
    Phi3Config,
    Phi3ForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

import actbook
from actbook import nn as A

SIZES = {"vocab_size": 64, "hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 32}
MODELS = {
    "llama": lambda: LlamaForCausalLM(LlamaConfig(**SIZES)),
    "mistral": lambda: MistralForCausalLM(MistralConfig(**SIZES)),
    "qwen2": lambda: Qwen2ForCausalLM(Qwen2Config(**SIZES)),
    "gemma": lambda: GemmaForCausalLM(GemmaConfig(**SIZES, head_dim=6,
                                                  hidden_activation="gelu_pytorch_tanh")),
    "phi3": lambda: Phi3ForCausalLM(Phi3Config(**SIZES, pad_token_id=0)),
    "gpt2": lambda: GPT2LMHeadModel(GPT2Config(vocab_size=64, n_embd=24, n_layer=2, n_head=4,
                                               n_positions=32, activation_function="gelu_new")),
}
#: The gated unit each family's MLP becomes (GPT-2 has a plain MLP: only its activation).
UNITS = {"llama": "SwiGLU", "mistral": "SwiGLU", "qwen2": "SwiGLU", "gemma": "GEGLU",
         "phi3": "SwiGLU"}


def _model(name: str) -> nn.Module:
    torch.manual_seed(0)
    return MODELS[name]().double().eval()


def _loss_and_grads(model: nn.Module, tokens: torch.Tensor):
    model.zero_grad()
    out = model(input_ids=tokens, labels=tokens)
    out.loss.backward()
    return out.logits.detach(), {n: p.grad.clone() for n, p in model.named_parameters()
                                 if p.grad is not None}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_patched_model_keeps_logits_and_gradients(name: str) -> None:
    original = _model(name)
    patched = copy.deepcopy(original)
    report = actbook.patch(patched)
    assert len(report) == 2, report  # one MLP (or activation) per layer
    if name in UNITS:
        assert all(r.new.startswith("GatedFFN") for r in report)
        blocks = [m for m in patched.modules() if isinstance(m, A.GatedFFN)]
        assert {type(b.act).__name__ for b in blocks} == {UNITS[name]}
    else:
        assert {r.old for r in report} == {"NewGELUActivation"}
    tokens = torch.randint(0, 64, (2, 12), generator=torch.Generator().manual_seed(1))
    logits, grads = _loss_and_grads(original, tokens)
    new_logits, new_grads = _loss_and_grads(patched, tokens)
    torch.testing.assert_close(new_logits, logits, rtol=1e-10, atol=1e-12)
    # the MLP weights live under other names now; compare the ones both models have, and the
    # loss of one training step
    shared = set(grads) & set(new_grads)
    assert len(shared) >= len(grads) // 2
    for key in shared:
        torch.testing.assert_close(new_grads[key], grads[key], rtol=1e-8, atol=1e-10)


def test_patch_refuses_an_mlp_it_cannot_name():
    model = _model("llama")
    model.model.layers[0].mlp.act_fn = nn.Softsign()
    with pytest.raises(ValueError, match="cannot name"):
        actbook.patch(model)
    assert not any(isinstance(m, A.GatedFFN) for m in model.modules()), "nothing replaced"


def test_patch_refuses_mixtral_experts_held_as_parameters():
    """transformers 5 keeps Mixtral's experts as stacked parameters, not nn.Linear layers:
    patch says so instead of guessing their layout."""
    model = MixtralForCausalLM(MixtralConfig(**SIZES, num_local_experts=4, num_experts_per_tok=2))
    with pytest.raises(ValueError, match="experts.gate_up_proj is a Parameter, not an nn.Linear"):
        actbook.patch(model)


def test_swapping_activations_by_hand_as_a_reader_would():
    """The drop-in route without patch: set the MLPs' act_fn to actbook's module."""
    original = _model("gemma")
    swapped = copy.deepcopy(original)
    for layer in swapped.model.layers:
        layer.mlp.act_fn = A.GELUTanh()
    tokens = torch.arange(12).reshape(1, 12)
    torch.testing.assert_close(swapped(input_ids=tokens).logits,
                               original(input_ids=tokens).logits, rtol=1e-10, atol=1e-12)


def test_fused_patch_trains_like_the_original():
    """fused=True: the gated blocks run actbook's compiled kernel (one compilation), in float32."""
    torch.manual_seed(0)
    original = LlamaForCausalLM(LlamaConfig(**SIZES)).float()
    patched = copy.deepcopy(original)
    report = actbook.patch(patched, fused=True)
    assert all("fused=True" in r.new for r in report)
    tokens = torch.randint(0, 64, (2, 12), generator=torch.Generator().manual_seed(1))
    logits, _ = _loss_and_grads(original, tokens)
    new_logits, new_grads = _loss_and_grads(patched, tokens)
    torch.testing.assert_close(new_logits, logits, rtol=1e-4, atol=1e-5)
    down = new_grads["model.layers.0.mlp.w_out.weight"]
    torch.testing.assert_close(
        down, original.model.layers[0].mlp.down_proj.weight.grad, rtol=1e-4, atol=1e-6)


def test_patch_reports_plain_activations_and_skips_actbook_modules():
    net = nn.Sequential(nn.Linear(3, 3), nn.SiLU(), A.ReLU(), nn.LeakyReLU(0.2))
    report = actbook.patch(net)
    assert [(r.path, r.old) for r in report] == [("1", "SiLU"), ("3", "LeakyReLU")]
    assert isinstance(net[1], A.SiLU) and net[3].negative_slope == 0.2
    x = torch.randn(4, 3)
    torch.testing.assert_close(net[3](x), nn.functional.leaky_relu(x, 0.2))


@pytest.mark.parametrize("name", ["llama", "phi3"])
def test_state_dicts_convert_both_ways(name: str) -> None:
    """A Hugging Face checkpoint loads into the patched model, and the patched model's weights
    load back into a fresh original, both strictly, with the same logits; Phi-3 packed."""
    original = _model(name)
    patched = copy.deepcopy(original)
    actbook.patch(patched)
    for p in patched.parameters():  # forget the copied weights: only the load may restore them
        nn.init.normal_(p)
    patched.load_state_dict(actbook.from_hf_state_dict(original.state_dict()))
    tokens = torch.arange(12).reshape(1, 12)
    logits = original(input_ids=tokens).logits
    torch.testing.assert_close(patched(input_ids=tokens).logits, logits, rtol=1e-10, atol=1e-12)

    fresh = MODELS[name]().double().eval()
    fresh.load_state_dict(actbook.to_hf_state_dict(patched.state_dict(), packed=name == "phi3"))
    torch.testing.assert_close(fresh(input_ids=tokens).logits, logits, rtol=1e-10, atol=1e-12)


def test_state_dict_conversion_leaves_other_entries_alone():
    gate, up, down, other = (torch.full((2, 2), float(i)) for i in range(4))
    partial = {"a.gate_proj.weight": gate, "a.up_proj.weight": up, "b.down_proj.weight": down,
               "norm.weight": other}
    assert actbook.from_hf_state_dict(partial) == partial, "no block has all three projections"
    full = {"m.gate_proj.weight": gate, "m.up_proj.weight": up, "m.down_proj.weight": down,
            "m.down_proj.bias": other}
    ours = actbook.from_hf_state_dict(full)
    assert ours == {"m.w_gate.weight": gate, "m.w_value.weight": up, "m.w_out.weight": down,
                    "m.w_out.bias": other}
    assert actbook.to_hf_state_dict(ours) == full
    packed = actbook.to_hf_state_dict(ours, packed=True)
    assert sorted(packed) == ["m.down_proj.bias", "m.down_proj.weight", "m.gate_up_proj.weight"]
    torch.testing.assert_close(packed["m.gate_up_proj.weight"], torch.cat([gate, up]))
    assert actbook.from_hf_state_dict(packed).keys() == ours.keys()


def test_an_odd_packed_projection_is_refused():
    odd = {"m.gate_up_proj.weight": torch.zeros(3, 2), "m.down_proj.weight": torch.zeros(2, 1)}
    with pytest.raises(ValueError, match="do not split"):
        actbook.from_hf_state_dict(odd)
