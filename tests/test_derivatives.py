"""Gradients: gradcheck/gradgradcheck, the analytic derivatives against autograd, and kinks."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from torch import Tensor
from torch.autograd import gradcheck, gradgradcheck

import actbook
from actbook import derivatives as D
from actbook import functional as F
from actbook.accuracy.oracles import oracle

TF = torch.nn.functional
ELEMENTWISE = actbook.names(kind="elementwise")
GATED = actbook.names(kind="gated")



def _kinks(name: str, operand: str = "gate") -> tuple[float, ...]:
    """Points where the activation (or its derivative) is not differentiable: the oracle's
    kinks; for a gated unit those of its gate (or value) function."""
    form = actbook.info(name).gated
    part = name if form is None else getattr(form, operand)
    return tuple(k.x for k in oracle(part).kinks)


#: Elementwise cases: name -> (activation, its analytic derivative), default parameters first.
Pair = tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]
ELEMENTWISE_CASES: dict[str, Pair] = {
    **{name: (actbook.get(name), actbook.derivative(name)) for name in ELEMENTWISE},
    "step-threshold0.5": (lambda x: F.step(x, 0.5), lambda x: D.step(x, 0.5)),
    "leaky_relu-0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: D.leaky_relu(x, 0.2)),
    "prelu-0.1": (lambda x: F.prelu(x, 0.1), lambda x: D.prelu(x, 0.1)),
    "prelu-per-channel": (
        lambda x: F.prelu(x.reshape(-1, 3), torch.tensor([0.1, 0.2, 0.3], dtype=x.dtype)),
        lambda x: D.prelu(x.reshape(-1, 3), torch.tensor([0.1, 0.2, 0.3], dtype=x.dtype)),
    ),
    "elu-0.5": (lambda x: F.elu(x, 0.5), lambda x: D.elu(x, 0.5)),
    "swish-0.5": (lambda x: F.swish(x, 0.5), lambda x: D.swish(x, 0.5)),
    "swish-2": (lambda x: F.swish(x, 2.0), lambda x: D.swish(x, 2.0)),
    "swish--1": (lambda x: F.swish(x, -1.0), lambda x: D.swish(x, -1.0)),
    "softplus-beta2": (lambda x: F.softplus(x, 2.0), lambda x: D.softplus(x, 2.0)),
    "star_relu-1-0": (lambda x: F.star_relu(x, 1.0, 0.0), lambda x: D.star_relu(x, 1.0, 0.0)),
}


def kinks(case: str) -> tuple[float, ...]:
    return (0.5,) if case == "step-threshold0.5" else _kinks(case.split("-")[0])


def away_from_kinks(x: Tensor, points: tuple[float, ...], margin: float = 0.02) -> Tensor:
    """Move every element within ``margin`` of a kink by ``2·margin``."""
    for k in points:
        x = torch.where((x - k).abs() < margin, x + 2 * margin, x)
    return x


def sample(n: int = 24, dtype: torch.dtype = torch.float64) -> Tensor:
    return torch.cat([torch.linspace(-7.1, 7.1, n // 2, dtype=dtype), 3 * torch.randn(n // 2,
                                                                                     dtype=dtype)])


# ----------------------------------------------------------------------------------------------
# gradcheck and gradgradcheck (float64, away from kinks)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(ELEMENTWISE_CASES))
def test_gradcheck_elementwise(case: str) -> None:
    fn = ELEMENTWISE_CASES[case][0]
    x = away_from_kinks(sample(), kinks(case)).requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_gradcheck_softmax(dim: int, temperature: float) -> None:
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)

    def fn(t: Tensor) -> Tensor:
        return F.softmax(t, dim=dim, temperature=temperature)

    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


GATED_CASES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    **{name: actbook.get(name) for name in GATED},
    "geglu-tanh": lambda g, v: F.geglu(g, v, approximate="tanh"),
}


@pytest.mark.parametrize("case", sorted(GATED_CASES))
def test_gradcheck_gated_in_gate_and_value(case: str) -> None:
    gate = away_from_kinks(sample(), kinks(case)).requires_grad_()
    value = torch.randn(gate.shape, dtype=torch.float64)
    value = away_from_kinks(value, _kinks(case.split("-")[0], "value")).requires_grad_()
    fn = GATED_CASES[case]
    assert gradcheck(fn, (gate, value)) and gradgradcheck(fn, (gate, value))


@pytest.mark.parametrize("weight_shape", [(), (1,), (3,)])
def test_gradcheck_prelu_in_weight(weight_shape: tuple[int, ...]) -> None:
    x = away_from_kinks(sample(), (0.0,)).reshape(-1, 3, 2).requires_grad_()
    weight = torch.full(weight_shape, 0.25, dtype=torch.float64) + 0.1 * torch.rand(weight_shape)
    weight.requires_grad_()
    assert gradcheck(F.prelu, (x, weight)) and gradgradcheck(F.prelu, (x, weight))


@pytest.mark.parametrize("beta", [1.5, 0.5, -0.7])
def test_gradcheck_swish_in_beta(beta: float) -> None:
    x = sample().requires_grad_()
    b = torch.tensor(beta, dtype=torch.float64, requires_grad=True)
    assert gradcheck(F.swish, (x, b)) and gradgradcheck(F.swish, (x, b))


def test_gradcheck_star_relu_in_scale_and_bias() -> None:
    x = away_from_kinks(sample(), (0.0,)).requires_grad_()
    scale = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
    bias = torch.tensor(-0.4, dtype=torch.float64, requires_grad=True)
    assert gradcheck(F.star_relu, (x, scale, bias)) and gradgradcheck(F.star_relu, (x, scale, bias))


# ----------------------------------------------------------------------------------------------
# Analytic derivatives against autograd
# ----------------------------------------------------------------------------------------------

def autograd_derivative(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    x = x.clone().requires_grad_()
    y = fn(x)
    return torch.autograd.grad(y, x, torch.ones_like(y))[0].reshape(y.shape)


def derivative_grid(dtype: torch.dtype) -> Tensor:
    """linspace(-12, 12) with the kinks themselves: the analytic derivatives follow autograd's
    conventions there too."""
    points = torch.tensor([0.0, -3.0, 3.0, 6.0, 0.5, 1e-7, -1e-7])
    return torch.cat([torch.linspace(-12, 12, 2401), points, 4 * torch.randn(286)]).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", sorted(ELEMENTWISE_CASES))
def test_analytic_derivative_matches_autograd(case: str, dtype: torch.dtype, within) -> None:
    """Both are sums of rounded terms of size up to 1 + |x| + |f′(x)| (f′ grows like x² for
    PolyReLU's cube): they agree to 8·eps·(1 + |x| + |f′(x)|)."""
    fn, derivative = ELEMENTWISE_CASES[case]
    x = derivative_grid(dtype)
    expected = autograd_derivative(fn, x)
    got = derivative(x)
    size = 1 + x.double().abs() + expected.double().abs().reshape(x.shape)
    bound = 8 * torch.finfo(dtype).eps * size
    within(got, expected, rtol=0.0, atol=bound.reshape(expected.shape))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", sorted(GATED_CASES))
def test_analytic_gated_derivatives_match_autograd(
    case: str, dtype: torch.dtype, within
) -> None:
    fn = GATED_CASES[case]
    name, _, approximate = case.partition("-")
    gate = derivative_grid(dtype)
    value = torch.randn(gate.shape, dtype=dtype)
    g, v = gate.clone().requires_grad_(), value.clone().requires_grad_()
    expected = torch.autograd.grad(fn(g, v), (g, v), torch.ones_like(gate))
    derivative = actbook.derivative(name)
    got = derivative(gate, value, approximate) if approximate else derivative(gate, value)
    bound = 8 * torch.finfo(dtype).eps * (1 + gate.double().abs()) * (1 + value.double().abs())
    for ours, theirs in zip(got, expected, strict=True):
        within(ours, theirs, rtol=0.0, atol=bound)


@pytest.mark.parametrize("shape, dim", [((7,), 0), ((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1)])
@pytest.mark.parametrize("temperature", [1.0, 2.5])
def test_softmax_jacobian_matches_autograd(
    shape: tuple[int, ...], dim: int, temperature: float
) -> None:
    x = torch.randn(shape, dtype=torch.float64)
    full = torch.autograd.functional.jacobian(
        lambda t: F.softmax(t, dim=dim, temperature=temperature), x
    )
    ours = D.softmax(x, dim=dim, temperature=temperature)
    n = x.dim()
    d = dim % n
    # full[i..., j...] is ∂y[i]/∂x[j]; keep the blocks where i and j differ only along dim.
    others = [s for k, s in enumerate(shape) if k != d]
    blocks = full.movedim(d, n - 1).movedim(n + d, 2 * n - 1)
    blocks = blocks.reshape(math.prod(others), shape[d], math.prod(others), shape[d])
    diagonal = torch.stack([blocks[i, :, i, :] for i in range(math.prod(others))])
    torch.testing.assert_close(ours.reshape(diagonal.shape), diagonal, rtol=1e-13, atol=1e-15)
    # ... and everything off those blocks is zero: softmax mixes only along dim.
    mask = torch.ones_like(blocks, dtype=torch.bool)
    for i in range(math.prod(others)):
        mask[i, :, i, :] = False
    assert (blocks[mask] == 0).all()


# ----------------------------------------------------------------------------------------------
# The documented gradient at kinks
# ----------------------------------------------------------------------------------------------

#: (case, x, expected derivative, PyTorch's own function or None).
KINK_VALUES: list[tuple[str, Callable[[Tensor], Tensor], Callable[[Tensor], Tensor],
                        float, float, Callable[[Tensor], Tensor] | None]] = [
    ("relu'(0)", F.relu, D.relu, 0.0, 0.0, torch.relu),
    ("relu6'(0)", F.relu6, D.relu6, 0.0, 0.0, TF.relu6),
    ("relu6'(6)", F.relu6, D.relu6, 6.0, 0.0, TF.relu6),
    ("hardsigmoid'(-3)", F.hardsigmoid, D.hardsigmoid, -3.0, 0.0, TF.hardsigmoid),
    ("hardsigmoid'(3)", F.hardsigmoid, D.hardsigmoid, 3.0, 0.0, TF.hardsigmoid),
    ("hardswish'(-3)", F.hardswish, D.hardswish, -3.0, 0.0, TF.hardswish),
    ("hardswish'(3)", F.hardswish, D.hardswish, 3.0, 1.0, TF.hardswish),
    ("leaky_relu'(0)", F.leaky_relu, D.leaky_relu, 0.0, 0.01, TF.leaky_relu),
    ("leaky_relu'(0), slope 0.2", lambda x: F.leaky_relu(x, 0.2),
     lambda x: D.leaky_relu(x, 0.2), 0.0, 0.2, lambda x: TF.leaky_relu(x, 0.2)),
    ("prelu'(0)", F.prelu, D.prelu, 0.0, 0.25,
     lambda x: TF.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
    ("elu'(0)", F.elu, D.elu, 0.0, 1.0, TF.elu),
    ("elu'(0), alpha 0.5", lambda x: F.elu(x, 0.5), lambda x: D.elu(x, 0.5), 0.0, 0.5,
     lambda x: TF.elu(x, 0.5)),
    ("selu'(0)", F.selu, D.selu, 0.0, F.SELU_SCALE * F.SELU_ALPHA, TF.selu),
    ("squared_relu'(0)", F.squared_relu, D.squared_relu, 0.0, 0.0, None),
    ("star_relu'(0)", F.star_relu, D.star_relu, 0.0, 0.0, None),
    ("step'(0)", F.step, D.step, 0.0, 0.0, None),
]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", KINK_VALUES, ids=[c[0] for c in KINK_VALUES])
def test_documented_gradient_at_kinks(case: tuple, dtype: torch.dtype) -> None:
    _, fn, derivative, point, expected, torch_fn = case
    x = torch.tensor([point], dtype=dtype)
    expected = torch.tensor([expected], dtype=dtype)
    assert torch.equal(autograd_derivative(fn, x), expected)
    assert torch.equal(derivative(x), expected)
    if torch_fn is not None:  # PyTorch 2.13 follows the same conventions
        assert torch.equal(autograd_derivative(torch_fn, x), expected)


def test_hardsigmoid_slope_is_one_sixth_in_float64() -> None:
    """PyTorch multiplies by 1/6 rounded to float32 even in float64; actbook does not."""
    x = torch.tensor([0.5], dtype=torch.float64)
    assert autograd_derivative(F.hardsigmoid, x).item() == 1 / 6
    assert D.hardsigmoid(x).item() == 1 / 6


def test_reglu_gate_derivative_at_zero() -> None:
    gate, value = torch.zeros(3, dtype=torch.float64), torch.tensor([1.0, -2.0, 3.0])
    g = gate.clone().requires_grad_()
    (dg,) = torch.autograd.grad(F.reglu(g, value.double()).sum(), g)
    assert dg.tolist() == [0.0, 0.0, 0.0]
    assert D.reglu(gate, value.double())[0].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("threshold", [0.0, 0.5, -2.0])
def test_step_derivative_is_zero_everywhere(threshold: float) -> None:
    x = torch.cat([torch.linspace(-5, 5, 1001), torch.tensor([threshold])]).double()
    zeros = torch.zeros_like(x)
    assert torch.equal(autograd_derivative(lambda t: F.step(t, threshold), x), zeros)
    assert torch.equal(D.step(x, threshold), zeros)


# ----------------------------------------------------------------------------------------------
# float16 and bfloat16
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize("case", sorted(ELEMENTWISE_CASES))
def test_low_precision_derivative_is_float32_rounded_once(case: str, dtype: torch.dtype) -> None:
    """Also where the float16 intermediates would overflow (x³ and βx at |x| = 6e4)."""
    derivative = ELEMENTWISE_CASES[case][1]
    special = torch.tensor([-math.inf, math.inf, -6e4, 6e4])
    x = torch.cat([special, torch.linspace(-100, 100, 2000)]).to(dtype)  # 2004 = 3·668 for prelu
    got = derivative(x)
    assert got.dtype == dtype and not got.isnan().any()
    assert torch.equal(got, derivative(x.float()).to(dtype))
