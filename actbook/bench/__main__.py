"""``python -m actbook.bench``: eager vs native vs fused activations, timed on this machine.

Example::

    python -m actbook.bench --device cpu --dtype float32 \\
        --shape 8192x4096 --ops swiglu --repeats 10 \\
        --out benchmarks/results/cpu_2core_float32

writes ``cpu_2core_float32.json`` (machine, settings, every measurement) and ``.md`` (tables),
and prints the tables.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import torch

from actbook.bench.machine import describe_machine
from actbook.bench.ops import OPS, VARIANTS
from actbook.bench.report import markdown
from actbook.bench.runner import Settings, run


def _shapes(text: str) -> tuple[tuple[int, ...], ...]:
    try:
        shapes = tuple(tuple(int(n) for n in s.lower().split("x")) for s in text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"shapes look like 8192x4096,1024x4096; got {text!r}"
        ) from error
    if any(n <= 0 for shape in shapes for n in shape):
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return shapes


def sweep_shapes(low: int = 8, high: int = 26, columns: int = 1024) -> tuple[tuple[int, int], ...]:
    """Shapes of 2**low to 2**high elements, one per power of two, rows × ``columns`` (a
    single row of 2**k elements while 2**k < ``columns``): the size sweep of ``--sweep``.

    Args:
        low: the smallest exponent. Default: 8 (256 elements).
        high: the largest exponent. Default: 26 (64 Mi elements).
        columns: the feature dimension once the size allows it. Default: 1024.

    Returns:
        The shapes, smallest first.

    Raises:
        ValueError: if ``low > high``, or ``low`` or ``columns`` is not positive.

    Examples::

        >>> sweep_shapes(8, 12)
        ((1, 256), (1, 512), (1, 1024), (2, 1024), (4, 1024))
    """
    if not 0 < low <= high or columns < 1:
        raise ValueError(f"sweep_shapes: needs 0 < low <= high and columns >= 1, got "
                         f"low={low}, high={high}, columns={columns}")
    return tuple((max(1, 2**k // columns), min(2**k, columns)) for k in range(low, high + 1))


def _names(choices: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"{unknown or text!r}: choose from {', '.join(choices)}"
            )
        return names

    return parse


def parser() -> argparse.ArgumentParser:
    default_device = "cuda" if torch.cuda.is_available() else "cpu"
    p = argparse.ArgumentParser(prog="python -m actbook.bench", description=__doc__.split("\n")[0])
    p.add_argument("--device", default=default_device, help=f"default {default_device}")
    p.add_argument(
        "--dtype", default="float32", choices=["float32", "float16", "bfloat16", "float64"]
    )
    p.add_argument(
        "--shape", type=_shapes, default=((8192, 4096),), help="e.g. 8192x4096,1024x4096"
    )
    p.add_argument("--sweep", metavar="LOW:HIGH", help="instead of --shape: one shape per "
                   "power of two from 2**LOW to 2**HIGH elements, 1024 columns (e.g. 8:26)")
    p.add_argument("--ops", type=_names(tuple(OPS)), default=tuple(OPS), help="comma-separated")
    p.add_argument("--variants", type=_names(VARIANTS), default=VARIANTS, help="comma-separated")
    p.add_argument("--repeats", type=int, default=10, help="timed calls per variant (default 10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    p.add_argument("--threads", type=int, help="torch.set_num_threads (CPU)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="write OUT.json and OUT.md")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> dict:
    args = parser().parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        parser().error("--repeats must be at least 1 and --warmup at least 0")
    if args.sweep:
        try:
            low, high = (int(n) for n in args.sweep.split(":"))
            args.shape = sweep_shapes(low, high)
        except ValueError as error:
            parser().error(f"--sweep LOW:HIGH, e.g. 8:26 ({error})")
    if args.threads:
        torch.set_num_threads(args.threads)
    settings = Settings(
        device=args.device,
        dtype=args.dtype,
        shapes=args.shape,
        ops=args.ops,
        variants=args.variants,
        repeats=args.repeats,
        warmup=args.warmup,
        seed=args.seed,
    )
    results = run(settings, progress=not args.no_progress)
    report = {"machine": describe_machine(args.device), **results}
    table = markdown(report)
    print(table)
    if args.out:
        out = args.out.with_suffix("") if args.out.suffix in (".json", ".md") else args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_name(out.name + ".json").write_text(json.dumps(report, indent=1) + "\n")
        out.with_name(out.name + ".md").write_text(table)
    return report


if __name__ == "__main__":
    main()
