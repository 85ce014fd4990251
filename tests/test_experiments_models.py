"""Chapter 7's table of released models (actbook.experiments.models): every row names a
registry activation, cites a source it can be checked against, and the table the chapter prints
is in year order with the registry's display names."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlparse

import pytest

from actbook import registry
from actbook.experiments import models as X

HOSTS = {"github.com", "huggingface.co", "arxiv.org"}


def test_there_are_enough_rows_and_each_is_frozen() -> None:
    assert 12 <= len(X.RELEASED_MODELS) <= 20
    row = X.RELEASED_MODELS[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.model = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("row", X.RELEASED_MODELS, ids=lambda r: r.model)
def test_every_activation_resolves_in_the_registry(row: X.ReleasedModel) -> None:
    base = registry.canonical_name(row.activation)
    assert base in registry.names()


@pytest.mark.parametrize("row", X.RELEASED_MODELS, ids=lambda r: r.model)
def test_every_source_is_an_https_link_to_a_checkable_host(row: X.ReleasedModel) -> None:
    url = urlparse(row.source)
    assert url.scheme == "https", row.source
    assert url.netloc in HOSTS, row.source
    assert url.path.strip("/"), row.source
    if url.netloc == "arxiv.org":
        assert url.path.startswith("/abs/"), row.source
        assert row.verified == "paper"
    else:
        # a repository file: owner/name/blob/<ref>/<path>, not a repository's front page
        parts = url.path.strip("/").split("/")
        assert len(parts) >= 5 and parts[2] == "blob", row.source
        assert row.verified in ("config", "code")


@pytest.mark.parametrize("row", X.RELEASED_MODELS, ids=lambda r: r.model)
def test_every_row_is_filled_in_and_short(row: X.ReleasedModel) -> None:
    assert 2017 <= row.year <= 2026
    assert row.verified in X.VERIFIED_KINDS
    assert row.model.strip() and row.key.strip() and row.detail.strip()
    assert len(row.detail) <= 60, (row.model, len(row.detail))
    assert isinstance(row.year, int) and not isinstance(row.year, bool)
    assert all(isinstance(getattr(row, f.name), str) for f in dataclasses.fields(row)
               if f.name != "year")


def test_verified_kinds_are_the_three_documented_ones() -> None:
    assert X.VERIFIED_KINDS == ("config", "code", "paper")
    assert {row.verified for row in X.RELEASED_MODELS} <= set(X.VERIFIED_KINDS)


def test_no_model_appears_twice() -> None:
    names = [row.model.casefold() for row in X.RELEASED_MODELS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_table_is_in_year_order_and_keeps_every_row() -> None:
    rows = X.models_table()
    assert len(rows) == len(X.RELEASED_MODELS)
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years)
    assert {r["model"] for r in rows} == {m.model for m in X.RELEASED_MODELS}
    for r in rows:
        assert set(r) == {"model", "year", "activation", "detail", "source", "key"}
        assert all(isinstance(v, str) for v in r.values())


def test_table_keeps_the_order_within_a_year() -> None:
    rows = X.models_table()
    for year in {m.year for m in X.RELEASED_MODELS}:
        given = [m.model for m in X.RELEASED_MODELS if m.year == year]
        shown = [r["model"] for r in rows if r["year"] == str(year)]
        assert shown == given


@pytest.mark.parametrize("row", X.RELEASED_MODELS, ids=lambda r: r.model)
def test_table_prints_the_registry_display_name(row: X.ReleasedModel) -> None:
    shown = next(r for r in X.models_table() if r["model"] == row.model)
    assert shown["activation"] == registry.info(row.activation).display_name
    assert shown["source"] == row.source and shown["key"] == row.key


def test_a_few_rows_say_what_their_sources_say() -> None:
    by_model = {row.model: row for row in X.RELEASED_MODELS}
    assert registry.canonical_name(by_model["gpt-oss"].activation) == "clamped_swiglu"
    assert "7.0" in by_model["gpt-oss"].key
    assert registry.canonical_name(by_model["Apertus"].activation) == "xielu"
    assert registry.canonical_name(by_model["GPT-2"].activation) == "gelu_tanh"
    assert registry.canonical_name(by_model["OpenAI CLIP"].activation) == "gelu_sigmoid"
    assert "1.702" in by_model["OpenAI CLIP"].key
    # Llama's FFN is the gated unit, not its gate function
    assert registry.canonical_name(by_model["Llama 2"].activation) == "swiglu"


def test_the_checks_can_fail() -> None:
    """The checks above reject a row that breaks them."""
    bad = dataclasses.replace(X.RELEASED_MODELS[0], activation="not_an_activation",
                              source="http://example.com/x", verified="blog", year=2031)
    with pytest.raises(KeyError):
        registry.canonical_name(bad.activation)
    assert urlparse(bad.source).scheme != "https"
    assert urlparse(bad.source).netloc not in HOSTS
    assert bad.verified not in X.VERIFIED_KINDS
    assert not 2017 <= bad.year <= 2026
    unordered = sorted(X.models_table(), key=lambda r: r["model"])
    years = [int(r["year"]) for r in unordered]
    assert years != sorted(years)


def test_the_markdown_table_links_every_row_and_escapes_pipes() -> None:
    rows = X.models_table()
    lines = X.models_markdown(rows).splitlines()
    assert len(lines) == len(rows) + 2
    for row, line in zip(rows, lines[2:], strict=True):
        assert f"]({row['source']})" in line and line.startswith(f"| {row['model']} |")
        assert line.count(" | ") == 4  # five cells: no unescaped pipe inside one
    odd = dict(rows[0], detail="a | b", key="x | y")
    assert "a \\| b" in X.models_markdown([odd])
