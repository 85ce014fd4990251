"""ulp, ulp error and rounding of actbook.accuracy.ulp, against numpy's and torch's own."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actbook.accuracy.ulp import FORMATS, correctly_rounded, round_to_format, ulp, ulp_error

F32, F16, BF16, F64 = (FORMATS[d] for d in (torch.float32, torch.float16, torch.bfloat16,
                                            torch.float64))


@pytest.mark.parametrize("fmt,np_type", [(F32, np.float32), (F16, np.float16),
                                         (F64, np.float64)])
def test_ulp_is_numpy_spacing(fmt, np_type):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(500) * 10.0 ** rng.integers(-4, 4, 500),
                        [1.0, 2.0, 0.5, fmt.tiny, fmt.max / 2, fmt.smallest_subnormal]])
    x = x.astype(np_type)
    assert np.array_equal(ulp(x.astype(np.float64), fmt),
                          np.spacing(np.abs(x)).astype(np.float64))


def test_ulp_of_zero_and_subnormals_is_the_smallest_spacing():
    assert ulp(np.array([0.0, 1e-45, 1e-40]), F32).tolist() == [2.0**-149] * 3
    assert F32.max == float(np.finfo(np.float32).max)
    assert BF16.max == float(torch.finfo(torch.bfloat16).max)
    assert BF16.tiny == float(torch.finfo(torch.bfloat16).tiny)


def test_ulp_error_values_and_special_cases():
    got = ulp_error(np.array([1.0, 1.0, np.nan, np.inf, np.inf, 1.0, 0.0]),
                    np.array([1 + 2**-24, 1 + 2**-22, np.nan, np.inf, -np.inf, np.nan, 0.0]),
                    F32)
    assert got.tolist() == [0.5, 2.0, 0.0, 0.0, np.inf, np.inf, 0.0]


def test_ulp_error_uses_the_low_part_of_a_double_double():
    hi, lo = np.array([1.0]), np.array([2.0**-60])
    assert ulp_error(np.array([1.0]), hi, F64, lo)[0] == pytest.approx(2.0**-8)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_round_to_format_matches_a_single_rounding(dtype):
    # float64 -> float32 and float64 -> float16 conversions in torch round once, correctly.
    rng = np.random.default_rng(1)
    r = rng.standard_normal(4000) * 10.0 ** rng.integers(-8, 6, 4000)
    r = np.concatenate([r, [70000.0, 65519.9, 65520.0, 1e-9, 3e-8]])
    expected = torch.from_numpy(r).to(dtype).double().numpy()
    assert np.array_equal(round_to_format(r, FORMATS[dtype]), expected)


def test_round_to_format_avoids_double_rounding_through_float32():
    # 1 + 2^-8 + 2^-30 lies just above the bfloat16 tie 1 + 2^-8: it rounds up to 1 + 2^-7.
    # Through float32 it would become the tie 1 + 2^-8 and round to even, 1.
    r = np.array([1 + 2**-8 + 2**-30])
    assert round_to_format(r, BF16)[0] == 1 + 2**-7
    assert float(torch.tensor(r).float().to(torch.bfloat16)) == 1.0


def test_correctly_rounded():
    ok = correctly_rounded(np.array([1.0, 1.0, np.nan]), np.array([1 + 2**-25, 1 + 2**-23,
                                                                    np.nan]), F32)
    assert ok.tolist() == [True, False, True]
