"""Chapter 7's experiments (actbook.experiments.frontier), each checked against a computation
of its own."""

from __future__ import annotations

import math

import pytest
import torch

from actbook import F
from actbook.experiments import frontier as X


def test_clamped_range_is_the_unit_at_its_corners() -> None:
    r = X.clamped_swiglu_range()
    g = torch.linspace(-3.0, 1.0, 400_001, dtype=torch.float64)
    a = F.gelu_sigmoid(g)
    assert r.gate_minimum == pytest.approx(a.min().item(), abs=1e-10)
    assert r.gate_argmin == pytest.approx(g[a.argmin()].item(), abs=1e-4)
    seven = F.gelu_sigmoid(torch.tensor(7.0, dtype=torch.float64)).item()
    assert (r.low, r.high) == pytest.approx((-6 * seven, 8 * seven), rel=1e-14)
    assert r.e4m3_margin == pytest.approx(448 / r.high, rel=1e-14)
    # The function never leaves the range (to float64 rounding), wherever the inputs go, and
    # reaches both ends.
    gate, value = 50 * torch.randn(2, 100_000, dtype=torch.float64)
    y = F.clamped_swiglu(gate, value)
    assert y.min().item() == pytest.approx(r.low, rel=1e-14)
    assert y.max().item() == pytest.approx(r.high, rel=1e-14)
    assert r.low * (1 + 1e-14) <= y.min().item() and y.max().item() <= r.high * (1 + 1e-14)


def test_sharding_keeps_interleaved_pairs_and_breaks_halves() -> None:
    assert X.sharded_unit_error("interleaved") == 0.0
    assert X.sharded_unit_error("gate_first") > 0.5
    assert X.sharded_unit_error("gate_last", ranks=2) > 0.5
    assert X.sharded_unit_error("gate_first", ranks=1) == 0.0  # one rank holds everything
    with pytest.raises(ValueError, match="multiple of ranks"):
        X.sharded_unit_error("interleaved", ranks=3)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=str)
def test_square_root_recovery_counts_every_value(dtype: torch.dtype) -> None:
    r = X.square_root_recovery(dtype)
    info = torch.finfo(dtype)
    mantissa_bits = -round(math.log2(info.eps))
    # Positive bit patterns less those with the exponent all ones (infinity and NaNs).
    assert r.values == (1 << 15) - 1 - (1 << mantissa_bits)
    assert r.values == r.normal_squares + r.subnormal_or_zero + r.overflow
    assert r.recovered == r.normal_squares  # every normal square gives x back
    assert r.largest_recovered < math.sqrt(info.max)
    # The squares that overflow are those at or above the midpoint between the largest value
    # and the next power of two (a tie rounds to the even neighbour, infinity), in float64.
    x = X._positive_finite(dtype).double()
    midpoint = (info.max + 2.0 ** (math.floor(math.log2(info.max)) + 1)) / 2
    assert r.overflow == int((x * x >= midpoint).sum())
    assert r.subnormal_or_zero == int((x * x < info.tiny * (1 - info.eps / 4)).sum())


def test_square_root_recovery_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="bfloat16 or float16"):
        X.square_root_recovery(torch.float32)
