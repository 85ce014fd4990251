"""A Sphinx extension: bibliography labels in the author–year form the citations use.

The book cites as "[Vaswani et al., 2017]" (``bibtex_reference_style: author_year``), but
pybtex's ``plain`` style labels the list [1], [2], ...: a reader who sees a citation cannot find
it by its label. The ``authoryear`` style sorts as ``plain`` does and labels each entry as its
citations read: "Vaswani et al., 2017", "Glorot and Bengio, 2010".
"""

from __future__ import annotations

import re

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    return re.sub(r"[{}\\]", "", " ".join(person.prelast_names + person.last_names))


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "First, year", "First and Second, year" or "First et al., year"; works that
    would share a label get "a", "b", ... after the year, in the list's order."""

    def format_labels(self, sorted_entries):
        labels = list(self._labels(sorted_entries))
        used: dict[str, int] = {}
        for label in labels:
            if labels.count(label) == 1:
                yield label
            else:
                used[label] = used.get(label, 0) + 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[used[label] - 1]

    def _labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_last_name(p) for p in people if _last_name(p) != "others"]
            if not names:
                who = re.sub(r"[{}]", "", entry.fields.get("title", entry.key))[:30]
            elif len(names) == 1 and len(people) == 1:
                who = names[0]
            elif len(names) == 2 and len(people) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            yield f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` formatting and sorting, with :class:`AuthorYearLabelStyle` labels."""

    default_label_style = "authoryear"


register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def setup(app) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
