"""Measurements: wall time, copy bandwidth, saved activations and tensor passes.

Times are taken after warm-up (which also triggers compilation), with
``torch.cuda.Event`` pairs on a GPU and ``time.perf_counter`` on a CPU, and summarised by the
median and the quartiles: the median resists the outliers of a shared machine, and the
interquartile range shows how noisy it was.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


@dataclass(frozen=True)
class Timing:
    """Seconds per call: median, quartiles and extremes of the repeats.

    Build it from the samples with :meth:`of`.

    Args:
        median: the median of the samples, in seconds.
        q1: the first quartile (inclusive method), in seconds.
        q3: the third quartile (inclusive method), in seconds.
        min: the fastest sample, in seconds.
        max: the slowest sample, in seconds.
    """

    median: float
    q1: float
    q3: float
    min: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        """The summary of a non-empty list of samples.

        Args:
            seconds: the time of each repeat, in seconds; with a single sample, every field
                is that sample.

        Returns:
            Timing: median, quartiles (:func:`statistics.quantiles`, inclusive method) and
            extremes of ``seconds``.
        """
        if len(seconds) > 1:
            q1, _, q3 = statistics.quantiles(seconds, n=4, method="inclusive")
        else:
            q1 = q3 = seconds[0]
        return cls(statistics.median(seconds), q1, q3, min(seconds), max(seconds))


def synchronize(device: torch.device) -> None:
    """Wait until the work queued on ``device`` has finished; nothing to wait for on a CPU.

    Args:
        device: the device; only a CUDA device is synchronised.
    """
    if device.type == "cuda":
        torch.cuda.synchronize(device)


#: Calls timed back to back per sample on a GPU.
CUDA_CALLS_PER_SAMPLE = 10


def time_once(fn: Callable[[], object], device: torch.device) -> float:
    """Seconds one call of ``fn`` takes on ``device``.

    On a GPU the mean of :data:`CUDA_CALLS_PER_SAMPLE` calls launched back to back between two
    events: as in a model, the CPU's launch overhead (Python, compiled-code guards) then
    overlaps the GPU work of the previous call instead of adding to it, which a single call
    after a synchronisation would charge in full.

    Args:
        fn: the call to time, without arguments; its result is discarded.
        device: the device ``fn`` runs on (a :class:`torch.device`, not a string). On a CPU
            one call is timed with :func:`time.perf_counter`, between two
            :func:`synchronize` calls.

    Returns:
        float: seconds per call.
    """
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(CUDA_CALLS_PER_SAMPLE):
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3 / CUDA_CALLS_PER_SAMPLE
    synchronize(device)
    begin = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - begin


def warm_up(call: Callable[[], object], calls: int, seconds: float = 0.2) -> None:
    """At least ``calls`` calls (the first one compiles), then more until ``seconds`` passed.

    The first calls of any op are slow (allocation, lazy initialisation), and on a virtual
    machine idle cores wake up slowly, so that an op timed right after a pause runs far slower
    than after a fraction of a second of work (the measurement is in
    ``benchmarks/results/README.md``).

    Args:
        call: the call to warm up, without arguments.
        calls: the least number of calls.
        seconds: the least time spent calling, in seconds (default 0.2). Either minimum gives
            way to a cap of 100 calls in all.
    """
    begin = time.perf_counter()
    for done in range(100):
        if done >= calls and time.perf_counter() - begin > seconds:
            break
        call()


def copy_bandwidth(
    numel: int, device: torch.device, dtype: torch.dtype, repeats: int, warmup: int
) -> tuple[Timing, float]:
    """Timing of ``dst.copy_(src)`` for ``numel`` elements, and its bandwidth in bytes/s.

    A copy reads and writes each element once: ``2 * numel * itemsize`` bytes, the most that a
    memory-bound kernel of the same size can hope to move per second.

    Args:
        numel: the number of elements of the copied tensor.
        device: the device to copy on.
        dtype: the element type.
        repeats: the number of timed copies.
        warmup: the least number of untimed copies first (see :func:`warm_up`).

    Returns:
        tuple[Timing, float]: the timing of one copy and the bandwidth, the bytes read and
        written over the median time, in bytes per second.
    """
    src = torch.randn(numel, device=device).to(dtype)
    dst = torch.empty_like(src)
    warm_up(lambda: dst.copy_(src), warmup)
    timing = Timing.of([time_once(lambda: dst.copy_(src), device) for _ in range(repeats)])
    return timing, 2 * src.nbytes / timing.median


def fresh_copy_bandwidth(
    numel: int, device: torch.device, dtype: torch.dtype, repeats: int, warmup: int
) -> float:
    """Bandwidth in bytes/s of ``src.clone()``: a copy into newly allocated memory.

    Every op that returns a new tensor writes into fresh memory like this. On a GPU the caching
    allocator hands back memory it already holds, and the two bandwidths agree. On a CPU, glibc
    reuses freed memory for small tensors, but maps each allocation above its mmap threshold
    (at most 32 MiB by default) from the operating system afresh, and there the first touch of
    each page (a page fault; the kernel zeroes the page) can cost more than the copy itself.

    Args:
        numel: the number of elements of the copied tensor.
        device: the device to copy on.
        dtype: the element type.
        repeats: the number of timed clones.
        warmup: the least number of untimed clones first (see :func:`warm_up`).

    Returns:
        float: the bytes read and written over the median time of one clone, in bytes per
        second.
    """
    src = torch.randn(numel, device=device).to(dtype)
    warm_up(src.clone, warmup)
    seconds = statistics.median(time_once(src.clone, device) for _ in range(repeats))
    return 2 * src.nbytes / seconds


def saved_activations(fn: Callable[..., Tensor], *inputs: Tensor,
                      weights: Iterable[Tensor] = ()) -> tuple[int, int]:
    """(number, bytes) of the distinct tensors autograd keeps from ``fn(*inputs)``.

    Counted with :func:`torch.autograd.graph.saved_tensors_hooks`; a tensor saved by several
    operations counts once.

    Args:
        fn: the function to run once, with autograd recording (a module too).
        *inputs: its arguments; detached copies are passed, floating-point ones requiring
            gradients.
        weights: tensors not to count, with their views (a module's ``parameters()``, which
            linear layers save). Default: none.

    Returns:
        tuple[int, int]: the number of distinct saved tensors and their total size in bytes.
    """
    seen: dict[tuple, int] = {}
    left_out = {w.untyped_storage().data_ptr() for w in weights}

    def pack(t: Tensor) -> Tensor:
        if t.untyped_storage().data_ptr() not in left_out:
            key = (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape),
                   t.stride())
            seen[key] = t.numel() * t.element_size()
        return t

    leaves = [t.detach().requires_grad_(t.is_floating_point()) for t in inputs]
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*leaves)
    return len(seen), sum(seen.values())


class _PassCounter(TorchDispatchMode):
    """Bytes read and written by each ATen operator call (views and metadata excluded)."""

    _FREE = ("detach", "empty", "alias", "lift_fresh")

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0
        self.calls: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        if func.is_view or name.startswith(self._FREE):
            return out
        tensors = [t for t in tree_flatten((args, kwargs, out))[0] if isinstance(t, Tensor)]
        self.bytes += sum(t.numel() * t.element_size() for t in tensors if t.dim() > 0)
        self.calls.append(name)
        return out


def tensor_passes(
    fn: Callable[..., Tensor], *inputs: Tensor, backward: bool = False
) -> tuple[float, list[str]]:
    """Memory traffic of eager ``fn(*inputs)`` in passes over one input, and its ATen calls.

    Every operator reads its tensor arguments and writes its results once: the sum of their
    sizes, divided by the size of ``inputs[0]``, is the number of passes an unfused
    implementation makes (a single fused kernel for a gated unit makes 3 forward, 5 backward).
    With ``backward=True`` the backward pass for a gradient of ones is counted instead.
    Not meaningful for compiled code, which runs outside the ATen dispatcher.

    Args:
        fn: the eager function to count.
        *inputs: its arguments; the first one is the unit of the passes.
        backward: count the backward pass instead of the forward one (default ``False``).

    Returns:
        tuple[float, list[str]]: the traffic in passes over ``inputs[0]``, and the names of
        the ATen operators called, in order (views and the operators whose names begin with
        ``detach``, ``empty``, ``alias`` or ``lift_fresh`` are left out of both).
    """
    leaves = [t.detach().requires_grad_(backward) for t in inputs]
    counter = _PassCounter()
    if backward:
        out = fn(*leaves)
        grad = torch.ones_like(out)
        with counter:
            torch.autograd.grad(out, leaves, grad)
    else:
        with counter:
            fn(*leaves)
    unit = inputs[0].numel() * inputs[0].element_size()
    return counter.bytes / unit, counter.calls
