"""The machine a benchmark ran on, and its results as a Markdown table."""

from __future__ import annotations

import datetime
import os
import platform
import re
from importlib import metadata
from pathlib import Path

import torch

from actbook.bench.ops import NO_NATIVE
from actbook.kernels import fallback_reason

#: Environment variables that change the numbers: PyTorch's CPU allocator (transparent huge
#: pages), glibc's malloc (which sizes it maps afresh, and when it returns memory), threads.
_ENV = (
    "THP_MEM_ALLOC_ENABLE",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "OMP_NUM_THREADS",
    "LD_PRELOAD",
    "CUDA_VISIBLE_DEVICES",
)
_THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe_machine(device: str) -> dict:
    """CPU, GPU, threads and library versions: what a reader needs to compare numbers."""
    machine = {
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "triton": _version("triton"),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "env": {k: os.environ[k] for k in _ENV if k in os.environ},
    }
    chosen = re.search(r"\[(\w+)\]", _THP_SETTING.read_text()) if _THP_SETTING.exists() else None
    if chosen:  # the system's mode is bracketed: "always [madvise] never"
        machine["transparent_hugepage"] = chosen[1]
    if torch.device(device).type == "cuda":
        index = torch.device(device).index or 0
        machine["gpu"] = torch.cuda.get_device_name(index)
        machine["gpu_memory_GiB"] = round(
            torch.cuda.get_device_properties(index).total_memory / 2**30, 1
        )
        machine["cuda"] = torch.version.cuda
    machine["kernels"] = (
        "torch.compile" if fallback_reason() is None else (f"eager fallback ({fallback_reason()})")
    )
    return machine


def allocation_setting(machine: dict) -> str | None:
    """How large CPU tensors got their memory, if not glibc's default (fresh pages each time).

    ``"THP"``: transparent huge pages, from PyTorch's ``THP_MEM_ALLOC_ENABLE=1`` or the system's
    ``always`` mode, so one 2 MiB page fault where there were 512 of 4 KiB. ``"malloc reuse"``:
    glibc's ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` set, which (raised, as in
    the stored reports) makes it keep freed memory and hand it out again without faults, as a
    GPU's caching allocator does.
    """
    env = machine.get("env", {})
    if env.get("THP_MEM_ALLOC_ENABLE") == "1" or machine.get("transparent_hugepage") == "always":
        return "THP"
    if {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"} & set(env):
        return "malloc reuse"
    return None


def _cell(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def markdown(report: dict) -> str:
    """One table per shape: time, bandwidth, share of the copy bandwidth, speed-up, memory."""
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
