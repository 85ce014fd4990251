r"""The experiments of Chapter 2, the sigmoid era: threshold units, sigmoid, tanh and softmax.

* :func:`threshold_unit` and :func:`perceptron_train`: the McCulloch–Pitts unit and Rosenblatt's
  perceptron rule, with :func:`find_cycle` to show the rule cycling on XOR.
* :func:`gradient_flow`: per-layer weight-gradient norms of a deep MLP at initialisation and after
  a few steps of gradient descent (the vanishing-gradient measurement);
  :func:`gradient_flow_over_seeds` takes medians over seeds and :func:`rounding_sensitivity`
  checks that a run does not hang on the last bits of its arithmetic.
* :func:`zigzag_descent`: a two-weight linear unit trained on all-positive (sigmoid) inputs or on
  zero-centred inputs, the zig-zag of non-zero-centred activations.
* :func:`time_elementwise`: the cost of ``exp``-based activations against ReLU.
* :func:`naive_softmax` and :func:`entropy`: the overflowing textbook softmax and the entropy
  used to show the effect of temperature.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from actbook import functional as F
from actbook.registry import get
from actbook.text import percent

__all__ = [
    "LECUN_TANH_AMPLITUDE",
    "SATURATED_SLOPE",
    "GradientFlow",
    "PerceptronRun",
    "SeedMedians",
    "ZigZagComparison",
    "ZigZagRun",
    "cross_entropy_gradient",
    "entropy",
    "find_cycle",
    "gradient_flow",
    "gradient_flow_over_seeds",
    "layer_medians",
    "lecun_tanh",
    "mistake_bound",
    "naive_softmax",
    "perceptron_train",
    "rounding_sensitivity",
    "saturated_share",
    "second_moment_eigenvalues",
    "softmax_entropy",
    "separable_data",
    "steps_to_reach",
    "threshold_unit",
    "time_elementwise",
    "xor_data",
    "zigzag_data",
    "zigzag_comparison",
    "zigzag_descent",
    "zigzag_table",
]

#: Weight initialisations: Xavier (Glorot & Bengio 2010) or He (He et al. 2015).
Init = Literal["xavier", "he"]
#: The activations the zig-zag experiment feeds a neuron with.
InputKind = Literal["sigmoid", "sigmoid_centred", "tanh"]


# --- threshold units and the perceptron ----------------------------------------------------------


def threshold_unit(x: Tensor, weights: Tensor, threshold: float) -> Tensor:
    r"""McCulloch–Pitts unit: :math:`\mathbb{1}[\sum_i w_i x_i \ge \theta]` for each row of ``x``.

    With fixed weights and threshold it computes a logical function of binary inputs
    (McCulloch & Pitts 1943), for example AND with w = (1, 1), θ = 2.

    Args:
        x: the inputs, one per row, of shape ``(n, d)``.
        weights: the weights :math:`w`, of shape ``(d,)``.
        threshold: the threshold :math:`\theta`.

    Returns:
        Tensor: 1 or 0 for each row, of shape ``(n,)`` and the dtype of ``x``.
    """
    return F.step(x @ weights, threshold)


def xor_data(dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    """The four points of XOR, ``(X, y)`` with X in {0, 1}² and y = x₁ XOR x₂.

    Args:
        dtype: the dtype of both tensors (default ``torch.float64``).

    Returns:
        tuple[Tensor, Tensor]: ``X`` of shape ``(4, 2)``, rows (0, 0), (0, 1), (1, 0), (1, 1),
        and ``y`` = (0, 1, 1, 0).
    """
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=dtype)
    return x, (x[:, 0] != x[:, 1]).to(dtype)


def separable_data(
    n: int = 40,
    margin: float = 0.2,
    seed: int = 0,
    normal: Sequence[float] = (1.0, 2.0),
    offset: float = 1.0,
    dtype: torch.dtype = torch.float64,
) -> tuple[Tensor, Tensor]:
    """``n`` points in [−2, 2]², labelled 1 where normal·x > offset, at least ``margin`` from
    that line.

    Points closer than ``margin`` to the line are redrawn, so the set is linearly separable with
    margin ``margin`` and the perceptron convergence theorem applies.

    Args:
        n: the number of points (default 40).
        margin: the least distance of a point from the line (default 0.2).
        seed: the seed of the points (default 0).
        normal: a normal vector of the line, not necessarily of unit length (default
            ``(1.0, 2.0)``).
        offset: the line is normal·x = ``offset`` (default 1.0).
        dtype: the dtype of both tensors (default ``torch.float64``).

    Returns:
        tuple[Tensor, Tensor]: the points, of shape ``(n, 2)``, and their labels, 0 or 1, of
        shape ``(n,)``.
    """
    generator = torch.Generator().manual_seed(seed)
    u = torch.tensor(normal, dtype=dtype)
    scale = u.norm()
    kept: list[Tensor] = []
    while sum(len(k) for k in kept) < n:
        candidates = 4 * torch.rand(n, 2, generator=generator, dtype=dtype) - 2
        kept.append(candidates[((candidates @ u - offset) / scale).abs() >= margin])
    x = torch.cat(kept)[:n]
    return x, (x @ u > offset).to(dtype)


def mistake_bound(x: Tensor, normal: Sequence[float], offset: float) -> float:
    r"""Novikoff's bound :math:`(R/\gamma)^2` on the perceptron's mistakes (Novikoff 1962).

    For the augmented points :math:`\tilde x = (x, 1)` and a separating line normal·x = offset,
    :math:`R = \max\lVert\tilde x\rVert` and :math:`\gamma` is the smallest distance
    :math:`|u\cdot\tilde x|` to the hyperplane of the unit vector
    :math:`u \propto (\text{normal}, -\text{offset})`. Any separating line gives a valid bound.

    Args:
        x: the points, of shape ``(n, d)``.
        normal: a normal vector of the separating hyperplane, of length ``d``.
        offset: the hyperplane is normal·x = ``offset``.

    Returns:
        float: :math:`(R/\gamma)^2`.
    """
    augmented = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
    u = torch.tensor([*normal, -offset], dtype=x.dtype)
    gamma = (augmented @ (u / u.norm())).abs().min()
    return (augmented.norm(dim=1).max() / gamma).item() ** 2


@dataclass(frozen=True)
class PerceptronRun:
    """The outcome of :func:`perceptron_train`.

    The last entry of every weight vector is the bias (the negative threshold).

    Args:
        weights: the final weights, of shape ``(d + 1,)``.
        errors: ``errors[e]`` is the number of misclassified points (= updates) during epoch
            e + 1.
        converged: whether the last epoch made no mistake.
        history: ``history[0]`` holds the initial weights and ``history[e]`` the weights after
            epoch e, one row each.
    """

    weights: Tensor
    errors: list[int]
    converged: bool
    history: Tensor


def perceptron_train(x: Tensor, y: Tensor, epochs: int, lr: float = 1.0) -> PerceptronRun:
    r"""Rosenblatt's perceptron rule (Rosenblatt 1958) on ``(x, y)`` with labels in {0, 1}.

    The unit predicts :math:`\hat y = \mathbb{1}[w \cdot x + b \ge 0]`. Points are visited in
    their given order; after each one the weights move by :math:`\eta\,(y - \hat y)\,(x, 1)`,
    which changes them only on a mistake. Training stops after the first epoch without a
    mistake (``converged``) or after ``epochs`` epochs. On a linearly separable set the number
    of mistakes is finite (Novikoff 1962); on XOR the weights cycle for ever.

    Args:
        x: the points, of shape ``(n, d)``.
        y: their labels, 0 or 1, of shape ``(n,)``.
        epochs: the largest number of passes over the points, at least 1.
        lr: the step :math:`\eta` (default 1.0). The weights start at zero.

    Returns:
        PerceptronRun: the final weights, the mistakes per epoch and the weights after each
        epoch.

    Raises:
        ValueError: if ``epochs`` is less than 1, or ``x`` and ``y`` are not of shapes
            ``(n, d)`` and ``(n,)``.
    """
    if epochs < 1:
        raise ValueError(f"perceptron_train: epochs must be at least 1, got {epochs}")
    if x.dim() != 2 or y.shape != x.shape[:1]:
        raise ValueError(
            f"perceptron_train: expected x of shape (n, d) and y of shape (n,), got "
            f"{tuple(x.shape)} and {tuple(y.shape)}"
        )
    augmented = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
    w = torch.zeros(augmented.shape[1], dtype=x.dtype)
    history, errors = [w.clone()], []
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(augmented, y, strict=True):
            update = lr * (yi - F.step(xi @ w))
            if update != 0:
                w = w + update * xi
                mistakes += 1
        history.append(w.clone())
        errors.append(mistakes)
        if mistakes == 0:
            break
    return PerceptronRun(w, errors, errors[-1] == 0, torch.stack(history))


def find_cycle(history: Tensor) -> tuple[int, int] | None:
    """``(start, period)`` of the first exactly repeated row of ``history``, or ``None``.

    Row ``start + period`` is the first row equal to an earlier one, row ``start``: from there on
    a deterministic update rule visits the same states again and again.

    Args:
        history: the states, one per row (for example :attr:`PerceptronRun.history`).

    Returns:
        tuple[int, int] | None: ``(start, period)``, or ``None`` if no row repeats.
    """
    for later in range(1, len(history)):
        for earlier in range(later):
            if torch.equal(history[earlier], history[later]):
                return earlier, later - earlier
    return None


# --- gradient flow in deep MLPs ------------------------------------------------------------------


@dataclass(frozen=True)
class GradientFlow:
    """The outcome of :func:`gradient_flow`; per-layer lists run from the input layer upwards.

    Args:
        activation: the registered name of the activation.
        depth: the number of hidden layers.
        init: the initialisation, ``"xavier"`` or ``"he"``.
        initial_grad_norms: the Frobenius norms of the loss gradient with respect to each
            hidden layer's weight matrix, at initialisation.
        final_grad_norms: the same norms after the training steps.
        relative_change: ‖W_l − W_l(0)‖ / ‖W_l(0)‖ after training, for each hidden layer.
        losses: the loss before each step and after the last one.
        constant_loss: the loss of the best constant prediction (the variance of the
            targets), the level of a network that learned nothing but the mean.
        initial_saturation: for each hidden layer, the share of its units and inputs where the
            activation is saturated (:func:`saturated_share`), at initialisation.
        final_saturation: the same shares after the training steps.
    """

    activation: str
    depth: int
    init: Init
    initial_grad_norms: list[float]
    final_grad_norms: list[float]
    relative_change: list[float]
    losses: list[float]
    constant_loss: float
    initial_saturation: list[float]
    final_saturation: list[float]

    @property
    def first_to_last(self) -> float:
        """‖∂L/∂W_1‖ / ‖∂L/∂W_L‖ at initialisation: how much of the gradient of the last hidden
        layer reaches the first."""
        return self.initial_grad_norms[0] / self.initial_grad_norms[-1]


class _MLP(torch.nn.Module):
    """``depth`` hidden layers of ``width`` units with one activation, then a linear output."""

    def __init__(self, activation: Callable[[Tensor], Tensor], in_features: int, depth: int,
                 width: int) -> None:
        super().__init__()
        sizes = [in_features] + [width] * depth
        self.hidden = torch.nn.ModuleList(
            torch.nn.Linear(a, b, dtype=torch.float64) for a, b in itertools.pairwise(sizes)
        )
        self.output = torch.nn.Linear(width, 1, dtype=torch.float64)
        self.activation = activation

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.hidden:
            x = self.activation(layer(x))
        return self.output(x)

    def pre_activations(self, x: Tensor) -> list[Tensor]:
        """The inputs :math:`a_l` of the activation in each hidden layer, without autograd."""
        result = []
        with torch.no_grad():
            for layer in self.hidden:
                result.append(layer(x))
                x = self.activation(result[-1])
        return result


#: A unit counts as saturated where its slope is below this share of the activation's largest
#: slope (for the sigmoid: a slope of 1/40, reached 3.6 from the origin; for ReLU: the whole
#: negative side).
SATURATED_SLOPE = 0.1


def saturated_share(activation: str, pre_activation: Tensor) -> float:
    r"""The share of ``pre_activation``'s entries where ``activation`` is saturated: where
    :math:`|f'(a)| < 0.1 \max_x |f'(x)|` (:data:`SATURATED_SLOPE`; the maximum taken on a grid
    of [−10, 10]). A saturated unit passes back at most a tenth of the gradient it could.

    Args:
        activation: the registered name of an elementwise activation.
        pre_activation: the activation's inputs, a float tensor of any shape.

    Returns:
        float: the share, in [0, 1].

    Examples::

        >>> saturated_share("relu", torch.tensor([-1.0, 2.0, 3.0, -4.0]))
        0.5
        >>> saturated_share("sigmoid", torch.tensor([0.0, 1.0, 5.0]))
        0.3333333333333333
    """
    f = get(activation)
    grid = torch.linspace(-10, 10, 20001, dtype=torch.float64)
    top = _slopes(f, grid).abs().max()
    slopes = _slopes(f, pre_activation.detach().to(torch.float64))
    return (slopes.abs() < SATURATED_SLOPE * top).double().mean().item()


def _slopes(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    with torch.enable_grad():
        x = x.clone().requires_grad_(True)
        (slope,) = torch.autograd.grad(f(x).sum(), x)
    return slope


def _initialise(model: _MLP, init: Init, gain: float) -> None:
    """Hidden weights by Glorot/Xavier uniform or He (Kaiming) normal, times ``gain``.

    Glorot uniform: U(±√(6/(fan_in + fan_out))) (Glorot & Bengio 2010); He normal:
    N(0, 2/fan_in) (He et al. 2015). The output layer is Glorot uniform and biases are zero.
    """
    for layer in model.hidden:
        if init == "xavier":
            torch.nn.init.xavier_uniform_(layer.weight, gain=gain)
        elif init == "he":
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            layer.weight.data.mul_(gain)
        else:
            raise ValueError(f"gradient_flow: init must be 'xavier' or 'he', got {init!r}")
        torch.nn.init.zeros_(layer.bias)
    torch.nn.init.xavier_uniform_(model.output.weight)
    torch.nn.init.zeros_(model.output.bias)


def _teacher_task(n: int, in_features: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Inputs x ~ N(0, I) and targets sin(2u), u = x·t/‖t‖ for a random direction t."""
    x = torch.randn(n, in_features, generator=generator, dtype=torch.float64)
    direction = torch.randn(in_features, generator=generator, dtype=torch.float64)
    return x, torch.sin(2.0 * x @ (direction / direction.norm())).unsqueeze(1)


def gradient_flow(
    activation: str,
    depth: int,
    width: int = 64,
    init: Init = "xavier",
    seed: int = 0,
    *,
    steps: int = 0,
    lr: float = 0.1,
    gain: float = 1.0,
    n_samples: int = 256,
    in_features: int = 16,
    input_perturbation: float = 0.0,
) -> GradientFlow:
    r"""Per-layer gradient norms of a deep MLP, at initialisation and after ``steps`` of training.

    The network has ``depth`` hidden layers of ``width`` units with the registered activation
    ``activation`` (for example ``"sigmoid"``), initialised as ``init`` says, and is
    trained in float64 by full-batch gradient descent with step ``lr`` on the mean squared error
    of a fixed regression task (``n_samples`` Gaussian inputs, target sin(2u) of a random
    projection u). Backpropagation multiplies the error by :math:`W_l^\top\operatorname{diag}
    (f'(a_l))` once per layer, so with :math:`f' \le 1/4` (sigmoid) and Glorot weights the
    gradient shrinks roughly geometrically towards the input (Hochreiter 1991; Bengio et al.
    1994; Glorot & Bengio 2010).

    ``input_perturbation`` multiplies every input by 1 + ε·z (z standard normal, a fixed seed
    of its own) with ε this value: a change of the size of the last bits of a matrix product,
    which :func:`rounding_sensitivity` uses to tell a well-conditioned run from a chaotic one.

    Args:
        activation: the registered name of the activation.
        depth: the number of hidden layers, at least 1.
        width: the units per hidden layer, at least 1 (default 64).
        init: the hidden weights' initialisation (default ``"xavier"``): ``"xavier"`` is
            Glorot uniform, U(±√(6/(fan_in + fan_out))) (Glorot & Bengio 2010), ``"he"`` is He
            normal, N(0, 2/fan_in) (He et al. 2015). The output layer is Glorot uniform and
            all biases are zero.
        seed: the seed of the weights and of the task (default 0).
        steps: the number of gradient-descent steps (default 0: gradients at initialisation
            only).
        lr: the step size (default 0.1).
        gain: the factor applied to the initial hidden weights (default 1.0).
        n_samples: the number of training inputs (default 256).
        in_features: the dimension of the inputs (default 16).
        input_perturbation: ε, the relative perturbation of the inputs (default 0.0: none).

    Returns:
        GradientFlow: the gradient norms, weight changes and losses of the run.

    Raises:
        ValueError: if ``depth`` or ``width`` is less than 1, ``steps`` is negative, or
            ``init`` is neither ``"xavier"`` nor ``"he"``.
    """
    if depth < 1 or width < 1 or steps < 0:
        raise ValueError(
            f"gradient_flow: need depth >= 1, width >= 1, steps >= 0; got {depth}, {width}, "
            f"{steps}"
        )
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _MLP(get(activation), in_features, depth, width)
        _initialise(model, init, gain)
    x, y = _teacher_task(n_samples, in_features, generator)
    if input_perturbation:
        noise = torch.randn(x.shape, dtype=x.dtype, generator=torch.Generator().manual_seed(-1))
        x = x * (1 + input_perturbation * noise)
    start = [layer.weight.detach().clone() for layer in model.hidden]

    def loss_and_grads() -> float:
        model.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss.item()

    def grad_norms() -> list[float]:
        return [layer.weight.grad.norm().item() for layer in model.hidden]

    def saturation() -> list[float]:
        return [saturated_share(activation, a) for a in model.pre_activations(x)]

    losses = [loss_and_grads()]
    initial = grad_norms()
    initial_saturation = saturation()
    for _ in range(steps):
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss_and_grads())
    change = [((layer.weight - w0).norm() / w0.norm()).item()
              for layer, w0 in zip(model.hidden, start, strict=True)]
    constant = torch.nn.functional.mse_loss(y.mean().expand_as(y), y).item()
    return GradientFlow(activation, depth, init, initial, grad_norms(), change, losses, constant,
                        initial_saturation, saturation())


@dataclass(frozen=True)
class SeedMedians:
    """Medians over seeds of :func:`gradient_flow` runs that differ only in their seed.

    Args:
        activation: the registered name of the activation.
        seeds: the seeds of the runs.
        losses: the median loss, step by step.
        final_loss: the median of the final losses.
        constant_loss: the median loss of the best constant prediction.
        relative_change: the median relative change of the weights, layer by layer.
        min_change: the median over seeds of the smallest relative change of any layer.
        final_saturation: the median share of saturated units after training, layer by layer.
        runs: the runs themselves, in the order of ``seeds``.
    """

    activation: str
    seeds: tuple[int, ...]
    losses: list[float]
    final_loss: float
    constant_loss: float
    relative_change: list[float]
    min_change: float
    final_saturation: list[float]
    runs: tuple[GradientFlow, ...]


def layer_medians(per_run: Sequence[Sequence[float]]) -> list[float]:
    """The median over runs of a per-layer (or per-step) quantity, position by position.

    Args:
        per_run: one list per run (a seed), all of the same length.

    Returns:
        list[float]: the medians, one per position.

    Raises:
        ValueError: if there are no runs or the runs have different lengths.

    Examples::

        >>> layer_medians([[0.1, 0.5], [0.3, 0.4], [0.2, 0.9]])
        [0.2, 0.5]
    """
    if not per_run or len({len(run) for run in per_run}) != 1:
        raise ValueError("layer_medians: need at least one run, all with the same layers")
    return [statistics.median(values) for values in zip(*per_run, strict=True)]


def gradient_flow_over_seeds(activation: str, depth: int, seeds: Sequence[int] = (0, 1, 2),
                             **kwargs: object) -> SeedMedians:
    """:func:`gradient_flow` once per seed (network and task both change), summarised by
    medians: one seed's run can be unusually good or bad, the median of a few is steady.

    Args:
        activation: the registered name of the activation.
        depth: the number of hidden layers.
        seeds: the seeds, one run each (default ``(0, 1, 2)``).
        **kwargs: further arguments of :func:`gradient_flow`, passed on unchanged (not
            ``seed``).

    Returns:
        SeedMedians: the medians and the runs.

    Raises:
        ValueError: if ``seeds`` is empty.
    """
    if not seeds:
        raise ValueError("gradient_flow_over_seeds: need at least one seed")
    runs = tuple(gradient_flow(activation, depth, seed=seed, **kwargs) for seed in seeds)
    return SeedMedians(
        activation, tuple(seeds),
        layer_medians([r.losses for r in runs]),
        statistics.median(r.losses[-1] for r in runs),
        statistics.median(r.constant_loss for r in runs),
        layer_medians([r.relative_change for r in runs]),
        statistics.median(min(r.relative_change) for r in runs),
        layer_medians([r.final_saturation for r in runs]),
        runs,
    )


def rounding_sensitivity(activation: str, depth: int, relative: float = 1e-13,
                         **kwargs: object) -> float:
    r"""Relative change of the final loss of :func:`gradient_flow` when every input changes by
    a relative ``relative`` (about the rounding error of a float64 matrix product).

    A well-conditioned run changes by about as much as its inputs; a chaotic one, full-batch
    descent at the edge of stability, changes in its leading digits, so its printed result
    would depend on the processor's matrix kernels.

    Args:
        activation: the registered name of the activation.
        depth: the number of hidden layers.
        relative: ε, the relative change of the inputs (default 1e-13).
        **kwargs: further arguments of :func:`gradient_flow`, passed on to both runs (not
            ``input_perturbation``).

    Returns:
        float: :math:`|L' - L| / |L|` for the final losses :math:`L` without and :math:`L'`
        with the perturbation.
    """
    base = gradient_flow(activation, depth, **kwargs).losses[-1]
    moved = gradient_flow(activation, depth, input_perturbation=relative, **kwargs).losses[-1]
    return abs(moved - base) / abs(base)


#: The amplitude of LeCun et al.'s scaled tanh, 1.7159, the a with a·tanh(2/3) = 1.
LECUN_TANH_AMPLITUDE = 1 / math.tanh(2 / 3)


def lecun_tanh(x: Tensor) -> Tensor:
    r"""The scaled tanh :math:`1.7159 \tanh(2x/3)` that LeCun, Bottou, Orr and Müller recommend
    for hidden units (Efficient BackProp, 1998).

    The constants make :math:`f(\pm 1) = \pm 1`, so that inputs normalised to unit variance give
    outputs of about unit variance, and put the largest curvature near :math:`x = \pm 1`.

    Args:
        x: the input, a floating-point tensor of any shape.

    Returns:
        Tensor: :math:`a \tanh(2x/3)` with :math:`a = 1/\tanh(2/3)` (:data:`LECUN_TANH_AMPLITUDE`),
        of the shape of ``x``.

    Examples::

        >>> lecun_tanh(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.0000,  0.0000,  1.0000])
    """
    return LECUN_TANH_AMPLITUDE * torch.tanh(x * (2 / 3))


# --- the zig-zag of non-zero-centred inputs ------------------------------------------------------


def zigzag_data(kind: InputKind, n: int = 256, seed: int = 0,
                w_star: Sequence[float] = (1.0, -1.0)) -> tuple[Tensor, Tensor]:
    r"""Inputs to one unit and targets of a linear teacher, ``(X, y)`` with y = X w*.

    X is an activation of z ~ N(0, I₂): ``"sigmoid"`` gives σ(z), always positive, as the
    inputs of a unit in a sigmoid network are; ``"sigmoid_centred"`` gives σ(z) − 1/2 (same
    spread, mean zero); ``"tanh"`` gives tanh(z) = 2σ(2z) − 1.

    Args:
        kind: ``"sigmoid"``, ``"sigmoid_centred"`` or ``"tanh"``.
        n: the number of examples (default 256).
        seed: the seed of z (default 0).
        w_star: the teacher's weights w* (default ``(1.0, -1.0)``).

    Returns:
        tuple[Tensor, Tensor]: ``X`` of shape ``(n, 2)`` and ``y`` of shape ``(n,)``, float64.

    Raises:
        ValueError: for an unknown ``kind``.
    """
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 2, generator=generator, dtype=torch.float64)
    if kind == "sigmoid":
        x = F.sigmoid(z)
    elif kind == "sigmoid_centred":
        x = F.sigmoid(z) - 0.5
    elif kind == "tanh":
        x = F.tanh(z)
    else:
        raise ValueError(
            f"zigzag_data: kind must be 'sigmoid', 'sigmoid_centred' or 'tanh', got {kind!r}"
        )
    return x, x @ torch.tensor(w_star, dtype=torch.float64)


def second_moment_eigenvalues(x: Tensor) -> Tensor:
    r"""Eigenvalues (ascending) of :math:`X^\top X / n`, the Hessian of the loss of
    :func:`zigzag_descent`.

    A mean :math:`\mu \ne 0` adds :math:`\mu\mu^\top` to the covariance and so one large
    eigenvalue: gradient descent must take steps small enough for it and then crawls along
    the other directions (LeCun et al. 1998).

    Args:
        x: the inputs, of shape ``(n, d)``.

    Returns:
        Tensor: the ``d`` eigenvalues, in ascending order.
    """
    return torch.linalg.eigvalsh(x.T @ x / x.shape[0])


@dataclass(frozen=True)
class ZigZagRun:
    """The outcome of :func:`zigzag_descent`.

    Args:
        path: the weights before each step and after the last one, one row each.
        losses: the full-data loss at the same points.
        same_sign_fraction: the share of steps whose two gradient components had the same
            sign (NaN for a run of no steps).
    """

    path: Tensor
    losses: list[float]
    same_sign_fraction: float


def zigzag_descent(x: Tensor, y: Tensor, steps: int, lr: float, batch_size: int | None = None,
                   seed: int = 0, start: Sequence[float] = (0.0, 0.0)) -> ZigZagRun:
    r"""Gradient descent on :math:`L(w) = \tfrac{1}{2n}\lVert Xw - y\rVert^2` for one linear unit.

    ``batch_size=None`` is full-batch gradient descent; otherwise each step uses the next
    ``batch_size`` points of a seeded random order. The gradient of one example is
    :math:`(x \cdot w - y)\,x`: when every component of x is positive (sigmoid outputs) all
    components of the gradient share one sign, so each step moves every weight of the unit in
    the same direction and the path to a w* with weights of opposite signs zig-zags.

    Args:
        x: the inputs, of shape ``(n, 2)``.
        y: the targets, of shape ``(n,)``.
        steps: the number of steps, at least 0.
        lr: the step size, positive.
        batch_size: the examples per step; ``None`` (the default) for all of them. The random
            order is the same in every pass over the data.
        seed: the seed of the random order (default 0).
        start: the initial weights (default ``(0.0, 0.0)``).

    Returns:
        ZigZagRun: the path, the losses along it and the share of same-sign steps.

    Raises:
        ValueError: if ``steps`` is negative or ``lr`` is not positive.
    """
    if steps < 0 or lr <= 0:
        raise ValueError(f"zigzag_descent: need steps >= 0 and lr > 0, got {steps} and {lr}")
    n = x.shape[0]
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    w = torch.tensor(start, dtype=x.dtype)
    path, losses, same_sign = [w.clone()], [0.5 * ((x @ w - y) ** 2).mean().item()], 0
    for t in range(steps):
        if batch_size is None:
            xb, yb = x, y
        else:
            idx = order[torch.arange(t * batch_size, (t + 1) * batch_size) % n]
            xb, yb = x[idx], y[idx]
        grad = xb.T @ (xb @ w - yb) / xb.shape[0]
        same_sign += int(grad[0] * grad[1] > 0)
        w = w - lr * grad
        path.append(w.clone())
        losses.append(0.5 * ((x @ w - y) ** 2).mean().item())
    return ZigZagRun(torch.stack(path), losses, same_sign / steps if steps else math.nan)


def steps_to_reach(losses: Sequence[float], target: float) -> int | None:
    """The first step index whose loss is at most ``target``, or ``None`` if none is.

    Args:
        losses: the loss before each step (index 0: before the first).
        target: the loss to reach.

    Returns:
        int | None: the index, or ``None``.
    """
    return next((i for i, loss in enumerate(losses) if loss <= target), None)


@dataclass(frozen=True)
class ZigZagComparison:
    """One input kind of :func:`zigzag_comparison`: the data, both descents and their steps.

    Args:
        kind: the input kind of :func:`zigzag_data`.
        z: the inputs ``X`` of :func:`zigzag_data` (the activation's outputs, not its
            arguments).
        y: the targets.
        sgd_lr: the step size of the single-example descent.
        condition: the Hessian's condition number, λ_max / λ_min.
        gd: the full-batch descent.
        sgd: the single-example descent.
        gd_steps: the steps the full-batch descent needed to cut the loss by 10⁴ (``None`` if
            it did not).
        sgd_steps: the same for the single-example descent.
    """

    kind: InputKind
    z: Tensor
    y: Tensor
    sgd_lr: float
    condition: float
    gd: ZigZagRun
    sgd: ZigZagRun
    gd_steps: int | None
    sgd_steps: int | None


def zigzag_comparison(kind: InputKind, n: int = 256, seed: int = 0,
                      steps: int = 300) -> ZigZagComparison:
    """Full-batch descent at the best constant step 2/(λ_min + λ_max) and single-example SGD
    at step 1/max‖z_i‖² on :func:`zigzag_data` of one kind: each problem gets its own best
    step, so the comparison is of the problems, not of the steps.

    Args:
        kind: the input kind of :func:`zigzag_data`.
        n: the number of examples (default 256).
        seed: the seed of the data and of the order of the single-example descent (default 0).
        steps: the steps of each descent (default 300).

    Returns:
        ZigZagComparison: the data, both runs and the steps each needed.
    """
    z, y = zigzag_data(kind, n=n, seed=seed)
    low, high = second_moment_eigenvalues(z).tolist()
    sgd_lr = 1.0 / (z**2).sum(dim=1).max().item()
    gd = zigzag_descent(z, y, steps=steps, lr=2.0 / (low + high))
    sgd = zigzag_descent(z, y, steps=steps, lr=sgd_lr, batch_size=1, seed=seed)
    return ZigZagComparison(
        kind, z, y, sgd_lr, high / low, gd, sgd,
        steps_to_reach(gd.losses, 1e-4 * gd.losses[0]),
        steps_to_reach(sgd.losses, 1e-4 * sgd.losses[0]),
    )


def zigzag_table(rows: Mapping[str, ZigZagComparison]) -> str:
    """A plain-text table of comparisons, one line per ``label: comparison``: input mean,
    share of same-sign SGD steps, Hessian condition and the steps of both descents.

    Args:
        rows: the comparisons, by label (labels of up to 14 characters keep the columns).

    Returns:
        str: two header lines and one line per row, joined by newlines.
    """
    lines = [f"{'inputs':<15}{'mean':>6}{'SGD same':>10}{'Hessian':>10}{'GD':>9}{'SGD':>10}",
             f"{'':<15}{'':>6}{'sign':>10}{'condition':>10}{'steps':>9}{'steps':>10}"]
    lines += [f"{label:<15}{r.z.mean().item():>6.2f}{percent(r.sgd.same_sign_fraction):>10}"
              f"{r.condition:>10.1f}{r.gd_steps!s:>9}{r.sgd_steps!s:>10}"
              for label, r in rows.items()]
    return "\n".join(lines)


# --- cost --------------------------------------------------------------------------------------


def time_elementwise(functions: Mapping[str, Callable[[Tensor], Tensor]], numel: int = 1 << 20,
                     repeats: int = 25, threads: int = 1, seed: int = 0) -> dict[str, float]:
    """Median seconds per call of each function on one float32 tensor of ``numel`` N(0, 1) values.

    The functions are timed in turn within each repeat (so a slow moment of the machine hits
    all of them), on ``threads`` intra-op threads; the previous thread count is restored. Only
    ratios between functions of one call are meaningful.

    Args:
        functions: the functions to time, by name; each is called once untimed first.
        numel: the number of elements of the input (default 2²⁰).
        repeats: the timed calls per function (default 25).
        threads: the intra-op threads while timing (default 1).
        seed: the seed of the input (default 0).

    Returns:
        dict[str, float]: the median seconds per call, by name.
    """
    x = torch.randn(numel, generator=torch.Generator().manual_seed(seed))
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        times: dict[str, list[float]] = {name: [] for name in functions}
        for fn in functions.values():
            fn(x)
        for _ in range(repeats):
            for name, fn in functions.items():
                begin = time.perf_counter()
                fn(x)
                times[name].append(time.perf_counter() - begin)
    finally:
        torch.set_num_threads(previous)
    return {name: statistics.median(t) for name, t in times.items()}


# --- softmax -------------------------------------------------------------------------------------


def naive_softmax(x: Tensor, dim: int = -1) -> Tensor:
    r"""The textbook :math:`e^{x_i} / \sum_j e^{x_j}`, without subtracting the maximum.

    For contrast only: ``exp`` overflows to inf for x above about 88.7 in float32 (709.8 in
    float64) and inf/inf is NaN. Use :func:`actbook.functional.softmax`.

    Args:
        x: the logits.
        dim: the dimension to normalise along (default -1).

    Returns:
        Tensor: the probabilities, of the shape of ``x``.
    """
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


def entropy(p: Tensor, dim: int = -1) -> Tensor:
    r"""Shannon entropy :math:`-\sum_i p_i \log p_i` in nats along ``dim``, with 0 log 0 = 0.

    Args:
        p: probabilities along ``dim``.
        dim: the dimension to sum over (default -1).

    Returns:
        Tensor: the entropies, with ``dim`` removed from the shape of ``p``.
    """
    return -torch.special.xlogy(p, p).sum(dim=dim)


def softmax_entropy(logits: Tensor, temperature: float) -> float:
    r"""The entropy in nats of :math:`\operatorname{softmax}(z / T)` over the last dimension.

    0 as :math:`T \to 0` (one logit takes all the mass, unless several tie), :math:`\log K` as
    :math:`T \to \infty` (uniform over the K logits).

    Args:
        logits: the logits z, a one-dimensional tensor.
        temperature: the temperature T > 0.

    Returns:
        float: the entropy of the probabilities.
    """
    return entropy(F.softmax(logits, dim=-1, temperature=temperature)).item()


def cross_entropy_gradient(logits: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    r"""The gradient of the cross-entropy of softmax with respect to the logits, twice: by
    autograd, and by the closed form :math:`p - y`, with :math:`p = \operatorname{softmax}(z)`
    and :math:`y` the one-hot target.

    For :math:`L = -\log p_t` the chain rule through the softmax Jacobian
    :math:`\operatorname{diag}(p) - pp^\top` collapses to :math:`\partial L / \partial z_i =
    p_i - [i = t]`: softmax and the cross-entropy are each other's matching loss, as the
    sigmoid and the two-class cross-entropy are.

    Args:
        logits: the logits z, a float tensor of shape (N, K).
        target: the classes t, an integer tensor of shape (N,) with values in [0, K).

    Returns:
        tuple[Tensor, Tensor]: autograd's gradient of the summed cross-entropy, and
        :math:`p - y`, both of the shape of ``logits``.

    Raises:
        ValueError: if the shapes do not fit, ``target`` is not an integer tensor, or a class
            is out of range.

    Examples::

        >>> autograd, closed_form = cross_entropy_gradient(
        ...     torch.tensor([[2.0, 1.0, 0.0]]), torch.tensor([0]))
        >>> torch.allclose(autograd, closed_form)
        True
    """
    if logits.dim() != 2 or target.shape != logits.shape[:1]:
        raise ValueError(
            f"cross_entropy_gradient: need logits (N, K) and target (N,), got "
            f"{tuple(logits.shape)} and {tuple(target.shape)}")
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise ValueError(f"cross_entropy_gradient: target must hold integer classes, got "
                         f"{target.dtype}")
    if target.numel() and (target.min() < 0 or target.max() >= logits.shape[1]):
        raise ValueError(f"cross_entropy_gradient: classes must lie in [0, {logits.shape[1]})")
    z = logits.detach().clone().requires_grad_(True)
    (autograd,) = torch.autograd.grad(
        torch.nn.functional.cross_entropy(z, target, reduction="sum"), z)
    one_hot = torch.nn.functional.one_hot(target, logits.shape[1]).to(logits.dtype)
    return autograd, F.softmax(logits.detach(), dim=-1) - one_hot
