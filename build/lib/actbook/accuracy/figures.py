"""The appendix's figure: exact GELU in its negative tail, PyTorch against actbook against the
float64 reference (matplotlib is imported only when a figure is drawn)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as TF  # noqa: N812

from actbook import functional as F
from actbook.accuracy import reference
from actbook.accuracy.harness import error_bound
from actbook.accuracy.ulp import FORMATS, ulp_error


@dataclass(frozen=True)
class TailErrors:
    r"""Values and ulp errors of exact GELU on a float32 grid of the negative tail.

    Every field is a float64 array with one entry per grid point.

    Args:
        x: the inputs, all float32 numbers.
        reference: the float64 reference GELU(x).
        actbook: actbook's float32 results.
        torch: PyTorch's float32 results.
        actbook_ulp: actbook's error in float32 ulps.
        torch_ulp: PyTorch's error in float32 ulps.
        bound_ulp: the allowed error, :math:`4 + 2\,\mathrm{cond}(x)` float32 ulps.
    """

    x: np.ndarray
    reference: np.ndarray
    actbook: np.ndarray
    torch: np.ndarray
    actbook_ulp: np.ndarray
    torch_ulp: np.ndarray
    bound_ulp: np.ndarray


def gelu_tail(start: float = -13.0, stop: float = -1.0, points: int = 2401) -> TailErrors:
    """Exact GELU on ``points`` float32 inputs from ``start`` to ``stop`` (normal results).

    Args:
        start: the first input. Default: ``-13.0``.
        stop: the last input. Default: ``-1.0``.
        points: the number of evenly spaced inputs. Default: ``2401``.

    Returns:
        A :class:`TailErrors` of the values and errors on the grid.
    """
    x = torch.linspace(start, stop, points, dtype=torch.float32)
    fmt = FORMATS[torch.float32]
    ref = reference.value("gelu", x)
    cond = reference.condition_number(x, ref, reference.derivative("gelu", x)).numpy()
    ours, theirs = F.gelu(x).double().numpy(), TF.gelu(x).double().numpy()
    return TailErrors(
        x.double().numpy(), ref.numpy(), ours, theirs,
        ulp_error(ours, ref.numpy(), fmt), ulp_error(theirs, ref.numpy(), fmt),
        error_bound(fmt, cond),
    )


def plot_gelu_tail(tail: TailErrors):
    r"""Two panels: \|GELU(x)\| (log scale) and the ulp error, each against x.

    Args:
        tail: the values and errors to draw (:func:`gelu_tail`).

    Returns:
        A :class:`matplotlib.figure.Figure`, not attached to pyplot.
    """
    from matplotlib.figure import Figure

    from actbook.plotting import OKABE_ITO

    fig = Figure(figsize=(8.0, 3.4))
    ax_value, ax_error = fig.subplots(1, 2)
    colours = {"reference": OKABE_ITO["black"], "actbook": OKABE_ITO["bluish green"],
               "PyTorch": OKABE_ITO["vermillion"]}
    shown = tail.torch != 0
    ax_value.semilogy(tail.x, np.abs(tail.reference), color=colours["reference"],
                      label="float64 reference", linewidth=2.5)
    ax_value.semilogy(tail.x, np.abs(tail.actbook), color=colours["actbook"], linestyle="--",
                      label="actbook (float32)")
    ax_value.semilogy(tail.x[shown], np.abs(tail.torch[shown]), ".", markersize=2,
                      color=colours["PyTorch"], label="PyTorch (float32, 0 not shown)")
    ax_value.set(xlabel="$x$", ylabel=r"$|\mathrm{GELU}(x)|$", title="Value")
    ax_value.legend(loc="lower right", fontsize=8, markerscale=4)
    floor = 1e-2  # exact results (0 ulp) are drawn at the floor of the log axis
    ax_error.semilogy(tail.x, np.maximum(tail.torch_ulp, floor), ".", markersize=2,
                      color=colours["PyTorch"], label="PyTorch")
    ax_error.semilogy(tail.x, np.maximum(tail.actbook_ulp, floor), ".", markersize=2,
                      color=colours["actbook"], label="actbook")
    ax_error.semilogy(tail.x, tail.bound_ulp, color=OKABE_ITO["black"], linestyle=":",
                      label=r"bound $4 + 2\,\mathrm{cond}(x)$")
    ax_error.set(xlabel="$x$", ylabel="error (float32 ulp)", title="Error", ylim=(floor, 1e12))
    ax_error.legend(loc="upper center", ncol=3, fontsize=8, markerscale=4, handlelength=1.5)
    return fig
