"""The chapters' sources: what a reader sees of the code cells, and nbval's instructions."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
#: The longest code line a page shows without cutting it off at the column edge.
CODE_COLUMNS = 79
#: Tags under which a cell's code is not shown on the page.
HIDDEN = {"hide-input", "remove-input", "remove-cell"}


def _code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_instructions_are_tags_not_comments(path: Path) -> None:
    """nbval reads ``nbval-ignore-output`` and its other instructions from cell tags, which
    readers do not see; a ``# NBVAL_...`` comment would be printed on the page."""
    marked = [cell["source"][:1] for cell in _code_cells(path)
              if "NBVAL_" in "".join(cell["source"])]
    assert not marked, f"{path.name}: nbval comments in the code readers see: {marked}"
    unknown = {tag for cell in _code_cells(path) for tag in _tags(cell)
               if tag.startswith("nbval") and tag not in
               {"nbval-ignore-output", "nbval-skip", "nbval-check-output"}}
    assert not unknown, f"{path.name}: tags nbval does not know: {unknown}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_column(path: Path) -> None:
    long = [(index, line) for index, cell in enumerate(_code_cells(path))
            for line in "".join(cell["source"]).splitlines() if len(line) > CODE_COLUMNS]
    assert not long, f"{path.name}: code lines over {CODE_COLUMNS} columns: {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glue_bookkeeping_is_out_of_sight(path: Path) -> None:
    """The prose's numbers are glued in cells whose code the page does not show."""
    shown = ["".join(cell["source"]).splitlines()[0] for cell in _code_cells(path)
             if not _tags(cell) & HIDDEN
             and re.search(r"^\s*glue\(", "".join(cell["source"]), re.MULTILINE)]
    assert not shown, f"{path.name}: shown cells that call glue, starting {shown}"


def _install_cell_script():
    spec = importlib.util.spec_from_file_location("install_cell", ROOT / "scripts" /
                                                  "install_cell.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_actbook_from_the_configured_repository(path: Path) -> None:
    """Colab has no actbook: the first cell installs it from ``repository.url`` of
    ``_config.yml`` (``python scripts/install_cell.py`` writes it)."""
    script = _install_cell_script()
    first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
    assert "".join(first["source"]) == script.install_source(script.repository_url()), \
        f"{path.name}: run python scripts/install_cell.py"
    assert _tags(first) >= {"remove-cell", "install-actbook"}
