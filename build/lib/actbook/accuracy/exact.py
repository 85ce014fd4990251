r"""Exact references with :mod:`mpmath`: every activation at 50 significant digits.

They serve two purposes: the tests check the float64 formulas of
:mod:`actbook.accuracy.oracles` against them, and float64 results, for which a float64 reference
is not good enough, are measured against them, rounded to a double-double ``hi + lo`` (two
float64 numbers whose sum carries about 106 bits). The formulas are the ``exact`` fields of the
oracles; they avoid cancellation in the same way as the float64 ones (x·σ(2u) for the tanh GELU,
for example), so 50 digits leave more than 40 correct ones at every finite input.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import mpmath
import numpy as np
from mpmath import mpf

from actbook import registry
from actbook.accuracy.oracles import IDENTITY, ORACLES, oracle

#: Significant digits of every mpmath reference.
DIGITS = 50

#: name -> the activation on an mpmath number, for every elementwise activation and the identity.
EXACT: MappingProxyType = MappingProxyType({
    **{name: ORACLES[name].exact for name in registry.names(kind="elementwise")
       if name in ORACLES},
    "identity": IDENTITY.exact,
})


def _exact(name: str) -> Callable[[mpf], mpf]:
    fn = oracle(name).exact
    assert fn is not None, name
    return fn


def exact_value(name: str, x: float) -> mpf:
    """``name`` at the float ``x``, to :data:`DIGITS` digits.

    Args:
        name: the registry name of an elementwise activation, or ``"identity"``.
        x: the input.

    Returns:
        An mpmath number: the activation at ``x``, computed at :data:`DIGITS` significant
        digits.
    """
    with mpmath.workdps(DIGITS):
        return _exact(name)(mpf(x))


def double_double(values: list[mpf]) -> tuple[np.ndarray, np.ndarray]:
    """Split each value into ``hi = fl(v)`` and ``lo = fl(v − hi)``; ``lo = 0`` where hi is inf.

    Args:
        values: mpmath numbers.

    Returns:
        A pair ``(hi, lo)`` of float64 arrays of the length of ``values``.
    """
    with mpmath.workdps(DIGITS):
        hi = np.array([float(v) for v in values], dtype=np.float64)
        lo = np.array(
            [float(v - h) if np.isfinite(h) else 0.0 for v, h in zip(values, hi, strict=True)],
            dtype=np.float64,
        )
    return hi, lo


def exact_reference(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Double-double reference ``(hi, lo)`` of activation ``name`` at the finite floats ``x``.

    Args:
        name: the registry name of an elementwise activation, or ``"identity"``.
        x: the inputs, an array of finite floats (converted to float64).

    Returns:
        A pair ``(hi, lo)`` of float64 arrays of the size of ``x`` (:func:`double_double`).
    """
    return double_double([exact_value(name, float(v)) for v in np.asarray(x, np.float64)])


def _clamp(x: mpf, bounds: tuple[float, float] | None) -> mpf:
    return x if bounds is None else min(max(x, mpf(bounds[0])), mpf(bounds[1]))


def exact_gated_reference(
    form: registry.GatedForm | str, gate: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Double-double reference of a gated unit, ``a(gate) · (b(value) + c)`` for its
    :class:`~actbook.registry.GatedForm` (or the name of ``a`` alone, for a unit a(g)·v).

    Args:
        form: the unit's :class:`~actbook.registry.GatedForm`, or the registry name of its
            gate function ``a`` for the unit ``a(gate) · value``.
        gate: the gate inputs, an array of finite floats.
        value: the value inputs, an array of finite floats of the same size.

    Returns:
        A pair ``(hi, lo)`` of float64 arrays of the size of ``gate`` (:func:`double_double`).
    """
    if isinstance(form, str):
        form = registry.GatedForm(gate=form)
    a, b = _exact(form.gate), _exact(form.value)
    with mpmath.workdps(DIGITS):
        products = [
            _clamp(a(_clamp(mpf(float(g)), form.gate_clamp)), form.gate_output_clamp)
            * (b(_clamp(mpf(float(v)), form.value_clamp)) + mpf(form.value_offset))
            for g, v in zip(np.asarray(gate, np.float64), np.asarray(value, np.float64),
                            strict=True)
        ]
    return double_double(products)
