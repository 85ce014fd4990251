"""Chapter 5's smaller experiments on gated linear units: what a wrong layout of a packed
projection does, a task whose natural solution is a product, the hidden sizes of real models
from their code's rule, and the memory a gated unit keeps for the backward pass.

Everything that decides a printed number runs in float64 with fixed seeds, so that the numbers
do not depend on the CPU.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

import torch
from torch import Tensor

from actbook import functional
from actbook._checks import Layout
from actbook.bench.measure import saved_activations
from actbook.nn import FFN, GatedFFN, llama_hidden_dim

__all__ = [
    "LAYOUTS",
    "PUBLISHED_HIDDEN_SIZES",
    "HiddenSize",
    "ProductFit",
    "SavedMemory",
    "fit_products",
    "hidden_sizes",
    "layout_confusion",
    "nonlinear_share",
    "product_targets",
    "saved_memory",
]

#: The layouts of a packed gate-and-value projection that
#: :func:`actbook.functional.split_gated` reads.
LAYOUTS: tuple[str, ...] = get_args(Layout)


def layout_confusion(stored: Layout, read: Layout, d_model: int = 64, d_ff: int = 128,
                     seed: int = 0) -> float:
    """Relative error of a SwiGLU block whose packed projection is read in the wrong layout.

    A random packed projection (2·d_ff × d_model, float64) is applied to random inputs; the
    hidden activations ``swiglu(gate, value)`` are computed once with the halves split as the
    weights were ``stored`` and once as they are ``read``.

    Args:
        stored: the layout the weights were trained in.
        read: the layout the code reads them in.
        d_model: input width. Default: 64.
        d_ff: hidden width. Default: 128.
        seed: seed of the weights and inputs. Default: 0.

    Returns:
        float: ‖h_read − h_stored‖ / ‖h_stored‖ over a batch of 256 inputs; 0 when the layouts
        agree.

    Examples::

        >>> layout_confusion("gate_first", "gate_first")
        0.0
    """
    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(2 * d_ff, d_model, generator=generator, dtype=torch.float64)
    x = torch.randn(256, d_model, generator=generator, dtype=torch.float64)
    packed = x @ weight.T / d_model**0.5
    right = functional.swiglu(*functional.split_gated(packed, layout=stored))
    wrong = functional.swiglu(*functional.split_gated(packed, layout=read))
    return ((wrong - right).norm() / right.norm()).item()


def product_targets(x: Tensor) -> Tensor:
    """The task of :func:`fit_products`: :math:`y_i = x_i\\,x_{i+1}` (indices modulo the width).

    Args:
        x: inputs of shape (N, d).

    Returns:
        Tensor: targets of the same shape.
    """
    return x * x.roll(-1, dims=-1)


@dataclass(frozen=True)
class ProductFit:
    """What :func:`fit_products` returns for one block.

    Args:
        block: the unit's name and whether it is gated, e.g. ``"bilinear (gated)"``.
        parameters: weights in the block.
        test_errors: test mean squared error of each seed, relative to the targets' variance
            (1 for these inputs; a constant prediction scores 1).
        median: the median of ``test_errors``.
    """

    block: str
    parameters: int
    test_errors: tuple[float, ...]
    median: float


def fit_products(activation: str, gated: bool, seeds: Sequence[int] = (0, 1, 2),
                 d_model: int = 8, steps: int = 600, n_train: int = 1024) -> ProductFit:
    """Fit a feed-forward block to :func:`product_targets` with Adam, full batch, float64.

    The plain block is ``FFN(d_model, 3 * d_model)``, the gated one ``GatedFFN(d_model,
    2 * d_model)``, both without biases: 6·d_model² weights each. Every gated block can
    represent the task exactly: a bilinear unit with gate :math:`x_i` and value :math:`x_{i+1}`
    is the product, and for ReLU, GELU and SiLU gates :math:`f(u) - f(-u) = u` makes two units
    per output enough. The plain block can only approximate it.

    Args:
        activation: a registered name: elementwise for ``gated=False``, gated for ``True``.
        gated: whether the block is gated.
        seeds: seeds of the weights and of the data. Default: three seeds.
        d_model: width of inputs and outputs. Default: 8.
        steps: Adam steps (learning rate 0.01, decayed on a cosine to 0). Default: 600.
        n_train: training inputs, drawn from N(0, 1); 4,096 more are the test set.
            Default: 1024.

    Returns:
        ProductFit: the test errors of the seeds and their median.

    Raises:
        ValueError: for an activation that does not fit ``gated`` (see :class:`FFN`).
    """
    errors = []
    parameters = 0
    for seed in seeds:
        torch.manual_seed(seed)
        block = (GatedFFN(d_model, 2 * d_model, activation) if gated
                 else FFN(d_model, 3 * d_model, activation, bias=False)).double()
        parameters = sum(p.numel() for p in block.parameters())
        generator = torch.Generator().manual_seed(10_000 + seed)
        x = torch.randn(n_train + 4096, d_model, generator=generator, dtype=torch.float64)
        y = product_targets(x)
        optimiser = torch.optim.Adam(block.parameters(), lr=0.01)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
        for _ in range(steps):
            loss = (block(x[:n_train]) - y[:n_train]).square().mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        with torch.no_grad():
            test = y[n_train:]
            errors.append(((block(x[n_train:]) - test).square().mean() / test.var()).item())
    label = f"{activation} ({'gated' if gated else 'plain'})"
    return ProductFit(label, parameters, tuple(errors), statistics.median(errors))


def nonlinear_share(activation: str, gated: bool, d_model: int = 96, std: float = 0.02,
                    n: int = 8192, seed: int = 0) -> float:
    r"""The share of a freshly initialised block's output that no linear map of its input explains.

    A block of :class:`~actbook.experiments.tiny_lm.TinyLM`'s size (plain of width 4·d_model or
    gated of width 8·d_model/3, no biases) gets weights drawn from N(0, std²), as GPT-2
    initialises them, and inputs from N(0, 1), as a layer norm delivers them; the output
    :math:`y` is fitted by least squares with a linear map :math:`xA`, and the share is
    :math:`\lVert y - xA \rVert^2 / \lVert y \rVert^2`, in float64. At small weights the
    pre-activations are small, where GELU and SiLU are nearly linear (:math:`x/2` plus a small
    square) and ReLU is as bent as anywhere; a product of two projections is a quadratic form
    at every scale.

    Args:
        activation: a registered name: elementwise for ``gated=False``, gated for ``True``.
        gated: whether the block is gated.
        d_model: width of input and output. Default: 96.
        std: the standard deviation of the weights. Default: 0.02.
        n: inputs drawn. Default: 8192.
        seed: seed of the weights and inputs. Default: 0.

    Returns:
        float: the share, in [0, 1]: 0 for a linear block, 1 for one with no linear part.
    """
    torch.manual_seed(seed)
    block = (GatedFFN(d_model, (8 * d_model + 1) // 3, activation) if gated
             else FFN(d_model, 4 * d_model, activation, bias=False)).double()
    for weight in block.parameters():
        torch.nn.init.normal_(weight, std=std)
    x = torch.randn(n, d_model, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        y = block(x)
    residual = y - x @ torch.linalg.lstsq(x, y).solution
    return (residual.square().sum() / y.square().sum()).item()


@dataclass(frozen=True)
class HiddenSize:
    """One model's feed-forward hidden size: computed from its code's rule and published.

    Args:
        model: the model.
        d_model: its width.
        multiple_of: the rounding of its reference code.
        ffn_dim_multiplier: the factor of Llama 2 and 3 (``None`` for LLaMA-1).
        computed: :func:`actbook.nn.llama_hidden_dim` of those.
        published: the ``intermediate_size`` of its released configuration.
        source: where the published size is.
    """

    model: str
    d_model: int
    multiple_of: int
    ffn_dim_multiplier: float | None
    computed: int
    published: int
    source: str


#: Published hidden sizes: (model, d_model, multiple_of, ffn_dim_multiplier, intermediate_size,
#: source). The rule's arguments are those of Meta's reference code (``params.json`` of each
#: release); the sizes are the ``intermediate_size`` of the released Hugging Face configurations.
PUBLISHED_HIDDEN_SIZES: tuple[tuple[str, int, int, float | None, int, str], ...] = (
    ("LLaMA-1 7B", 4096, 256, None, 11008, "huggyllama/llama-7b config.json"),
    ("LLaMA-1 65B", 8192, 256, None, 22016, "huggyllama/llama-65b config.json"),
    ("Llama-2 70B", 8192, 4096, 1.3, 28672, "meta-llama/Llama-2-70b-hf config.json"),
    ("Llama-3 8B", 4096, 1024, 1.3, 14336, "meta-llama/Meta-Llama-3-8B config.json"),
    ("Llama-3 70B", 8192, 4096, 1.3, 28672, "meta-llama/Meta-Llama-3-70B config.json"),
)


def hidden_sizes() -> list[HiddenSize]:
    """LLaMA's rounding rule computed for the models of :data:`PUBLISHED_HIDDEN_SIZES`.

    Returns:
        list[HiddenSize]: one per model, computed beside published.
    """
    return [HiddenSize(model, d, multiple, factor, llama_hidden_dim(d, multiple, factor),
                       published, source)
            for model, d, multiple, factor, published, source in PUBLISHED_HIDDEN_SIZES]


@dataclass(frozen=True)
class SavedMemory:
    """Activations a feed-forward block keeps for its backward pass.

    Args:
        block: the block.
        tensors: the number of distinct saved tensors that are not weights.
        floats_per_token: their size per token, in numbers (multiply by the bytes of the
            dtype); as a multiple of d_model in ``per_d_model``.
        per_d_model: ``floats_per_token / d_model``.
    """

    block: str
    tensors: int
    floats_per_token: int
    per_d_model: float


class _EagerSwiGLU(torch.nn.Module):
    """PyTorch's eager SwiGLU, ``silu(gate) * value``, as most model code writes it."""

    def forward(self, gate: Tensor, value: Tensor) -> Tensor:
        return torch.nn.functional.silu(gate) * value


def saved_memory(d_model: int = 48, tokens: int = 16) -> list[SavedMemory]:
    """Saved activations of a plain and a gated block with equal weights, counted by autograd.

    A block of PyTorch's ``nn.GELU`` of width 4·d_model keeps its input x, the
    pre-activation and the hidden activation (the input of ``w_out``): d + 4d + 4d numbers per
    token. The eager SwiGLU block of width d_ff = 8d/3 (``F.silu(g) * v``) keeps x, g,
    silu(g), v and the hidden activation: d + 4·d_ff; :func:`actbook.kernels.swiglu` keeps
    only g and v of the unit: d + 3·d_ff.
    Counted with :func:`actbook.bench.measure.saved_activations`, weights left out, a tensor
    saved twice counted once; all blocks without biases, float32.

    Args:
        d_model: the model width (a multiple of 3 makes the blocks' weights equal).
            Default: 48.
        tokens: rows of the input. Default: 16.

    Returns:
        list[SavedMemory]: plain GELU, eager SwiGLU, fused SwiGLU.
    """
    x = torch.randn(tokens, d_model)
    blocks = (
        ("GELU block", FFN(d_model, 4 * d_model, torch.nn.GELU, bias=False)),
        ("SwiGLU block, eager", GatedFFN(d_model, activation=_EagerSwiGLU())),
        ("SwiGLU block, actbook.kernels", GatedFFN(d_model, activation="swiglu", fused=True)),
    )
    rows = []
    for label, block in blocks:
        count, size = saved_activations(block, x, weights=block.parameters())
        numbers = size // x.element_size()
        rows.append(SavedMemory(label, count, numbers // tokens, numbers / tokens / d_model))
    return rows
