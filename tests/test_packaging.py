"""The package as a reader installs it: a wheel and an sdist from ``python -m build``, installed
into a fresh virtual environment with only torch and actbook's runtime dependencies, and the
notebooks' first cell, which installs actbook where it is missing (Colab).

Building and installing take a minute or two, so these tests run once, from ``make package``
(part of ``make test``), which sets ``ACTBOOK_PACKAGE_TEST``; without it they are skipped.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import tomllib

import actbook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not os.environ.get("ACTBOOK_PACKAGE_TEST"),
                                reason="builds and installs the package: run make package")
#: Imported by the book or the tests, never needed by ``import actbook``.
BOOK_ONLY = ["matplotlib", "sklearn", "scipy", "jupyter_book", "myst_nb", "nbval", "pytest"]
SMOKE = """
import importlib.util, json, sys, torch, actbook
from actbook import nn as A
y = A.GatedFFN(12)(torch.randn(2, 12))
x = torch.linspace(-3, 3, 7, dtype=torch.float64)
error = (actbook.F.gelu(x) - torch.nn.functional.gelu(x)).abs().max().item()
print(json.dumps({"version": actbook.__version__, "shape": list(y.shape), "error": error,
                  "book_only": [m for m in sys.argv[1:] if importlib.util.find_spec(m)]}))
"""


def _run(*command: str | Path, cwd: Path, **kwargs) -> str:
    """Run ``command`` in ``cwd``, away from the checkout, which ``python -c`` would import."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          timeout=900, cwd=cwd, **kwargs)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT, cwd=out)
    return out


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory) -> Path:
    """A new virtual environment holding only the pinned torch (no actbook)."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", "torch",
         cwd=env)
    return python


def test_build_makes_a_wheel_and_an_sdist_of_this_version(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    version = actbook.__version__
    assert names == [f"actbook-{version}-py3-none-any.whl", f"actbook-{version}.tar.gz"]


def test_the_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert importlib.metadata.version("actbook") == actbook.__version__


def test_the_install_cell_installs_actbook_where_it_is_missing(dist: Path,
                                                              fresh_python: Path) -> None:
    """The notebooks' first cell, run by a Python without actbook, with ``ACTBOOK_SOURCE``
    pointed at this checkout (its sdist, so that pip builds outside the working tree) instead
    of the repository's address."""
    cell = json.loads((ROOT / "book" / "01_introduction.ipynb").read_text())["cells"][0]
    away = fresh_python.parents[1]
    missing = subprocess.run([fresh_python, "-c", "import actbook"], capture_output=True,
                             cwd=away)
    assert missing.returncode != 0, "the fresh environment must start without actbook"
    _run(fresh_python, "-c", "".join(cell["source"]), cwd=away,
         env={**os.environ, "ACTBOOK_SOURCE": str(next(dist.glob("*.tar.gz"))),
              "PIP_CONSTRAINT": str(ROOT / "constraints.txt")})
    _run(fresh_python, "-c", "import actbook", cwd=away)


def test_the_wheel_runs_without_the_book_dependencies(dist: Path, fresh_python: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    _run(fresh_python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel,
         cwd=dist)
    _run(fresh_python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", wheel,
         cwd=dist)
    report = json.loads(_run(fresh_python, "-c", SMOKE, *BOOK_ONLY, cwd=dist))
    assert report["version"] == actbook.__version__
    assert report["shape"] == [2, 12] and report["error"] < 1e-15
    assert report["book_only"] == [], "the runtime environment holds book dependencies"
