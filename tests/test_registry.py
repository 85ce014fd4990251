"""The registry: canonical names, complete metadata, aliases and filters."""

from __future__ import annotations

import datetime
import importlib
import inspect
import re
from pathlib import Path

import pytest
import torch

import actbook
from actbook import derivatives as D
from actbook import functional as F
from actbook.registry import ActivationInfo

CANONICAL = actbook.names()

#: Where some activations belong: a sample that pins the filters, not a list to keep complete.
MEMBERS = {
    "step": ("sigmoid", "elementwise"),
    "softmax": ("sigmoid", "rowwise"),
    "relu": ("rectifier", "elementwise"),
    "gelu": ("smooth", "elementwise"),
    "swiglu": ("gated", "gated"),
    "hardswish": ("hardware", "elementwise"),
}

#: Names passed by Hugging Face configs (ACT2FN), timm and papers, and what they mean.
ALIASES = {
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "gelu_accurate": "gelu_tanh",
    "gelu_python": "gelu",
    "quick_gelu": "gelu_sigmoid",
    "relu2": "squared_relu",
    "hard_swish": "hardswish",
    "hard_sigmoid": "hardsigmoid",
    "swish": "swish",
    "silu": "silu",
    "leakyrelu": "leaky_relu",
    "heaviside": "step",
    "logistic": "sigmoid",
    "starrelu": "star_relu",
}

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


def test_canonical_names_are_the_registry_in_book_order() -> None:
    assert list(actbook.REGISTRY) == CANONICAL
    assert len(set(CANONICAL)) == len(CANONICAL)
    assert CANONICAL[:2] == ["step", "sigmoid"]  # the book starts with McCulloch and Pitts


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        actbook.REGISTRY["relu"] = actbook.info("relu")  # type: ignore[index]
    with pytest.raises(AttributeError):
        actbook.info("relu").year = 2000  # type: ignore[misc]


@pytest.mark.parametrize("name", CANONICAL)
def test_info_is_complete(name: str) -> None:
    meta = actbook.info(name)
    assert isinstance(meta, ActivationInfo) and meta.name == name
    for text in (meta.display_name, meta.formula, meta.derivative_formula, meta.family):
        assert isinstance(text, str) and text.strip()
    for latex in (meta.formula, meta.derivative_formula):
        assert latex.count("{") == latex.count("}") and "$" not in latex
    assert isinstance(meta.year, int) and 1940 <= meta.year <= datetime.date.today().year
    assert re.fullmatch(r"[a-z]+\d{4}[a-z]+", meta.citation)
    assert meta.generation in actbook.GENERATIONS
    assert meta.kind in actbook.KINDS
    assert (meta.kind == "gated") == (meta.gated is not None)
    assert isinstance(meta.aliases, tuple)


@pytest.mark.parametrize("name", CANONICAL)
def test_citation_is_in_the_bibliography(name: str) -> None:
    if not BIB.exists():
        pytest.skip("book/references.bib is not written yet")
    keys = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8")))
    assert actbook.info(name).citation in keys


def _parameters(fn, name: str) -> dict[str, object]:
    """The parameters after the input(s), with their defaults, but PyTorch's ``inplace`` and,
    of a gated unit, PyTorch's ``dim`` of a packed input (ways of calling the function, not
    parameters of the activation)."""
    gated = actbook.info(name).kind == "gated"
    calling = {"inplace", "dim"} if gated else {"inplace"}
    parameters = list(inspect.signature(fn).parameters.values())[2 if gated else 1:]
    return {p.name: p.default for p in parameters if p.name not in calling}


@pytest.mark.parametrize("name", CANONICAL)
def test_params_match_the_function_signature(name: str) -> None:
    meta = actbook.info(name)
    assert dict(meta.params) == _parameters(meta.function, name)


@pytest.mark.parametrize("name", CANONICAL)
def test_derivative_takes_the_same_parameters(name: str) -> None:
    ours, theirs = _parameters(actbook.derivative(name), name), _parameters(actbook.get(name), name)
    if actbook.info(name).kind == "rowwise":  # the Jacobian's dim defaults to -1; f needs dim
        assert (ours.pop("dim"), theirs.pop("dim")) == (-1, None)
    assert ours == theirs


@pytest.mark.parametrize("name", CANONICAL)
def test_lookups_return_the_module_functions(name: str) -> None:
    assert actbook.get(name) is getattr(F, name) is actbook.info(name).function
    assert actbook.derivative(name) is getattr(D, name) is actbook.info(name).derivative
    assert name in F.__all__


def _resolve(dotted: str) -> object:
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("name", CANONICAL)
def test_torch_equivalent_names_a_real_function(name: str) -> None:
    equivalent = actbook.info(name).torch_equivalent
    if equivalent is None:
        return
    dotted = re.match(r"[\w.]+", equivalent).group(0)
    assert callable(_resolve(dotted))


@pytest.mark.parametrize("name", CANONICAL)
def test_torch_equivalent_computes_the_same_function(name: str) -> None:
    """The named PyTorch function, with the keyword arguments the text gives, agrees with
    actbook's on a float64 grid (PReLU with actbook's default weight 0.25, softmax along the
    last dimension, the step with value 1 at 0, FATReLU's threshold with value 0; GLU's packed
    layout is tested in test_nn)."""
    meta = actbook.info(name)
    if meta.torch_equivalent is None or meta.kind == "gated":
        return
    torch_fn = _resolve(re.match(r"[\w.]+", meta.torch_equivalent).group(0))
    kwargs = dict(re.findall(r"(\w+)='(\w+)'", meta.torch_equivalent))
    x = torch.linspace(-8.0, 8.0, 1601, dtype=torch.float64).reshape(1601, 1).repeat(1, 3)
    if name == "prelu":
        expected = torch_fn(x, torch.tensor([0.25], dtype=torch.float64))
    elif name == "step":
        expected = torch_fn(x, torch.ones((), dtype=torch.float64))
    elif name == "softmax":
        expected = torch_fn(x, dim=-1)
    elif name == "fatrelu":
        expected = torch_fn(x, meta.params["threshold"], 0.0)
    else:
        expected = torch_fn(x, **kwargs)
    ours = meta.function(x, dim=-1) if name == "softmax" else meta.function(x)
    torch.testing.assert_close(ours, expected)


@pytest.mark.parametrize("name", CANONICAL)
def test_year_matches_the_cited_work(name: str) -> None:
    """The year is that of the cited work's first public version: its arXiv preprint where the
    entry has one (StarReLU: arXiv 2210.13452, 2022; TPAMI 2024), else the publication year or
    the year before (a preprint the entry does not list)."""
    meta = actbook.info(name)
    bib = BIB.read_text(encoding="utf-8")
    entry = re.search(r"@\w+\s*\{\s*" + re.escape(meta.citation) + r"\s*,(.*?)\n\}", bib, re.S)
    assert entry, meta.citation
    fields = entry.group(1)
    year = int(re.search(r"year\s*=\s*[{\"]?(\d{4})", fields).group(1))
    eprint = re.search(r"eprint\s*=\s*\{(\d{2})\d{2}\.\d{4,5}", fields)
    allowed = {2000 + int(eprint.group(1))} if eprint else {year - 1, year}
    assert meta.year in allowed, (meta.citation, allowed, meta.year)


@pytest.mark.parametrize("alias, target", sorted(ALIASES.items()))
def test_aliases_resolve(alias: str, target: str) -> None:
    assert actbook.canonical_name(alias) == target
    assert actbook.get(alias) is actbook.get(target)
    assert actbook.info(alias) is actbook.info(target)


def test_hugging_face_swish_is_silu() -> None:
    """Hugging Face's "swish" is SiLU: actbook's swish with its default β = 1."""
    x = torch.linspace(-6, 6, 101)
    assert torch.equal(actbook.get("swish")(x), F.silu(x))


@pytest.mark.parametrize("spelling", ["GELU-New", " gelu new ", "Gelu_Pytorch_Tanh"])
def test_lookup_normalises_case_dashes_and_spaces(spelling: str) -> None:
    assert actbook.canonical_name(spelling) == "gelu_tanh"


def test_aliases_are_unique_reachable_and_not_canonical() -> None:
    aliases = [a for name in CANONICAL for a in actbook.info(name).aliases]
    assert len(aliases) == len(set(aliases)), "an alias names two activations"
    assert not set(aliases) & set(CANONICAL), "an alias shadows a canonical name"
    for alias in aliases:  # stored normalised, or the lookup could never reach it
        assert alias == alias.strip().lower().replace("-", "_").replace(" ", "_")
    assert set(ALIASES) - set(CANONICAL) <= set(aliases)


def test_names_filter_by_generation_and_kind() -> None:
    for generation in actbook.GENERATIONS:
        members = actbook.names(generation=generation)
        assert members == [n for n in CANONICAL if actbook.info(n).generation == generation]
        assert members, generation
    for kind in actbook.KINDS:
        assert actbook.names(kind=kind) == [n for n in CANONICAL if actbook.info(n).kind == kind]
    for name, (generation, kind) in MEMBERS.items():
        assert name in actbook.names(generation=generation, kind=kind)
    assert actbook.names(generation="gated", kind="elementwise") == []
    with pytest.raises(ValueError, match="unknown kind 'vector'"):
        actbook.names(kind="vector")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown generation"):
        actbook.names(generation="modern")  # type: ignore[arg-type]




def test_display_names_follow_the_order_given() -> None:
    assert actbook.display_names(["swiglu", "gelu_new", "relu"]) == ["SwiGLU", "GELU (tanh)",
                                                                     "ReLU"]
    assert actbook.display_names([]) == []
    with pytest.raises(KeyError, match="did you mean"):
        actbook.display_names(["swiglu", "gelu_nwe"])
