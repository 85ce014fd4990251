"""Lazy ``torch.compile`` with a one-time fallback to eager PyTorch.

A :class:`LazyKernel` wraps a pure pointwise function. Nothing is compiled at import: the first
call compiles the function with ``torch.compile`` (Inductor: C++/OpenMP on CPU, Triton on
GPU), with every dimension but the last dynamic, so later calls whose leading sizes differ, a
new batch size or sequence length, reuse the same graph. If compiling fails anywhere (no C++
compiler, no Triton, an unsupported platform or Python), every kernel switches to running its
function eagerly, after a single
:class:`FusionUnavailableWarning`: results stay the same, only the fusion speed-up is lost.

Each kernel compiles as one whole graph (``fullgraph=True``) with a recompile limit of its own,
``RECOMPILE_LIMIT`` (64) graphs. Without ``fullgraph`` Dynamo, at its limit, would run the
function eagerly from then on and only log it; with it the limit raises, and the kernel runs
that call eagerly, :func:`fallback_reason` says so and a :class:`RecompileLimitWarning` is
issued once per kernel.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

try:  # raised by a fullgraph compilation that reaches its recompile limit (torch >= 2.5)
    from torch._dynamo.exc import FailOnRecompileLimitHit
except ImportError:  # pragma: no cover - older torch: the limit then fails like any error
    FailOnRecompileLimitHit = RuntimeError  # type: ignore[misc,assignment]

#: Why the kernels run eagerly, or ``None`` while compiled kernels are in use (or untried).
_fallback_reason: str | None = None
#: Kernels that reached their recompile limit: name → what :func:`fallback_reason` reports.
_limit_reached: dict[str, str] = {}
#: Graphs one kernel may compile (a dtype, rank, feature size or memory layout each needs one):
#: far above what a model needs, below what would hide a shape that changes on every call.
RECOMPILE_LIMIT = 64


class FusionUnavailableWarning(RuntimeWarning):
    """``torch.compile`` is unusable here; the fused kernels run as eager PyTorch instead.

    Issued once per process, the first time a kernel fails to compile; results stay the same.

    Examples::

        >>> import warnings
        >>> # make it fail loudly
        >>> warnings.simplefilter("error", FusionUnavailableWarning)
        >>> warnings.resetwarnings()
    """


class RecompileLimitWarning(RuntimeWarning):
    """A fused kernel compiled its 64 graphs (``RECOMPILE_LIMIT``); calls that would need another
    run its formula eagerly (same results, no fusion). Issued once per kernel.

    Examples::

        >>> issubclass(RecompileLimitWarning, RuntimeWarning)
        True
    """


def fallback_reason() -> str | None:
    """Why fused kernels run eagerly in this process, or ``None`` if none does.

    Returns:
        ``"ExceptionType: first line of its message"`` when compilation failed (every kernel
        then runs eagerly); else, for kernels that reached their recompile limit, which ones
        (they run eagerly for shapes they have not compiled); else ``None``.

    Examples::

        >>> fallback_reason() is None  # nothing has failed in this process
        True
    """
    if _fallback_reason is not None or not _limit_reached:
        return _fallback_reason
    return "; ".join(_limit_reached.values())


def _compile(fn: Callable) -> Callable:
    """Compile ``fn`` as one graph; the dimensions :func:`_shape_marked` marks are symbolic."""
    return torch.compile(fn, fullgraph=True, recompile_limit=RECOMPILE_LIMIT)


def _reach_limit(name: str) -> None:
    if name in _limit_reached:
        return
    _limit_reached[name] = (f"kernel {name} reached its recompile limit ({RECOMPILE_LIMIT} "
                            "graphs): calls with shapes it has not compiled run eagerly")
    warnings.warn(f"actbook.kernels: {_limit_reached[name]}. Results are the same; those calls "
                  "are not fused.", RecompileLimitWarning, stacklevel=4)


def _shape_marked(args: tuple) -> tuple:
    """The arguments, each tensor replaced by an alias; with two or more dimensions, every one
    but the last dynamic and the last static.

    Batch and sequence lengths then change without a recompilation, while the feature
    dimension, fixed for a given layer, stays a constant, because a kernel compiled with every
    size symbolic ran markedly slower on a GPU and on the CPU (measurements in
    ``benchmarks/results/README.md``). Marking the last dimension static matters: otherwise the
    second feature size a kernel sees makes Dynamo recompile with that dimension symbolic, for
    every size after it; a new feature size compiles once more instead. A 1-D tensor is all
    feature dimension and left to Dynamo, which makes its length symbolic once it has changed,
    rather than compiling every length anew.

    Dynamo keeps such marks on the tensor object, so they go on an alias of each argument that
    shares its memory: the caller's tensors keep their own marks (a caller's
    ``torch._dynamo.mark_dynamic`` of the feature dimension does not clash with ours) and gain
    none that would change how the caller's compiled functions treat them. Where autograd is not
    recording, as in the forward pass of an :class:`torch.autograd.Function`, the alias is
    detached, so a forward pass in training and one in inference share one compiled graph
    (Dynamo guards on ``requires_grad``); where it is recording (a backward pass with
    ``create_graph=True``) the alias is a view, which keeps the history.
    """
    marked = []
    for arg in args:
        if isinstance(arg, torch.Tensor):
            arg = arg.view(arg.shape) if torch.is_grad_enabled() else arg.detach()
            if arg.dim() > 1:
                for dim in range(arg.dim() - 1):
                    torch._dynamo.maybe_mark_dynamic(arg, dim)
                torch._dynamo.mark_static(arg, arg.dim() - 1)
        marked.append(arg)
    return tuple(marked)


def _fall_back(error: Exception) -> None:
    global _fallback_reason
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    _fallback_reason = f"{type(error).__name__}: {first_line}"
    warnings.warn(
        "actbook.kernels: torch.compile failed on this machine "
        f"({_fallback_reason}). Every fused kernel now runs as eager PyTorch: the results and "
        "the memory saved are the same, the speed-up of fusion is lost.",
        FusionUnavailableWarning,
        stacklevel=4,
    )


class LazyKernel:
    """``fn`` compiled on its first call, or run eagerly if compilation is unavailable.

    Inside an enclosing ``torch.compile`` the plain function is traced instead, so the outer
    graph fuses it with its neighbours.
    """

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self._compiled: Callable | None = None

    def __repr__(self) -> str:
        return f"LazyKernel({self.__name__}, compiled={self._compiled is not None})"

    def __call__(self, *args):
        if _fallback_reason is not None or torch.compiler.is_compiling():
            return self.fn(*args)
        try:
            if self._compiled is None:
                self._compiled = _compile(self.fn)
            return self._compiled(*_shape_marked(args))
        except torch.OutOfMemoryError:
            raise
        except FailOnRecompileLimitHit:
            _reach_limit(self.__name__)
            return self.fn(*args)
        except Exception as error:  # any compiler failure means: run eagerly
            _fall_back(error)
            return self.fn(*args)
