"""Execute notebooks in place, top to bottom in one fresh kernel, and save their outputs.

Authors run this (``make execute``) after changing a chapter or ``actbook``, and commit the
result: nbval in ``make test`` then checks that a fresh run reproduces the stored outputs. Cells
run with the notebook's folder as working directory, as under nbval and Jupyter Book; execution
timestamps are not recorded, so an unchanged notebook stays byte-identical.

Usage: ``python scripts/execute_notebooks.py book/01_introduction.ipynb [...]``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: Seconds one cell may run, as in ``_config.yml`` (``execute.timeout``).
CELL_TIMEOUT = 300


def execute_in_place(path: Path) -> float:
    """Execute the notebook at ``path``, overwrite it with its outputs; return seconds taken."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        print(f"executing {path} ...", flush=True)
        print(f"  done in {execute_in_place(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
