"""The JSON records that the experiment commands write under ``benchmarks/experiments``, and
the comma-separated options of those commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path


def write_record(result: dict, folder: str | Path, name: str) -> Path:
    """Write ``result`` as indented JSON to ``folder/name`` (the folder created if missing);
    NaN or infinity is refused rather than written as invalid JSON. Returns the path."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, allow_nan=False) + "\n")
    return path


def read_record(path: str | Path, required: Iterable[str], caller: str) -> dict:
    """Read a record and check that it has the ``required`` entries; ``caller`` names the
    function in the error."""
    result = json.loads(Path(path).read_text())
    missing = set(required) - set(result)
    if missing:
        raise ValueError(f"{caller}: {path} lacks {', '.join(sorted(missing))}")
    return result


def comma_separated(kind: type) -> Callable[[str], tuple]:
    """An argparse type: ``"1,2,3"`` as a tuple of ``kind``, with a clear error otherwise."""
    def parse(text: str) -> tuple:
        try:
            return tuple(kind(v) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a comma-separated list of {kind.__name__}: "
                                             f"{text!r}") from None
    return parse


#: The :class:`~actbook.experiments.tiny_lm.LMConfig` fields a training command can override.
CONFIG_OPTIONS = ("steps", "d_model", "n_layer", "context", "batch", "eval_every", "warmup")


def training_command_parser(prog: str, doc: str, variants: tuple[str, ...],
                            seeds: tuple[int, ...]) -> argparse.ArgumentParser:
    """The options of a command that trains the tiny language model: ``--out``, ``--variants``,
    ``--seeds`` and one integer option per field of :data:`CONFIG_OPTIONS`; ``doc`` is the
    module docstring, whose first paragraph describes the command."""
    from actbook.experiments.tiny_lm import DEFAULT_CONFIG

    parser = argparse.ArgumentParser(prog=prog,
                                     description=doc.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/experiments"),
                        help="output folder (default: benchmarks/experiments)")
    parser.add_argument("--variants", type=comma_separated(str), default=variants)
    parser.add_argument("--seeds", type=comma_separated(int), default=seeds)
    for option in CONFIG_OPTIONS:
        parser.add_argument(f"--{option.replace('_', '-')}", type=int,
                            default=getattr(DEFAULT_CONFIG, option))
    return parser


def config_from_options(args: argparse.Namespace):
    """The :class:`~actbook.experiments.tiny_lm.LMConfig` of parsed training options (the other
    fields at their defaults)."""
    from actbook.experiments.tiny_lm import LMConfig

    return LMConfig(**{option: getattr(args, option) for option in CONFIG_OPTIONS})
