"""Chapter 5's small replication of Shazeer's (2020) Table 1: the eight feed-forward variants in
a tiny byte-level language model (:mod:`actbook.experiments.tiny_lm`), at equal parameters and
compute, several seeds each, held-out loss against the paper's.

Too big for a chapter (the stored run took about half an hour on two cores), so it is a command
that writes its record as JSON, and the chapter plots the stored file and reruns a slice::

    python -m actbook.experiments.glu_variants --out benchmarks/experiments

Options: ``--out`` (folder), comma-separated ``--variants`` and ``--seeds``, and ``--steps``,
``--d-model``, ``--n-layer``, ``--context``, ``--batch`` and ``--eval-every`` to change the
size of :class:`~actbook.experiments.tiny_lm.LMConfig`.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from actbook.experiments._stored import (
    config_from_options,
    read_record,
    training_command_parser,
    write_record,
)
from actbook.experiments.tiny_lm import DEFAULT_CONFIG, VARIANTS, LMConfig, train_lm

__all__ = [
    "PAPER_TABLE_1",
    "RESULT_NAME",
    "SEEDS",
    "VariantSummary",
    "load_table",
    "main",
    "reproduce",
    "run_table",
    "summarise",
    "write_table",
]

#: The file name :func:`write_table` writes in its folder.
RESULT_NAME = "glu_variants.json"
#: The seeds of the stored run.
SEEDS = (0, 1, 2)
#: The held-out log-perplexity on C4 of Shazeer's (2020) Table 1, by variant, after 65,536
#: steps (mean and standard deviation over 4 runs) and after 524,288 steps (one run).
PAPER_TABLE_1: dict[str, tuple[float, float, float]] = {
    "ReLU": (1.997, 0.005, 1.677),
    "GELU": (1.983, 0.005, 1.679),
    "Swish": (1.994, 0.003, 1.683),
    "GLU": (1.982, 0.006, 1.663),
    "Bilinear": (1.960, 0.005, 1.648),
    "GEGLU": (1.942, 0.004, 1.633),
    "SwiGLU": (1.944, 0.010, 1.636),
    "ReGLU": (1.953, 0.003, 1.645),
}


def _check(variants: Sequence[str], seeds: Sequence[int]) -> None:
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise KeyError(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if not variants or not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"need variants and distinct seeds, got {variants}, {seeds}")


def run_table(variants: Sequence[str] = tuple(VARIANTS), seeds: Sequence[int] = SEEDS,
              config: LMConfig = DEFAULT_CONFIG, *, progress: bool = False) -> dict:
    """Train every variant with every seed.

    Args:
        variants: keys of :data:`~actbook.experiments.tiny_lm.VARIANTS`. Default: all eight.
        seeds: seeds; runs with one seed see the same batches. Default: :data:`SEEDS`.
        config: the model's size and budget.
            Default: :data:`~actbook.experiments.tiny_lm.DEFAULT_CONFIG`.
        progress: show a progress bar (tqdm). Default: ``False``.

    Returns:
        dict: ``config`` (its fields), ``variants``, ``seeds``, ``machine``
        (:func:`actbook.bench.machine.describe_machine`), ``seconds`` (the whole run) and
        ``runs``, one dict per variant and seed: ``variant``, ``seed``, ``heldout_loss``,
        ``curve`` (pairs of step and held-out loss), ``ffn_parameters``, ``parameters`` and
        ``seconds``.

    Raises:
        KeyError: for an unknown variant.
        ValueError: for no variants or seeds, or repeated seeds.
    """
    from tqdm import tqdm

    from actbook.bench.machine import describe_machine

    _check(variants, seeds)
    start = time.perf_counter()
    runs = []
    with tqdm(total=len(variants) * len(seeds), disable=not progress,
              desc="GLU variants") as bar:
        for seed in seeds:
            for variant in variants:
                run = train_lm(variant, seed, config)
                runs.append({"variant": variant, "seed": seed, "heldout_loss": run.heldout_loss,
                             "curve": [list(point) for point in run.curve],
                             "ffn_parameters": run.ffn_parameters,
                             "parameters": run.parameters, "seconds": run.seconds})
                bar.set_postfix(variant=variant, loss=f"{run.heldout_loss:.3f}")
                bar.update()
    return {"config": asdict(config), "variants": list(variants), "seeds": list(seeds),
            "machine": describe_machine("cpu"), "seconds": time.perf_counter() - start,
            "runs": runs}


def write_table(result: dict, folder: str | Path) -> Path:
    """Write a :func:`run_table` result as ``folder/glu_variants.json``.

    Args:
        result: what :func:`run_table` returned.
        folder: the folder, created if missing.

    Returns:
        pathlib.Path: the file written.
    """
    return write_record(result, folder, RESULT_NAME)


def load_table(path: str | Path) -> dict:
    """Read a file :func:`write_table` wrote.

    Args:
        path: the JSON file.

    Returns:
        dict: the result, with ``config`` as an
        :class:`~actbook.experiments.tiny_lm.LMConfig`.

    Raises:
        ValueError: if the file lacks an entry, or its runs are not one per variant and seed.
    """
    result = read_record(path, ("config", "variants", "seeds", "machine", "seconds", "runs"),
                         "load_table")
    pairs = sorted((r["variant"], r["seed"]) for r in result["runs"])
    expected = sorted((v, s) for v in result["variants"] for s in result["seeds"])
    if pairs != expected:
        raise ValueError(f"load_table: {path} does not hold one run per variant and seed")
    return result | {"config": LMConfig(**result["config"])}


@dataclass(frozen=True)
class VariantSummary:
    """One row of the replicated table.

    Args:
        variant: the feed-forward variant.
        mean: mean held-out loss over the seeds (nats per byte).
        std: its sample standard deviation (``nan`` for one seed).
        losses: the held-out loss of each seed, in the order of the seeds.
        gain: mean over seeds of ReLU's loss minus this variant's, seed by seed (the runs of a
            seed share their batches); positive is better than ReLU.
        gain_std: the sample standard deviation of those paired differences.
        paper: the paper's (mean, std) after 65,536 steps.
    """

    variant: str
    mean: float
    std: float
    losses: tuple[float, ...]
    gain: float
    gain_std: float
    paper: tuple[float, float]


def _std(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else math.nan


def summarise(result: dict, baseline: str = "ReLU") -> list[VariantSummary]:
    """Mean, spread and paired gain over the baseline of each variant, in the stored order.

    Args:
        result: what :func:`run_table` or :func:`load_table` returned.
        baseline: the variant the gains are measured from. Default: ``"ReLU"``.

    Returns:
        list[VariantSummary]: one per variant.

    Raises:
        ValueError: if the baseline was not run.
    """
    if baseline not in result["variants"]:
        raise ValueError(f"summarise: the baseline {baseline!r} is not among "
                         f"{result['variants']}")
    loss = {(r["variant"], r["seed"]): r["heldout_loss"] for r in result["runs"]}
    seeds = result["seeds"]
    rows = []
    for variant in result["variants"]:
        losses = tuple(loss[variant, s] for s in seeds)
        gains = [loss[baseline, s] - loss[variant, s] for s in seeds]
        rows.append(VariantSummary(variant, statistics.fmean(losses), _std(losses), losses,
                                   statistics.fmean(gains), _std(gains),
                                   PAPER_TABLE_1[variant][:2]))
    return rows


def reproduce(result: dict, variant: str, seed: int, steps: int) -> tuple[float, float]:
    """Rerun the first ``steps`` steps of one stored run on this machine.

    The rerun follows the stored run's learning-rate schedule and stops at an evaluation the
    stored run made, so the two losses should agree to the rounding of this CPU.

    Args:
        result: what :func:`run_table` or :func:`load_table` returned.
        variant: a stored variant.
        seed: a stored seed.
        steps: a step at which the stored run evaluated (a multiple of ``eval_every``).

    Returns:
        tuple[float, float]: the stored and the rerun held-out loss at ``steps``.

    Raises:
        ValueError: if no stored run has ``variant`` and ``seed``, or it has no evaluation at
            ``steps``.
    """
    config = result["config"]
    config = config if isinstance(config, LMConfig) else LMConfig(**config)
    stored = [r for r in result["runs"] if r["variant"] == variant and r["seed"] == seed]
    if not stored:
        raise ValueError(f"reproduce: no stored run of {variant!r} with seed {seed}")
    curve = dict((int(step), loss) for step, loss in stored[0]["curve"])
    if steps not in curve:
        raise ValueError(f"reproduce: the stored run evaluated at {sorted(curve)}, not {steps}")
    return curve[steps], train_lm(variant, seed, config, stop_after=steps).heldout_loss


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, train every variant and seed with a progress bar, write the JSON.

    Args:
        argv: the command-line arguments. Default: ``sys.argv[1:]``.

    Returns:
        int: the exit status, 0.
    """
    parser = training_command_parser("python -m actbook.experiments.glu_variants", __doc__,
                                     tuple(VARIANTS), SEEDS)
    args = parser.parse_args(argv)
    config = config_from_options(args)
    path = write_table(run_table(args.variants, args.seeds, config, progress=True), args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
