"""The references of the accuracy harness, checked against mpmath at 50 digits."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch

from actbook.accuracy import exact, inputs, reference
from actbook.accuracy.implementations import ELEMENTWISE
from actbook.accuracy.ulp import FORMATS, ulp_error

F32, F64 = FORMATS[torch.float32], FORMATS[torch.float64]


def _sample(name: str) -> torch.Tensor:
    x = torch.cat([inputs.bit_sweep(torch.float32, 150),
                   inputs.delicate_bands(name, torch.float32, 2, 6)])
    return x[torch.isfinite(x)]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float64_reference_agrees_with_mpmath(name):
    """On float32 inputs whose result is a normal float32, the float64 reference is within
    4 + 2·cond float64 ulp of the 50-digit value, i.e. far below 1e-5 float32 ulp: good enough
    to measure float32, float16 and bfloat16 results."""
    x = _sample(name)
    f, df = reference.value(name, x), reference.derivative(name, x)
    cond = reference.condition_number(x, f, df).numpy()
    hi, lo = exact.exact_reference(name, x.double().numpy())
    domain = (np.abs(hi) >= F32.tiny) & (np.abs(hi) <= F32.max)
    assert domain.sum() > 150
    in_float64_ulp = ulp_error(f.numpy(), hi, F64, lo)[domain]
    assert np.all(in_float64_ulp <= 4 + 2 * cond[domain]), x[domain][np.argmax(in_float64_ulp)]
    assert ulp_error(f.numpy(), hi, F32, lo)[domain].max() < 1e-5


def _smooth_points(name: str) -> list[float]:
    """Points away from kinks (0, ±3, 6) where f is smooth, both tails included."""
    candidates = [-30.0, -12.5, -7.25, -2.5, -1.1, -0.3, 0.2, 0.9, 2.2, 4.5, 7.5, 15.0]
    return [x for x in candidates if not (name == "step" and x == 0)]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_and_condition_number_agree_with_mpmath(name):
    points = _smooth_points(name)
    x = torch.tensor(points, dtype=torch.float64)
    df = reference.derivative(name, x).tolist()
    cond = reference.condition_number(x, reference.value(name, x),
                                      reference.derivative(name, x)).tolist()
    with mpmath.workdps(50):
        for p, d, c in zip(points, df, cond, strict=True):
            fn = exact.EXACT[name]
            true_d = mpmath.diff(fn, mpmath.mpf(p))
            true_f = fn(mpmath.mpf(p))
            if 0 < abs(true_f) < F64.tiny:
                continue  # no dtype has a normal result here; the harness never uses cond
            assert d == pytest.approx(float(true_d), rel=1e-9, abs=1e-300), p
            true_c = 0.0 if true_f == 0 else abs(float(p * true_d / true_f))
            assert c == pytest.approx(true_c, rel=1e-9, abs=1e-300), p


def test_condition_number_conventions():
    x = torch.tensor([-5.0, 0.0, 2.0], dtype=torch.float64)
    relu = reference.condition_number(x, torch.relu(x), (x > 0).double())
    assert relu.tolist() == [0.0, 0.0, 1.0]  # f = 0 with f' = 0 or x = 0: 0
    root = reference.condition_number(torch.tensor([1.0]), torch.tensor([0.0]),
                                      torch.tensor([2.0]))
    assert root.tolist() == [math.inf]  # a root away from 0: infinitely ill-conditioned


def test_exact_gelu_uses_its_asymptotic_series_far_out():
    # Both branches agree where they meet to far more digits than float64 holds.
    with mpmath.workdps(60):
        x = mpmath.mpf(-1e10)
        series = exact.EXACT["gelu"](x * (1 + mpmath.mpf(10) ** -40))
        direct = x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2
    # The 1e-40 nudge (past the switch) moves GELU by a relative x²·1e-40 = 1e-20 here.
    assert float(abs(series / direct - 1)) < 1e-18


def test_double_double_split():
    with mpmath.workdps(50):
        hi, lo = exact.double_double([mpmath.mpf(1) / 3, mpmath.mpf(10) ** 400])
    assert hi[0] == 1 / 3 and 0 < abs(lo[0]) < 2**-54 and hi[1] == math.inf and lo[1] == 0
