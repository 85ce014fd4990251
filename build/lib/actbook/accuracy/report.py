"""Render a :class:`~actbook.accuracy.sweep.SweepResult` as JSON and Markdown (or HTML) tables,
and the special-value contract as a table.

The table functions return Markdown by default and an HTML ``<table>`` with ``fmt="html"``, for
notebook outputs, which myst-nb renders as CommonMark (without tables)."""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from actbook.accuracy.compare import never_worse
from actbook.accuracy.contract import CONTRACT, Departure
from actbook.accuracy.harness import ErrorSummary
from actbook.accuracy.sweep import SweepResult
from actbook.text import minus, percent


def format_ulp(error: float) -> str:
    """An ulp error with 3 significant digits; ∞ for inf.

    Args:
        error: an error in ulps.

    Returns:
        A string: the error to 3 significant digits, ``"∞"`` for inf, ``"NaN"`` for NaN.
    """
    if math.isnan(error):
        return "NaN"
    return "∞" if math.isinf(error) else f"{error:.3g}"


def format_number(x: float, digits: int = 6) -> str:
    """A float with ``digits`` significant digits, −0 and ±∞ spelled out.

    Args:
        x: the number.
        digits: how many significant digits. Default: ``6``.

    Returns:
        A string, with the minus sign U+2212 for negative numbers (``"−0"``, ``"−∞"``) and
        ``"NaN"`` for NaN.
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "−0" if math.copysign(1.0, x) < 0 else "0"
    return minus(f"{x:.{digits}g}")


def _worst(s: ErrorSummary) -> str:
    x = format_number(s.worst_input)
    return x if s.worst_value is None else f"{x} (v = {format_number(s.worst_value)})"


def _verdict(s: ErrorSummary) -> str:
    if s.passes:
        return "✓"
    problems = [
        f"{s.bound_violations} over bound" if s.bound_violations else "",
        f"{s.nonfinite_outputs} non-finite" if s.nonfinite_outputs else "",
        f"{s.wrong_zeros} wrong zeros" if s.wrong_zeros else "",
        f"{s.nonfinite_gradients} bad gradients" if s.nonfinite_gradients else "",
        f"{percent(s.correctly_rounded, decimals=2)} rounded" if not (
            s.bound_violations or s.nonfinite_outputs or s.wrong_zeros
            or s.nonfinite_gradients) else "",
    ]
    return "✗ " + ", ".join(p for p in problems if p)


def _table(header: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "html":
        def cells(tag: str, row: list[str]) -> str:
            return "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row)

        body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
        return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"
    if fmt != "markdown":
        raise ValueError(f"fmt must be 'markdown' or 'html', got {fmt!r}")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def comparison_table(result: SweepResult, dtype: str, fmt: str = "markdown") -> str:
    """actbook against PyTorch for one dtype: max ulp, worst input, share correctly rounded,
    whether actbook meets its bounds and whether it is never worse than PyTorch.

    Args:
        result: the sweep.
        dtype: the dtype's name (``"float32"``).
        fmt: ``"markdown"`` or ``"html"``. Default: ``"markdown"``.

    Returns:
        A string: the table, one row per activation measured for actbook in ``dtype``, with
        ``—`` where PyTorch has no function.

    Raises:
        ValueError: if ``fmt`` is neither ``"markdown"`` nor ``"html"``.
    """
    header = ["activation", "actbook max ulp", "PyTorch max ulp", "actbook worst x",
              "PyTorch worst x", "actbook rounded", "PyTorch rounded", "actbook bounds",
              "never worse"]
    rows = []
    for s in result.summaries:
        if s.implementation != "actbook" or s.dtype != dtype:
            continue
        t = result.summary("torch", s.activation, dtype)
        rows.append([
            s.activation, format_ulp(s.max_ulp),
            format_ulp(t.max_ulp) if t else "—",
            _worst(s), _worst(t) if t else "—",
            percent(s.correctly_rounded, decimals=2),
            percent(t.correctly_rounded, decimals=2) if t else "—",
            _verdict(s),
            ("✓" if never_worse(s, t) else "✗") if t else "—",
        ])
    return _table(header, rows, fmt)


def compiled_table(result: SweepResult, fmt: str = "markdown") -> str:
    """Compiled against eager, with the k× rule and the share of changed results.

    Args:
        result: the sweep.
        fmt: ``"markdown"`` or ``"html"``. Default: ``"markdown"``.

    Returns:
        A string: the table, one row per :class:`~actbook.accuracy.compare.CompiledComparison`
        of ``result``.

    Raises:
        ValueError: if ``fmt`` is neither ``"markdown"`` nor ``"html"``.
    """
    header = ["implementation", "activation", "dtype", "eager max ulp", "compiled max ulp",
              "compiled worst x", f"within k{chr(0x00D7)} eager + s", "results changed"]
    rows = [[c.implementation, c.activation, c.dtype, format_ulp(c.eager_max_ulp),
             format_ulp(c.compiled_max_ulp), format_number(c.worst_input),
             ("✓" if c.within_rule else "✗") + f" (k = {c.multiplier:g}, s = {c.slack:g})",
             percent(c.changed, decimals=2)] for c in result.compiled]
    return _table(header, rows, fmt)


def departures_table(departures: list[Departure], fmt: str = "markdown") -> str:
    """Departures from the special-value contract (values to 10 digits, so that a departure
    in the last bits of a float64 result shows).

    Args:
        departures: the departures, as :func:`~actbook.accuracy.contract.check_contract`
            returns them.
        fmt: ``"markdown"`` or ``"html"``. Default: ``"markdown"``.

    Returns:
        A string: the table, one row per departure.

    Raises:
        ValueError: if ``fmt`` is neither ``"markdown"`` nor ``"html"``.
    """
    header = ["activation", "dtype", "x", "of", "contract", "got"]
    rows = [[d.activation, d.dtype, format_number(d.x), d.what, format_number(d.expected, 10),
             format_number(d.got, 10)] for d in departures]
    return _table(header, rows, fmt)


def contract_table(fmt: str = "markdown") -> str:
    """The special-value contract, one row per activation: f at −∞, −0, +0, +∞ and NaN,
    f′ at −∞, 0 and +∞, and the kinks away from 0 as x: f, f′.

    Args:
        fmt: ``"markdown"`` or ``"html"``. Default: ``"markdown"``.

    Returns:
        A string: the table of :data:`~actbook.accuracy.contract.CONTRACT`; a zero marked
        ``(±)`` may have either sign.

    Raises:
        ValueError: if ``fmt`` is neither ``"markdown"`` nor ``"html"``.
    """
    header = ["activation", "f(−∞)", "f(−0)", "f(+0)", "f(+∞)", "f(NaN)", "f′(−∞)", "f′(±0)",
              "f′(+∞)", "kinks x: f, f′"]
    rows = []
    for name in dict.fromkeys(r.activation for r in CONTRACT):
        by_x = {(r.x, math.copysign(1.0, r.x)): r for r in CONTRACT
                if r.activation == name and not math.isnan(r.x)}
        nan_row = next(r for r in CONTRACT if r.activation == name and math.isnan(r.x))
        minf, mzero = by_x[(-math.inf, -1.0)], by_x[(-0.0, -1.0)]
        pzero, pinf = by_x[(0.0, 1.0)], by_x[(math.inf, 1.0)]
        kinks = [r for r in by_x.values() if math.isfinite(r.x) and r.x != 0]
        zero_sign = "" if mzero.signed_zero or mzero.value != 0 else " (±)"
        rows.append([
            name, format_number(minf.value), format_number(mzero.value) + zero_sign,
            format_number(pzero.value) + zero_sign, format_number(pinf.value),
            format_number(nan_row.value), format_number(minf.derivative),
            format_number(pzero.derivative), format_number(pinf.derivative),
            "; ".join(f"{format_number(k.x)}: {format_number(k.value)}, "
                      f"{format_number(k.derivative)}" for k in kinks) or "—",
        ])
    return _table(header, rows, fmt)


def markdown_report(result: SweepResult) -> str:
    """The whole report as Markdown.

    Args:
        result: the sweep.

    Returns:
        A string: a Markdown document with a comparison table per dtype, the compiled
        comparisons (if any), the contract and each implementation's departures from it.
    """
    dtypes = list(dict.fromkeys(s.dtype for s in result.summaries))
    parts = [f"# actbook accuracy report (PyTorch {torch.__version__})", "",
             "Errors in ulp of each dtype against mpmath (float64) or float64 references, "
             "over finite inputs whose true result is a normal number. "
             "'rounded': share of correctly rounded results. "
             "'never worse': actbook's max error, rounded up to whole ulps, at most PyTorch's.",
             ""]
    for dtype in dtypes:
        parts += [f"## {dtype}", "", comparison_table(result, dtype), ""]
    if result.compiled:
        parts += ["## torch.compile against eager", "", compiled_table(result), ""]
    parts += ["## Special-value contract", "", contract_table(), ""]
    for implementation, departures in result.departures.items():
        parts += [f"### Departures of {implementation} from the contract", ""]
        parts += [departures_table(departures) if departures else "None.", ""]
    return "\n".join(parts)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def json_report(result: SweepResult) -> dict[str, Any]:
    """The whole result as JSON-ready data (inf and NaN as the strings "inf", "nan").

    Args:
        result: the sweep.

    Returns:
        A dict with the keys ``torch_version``, ``size``, ``summaries`` (each with
        ``passes``), ``never_worse``, ``compiled`` (each with ``within_rule``) and
        ``departures``.
    """
    pairs = []
    for s in result.summaries:
        t = result.summary("torch", s.activation, s.dtype)
        if s.implementation == "actbook" and t is not None:
            pairs.append({"activation": s.activation, "dtype": s.dtype,
                          "actbook_max_ulp": s.max_ulp, "torch_max_ulp": t.max_ulp,
                          "never_worse": never_worse(s, t)})
    return _json_safe({
        "torch_version": torch.__version__,
        "size": asdict(result.size),
        "summaries": [asdict(s) | {"passes": s.passes} for s in result.summaries],
        "never_worse": pairs,
        "compiled": [asdict(c) | {"within_rule": c.within_rule} for c in result.compiled],
        "departures": {k: [asdict(d) for d in v] for k, v in result.departures.items()},
    })


def write_report(result: SweepResult, out: Path) -> tuple[Path, Path]:
    """Write ``accuracy_report.json`` and ``accuracy_report.md`` into the folder ``out``.

    Args:
        result: the sweep.
        out: the folder, created if missing; existing reports in it are overwritten.

    Returns:
        The paths ``(json_path, md_path)`` of the two files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "accuracy_report.json", out / "accuracy_report.md"
    json_path.write_text(json.dumps(json_report(result), indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown_report(result), encoding="utf-8")
    return json_path, md_path
