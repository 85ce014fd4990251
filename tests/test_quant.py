"""Tests of the simulated 8-bit formats and Smooth-SwiGLU's per-channel scaling."""

from __future__ import annotations

import pytest
import torch

from actbook import F, quant


def test_format_max_are_the_largest_finite_values():
    assert quant.FORMAT_MAX == {"e4m3": 448.0, "e5m2": 57344.0, "int8": 127.0}


@pytest.mark.parametrize("fmt", quant.FORMATS)
def test_representable_values_are_kept_and_others_round_to_a_neighbour(fmt):
    x = torch.linspace(-3, 3, 1001, dtype=torch.float64)
    scale = quant.absmax_scale(x, fmt)
    q = quant.fake_quantize(x, fmt, scale)
    assert torch.equal(quant.fake_quantize(q, fmt, scale), q)  # idempotent
    # relative rounding bound: 2^-4 (E4M3), 2^-3 (E5M2); int8: half a step
    if fmt == "int8":
        assert (q - x).abs().max() <= scale / 2 + 1e-15
    else:
        big = x.abs() > 0.1
        bound = {"e4m3": 2.0**-4, "e5m2": 2.0**-3}[fmt]
        assert ((q - x).abs()[big] / x.abs()[big]).max() <= bound


def test_fp8_e4m3_rounds_to_nearest_even_on_known_values():
    x = torch.tensor([1.0625, 1.1875, 0.3, 17.0, 1e-4], dtype=torch.float64)
    # 1.0625 is halfway between 1 and 1.125 (to even: 1); 1.1875 between 1.125 and 1.25 (1.25)
    q = quant.fake_quantize(x, "e4m3", 1.0)
    assert q.tolist() == [1.0, 1.25, 0.3125, 16.0, 0.0]


def test_values_beyond_the_range_saturate_and_are_counted():
    x = torch.tensor([1.0, 500.0, -1e6, 3.0])
    assert quant.fake_quantize(x, "e4m3", 1.0).tolist() == [1.0, 448.0, -448.0, 3.0]
    assert quant.fake_quantize(x, "int8", 1.0).tolist() == [1.0, 127.0, -127.0, 3.0]
    assert quant.overflow_share(x, "e4m3", 1.0) == 0.5
    assert quant.overflow_share(x, "e5m2", 1.0) == 0.25


def test_per_channel_scales_map_each_channel_maximum_to_the_format_maximum():
    h = torch.tensor([[1.0, -8.0, 0.0], [-2.0, 4.0, 0.0]])
    scale = quant.absmax_scale(h, "int8", per_channel=True)
    assert torch.allclose(scale, torch.tensor([2 / 127, 8 / 127, 1.0]))
    assert quant.absmax_scale(torch.zeros(3)).item() == 1.0
    assert quant.absmax_scale(h, "e4m3").item() == pytest.approx(8 / 448, rel=1e-7)


def test_smooth_swiglu_with_folded_scales_gives_the_block_output_within_fp8_precision():
    g = torch.Generator().manual_seed(0)
    gate, value = torch.randn(2, 64, 32, generator=g, dtype=torch.float64)
    gate[:, 5] *= 300  # an outlier channel
    value[:, 5] = gate[:, 5]
    w_out = torch.randn(16, 32, generator=g, dtype=torch.float64)
    exact = F.swiglu(gate, value) @ w_out.T
    q, s = quant.smooth_swiglu(gate, value, "e4m3")
    assert q.shape == gate.shape and s.shape == (32,)
    assert torch.equal(q.abs().amax(0), torch.full((32,), 448.0, dtype=torch.float64))
    folded = q @ quant.fold_scales(w_out, s).T
    assert ((folded - exact).norm() / exact.norm()).item() < 2.0**-4
    # without rounding, folding is exact up to float64 rounding
    h = F.swiglu(gate, value)
    torch.testing.assert_close((h / s) @ quant.fold_scales(w_out, s).T, exact, rtol=1e-12,
                               atol=1e-9)


def test_power_of_two_scales_fold_without_any_rounding():
    g = torch.Generator().manual_seed(1)
    h = torch.randn(8, 32, generator=g)
    w = torch.randn(4, 32, generator=g)
    s = 2.0 ** torch.randint(-6, 7, (32,), generator=g).float()
    assert torch.equal((h / s) @ quant.fold_scales(w, s).T, h @ w.T)


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="unknown format 'fp4'.*e4m3"):
        quant.absmax_scale(torch.ones(2), "fp4")
    with pytest.raises(TypeError, match="floating-point"):
        quant.fake_quantize(torch.ones(2, dtype=torch.int64), "int8", 1.0)
    with pytest.raises(ValueError, match="scales must be positive"):
        quant.fake_quantize(torch.ones(2), "int8", torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="one scale per input feature"):
        quant.fold_scales(torch.ones(2, 3), torch.ones(2))
    with pytest.raises(ValueError, match="shape"):
        quant.smooth_swiglu(torch.ones(2, 3), torch.ones(2, 4))
