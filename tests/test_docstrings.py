"""Docstrings and sources hold no control characters (a TAB where ``\\tilde`` belonged once
reached the API page as a broken formula)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import actbook

PACKAGE = Path(actbook.__file__).parent
#: Every C0 control character but the line feed, and DEL.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _modules() -> list[str]:
    return ["actbook"] + [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "actbook.")
                          if not m.name.endswith("__main__")]


def _documented(module) -> list[tuple[str, str]]:
    """``(qualified name, docstring)`` of the module and of what it defines."""
    found = [(module.__name__, module.__doc__ or "")]
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            found.append((f"{module.__name__}.{name}", obj.__doc__ or ""))
            found += [(f"{module.__name__}.{name}.{attr}", member.__doc__ or "")
                      for attr, member in vars(obj).items() if inspect.isfunction(member)]
        elif inspect.isfunction(obj):
            found.append((f"{module.__name__}.{name}", obj.__doc__ or ""))
    return found


@pytest.mark.parametrize("module_name", _modules())
def test_docstrings_hold_no_control_characters(module_name: str) -> None:
    module = importlib.import_module(module_name)
    bad = [(name, CONTROL.search(doc).group()) for name, doc in _documented(module)
           if CONTROL.search(doc)]
    assert not bad, f"control characters in docstrings: {bad}"


def test_sources_hold_no_control_characters() -> None:
    bad = [f"{path.relative_to(PACKAGE.parent)}:{text.count(chr(10), 0, m.start()) + 1}"
           for path in sorted(PACKAGE.rglob("*.py"))
           for text in [path.read_text(encoding="utf-8")]
           if (m := CONTROL.search(text))]
    assert not bad, f"control characters (TAB included) in {bad}"


def test_the_check_finds_a_tab() -> None:
    assert CONTROL.search("\tilde x") and not CONTROL.search("\\tilde x\n")
