"""Tensor parallelism for gated feed-forward blocks, on PyTorch's own DTensor engine.

A gated block ``W_out (f(W_gate x) ⊙ W_value x)`` shards as Megatron-LM does (Shoeybi et al.
2019): the gate and value projections by output rows (column-wise), the output projection by
input columns (row-wise), so each rank computes its slice of the hidden layer with no
communication and one all-reduce sums the outputs. :func:`gated_ffn_plan` is that plan for
:func:`torch.distributed.tensor.parallel.parallelize_module` and :class:`actbook.nn.GatedFFN`.

A *packed* projection (gate and value rows in one weight) needs care: a column-wise split of its
rows hands rank 0 the first half of the rows, which in the ``"gate_first"`` and ``"gate_last"``
layouts are all gate rows, and the unit then multiplies gates by gates. :func:`shard_packed`
reorders the rows so that each contiguous shard is itself a packed weight, of that rank's gate
and value rows in the same layout. The ``"interleaved"`` layout (gpt-oss) needs no reordering.
"""

from __future__ import annotations

import torch
from torch import Tensor

from actbook._checks import Layout, check_layout
from actbook.functional import pack_gated, split_gated

__all__ = ["gated_ffn_plan", "shard_packed", "unshard_packed"]


def gated_ffn_plan(prefix: str = "") -> dict[str, torch.distributed.tensor.parallel.ParallelStyle]:
    """The tensor-parallel plan of a :class:`actbook.nn.GatedFFN`: gate and value projections
    column-wise, output projection row-wise.

    Args:
        prefix: the block's qualified name in the model, with its trailing dot
            (``"layers.0.mlp."``), to build a whole model's plan. Default: ``""`` (the block).

    Returns:
        ``{name: ParallelStyle}`` for :func:`torch.distributed.tensor.parallel.parallelize_module`.

    Examples::

        >>> sorted(gated_ffn_plan("mlp."))
        ['mlp.w_gate', 'mlp.w_out', 'mlp.w_value']
    """
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel

    return {f"{prefix}w_gate": ColwiseParallel(), f"{prefix}w_value": ColwiseParallel(),
            f"{prefix}w_out": RowwiseParallel()}


def _halves(packed: Tensor, world_size: int, layout: Layout) -> tuple[Tensor, Tensor]:
    if world_size < 1:
        raise ValueError(f"shard_packed: world_size must be a positive integer, got {world_size}")
    gate, value = split_gated(packed, dim=0, layout=layout)
    if gate.shape[0] % world_size:
        raise ValueError(f"shard_packed: {gate.shape[0]} gate rows do not split into "
                         f"{world_size} equal shards")
    return gate, value


def shard_packed(packed: Tensor, world_size: int, layout: Layout = "gate_last") -> Tensor:
    """Reorder the rows of a packed gate/value projection so that a column-wise split into
    ``world_size`` contiguous shards gives each rank a packed projection of its own rows.

    With ``gate, value = split_gated(packed, dim=0, layout=layout)`` cut into ``world_size``
    equal chunks ``gate_r`` and ``value_r``, the result is the concatenation over ranks of
    ``pack_gated(gate_r, value_r, dim=0, layout=layout)``. Load it into the packed layer before
    :func:`torch.distributed.tensor.parallel.parallelize_module`; :func:`unshard_packed` undoes it.

    Args:
        packed: the weight ``(2·d_ff, d_model)`` or bias ``(2·d_ff,)`` of the packed projection.
        world_size: the number of ranks the rows are split over.
        layout: how ``packed`` holds gate and value, as in
            :func:`actbook.functional.split_gated`. Default: ``"gate_last"``.

    Returns:
        A new tensor of the shape of ``packed``.

    Raises:
        ValueError: for an unknown layout, an odd number of rows, or gate rows that do not
            split into ``world_size`` equal shards.

    Examples::

        >>> rows = torch.arange(8.0)  # value rows 0-3, gate rows 4-7 (gate_last)
        >>> shard_packed(rows, 2)  # rank 0: values 0, 1 and gates 4, 5
        tensor([0., 1., 4., 5., 2., 3., 6., 7.])
    """
    layout = check_layout(layout)
    gate, value = _halves(packed, world_size, layout)
    return torch.cat([pack_gated(g, v, dim=0, layout=layout) for g, v in
                      zip(gate.chunk(world_size), value.chunk(world_size), strict=True)])


def unshard_packed(sharded: Tensor, world_size: int, layout: Layout = "gate_last") -> Tensor:
    """The inverse of :func:`shard_packed`: the packed projection in its usual row order.

    Args:
        sharded: rows in the order :func:`shard_packed` writes, for example the full tensor of
            a column-wise sharded weight.
        world_size: the number of shards.
        layout: the layout of each shard. Default: ``"gate_last"``.

    Returns:
        A new tensor of the shape of ``sharded``.

    Raises:
        ValueError: for an unknown layout, or rows that do not split into ``world_size`` packed
            shards of even size.

    Examples::

        >>> unshard_packed(torch.tensor([0., 1., 4., 5., 2., 3., 6., 7.]), 2)
        tensor([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    layout = check_layout(layout)
    if world_size < 1 or sharded.shape[0] % (2 * world_size):
        raise ValueError(f"unshard_packed: {sharded.shape[0]} rows do not split into "
                         f"{world_size} packed shards")
    pairs = [split_gated(shard, dim=0, layout=layout) for shard in sharded.chunk(world_size)]
    gates, values = zip(*pairs, strict=True)
    return pack_gated(torch.cat(gates), torch.cat(values), dim=0, layout=layout)
