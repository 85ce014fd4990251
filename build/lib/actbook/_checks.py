"""Input validation and dtype handling shared by every activation.

Each public function in :mod:`actbook.functional` is wrapped by :func:`elementwise` or
:func:`gated`. The wrappers reject what would otherwise give a silent wrong answer (integer
tensors, gate/value pairs of different shapes) and run float16/bfloat16 inputs in float32,
rounding once at the end, so the low-precision result is the correctly rounded float32 one
wherever float32 itself is accurate.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Literal, TypeVar, get_args

import torch
from torch import Tensor

Fn = TypeVar("Fn", bound=Callable[..., Tensor])

#: How a packed tensor holds the two inputs of a gated unit: the gate as the second half (as
#: :func:`torch.nn.functional.glu` reads it), as the first half, or in the even columns with the
#: value in the odd ones (as gpt-oss stores its projection).
Layout = Literal["gate_last", "gate_first", "interleaved"]
LAYOUTS: tuple[str, ...] = get_args(Layout)

#: Dtypes computed in float32 and rounded once to their own precision.
LOW_PRECISION = (torch.float16, torch.bfloat16)


def check_floating(x: object, name: str, argument: str = "input") -> Tensor:
    """Return ``x`` if it is a real floating-point tensor, else raise ``TypeError``."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"actbook.{name}: {argument} must be a torch.Tensor, got {type(x).__name__}; "
            "wrap it with torch.as_tensor(..., dtype=torch.float32)"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"actbook.{name}: {argument} must be a floating-point tensor, got {x.dtype}; "
            "activations are not defined on integer, boolean or complex tensors "
            "(convert with .float())"
        )
    return x


def upcast(x: Tensor) -> Tensor:
    """float16/bfloat16 to float32; every other floating dtype unchanged."""
    return x.float() if x.dtype in LOW_PRECISION else x


def elementwise(fn: Fn) -> Fn:
    """Decorate ``fn(x, *params)``: validate ``x`` and compute low precision in float32."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(x: Tensor, *args, **kwargs) -> Tensor:
        check_floating(x, name)
        return fn(upcast(x), *args, **kwargs).to(x.dtype)

    return wrapper  # type: ignore[return-value]


def activation(fn: Fn) -> Fn:
    """Decorate ``fn(x, *params)`` like :func:`elementwise`, adding PyTorch's ``inplace``.

    ``fn`` declares ``inplace: bool = False`` as its last parameter, for its signature and
    documentation; the wrapper implements it (``fn`` itself is always called out of place).
    The wrapper takes ``inplace`` by keyword or by position
    (``relu(x, True)``, as :func:`torch.nn.functional.relu`). With ``inplace=True`` the result is
    computed out of place and copied into ``x``, which is returned: ``x`` changes as PyTorch's
    in-place functions change it (a leaf that requires grad raises PyTorch's ``RuntimeError``;
    under autograd the backward uses a copy of the input taken before it is overwritten), but no
    memory is saved.
    """
    elementwise_fn = elementwise(fn)
    parameters = list(inspect.signature(fn).parameters)
    if parameters[-1] != "inplace":
        raise TypeError(f"{fn.__name__} must declare inplace: bool = False as its last parameter")
    own = len(parameters) - 2  # the parameters between x and inplace

    @functools.wraps(fn)
    def wrapper(x: Tensor, *args, inplace: bool = False, **kwargs) -> Tensor:
        if len(args) == own + 1:
            *args, inplace = args
        if not inplace:
            return elementwise_fn(x, *args, **kwargs)
        needs_copy = torch.is_grad_enabled() and isinstance(x, Tensor) and x.requires_grad
        result = elementwise_fn(x.clone() if needs_copy else x, *args, **kwargs)
        return x.copy_(result)

    return wrapper  # type: ignore[return-value]


def check_dim(dim: int | None, name: str) -> None:
    """Raise ``TypeError`` unless a row-wise activation was given its dimension."""
    if dim is None:
        raise TypeError(
            f"actbook.{name}: pass dim explicitly (for example dim=-1); it normalises along one "
            "dimension and guessing it gives silently wrong results"
        )


def check_pair(gate: object, value: object, name: str) -> None:
    """Raise unless ``gate`` and ``value`` are floating tensors of one shape and dtype."""
    check_floating(gate, name, "gate")
    check_floating(value, name, "value")
    assert isinstance(gate, Tensor) and isinstance(value, Tensor)
    if gate.shape != value.shape:
        raise ValueError(
            f"actbook.{name}: gate and value must have the same shape, got "
            f"{tuple(gate.shape)} and {tuple(value.shape)} (gated units do not broadcast; "
            "to split one packed tensor use actbook.functional.split_gated)"
        )
    if gate.dtype != value.dtype:
        raise TypeError(
            f"actbook.{name}: gate and value must have the same dtype, got "
            f"{gate.dtype} and {value.dtype}"
        )


def gated(fn: Fn) -> Fn:
    """Decorate ``fn(gate, value, *params)`` like :func:`elementwise`, for gate/value pairs
    (errors name ``_glu`` as ``glu``: a public function may wrap its private pair form)."""
    name = fn.__name__.lstrip("_")

    @functools.wraps(fn)
    def wrapper(gate: Tensor, value: Tensor, *args, **kwargs) -> Tensor:
        check_pair(gate, value, name)
        return fn(upcast(gate), upcast(value), *args, **kwargs).to(gate.dtype)

    return wrapper  # type: ignore[return-value]


def check_layout(layout: str, gate_first: bool | None = None) -> Layout:
    """``layout`` if it is one of :data:`LAYOUTS`, with ``gate_first`` as its older spelling.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}, got {layout!r}")
    if gate_first is None:
        return layout  # type: ignore[return-value]
    if layout != "gate_last":
        raise ValueError(f"pass layout={layout!r} or gate_first={gate_first}, not both")
    return "gate_first" if gate_first else "gate_last"
