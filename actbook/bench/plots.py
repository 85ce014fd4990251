"""Figures of stored benchmark reports: speed-up per op, and bandwidth against size.

:func:`load_reports` reads every JSON report of a folder (``benchmarks/results/``), so a report
added later (another machine, a GPU) appears in the figures without code changes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from actbook.bench.machine import allocation_setting
from actbook.bench.report import size_ratios
from actbook.plotting import OKABE_ITO

#: One colour per variant, the same in every figure.
VARIANT_COLORS = {
    "eager": OKABE_ITO["vermillion"],
    "native": OKABE_ITO["sky blue"],
    "fused": OKABE_ITO["bluish green"],
    "actbook": OKABE_ITO["reddish purple"],
    "silu_alone": OKABE_ITO["black"],
}
#: How a variant is named in a legend (the identifier where it reads well).
VARIANT_LABELS = {"silu_alone": "F.silu alone"}


_SPEEDUP_TICKS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
_ITEMSIZE = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}


def load_reports(folder: Path | str) -> list[dict]:
    """Every report ``python -m actbook.bench`` wrote into ``folder``, sorted by file name.

    Args:
        folder: the folder to read; only its own ``*.json`` files are read, and those without
            the keys of a report (``machine``, ``settings``, ``results``, ``copy``) are
            skipped.

    Returns:
        list[dict]: the reports, each with the added key ``source``, its file name.
    """
    reports = []
    for path in sorted(Path(folder).glob("*.json")):
        report = json.loads(path.read_text())
        if {"machine", "settings", "results", "copy"} <= set(report):
            reports.append({**report, "source": path.name})
    return reports


def label(report: dict) -> str:
    """A short name for the machine and dtype of a report.

    Args:
        report: a report as :func:`load_reports` returns it.

    Returns:
        str: the GPU's name or ``"CPU, n threads"``, the dtype, and the allocation setting of
        :func:`actbook.bench.machine.allocation_setting` if there is one, joined by commas.
    """
    m, s = report["machine"], report["settings"]
    threads = m["torch_threads"]
    where = m.get("gpu") or f"CPU, {threads} thread{'s' if threads > 1 else ''}"
    setting = allocation_setting(m)
    return f"{where}, {s['dtype']}" + (f", {setting}" if setting else "")


def _largest(report: dict, op: str) -> list[int]:
    return max((r["shape"] for r in report["results"] if r["op"] == op), key=math.prod)


def speedup_table(report: dict, pass_name: str = "forward+backward") -> dict[str, dict]:
    """``{op: {variant: speed-up over eager}}`` at each op's largest shape.

    Args:
        report: a report as :func:`load_reports` returns it.
        pass_name: ``"forward"`` or ``"forward+backward"`` (the default).

    Returns:
        dict[str, dict]: for each op, the speed-up of each variant measured for it (eager
        time over the variant's time; ``None`` in a run without the eager variant).
    """
    table: dict[str, dict] = {}
    for r in report["results"]:
        if r["pass"] == pass_name and r["shape"] == _largest(report, r["op"]):
            table.setdefault(r["op"], {})[r["variant"]] = r["speedup_vs_eager"]
    return table


def plot_speedups(reports: list[dict], pass_name: str = "forward+backward") -> Figure:
    """Speed-up over eager of each op's variants, as bars on a log scale.

    Reports with the same :func:`label` (one machine, dtype and settings, for example SwiGLU
    and the other ops measured in two runs) share a panel. ``silu_alone`` is left out: it
    computes less than the op.

    Args:
        reports: reports as :func:`load_reports` returns them.
        pass_name: ``"forward"`` or ``"forward+backward"`` (the default).

    Returns:
        matplotlib.figure.Figure: a new figure, one panel per label, one group of bars per op
        and one bar colour per variant (:data:`VARIANT_COLORS`).
    """
    panels: dict[str, dict[str, dict]] = {}
    for report in reports:
        panels.setdefault(label(report), {}).update(speedup_table(report, pass_name))
    fig = Figure(figsize=(7.0, 2.6 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (title, table) in zip(axes, panels.items(), strict=True):
        ops = list(table)
        variants = [
            v for v in VARIANT_COLORS if v != "silu_alone" and any(v in table[op] for op in ops)
        ]
        width = 0.8 / len(variants)
        for i, variant in enumerate(variants):
            offset = (i - (len(variants) - 1) / 2) * width
            present = [(k, table[op][variant]) for k, op in enumerate(ops) if variant in table[op]]
            xs, ys = zip(*present, strict=True)
            # from the eager level 1 up or down: on a log axis a bar from any other base
            # would make its length mean nothing
            ax.bar([x + offset for x in xs], [y - 1 for y in ys], width, bottom=1.0,
                   color=VARIANT_COLORS[variant], label=VARIANT_LABELS.get(variant, variant))
        ax.axhline(1.0, color="0.3", linewidth=0.8)
        ax.set_yscale("log")
        values = [x for row in table.values() for x in row.values()]
        ax.set_ylim(min(0.5, 0.7 * min(values)), 1.5 * max(values))
        ax.yaxis.set_major_locator(FixedLocator(_SPEEDUP_TICKS))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(range(len(ops)), ops, rotation=20)
        ax.set_xlim(-0.75, len(ops) - 0.25)
        ax.set_ylabel("speed-up over eager")
        ax.set_title(f"{title}: {pass_name}", fontsize="medium")
        ax.legend(ncol=len(variants), fontsize="small", loc="upper left")
    return fig


def plot_sizes(reports: list[dict], op: str = "swiglu") -> Figure:
    """Median time and effective bandwidth (as a share of the copy bandwidth) against the size
    of one input.

    One row per report that measured ``op`` at two sizes or more: time on the left (log-log),
    share of copy bandwidth on the right; solid lines forward, dashed forward+backward.

    Args:
        reports: reports as :func:`load_reports` returns them; those without ``op``, or with
            it at one size only, are skipped.
        op: the op to draw (default ``"swiglu"``).

    Returns:
        matplotlib.figure.Figure: a new figure of two panels per report, one line per variant
        and pass.
    """
    reports = [r for r in reports
               if len({tuple(row["shape"]) for row in r["results"] if row["op"] == op}) > 1]
    fig = Figure(figsize=(8.0, 2.8 * len(reports)), layout="constrained")
    axes = fig.subplots(len(reports), 2, squeeze=False)
    for (ax_time, ax_share), report in zip(axes, reports, strict=True):
        rows = [r for r in report["results"] if r["op"] == op]
        element = _ITEMSIZE[report["settings"]["dtype"]]
        for variant in [v for v in VARIANT_COLORS if any(r["variant"] == v for r in rows)]:
            for pass_name, style in (("forward", "-"), ("forward+backward", "--")):
                points = sorted(
                    (math.prod(r["shape"]), r["median_s"], r["copy_fraction"])
                    for r in rows
                    if r["variant"] == variant and r["pass"] == pass_name
                )
                sizes, seconds, fractions = np.array(points).T
                mib = sizes * element / 2**20
                name = (f"{VARIANT_LABELS.get(variant, variant)}, "
                        f"{'fwd' if pass_name == 'forward' else 'fwd+bwd'}")
                color = VARIANT_COLORS[variant]
                ax_time.plot(mib, seconds * 1e3, style, marker="o", color=color, label=name)
                ax_share.plot(mib, fractions, style, marker="o", color=color)
        ax_time.set(xscale="log", yscale="log", ylabel="median time (ms)")
        ax_share.axhline(1.0, color="0.3", linewidth=0.8)
        ax_share.set(xscale="log", ylabel="share of copy bandwidth")
        for ax in (ax_time, ax_share):
            ax.set_xlabel("size of one input (MiB)")
        ax_time.set_title(f"{label(report)}: {op}", fontsize="medium", loc="left")
        ax_share.legend(
            *ax_time.get_legend_handles_labels(),
            fontsize="x-small",
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
    return fig


def plot_size_ratios(reports: list[dict], against: str = "eager", variant: str = "fused",
                     bound: float = 1.05) -> Figure:
    """Time of ``variant`` over time of ``against`` against input size, one line per op.

    For reports of ``python -m actbook.bench --sweep``: one row of panels per report, the
    forward pass on the left and forward+backward on the right; below the line at 1
    ``variant`` is faster, and a dotted line marks ``bound``.

    Args:
        reports: reports as :func:`load_reports` returns them, each with ``variant`` and
            ``against`` at two sizes or more.
        against: the variant whose times divide (default ``"eager"``).
        variant: the variant whose times are divided (default ``"fused"``).
        bound: the ratio to mark (default 1.05).

    Returns:
        matplotlib.figure.Figure: a new figure of two log-log panels per report.

    Examples::

        >>> report = {"settings": {"device": "cpu", "dtype": "float32"},
        ...           "machine": {"torch_threads": 2}, "results": [
        ...     {"op": "glu", "pass": p, "shape": [n], "variant": v, "median_s": 1.0}
        ...     for p in ("forward", "forward+backward") for n in (8, 64)
        ...     for v in ("fused", "eager")]}
        >>> len(plot_size_ratios([report]).axes)
        2
    """
    fig = Figure(figsize=(8.0, 2.9 * len(reports)), layout="constrained")
    axes = fig.subplots(len(reports), 2, squeeze=False, sharey="row")
    colors = list(OKABE_ITO.values())
    for row, report in zip(axes, reports, strict=True):
        ratios = size_ratios(report, variant, against)
        ops = list(dict.fromkeys(op for op, _ in ratios))
        for ax, pass_name in zip(row, ("forward", "forward+backward"), strict=True):
            for k, op in enumerate(ops):
                sizes, values = np.array(ratios[op, pass_name]).T
                ax.plot(sizes, values, marker=".", color=colors[k % len(colors)],
                        linestyle="-" if k < len(colors) else "--", label=op)
            ax.axhline(1.0, color="0.3", linewidth=0.8)
            ax.axhline(bound, color="0.3", linewidth=0.8, linestyle=":")
            ax.set(xscale="log", yscale="log", xlabel="elements of one input")
            ax.set_xscale("log", base=2)
            ax.set_title(f"{label(report)}: {pass_name}", fontsize="medium", loc="left")
        row[0].set_ylabel(f"time {variant} / time {against}")
        row[1].legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
