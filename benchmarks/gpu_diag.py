"""Where the fused SwiGLU loses time against a fixed-shape kernel: a one-off device diagnosis.

    python benchmarks/gpu_diag.py --out gpu_diag.json                    # on a GPU (bfloat16)
    python benchmarks/gpu_diag.py --device cpu --dtype float32 --shape 512x1024 --out d.json

For SwiGLU at one shape it times the forward pass and forward plus backward of

* ``eager``: ``F.silu(g) * v``;
* ``kernels``: :func:`actbook.kernels.swiglu` (leading dimensions dynamic, the last static);
* ``static`` and ``dynamic``: the same compiled forward and backward functions in the same
  :class:`torch.autograd.Function`, compiled with every dimension static (``dynamic=False``)
  or every dimension symbolic (``dynamic=True``);

and keeps the code Inductor generated for each (Triton on a GPU, C++ on a CPU), so that the
cause of a gap, for instance 64-bit index arithmetic or masked loads in the code for symbolic
sizes, can be read off. Writes JSON: the machine, the settings, per variant the median times and
quartiles, and the generated kernels. An earlier, forward-only version of this script wrote
``benchmarks/results/gpu_diag_h200.txt``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as TF
from torch import Tensor
from torch._inductor.utils import run_and_get_code

from actbook import kernels
from actbook.bench.machine import describe_machine
from actbook.bench.measure import Timing, time_once, warm_up
from actbook.kernels import _pointwise as P


# Separate top-level functions: torch.compile caches graphs per code object, and compiling
# P.swiglu itself would share (and mix up) the graphs of actbook.kernels.
def static_forward(gate: Tensor, value: Tensor) -> Tensor:
    return P.swiglu(gate, value)


def static_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return P.swiglu_backward(grad, gate, value)


def dynamic_forward(gate: Tensor, value: Tensor) -> Tensor:
    return P.swiglu(gate, value)


def dynamic_backward(grad: Tensor, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    return P.swiglu_backward(grad, gate, value)


def fused_with(forward: Callable, backward: Callable) -> Callable[[Tensor, Tensor], Tensor]:
    """A SwiGLU autograd.Function like actbook.kernels', with the given compiled functions."""

    class Fused(torch.autograd.Function):
        @staticmethod
        def forward(ctx, gate: Tensor, value: Tensor) -> Tensor:  # type: ignore[override]
            ctx.save_for_backward(gate, value)
            return forward(gate, value)

        @staticmethod
        def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor]:  # type: ignore[override]
            gate, value = ctx.saved_tensors
            return backward(grad, gate, value)

    return Fused.apply


def eager() -> Callable[[Tensor, Tensor], Tensor]:
    return lambda gate, value: TF.silu(gate) * value


def actbook_kernels() -> Callable[[Tensor, Tensor], Tensor]:
    return kernels.swiglu


def all_static() -> Callable[[Tensor, Tensor], Tensor]:
    return fused_with(
        torch.compile(static_forward, dynamic=False), torch.compile(static_backward, dynamic=False)
    )


def all_dynamic() -> Callable[[Tensor, Tensor], Tensor]:
    return fused_with(
        torch.compile(dynamic_forward, dynamic=True), torch.compile(dynamic_backward, dynamic=True)
    )


VARIANTS = {
    "eager": eager,
    "kernels": actbook_kernels,
    "static": all_static,
    "dynamic": all_dynamic,
}


def generated_kernels(codes: list[str]) -> list[str]:
    """The kernels in Inductor's output modules, each as its source text: for Triton the
    heuristics decorator (size hints, argument divisibility) and the ``@triton.jit`` function,
    for C++ the ``extern "C"`` kernel."""
    triton = re.compile(r"async_compile\.triton\('[^']*', '''\n(.*?)''', device_str", re.S)
    found = []
    for code in codes:
        found += triton.findall(code)
        found += re.findall(r'(extern "C".*?)\n\'\'\'\)', code, re.S)
    return found


def measure(
    name: str, shape: tuple[int, ...], device: torch.device, dtype: torch.dtype, repeats: int
) -> dict:
    torch.manual_seed(0)
    gate, value = (torch.randn(shape, device=device).to(dtype) for _ in "gv")
    fn = VARIANTS[name]()
    leaves = [t.detach().requires_grad_(True) for t in (gate, value)]
    grad = torch.randn_like(gate)

    def forward() -> Tensor:
        with torch.no_grad():
            return fn(gate, value)

    def forward_backward() -> tuple[Tensor, ...]:
        return torch.autograd.grad(fn(*leaves), leaves, grad)

    def first_calls() -> None:
        forward()
        forward_backward()

    # The first calls compile; keep the code they generate (run_and_get_code resets Dynamo).
    codes = [] if name == "eager" else run_and_get_code(first_calls)[1]
    result = {"variant": name, "kernels": generated_kernels(codes)}
    for pass_name, call in (("forward", forward), ("forward+backward", forward_backward)):
        warm_up(call, 3)
        timing = Timing.of([time_once(call, device) for _ in range(repeats)])
        result[pass_name] = asdict(timing)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=["float32", "float16", "bfloat16"])
    parser.add_argument("--shape", default="8192x14336", help="gate/value shape, e.g. 8192x14336")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    shape = tuple(int(n) for n in args.shape.lower().split("x"))
    report = {
        "machine": describe_machine(args.device),
        "settings": {**vars(args), "out": str(args.out), "shape": list(shape)},
        "variants": [],
    }
    for name in VARIANTS:
        row = measure(name, shape, device, dtype, args.repeats)
        report["variants"].append(row)
        print(
            f"{name:8} forward {row['forward']['median'] * 1e3:8.3f} ms, forward+backward "
            f"{row['forward+backward']['median'] * 1e3:8.3f} ms, {len(row['kernels'])} kernels",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
