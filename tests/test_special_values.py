"""Infinities, huge finite inputs and NaN: every activation follows the mathematical limits.

PyTorch departs from the limits in places that depend on its CPU kernel and version (NaN at
−inf for silu, gelu and mish in 2.13, NaN at +inf for float32 gelu with AVX-512 only, NaN
gradients at ±inf and for the tanh GELU at |x| = 1e30). The last tests observe PyTorch at run
time and check that actbook's contract check and harness report what they observed.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

import actbook
from actbook import derivatives as D
from actbook import functional as F
from actbook.accuracy import CONTRACT, check_contract, harness, implementations, oracles, report

TF = torch.nn.functional
INF = math.inf
ELEMENTWISE = actbook.names(kind="elementwise")
FLOATS = (torch.float64, torch.float32, torch.bfloat16, torch.float16)
HUGE = {torch.float32: 1e30, torch.float64: 1e300}

def limits(name: str) -> tuple[float, float]:
    """f(−inf) and f(+inf) with default parameters, from the activation's oracle."""
    lim = oracles.oracle(name).limits
    return lim.minus_inf, lim.plus_inf


def slope_limits(name: str) -> tuple[float, float]:
    """f′(−inf) and f′(+inf): the limits of the derivative."""
    lim = oracles.oracle(name).limits
    return lim.slope_minus_inf, lim.slope_plus_inf


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
    assert torch.equal(actbook.get(name)(x), as_expected(limits(name), dtype))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradient_at_infinities_is_the_limit(name: str, dtype: torch.dtype) -> None:
    x = torch.tensor([-INF, INF], dtype=dtype)
    expected = as_expected(slope_limits(name), dtype)
    assert torch.equal(gradient(actbook.get(name), x), expected)
    assert torch.equal(actbook.derivative(name)(x), expected)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradient_at_huge_finite_inputs_is_finite_and_right(name: str, dtype: torch.dtype) -> None:
    """At ±1e30 (float32) and ±1e300 (float64) every derivative is the oracle's float64
    derivative: the slope limit, or 2x and 2sx for the squared ReLUs, whose derivative is still
    representable there even though the value x² overflows; +inf only where the true derivative
    overflows too (PolyReLU's 3w₃x²), and never NaN."""
    huge = HUGE[dtype]
    x = torch.tensor([-huge, huge], dtype=dtype)
    expected = oracles.oracle(name).derivative(x.double()).to(dtype)
    assert not expected.isnan().any() and (torch.isfinite(expected) | (expected == INF)).all()
    by_autograd = gradient(actbook.get(name), x)
    assert not by_autograd.isnan().any()
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
    if actbook.info(name).kind == "rowwise":  # one NaN poisons its whole row, nothing else
        assert y.isnan().all()
        rows = actbook.get(name)(torch.stack([x, x.nan_to_num()]), dim=-1)
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
# What PyTorch does instead: observed, never assumed
# ----------------------------------------------------------------------------------------------
# PyTorch's values at ±inf depend on which of its CPU kernels runs (AVX-512, AVX2 or scalar,
# chosen by the processor or ATEN_CPU_CAPABILITY) and on its version: float32 GELU(+inf) is NaN
# in the AVX-512 kernel only. So these tests observe PyTorch here and now, and assert that
# actbook's contract check and its table report exactly what was observed; actbook's own
# values stay asserted exactly, above.

TORCH = implementations.TORCH_ELEMENTWISE


def _clearly(got: float, expected: float, signed_zero: bool) -> bool | None:
    """True where ``got`` is the contract's value exactly, False where it is a different
    special value (NaN or ±inf against anything else), None in between (a finite value off by
    rounding, which the contract's ulp tolerance decides)."""
    if math.isnan(got) or math.isnan(expected):
        return math.isnan(got) and math.isnan(expected)
    same_sign = math.copysign(1, got) == math.copysign(1, expected)
    if got == expected and (same_sign or not signed_zero):
        return True
    return False if math.isinf(got) or math.isinf(expected) else None


@pytest.mark.parametrize("name", sorted(TORCH))
def test_contract_check_reports_what_pytorch_returns(name: str) -> None:
    rows = [r for r in CONTRACT if r.activation == name]
    x = torch.tensor([r.x for r in rows], requires_grad=True)  # one tensor, as the check does
    y = TORCH[name](x)
    try:
        (grad,) = torch.autograd.grad(y.sum(), x)
        grads = grad.tolist()
    except RuntimeError:  # torch.heaviside has no derivative
        grads = [math.nan] * len(rows)
    reported = {(d.x, math.copysign(1, d.x), d.what)
                for d in check_contract(TORCH.get, torch.float32, (name,))}
    for row, value, slope in zip(rows, y.tolist(), grads, strict=True):
        key = (row.x, math.copysign(1, row.x))
        for what, got, expected, signed in (("value", value, row.value, row.signed_zero),
                                            ("derivative", slope, row.derivative, False)):
            verdict = None if expected is None else _clearly(got, expected, signed)
            if verdict is not None:
                assert ((*key, what) in reported) is (not verdict), (name, row.x, what, got)


def test_departures_table_shows_pytorch_float32_gelu_at_plus_inf_as_observed() -> None:
    """PyTorch's vectorised float32 loop (tensors of 2 or more elements) gives NaN at +inf
    with AVX-512 and inf with AVX2 or the scalar kernel; the table shows whichever it is."""
    x = torch.full((4,), INF)
    assert F.gelu(x).tolist() == [INF] * 4
    observed = TF.gelu(x)[0].item()
    table = report.departures_table(check_contract(TORCH.get, torch.float32, ("gelu",)))
    line = "| gelu | float32 | ∞ | value | ∞ | NaN |"
    assert (line in table) is math.isnan(observed)


@pytest.mark.parametrize("name", ["silu", "gelu", "gelu_tanh", "mish"])
def test_actbook_gradient_at_infinities_is_the_limit_whatever_pytorch_gives(name: str) -> None:
    x = torch.tensor([-INF, INF])
    assert gradient(actbook.get(name), x).tolist() == [0.0, 1.0]
    theirs = gradient(TORCH[name], x)
    reported = {d.x for d in check_contract(TORCH.get, torch.float32, (name,))
                if d.what == "derivative"}
    for point, slope in zip((-INF, INF), theirs.tolist(), strict=True):
        assert (point in reported) is math.isnan(slope)


def test_harness_counts_the_nan_gradients_pytorch_gives_at_huge_float32_inputs() -> None:
    """The tanh GELU's gradient at ±1e30 (x³ overflows inside PyTorch's formula): actbook's is
    the slope limit; PyTorch's, NaN or not, is what the harness counts."""
    x = torch.tensor([-1e30, 1e30])
    assert gradient(F.gelu_tanh, x).tolist() == [0.0, 1.0]
    ref = harness.reference_values("gelu_tanh", x)
    observed = int(gradient(TORCH["gelu_tanh"], x).isnan().sum())
    assert harness.nonfinite_gradients(TORCH["gelu_tanh"], (x,), ref) == observed
    assert harness.nonfinite_gradients(F.gelu_tanh, (x,), ref) == 0


def test_contract_has_rows_for_every_elementwise_activation() -> None:
    """check_contract skips a name without rows, so a missing row would leave an activation
    unchecked while every other test stays green."""
    assert list(dict.fromkeys(r.activation for r in CONTRACT)) == ELEMENTWISE
    for name in ELEMENTWISE:
        xs = [r.x for r in CONTRACT if r.activation == name]
        assert {-INF, INF} <= set(xs) and sum(math.isnan(x) for x in xs) == 1
        assert sorted(math.copysign(1, x) for x in xs if x == 0) == [-1, 1]
