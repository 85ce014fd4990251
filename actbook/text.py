"""Numbers as the book's prose shows them: one module, so that every chapter formats alike.

Chapters glue these strings into their text (``myst_nb.glue``). Minus signs are typographic
(U+2212), exponents are superscripts, and a rounding-level error is quoted by the bound it
meets (:func:`within`), never by its digits, which differ between processors.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

__all__ = [
    "comparison_word",
    "minus",
    "power_of_ten_above",
    "scientific",
    "significant",
    "superscript",
    "within",
    "wrapped",
]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant digits (``"%.2g"``), as measured numbers are quoted.

    Examples::

        >>> significant(0.018349), significant(1.3e-13)
        ('0.018', '1.3e-13')
    """
    return f"{value:.{digits}g}"


def minus(text: str) -> str:
    """``text`` with each hyphen-minus replaced by the typographic minus sign ``−``."""
    return text.replace("-", "−")


def superscript(exponent: int) -> str:
    """An integer in superscript digits: ``superscript(-15) == "⁻¹⁵"``."""
    return str(exponent).translate(_SUPERSCRIPT)


def power_of_ten_above(value: float) -> str:
    """The smallest power of ten at or above a positive ``value``, as text.

    Examples::

        >>> power_of_ten_above(3.1e-16)
        '10⁻¹⁵'

    Raises:
        ValueError: if ``value`` is not positive and finite.
    """
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"power_of_ten_above: need a positive finite value, got {value!r}")
    return "10" + superscript(math.ceil(math.log10(value)))


def scientific(value: float, digits: int) -> str:
    """``value`` as ``m × 10ᵉ`` with ``digits`` digits after the point.

    Examples::

        >>> scientific(3.2386221e38, 7), scientific(-3.3e-8, 1)
        ('3.2386221 × 10³⁸', '−3.3 × 10⁻⁸')
    """
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{minus(mantissa)} × 10{superscript(int(exponent))}"


def within(error: float, tolerance: float) -> str:
    """The bound ``tolerance`` as text (``"1e-15"``), after checking that ``error`` meets it.

    A rounding-level error (an identity checked in float64, say) differs from one processor to
    the next, so a page quotes the bound it must meet, and the cell fails where it does not.

    Raises:
        ValueError: if ``error`` exceeds ``tolerance`` (or is NaN).
    """
    if not error <= tolerance:
        raise ValueError(f"error {error:.1e} exceeds {tolerance:.0e}")
    return f"{tolerance:.0e}"


def wrapped(label: str, items: Sequence[str], width: int = 78, indent: int = 15) -> str:
    """``items`` joined by commas and wrapped to ``width``, after ``label`` in a column of
    ``indent`` characters (continuation lines are indented as far)."""
    return textwrap.fill(", ".join(items), width=width, initial_indent=f"{label:{indent}s}",
                         subsequent_indent=" " * indent)


def comparison_word(speedup: float, tolerance: float = 0.05) -> str:
    """How a speed-up over a baseline reads in a sentence: ``"faster than"``, ``"slower
    than"``, or ``"about as fast as"`` within ``tolerance`` of 1."""
    if abs(speedup - 1) < tolerance:
        return "about as fast as"
    return "faster than" if speedup > 1 else "slower than"
