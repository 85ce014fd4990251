"""Numbers as the book's prose shows them: one module, so that every chapter formats alike.

Chapters glue these strings into their text (``myst_nb.glue``). Minus signs are typographic
(U+2212), exponents are superscripts, and a rounding-level error is quoted by the bound it
meets (:func:`within`), never by its digits, which differ between processors.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

__all__ = [
    "comparison_word",
    "minus",
    "percent",
    "power_of_ten_above",
    "scientific",
    "significant",
    "span",
    "superscript",
    "within",
    "wrapped",
]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant digits, as measured numbers are quoted in prose.

    Python's ``g`` format chooses between positional and exponent notation; an exponent is
    written ``m × 10ⁿ`` (:func:`scientific`), and every minus sign is typographic.

    Args:
        value: the number to format.
        digits: the number of significant digits (default 2).

    Returns:
        str: ``value`` with ``digits`` significant digits: ``"0.018"``, ``"−2.5"``,
        ``"1.3 × 10⁻¹³"``.

    Examples::

        >>> significant(0.018349), significant(-2.46), significant(1.3e-13)
        ('0.018', '−2.5', '1.3 × 10⁻¹³')
    """
    text = f"{value:.{digits}g}"
    if "e" in text and math.isfinite(value):
        mantissa, exponent = text.split("e")
        return f"{minus(mantissa)} × 10{superscript(int(exponent))}"
    return minus(text)


def percent(fraction: float, decimals: int = 0) -> str:
    """``fraction`` as a percentage, the one percent style of the book: ``"75 %"``.

    The number and the sign are joined by a narrow no-break space (U+202F), so a line never
    breaks between them, and a negative value gets a typographic minus.

    Args:
        fraction: the share, 1 for one hundred per cent.
        decimals: the digits after the decimal point (default 0).

    Returns:
        str: ``100 * fraction`` with ``decimals`` decimals, a narrow space and ``%``.

    Examples::

        >>> percent(0.75), percent(0.00135, decimals=3), percent(-0.5)
        ('75\u202f%', '0.135\u202f%', '−50\u202f%')
    """
    return f"{minus(f'{100 * fraction:.{decimals}f}')}\u202f%"


def span(values: Iterable[float], decimals: int = 2) -> str:
    """The range of ``values``, smallest to largest, in the book's style: joined by an en dash
    when both ends are positive or zero (``"0.97–1.34"``), by "to" otherwise, so that a minus
    sign is never read as a dash (``"−0.21 to −0.17"``).

    Args:
        values: the numbers, at least one.
        decimals: the digits after the decimal point (default 2).

    Returns:
        str: the two ends, formatted with :func:`minus`.

    Raises:
        ValueError: for no values.

    Examples::

        >>> span([1.34, 0.97, 1.0]), span([-0.17, -0.21]), span([0.5])
        ('0.97–1.34', '−0.21 to −0.17', '0.50–0.50')
    """
    values = list(values)
    if not values:
        raise ValueError("span: no values")
    low, high = min(values), max(values)
    ends = [minus(f"{v:.{decimals}f}") for v in (low, high)]
    return "–".join(ends) if low >= 0 else " to ".join(ends)


def minus(text: str) -> str:
    """``text`` with each hyphen-minus replaced by the typographic minus sign ``−``.

    Args:
        text: any string; every ``-`` in it is replaced, hyphens in words included.

    Returns:
        str: ``text`` with U+2212 in place of each ``-``.

    Examples::

        >>> minus("-0.5 to 1e-3")
        '−0.5 to 1e−3'
    """
    return text.replace("-", "−")


def superscript(exponent: int) -> str:
    """An integer in superscript digits: ``superscript(-15) == "⁻¹⁵"``.

    Args:
        exponent: the integer to write.

    Returns:
        str: the decimal digits of ``exponent`` as superscript characters, with a superscript
        minus ``⁻`` if it is negative.

    Examples::

        >>> superscript(-15), superscript(38)
        ('⁻¹⁵', '³⁸')
    """
    return str(exponent).translate(_SUPERSCRIPT)


def power_of_ten_above(value: float) -> str:
    """The smallest power of ten at or above a positive ``value``, as text.

    Args:
        value: a positive, finite number.

    Returns:
        str: ``"10"`` followed by the exponent, ``ceil(log10(value))``, in superscript
        digits.

    Raises:
        ValueError: if ``value`` is not positive and finite.

    Examples::

        >>> power_of_ten_above(3.1e-16)
        '10⁻¹⁵'
    """
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"power_of_ten_above: need a positive finite value, got {value!r}")
    return "10" + superscript(math.ceil(math.log10(value)))


def scientific(value: float, digits: int) -> str:
    """``value`` as ``m × 10ᵉ`` with ``digits`` digits after the point.

    Args:
        value: the number to format.
        digits: the number of digits of the mantissa after the decimal point.

    Returns:
        str: the mantissa (typographic minus sign if negative), ``" × 10"`` and the exponent
        in superscript digits.

    Examples::

        >>> scientific(3.2386221e38, 7), scientific(-3.3e-8, 1)
        ('3.2386221 × 10³⁸', '−3.3 × 10⁻⁸')
    """
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{minus(mantissa)} × 10{superscript(int(exponent))}"


def within(error: float, tolerance: float) -> str:
    """The bound ``tolerance`` as text (``"10⁻¹⁵"``), after checking that ``error`` meets it.

    A rounding-level error (an identity checked in float64, say) differs from one processor to
    the next, so a page quotes the bound it must meet, and the cell fails where it does not.

    Args:
        error: the measured error.
        tolerance: the bound the error must not exceed, a round power of ten such as ``1e-15``.

    Returns:
        str: ``tolerance`` to one significant digit as :func:`significant` writes it, a power
        of ten alone where the digit is 1 (``"10⁻¹⁵"``, ``"5 × 10⁻¹³"``).

    Raises:
        ValueError: if ``error`` exceeds ``tolerance`` (or is NaN).

    Examples::

        >>> within(3e-17, 1e-15), within(2e-13, 5e-13)
        ('10⁻¹⁵', '5 × 10⁻¹³')
    """
    if not error <= tolerance:
        raise ValueError(f"error {error:.1e} exceeds {tolerance:.0e}")
    text = significant(tolerance, 1)
    return text.removeprefix("1 × ")


def wrapped(label: str, items: Sequence[str], width: int = 78, indent: int = 15) -> str:
    """``items`` joined by commas and wrapped to ``width``, after ``label`` in a column of
    ``indent`` characters (continuation lines are indented as far).

    Args:
        label: the text of the first column, padded with spaces to ``indent`` characters (a
            longer label is not cut, and pushes the first line's items to the right).
        items: the strings to list.
        width: the largest length of a line, in characters (default 78).
        indent: the width of the label column and the indentation of continuation lines
            (default 15).

    Returns:
        str: the lines joined by newlines, without a trailing newline.

    Examples::

        >>> names = ["step", "sigmoid", "tanh", "softmax"]
        >>> print(wrapped("sigmoid era", names, width=34))
        sigmoid era    step, sigmoid,
                       tanh, softmax
    """
    return textwrap.fill(", ".join(items), width=width, initial_indent=f"{label:{indent}s}",
                         subsequent_indent=" " * indent)


def comparison_word(speedup: float, tolerance: float = 0.05) -> str:
    """How a speed-up over a baseline reads in a sentence: ``"faster than"``, ``"slower
    than"``, or ``"about as fast as"`` within ``tolerance`` of 1.

    Args:
        speedup: the baseline's time divided by the time compared with it (above 1: faster).
        tolerance: how far from 1 a speed-up still reads as "about as fast as", strictly
            (default 0.05).

    Returns:
        str: ``"about as fast as"``, ``"faster than"`` or ``"slower than"``.

    Examples::

        >>> comparison_word(1.8), comparison_word(0.97), comparison_word(0.5)
        ('faster than', 'about as fast as', 'slower than')
    """
    if abs(speedup - 1) < tolerance:
        return "about as fast as"
    return "faster than" if speedup > 1 else "slower than"
