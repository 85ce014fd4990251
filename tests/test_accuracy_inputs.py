"""The inputs of the accuracy sweep cover what the issue asks for."""

from __future__ import annotations

import math

import numpy as np
import torch

from actbook.accuracy import inputs, reference
from actbook.accuracy.ulp import FORMATS

F32 = FORMATS[torch.float32]


def test_bit_sweep_covers_every_binade_of_both_signs():
    x = inputs.bit_sweep(torch.float32, 2**12)
    assert torch.isfinite(x).all() and x.numel() > 2 * 2**12 - 10
    exponents = np.frexp(np.abs(x.double().numpy()[x.numpy() != 0]))[1]
    assert set(range(-125, 129)) <= set(exponents.tolist())  # every normal binade
    assert (x.abs() < F32.tiny).sum() > 10  # and subnormals (densely: delicate_bands)
    assert (x > 0).sum() == (x < 0).sum()
    assert F32.max in x.tolist() and -F32.max in x.tolist()
    mantissas = x.view(torch.int32) & 0x7FFFFF
    assert mantissas.unique().numel() > 0.9 * x.numel() / 2  # odd stride: mantissas vary


def test_exhaustive_16_bit_sets():
    for dtype, nonfinite in ((torch.float16, 2 * 1024), (torch.bfloat16, 2 * 128)):
        x = inputs.exhaustive(dtype)
        assert x.numel() == 2**16 - nonfinite and torch.isfinite(x).all()
        bits = x.view(torch.int16).tolist()
        assert len(set(bits)) == len(bits)  # -0 and +0 both present, each once


def test_band_is_consecutive_floats_plus_a_grid():
    b = inputs.band(-3.0, torch.float32, 5, 11)
    consecutive = b[:11].numpy()
    assert np.array_equal(np.nextafter(consecutive[:-1], np.float32(np.inf)), consecutive[1:])
    assert b[5].item() == -3.0 and b.numel() == 22
    assert b[11:].min() >= -3.03 - 1e-6 and b[11:].max() <= -2.97 + 1e-6


def test_knees_are_where_results_leave_the_normal_range():
    knees = inputs.knees("gelu", F32)
    underflow = [k for k in knees if -20 < k < -5]
    # xΦ(x) crosses the smallest normal, then the smallest subnormal, below about -13.
    assert len(underflow) == 2
    near = torch.tensor([min(underflow) * (1 - 1e-7), max(underflow) * (1 + 1e-7)],
                        dtype=torch.float64)
    values = reference.value("gelu", near).abs().tolist()
    assert values[0] < F32.smallest_subnormal * 1.01 and values[1] >= F32.tiny * 0.99
    assert any(math.isclose(k, math.log(F32.max)) for k in knees)  # exp overflows


def test_delicate_bands_include_subnormals_tiny_inputs_kinks_and_max():
    x = inputs.delicate_bands("hardswish", torch.float32, 8, 64)
    values = set(x.tolist())
    assert {F32.smallest_subnormal, -F32.max, F32.max, -3.0, 3.0, 6.0, 0.0} <= values
    assert ((x.abs() < 1e-3) & (x != 0)).sum() > 64
    assert torch.isfinite(x).all()


def test_sweep_inputs_are_unique_and_keep_both_zeros():
    x = inputs.sweep_inputs("silu", torch.float32, 2**10, 4, 16)
    bits = x.view(torch.int32)
    assert bits.unique().numel() == x.numel()
    assert {0, -(2**31)} <= set(bits.tolist())
    assert inputs.sweep_inputs("silu", torch.bfloat16, 1).numel() == 2**16 - 256


def test_gate_values_are_seeded_and_bounded():
    v = inputs.gate_values(1000, torch.float32)
    assert torch.equal(v, inputs.gate_values(1000, torch.float32))
    assert v.abs().min() >= 2**-6 and v.abs().max() <= 2**6 and (v < 0).any() and (v > 0).any()
