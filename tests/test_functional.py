"""actbook.functional against PyTorch and against 50-digit mpmath references.

* Against PyTorch's own function wherever PyTorch has one (otherwise against the composition of
  PyTorch operations that defines the activation), values in float64, float32, bfloat16 and
  float16 and gradients in float64 and float32.
* Against mpmath at 50 digits, far tails included, where PyTorch's GELU cancels to 0.
* float16/bfloat16 results are the float32 result rounded once.
* ``split_gated`` follows :func:`torch.nn.functional.glu`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import pytest
import torch
from torch import Tensor

import actbook
from actbook import derivatives as D
from actbook import functional as F
from actbook.accuracy.oracles import oracle

TF = torch.nn.functional
FLOATS = (torch.float64, torch.float32, torch.bfloat16, torch.float16)
LOW_PRECISION = (torch.bfloat16, torch.float16)
SLOPES = torch.tensor([0.125, 0.25, 0.375])  # exact in every floating dtype


def eps(dtype: torch.dtype) -> float:
    return torch.finfo(dtype).eps


def subnormal_ulp(dtype: torch.dtype) -> float:
    """The spacing of the subnormal numbers of ``dtype``."""
    return torch.finfo(dtype).tiny * torch.finfo(dtype).eps


def grid(dtype: torch.dtype) -> Tensor:
    """linspace(-8, 8) with the kinks 0, ±3, 6, and 3·N(0, 1) samples: 1920 values."""
    x = torch.cat([
        torch.linspace(-8, 8, 1601, dtype=torch.float64),
        torch.tensor([0.0, -3.0, 3.0, 6.0], dtype=torch.float64),
        3 * torch.randn(315, generator=torch.Generator().manual_seed(1), dtype=torch.float64),
    ])
    return x.to(dtype)


# ----------------------------------------------------------------------------------------------
# Against PyTorch
# ----------------------------------------------------------------------------------------------

def _torch_prelu(x: Tensor) -> Tensor:
    return TF.prelu(x.reshape(-1, 3), SLOPES.to(x.dtype)).reshape(x.shape)


def _torch_glu_packed(x: Tensor) -> Tensor:
    return TF.glu(x.reshape(-1, 2, 4), dim=1)


Case = tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]

#: (actbook, PyTorch's own function) on one tensor.
TORCH_FUNCTIONS: dict[str, Case] = {
    "step": (F.step, lambda x: torch.heaviside(x, torch.ones((), dtype=x.dtype))),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "fatrelu": (F.fatrelu, lambda x: TF.threshold(x, F.FATRELU_THRESHOLD, 0.0)),
    "softmax": (
        lambda x: F.softmax(x.reshape(16, -1), dim=-1),
        lambda x: torch.softmax(x.reshape(16, -1), dim=-1),
    ),
    "softmax-dim0-temperature2": (
        lambda x: F.softmax(x.reshape(16, -1), dim=0, temperature=2.0),
        lambda x: torch.softmax(x.reshape(16, -1) / 2, dim=0),
    ),
    "relu": (F.relu, torch.relu),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu-0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "prelu": (F.prelu, lambda x: TF.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
    "prelu-per-channel": (
        lambda x: F.prelu(x.reshape(-1, 3), SLOPES.to(x.dtype)).reshape(x.shape),
        _torch_prelu,
    ),
    "elu": (F.elu, TF.elu),
    "elu-0.5": (lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)),
    "selu": (F.selu, TF.selu),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (F.gelu_tanh, lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "mish": (F.mish, TF.mish),
    "softplus": (F.softplus, TF.softplus),
    "softplus-beta2": (lambda x: F.softplus(x, 2.0), lambda x: TF.softplus(x, 2.0)),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "relu6": (F.relu6, TF.relu6),
    "glu": (
        lambda x: F.glu(*F.split_gated(x.reshape(-1, 2, 4), dim=1)).reshape(-1, 4),
        lambda x: _torch_glu_packed(x).reshape(-1, 4),
    ),
}

#: (actbook, the PyTorch composition that defines it): activations PyTorch lacks, gated units.
#: Evaluated in float32 for low-precision inputs and rounded once, like actbook.
TORCH_COMPOSITIONS: dict[str, Case] = {
    "gelu_sigmoid": (F.gelu_sigmoid, lambda x: x * torch.sigmoid(1.702 * x)),
    "swish-1": (F.swish, TF.silu),
    "swish-0.5": (lambda x: F.swish(x, 0.5), lambda x: x * torch.sigmoid(0.5 * x)),
    "swish-2": (lambda x: F.swish(x, 2.0), lambda x: x * torch.sigmoid(2.0 * x)),
    "squared_relu": (F.squared_relu, lambda x: torch.relu(x) ** 2),
    "star_relu": (
        F.star_relu,
        lambda x: 2 / math.sqrt(5) * torch.relu(x) ** 2 - 1 / math.sqrt(5),
    ),
    "reglu": (lambda x: F.reglu(x, x.flip(0)), lambda x: torch.relu(x) * x.flip(0)),
    "geglu": (lambda x: F.geglu(x, x.flip(0)), lambda x: TF.gelu(x) * x.flip(0)),
    "geglu-tanh": (
        lambda x: F.geglu(x, x.flip(0), approximate="tanh"),
        lambda x: TF.gelu(x, approximate="tanh") * x.flip(0),
    ),
    "swiglu": (lambda x: F.swiglu(x, x.flip(0)), lambda x: TF.silu(x) * x.flip(0)),
    "bilinear": (lambda x: F.bilinear(x, x.flip(0)), lambda x: x * x.flip(0)),
}

#: Compositions whose input is (gate = x, value = x.flip(0)).
GATED_COMPOSITIONS = {"reglu", "geglu", "geglu-tanh", "swiglu", "bilinear"}

#: PyTorch evaluates GELU as x/2·(1 + erf(x/√2)): for x < 0 the sum 1 + erf cancels and keeps
#: only an absolute accuracy of about eps, so its error is about eps·|x| (its GELU is 0 below
#: x ≈ −5.5 in float32 and −8.4 in float64, the tanh form below −5.1 and −7.2). The comparison
#: allows that; the tails are checked against mpmath in test_against_mpmath.
CANCELLING_IN_TORCH = {"gelu", "gelu_tanh", "geglu", "geglu-tanh"}


def tolerances(case: str, dtype: torch.dtype, x: Tensor) -> tuple[float, float | Tensor]:
    """Both sides round once: 4 eps in float32/float64, one ulp in float16/bfloat16."""
    rtol = eps(dtype) if dtype in LOW_PRECISION else 4 * eps(dtype)
    atol: float | Tensor = subnormal_ulp(dtype)
    if case in CANCELLING_IN_TORCH:
        atol = atol + 4 * eps(dtype) * x.double().abs()
    if case == "star_relu":
        # s·r² + b cancels where s·r² ≈ −b: the two sides may round s·r² differently
        # ((s·r)·r against s·(r·r)), an error relative to the terms, not to the sum.
        atol = atol + 4 * eps(dtype) * (x.double().clamp(min=0) ** 2 + 1)
    return rtol, atol


def test_every_activation_pytorch_has_is_compared_with_it() -> None:
    covered = {c.split("-")[0] for c in [*TORCH_FUNCTIONS, *TORCH_COMPOSITIONS]}
    with_torch = {n for n in actbook.names() if oracle(n).torch is not None}
    assert with_torch <= covered | set(actbook.names(kind="gated"))


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", [v.name for v in actbook.variants(kind="gated")])
def test_gated_units_match_their_pytorch_composite(name: str, dtype: torch.dtype, within) -> None:
    """Every gated unit and variant against the PyTorch composite of its oracle, evaluated in
    float32 for low-precision inputs and rounded once, like actbook."""
    composite = oracle(name).torch
    if composite is None:
        pytest.skip(f"{name} has no PyTorch composite")
    gate = grid(dtype)
    value = gate.flip(0)
    wide = torch.float32 if dtype in LOW_PRECISION else dtype
    expected = composite(gate.to(wide), value.to(wide)).to(dtype)
    case = "geglu-tanh" if name == "geglu_tanh" else name
    rtol, atol = tolerances(case, dtype, gate)
    atol = atol * (1 + value.double().abs())
    within(actbook.get(name)(gate, value), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("case", sorted(TORCH_FUNCTIONS))
def test_values_match_pytorch(case: str, dtype: torch.dtype, within) -> None:
    ours, theirs = TORCH_FUNCTIONS[case]
    x = grid(dtype)
    expected = theirs(x)
    rtol, atol = tolerances(case, dtype, x)
    within(ours(x), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("case", sorted(TORCH_COMPOSITIONS))
def test_values_match_pytorch_compositions(case: str, dtype: torch.dtype, within) -> None:
    ours, theirs = TORCH_COMPOSITIONS[case]
    x = grid(dtype)
    expected = theirs(x.float()).to(dtype) if dtype in LOW_PRECISION else theirs(x)
    rtol, atol = tolerances(case, dtype, x)
    if case in GATED_COMPOSITIONS:
        atol = atol * x.flip(0).double().abs()
    within(ours(x), expected, rtol=rtol, atol=atol)


#: torch.heaviside has no derivative; step' = 0 is tested in test_derivatives.py.
GRADIENT_CASES = sorted({*TORCH_FUNCTIONS, *TORCH_COMPOSITIONS} - {"step"})


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_gradients_match_pytorch(case: str, dtype: torch.dtype, within) -> None:
    ours, theirs = {**TORCH_FUNCTIONS, **TORCH_COMPOSITIONS}[case]
    x = grid(dtype).requires_grad_()
    weights = torch.randn(x.shape, dtype=dtype)  # so that softmax's gradient is not 0

    def grad(fn: Callable[[Tensor], Tensor]) -> Tensor:
        y = fn(x)
        return torch.autograd.grad(y, x, weights[: y.numel()].reshape(y.shape))[0]

    rtol, atol = tolerances(case, dtype, x.detach())
    if case == "hardsigmoid":
        # PyTorch's backward multiplies by 1/6 rounded to float32, also in float64 (a relative
        # error of 3e-8); actbook's slope is 1/6 in the input's precision (test_derivatives).
        rtol = 4 * eps(torch.float32)
    # Sums of rounded terms: the error is relative to the largest term, of size (1 + |x|) for
    # elementwise activations and (1 + |gate|)(1 + |value|) for gated units. This also admits
    # PyTorch's σ(1 − σ) in the sigmoid and GLU backward, accurate to an absolute eps only;
    # actbook's relative accuracy is checked in test_gradients_against_mpmath.
    scale = (1 + x.detach().double().abs()) * weights.double().abs()
    if case in GATED_COMPOSITIONS:
        scale = scale * (1 + x.detach().double().abs()).flip(0)
    if case == "glu":  # gate and value at [i, 1, j] and [i, 0, j], both weighted by [i, 0, j]
        packed = (1 + x.detach().double().abs()).reshape(-1, 2, 4)
        output_weights = weights[: x.numel() // 2].double().abs().reshape(-1, 1, 4)
        scale = (packed.prod(dim=1, keepdim=True) * output_weights).expand(-1, 2, 4).flatten()
    within(grad(ours), grad(theirs), rtol=rtol, atol=atol + 4 * eps(dtype) * scale)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_pytorch_gelu_is_zero_in_the_tail_where_actbook_is_accurate(dtype: torch.dtype) -> None:
    """A deliberate difference: PyTorch's GELU cancels to 0 at x = −10; the true value is not 0."""
    x = torch.tensor([-10.0], dtype=dtype)
    with mpmath.workdps(50):
        exact = float(-10 * mpmath.ncdf(-10))  # -7.6e-23
        exact_tanh = float(_gelu_tanh_reference(mpmath.mpf(-10)))  # -1.2e-37
    assert TF.gelu(x).item() == 0.0
    assert TF.gelu(x, approximate="tanh").item() == 0.0
    rel = 1e-13 if dtype == torch.float64 else 1e-4
    assert F.gelu(x).item() == pytest.approx(exact, rel=rel)
    assert F.gelu_tanh(x).item() == pytest.approx(exact_tanh, rel=rel)


# ----------------------------------------------------------------------------------------------
# Against 50-digit references
# ----------------------------------------------------------------------------------------------

def _sigmoid_reference(x: mpmath.mpf) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-x))


def _softplus_reference(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.log1p(mpmath.exp(x))


def _gelu_tanh_reference(x: mpmath.mpf) -> mpmath.mpf:
    # x/2·(1 + tanh u) = x·σ(2u) exactly; the σ form does not need 900 digits for x = −30.
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf(F.GELU_TANH_COEFF) * x**3)
    return x * _sigmoid_reference(2 * u)


SELU_ALPHA = mpmath.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mpmath.mpf("1.0507009873554804934193349852946")

#: (actbook on a tensor, reference on an mpmath number).
REFERENCES: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[mpmath.mpf], mpmath.mpf]]] = {
    "sigmoid": (F.sigmoid, _sigmoid_reference),
    "tanh": (F.tanh, mpmath.tanh),
    "gelu": (F.gelu, lambda x: x * mpmath.ncdf(x)),
    "gelu_tanh": (F.gelu_tanh, _gelu_tanh_reference),
    "gelu_sigmoid": (F.gelu_sigmoid, lambda x: x * _sigmoid_reference(mpmath.mpf(1.702) * x)),
    "silu": (F.silu, lambda x: x * _sigmoid_reference(x)),
    "swish-0.5": (lambda x: F.swish(x, 0.5), lambda x: x * _sigmoid_reference(x / 2)),
    "swish-2": (lambda x: F.swish(x, 2.0), lambda x: x * _sigmoid_reference(2 * x)),
    "mish": (F.mish, lambda x: x * mpmath.tanh(_softplus_reference(x))),
    "softplus": (F.softplus, _softplus_reference),
    "softplus-beta2": (lambda x: F.softplus(x, 2.0), lambda x: _softplus_reference(2 * x) / 2),
    "elu": (F.elu, lambda x: x if x > 0 else mpmath.expm1(x)),
    "selu": (F.selu, lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * mpmath.expm1(x))),
}
#: Every other elementwise activation against the exact formula of its oracle.
REFERENCES.update({
    name: (actbook.get(name), oracle(name).exact)
    for name in actbook.names(kind="elementwise") if name not in REFERENCES
})


def reference_grid(dtype: torch.dtype) -> Tensor:
    """Far tails (to −30 in float64, −14 in float32), N(0, 16) samples and tiny |x|."""
    limit = 30.0 if dtype == torch.float64 else 14.0
    tiny = torch.tensor([1e-12, 1e-6, 1e-3, 0.0], dtype=torch.float64)
    x = torch.cat([
        torch.linspace(-limit, limit, 20 * int(limit) + 1, dtype=torch.float64),
        4 * torch.randn(64, generator=torch.Generator().manual_seed(2), dtype=torch.float64),
        tiny, -tiny,
    ])
    return x.to(dtype)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_against_mpmath(case: str, dtype: torch.dtype) -> None:
    """Relative error at most 3·(1 + κ) eps, κ = |x f'(x)/f(x)| the condition number of f.

    Rounding x·c or x³ inside f costs one eps in the argument, which f amplifies by κ; no
    algorithm working in the input's precision does better. Where κ ≤ 1 that is 6 eps (a few
    ulp; 1.3e-15 in float64). Results below the smallest normal number (the true value has
    underflowed) are checked to an absolute error of that number.
    """
    ours, reference = REFERENCES[case]
    x = reference_grid(dtype)
    got = ours(x).tolist()
    with mpmath.workdps(50):
        failures = _inaccurate(reference, x.tolist(), got, dtype)
    assert not failures, f"{len(failures)} of {len(got)} inaccurate: {failures[:5]}"


def _inaccurate(
    reference: Callable[[mpmath.mpf], mpmath.mpf], xs: list[float], got: list[float],
    dtype: torch.dtype,
) -> list[str]:
    unit, tiny = eps(dtype), torch.finfo(dtype).tiny
    failures = []
    for xi, yi in zip(xs, got, strict=True):
        exact = reference(mpmath.mpf(xi))
        if exact == 0:
            ok = yi == 0
        elif abs(exact) < tiny:
            ok = abs(yi - exact) <= tiny
        else:
            kappa = abs(xi * mpmath.diff(reference, mpmath.mpf(xi)) / exact)
            ok = abs(yi - exact) <= 3 * (1 + kappa) * unit * abs(exact)
        if not ok:
            failures.append(f"x={xi!r}: got {yi!r}, exact {mpmath.nstr(exact, 17)}")
    return failures


#: The analytic derivatives of the REFERENCES cases.
DERIVATIVES: dict[str, Callable[[Tensor], Tensor]] = {
    **{case: actbook.derivative(case) for case in REFERENCES if "-" not in case},
    "swish-0.5": lambda x: D.swish(x, 0.5),
    "swish-2": lambda x: D.swish(x, 2.0),
    "softplus-beta2": lambda x: D.softplus(x, 2.0),
}

#: Their autograd goes through torch.tanh, whose backward 1 − tanh² is accurate to an absolute
#: eps only (as in PyTorch), multiplied by up to |x| in Mish: in the tails the gradient loses
#: its relative precision.
ABSOLUTE_GRADIENT = {"tanh", "mish", "dyt"}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_gradients_against_mpmath(case: str, dtype: torch.dtype) -> None:
    """Autograd and the analytic derivative: relative error at most 3·(1 + κ′) eps,
    κ′ = |x f″(x)/f′(x)|, the bound of test_against_mpmath applied to f′."""
    ours, reference = REFERENCES[case]
    limit = 30.0 if dtype == torch.float64 else 14.0
    x = torch.cat([
        torch.linspace(-limit, limit, 4 * int(limit) + 2, dtype=torch.float64),  # skips x = 0
        4 * torch.randn(32, dtype=torch.float64), torch.tensor([1e-9, -1e-9, 1e-3, -1e-3]),
    ]).to(dtype)
    leaf = x.clone().requires_grad_()
    autograd = torch.autograd.grad(ours(leaf).sum(), leaf)[0].tolist()
    analytic = DERIVATIVES[case](x).tolist()
    unit, tiny = eps(dtype), torch.finfo(dtype).tiny
    absolute = 4 * unit if case in ABSOLUTE_GRADIENT else 0.0
    failures = []
    with mpmath.workdps(50):
        for xi, by_autograd, by_formula in zip(x.tolist(), autograd, analytic, strict=True):
            exact = mpmath.diff(reference, mpmath.mpf(xi))
            if abs(exact) < tiny:
                bound = tiny
            else:
                kappa = abs(xi * mpmath.diff(reference, mpmath.mpf(xi), 2) / exact)
                bound = 3 * (1 + kappa) * unit * abs(exact)
            slack = absolute * (1 + abs(xi))
            if abs(by_formula - exact) > bound or abs(by_autograd - exact) > bound + slack:
                failures.append(f"x={xi!r}: autograd {by_autograd!r}, derivative "
                                f"{by_formula!r}, exact {mpmath.nstr(exact, 17)}")
    assert not failures, f"{len(failures)} of {len(analytic)} inaccurate: {failures[:5]}"


@pytest.mark.parametrize("case", ["gelu", "gelu_tanh"])
def test_float64_tail_to_minus_30_is_relatively_accurate(case: str) -> None:
    """Where PyTorch returns 0, actbook's float64 GELU keeps a relative error below 1e-12."""
    ours, reference = REFERENCES[case]
    x = torch.linspace(-30, -10, 201, dtype=torch.float64)
    with mpmath.workdps(50):
        exact = [float(reference(mpmath.mpf(v))) for v in x.tolist()]
    exact = torch.tensor(exact, dtype=x.dtype)
    kept = exact.abs() >= torch.finfo(x.dtype).tiny  # gelu_tanh's is subnormal below −21.5
    rel = ((ours(x) - exact) / exact)[kept].abs()
    assert kept.sum() > 100 and rel.max() < 1e-12
    torch_tail = TF.gelu(x, approximate="tanh" if case == "gelu_tanh" else "none")
    assert (torch_tail[kept] == 0).all()


# ----------------------------------------------------------------------------------------------
# float16 and bfloat16
# ----------------------------------------------------------------------------------------------

LOW_PRECISION_CASES: dict[str, Callable[..., Tensor]] = {
    "prelu-per-channel": lambda x, _: F.prelu(x.reshape(-1, 3), SLOPES.to(x.dtype)),
    "swish-0.5": lambda x, _: F.swish(x, 0.5),
    "softplus-beta2": lambda x, _: F.softplus(x, 2.0),
    "star_relu-1-0": lambda x, _: F.star_relu(x, 1.0, 0.0),
    "geglu-tanh": lambda x, v: F.geglu(x, v, approximate="tanh"),
    "softmax-dim0": lambda x, _: F.softmax(x.reshape(-1, 3), dim=0),
}


@pytest.mark.parametrize("dtype", LOW_PRECISION, ids=str)
@pytest.mark.parametrize("case", [*actbook.names(), *LOW_PRECISION_CASES])
def test_low_precision_is_float32_rounded_once(case: str, dtype: torch.dtype, call) -> None:
    if case in LOW_PRECISION_CASES:
        fn = LOW_PRECISION_CASES[case]
    else:
        def fn(x: Tensor, v: Tensor) -> Tensor:
            return call(case, x, v)
    x = torch.cat([torch.linspace(-12, 12, 1201), 4 * torch.randn(299)]).to(dtype)
    value = torch.randn(x.shape).to(dtype)
    got = fn(x, value)
    assert got.dtype == dtype
    assert torch.equal(got, fn(x.float(), value.float()).to(dtype))


@pytest.mark.parametrize("dtype", LOW_PRECISION, ids=str)
def test_native_low_precision_evaluation_would_be_caught(dtype: torch.dtype) -> None:
    """The test above can fail: evaluating x·σ(x) in ``dtype`` itself rounds twice."""
    x = torch.linspace(-12, 12, 1201).to(dtype)
    native = x * torch.sigmoid(x)
    assert not torch.equal(native, F.silu(x))


# ----------------------------------------------------------------------------------------------
# Gated units and split_gated
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_split_gated_default_matches_torch_glu(dim: int) -> None:
    packed = torch.randn(4, 6, 8, dtype=torch.float64)
    gate, value = F.split_gated(packed, dim=dim)
    torch.testing.assert_close(F.glu(gate, value), TF.glu(packed, dim=dim), rtol=0, atol=1e-15)
    first, second = packed.chunk(2, dim=dim)
    assert torch.equal(gate, second) and torch.equal(value, first)


def test_split_gated_gate_first() -> None:
    packed = torch.randn(3, 10)
    gate, value = F.split_gated(packed, gate_first=True)
    assert torch.equal(gate, packed[:, :5]) and torch.equal(value, packed[:, 5:])
    assert torch.equal(F.swiglu(gate, value), F.silu(packed[:, :5]) * packed[:, 5:])


def test_geglu_approximate_selects_the_gelu() -> None:
    gate, value = torch.randn(2, 64, dtype=torch.float64)
    assert torch.equal(F.geglu(gate, value), F.gelu(gate) * value)
    assert torch.equal(F.geglu(gate, value, approximate="tanh"), F.gelu_tanh(gate) * value)
    assert not torch.equal(F.geglu(gate, value), F.geglu(gate, value, approximate="tanh"))


# ----------------------------------------------------------------------------------------------
# Identities and parameters
# ----------------------------------------------------------------------------------------------

def test_swish_special_betas() -> None:
    x = torch.linspace(-20, 20, 4001, dtype=torch.float64)
    assert torch.equal(F.swish(x, 1.0), F.silu(x))
    torch.testing.assert_close(F.swish(x, 0.0), x / 2, rtol=0, atol=0)
    torch.testing.assert_close(F.swish(x, 60.0), torch.relu(x), rtol=0, atol=0.01)
    beta = torch.tensor(1.5, dtype=torch.float64)
    assert torch.equal(F.swish(x, beta), F.swish(x, 1.5))


def test_star_relu_normalises_a_standard_normal_input() -> None:
    """E[y] = 0 and Var[y] = 1 for x ~ N(0, 1), by quadrature against the normal density."""
    x = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
    weights = torch.exp(-x * x / 2) / math.sqrt(2 * math.pi) * (x[1] - x[0])
    y = F.star_relu(x)
    mean = (y * weights).sum().item()
    assert mean == pytest.approx(0, abs=1e-9)
    assert ((y - mean) ** 2 * weights).sum().item() == pytest.approx(1, abs=1e-9)


def test_step_threshold() -> None:
    x = torch.tensor([-1.0, 0.0, 0.49, 0.5, 2.0])
    assert F.step(x).tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    assert F.step(x, threshold=0.5).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_softmax_does_not_overflow_and_sums_to_one() -> None:
    x = torch.tensor([[1e30, 0.0, -1e30], [1000.0, 999.0, -5.0]])
    p = F.softmax(x, dim=-1)
    assert torch.isfinite(p).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(2))
    assert p[0].tolist() == [1.0, 0.0, 0.0]
    expected = torch.softmax(torch.tensor([1.0, 0.0, -1004.0], dtype=torch.float64), -1)
    torch.testing.assert_close(p[1], expected.float())


def test_exported_constants() -> None:
    assert F.SELU_ALPHA == pytest.approx(float(SELU_ALPHA), rel=1e-16)
    assert F.SELU_SCALE == pytest.approx(float(SELU_SCALE), rel=1e-16)
    # StarReLU's constants: E[relu(x)²] = 1/2 and Var[relu(x)²] = E[x⁴]/2 − 1/4 = 5/4.
    assert F.STAR_RELU_SCALE == pytest.approx(1 / math.sqrt(5 / 4))
    assert F.STAR_RELU_BIAS == pytest.approx(-0.5 * F.STAR_RELU_SCALE)
    assert (F.GELU_TANH_COEFF, F.GELU_SIGMOID_COEFF) == (0.044715, 1.702)


def test_prelu_single_slope_keeps_input_shape():
    """A one-element weight of shape (1,) must not add a dimension (as in F.prelu)."""
    x = torch.tensor(-2.0)
    weight = torch.tensor([0.25])
    out = actbook.F.prelu(x, weight)
    assert out.shape == torch.nn.functional.prelu(x, weight).shape == ()
    assert out.item() == -0.5


# ----------------------------------------------------------------------------------------------
# Released formulas: actbook computes what the models' own code computes
# ----------------------------------------------------------------------------------------------


def _xielu_released(x: Tensor, alpha_p: Tensor, alpha_n: Tensor, beta: float, eps: float) -> Tensor:
    """Hugging Face's ``XIELUActivation._xielu_python`` (Apertus), with α_p = softplus(p) and
    α_n = β + softplus(n) for the stored parameters p and n."""
    a_p, a_n = TF.softplus(alpha_p), beta + TF.softplus(alpha_n)
    return torch.where(x > 0, a_p * x * x + beta * x,
                       (torch.expm1(torch.min(x, torch.tensor(eps, dtype=x.dtype))) - x) * a_n
                       + beta * x)


def test_xielu_module_is_the_released_activation() -> None:
    """Same parameters, same buffers, same values (float64, 1e-15) and gradients as the
    Apertus code, including on (ε, 0] where its ε = −1e-6 leaves a step at 0."""
    module = actbook.nn.XIELU().double()
    assert {n: tuple(t.shape) for n, t in module.state_dict().items()} == {
        "alpha_p": (1,), "alpha_n": (1,), "beta": (), "eps": ()}
    torch.testing.assert_close(TF.softplus(module.alpha_p), torch.full((1,), 0.8).double())
    beta, eps = module.beta.item(), module.eps.item()  # -1e-6 as float32 stores it
    x = torch.cat([torch.linspace(-12, 6, 181, dtype=torch.float64),
                   torch.tensor([-1e-6, -5e-7, -1e-9, 0.0, 1e-9], dtype=torch.float64)])
    expected = _xielu_released(x, module.alpha_p.detach(), module.alpha_n.detach(), beta, eps)
    torch.testing.assert_close(module(x), expected, rtol=1e-15, atol=1e-15)
    assert module(torch.tensor([0.0], dtype=torch.float64)).item() == pytest.approx(
        0.8 * math.expm1(eps), rel=1e-7)
    leaf = x.clone().requires_grad_()
    params = [module.alpha_p, module.alpha_n]
    ours = torch.autograd.grad(module(leaf).sum(), [leaf, *params])
    p, n = (t.detach().clone().requires_grad_() for t in params)
    leaf2 = x.clone().requires_grad_()
    theirs = torch.autograd.grad(_xielu_released(leaf2, p, n, beta, eps).sum(), [leaf2, p, n])
    away_from_eps = x != eps  # torch.min splits a tie's gradient in half
    torch.testing.assert_close(ours[0][away_from_eps], theirs[0][away_from_eps])
    for got, want in zip(ours[1:], theirs[1:], strict=True):
        torch.testing.assert_close(got, want)


def test_xielu_refuses_parameters_outside_its_constraints() -> None:
    with pytest.raises(ValueError, match="alpha_n > beta"):
        F.xielu(torch.randn(3), alpha_n=0.4)
    with pytest.raises(ValueError, match="alpha_p > 0"):  # a float is checked beside a tensor
        F.xielu(torch.randn(3), alpha_p=-1.0, beta=torch.tensor(0.5))
    with pytest.raises(ValueError, match="eps <= 0"):
        actbook.nn.XIELU(eps=1e-3)


def test_drelu_is_zero_where_either_projection_is_negative() -> None:
    gate, value = torch.randn(1000, dtype=torch.float64), torch.randn(1000, dtype=torch.float64)
    y = F.drelu(gate, value)
    assert torch.equal(y == 0, (gate <= 0) | (value <= 0))
    torch.testing.assert_close(y, F.reglu(gate, TF.relu(value)), rtol=0, atol=0)


def _gpt_oss_swiglu(x: Tensor, alpha: float = 1.702, limit: float = 7.0) -> Tensor:
    """gpt-oss's ``swiglu`` (``gpt_oss/torch/model.py``), on a packed tensor whose gate and
    value columns interleave."""
    x_glu, x_linear = x[..., ::2], x[..., 1::2]
    x_glu = x_glu.clamp(min=None, max=limit)
    x_linear = x_linear.clamp(min=-limit, max=limit)
    out_glu = x_glu * torch.sigmoid(alpha * x_glu)
    return out_glu * (x_linear + 1)


def test_clamped_swiglu_module_is_the_released_unit() -> None:
    """The module on gpt-oss's interleaved layout is gpt-oss's function, values and gradients;
    on the first-half layout it is TransformerEngine's reading of the same function; and the
    three layouts give three different functions of one packed tensor."""
    packed = (6 * torch.randn(4, 64, dtype=torch.float64)).requires_grad_()
    ours = actbook.nn.ClampedSwiGLU()(packed)
    theirs = _gpt_oss_swiglu(packed)
    torch.testing.assert_close(ours, theirs, rtol=1e-15, atol=1e-15)
    grads = [torch.autograd.grad(y.sum(), packed)[0] for y in (ours, theirs)]
    torch.testing.assert_close(*grads, rtol=1e-15, atol=1e-15)
    gate, value = packed[..., :32], packed[..., 32:]
    first = actbook.nn.ClampedSwiGLU(layout="gate_first")(packed)
    torch.testing.assert_close(first, F.clamped_swiglu(gate, value))
    outputs = [actbook.nn.ClampedSwiGLU(layout=layout)(packed)
               for layout in ("interleaved", "gate_first", "gate_last")]
    assert all(not torch.allclose(a, b) for a, b in zip(outputs, outputs[1:], strict=False))


def test_clamped_swiglu_bounds_and_clamp_gradients() -> None:
    """The output stays in [2·min a, 56] wherever the inputs go, and a clamped input gets no
    gradient (torch.clamp's convention: the boundary itself passes it)."""
    gate = torch.tensor([-1e4, -0.75, 7.0, 8.0, 1e4], dtype=torch.float64, requires_grad=True)
    value = torch.tensor([1e4, -1e4, 7.0, -7.0, 8.0], dtype=torch.float64, requires_grad=True)
    y = F.clamped_swiglu(gate, value)
    assert y.max().item() <= 56.0 and y.min().item() >= -42.0
    g_gate, g_value = torch.autograd.grad(y.sum(), (gate, value))
    assert g_gate[3].item() == 0.0 and g_gate[4].item() == 0.0 and g_gate[2].item() != 0.0
    assert g_value[0].item() == 0.0 and g_value[1].item() == 0.0 and g_value[2].item() != 0.0
    analytic = D.clamped_swiglu(gate.detach(), value.detach())
    torch.testing.assert_close(analytic[0], g_gate)
    torch.testing.assert_close(analytic[1], g_value)


def test_clamped_swiglu_derivative_at_other_limits() -> None:
    """The analytic partials follow the limit and offset given, as autograd does."""
    gate = 4 * torch.randn(256, dtype=torch.float64)
    value = 4 * torch.randn(256, dtype=torch.float64)
    leaves = gate.clone().requires_grad_(), value.clone().requires_grad_()
    y = F.clamped_swiglu(*leaves, limit=3.0, offset=0.5)
    autograd = torch.autograd.grad(y.sum(), leaves)
    analytic = D.clamped_swiglu(gate, value, limit=3.0, offset=0.5)
    for a, b in zip(analytic, autograd, strict=True):
        torch.testing.assert_close(a, b)
    assert torch.autograd.gradcheck(
        lambda g, v: F.clamped_swiglu(g, v, limit=3.0, offset=0.5),
        (leaves[0][:16], leaves[1][:16]),
    )


def _vllm_swiglu_step(x: Tensor, limit: float = 7.0) -> Tensor:
    """vLLM's ``SwigluStepAndMul`` on a packed tensor whose first half is the gate."""
    d = x.shape[-1] // 2
    return torch.nn.functional.silu(x[..., :d]).clamp(max=limit) * x[..., d:].clamp(-limit, limit)


def test_swiglu_step_is_the_clamp_after_silu_form() -> None:
    """``swiglu_step`` is vLLM's SwigluStepAndMul (values and gradients), differs from gpt-oss's
    unit on the same inputs, and its analytic partials zero the gate's gradient where SiLU's
    output is clamped."""
    packed = (6 * torch.randn(8, 64, dtype=torch.float64)).requires_grad_()
    step = actbook.nn.make_activation("swiglu_step", layout="gate_first")
    ours, theirs = step(packed), _vllm_swiglu_step(packed)
    torch.testing.assert_close(ours, theirs, rtol=1e-15, atol=1e-15)
    grads = [torch.autograd.grad(y.sum(), packed)[0] for y in (ours, theirs)]
    torch.testing.assert_close(*grads, rtol=1e-15, atol=1e-15)
    gate, value = packed.detach()[..., :32], packed.detach()[..., 32:]
    assert not torch.allclose(ours, F.clamped_swiglu(gate, value))
    partials = actbook.derivative("swiglu_step")(gate, value)
    torch.testing.assert_close(partials[0], grads[0][..., :32])
    torch.testing.assert_close(partials[1], grads[0][..., 32:])
    capped = F.silu(gate) > 7.0
    assert capped.any() and (partials[0][capped] == 0).all()


def test_bounded_swiglu_family_refuses_other_slopes_and_clamps() -> None:
    x = torch.randn(3)
    with pytest.raises(ValueError, match="alpha must be 1.702"):
        F.clamped_swiglu(x, x, alpha=2.0)
    with pytest.raises(ValueError, match="clamp must be 'input' or 'output'"):
        actbook.nn.ClampedSwiGLU(clamp="both")


def test_frontier_units_refuse_parameters_outside_their_domain() -> None:
    x = torch.randn(3)
    with pytest.raises(ValueError, match="threshold must be finite and >= 0"):
        F.fatrelu(x, threshold=-0.5)
    with pytest.raises(ValueError, match="cap must be positive"):
        F.softcap(x, cap=0.0)
    with pytest.raises(ValueError, match="limit > 0"):
        F.clamped_swiglu(x, x, limit=-7.0)
    with pytest.raises(ValueError, match="threshold"):
        actbook.nn.FATReLU(math.inf)
    with pytest.raises(ValueError, match="cap"):
        actbook.nn.SoftCap(-1.0)
    with pytest.raises(ValueError, match="layout"):
        actbook.nn.ClampedSwiGLU(layout="halves")


def test_dyt_layer_is_the_released_layer() -> None:
    """With ``normalized_shape`` the module is the DyT layer γ·tanh(αx) + β, with the released
    parameter names, so a ``DynamicTanh`` state dict loads."""
    layer = actbook.nn.DyT(alpha_init=0.8, normalized_shape=6)
    state = {"alpha": torch.tensor([0.3]), "weight": torch.linspace(0.5, 1.5, 6),
             "bias": torch.linspace(-0.1, 0.1, 6)}
    layer.load_state_dict(state)
    x = torch.randn(2, 5, 6)
    expected = torch.tanh(0.3 * x) * state["weight"] + state["bias"]
    torch.testing.assert_close(layer(x), expected)


def test_polyrelu_module_is_the_released_activation() -> None:
    """PolyCom's PolyReLU, relu(x) then Σ wᵢ·xⁱ⁺¹ + b with w = 1/3 and b = 0 at the start:
    the same values and the same gradients in x, w and b."""
    x = (3 * torch.randn(64, dtype=torch.float64)).requires_grad_()
    module = actbook.nn.PolyReLU().double()
    weight = module.weight.detach().clone().requires_grad_()
    bias = module.bias.detach().clone().requires_grad_()
    r = torch.relu(x)
    theirs = sum(weight[i] * r ** (i + 1) for i in range(3)) + bias
    ours = module(x)
    torch.testing.assert_close(ours, theirs)
    grads_ours = torch.autograd.grad(ours.sum(), (x, module.weight, module.bias))
    grads_theirs = torch.autograd.grad(theirs.sum(), (x, weight, bias))
    for a, b in zip(grads_ours, grads_theirs, strict=True):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="three coefficients"):
        F.polyrelu(x, weight=(1.0, 2.0))


def _gemma3n_gaussian_topk_gate(gate: Tensor, sparsity: float = 0.95) -> Tensor:
    """Hugging Face's ``Gemma3nTextMLP``: ``_gaussian_topk`` on the gate, then ``act_fn``
    (``gelu_pytorch_tanh``); the multiplier is computed in float32 as there."""
    multiplier = torch.distributions.normal.Normal(0, 1).icdf(
        torch.tensor(sparsity, dtype=torch.float32)).to(gate.dtype)
    mean = gate.mean(dim=-1, keepdim=True)
    std = gate.std(dim=-1, keepdim=True, unbiased=False)
    cut = torch.nn.functional.relu(gate - (mean + std * multiplier))
    return torch.nn.functional.gelu(cut, approximate="tanh")


def _polycom_polynorm(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-6) -> Tensor:
    """PolyCom's ``PolyNorm.forward`` (weights of norm(x³), norm(x²), norm(x))."""
    def norm(u: Tensor) -> Tensor:
        return u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)

    return weight[0] * norm(x**3) + weight[1] * norm(x**2) + weight[2] * norm(x) + bias


def test_gaussian_topk_is_gemma3n_and_keeps_five_percent_of_a_gaussian_row() -> None:
    gate = torch.randn(64, 4096, dtype=torch.float64)
    ours = F.gaussian_topk(gate, dim=-1)
    torch.testing.assert_close(ours, _gemma3n_gaussian_topk_gate(gate), rtol=1e-6, atol=1e-6)
    share = (ours > 0).double().mean().item()
    assert abs(share - 0.05) < 0.005
    torch.testing.assert_close(F.gaussian_topk(gate, dim=-1, sparsity=0.0),
                               F.gelu_tanh(gate), rtol=0, atol=0)
    module = actbook.nn.GaussianTopK(dim=0)
    torch.testing.assert_close(module(gate.T), ours.T)


def test_polynorm_is_polycom_and_learns_its_weights() -> None:
    x = torch.randn(8, 32, dtype=torch.float64)
    module = actbook.nn.PolyNorm().double()
    with torch.no_grad():
        module.weight.copy_(torch.tensor([0.2, -0.5, 1.1]))
        module.bias.fill_(0.3)
    torch.testing.assert_close(module(x), _polycom_polynorm(x, module.weight, module.bias))
    module(x).square().sum().backward()
    assert module.weight.grad.abs().min() > 0 and module.bias.grad.abs().item() > 0


@pytest.mark.parametrize("name", ["gaussian_topk", "polynorm"])
def test_row_statistics_units_jacobian_and_gradcheck(name: str) -> None:
    x = 2 * torch.randn(4, 9, dtype=torch.float64)
    x[:, 0] = 8.0  # an entry above the Gaussian top-k's cut-off in every row
    fn = actbook.get(name)
    jacobian = torch.autograd.functional.jacobian(lambda t: fn(t, dim=-1), x)
    ours = actbook.derivative(name)(x, dim=-1)
    for row in range(x.shape[0]):
        torch.testing.assert_close(ours[row], jacobian[row, :, row, :])
    assert torch.autograd.gradcheck(lambda t: fn(t, dim=-1), (x.requires_grad_(),))


def test_row_statistics_units_scalar_views_match_a_long_normal_row() -> None:
    """The scalar view is what an entry of a long standard normal row sees."""
    row = torch.randn(1 << 20, dtype=torch.float64)
    row = (row - row.mean()) / row.std(correction=0)
    probes = torch.tensor([-2.0, -0.5, 0.5, 2.0, 3.0], dtype=torch.float64)
    x = torch.cat([probes, row])
    for name in ("gaussian_topk", "polynorm"):
        view = actbook.info(name).scalar()
        torch.testing.assert_close(actbook.get(name)(x, dim=-1)[:5], view.function(probes),
                                   rtol=2e-2, atol=2e-2)


def test_row_statistics_units_refuse_bad_parameters() -> None:
    x = torch.randn(2, 3)
    with pytest.raises(ValueError, match=r"sparsity must be in \[0, 1\)"):
        F.gaussian_topk(x, dim=-1, sparsity=1.0)
    with pytest.raises(TypeError, match="dim"):
        F.gaussian_topk(x)
    with pytest.raises(ValueError, match="three coefficients"):
        F.polynorm(x, dim=-1, weight=(1.0, 2.0))
    with pytest.raises(ValueError, match="eps must be positive"):
        actbook.nn.PolyNorm(eps=0.0)
    with pytest.raises(ValueError, match="sparsity"):
        actbook.nn.GaussianTopK(sparsity=-0.1)
