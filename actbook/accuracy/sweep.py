"""The full accuracy sweep: every activation, dtype and implementation, in one call.

:func:`run_sweep` is what ``python -m actbook.accuracy`` and the appendix run; the tests run
the same pieces on smaller inputs. Sizes are set by a :class:`SweepSize`: :data:`FULL` for the
command line, :data:`TEST` for the tests, :data:`BOOK` for the appendix (which must execute in
under a minute).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import Tensor

from actbook import registry
from actbook.accuracy import compiled as compiled_mod
from actbook.accuracy import contract, harness, implementations, inputs
from actbook.accuracy.compare import CompiledComparison, compare_compiled
from actbook.accuracy.harness import ErrorSummary, ReferenceValues
from actbook.accuracy.ulp import FORMATS


@dataclass(frozen=True)
class SweepSize:
    """How many inputs: float32 sweep per sign, band density, float64 sample (mpmath),
    gated float32 sweep per sign, and the float32 sweep per sign of the compiled runs.
    float16 and bfloat16 are always exhaustive."""

    count_per_sign: int
    neighbours: int
    points: int
    float64_count_per_sign: int
    float64_neighbours: int
    float64_points: int
    gated_count_per_sign: int
    compiled_count_per_sign: int


#: The command line's sweep (minutes), the test suite's (seconds) and the appendix's.
FULL = SweepSize(2**21, 512, 8192, 2000, 16, 32, 2**18, 2**17)
TEST = SweepSize(2**16, 128, 1024, 400, 4, 8, 2**14, 2**12)
BOOK = SweepSize(2**13, 32, 256, 200, 4, 8, 2**11, 2**12)

IMPLEMENTATIONS = ("actbook", "torch")


def operands(name: str, dtype: torch.dtype, size: SweepSize,
             count_per_sign: int | None = None) -> tuple[Tensor, ...]:
    """The inputs of activation or gated unit ``name`` in ``dtype`` at ``size``."""
    gated = name in implementations.GATED
    if dtype == torch.float64:
        count, neighbours, points = (size.float64_count_per_sign, size.float64_neighbours,
                                     size.float64_points)
    else:
        count = size.gated_count_per_sign if gated else size.count_per_sign
        neighbours, points = size.neighbours, size.points
    count = count_per_sign or count
    if not gated:
        return (inputs.sweep_inputs(name, dtype, count, neighbours, points),)
    gate_fn = registry.gated_form(name).gate
    gate = inputs.sweep_inputs("relu" if gate_fn == "identity" else gate_fn, dtype, count,
                               neighbours, points)
    return gate, inputs.gate_values(gate.numel(), dtype)


def reference_for(name: str, ops: tuple[Tensor, ...]) -> ReferenceValues:
    """Reference values for an activation (one operand) or gated unit (two)."""
    if name in implementations.GATED:
        return harness.gated_reference_values(registry.gated_form(name), *ops)
    return harness.reference_values(name, ops[0])


def functions(name: str) -> Iterator[tuple[str, Callable[..., Tensor]]]:
    """(implementation, function) pairs available for ``name``."""
    if name in implementations.GATED:
        yield "actbook", implementations.actbook_gated(name)
        if name in implementations.TORCH_GATED:
            yield "torch", implementations.TORCH_GATED[name]
        return
    yield "actbook", implementations.actbook_elementwise(name)
    if name in implementations.TORCH_ELEMENTWISE:
        yield "torch", implementations.TORCH_ELEMENTWISE[name]


def evaluate(
    name: str, dtype: torch.dtype, size: SweepSize, gradients: bool = True
) -> list[ErrorSummary]:
    """Summaries of every implementation of ``name`` in ``dtype``, with the count of
    non-finite gradients if ``gradients``."""
    ops = operands(name, dtype, size)
    ref = reference_for(name, ops)
    summaries = []
    for implementation, fn in functions(name):
        m = harness.measure(implementation, name, fn, ops, ref)
        bad_gradients = None
        try:
            if gradients:
                bad_gradients = harness.nonfinite_gradients(fn, ops, ref)
        except RuntimeError:  # no derivative formula (torch.heaviside)
            pass
        summaries.append(harness.summarize(m, bad_gradients))
    return summaries


def evaluate_compiled(
    names: Iterable[str],
    dtypes: Iterable[torch.dtype],
    size: SweepSize,
    which: tuple[str, ...] = IMPLEMENTATIONS,
) -> list[CompiledComparison]:
    """Compile the implementations ``which`` of ``names`` in ``dtypes`` as **one** graph and
    compare each with eager on the compiled sweep's inputs."""
    cases = [(name, implementation, fn, operands(name, dtype, size,
                                                 size.compiled_count_per_sign))
             for dtype in dtypes for name in names
             for implementation, fn in functions(name) if implementation in which]
    outputs = compiled_mod.compile_and_run([(fn, ops) for _, _, fn, ops in cases])
    comparisons = []
    for (name, implementation, fn, ops), out in zip(cases, outputs, strict=True):
        ref = reference_for(name, ops)
        eager_outputs = harness.on_both_paths(fn, ops)
        eager = harness.summarize(
            harness.measure_outputs(implementation, name, ops, eager_outputs, ref))
        compiled = harness.measure_outputs(f"{implementation} compiled", name, ops, [out], ref)
        comparisons.append(
            compare_compiled(eager, eager_outputs[0].double().numpy(), compiled))
    return comparisons


@dataclass
class SweepResult:
    """Everything a sweep measured."""

    size: SweepSize
    summaries: list[ErrorSummary] = field(default_factory=list)
    compiled: list[CompiledComparison] = field(default_factory=list)
    departures: dict[str, list[contract.Departure]] = field(default_factory=dict)

    def summary(self, implementation: str, activation: str, dtype: str) -> ErrorSummary | None:
        """The summary of one implementation, activation and dtype, if measured."""
        for s in self.summaries:
            if (s.implementation, s.activation, s.dtype) == (implementation, activation, dtype):
                return s
        return None

    def failing(self, dtype: str, implementation: str) -> list[str]:
        """The activations whose summary for ``implementation`` in ``dtype`` misses a bound."""
        return [s.activation for s in self.summaries
                if (s.dtype, s.implementation) == (dtype, implementation) and not s.passes]


def run_sweep(
    activations: Iterable[str],
    dtypes: Iterable[torch.dtype],
    size: SweepSize = FULL,
    compiled: bool = False,
    progress: bool = False,
    gradients: bool = True,
) -> SweepResult:
    """Measure ``activations`` (elementwise names, gated units or their variants) in ``dtypes``:
    errors, gradients (if ``gradients``), the contract and, if ``compiled``, torch.compile."""
    from tqdm import tqdm

    names, dtypes = list(activations), list(dtypes)
    result = SweepResult(size)
    tasks = [(n, d) for d in dtypes for n in names]
    steps = len(tasks) + (len(dtypes) if compiled else 0)
    with tqdm(total=steps, disable=not progress, desc="accuracy sweep") as bar:
        for name, dtype in tasks:
            bar.set_postfix_str(f"{name} {FORMATS[dtype].name}")
            result.summaries += evaluate(name, dtype, size, gradients)
            bar.update()
        for dtype in dtypes if compiled else []:
            bar.set_postfix_str(f"torch.compile {FORMATS[dtype].name}")
            result.compiled += evaluate_compiled(names, [dtype], size)
            bar.update()
    elementwise = tuple(n for n in names if n not in implementations.GATED)
    sources = {"actbook": implementations.actbook_elementwise,
               "torch": implementations.TORCH_ELEMENTWISE.get}
    for implementation, source in sources.items():
        result.departures[implementation] = [
            d for dtype in dtypes for d in contract.check_contract(source, dtype, elementwise)]
    return result
