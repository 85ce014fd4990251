"""actbook.bench.report's comparisons of stored reports: time_ratios, copy_bandwidth_ratios
and gpu_diagnosis, on small hand-made reports and on the stored files the kernels appendix
reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actbook.bench import report

RESULTS = Path(__file__).parents[1] / "benchmarks" / "results"


def _row(variant, pass_name, shape, median_s, op="swiglu"):
    return {"op": op, "variant": variant, "pass": pass_name, "shape": list(shape),
            "median_s": median_s}


def test_time_ratios_pairs_rows_by_shape_variant_and_pass():
    ours = {"results": [_row("fused", "forward", (8, 4), 1.0),
                        _row("fused", "forward", (2, 4), 3.0),
                        _row("eager", "forward", (2, 4), 1.0),
                        _row("fused", "forward", (2, 4), 9.0, op="glu")]}
    theirs = {"results": [_row("fused", "forward", (8, 4), 4.0),
                          _row("fused", "forward", (2, 4), 2.0),
                          _row("fused", "forward", (2, 4), 1.0, op="glu")]}
    assert report.time_ratios(ours, theirs) == {((8, 4), "fused", "forward"): 0.25,
                                                ((2, 4), "fused", "forward"): 1.5}
    assert report.time_ratios(ours, theirs, op="glu") == {((2, 4), "fused", "forward"): 9.0}
    assert report.time_ratios(ours, {"results": []}) == {}


def test_copy_bandwidth_ratios_divide_by_the_largest_shape_not_the_first():
    copy = {"copy": [{"shape": [2, 4], "bandwidth_Bps": 6.0},
                     {"shape": [16, 4], "bandwidth_Bps": 3.0},
                     {"shape": [4, 4], "bandwidth_Bps": 4.5}]}
    assert report.copy_bandwidth_ratios(copy) == {(2, 4): 2.0, (16, 4): 1.0, (4, 4): 1.5}


def test_fresh_copy_shares_are_fresh_over_held_bandwidth_per_shape():
    copy = {"copy": [{"shape": [2, 4], "bandwidth_Bps": 4.0, "fresh_bandwidth_Bps": 4.4},
                     {"shape": [16, 4], "bandwidth_Bps": 3.0, "fresh_bandwidth_Bps": 0.75}]}
    shares = report.fresh_copy_shares(copy)
    assert shares == {(2, 4): pytest.approx(1.1), (16, 4): 0.25}


def test_gpu_diagnosis_reads_the_stored_h200_report():
    diag = report.gpu_diagnosis((RESULTS / "gpu_diag_h200.txt").read_text())
    assert (diag["gpu"], diag["torch"]) == ("NVIDIA H200", "2.11.0")
    assert diag["copy_ms"] == pytest.approx(0.113)
    assert diag["kernels"]["compile(functional.swiglu) static"] == (0.187, 0.264)
    assert diag["kernels"]["eager F.silu*v"] == (0.284, 0.298)
    # names with parentheses, commas and spaces survive whole; the copy line is no kernel
    assert "compile(where-sigmoid, no autograd.Function)" in diag["kernels"]
    assert len(diag["kernels"]) == 6


def test_gpu_diagnosis_refuses_text_without_header_or_copy_line():
    with pytest.raises(ValueError, match="header or copy line"):
        report.gpu_diagnosis("copy 0.1 ms\n")
    with pytest.raises(ValueError, match="header or copy line"):
        report.gpu_diagnosis("# gpu_diag.py on one NVIDIA H200 (torch 2.11.0)\n")


def test_stored_cpu_runs_compare_as_the_kernels_appendix_says():
    """The appendix's allocator section: with THP every SwiGLU measurement at the largest
    size took less time than by default, and at the smallest some took longer."""
    default, thp = (json.loads((RESULTS / f"cpu_2core_float32{suffix}.json").read_text())
                    for suffix in ("", "_thp"))
    ratios = report.time_ratios(thp, default)
    largest = max((shape for shape, _, _ in ratios), key=lambda s: s[0] * s[1])
    smallest = min((shape for shape, _, _ in ratios), key=lambda s: s[0] * s[1])
    assert all(r < 1 for (shape, _, _), r in ratios.items() if shape == largest)
    assert any(r > 1 for (shape, _, _), r in ratios.items() if shape == smallest)
    assert report.copy_bandwidth_ratios(default)[largest] == 1.0
