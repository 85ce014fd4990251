"""A benchmark's results as a Markdown table, with the machine they were measured on.

:func:`describe_machine` and :func:`allocation_setting` live in :mod:`actbook.bench.machine` and
are importable from here too.
"""

from __future__ import annotations

from actbook.bench.machine import allocation_setting, describe_machine
from actbook.bench.ops import NO_NATIVE

__all__ = ["allocation_setting", "describe_machine", "markdown"]

def _cell(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def markdown(report: dict) -> str:
    """One table per shape: time, bandwidth, share of the copy bandwidth, speed-up, memory.

    Args:
        report: a report as ``python -m actbook.bench`` writes it: the result of
            :func:`actbook.bench.runner.run` with the key ``machine`` added
            (:func:`describe_machine`).

    Returns:
        str: Markdown ending in a newline: a title naming dtype, device and machine, a note
        on the settings, then per shape a heading, the copy bandwidths and the table, and at
        the end why ops without a ``native`` row have none.
    """
    m, s = report["machine"], report["settings"]
    where = m.get("gpu") or f"{m['cpu']}, {m['torch_threads']} threads"
    setting = allocation_setting(m)
    if setting:
        where += f", {setting}"
    lines = [
        f"# actbook.bench: {s['dtype']} on {s['device']} ({where})",
        "",
        f"torch {m['torch']}, kernels: {m['kernels']}; {s['repeats']} timed repeats after "
        f"{s['warmup']} warm-up calls; median time, interquartile range (IQR); bandwidth is the "
        "least traffic (inputs and outputs once) over the median time.",
    ]
    for copy in report["copy"]:
        shape = copy["shape"]
        lines += [
            "",
            f"## Inputs of shape {'×'.join(map(str, shape))}",
            "",
            f"Copy bandwidth (`dst.copy_(src)`, one input's size): "
            f"{copy['bandwidth_Bps'] / 1e9:.1f} GB/s; into newly allocated memory "
            f"(`src.clone()`): {copy['fresh_bandwidth_Bps'] / 1e9:.1f} GB/s.",
            "",
            "| op | variant | pass | median ms | IQR ms | GB/s | of copy | × eager "
            "| saved tensors | saved MiB |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in report["results"]:
            if r["shape"] != shape:
                continue
            lines.append(
                f"| {r['op']} | {r['variant']} | {r['pass']} | {r['median_s'] * 1e3:.3f} "
                f"| {(r['q3_s'] - r['q1_s']) * 1e3:.3f} | {r['bandwidth_Bps'] / 1e9:.1f} "
                f"| {r['copy_fraction']:.0%} | {_cell(r['speedup_vs_eager'], '.2f')} "
                f"| {r['saved_tensors']} | {r['saved_bytes'] / 2**20:.1f} |"
            )
    ops = {r["op"] for r in report["results"]}
    notes = [f"- {op}: {why}." for op, why in NO_NATIVE.items() if op in ops]
    if notes:
        lines += ["", "No `native` row where PyTorch has no single operator:", "", *notes]
    return "\n".join(lines) + "\n"
