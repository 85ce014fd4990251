r"""Exact references with :mod:`mpmath`: every activation at 50 significant digits.

They serve two purposes: the tests check the float64 formulas of
:mod:`actbook.accuracy.reference` against them, and float64 results, for which a float64
reference is not good enough, are measured against them, rounded to a double-double
``hi + lo`` (two float64 numbers whose sum carries about 106 bits).

Constants are the decimal numbers of the definitions (0.044715, 1.702, SELU's α and λ to 32
digits, 2/√5 and −1/√5), not their float64 roundings. The formulas avoid cancellation in the
same way as the float64 ones (x·σ(2u) for the tanh GELU, for example), so 50 digits leave more
than 40 correct ones at every finite input.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np
from mpmath import mpf

DIGITS = 50

_SELU_ALPHA = "1.6732632423543772848170429916717"
_SELU_SCALE = "1.0507009873554804934193349852946"


def _sigmoid(x: mpf) -> mpf:
    return 1 / (1 + mpmath.exp(-x))


def _relu(x: mpf) -> mpf:
    return x if x > 0 else mpf(0)


def _elu(x: mpf) -> mpf:
    return x if x > 0 else mpmath.expm1(x)


def _gelu(x: mpf) -> mpf:
    if x < -1e10:
        # mpmath's erfc fails for such arguments; the asymptotic series of xΦ(x) has a
        # relative error below 15/x⁶ < 1e-59 there.
        return -mpmath.npdf(x) * (1 - 1 / x**2 + 3 / x**4)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def _gelu_tanh(x: mpf) -> mpf:
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpf("0.044715") * x**3)
    return x * _sigmoid(2 * u)


EXACT: dict[str, Callable[[mpf], mpf]] = {
    "step": lambda x: mpf(1) if x >= 0 else mpf(0),
    "sigmoid": _sigmoid,
    "tanh": mpmath.tanh,
    "relu": _relu,
    "leaky_relu": lambda x: x if x > 0 else mpf("0.01") * x,
    "prelu": lambda x: x if x > 0 else x / 4,
    "elu": _elu,
    "selu": lambda x: mpf(_SELU_SCALE) * (x if x > 0 else mpf(_SELU_ALPHA) * mpmath.expm1(x)),
    "gelu": _gelu,
    "gelu_tanh": _gelu_tanh,
    "gelu_sigmoid": lambda x: x * _sigmoid(mpf("1.702") * x),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * mpmath.tanh(mpmath.log1p(mpmath.exp(x))),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "hardsigmoid": lambda x: min(max((x + 3) / 6, mpf(0)), mpf(1)),
    "hardswish": lambda x: x * min(max(x + 3, mpf(0)), mpf(6)) / 6,
    "relu6": lambda x: min(max(x, mpf(0)), mpf(6)),
    "squared_relu": lambda x: _relu(x) ** 2,
    "star_relu": lambda x: (2 * _relu(x) ** 2 - 1) / mpmath.sqrt(5),
    "identity": lambda x: x,
}


def exact_value(name: str, x: float) -> mpf:
    """``name`` at the float ``x``, to :data:`DIGITS` digits."""
    with mpmath.workdps(DIGITS):
        return EXACT[name](mpf(x))


def double_double(values: list[mpf]) -> tuple[np.ndarray, np.ndarray]:
    """Split each value into ``hi = fl(v)`` and ``lo = fl(v − hi)``; ``lo = 0`` where hi is inf."""
    with mpmath.workdps(DIGITS):
        hi = np.array([float(v) for v in values], dtype=np.float64)
        lo = np.array(
            [float(v - h) if np.isfinite(h) else 0.0 for v, h in zip(values, hi, strict=True)],
            dtype=np.float64,
        )
    return hi, lo


def exact_reference(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Double-double reference ``(hi, lo)`` of activation ``name`` at the finite floats ``x``."""
    return double_double([exact_value(name, float(v)) for v in np.asarray(x, np.float64)])


def exact_gated_reference(
    gate_name: str, gate: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Double-double reference of ``f(gate) · value`` for a gated unit with gate function f."""
    with mpmath.workdps(DIGITS):
        products = [
            exact_value(gate_name, float(g)) * mpf(float(v))
            for g, v in zip(np.asarray(gate, np.float64), np.asarray(value, np.float64),
                            strict=True)
        ]
    return double_double(products)
