"""The command line and the JSON/Markdown report of the accuracy sweep."""

from __future__ import annotations

import json
import math

import pytest
import torch

from actbook.accuracy import CONTRACT, __main__, harness, implementations, report, sweep

TINY = sweep.SweepSize(2**8, 4, 16, 20, 2, 4, 2**8, 2**8)


@pytest.fixture(scope="module")
def result() -> sweep.SweepResult:
    return sweep.run_sweep(["gelu", "swiglu", "gelu_sigmoid"],
                           [torch.float32, torch.bfloat16], TINY)


def _torch_gelu_nonfinite(dtype: torch.dtype, size: sweep.SweepSize) -> bool:
    """Whether PyTorch's GELU, observed here, returns NaN or ±inf at a finite input of the
    sweep (where the true value is finite: |GELU(x)| ≤ |x|) on either of the two code paths
    the harness runs."""
    (x,) = sweep.operands("gelu", dtype, size)
    outputs = harness.on_both_paths(implementations.TORCH_ELEMENTWISE["gelu"], (x,))
    return any((~out.isfinite() & x.isfinite()).any().item() for out in outputs)


def test_cli_writes_json_and_markdown(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(__main__, "FULL", TINY)
    assert __main__.main(["--out", str(tmp_path), "--dtypes", "bfloat16,float64",
                          "--activations", "gelu,geglu_tanh"]) == 0
    data = json.loads((tmp_path / "accuracy_report.json").read_text(encoding="utf-8"))
    rows = {(s["implementation"], s["activation"], s["dtype"]) for s in data["summaries"]}
    assert ("torch", "geglu_tanh", "float64") in rows and len(rows) == 8
    gelu = next(s for s in data["summaries"]
                if (s["implementation"], s["activation"], s["dtype"]) == ("torch", "gelu",
                                                                           "bfloat16"))
    # PyTorch's bf16 GELU gives NaN near 1.7e38 with AVX-512 only: the report says "inf"
    # (as text) exactly where PyTorch, observed here, returns a non-finite value.
    observed_nonfinite = _torch_gelu_nonfinite(torch.bfloat16, TINY)
    assert (gelu["max_ulp"] == "inf") is observed_nonfinite
    assert gelu["nonfinite_outputs"] > 0 if observed_nonfinite else isinstance(gelu["max_ulp"],
                                                                               float)
    markdown = (tmp_path / "accuracy_report.md").read_text(encoding="utf-8")
    assert "## bfloat16" in markdown and "## float64" in markdown
    assert "accuracy_report.md" in capsys.readouterr().out


def test_cli_rejects_unknown_names(capsys):
    with pytest.raises(SystemExit):
        __main__.main(["--activations", "gelu,not_an_activation"])
    assert "not_an_activation" in capsys.readouterr().err


def test_comparison_table_has_one_row_per_activation(result):
    table = report.comparison_table(result, "float32").splitlines()
    assert len(table) == 2 + 3
    gelu_sigmoid = next(r for r in table if r.startswith("| gelu_sigmoid"))
    assert "| — |" in gelu_sigmoid  # no PyTorch counterpart
    gelu = next(r for r in table if r.startswith("| gelu ")).split(" | ")
    torch_max_ulp = gelu[2]  # the columns: activation, actbook max ulp, PyTorch max ulp, ...
    assert (torch_max_ulp == "∞") is _torch_gelu_nonfinite(torch.float32, TINY)
    assert torch_max_ulp == "∞" or float(torch_max_ulp) > 0


def test_markdown_report_sections(result):
    text = report.markdown_report(result)
    for heading in ("## float32", "## bfloat16", "## Special-value contract",
                    "### Departures of torch from the contract"):
        assert heading in text
    assert "torch.compile" not in text  # not requested


def test_contract_table_renders_every_activation_once():
    lines = report.contract_table().splitlines()
    names = list(dict.fromkeys(r.activation for r in CONTRACT))
    assert len(lines) == 2 + len(names)
    hardswish = next(line for line in lines if line.startswith("| hardswish"))
    assert "−3: 0, 0; 3: 3, 1" in hardswish and "| −0 |" in hardswish


def test_number_formatting():
    assert [report.format_number(v) for v in (-0.0, 0.0, math.inf, -math.inf, math.nan,
                                              -1.5e-7)] == ["−0", "0", "∞", "−∞", "NaN",
                                                            "−1.5e−07"]
    assert report.format_ulp(1.68e7) == "1.68e+07" and report.format_ulp(math.inf) == "∞"


def test_json_report_is_strict_json(result):
    text = json.dumps(report.json_report(result), allow_nan=False)
    assert '"never_worse"' in text


def test_html_tables(result):
    table = report.comparison_table(result, "bfloat16", fmt="html")
    assert table.startswith("<table>") and table.count("<tr>") == 1 + 3
    assert "<th>actbook max ulp</th>" in table and "&lt;" not in report.contract_table("html")
    with pytest.raises(ValueError):
        report.contract_table("latex")


def test_gelu_tail_figure():
    from actbook.accuracy import figures

    tail = figures.gelu_tail(-13.0, -1.0, 301)
    assert (tail.actbook_ulp <= tail.bound_ulp).all()  # actbook within its bound
    assert (tail.torch == 0).any() and tail.torch_ulp.max() > 1e6  # PyTorch's collapse
    fig = figures.plot_gelu_tail(tail)
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert all(ax.get_legend() is not None for ax in axes)
