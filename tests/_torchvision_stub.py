"""The few torchvision names timm imports, for a machine where torchvision cannot be imported.

timm imports torchvision when it is imported (``FrozenBatchNorm2d`` for its norm layers, the
transforms and data sets of ``timm.data``), although the models the tests build use none of it.
PyPI's torchvision wheels are built against the CUDA build of PyTorch and fail to load beside the
CPU build this project pins (``operator torchvision::nms does not exist``), so ``make`` installs
timm without it. :func:`install` then puts modules with those names in ``sys.modules``: an
``InterpolationMode`` enum and a ``FrozenBatchNorm2d`` class, and an empty class for any other
name. Nothing a model computes comes from here; where torchvision imports, it is used instead.
"""

from __future__ import annotations

import enum
import sys
import types

from torch import nn

MODULES = ("torchvision", "torchvision.ops", "torchvision.ops.misc", "torchvision.transforms",
           "torchvision.transforms.functional", "torchvision.datasets", "torchvision.utils",
           "torchvision.models", "torchvision.models.feature_extraction")


class InterpolationMode(enum.Enum):
    """torchvision's names of the interpolation methods, which timm maps to its own."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


class FrozenBatchNorm2d(nn.Module):
    """A stand-in for timm's ``isinstance`` checks; the tests never build one."""


def _placeholder(module_name: str):
    def attribute(name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"__module__": module_name})

    return attribute


def install() -> bool:
    """Use torchvision if it imports; else put the stand-ins in ``sys.modules``.

    Returns:
        ``True`` if the stand-ins were installed.
    """
    try:
        import torchvision  # noqa: F401
    except (ImportError, RuntimeError):  # absent, or the CUDA build beside a CPU torch
        pass
    else:
        return False
    modules = {name: types.ModuleType(name) for name in MODULES}
    for name, module in modules.items():
        module.__getattr__ = _placeholder(name)  # type: ignore[method-assign]
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(modules[parent], child, module)
    modules["torchvision.ops.misc"].FrozenBatchNorm2d = FrozenBatchNorm2d
    for name in ("torchvision.transforms", "torchvision.transforms.functional"):
        modules[name].InterpolationMode = InterpolationMode
    sys.modules.update(modules)
    return True
