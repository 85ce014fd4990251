"""actbook: activation functions, their derivatives and metadata, for the book of the same name.

>>> import torch, actbook
>>> actbook.get("swiglu")(torch.randn(4), torch.randn(4)).shape
torch.Size([4])
"""

from actbook import analysis, derivatives, functional, nn
from actbook import functional as F  # noqa: N812  (the torch.nn.functional convention)
from actbook.registry import (
    GENERATIONS,
    REGISTRY,
    ActivationInfo,
    canonical_name,
    derivative,
    get,
    info,
    names,
)

__version__ = "0.1.0"

__all__ = [
    "F",
    "GENERATIONS",
    "REGISTRY",
    "ActivationInfo",
    "analysis",
    "canonical_name",
    "derivative",
    "derivatives",
    "functional",
    "get",
    "info",
    "names",
    "nn",
]
