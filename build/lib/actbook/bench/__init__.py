"""Benchmarks of the fused kernels: ``python -m actbook.bench`` (``--help`` lists its options).

For each op it times, in one run and on one device, the eager PyTorch composite, PyTorch's
native operator where one exists, the fused kernel of :mod:`actbook.kernels` and the eager
reference of :mod:`actbook.functional`; forward and forward+backward; and reports the median
time and its spread, the effective bandwidth (least bytes moved over time), its share of the
measured copy bandwidth, and the bytes autograd keeps for the backward pass.
"""

from actbook.bench.machine import describe_machine
from actbook.bench.measure import Timing, copy_bandwidth, saved_activations, tensor_passes
from actbook.bench.ops import NO_NATIVE, OPS, VARIANTS
from actbook.bench.report import markdown
from actbook.bench.runner import PASSES, Settings, run

__all__ = [
    "NO_NATIVE",
    "OPS",
    "PASSES",
    "VARIANTS",
    "Settings",
    "Timing",
    "copy_bandwidth",
    "describe_machine",
    "markdown",
    "run",
    "saved_activations",
    "tensor_passes",
]
