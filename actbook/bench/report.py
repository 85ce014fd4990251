"""A benchmark's results as a Markdown table, with the machine they were measured on, and
comparisons of stored reports (:func:`time_ratios`, :func:`copy_bandwidth_ratios`,
:func:`fresh_copy_shares`, :func:`gpu_diagnosis`).

:func:`describe_machine` and :func:`allocation_setting` live in :mod:`actbook.bench.machine` and
are importable from here too.
"""

from __future__ import annotations

import math
import re

from actbook.bench.machine import allocation_setting, describe_machine
from actbook.bench.ops import NO_NATIVE

__all__ = [
    "allocation_setting",
    "copy_bandwidth_ratios",
    "describe_machine",
    "fresh_copy_shares",
    "gpu_diagnosis",
    "markdown",
    "time_ratios",
]


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


def time_ratios(
    report: dict, baseline: dict, op: str = "swiglu"
) -> dict[tuple[tuple[int, ...], str, str], float]:
    """Each median time of ``op`` in ``report`` over the same measurement in ``baseline``.

    Two runs of one benchmark under different settings (an allocator setting against the
    default, say) compare measurement by measurement: same shape, variant and pass.

    Args:
        report: a report as ``python -m actbook.bench`` writes it.
        baseline: another report, the one whose times divide.
        op: the op whose rows are compared (default ``"swiglu"``).

    Returns:
        dict[tuple[tuple[int, ...], str, str], float]: keyed by (shape, variant, pass), for
        every measurement in both reports, ``report``'s median time over ``baseline``'s
        (below 1: faster than in the baseline).

    Examples::

        >>> row = {"op": "swiglu", "variant": "fused", "pass": "forward",
        ...        "shape": [4, 4]}
        >>> fast = {"results": [{**row, "median_s": 0.5}]}
        >>> slow = {"results": [{**row, "median_s": 2.0}]}
        >>> time_ratios(fast, slow)
        {((4, 4), 'fused', 'forward'): 0.25}
    """

    def medians(r: dict) -> dict[tuple[tuple[int, ...], str, str], float]:
        return {(tuple(row["shape"]), row["variant"], row["pass"]): row["median_s"]
                for row in r["results"] if row["op"] == op}

    ours, theirs = medians(report), medians(baseline)
    return {key: ours[key] / theirs[key] for key in ours if key in theirs}


def size_ratios(
    report: dict, variant: str = "fused", against: str = "eager"
) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """The median time of ``variant`` over that of ``against`` at each size, op and pass.

    Read from one report of ``python -m actbook.bench --sweep``: above 1, ``variant`` took
    longer than ``against``.

    Args:
        report: a report as ``python -m actbook.bench`` writes it.
        variant: the variant whose times are divided (default ``"fused"``).
        against: the variant whose times divide (default ``"eager"``).

    Returns:
        dict[tuple[str, str], list[tuple[int, float]]]: keyed by (op, pass), the pairs
        (elements of one input, ratio), by size, for every shape that has both variants.

    Examples::

        >>> rows = [{"op": "swiglu", "pass": "forward", "shape": [1, 256],
        ...          "variant": v, "median_s": t} for v, t in (("fused", 3.0), ("eager", 2.0))]
        >>> size_ratios({"results": rows})
        {('swiglu', 'forward'): [(256, 1.5)]}
    """
    times: dict[tuple[str, str, int], dict[str, float]] = {}
    for row in report["results"]:
        key = (row["op"], row["pass"], math.prod(row["shape"]))
        times.setdefault(key, {})[row["variant"]] = row["median_s"]
    ratios: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for (op, pass_name, size), by_variant in sorted(times.items()):
        if variant in by_variant and against in by_variant:
            ratios.setdefault((op, pass_name), []).append(
                (size, by_variant[variant] / by_variant[against])
            )
    return ratios


def worst_ratios(
    report: dict, variant: str = "fused", against: str = "eager"
) -> dict[tuple[str, str], tuple[int, float]]:
    """For each op and pass, the size at which ``variant`` fared worst against ``against``.

    Args:
        report: a report as ``python -m actbook.bench`` writes it.
        variant: the variant whose times are divided (default ``"fused"``).
        against: the variant whose times divide (default ``"eager"``).

    Returns:
        dict[tuple[str, str], tuple[int, float]]: keyed by (op, pass), the pair (elements,
        ratio) of :func:`size_ratios` with the largest ratio.

    Examples::

        >>> rows = [{"op": "glu", "pass": "forward", "shape": [n], "variant": v,
        ...          "median_s": t} for n, v, t in ((8, "fused", 3.0), (8, "eager", 1.0),
        ...                                         (64, "fused", 1.0), (64, "eager", 2.0))]
        >>> worst_ratios({"results": rows})
        {('glu', 'forward'): (8, 3.0)}
    """
    return {key: max(pairs, key=lambda pair: pair[1])
            for key, pairs in size_ratios(report, variant, against).items()}


def copy_bandwidth_ratios(report: dict) -> dict[tuple[int, ...], float]:
    """The copy bandwidth at each shape over the copy bandwidth at the largest shape.

    Small tensors are copied from the processor's caches, large ones from main memory, so a
    ratio above 1 shows the caches at work, and sets the scale of each size's "share of copy
    bandwidth".

    Args:
        report: a report as ``python -m actbook.bench`` writes it (its ``copy`` entries are
            read).

    Returns:
        dict[tuple[int, ...], float]: for each shape, ``dst.copy_(src)``'s bandwidth there
        over its bandwidth at the shape with the most elements (which maps to 1.0).

    Examples::

        >>> report = {"copy": [{"shape": [8, 4], "bandwidth_Bps": 2e10},
        ...                    {"shape": [2, 4], "bandwidth_Bps": 5e10}]}
        >>> copy_bandwidth_ratios(report)
        {(8, 4): 1.0, (2, 4): 2.5}
    """
    largest = max(report["copy"], key=lambda c: math.prod(c["shape"]))
    return {tuple(c["shape"]): c["bandwidth_Bps"] / largest["bandwidth_Bps"]
            for c in report["copy"]}


def fresh_copy_shares(report: dict) -> dict[tuple[int, ...], float]:
    """The bandwidth of a copy into new memory as a share of a copy into memory already held.

    ``src.clone()`` writes into a newly allocated tensor, ``dst.copy_(src)`` into one that
    exists; where new memory costs page faults the first is slower, and a share near 1 (or
    above, within noise) means that new tensors of that size cost no faults.

    Args:
        report: a report as ``python -m actbook.bench`` writes it (its ``copy`` entries are
            read).

    Returns:
        dict[tuple[int, ...], float]: for each shape, the fresh copy's bandwidth over the
        held copy's.

    Examples::

        >>> report = {"copy": [{"shape": [8, 4], "bandwidth_Bps": 2e10,
        ...                     "fresh_bandwidth_Bps": 5e9}]}
        >>> fresh_copy_shares(report)
        {(8, 4): 0.25}
    """
    return {tuple(c["shape"]): c["fresh_bandwidth_Bps"] / c["bandwidth_Bps"]
            for c in report["copy"]}


_DIAG_HEADER = re.compile(r"on one (?P<gpu>.+?) \(torch (?P<torch>\d+\.\d+\.\d+)")
_DIAG_COPY = re.compile(r"^copy (\d+\.\d+) ms", re.MULTILINE)
_DIAG_ROW = re.compile(
    r"^(\S.*?)\s{2,}(\d+\.\d+) ms back to back, (\d+\.\d+) ms one call", re.MULTILINE)


def gpu_diagnosis(text: str) -> dict:
    """The numbers of a report written by ``benchmarks/gpu_diag.py``.

    Its header names the GPU and PyTorch; a line ``copy <t> ms`` gives the time of one copy;
    each other line names a kernel, its mean time over calls launched back to back, and its
    time for one call after a synchronisation.

    Args:
        text: the report, as ``benchmarks/results/gpu_diag_h200.txt`` holds it.

    Returns:
        dict: ``"gpu"`` (str), ``"torch"`` (the version, str, without a local suffix),
        ``"copy_ms"`` (float) and ``"kernels"``, a dict from each kernel's name to its two
        times in milliseconds, ``(back_to_back, one_call)``.

    Raises:
        ValueError: if the header or the copy line is missing.

    Examples::

        >>> report = gpu_diagnosis(
        ...     "# python3 benchmarks/gpu_diag.py on one NVIDIA H200 "
        ...     "(torch 2.11.0+cu130)\\n"
        ...     "copy 0.113 ms (one input's size)\\n"
        ...     "eager F.silu*v    0.284 ms back to back, "
        ...     "0.298 ms one call after a sync\\n")
        >>> report["gpu"], report["torch"], report["copy_ms"], report["kernels"]
        ('NVIDIA H200', '2.11.0', 0.113, {'eager F.silu*v': (0.284, 0.298)})
    """
    header, copy = _DIAG_HEADER.search(text), _DIAG_COPY.search(text)
    if header is None or copy is None:
        raise ValueError("gpu_diagnosis: no 'on one <GPU> (torch <version>' header or copy line")
    kernels = {m[1].strip(): (float(m[2]), float(m[3])) for m in _DIAG_ROW.finditer(text)}
    return {"gpu": header["gpu"], "torch": header["torch"], "copy_ms": float(copy[1]),
            "kernels": kernels}
