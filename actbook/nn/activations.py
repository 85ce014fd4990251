r"""Every activation of the registry as a :class:`torch.nn.Module`.

Each module is a thin wrapper over its function in :mod:`actbook.functional` (as timm's
``layers`` wrap their functions): it holds the hyperparameters, or the learnable parameters of
PReLU, Swish (optional β) and StarReLU, and ``forward`` calls the function. Every class names
its registry entry in ``name``; :data:`actbook.nn.MODULES` is built from these names.

Gated modules take either ``(gate, value)`` or one packed tensor, split by
:func:`actbook.functional.split_gated` with the module's ``layout``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from actbook import functional as F
from actbook._checks import Layout, check_layout
from actbook.registry import names, resolve

#: Every activation module class, by the registry name it declares.
CLASSES: dict[str, type[Activation]] = {}


class Activation(nn.Module):
    """Base class of the activation modules.

    A subclass that sets ``name`` (a canonical registry name) is entered in :data:`CLASSES`;
    unless it sets ``function`` itself, ``function`` is that name's function in
    :mod:`actbook.functional`.
    """

    name: ClassVar[str]
    function: ClassVar[Callable[..., Tensor]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return
        if cls.name in CLASSES:
            raise TypeError(f"{cls.__name__}: {CLASSES[cls.name].__name__} is already "
                            f"the module of {cls.name!r}")
        if "function" not in cls.__dict__:
            cls.function = staticmethod(getattr(F, cls.name))
        CLASSES[cls.name] = cls


def _learned(value: Tensor | float) -> str:
    """A parameter's current value for ``extra_repr`` (4 significant digits)."""
    number = value.detach().item() if isinstance(value, Tensor) else value
    return f"{number:.4g}"


def _scalar(value: float, learnable: bool) -> nn.Parameter | float:
    """A scalar :class:`~torch.nn.Parameter` initialised to ``value``, or the fixed float."""
    return nn.Parameter(torch.tensor(float(value))) if learnable else value


class _Fixed(Activation):
    """An activation without parameters: ``forward(x) = function(x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x)


class Sigmoid(_Fixed):
    """:func:`actbook.functional.sigmoid` as a module."""

    name = "sigmoid"


class Tanh(_Fixed):
    """:func:`actbook.functional.tanh` as a module."""

    name = "tanh"


class ReLU(_Fixed):
    """:func:`actbook.functional.relu` as a module."""

    name = "relu"


class SELU(_Fixed):
    """:func:`actbook.functional.selu` as a module (α and λ are fixed constants)."""

    name = "selu"


class GELU(_Fixed):
    """:func:`actbook.functional.gelu` (exact, erfc form) as a module."""

    name = "gelu"


class GELUTanh(_Fixed):
    """:func:`actbook.functional.gelu_tanh` as a module (Hugging Face's ``gelu_new``)."""

    name = "gelu_tanh"


class GELUSigmoid(_Fixed):
    """:func:`actbook.functional.gelu_sigmoid` as a module (Hugging Face's ``quick_gelu``)."""

    name = "gelu_sigmoid"


class SiLU(_Fixed):
    """:func:`actbook.functional.silu` as a module."""

    name = "silu"


class Mish(_Fixed):
    """:func:`actbook.functional.mish` as a module."""

    name = "mish"


class HardSigmoid(_Fixed):
    """:func:`actbook.functional.hardsigmoid` as a module."""

    name = "hardsigmoid"


class HardSwish(_Fixed):
    """:func:`actbook.functional.hardswish` as a module."""

    name = "hardswish"


class ReLU6(_Fixed):
    """:func:`actbook.functional.relu6` as a module."""

    name = "relu6"


class SquaredReLU(_Fixed):
    """:func:`actbook.functional.squared_relu` as a module."""

    name = "squared_relu"


class Step(Activation):
    """:func:`actbook.functional.step` as a module: 1 where ``x >= threshold``, else 0."""

    name = "step"

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold!r}"


class Softmax(Activation):
    """:func:`actbook.functional.softmax` along ``dim`` (required: no implicit dimension)."""

    name = "softmax"

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


class LeakyReLU(Activation):
    """:func:`actbook.functional.leaky_relu` with a fixed ``negative_slope`` (PyTorch's 0.01)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope!r}"


class PReLU(Activation):
    """:func:`actbook.functional.prelu` with a learnable slope (He et al. 2015).

    ``weight`` holds ``num_parameters`` slopes, each initialised to ``init``: one shared slope,
    or one per channel (dimension 1 of the input), as in :class:`torch.nn.PReLU`.
    """

    name = "prelu"

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


class ELU(Activation):
    """:func:`actbook.functional.elu` with a fixed ``alpha``."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha!r}"


class Softplus(Activation):
    """:func:`actbook.functional.softplus` with a fixed ``beta``."""

    name = "softplus"

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        if not beta > 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta = beta

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta!r}"


class Swish(Activation):
    r"""Swish :math:`x\,\sigma(\beta x)` (Ramachandran et al. 2017), β fixed or learnable.

    With ``learnable=True``, β is a scalar :class:`torch.nn.Parameter` initialised to ``beta``,
    as the paper's "trainable β" variant; otherwise it is a fixed float (β = 1 is SiLU).
    """

    name = "swish"

    def __init__(self, beta: float = 1.0, learnable: bool = False) -> None:
        super().__init__()
        self.learnable = learnable
        self.beta = _scalar(beta, learnable)

    def forward(self, x: Tensor) -> Tensor:
        return F.swish(x, self.beta)

    def extra_repr(self) -> str:
        beta = _learned(self.beta) if self.learnable else repr(self.beta)
        return f"beta={beta}, learnable={self.learnable}"


class StarReLU(Activation):
    r"""StarReLU :math:`s\,\mathrm{ReLU}(x)^2 + b` (Yu et al. 2022), s and b learnable.

    s and b start at the normalising constants :data:`actbook.functional.STAR_RELU_SCALE`
    (2/√5) and :data:`~actbook.functional.STAR_RELU_BIAS` (−1/√5), which give the output mean 0
    and variance 1 for x ~ N(0, 1). The official MetaFormer code instead starts its learnable
    s and b at 1 and 0: pass ``scale=1.0, bias=0.0`` to reproduce it. With
    ``learnable=False`` both are fixed floats. Learnable s and b are scalar parameters.
    """

    name = "star_relu"

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


def _softplus_inverse(y: float) -> float:
    """The z with softplus(z) = log(1 + e^z) = y > 0."""
    return math.log(math.expm1(y))


class XIELU(Activation):
    r"""xIELU (Huang & Schlag 2024) with learnable α_p and α_n, as in Apertus.

    The parameters are stored as Hugging Face's ``XIELUActivation`` stores them, so that an
    Apertus checkpoint loads as it is: ``alpha_p`` and ``alpha_n`` hold
    :math:`\operatorname{softplus}^{-1}(\alpha_p)` and
    :math:`\operatorname{softplus}^{-1}(\alpha_n - \beta)`, which keeps α_p > 0 and α_n > β
    during training, and the buffers ``beta`` and ``eps`` hold β and ε.

    Args:
        alpha_p_init: the initial α_p. Default: 0.8.
        alpha_n_init: the initial α_n, above ``beta``. Default: 0.8.
        beta: β. Default: 0.5.
        eps: ε ≤ 0. Default: −10⁻⁶.

    Raises:
        ValueError: unless ``alpha_p_init > 0``, ``alpha_n_init > beta`` and ``eps <= 0``.

    Examples::

        >>> m = XIELU()
        >>> m(torch.tensor([-10.0, 1.0]))
        tensor([2.2000, 1.3000], grad_fn=<WhereBackward0>)
    """

    name = "xielu"

    def __init__(
        self,
        alpha_p_init: float = F.XIELU_ALPHA_P,
        alpha_n_init: float = F.XIELU_ALPHA_N,
        beta: float = F.XIELU_BETA,
        eps: float = F.XIELU_EPS,
    ) -> None:
        super().__init__()
        if not (alpha_p_init > 0 and alpha_n_init > beta and eps <= 0):
            raise ValueError(
                "XIELU: needs alpha_p_init > 0, alpha_n_init > beta and eps <= 0, got "
                f"{alpha_p_init}, {alpha_n_init}, {beta}, {eps}"
            )
        self.alpha_p = nn.Parameter(torch.tensor([_softplus_inverse(alpha_p_init)]))
        self.alpha_n = nn.Parameter(torch.tensor([_softplus_inverse(alpha_n_init - beta)]))
        self.register_buffer("beta", torch.tensor(beta))
        self.register_buffer("eps", torch.tensor(eps))

    def forward(self, x: Tensor) -> Tensor:
        # The stored parameters have shape (1,), as Hugging Face's; the formula takes scalars.
        alpha_p = F.softplus(self.alpha_p).squeeze(0)
        alpha_n = self.beta + F.softplus(self.alpha_n).squeeze(0)
        return F.xielu(x, alpha_p, alpha_n, self.beta, self.eps)

    def extra_repr(self) -> str:
        alpha_n = self.beta + F.softplus(self.alpha_n)
        return (f"alpha_p={_learned(F.softplus(self.alpha_p))}, alpha_n={_learned(alpha_n)}, "
                f"beta={_learned(self.beta)}, eps={_learned(self.eps)}")


class _Gated(Activation):
    """A gated unit: ``forward(gate, value)``, or ``forward(packed)`` split along ``dim``.

    A packed tensor is split by :func:`actbook.functional.split_gated` with ``layout``: the gate
    is the second half by default (as in :func:`torch.nn.functional.glu`), the first half with
    ``layout="gate_first"``, the even columns with ``layout="interleaved"``. ``gate_first=True``
    is the older spelling of ``layout="gate_first"``. ``dim`` and ``layout`` play no role when
    gate and value are passed separately.
    """

    def __init__(
        self, dim: int = -1, layout: Layout = "gate_last", *, gate_first: bool | None = None
    ) -> None:
        super().__init__()
        self.dim = dim
        self.layout = check_layout(layout, gate_first)

    def forward(self, x: Tensor, value: Tensor | None = None) -> Tensor:
        if value is None:
            gate, value = F.split_gated(x, dim=self.dim, layout=self.layout)
        else:
            gate = x
        return self.activate(gate, value)

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        """The unit on an explicit ``(gate, value)`` pair."""
        return self.function(gate, value)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, layout={self.layout!r}"


class GLU(_Gated):
    """:func:`actbook.functional.glu`, σ(gate)·value, as a module."""

    name = "glu"


class ReGLU(_Gated):
    """:func:`actbook.functional.reglu`, ReLU(gate)·value, as a module."""

    name = "reglu"


class SwiGLU(_Gated):
    """:func:`actbook.functional.swiglu`, SiLU(gate)·value, as a module."""

    name = "swiglu"


class Bilinear(_Gated):
    """:func:`actbook.functional.bilinear`, gate·value, as a module."""

    name = "bilinear"


class GEGLU(_Gated):
    """:func:`actbook.functional.geglu`, GELU(gate)·value; ``approximate="tanh"`` for Gemma's."""

    name = "geglu"

    def __init__(
        self,
        approximate: str = "none",
        dim: int = -1,
        layout: Layout = "gate_last",
        *,
        gate_first: bool | None = None,
    ) -> None:
        super().__init__(dim=dim, layout=layout, gate_first=gate_first)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GEGLU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        return F.geglu(gate, value, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}, {super().extra_repr()}"


class DReLU(_Gated):
    """:func:`actbook.functional.drelu`, ReLU(gate)·ReLU(value), as a module (TurboSparse)."""

    name = "drelu"


#: Canonical registry name -> module class, in book order, for every activation that has one.
MODULES: MappingProxyType = MappingProxyType(
    {name: CLASSES[name] for name in names() if name in CLASSES}
)

#: What :func:`make_activation` accepts: a name, a module class, or a module.
ActivationSpec = str | type[nn.Module] | nn.Module


def make_activation(activation: ActivationSpec, **params: Any) -> nn.Module:
    """The activation module ``activation`` stands for, built with ``params``.

    Args:
        activation: a canonical name, alias or variant name (``"geglu_tanh"``), a module class
            (built with ``params``, as timm's ``act_layer``), or a module (returned as it is).
        **params: the module's constructor arguments; a variant's own parameters are the
            defaults.

    Returns:
        The module.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: for a parameter the module does not take (``softmax`` needs ``dim``), or
            parameters passed with a module instance.

    Examples::

        >>> make_activation("gelu_new")
        GELUTanh()
        >>> make_activation("leaky_relu", negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
        >>> make_activation("geglu_tanh")
        GEGLU(approximate='tanh', dim=-1, layout='gate_last')
        >>> make_activation(torch.nn.GELU, approximate="tanh")
        GELU(approximate='tanh')
    """
    if isinstance(activation, nn.Module):
        if params:
            raise TypeError(f"parameters {sorted(params)} given with a module instance, "
                            f"{activation!r}; pass its class or name instead")
        return activation
    if isinstance(activation, type) and issubclass(activation, nn.Module):
        return activation(**params)
    variant = resolve(activation)
    return MODULES[variant.base](**{**variant.params, **params})

__all__ = [
    *(cls.__name__ for cls in MODULES.values()),
    "Activation",
    "ActivationSpec",
    "CLASSES",
    "MODULES",
    "make_activation",
]
