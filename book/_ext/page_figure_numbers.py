"""A Sphinx extension: figures of unnumbered pages are numbered page by page.

The chapters are numbered, so their figures read "Fig. 2.3". The appendices are not, and
Sphinx then numbers their figures with one counter across all of them: the kernels appendix
began at "Fig. 2" because the accuracy appendix has one figure. After Sphinx has assigned the
numbers, each page whose numbers have no chapter part gets its own count from 1, and references
to the figures read the same numbers.
"""

from __future__ import annotations


def number_page_by_page(app, env) -> list[str]:
    """Renumber from 1 the figures, tables and code blocks of every page without a section
    number, in their order on the page."""
    for numbers_by_kind in env.toc_fignumbers.values():
        for numbers in numbers_by_kind.values():
            if numbers and all(len(number) == 1 for number in numbers.values()):
                in_order = sorted(numbers, key=numbers.__getitem__)
                for new, node_id in enumerate(in_order, start=1):
                    numbers[node_id] = (new,)
    return []


def setup(app) -> dict:
    # after the toctree collector, which assigns the numbers on the same event
    app.connect("env-get-updated", number_page_by_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
