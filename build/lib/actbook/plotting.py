"""The book's figures: one style, one colour per activation, and the plots chapters share.

Call :func:`use_style` once at the top of a chapter. :func:`color` gives every registered
activation a fixed colour: each generation of :data:`actbook.GENERATIONS` has one hue of the
colour-blind-safe Okabe–Ito palette (Okabe & Ito 2008), and its members are lighter or darker
shades of it, so a colour means the same activation on every page.

The helpers build :class:`matplotlib.figure.Figure` objects that pyplot does not track: nothing
is left open, and a figure appears exactly once, as the value of the cell or through
``myst_nb.glue``. ``plt.show()`` does not display them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

from actbook.registry import GENERATIONS, canonical_name, info, names

__all__ = [
    "DEFAULT_X",
    "GENERATION_HUES",
    "OKABE_ITO",
    "color",
    "evaluate",
    "gallery",
    "plot_function_and_derivative",
    "use_style",
]

#: The Okabe–Ito palette, distinguishable under the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: The hue of each generation; its members are shades of it.
GENERATION_HUES: dict[str, str] = {
    "sigmoid": OKABE_ITO["blue"],
    "rectifier": OKABE_ITO["vermillion"],
    "smooth": OKABE_ITO["bluish green"],
    "gated": OKABE_ITO["reddish purple"],
    "hardware": OKABE_ITO["orange"],
    "frontier": OKABE_ITO["sky blue"],
}

#: The default abscissa of the function plots, in float64.
DEFAULT_X = (-5.0, 5.0, 1001)

_DARKEN_STEP = 0.17  # share of black mixed in per step, members at odd positions
_LIGHTEN_STEP = 0.12  # share of white mixed in per step, members at even positions

_STYLE = {
    "figure.figsize": (7.0, 3.2),
    "figure.dpi": 110,
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "savefig.dpi": 150,
    "savefig.format": "png",
    "savefig.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in (
        "blue", "vermillion", "bluish green", "reddish purple", "orange", "sky blue", "black")]),
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the book's matplotlib style (sizes for the page, grid, PNG output).

    In IPython, figures are displayed as PNG at twice their resolution with their size in the
    output's metadata ("retina"), so they are sharp on dense screens, shown at their size, and
    open at full resolution when clicked on the book's pages.

    The configured backend is loaded first (``Agg`` in scripts, the inline backend in Jupyter),
    without changing it: loading the inline backend registers the PNG display of figures, which
    the pyplot-free figures of this module need, and lets it set its own defaults before the
    book's style replaces them.
    """
    import matplotlib.pyplot as plt

    plt.switch_backend(mpl.get_backend())
    mpl.rcParams.update(_STYLE)
    if _in_ipython():
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _shade(hex_color: str, position: int) -> str:
    """Position 0 is the hue itself; odd positions darken it, even positions lighten it."""
    rgb = np.array(to_rgb(hex_color))
    step = (position + 1) // 2
    if position % 2:
        rgb = rgb * (1 - _DARKEN_STEP * step)
    else:
        rgb = rgb + (1 - rgb) * _LIGHTEN_STEP * step
    return to_hex(np.clip(rgb, 0, 1))


def _build_palette() -> dict[str, str]:
    palette = {}
    for generation in GENERATIONS:
        for position, name in enumerate(names(generation)):
            palette[name] = _shade(GENERATION_HUES[generation], position)
    return palette


_PALETTE = _build_palette()


def color(name: str) -> str:
    """The fixed colour (``"#rrggbb"``) of an activation, by canonical name or alias.

    Args:
        name: a registered activation: canonical name, alias or variant name (a variant has
            the colour of its base activation).

    Returns:
        str: the colour as a lower-case hex string, a shade of its generation's hue
        (:data:`GENERATION_HUES`).
    """
    return _PALETTE[canonical_name(name)]


def _as_x(x: Sequence[float] | np.ndarray | torch.Tensor | None) -> torch.Tensor:
    if x is None:
        return torch.linspace(*DEFAULT_X, dtype=torch.float64)
    return torch.as_tensor(x, dtype=torch.float64).flatten()


def evaluate(name: str, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray, str]:
    """``(f(x), f'(x), label)`` of one activation on a 1-D float tensor, as NumPy arrays.

    Gated units are drawn along the gate with value 1, and the derivative is the one with
    respect to the gate. Softmax is drawn as its first output for the two logits ``(x, 0)``,
    which is the sigmoid, with the diagonal entry of its Jacobian as the derivative.

    Args:
        name: a registered activation (canonical name, alias or variant name); its parameters
            are at their defaults.
        x: the abscissae, a float tensor on the CPU (the plots pass 1-D float64).

    Returns:
        tuple[numpy.ndarray, numpy.ndarray, str]: the function values and the derivative at
        ``x``, computed without autograd, and the label of the curve (the display name, with
        the gate's value or softmax's second input for gated and row-wise activations).
    """
    view = info(name).scalar()
    with torch.no_grad():
        f, df = view.function(x), view.derivative(x)
    return f.numpy(), df.numpy(), view.label


def plot_function_and_derivative(
    activations: Sequence[str] | str,
    x: Sequence[float] | np.ndarray | torch.Tensor | None = None,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Two panels, the activations on the left and their derivatives on the right.

    A new figure has one legend below both panels, where it hides no curve; in axes given by
    the caller the legend is in the left panel. See :func:`evaluate` for gated units and
    softmax.

    Args:
        activations: one name or a sequence of names or aliases of registered activations,
            drawn in this order, each in its :func:`color`.
        x: the abscissae, converted to a flat float64 tensor; ``None`` (the default) is
            :data:`DEFAULT_X`, 1001 points on [-5, 5].
        axes: a pair of axes to draw into, activations in the first and derivatives in the
            second; ``None`` (the default) makes a new figure of two panels.

    Returns:
        matplotlib.figure.Figure: the new figure, or the figure that holds ``axes``.
    """
    selected = [activations] if isinstance(activations, str) else list(activations)
    xs = _as_x(x)
    own_figure = axes is None
    if own_figure:
        fig = Figure(figsize=(8.0, 3.4), layout="constrained")
        axes = fig.subplots(1, 2)
    ax_f, ax_df = axes
    fig = ax_f.get_figure()
    for name in selected:
        f, df, label = evaluate(name, xs)
        ax_f.plot(xs.numpy(), f, color=color(name), label=label)
        ax_df.plot(xs.numpy(), df, color=color(name), label=label)
    ax_f.set(xlabel="$x$", ylabel="$f(x)$", title="Activation")
    ax_df.set(xlabel="$x$", ylabel="$f'(x)$", title="Derivative")
    if own_figure:
        fig.legend(*ax_f.get_legend_handles_labels(), loc="outside lower center",
                   ncols=min(len(selected), 4))
    else:
        ax_f.legend(loc="best")
    return fig


def gallery(
    activations: Sequence[str],
    ncols: int = 4,
    x: Sequence[float] | np.ndarray | torch.Tensor | None = None,
) -> Figure:
    """A grid of small panels, one per activation, each with f (solid) and f' (dashed).

    The panels are filled row by row; unused panels of the last row are hidden. A gated unit's
    panel is drawn along the gate (see :func:`evaluate`).

    Args:
        activations: names or aliases of registered activations, one panel each, in order.
        ncols: the number of panels per row (default 4); fewer if there are fewer activations.
        x: the abscissae, converted to a flat float64 tensor; ``None`` (the default) is
            :data:`DEFAULT_X`, 1001 points on [-5, 5].

    Returns:
        matplotlib.figure.Figure: a new figure, not tracked by pyplot.

    Raises:
        ValueError: if ``activations`` is empty or ``ncols`` is less than 1.
    """
    selected = list(activations)
    if not selected:
        raise ValueError("gallery: give at least one activation name")
    if ncols < 1:
        raise ValueError(f"gallery: ncols must be at least 1, got {ncols}")
    xs = _as_x(x)
    ncols = min(ncols, len(selected))
    nrows = math.ceil(len(selected) / ncols)
    fig = Figure(figsize=(2.3 * ncols, 2.0 * nrows + 0.3), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, (ax, name) in enumerate(zip(grid, selected, strict=False)):
        f, df, label = evaluate(name, xs)
        ax.plot(xs.numpy(), f, color=color(name), label="$f$")
        ax.plot(xs.numpy(), df, color=color(name), linestyle="--", linewidth=1.3, label="$f'$")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("gate $g$" if info(name).kind == "gated" else "$x$")
        if i % ncols == 0:
            ax.set_ylabel("$f$, $f'$")
        ax.legend(loc="upper left", fontsize=8, handlelength=1.5)
    for ax in grid[len(selected):]:
        ax.set_visible(False)
    return fig

