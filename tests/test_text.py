"""actbook.text: the numbers of the book's prose."""

from __future__ import annotations

import math

import pytest

from actbook import text


def test_significant_and_minus():
    assert text.significant(0.018349) == "0.018" and text.significant(1.3e-13) == "1.3 × 10⁻¹³"
    assert text.significant(-2.46) == "−2.5" and text.significant(1234567.0, 3) == "1.23 × 10⁶"
    assert text.significant(-1.2e-5) == "−1.2 × 10⁻⁵"  # no padded exponent, a true minus
    assert text.significant(0.0718, 1) == "0.07"
    assert text.minus("-1.5e-07") == "−1.5e−07"


def test_superscript_and_powers_of_ten():
    assert text.superscript(-15) == "⁻¹⁵" and text.superscript(38) == "³⁸"
    assert text.power_of_ten_above(3.1e-16) == "10⁻¹⁵"
    assert text.power_of_ten_above(1e-15) == "10⁻¹⁵"  # at the power itself
    assert text.power_of_ten_above(20.0) == "10²"
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="positive finite"):
            text.power_of_ten_above(bad)


def test_scientific():
    assert text.scientific(3.2386221e38, 7) == "3.2386221 × 10³⁸"
    assert text.scientific(3.3e-8, 1) == "3.3 × 10⁻⁸"
    assert text.scientific(-1.7e38, 1) == "−1.7 × 10³⁸"


def test_within_quotes_the_bound_and_rejects_a_larger_error():
    assert text.within(3e-16, 1e-15) == "10⁻¹⁵" and text.within(1e-15, 1e-15) == "10⁻¹⁵"
    assert text.within(2e-13, 5e-13) == "5 × 10⁻¹³"
    for error in (2e-15, math.nan):
        with pytest.raises(ValueError, match="exceeds"):
            text.within(error, 1e-15)


def test_wrapped():
    out = text.wrapped("label", [f"item{i}" for i in range(20)], width=40, indent=8)
    lines = out.splitlines()
    assert lines[0].startswith("label   item0, item1")
    assert all(len(line) <= 40 for line in lines) and len(lines) > 1
    assert all(line.startswith(" " * 8) for line in lines[1:])


def test_comparison_word():
    assert text.comparison_word(1.39) == "faster than"
    assert text.comparison_word(0.8) == "slower than"
    assert text.comparison_word(1.04) == text.comparison_word(0.96) == "about as fast as"


def test_percent_joins_number_and_sign_with_a_narrow_no_break_space():
    assert text.percent(0.75) == "75\u202f%"
    assert text.percent(0.001348, decimals=3) == "0.135\u202f%"
    assert text.percent(-0.5) == "\u221250\u202f%"
    assert text.percent(1.0, decimals=1) == "100.0\u202f%"


def test_span_joins_positive_ends_by_a_dash_and_negative_ones_by_to():
    assert text.span([1.336, 0.972, 1.0]) == "0.97–1.34"
    assert text.span([0.05, -0.07], decimals=1) == "−0.1 to 0.1"
    assert text.span(v / 10 for v in (3, 1)) == "0.10–0.30"
    with pytest.raises(ValueError, match="no values"):
        text.span([])
