"""A Sphinx extension: the built site without the theme's JavaScript source maps.

The theme ships ``.map`` files (about 3 MiB) that only a browser's developer tools request; a
reader's download of the site, or a mirror of it, is lighter without them.
"""

from __future__ import annotations

from pathlib import Path


def drop_source_maps(app, exception) -> None:
    """``build-finished`` handler: remove ``_static/**/*.map`` from an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir, "_static").rglob("*.map"):
        path.unlink()


def setup(app) -> dict:
    app.connect("build-finished", drop_source_maps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
