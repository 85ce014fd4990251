"""Shared fixtures for the core tests: a fixed seed, a way to call any activation, a comparison."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import Tensor

import actbook


def activate(name: str, x: Tensor, value: Tensor | None = None) -> Tensor:
    """Call activation ``name`` on ``x`` with its default parameters.

    Gated units get ``x`` as the gate and ``value`` (default: ones) as the value; softmax
    normalises the last dimension.
    """
    fn = actbook.get(name)
    kind = actbook.info(name).kind
    if kind == "gated":
        return fn(x, torch.ones_like(x) if value is None else value)
    if kind == "rowwise":
        return fn(x, dim=-1)
    return fn(x)


def assert_within(
    actual: Tensor, expected: Tensor, *, rtol: float, atol: float | Tensor
) -> None:
    """Elementwise ``|actual - expected| <= rtol·|expected| + atol``; NaN and inf must match."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    a, e = actual.double().flatten(), expected.double().flatten()
    if isinstance(atol, Tensor):
        atol = atol.flatten()
    same = (a == e) | (a.isnan() & e.isnan())
    bad = ~same & ~((a - e).abs() <= rtol * e.abs() + atol)
    if bad.any():
        worst = int(torch.where(bad, (a - e).abs(), torch.zeros_like(a)).argmax())
        raise AssertionError(
            f"{int(bad.sum())} of {a.numel()} values out of tolerance; e.g. element {worst}: "
            f"got {a[worst].item():.17g}, expected {e[worst].item():.17g}"
        )


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture
def call() -> Callable[..., Tensor]:
    """:func:`activate`, for tests that loop over every activation."""
    return activate


@pytest.fixture
def within() -> Callable[..., None]:
    """:func:`assert_within`."""
    return assert_within
