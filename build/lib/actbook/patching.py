"""Put actbook's activations and gated blocks into an existing model, in one call.

:func:`patch` walks a model (a Hugging Face transformer, a timm network, plain PyTorch) and
replaces, in place:

* each gated MLP with ``gate_proj``, ``up_proj`` and ``down_proj`` (Llama, Mistral, Qwen2, Gemma)
  or a packed ``gate_up_proj`` with the gate first (Phi-3) by a :class:`actbook.nn.GatedFFN`
  holding the same weights;
* each activation module it knows (PyTorch's and Hugging Face's classes) by actbook's module.

It returns what it replaced, and refuses a gated MLP whose activation it cannot name. The
Hugging Face classes are recognised by class name, so actbook does not import transformers.
:func:`from_hf_state_dict` and :func:`to_hf_state_dict` convert checkpoints between the two
layouts, so a patched model loads and saves the original model's weights.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from actbook import nn as A
from actbook.registry import GatedForm, variants

__all__ = ["Replacement", "patch", "from_hf_state_dict", "to_hf_state_dict", "ELEMENTWISE",
           "ACTIVATION_ATTRIBUTES", "HF_PROJECTIONS"]

#: Activation classes, PyTorch's and Hugging Face's by class name → the registry name of the
#: activation. ``torch.nn.GELU(approximate="tanh")`` is read as ``gelu_tanh``; a LeakyReLU's
#: ``negative_slope`` and an ELU's ``alpha`` are kept.
ELEMENTWISE: dict[str, str] = {
    "ReLU": "relu", "ReLU6": "relu6", "SiLU": "silu", "SiLUActivation": "silu", "Mish": "mish",
    "MishActivation": "mish", "Tanh": "tanh", "Sigmoid": "sigmoid", "SELU": "selu",
    "Hardswish": "hardswish", "Hardsigmoid": "hardsigmoid", "LeakyReLU": "leaky_relu",
    "ELU": "elu", "GELU": "gelu", "GELUActivation": "gelu", "NewGELUActivation": "gelu_tanh",
    "GELUTanh": "gelu_tanh", "PytorchGELUTanh": "gelu_tanh", "FastGELUActivation": "gelu_tanh",
    "AccurateGELUActivation": "gelu_tanh", "QuickGELUActivation": "gelu_sigmoid",
    "ReLUSquaredActivation": "squared_relu",
}
#: Where a gated MLP keeps its activation: Llama-style models, Phi-3.
ACTIVATION_ATTRIBUTES = ("act_fn", "activation_fn")
#: Hugging Face's names of a gated MLP's projections → :class:`actbook.nn.GatedFFN`'s.
HF_PROJECTIONS = {"gate_proj": "w_gate", "up_proj": "w_value", "down_proj": "w_out"}
#: The plain gated unit (no clamp, identity value) of each gate activation, from the registry.
_GATED_UNIT = {v.gated.gate: v.name for v in variants(kind="gated")
               if v.gated == GatedForm(v.gated.gate)}


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


def _activation_name(module: nn.Module | None) -> str | None:
    """The registry name of an activation module (actbook's or a known one), else ``None``."""
    name = module.name if isinstance(module, A.Activation) else \
        ELEMENTWISE.get(type(module).__name__)
    tanh = getattr(module, "approximate", "none") == "tanh"  # torch.nn.GELU("tanh")
    return "gelu_tanh" if name == "gelu" and tanh else name


def _replacement(module: nn.Module) -> nn.Module | None:
    """actbook's module for a known activation module that is not actbook's already."""
    name = None if isinstance(module, A.Activation) else _activation_name(module)
    if name is None:
        return None
    kept = {a: getattr(module, a) for a in ("negative_slope", "alpha") if hasattr(module, a)}
    return A.make_activation(name, **kept)


def _linear(module: nn.Module, name: str, path: str) -> nn.Linear:
    layer = getattr(module, name)
    if not isinstance(layer, nn.Linear):
        raise ValueError(f"actbook.patch: {path}.{name} is a {type(layer).__name__}, "
                         "not an nn.Linear; this gated MLP is not understood")
    return layer


def _projections(module: nn.Module, path: str) -> list[tuple[Tensor, Tensor | None]] | None:
    """The (weight, bias) of the gate, value and output projections of a gated MLP, or ``None``
    if ``module`` is none."""
    if hasattr(module, "gate_proj") and hasattr(module, "up_proj"):
        inputs = [(layer.weight, layer.bias) for layer in
                  (_linear(module, "gate_proj", path), _linear(module, "up_proj", path))]
    elif hasattr(module, "gate_up_proj"):
        packed = _linear(module, "gate_up_proj", path)  # Phi-3: gate first, then value
        biases = (None, None) if packed.bias is None else packed.bias.chunk(2)
        inputs = list(zip(packed.weight.chunk(2), biases, strict=True))
    else:
        return None
    out = _linear(module, "down_proj", path)
    return [*inputs, (out.weight, out.bias)]


def _gated_block(module: nn.Module, path: str, fused: bool) -> nn.Module | None:
    projections = _projections(module, path)
    if projections is None:
        return None
    act = next((getattr(module, a) for a in ACTIVATION_ATTRIBUTES if hasattr(module, a)), None)
    unit = _GATED_UNIT.get(_activation_name(act))
    if unit is None:
        raise ValueError(
            f"actbook.patch: the gated MLP {path} has activation {type(act).__name__}, which "
            f"actbook cannot name; known: {', '.join(sorted(ELEMENTWISE))}"
        )
    (gate, _), (value, _), _ = projections
    has_bias = {b is not None for _, b in projections}
    if len(has_bias) != 1 or gate.shape != value.shape:
        raise ValueError(f"actbook.patch: {path} mixes biases or widths; not understood")
    block = A.GatedFFN(gate.shape[1], gate.shape[0], unit, bias=has_bias.pop(), fused=fused)
    block.to(device=gate.device, dtype=gate.dtype)
    with torch.no_grad():
        for layer, (weight, bias) in zip((block.w_gate, block.w_value, block.w_out),
                                         projections, strict=True):
            layer.weight.copy_(weight)
            if bias is not None:
                layer.bias.copy_(bias)
    return block


def patch(model: nn.Module, fused: bool = False) -> list[Replacement]:
    """Replace a model's gated MLPs and activation modules by actbook's, in place.

    A gated MLP ``down_proj(f(gate_proj(x)) * up_proj(x))`` becomes
    ``GatedFFN(..., fused=fused)`` with the registry's gated unit of f (SiLU → SwiGLU, GELU →
    GEGLU, tanh GELU → tanh GEGLU, ReLU → ReGLU, sigmoid → GLU) and the same weights; every
    other activation module in :data:`ELEMENTWISE` becomes actbook's. Like Liger-Kernel's
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
            new = _replacement(module)
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


_PROJECTION_KEY = re.compile(r"^(?P<prefix>(?:.*\.)?)(?P<layer>\w+)\.(?P<param>weight|bias)$")


def _by_block(state_dict: Mapping[str, Tensor], layers: set[str]
              ) -> dict[str, dict[tuple[str, str], Tensor]]:
    """The entries of ``state_dict`` whose layer name is in ``layers``, grouped by the path of
    the block holding them: ``{prefix: {(layer, "weight" or "bias"): tensor}}``."""
    blocks: dict[str, dict[tuple[str, str], Tensor]] = {}
    for key, tensor in state_dict.items():
        match = _PROJECTION_KEY.match(key)
        if match and match["layer"] in layers:
            blocks.setdefault(match["prefix"], {})[match["layer"], match["param"]] = tensor
    return blocks


def from_hf_state_dict(state_dict: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """A Hugging Face model's state dict in the layout of the same model after :func:`patch`.

    In every block that holds ``gate_proj``, ``up_proj`` and ``down_proj`` (or a packed
    ``gate_up_proj``, gate first, and ``down_proj``), the projections are renamed to
    :class:`actbook.nn.GatedFFN`'s ``w_gate``, ``w_value`` and ``w_out``; a packed projection is
    split into two copies. Every other entry, and a block without all its projections, is kept
    as it is.

    Args:
        state_dict: the original model's ``state_dict()`` (or a checkpoint's).

    Returns:
        A new dictionary, for ``patched.load_state_dict``.

    Raises:
        ValueError: for a packed projection whose rows do not split into two halves.

    Examples::

        >>> sd = {f"mlp.{n}.weight": torch.zeros(2, 2) for n in HF_PROJECTIONS}
        >>> sorted(from_hf_state_dict(sd))
        ['mlp.w_gate.weight', 'mlp.w_out.weight', 'mlp.w_value.weight']
    """
    converted = dict(state_dict)
    for prefix, block in _by_block(state_dict, {*HF_PROJECTIONS, "gate_up_proj"}).items():
        if ("down_proj", "weight") not in block:
            continue
        for param in ("weight", "bias"):
            packed = block.get(("gate_up_proj", param))
            if packed is None:
                continue
            if packed.shape[0] % 2:
                raise ValueError(f"from_hf_state_dict: {prefix}gate_up_proj.{param} has "
                                 f"{packed.shape[0]} rows, which do not split into gate and up")
            gate, up = (half.clone() for half in packed.chunk(2))
            block |= {("gate_proj", param): gate, ("up_proj", param): up}
            del converted[f"{prefix}gate_up_proj.{param}"]
        if not all((layer, "weight") in block for layer in HF_PROJECTIONS):
            continue
        for (layer, param), tensor in block.items():
            if layer in HF_PROJECTIONS:
                converted.pop(f"{prefix}{layer}.{param}", None)
                converted[f"{prefix}{HF_PROJECTIONS[layer]}.{param}"] = tensor
    return converted


def to_hf_state_dict(state_dict: Mapping[str, Tensor], packed: bool = False) -> dict[str, Tensor]:
    """A patched model's state dict in the layout of the original Hugging Face model.

    The inverse of :func:`from_hf_state_dict`: in every block with ``w_gate``, ``w_value`` and
    ``w_out``, they become ``gate_proj``, ``up_proj`` and ``down_proj``, or, with ``packed``,
    one ``gate_up_proj`` (gate rows first, as Phi-3 keeps them) and ``down_proj``.

    Args:
        state_dict: the patched model's ``state_dict()``.
        packed: write the gate and value projections as one ``gate_up_proj``. Default:
            ``False``.

    Returns:
        A new dictionary, for the original model's ``load_state_dict`` or a checkpoint.

    Examples::

        >>> sd = {f"mlp.{n}.weight": torch.zeros(2, 2) for n in HF_PROJECTIONS.values()}
        >>> sorted(to_hf_state_dict(sd, packed=True))
        ['mlp.down_proj.weight', 'mlp.gate_up_proj.weight']
    """
    hf_name = {ours: theirs for theirs, ours in HF_PROJECTIONS.items()}
    converted = dict(state_dict)
    for prefix, block in _by_block(state_dict, set(hf_name)).items():
        if not all((layer, "weight") in block for layer in hf_name):
            continue
        for (layer, param), tensor in block.items():
            del converted[f"{prefix}{layer}.{param}"]
            if not (packed and layer != "w_out"):
                converted[f"{prefix}{hf_name[layer]}.{param}"] = tensor
        if packed:
            for param in ("weight", "bias"):
                if ("w_gate", param) in block:
                    converted[f"{prefix}gate_up_proj.{param}"] = torch.cat(
                        [block["w_gate", param], block["w_value", param]])
    return converted
