"""A Sphinx extension: links to chapters that may not be written yet.

The chapters are written in book order, and an early one often points ahead ("Chapter 3 returns
to it"). A plain ``{doc}`` link to a page that does not exist fails the build, and plain text
stays plain when the chapter lands. The ``chapter`` role is a ``{doc}`` link while the page
exists and its title followed by "(in preparation)" while it does not, so every forward
reference turns into a link the day its chapter is added, without a change to the text::

    {chapter}`Chapter 3 <03_rectifiers>` returns to it.

The target is a document name relative to the page, as for ``{doc}``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import ReferenceRole

#: The words after the title of a chapter that is not in the book yet.
PLANNED = "(in preparation)"


class ChapterRole(ReferenceRole):
    """``{chapter}`Title <docname>``` : a link when the page exists, plain text otherwise."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        title = self.title if self.has_explicit_title else self.target
        xref = addnodes.pending_xref(
            self.rawtext, refdomain="std", reftype="doc", reftarget=self.target,
            refexplicit=True, refwarn=True, refdoc=self.env.docname, actbook_planned=True)
        xref += nodes.inline(self.rawtext, title, classes=["xref", "std", "std-doc"])
        return [xref], []


def _planned_text(app, env, node: addnodes.pending_xref, contnode: nodes.Element):
    """The title and :data:`PLANNED` for a ``chapter`` reference whose page is missing."""
    if not node.get("actbook_planned"):
        return None
    return nodes.inline("", f"{contnode.astext()} {PLANNED}", classes=["planned-chapter"])


def setup(app) -> dict:
    app.add_role("chapter", ChapterRole())
    app.connect("missing-reference", _planned_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
