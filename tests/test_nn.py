"""actbook.nn: one module per activation, the factory, FFN blocks and hidden-size rules."""

from __future__ import annotations

import io
import math

import pytest
import torch
from torch import nn

import actbook
from actbook import functional as F
from actbook import nn as A

#: Parameters with default arguments.
LEARNABLE = {"prelu": 1, "star_relu": 2, "xielu": 2, "dyt": 1, "polyrelu": 2, "polynorm": 2}
GATED = actbook.names(kind="gated")


def _module(name: str) -> nn.Module:
    return A.make_activation(name, dim=-1) if name == "softmax" else A.make_activation(name)


def _roundtrip(module: nn.Module, fresh: nn.Module) -> nn.Module:
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    buffer.seek(0)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    return fresh


def test_table_covers_every_registered_name():
    missing = [n for n in actbook.names() if n not in A.MODULES]
    assert not missing, f"no module class in actbook/nn/activations.py declares name = {missing}"
    assert list(A.MODULES) == actbook.names()
    assert set(A.CLASSES) == set(A.MODULES), "a module names no activation of the registry"
    for name in actbook.names():
        module = _module(name)
        assert isinstance(module, nn.Module)
        assert type(module) is A.MODULES[name]


@pytest.mark.parametrize(
    ("alias", "cls"),
    [
        ("gelu_new", A.GELUTanh),
        ("gelu_pytorch_tanh", A.GELUTanh),
        ("quick_gelu", A.GELUSigmoid),
        ("relu2", A.SquaredReLU),
        ("Hard-Swish", A.HardSwish),
        ("swish", A.Swish),
    ],
)
def test_make_activation_resolves_aliases(alias, cls):
    assert type(A.make_activation(alias)) is cls


def test_make_activation_passes_parameters():
    module = A.make_activation("leaky_relu", negative_slope=0.2)
    assert module.negative_slope == 0.2
    assert A.make_activation("geglu", approximate="tanh").approximate == "tanh"


def test_make_activation_bad_input():
    with pytest.raises(KeyError, match="did you mean 'gelu'"):
        A.make_activation("gelux")
    with pytest.raises(TypeError, match="alpha"):
        A.make_activation("relu", alpha=1.0)
    with pytest.raises(TypeError, match="dim"):
        A.make_activation("softmax")


@pytest.mark.parametrize("name", actbook.names(kind="elementwise"))
def test_elementwise_forward_equals_functional(name):
    x = torch.randn(4, 33)
    expected = actbook.get(name)(x)
    torch.testing.assert_close(_module(name)(x), expected, rtol=0, atol=0)


def test_softmax_forward_equals_functional():
    x = torch.randn(3, 5, 7)
    torch.testing.assert_close(A.Softmax(dim=1)(x), F.softmax(x, dim=1), rtol=0, atol=0)
    torch.testing.assert_close(
        A.Softmax(dim=-1, temperature=2.0)(x), F.softmax(x, dim=-1, temperature=2.0)
    )


@pytest.mark.parametrize("name", GATED)
def test_gated_forward_equals_functional(name):
    gate, value = torch.randn(2, 3, 8), torch.randn(2, 3, 8)
    unit = actbook.get(name)
    module = _module(name)
    torch.testing.assert_close(module(gate, value), unit(gate, value), rtol=0, atol=0)
    # The default layout: gate = second half, as torch.nn.functional.glu; interleaved for the
    # clamped SwiGLU, as gpt-oss packs it.
    layout = "interleaved" if name == "clamped_swiglu" else "gate_last"
    assert module.layout == layout
    packed = F.pack_gated(gate, value, layout=layout)
    # Bit for bit against the same computation: the unit on the views of the packed tensor
    # (strided views and contiguous tensors may run different vector loops, whose exp differ
    # in the last bit on some processors); within rounding against the contiguous halves.
    split = F.split_gated(packed, layout=layout)
    torch.testing.assert_close(module(packed), unit(*split), rtol=0, atol=0)
    torch.testing.assert_close(module(packed), unit(gate, value))
    first = A.MODULES[name](layout="gate_first")
    torch.testing.assert_close(first(torch.cat((gate, value), -1)), unit(gate, value))
    along_1 = A.MODULES[name](dim=1, layout="gate_last")
    torch.testing.assert_close(along_1(torch.cat((value, gate), 1)), unit(gate, value))


def test_glu_module_matches_torch_glu():
    packed = torch.randn(4, 10)
    torch.testing.assert_close(A.GLU()(packed), torch.nn.functional.glu(packed, dim=-1))
    torch.testing.assert_close(A.GLU(dim=0)(packed), torch.nn.GLU(dim=0)(packed))


def test_geglu_approximate():
    gate, value = torch.randn(16), torch.randn(16)
    module = A.GEGLU(approximate="tanh")
    torch.testing.assert_close(module(gate, value), F.gelu_tanh(gate) * value)
    with pytest.raises(ValueError, match="approximate"):
        A.GEGLU(approximate="sigmoid")


def test_gated_bad_input():
    with pytest.raises(ValueError, match="odd"):
        A.SwiGLU()(torch.randn(2, 7))
    with pytest.raises(ValueError, match="same shape"):
        A.SwiGLU()(torch.randn(2, 4), torch.randn(2, 3))


@pytest.mark.parametrize("name", actbook.names())
def test_parameter_counts_with_defaults(name):
    parameters = list(_module(name).parameters())
    assert len(parameters) == LEARNABLE.get(name, 0)
    assert all(p.requires_grad for p in parameters)


def test_optional_and_per_channel_parameters():
    assert sum(p.numel() for p in A.PReLU(num_parameters=8).parameters()) == 8
    assert len(list(A.Swish(learnable=True).parameters())) == 1
    assert len(list(A.StarReLU(learnable=False).parameters())) == 0
    with pytest.raises(ValueError, match="num_parameters"):
        A.PReLU(num_parameters=0)


def test_star_relu_initial_constants_normalise_standard_normal_inputs():
    module = A.StarReLU()
    assert module.scale.item() == pytest.approx(2 / math.sqrt(5))
    assert module.bias.item() == pytest.approx(-1 / math.sqrt(5))
    x = torch.randn(400_000, dtype=torch.float64)
    y = module.double()(x)
    assert y.mean().item() == pytest.approx(0.0, abs=0.01)
    assert y.std().item() == pytest.approx(1.0, abs=0.01)
    metaformer = A.StarReLU(scale=1.0, bias=0.0)  # the official code's starting point
    torch.testing.assert_close(metaformer(x.float()), F.squared_relu(x.float()))


def test_gradients_reach_learnable_parameters():
    x = torch.randn(2, 3, 5, dtype=torch.float64)
    prelu = A.PReLU(num_parameters=3)
    prelu(x).sum().backward()
    # d/da_c of a_c·x for x <= 0: the sum of the non-positive inputs of channel c.
    expected = torch.where(x > 0, 0.0, x).sum(dim=(0, 2)).float()
    torch.testing.assert_close(prelu.weight.grad, expected)

    swish = A.Swish(beta=1.5, learnable=True)
    swish(x).sum().backward()
    s = torch.sigmoid(1.5 * x)
    torch.testing.assert_close(swish.beta.grad, (x * x * s * (1 - s)).sum().float())

    star = A.StarReLU()
    star(x).sum().backward()
    torch.testing.assert_close(star.scale.grad, (torch.relu(x) ** 2).sum().float())
    torch.testing.assert_close(star.bias.grad, torch.tensor(float(x.numel())))


def test_learnable_swish_is_one_graph():
    """A tensor β takes no Python branch and no host sync (fullgraph raises at a graph break);
    the eager backend keeps Inductor's compilation out of the unit tests. Traced, σ is the
    one-exp formula, a rounding away from the eager value."""
    swish = A.Swish(beta=1.5, learnable=True)
    x = torch.randn(4, 5)
    compiled = torch.compile(swish, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(x), swish(x))


@pytest.mark.parametrize("beta", [1.5, -0.7])
def test_learnable_swish_limits_at_infinity(beta):
    """x·σ(βx) → x where βx → +∞ (slope 1) and → 0 where βx → −∞ (slope 0), for either sign
    of β, with finite gradients in x and β."""
    x = torch.tensor([-math.inf, -1e300, 1e300, math.inf], dtype=torch.float64,
                     requires_grad=True)
    b = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
    y = F.swish(x, b)
    gx, gb = torch.autograd.grad(y.sum(), (x, b))
    limit = torch.where(b * x.detach() > 0, x.detach(), 0.0)
    assert y.detach().tolist() == limit.tolist()
    assert gx.tolist() == (b * x.detach() > 0).double().tolist() and gb.item() == 0.0



@pytest.mark.parametrize(
    ("build", "x", "keys"),
    [
        (lambda: A.PReLU(4), torch.randn(3, 4, 5), {"weight"}),
        (lambda: A.Swish(learnable=True), torch.randn(7), {"beta"}),
        (lambda: A.StarReLU(), torch.randn(7), {"scale", "bias"}),
        (lambda: A.FFN(8, 32), torch.randn(3, 8), {"w_in.weight", "w_in.bias", "w_out.weight",
                                                   "w_out.bias"}),
        (lambda: A.GatedFFN(12), torch.randn(3, 12), {"w_gate.weight", "w_value.weight",
                                                      "w_out.weight"}),
    ],
)
def test_state_dict_round_trip(build, x, keys):
    trained = build()
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(torch.randn_like(p))
    assert set(trained.state_dict()) == keys
    loaded = _roundtrip(trained, build())
    torch.testing.assert_close(loaded(x), trained(x), rtol=0, atol=0)
    assert not torch.equal(build()(x), trained(x))


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (A.ReLU(), "ReLU()"),
        (A.Step(), "Step(threshold=0.0)"),
        (A.LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)"),
        (A.ELU(alpha=0.5), "ELU(alpha=0.5)"),
        (A.Softplus(beta=2.0), "Softplus(beta=2.0)"),
        (A.Softmax(dim=1), "Softmax(dim=1, temperature=1.0)"),
        (A.PReLU(3), "PReLU(num_parameters=3)"),
        (A.Swish(), "Swish(beta=1.0, learnable=False)"),
        (A.Swish(beta=1.5, learnable=True), "Swish(beta=1.5, learnable=True)"),
        (A.StarReLU(), "StarReLU(scale=0.8944, bias=-0.4472, learnable=True)"),
        (A.SwiGLU(), "SwiGLU(dim=-1, layout='gate_last')"),
        (A.GEGLU("tanh", gate_first=True),
         "GEGLU(approximate='tanh', dim=-1, layout='gate_first')"),
    ],
)
def test_repr(module, text):
    assert repr(module) == text


def test_repr_shows_learned_values():
    star = A.StarReLU()
    with torch.no_grad():
        star.scale.fill_(1.25)
    assert repr(star) == "StarReLU(scale=1.25, bias=-0.4472, learnable=True)"


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="beta"):
        A.Softplus(beta=0.0)
    with pytest.raises(ValueError, match="temperature"):
        A.Softmax(dim=-1, temperature=0.0)


def _weights(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_ffn_forward():
    ffn = A.FFN(6, 24, activation="quick_gelu")
    x = torch.randn(2, 5, 6)
    expected = ffn.w_out(F.gelu_sigmoid(ffn.w_in(x)))
    torch.testing.assert_close(ffn(x), expected)
    assert _weights(ffn) == 2 * 6 * 24 + 24 + 6
    leaky = A.FFN(6, 24, activation="leaky_relu", negative_slope=0.3)
    assert leaky.act.negative_slope == 0.3


@pytest.mark.parametrize("name", GATED)
def test_gated_ffn_forward(name):
    block = A.GatedFFN(9, activation=name)
    x = torch.randn(4, 9)
    expected = block.w_out(actbook.get(name)(block.w_gate(x), block.w_value(x)))
    torch.testing.assert_close(block(x), expected)


def test_gated_ffn_activation_parameters():
    block = A.GatedFFN(6, activation="geglu", approximate="tanh")
    x = torch.randn(3, 6)
    expected = block.w_out(F.gelu_tanh(block.w_gate(x)) * block.w_value(x))
    torch.testing.assert_close(block(x), expected)


@pytest.mark.parametrize("d_model", [3, 96, 768, 1023])
def test_gated_ffn_matches_ffn_parameters_when_d_model_divisible_by_3(d_model):
    # 3·d·d_ff = 2·d·4d  <=>  d_ff = 8d/3, an integer exactly when 3 divides d.
    gated = A.GatedFFN(d_model)
    assert gated.w_gate.out_features == 8 * d_model // 3
    assert _weights(gated) == _weights(A.FFN(d_model, 4 * d_model, bias=False))


@pytest.mark.parametrize("d_model", [1, 2, 64, 100, 257])
def test_gated_ffn_parameters_within_d_model_otherwise(d_model):
    # round(8d/3) is within 1/3 of 8d/3, so 3·d·d_ff is within d of 8d².
    difference = _weights(A.GatedFFN(d_model)) - _weights(A.FFN(d_model, 4 * d_model, bias=False))
    assert 0 < abs(difference) <= d_model


def test_gated_hidden_dim():
    assert A.gated_hidden_dim(768) == 2048  # T5-base: 3072 -> 2048 (Shazeer 2020)
    assert A.gated_hidden_dim(64) == 171  # 170.67 rounds up
    assert A.gated_hidden_dim(65) == 173  # 173.33 rounds down


def test_ffn_bad_input():
    with pytest.raises(ValueError, match="GatedFFN"):
        A.FFN(8, 32, activation="swiglu")
    with pytest.raises(ValueError, match="FFN"):
        A.GatedFFN(8, activation="gelu")
    with pytest.raises(KeyError):
        A.GatedFFN(8, activation="swigloo")
    with pytest.raises(ValueError, match="d_model"):
        A.GatedFFN(0)
    with pytest.raises(ValueError, match="d_ff"):
        A.FFN(8, -1)


def test_gated_ffn_gradients_reach_every_weight():
    block = A.GatedFFN(6, bias=True)
    block(torch.randn(5, 6)).square().sum().backward()
    for name, p in block.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_llama_hidden_dim():
    # LLaMA-1 7B: int(2·4·4096/3) = int(10922.67) = 10922, up to a multiple of 256: 43·256.
    assert A.llama_hidden_dim(4096, 256) == 11008
    # Llama-3 8B: int(1.3·10922) = int(14198.6) = 14198, up to a multiple of 1024: 14·1024.
    assert A.llama_hidden_dim(4096, 1024, 1.3) == 14336
    # Already a multiple: int(2·4·768/3) = 2048 = 8·256 stays.
    assert A.llama_hidden_dim(768, 256) == 2048
    with pytest.raises(ValueError, match="multiple_of"):
        A.llama_hidden_dim(4096, 0)
    with pytest.raises(ValueError, match="ffn_dim_multiplier"):
        A.llama_hidden_dim(4096, 256, 0.0)
