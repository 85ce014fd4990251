"""A Sphinx extension: each script once per page.

sphinx-togglebutton and sphinx-thebe, as Jupyter Book 1 sets them up, each add their inline
configuration script twice, and the second ``const THEBE_JS_URL`` throws a SyntaxError in every
reader's console. This drops repeated scripts (same file, same attributes, same inline body)
from each page before it is written.
"""

from __future__ import annotations

from typing import Any


def _key(script: Any) -> tuple:
    """File and attributes; an inline script's file is ``None`` or ``""``, by who added it."""
    attributes = getattr(script, "attributes", {})
    filename = getattr(script, "filename", script) or ""
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` handler: keep the first of each identical script."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app) -> dict:
    app.connect("html-page-context", drop_repeated_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
