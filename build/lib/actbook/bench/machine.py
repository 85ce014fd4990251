"""The machine a benchmark ran on: CPU, GPU, threads, library versions and memory settings.

What a reader needs to compare two runs; :mod:`actbook.bench.report` prints it with the results.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from importlib import metadata
from pathlib import Path

import torch

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
    """CPU, GPU, threads and library versions: what a reader needs to compare numbers.

    Args:
        device: the device the benchmark runs on, as :class:`torch.device` accepts it
            (``"cpu"``, ``"cuda"``, ``"cuda:1"``); for a CUDA device its name, memory and the
            CUDA version are added.

    Returns:
        dict: JSON-serialisable entries: ``cpu``, ``cpu_count``, ``torch_threads``,
        ``platform``, ``python``, ``torch``, ``triton`` (``None`` if not installed), ``date``
        (UTC, ISO 8601), ``env`` (the environment variables that change the numbers, those
        set), ``transparent_hugepage`` (the system's mode, where the kernel reports one),
        ``gpu``, ``gpu_memory_GiB`` and ``cuda`` (CUDA devices only), and ``kernels``
        (``"torch.compile"`` or the reason for the eager fallback).
    """
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

    Args:
        machine: a machine description as :func:`describe_machine` returns it (the ``env``
            and ``transparent_hugepage`` entries are read; absent ones count as unset).

    Returns:
        str | None: ``"THP"``, ``"malloc reuse"``, or ``None`` for glibc's default.
    """
    env = machine.get("env", {})
    if env.get("THP_MEM_ALLOC_ENABLE") == "1" or machine.get("transparent_hugepage") == "always":
        return "THP"
    if {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"} & set(env):
        return "malloc reuse"
    return None
