"""actbook: activation functions, their derivatives and metadata, for the book of the same name.

>>> import torch, actbook
>>> actbook.get("swiglu")(torch.randn(4), torch.randn(4)).shape
torch.Size([4])
"""

from actbook import analysis, derivatives, functional, nn, parallel
from actbook import functional as F  # noqa: N812  (the torch.nn.functional convention)
from actbook.patching import from_hf_state_dict, patch, to_hf_state_dict
from actbook.registry import (
    GENERATIONS,
    KINDS,
    REGISTRY,
    UNSUPPORTED,
    VARIANTS,
    ActivationInfo,
    GatedForm,
    ScalarView,
    Variant,
    bind,
    canonical_name,
    derivative,
    display_names,
    gated_form,
    get,
    info,
    names,
    resolve,
    variants,
)

__version__ = "0.1.0"

__all__ = [
    "F",
    "GENERATIONS",
    "KINDS",
    "REGISTRY",
    "VARIANTS",
    "UNSUPPORTED",
    "patch",
    "from_hf_state_dict",
    "to_hf_state_dict",
    "ActivationInfo",
    "GatedForm",
    "ScalarView",
    "Variant",
    "analysis",
    "bind",
    "canonical_name",
    "derivative",
    "derivatives",
    "display_names",
    "functional",
    "gated_form",
    "get",
    "info",
    "names",
    "nn",
    "parallel",
    "resolve",
    "variants",
]
