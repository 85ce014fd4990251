"""Small networks trained on scikit-learn's handwritten digits (Chapters 3 and 4): the data, a
seeded SGD run in float64, and a census of every hidden unit before and after training.

A unit is *dead* when its output is exactly 0 on every training image (a ReLU on its flat side)
and *stuck* when its pre-activation is at most 0 on every image: on the negative side for all
inputs, whatever the activation does there. For ReLU the two are the same units; Leaky ReLU,
PReLU and ELU units can be stuck without being dead, which is what makes the two comparable.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = [
    "DTYPE",
    "DigitsRun",
    "LayerCensus",
    "StepSummary",
    "StuckChange",
    "digits_data",
    "digits_sensitivity",
    "final_losses",
    "line_curvature",
    "loss_along_line",
    "step_summary",
    "train_digits",
]

#: The dtype of the training runs (float64, so that their results are the same on every CPU).
DTYPE = torch.float64


def digits_data(seed: int = 0, test_share: float = 0.2) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """scikit-learn's bundled handwritten digits (1,797 images of 8 × 8 pixels, 10 classes),
    split at random into training and test sets and standardised with the training set's
    statistics, in float64.

    The data ship with scikit-learn (a copy of the UCI "Optical Recognition of Handwritten
    Digits" test set), so nothing is downloaded. Pixels that are constant in the training set
    are only centred (their spread is taken as 1).

    Args:
        seed: the seed of the split (default 0).
        test_share: the share of the images held out, in (0, 1) (default 0.2).

    Returns:
        tuple[Tensor, Tensor, Tensor, Tensor]: training inputs (N, 64), training labels (N,),
        test inputs and test labels.

    Raises:
        ValueError: if ``test_share`` is not in (0, 1).
    """
    if not 0 < test_share < 1:
        raise ValueError(f"digits_data: test_share must lie in (0, 1), got {test_share}")
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.data, dtype=DTYPE)
    y = torch.tensor(digits.target, dtype=torch.long)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_test = round(test_share * len(x))
    test, train = order[:n_test], order[n_test:]
    mean, spread = x[train].mean(dim=0), x[train].std(dim=0)
    spread = torch.where(spread > 0, spread, torch.ones_like(spread))
    x = (x - mean) / spread
    return x[train], y[train], x[test], y[test]


@dataclass(frozen=True)
class LayerCensus:
    """What the hidden layers of a network do on a data set, from the first layer to the last.

    Args:
        dead: the share of each layer's units that output exactly 0 on every input.
        stuck: the share of each layer's units whose pre-activation is at most 0 on every
            input (for ReLU, the dead units).
        zeros: the share of exact zeros among each layer's outputs (units × inputs).
        mean: the mean of each layer's outputs.
        negative: the share of negative values among each layer's outputs.
    """

    dead: list[float]
    stuck: list[float]
    zeros: list[float]
    mean: list[float]
    negative: list[float]


@dataclass(frozen=True)
class StuckChange:
    """How each layer's stuck units changed between two censuses.

    Args:
        revived: the share of the layer's units stuck at the first census and not at the
            second.
        newly_stuck: the share of the layer's units stuck at the second census and not at the
            first.
    """

    revived: list[float]
    newly_stuck: list[float]


@dataclass(frozen=True)
class DigitsRun:
    """The outcome of :func:`train_digits`.

    Args:
        activation: the registered name of the hidden activation.
        depth: the number of hidden layers.
        width: the units per hidden layer.
        lr: the step size.
        seed: the seed of the weights and of the order of the examples.
        batch_norm: whether each hidden layer normalised its pre-activations.
        losses: the mean training loss before training and after each epoch (and after the
            large step, where there was one, in its place among the epochs).
        test_accuracy: the share of the test images classified correctly after training.
        initial: the census of the hidden layers on the training set before training.
        final: the same after training.
        since_start: how the stuck units changed from ``initial`` to ``final``.
        slopes: for PReLU, each layer's learned negative slopes (one per unit); else empty.
        n_train: the number of training images.
        steps: the minibatch SGD steps (the large step not counted).
        before_step: the census just before the large step, or ``None`` without one.
        after_step: the census just after it, or ``None``.
        since_step: how the stuck units changed from ``after_step`` to ``final``, or ``None``.
        model: the trained network, if :func:`train_digits` was asked to keep it, else
            ``None``.
    """

    activation: str
    depth: int
    width: int
    lr: float
    seed: int
    batch_norm: bool
    losses: list[float]
    test_accuracy: float
    initial: LayerCensus
    final: LayerCensus
    since_start: StuckChange
    slopes: list[list[float]]
    n_train: int
    steps: int
    before_step: LayerCensus | None = None
    after_step: LayerCensus | None = None
    since_step: StuckChange | None = None
    model: torch.nn.Module | None = None

    @property
    def diverged(self) -> bool:
        """Whether the final training loss is not finite (the censuses then mean nothing)."""
        return not math.isfinite(self.losses[-1])


def _census(pre_activations: torch.nn.ModuleList, activations: torch.nn.ModuleList,
            x: Tensor) -> tuple[LayerCensus, list[Tensor]]:
    """The census of the hidden layers on ``x`` and each layer's mask of stuck units."""
    dead, stuck, zeros, mean, negative, masks = [], [], [], [], [], []
    with torch.no_grad():
        for pre_activation, activation in zip(pre_activations, activations, strict=True):
            a = pre_activation(x)
            x = activation(a)
            is_zero = x == 0
            is_stuck = (a <= 0).all(dim=0)
            dead.append(is_zero.all(dim=0).double().mean().item())
            stuck.append(is_stuck.double().mean().item())
            zeros.append(is_zero.double().mean().item())
            mean.append(x.mean().item())
            negative.append((x < 0).double().mean().item())
            masks.append(is_stuck)
    return LayerCensus(dead, stuck, zeros, mean, negative), masks


def _change(first: list[Tensor], second: list[Tensor]) -> StuckChange:
    pairs = list(zip(first, second, strict=True))
    return StuckChange([(a & ~b).double().mean().item() for a, b in pairs],
                       [(b & ~a).double().mean().item() for a, b in pairs])


def train_digits(activation: str, depth: int = 4, width: int = 64, *, lr: float = 0.05,
                 epochs: int = 10, batch_size: int = 64, seed: int = 0,
                 data_seed: int = 0, batch_norm: bool = False,
                 input_perturbation: float = 0.0, large_step: float | None = None,
                 epochs_after_step: int = 0, keep_model: bool = False) -> DigitsRun:
    r"""Train a multilayer perceptron on :func:`digits_data` by plain minibatch SGD on the
    cross-entropy, in float64, and take a census of its hidden layers before and after.

    The network has ``depth`` hidden layers of ``width`` units with the activation module of
    ``activation`` (PReLU with one learnable slope per unit, from 0.25), He-normal weights
    :math:`\mathcal N(0, 2/n_{\text{in}})` and zero biases, and a linear output layer of 10
    units. With ``batch_norm`` each hidden layer is Linear, then ``BatchNorm1d`` (learnable
    scale and shift), then the activation; it normalises with the statistics of the batch it
    is given, also in the censuses (the training set) and the test (the test set), so that
    no running average depends on how far training has got. Each epoch visits the training
    images once in an order drawn from ``seed``.

    ``input_perturbation`` multiplies every training input by 1 + ε·z (z standard normal, a
    seed of its own), ε this value: a change the size of the last bits of a matrix product. A
    run whose results move in their printed digits under ε = 1e-13 is chaotic, and its digits
    would differ between processors.

    ``large_step``, if given, is the step size of one full-batch SGD step after the
    ``epochs``: the way a single oversized update (a spike in the gradient, a learning rate set
    too high) can kill ReLU units. ``epochs_after_step`` more epochs at ``lr`` follow it, to
    see which of the units it left stuck come back.

    Args:
        activation: the registered name of an elementwise activation (``"relu"``,
            ``"leaky_relu"``, ``"prelu"``, ``"elu"``, ...).
        depth: the number of hidden layers, at least 1 (default 4).
        width: the units per hidden layer, at least 1 (default 64).
        lr: the step size of SGD (default 0.05).
        epochs: the passes over the training set before the large step, at least 0
            (default 10).
        batch_size: the examples per step, at least 1 (default 64).
        seed: the seed of the weights and of the order of the examples (default 0).
        data_seed: the seed of the training/test split (default 0).
        batch_norm: normalise each hidden layer's pre-activations (default ``False``).
        input_perturbation: ε, the relative perturbation of the training inputs (default
            0.0: none).
        large_step: the step size of a full-batch step after the epochs (default ``None``:
            none).
        epochs_after_step: the epochs after the large step, at least 0 (default 0).
        keep_model: return the trained network in :attr:`DigitsRun.model` (default
            ``False``).

    Returns:
        DigitsRun: the losses, the test accuracy, the censuses, what changed and PReLU's
        slopes.

    Raises:
        ValueError: if ``depth``, ``width`` or ``batch_size`` is below 1, ``epochs`` or
            ``epochs_after_step`` is negative, ``epochs_after_step`` is given without
            ``large_step``, or ``activation`` is not elementwise.

    Examples::

        >>> run = train_digits("relu", depth=2, width=16, epochs=2, lr=0.1)
        >>> run.losses[-1] < run.losses[0] / 2, run.final.dead == run.final.stuck
        (True, True)
    """
    from actbook.nn import make_activation
    from actbook.registry import info

    if min(depth, width, batch_size) < 1 or min(epochs, epochs_after_step) < 0:
        raise ValueError(
            f"train_digits: need depth, width and batch_size >= 1 and epochs, "
            f"epochs_after_step >= 0, got {depth}, {width}, {batch_size}, {epochs}, "
            f"{epochs_after_step}")
    if epochs_after_step and large_step is None:
        raise ValueError("train_digits: epochs_after_step needs a large_step to follow")
    if info(activation).kind != "elementwise":
        raise ValueError(f"train_digits: {activation!r} is not an elementwise activation")
    x, y, x_test, y_test = digits_data(data_seed)
    if input_perturbation:
        noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(-1), dtype=DTYPE)
        x = x * (1 + input_perturbation * noise)
    sizes = [x.shape[1]] + [width] * depth
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers = [torch.nn.Linear(a, b, dtype=DTYPE) for a, b in zip(sizes, sizes[1:],
                                                                      strict=False)]
        for layer in layers:
            torch.nn.init.normal_(layer.weight, std=math.sqrt(2.0 / layer.in_features))
            torch.nn.init.zeros_(layer.bias)
        output = torch.nn.Linear(width, 10, dtype=DTYPE)
    pre_activations = torch.nn.ModuleList(
        torch.nn.Sequential(layer, torch.nn.BatchNorm1d(width, track_running_stats=False,
                                                     dtype=DTYPE)) if batch_norm
        else layer for layer in layers)
    is_prelu = info(activation).name == "prelu"
    params = {"num_parameters": width} if is_prelu else {}
    activations = torch.nn.ModuleList(make_activation(activation, **params).to(DTYPE)
                                      for _ in range(depth))
    model = torch.nn.Sequential(*[m for pair in zip(pre_activations, activations, strict=True)
                                  for m in pair], output)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.functional.cross_entropy

    def census() -> tuple[LayerCensus, list[Tensor]]:
        model.eval()
        return _census(pre_activations, activations, x)

    def mean_loss() -> float:
        model.eval()
        with torch.no_grad():
            return loss_fn(model(x), y).item()

    order_generator = torch.Generator().manual_seed(seed)

    def train(n_epochs: int) -> None:
        for _ in range(n_epochs):
            model.train()
            order = torch.randperm(len(x), generator=order_generator)
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                optimiser.zero_grad()
                loss_fn(model(x[batch]), y[batch]).backward()
                optimiser.step()
            losses.append(mean_loss())

    (initial, initial_stuck), losses = census(), [mean_loss()]
    train(epochs)
    before_step = after_step = since_step = None
    if large_step is not None:
        before_step = census()[0]
        model.train()
        for group in optimiser.param_groups:
            group["lr"] = large_step
        optimiser.zero_grad()
        loss_fn(model(x), y).backward()
        optimiser.step()
        for group in optimiser.param_groups:
            group["lr"] = lr
        losses.append(mean_loss())
        after_step, step_stuck = census()
        train(epochs_after_step)
    final, final_stuck = census()
    if large_step is not None:
        since_step = _change(step_stuck, final_stuck)
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).double().mean().item()
    slopes = [m.weight.detach().tolist() for m in activations] if is_prelu else []
    batches = -(-len(x) // batch_size)  # the last batch of an epoch may be smaller
    return DigitsRun(activation, depth, width, lr, seed, batch_norm, losses, accuracy, initial,
                     final, _change(initial_stuck, final_stuck), slopes, len(x),
                     (epochs + epochs_after_step) * batches, before_step, after_step,
                     since_step,
                     model if keep_model else None)


def final_losses(activation: str, seeds: Sequence[int], **kwargs: object) -> list[float]:
    """:func:`train_digits`'s final training loss for each of ``seeds``.

    Args:
        activation: the registered name of the hidden activation.
        seeds: the seeds of the runs, at least one.
        **kwargs: further arguments of :func:`train_digits` (not ``seed``).

    Returns:
        list[float]: the final losses in the order of ``seeds`` (``nan`` for a run that
        diverged).

    Raises:
        ValueError: if ``seeds`` is empty.
    """
    if not seeds:
        raise ValueError("final_losses: need at least one seed")
    return [train_digits(activation, seed=s, **kwargs).losses[-1] for s in seeds]


def digits_sensitivity(activation: str, relative: float = 1e-13, **kwargs: object) -> float:
    """Relative change of :func:`train_digits`'s final loss when every training input changes
    by a relative ``relative`` (about the rounding error of a float64 matrix product).

    A well-conditioned run changes by about as much as its inputs; a chaotic one changes in its
    leading digits, so its printed results would depend on the processor.

    Args:
        activation: the registered name of the hidden activation.
        relative: ε, the relative change of the inputs (default 1e-13).
        **kwargs: further arguments of :func:`train_digits`, passed on to both runs (not
            ``input_perturbation``).

    Returns:
        float: :math:`|L' - L| / |L|` for the final losses without and with the change.
    """
    base = train_digits(activation, **kwargs).losses[-1]
    moved = train_digits(activation, input_perturbation=relative, **kwargs).losses[-1]
    return abs(moved - base) / abs(base)


@dataclass(frozen=True)
class StepSummary:
    """What a large step did to a network, as medians over runs (seeds) of shares of all its
    hidden units; see :func:`step_summary`.

    Args:
        before: the share stuck just before the large step.
        after: the share stuck just after it.
        final: the share stuck at the end of the epochs after it.
        revived: the share stuck just after the step and not at the end.
        newly_stuck: the share not stuck just after the step and stuck at the end.
        test_accuracy: the test accuracy at the end.
        diverged: the number of runs whose loss ended not finite, left out of ``final``,
            ``revived``, ``newly_stuck`` and ``test_accuracy`` (``nan`` if every run
            diverged).
    """

    before: float
    after: float
    final: float
    revived: float
    newly_stuck: float
    test_accuracy: float
    diverged: int


def step_summary(runs: Sequence[DigitsRun]) -> StepSummary:
    """Summarise runs of :func:`train_digits` with a ``large_step``: the medians over the runs of
    the shares of all hidden units stuck before and after the step and at the end, revived and
    newly stuck since the step, and of the test accuracy.

    Args:
        runs: runs of the same configuration with different seeds, each with a large step.

    Returns:
        StepSummary: the medians and the number of runs that diverged.

    Raises:
        ValueError: if ``runs`` is empty or a run had no large step.
    """
    if not runs or any(r.after_step is None for r in runs):
        raise ValueError("step_summary: need at least one run, each with a large_step")

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else math.nan

    finite = [r for r in runs if not r.diverged]
    return StepSummary(
        median([statistics.fmean(r.before_step.stuck) for r in runs]),
        median([statistics.fmean(r.after_step.stuck) for r in runs]),
        median([statistics.fmean(r.final.stuck) for r in finite]),
        median([statistics.fmean(r.since_step.revived) for r in finite]),
        median([statistics.fmean(r.since_step.newly_stuck) for r in finite]),
        median([r.test_accuracy for r in finite]),
        len(runs) - len(finite),
    )


def loss_along_line(model: torch.nn.Module, steps: Sequence[float], seed: int = 0,
                    data_seed: int = 0) -> list[float]:
    r"""The training loss of a trained digits network along a random line through its weights.

    The direction :math:`d` has, for every weight or bias tensor, a random normal tensor scaled
    to that tensor's norm (a layer-wise version of the filter normalisation of Li et al. 2018, so
    that the scale of ``steps`` means the same for every layer); the losses are those of
    :math:`\theta + t\,d` for each ``t`` in ``steps``, on :func:`digits_data`'s training set.
    The model is left as it was.

    Args:
        model: a network from :func:`train_digits` with ``keep_model=True``.
        steps: the values of t (0 is the trained network).
        seed: the seed of the direction (default 0).
        data_seed: the seed of the training/test split it was trained on (default 0).

    Returns:
        list[float]: the mean cross-entropy at each step.

    Raises:
        ValueError: if ``steps`` is empty.
    """
    if not steps:
        raise ValueError("loss_along_line: need at least one step")
    x, y, _, _ = digits_data(data_seed)
    generator = torch.Generator().manual_seed(seed)
    params = list(model.parameters())
    start = [p.detach().clone() for p in params]
    direction = []
    for p in start:
        d = torch.randn(p.shape, generator=generator, dtype=p.dtype)
        direction.append(d * (p.norm() / d.norm()) if p.norm() > 0 else d * 0)
    model.eval()
    losses = []
    with torch.no_grad():
        for t in steps:
            for p, p0, d in zip(params, start, direction, strict=True):
                p.copy_(p0 + t * d)
            losses.append(torch.nn.functional.cross_entropy(model(x), y).item())
        for p, p0 in zip(params, start, strict=True):
            p.copy_(p0)
    return losses


def line_curvature(model: torch.nn.Module, half_width: float = 0.05, n_points: int = 101,
                   seed: int = 0) -> tuple[Tensor, Tensor]:
    r"""The curvature of the training loss along a random line through a trained network: the
    second differences :math:`(L(t + h) - 2L(t) + L(t - h)) / h^2` of
    :func:`loss_along_line` on an even grid of ``n_points`` in ``[-half_width, half_width]``.

    For a smooth activation the loss is smooth in the weights and the second differences change
    gradually; for ReLU it is piecewise smooth, and the second differences jump where a unit
    changes sign on some input.

    Args:
        model: a network from :func:`train_digits` with ``keep_model=True``.
        half_width: the half-width of the interval of t (default 0.05).
        n_points: the grid points, at least 3 (default 101).
        seed: the seed of the direction (default 0).

    Returns:
        tuple[Tensor, Tensor]: the inner grid points and the second differences there.

    Raises:
        ValueError: if ``n_points < 3`` or ``half_width`` is not positive.
    """
    if n_points < 3 or not half_width > 0:
        raise ValueError(f"line_curvature: need n_points >= 3 and half_width > 0, got "
                         f"{n_points}, {half_width}")
    h = 2 * half_width / (n_points - 1)
    t = torch.tensor([-half_width + k * h for k in range(n_points)], dtype=DTYPE)
    loss = torch.tensor(loss_along_line(model, t.tolist(), seed=seed), dtype=DTYPE)
    return t[1:-1], (loss[2:] - 2 * loss[1:-1] + loss[:-2]) / h**2
