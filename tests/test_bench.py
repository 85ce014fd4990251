"""actbook.bench: the CLI runs end to end and writes well-formed JSON and Markdown.

No timing is asserted: the machine is shared. Tiny shapes and two repeats keep it quick, and the
ops (SwiGLU, GLU) reuse the kernels compiled by tests/test_kernels.py when run together.
"""

from __future__ import annotations

import json
import os

import pytest
import torch
import torch.nn.functional as TF

from actbook import functional as F
from actbook import kernels
from actbook.bench import OPS, PASSES, Timing, saved_activations, tensor_passes
from actbook.bench.__main__ import main, sweep_shapes


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "tiny"
    argv = ["--device", "cpu", "--shape", "6x10,3x10", "--ops", "swiglu,glu"]
    report = main([*argv, "--repeats", "2", "--warmup", "1", "--no-progress", "--out", str(out)])
    return report, out


def test_cli_writes_json_with_machine_settings_and_every_measurement(report):
    returned, out = report
    written = json.loads(out.with_name("tiny.json").read_text())
    assert written == json.loads(json.dumps(returned))
    assert {"cpu", "torch", "torch_threads", "kernels"} <= set(written["machine"])
    assert written["settings"]["shapes"] == [[6, 10], [3, 10]]
    assert [c["shape"] for c in written["copy"]] == [[6, 10], [3, 10]]
    assert all(c["bandwidth_Bps"] > 0 and c["fresh_bandwidth_Bps"] > 0 for c in written["copy"])
    assert "into newly allocated memory" in out.with_name("tiny.md").read_text()
    rows = written["results"]
    expected = {
        (op, variant.name, pass_name, tuple(shape))
        for op in ("swiglu", "glu")
        for variant in OPS[op].variants
        for pass_name in PASSES
        for shape in ((6, 10), (3, 10))
    }
    assert {(r["op"], r["variant"], r["pass"], tuple(r["shape"])) for r in rows} == expected
    for r in rows:
        assert 0 < r["min_s"] <= r["q1_s"] <= r["median_s"] <= r["q3_s"] <= r["max_s"]
        assert r["bandwidth_Bps"] == pytest.approx(r["bytes"] / r["median_s"])
        assert r["copy_fraction"] > 0


def test_bytes_and_saved_activations_follow_the_ops(report):
    rows = report[0]["results"]

    def row(op, variant, pass_name="forward"):
        return next(
            r
            for r in rows
            if (r["op"], r["variant"], r["pass"], r["shape"]) == (op, variant, pass_name, [6, 10])
        )

    element = 6 * 10 * 4  # bytes of one float32 input
    assert row("swiglu", "fused")["bytes"] == 3 * element
    assert row("swiglu", "fused", "forward+backward")["bytes"] == 8 * element
    assert row("swiglu", "silu_alone")["bytes"] == 2 * element
    assert row("glu", "native")["bytes"] == 3 * element  # packed input of two halves
    assert row("swiglu", "fused")["saved_tensors"] == 2
    assert row("swiglu", "eager")["saved_tensors"] == 3
    assert row("swiglu", "eager")["saved_bytes"] == 3 * element
    assert row("swiglu", "eager")["speedup_vs_eager"] == 1.0


def test_cli_writes_one_markdown_table_per_shape(report):
    _, out = report
    text = out.with_name("tiny.md").read_text()
    assert text.count("| op | variant | pass |") == 2
    assert "| swiglu | fused | forward+backward |" in text
    assert "| glu | native | forward |" in text
    assert "swiglu: no ATen op" in text


@pytest.mark.parametrize(
    "argv",
    [["--shape", "8192by4096"], ["--shape", "0x4"], ["--ops", "swiglu,relu"], ["--repeats", "0"]],
)
def test_cli_rejects_bad_arguments(argv):
    with pytest.raises(SystemExit):
        main(argv)


def test_eager_swiglu_makes_five_passes_forward_and_nine_backward():
    gate, value = torch.randn(16, 8), torch.randn(16, 8)
    forward, calls = tensor_passes(lambda g, v: TF.silu(g) * v, gate, value)
    backward, _ = tensor_passes(lambda g, v: TF.silu(g) * v, gate, value, backward=True)
    assert (forward, backward) == (5.0, 9.0) and calls == ["silu", "mul"]


def test_saved_activations_count_distinct_tensors_once():
    gate, value = torch.randn(4, 8), torch.randn(4, 8)
    assert saved_activations(lambda g, v: TF.silu(g) * v, gate, value) == (3, 3 * 4 * 8 * 4)
    assert saved_activations(lambda g, v: g * g, gate, value) == (1, 4 * 8 * 4)
    assert saved_activations(kernels.swiglu, gate, value)[0] == 2
    assert saved_activations(F.swiglu, gate, value)[0] > 3


def test_saved_activations_leave_out_the_weights_they_are_given():
    layer = torch.nn.Linear(8, 4, bias=False)
    x = torch.randn(3, 8)
    assert saved_activations(layer, x) == (2, 3 * 8 * 4 + 4 * 8 * 4)
    assert saved_activations(layer, x, weights=layer.parameters()) == (1, 3 * 8 * 4)


def test_timing_summarises_with_median_and_quartiles():
    t = Timing.of([4.0, 1.0, 3.0, 2.0, 5.0])
    assert (t.median, t.q1, t.q3, t.min, t.max) == (3.0, 2.0, 4.0, 1.0, 5.0)
    assert Timing.of([2.0]) == Timing(2.0, 2.0, 2.0, 2.0, 2.0)


def test_stored_reports_load_label_and_plot(report, tmp_path):
    from actbook.bench import plots

    _, out = report
    (tmp_path / "not_a_report.json").write_text("{}")
    reports = plots.load_reports(out.parent)
    assert [r["source"] for r in reports] == ["tiny.json"]
    assert plots.load_reports(tmp_path) == []
    assert plots.label(reports[0]).startswith("CPU, ") and "float32" in plots.label(reports[0])
    table = plots.speedup_table(reports[0])
    assert set(table) == {"swiglu", "glu"} and table["glu"]["eager"] == 1.0
    assert "native" in table["glu"] and "silu_alone" in table["swiglu"]
    merged = plots.plot_speedups([reports[0], reports[0]])  # same label: one panel
    assert len(merged.axes) == 1
    sizes = plots.plot_sizes(reports)
    assert len(sizes.axes) == 2  # time and share of copy bandwidth
    assert "F.silu alone, fwd" in [t.get_text() for t in sizes.axes[1].get_legend().texts]
    # bars grow from the eager level, up for a speed-up and down for a slow-down
    bars = [b for b in merged.axes[0].patches]
    assert bars and all(b.get_y() == 1.0 for b in bars)
    assert {round(1 + b.get_height(), 9) for b in bars} <= {
        round(v, 9) for row in table.values() for v in row.values()}
    one_size = dict(reports[0])
    first = tuple(one_size["results"][0]["shape"])
    one_size["results"] = [r for r in one_size["results"] if tuple(r["shape"]) == first]
    assert len(plots.plot_sizes([one_size, reports[0]]).axes) == 2  # a single size: no row


def test_allocation_setting_names_the_allocator_environment():
    from actbook.bench import plots
    from actbook.bench.report import allocation_setting

    assert allocation_setting({"env": {}}) is None
    assert allocation_setting({"env": {"THP_MEM_ALLOC_ENABLE": "0"}}) is None
    assert allocation_setting({"env": {"THP_MEM_ALLOC_ENABLE": "1"}}) == "THP"
    assert allocation_setting({"env": {"MALLOC_MMAP_THRESHOLD_": "4294967296"}}) == "malloc reuse"
    assert allocation_setting({"env": {"MALLOC_TRIM_THRESHOLD_": "1"}}) == "malloc reuse"
    assert allocation_setting({"env": {}, "transparent_hugepage": "always"}) == "THP"
    assert allocation_setting({"env": {}, "transparent_hugepage": "madvise"}) is None
    machine = {"torch_threads": 2, "env": {"THP_MEM_ALLOC_ENABLE": "1"}}
    assert plots.label({"machine": machine, "settings": {"dtype": "float32"}}) == (
        "CPU, 2 threads, float32, THP"
    )


def test_targets_follow_the_device(report, capsys):
    from actbook.bench import targets

    cpu = json.loads(json.dumps(report[0]))
    checks = {t.what: t for t in targets.targets(cpu)}
    assert checks["saved tensors, fused SwiGLU"].met
    assert checks["saved tensors, eager SwiGLU"].met
    assert "fused forward time / F.silu(gate) time" in checks
    gpu = {**cpu, "settings": {**cpu["settings"], "device": "cuda"}}
    assert "fused forward / copy bandwidth" in {t.what for t in targets.targets(gpu)}
    no_swiglu = {**cpu, "results": [r for r in cpu["results"] if r["op"] != "swiglu"]}
    assert targets.targets(no_swiglu) == []
    assert not targets.Target("x", 1.0, ">=", 2.0).met and targets.Target("x", 2, "==", 2).met
    tiny = report[1].with_name("tiny.json")
    missed = [t for t in targets.targets(json.loads(tiny.read_text())) if not t.met]
    assert targets.main([str(tiny)]) == (1 if missed else 0)  # the exit status counts misses
    assert targets.main([str(tiny), str(tiny)]) == (1 if missed else 0)
    assert "saved tensors, fused SwiGLU: 2" in capsys.readouterr().out
    without = tiny.with_name("no_swiglu.json")
    without.write_text(json.dumps(no_swiglu))
    assert targets.main([str(without)]) == 1  # a report with nothing to check does not pass
    assert "no target applies" in capsys.readouterr().out


def test_device_diagnosis_script_runs_on_the_cpu(tmp_path):
    """benchmarks/gpu_diag.py is run on lent GPU machines, whose time is scarce: a dry run on
    the CPU catches a broken script before then. In a subprocess, because the script resets
    Dynamo (torch._inductor.utils.run_and_get_code does), which would drop the graphs that
    other tests share."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[1]
    out = tmp_path / "diag.json"
    argv = ["--device", "cpu", "--dtype", "float32", "--shape", "8x24", "--repeats", "2"]
    subprocess.run(
        [sys.executable, str(root / "benchmarks" / "gpu_diag.py"), *argv, "--out", str(out)],
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=300,
    )
    report = json.loads(out.read_text())
    assert report["settings"]["shape"] == [8, 24] and "cpu" in report["machine"]
    rows = {row["variant"]: row for row in report["variants"]}
    assert list(rows) == ["eager", "kernels", "static", "dynamic"]
    assert rows["eager"]["kernels"] == []
    for name in ("kernels", "static", "dynamic"):  # forward and backward kernels
        assert sum('extern "C"' in kernel for kernel in rows[name]["kernels"]) >= 2
    for row in rows.values():
        for pass_name in ("forward", "forward+backward"):
            assert 0 < row[pass_name]["min"] <= row[pass_name]["median"]


def test_sweep_gives_one_shape_per_power_of_two(tmp_path):
    assert [a * b for a, b in sweep_shapes(8, 26)] == [2**k for k in range(8, 27)]
    report = main(["--device", "cpu", "--sweep", "8:9", "--ops", "bilinear", "--variants",
                   "eager", "--repeats", "1", "--warmup", "0", "--no-progress"])
    assert [list(s) for s in report["settings"]["shapes"]] == [[1, 256], [1, 512]]
    with pytest.raises(SystemExit):
        main(["--sweep", "9:8"])


def test_block_command_times_each_way_and_writes_json(tmp_path):
    from actbook.bench import block

    report = block.run(8, 6, 8, ways=("eager", "fused"), repeats=2, warmup=1, progress=False)
    assert set(report["results"]) == {"eager", "fused"}
    assert report["results"]["eager"]["speedup_over_eager"] == 1.0
    assert report["config"]["d_ff"] == 8 and "torch" in json.dumps(report["machine"])
    out = tmp_path / "block.json"
    block.main(["--tokens", "4", "--d-model", "6", "--d-ff", "8", "--ways", "eager",
                "--repeats", "1", "--no-progress", "--out", str(out)])
    assert json.loads(out.read_text())["results"]["eager"]["median_s"] > 0
    with pytest.raises(SystemExit):
        block.main(["--ways", "eager,magic"])
