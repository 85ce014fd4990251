"""The chapters' sources: nbval's markers are written so that nbval sees them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_stand_alone(path: Path) -> None:
    """nbval honours ``# NBVAL_IGNORE_OUTPUT`` only as the whole comment: with anything after
    it on the line the marker is silently ignored and the cell's output is compared (which
    made the accuracy appendix fail on machines other than the author's)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = [line for cell in cells if cell["cell_type"] == "code"
           for line in "".join(cell["source"]).splitlines()
           if "NBVAL_" in line and not re.fullmatch(r"\s*#\s*NBVAL_[A-Z_]+\s*", line)]
    assert not bad, f"{path.name}: markers nbval will not see: {bad}"
