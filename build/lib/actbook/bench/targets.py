"""The SwiGLU targets of the fused kernels, checked against a benchmark report.

    python -m actbook.bench.targets benchmarks/results/cpu_2core_float32.json

For the largest SwiGLU shape in a report written by ``python -m actbook.bench``:

* CPU: fused forward+backward at least 1.7× faster than the eager composite
  ``F.silu(gate) * value``; fused forward at most 1.2× the time of ``F.silu`` on the gate alone.
* GPU: fused forward at least 80% of the measured copy bandwidth; forward+backward at least
  1.5× faster than eager.
* Both: the fused forward saves 2 tensors where eager saves 3.

Prints one line per target; the exit status is 1 if any is missed.
"""

from __future__ import annotations

import json
import math
import operator
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Target:
    """A measured value and the bound it should meet (``comparison`` is ``>=``, ``<=``, ``==``).

    ``str(target)`` is one line of the printout: met or missed, the value and the bound.

    Args:
        what: what is measured, as the printout names it.
        value: the measured value.
        comparison: ``">="``, ``"<="`` or ``"=="``: how ``value`` must compare with ``bound``.
        bound: the target.
    """

    what: str
    value: float
    comparison: str
    bound: float

    @property
    def met(self) -> bool:
        """Whether ``value`` compares with ``bound`` as ``comparison`` asks."""
        compare = {">=": operator.ge, "<=": operator.le, "==": operator.eq}[self.comparison]
        return bool(compare(self.value, self.bound))

    def __str__(self) -> str:
        status = "met   " if self.met else "MISSED"
        return f"{status} {self.what}: {self.value:.3g} (target {self.comparison} {self.bound})"


def swiglu_rows(report: dict) -> dict[tuple[str, str], dict]:
    """The SwiGLU rows of the largest shape, keyed by (variant, pass).

    Args:
        report: a report as ``python -m actbook.bench`` writes it.

    Returns:
        dict[tuple[str, str], dict]: the result rows of op ``"swiglu"`` at its largest shape
        (most elements), or an empty dict if the report has no SwiGLU rows.
    """
    swiglu = [r for r in report["results"] if r["op"] == "swiglu"]
    if not swiglu:
        return {}
    largest = max((r["shape"] for r in swiglu), key=math.prod)
    return {(r["variant"], r["pass"]): r for r in swiglu if r["shape"] == largest}


def targets(report: dict) -> list[Target]:
    """The targets that apply to the report's device; none if it has no fused and eager SwiGLU.

    Args:
        report: a report as ``python -m actbook.bench`` writes it.

    Returns:
        list[Target]: the targets of the module's description, for a CUDA device or for the
        CPU (the CPU's forward target only if the report has ``silu_alone``).
    """
    rows = swiglu_rows(report)
    if not {("fused", "forward"), ("eager", "forward")} <= set(rows):
        return []
    fused, fused_both = rows[("fused", "forward")], rows[("fused", "forward+backward")]
    checks = [
        Target("saved tensors, fused SwiGLU", fused["saved_tensors"], "==", 2),
        Target("saved tensors, eager SwiGLU", rows[("eager", "forward")]["saved_tensors"], "==", 3),
        Target(
            "fused fwd+bwd speed-up over eager",
            fused_both["speedup_vs_eager"],
            ">=",
            1.5 if report["settings"]["device"].startswith("cuda") else 1.7,
        ),
    ]
    if report["settings"]["device"].startswith("cuda"):
        checks.append(Target("fused forward / copy bandwidth", fused["copy_fraction"], ">=", 0.8))
    elif ("silu_alone", "forward") in rows:
        silu = rows[("silu_alone", "forward")]
        ratio = fused["median_s"] / silu["median_s"]
        checks.append(Target("fused forward time / F.silu(gate) time", ratio, "<=", 1.2))
    return checks


def main(paths: list[str]) -> int:
    """Print the targets of each report, one line each, after a line naming the report.

    Args:
        paths: the JSON reports to check.

    Returns:
        int: the exit status, 1 if any target is missed or a report has none that apply (no
        fused and eager SwiGLU to compare), else 0.
    """
    missed = 0
    for path in paths:
        report = json.loads(Path(path).read_text())
        machine, settings = report["machine"], report["settings"]
        print(
            f"{path}: {settings['device']}, {settings['dtype']}, "
            f"{machine.get('gpu') or machine['cpu']}"
        )
        checks = targets(report)
        if not checks:
            missed += 1
            print("  no target applies: the report has no fused and eager SwiGLU")
        for target in checks:
            missed += not target.met
            print(f"  {target}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
