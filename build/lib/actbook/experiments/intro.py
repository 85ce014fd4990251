r"""The experiments of Chapter 1, the introduction: why a network needs a nonlinearity.

* :func:`linear_collapse`: a deep stack of affine layers is one affine map (composed exactly),
  while the same stack with an activation between the layers is far from every affine map.
* :func:`affine_least_squares`, :func:`best_linear_accuracy`, :func:`relu_xor` and
  :func:`train_xor`: XOR defeats every linear model and falls to one hidden layer.
* :func:`approximation_curves`: one hidden layer of growing width fits a wiggly function for
  every nonpolynomial activation, and stalls for a polynomial one (Leshno et al. 1993).
* :func:`neuron_loss`, :func:`local_minimum_mask` and :func:`surface_minima`: a single sigmoid
  neuron whose square loss has several local minima, against the convex cross-entropy of the
  same neuron (Auer, Herbster & Warmuth 1995).
* :func:`property_markdown`: the table of :func:`actbook.analysis.property_table` for the page.
* :func:`timeline`: the registry's dates, for the timeline figure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from actbook import functional as F
from actbook.experiments.sigmoid_era import xor_data
from actbook.registry import get, info, names
from actbook.text import minus

__all__ = [
    "NEURON_INPUTS",
    "N_TEST",
    "N_TRAIN",
    "NEURON_TARGETS",
    "ApproximationCurve",
    "LinearCollapse",
    "TimelineEntry",
    "TwoLayerNet",
    "affine_least_squares",
    "approximation_curves",
    "axis_dataset",
    "best_linear_accuracy",
    "compose_affine",
    "cross_entropy_with_logits",
    "linear_collapse",
    "local_minimum_mask",
    "log_log_slope",
    "neuron_loss",
    "polynomial_rmse",
    "property_markdown",
    "random_affine_layers",
    "random_feature_fit",
    "random_feature_rmse",
    "relu_xor",
    "run_layers",
    "second_differences",
    "surface_minima",
    "timeline",
    "train_xor",
    "wiggly_target",
    "xor_accuracy",
]

#: The dtype of the chapter's experiments (a mathematical question: float64).
DTYPE = torch.float64
#: An activation as a function of a tensor.
Activation = Callable[[Tensor], Tensor]
#: Affine layers as (weight, bias) pairs.
Layers = list[tuple[Tensor, Tensor]]


# --- linear collapse -----------------------------------------------------------------------------


def random_affine_layers(depth: int, width: int, seed: int = 0) -> Layers:
    """``depth`` affine layers ``x -> W x + b`` of size ``width``, float64.

    Weights are N(0, 1/width) (LeCun-normal: a layer keeps the scale of its input), biases
    N(0, 0.1²), drawn from a generator seeded with ``seed``.

    Args:
        depth: the number of layers, at least 1.
        width: the number of inputs and outputs of every layer, at least 1.
        seed: the seed of the generator (default 0).

    Returns:
        list[tuple[Tensor, Tensor]]: one ``(W, b)`` per layer, ``W`` of shape
        ``(width, width)`` and ``b`` of shape ``(width,)``.

    Raises:
        ValueError: if ``depth`` or ``width`` is less than 1.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"need depth >= 1 and width >= 1, got {depth}, {width}")
    generator = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(width, width, generator=generator, dtype=DTYPE) / math.sqrt(width),
         0.1 * torch.randn(width, generator=generator, dtype=DTYPE))
        for _ in range(depth)
    ]


def run_layers(layers: Layers, x: Tensor, activation: Activation | None = None) -> Tensor:
    """Apply the layers to the rows of ``x`` in turn, with ``activation`` between them (not
    after the last); ``None`` leaves the stack purely affine.

    Args:
        layers: the ``(W, b)`` pairs, applied first to last as ``x -> x Wᵀ + b``.
        x: the inputs, one per row, of shape ``(n, width)``.
        activation: the function applied between consecutive layers; ``None`` (the default)
            for none.

    Returns:
        Tensor: the outputs of the last layer, one row per row of ``x``.
    """
    for i, (weight, bias) in enumerate(layers):
        x = x @ weight.T + bias
        if activation is not None and i < len(layers) - 1:
            x = activation(x)
    return x


def compose_affine(layers: Layers) -> tuple[Tensor, Tensor]:
    r"""The single affine map ``(W, b)`` equal to the stack: applying
    :math:`x \mapsto W_k x + b_k` after :math:`x \mapsto Wx + b` gives
    :math:`W_k W x + (W_k b + b_k)`, so :math:`W = W_n \cdots W_1` and
    :math:`b = W_n(\cdots(W_2 b_1 + b_2)\cdots) + b_n`.

    Args:
        layers: the ``(W, b)`` pairs of the stack, first layer first; at least one.

    Returns:
        tuple[Tensor, Tensor]: the weight ``W`` and the bias ``b`` of the composed map.
    """
    weight, bias = layers[0]
    for w, b in layers[1:]:
        weight, bias = w @ weight, w @ bias + b
    return weight, bias


def affine_least_squares(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """The affine map ``(W, b)`` minimising the squared error ``sum ||W x_i + b - y_i||²``
    over the rows of ``x`` and ``y`` (``y`` may be 1-D, then ``W`` is a vector and ``b`` a
    scalar).

    Solved by :func:`torch.linalg.lstsq` with the ``gelsd`` driver (minimum-norm, CPU
    tensors).

    Args:
        x: the inputs, of shape ``(n, d)``.
        y: the targets, of shape ``(n, k)`` or ``(n,)``, of the dtype of ``x``.

    Returns:
        tuple[Tensor, Tensor]: ``W`` of shape ``(k, d)`` and ``b`` of shape ``(k,)``, or
        ``W`` of shape ``(d,)`` and a 0-dimensional ``b`` for a 1-D ``y``.
    """
    design = torch.cat((x, torch.ones(len(x), 1, dtype=x.dtype)), dim=1)
    targets = y.unsqueeze(1) if y.dim() == 1 else y
    solution = torch.linalg.lstsq(design, targets, driver="gelsd").solution
    weight, bias = solution[:-1].T, solution[-1]
    if y.dim() == 1:
        return weight[0], bias[0]
    return weight, bias


@dataclass(frozen=True)
class LinearCollapse:
    """Result of :func:`linear_collapse`.

    Args:
        depth: the number of layers of the stack.
        width: the width of every layer.
        weight: the weight of the composed affine map (:func:`compose_affine`).
        bias: its bias.
        max_abs_error: the largest difference between the stack and its composed map over
            all test inputs and outputs.
        output_scale: the largest absolute output of the stack (for scale).
        nonlinear_residual: the RMS residual of the best affine fit to the same stack with
            the activation between the layers, divided by that stack's output RMS about its
            mean (1 means the affine fit explains nothing, 0 a perfect fit).
    """

    depth: int
    width: int
    weight: Tensor
    bias: Tensor
    max_abs_error: float
    output_scale: float
    nonlinear_residual: float


def linear_collapse(depth: int = 10, width: int = 16, n_inputs: int = 2000, seed: int = 0,
                    activation: str = "tanh", input_scale: float = 3.0) -> LinearCollapse:
    """Compose a random affine stack into one map and measure how exactly they agree, then put
    ``activation`` between the same layers and measure how far the best affine fit falls short.

    Inputs are N(0, σ²) with σ = ``input_scale``, in float64, large enough to reach the
    activation's curved part.

    Args:
        depth: the number of layers (default 10).
        width: the width of every layer (default 16).
        n_inputs: the number of test inputs (default 2000).
        seed: the seed of the layers (:func:`random_affine_layers`); the inputs are drawn with
            ``seed + 1`` (default 0).
        activation: the registered activation put between the layers (default ``"tanh"``).
        input_scale: the standard deviation of the inputs (default 3.0).

    Returns:
        LinearCollapse: the composed map and both measurements.
    """
    layers = random_affine_layers(depth, width, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    x = input_scale * torch.randn(n_inputs, width, generator=generator, dtype=DTYPE)
    stacked = run_layers(layers, x)
    weight, bias = compose_affine(layers)
    error = (stacked - (x @ weight.T + bias)).abs().max().item()
    curved = run_layers(layers, x, get(activation))
    fit_w, fit_b = affine_least_squares(x, curved)
    residual = curved - (x @ fit_w.T + fit_b)
    spread = curved - curved.mean(dim=0)
    relative = (residual.pow(2).mean() / spread.pow(2).mean()).sqrt().item()
    return LinearCollapse(depth, width, weight, bias, error, stacked.abs().max().item(), relative)


# --- XOR -----------------------------------------------------------------------------------------


def best_linear_accuracy(x: Tensor, y: Tensor) -> float:
    """The highest accuracy any linear classifier ``1[w·x > c]`` reaches on 2-D points ``x``
    with labels ``y`` in {0, 1}, found exactly.

    Only the order of the projections ``w·x_i`` matters, and it changes only where ``w`` is
    perpendicular to the difference of two points. One direction strictly between each pair of
    consecutive critical angles, in both orientations, and every threshold between consecutive
    projections (or beyond all of them) therefore covers every linear classifier.

    Args:
        x: the points, of shape ``(n, 2)``.
        y: their labels, of shape ``(n,)``, each 0 or 1.

    Returns:
        float: the best accuracy, the share of points classified correctly.

    Raises:
        ValueError: if ``x`` is not of shape ``(n, 2)``.
    """
    if x.dim() != 2 or x.shape[1] != 2:
        raise ValueError(f"best_linear_accuracy works on 2-D points, got shape {tuple(x.shape)}")
    x, y = x.to(DTYPE), y.to(DTYPE)
    diffs = [x[j] - x[i] for i, j in itertools.combinations(range(len(x)), 2)]
    critical = sorted({(math.atan2(d[1].item(), d[0].item()) + math.pi / 2) % math.pi
                       for d in diffs if d.abs().max() > 0} | {0.0})
    bounds = [*critical, critical[0] + math.pi]
    best = 0.0
    for a, b in itertools.pairwise(bounds):
        for angle in (0.5 * (a + b), 0.5 * (a + b) + math.pi):
            direction = torch.tensor([math.cos(angle), math.sin(angle)], dtype=DTYPE)
            z = torch.sort(x @ direction).values
            cuts = torch.cat((z[:1] - 1, 0.5 * (z[1:] + z[:-1]), z[-1:] + 1))
            predicted = (x @ direction)[None, :] > cuts[:, None]
            best = max(best, (predicted == y.bool()).to(DTYPE).mean(dim=1).max().item())
    return best


def cross_entropy_with_logits(logits: Tensor, targets: Tensor) -> Tensor:
    r"""Binary cross-entropy of :math:`\sigma(z)` against targets :math:`y \in [0, 1]`, elementwise:
    :math:`\log(1 + e^z) - yz`, with :math:`\log(1 + e^z) = \max(z, 0) + \log(1 + e^{-|z|})`
    so that nothing overflows and no term is cut off.

    Args:
        logits: the logits :math:`z`.
        targets: the targets :math:`y`, broadcastable to ``logits``.

    Returns:
        Tensor: the loss of each element, not reduced.
    """
    return F.relu(logits) + torch.log1p(torch.exp(-logits.abs())) - targets * logits


def relu_xor(x: Tensor) -> Tensor:
    r"""XOR by two ReLU units, built by hand: :math:`\operatorname{ReLU}(x_1 + x_2)
    - 2\operatorname{ReLU}(x_1 + x_2 - 1)`, which is 0, 1, 1, 0 on the four corners.

    Args:
        x: the points, of shape ``(n, 2)``.

    Returns:
        Tensor: the output for each point, of shape ``(n,)``.
    """
    s = x[:, 0] + x[:, 1]
    return F.relu(s) - 2 * F.relu(s - 1)


@dataclass(frozen=True)
class TwoLayerNet:
    """``w2 · act(W1 x + b1) + b2``: one hidden layer, one output logit per row of ``x``.

    Calling the net on ``x`` of shape ``(n, d)`` returns the ``n`` logits.

    Args:
        activation: the registered name of the hidden activation.
        w1: the hidden weights, of shape ``(hidden, d)``.
        b1: the hidden biases, of shape ``(hidden,)``.
        w2: the output weights, of shape ``(hidden,)``.
        b2: the output bias, 0-dimensional.
    """

    activation: str
    w1: Tensor
    b1: Tensor
    w2: Tensor
    b2: Tensor

    def __call__(self, x: Tensor) -> Tensor:
        hidden = get(self.activation)(x @ self.w1.T + self.b1)
        return hidden @ self.w2 + self.b2


def xor_accuracy(net: TwoLayerNet, x: Tensor, y: Tensor) -> float:
    """Share of the rows of ``x`` whose logit has the sign of the label (positive for 1).

    Args:
        net: the network.
        x: the inputs, one per row.
        y: the labels, 0 or 1, one per row.

    Returns:
        float: the accuracy, between 0 and 1; a logit of exactly 0 counts as label 0.
    """
    correct = (net(x) > 0).to(y.dtype) == y
    return correct.to(torch.float64).mean().item()


def train_xor(activation: str = "tanh", hidden: int = 4, steps: int = 400, lr: float = 0.05,
              seed: int = 0) -> tuple[TwoLayerNet, list[float]]:
    """Train a :class:`TwoLayerNet` on XOR by full-batch Adam on the cross-entropy, float64.

    Weights start N(0, 1) in the first layer and N(0, 1/hidden) in the second, from a
    generator seeded with ``seed``, so the run is exactly repeatable; biases start at zero.

    Args:
        activation: the registered name of the hidden activation (default ``"tanh"``).
        hidden: the number of hidden units (default 4).
        steps: the number of Adam steps (default 400).
        lr: Adam's learning rate (default 0.05).
        seed: the seed of the initial weights (default 0).

    Returns:
        tuple[TwoLayerNet, list[float]]: the trained net, and the mean loss before each step.
    """
    x, y = xor_data()
    generator = torch.Generator().manual_seed(seed)
    params = [
        torch.randn(hidden, 2, generator=generator, dtype=DTYPE),
        torch.zeros(hidden, dtype=DTYPE),
        torch.randn(hidden, generator=generator, dtype=DTYPE) / math.sqrt(hidden),
        torch.zeros((), dtype=DTYPE),
    ]
    for p in params:
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(params, lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = cross_entropy_with_logits(TwoLayerNet(activation, *params)(x), y).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return TwoLayerNet(activation, *(p.detach() for p in params)), losses


# --- universal approximation ---------------------------------------------------------------------


def wiggly_target(x: Tensor) -> Tensor:
    r"""The function the approximation experiment fits on [-3, 3]:
    :math:`\sin 3x + \tfrac12 \cos(7x)\, e^{-x^2/4}`, smooth, with wiggles of two scales.

    Args:
        x: the inputs.

    Returns:
        Tensor: the target at each input, of the shape of ``x``.
    """
    return torch.sin(3 * x) + 0.5 * torch.cos(7 * x) * torch.exp(-x * x / 4)


_INTERVAL = 3.0
#: The number of training points of the random-feature fits, evenly spaced on [-3, 3].
N_TRAIN = 400
#: The number of test points of the random-feature fits, between the training points.
N_TEST = 1000
_TRAIN = torch.linspace(-_INTERVAL, _INTERVAL, N_TRAIN, dtype=DTYPE)
# Test points between the training points (an offset that is not a multiple of their step).
_TEST = torch.linspace(-_INTERVAL, _INTERVAL, N_TEST + 1, dtype=DTYPE)[:-1] + 0.0031


def _hidden_features(activation: Activation, x: Tensor, width: int, seed: int,
                     slope_scale: float) -> Tensor:
    generator = torch.Generator().manual_seed(seed)
    slopes = slope_scale * torch.randn(width, generator=generator, dtype=DTYPE)
    centres = _INTERVAL * (2 * (torch.arange(width, dtype=DTYPE) + 0.5) / width - 1)
    hidden = activation(slopes * (x[:, None] - centres))
    return torch.cat((hidden, torch.ones(len(x), 1, dtype=DTYPE)), dim=1)


def random_feature_fit(activation: Activation, width: int, seed: int = 0,
                       slope_scale: float = 2.0) -> Callable[[Tensor], Tensor]:
    r"""A one-hidden-layer network fitted to :func:`wiggly_target` by random features (Rahimi &
    Recht 2008), as a function of a 1-D float64 tensor of inputs.

    Hidden unit :math:`j` computes :math:`\phi(a_j (x - c_j))` with a random slope
    :math:`a_j \sim N(0, \text{slope\_scale}^2)` (seeded by ``seed``) and its centre
    :math:`c_j` on a uniform grid over [-3, 3] (the midpoints of ``width`` equal cells); only
    the output layer (``width`` weights and a bias) is fitted, by minimum-norm least squares on
    400 points of [-3, 3]. Least squares finds the best output layer exactly, so the fit
    depends on the width, the activation and the slopes alone, with no optimiser in between.

    Args:
        activation: the hidden activation, a function of a tensor.
        width: the number of hidden units.
        seed: the seed of the slopes (default 0).
        slope_scale: the standard deviation of the slopes (default 2.0).

    Returns:
        Callable[[Tensor], Tensor]: the fitted network, mapping a 1-D float64 tensor of
        inputs to the outputs at them.
    """
    design = _hidden_features(activation, _TRAIN, width, seed, slope_scale)
    target = wiggly_target(_TRAIN)[:, None]
    coefficients = torch.linalg.lstsq(design, target, driver="gelsd").solution[:, 0]

    def network(x: Tensor) -> Tensor:
        return _hidden_features(activation, x, width, seed, slope_scale) @ coefficients

    return network


def random_feature_rmse(activation: Activation, width: int, seed: int = 0,
                        slope_scale: float = 2.0) -> float:
    """Test RMS error of :func:`random_feature_fit`, on 1000 points of [-3, 3] that lie between
    the 400 training points.

    Args:
        activation: the hidden activation, a function of a tensor.
        width: the number of hidden units.
        seed: the seed of the slopes (default 0).
        slope_scale: the standard deviation of the slopes (default 2.0).

    Returns:
        float: the root-mean-square error against :func:`wiggly_target`.
    """
    network = random_feature_fit(activation, width, seed, slope_scale)
    return (network(_TEST) - wiggly_target(_TEST)).pow(2).mean().sqrt().item()


def polynomial_rmse(degree: int) -> float:
    """Test RMS error of the least-squares polynomial of ``degree`` fitted to
    :func:`wiggly_target` on the same points as :func:`random_feature_rmse` (Legendre basis,
    so the fit is well conditioned).

    Args:
        degree: the degree of the polynomial, at least 0.

    Returns:
        float: the root-mean-square error on the test points.
    """
    def basis(x: Tensor) -> Tensor:
        return torch.special.legendre_polynomial_p(
            (x / _INTERVAL)[:, None], torch.arange(degree + 1, dtype=DTYPE))

    coefficients = torch.linalg.lstsq(basis(_TRAIN), wiggly_target(_TRAIN)[:, None]).solution
    return (basis(_TEST) @ coefficients - wiggly_target(_TEST)[:, None]).pow(2).mean().sqrt().item()


@dataclass(frozen=True)
class ApproximationCurve:
    """Test RMS error against hidden width for one activation: the mean over the seeds, and the
    smallest and largest seed.

    Args:
        label: the activation's label, its key in the mapping given to
            :func:`approximation_curves`.
        widths: the hidden widths, in the order given.
        rmse: the mean error over the seeds at each width.
        lowest: the smallest error of any seed at each width.
        highest: the largest error of any seed at each width.
    """

    label: str
    widths: tuple[int, ...]
    rmse: tuple[float, ...]
    lowest: tuple[float, ...]
    highest: tuple[float, ...]


def approximation_curves(activations: Mapping[str, Activation], widths: Sequence[int],
                         seeds: Sequence[int] = (0, 1, 2)) -> list[ApproximationCurve]:
    """:func:`random_feature_rmse` for every activation, width and seed.

    Args:
        activations: the activations to compare, by label.
        widths: the hidden widths.
        seeds: the seeds of the slopes, one fit each (default ``(0, 1, 2)``).

    Returns:
        list[ApproximationCurve]: one curve per activation, in the order of ``activations``.
    """
    curves = []
    for label, activation in activations.items():
        errors = [[random_feature_rmse(activation, w, s) for s in seeds] for w in widths]
        curves.append(ApproximationCurve(
            label, tuple(widths), tuple(sum(e) / len(e) for e in errors),
            tuple(min(e) for e in errors), tuple(max(e) for e in errors)))
    return curves


def log_log_slope(curve: ApproximationCurve, start: int, stop: int) -> float:
    """The slope of log(error) against log(width) between widths ``start`` and ``stop`` of the
    curve: about −k when the error falls like width⁻ᵏ.

    Args:
        curve: the curve, whose mean errors are used.
        start: a width of the curve.
        stop: another width of the curve.

    Returns:
        float: the slope of the line through the two points in log-log coordinates.
    """
    i, j = curve.widths.index(start), curve.widths.index(stop)
    return math.log(curve.rmse[j] / curve.rmse[i]) / math.log(stop / start)


# --- the error surface of a single neuron --------------------------------------------------------

#: A one-dimensional data set on which the square loss of the neuron sigmoid(w x) has two local
#: minima (found by a search over small data sets; any data set with this property would do).
NEURON_INPUTS = (0.5, 5.0, 1.0)
#: The targets y of the single-neuron data, one per input of ``NEURON_INPUTS``.
NEURON_TARGETS = (0.7, 0.2, 1.0)

#: The losses of the single-neuron experiment.
Loss = Literal["square", "cross_entropy"]


def neuron_loss(weights: Tensor, inputs: Tensor, targets: Tensor, loss: Loss) -> Tensor:
    r"""Total loss of the neuron :math:`\hat y = \sigma(w \cdot x)` for each weight vector.

    ``"square"`` is :math:`\sum_i (\sigma(w\cdot x_i) - y_i)^2`, ``"cross_entropy"`` is
    :math:`-\sum_i y_i \log\sigma(z_i) + (1-y_i)\log(1 - \sigma(z_i))` with
    :math:`z_i = w \cdot x_i`, computed from the logits without overflow.

    Args:
        weights: the weight vectors, of shape ``(..., d)`` (or ``(m,)`` for d = 1).
        inputs: the inputs, of shape ``(n, d)`` (or ``(n,)`` for d = 1).
        targets: the targets in [0, 1], of shape ``(n,)``.
        loss: ``"square"`` or ``"cross_entropy"``.

    Returns:
        Tensor: the loss summed over the ``n`` examples, one per weight vector: of shape
        ``weights.shape[:-1]``, or ``(m,)`` for 1-D weights.

    Raises:
        ValueError: if ``loss`` is neither ``"square"`` nor ``"cross_entropy"``.
    """
    if inputs.dim() == 1:
        inputs = inputs[:, None]
    if weights.dim() == 1 and inputs.shape[1] == 1:
        weights = weights[:, None]
    logits = weights @ inputs.T
    if loss == "square":
        return (F.sigmoid(logits) - targets).pow(2).sum(dim=-1)
    if loss == "cross_entropy":
        return cross_entropy_with_logits(logits, targets).sum(dim=-1)
    raise ValueError(f"loss must be 'square' or 'cross_entropy', got {loss!r}")


def axis_dataset(inputs: Sequence[float], targets: Sequence[float],
                 dim: int) -> tuple[Tensor, Tensor]:
    """The 1-D data set copied onto each of ``dim`` coordinate axes: ``x_i e_k`` with target
    ``y_i`` for every example i and axis k.

    On it the loss of :func:`neuron_loss` is a sum of one 1-D loss per weight, so its local
    minima are all combinations of the 1-D ones: m minima in one dimension give mᵈ (Auer,
    Herbster & Warmuth 1995 build their exponential lower bound this way).

    Args:
        inputs: the inputs of the 1-D data set.
        targets: their targets.
        dim: the number of axes.

    Returns:
        tuple[Tensor, Tensor]: the float64 inputs, of shape ``(n * dim, dim)``, the examples
        on the first axis first, and their targets, of shape ``(n * dim,)``.
    """
    x = torch.tensor(inputs, dtype=DTYPE)
    eye = torch.eye(dim, dtype=DTYPE)
    stacked = (eye[:, None, :] * x[None, :, None]).reshape(-1, dim)
    return stacked, torch.tensor(targets, dtype=DTYPE).repeat(dim)


def local_minimum_mask(values: Tensor, rel_tol: float = 1e-9) -> Tensor:
    """Boolean mask of the grid points of an n-dimensional array that are strict local minima:
    interior points below all 3ⁿ − 1 neighbours by more than ``rel_tol`` times the value range
    (so that rounding noise on a flat plateau does not count). Border points are never marked.

    Args:
        values: the values on the grid, one dimension per grid axis.
        rel_tol: the margin, relative to the range of ``values``, by which a minimum must lie
            below each neighbour (default 1e-9).

    Returns:
        Tensor: a boolean tensor of the shape of ``values``, true at the strict local minima.
    """
    tol = rel_tol * (values.max() - values.min()).item()
    inner = tuple(slice(1, -1) for _ in range(values.dim()))
    centre = values[inner]
    is_min = torch.ones_like(centre, dtype=torch.bool)
    for offset in itertools.product((-1, 0, 1), repeat=values.dim()):
        if any(offset):
            shifted = tuple(slice(1 + o, values.shape[k] - 1 + o) for k, o in enumerate(offset))
            is_min &= centre < values[shifted] - tol
    mask = torch.zeros_like(values, dtype=torch.bool)
    mask[inner] = is_min
    return mask


def surface_minima(dim: int, loss: Loss, lo: float = -3.0, hi: float = 6.0,
                   points: int = 61) -> int:
    """Number of local minima of :func:`neuron_loss` on :func:`axis_dataset` of
    :data:`NEURON_INPUTS`, :data:`NEURON_TARGETS` in ``dim`` dimensions, found on a grid of
    ``points`` values per weight over [``lo``, ``hi``] (``points**dim`` evaluations).

    Args:
        dim: the number of weights.
        loss: ``"square"`` or ``"cross_entropy"``.
        lo: the smallest weight of the grid (default -3.0).
        hi: the largest weight of the grid (default 6.0).
        points: the number of grid values per weight (default 61).

    Returns:
        int: the number of strict local minima (:func:`local_minimum_mask`) on the grid.
    """
    inputs, targets = axis_dataset(NEURON_INPUTS, NEURON_TARGETS, dim)
    axis = torch.linspace(lo, hi, points, dtype=DTYPE)
    grid = torch.stack(torch.meshgrid(*[axis] * dim, indexing="ij"), dim=-1)
    return int(local_minimum_mask(neuron_loss(grid, inputs, targets, loss)).sum())


def second_differences(values: Tensor, step: float) -> Tensor:
    """Central second differences of samples ``values`` with spacing ``step``, an estimate of the
    second derivative at the interior points.

    Args:
        values: the samples, 1-D, at equally spaced points.
        step: the spacing of the points.

    Returns:
        Tensor: ``(v[i+1] - 2 v[i] + v[i-1]) / step²`` for each interior point, two fewer than
        ``values``.
    """
    return (values[2:] - 2 * values[1:-1] + values[:-2]) / step**2


# --- the property table ------------------------------------------------------------------------

# MyST markup (the page parses the table as MyST); {sup} keeps the column narrow.
_SMOOTHNESS = {"discontinuous": "jumps", "C0": "C{sup}`0`", "C1": "C{sup}`1`",
               "C2": "C{sup}`2`", "C∞": "C{sup}`∞`"}


def _number(value: float, digits: int = 3) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:.{digits}g}"
    return "0" if text == "-0" else minus(text)


def _share(value: float) -> str:
    if value == 0:
        return "0"
    return f"{100 * value:.2g}\u202f%"


def property_markdown(rows: Sequence[Mapping[str, object]]) -> str:
    """A MyST Markdown table of :func:`actbook.analysis.property_table` rows, one line each:
    maximum slopes to three significant figures, ranges as "inf to sup" to two, shares of exact
    zeros in percent, smoothness as C with a superscript ("jumps" for a discontinuous function).

    Args:
        rows: rows of :func:`actbook.analysis.property_table`, with at least the keys
            ``name``, ``monotonic``, ``smoothness``, ``range``, ``zero_centred``,
            ``max_abs_derivative``, ``saturation`` and ``exact_zero_fraction``.

    Returns:
        str: the header, the separator and one line per row, joined by newlines, without a
        trailing newline.
    """
    # soft hyphens (U+00AD) let narrow pages break the long headers
    header = ("Activation", "Mono\u00adtone", "Smooth", "Range", "Zero-centred",
              r"max \|f′\|", "Satu\u00adrates", "Exact zeros")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        low, high = row["range"]
        cells = (
            info(str(row["name"])).display_name,
            "yes" if row["monotonic"] else "no",
            _SMOOTHNESS[str(row["smoothness"])],
            f"{_number(low, 2)}\u00a0to\u00a0{_number(high, 2)}",
            "yes" if row["zero_centred"] else "no",
            _number(float(row["max_abs_derivative"])),
            str(row["saturation"]),
            _share(float(row["exact_zero_fraction"])),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One activation on the timeline: when it was introduced and by which paper.

    Args:
        name: the canonical name.
        display_name: the name the book prints.
        year: the year of the paper.
        generation: the generation it belongs to (:data:`actbook.GENERATIONS`).
        citation: the paper's key in ``book/references.bib``.
    """

    name: str
    display_name: str
    year: int
    generation: str
    citation: str


def timeline() -> list[TimelineEntry]:
    """Every registered activation, ordered by year (book order within a year).

    Returns:
        list[TimelineEntry]: one entry per canonical name of the registry.
    """
    entries = [info(n) for n in names()]
    return sorted((TimelineEntry(e.name, e.display_name, e.year, e.generation, e.citation)
                   for e in entries), key=lambda e: e.year)
