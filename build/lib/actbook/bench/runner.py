"""Run the benchmark: every op, variant and pass, timed round-robin on one device.

Variants of one op are timed in turn, one call each per round, so that the noise of a shared
machine spreads evenly over them instead of penalising whichever ran during a busy second.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import torch
from torch import Tensor
from tqdm import tqdm

from actbook.bench.measure import (
    Timing,
    copy_bandwidth,
    fresh_copy_bandwidth,
    saved_activations,
    time_once,
    warm_up,
)
from actbook.bench.ops import OPS, VARIANTS, Op, Variant

#: The passes timed: the forward pass alone, and forward and backward.
PASSES = ("forward", "forward+backward")


@dataclass(frozen=True)
class Settings:
    """What to measure: device, dtype, shapes of each input, ops, variants, repeats.

    Args:
        device: the device to run on (default ``"cpu"``).
        dtype: the name of a floating-point ``torch`` dtype (default ``"float32"``).
        shapes: the shape of each input of an op, one run per shape (default 8192×4096).
        ops: names of :data:`~actbook.bench.ops.OPS` to measure (default all).
        variants: names of :data:`~actbook.bench.ops.VARIANTS` to measure where an op has
            them (default all).
        repeats: the number of timed rounds per op and pass (default 10).
        warmup: the least number of untimed calls of each variant and pass first (default 3).
        seed: the seed of :func:`torch.manual_seed`, set before the inputs are drawn
            (default 0).
    """

    device: str = "cpu"
    dtype: str = "float32"
    shapes: tuple[tuple[int, ...], ...] = ((8192, 4096),)
    ops: tuple[str, ...] = tuple(OPS)
    variants: tuple[str, ...] = VARIANTS
    repeats: int = 10
    warmup: int = 3
    seed: int = 0


def _forward(variant: Variant, args: Sequence[Tensor]) -> Callable[[], Tensor]:
    def call() -> Tensor:
        with torch.no_grad():
            return variant.fn(*args)

    return call


def _forward_backward(variant: Variant, args: Sequence[Tensor]) -> Callable[[], tuple]:
    leaves = [a.detach().requires_grad_(True) for a in args]
    with torch.no_grad():
        grad = torch.randn_like(variant.fn(*args))

    def call() -> tuple:
        return torch.autograd.grad(variant.fn(*leaves), leaves, grad)

    return call


def _ideal_bytes(args: Sequence[Tensor], out: Tensor) -> dict[str, int]:
    """The least memory traffic: read inputs, write the output; backward reads the output
    gradient and the inputs again and writes one gradient per input."""
    inputs = sum(a.nbytes for a in args)
    forward = inputs + out.nbytes
    return {"forward": forward, "forward+backward": forward + out.nbytes + 2 * inputs}


def _measure_op(op: Op, shape, settings: Settings, progress) -> list[dict]:
    device, dtype = torch.device(settings.device), getattr(torch, settings.dtype)
    inputs = [torch.randn(shape, device=device).to(dtype) for _ in range(op.arity)]
    variants = [v for v in op.variants if v.name in settings.variants]
    arranged = {v.name: v.arrange(*inputs) for v in variants}
    static = {}
    for v in variants:
        with torch.no_grad():
            out = v.fn(*arranged[v.name])
        count, nbytes = saved_activations(v.fn, *arranged[v.name])
        static[v.name] = (_ideal_bytes(arranged[v.name], out), count, nbytes)
        del out
    rows = []
    for pass_name in PASSES:
        make = _forward if pass_name == "forward" else _forward_backward
        calls = {v.name: make(v, arranged[v.name]) for v in variants}
        for call in calls.values():
            warm_up(call, settings.warmup)
        seconds: dict[str, list[float]] = {name: [] for name in calls}
        progress.set_description(f"{op.name} {pass_name} {'x'.join(map(str, shape))}")
        for _ in range(settings.repeats):
            for name, call in calls.items():
                seconds[name].append(time_once(call, device))
            progress.update(1)
        for v in variants:
            ideal_bytes, count, nbytes = static[v.name]
            rows.append(
                {
                    "op": op.name,
                    "variant": v.name,
                    "code": v.code,
                    "shape": list(shape),
                    "pass": pass_name,
                    **{f"{k}_s": t for k, t in asdict(Timing.of(seconds[v.name])).items()},
                    "bytes": ideal_bytes[pass_name],
                    "saved_tensors": count,
                    "saved_bytes": nbytes,
                }
            )
    return rows


def run(settings: Settings, progress: bool = True) -> dict:
    """Measure everything ``settings`` asks for; returns the rows and copy baselines.

    Args:
        settings: what to measure.
        progress: show a progress bar, one step per round (default ``True``).

    Returns:
        dict: ``settings`` (as a dict), ``copy`` (per shape: ``shape``, ``median_s`` of a
        copy, ``bandwidth_Bps`` and ``fresh_bandwidth_Bps``) and ``results`` (one row per
        op, variant, shape and pass: the :class:`Timing` fields with the suffix ``_s``, the
        least bytes moved, the saved tensors and their bytes, ``bandwidth_Bps``,
        ``copy_fraction`` and ``speedup_vs_eager``, ``None`` without an eager row).

    Raises:
        ValueError: if ``settings`` names an unknown op or variant.
    """
    unknown = sorted(set(settings.ops) - set(OPS))
    if unknown:
        raise ValueError(f"unknown ops {unknown}; choose from {sorted(OPS)}")
    unknown = sorted(set(settings.variants) - set(VARIANTS))
    if unknown:
        raise ValueError(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    torch.manual_seed(settings.seed)
    device, dtype = torch.device(settings.device), getattr(torch, settings.dtype)
    total = len(settings.shapes) * len(settings.ops) * len(PASSES) * settings.repeats
    rows, copies = [], []
    with tqdm(total=total, disable=not progress, unit="round") as bar:
        for shape in settings.shapes:
            numel = math.prod(shape)
            timing, bandwidth = copy_bandwidth(
                numel, device, dtype, settings.repeats, settings.warmup
            )
            fresh = fresh_copy_bandwidth(numel, device, dtype, settings.repeats, settings.warmup)
            copies.append(
                {
                    "shape": list(shape),
                    "median_s": timing.median,
                    "bandwidth_Bps": bandwidth,
                    "fresh_bandwidth_Bps": fresh,
                }
            )
            shape_rows = []
            for name in settings.ops:
                shape_rows += _measure_op(OPS[name], shape, settings, bar)
            _add_ratios(shape_rows, bandwidth)
            rows += shape_rows
    return {"settings": asdict(settings), "copy": copies, "results": rows}


def _add_ratios(rows: list[dict], copy_bandwidth_Bps: float) -> None:
    """Bandwidth, its fraction of the copy bandwidth, and the speed-up over eager."""
    eager = {(r["op"], r["pass"]): r["median_s"] for r in rows if r["variant"] == "eager"}
    for r in rows:
        r["bandwidth_Bps"] = r["bytes"] / r["median_s"]
        r["copy_fraction"] = r["bandwidth_Bps"] / copy_bandwidth_Bps
        base = eager.get((r["op"], r["pass"]))
        r["speedup_vs_eager"] = base / r["median_s"] if base else None
