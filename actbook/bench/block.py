"""``python -m actbook.bench.block``: one GatedFFN training step, eager against fused.

A gated block's time is mostly its three matrix products; the activation between them is what
:mod:`actbook.kernels` fuses. This command times forward and backward of the whole block,
``GatedFFN(d_model, d_ff)``, on ``tokens`` rows, in the ways it can run:

* ``eager``: ``GatedFFN(fused=False)``, actbook's reference unit between PyTorch's matmuls;
* ``fused``: ``GatedFFN(fused=True)``, the compiled unit of :mod:`actbook.kernels`;
* ``compiled``: the eager block under one ``torch.compile`` (Inductor fuses the unit into the
  graph around the matmuls);
* ``max-autotune``: the same with ``mode="max-autotune"`` (Inductor may pick its own GEMM
  templates with the unit in their epilogue; compiling takes minutes).

Example::

    python -m actbook.bench.block --tokens 4096 --d-model 1024 --d-ff 2816 \\
        --out benchmarks/results/block_cpu_2core_float32.json

writes the configuration, the median and quartiles of each, the ratios to eager, and the machine.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from actbook.bench.machine import describe_machine
from actbook.bench.measure import Timing, time_once, warm_up
from actbook.nn import GatedFFN

#: The ways to run the block, in the order of the report.
WAYS = ("eager", "fused", "compiled", "max-autotune")


def _block(way: str, d_model: int, d_ff: int, device: torch.device, dtype: torch.dtype
           ) -> Callable[[torch.Tensor], torch.Tensor]:
    torch.manual_seed(0)
    block = GatedFFN(d_model, d_ff, "swiglu", fused=way == "fused").to(device, dtype)
    if way in ("compiled", "max-autotune"):
        mode = "max-autotune" if way == "max-autotune" else None
        return torch.compile(block, mode=mode)
    return block


def _step(block: nn.Module, x: torch.Tensor) -> Callable[[], None]:
    def step() -> None:
        block.zero_grad(set_to_none=True)
        block(x).square().mean().backward()

    return step


def run(tokens: int, d_model: int, d_ff: int, ways: tuple[str, ...] = WAYS[:3],
        device: str = "cpu", dtype: str = "float32", repeats: int = 7, warmup: int = 2,
        progress: bool = True) -> dict:
    """Time one training step of each way; the ways alternate within every repeat.

    Args:
        tokens: rows of the input.
        d_model: the block's width.
        d_ff: its hidden width.
        ways: which of :data:`WAYS` to time. Default: all but ``max-autotune``.
        device: the device. Default: ``"cpu"``.
        dtype: ``"float32"``, ``"bfloat16"`` or ``"float16"``. Default: ``"float32"``.
        repeats: timed steps per way. Default: 7.
        warmup: untimed steps first (the first compiles). Default: 2.
        progress: show a progress bar. Default: ``True``.

    Returns:
        ``{"config", "results", "machine"}``: per way the :class:`~actbook.bench.measure.Timing`
        of a step in seconds and the eager median over its median (above 1: faster).

    Raises:
        ValueError: for an unknown way or a size that is not positive.
    """
    unknown = set(ways) - set(WAYS)
    if unknown or min(tokens, d_model, d_ff, repeats) < 1:
        raise ValueError(f"bench.block: ways from {WAYS} and positive sizes, got {ways}, "
                         f"tokens={tokens}, d_model={d_model}, d_ff={d_ff}, repeats={repeats}")
    where, kind = torch.device(device), getattr(torch, dtype)
    x = torch.randn(tokens, d_model, device=where, dtype=kind)
    steps = {way: _step(_block(way, d_model, d_ff, where, kind), x) for way in ways}
    seconds: dict[str, list[float]] = {way: [] for way in ways}
    with tqdm(total=len(ways) * (repeats + 1), disable=not progress, desc="block") as bar:
        for step in steps.values():
            warm_up(step, warmup, seconds=0.0)
            bar.update(1)
        for _ in range(repeats):
            for way, step in steps.items():
                seconds[way].append(time_once(step, where))
                bar.update(1)
    timings = {way: Timing.of(s) for way, s in seconds.items()}
    eager = timings["eager"].median if "eager" in timings else None
    results = {way: {**{f"{k}_s": v for k, v in asdict(t).items()},
                     "speedup_over_eager": None if eager is None else eager / t.median}
               for way, t in timings.items()}
    config = {"tokens": tokens, "d_model": d_model, "d_ff": d_ff, "unit": "swiglu",
              "dtype": dtype, "device": device, "repeats": repeats, "warmup": warmup,
              "step": "forward, mean of squares, backward"}
    return {"config": config, "results": results, "machine": describe_machine(device)}


def main(argv: list[str] | None = None) -> dict:
    """The command line: :func:`run` with its options, a table printed, the JSON written.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The report of :func:`run`.
    """
    p = argparse.ArgumentParser(prog="python -m actbook.bench.block",
                                description=__doc__.split("\n")[0])
    p.add_argument("--tokens", type=int, default=4096)
    p.add_argument("--d-model", type=int, default=1024)
    p.add_argument("--d-ff", type=int, default=2816)
    p.add_argument("--ways", default=",".join(WAYS[:3]), help=f"from {','.join(WAYS)}")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--out", type=Path, help="write the JSON report here")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    try:
        report = run(args.tokens, args.d_model, args.d_ff, tuple(args.ways.split(",")),
                     args.device, args.dtype, args.repeats, args.warmup, not args.no_progress)
    except ValueError as error:
        p.error(str(error))
    for way, row in report["results"].items():
        ratio = row["speedup_over_eager"]
        print(f"{way:13} {row['median_s'] * 1e3:9.1f} ms"
              + ("" if ratio is None else f"   {ratio:.3f}× eager"))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
