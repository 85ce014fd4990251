r"""float64 reference values, derivatives and condition numbers of every activation.

The harness measures float32, float16 and bfloat16 results against these; the formulas are the
``value`` and ``derivative`` of each activation's record in :mod:`actbook.accuracy.oracles`,
and a gated unit's are composed from the records its :class:`~actbook.registry.GatedForm`
names. The tests check every one against :mod:`mpmath` at 50 digits.

The condition number :math:`\operatorname{cond}(x) = |x f'(x) / f(x)|` (Higham 2002, §1.6)
measures how much any method must amplify the relative rounding of its input: a result whose
error stays within a small multiple of :math:`1 + \operatorname{cond}(x)` ulp is as accurate as
the problem allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType

import torch
from torch import Tensor

from actbook import registry
from actbook.accuracy.oracles import ORACLES, oracle

#: A float64 formula on tensors.
RealFunction = Callable[[Tensor], Tensor]

#: name -> (f, f′), both on float64 tensors, for every elementwise activation at its defaults.
REFERENCES: MappingProxyType = MappingProxyType({
    name: (ORACLES[name].value, ORACLES[name].derivative)
    for name in registry.names(kind="elementwise") if name in ORACLES
})

#: Gated units and variants measured by the harness: name -> (parameters, name of the gate
#: function). The whole description is :func:`actbook.registry.gated_form`.
GATED: MappingProxyType = MappingProxyType({
    v.name: (dict(v.params), v.gated.gate) for v in registry.variants(kind="gated")
    if v.gated is not None
})


def gate_reference(name: str) -> tuple[RealFunction, RealFunction]:
    """(f, f′) in float64 of an elementwise activation or ``"identity"``.

    Args:
        name: the registry name of an elementwise activation, or ``"identity"``.

    Returns:
        A pair ``(f, f′)`` of functions on float64 tensors.
    """
    record = oracle(name)
    assert record.value is not None and record.derivative is not None, name
    return record.value, record.derivative


def value(name: str, x: Tensor) -> Tensor:
    """float64 reference value of elementwise activation ``name`` at ``x`` (any float dtype).

    Args:
        name: the registry name of an elementwise activation, or ``"identity"``.
        x: the inputs, a tensor of any floating dtype.

    Returns:
        A float64 tensor of the shape of ``x``.
    """
    return gate_reference(name)[0](x.double())


def relative_error(result: Tensor, name: str, x: float) -> float:
    """``|result / f(x) − 1|`` for a one-element ``result`` of activation ``name`` at ``x``, against
    the float64 reference :func:`value`.

    Args:
        result: a one-element tensor, the computed f(x).
        name: the registry name of an elementwise activation.
        x: the input.

    Returns:
        A float: the relative error of ``result``.
    """
    exact = value(name, torch.tensor([x], dtype=torch.float64))
    return abs(result.double().item() / exact.item() - 1)


def derivative(name: str, x: Tensor) -> Tensor:
    """float64 reference derivative of elementwise activation ``name`` at ``x``.

    Args:
        name: the registry name of an elementwise activation, or ``"identity"``.
        x: the inputs, a tensor of any floating dtype.

    Returns:
        A float64 tensor of the shape of ``x``.
    """
    return gate_reference(name)[1](x.double())


def condition_number(x: Tensor, f: Tensor, df: Tensor) -> Tensor:
    r"""cond(x) = \|x f′(x) / f(x)\|; 0 where x f′ = 0, inf where only f = 0 (a root at x ≠ 0).

    Computed as \|f′\| · \|x / f\| so that neither factor overflows before the quotient.

    Args:
        x: the inputs.
        f: f(x), a tensor of the shape of ``x``.
        df: f′(x), a tensor of the shape of ``x``.

    Returns:
        A float64 tensor of the shape of ``x``; ``inf`` where the formula gives NaN (such as
        0 · ∞ at an infinite input).
    """
    x, f, df = x.double(), f.double(), df.double()
    with torch.no_grad():
        cond = (df * (x / f)).abs()
    cond = torch.where((f == 0) & ((x == 0) | (df == 0)), 0.0, cond)
    return torch.nan_to_num(cond, nan=math.inf, posinf=math.inf)
