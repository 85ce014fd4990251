"""One record per activation: every part of the package finds an activation through the registry.

These tests are the checklist of CONTRIBUTING.md: each names the file and the field to add when
a new activation lacks one, and none of them counts the activations.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as TF  # noqa: N812
from torch import Tensor, nn

import actbook
from actbook import functional as F
from actbook import kernels
from actbook import nn as A
from actbook.accuracy import oracles
from actbook.registry import GatedForm, Variant

VARIANTS = [v.name for v in actbook.variants()]
GATED_VARIANTS = [v.name for v in actbook.variants(kind="gated")]


def test_every_activation_and_variant_has_an_oracle() -> None:
    missing = [n for n in VARIANTS if n not in oracles.ORACLES]
    assert not missing, f"add a record for {missing} to actbook/accuracy/oracles.py"
    assert list(oracles.ORACLES) == VARIANTS, "oracles are kept in book order, one per name"


@pytest.mark.parametrize("name", VARIANTS)
def test_each_oracle_has_the_fields_its_kind_requires(name: str) -> None:
    record = oracles.ORACLES[name]
    kind = actbook.info(name).kind
    for field in oracles.REQUIRED[kind]:
        assert getattr(record, field) is not None, (
            f"the oracle of {name} ({kind}) has no {field!r}: add it in "
            "actbook/accuracy/oracles.py"
        )


@pytest.mark.parametrize("name", actbook.names(kind="elementwise"))
def test_oracle_kinks_agree_with_the_limits_and_the_reference(name: str) -> None:
    """A kink at 0 repeats the contract's f(0) and f′(0); every kink's value is the float64
    reference's there."""
    record = oracles.ORACLES[name]
    for kink in record.kinks:
        if kink.x == 0:
            assert (kink.value, kink.derivative) == (record.limits.zero, record.limits.slope_zero)
        x = torch.tensor([kink.x], dtype=torch.float64)
        assert record.value(x).item() == pytest.approx(kink.value, abs=1e-15)


@pytest.mark.parametrize("name", actbook.names())
def test_oracle_torch_matches_the_registry(name: str) -> None:
    """The oracle holds PyTorch's function exactly where the registry names one."""
    has_function = oracles.ORACLES[name].torch is not None
    assert has_function == (actbook.info(name).torch_equivalent is not None) or (
        actbook.info(name).kind == "gated"  # composites of PyTorch functions, named or not
    )


def test_unknown_oracle_names_the_file() -> None:
    with pytest.raises(KeyError, match=r"actbook/accuracy/oracles\.py"):
        oracles.oracle("xyz")


# --- variants ----------------------------------------------------------------------------------


def test_variant_names_are_unique_and_reachable() -> None:
    aliases = {a for n in actbook.names() for a in actbook.info(n).aliases}
    named = [v.name for n in actbook.names() for v in actbook.info(n).variants]
    assert len(named) == len(set(named))
    assert not set(named) & (set(actbook.names()) | aliases)
    for name in named:
        variant = actbook.resolve(name)
        assert variant.name == name and variant.base != name
        assert set(variant.params) <= set(actbook.info(variant.base).params)


def test_a_variant_binds_its_parameters_everywhere() -> None:
    gate, value = torch.randn(5, 4), torch.randn(5, 4)
    expected = F.geglu(gate, value, approximate="tanh")
    assert torch.equal(actbook.get("geglu_tanh")(gate, value), expected)
    assert actbook.canonical_name("geglu_tanh") == "geglu"
    assert actbook.info("geglu_tanh") is actbook.info("geglu")
    module = A.make_activation("geglu_tanh")
    assert isinstance(module, A.GEGLU) and module.approximate == "tanh"
    assert kernels.get("geglu_tanh").keywords == {"approximate": "tanh"}
    torch.testing.assert_close(actbook.derivative("geglu_tanh")(gate, value)[1],
                               F.gelu_tanh(gate))


def test_bind_finds_the_variant_of_parameter_values() -> None:
    assert actbook.bind("geglu").name == "geglu"
    assert actbook.bind("geglu", approximate="tanh").name == "geglu_tanh"
    assert actbook.bind("geglu_tanh", approximate="none").name == "geglu"
    with pytest.raises(ValueError, match=r"approximate must be 'none' or 'tanh', got 'sigmoid'"):
        actbook.bind("geglu", approximate="sigmoid")
    with pytest.raises(TypeError, match=r"takes no parameter \['beta'\]"):
        actbook.bind("swiglu", beta=2.0)
    with pytest.raises(ValueError, match="not a gated unit"):
        actbook.gated_form("relu")


# --- the gated form ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", GATED_VARIANTS)
def test_functional_gated_units_are_their_forms(name: str) -> None:
    """actbook.functional's gated functions compute exactly what their GatedForm describes,
    the description that the derivatives, the harness and the kernels read."""
    gate = torch.cat([torch.linspace(-12, 12, 97), torch.tensor([-math.inf, math.inf, 0.0])])
    value = torch.linspace(-3, 3, gate.numel()).flip(0)
    form = actbook.gated_form(name)
    torch.testing.assert_close(actbook.get(name)(gate, value), form(gate, value), rtol=0,
                               atol=0, equal_nan=True)


@pytest.mark.parametrize("name", GATED_VARIANTS)
def test_gated_partials_are_autograd_of_the_form(name: str) -> None:
    gate = torch.linspace(-6, 6, 49, dtype=torch.float64) + 0.01
    value = torch.linspace(-2, 2, 49, dtype=torch.float64).flip(0) + 0.013
    leaves = [gate.clone().requires_grad_(), value.clone().requires_grad_()]
    by_autograd = torch.autograd.grad(actbook.gated_form(name)(*leaves).sum(), leaves)
    for want, got in zip(by_autograd, actbook.derivative(name)(gate, value), strict=True):
        torch.testing.assert_close(got, want)


def test_a_form_with_clamps_and_offset() -> None:
    """The parts no registered unit uses yet (the bounded SwiGLUs of gpt-oss and Transformer
    Engine): clamped gate and value, an offset, and the derivative of a clamp."""
    form = GatedForm(gate="gelu_sigmoid", gate_clamp=(-math.inf, 7.0), value_clamp=(-7.0, 7.0),
                     value_offset=1.0)
    gate = torch.tensor([-2.0, 0.5, 7.0, 9.0], dtype=torch.float64)
    value = torch.tensor([-8.0, 0.25, 3.0, 10.0], dtype=torch.float64)
    expected = F.gelu_sigmoid(gate.clamp(max=7.0)) * (value.clamp(-7.0, 7.0) + 1.0)
    torch.testing.assert_close(form(gate, value), expected, rtol=0, atol=0)
    leaves = [gate.clone().requires_grad_(), value.clone().requires_grad_()]
    by_autograd = torch.autograd.grad(form(*leaves).sum(), leaves)
    partials = form.partials(gate, value)
    for want, got in zip(by_autograd, partials, strict=True):
        torch.testing.assert_close(got, want)
    assert partials[0][3] == 0 and partials[1][0] == 0  # clamped: no gradient


def test_a_form_is_checked_against_its_kind() -> None:
    with pytest.raises(ValueError, match="a gated unit, and only one, has a GatedForm"):
        dataclasses.replace(actbook.info("relu"), gated=GatedForm(gate="relu"))
    with pytest.raises(ValueError, match="a gated unit, and only one"):
        dataclasses.replace(actbook.info("swiglu"), gated=None)
    assert isinstance(actbook.info("geglu").variants[0], Variant)


# --- packed layouts ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["gate_last", "gate_first", "interleaved"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_pack_and_split_are_inverse(layout: str, dim: int) -> None:
    gate, value = torch.randn(4, 6, 8), torch.randn(4, 6, 8)
    packed = F.pack_gated(gate, value, dim=dim, layout=layout)
    assert packed.shape[dim] == 2 * gate.shape[dim]
    got = F.split_gated(packed, dim=dim, layout=layout)
    assert torch.equal(got[0], gate) and torch.equal(got[1], value)


def test_layouts_read_the_columns_their_models_write() -> None:
    packed = torch.arange(8.0).reshape(1, 8)
    torch.testing.assert_close(TF.glu(packed), packed[:, :4] * torch.sigmoid(packed[:, 4:]))
    gate, value = F.split_gated(packed)  # torch.nn.functional.glu: the gate is the second half
    assert gate.tolist() == [[4, 5, 6, 7]] and value.tolist() == [[0, 1, 2, 3]]
    gate, value = F.split_gated(packed, layout="gate_first")
    assert gate.tolist() == [[0, 1, 2, 3]]
    # gpt-oss: x_glu, x_linear = x[..., ::2], x[..., 1::2]
    gate, value = F.split_gated(packed, layout="interleaved")
    assert gate.tolist() == [[0, 2, 4, 6]] and value.tolist() == [[1, 3, 5, 7]]


def test_the_wrong_layout_gives_another_function() -> None:
    packed = torch.randn(3, 16)
    outputs = {layout: A.SwiGLU(layout=layout)(packed)
               for layout in ("gate_last", "gate_first", "interleaved")}
    assert not torch.allclose(outputs["gate_last"], outputs["gate_first"])
    assert not torch.allclose(outputs["gate_last"], outputs["interleaved"])
    torch.testing.assert_close(outputs["interleaved"],
                               F.swiglu(packed[:, ::2], packed[:, 1::2]), rtol=0, atol=0)


def test_bad_layouts_are_refused() -> None:
    with pytest.raises(ValueError, match="layout must be one of"):
        F.split_gated(torch.randn(4), layout="gate_middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        A.GLU(layout="interleaved", gate_first=True)
    with pytest.raises(ValueError, match="0-dimensional"):
        F.pack_gated(torch.tensor(1.0), torch.tensor(2.0))
    with pytest.raises(ValueError, match="same shape"):
        F.pack_gated(torch.randn(2), torch.randn(3))
    with pytest.raises(ValueError, match="odd"):
        F.split_gated(torch.randn(2, 5), layout="interleaved")


# --- row-wise activations ----------------------------------------------------------------------

ROWWISE = actbook.names(kind="rowwise")


@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_activations_reduce_over_their_dimension_only(name: str) -> None:
    fn = actbook.get(name)
    x = torch.randn(3, 5, 7, dtype=torch.float64)
    for dim in (0, 1, -1):
        y = fn(x, dim=dim)
        assert y.shape == x.shape
        permutation = torch.randperm(x.shape[dim])
        # Rows are independent: permuting the other positions permutes the output alike, and
        # permuting along the reduced dimension permutes the output along it.
        other = (dim + 1) % x.dim()
        shuffle = torch.randperm(x.shape[other])
        torch.testing.assert_close(fn(x.index_select(other, shuffle), dim=dim),
                                   y.index_select(other, shuffle))
        torch.testing.assert_close(fn(x.index_select(dim, permutation), dim=dim),
                                   y.index_select(dim, permutation))


@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_activations_need_a_dimension(name: str) -> None:
    with pytest.raises(TypeError):
        actbook.get(name)(torch.randn(3, 4))
    assert actbook.info(name).params["dim"] is None
    assert A.make_activation(name, dim=-1)(torch.randn(2, 3)).shape == (2, 3)


@pytest.mark.parametrize("name", actbook.names())
def test_scalar_view_is_a_function_of_one_variable(name: str) -> None:
    view = actbook.info(name).scalar()
    x = torch.linspace(-4, 4, 33, dtype=torch.float64) + 0.01
    assert view.function(x).shape == x.shape and view.derivative(x).shape == x.shape
    assert view.label.startswith(actbook.info(name).display_name)


# --- modules and blocks ------------------------------------------------------------------------


def test_modules_declare_their_registry_name() -> None:
    for name, cls in A.MODULES.items():
        assert cls.name == name and cls.function is getattr(F, name)
        assert actbook.info(name).module is cls
        assert cls.__name__ in A.__all__
    with pytest.raises(TypeError, match="already the module of 'relu'"):
        type("AnotherReLU", (A.Activation,), {"name": "relu"})


def test_make_activation_takes_names_classes_and_modules() -> None:
    assert isinstance(A.make_activation(nn.GELU, approximate="tanh"), nn.GELU)
    module = A.SiLU()
    assert A.make_activation(module) is module
    with pytest.raises(TypeError, match="module instance"):
        A.make_activation(module, beta=2.0)


def test_blocks_take_an_activation_class_or_module() -> None:
    block = A.FFN(8, 16, nn.GELU, approximate="tanh")
    assert isinstance(block.act, nn.GELU) and block.act.approximate == "tanh"
    assert isinstance(A.GatedFFN(8, 16, A.ReGLU()).act, A.ReGLU)
    with pytest.raises(ValueError, match="needs the unit by name"):
        A.GatedFFN(8, 16, A.SwiGLU, fused=True)
    with pytest.raises(ValueError, match="SwiGLU is a gated unit"):
        A.FFN(8, 16, A.SwiGLU)
    with pytest.raises(ValueError, match="ReLU is not a gated unit"):
        A.GatedFFN(8, 16, A.ReLU)


class _LlamaMLP(nn.Module):
    """The LLaMA feed-forward block as Meta's and Hugging Face's code write it, in plain torch:
    ``down_proj(silu(gate_proj(x)) * up_proj(x))``."""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(d_model, d_ff, bias=False)
        self.up_proj = nn.Linear(d_model, d_ff, bias=False)
        self.down_proj = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.down_proj(TF.silu(self.gate_proj(x)) * self.up_proj(x))


def test_gated_ffn_is_the_llama_block_with_its_weights() -> None:
    """The mapping the docstring promises: w_gate = gate_proj (w1), w_value = up_proj (w3),
    w_out = down_proj (w2); forward and every weight gradient, at an odd shape."""
    torch.manual_seed(0)
    reference = _LlamaMLP(23, 61).double()
    block = A.GatedFFN(23, 61, "swiglu").double()
    with torch.no_grad():
        block.w_gate.weight.copy_(reference.gate_proj.weight)
        block.w_value.weight.copy_(reference.up_proj.weight)
        block.w_out.weight.copy_(reference.down_proj.weight)
    x = torch.randn(6, 5, 23, dtype=torch.float64)
    torch.testing.assert_close(block(x), reference(x))
    ours = torch.autograd.grad(block(x).square().sum(), [block.w_gate.weight,
                                                         block.w_value.weight,
                                                         block.w_out.weight])
    theirs = torch.autograd.grad(reference(x).square().sum(), [reference.gate_proj.weight,
                                                               reference.up_proj.weight,
                                                               reference.down_proj.weight])
    for got, want in zip(ours, theirs, strict=True):
        torch.testing.assert_close(got, want)
