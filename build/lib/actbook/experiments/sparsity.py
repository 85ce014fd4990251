"""Chapter 6's activation sparsity: how many exact zeros trained feed-forward blocks produce,
how many rows of the output projection a batch of tokens still needs, and what skipping the
zero rows saves on this machine.

The sparsity runs train the tiny byte-level language model of Chapter 5
(:mod:`actbook.experiments.tiny_lm`) with ReLU, squared ReLU (So et al. 2021), GELU, SwiGLU and
dReLU (Song et al. 2024) blocks and measure the hidden activations
:math:`h` (the input of ``w_out``) on held-out text at every evaluation. They take about
twenty minutes on two cores, so they are a command that writes its record as JSON, and the
chapter plots the stored file and reruns a slice::

    python -m actbook.experiments.sparsity --out benchmarks/experiments

Options as for :mod:`actbook.experiments.glu_variants`: ``--out``, comma-separated
``--variants`` and ``--seeds``, and the sizes of
:class:`~actbook.experiments.tiny_lm.LMConfig`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from actbook.experiments._stored import (
    config_from_options,
    read_record,
    training_command_parser,
    write_record,
)
from actbook.experiments.tiny_lm import (
    DEFAULT_CONFIG,
    LMConfig,
    TinyLM,
    corpus_split,
    train_lm,
    variant_names,
)
from actbook.nn import GatedFFN

__all__ = [
    "BATCH_SIZES",
    "MEASURED_VARIANTS",
    "RESULT_NAME",
    "SEEDS",
    "RowSkipTiming",
    "break_even",
    "hidden_activations",
    "load_sparsity",
    "main",
    "measure_sparsity",
    "reproduce",
    "run_sparsity",
    "time_row_skipping",
    "write_sparsity",
]

#: The file name :func:`write_sparsity` writes in its folder.
RESULT_NAME = "sparsity.json"
#: The variants of the stored run, keys of the tiny model's variants.
MEASURED_VARIANTS = ("ReLU", "ReLU2", "GELU", "SwiGLU", "dReLU")
#: The seeds of the stored run.
SEEDS = (0, 1, 2)
#: Tokens decoded together, for the rows of ``w_out`` that a batch needs.
BATCH_SIZES = (1, 4, 16, 64)
#: Held-out windows (of the model's context) that :func:`measure_sparsity` reads.
WINDOWS = 64


def hidden_activations(model: TinyLM, tokens: Tensor) -> list[Tensor]:
    """The hidden activations of every feed-forward block: the input of its ``w_out``.

    Args:
        model: the model.
        tokens: ``(sequences, positions)`` bytes.

    Returns:
        list[Tensor]: one ``(sequences, positions, d_ff)`` tensor per block.
    """
    captured: list[Tensor] = []
    hooks = [block.ffn.w_out.register_forward_pre_hook(
        lambda module, args: captured.append(args[0].detach())) for block in model.blocks]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(tokens)
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return captured


def _alignment(ffn: torch.nn.Module) -> float | None:
    """Median over hidden units of |cos| between a unit's gate and value weights."""
    if not isinstance(ffn, GatedFFN):
        return None
    cos = F.cosine_similarity(ffn.w_gate.weight, ffn.w_value.weight, dim=1)
    return cos.abs().median().item()


def measure_sparsity(model: TinyLM, heldout: Tensor, windows: int = WINDOWS,
                     batch_sizes: Sequence[int] = BATCH_SIZES) -> list[dict]:
    r"""Exact zeros of each block's hidden activations on held-out text.

    The model reads the first ``windows`` non-overlapping windows of ``heldout``. A batch of
    :math:`B` sequences decoded together needs column :math:`i` of ``w_out.weight`` at a
    position if any of the :math:`B` tokens there has :math:`h_i \ne 0`; batches are
    consecutive windows.
    If units were zero independently across tokens, with unit :math:`i` zero on a share
    :math:`p_i` of the tokens, the batch would need a share
    :math:`\frac{1}{d_{ff}}\sum_i (1 - p_i^B)` of the rows: ``independent_rows`` gives that.

    Args:
        model: the model.
        heldout: held-out bytes (1-D ``torch.long``), at least ``windows`` windows long.
        windows: windows read. Default: 64.
        batch_sizes: the batch sizes :math:`B` (each dividing ``windows``).
            Default: :data:`BATCH_SIZES`.

    Returns:
        list[dict]: per block, ``zero_share`` (mean over tokens of the share of zeros),
        ``never_active`` (share of units zero on every token), ``rows_needed`` and
        ``independent_rows`` (by batch size, as strings, for JSON), ``peak_to_rms``
        (the largest magnitude of h over its root mean square) and ``alignment`` (gated
        blocks: the median absolute cosine of a unit's gate and value weights; otherwise
        ``None``).

    Raises:
        ValueError: if ``heldout`` is too short or a batch size does not divide ``windows``.
    """
    context = model.context
    if heldout.numel() < windows * context:
        raise ValueError(f"measure_sparsity: need {windows * context} held-out bytes, "
                         f"got {heldout.numel()}")
    bad = [b for b in batch_sizes if b < 1 or windows % b]
    if bad:
        raise ValueError(f"measure_sparsity: batch sizes {bad} do not divide {windows} windows")
    tokens = heldout[: windows * context].view(windows, context)
    layers = []
    for block, h in zip(model.blocks, hidden_activations(model, tokens), strict=True):
        zero = h == 0
        p = zero.flatten(0, 1).double().mean(0)
        needed, independent = {}, {}
        for b in batch_sizes:
            grouped = (~zero).view(windows // b, b, context, -1).any(dim=1)
            needed[str(b)] = grouped.double().mean().item()
            independent[str(b)] = (1 - p ** b).mean().item()
        rms = h.double().pow(2).mean().sqrt().item()
        layers.append({
            "zero_share": zero.double().mean().item(),
            "never_active": (p == 1).double().mean().item(),
            "rows_needed": needed,
            "independent_rows": independent,
            "peak_to_rms": h.abs().max().item() / rms if rms > 0 else 0.0,
            "alignment": _alignment(block.ffn),
        })
    return layers


def _check(variants: Sequence[str], seeds: Sequence[int]) -> None:
    known = variant_names()
    unknown = [v for v in variants if v not in known]
    if unknown:
        raise KeyError(f"unknown variants {unknown}; choose from {', '.join(known)}")
    if not variants or not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"need variants and distinct seeds, got {variants}, {seeds}")


def run_sparsity(variants: Sequence[str] = MEASURED_VARIANTS, seeds: Sequence[int] = SEEDS,
                 config: LMConfig = DEFAULT_CONFIG, *, progress: bool = False) -> dict:
    """Train every variant with every seed, measuring sparsity at every evaluation.

    Args:
        variants: variants of the tiny model. Default: :data:`MEASURED_VARIANTS`.
        seeds: seeds; runs with one seed see the same batches. Default: :data:`SEEDS`.
        config: the model's size and budget.
            Default: :data:`~actbook.experiments.tiny_lm.DEFAULT_CONFIG`.
        progress: show a progress bar (tqdm). Default: ``False``.

    Returns:
        dict: ``config``, ``variants``, ``seeds``, ``machine``, ``seconds`` and ``runs``: per
        variant and seed, ``variant``, ``seed``, ``heldout_loss``, ``curve`` and ``sparsity``,
        a list of ``[step, layers]`` with ``layers`` as :func:`measure_sparsity` returns.

    Raises:
        KeyError: for an unknown variant.
        ValueError: for no variants or seeds, or repeated seeds.
    """
    from tqdm import tqdm

    from actbook.bench.machine import describe_machine

    _check(variants, seeds)
    heldout = corpus_split()[1]
    start = time.perf_counter()
    runs = []
    with tqdm(total=len(variants) * len(seeds), disable=not progress, desc="sparsity") as bar:
        for seed in seeds:
            for variant in variants:
                run = train_lm(variant, seed, config,
                               probe=lambda model: measure_sparsity(model, heldout))
                runs.append({"variant": variant, "seed": seed, "heldout_loss": run.heldout_loss,
                             "curve": [list(point) for point in run.curve],
                             "sparsity": [list(point) for point in run.probes],
                             "seconds": run.seconds})
                bar.set_postfix(variant=variant, loss=f"{run.heldout_loss:.3f}")
                bar.update()
    return {"config": asdict(config), "variants": list(variants), "seeds": list(seeds),
            "machine": describe_machine("cpu"), "seconds": time.perf_counter() - start,
            "runs": runs}


def write_sparsity(result: dict, folder: str | Path) -> Path:
    """Write a :func:`run_sparsity` result as ``folder/sparsity.json``.

    Args:
        result: what :func:`run_sparsity` returned.
        folder: the folder, created if missing.

    Returns:
        pathlib.Path: the file written.
    """
    return write_record(result, folder, RESULT_NAME)


def load_sparsity(path: str | Path) -> dict:
    """Read a file :func:`write_sparsity` wrote.

    Args:
        path: the JSON file.

    Returns:
        dict: the record, as :func:`run_sparsity` returned it.

    Raises:
        ValueError: if the file lacks an entry of the record.
    """
    return read_record(path, ("config", "variants", "seeds", "machine", "runs"), "load_sparsity")


def reproduce(result: dict, variant: str, seed: int, steps: int) -> tuple[float, float]:
    """Rerun the first ``steps`` steps of one stored run; the first block's zero share then.

    Args:
        result: what :func:`run_sparsity` or :func:`load_sparsity` returned.
        variant: a stored variant.
        seed: a stored seed.
        steps: a step at which the stored run measured (a multiple of ``eval_every``).

    Returns:
        tuple[float, float]: the stored and the rerun zero share of the first block.

    Raises:
        ValueError: if no stored run has ``variant`` and ``seed``, or it did not measure at
            ``steps``.
    """
    config = LMConfig(**result["config"])
    stored = [r for r in result["runs"] if r["variant"] == variant and r["seed"] == seed]
    if not stored:
        raise ValueError(f"reproduce: no stored run of {variant!r} with seed {seed}")
    measured = {int(step): layers for step, layers in stored[0]["sparsity"]}
    if steps not in measured:
        raise ValueError(f"reproduce: the stored run measured at {sorted(measured)}, "
                         f"not {steps}")
    heldout = corpus_split()[1]
    run = train_lm(variant, seed, config, stop_after=steps,
                   probe=lambda model: measure_sparsity(model, heldout))
    return measured[steps][0]["zero_share"], run.probes[-1][1][0]["zero_share"]


# --- what skipping zero rows saves ---------------------------------------------------------------


@dataclass(frozen=True)
class RowSkipTiming:
    """One point of :func:`time_row_skipping`.

    Args:
        active: the share of hidden units (rows of the stored matrix) the tokens use.
        dense: median seconds of the dense product.
        skipping: median seconds of finding the needed rows, gathering them and multiplying.
    """

    active: float
    dense: float
    skipping: float

    @property
    def speedup(self) -> float:
        """The dense time over the row-skipping time (above 1: skipping pays).

        Returns:
            float: the ratio.
        """
        return self.dense / self.skipping


def time_row_skipping(active: Sequence[float], d_model: int = 2048, d_ff: int = 8192,
                      tokens: int = 1, repeats: int = 15, seed: int = 0) -> list[RowSkipTiming]:
    """Time the output projection ``h @ W`` dense and skipping the zero rows of ``W``.

    ``W`` is stored as ``(d_ff, d_model)``, one contiguous row per hidden unit (the layout a
    sparse kernel wants). The skipping version finds the units that any of the ``tokens``
    tokens uses (``nonzero``), gathers those rows and multiplies: what eager PyTorch can do
    without a sparse kernel. The two are timed alternately, in float32, on this machine's
    threads; only their ratio means something.

    Args:
        active: shares of units in use, each in (0, 1].
        d_model: the width of the output. Default: 2048.
        d_ff: the hidden width. Default: 8192.
        tokens: tokens multiplied at once, all using the same units. Default: 1.
        repeats: timed calls of each version per point. Default: 15.
        seed: seed of the weights and activations. Default: 0.

    Returns:
        list[RowSkipTiming]: one per share, in the order given.

    Raises:
        ValueError: for a share outside (0, 1], or a size that is not positive.
    """
    if any(not 0 < a <= 1 for a in active):
        raise ValueError(f"time_row_skipping: shares must lie in (0, 1], got {list(active)}")
    if min(d_model, d_ff, tokens, repeats) < 1:
        raise ValueError("time_row_skipping: sizes and repeats must be positive")
    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(d_ff, d_model, generator=generator)
    dense_h = torch.randn(tokens, d_ff, generator=generator)
    points = []
    for share in active:
        keep = torch.randperm(d_ff, generator=generator)[: max(1, round(share * d_ff))]
        h = torch.zeros_like(dense_h)
        h[:, keep] = dense_h[:, keep]

        def dense(h: Tensor = h) -> Tensor:
            return h @ weight

        def skipping(h: Tensor = h) -> Tensor:
            rows = h.ne(0).any(dim=0).nonzero().squeeze(1)
            return h.index_select(1, rows) @ weight.index_select(0, rows)

        torch.testing.assert_close(skipping(), dense(), rtol=1e-4, atol=1e-3)
        times: dict[str, list[float]] = {"dense": [], "skipping": []}
        for _ in range(repeats):
            for name, fn in (("dense", dense), ("skipping", skipping)):
                begin = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - begin)
        points.append(RowSkipTiming(len(keep) / d_ff, statistics.median(times["dense"]),
                                    statistics.median(times["skipping"])))
    return points


def break_even(points: Sequence[RowSkipTiming]) -> float | None:
    """The sparsity (1 − active share) at which skipping starts to pay, interpolated.

    Args:
        points: timings, any order.

    Returns:
        float | None: the sparsity where the speed-up crosses 1, linearly interpolated
        between the two nearest points (from the dense side); ``None`` if it never crosses
        (always or never faster).

    Examples::

        >>> break_even([RowSkipTiming(1.0, 1.0, 2.0), RowSkipTiming(0.5, 1.0, 1.0),
        ...             RowSkipTiming(0.1, 1.0, 0.25)])
        0.5
    """
    ordered = sorted(points, key=lambda p: -p.active)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.speedup < 1 <= after.speedup:
            t = (1 - before.speedup) / (after.speedup - before.speedup)
            return (1 - before.active) + t * (before.active - after.active)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, train every variant and seed with a progress bar, write the JSON.

    Args:
        argv: the command-line arguments. Default: ``sys.argv[1:]``.

    Returns:
        int: the exit status, 0.
    """
    parser = training_command_parser("python -m actbook.experiments.sparsity", __doc__,
                                     MEASURED_VARIANTS, SEEDS)
    args = parser.parse_args(argv)
    config = config_from_options(args)
    path = write_sparsity(run_sparsity(args.variants, args.seeds, config, progress=True),
                          args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
