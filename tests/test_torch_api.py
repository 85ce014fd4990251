"""Drop-in use: actbook's functions and modules take PyTorch's arguments and behave as PyTorch.

PyTorch's own sample inputs (``op_db``, which needs ``expecttest``) drive the comparison: for
every operator with an actbook counterpart, each sample, and its non-contiguous copy, gives the
same shape and dtype and values within ``torch.testing.assert_close``'s tolerance of the dtype.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
import torch
from torch import nn

from actbook import functional as F
from actbook import nn as A

op_db = pytest.importorskip(
    "torch.testing._internal.common_methods_invocations", reason="op_db needs expecttest"
).op_db


#: PyTorch's operator (OpInfo name) → the actbook function that takes the same arguments.
COUNTERPARTS: dict[str, Callable[..., torch.Tensor]] = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "softmax": F.softmax,
    "nn.functional.relu": F.relu,
    "nn.functional.leaky_relu": F.leaky_relu,
    "nn.functional.prelu": F.prelu,
    "nn.functional.elu": F.elu,
    "nn.functional.selu": F.selu,
    "nn.functional.gelu": F.gelu,
    "nn.functional.silu": F.silu,
    "nn.functional.mish": F.mish,
    "nn.functional.softplus": F.softplus,
    "nn.functional.hardsigmoid": F.hardsigmoid,
    "nn.functional.hardswish": F.hardswish,
    "nn.functional.relu6": F.relu6,
    "nn.functional.glu": F.glu,
}
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
OPS = [op for op in op_db if op.name in COUNTERPARTS and op.variant_test_name != "complex"]
CASES = [
    pytest.param(op, dtype, id="-".join(filter(None, (op.name, op.variant_test_name, str(dtype)))))
    for op in OPS for dtype in DTYPES if dtype in op.supported_dtypes("cpu")
]


def test_every_counterpart_has_samples():
    assert {op.name for op in OPS} == set(COUNTERPARTS)


def _compare(ours: torch.Tensor, theirs: torch.Tensor) -> None:
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    torch.testing.assert_close(ours, theirs, equal_nan=True)


@pytest.mark.parametrize(("op", "dtype"), CASES)
def test_sample_inputs_match_pytorch(op, dtype: torch.dtype) -> None:
    ours = COUNTERPARTS[op.name]
    samples = list(op.sample_inputs("cpu", dtype))
    assert samples
    for sample in samples:
        for case in (sample, sample.noncontiguous()):
            _compare(ours(case.input, *case.args, **case.kwargs),
                     op(case.input, *case.args, **case.kwargs))


@pytest.mark.parametrize("op", [op for op in OPS if op.inplace_variant is not None],
                         ids=lambda op: op.name)
def test_inplace_matches_pytorch_inplace(op) -> None:
    for sample in op.sample_inputs("cpu", torch.float32):
        mine, theirs = sample.input.clone(), sample.input.clone()
        result = COUNTERPARTS[op.name](mine, *sample.args, **sample.kwargs, inplace=True)
        op.inplace_variant(theirs, *sample.args, **sample.kwargs)
        assert result is mine
        _compare(mine, theirs)


@pytest.mark.parametrize("op", [op for op in OPS if op.error_inputs_func is not None],
                         ids=lambda op: op.name)
def test_pytorch_errors_are_errors_here(op) -> None:
    """Every input PyTorch rejects, actbook rejects (with its own clearer message)."""
    for error in op.error_inputs("cpu"):
        sample = error.sample_input
        with pytest.raises(error.error_type):
            op(sample.input, *sample.args, **sample.kwargs)
        with pytest.raises((TypeError, ValueError, RuntimeError, IndexError)):
            COUNTERPARTS[op.name](sample.input, *sample.args, **sample.kwargs)


# --- inplace ---------------------------------------------------------------------------------

#: Functions whose PyTorch counterpart takes ``inplace`` as a positional argument after these.
POSITIONAL_INPLACE = {"relu": (), "relu6": (), "selu": (), "silu": (), "mish": (),
                      "hardsigmoid": (), "hardswish": (), "leaky_relu": (0.2,), "elu": (0.5,)}


@pytest.mark.parametrize("name", sorted(POSITIONAL_INPLACE))
def test_inplace_by_position_as_pytorch(name: str) -> None:
    x = torch.linspace(-4, 4, 17, dtype=torch.float64)
    mine, theirs = x.clone(), x.clone()
    params = POSITIONAL_INPLACE[name]
    assert getattr(F, name)(mine, *params, True) is mine
    getattr(torch.nn.functional, name)(theirs, *params, True)
    torch.testing.assert_close(mine, theirs)
    torch.testing.assert_close(getattr(F, name)(x, *params, False), theirs)
    assert not torch.equal(x, theirs), "inplace=False must leave the input alone"


def test_inplace_on_a_leaf_that_needs_grad_raises_as_pytorch():
    leaf = torch.randn(5, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        torch.nn.functional.relu(leaf, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(leaf, inplace=True)


@pytest.mark.parametrize("name", ["silu", "elu", "gelu", "softplus", "mish"])
def test_inplace_under_autograd_gives_the_out_of_place_gradient(name: str) -> None:
    """The backward keeps its input although the forward overwrote it."""
    x = torch.linspace(-3, 3, 13, dtype=torch.float64, requires_grad=True)
    (getattr(F, name)(x * 1.0, inplace=True) ** 2).sum().backward()
    expected = torch.autograd.grad((getattr(F, name)(x) ** 2).sum(), x)[0]
    torch.testing.assert_close(x.grad, expected)


def test_inplace_into_an_expanded_tensor_raises_as_pytorch():
    expanded = torch.randn(1, 3).expand(4, 3)
    with pytest.raises(RuntimeError):
        torch.relu_(expanded)
    with pytest.raises(RuntimeError):
        F.relu(expanded, inplace=True)


# --- modules: PyTorch's constructor arguments ------------------------------------------------

#: actbook module → PyTorch module with the same constructor arguments.
MODULE_PAIRS = [
    (A.Sigmoid, nn.Sigmoid), (A.Tanh, nn.Tanh), (A.ReLU, nn.ReLU), (A.ReLU6, nn.ReLU6),
    (A.LeakyReLU, nn.LeakyReLU), (A.PReLU, nn.PReLU), (A.ELU, nn.ELU), (A.SELU, nn.SELU),
    (A.GELU, nn.GELU), (A.SiLU, nn.SiLU), (A.Mish, nn.Mish), (A.Softplus, nn.Softplus),
    (A.HardSigmoid, nn.Hardsigmoid), (A.HardSwish, nn.Hardswish), (A.Softmax, nn.Softmax),
    (A.GLU, nn.GLU),
]
#: Where actbook keeps another default on purpose: softplus's accurate value everywhere, and a
#: softmax dimension that must be named.
OWN_DEFAULTS = {("Softplus", "threshold"): None, ("Softmax", "dim"): inspect.Parameter.empty}


def _init_parameters(cls: type) -> dict[str, object]:
    return {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


@pytest.mark.parametrize(("ours", "theirs"), MODULE_PAIRS, ids=lambda c: c.__name__)
def test_modules_take_pytorch_constructor_arguments(ours: type, theirs: type) -> None:
    mine = _init_parameters(ours)
    for name, default in _init_parameters(theirs).items():
        assert name in mine, f"{ours.__name__} lacks {theirs.__name__}'s argument {name!r}"
        expected = OWN_DEFAULTS.get((ours.__name__, name), default)
        assert mine[name] == expected, (ours.__name__, name)


@pytest.mark.parametrize(("ours", "theirs"), MODULE_PAIRS, ids=lambda c: c.__name__)
def test_modules_compute_what_pytorch_modules_compute(ours: type, theirs: type) -> None:
    kwargs = {"dim": -1} if theirs in (nn.Softmax, nn.GLU) else {}
    x = torch.randn(4, 6, dtype=torch.float64)
    mine, reference = ours(**kwargs).double(), theirs(**kwargs).double()
    torch.testing.assert_close(mine(x), reference(x))


def test_timm_style_act_layer_inplace():
    """timm builds ``act_layer(inplace=True)``; the module then writes into its input."""
    for cls in (A.ReLU, A.HardSwish, A.SiLU, A.GELU, A.LeakyReLU, A.ELU, A.Swish, A.StarReLU):
        module = cls(inplace=True)
        x = torch.randn(3, 4)
        expected = cls()(x.clone())
        assert module(x) is x
        torch.testing.assert_close(x, expected)
    assert repr(A.ReLU(inplace=True)) == "ReLU(inplace=True)"


@pytest.mark.parametrize(("ours", "theirs"),
                         [(o, t) for o, t in MODULE_PAIRS if "inplace" in _init_parameters(t)],
                         ids=lambda c: c.__name__)
def test_repr_as_pytorch_writes_it(ours: type, theirs: type) -> None:
    """``inplace=True`` shows after the module's own parameters, as in PyTorch's repr (which
    leaves it out for Hardswish and Hardsigmoid)."""
    mine, reference = (repr(m(inplace=True)).partition("(")[2] for m in (ours, theirs))
    assert mine == reference or (mine, reference) == ("inplace=True)", ")")


def test_prelu_factory_arguments():
    weight = A.PReLU(3, init=0.1, dtype=torch.float64, device="cpu").weight
    assert weight.dtype == torch.float64 and weight.shape == (3,)


# --- parameters of the functions -------------------------------------------------------------

def test_glu_takes_pytorch_packed_call():
    x = torch.randn(3, 8, dtype=torch.float64)
    gate, value = F.split_gated(x)
    for call in (lambda: F.glu(x), lambda: F.glu(x, 1), lambda: F.glu(x, dim=-1)):
        torch.testing.assert_close(call(), nn.functional.glu(x, dim=-1))
    torch.testing.assert_close(F.glu(x.T, 0), nn.functional.glu(x.T, 0))
    torch.testing.assert_close(F.glu(gate, value), nn.functional.glu(x))
    with pytest.raises(TypeError, match="not used with gate and value"):
        F.glu(gate, value, dim=0)
    with pytest.raises(TypeError, match="second argument"):
        F.glu(x, 1, dim=0)
    with pytest.raises(ValueError):
        F.glu(torch.randn(3, 5))


def test_gelu_approximate_as_pytorch():
    x = torch.linspace(-6, 6, 49, dtype=torch.float64)
    for approximate in ("none", "tanh"):
        torch.testing.assert_close(F.gelu(x, approximate=approximate),
                                   torch.nn.functional.gelu(x, approximate=approximate))
    torch.testing.assert_close(F.gelu(x, approximate="tanh"), F.gelu_tanh(x))
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="sigmoid")


def test_softplus_threshold_as_pytorch():
    x = torch.linspace(-30, 30, 121, dtype=torch.float64)
    for beta, threshold in ((1.0, 20.0), (3.0, 0.2), (0.5, 5.0)):
        ours = F.softplus(x, beta, threshold)
        theirs = torch.nn.functional.softplus(x, beta, threshold)
        switched = beta * x > threshold
        assert torch.equal(ours[switched], theirs[switched])
        torch.testing.assert_close(ours, theirs)
    # without a threshold actbook keeps the accurate value where PyTorch switches
    big = torch.tensor([25.0], dtype=torch.float64)
    assert F.softplus(big) - big == pytest.approx(1.3887943864771144e-11, rel=1e-12)


def test_softmax_zero_size_zero_dim_and_dtype():
    for shape, dim in (((3, 0), -1), ((0, 3), -1), ((0,), 0), ((), 0)):
        x = torch.randn(shape)
        _compare(F.softmax(x, dim=dim), torch.softmax(x, dim=dim))
    half = torch.randn(2, 5).half()
    _compare(F.softmax(half, dim=-1, dtype=torch.float32),
             torch.softmax(half, dim=-1, dtype=torch.float32))
    with pytest.raises(TypeError, match="float"):
        F.softmax(torch.randn(3), dim=0, dtype=torch.int32)
