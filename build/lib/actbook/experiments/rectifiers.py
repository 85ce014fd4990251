"""Chapter 3 (the rectifiers): SELU's constants, signals through deep networks, networks born
dead.

Every experiment runs in float64 on the CPU from a seeded generator, so its printed results are
the same on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import mpmath
import torch
from torch import Tensor

from actbook.experiments.sigmoid_era import layer_medians
from actbook.functional import SELU_ALPHA, SELU_SCALE
from actbook.registry import get

__all__ = [
    "DTYPE",
    "Propagation",
    "SeluConstants",
    "alpha_dropout",
    "born_dead_share",
    "born_dead_single_input",
    "dropout",
    "layer_medians",
    "propagate",
    "selu_constants_closed_form",
    "selu_constants_solved",
]

#: The dtype of the chapter's experiments (the questions are mathematical: float64).
DTYPE = torch.float64
#: How the weights of :func:`propagate` are drawn: N(0, gain²/fan_in) for ``"he"`` (gain √2),
#: ``"lecun"`` (gain 1) and ``"xavier"`` (variance 2/(fan_in + fan_out)), each times ``gain``.
Init = Literal["he", "lecun", "xavier"]
#: A dropout for :func:`propagate`: a function of a layer's output and a generator.
Dropout = Callable[[Tensor, torch.Generator], Tensor]


# --- SELU's constants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeluConstants:
    """SELU's α and λ as mpmath numbers.

    Args:
        alpha: the scale of the negative branch, λ·α(eˣ − 1).
        scale: λ, the factor of both branches.
    """

    alpha: mpmath.mpf
    scale: mpmath.mpf


def selu_constants_closed_form(digits: int = 30) -> SeluConstants:
    r"""α and λ of SELU from the closed forms of the fixed point (mean 0, variance 1).

    For :math:`z \sim \mathcal N(0, 1)` and :math:`f(z) = \lambda z` above 0,
    :math:`\lambda\alpha(e^z - 1)` below, with :math:`\Phi` the normal distribution function:

    .. math::

        \mathbb E[z; z > 0] = \tfrac{1}{\sqrt{2\pi}}, \quad
        \mathbb E[e^z - 1; z \le 0] = \sqrt e\,\Phi(-1) - \tfrac12, \quad
        \mathbb E[(e^z - 1)^2; z \le 0] = e^2\Phi(-2) - 2\sqrt e\,\Phi(-1) + \tfrac12,

    so a zero mean fixes :math:`\alpha = (2\pi)^{-1/2} / (\tfrac12 - \sqrt e\,\Phi(-1))` and a unit
    second moment fixes :math:`\lambda^{-2} = \tfrac12 + \alpha^2(e^2\Phi(-2) - 2\sqrt e\,\Phi(-1)
    + \tfrac12)` (Klambauer et al. 2017, who give the same values through erfc).

    Args:
        digits: the working precision in decimal digits (default 30).

    Returns:
        SeluConstants: α ≈ 1.6733 and λ ≈ 1.0507.

    Examples::

        >>> c = selu_constants_closed_form()
        >>> float(c.alpha), float(c.scale)
        (1.6732632423543772, 1.0507009873554805)
    """
    with mpmath.workdps(digits + 10):
        phi1, phi2 = mpmath.ncdf(-1), mpmath.ncdf(-2)
        e_half = mpmath.sqrt(mpmath.e)
        alpha = 1 / mpmath.sqrt(2 * mpmath.pi) / (mpmath.mpf(1) / 2 - e_half * phi1)
        negative_square = mpmath.e**2 * phi2 - 2 * e_half * phi1 + mpmath.mpf(1) / 2
        scale = 1 / mpmath.sqrt(mpmath.mpf(1) / 2 + alpha**2 * negative_square)
        return SeluConstants(+alpha, +scale)


def selu_constants_solved(digits: int = 30) -> SeluConstants:
    r"""α and λ of SELU found numerically: the root of the two fixed-point equations

    .. math::

        \mathbb E f(z) = 0, \qquad \mathbb E f(z)^2 = 1, \qquad z \sim \mathcal N(0, 1),

    with the expectations computed by mpmath's quadrature against the normal density (four
    integrals, of :math:`z^p` above 0 and :math:`(e^z - 1)^p` below, for p = 1, 2) and the root by
    its multidimensional Newton method from (α, λ) = (1, 1). None of the closed form's
    expectations goes in, so the agreement of the two is a check on both.

    Args:
        digits: the working precision in decimal digits (default 30).

    Returns:
        SeluConstants: the root.

    Examples::

        >>> c = selu_constants_solved(digits=20)
        >>> round(float(c.alpha), 10), round(float(c.scale), 10)
        (1.6732632424, 1.0507009874)
    """
    with mpmath.workdps(digits + 10):
        # f(z)^p = scale^p z^p above 0 and (scale alpha)^p expm1(z)^p below: four integrals
        positive = [mpmath.quad(lambda z, p=p: z**p * mpmath.npdf(z), [0, mpmath.inf])
                    for p in (1, 2)]
        negative = [mpmath.quad(lambda z, p=p: mpmath.expm1(z) ** p * mpmath.npdf(z),
                                [-mpmath.inf, 0]) for p in (1, 2)]

        def equations(alpha, scale):
            mean = scale * (positive[0] + alpha * negative[0])
            square = scale**2 * (positive[1] + alpha**2 * negative[1])
            return mean, square - 1

        alpha, scale = mpmath.findroot(equations, (mpmath.mpf(1), mpmath.mpf(1)))
        return SeluConstants(+alpha, +scale)


# --- signals through a deep network --------------------------------------------------------------


@dataclass(frozen=True)
class Propagation:
    """Per-layer statistics of :func:`propagate`, from the first hidden layer to the last.

    Args:
        activation: the registered name of the activation.
        init: the weights' initialisation.
        gain: the factor on the initial weights' standard deviation.
        mean: the mean of each layer's outputs over units and inputs.
        second_moment: the mean square of each layer's outputs, E[h²].
        variance: the variance of each layer's outputs over units and inputs.
        grad_norm: ‖∂L/∂a_l‖ per layer for the pre-activations a_l, normalised by the last
            layer's (unless that is 0), with L a fixed random linear read-out of the last
            layer.
    """

    activation: str
    init: Init
    gain: float
    mean: list[float]
    second_moment: list[float]
    variance: list[float]
    grad_norm: list[float]


def _weight_std(init: Init, fan_in: int, fan_out: int) -> float:
    if init == "he":
        return math.sqrt(2.0 / fan_in)
    if init == "lecun":
        return math.sqrt(1.0 / fan_in)
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    raise ValueError(f"propagate: init must be 'he', 'lecun' or 'xavier', got {init!r}")


def propagate(
    activation: str | Callable[[Tensor], Tensor],
    depth: int,
    width: int = 256,
    init: Init = "he",
    gain: float = 1.0,
    *,
    n_samples: int = 512,
    input_variance: float = 1.0,
    dropout: Dropout | None = None,
    seed: int = 0,
) -> Propagation:
    r"""Push standard normal inputs through ``depth`` random fully connected layers and record,
    layer by layer, the mean and variance of the outputs and the norm of the gradient.

    Layer :math:`l` computes :math:`h_l = f(W_l h_{l-1})` with weights drawn from
    :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma` set by ``init`` and multiplied by ``gain``,
    and no biases. With :math:`\mathbb E f(a)^2 = \tfrac12 \mathbb E a^2` for ReLU, He's
    :math:`\sigma^2 = 2/n` keeps the second moment from layer to layer (He et al. 2015); SELU
    with LeCun's :math:`1/n` keeps mean 0 and variance 1 (Klambauer et al. 2017). The gradient
    is that of a fixed random linear read-out of the last layer, back to each layer's
    pre-activations.

    Args:
        activation: a registered name (``"relu"``, ``"selu"``, ...) or a function of a tensor.
        depth: the number of layers, at least 1.
        width: the units per layer and the input dimension, at least 1 (default 256).
        init: ``"he"`` (the default), ``"lecun"`` or ``"xavier"``.
        gain: the factor on the weights' standard deviation (default 1.0).
        n_samples: the number of inputs (default 512).
        input_variance: the variance of the Gaussian inputs (default 1.0).
        dropout: applied to each layer's output with the run's generator, for example
            :func:`dropout` or :func:`alpha_dropout`; ``None`` (the default) for none.
        seed: the seed of the inputs, weights, read-out and dropout (default 0).

    Returns:
        Propagation: the per-layer statistics.

    Raises:
        ValueError: if ``depth`` or ``width`` is below 1, ``input_variance`` is not positive,
            or ``init`` is unknown.

    Examples::

        >>> he = propagate("relu", depth=20, init="he")
        >>> xavier = propagate("relu", depth=20, init="xavier")
        >>> he.second_moment[-1] > 0.5 > 1e-4 > xavier.second_moment[-1]
        True
    """
    if depth < 1 or width < 1:
        raise ValueError(f"propagate: need depth >= 1 and width >= 1, got {depth}, {width}")
    if not input_variance > 0:
        raise ValueError(f"propagate: input_variance must be positive, got {input_variance}")
    f = get(activation) if isinstance(activation, str) else activation
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", "f")
    std = gain * _weight_std(init, width, width)
    generator = torch.Generator().manual_seed(seed)
    h = math.sqrt(input_variance) * torch.randn(n_samples, width, generator=generator,
                                                dtype=DTYPE)
    pre_activations, outputs = [], []
    for _ in range(depth):
        weight = std * torch.randn(width, width, generator=generator, dtype=DTYPE)
        a = (h @ weight.T).requires_grad_(True)
        h = f(a)
        if dropout is not None:
            h = dropout(h, generator)
        pre_activations.append(a)
        outputs.append(h)
    readout = torch.randn(width, generator=generator, dtype=DTYPE)
    grads = torch.autograd.grad((h @ readout).sum(), pre_activations)
    norms = [g.norm().item() for g in grads]
    with torch.no_grad():
        return Propagation(
            name, init, gain,
            [o.mean().item() for o in outputs],
            [o.pow(2).mean().item() for o in outputs],
            [o.var(correction=0).item() for o in outputs],
            [n / norms[-1] if norms[-1] else n for n in norms],
        )


def _check_rate(name: str, p: float) -> None:
    if not 0 <= p < 1:
        raise ValueError(f"{name}: p must lie in [0, 1), got {p}")


def _kept(h: Tensor, p: float, generator: torch.Generator) -> Tensor:
    """Which entries of ``h`` a dropout of rate ``p`` keeps, drawn from ``generator``."""
    return torch.rand(h.shape, generator=generator, dtype=h.dtype) >= p


def dropout(p: float) -> Dropout:
    """Ordinary (inverted) dropout with rate ``p``, for :func:`propagate`: each output is zeroed
    with probability ``p`` and the rest are divided by ``1 - p``, which keeps the mean and
    raises the second moment (Srivastava et al. 2014).

    Args:
        p: the drop rate, in [0, 1).

    Returns:
        Dropout: the function ``(h, generator) -> h'``.

    Raises:
        ValueError: if ``p`` is not in [0, 1).
    """
    _check_rate("dropout", p)

    def apply(h: Tensor, generator: torch.Generator) -> Tensor:
        return h * _kept(h, p, generator) / (1 - p)

    return apply


def alpha_dropout(p: float) -> Dropout:
    r"""Alpha dropout with rate ``p``, for :func:`propagate` (Klambauer et al. 2017): dropped
    outputs are set to SELU's lower limit :math:`\alpha' = -\lambda\alpha` instead of 0, and an
    affine map :math:`a h + b` with :math:`a = ((1 - p)(1 + p\alpha'^2))^{-1/2}` and
    :math:`b = -a p \alpha'` restores mean 0 and variance 1.

    Args:
        p: the drop rate, in [0, 1).

    Returns:
        Dropout: the function ``(h, generator) -> h'``.

    Raises:
        ValueError: if ``p`` is not in [0, 1).
    """
    _check_rate("alpha_dropout", p)
    low = -SELU_SCALE * SELU_ALPHA
    a = ((1 - p) * (1 + p * low**2)) ** -0.5
    b = -a * p * low

    def apply(h: Tensor, generator: torch.Generator) -> Tensor:
        return a * torch.where(_kept(h, p, generator), h, torch.full_like(h, low)) + b

    return apply


# --- networks born dead --------------------------------------------------------------------------


def born_dead_share(depth: int, width: int, n_networks: int = 1000, n_inputs: int = 256,
                    bias_std: float = 0.0, seed: int = 0) -> float:
    r"""The share of random deep ReLU networks that are dead at initialisation: constant on
    their inputs because some layer outputs 0 for every one of them.

    Each network has ``depth`` hidden layers of ``width`` ReLU units with He-normal weights
    :math:`\mathcal N(0, 2/n)` and biases :math:`\mathcal N(0, \text{bias\_std}^2)`, on inputs
    uniform in :math:`[-\sqrt3, \sqrt3]^{\text{width}}`. Once a layer is zero on every input, so is
    everything after it: no gradient reaches the weights below, and training cannot start. Lu
    et al. (2019) prove that for a fixed width this happens with probability tending to 1 as the
    depth grows; the narrower the network, the sooner.

    Args:
        depth: the number of hidden layers, at least 1.
        width: the units per layer and the input dimension, at least 1.
        n_networks: the number of random networks (default 1000).
        n_inputs: the inputs each network is evaluated on (default 256).
        bias_std: the standard deviation of the biases (default 0.0: no biases).
        seed: the seed of weights, biases and inputs (default 0).

    Returns:
        float: the share of the networks that are dead.

    Raises:
        ValueError: if ``depth``, ``width``, ``n_networks`` or ``n_inputs`` is below 1, or
            ``bias_std`` is negative.

    Examples::

        >>> born_dead_share(depth=2, width=64, n_networks=50)
        0.0
        >>> born_dead_share(depth=50, width=2, n_networks=200) > 0.5
        True
    """
    if min(depth, width, n_networks, n_inputs) < 1 or bias_std < 0:
        raise ValueError(
            "born_dead_share: depth, width, n_networks and n_inputs must be at least 1 and "
            f"bias_std non-negative, got {depth}, {width}, {n_networks}, {n_inputs}, {bias_std}")
    generator = torch.Generator().manual_seed(seed)
    h = math.sqrt(3.0) * (2 * torch.rand(n_networks, n_inputs, width, generator=generator,
                                         dtype=DTYPE) - 1)
    alive = torch.ones(n_networks, dtype=torch.bool)
    std = math.sqrt(2.0 / width)
    for _ in range(depth):
        weight = std * torch.randn(n_networks, width, width, generator=generator, dtype=DTYPE)
        bias = bias_std * torch.randn(n_networks, 1, width, generator=generator, dtype=DTYPE)
        h = torch.relu(torch.bmm(h, weight.transpose(1, 2)) + bias)
        alive &= h.flatten(1).gt(0).any(dim=1)
    return 1.0 - alive.double().mean().item()


def born_dead_single_input(depth: int, width: int) -> float:
    r"""The probability that a ReLU network of :func:`born_dead_share`'s kind without biases is
    dead on one input: :math:`1 - (1 - 2^{-n})^L` for ``depth`` L and ``width`` n.

    With one nonzero input and no biases, each unit of a layer whose input is not zero sees a
    symmetric, continuous pre-activation, so it is positive with probability ½, independently of
    the others (given the layer's input): the whole layer is zero with probability
    :math:`2^{-n}`, and once it is, so is every layer after it. More inputs can only keep a
    network alive (a layer must then be zero on all of them), so this is an upper bound on
    :func:`born_dead_share`, reached as the inputs shrink to one point.

    Args:
        depth: the number of hidden layers, at least 1.
        width: the units per layer, at least 1.

    Returns:
        float: the probability, in [0, 1).

    Raises:
        ValueError: if ``depth`` or ``width`` is below 1.

    Examples::

        >>> born_dead_single_input(depth=1, width=1)
        0.5
        >>> round(born_dead_single_input(depth=10, width=2), 4)
        0.9437
    """
    if depth < 1 or width < 1:
        raise ValueError(f"born_dead_single_input: need depth, width >= 1, got {depth}, {width}")
    return 1.0 - (1.0 - 2.0**-width) ** depth
