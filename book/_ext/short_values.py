"""A Sphinx extension: module constants show their value only when it is short.

autodoc prints a module-level value in full, so a registry (a ``mappingproxy`` of records) fills
twenty lines of the API page with its ``repr``. Values whose ``repr`` is longer than
:data:`LIMIT` characters are left out; their docstring says what they hold.
"""

from __future__ import annotations

from sphinx.ext.autodoc import DataDocumenter
from sphinx.util.inspect import object_description

#: The longest value printed, in characters.
LIMIT = 80


class ShortValueDataDocumenter(DataDocumenter):
    """:class:`~sphinx.ext.autodoc.DataDocumenter` without long values."""

    priority = DataDocumenter.priority + 1

    def should_suppress_value_header(self) -> bool:
        try:
            long = len(object_description(self.object)) > LIMIT
        except Exception:  # a repr that fails says nothing to a reader either
            long = True
        return long or super().should_suppress_value_header()


def setup(app) -> dict:
    app.setup_extension("sphinx.ext.autodoc")
    app.add_autodocumenter(ShortValueDataDocumenter, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
