r"""The special-value contract: what every elementwise activation returns at ±0, ±∞, NaN and
its kinks, and the gradient autograd returns there. Written down once, here, as
:data:`CONTRACT`; the tests check actbook against it in every dtype and the appendix renders it.

The rules behind the numbers:

* **Limits.** f(±∞) and f′(±∞) are the limits of f and f′, so a finite computation that
  approaches them and the special value agree: SiLU, Swish, the three GELUs, Mish and
  HardSwish give f(−∞) = 0 with gradient 0; unbounded activations give f(+∞) = +∞ with the
  slope of their linear tail (∞ for squared ReLU and StarReLU, whose true derivative overflows).
* **NaN propagates**, through the step too.
* **Zeros.** An activation with f(x) ~ c·x near 0 (c > 0) keeps the sign of a zero input:
  f(−0) = −0. Rectifiers that are 0 on the whole negative half-line may return a zero of either
  sign (PyTorch's ``relu(-0.)`` is −0, ``max(0, -0)`` is either by IEEE 754).
* **Kinks** take the derivative of the outer piece: relu′(0) = 0, relu6′(0) = relu6′(6) = 0,
  hardsigmoid′(±3) = 0, hardswish′(−3) = 0, hardswish′(3) = 1; leaky_relu, PReLU, ELU and SELU
  take their negative piece at 0 (as PyTorch does), and step′ = 0 everywhere.

A value matches if it is the same special value (with the sign of zero where the contract
fixes it) or lies within 1 ulp of the contract's number in the dtype; a derivative within
4 ulp, since autograd chains several rounded operations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from actbook import functional as F
from actbook.accuracy.ulp import FORMATS, FloatFormat, ulp_error

INF = math.inf
_LAMBDA_ALPHA = F.SELU_SCALE * F.SELU_ALPHA

#: Largest ulp distance from the contract at which a value or derivative still matches.
VALUE_TOLERANCE_ULP = 1.0
DERIVATIVE_TOLERANCE_ULP = 4.0


@dataclass(frozen=True)
class SpecialValue:
    """One row of the contract: f(x) and, where the contract fixes it, f′(x)."""

    activation: str
    x: float
    value: float
    derivative: float | None
    signed_zero: bool = False


class _Limits(NamedTuple):
    minus_inf: float
    zero: float
    plus_inf: float
    slope_minus_inf: float
    slope_zero: float
    slope_plus_inf: float
    odd_at_zero: bool


_LIMITS: dict[str, _Limits] = {
    #                f(-inf)  f(0)  f(+inf)  f'(-inf) f'(0) f'(+inf) f(-0) = -0
    "step": _Limits(0.0, 1.0, 1.0, 0.0, 0.0, 0.0, False),
    "sigmoid": _Limits(0.0, 0.5, 1.0, 0.0, 0.25, 0.0, False),
    "tanh": _Limits(-1.0, 0.0, 1.0, 0.0, 1.0, 0.0, True),
    "relu": _Limits(0.0, 0.0, INF, 0.0, 0.0, 1.0, False),
    "leaky_relu": _Limits(-INF, 0.0, INF, 0.01, 0.01, 1.0, True),
    "prelu": _Limits(-INF, 0.0, INF, 0.25, 0.25, 1.0, True),
    "elu": _Limits(-1.0, 0.0, INF, 0.0, 1.0, 1.0, True),
    "selu": _Limits(-_LAMBDA_ALPHA, 0.0, INF, 0.0, _LAMBDA_ALPHA, F.SELU_SCALE, True),
    "gelu": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "gelu_tanh": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "gelu_sigmoid": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "silu": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "swish": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "mish": _Limits(0.0, 0.0, INF, 0.0, 0.6, 1.0, True),
    "softplus": _Limits(0.0, math.log(2.0), INF, 0.0, 0.5, 1.0, False),
    "hardsigmoid": _Limits(0.0, 0.5, 1.0, 0.0, 1.0 / 6.0, 0.0, False),
    "hardswish": _Limits(0.0, 0.0, INF, 0.0, 0.5, 1.0, True),
    "relu6": _Limits(0.0, 0.0, 6.0, 0.0, 0.0, 0.0, False),
    "squared_relu": _Limits(0.0, 0.0, INF, 0.0, 0.0, INF, False),
    "star_relu": _Limits(F.STAR_RELU_BIAS, F.STAR_RELU_BIAS, INF, 0.0, 0.0, INF, False),
}

#: (activation, x, f(x), f′(x)) at kinks away from 0.
_KINKS: tuple[tuple[str, float, float, float], ...] = (
    ("hardsigmoid", -3.0, 0.0, 0.0),
    ("hardsigmoid", 3.0, 1.0, 0.0),
    ("hardswish", -3.0, 0.0, 0.0),
    ("hardswish", 3.0, 3.0, 1.0),
    ("relu6", 6.0, 6.0, 0.0),
)


def _rows(name: str, lim: _Limits) -> list[SpecialValue]:
    minus_zero_value = -0.0 if lim.odd_at_zero and lim.zero == 0 else lim.zero
    return [
        SpecialValue(name, -INF, lim.minus_inf, lim.slope_minus_inf),
        SpecialValue(name, -0.0, minus_zero_value, lim.slope_zero, lim.odd_at_zero),
        SpecialValue(name, 0.0, lim.zero, lim.slope_zero, lim.odd_at_zero),
        SpecialValue(name, INF, lim.plus_inf, lim.slope_plus_inf),
        SpecialValue(name, math.nan, math.nan, None),
    ] + [SpecialValue(n, x, v, d) for n, x, v, d in _KINKS if n == name]


#: The contract, in book order of the activations.
CONTRACT: tuple[SpecialValue, ...] = tuple(
    row for name, lim in _LIMITS.items() for row in _rows(name, lim)
)


@dataclass(frozen=True)
class Departure:
    """A place where an implementation departs from the contract."""

    activation: str
    dtype: str
    x: float
    what: str  # "value" or "derivative"
    expected: float
    got: float


def _matches(
    got: float, expected: float, tolerance: float, fmt: FloatFormat, signed_zero: bool
) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if signed_zero and expected == 0:
        return got == 0 and math.copysign(1.0, got) == math.copysign(1.0, expected)
    rounded = float(torch.tensor(expected, dtype=torch.float64).to(fmt.dtype))
    error = ulp_error(np.array([got]), np.array([rounded]), fmt)[0]
    return bool(error <= tolerance)


def _evaluate(
    fn: Callable[[Tensor], Tensor], xs: list[float], dtype: torch.dtype
) -> tuple[list[float], list[float]]:
    """Values and autograd derivatives at ``xs``; NaN derivatives where autograd has none."""
    x = torch.tensor(xs, dtype=dtype, requires_grad=True)
    y = fn(x)
    try:
        (grad,) = torch.autograd.grad(y, x, torch.ones_like(y))
    except RuntimeError:  # no derivative formula (torch.heaviside)
        grad = torch.full_like(x, math.nan)
    return y.detach().double().tolist(), grad.double().tolist()


def check_contract(
    implementation: Callable[[str], Callable[[Tensor], Tensor] | None],
    dtype: torch.dtype,
    activations: tuple[str, ...] | None = None,
) -> list[Departure]:
    """Every departure from :data:`CONTRACT` of ``implementation(name)`` in ``dtype``.

    ``implementation`` maps an activation name to a function (or None to skip it).
    """
    fmt = FORMATS[dtype]
    departures = []
    for name in activations or tuple(_LIMITS):
        fn = implementation(name)
        rows = [r for r in CONTRACT if r.activation == name]
        if fn is None or not rows:
            continue
        values, grads = _evaluate(fn, [r.x for r in rows], dtype)
        for row, value, grad in zip(rows, values, grads, strict=True):
            if not _matches(value, row.value, VALUE_TOLERANCE_ULP, fmt, row.signed_zero):
                departures.append(Departure(name, fmt.name, row.x, "value", row.value, value))
            if row.derivative is not None and not _matches(
                grad, row.derivative, DERIVATIVE_TOLERANCE_ULP, fmt, False
            ):
                departures.append(
                    Departure(name, fmt.name, row.x, "derivative", row.derivative, grad)
                )
    return departures
