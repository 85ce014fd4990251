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
from actbook.registry import bind, names, resolve

#: Every activation module class, by the registry name it declares.
CLASSES: dict[str, type[Activation]] = {}


class Activation(nn.Module):
    """Base class of the activation modules.

    A subclass that sets ``name`` (a canonical registry name) is entered in :data:`CLASSES`;
    unless it sets ``function`` itself, ``function`` is that name's function in
    :mod:`actbook.functional`.

    Raises:
        TypeError: when a subclass declares a ``name`` that another class already declared.

    Examples::

        >>> issubclass(ReLU, Activation), ReLU.name
        (True, 'relu')
        >>> CLASSES["relu"] is ReLU
        True
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


class _Elementwise(Activation):
    """An elementwise activation, which takes PyTorch's ``inplace`` (timm passes it).

    Args:
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        inplace = "inplace=True" if self.inplace else ""
        return ", ".join(part for part in (self._settings(), inplace) if part)

    def _settings(self) -> str:
        """The module's parameters for ``extra_repr``, before ``inplace``."""
        return ""


class _Fixed(_Elementwise):
    """An activation without parameters: ``forward(x) = function(x)``.

    Args:
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.
    """

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, inplace=self.inplace)


class Sigmoid(_Fixed):
    r"""Applies the logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})` elementwise
    (Rumelhart et al. 1986); see :func:`actbook.functional.sigmoid`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = Sigmoid()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """

    name = "sigmoid"


class Tanh(_Fixed):
    r"""Applies the hyperbolic tangent :math:`\tanh x = 2\sigma(2x) - 1` elementwise (LeCun et al.
    1998); see :func:`actbook.functional.tanh`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = Tanh()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.7616,  0.0000,  0.9640])
    """

    name = "tanh"


class ReLU(_Fixed):
    r"""Applies the rectified linear unit :math:`\max(0, x)` elementwise (Nair & Hinton 2010); see
    :func:`actbook.functional.relu`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = ReLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    name = "relu"


class SELU(_Fixed):
    r"""Applies the scaled ELU :math:`\lambda\,\mathrm{elu}_\alpha(x)` elementwise (Klambauer et al.
    2017); see :func:`actbook.functional.selu`.

    α ≈ 1.6733 and λ ≈ 1.0507 are fixed constants, the self-normalising values.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = SELU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-1.1113,  0.0000,  2.1014])
    """

    name = "selu"


class GELU(_Fixed):
    r"""Applies the exact GELU :math:`x\,\Phi(x)` elementwise, in its erfc form (Hendrycks & Gimpel
    2016); see :func:`actbook.functional.gelu`.

    Args:
        approximate: ``"none"``, or ``"tanh"`` for the tanh approximation, as
            :class:`torch.nn.GELU`. Default: ``"none"``.
        inplace: write the result into the input and return it. Default: ``False``.

    Raises:
        ValueError: if ``approximate`` is neither ``"none"`` nor ``"tanh"``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = GELU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1587,  0.0000,  1.9545])
    """

    name = "gelu"

    def __init__(self, approximate: str = "none", inplace: bool = False) -> None:
        super().__init__(inplace)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate, inplace=self.inplace)

    def _settings(self) -> str:
        return f"approximate={self.approximate!r}"


class GELUTanh(_Fixed):
    r"""Applies the tanh approximation of GELU :math:`\tfrac{x}{2}(1 + \tanh u)`,
    :math:`u = \sqrt{2/\pi}\,(x + 0.044715 x^3)`, elementwise (Hendrycks & Gimpel 2016); see
    :func:`actbook.functional.gelu_tanh`.

    Hugging Face's ``gelu_new``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = GELUTanh()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1588,  0.0000,  1.9546])
    """

    name = "gelu_tanh"


class GELUSigmoid(_Fixed):
    r"""Applies the sigmoid approximation of GELU :math:`x\,\sigma(1.702x)` elementwise (Hendrycks &
    Gimpel 2016); see :func:`actbook.functional.gelu_sigmoid`.

    Hugging Face's ``quick_gelu``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = GELUSigmoid()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1542,  0.0000,  1.9357])
    """

    name = "gelu_sigmoid"


class SiLU(_Fixed):
    r"""Applies the sigmoid linear unit :math:`x\,\sigma(x)` elementwise (Elfwing et al. 2017); see
    :func:`actbook.functional.silu`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = SiLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """

    name = "silu"


class Mish(_Fixed):
    r"""Applies Mish :math:`x \tanh(\mathrm{softplus}(x))` elementwise (Misra 2019); see
    :func:`actbook.functional.mish`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = Mish()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.3034,  0.0000,  1.9440])
    """

    name = "mish"


class HardSigmoid(_Fixed):
    r"""Applies the hard sigmoid :math:`\mathrm{ReLU6}(x + 3)/6` elementwise (Howard et al.
    2019); see :func:`actbook.functional.hardsigmoid`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = HardSigmoid()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.3333, 0.5000, 0.8333])
    """

    name = "hardsigmoid"


class HardSwish(_Fixed):
    r"""Applies the hard swish :math:`x\,\mathrm{ReLU6}(x + 3)/6` elementwise (Howard et al.
    2019); see :func:`actbook.functional.hardswish`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = HardSwish()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.3333,  0.0000,  1.6667])
    """

    name = "hardswish"


class ReLU6(_Fixed):
    r"""Applies :math:`\min(\max(0, x), 6)` elementwise (Krizhevsky 2010); see
    :func:`actbook.functional.relu6`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = ReLU6()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    name = "relu6"


class SquaredReLU(_Fixed):
    r"""Applies the squared ReLU :math:`\max(0, x)^2` elementwise (So et al. 2021); see
    :func:`actbook.functional.squared_relu`.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = SquaredReLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 4.])
    """

    name = "squared_relu"


class Step(_Elementwise):
    r"""Applies the Heaviside step :math:`\mathbb{1}[x \ge \theta]` elementwise (McCulloch & Pitts
    1943): 1 where ``x >= threshold``, else 0; see :func:`actbook.functional.step`.

    Args:
        threshold: θ, the smallest input mapped to 1. Default: 0.0.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = Step(threshold=1.0)
        >>> m(torch.tensor([0.5, 1.0, 2.0]))
        tensor([0., 1., 1.])
    """

    name = "step"

    def __init__(self, threshold: float = 0.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x, self.threshold, inplace=self.inplace)

    def _settings(self) -> str:
        return f"threshold={self.threshold!r}"


class Softmax(Activation):
    r"""Applies the softmax :math:`p_i = e^{x_i/T} / \sum_j e^{x_j/T}` along ``dim`` (Bridle 1990);
    see :func:`actbook.functional.softmax`.

    ``dim`` is required: there is no implicit dimension.

    Args:
        dim: the dimension to normalise along.
        temperature: T > 0; T > 1 flattens the distribution, T < 1 sharpens it. Default: 1.0.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input; the values along ``dim`` sum to 1.

    Raises:
        ValueError: if ``temperature`` is not positive.

    Examples::

        >>> m = Softmax(dim=-1)
        >>> m(torch.tensor([[0.0, 1.0], [2.0, 2.0]]))
        tensor([[0.2689, 0.7311],
                [0.5000, 0.5000]])
    """

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


class LeakyReLU(_Elementwise):
    r"""Applies the leaky ReLU: :math:`x` for x > 0, :math:`a x` otherwise, elementwise (Maas et al.
    2013); see :func:`actbook.functional.leaky_relu`.

    Args:
        negative_slope: the fixed slope a for x ≤ 0. Default: 0.01 (PyTorch's).
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = LeakyReLU(0.2)
        >>> m(torch.tensor([-1.0, 2.0]))
        tensor([-0.2000,  2.0000])
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope, inplace=self.inplace)

    def _settings(self) -> str:
        return f"negative_slope={self.negative_slope!r}"


class PReLU(_Elementwise):
    r"""Applies the parametric ReLU: :math:`x` for x > 0, :math:`a_c x` otherwise, with learnable
    slopes :math:`a_c` (He et al. 2015); see :func:`actbook.functional.prelu`.

    ``weight`` holds ``num_parameters`` slopes, each initialised to ``init``: one shared slope,
    or one per channel (dimension 1 of the input), as in :class:`torch.nn.PReLU`.

    Args:
        num_parameters: the number of slopes: 1, or the number of channels. Default: 1.
        init: the initial value of each slope. Default: 0.25.
        device: the device of ``weight``, as :class:`torch.nn.PReLU`. Default: ``None``.
        dtype: the dtype of ``weight``. Default: ``None`` (the default dtype).
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape; with ``num_parameters > 1``, :math:`(N, C, *)` or
          :math:`(C,)` with C = ``num_parameters``.
        - Output: same shape as the input.

    Raises:
        ValueError: if ``num_parameters`` is less than 1.

    Examples::

        >>> m = PReLU()
        >>> m(torch.tensor([-2.0, 2.0]))
        tensor([-0.5000,  2.0000], grad_fn=<WhereBackward0>)
    """

    name = "prelu"

    def __init__(
        self,
        num_parameters: int = 1,
        init: float = 0.25,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        inplace: bool = False,
    ) -> None:
        super().__init__(inplace)
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be at least 1, got {num_parameters}")
        self.num_parameters = num_parameters
        self.weight = nn.Parameter(
            torch.full((num_parameters,), float(init), device=device, dtype=dtype)
        )

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight, inplace=self.inplace)

    def _settings(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(_Elementwise):
    r"""Applies the exponential linear unit: :math:`x` for x > 0, :math:`\alpha(e^x - 1)` otherwise,
    elementwise (Clevert et al. 2015); see :func:`actbook.functional.elu`.

    Args:
        alpha: the fixed α; the output tends to −α as x → −∞. Default: 1.0.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = ELU(alpha=0.5)
        >>> m(torch.tensor([-1.0, 2.0]))
        tensor([-0.3161,  2.0000])
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha, inplace=self.inplace)

    def _settings(self) -> str:
        return f"alpha={self.alpha!r}"


class Softplus(_Elementwise):
    r"""Applies softplus :math:`\tfrac{1}{\beta}\log(1 + e^{\beta x})` elementwise (Dugas et al.
    2001); see :func:`actbook.functional.softplus`.

    Args:
        beta: the fixed β > 0; a larger β is closer to ReLU. Default: 1.0.
        threshold: return the input where βx > ``threshold``, as :class:`torch.nn.Softplus`;
            ``None`` (actbook's default, the accurate value everywhere) never switches.
            Default: ``None``.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``beta`` is not positive.

    Examples::

        >>> m = Softplus()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.3133, 0.6931, 2.1269])
    """

    name = "softplus"

    def __init__(
        self, beta: float = 1.0, threshold: float | None = None, inplace: bool = False
    ) -> None:
        super().__init__(inplace)
        if not beta > 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta = beta
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold, inplace=self.inplace)

    def _settings(self) -> str:
        threshold = "" if self.threshold is None else f", threshold={self.threshold!r}"
        return f"beta={self.beta!r}{threshold}"


class Swish(_Elementwise):
    r"""Applies Swish :math:`x\,\sigma(\beta x)` elementwise (Ramachandran et al. 2017), β fixed or
    learnable; see :func:`actbook.functional.swish`.

    With ``learnable=True``, β is a scalar :class:`torch.nn.Parameter` initialised to ``beta``,
    as the paper's "trainable β" variant; otherwise it is a fixed float (β = 1 is SiLU).

    Args:
        beta: β, or its initial value when learnable. Default: 1.0.
        learnable: whether β is a learnable parameter. Default: ``False``.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = Swish(beta=2.0)
        >>> m(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1192,  0.0000,  1.9640])
    """

    name = "swish"

    def __init__(self, beta: float = 1.0, learnable: bool = False, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.learnable = learnable
        self.beta = _scalar(beta, learnable)

    def forward(self, x: Tensor) -> Tensor:
        return F.swish(x, self.beta, inplace=self.inplace)

    def _settings(self) -> str:
        beta = _learned(self.beta) if self.learnable else repr(self.beta)
        return f"beta={beta}, learnable={self.learnable}"


class StarReLU(_Elementwise):
    r"""Applies StarReLU :math:`s\,\mathrm{ReLU}(x)^2 + b` elementwise (Yu et al. 2022), s and b
    learnable; see :func:`actbook.functional.star_relu`.

    s and b start at the normalising constants :data:`actbook.functional.STAR_RELU_SCALE`
    (2/√5) and :data:`~actbook.functional.STAR_RELU_BIAS` (−1/√5), which give the output mean 0
    and variance 1 for x ~ N(0, 1). The official MetaFormer code instead starts its learnable
    s and b at 1 and 0: pass ``scale=1.0, bias=0.0`` to reproduce it. With
    ``learnable=False`` both are fixed floats. Learnable s and b are scalar parameters.

    Args:
        scale: s, or its initial value when learnable. Default: 2/√5.
        bias: b, or its initial value when learnable. Default: −1/√5.
        learnable: whether s and b are learnable parameters. Default: ``True``.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = StarReLU(scale=1.0, bias=0.0, learnable=False)
        >>> m(torch.tensor([-1.0, 2.0]))
        tensor([0., 4.])
    """

    name = "star_relu"

    def __init__(
        self,
        scale: float = F.STAR_RELU_SCALE,
        bias: float = F.STAR_RELU_BIAS,
        learnable: bool = True,
        inplace: bool = False,
    ) -> None:
        super().__init__(inplace)
        self.learnable = learnable
        self.scale = _scalar(scale, learnable)
        self.bias = _scalar(bias, learnable)

    def forward(self, x: Tensor) -> Tensor:
        return F.star_relu(x, self.scale, self.bias, inplace=self.inplace)

    def _settings(self) -> str:
        return (
            f"scale={_learned(self.scale)}, bias={_learned(self.bias)}, "
            f"learnable={self.learnable}"
        )


def _softplus_inverse(y: float) -> float:
    """The z with softplus(z) = log(1 + e^z) = y > 0."""
    return math.log(math.expm1(y))


class XIELU(_Elementwise):
    r"""Applies xIELU (Huang & Schlag 2024) elementwise with learnable α_p and α_n, as in Apertus;
    see :func:`actbook.functional.xielu`.

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
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

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
        inplace: bool = False,
    ) -> None:
        super().__init__(inplace)
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
        return F.xielu(x, alpha_p, alpha_n, self.beta, self.eps, inplace=self.inplace)

    def _settings(self) -> str:
        alpha_n = self.beta + F.softplus(self.alpha_n)
        return (f"alpha_p={_learned(F.softplus(self.alpha_p))}, alpha_n={_learned(alpha_n)}, "
                f"beta={_learned(self.beta)}, eps={_learned(self.eps)}")


class PolyReLU(_Elementwise):
    r"""Applies PolyReLU :math:`w_1 r + w_2 r^2 + w_3 r^3 + b`, :math:`r = \max(0, x)`,
    elementwise with learnable w and b (Zhuo et al. 2025); see
    :func:`actbook.functional.polyrelu`.

    The parameters are stored as PolyCom's ports store them: ``weight`` of shape (3,), the
    coefficients of r, r² and r³, initialised to 1/3 each, and ``bias`` of shape (1,) at 0.

    Args:
        weight: the initial (w₁, w₂, w₃). Default: 1/3 each.
        bias: the initial b. Default: 0.0.
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``weight`` does not hold three coefficients.

    Examples::

        >>> m = PolyReLU()
        >>> m(torch.tensor([-1.0, 1.0]))
        tensor([0., 1.], grad_fn=<AddBackward0>)
    """

    name = "polyrelu"

    def __init__(
        self, weight: tuple[float, float, float] = F.POLYRELU_WEIGHT, bias: float = 0.0
    , inplace: bool = False) -> None:
        super().__init__(inplace)
        if len(weight) != 3:
            raise ValueError(f"PolyReLU: weight holds three coefficients, got {len(weight)}")
        self.weight = nn.Parameter(torch.tensor([float(w) for w in weight]))
        self.bias = nn.Parameter(torch.tensor([float(bias)]))

    def forward(self, x: Tensor) -> Tensor:
        return F.polyrelu(x, self.weight, self.bias.squeeze(0), inplace=self.inplace)

    def _settings(self) -> str:
        weights = ", ".join(f"{w:.4g}" for w in self.weight.detach().tolist())
        return f"weight=({weights}), bias={_learned(self.bias)}"


class FATReLU(_Elementwise):
    r"""Applies FATReLU, :math:`x` for x > t and 0 elsewhere, elementwise (Kurtz et al. 2020); see
    :func:`actbook.functional.fatrelu`.

    Args:
        threshold: the fixed threshold t ≥ 0. Default: 0.125 (an example; ProSparse tunes it
            per model).
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``threshold`` is negative or not finite.

    Examples::

        >>> m = FATReLU(0.5)
        >>> m(torch.tensor([0.5, 0.6, 2.0]))
        tensor([0.0000, 0.6000, 2.0000])
    """

    name = "fatrelu"

    def __init__(self, threshold: float = F.FATRELU_THRESHOLD, inplace: bool = False) -> None:
        super().__init__(inplace)
        if not (math.isfinite(threshold) and threshold >= 0):
            raise ValueError(f"FATReLU: threshold must be finite and >= 0, got {threshold}")
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.fatrelu(x, self.threshold, inplace=self.inplace)

    def _settings(self) -> str:
        return f"threshold={self.threshold!r}"


class SoftCap(_Elementwise):
    r"""Applies soft-capping :math:`c \tanh(x/c)` elementwise (Gemma 2); see
    :func:`actbook.functional.softcap`.

    Args:
        cap: the fixed bound c > 0. Default: 30.0 (Gemma 2's final logits; its attention
            logits use 50.0).
        inplace: write the result into the input and return it, as PyTorch's ``inplace``
            (computed out of place, then copied). Default: ``False``.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``cap`` is not positive and finite.

    Examples::

        >>> m = SoftCap(50.0)
        >>> m(torch.tensor([-1000.0, 10.0]))
        tensor([-50.0000,   9.8688])
    """

    name = "softcap"

    def __init__(self, cap: float = F.SOFTCAP_CAP, inplace: bool = False) -> None:
        super().__init__(inplace)
        if not (math.isfinite(cap) and cap > 0):
            raise ValueError(f"SoftCap: cap must be positive and finite, got {cap}")
        self.cap = cap

    def forward(self, x: Tensor) -> Tensor:
        return F.softcap(x, self.cap, inplace=self.inplace)

    def _settings(self) -> str:
        return f"cap={self.cap!r}"


class DyT(Activation):
    r"""Dynamic tanh (Zhu et al. 2025): :math:`\tanh(\alpha x)` with a learnable scalar α, and
    with ``normalized_shape`` the whole DyT layer
    :math:`\gamma \odot \tanh(\alpha x) + \beta`, a drop-in for LayerNorm; see
    :func:`actbook.functional.dyt`.

    The parameter names are those of the paper's released ``DynamicTanh`` (``alpha``,
    ``weight``, ``bias``), so that its checkpoints load: α starts at ``alpha_init``, γ at ones and
    β at zeros.

    Args:
        alpha_init: the initial α. Default: 0.5 (the paper's α₀ for most models).
        normalized_shape: the size of the last dimension, for the per-channel γ and β; ``None``
            for the bare :math:`\tanh(\alpha x)`. Default: ``None``.

    Shape:
        - Input: :math:`(*)`, any shape; :math:`(*, C)` with ``normalized_shape=C``.
        - Output: same shape as the input.

    Examples::

        >>> m = DyT()
        >>> m(torch.tensor([0.0, 2.0]))
        tensor([0.0000, 0.7616], grad_fn=<TanhBackward0>)
        >>> layer = DyT(normalized_shape=4)
        >>> sorted(name for name, _ in layer.named_parameters())
        ['alpha', 'bias', 'weight']
    """

    name = "dyt"

    def __init__(
        self, alpha_init: float = F.DYT_ALPHA, normalized_shape: int | None = None
    ) -> None:
        super().__init__()
        self.normalized_shape = normalized_shape
        self.alpha = nn.Parameter(torch.ones(1) * alpha_init)
        if normalized_shape is not None:
            self.weight = nn.Parameter(torch.ones(normalized_shape))
            self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x: Tensor) -> Tensor:
        y = F.dyt(x, self.alpha.squeeze(0))
        if self.normalized_shape is None:
            return y
        return y * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"alpha={_learned(self.alpha)}, normalized_shape={self.normalized_shape}"


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
        """The unit on an explicit ``(gate, value)`` pair.

        Args:
            gate: the gate.
            value: the value, of the gate's shape and dtype.

        Returns:
            The unit's output, of the gate's shape and dtype.
        """
        return self.function(gate, value)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, layout={self.layout!r}"


class GLU(_Gated):
    r"""Applies the gated linear unit :math:`\sigma(\text{gate}) \odot \text{value}` (Dauphin et al.
    2016); see :func:`actbook.functional.glu`.

    Args:
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = GLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([0.5379, 1.0000, 2.6424])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([0.5379, 2.6424])
    """

    name = "glu"


class ReGLU(_Gated):
    r"""Applies ReGLU :math:`\max(0, \text{gate}) \odot \text{value}` (Shazeer 2020); see
    :func:`actbook.functional.reglu`.

    Args:
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = ReGLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([0., 0., 6.])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([0., 6.])
    """

    name = "reglu"


class SwiGLU(_Gated):
    r"""Applies SwiGLU :math:`\mathrm{SiLU}(\text{gate}) \odot \text{value}` (Shazeer 2020); see
    :func:`actbook.functional.swiglu`.

    Args:
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = SwiGLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([-0.5379,  0.0000,  5.2848])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([-0.5379,  5.2848])
    """

    name = "swiglu"


class Bilinear(_Gated):
    r"""Applies the bilinear unit :math:`\text{gate} \odot \text{value}` (Shazeer 2020); see
    :func:`actbook.functional.bilinear`.

    Args:
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = Bilinear()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([-2.,  0.,  6.])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([-2.,  6.])
    """

    name = "bilinear"


class GEGLU(_Gated):
    r"""Applies GEGLU :math:`\mathrm{GELU}(\text{gate}) \odot \text{value}` (Shazeer 2020); see
    :func:`actbook.functional.geglu`.

    Args:
        approximate: ``"none"`` for the exact GELU, ``"tanh"`` for its tanh approximation
            (Gemma's). Default: ``"none"``.
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: if ``approximate`` is not ``"none"`` or ``"tanh"``, for an unknown layout,
            or for a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = GEGLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([-0.3173,  0.0000,  5.8635])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([-0.3173,  5.8635])
    """

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
        bind("geglu", approximate=approximate)  # a ValueError names the values there are
        self.approximate = approximate

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        """GEGLU, with this module's ``approximate``, on an explicit ``(gate, value)`` pair.

        Args:
            gate: the gate.
            value: the value, of the gate's shape and dtype.

        Returns:
            GELU(gate)·value, of the gate's shape and dtype.
        """
        return F.geglu(gate, value, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}, {super().extra_repr()}"


class DReLU(_Gated):
    r"""Applies dReLU :math:`\max(0, \text{gate}) \odot \max(0, \text{value})` (Song et al. 2024,
    TurboSparse); see :func:`actbook.functional.drelu`.

    Args:
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"gate_last"`` (the gate is the
            second half, as in :func:`torch.nn.functional.glu`), ``"gate_first"`` or
            ``"interleaved"`` (gate in the even positions). Default: ``"gate_last"``.
        gate_first: the older spelling of ``layout="gate_first"`` (``True``) or
            ``layout="gate_last"`` (``False``). Default: ``None``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, or a ``gate_first`` that contradicts ``layout``.

    Examples::

        >>> m = DReLU()
        >>> m(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([2.0, 2.0, 3.0]))
        tensor([0., 0., 6.])
        >>> m(torch.tensor([2.0, 3.0, -1.0, 2.0]))  # packed: value, then gate
        tensor([0., 6.])
    """

    name = "drelu"


class SoLU(Activation):
    r"""Applies the softmax linear unit :math:`x_i\,\mathrm{softmax}(x)_i` along ``dim``
    (Elhage et al. 2022); see :func:`actbook.functional.solu`.

    Elhage et al. follow it with a LayerNorm; compose one after it to reproduce their MLP.

    Args:
        dim: the dimension of the softmax, the hidden units of a feed-forward block.
            Default: -1.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Examples::

        >>> m = SoLU()
        >>> m(torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
        tensor([[0.0000, 1.7616],
                [0.5000, 0.5000]])
    """

    name = "solu"

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.solu(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PolyNorm(Activation):
    r"""Applies PolyNorm :math:`w_0 N(x^3) + w_1 N(x^2) + w_2 N(x) + b` along ``dim``, with
    :math:`N(u) = u/\sqrt{\mathrm{mean}(u^2) + \epsilon}` and learnable w and b (Zhuo et al.
    2025); see :func:`actbook.functional.polynorm`.

    The parameters are stored as PolyCom stores them: ``weight`` of shape (3,), the weights of
    N(x³), N(x²) and N(x), initialised to 1/3 each, and ``bias`` of shape (1,) at 0.

    Args:
        dim: the dimension of the normalisation, the hidden units. Default: -1.
        eps: ε inside the root. Default: 1e-6.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``eps`` is not positive.

    Examples::

        >>> m = PolyNorm()
        >>> m(torch.tensor([-1.0, 1.0]))
        tensor([-0.3333,  1.0000], grad_fn=<AddBackward0>)
    """

    name = "polynorm"

    def __init__(self, dim: int = -1, eps: float = F.POLYNORM_EPS) -> None:
        super().__init__()
        if not eps > 0:
            raise ValueError(f"PolyNorm: eps must be positive, got {eps!r}")
        self.dim = dim
        self.eps = eps
        self.weight = nn.Parameter(torch.tensor(F.POLYNORM_WEIGHT))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: Tensor) -> Tensor:
        return F.polynorm(x, self.dim, self.weight, self.bias.squeeze(0), self.eps)

    def extra_repr(self) -> str:
        weights = ", ".join(f"{w:.4g}" for w in self.weight.detach().tolist())
        return f"dim={self.dim}, eps={self.eps}, weight=({weights}), bias={_learned(self.bias)}"


class GaussianTopK(Activation):
    r"""Applies Gemma 3n's Gaussian top-k, :math:`\mathrm{GELU_{tanh}}(\max(0, x - \mu
    - \sigma\Phi^{-1}(s)))` with the row's mean and standard deviation along ``dim`` (You et al.
    2025); see :func:`actbook.functional.gaussian_topk`.

    Args:
        sparsity: the target share s of zeros, 0 ≤ s < 1. Default: 0.95 (Gemma 3n's first ten
            layers).
        dim: the dimension of the statistics, the hidden units. Default: -1.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Raises:
        ValueError: if ``sparsity`` is not in [0, 1).

    Examples::

        >>> m = GaussianTopK()
        >>> m(torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, 10.0]))
        tensor([0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 1.7860])
    """

    name = "gaussian_topk"

    def __init__(self, sparsity: float = F.GAUSSIAN_TOPK_SPARSITY, dim: int = -1) -> None:
        super().__init__()
        if not 0.0 <= sparsity < 1.0:
            raise ValueError(f"GaussianTopK: sparsity must be in [0, 1), got {sparsity!r}")
        self.sparsity = sparsity
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.gaussian_topk(x, self.dim, self.sparsity)

    def extra_repr(self) -> str:
        return f"sparsity={self.sparsity}, dim={self.dim}"


class ClampedSwiGLU(_Gated):
    r"""Applies a bounded SwiGLU, by default gpt-oss's
    :math:`g'\sigma(1.702g') \odot (v' + 1)`, :math:`g' = \min(g, L)`,
    :math:`v' = \mathrm{clamp}(v, -L, L)` (OpenAI 2025); see
    :func:`actbook.functional.clamped_swiglu`.

    A packed input is read as gpt-oss reads its fused ``mlp1`` projection by default, gate and
    value interleaved (gate in the even columns); TransformerEngine's ``clamped_swiglu`` reads
    the gate from the first half (``layout="gate_first"``). ``alpha=1.0, offset=0.0,
    clamp="output"`` is the clamp-after-SiLU form (``make_activation("swiglu_step")``).

    Args:
        limit: the clamp bound L. Default: 7.0 (gpt-oss's ``swiglu_limit``).
        offset: the constant added to the clamped value. Default: 1.0.
        alpha: the sigmoid's slope, 1.702 or 1.0. Default: 1.702.
        clamp: ``"input"`` to clamp the gate, ``"output"`` to clamp the gate function's
            output. Default: ``"input"``.
        dim: the dimension a packed input is split along. Default: -1.
        layout: how a packed input holds gate and value: ``"interleaved"`` (gpt-oss),
            ``"gate_first"`` (TransformerEngine) or ``"gate_last"``. Default: ``"interleaved"``.

    Shape:
        - Input: :math:`(*, 2n)` packed along ``dim`` (shown for ``dim=-1``), or ``gate``
          and ``value`` of the same shape :math:`(*, n)`.
        - Output: :math:`(*, n)`.

    Raises:
        ValueError: for an unknown layout, a limit that is not positive, an offset that is not
            finite, or an ``alpha`` or ``clamp`` outside its values.

    Examples::

        >>> m = ClampedSwiGLU()
        >>> m(torch.tensor([20.0, 20.0]))  # interleaved: gate 20 -> 7, value 20 -> 7
        tensor([55.9996])
    """

    name = "clamped_swiglu"

    def __init__(
        self,
        limit: float = F.CLAMPED_SWIGLU_LIMIT,
        offset: float = F.CLAMPED_SWIGLU_OFFSET,
        alpha: float = F.GELU_SIGMOID_COEFF,
        clamp: F.ClampAt = "input",
        dim: int = -1,
        layout: Layout = "interleaved",
    ) -> None:
        super().__init__(dim=dim, layout=layout)
        F.clamped_swiglu_gate(limit, offset, alpha, clamp)
        self.limit = limit
        self.offset = offset
        self.alpha = alpha
        self.clamp = clamp

    def activate(self, gate: Tensor, value: Tensor) -> Tensor:
        """The bounded SwiGLU, with this module's parameters, on ``(gate, value)``.

        Args:
            gate: the gate.
            value: the value, of the gate's shape and dtype.

        Returns:
            The unit's output, of the gate's shape and dtype.
        """
        return F.clamped_swiglu(gate, value, self.limit, self.offset, self.alpha, self.clamp)

    def extra_repr(self) -> str:
        return (f"limit={self.limit!r}, offset={self.offset!r}, alpha={self.alpha!r}, "
                f"clamp={self.clamp!r}, {super().extra_repr()}")


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
