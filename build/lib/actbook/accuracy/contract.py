r"""The special-value contract: what every elementwise activation returns at ±0, ±∞, NaN and
its kinks, and the gradient autograd returns there: :data:`CONTRACT`, built from the ``limits``
and ``kinks`` of the records in :mod:`actbook.accuracy.oracles`. The tests check actbook against
it in every dtype and the appendix renders it.

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

import numpy as np
import torch
from torch import Tensor

from actbook import registry
from actbook.accuracy.oracles import Oracle, oracle
from actbook.accuracy.ulp import FORMATS, FloatFormat, ulp_error

#: Positive infinity, as the contract writes it.
INF = math.inf

#: Largest ulp distance from the contract at which a value or derivative still matches.
VALUE_TOLERANCE_ULP = 1.0
#: Largest ulp distance of an autograd derivative from the contract's (several rounded operations).
DERIVATIVE_TOLERANCE_ULP = 4.0


@dataclass(frozen=True)
class SpecialValue:
    """One row of the contract: f(x) and, where the contract fixes it, f′(x).

    Args:
        activation: the activation's registry name.
        x: the input (±0, ±∞, NaN or a kink).
        value: f(x).
        derivative: f′(x) as autograd must return it, or ``None`` where the contract does not
            fix it (at NaN).
        signed_zero: whether a zero ``value`` must carry its sign. Default: ``False``.
    """

    activation: str
    x: float
    value: float
    derivative: float | None
    signed_zero: bool = False


def _rows(record: Oracle) -> list[SpecialValue]:
    lim = record.limits
    assert lim is not None, record.name
    name = record.name
    minus_zero_value = -0.0 if lim.odd_at_zero and lim.zero == 0 else lim.zero
    return [
        SpecialValue(name, -INF, lim.minus_inf, lim.slope_minus_inf),
        SpecialValue(name, -0.0, minus_zero_value, lim.slope_zero, lim.odd_at_zero),
        SpecialValue(name, 0.0, lim.zero, lim.slope_zero, lim.odd_at_zero),
        SpecialValue(name, INF, lim.plus_inf, lim.slope_plus_inf),
        SpecialValue(name, math.nan, math.nan, None),
    ] + [SpecialValue(name, k.x, k.value, k.derivative) for k in record.kinks if k.x != 0]


#: The contract, in book order of the activations: the ``limits`` and ``kinks`` of every
#: elementwise activation's record in :mod:`actbook.accuracy.oracles`.
CONTRACT: tuple[SpecialValue, ...] = tuple(
    row for name in registry.names(kind="elementwise") for row in _rows(oracle(name))
)


@dataclass(frozen=True)
class Departure:
    """A place where an implementation departs from the contract.

    Args:
        activation: the activation's registry name.
        dtype: the dtype's name (``"float32"``).
        x: the input of the contract's row.
        what: ``"value"`` or ``"derivative"``.
        expected: the contract's number.
        got: what the implementation returned.
    """

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


def representable(x: float, dtype: torch.dtype) -> bool:
    """Whether ``dtype`` holds ``x`` exactly (NaN and ±∞ included): a row at a kink that the
    dtype cannot represent, such as xIELU's ε = −10⁻⁶ in bfloat16, is not checked there.

    Args:
        x: the input of a contract row.
        dtype: the floating dtype to hold it.

    Returns:
        A bool: whether ``x`` is NaN or converting it to ``dtype`` leaves it unchanged.
    """
    return math.isnan(x) or float(torch.tensor(x, dtype=torch.float64).to(dtype)) == x


def check_contract(
    implementation: Callable[[str], Callable[[Tensor], Tensor] | None],
    dtype: torch.dtype,
    activations: tuple[str, ...] | None = None,
) -> list[Departure]:
    """Every departure from :data:`CONTRACT` of ``implementation(name)`` in ``dtype``.

    ``implementation`` maps an activation name to a function (or None to skip it). Rows at
    inputs ``dtype`` cannot represent are skipped (:func:`representable`).

    Args:
        implementation: maps an activation's registry name to its function (a tensor in, a
            tensor out), or to ``None`` to skip the activation.
        dtype: the floating dtype to evaluate in.
        activations: the activations to check. Default: ``None``, every elementwise activation
            of the registry (an empty tuple also means every one).

    Returns:
        A list of :class:`Departure`, in the order of the activations and of their rows in
        :data:`CONTRACT`; empty if the implementation keeps the contract.
    """
    fmt = FORMATS[dtype]
    departures = []
    names = registry.names(kind="elementwise") if activations is None else activations
    for name in names:
        fn = implementation(name)
        rows = [r for r in CONTRACT if r.activation == name and representable(r.x, dtype)]
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
