"""What ``python -m actbook.bench`` compares: for each op, its variants.

* ``eager``: the composite a PyTorch user writes, ``torch.nn.functional.silu(gate) * value``:
  one ATen kernel per operation, every intermediate written to memory and read back.
* ``native``: a single ATen operator computing the whole op, where PyTorch has one. Only GLU has
  one, ``torch.nn.functional.glu`` on the packed tensor ``[value ‖ gate]``; for bilinear the
  eager composite already is a single ATen op (``aten::mul``).
* ``fused``: :mod:`actbook.kernels`.
* ``actbook``: :mod:`actbook.functional`, the eager reference with the book's numerically careful
  formulas (more operations than the composite).
* ``silu_alone`` (SwiGLU only): ``F.silu(gate)`` alone, a lower bound for one native pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as TF
from torch import Tensor

from actbook import functional as F
from actbook import kernels, registry

#: Every way an op can be computed, in the order the report lists them.
VARIANTS = ("eager", "native", "fused", "actbook", "silu_alone")
#: Ops with no single ATen operator, and why; the ``native`` variant is absent for them.
NO_NATIVE = {
    "swiglu": "no ATen op: F.silu(gate) * value is the eager composite",
    "geglu": "no ATen op: F.gelu(gate) * value is the eager composite",
    "geglu_tanh": "no ATen op: F.gelu(gate, approximate='tanh') * value is the eager composite",
    "reglu": "no ATen op: F.relu(gate) * value is the eager composite",
    "bilinear": "the eager composite gate * value is itself one ATen op (aten::mul)",
    "squared_relu": "no ATen op: torch.square(F.relu(x)) is the eager composite",
    "star_relu": "no ATen op: s * torch.square(F.relu(x)) + b is the eager composite",
    "drelu": "no ATen op: F.relu(gate) * F.relu(value) is the eager composite",
    "clamped_swiglu": "no ATen op: gpt-oss's reference code is the eager composite",
}


def _same(*inputs: Tensor) -> tuple[Tensor, ...]:
    """The inputs as they are: the default ``arrange`` of a :class:`Variant`.

    Args:
        *inputs: the op's inputs.

    Returns:
        tuple[Tensor, ...]: ``inputs``, unchanged.
    """
    return inputs


def _packed(gate: Tensor, value: Tensor) -> tuple[Tensor, ...]:
    """F.glu's layout: value in the first half of the last dimension, gate in the second."""
    return (torch.cat([value, gate], dim=-1),)


def _gate_only(gate: Tensor, value: Tensor) -> tuple[Tensor, ...]:
    return (gate,)


@dataclass(frozen=True)
class Variant:
    """One way to compute an op: ``fn(*arrange(*inputs))``; ``code`` says what runs.

    Args:
        name: the variant's name, one of :data:`VARIANTS`.
        code: the call that runs, as a reader would write it (``"F.silu(gate) * value"``);
            stored with each result row.
        fn: the function timed.
        arrange: turns the op's inputs into the arguments of ``fn``, outside the timing (for
            example into the packed tensor of ``F.glu``); by default the inputs as they are.
    """

    name: str
    code: str
    fn: Callable[..., Tensor]
    arrange: Callable[..., tuple[Tensor, ...]] = _same


@dataclass(frozen=True)
class Op:
    """An op of the benchmark: ``arity`` inputs of the benchmarked shape, and its variants.

    Args:
        name: the op's name, its key in :data:`OPS` (a registry name such as ``"swiglu"``).
        arity: the number of inputs, each of the benchmarked shape: 2 (gate and value) for a
            gated unit, 1 otherwise.
        variants: the ways to compute it, in the order they are reported.
    """

    name: str
    arity: int
    variants: tuple[Variant, ...]

    def variant(self, name: str) -> Variant | None:
        """The variant called ``name``, or ``None`` if this op has none.

        Args:
            name: a variant name, one of :data:`VARIANTS`.

        Returns:
            Variant | None: the first of :attr:`variants` with that name, or ``None``.
        """
        return next((v for v in self.variants if v.name == name), None)


def _call(module: str, name: str) -> str:
    """How the variant ``name`` of the registry is called, e.g. ``geglu(approximate='tanh')``."""
    variant = registry.resolve(name)
    params = ", ".join(f"{k}={v!r}" for k, v in variant.params.items())
    return f"{module}.{variant.base}" + (f"(..., {params})" if params else "")


def _gated(name: str, eager_code: str, eager, *extra: Variant) -> Op:
    """A gated op of the registry: the eager composite, ``extra``, the kernel and actbook's."""
    return Op(
        name,
        2,
        (
            Variant("eager", eager_code, eager),
            *extra,
            Variant("fused", _call("actbook.kernels", name), kernels.get(name)),
            Variant("actbook", _call("actbook.functional", name), registry.get(name)),
        ),
    )


def _gpt_oss_swiglu_eager(gate: Tensor, value: Tensor) -> Tensor:
    """gpt-oss's reference SwiGLU (``gpt_oss/torch/model.py``), on split halves."""
    gate = gate.clamp(max=F.CLAMPED_SWIGLU_LIMIT)
    value = value.clamp(-F.CLAMPED_SWIGLU_LIMIT, F.CLAMPED_SWIGLU_LIMIT)
    return gate * torch.sigmoid(F.GELU_SIGMOID_COEFF * gate) * (value + 1)


def _star_relu_eager(x: Tensor) -> Tensor:
    return F.STAR_RELU_SCALE * torch.square(TF.relu(x)) + F.STAR_RELU_BIAS


#: The benchmarked ops, by name.
OPS: dict[str, Op] = {
    op.name: op
    for op in (
        _gated(
            "swiglu",
            "F.silu(gate) * value",
            lambda g, v: TF.silu(g) * v,
            Variant("silu_alone", "F.silu(gate) alone", TF.silu, _gate_only),
        ),
        _gated("geglu", "F.gelu(gate) * value", lambda g, v: TF.gelu(g) * v),
        _gated(
            "geglu_tanh",
            "F.gelu(gate, approximate='tanh') * value",
            lambda g, v: TF.gelu(g, approximate="tanh") * v,
        ),
        _gated("reglu", "F.relu(gate) * value", lambda g, v: TF.relu(g) * v),
        _gated(
            "glu",
            "torch.sigmoid(gate) * value",
            lambda g, v: torch.sigmoid(g) * v,
            Variant("native", "F.glu(torch.cat([value, gate], -1))", TF.glu, _packed),
        ),
        _gated("bilinear", "gate * value", torch.mul),
        _gated("drelu", "F.relu(gate) * F.relu(value)", lambda g, v: TF.relu(g) * TF.relu(v)),
        _gated(
            "clamped_swiglu",
            "g = gate.clamp(max=7); g * torch.sigmoid(1.702 * g) * (value.clamp(-7, 7) + 1)",
            _gpt_oss_swiglu_eager,
        ),
        Op(
            "squared_relu",
            1,
            (
                Variant("eager", "torch.square(F.relu(x))", lambda x: torch.square(TF.relu(x))),
                Variant("fused", "actbook.kernels.squared_relu", kernels.squared_relu),
                Variant("actbook", "actbook.functional.squared_relu", F.squared_relu),
            ),
        ),
        Op(
            "star_relu",
            1,
            (
                Variant("eager", "s * torch.square(F.relu(x)) + b", _star_relu_eager),
                Variant("fused", "actbook.kernels.star_relu", kernels.star_relu),
                Variant("actbook", "actbook.functional.star_relu", F.star_relu),
            ),
        ),
    )
}
