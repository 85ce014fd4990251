"""A tiny decoder-only transformer language model on bytes, for Chapter 5's replication of
Shazeer's (2020) Table 1: the corpus, the model and a seeded training run.

The model is GPT-2's layout as nanoGPT writes it (Radford et al. 2019; Karpathy's nanoGPT):
token and position embeddings, pre-norm blocks of causal self-attention and a feed-forward
block, a final layer norm and an output layer tied to the token embedding. Only the
feed-forward block changes between the variants of Table 1: :class:`actbook.nn.FFN` with
``d_ff = 4·d_model`` for ReLU, GELU and Swish, :class:`actbook.nn.GatedFFN` with Shazeer's 2/3
rule for the gated ones, all without biases, as in the paper.

The text is the Python documentation's help topics (:func:`actbook.data.pydoc_topics`), read
as bytes (256 symbols, no tokenizer), cut into blocks of 2,048 bytes of which every tenth is
held out. Losses are in nats per byte.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from actbook.data import pydoc_topics
from actbook.nn import FFN, GatedFFN, gated_hidden_dim, make_activation

__all__ = [
    "DEFAULT_CONFIG",
    "EXTRA_VARIANTS",
    "GATE_VARIANTS",
    "VARIANTS",
    "LMConfig",
    "LMRun",
    "TinyLM",
    "corpus_split",
    "heldout_loss",
    "time_training_steps",
    "train_lm",
    "variant_names",
]

#: The feed-forward variants of Shazeer's Table 1, by the paper's names: the actbook name of
#: each unit, and whether it is gated (three matrices) or elementwise (two).
VARIANTS: dict[str, tuple[str, bool]] = {
    "ReLU": ("relu", False),
    "GELU": ("gelu", False),
    "Swish": ("silu", False),
    "GLU": ("glu", True),
    "Bilinear": ("bilinear", True),
    "GEGLU": ("geglu", True),
    "SwiGLU": ("swiglu", True),
    "ReGLU": ("reglu", True),
}

#: Two more variants, for Chapter 6's sparsity runs: squared ReLU (So et al. 2021, Primer), with
#: ``d_ff = 4·d_model``, and dReLU (Song et al. 2024, TurboSparse), gated.
EXTRA_VARIANTS: dict[str, tuple[str, bool]] = {
    "ReLU2": ("squared_relu", False),
    "dReLU": ("drelu", True),
    "xIELU": ("xielu", False),
    "PolyReLU": ("polyrelu", False),
    "PolyNorm": ("polynorm", False),
}

#: Gated blocks whose gate goes through an elementwise or row-wise activation f of the
#: registry, :math:`f(W_{gate} x) \odot W_{value} x`, for Chapter 7: ProSparse's FATReLU gate
#: (MiniCPM-S) and Gemma 3n's Gaussian top-k before GELU-tanh, with their default parameters.
GATE_VARIANTS: dict[str, str] = {
    "FATReLU-GLU": "fatrelu",
    "TopK-GeGLU": "gaussian_topk",
}

#: Bytes per block of the corpus.
BLOCK = 2048
#: One block in this many is held out (the last of each run of ten).
HELDOUT_EVERY = 10


def corpus_split() -> tuple[Tensor, Tensor]:
    """The corpus as bytes, split into training and held-out text.

    The text is cut into blocks of 2,048 bytes; block 9, 19, 29, ... (every tenth) is held out,
    so both parts sample every topic of the documentation.

    Returns:
        tuple[Tensor, Tensor]: training bytes and held-out bytes, 1-D ``torch.long`` tensors of
        values in [0, 255].

    Examples::

        >>> train, heldout = corpus_split()
        >>> train.numel() + heldout.numel()
        466275
    """
    text = torch.frombuffer(bytearray(pydoc_topics()), dtype=torch.uint8).long()
    blocks = text.split(BLOCK)
    train = [b for i, b in enumerate(blocks) if i % HELDOUT_EVERY != HELDOUT_EVERY - 1]
    heldout = [b for i, b in enumerate(blocks) if i % HELDOUT_EVERY == HELDOUT_EVERY - 1]
    return torch.cat(train), torch.cat(heldout)


@dataclass(frozen=True)
class LMConfig:
    """Size and training budget of one run of :func:`train_lm`.

    The defaults are those of Chapter 5's stored runs.

    Args:
        d_model: width of the residual stream (a multiple of 3 makes the parameter counts of
            the plain and gated blocks equal exactly).
        n_layer: number of transformer blocks.
        n_head: attention heads (must divide ``d_model``).
        context: bytes of context the model sees.
        batch: sequences per step.
        steps: optimiser steps.
        lr: peak learning rate of AdamW, reached after ``warmup`` steps and decayed on a
            cosine to a tenth of it at the last step.
        warmup: steps of linear warm-up.
        weight_decay: AdamW's decoupled weight decay, on matrices only.
        eval_every: steps between two held-out evaluations (and one at the end).
    """

    d_model: int = 96
    n_layer: int = 2
    n_head: int = 4
    context: int = 128
    batch: int = 32
    steps: int = 800
    lr: float = 3e-3
    warmup: int = 80
    weight_decay: float = 0.1
    eval_every: int = 100

    def __post_init__(self) -> None:
        sizes = {k: getattr(self, k) for k in ("d_model", "n_layer", "n_head", "context",
                                               "batch", "steps", "eval_every")}
        bad = {k: v for k, v in sizes.items() if not (isinstance(v, int) and v >= 1)}
        if bad:
            raise ValueError(f"LMConfig: sizes must be positive integers, got {bad}")
        if self.d_model % self.n_head:
            raise ValueError(f"LMConfig: n_head={self.n_head} does not divide "
                             f"d_model={self.d_model}")
        if not (self.lr > 0 and 0 <= self.warmup < self.steps and self.weight_decay >= 0):
            raise ValueError("LMConfig: need lr > 0, 0 <= warmup < steps, weight_decay >= 0")

    def lr_at(self, step: int) -> float:
        """The learning rate of a step: linear warm-up, then a cosine down to lr/10.

        Args:
            step: the step, from 0.

        Returns:
            float: the learning rate.
        """
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.steps - 1 - self.warmup)
        return self.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


#: The size and budget of Chapter 5's stored runs.
DEFAULT_CONFIG = LMConfig()


class _Attention(nn.Module):
    """Causal multi-head self-attention without biases."""

    def __init__(self, d_model: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        batch, length, width = x.shape
        q, k, v = (t.view(batch, length, self.n_head, -1).transpose(1, 2)
                   for t in self.qkv(x).split(width, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(batch, length, width))


class _Block(nn.Module):
    def __init__(self, d_model: int, n_head: int, ffn: nn.Module) -> None:
        super().__init__()
        self.norm_attn = nn.LayerNorm(d_model)
        self.attn = _Attention(d_model, n_head)
        self.norm_ffn = nn.LayerNorm(d_model)
        self.ffn = ffn

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm_attn(x))
        return x + self.ffn(self.norm_ffn(x))


class _ActivatedGate(nn.Module):
    """f(gate) ⊙ value for an elementwise or row-wise actbook activation module f."""

    def __init__(self, activation: nn.Module) -> None:
        super().__init__()
        self.gate_activation = activation

    def forward(self, gate: Tensor, value: Tensor) -> Tensor:
        return self.gate_activation(gate) * value


def variant_names() -> list[str]:
    """Every variant :class:`TinyLM` builds: Table 1's, the extra ones and the gate variants.

    Returns:
        list[str]: their names.
    """
    return [*VARIANTS, *EXTRA_VARIANTS, *GATE_VARIANTS]


def _ffn(variant: str, d_model: int, fused: bool) -> nn.Module:
    known = {**VARIANTS, **EXTRA_VARIANTS}
    if variant in GATE_VARIANTS:
        if fused:
            raise ValueError(f"fused=True: {variant!r} has no fused kernel")
        gate = _ActivatedGate(make_activation(GATE_VARIANTS[variant]))
        return GatedFFN(d_model, gated_hidden_dim(d_model), gate, bias=False)
    if variant not in known:
        choices = ", ".join(variant_names())
        raise KeyError(f"unknown variant {variant!r}; choose from {choices}")
    name, gated = known[variant]
    if gated:
        return GatedFFN(d_model, gated_hidden_dim(d_model), name, bias=False, fused=fused)
    if fused:
        raise ValueError(f"fused=True is for the gated variants, not {variant!r}")
    return FFN(d_model, 4 * d_model, name, bias=False)


class TinyLM(nn.Module):
    """A byte-level decoder-only transformer whose feed-forward blocks are one variant of
    Shazeer's Table 1.

    Weights start as in GPT-2: normal with standard deviation 0.02, the last matrix of each
    residual branch scaled by 1/√(2·n_layer).

    Args:
        variant: a key of :data:`VARIANTS` (``"SwiGLU"``, ``"ReLU"``, ...) or of
            :data:`EXTRA_VARIANTS` or :data:`GATE_VARIANTS`.
        config: sizes; only ``d_model``, ``n_layer``, ``n_head`` and ``context`` are used.
        fused: use the fused kernels of :mod:`actbook.kernels` in the gated blocks.
            Default: ``False``.

    Raises:
        KeyError: for an unknown variant.
        ValueError: for ``fused=True`` with an elementwise or gate variant.

    Examples::

        >>> model = TinyLM("SwiGLU", LMConfig(d_model=12, n_head=2, context=8))
        >>> model(torch.zeros(1, 8, dtype=torch.long)).shape
        torch.Size([1, 8, 256])
    """

    def __init__(self, variant: str, config: LMConfig, fused: bool = False) -> None:
        super().__init__()
        self.context = config.context
        self.embed = nn.Embedding(256, config.d_model)
        self.position = nn.Embedding(config.context, config.d_model)
        self.blocks = nn.ModuleList(
            _Block(config.d_model, config.n_head, _ffn(variant, config.d_model, fused))
            for _ in range(config.n_layer))
        self.norm = nn.LayerNorm(config.d_model)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
        for block in self.blocks:
            for last in (block.attn.out, block.ffn.w_out):
                last.weight.data /= math.sqrt(2 * config.n_layer)

    def forward(self, tokens: Tensor) -> Tensor:
        """Logits of the next byte, shape ``tokens.shape + (256,)``."""
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.embed(tokens) + self.position(positions)
        for block in self.blocks:
            x = block(x)
        return self.norm(x) @ self.embed.weight.T

    def ffn_parameters(self) -> int:
        """Weights in the feed-forward blocks.

        Returns:
            int: their number, over all blocks.
        """
        return sum(p.numel() for block in self.blocks for p in block.ffn.parameters())


def heldout_loss(model: TinyLM, heldout: Tensor) -> float:
    """Mean next-byte cross-entropy (nats per byte) over the held-out text, read in
    non-overlapping windows of the model's context.

    Args:
        model: the model.
        heldout: held-out bytes (1-D ``torch.long``).

    Returns:
        float: the mean loss over every predicted byte.
    """
    n = (heldout.numel() - 1) // model.context
    inputs = heldout[: n * model.context].view(n, model.context)
    targets = heldout[1 : n * model.context + 1].view(n, model.context)
    was_training = model.training
    model.eval()
    total = 0.0
    with torch.no_grad():
        for rows in range(0, n, 64):
            logits = model(inputs[rows : rows + 64])
            total += F.cross_entropy(logits.flatten(0, 1), targets[rows : rows + 64].flatten(),
                                     reduction="sum").item()
    model.train(was_training)
    return total / (n * model.context)


@dataclass
class LMRun:
    """What :func:`train_lm` returns.

    Args:
        variant: the feed-forward variant.
        seed: the seed of the weights and of the batches.
        steps: the steps taken (fewer than the configuration's with ``stop_after``).
        curve: ``(step, held-out loss)`` at every evaluation, the last at ``steps``.
        heldout_loss: the held-out loss after the last step.
        probes: ``(step, result)`` of ``train_lm``'s ``probe`` at every evaluation.
        ffn_parameters: weights in the feed-forward blocks.
        parameters: weights in the model.
        seconds: wall time of the training, evaluations included.
        model: the trained model, with ``keep_model=True``; otherwise ``None``.
    """

    variant: str
    seed: int
    steps: int
    curve: list[tuple[int, float]] = field(default_factory=list)
    heldout_loss: float = math.nan
    probes: list[tuple[int, object]] = field(default_factory=list)
    ffn_parameters: int = 0
    parameters: int = 0
    seconds: float = 0.0
    model: TinyLM | None = None


def _batches(train: Tensor, config: LMConfig, seed: int) -> Callable[[], tuple[Tensor, Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    span = train.numel() - config.context - 1

    def draw() -> tuple[Tensor, Tensor]:
        starts = torch.randint(span, (config.batch, 1), generator=generator)
        index = starts + torch.arange(config.context + 1)
        window = train[index]
        return window[:, :-1], window[:, 1:]
    return draw


def _setup(variant: str, seed: int, config: LMConfig, fused: bool
           ) -> tuple[TinyLM, torch.optim.AdamW, Callable[[], tuple[Tensor, Tensor]]]:
    """The seeded model, its AdamW (weight decay on matrices only) and its batches."""
    train, _ = corpus_split()
    torch.manual_seed(seed)
    model = TinyLM(variant, config, fused=fused)
    matrices = [p for p in model.parameters() if p.dim() == 2]
    others = [p for p in model.parameters() if p.dim() != 2]
    optimiser = torch.optim.AdamW(
        [{"params": matrices, "weight_decay": config.weight_decay},
         {"params": others, "weight_decay": 0.0}], lr=config.lr, betas=(0.9, 0.95))
    return model, optimiser, _batches(train, config, seed)


def train_lm(variant: str, seed: int, config: LMConfig = DEFAULT_CONFIG, *,
             stop_after: int | None = None, fused: bool = False,
             probe: Callable[[TinyLM], object] | None = None,
             keep_model: bool = False) -> LMRun:
    """Train :class:`TinyLM` with one feed-forward variant on the corpus, in float32.

    AdamW (β = 0.9, 0.95; weight decay on matrices only), gradients clipped to norm 1, the
    schedule of :meth:`LMConfig.lr_at`, no dropout (as Shazeer's pre-training). The seed fixes
    the initial weights and the batches; the batches do not depend on the variant, so runs
    with one seed are paired.

    Args:
        variant: a key of :data:`VARIANTS`.
        seed: seed of the weights and of the batches.
        config: sizes and budget. Default: :data:`DEFAULT_CONFIG`.
        stop_after: stop after this many steps, on the schedule of ``config.steps`` (so the
            first steps of a long run can be rerun quickly). Default: ``None``, every step.
        fused: use :mod:`actbook.kernels` in the gated blocks. Default: ``False``.
        probe: called with the model at every evaluation (after the held-out loss); its
            results go to ``LMRun.probes``. Default: ``None``.
        keep_model: return the trained model in ``LMRun.model``. Default: ``False``.

    Returns:
        LMRun: held-out losses along the way and at the end, sizes and time.

    Raises:
        KeyError: for an unknown variant.
        ValueError: if ``stop_after`` is not in [1, ``config.steps``].
    """
    steps = config.steps if stop_after is None else stop_after
    if not 1 <= steps <= config.steps:
        raise ValueError(f"train_lm: stop_after must lie in [1, {config.steps}], got {steps}")
    heldout = corpus_split()[1]
    model, optimiser, draw = _setup(variant, seed, config, fused)
    run = LMRun(variant, seed, steps, ffn_parameters=model.ffn_parameters(),
                parameters=sum(p.numel() for p in model.parameters()))
    start = time.perf_counter()
    for step in range(steps):
        for group in optimiser.param_groups:
            group["lr"] = config.lr_at(step)
        inputs, targets = draw()
        loss = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if (step + 1) % config.eval_every == 0 or step + 1 == steps:
            run.curve.append((step + 1, heldout_loss(model, heldout)))
            if probe is not None:
                run.probes.append((step + 1, probe(model)))
    run.seconds = time.perf_counter() - start
    run.heldout_loss = run.curve[-1][1]
    if keep_model:
        run.model = model.eval()
    return run


def time_training_steps(variant: str, config: LMConfig = DEFAULT_CONFIG, *, fused: bool = False,
                        steps: int = 5, warmup_steps: int = 2, seed: int = 0) -> float:
    """Median seconds of one training step (forward, backward, AdamW) of :class:`TinyLM`.

    The first ``warmup_steps`` steps are not timed: with ``fused=True`` they compile the
    kernels. Machine-dependent: compare two timings of one session only.

    Args:
        variant: a key of :data:`VARIANTS`.
        config: sizes (``steps`` is not used). Default: :data:`DEFAULT_CONFIG`.
        fused: use :mod:`actbook.kernels` in the gated blocks. Default: ``False``.
        steps: timed steps. Default: 5.
        warmup_steps: untimed steps first. Default: 2.
        seed: seed of the weights and batches. Default: 0.

    Returns:
        float: the median seconds per step.
    """
    model, optimiser, draw = _setup(variant, seed, config, fused)
    times = []
    for step in range(warmup_steps + steps):
        inputs, targets = draw()
        begin = time.perf_counter()
        loss = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if step >= warmup_steps:
            times.append(time.perf_counter() - begin)
    return statistics.median(times)
