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
    float16 and bfloat16 are always exhaustive.

    Args:
        count_per_sign: how many float32 inputs per sign in the bit-pattern sweep
            (:func:`~actbook.accuracy.inputs.bit_sweep`).
        neighbours: how many consecutive float32 numbers on each side of each band's centre
            (:func:`~actbook.accuracy.inputs.delicate_bands`).
        points: how many points in each float32 band's grid.
        float64_count_per_sign: how many float64 inputs per sign in the sweep (each one
            evaluated with mpmath).
        float64_neighbours: ``neighbours`` for float64.
        float64_points: ``points`` for float64.
        gated_count_per_sign: how many gate inputs per sign for a gated unit in float32.
        compiled_count_per_sign: how many inputs per sign in the compiled runs, in float32
            and float64 and for gated units alike.
    """

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
#: The test suite's sweep (seconds).
TEST = SweepSize(2**16, 128, 1024, 400, 4, 8, 2**14, 2**12)
#: The appendix's sweep (under a minute).
BOOK = SweepSize(2**13, 32, 256, 200, 4, 8, 2**11, 2**12)

#: The implementations a sweep measures.
IMPLEMENTATIONS = ("actbook", "torch")


def operands(name: str, dtype: torch.dtype, size: SweepSize,
             count_per_sign: int | None = None) -> tuple[Tensor, ...]:
    """The inputs of activation or gated unit ``name`` in ``dtype`` at ``size``.

    Args:
        name: the registry name of an elementwise activation, a gated unit or a variant.
        dtype: the floating dtype of the inputs.
        size: the sizes of the sweep.
        count_per_sign: how many inputs per sign, in place of the one ``size`` gives for
            ``dtype``. Default: ``None``, the one of ``size``.

    Returns:
        The operands: ``(x,)`` for an elementwise activation, ``(gate, value)`` for a
        gated unit (the gates swept as the inputs of its gate function, ReLU's for the
        identity; the values from :func:`~actbook.accuracy.inputs.gate_values`).
    """
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
    """Reference values for an activation (one operand) or gated unit (two).

    Args:
        name: the registry name of an elementwise activation, a gated unit or a variant.
        ops: the operands, as :func:`operands` returns them.

    Returns:
        The :class:`~actbook.accuracy.harness.ReferenceValues` at ``ops``.
    """
    if name in implementations.GATED:
        return harness.gated_reference_values(registry.gated_form(name), *ops)
    return harness.reference_values(name, ops[0])


def functions(name: str) -> Iterator[tuple[str, Callable[..., Tensor]]]:
    """(implementation, function) pairs available for ``name``.

    Args:
        name: the registry name of an elementwise activation, a gated unit or a variant.

    Returns:
        An iterator over ``("actbook", fn)`` and, where PyTorch has a counterpart,
        ``("torch", fn)``.
    """
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
    non-finite gradients if ``gradients``.

    Args:
        name: the registry name of an elementwise activation, a gated unit or a variant.
        dtype: the floating dtype of the inputs.
        size: the sizes of the sweep.
        gradients: whether to count non-finite gradients. Default: ``True``.

    Returns:
        A list of :class:`~actbook.accuracy.harness.ErrorSummary`, one per implementation
        (actbook's first); ``nonfinite_gradients`` is ``None`` where not measured or where
        the function has no derivative formula.
    """
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
    compare each with eager on the compiled sweep's inputs.

    Args:
        names: registry names of elementwise activations, gated units or variants.
        dtypes: the floating dtypes of the inputs.
        size: the sizes of the sweep; its ``compiled_count_per_sign`` sets the inputs, except
            in float64, which keeps ``float64_count_per_sign`` (its reference is mpmath).
        which: the implementations to compile. Default: :data:`IMPLEMENTATIONS`, both.

    Returns:
        A list of :class:`~actbook.accuracy.compare.CompiledComparison`, by dtype, then name,
        then implementation.
    """
    # float64 keeps its own (mpmath-referenced, small) sample; the other dtypes the compiled one.
    cases = [(name, implementation, fn, operands(
                 name, dtype, size,
                 None if dtype == torch.float64 else size.compiled_count_per_sign))
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
    """Everything a sweep measured.

    Args:
        size: the sizes of the sweep.
        summaries: the error summaries. Default: empty.
        compiled: the comparisons of compiled with eager results. Default: empty.
        departures: the departures from the special-value contract, by implementation name.
            Default: empty.
    """

    size: SweepSize
    summaries: list[ErrorSummary] = field(default_factory=list)
    compiled: list[CompiledComparison] = field(default_factory=list)
    departures: dict[str, list[contract.Departure]] = field(default_factory=dict)

    def summary(self, implementation: str, activation: str, dtype: str) -> ErrorSummary | None:
        """The summary of one implementation, activation and dtype, if measured.

        Args:
            implementation: the implementation's name (``"actbook"`` or ``"torch"``).
            activation: the activation's registry name.
            dtype: the dtype's name (``"float32"``).

        Returns:
            The first matching :class:`~actbook.accuracy.harness.ErrorSummary`, or ``None``.
        """
        for s in self.summaries:
            if (s.implementation, s.activation, s.dtype) == (implementation, activation, dtype):
                return s
        return None

    def failing(self, dtype: str, implementation: str) -> list[str]:
        """The activations whose summary for ``implementation`` in ``dtype`` misses a bound.

        Args:
            dtype: the dtype's name (``"float32"``).
            implementation: the implementation's name (``"actbook"`` or ``"torch"``).

        Returns:
            A list of registry names, in the order of :attr:`summaries`; empty if every
            summary passes.
        """
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
    errors, gradients (if ``gradients``), the contract and, if ``compiled``, torch.compile.

    Args:
        activations: registry names of elementwise activations, gated units or variants.
        dtypes: the floating dtypes to measure in.
        size: the sizes of the sweep. Default: :data:`FULL`.
        compiled: whether to compare ``torch.compile`` with eager, one graph per dtype.
            Default: ``False``.
        progress: whether to show a progress bar (tqdm). Default: ``False``.
        gradients: whether to count non-finite gradients. Default: ``True``.

    Returns:
        The :class:`SweepResult`, with the contract checked for actbook and PyTorch on the
        elementwise activations among ``activations``.
    """
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
