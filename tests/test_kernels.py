"""actbook.kernels: fused kernels equal the eager reference, save only their inputs, compile once.

Every torch.compile costs seconds here, so the tests share the process-wide kernels (compiled on
first use) and keep the number of distinct graphs small: each op once in float32, the dtypes,
a strided layout and the batch-size test only for SwiGLU. Tests named ``*cuda*`` run on a GPU
(``pytest tests/test_kernels.py -k cuda``) and are skipped without one.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as TF
from torch import Tensor
from torch._dynamo.testing import CompileCounter
from torch._dynamo.utils import counters

import actbook
import actbook.functional as F
from actbook import kernels
from actbook import nn as A
from actbook.kernels import _lazy
from actbook.kernels import _pointwise as P

#: The gated kernels: every gated variant of the registry that actbook.kernels fuses.
GATED = tuple(n for n in kernels.FUSED if actbook.resolve(n).gated is not None)
DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
    ),
]
# float16/bfloat16 are computed in float32 and rounded once by both sides: they may differ by
# one unit in the last place where their float32 values straddle a rounding boundary.
TOLERANCE = {
    torch.float32: {"rtol": 1e-5, "atol": 1e-6},
    torch.float16: {"rtol": torch.finfo(torch.float16).eps, "atol": 1e-6},
    torch.bfloat16: {"rtol": torch.finfo(torch.bfloat16).eps, "atol": 1e-6},
}


def _pair(name: str) -> tuple[Callable[..., Tensor], Callable[..., Tensor]]:
    """(eager reference, fused kernel) for a kernel's variant name."""
    return actbook.get(name), kernels.get(name)


def _leaf(t: Tensor) -> Tensor:
    return t.detach().requires_grad_(True)


def _assert_same(reference, fused, inputs: list[Tensor], dtype: torch.dtype) -> None:
    """Forward and every input gradient of ``fused`` equal those of ``reference``."""
    ref_inputs = [_leaf(t) for t in inputs]
    fused_inputs = [_leaf(t) for t in inputs]
    expected, got = reference(*ref_inputs), fused(*fused_inputs)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    torch.testing.assert_close(got, expected, **TOLERANCE[dtype])
    grad = torch.randn_like(expected)
    ref_grads = torch.autograd.grad(expected, ref_inputs, grad)
    fused_grads = torch.autograd.grad(got, fused_inputs, grad)
    for want, have, x in zip(ref_grads, fused_grads, inputs, strict=True):
        assert have.dtype == x.dtype and have.shape == x.shape
        torch.testing.assert_close(have, want, **TOLERANCE[dtype])


def _strided(shape: tuple[int, ...], device: str, dtype=torch.float32) -> Tensor:
    """A non-contiguous view of the given shape: every other column, then transposed."""
    base = torch.randn(shape[1], shape[0], 2 * shape[2], device=device, dtype=dtype)
    view = base[..., ::2].transpose(0, 1)
    assert view.shape == shape and not view.is_contiguous()
    return view


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", GATED)
def test_gated_kernel_equals_eager_reference(name, device):
    gate, value = torch.randn(2, 37, 53, device=device) * 3
    _assert_same(*_pair(name), [gate, value], torch.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_gated_kernels_handle_infinities_like_the_reference(device):
    special = torch.tensor([-torch.inf, -1e30, -50.0, 0.0, 50.0, 1e30, torch.inf], device=device)
    gate, value = torch.meshgrid(special, torch.tensor([-2.0, 0.5], device=device), indexing="ij")
    for name in ("swiglu", "geglu", "geglu_tanh", "glu"):
        _assert_same(*_pair(name), [gate.contiguous(), value.contiguous()], torch.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_gated_kernels_keep_nan_the_cutoff_and_tiny_tail_values(device):
    """NaN propagates, values around the ±1e4 cutoff of the tails are right, and SwiGLU keeps
    outputs as small as −7e-38 (an unstable sigmoid would round them to 0): checked with no
    absolute tolerance."""
    gate = torch.tensor(
        [torch.nan, -1e4, -10001.0, -9999.0, 9999.0, 1e4, 10001.0, -85.0, -90.0], device=device
    )
    value = torch.full_like(gate, -1.5)
    for name in ("swiglu", "geglu", "geglu_tanh", "glu"):
        reference, fused = _pair(name)
        torch.testing.assert_close(
            fused(gate, value), reference(gate, value), rtol=1e-6, atol=0, equal_nan=True
        )
    exact = gate.double() * torch.sigmoid(gate.double()) * -1.5
    torch.testing.assert_close(
        kernels.swiglu(gate, value).double(), exact, rtol=1e-5, atol=0, equal_nan=True
    )


@pytest.mark.parametrize("device", DEVICES)
def test_squared_relu_kernel_equals_eager_reference(device):
    x = torch.randn(37, 53, device=device) * 3
    _assert_same(F.squared_relu, kernels.squared_relu, [x], torch.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_star_relu_kernel_gives_gradients_for_scale_and_bias(device):
    x = torch.randn(37, 53, device=device) * 3
    scale = torch.tensor([0.8], device=device)  # MetaFormer's learnable (1,)-shaped s and b
    bias = torch.tensor([-0.3], device=device)
    _assert_same(F.star_relu, kernels.star_relu, [x, scale, bias], torch.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_star_relu_kernel_with_constant_parameters(device):
    x = torch.randn(37, 53, device=device)
    _assert_same(F.star_relu, kernels.star_relu, [x], torch.float32)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_swiglu_kernel_low_precision_is_rounded_once(dtype, device):
    gate, value = (torch.randn(2, 37, 53, device=device) * 3).to(dtype)
    _assert_same(F.swiglu, kernels.swiglu, [gate, value], dtype)


@pytest.mark.parametrize("device", DEVICES)
def test_swiglu_kernel_on_strided_inputs_of_odd_shape(device):
    gate, value = _strided((5, 7, 9), device), _strided((5, 7, 9), device)
    _assert_same(F.swiglu, kernels.swiglu, [gate, value], torch.float32)


def _saved_tensors(fn: Callable[..., Tensor], *inputs: Tensor) -> list[Tensor]:
    saved: list[Tensor] = []

    def pack(t: Tensor) -> Tensor:
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return saved


@pytest.mark.parametrize("device", DEVICES)
def test_swiglu_kernel_saves_its_two_inputs_where_eager_saves_three(device):
    gate, value = (torch.randn(8, 16, device=device, requires_grad=True) for _ in range(2))
    fused = _saved_tensors(kernels.swiglu, gate, value)
    eager = _saved_tensors(lambda g, v: TF.silu(g) * v, gate, value)
    assert len(fused) == 2 and len(eager) == 3
    assert {t.data_ptr() for t in fused} == {gate.data_ptr(), value.data_ptr()}


def _saved_activation_bytes(block: torch.nn.Module, x: Tensor) -> int:
    """Bytes of the distinct tensors autograd keeps for ``block(x)``, parameters left out."""
    parameters = {p.data_ptr() for p in block.parameters()}
    storages = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes()
                for t in _saved_tensors(block, x) if t.data_ptr() not in parameters}
    return sum(storages.values())


@pytest.mark.parametrize("device", DEVICES)
def test_squared_relu_kernel_shares_its_saved_output_with_the_next_layer(device):
    """Linear → ReLU² → Linear: eager keeps x, max(0, h) and y; the kernel keeps only its
    output y, which the second Linear keeps anyway."""
    x = torch.randn(64, 32, device=device, requires_grad=True)

    def block(act):
        torch.manual_seed(0)
        layers = [torch.nn.Linear(32, 128), act, torch.nn.Linear(128, 32)]
        return torch.nn.Sequential(*layers).to(device)

    class Fused(torch.nn.Module):
        def forward(self, h: Tensor) -> Tensor:
            return kernels.squared_relu(h)

    eager = _saved_activation_bytes(block(A.SquaredReLU()), x)
    fused = _saved_activation_bytes(block(Fused()), x)
    hidden = 64 * 128 * 4
    assert eager - fused == hidden, (eager, fused)


def test_squared_relu_kernel_second_derivative_is_finite_at_zero():
    x = torch.tensor([-2.0, -0.0, 0.0, 1e-20, 0.5, 3.0], requires_grad=True)

    def second(fn):
        (first,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
        (again,) = torch.autograd.grad(first.sum(), x)
        return first, again

    for got, want in zip(second(kernels.squared_relu), second(F.squared_relu), strict=True):
        torch.testing.assert_close(got, want)


@pytest.mark.parametrize("device", DEVICES)
def test_changing_the_batch_size_does_not_recompile(device):
    def train_step(batch: int) -> None:
        gate, value = (torch.randn(batch, 37, 53, device=device, requires_grad=True) for _ in "gv")
        kernels.swiglu(gate, value).sum().backward()

    train_step(3)  # compiles the forward and backward graphs if no earlier test did
    graphs = counters["stats"]["unique_graphs"]
    for batch in (5, 17):
        train_step(batch)
    assert counters["stats"]["unique_graphs"] == graphs


def _scale_and_add(x: Tensor, y: Tensor) -> Tensor:
    return 2.0 * x + y


def test_leading_dimensions_are_dynamic_and_the_feature_dimension_static(monkeypatch):
    """A new batch size reuses the graph; every new feature size gets a graph of its own (with
    Dynamo's automatic dynamic shapes the second one would make that dimension symbolic, and
    slower, for all later sizes). Dynamo's eager backend counts graphs without compiling."""
    backend = CompileCounter()
    monkeypatch.setattr(_lazy, "_compile", lambda fn: torch.compile(fn, backend=backend))
    kernel = _lazy.LazyKernel(_scale_and_add)

    def graphs_after(*shape: int) -> int:
        x, y = torch.randn(shape), torch.randn(shape)
        torch.testing.assert_close(kernel(x, y), 2.0 * x + y)
        return backend.frame_count

    assert [graphs_after(*shape) for shape in [(3, 8), (5, 8), (5, 16), (7, 24)]] == [1, 1, 2, 3]
    assert [graphs_after(*shape) for shape in [(9, 24), (11, 8), (4, 16)]] == [3, 3, 3]
    # A 1-D tensor is all feature dimension: its length becomes symbolic, not one graph each.
    first = graphs_after(5)
    assert len({graphs_after(n) for n in (7, 9, 11, 13)} | {first}) <= 2


def test_kernels_leave_the_callers_shape_marks_alone():
    """Dynamo keeps shape marks on tensor objects: the kernels must neither add marks to the
    caller's tensors nor fail on a caller's own ``mark_dynamic`` of the feature dimension."""
    gate, value = torch.randn(6, 40), torch.randn(6, 40)
    torch._dynamo.mark_dynamic(gate, 1)
    marks_before = {k: v for k, v in vars(gate).items() if k.startswith("_dynamo")}
    with warnings.catch_warnings():
        warnings.simplefilter("error", kernels.FusionUnavailableWarning)
        torch.testing.assert_close(kernels.swiglu(gate, value), F.swiglu(gate, value))
    assert {k: v for k, v in vars(gate).items() if k.startswith("_dynamo")} == marks_before
    assert not [k for k in vars(value) if k.startswith("_dynamo")]
    assert kernels.fallback_reason() is None


@pytest.mark.parametrize("name", ["swiglu", "geglu", "geglu_tanh"])
def test_second_derivatives_flow_through_the_fused_backward(name):
    """With ``create_graph=True`` the compiled backward is itself differentiated, with the
    reference's finite limits at infinite and huge gates (no NaN from a discarded branch)."""
    gate = torch.randn(5, 53)
    gate[0, :4] = torch.tensor([-torch.inf, torch.inf, -1e30, 1e30])
    gate, value = gate.requires_grad_(), torch.randn(5, 53, requires_grad=True)

    def second_derivatives(fn):
        (grad_gate,) = torch.autograd.grad(fn(gate, value).sum(), gate, create_graph=True)
        return torch.autograd.grad(grad_gate.square().sum(), (gate, value))

    reference, fused = _pair(name)
    for got, want in zip(second_derivatives(fused), second_derivatives(reference), strict=True):
        assert got.isfinite().all()
        # Two differentiations of differently written float32 formulas: looser than first order.
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_inference_and_training_share_the_compiled_forward():
    gate, value = torch.randn(3, 29), torch.randn(3, 29)
    graphs = counters["stats"]["unique_graphs"]
    with torch.no_grad():
        kernels.glu(gate, value)
    assert counters["stats"]["unique_graphs"] == graphs + 1  # compiled, not run eagerly
    kernels.glu(gate.requires_grad_(), value.requires_grad_())
    assert counters["stats"]["unique_graphs"] == graphs + 1
    assert kernels.fallback_reason() is None


def test_kernels_run_inside_an_enclosing_torch_compile():
    """A model compiled as a whole traces the kernels' forward and backward into its graphs."""
    gate = torch.randn(4, 8)
    gate[0, :3] = torch.tensor([-torch.inf, torch.inf, -1e30])
    value = torch.randn(4, 8)
    compiled = torch.compile(lambda g, v: kernels.swiglu(g, v) * 2.0)
    _assert_same(lambda g, v: F.swiglu(g, v) * 2.0, compiled, [gate, value], torch.float32)


def test_importing_the_kernels_compiles_nothing():
    code = (
        "import torch\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('torch.compile called at import')\n"
        "torch.compile = refuse\n"
        "import actbook.kernels\n"
        "assert actbook.kernels.fallback_reason() is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _failing_compile_at_compile_time(fn):
    raise RuntimeError("no working C++ compiler found")


def _failing_compile_at_first_call(fn):
    def compiled(*args):
        raise RuntimeError("no working C++ compiler found")

    return compiled


@pytest.mark.parametrize(
    "failing_compile", [_failing_compile_at_compile_time, _failing_compile_at_first_call]
)
def test_failed_compilation_falls_back_to_eager_with_one_warning(monkeypatch, failing_compile):
    monkeypatch.setattr(_lazy, "_fallback_reason", None)
    monkeypatch.setattr(_lazy, "_compile", failing_compile)
    # Fresh, never-compiled kernels, so the failing compiler is actually asked.
    monkeypatch.setitem(kernels._GATED, "swiglu", kernels._gated_kernel("swiglu"))
    gate, value = torch.randn(6, 7), torch.randn(6, 7)
    with pytest.warns(kernels.FusionUnavailableWarning, match=re.escape("no working C++ compiler")):
        _assert_same(F.swiglu, kernels.swiglu, [gate, value], torch.float32)
    assert "RuntimeError: no working C++ compiler" in kernels.fallback_reason()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning comes once, not at every call
        _assert_same(F.glu, kernels.glu, [gate, value], torch.float32)
        assert len(_saved_tensors(kernels.swiglu, _leaf(gate), _leaf(value))) == 2


@pytest.mark.parametrize("name", GATED)
def test_every_gated_kernel_is_correct_in_the_eager_fallback(monkeypatch, name):
    # The uncompiled pointwise functions themselves, with special values in the gate.
    monkeypatch.setattr(_lazy, "_fallback_reason", "RuntimeError: test")
    gate = torch.tensor([[-torch.inf, -30.0, -1.5, 0.0], [0.7, 4.0, 1e30, torch.inf]])
    _assert_same(*_pair(name), [gate, torch.randn(2, 4)], torch.float32)
    _assert_same(*_pair(name), [gate.bfloat16(), torch.randn(2, 4).bfloat16()], torch.bfloat16)


def test_elementwise_kernels_are_correct_in_the_eager_fallback(monkeypatch):
    monkeypatch.setattr(_lazy, "_fallback_reason", "RuntimeError: test")
    x = torch.randn(3, 5)
    _assert_same(F.squared_relu, kernels.squared_relu, [x], torch.float32)
    params = [torch.tensor(0.8), torch.full((5,), -0.3)]  # 0-d scale, per-channel bias
    _assert_same(F.star_relu, kernels.star_relu, [x, *params], torch.float32)
    _assert_same(F.star_relu, kernels.star_relu, [x], torch.float32)
    _assert_same(F.xielu, kernels.xielu, [x, torch.tensor(0.9), torch.tensor(1.1)],
                 torch.float32)


def test_running_out_of_memory_is_not_mistaken_for_a_compiler_failure(monkeypatch):
    def out_of_memory(fn):
        def compiled(*args):
            raise torch.OutOfMemoryError("out of memory")

        return compiled

    monkeypatch.setattr(_lazy, "_fallback_reason", None)
    monkeypatch.setattr(_lazy, "_compile", out_of_memory)
    monkeypatch.setitem(kernels._GATED, "swiglu", kernels._gated_kernel("swiglu"))
    with pytest.raises(torch.OutOfMemoryError):
        kernels.swiglu(torch.randn(2, 3), torch.randn(2, 3))
    assert kernels.fallback_reason() is None


def test_kernels_reject_what_the_reference_rejects():
    x = torch.randn(3, 4)
    with pytest.raises(ValueError, match="same shape"):
        kernels.swiglu(x, torch.randn(4, 3))
    with pytest.raises(TypeError, match="same dtype"):
        kernels.reglu(x, x.double())
    with pytest.raises(TypeError, match="floating-point"):
        kernels.squared_relu(torch.ones(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="one device"):
        kernels.glu(x, torch.empty(3, 4, device="meta"))
    with pytest.raises(ValueError, match="approximate"):
        kernels.geglu(x, x, approximate="sigmoid")
    with pytest.raises(ValueError, match="broadcast"):
        kernels.star_relu(x, torch.ones(2, 3, 4), 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        kernels.star_relu(x, torch.ones(5), 0.0)  # does not broadcast at all


def test_every_kernel_is_listed():
    assert {"swiglu", "geglu", "geglu_tanh", "squared_relu"} <= set(kernels.FUSED)
    for name in kernels.FUSED:
        variant = actbook.resolve(name)
        assert kernels.KERNELS[variant.base] is getattr(kernels, variant.base)
        assert actbook.info(name).kernel is kernels.KERNELS[variant.base]
    for name in kernels.KERNELS:
        assert name in kernels.FUSED and name in kernels.__all__
    assert actbook.info("relu").kernel is None


def test_gated_ffn_with_fused_kernels_equals_the_unfused_block():
    from actbook.nn import GatedFFN

    plain = GatedFFN(12, 32, "swiglu")
    fused = GatedFFN(12, 32, "swiglu", fused=True)
    fused.load_state_dict(plain.state_dict())
    x = torch.randn(2, 5, 12)
    torch.testing.assert_close(fused(x), plain(x))
    grads = [
        torch.autograd.grad(block(x).square().sum(), block.w_gate.weight)[0]
        for block in (plain, fused)
    ]
    torch.testing.assert_close(grads[1], grads[0])
    assert len(_saved_tensors(fused, x)) < len(_saved_tensors(plain, x))


def test_get_returns_a_kernel_by_any_alias_with_its_parameters():
    gate, value = torch.randn(3, 4), torch.randn(3, 4)
    assert kernels.get("SwiGLU") is kernels.swiglu
    torch.testing.assert_close(
        kernels.get("geglu", approximate="tanh")(gate, value),
        F.geglu(gate, value, approximate="tanh"),
    )
    with pytest.raises(ValueError, match="no fused kernel"):
        kernels.get("relu")
    with pytest.raises(TypeError, match="beta"):
        kernels.get("swiglu", beta=2.0)


def _halved_sum(x: Tensor, y: Tensor) -> Tensor:
    return (x + y) * 0.5


def test_the_recompile_limit_is_reported_not_silent(monkeypatch):
    """At its limit a kernel runs new shapes eagerly, warns once and fallback_reason says so;
    without fullgraph=True Dynamo would only have logged it."""
    monkeypatch.setattr(_lazy, "RECOMPILE_LIMIT", 2)
    monkeypatch.setattr(_lazy, "_limit_reached", {})
    kernel = _lazy.LazyKernel(_halved_sum)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for features in (3, 4, 5, 6):  # a new feature size is a new graph
            x, y = torch.randn(2, features), torch.randn(2, features)
            torch.testing.assert_close(kernel(x, y), _halved_sum(x, y))
    limit = [w for w in caught if issubclass(w.category, kernels.RecompileLimitWarning)]
    assert len(limit) == 1, [str(w.message) for w in caught]
    assert "_halved_sum reached its recompile limit (2 graphs)" in kernels.fallback_reason()
    assert _lazy._fallback_reason is None, "the other kernels stay compiled"


@pytest.mark.parametrize("name", ["clamped_swiglu", "swiglu_step"])
def test_bounded_swiglu_kernels_on_gpt_oss_interleaved_halves(name):
    """gpt-oss interleaves gate and value columns: the kernel reads the strided halves of
    split_gated as they are, across the clamps and exactly at the limit ±7 (where a clamp
    passes the gradient, as torch.clamp does)."""
    packed = torch.randn(3, 5, 2 * 16) * 6
    packed[0, 0, :8] = torch.tensor([7.0, 7.0, -7.0, -7.0, 30.0, -30.0, 0.0, 6.99])
    gate, value = F.split_gated(packed, layout="interleaved")
    assert not gate.is_contiguous()
    _assert_same(*_pair(name), [gate, value], torch.float32)


def test_gated_ffn_fuses_the_bounded_swiglu():
    block = A.GatedFFN(12, 32, "clamped_swiglu", fused=True)
    eager = A.GatedFFN(12, 32, "clamped_swiglu")
    eager.load_state_dict(block.state_dict())
    x = torch.randn(4, 12) * 4
    torch.testing.assert_close(block(x), eager(x), rtol=1e-5, atol=1e-6)


def test_xielu_kernel_gives_gradients_for_its_parameters():
    """Learnable 0-d parameters as in Apertus (ε included, though Apertus keeps it fixed), and
    inputs on each piece: x > 0, (ε, 0], below ε, far below."""
    x = torch.cat([torch.randn(4, 29) * 3,
                   torch.tensor([[0.0, -0.0, -5e-7, -1e-6, -2e-6, -40.0, 1e-3] * 4 + [2.0]])])
    params = [torch.tensor(v) for v in (0.9, 1.1, 0.4, -1e-6)]
    _assert_same(F.xielu, kernels.xielu, [x, *params], torch.float32)
    _assert_same(F.xielu, kernels.xielu, [x], torch.float32)


def test_xielu_kernel_per_channel_parameters_and_bad_input():
    x = torch.randn(6, 5)
    _assert_same(F.xielu, kernels.xielu, [x, torch.full((5,), 0.7), torch.full((5,), 0.9)],
                 torch.float32)
    with pytest.raises(ValueError, match="must broadcast to the shape of x"):
        kernels.xielu(x, torch.ones(3))
    with pytest.raises(ValueError, match="alpha_n > beta"):
        kernels.xielu(x, alpha_n=0.4)


def _ulps(got: Tensor, exact: Tensor) -> Tensor:
    """|got − exact| in units of the float32 spacing at the float32 rounding of ``exact``."""
    rounded = exact.float().abs()
    spacing = torch.nextafter(rounded, torch.tensor(torch.inf)) - rounded
    return (got.double() - exact).abs() / spacing.double()


def test_the_fast_erfc_is_within_five_ulp_and_keeps_the_limits():
    """The exact GEGLU kernel's Φ in float32 comes from _pointwise._half_erfc, not torch.erfc:
    within 5 ulp of float64 erfc on a dense grid up to where erfc/2 underflows, 0 beyond, NaN
    stays NaN; its second output is e^{−a²} to within 3 ulp."""
    a = torch.linspace(0.0, 11.0, 2_000_001)
    half, gauss = P._half_erfc(a)
    exact_half = 0.5 * torch.erfc(a.double())
    exact_gauss = torch.exp(-a.double() ** 2)
    normal = exact_half > torch.finfo(torch.float32).tiny
    assert _ulps(half, exact_half)[normal].max() <= 5
    assert _ulps(gauss, exact_gauss)[exact_gauss > 1e-37].max() <= 3
    assert (half[a > 10.1] == 0).all()
    special = torch.tensor([torch.inf, torch.nan, 0.0])
    half, gauss = P._half_erfc(special)
    assert half[0] == 0 and gauss[0] == 0 and half[1].isnan() and half[2] == 0.5


def test_the_fast_erfc_coefficients_are_the_fit():
    """ERFC_COEFFS are the weighted least-squares fit of (1 + 2a)·erfcx(a) − 1 in
    q = (a − 2)/(a + 2) on 0 ≤ a ≤ 10.6 (4000 Chebyshev nodes, relative weight), rounded to
    float32: refitted here with scipy's erfcx, not copied."""
    import numpy as np
    from scipy.special import erfcx

    nodes = np.cos(np.pi * (np.arange(4000) + 0.5) / 4000)
    q_max = (10.6 - 2.0) / (10.6 + 2.0)
    q = -1.0 + (nodes + 1.0) / 2.0 * (q_max + 1.0)
    a = 2.0 * (1.0 + q) / (1.0 - q)
    target = (1.0 + 2.0 * a) * erfcx(a) - 1.0
    weight = 1.0 / (1.0 + target)
    basis = np.vander(q, len(P.ERFC_COEFFS))
    fit, *_ = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)
    np.testing.assert_allclose(P.ERFC_COEFFS, fit.astype(np.float32), rtol=1e-5, atol=1e-9)
    assert np.abs((basis @ fit - target) * weight).max() < 3e-8
