"""actbook's modules under PyTorch's distributed engines, each checked against one process.

Run with two CPU processes (the gloo backend) from the repository root::

    torchrun --standalone --nproc-per-node 2 examples/distributed.py --out results.json

Every rank trains or runs the same small model; rank 0 also computes the single-process
reference and writes, for each mode, the largest difference from it:

* ``ddp``: DistributedDataParallel, each rank half of the batch, three SGD steps;
* ``fsdp2``: ``torch.distributed.fsdp.fully_shard`` on the same model and steps;
* ``tp``: tensor parallelism with DTensor (:func:`actbook.parallel.gated_ffn_plan`) on a
  GatedFFN, output and gradients of the whole batch;
* ``tp_packed``: a packed gate/value projection sharded column-wise, once as it is (wrong: rank 0
  holds only gate rows) and once reordered by :func:`actbook.parallel.shard_packed` (right).

The fused kernels (``GatedFFN(fused=True)``) are used throughout; each process compiles them.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor
from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

from actbook import nn as A
from actbook.parallel import gated_ffn_plan, shard_packed, unshard_packed

D_MODEL, D_FF, BATCH, STEPS, LR = 16, 32, 16, 3, 0.1


def model() -> nn.Module:
    """The small model every mode trains: actbook modules around a fused SwiGLU block."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(D_MODEL, D_MODEL), A.SiLU(),
                         A.GatedFFN(D_MODEL, D_FF, "swiglu", fused=True), A.GELUTanh(),
                         nn.Linear(D_MODEL, 4))


def data() -> tuple[Tensor, Tensor]:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(BATCH, D_MODEL, generator=generator), \
        torch.randn(BATCH, 4, generator=generator)


def train(net: nn.Module, x: Tensor, y: Tensor) -> None:
    optimiser = torch.optim.SGD(net.parameters(), lr=LR)
    for _ in range(STEPS):
        optimiser.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        optimiser.step()


def full(t: Tensor) -> Tensor:
    return t.full_tensor() if isinstance(t, DTensor) else t


def largest_difference(a: dict[str, Tensor], b: dict[str, Tensor]) -> float:
    assert a.keys() == b.keys(), (sorted(a), sorted(b))
    return max((full(a[k]).detach() - full(b[k]).detach()).abs().max().item() for k in a)


def reference_parameters() -> dict[str, Tensor]:
    net = model()
    train(net, *data())
    return dict(net.named_parameters())


def data_parallel(rank: int, world: int, wrap) -> dict[str, Tensor]:
    """Train a copy wrapped by ``wrap`` on this rank's share of the batch."""
    net = wrap(model())
    x, y = data()
    share = slice(rank * BATCH // world, (rank + 1) * BATCH // world)
    train(net, x[share], y[share])
    names = {n.removeprefix("module."): p for n, p in net.named_parameters()}
    return {n: full(p) for n, p in names.items()}


def fsdp2(net: nn.Module, mesh) -> nn.Module:
    from torch.distributed.fsdp import fully_shard

    fully_shard(net[2], mesh=mesh)
    return fully_shard(net, mesh=mesh)


def tensor_parallel(mesh) -> float:
    """GatedFFN sharded by gated_ffn_plan: largest difference of output and gradients."""
    torch.manual_seed(2)
    block = A.GatedFFN(D_MODEL, D_FF, "swiglu", fused=True)
    sharded = parallelize_module(copy.deepcopy(block), mesh, gated_ffn_plan())
    x, _ = data()
    outputs = {}
    for name, net in (("one", block), ("tp", sharded)):
        out = net(x)
        out.square().sum().backward()
        outputs[name] = {"out": out, **{n: p.grad for n, p in net.named_parameters()}}
    return largest_difference(outputs["one"], outputs["tp"])


def packed_block(layout: str) -> nn.Sequential:
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(D_MODEL, 2 * D_FF), A.SwiGLU(layout=layout),
                         nn.Linear(D_FF, D_MODEL))


def tensor_parallel_packed(mesh, world: int, layout: str) -> dict[str, float]:
    """A packed projection sharded column-wise, as it is and reordered by shard_packed."""
    x, _ = data()
    expected = packed_block(layout)(x)
    result = {}
    for name, reorder in (("naive", False), ("shard_packed", True)):
        net = packed_block(layout)
        if reorder:
            with torch.no_grad():
                net[0].weight.copy_(shard_packed(net[0].weight, world, layout))
                net[0].bias.copy_(shard_packed(net[0].bias, world, layout))
        parallelize_module(net, mesh, {"0": ColwiseParallel(), "2": RowwiseParallel()})
        result[name] = (net(x) - expected).abs().max().item()
        if reorder:  # the reordering is undone exactly from the sharded weight
            restored = unshard_packed(net[0].weight.full_tensor(), world, layout)
            assert torch.equal(restored, packed_block(layout)[0].weight)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="where rank 0 writes the JSON results")
    args = parser.parse_args()
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    mesh = init_device_mesh("cpu", (world,))
    results: dict[str, object] = {}
    reference = reference_parameters()
    ddp = data_parallel(rank, world, nn.parallel.DistributedDataParallel)
    results["ddp"] = largest_difference(reference, ddp)
    try:
        results["fsdp2"] = largest_difference(
            reference, data_parallel(rank, world, lambda net: fsdp2(net, mesh)))
    except (RuntimeError, NotImplementedError) as error:  # the backend lacks a collective
        results["fsdp2"] = f"not run: {type(error).__name__}: {error}".splitlines()[0]
    results["tp"] = tensor_parallel(mesh)
    results["tp_packed"] = {layout: tensor_parallel_packed(mesh, world, layout)
                            for layout in ("gate_last", "gate_first", "interleaved")}
    if rank == 0 and args.out:
        machine = {"python": platform.python_version(), "torch": torch.__version__,
                   "processor": platform.machine(), "world_size": world, "backend": "gloo",
                   "threads": torch.get_num_threads()}
        with open(args.out, "w") as f:
            json.dump({"config": {"d_model": D_MODEL, "d_ff": D_FF, "batch": BATCH,
                                  "steps": STEPS, "lr": LR, "dtype": "float32"},
                       "results": results, "machine": machine}, f, indent=1)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
