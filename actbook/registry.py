"""The registry: one entry per activation, with its function, derivative and metadata.

``get(name)`` returns the function, ``derivative(name)`` its analytic derivative, ``info(name)``
the metadata and ``names()`` the canonical names in the book's order. Names are looked up
case-insensitively, with ``-`` and spaces read as ``_``, and through aliases, including the
strings Hugging Face configs and timm pass (``gelu_new``, ``quick_gelu``, ``relu2``, ...).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from actbook import derivatives as D
from actbook import functional as F

Generation = Literal["sigmoid", "rectifier", "smooth", "gated", "hardware"]
Kind = Literal["elementwise", "vector", "gated"]

#: The article's four eras plus its section on hardware-aware activations, in book order.
GENERATIONS: tuple[Generation, ...] = ("sigmoid", "rectifier", "smooth", "gated", "hardware")


@dataclass(frozen=True)
class ActivationInfo:
    """Metadata of one activation.

    ``formula`` and ``derivative_formula`` are LaTeX (no surrounding ``$``); ``citation`` is a
    key of ``book/references.bib``; ``params`` maps each parameter to its default; ``kind`` is
    ``"elementwise"``, ``"vector"`` (softmax) or ``"gated"`` (takes gate and value).
    """

    name: str
    display_name: str
    formula: str
    derivative_formula: str
    year: int
    citation: str
    generation: Generation
    family: str
    kind: Kind = "elementwise"
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    aliases: tuple[str, ...] = ()
    torch_equivalent: str | None = None

    @property
    def function(self) -> Callable[..., Any]:
        """The function in :mod:`actbook.functional`."""
        return getattr(F, self.name)

    @property
    def derivative(self) -> Callable[..., Any]:
        """The analytic derivative in :mod:`actbook.derivatives`."""
        return getattr(D, self.name)


def _entry(name: str, display: str, formula: str, deriv: str, year: int, cite: str,
           generation: Generation, family: str, *, kind: Kind = "elementwise",
           params: dict[str, Any] | None = None, aliases: tuple[str, ...] = (),
           torch: str | None = None) -> ActivationInfo:
    return ActivationInfo(name, display, formula, deriv, year, cite, generation, family, kind,
                          MappingProxyType(dict(params or {})), aliases, torch)


_SIG = r"\sigma(x) = 1/(1+e^{-x})"
_ENTRIES = (
    _entry("step", "Binary step", r"\mathbb{1}[x \ge \theta]", r"0 \ (x \ne \theta)", 1943,
           "mcculloch1943logical", "sigmoid", "threshold", params={"threshold": 0.0},
           aliases=("heaviside", "binary_step", "threshold")),
    _entry("sigmoid", "Sigmoid", _SIG, r"\sigma(x)(1-\sigma(x))", 1986,
           "rumelhart1986learning", "sigmoid", "sigmoidal", aliases=("logistic",),
           torch="torch.sigmoid"),
    _entry("tanh", "Tanh", r"\tanh x = 2\sigma(2x) - 1", r"1 - \tanh^2 x", 1998,
           "lecun1998efficient", "sigmoid", "sigmoidal", torch="torch.tanh"),
    _entry("softmax", "Softmax", r"e^{x_i/T} / \textstyle\sum_j e^{x_j/T}",
           r"\partial p_i/\partial x_j = p_i(\delta_{ij} - p_j)/T", 1990,
           "bridle1990probabilistic", "sigmoid", "normaliser", kind="vector",
           params={"dim": None, "temperature": 1.0}, torch="torch.softmax"),
    _entry("relu", "ReLU", r"\max(0, x)", r"\mathbb{1}[x > 0]", 2010, "nair2010rectified",
           "rectifier", "piecewise linear", aliases=("rectifier",), torch="torch.relu"),
    _entry("leaky_relu", "Leaky ReLU", r"\max(x, ax)", r"1 \text{ if } x > 0 \text{ else } a",
           2013, "maas2013rectifier", "rectifier", "piecewise linear",
           params={"negative_slope": 0.01}, aliases=("leakyrelu", "lrelu"),
           torch="torch.nn.functional.leaky_relu"),
    _entry("prelu", "PReLU", r"\max(x, a_c x),\ a_c \text{ learned}",
           r"1 \text{ if } x > 0 \text{ else } a_c", 2015, "he2015delving", "rectifier",
           "piecewise linear", params={"weight": 0.25}, torch="torch.nn.functional.prelu"),
    _entry("elu", "ELU", r"x \text{ if } x > 0 \text{ else } \alpha(e^x - 1)",
           r"1 \text{ if } x > 0 \text{ else } \alpha e^x", 2015, "clevert2015fast",
           "rectifier", "exponential linear", params={"alpha": 1.0},
           torch="torch.nn.functional.elu"),
    _entry("selu", "SELU", r"\lambda\,(x \text{ if } x > 0 \text{ else } \alpha(e^x - 1))",
           r"\lambda \text{ if } x > 0 \text{ else } \lambda\alpha e^x", 2017,
           "klambauer2017self", "rectifier", "exponential linear",
           torch="torch.nn.functional.selu"),
    _entry("gelu", "GELU", r"x\,\Phi(x)", r"\Phi(x) + x\,\varphi(x)", 2016,
           "hendrycks2016gaussian", "smooth", "self-gated",
           aliases=("gelu_exact", "gelu_python", "gelu_erf"), torch="torch.nn.functional.gelu"),
    _entry("gelu_tanh", "GELU (tanh)",
           r"\tfrac{x}{2}\bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715x^3)\bigr)\bigr)",
           r"\sigma(2u) + 2x\,\sigma(2u)(1-\sigma(2u))\,u'", 2016, "hendrycks2016gaussian",
           "smooth", "self-gated",
           aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate",
                    "gelu_approximate", "approx_gelu"),
           torch="torch.nn.functional.gelu(x, approximate='tanh')"),
    _entry("gelu_sigmoid", "GELU (sigmoid)", r"x\,\sigma(1.702x)",
           r"\sigma(kx) + kx\,\sigma(kx)(1-\sigma(kx)),\ k = 1.702", 2016,
           "hendrycks2016gaussian", "smooth", "self-gated", aliases=("quick_gelu", "quickgelu")),
    _entry("silu", "SiLU", r"x\,\sigma(x)", r"\sigma(x)\,(1 + x(1 - \sigma(x)))", 2017,
           "elfwing2017sigmoid", "smooth", "self-gated", aliases=("swish1", "swish_1"),
           torch="torch.nn.functional.silu"),
    _entry("swish", "Swish", r"x\,\sigma(\beta x)",
           r"\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))", 2017,
           "ramachandran2017searching", "smooth", "self-gated", params={"beta": 1.0}),
    _entry("mish", "Mish", r"x \tanh(\operatorname{softplus}(x))",
           r"\tanh(s) + x\,\sigma(x)(1 - \tanh^2 s),\ s = \operatorname{softplus}(x)", 2019,
           "misra2019mish", "smooth", "self-gated", torch="torch.nn.functional.mish"),
    _entry("softplus", "Softplus", r"\tfrac{1}{\beta}\log(1 + e^{\beta x})", r"\sigma(\beta x)",
           2001, "dugas2001incorporating", "smooth", "smooth rectifier", params={"beta": 1.0},
           torch="torch.nn.functional.softplus"),
    _entry("hardsigmoid", "HardSigmoid", r"\operatorname{ReLU6}(x + 3)/6",
           r"\tfrac16 \text{ on } (-3, 3) \text{ else } 0", 2019, "howard2019searching",
           "hardware", "piecewise linear", aliases=("hard_sigmoid", "hsigmoid", "h_sigmoid"),
           torch="torch.nn.functional.hardsigmoid"),
    _entry("hardswish", "HardSwish", r"x\,\operatorname{ReLU6}(x + 3)/6",
           r"0 \ (x \le -3);\ (2x + 3)/6 \ (|x| < 3);\ 1 \ (x \ge 3)", 2019,
           "howard2019searching", "hardware", "self-gated",
           aliases=("hard_swish", "hswish", "h_swish"), torch="torch.nn.functional.hardswish"),
    _entry("relu6", "ReLU6", r"\min(\max(0, x), 6)", r"\mathbb{1}[0 < x < 6]", 2010,
           "krizhevsky2010convolutional", "hardware", "piecewise linear",
           torch="torch.nn.functional.relu6"),
    _entry("squared_relu", "Squared ReLU", r"\max(0, x)^2", r"2\max(0, x)", 2021,
           "so2021primer", "hardware", "power",
           aliases=("relu2", "relu_squared", "relu_sq", "relusquared", "sqrelu")),
    _entry("star_relu", "StarReLU", r"s\,\max(0, x)^2 + b", r"2s\max(0, x)", 2022,
           "yu2022metaformer", "hardware", "power",
           params={"scale": F.STAR_RELU_SCALE, "bias": F.STAR_RELU_BIAS},
           aliases=("starrelu",)),
    _entry("glu", "GLU", r"\sigma(g) \odot v", r"(\sigma'(g)\,v,\ \sigma(g))", 2016,
           "dauphin2017language", "gated", "gated linear unit", kind="gated",
           torch="torch.nn.functional.glu (gate = second half)"),
    _entry("reglu", "ReGLU", r"\max(0, g) \odot v", r"(\mathbb{1}[g > 0]\,v,\ \max(0, g))",
           2020, "shazeer2020glu", "gated", "gated linear unit", kind="gated"),
    _entry("geglu", "GEGLU", r"\operatorname{GELU}(g) \odot v",
           r"(\operatorname{GELU}'(g)\,v,\ \operatorname{GELU}(g))", 2020, "shazeer2020glu",
           "gated", "gated linear unit", kind="gated", params={"approximate": "none"}),
    _entry("swiglu", "SwiGLU", r"\operatorname{SiLU}(g) \odot v",
           r"(\operatorname{SiLU}'(g)\,v,\ \operatorname{SiLU}(g))", 2020, "shazeer2020glu",
           "gated", "gated linear unit", kind="gated"),
    _entry("bilinear", "Bilinear", r"g \odot v", r"(v,\ g)", 2020, "shazeer2020glu", "gated",
           "gated linear unit", kind="gated"),
)

REGISTRY: MappingProxyType = MappingProxyType({e.name: e for e in _ENTRIES})
_ALIASES: dict[str, str] = {a: e.name for e in _ENTRIES for a in e.aliases}


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def canonical_name(name: str) -> str:
    """The canonical name for ``name`` or one of its aliases; ``KeyError`` with suggestions."""
    if not isinstance(name, str):
        raise TypeError(f"activation names are strings, got {type(name).__name__}")
    key = _normalise(name)
    if key in REGISTRY:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, [*REGISTRY, *_ALIASES], n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise KeyError(
        f"unknown activation {name!r}{hint} (actbook.names() lists the {len(REGISTRY)} "
        "canonical names)"
    )


def names(generation: Generation | None = None, kind: Kind | None = None) -> list[str]:
    """Canonical names in book order, optionally only one generation or kind."""
    return [e.name for e in _ENTRIES
            if (generation is None or e.generation == generation)
            and (kind is None or e.kind == kind)]


def info(name: str) -> ActivationInfo:
    """The :class:`ActivationInfo` of an activation, by name or alias."""
    return REGISTRY[canonical_name(name)]


def get(name: str) -> Callable[..., Any]:
    """The activation function of :mod:`actbook.functional`, by name or alias."""
    return info(name).function


def derivative(name: str) -> Callable[..., Any]:
    """The analytic derivative of :mod:`actbook.derivatives`, by name or alias."""
    return info(name).derivative
