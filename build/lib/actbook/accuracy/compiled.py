"""Evaluate functions under ``torch.compile`` (Inductor), many in one graph.

Each compilation costs seconds to tens of seconds on a CPU, so :func:`compile_and_run` puts
every requested evaluation into **one** graph and compiles it once. Results are as accurate as
compiling each function alone: Inductor lowers each operation the same way whether or not its
kernel is fused with others.

The graph is compiled with ``fullgraph=True``, so a measurement labelled "compiled" is one
Inductor graph or an error, never a silent partial fallback to eager (without it, a graph
break in any one function would leave the rest of the loop below to run eagerly). Dynamo is
reset first (this drops compiled code elsewhere in the process too), and Inductor compiles
with one thread, so no worker processes are left behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import Tensor

#: A function and the operands to call it with.
Call = tuple[Callable[..., Tensor], tuple[Tensor, ...]]


def compile_and_run(calls: Sequence[Call]) -> list[Tensor]:
    """``[fn(*operands) for fn, operands in calls]``, computed by one compiled graph.

    Args:
        calls: ``(fn, operands)`` pairs, each a function and the tensors it takes.

    Returns:
        The result of each call, a tensor, in the order of ``calls``.
    """
    functions = [fn for fn, _ in calls]
    arities = [len(operands) for _, operands in calls]
    flat = [t for _, operands in calls for t in operands]

    def graph(*tensors: Tensor) -> tuple[Tensor, ...]:
        results, start = [], 0
        for fn, arity in zip(functions, arities, strict=True):
            results.append(fn(*tensors[start:start + arity]))
            start += arity
        return tuple(results)

    import torch._dynamo
    import torch._inductor.config

    torch._dynamo.reset()
    with torch._inductor.config.patch(compile_threads=1), torch.no_grad():
        return list(torch.compile(graph, dynamic=False, fullgraph=True)(*flat))
