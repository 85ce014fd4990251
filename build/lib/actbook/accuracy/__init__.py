"""Accuracy of every activation, in ulp, against high-precision references.

The modules of the harness (the book's appendix on accuracy shows its results):

* :mod:`~actbook.accuracy.ulp`: formats, ulp, ulp error, rounding;
* :mod:`~actbook.accuracy.reference` and :mod:`~actbook.accuracy.exact`: float64 and mpmath
  references, derivatives and condition numbers;
* :mod:`~actbook.accuracy.inputs`: bit-pattern sweeps, exhaustive 16-bit sets, dense bands;
* :mod:`~actbook.accuracy.harness`: measurements on both CPU code paths, summaries, bounds;
* :mod:`~actbook.accuracy.compare`: never worse than PyTorch, compiled within k× eager + s;
* :mod:`~actbook.accuracy.contract`: the special-value contract;
* :mod:`~actbook.accuracy.sweep`, :mod:`~actbook.accuracy.report`: the whole sweep and its
  JSON/Markdown report (``python -m actbook.accuracy``).

>>> import torch
>>> from actbook.accuracy import FORMATS, ulp_error
>>> float(ulp_error([1.0], [1.0 + 2**-24], FORMATS[torch.float32])[0])
0.5
"""

from actbook.accuracy.compare import CompiledComparison, never_worse
from actbook.accuracy.contract import CONTRACT, Departure, SpecialValue, check_contract
from actbook.accuracy.harness import (
    ErrorSummary,
    Measurement,
    ReferenceValues,
    error_bound,
    measure,
    reference_values,
    summarize,
)
from actbook.accuracy.sweep import BOOK, FULL, SweepResult, SweepSize, run_sweep
from actbook.accuracy.ulp import FORMATS, FloatFormat, ulp, ulp_error

__all__ = [
    "BOOK",
    "CONTRACT",
    "FORMATS",
    "FULL",
    "CompiledComparison",
    "Departure",
    "ErrorSummary",
    "FloatFormat",
    "Measurement",
    "ReferenceValues",
    "SpecialValue",
    "SweepResult",
    "SweepSize",
    "check_contract",
    "error_bound",
    "measure",
    "never_worse",
    "reference_values",
    "run_sweep",
    "summarize",
    "ulp",
    "ulp_error",
]
