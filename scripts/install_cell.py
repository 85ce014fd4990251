"""Give every notebook a first cell that installs actbook where it is missing (Colab).

A notebook opened from the launch buttons in Colab runs in a Python that has PyTorch but not
actbook. The first cell of every notebook under ``book/`` imports actbook and, if that fails,
installs it with pip from the repository whose address ``_config.yml`` gives (the one place it is
written). ``ACTBOOK_SOURCE`` overrides the source, so that a test can point it at a local
checkout. The cell is tagged ``remove-cell``: the rendered page does not show it.

Usage: ``python scripts/install_cell.py`` (rewrites the notebooks whose first cell differs;
``--check`` only lists them and fails if there are any).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TAGS = ["remove-cell", "install-actbook"]


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """``repository.url`` of the book's configuration."""
    return yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]


def install_source(url: str) -> str:
    """The cell's code: import actbook, or install it from ``url`` (or ``ACTBOOK_SOURCE``)."""
    return f"""\
# Colab, or any Python without actbook: install it from the book's repository.
try:
    import actbook  # noqa: F401
except ImportError:
    import os
    import subprocess
    import sys

    source = os.environ.get("ACTBOOK_SOURCE",
                            "git+{url}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source],
                   check=True)"""


def install_cell(url: str) -> dict:
    """The notebook cell holding :func:`install_source`, hidden from the rendered page."""
    return {"cell_type": "code", "execution_count": None, "id": "install-actbook",
            "metadata": {"tags": TAGS}, "outputs": [],
            "source": install_source(url).splitlines(keepends=True)}


def with_install_cell(notebook: dict, url: str) -> dict:
    """``notebook`` with :func:`install_cell` first, replacing an older install cell (an
    install cell of the same code is kept as it is, with its execution count)."""
    cell = install_cell(url)
    if notebook["cells"] and notebook["cells"][0]["source"] == cell["source"]:
        return notebook
    cells = [c for c in notebook["cells"] if "install-actbook" not in
             c.get("metadata", {}).get("tags", [])]
    return {**notebook, "cells": [cell, *cells]}


def main(argv: list[str]) -> int:
    url = repository_url()
    stale = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        updated = with_install_cell(notebook, url)
        if updated != notebook:
            stale.append(path.name)
            if "--check" not in argv:
                text = json.dumps(updated, indent=1, ensure_ascii=False) + "\n"
                path.write_text(text, encoding="utf-8")
    print(("stale: " if "--check" in argv else "updated: ") + (", ".join(stale) or "none"))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
