"""Put actbook's activations and gated blocks into an existing model, in one call.

:func:`patch` walks a model (a Hugging Face transformer, a timm network, plain PyTorch) and
replaces, in place:

* each gated MLP with ``gate_proj``, ``up_proj`` and ``down_proj`` (Llama, Mistral, Qwen2, Gemma)
  or a packed ``gate_up_proj`` with the gate first (Phi-3) by a :class:`actbook.nn.GatedFFN`
  holding the same weights;
* each activation module it knows (PyTorch's and Hugging Face's classes) by actbook's module.

It returns what it replaced, and refuses a gated MLP whose activation it cannot name. The
Hugging Face classes are recognised by class name, so actbook does not import transformers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from actbook import nn as A

__all__ = ["Replacement", "patch", "ELEMENTWISE", "GATED_UNITS"]

#: Activation classes (PyTorch's and Hugging Face's, by class name) → a builder of actbook's
#: module from the original instance.
ELEMENTWISE: dict[str, Callable[[nn.Module], nn.Module]] = {
    "ReLU": lambda m: A.ReLU(),
    "ReLU6": lambda m: A.ReLU6(),
    "SiLU": lambda m: A.SiLU(),
    "SiLUActivation": lambda m: A.SiLU(),
    "Mish": lambda m: A.Mish(),
    "MishActivation": lambda m: A.Mish(),
    "Tanh": lambda m: A.Tanh(),
    "Sigmoid": lambda m: A.Sigmoid(),
    "SELU": lambda m: A.SELU(),
    "Hardswish": lambda m: A.HardSwish(),
    "Hardsigmoid": lambda m: A.HardSigmoid(),
    "LeakyReLU": lambda m: A.LeakyReLU(m.negative_slope),
    "ELU": lambda m: A.ELU(m.alpha),
    "GELU": lambda m: A.GELUTanh() if getattr(m, "approximate", "none") == "tanh" else A.GELU(),
    "GELUActivation": lambda m: A.GELU(),
    "NewGELUActivation": lambda m: A.GELUTanh(),
    "GELUTanh": lambda m: A.GELUTanh(),
    "PytorchGELUTanh": lambda m: A.GELUTanh(),
    "FastGELUActivation": lambda m: A.GELUTanh(),
    "AccurateGELUActivation": lambda m: A.GELUTanh(),
    "QuickGELUActivation": lambda m: A.GELUSigmoid(),
    "ReLUSquaredActivation": lambda m: A.SquaredReLU(),
}
#: The activation of a gated MLP (actbook's module class name of it) → the gated unit and its
#: parameters.
GATED_UNITS: dict[str, tuple[str, dict[str, str]]] = {
    "SiLU": ("swiglu", {}),
    "GELU": ("geglu", {}),
    "GELUTanh": ("geglu", {"approximate": "tanh"}),
    "ReLU": ("reglu", {}),
    "Sigmoid": ("glu", {}),
}


#: Where a gated MLP keeps its activation: Llama-style models, Phi-3.
ACTIVATION_ATTRIBUTES = ("act_fn", "activation_fn")


@dataclass(frozen=True)
class Replacement:
    """One module :func:`patch` replaced.

    Args:
        path: the module's qualified name in the model.
        old: the class name of the module it replaced.
        new: a description of the new module.
    """

    path: str
    old: str
    new: str


def _elementwise(module: nn.Module) -> nn.Module | None:
    if isinstance(module, A.Activation):
        return None
    build = ELEMENTWISE.get(type(module).__name__)
    return None if build is None else build(module)


def _linear(module: nn.Module, name: str, path: str) -> nn.Linear:
    layer = getattr(module, name)
    if not isinstance(layer, nn.Linear):
        raise ValueError(f"actbook.patch: {path}.{name} is a {type(layer).__name__}, "
                         "not an nn.Linear; this gated MLP is not understood")
    return layer


def _projections(module: nn.Module, path: str) -> tuple[torch.Tensor, ...] | None:
    """(gate, value, out) weights and biases of a gated MLP, or ``None`` if it is none."""
    if hasattr(module, "gate_proj") and hasattr(module, "up_proj"):
        gate, value = _linear(module, "gate_proj", path), _linear(module, "up_proj", path)
    elif hasattr(module, "gate_up_proj"):
        packed = _linear(module, "gate_up_proj", path)  # Phi-3: gate first, then value
        halves = packed.out_features // 2
        like = {"bias": packed.bias is not None, "device": packed.weight.device,
                "dtype": packed.weight.dtype}
        gate = nn.Linear(packed.in_features, halves, **like)
        value = nn.Linear(packed.in_features, halves, **like)
        with torch.no_grad():
            gate.weight.copy_(packed.weight[:halves])
            value.weight.copy_(packed.weight[halves:])
            if packed.bias is not None:
                gate.bias.copy_(packed.bias[:halves])
                value.bias.copy_(packed.bias[halves:])
    else:
        return None
    out = _linear(module, "down_proj", path)
    return gate, value, out


def _gated_block(module: nn.Module, path: str, fused: bool) -> nn.Module | None:
    layers = _projections(module, path)
    if layers is None:
        return None
    gate, value, out = layers
    act = next((getattr(module, a) for a in ACTIVATION_ATTRIBUTES if hasattr(module, a)), None)
    unit = act if isinstance(act, A.Activation) else None if act is None else _elementwise(act)
    if unit is None or type(unit).__name__ not in GATED_UNITS:
        raise ValueError(
            f"actbook.patch: the gated MLP {path} has activation {type(act).__name__}, which "
            f"actbook cannot name; known: {', '.join(sorted(ELEMENTWISE))}"
        )
    biases = {layer.bias is not None for layer in (gate, value, out)}
    if len(biases) != 1 or gate.weight.shape != value.weight.shape:
        raise ValueError(f"actbook.patch: {path} mixes biases or widths; not understood")
    name, params = GATED_UNITS[type(unit).__name__]
    block = A.GatedFFN(gate.in_features, gate.out_features, name, bias=biases.pop(),
                       fused=fused, **params)
    block.to(device=gate.weight.device, dtype=gate.weight.dtype)
    with torch.no_grad():
        for ours, theirs in ((block.w_gate, gate), (block.w_value, value), (block.w_out, out)):
            ours.weight.copy_(theirs.weight)
            if theirs.bias is not None:
                ours.bias.copy_(theirs.bias)
    return block


def patch(model: nn.Module, fused: bool = False) -> list[Replacement]:
    """Replace a model's gated MLPs and activation modules by actbook's, in place.

    A gated MLP ``down_proj(f(gate_proj(x)) * up_proj(x))`` becomes
    ``GatedFFN(..., fused=fused)`` with the unit of f (SiLU → SwiGLU, GELU → GEGLU, tanh GELU →
    tanh GEGLU, ReLU → ReGLU, sigmoid → GLU) and the same weights; every other activation
    module in :data:`ELEMENTWISE` becomes actbook's. Like Liger-Kernel's
    ``apply_liger_kernel_to_*``, but for any model with these parts.

    Args:
        model: the model, changed in place.
        fused: give the gated blocks actbook's fused kernels (:mod:`actbook.kernels`, compiled
            on first use). Default: ``False``.

    Returns:
        What was replaced, in the order of ``model.named_modules()``.

    Raises:
        ValueError: for a gated MLP whose activation or layers actbook does not understand
            (nothing is replaced then).

    Examples::

        >>> net = nn.Sequential(nn.Linear(4, 4), nn.GELU(approximate="tanh"))
        >>> patch(net)
        [Replacement(path='1', old='GELU', new='GELUTanh(...)')]
    """
    plan: list[tuple[str, nn.Module]] = []
    inside_gated: set[str] = set()
    for path, module in model.named_modules():
        if any(path.startswith(prefix + ".") for prefix in inside_gated):
            continue
        new = _gated_block(module, path, fused) if path else None
        if new is not None:
            inside_gated.add(path)
        elif path:
            new = _elementwise(module)
        if new is not None:
            plan.append((path, new))
    report = []
    for path, new in plan:
        parent_path, _, attribute = path.rpartition(".")
        parent = model.get_submodule(parent_path)
        old = getattr(parent, attribute)
        setattr(parent, attribute, new)
        report.append(Replacement(path, type(old).__name__, _describe(new)))
    return report


def _describe(module: nn.Module) -> str:
    if isinstance(module, A.GatedFFN):
        return f"GatedFFN({module.w_gate.in_features}, {module.w_gate.out_features}, " \
               f"fused={module.fused})"
    return f"{type(module).__name__}(...)"
