"""The formulas the registry shows (``info(name).formula`` and ``.derivative_formula``, rendered
in the book) compute the functions they name.

Each LaTeX formula of an elementwise activation is translated to a SymPy expression: the
notation the registry uses (σ, Φ, φ, softplus, ReLU6, max, min, e^{…}, \\tfrac, \\sqrt, "A = B"
for two forms of one function, ", k = 1.702" for a binding) and nothing more, so that a formula
outside it fails loudly instead of being checked loosely. Both sides of an "=" must agree with
actbook's function (or derivative) on a float64 grid. Piecewise formulas written in words
("1 if x > 0 else a"), the gated units and softmax are listed as not translated.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import sympy
import torch
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

import actbook

TRANSFORMATIONS = (*standard_transformations, implicit_multiplication_application, convert_xor)
#: Notation the translation leaves alone: piecewise formulas in words, cases, sums, products.
NOT_TRANSLATED = ("\\text", "\\mathbb", "\\odot", "\\partial", "\\sum", "\\le", "\\ge", "\\ne",
                  "u'", "<")
#: Symbols of the formulas that stand for a parameter of the function.
PARAMETER = {"a": "negative_slope", "s": "scale", "b": "bias", "beta": "beta", "c": "cap",
             "alpha": "alpha"}
NAMES = {name: sympy.Function(name) for name in ("sigma", "Phi", "varphi", "softplus", "ReLU6")}
NAMES |= {name: sympy.Symbol(name) for name in ("x", "a", "b", "c", "k", "s", "beta", "alpha")}
NUMERIC = {
    "sigma": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "Phi": lambda v: 0.5 * np.vectorize(math.erfc)(-v / math.sqrt(2.0)),
    "varphi": lambda v: np.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi),
    "softplus": lambda v: np.logaddexp(v, 0.0),
    "ReLU6": lambda v: np.clip(v, 0.0, 6.0),
    "Max": np.maximum,
    "Min": np.minimum,
}
GRID = np.linspace(-5.0, 5.0, 201)


def to_sympy_text(latex: str) -> str:
    r"""The registry's LaTeX as text for SymPy's parser (``\sigma(x)(1-\sigma(x))`` becomes
    ``sigma(x)(1-sigma(x))``, which implicit multiplication reads as a product)."""
    s = re.sub(r"\\tanh\^2\s*(\w)", r"(tanh(\1))^2", latex)
    s = re.sub(r"\\tfrac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
    s = re.sub(r"\\tfrac(\d)(\d)", r"(\1/\2)", s)
    s = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", s)
    s = re.sub(r"\\operatorname\{(\w+)\}", r" \1", s)
    s = re.sub(r"e\^\{([^{}]*)\}", r" exp(\1)", s)
    for tex, name in (("\\bigl(", "("), ("\\bigr)", ")"), ("\\,", " "), ("\\ ", " "),
                      ("\\sigma", " sigma"), ("\\tanh", " tanh"), ("\\varphi", " varphi"),
                      ("\\Phi", " Phi"), ("\\max", " Max"), ("\\min", " Min"),
                      ("\\log", " log"), ("\\beta", " beta "), ("\\alpha", " alpha "),
                      ("\\pi", " pi"),
                      ("{", "("), ("}", ")")):
        s = s.replace(tex, name)
    if "\\" in s:
        raise ValueError(f"untranslated LaTeX in {latex!r}: {s!r}")
    return s


def _top_level_split(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p.strip() for p in parts + [text[start:]]]


def expressions(latex: str) -> list[sympy.Expr]:
    """Every form of the function a formula gives: the sides of "A = B", with the bindings
    after a top-level comma ("…, k = 1.702") substituted."""
    main, *bindings = _top_level_split(to_sympy_text(latex), ",")
    substitutions = {}
    for binding in bindings:
        name, value = (side.strip() for side in binding.split("="))
        substitutions[NAMES[name]] = parse_expr(value, NAMES, TRANSFORMATIONS)
    return [parse_expr(side, NAMES, TRANSFORMATIONS).subs(substitutions)
            for side in main.split("=")]


def _cases() -> list[tuple[str, str]]:
    return [(name, which) for name in actbook.names(kind="elementwise")
            for which in ("formula", "derivative_formula")]


def _translated(name: str, which: str) -> bool:
    return not any(token in getattr(actbook.info(name), which) for token in NOT_TRANSLATED)


@pytest.mark.parametrize("name, which", [c for c in _cases() if _translated(*c)])
def test_formula_computes_the_function(name: str, which: str) -> None:
    meta = actbook.info(name)
    latex = getattr(meta, which)
    reference = meta.function if which == "formula" else meta.derivative
    expected = reference(torch.tensor(GRID)).numpy()
    parameters = {NAMES[symbol]: meta.params[p] for symbol, p in PARAMETER.items()
                  if p in meta.params}
    for expression in expressions(latex):
        concrete = expression.subs(parameters)
        assert concrete.free_symbols <= {NAMES["x"]}, f"{latex}: unbound {concrete.free_symbols}"
        value = sympy.lambdify(NAMES["x"], concrete, [NUMERIC, "numpy"])
        got = np.broadcast_to(value(GRID), GRID.shape)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=latex)


def test_most_formulas_are_checked() -> None:
    """The piecewise formulas in words are the only ones left out, and fewer than half; a new
    formula in the translated notation is checked without being listed here."""
    skipped = {f"{n}.{w}" for n, w in _cases() if not _translated(n, w)}
    assert len(skipped) < len(_cases()) / 2, sorted(skipped)


def test_a_wrong_formula_is_caught() -> None:
    """σ(1 + σ) instead of σ(1 − σ), and Mish with x/(1 + x²) in place of softplus, both fail
    the comparison the test above makes."""
    x = torch.tensor(GRID)
    for latex, reference in ((r"\sigma(x)(1+\sigma(x))", actbook.derivative("sigmoid")),
                             (r"x \tanh(x/(1 + x^2))", actbook.get("mish"))):
        (expression,) = expressions(latex)
        got = sympy.lambdify(NAMES["x"], expression, [NUMERIC, "numpy"])(GRID)
        assert not np.allclose(got, reference(x).numpy(), rtol=1e-6)


def test_untranslated_notation_is_an_error() -> None:
    with pytest.raises(ValueError, match="untranslated"):
        to_sympy_text(r"\operatorname{erf}(x) + \gamma")
