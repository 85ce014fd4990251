"""actbook at scale: PyTorch's distributed engines on two CPU processes (gloo), whole-model
torch.compile and activation checkpointing, each against one eager process.

The distributed modes run in ``examples/distributed.py`` under torchrun, which writes the
largest difference of each mode from its single-process reference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from actbook import functional as F
from actbook import nn as A
from actbook.parallel import gated_ffn_plan, shard_packed, unshard_packed

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "distributed.py"
#: float32 sums in another order (all-reduce, sharded matmuls): a few ulps of values near 1.
SAME = 1e-6
#: Tensor parallelism sums a gradient of a squared output, of size ~10, in another order.
SAME_TP = 1e-5


@pytest.fixture(scope="module")
def distributed(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("distributed") / "results.json"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc-per-node", "2", str(EXAMPLE), "--out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())["results"]


@pytest.mark.parametrize("mode", ["ddp", "fsdp2"])
def test_data_parallel_training_equals_one_process(distributed: dict, mode: str) -> None:
    assert distributed[mode] <= SAME, distributed[mode]


def test_tensor_parallel_gated_ffn_equals_the_whole_block(distributed: dict) -> None:
    assert distributed["tp"] <= SAME_TP


@pytest.mark.parametrize("layout", ["gate_last", "gate_first"])
def test_a_packed_projection_needs_shard_packed(distributed: dict, layout: str) -> None:
    result = distributed["tp_packed"][layout]
    assert result["naive"] > 0.1, "a plain column split pairs gates with gates"
    assert result["shard_packed"] <= SAME


def test_interleaved_packing_shards_as_it_is(distributed: dict) -> None:
    result = distributed["tp_packed"]["interleaved"]
    assert max(result.values()) <= SAME


@pytest.mark.parametrize("layout", ["gate_last", "gate_first", "interleaved"])
def test_shard_packed_gives_each_shard_its_own_rows(layout: str) -> None:
    gate, value = torch.arange(6.0), 10 + torch.arange(6.0)
    packed = F.pack_gated(gate, value, dim=0, layout=layout)
    shards = shard_packed(packed, 3, layout).chunk(3)
    for rank, shard in enumerate(shards):
        mine = F.split_gated(shard, dim=0, layout=layout)
        torch.testing.assert_close(mine, (gate[2 * rank:2 * rank + 2],
                                          value[2 * rank:2 * rank + 2]))
    torch.testing.assert_close(unshard_packed(torch.cat(shards), 3, layout), packed)


def test_shard_packed_refuses_rows_that_do_not_split():
    with pytest.raises(ValueError, match="6 gate rows do not split into 4"):
        shard_packed(torch.zeros(12, 2), 4)
    with pytest.raises(ValueError, match="do not split into 5 packed shards"):
        unshard_packed(torch.zeros(12, 2), 5)
    with pytest.raises(ValueError, match="odd"):
        shard_packed(torch.zeros(7, 2), 1)


def test_gated_ffn_plan_names_the_three_projections():
    plan = gated_ffn_plan("layers.0.mlp.")
    assert {name: type(style).__name__ for name, style in plan.items()} == {
        "layers.0.mlp.w_gate": "ColwiseParallel", "layers.0.mlp.w_value": "ColwiseParallel",
        "layers.0.mlp.w_out": "RowwiseParallel"}


def _model(fused: bool) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 16), A.SiLU(), A.GatedFFN(16, 32, fused=fused),
                         A.GELUTanh(), nn.Linear(16, 4))


def _gradients(net: nn.Module, forward) -> dict[str, torch.Tensor]:
    x = torch.randn(16, 16, generator=torch.Generator().manual_seed(1))
    forward(x).square().sum().backward()
    return {n: p.grad for n, p in net.named_parameters()}


def test_fused_kernels_inside_a_compiled_model_and_under_checkpointing():
    """One whole-model compilation (the fused kernel inside it), then the fused block under
    non-reentrant activation checkpointing: gradients as the eager, unfused model's."""
    eager = _model(fused=False)
    expected = _gradients(eager, eager)
    compiled = _model(fused=True)
    checkpointed = _model(fused=True)
    forwards = {
        "compiled": (compiled, torch.compile(compiled)),
        "checkpointed": (checkpointed, lambda x: checkpointed[3:](checkpoint(
            checkpointed[2], checkpointed[:2](x), use_reentrant=False))),
    }
    for name, (net, forward) in forwards.items():
        got = _gradients(net, forward)
        for key in expected:
            torch.testing.assert_close(got[key], expected[key], rtol=1e-5, atol=1e-6,
                                       msg=lambda m, name=name, key=key: f"{name} {key}: {m}")
