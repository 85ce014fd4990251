"""The implementations the harness compares: actbook's and PyTorch's eager functions.

Every activation at its default parameters, every gated variant with its own. PyTorch's
function is the ``torch`` field of the activation's record in :mod:`actbook.accuracy.oracles`
(``torch.heaviside(x, 1)`` for the step, ``prelu`` with one weight of 0.25; some activations
have none). Gated units compose PyTorch's gate function with a product, as model code does, and
GLU uses :func:`torch.nn.functional.glu` on the packed tensor ``[value, gate]`` (its gate is the
second half).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from torch import Tensor

from actbook import registry
from actbook.accuracy.oracles import ORACLES

#: An elementwise activation at its defaults: f(x).
Elementwise = Callable[[Tensor], Tensor]
#: A gated unit at its defaults: f(gate, value).
Gated = Callable[[Tensor, Tensor], Tensor]

#: The elementwise activations measured, in book order.
ELEMENTWISE: tuple[str, ...] = tuple(registry.names(kind="elementwise"))
#: The gated units and variants measured, in book order.
GATED: tuple[str, ...] = tuple(v.name for v in registry.variants(kind="gated"))


def _torch(names: tuple[str, ...]) -> MappingProxyType:
    return MappingProxyType({
        name: ORACLES[name].torch for name in names
        if name in ORACLES and ORACLES[name].torch is not None
    })


#: PyTorch's function for each elementwise activation that PyTorch has.
TORCH_ELEMENTWISE: MappingProxyType = _torch(ELEMENTWISE)
#: PyTorch's composite for each gated unit and variant.
TORCH_GATED: MappingProxyType = _torch(GATED)


def actbook_elementwise(name: str) -> Elementwise:
    """actbook's function for an elementwise activation, at its default parameters.

    Args:
        name: the activation's registry name.

    Returns:
        The function of :mod:`actbook.functional`, a tensor in and a tensor out.
    """
    return registry.get(name)


def actbook_gated(name: str) -> Gated:
    """actbook's gated unit or variant ``name`` (``geglu_tanh``: ``approximate="tanh"``).

    Args:
        name: the registry name of a gated unit or of one of its variants.

    Returns:
        The function of :mod:`actbook.functional` with the variant's parameters bound, taking
        ``(gate, value)``.
    """
    return registry.get(name)
