"""A Sphinx extension: cross-references to actbook names resolve wherever the name lives.

The API page documents every name in the module that defines it (``actbook.registry.names``),
while the chapters and docstrings write the short names readers use (``actbook.names``,
``actbook.F.swiglu``, ``make_activation`` inside :mod:`actbook.nn`). For a reference Sphinx
cannot resolve, this imports the named object (from the referencing module when the name is
unqualified), finds the module that defines it and resolves the reference there.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any


def _lookup(dotted: str) -> Any:
    """The object a dotted name stands for, importing modules on the way; ``None`` if none."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


def _defining_name(obj: Any, dotted: str) -> str | None:
    """``module.qualname`` of the definition of ``obj`` inside actbook, or ``None``."""
    if isinstance(obj, type(sys)):
        return obj.__name__ if obj.__name__.startswith("actbook") else None
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and module.startswith("actbook") and qualname:
        return f"{module}.{qualname}"
    # Data (a tuple, a mapping): the actbook module whose source assigns the name.
    name = dotted.rsplit(".", 1)[-1]
    assigned = re.compile(rf"^{re.escape(name)}\s*[:=]", re.M)
    for module_name, candidate in sorted(sys.modules.items()):
        if (module_name.startswith("actbook") and getattr(candidate, name, None) is obj
                and assigned.search(Path(candidate.__file__).read_text(encoding="utf-8"))):
            return f"{module_name}.{name}"
    return None


def resolve_actbook(app, env, node, contnode):
    """``missing-reference`` handler for Python references to actbook names."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    candidates = [target]
    if node.get("py:module"):
        candidates.append(f"{node['py:module']}.{target}")
    if node.get("py:class"):
        candidates.append(f"{node.get('py:module', '')}.{node['py:class']}.{target}")
    domain = env.get_domain("py")
    for candidate in candidates:
        if not candidate.startswith("actbook"):
            continue
        obj = _lookup(candidate)
        defining = _defining_name(obj, candidate) if obj is not None else None
        if defining is None or defining == target:
            continue
        new = node.deepcopy()
        new["reftarget"] = defining
        for role in (node["reftype"], "obj"):
            found = domain.resolve_xref(env, node["refdoc"], app.builder, role, defining, new,
                                        contnode)
            if found is not None:
                return found
    return None


def setup(app) -> dict:
    app.connect("missing-reference", resolve_actbook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


