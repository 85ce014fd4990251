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
