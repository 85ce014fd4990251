r"""Activations as :class:`torch.nn.Module`\ s, and the feed-forward blocks built from them.

One module per activation of the registry, each a thin wrapper over :mod:`actbook.functional`
(as timm's ``layers`` wrap their functions): the module holds the hyperparameters, or the
learnable parameters of PReLU, Swish (optional β) and StarReLU, and ``forward`` calls the
function. :data:`MODULES` maps every canonical name to its class and :func:`make_activation`
builds one from any name or alias.

Gated modules (:class:`GLU`, :class:`ReGLU`, :class:`GEGLU`, :class:`SwiGLU`,
:class:`Bilinear`) take either ``(gate, value)`` or one packed tensor, split by
:func:`actbook.functional.split_gated` (gate = second half by default, as in
:func:`torch.nn.functional.glu`).

:class:`FFN` and :class:`GatedFFN` are the Transformer feed-forward blocks; :func:`gated_hidden_dim`
(Shazeer's 2/3 rule) and :func:`llama_hidden_dim` (LLaMA's rounding) size their hidden layers.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from actbook import functional as F
from actbook import kernels
from actbook.registry import canonical_name, info, names

__all__ = [
    "Step",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "GELU",
    "GELUTanh",
    "GELUSigmoid",
    "SiLU",
    "Swish",
    "Mish",
    "Softplus",
    "HardSigmoid",
    "HardSwish",
    "ReLU6",
    "SquaredReLU",
    "StarReLU",
    "GLU",
    "ReGLU",
    "GEGLU",
    "SwiGLU",
    "Bilinear",
    "MODULES",
    "make_activation",
    "FFN",
    "GatedFFN",
    "gated_hidden_dim",
    "llama_hidden_dim",
]


def _learned(value: Tensor | float) -> str:
    """A parameter's current value for ``extra_repr`` (4 significant digits)."""
    number = value.detach().item() if isinstance(value, Tensor) else value
    return f"{number:.4g}"


def _scalar(value: float, learnable: bool) -> nn.Parameter | float:
    """A scalar :class:`~torch.nn.Parameter` initialised to ``value``, or the fixed float."""
    return nn.Parameter(torch.tensor(float(value))) if learnable else value


class _Fixed(nn.Module):
    """An activation without parameters: ``forward(x) = function(x)``."""

    function: ClassVar[Callable[[Tensor], Tensor]]

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x)


class Sigmoid(_Fixed):
    """:func:`actbook.functional.sigmoid` as a module."""

    function = staticmethod(F.sigmoid)


class Tanh(_Fixed):
    """:func:`actbook.functional.tanh` as a module."""

    function = staticmethod(F.tanh)


class ReLU(_Fixed):
    """:func:`actbook.functional.relu` as a module."""

    function = staticmethod(F.relu)


class SELU(_Fixed):
    """:func:`actbook.functional.selu` as a module (α and λ are fixed constants)."""

    function = staticmethod(F.selu)


class GELU(_Fixed):
    """:func:`actbook.functional.gelu` (exact, erfc form) as a module."""

    function = staticmethod(F.gelu)


class GELUTanh(_Fixed):
    """:func:`actbook.functional.gelu_tanh` as a module (Hugging Face's ``gelu_new``)."""

    function = staticmethod(F.gelu_tanh)


class GELUSigmoid(_Fixed):
    """:func:`actbook.functional.gelu_sigmoid` as a module (Hugging Face's ``quick_gelu``)."""

    function = staticmethod(F.gelu_sigmoid)


class SiLU(_Fixed):
    """:func:`actbook.functional.silu` as a module."""

    function = staticmethod(F.silu)


class Mish(_Fixed):
    """:func:`actbook.functional.mish` as a module."""

    function = staticmethod(F.mish)


class HardSigmoid(_Fixed):
    """:func:`actbook.functional.hardsigmoid` as a module."""

    function = staticmethod(F.hardsigmoid)


class HardSwish(_Fixed):
    """:func:`actbook.functional.hardswish` as a module."""

    function = staticmethod(F.hardswish)


class ReLU6(_Fixed):
    """:func:`actbook.functional.relu6` as a module."""

    function = staticmethod(F.relu6)


class SquaredReLU(_Fixed):
    """:func:`actbook.functional.squared_relu` as a module."""

    function = staticmethod(F.squared_relu)


class Step(nn.Module):
    """:func:`actbook.functional.step` as a module: 1 where ``x >= threshold``, else 0."""

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold!r}"


class Softmax(nn.Module):
    """:func:`actbook.functional.softmax` along ``dim`` (required: no implicit dimension)."""

    def __init__(self, dim: int, temperature: float = 1.0) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f"Softmax: temperature must be positive, got {temperature}")
        self.dim = dim
        self.temperature = temperature

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, dim=self.dim, temperature=self.temperature)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, temperature={self.temperature!r}"


class LeakyReLU(nn.Module):
    """:func:`actbook.functional.leaky_relu` with a fixed ``negative_slope`` (PyTorch's 0.01)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope!r}"


class PReLU(nn.Module):
    """:func:`actbook.functional.prelu` with a learnable slope (He et al. 2015).

    ``weight`` holds ``num_parameters`` slopes, each initialised to ``init``: one shared slope,
    or one per channel (dimension 1 of the input), as in :class:`torch.nn.PReLU`.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be at least 1, got {num_parameters}")
        self.num_parameters = num_parameters
        self.weight = nn.Parameter(torch.full((num_parameters,), float(init)))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(nn.Module):
    """:func:`actbook.functional.elu` with a fixed ``alpha``."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha!r}"


class Softplus(nn.Module):
    """:func:`actbook.functional.softplus` with a fixed ``beta``."""

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        if not beta > 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta = beta

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta!r}"


class Swish(nn.Module):
    r"""Swish :math:`x\,\sigma(\beta x)` (Ramachandran et al. 2017), β fixed or learnable.

    With ``learnable=True``, β is a scalar :class:`torch.nn.Parameter` initialised to ``beta``,
    as the paper's "trainable β" variant; otherwise it is a fixed float (β = 1 is SiLU).
    """

    def __init__(self, beta: float = 1.0, learnable: bool = False) -> None:
        super().__init__()
        self.learnable = learnable
        self.beta = _scalar(beta, learnable)

    def forward(self, x: Tensor) -> Tensor:
        return F.swish(x, self.beta)

    def extra_repr(self) -> str:
        beta = _learned(self.beta) if self.learnable else repr(self.beta)
        return f"beta={beta}, learnable={self.learnable}"


class StarReLU(nn.Module):
    r"""StarReLU :math:`s\,\mathrm{ReLU}(x)^2 + b` (Yu et al. 2022), s and b learnable.

    s and b start at the normalising constants :data:`actbook.functional.STAR_RELU_SCALE`
    (2/√5) and :data:`~actbook.functional.STAR_RELU_BIAS` (−1/√5), which give the output mean 0
    and variance 1 for x ~ N(0, 1). The official MetaFormer code instead starts its learnable
    s and b at 1 and 0: pass ``scale=1.0, bias=0.0`` to reproduce it. With
    ``learnable=False`` both are fixed floats. Learnable s and b are scalar parameters.
    """

    def __init__(
        self,
        scale: float = F.STAR_RELU_SCALE,
        bias: float = F.STAR_RELU_BIAS,
        learnable: bool = True,
    ) -> None:
        super().__init__()
        self.learnable = learnable
        self.scale = _scalar(scale, learnable)
        self.bias = _scalar(bias, learnable)

    def forward(self, x: Tensor) -> Tensor:
        return F.star_relu(x, self.scale, self.bias)

    def extra_repr(self) -> str:
        return (
            f"scale={_learned(self.scale)}, bias={_learned(self.bias)}, "
            f"learnable={self.learnable}"
        )


class _Gated(nn.Module):
    """A gated unit: ``forward(gate, value)``, or ``forward(packed)`` split along ``dim``.

    A packed tensor is split by :func:`actbook.functional.split_gated`: the gate is the second
    half (as in :func:`torch.nn.functional.glu`) unless ``gate_first=True``. ``dim`` and
    ``gate_first`` play no role when gate and value are passed separately.
    """

    function: ClassVar[Callable[[Tensor, Tensor], Tensor]]

    def __init__(self, dim: int = -1, gate_first: bool = False) -> None:
        super().__init__()
        self.dim = dim
        self.gate_first = gate_first

    def forward(self, x: Tensor, value: Tensor | None = None) -> Tensor:
        if value is None:
            gate, value = F.split_gated(x, dim=self.dim, gate_first=self.gate_first)
        else:
            gate = x
        return self.activate(gate, value)

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        """The unit on an explicit ``(gate, value)`` pair."""
        return self.function(gate, value)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, gate_first={self.gate_first}"


class GLU(_Gated):
    """:func:`actbook.functional.glu`, σ(gate)·value, as a module."""

    function = staticmethod(F.glu)


class ReGLU(_Gated):
    """:func:`actbook.functional.reglu`, ReLU(gate)·value, as a module."""

    function = staticmethod(F.reglu)


class SwiGLU(_Gated):
    """:func:`actbook.functional.swiglu`, SiLU(gate)·value, as a module."""

    function = staticmethod(F.swiglu)


class Bilinear(_Gated):
    """:func:`actbook.functional.bilinear`, gate·value, as a module."""

    function = staticmethod(F.bilinear)


class GEGLU(_Gated):
    """:func:`actbook.functional.geglu`, GELU(gate)·value; ``approximate="tanh"`` for Gemma's."""

    function = staticmethod(F.geglu)

    def __init__(self, approximate: str = "none", dim: int = -1, gate_first: bool = False) -> None:
        super().__init__(dim=dim, gate_first=gate_first)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GEGLU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        return F.geglu(gate, value, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}, {super().extra_repr()}"


#: Canonical registry name -> module class, for every activation of :func:`actbook.names`.
MODULES: MappingProxyType = MappingProxyType(
    {
        "step": Step,
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "softmax": Softmax,
        "relu": ReLU,
        "leaky_relu": LeakyReLU,
        "prelu": PReLU,
        "elu": ELU,
        "selu": SELU,
        "gelu": GELU,
        "gelu_tanh": GELUTanh,
        "gelu_sigmoid": GELUSigmoid,
        "silu": SiLU,
        "swish": Swish,
        "mish": Mish,
        "softplus": Softplus,
        "hardsigmoid": HardSigmoid,
        "hardswish": HardSwish,
        "relu6": ReLU6,
        "squared_relu": SquaredReLU,
        "star_relu": StarReLU,
        "glu": GLU,
        "reglu": ReGLU,
        "geglu": GEGLU,
        "swiglu": SwiGLU,
        "bilinear": Bilinear,
    }
)


def make_activation(name: str, **params: Any) -> nn.Module:
    """The module for activation ``name`` (canonical name or alias), built with ``params``.

    >>> make_activation("gelu_new")
    GELUTanh()
    >>> make_activation("leaky_relu", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)

    Raises ``KeyError`` (with close matches) for an unknown name and ``TypeError`` for a
    parameter the module does not take; ``softmax`` needs ``dim``.
    """
    return MODULES[canonical_name(name)](**params)


def _check_positive(**sizes: int) -> None:
    for label, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"{label} must be a positive integer, got {size!r}")


def gated_hidden_dim(d_model: int) -> int:
    r"""Hidden size of a gated FFN with as many weights as a 4·d_model FFN (Shazeer 2020).

    A plain FFN has two matrices of d_model × 4·d_model, 8·d_model² weights; a gated FFN has
    three of d_model × d_ff (gate, value, output), 3·d_model·d_ff. Equal counts need
    :math:`d_{ff} = \tfrac{2}{3}\cdot 4\,d_{model} = 8\,d_{model}/3`, so Shazeer reduces d_ff
    by 2/3 (T5-base: 3072 -> 2048). This returns 8·d_model/3 rounded to the nearest integer:
    the counts are equal exactly when d_model is a multiple of 3, and differ by at most
    d_model weights otherwise.
    """
    _check_positive(d_model=d_model)
    return (8 * d_model + 1) // 3


def llama_hidden_dim(dim: int, multiple_of: int, ffn_dim_multiplier: float | None = None) -> int:
    """The SwiGLU hidden size of LLaMA's reference code (Touvron et al. 2023).

    ``hidden = int(2 * 4 * dim / 3)``; then, if given, ``hidden = int(ffn_dim_multiplier *
    hidden)`` (Llama 2 and 3); finally ``hidden`` is rounded **up** to a multiple of
    ``multiple_of``. LLaMA-1 7B: ``llama_hidden_dim(4096, 256) == 11008``; Llama-3 8B:
    ``llama_hidden_dim(4096, 1024, 1.3) == 14336``.
    """
    _check_positive(dim=dim, multiple_of=multiple_of)
    hidden = int(2 * 4 * dim / 3)
    if ffn_dim_multiplier is not None:
        if not ffn_dim_multiplier > 0:
            raise ValueError(f"ffn_dim_multiplier must be positive, got {ffn_dim_multiplier}")
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


class FFN(nn.Module):
    r"""Transformer feed-forward block :math:`W_{out}\,f(W_{in} x)`.

    ``activation`` is any elementwise activation name or alias (``activation_params`` are
    passed to :func:`make_activation`); gated units need :class:`GatedFFN`.
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        activation: str = "gelu",
        bias: bool = True,
        **activation_params: Any,
    ) -> None:
        super().__init__()
        _check_positive(d_model=d_model, d_ff=d_ff)
        name = canonical_name(activation)
        if info(name).kind == "gated":
            raise ValueError(
                f"FFN: {activation!r} is a gated unit, which needs separate gate and value "
                "projections; use GatedFFN"
            )
        self.w_in = nn.Linear(d_model, d_ff, bias=bias)
        self.act = make_activation(name, **activation_params)
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.w_out(self.act(self.w_in(x)))


class GatedFFN(nn.Module):
    r"""Gated feed-forward block :math:`W_{out}\,(f(W_{gate} x) \odot W_{value} x)` (Shazeer 2020).

    ``activation`` is a gated unit: ``glu``, ``reglu``, ``geglu`` (pass ``approximate="tanh"``
    for the tanh GELU), ``swiglu`` or ``bilinear``. ``d_ff`` defaults to
    :func:`gated_hidden_dim`, Shazeer's 2/3 rule, so that with the default ``bias=False`` (as in
    the paper) the block has as many weights as ``FFN(d_model, 4 * d_model, bias=False)``:
    exactly when d_model is a multiple of 3. LLaMA's ``w1``, ``w3`` and ``w2`` are ``w_gate``,
    ``w_value`` and ``w_out``. ``fused=True`` computes the activation with
    :mod:`actbook.kernels`: one compiled pass, only gate and value saved for the backward pass.
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int | None = None,
        activation: str = "swiglu",
        bias: bool = False,
        fused: bool = False,
        **activation_params: Any,
    ) -> None:
        super().__init__()
        d_ff = gated_hidden_dim(d_model) if d_ff is None else d_ff
        _check_positive(d_model=d_model, d_ff=d_ff)
        name = canonical_name(activation)
        if info(name).kind != "gated":
            raise ValueError(
                f"GatedFFN: {activation!r} is not a gated unit; use one of "
                f"{', '.join(names(kind='gated'))}, or FFN for elementwise activations"
            )
        self.w_gate = nn.Linear(d_model, d_ff, bias=bias)
        self.w_value = nn.Linear(d_model, d_ff, bias=bias)
        self.act = make_activation(name, **activation_params)
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)
        self.fused = fused
        self._fused_act = kernels.get(name, **activation_params) if fused else None

    def forward(self, x: Tensor) -> Tensor:
        act = self._fused_act if self.fused else self.act
        return self.w_out(act(self.w_gate(x), self.w_value(x)))
