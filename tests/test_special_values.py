"""Infinities, huge finite inputs and NaN: every activation follows the mathematical limits.

PyTorch 2.13 returns NaN at −inf for silu, gelu (both forms), mish and hardswish, NaN at +inf
for float32 gelu, NaN gradients at ±inf for silu/gelu/mish, and NaN gradients for the tanh GELU
at |x| = 1e30 in float32; the last tests record that, so the difference stays deliberate.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

import actbook
from actbook import derivatives as D
from actbook import functional as F

TF = torch.nn.functional
INF = math.inf
ELEMENTWISE = actbook.names(kind="elementwise")
FLOATS = (torch.float64, torch.float32, torch.bfloat16, torch.float16)
HUGE = {torch.float32: 1e30, torch.float64: 1e300}

#: f(−inf) and f(+inf) with default parameters.
LIMITS: dict[str, tuple[float, float]] = {
    "step": (0.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "relu": (0.0, INF),
    "leaky_relu": (-INF, INF),
    "prelu": (-INF, INF),
    "elu": (-1.0, INF),
    "selu": (-F.SELU_SCALE * F.SELU_ALPHA, INF),
    "gelu": (0.0, INF),
    "gelu_tanh": (0.0, INF),
    "gelu_sigmoid": (0.0, INF),
    "silu": (0.0, INF),
    "swish": (0.0, INF),
    "mish": (0.0, INF),
    "softplus": (0.0, INF),
    "hardsigmoid": (0.0, 1.0),
    "hardswish": (0.0, INF),
    "relu6": (0.0, 6.0),
    "squared_relu": (0.0, INF),
    "star_relu": (F.STAR_RELU_BIAS, INF),
}

#: f′(−inf) and f′(+inf): the limits of the derivative.
SLOPE_LIMITS: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in ("gelu", "gelu_tanh", "gelu_sigmoid", "silu", "swish",
                                      "mish", "softplus", "relu", "elu", "hardswish")},
    **{name: (0.0, 0.0) for name in ("step", "sigmoid", "tanh", "hardsigmoid", "relu6")},
    "leaky_relu": (0.01, 1.0),
    "prelu": (0.25, 1.0),
    "selu": (0.0, F.SELU_SCALE),
    "squared_relu": (0.0, INF),
    "star_relu": (0.0, INF),
}


def test_tables_cover_every_elementwise_activation() -> None:
    assert set(LIMITS) == set(SLOPE_LIMITS) == set(ELEMENTWISE)


def as_expected(values: tuple[float, ...], dtype: torch.dtype) -> Tensor:
    """The limits in ``dtype``; a bounded limit is compared after rounding to ``dtype``."""
    return torch.tensor(values, dtype=torch.float64).to(dtype)


def gradient(fn, x: Tensor) -> Tensor:
    leaf = x.clone().requires_grad_()
    return torch.autograd.grad(fn(leaf).sum(), leaf)[0]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_infinities_map_to_the_limits(name: str, dtype: torch.dtype) -> None:
    x = torch.tensor([-INF, INF], dtype=dtype)
    assert torch.equal(actbook.get(name)(x), as_expected(LIMITS[name], dtype))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradient_at_infinities_is_the_limit(name: str, dtype: torch.dtype) -> None:
    x = torch.tensor([-INF, INF], dtype=dtype)
    expected = as_expected(SLOPE_LIMITS[name], dtype)
    assert torch.equal(gradient(actbook.get(name), x), expected)
    assert torch.equal(actbook.derivative(name)(x), expected)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradient_at_huge_finite_inputs_is_finite_and_right(name: str, dtype: torch.dtype) -> None:
    """At ±1e30 (float32) and ±1e300 (float64) every derivative is finite: the slope limit,
    or 2x and 2sx for the squared ReLUs, whose derivative is still representable there even
    though the value x² overflows."""
    huge = HUGE[dtype]
    x = torch.tensor([-huge, huge], dtype=dtype)
    low, high = SLOPE_LIMITS[name]
    if name == "squared_relu":
        high = 2 * huge
    if name == "star_relu":
        high = 2 * F.STAR_RELU_SCALE * huge
    expected = as_expected((low, high), dtype)
    by_autograd = gradient(actbook.get(name), x)
    assert torch.isfinite(by_autograd).all()
    torch.testing.assert_close(by_autograd, expected, rtol=4 * torch.finfo(dtype).eps, atol=0)
    torch.testing.assert_close(actbook.derivative(name)(x), expected,
                               rtol=4 * torch.finfo(dtype).eps, atol=0)
    assert not actbook.get(name)(x).isnan().any()


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_swish_positive_beta_limits(beta: float, dtype: torch.dtype) -> None:
    x = torch.tensor([-INF, INF], dtype=dtype)
    assert F.swish(x, beta).tolist() == [0.0, INF]
    if dtype in HUGE:
        assert gradient(lambda t: F.swish(t, beta), x).tolist() == [0.0, 1.0]
        assert D.swish(x, beta).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", ["glu", "reglu", "geglu", "swiglu"])
def test_gated_units_at_infinite_gates(name: str, dtype: torch.dtype) -> None:
    """The gate's limit times the value: 0 at −inf; the value (GLU) or ±inf at +inf."""
    gate = torch.tensor([-INF, -INF, INF, INF], dtype=dtype)
    value = torch.tensor([2.0, -2.0, 2.0, -2.0], dtype=dtype)
    expected = [0.0, 0.0, 2.0, -2.0] if name == "glu" else [0.0, 0.0, INF, -INF]
    assert [abs(v) if v == 0 else v for v in actbook.get(name)(gate, value).tolist()] == expected
    assert F.geglu(gate, value, approximate="tanh").tolist()[2:] == [INF, -INF]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", actbook.names(kind="gated"))
def test_gated_gradients_at_huge_gates_are_finite(name: str, dtype: torch.dtype) -> None:
    huge = HUGE[dtype]
    gate = torch.tensor([-huge, huge], dtype=dtype, requires_grad=True)
    value = torch.tensor([1.5, 1.5], dtype=dtype, requires_grad=True)
    grads = torch.autograd.grad(actbook.get(name)(gate, value).sum(), (gate, value))
    assert all(torch.isfinite(g).all() for g in grads)
    for ours, theirs in zip(actbook.derivative(name)(gate.detach(), value.detach()), grads,
                            strict=True):
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", actbook.names())
def test_nan_propagates(name: str, dtype: torch.dtype, call) -> None:
    x = torch.tensor([math.nan, 1.0, -1.0, 0.0, 4.0], dtype=dtype)
    y = call(name, x)
    if name == "softmax":  # one NaN poisons its whole row, and nothing else
        assert y.isnan().all()
        rows = F.softmax(torch.stack([x, x.nan_to_num()]), dim=-1)
        assert rows[0].isnan().all() and not rows[1].isnan().any()
        return
    assert y.isnan().tolist() == [True, False, False, False, False]
    if actbook.info(name).kind == "gated":  # a NaN value, too
        assert call(name, x.nan_to_num(), x).isnan().tolist() == [True] + [False] * 4


def test_softmax_with_infinite_and_huge_logits() -> None:
    x = torch.tensor([[-INF, 0.0, math.log(3.0)], [1e30, -1e30, 0.0]], requires_grad=True)
    p = F.softmax(x, dim=-1)
    torch.testing.assert_close(p.detach(), torch.tensor([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0]]))
    (g,) = torch.autograd.grad((p * torch.tensor([1.0, 2.0, 3.0])).sum(), x)
    assert torch.isfinite(g).all()


# ----------------------------------------------------------------------------------------------
# What PyTorch 2.13 does instead (the deliberate differences)
# ----------------------------------------------------------------------------------------------

TORCH_NAN_AT_MINUS_INF = {
    "silu": TF.silu,
    "gelu": TF.gelu,
    "gelu_tanh": lambda x: TF.gelu(x, approximate="tanh"),
    "mish": TF.mish,
    "hardswish": TF.hardswish,
}


@pytest.mark.parametrize("name", sorted(TORCH_NAN_AT_MINUS_INF))
def test_pytorch_returns_nan_at_minus_inf_where_actbook_returns_zero(name: str) -> None:
    x = torch.tensor([-INF])
    assert TORCH_NAN_AT_MINUS_INF[name](x).isnan().all()
    assert actbook.get(name)(x).tolist() == [0.0]


@pytest.mark.parametrize("name", ["silu", "gelu", "gelu_tanh", "mish"])
def test_pytorch_gradient_is_nan_at_infinities_where_actbook_has_the_limit(name: str) -> None:
    x = torch.tensor([-INF, INF])
    assert gradient(TORCH_NAN_AT_MINUS_INF[name], x).isnan().all()
    assert gradient(actbook.get(name), x).tolist() == [0.0, 1.0]


def test_pytorch_float32_gelu_is_nan_at_plus_inf() -> None:
    """In PyTorch's vectorised float32 kernel (tensors of 2 or more elements; one element: inf)."""
    x = torch.full((4,), INF)
    assert TF.gelu(x).isnan().all() and F.gelu(x).tolist() == [INF] * 4


def test_pytorch_gelu_tanh_gradient_is_nan_at_huge_float32_inputs() -> None:
    x = torch.tensor([-1e30, 1e30])
    assert gradient(lambda t: TF.gelu(t, approximate="tanh"), x).isnan().all()
    assert gradient(F.gelu_tanh, x).tolist() == [0.0, 1.0]
