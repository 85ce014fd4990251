"""Chapter 3's sweep of dead and stuck units: networks trained on the digits
(:func:`actbook.experiments.digits.train_digits`) for every activation, depth, width, step size
and seed of a grid, each reduced to the shares of its hidden units that are dead or stuck.

Too big for a chapter (the full grid took 19 minutes on two cores), so it is a
command that writes its record as JSON, and the chapter plots the stored file and reruns a
slice::

    python -m actbook.experiments.dead_units --out benchmarks/experiments

Options: ``--out`` (folder), and comma-separated ``--activations``, ``--depths``, ``--widths``,
``--lrs``, ``--seeds`` and ``--epochs`` (one number) to change the grid of :data:`FULL_GRID`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal, get_args

from actbook.experiments._stored import comma_separated, read_record, write_record
from actbook.experiments.digits import train_digits

__all__ = [
    "FULL_GRID",
    "QUANTITIES",
    "RESULT_NAME",
    "Grid",
    "load_sweep",
    "main",
    "reproduce",
    "run_sweep",
    "sweep_medians",
    "sweep_point",
    "write_sweep",
]

#: The file name :func:`write_sweep` writes in its folder.
RESULT_NAME = "dead_units.json"
#: The quantities of one sweep point that :func:`sweep_medians` summarises.
Quantity = Literal["born_stuck", "stuck", "dead", "revived", "newly_stuck", "test_accuracy"]
#: Every quantity of :data:`Quantity`, in that order.
QUANTITIES: tuple[str, ...] = get_args(Quantity)
#: The axes of the grid that :func:`sweep_medians` can vary.
Axis = Literal["depth", "width", "lr"]


@dataclass(frozen=True)
class Grid:
    """The grid of a sweep: every combination is one training run.

    Args:
        activations: registered names of elementwise activations.
        depths: numbers of hidden layers.
        widths: units per hidden layer.
        lrs: SGD step sizes.
        seeds: seeds of the weights and of the order of the examples.
        epochs: passes over the training set, the same for every run.
    """

    activations: tuple[str, ...]
    depths: tuple[int, ...]
    widths: tuple[int, ...]
    lrs: tuple[float, ...]
    seeds: tuple[int, ...]
    epochs: int

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name != "epochs" and not value:
                raise ValueError(f"Grid: {field.name} must not be empty")
        if self.epochs < 0 or min(self.depths) < 1 or min(self.widths) < 1:
            raise ValueError(f"Grid: need depths, widths >= 1 and epochs >= 0, got {self}")
        if not all(lr > 0 for lr in self.lrs):
            raise ValueError(f"Grid: step sizes must be positive, got {self.lrs}")

    @property
    def size(self) -> int:
        """The number of training runs."""
        return (len(self.activations) * len(self.depths) * len(self.widths) * len(self.lrs)
                * len(self.seeds))


#: The grid of the stored sweep: ReLU and three activations without a flat side, 2 to 16
#: layers of 8 to 128 units, step sizes from 0.01 to 0.5, five seeds, ten epochs (960 runs).
FULL_GRID = Grid(activations=("relu", "leaky_relu", "prelu", "elu"), depths=(2, 4, 8, 16),
                 widths=(8, 32, 128), lrs=(0.01, 0.05, 0.2, 0.5), seeds=(0, 1, 2, 3, 4),
                 epochs=10)


def sweep_point(activation: str, depth: int, width: int, lr: float, seed: int,
                epochs: int) -> dict:
    """Train one network on the digits and reduce it to shares of all its hidden units.

    Args:
        activation: the registered name of the hidden activation.
        depth: the number of hidden layers.
        width: the units per hidden layer.
        lr: the SGD step size.
        seed: the seed of the weights and of the order of the examples.
        epochs: the passes over the training set.

    Returns:
        dict: the arguments and ``born_stuck`` (stuck at initialisation), ``stuck`` and ``dead``
        (after training), ``revived`` (stuck at initialisation, not after),
        ``newly_stuck``, ``final_loss`` (``None`` if not finite), ``test_accuracy`` and
        ``diverged``; the shares are of all hidden units (every layer has ``width``).
    """
    run = train_digits(activation, depth, width, lr=lr, epochs=epochs, seed=seed)
    return {
        "activation": activation, "depth": depth, "width": width, "lr": lr, "seed": seed,
        "born_stuck": statistics.fmean(run.initial.stuck),
        "stuck": statistics.fmean(run.final.stuck),
        "dead": statistics.fmean(run.final.dead),
        "revived": statistics.fmean(run.since_start.revived),
        "newly_stuck": statistics.fmean(run.since_start.newly_stuck),
        "final_loss": None if run.diverged else run.losses[-1],
        "test_accuracy": run.test_accuracy,
        "diverged": run.diverged,
    }


def run_sweep(grid: Grid = FULL_GRID, *, progress: bool = False) -> dict:
    """Run :func:`sweep_point` for every combination of ``grid``.

    Args:
        grid: the grid (default :data:`FULL_GRID`).
        progress: show a progress bar (tqdm) (default ``False``).

    Returns:
        dict: ``grid`` (its fields), ``machine``
        (:func:`actbook.bench.machine.describe_machine`) and ``runs`` (one dict per point).
    """
    from tqdm import tqdm

    from actbook.bench.machine import describe_machine

    runs = []
    with tqdm(total=grid.size, disable=not progress, desc="dead units") as bar:
        for activation in grid.activations:
            for depth in grid.depths:
                for width in grid.widths:
                    for lr in grid.lrs:
                        for seed in grid.seeds:
                            runs.append(sweep_point(activation, depth, width, lr, seed,
                                                    grid.epochs))
                            bar.update()
    return {"grid": asdict(grid), "machine": describe_machine("cpu"), "runs": runs}


def _grid(result: dict) -> Grid:
    """The grid of a result, as :func:`run_sweep` (a dict of lists) or :func:`load_sweep` (a
    :class:`Grid`) gives it."""
    grid = result["grid"]
    if isinstance(grid, Grid):
        return grid
    return Grid(**{k: tuple(v) if isinstance(v, list) else v for k, v in grid.items()})


def write_sweep(result: dict, folder: str | Path) -> Path:
    """Write a :func:`run_sweep` result as ``folder/dead_units.json``.

    Args:
        result: what :func:`run_sweep` returned.
        folder: the folder, created if missing.

    Returns:
        pathlib.Path: the file written.
    """
    return write_record(result, folder, RESULT_NAME)


def load_sweep(path: str | Path) -> dict:
    """Read a file :func:`write_sweep` wrote.

    Args:
        path: the JSON file.

    Returns:
        dict: the result, with ``grid`` as a :class:`Grid`.

    Raises:
        ValueError: if the file lacks ``grid``, ``machine`` or ``runs``, or its runs do not
            match its grid.
    """
    result = read_record(path, ("grid", "machine", "runs"), "load_sweep")
    grid = _grid(result)
    if len(result["runs"]) != grid.size:
        raise ValueError(f"load_sweep: {path} has {len(result['runs'])} runs for a grid of "
                         f"{grid.size}")
    return result | {"grid": grid}


def sweep_medians(result: dict, quantity: Quantity, activation: str, vary: Axis,
                  **fixed: float) -> tuple[list[float], list[float], list[int]]:
    """The median over seeds of one quantity along one axis of the grid, the others fixed.

    Runs that diverged are left out of the median and counted.

    Args:
        result: what :func:`run_sweep` or :func:`load_sweep` returned.
        quantity: a share or ``"test_accuracy"`` of :func:`sweep_point`.
        activation: the activation.
        vary: ``"depth"``, ``"width"`` or ``"lr"``.
        **fixed: the values of the other two axes, e.g. ``width=64, lr=0.05``.

    Returns:
        tuple[list[float], list[float], list[int]]: the axis's values, the medians (``nan``
        where every seed diverged) and the number of diverged runs at each value.

    Raises:
        ValueError: if ``fixed`` does not name exactly the other two axes, or a value or the
            activation is not in the grid.
    """
    axes = {"depth", "width", "lr"}
    if vary not in axes or set(fixed) != axes - {vary}:
        raise ValueError(f"sweep_medians: vary one of {sorted(axes)} and fix the other two, "
                         f"got vary={vary!r}, fixed={sorted(fixed)}")
    grid = _grid(result)
    if activation not in grid.activations:
        raise ValueError(f"sweep_medians: {activation!r} is not in the grid {grid.activations}")
    for axis, value in fixed.items():
        if value not in getattr(grid, f"{axis}s"):
            raise ValueError(f"sweep_medians: {axis}={value} is not in the grid "
                             f"{getattr(grid, f'{axis}s')}")
    values = list(getattr(grid, f"{vary}s"))
    medians, diverged = [], []
    for value in values:
        wanted = fixed | {vary: value}
        points = [r for r in result["runs"] if r["activation"] == activation
                  and all(r[k] == v for k, v in wanted.items())]
        finite = [r[quantity] for r in points if not r["diverged"]]
        medians.append(statistics.median(finite) if finite else math.nan)
        diverged.append(len(points) - len(finite))
    return values, medians, diverged


def reproduce(result: dict, **where: float | str) -> list[tuple[dict, dict]]:
    """Run the stored points of a sweep that match ``where`` again on this machine.

    Args:
        result: what :func:`run_sweep` or :func:`load_sweep` returned.
        **where: values of a point's ``activation``, ``depth``, ``width``, ``lr`` or ``seed``
            that the points to rerun must have, e.g. ``activation="relu", width=8``.

    Returns:
        list[tuple[dict, dict]]: each matching stored point with its rerun, in the stored order.

    Raises:
        ValueError: if ``where`` names anything else, or no stored point matches.
    """
    allowed = {"activation", "depth", "width", "lr", "seed"}
    if not where or set(where) - allowed:
        raise ValueError(f"reproduce: select points by {sorted(allowed)}, got {sorted(where)}")
    epochs = _grid(result).epochs
    stored = [r for r in result["runs"] if all(r[k] == v for k, v in where.items())]
    if not stored:
        raise ValueError(f"reproduce: no stored point has {where}")
    return [(r, sweep_point(r["activation"], r["depth"], r["width"], r["lr"], r["seed"], epochs))
            for r in stored]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the sweep with a progress bar and write its JSON.

    Args:
        argv: the command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        int: the exit status, 0.
    """
    parser = argparse.ArgumentParser(prog="python -m actbook.experiments.dead_units",
                                     description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/experiments"),
                        help="output folder (default: benchmarks/experiments)")
    parser.add_argument("--activations", type=lambda t: tuple(t.split(",")),
                        default=FULL_GRID.activations)
    parser.add_argument("--depths", type=comma_separated(int), default=FULL_GRID.depths)
    parser.add_argument("--widths", type=comma_separated(int), default=FULL_GRID.widths)
    parser.add_argument("--lrs", type=comma_separated(float), default=FULL_GRID.lrs)
    parser.add_argument("--seeds", type=comma_separated(int), default=FULL_GRID.seeds)
    parser.add_argument("--epochs", type=int, default=FULL_GRID.epochs)
    args = parser.parse_args(argv)
    grid = Grid(args.activations, args.depths, args.widths, args.lrs, args.seeds, args.epochs)
    path = write_sweep(run_sweep(grid, progress=True), args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
