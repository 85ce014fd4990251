r"""Transformer feed-forward blocks and the rules that size their hidden layers.

:class:`FFN` is the plain block :math:`W_{out} f(W_{in} x)`, :class:`GatedFFN` the gated one
(Shazeer 2020); :func:`gated_hidden_dim` (Shazeer's 2/3 rule) and :func:`llama_hidden_dim`
(LLaMA's rounding) size them. The activation is given by name or, as in timm's ``act_layer``,
as a module class or module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor, nn

from actbook import kernels
from actbook.nn.activations import ActivationSpec, make_activation
from actbook.registry import REGISTRY, info, names


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

    Args:
        d_model: width of the input and output.

    Returns:
        d_ff, the width of the hidden layer.

    Raises:
        ValueError: if ``d_model`` is not a positive integer.

    Examples::

        >>> gated_hidden_dim(768)
        2048
        >>> gated_hidden_dim(4096)
        10923
    """
    _check_positive(d_model=d_model)
    return (8 * d_model + 1) // 3


def llama_hidden_dim(dim: int, multiple_of: int, ffn_dim_multiplier: float | None = None) -> int:
    """The SwiGLU hidden size of LLaMA's reference code (Touvron et al. 2023).

    ``hidden = int(2 * 4 * dim / 3)``; then, if given, ``hidden = int(ffn_dim_multiplier *
    hidden)`` (Llama 2 and 3); finally ``hidden`` is rounded **up** to a multiple of
    ``multiple_of``.

    Args:
        dim: width of the input and output (the model dimension).
        multiple_of: the hidden size is rounded up to a multiple of this.
        ffn_dim_multiplier: a factor applied before the rounding, as in Llama 2 and 3; ``None``
            for none. Default: ``None``.

    Returns:
        The hidden size.

    Raises:
        ValueError: if ``dim`` or ``multiple_of`` is not a positive integer, or
            ``ffn_dim_multiplier`` is not positive.

    Examples::

        >>> llama_hidden_dim(4096, 256)  # LLaMA-1 7B
        11008
        >>> llama_hidden_dim(4096, 1024, 1.3)  # Llama-3 8B
        14336
    """
    _check_positive(dim=dim, multiple_of=multiple_of)
    hidden = int(2 * 4 * dim / 3)
    if ffn_dim_multiplier is not None:
        if not ffn_dim_multiplier > 0:
            raise ValueError(f"ffn_dim_multiplier must be positive, got {ffn_dim_multiplier}")
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def _kind(act: object) -> str | None:
    """The registry kind of an actbook activation module, ``None`` for anything else."""
    name = getattr(type(act), "name", None)
    return info(name).kind if isinstance(name, str) and name in REGISTRY else None


class FFN(nn.Module):
    r"""Transformer feed-forward block :math:`W_{out}\,f(W_{in} x)`.

    Args:
        d_model: width of the input and output.
        d_ff: width of the hidden layer.
        activation: an elementwise activation: a name or alias, a module class (built with
            ``activation_params``) or a module. Default: ``"gelu"``.
        bias: whether the two linear layers have biases. Default: ``True``.
        **activation_params: passed to :func:`~actbook.nn.make_activation`.

    Raises:
        ValueError: for a size that is not a positive integer, or a gated unit (which needs
            :class:`GatedFFN`).

    Examples::

        >>> block = FFN(16, 64, "relu")
        >>> block(torch.randn(2, 16)).shape
        torch.Size([2, 16])
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        activation: ActivationSpec = "gelu",
        bias: bool = True,
        **activation_params: Any,
    ) -> None:
        super().__init__()
        _check_positive(d_model=d_model, d_ff=d_ff)
        if isinstance(activation, str) and info(activation).kind == "gated":
            raise ValueError(
                f"FFN: {activation!r} is a gated unit, which needs separate gate and value "
                "projections; use GatedFFN"
            )
        self.w_in = nn.Linear(d_model, d_ff, bias=bias)
        self.act = make_activation(activation, **activation_params)
        if _kind(self.act) == "gated":
            raise ValueError(f"FFN: {type(self.act).__name__} is a gated unit, which needs "
                             "separate gate and value projections; use GatedFFN")
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.w_out(self.act(self.w_in(x)))


class GatedFFN(nn.Module):
    r"""Gated feed-forward block :math:`W_{out}\,(f(W_{gate} x) \odot W_{value} x)` (Shazeer 2020).

    LLaMA's ``w1``, ``w3`` and ``w2`` (Hugging Face's ``gate_proj``, ``up_proj`` and
    ``down_proj``) are ``w_gate``, ``w_value`` and ``w_out``. With the default ``d_ff``
    (:func:`gated_hidden_dim`, Shazeer's 2/3 rule) and ``bias=False`` (as in the paper) the block
    has as many weights as ``FFN(d_model, 4 * d_model, bias=False)``: exactly when d_model is a
    multiple of 3.

    Args:
        d_model: width of the input and output.
        d_ff: width of the hidden layer. Default: ``gated_hidden_dim(d_model)``.
        activation: a gated unit: a name or variant name (``"swiglu"``, ``"geglu_tanh"``), a
            module class (built with ``activation_params``) or a module taking
            ``(gate, value)``. Default: ``"swiglu"``.
        bias: whether the three linear layers have biases. Default: ``False``.
        fused: compute the unit with its kernel in :mod:`actbook.kernels` (one compiled pass,
            only gate and value saved for the backward pass); needs a name. Default: ``False``.
        **activation_params: the unit's parameters (``approximate="tanh"`` for GEGLU).

    Raises:
        ValueError: for a size that is not a positive integer, a name that is not a gated
            unit, or ``fused=True`` with a unit that has no kernel or is not given by name.

    Examples::

        >>> block = GatedFFN(12)
        >>> block.w_gate.out_features
        32
        >>> block(torch.randn(2, 12)).shape
        torch.Size([2, 12])
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int | None = None,
        activation: ActivationSpec = "swiglu",
        bias: bool = False,
        fused: bool = False,
        **activation_params: Any,
    ) -> None:
        super().__init__()
        d_ff = gated_hidden_dim(d_model) if d_ff is None else d_ff
        _check_positive(d_model=d_model, d_ff=d_ff)
        if isinstance(activation, str) and info(activation).kind != "gated":
            raise ValueError(
                f"GatedFFN: {activation!r} is not a gated unit; use one of "
                f"{', '.join(names(kind='gated'))}, or FFN for elementwise activations"
            )
        if fused and not isinstance(activation, str):
            raise ValueError("GatedFFN: fused=True needs the unit by name, for example 'swiglu'")
        self.w_gate = nn.Linear(d_model, d_ff, bias=bias)
        self.w_value = nn.Linear(d_model, d_ff, bias=bias)
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)
        self.fused = fused
        self.act: Callable[[Tensor, Tensor], Tensor] = (
            kernels.get(activation, **activation_params) if fused  # type: ignore[arg-type]
            else make_activation(activation, **activation_params)
        )
        if _kind(self.act) not in (None, "gated"):
            raise ValueError(f"GatedFFN: {type(self.act).__name__} is not a gated unit; use FFN "
                             "for elementwise activations")

    def forward(self, x: Tensor) -> Tensor:
        return self.w_out(self.act(self.w_gate(x), self.w_value(x)))

    def extra_repr(self) -> str:
        return f"fused={self.fused}"
