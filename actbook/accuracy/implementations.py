"""The implementations the harness compares: actbook's and PyTorch's eager functions.

Every activation at its default parameters. PyTorch counterparts exist for 15 of the 20
elementwise activations (``torch.heaviside(x, 1)`` for the step, ``prelu`` with one weight of
0.25); GELU (sigmoid), Swish, squared ReLU and StarReLU have none. Gated units compose PyTorch's
gate function with a product, as model code does, and GLU uses :func:`torch.nn.functional.glu`
on the packed tensor ``[value, gate]`` (its gate is the second half).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as TF  # noqa: N812
from torch import Tensor

from actbook import functional as F
from actbook import registry
from actbook.accuracy.reference import GATED

Elementwise = Callable[[Tensor], Tensor]
Gated = Callable[[Tensor, Tensor], Tensor]

#: The elementwise activations measured, in book order.
ELEMENTWISE: tuple[str, ...] = tuple(registry.names(kind="elementwise"))

TORCH_ELEMENTWISE: dict[str, Elementwise] = {
    "step": lambda x: torch.heaviside(x, torch.ones((), dtype=x.dtype)),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": TF.leaky_relu,
    "prelu": lambda x: TF.prelu(x, torch.full((1,), 0.25, dtype=x.dtype)),
    "elu": TF.elu,
    "selu": TF.selu,
    "gelu": TF.gelu,
    "gelu_tanh": lambda x: TF.gelu(x, approximate="tanh"),
    "silu": TF.silu,
    "mish": TF.mish,
    "softplus": TF.softplus,
    "hardsigmoid": TF.hardsigmoid,
    "hardswish": TF.hardswish,
    "relu6": TF.relu6,
}

TORCH_GATED: dict[str, Gated] = {
    "glu": lambda g, v: TF.glu(torch.cat([v, g], dim=-1), dim=-1),
    "reglu": lambda g, v: torch.relu(g) * v,
    "geglu": lambda g, v: TF.gelu(g) * v,
    "geglu_tanh": lambda g, v: TF.gelu(g, approximate="tanh") * v,
    "swiglu": lambda g, v: TF.silu(g) * v,
    "bilinear": lambda g, v: g * v,
}


def actbook_elementwise(name: str) -> Elementwise:
    """actbook's function for an elementwise activation, at its default parameters."""
    return registry.get(name)


def actbook_gated(name: str) -> Gated:
    """actbook's gated unit ``name`` (``geglu_tanh`` is ``geglu(approximate="tanh")``)."""
    kwargs, _ = GATED[name]
    fn = getattr(F, name.removesuffix("_tanh"))
    return lambda g, v: fn(g, v, **kwargs)
