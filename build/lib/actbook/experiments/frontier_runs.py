"""Chapter 7's stored training runs in the tiny byte-level language model of Chapter 5: what
the learnable activations (xIELU, PolyReLU, PolyNorm) learn in each layer, how sparse the
gated blocks of MiniCPM-S (FATReLU gate) and Gemma 3n (Gaussian top-k gate) are after
training, and what the training-free thresholds of CATS and TEAL cost a trained SwiGLU block.

Run ``python -m actbook.experiments.frontier_runs --out benchmarks/experiments``: every variant
of :data:`LEARNED_VARIANTS` and :data:`SPARSE_VARIANTS` with every seed of :data:`SEEDS`, at
Chapter 5's size and budget, written as ``frontier_runs.json``.

The thresholds are calibrated on the first :data:`CALIBRATION_WINDOWS` windows of the
held-out text and measured on the next :data:`EVALUATION_WINDOWS`, so that no threshold is
judged on the text it was fitted to.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as torch_F
from torch import Tensor

from actbook import F
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
)

__all__ = [
    "ALL_VARIANTS",
    "CALIBRATION_WINDOWS",
    "EVALUATION_WINDOWS",
    "LEARNED_VARIANTS",
    "RESULT_NAME",
    "SEEDS",
    "SPARSE_VARIANTS",
    "TARGETS",
    "THRESHOLD_METHODS",
    "block_statistics",
    "heldout_losses",
    "layer_medians",
    "learned_function",
    "learned_parameters",
    "learned_values",
    "load_frontier_runs",
    "main",
    "median_loss",
    "reproduce",
    "run_frontier",
    "threshold_curve",
    "threshold_medians",
    "write_frontier_runs",
]

#: The file name :func:`write_frontier_runs` writes in its folder.
RESULT_NAME = "frontier_runs.json"
#: Plain blocks (d_ff = 4·d_model) with a learnable activation.
LEARNED_VARIANTS = ("xIELU", "PolyReLU", "PolyNorm")
#: Gated blocks whose sparsity is measured; the SwiGLU runs also get CATS and TEAL thresholds.
SPARSE_VARIANTS = ("SwiGLU", "FATReLU-GLU", "TopK-GeGLU")
#: Every variant the command trains, in order.
ALL_VARIANTS = (*LEARNED_VARIANTS, *SPARSE_VARIANTS)
#: The seeds, as in Chapters 5 and 6 (runs with one seed see the same batches).
SEEDS = (0, 1, 2)
#: The target shares of zeros for the thresholds.
TARGETS = (0.25, 0.5, 0.7, 0.8, 0.9)
#: The training-free thresholds: ``"cats"`` zeroes small SiLU(gate) entries (Lee et al. 2024),
#: ``"teal"`` small entries of the product that enters the down projection (Liu et al. 2025).
THRESHOLD_METHODS = ("cats", "teal")
#: Held-out windows the thresholds are calibrated on.
CALIBRATION_WINDOWS = 64
#: Held-out windows, after the calibration windows, the thresholds are measured on.
EVALUATION_WINDOWS = 128


def _windows(heldout: Tensor, context: int, first: int, count: int) -> tuple[Tensor, Tensor]:
    """Windows ``first .. first + count`` of the held-out text and their next bytes."""
    need = (first + count) * context + 1
    if heldout.numel() < need:
        raise ValueError(f"need {need} held-out bytes, got {heldout.numel()}")
    span = heldout[first * context : (first + count) * context + 1]
    return span[:-1].view(count, context), span[1:].view(count, context)


def _run_capturing(model: TinyLM, tokens: Tensor, modules: Sequence[torch.nn.Module],
                   pick: Callable[[torch.nn.Module, tuple, Tensor], object]
                   ) -> tuple[Tensor, list]:
    """The model's logits on ``tokens`` (no gradients) and, for every call of each of
    ``modules`` in order, ``pick(module, args, output)``."""
    found: list = []
    hooks = [m.register_forward_hook(lambda mod, args, out: found.append(pick(mod, args, out)))
             for m in modules]
    try:
        with torch.no_grad():
            logits = model(tokens)
    finally:
        for hook in hooks:
            hook.remove()
    return logits, found


def _gate_inputs(model: TinyLM, tokens: Tensor) -> list[Tensor]:
    """What each block's activation receives: the gate (gated blocks) or the pre-activation."""
    acts = [block.ffn.act for block in model.blocks]
    return _run_capturing(model, tokens, acts, lambda _m, args, _out: args[0].detach())[1]


def learned_parameters(model: TinyLM, tokens: Tensor) -> list[dict]:
    """The learned parameters of each block's activation, as the formulas of
    :mod:`actbook.functional` take them.

    xIELU gives ``alpha_p`` and ``alpha_n`` (the softplus of the stored parameters, α_n with β
    added), PolyReLU and PolyNorm their ``weight`` and ``bias``. PolyNorm normalises
    u = x, x², x³ by its root mean square over the row, so its shape on one entry depends on
    the row: ``row_rms`` gives the median over the tokens of that root mean square for u = x,
    x², x³, with which :math:`w_0 x^3/r_3 + w_1 x^2/r_2 + w_2 x/r_1 + b` is the learned
    function of one entry in a typical row.

    Args:
        model: a trained :class:`TinyLM` with a variant of :data:`LEARNED_VARIANTS`.
        tokens: held-out windows, for PolyNorm's row statistics.

    Returns:
        list[dict]: per block, the parameters as lists of floats (and ``row_rms`` for PolyNorm).

    Raises:
        ValueError: if a block's activation has no learnable parameters.
    """
    layers = []
    inputs = _gate_inputs(model, tokens)
    for block, x in zip(model.blocks, inputs, strict=True):
        act = block.ffn.act
        name = getattr(type(act), "name", type(act).__name__)
        if name == "xielu":
            params = {"alpha_p": torch_F.softplus(act.alpha_p).item(),
                      "alpha_n": (act.beta + torch_F.softplus(act.alpha_n)).item()}
        elif name in ("polyrelu", "polynorm"):
            params = {"weight": act.weight.tolist(), "bias": act.bias.item()}
            if name == "polynorm":
                x = x.double().flatten(0, -2)
                params["row_rms"] = [x.pow(k).pow(2).mean(-1).sqrt().median().item()
                                     for k in (1, 2, 3)]
        else:
            raise ValueError(f"learned_parameters: {name!r} has no learnable parameters")
        layers.append({"activation": name, **params})
    return layers


def _excess_kurtosis(x: Tensor) -> Tensor:
    """Excess kurtosis of each row (0 for a Gaussian row)."""
    centred = x - x.mean(-1, keepdim=True)
    variance = centred.pow(2).mean(-1)
    return centred.pow(4).mean(-1) / variance.pow(2) - 3


def block_statistics(model: TinyLM, tokens: Tensor) -> list[dict]:
    """How sparse each block's hidden activations are, and how Gaussian its gate rows are.

    Args:
        model: a trained :class:`TinyLM`.
        tokens: held-out windows.

    Returns:
        list[dict]: per block, ``zero_share`` (the share of exact zeros of the activation's
        output, over tokens and units), ``row_kurtosis`` (the median over tokens of the excess
        kurtosis of the activation's input row, 0 for Gaussian rows) and ``row_skewness``
        (the median of its skewness).
    """
    acts = [block.ffn.act for block in model.blocks]
    _, pairs = _run_capturing(model, tokens, acts, lambda _m, args, out: (args[0], out))
    layers = []
    for x, h in pairs:
        rows = x.double().flatten(0, -2)
        centred = rows - rows.mean(-1, keepdim=True)
        skew = centred.pow(3).mean(-1) / centred.pow(2).mean(-1).pow(1.5)
        layers.append({"zero_share": (h == 0).double().mean().item(),
                       "row_kurtosis": _excess_kurtosis(rows).median().item(),
                       "row_skewness": skew.median().item()})
    return layers


def _thresholded(method: str, thresholds: list[float]) -> list:
    """Forward hooks that replace each SwiGLU block's output by its thresholded version."""
    def hook_for(threshold: float):
        def hook(module: torch.nn.Module, args: tuple, _output: Tensor) -> Tensor:
            x = args[0]
            active = torch_F.silu(module.w_gate(x))
            value = module.w_value(x)
            if method == "cats":
                active = active * (active.abs() > threshold)
                return module.w_out(active * value)
            product = active * value
            return module.w_out(product * (product.abs() > threshold))
        return hook
    return [hook_for(t) for t in thresholds]


def _magnitudes(model: TinyLM, tokens: Tensor, method: str) -> list[Tensor]:
    """Per block, the magnitudes a method thresholds: |SiLU(gate)| or |SiLU(gate)·value|."""
    def pick(module: torch.nn.Module, args: tuple, _output: Tensor) -> Tensor:
        active = torch_F.silu(module.w_gate(args[0]))
        return (active if method == "cats" else active * module.w_value(args[0])).abs()

    return _run_capturing(model, tokens, [b.ffn for b in model.blocks], pick)[1]


def _loss_and_outputs(model: TinyLM, inputs: Tensor, targets: Tensor
                      ) -> tuple[float, list[Tensor]]:
    """The mean next-byte loss and each block's feed-forward output."""
    logits, outputs = _run_capturing(model, inputs, [b.ffn for b in model.blocks],
                                     lambda _m, _args, out: out)
    loss = torch_F.cross_entropy(logits.flatten(0, 1), targets.flatten()).item()
    return loss, outputs


def threshold_curve(model: TinyLM, heldout: Tensor, method: str,
                    targets: Sequence[float] = TARGETS) -> list[dict]:
    r"""Sparsity against error of a training-free magnitude threshold on a trained SwiGLU model.

    For each target share s of zeros, each block's threshold t is the s-quantile of the
    magnitudes it cuts, over the calibration windows: of :math:`|\mathrm{SiLU}(W_g x)|` for
    CATS (Lee et al. 2024), which then skips the rows of :math:`W_v` and :math:`W_{out}` of the
    zeroed units; of :math:`|\mathrm{SiLU}(W_g x) \odot W_v x|` for TEAL's threshold on the
    input of the down projection (Liu et al. 2025), which skips rows of :math:`W_{out}` only.
    (TEAL also thresholds the inputs of the other matrices; that part is not measured here.)
    Every block is thresholded at once.

    Args:
        model: a trained :class:`TinyLM` with SwiGLU blocks.
        heldout: the held-out bytes.
        method: ``"cats"`` or ``"teal"``.
        targets: target shares of zeros in (0, 1). Default: :data:`TARGETS`.

    Returns:
        list[dict]: per target, ``target``, ``zero_share`` (measured on the evaluation
        windows, mean over blocks), ``loss`` (nats per byte on them), ``loss_increase`` (over
        the dense model) and ``relative_error`` (‖y_sparse − y‖/‖y‖ of the blocks' outputs,
        mean over blocks, with every earlier block thresholded too).

    Raises:
        ValueError: for an unknown method, a target outside (0, 1) or too little text.
    """
    if method not in THRESHOLD_METHODS:
        raise ValueError(f"threshold_curve: method must be one of {THRESHOLD_METHODS}, "
                         f"got {method!r}")
    if not all(0 < s < 1 for s in targets):
        raise ValueError(f"threshold_curve: targets must lie in (0, 1), got {list(targets)}")
    calibration, _ = _windows(heldout, model.context, 0, CALIBRATION_WINDOWS)
    inputs, next_bytes = _windows(heldout, model.context, CALIBRATION_WINDOWS,
                                  EVALUATION_WINDOWS)
    magnitudes = [m.flatten().double() for m in _magnitudes(model, calibration, method)]
    dense_loss, dense = _loss_and_outputs(model, inputs, next_bytes)
    curve = []
    for share in targets:
        thresholds = [torch.quantile(m, share).item() for m in magnitudes]
        hooks = [block.ffn.register_forward_hook(hook) for block, hook in
                 zip(model.blocks, _thresholded(method, thresholds), strict=True)]
        try:
            loss, sparse = _loss_and_outputs(model, inputs, next_bytes)
            cut = _magnitudes(model, inputs, method)
        finally:
            for hook in hooks:
                hook.remove()
        zeros = [(m <= t).double().mean().item() for m, t in zip(cut, thresholds, strict=True)]
        errors = [((s - d).norm() / d.norm()).item() for s, d in zip(sparse, dense, strict=True)]
        curve.append({"target": share, "zero_share": sum(zeros) / len(zeros), "loss": loss,
                      "loss_increase": loss - dense_loss,
                      "relative_error": sum(errors) / len(errors)})
    return curve


def _check(variants: Sequence[str], seeds: Sequence[int]) -> None:
    unknown = [v for v in variants if v not in ALL_VARIANTS]
    if unknown:
        raise KeyError(f"unknown variants {unknown}; choose from {', '.join(ALL_VARIANTS)}")
    if not variants or not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"need variants and distinct seeds, got {variants}, {seeds}")


def _measure(model: TinyLM, variant: str, heldout: Tensor) -> dict:
    tokens, _ = _windows(heldout, model.context, 0, CALIBRATION_WINDOWS)
    measured: dict = {"layers": block_statistics(model, tokens)}
    if variant in LEARNED_VARIANTS:
        measured["parameters"] = learned_parameters(model, tokens)
    if variant == "SwiGLU":
        measured["thresholds"] = {m: threshold_curve(model, heldout, m)
                                  for m in THRESHOLD_METHODS}
    return measured


def run_frontier(variants: Sequence[str] = ALL_VARIANTS,
                 seeds: Sequence[int] = SEEDS, config: LMConfig = DEFAULT_CONFIG, *,
                 progress: bool = False) -> dict:
    """Train every variant with every seed; measure the trained model.

    Args:
        variants: variants of :data:`ALL_VARIANTS`. Default: all of them.
        seeds: seeds. Default: :data:`SEEDS`.
        config: the model's size and budget.
            Default: :data:`~actbook.experiments.tiny_lm.DEFAULT_CONFIG`.
        progress: show a progress bar (tqdm). Default: ``False``.

    Returns:
        dict: ``config``, ``variants``, ``seeds``, ``machine``, ``seconds`` and ``runs``: per
        variant and seed, ``variant``, ``seed``, ``heldout_loss``, ``curve``, ``seconds``,
        ``layers`` (:func:`block_statistics`), ``parameters`` for the learnable activations
        (:func:`learned_parameters`) and ``thresholds`` for SwiGLU (:func:`threshold_curve`
        by method).

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
    with tqdm(total=len(variants) * len(seeds), disable=not progress, desc="frontier") as bar:
        for seed in seeds:
            for variant in variants:
                run = train_lm(variant, seed, config, keep_model=True)
                runs.append({"variant": variant, "seed": seed, "heldout_loss": run.heldout_loss,
                             "curve": [list(point) for point in run.curve],
                             "seconds": run.seconds, **_measure(run.model, variant, heldout)})
                bar.set_postfix(variant=variant, loss=f"{run.heldout_loss:.3f}")
                bar.update()
    return {"config": asdict(config), "variants": list(variants), "seeds": list(seeds),
            "machine": describe_machine("cpu"), "seconds": time.perf_counter() - start,
            "runs": runs}


def write_frontier_runs(result: dict, folder: str | Path) -> Path:
    """Write a :func:`run_frontier` result as ``folder/frontier_runs.json``.

    Args:
        result: what :func:`run_frontier` returned.
        folder: the folder, created if missing.

    Returns:
        pathlib.Path: the file written.
    """
    return write_record(result, folder, RESULT_NAME)


def load_frontier_runs(path: str | Path) -> dict:
    """Read a file :func:`write_frontier_runs` wrote.

    Args:
        path: the JSON file.

    Returns:
        dict: the record, as :func:`run_frontier` returned it.

    Raises:
        ValueError: if the file lacks an entry of the record.
    """
    return read_record(path, ("config", "variants", "seeds", "machine", "runs"),
                       "load_frontier_runs")


def reproduce(result: dict, variant: str, seed: int, steps: int) -> tuple[float, float]:
    """Rerun the first ``steps`` steps of one stored run; its held-out loss then.

    Args:
        result: what :func:`run_frontier` or :func:`load_frontier_runs` returned.
        variant: a stored variant.
        seed: a stored seed.
        steps: a step at which the stored run evaluated (a multiple of ``eval_every``).

    Returns:
        tuple[float, float]: the stored and the rerun held-out loss at ``steps``.

    Raises:
        ValueError: if no stored run has ``variant`` and ``seed``, or it did not evaluate at
            ``steps``.
    """
    config = LMConfig(**result["config"])
    stored = [r for r in result["runs"] if r["variant"] == variant and r["seed"] == seed]
    if not stored:
        raise ValueError(f"reproduce: no stored run of {variant!r} with seed {seed}")
    curve = {int(step): loss for step, loss in stored[0]["curve"]}
    if steps not in curve:
        raise ValueError(f"reproduce: the stored run evaluated at {sorted(curve)}, not {steps}")
    run = train_lm(variant, seed, config, stop_after=steps)
    return curve[steps], run.heldout_loss


# --- reading the record --------------------------------------------------------------------------


def _runs(result: dict, variant: str) -> list[dict]:
    runs = [r for r in result["runs"] if r["variant"] == variant]
    if not runs:
        raise ValueError(f"the record has no runs of {variant!r}")
    return runs


def heldout_losses(result: dict, variant: str) -> list[float]:
    """The final held-out loss of each seed of one variant.

    Args:
        result: a record of :func:`run_frontier`, or of another command of the tiny model
            whose runs have ``variant`` and ``heldout_loss`` (Chapter 6's sparsity runs).
        variant: the variant.

    Returns:
        list[float]: the losses in the order of the seeds.

    Raises:
        ValueError: if the record has no run of ``variant``.
    """
    return [r["heldout_loss"] for r in _runs(result, variant)]


def median_loss(result: dict, variant: str) -> float:
    """The median over seeds of :func:`heldout_losses`.

    Args:
        result: the record.
        variant: the variant.

    Returns:
        float: the median loss.
    """
    return statistics.median(heldout_losses(result, variant))


def learned_values(result: dict, variant: str, key: str) -> list[list]:
    """One learned parameter of every layer, per seed.

    Args:
        result: a record of :func:`run_frontier`.
        variant: a variant of :data:`LEARNED_VARIANTS`.
        key: a key of :func:`learned_parameters` (``"alpha_p"``, ``"weight"``, ...).

    Returns:
        list[list]: per seed, the parameter of each layer.
    """
    return [[layer[key] for layer in r["parameters"]] for r in _runs(result, variant)]


def layer_medians(result: dict, variant: str, key: str) -> list[float]:
    """The median over seeds of one :func:`block_statistics` entry, per layer.

    Args:
        result: a record of :func:`run_frontier`.
        variant: the variant.
        key: ``"zero_share"``, ``"row_kurtosis"`` or ``"row_skewness"``.

    Returns:
        list[float]: one median per layer.
    """
    runs = _runs(result, variant)
    return [statistics.median(r["layers"][i][key] for r in runs)
            for i in range(len(runs[0]["layers"]))]


def threshold_medians(result: dict, method: str, key: str) -> dict[float, float]:
    """The median over the SwiGLU seeds of one :func:`threshold_curve` entry, per target.

    Args:
        result: a record of :func:`run_frontier`.
        method: ``"cats"`` or ``"teal"``.
        key: ``"zero_share"``, ``"loss"``, ``"loss_increase"`` or ``"relative_error"``.

    Returns:
        dict[float, float]: the median by target share of zeros, in increasing order.
    """
    curves = [r["thresholds"][method] for r in _runs(result, "SwiGLU")]
    return {point["target"]: statistics.median(c[i][key] for c in curves)
            for i, point in enumerate(curves[0])}


def learned_function(parameters: dict, x: Tensor) -> Tensor:
    r"""One layer's learned activation on ``x``, from its entry of :func:`learned_parameters`.

    PolyNorm depends on the whole row; it is evaluated for one entry of a row with the stored
    median root-mean-square statistics :math:`r_1, r_2, r_3` of :math:`u = x, x^2, x^3`, with
    ``x`` in units of :math:`r_1`: :math:`w_0 (r_1 x)^3/r_3 + w_1 (r_1 x)^2/r_2 + w_2 x + b`.

    Args:
        parameters: a layer's parameters, with their ``activation``.
        x: the inputs (in units of the row's root mean square for PolyNorm).

    Returns:
        Tensor: the activation's values.

    Raises:
        ValueError: for an activation without learnable parameters.
    """
    name = parameters["activation"]
    if name == "xielu":
        return F.xielu(x, parameters["alpha_p"], parameters["alpha_n"])
    if name == "polyrelu":
        return F.polyrelu(x, torch.tensor(parameters["weight"], dtype=x.dtype),
                          parameters["bias"])
    if name == "polynorm":
        r1, r2, r3 = parameters["row_rms"]
        w0, w1, w2 = parameters["weight"]
        u = x * r1
        return w0 * u**3 / r3 + w1 * u**2 / r2 + w2 * u / r1 + parameters["bias"]
    raise ValueError(f"learned_function: {name!r} has no learnable parameters")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, train every variant and seed with a progress bar, write the JSON.

    Args:
        argv: the command-line arguments. Default: ``sys.argv[1:]``.

    Returns:
        int: the exit status, 0.
    """
    parser = training_command_parser("python -m actbook.experiments.frontier_runs", __doc__,
                                     ALL_VARIANTS, SEEDS)
    args = parser.parse_args(argv)
    config = config_from_options(args)
    path = write_frontier_runs(run_frontier(args.variants, args.seeds, config, progress=True),
                               args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
