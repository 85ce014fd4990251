"""Input validation and dtype handling shared by every activation.

Each public function in :mod:`actbook.functional` is wrapped by :func:`elementwise` or
:func:`gated`. The wrappers reject what would otherwise give a silent wrong answer (integer
tensors, gate/value pairs of different shapes) and run float16/bfloat16 inputs in float32,
rounding once at the end, so the low-precision result is the correctly rounded float32 one
wherever float32 itself is accurate.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import torch
from torch import Tensor

F = TypeVar("F", bound=Callable[..., Tensor])

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


def elementwise(fn: F) -> F:
    """Decorate ``fn(x, *params)``: validate ``x`` and compute low precision in float32."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(x: Tensor, *args, **kwargs) -> Tensor:
        check_floating(x, name)
        return fn(upcast(x), *args, **kwargs).to(x.dtype)

    return wrapper  # type: ignore[return-value]


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


def gated(fn: F) -> F:
    """Decorate ``fn(gate, value, *params)`` like :func:`elementwise`, for gate/value pairs."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(gate: Tensor, value: Tensor, *args, **kwargs) -> Tensor:
        check_pair(gate, value, name)
        return fn(upcast(gate), upcast(value), *args, **kwargs).to(gate.dtype)

    return wrapper  # type: ignore[return-value]
