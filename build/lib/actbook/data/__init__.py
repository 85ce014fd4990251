"""Data shipped with actbook, so that nothing is downloaded at run time.

``pydoc_topics.txt.gz`` is the text of the help topics of the Python documentation, as the
standard library's ``pydoc_data.topics`` module holds them in CPython 3.11.7: the 79 topics in
the order of their names, each followed by a blank line, 466,275 bytes of UTF-8. The Python
documentation is distributed under the PSF License Version 2 (its code examples also under the
Zero-Clause BSD licence); copyright the Python Software Foundation. A copy is committed rather
than read from ``pydoc_data`` so that every Python version trains on the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

__all__ = ["PYDOC_TOPICS_SHA256", "pydoc_topics"]

#: SHA-256 of the uncompressed text that :func:`pydoc_topics` returns.
PYDOC_TOPICS_SHA256 = "fe9b4ed9d54db922353d02300c0774db017dbf8cdf92b3de9640d98caaa681e8"


def pydoc_topics() -> bytes:
    """The help topics of the Python 3.11.7 documentation as one UTF-8 text (466,275 bytes).

    Returns:
        bytes: the text, checked against :data:`PYDOC_TOPICS_SHA256`.

    Raises:
        RuntimeError: if the shipped file does not hash to :data:`PYDOC_TOPICS_SHA256`.

    Examples::

        >>> pydoc_topics()[:22]
        b'The "assert" statement'
    """
    with resources.files(__name__).joinpath("pydoc_topics.txt.gz").open("rb") as packed:
        text = gzip.decompress(packed.read())
    if hashlib.sha256(text).hexdigest() != PYDOC_TOPICS_SHA256:
        raise RuntimeError("actbook.data: pydoc_topics.txt.gz is not the file actbook shipped")
    return text
