"""Binder's ``environment.yml`` and the pinned local environment list the same packages.

Binder (repo2docker) installs ``environment.yml`` from conda-forge; ``make`` installs
``pyproject.toml``'s runtime and book dependencies with the versions of ``constraints.txt``.
Each conda package here has its pip name, or is tooling that pip does not install.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge's name → the pip name, where they differ.
PIP_NAME = {"pytorch-cpu": "torch", "matplotlib-base": "matplotlib"}
#: What conda installs that is not a Python dependency of actbook: the interpreter, pip, and
#: the C++ compiler torch.compile needs on the CPU.
TOOLING = {"python", "pip", "cxx-compiler"}


def _environment() -> tuple[dict[str, SpecifierSet], list[str]]:
    """The conda packages of environment.yml (pip names → version specifiers), and its pip list."""
    packages, pip = {}, []
    for entry in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
        if name not in TOOLING:
            packages[PIP_NAME.get(name, name)] = SpecifierSet(spec.replace("=", "==", 1)
                                                              if spec[:1] == "=" else spec)
    return packages, pip


def _pinned() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = (line.split("==") for line in lines if "==" in line and not line.startswith("#"))
    return {_normal(name): version for name, version in pins}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_binder_installs_the_runtime_and_book_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["book"]
    expected = {_normal(Requirement(r).name) for r in wanted}
    conda, pip = _environment()
    assert {_normal(n) for n in conda} == expected
    assert pip == ["-e ."], "actbook itself, from the repository"


def test_binder_admits_the_pinned_versions():
    pinned = _pinned()
    for name, spec in _environment()[0].items():
        assert spec.contains(pinned[_normal(name)], prereleases=True), (name, str(spec))


def test_readme_says_which_python_and_torch_binder_gets():
    readme = (ROOT / "README.md").read_text()
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    python = next(d for d in dependencies if isinstance(d, str) and d.startswith("python="))
    torch = next(d for d in dependencies if isinstance(d, str) and d.startswith("pytorch-cpu"))
    assert f"Python {python.split('=')[1]}" in readme
    assert f"`{torch.split('#')[0].strip()}`" in readme
