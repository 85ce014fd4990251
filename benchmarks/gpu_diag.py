"""Diagnose why the fused SwiGLU forward is slower than eager on a GPU (one-off device check).

Times several compiled variants of silu(g)*v in bfloat16 at 8192x14336 and counts the kernels
each launches, so the cause (graph breaks, several kernels, dynamic shapes) shows directly.
"""

import torch
import torch.nn.functional as TF
from torch.profiler import ProfilerActivity, profile

from actbook import functional as F
from actbook import kernels

torch.manual_seed(0)
g = torch.randn(8192, 14336, device="cuda", dtype=torch.bfloat16)
v = torch.randn_like(g)


def timed(fn, calls=10, n=30):
    """Median ms per call over ``n`` samples of ``calls`` calls between two events.

    ``calls=10``: back to back, as in actbook.bench, so launch overhead overlaps the GPU work;
    ``calls=1`` after a synchronisation charges it in full.
    """
    for _ in range(5):
        fn()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(n):
        torch.cuda.synchronize()
        start.record()
        for _ in range(calls):
            fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / calls)
    return sorted(times)[n // 2]


def kernels_launched(fn):
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    return [e.key for e in prof.key_averages() if e.device_type.name == "CUDA"]


def plain(a, b):
    return (TF.silu(a.float()) * b.float()).to(a.dtype)


def where_sigmoid(a, b):
    x = a.float()
    e = torch.exp(x.clamp(max=0))
    s = torch.where(x < 0, e / (1 + e), torch.sigmoid(x))
    y = torch.where(x > 1e4, x, x.clamp(-1e4, 1e4) * s)
    return (y * b.float()).to(a.dtype)


variants = {
    "eager F.silu*v": lambda: TF.silu(g) * v,
    "kernels.swiglu (fused)": lambda: kernels.swiglu(g, v),
    "compile(functional.swiglu) static": (lambda c: lambda: c(g, v))(torch.compile(F.swiglu)),
    "compile(functional.swiglu) dynamic": (
        lambda c: lambda: c(g, v))(torch.compile(F.swiglu, dynamic=True)),
    "compile(plain silu*v, f32) static": (lambda c: lambda: c(g, v))(torch.compile(plain)),
    "compile(where-sigmoid, no autograd.Function)": (
        lambda c: lambda: c(g, v))(torch.compile(where_sigmoid)),
}
copy_dst = torch.empty_like(g)
print(f"copy {timed(lambda: copy_dst.copy_(g)):.3f} ms (one input's size)")
for name, fn in variants.items():
    with torch.no_grad():
        ms = timed(fn)
        single = timed(fn, calls=1)
        launched = kernels_launched(fn)
    print(f"{name:48s} {ms:.3f} ms back to back, {single:.3f} ms one call after a sync; "
          f"{len(launched)} kernels: {[k[:60] for k in launched[:3]]}")
