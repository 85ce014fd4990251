"""``python -m actbook.accuracy``: the full accuracy sweep, written as JSON and Markdown.

Options: ``--out`` (folder, default ``.``), ``--dtypes`` (comma-separated, default all four),
``--activations`` (comma-separated names, default every elementwise activation and gated
unit), ``--compiled`` (also compare ``torch.compile`` with eager; one compilation per dtype,
minutes on a CPU).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from actbook.accuracy.implementations import ELEMENTWISE, GATED
from actbook.accuracy.report import write_report
from actbook.accuracy.sweep import FULL, run_sweep
from actbook.accuracy.ulp import DTYPES_BY_NAME

ALL_NAMES = (*ELEMENTWISE, *GATED)


def _list(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return items


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the sweep, write the report and print where it went."""
    parser = argparse.ArgumentParser(
        prog="python -m actbook.accuracy",
        description="Measure actbook and PyTorch activations in ulp against mpmath/float64 "
                    "references and write accuracy_report.json and accuracy_report.md.")
    parser.add_argument("--out", type=Path, default=Path("."), help="output folder")
    parser.add_argument("--dtypes", default=",".join(DTYPES_BY_NAME),
                        type=lambda v: _list(v, tuple(DTYPES_BY_NAME), "dtype"),
                        help="comma-separated dtypes (default: all four)")
    parser.add_argument("--activations", default=",".join(ALL_NAMES),
                        type=lambda v: _list(v, ALL_NAMES, "activation"),
                        help="comma-separated activations and gated units (default: all)")
    parser.add_argument("--compiled", action="store_true",
                        help="also compare torch.compile with eager (slow)")
    args = parser.parse_args(argv)
    result = run_sweep(args.activations, [DTYPES_BY_NAME[d] for d in args.dtypes], FULL,
                       compiled=args.compiled, progress=True)
    for path in write_report(result, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
