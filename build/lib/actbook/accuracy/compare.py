r"""The two comparisons of the harness: actbook against PyTorch, compiled against eager.

**Never worse than PyTorch.** On the same inputs, actbook's maximum error rounded up to whole
ulps is at most PyTorch's: :math:`\lceil e_{\text{actbook}} \rceil \le \lceil e_{\text{torch}}
\rceil`. Whole ulps are how libm accuracy is stated (glibc's tables of known errors, for
example); below one ulp, which of two faithful results a sample happens to favour is noise
(1.53 against 1.48 ulp, say, where both chain a correctly rounded ``exp`` and a ``log1p`` of
1 ulp). Both maxima are always reported side by side.

**Compiled within k× eager + s.** A compiled function's maximum ulp error is at most k times
that of the same function in eager mode plus s ulp, k = 2 for float32 and float64 and k = 3 for
float16 and bfloat16: the multipliers of PyTorch's own benchmark accuracy checker
(``torch._dynamo.utils.same``), applied to maximum ulp errors instead of RMS errors. The slack
s = 2 ulp (float32 and float64; 0 for the 16-bit types, which are computed in float32 and
rounded) is what a libm may spend on one call: without a vector instruction set
(``ATEN_CPU_CAPABILITY=default``) Inductor's C++ calls the C library's ``tanhf``, which glibc
documents at up to 2 ulp on x86-64, where an eager result of 0.7 ulp would otherwise leave a
compiled one 1.4 ulp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from actbook.accuracy.harness import ErrorSummary, Measurement

#: Allowed ratio of compiled to eager maximum ulp error, by dtype name.
COMPILE_MULTIPLIER: dict[str, float] = {
    "float32": 2.0, "float64": 2.0, "float16": 3.0, "bfloat16": 3.0,
}
#: Allowed extra ulps on top of the ratio, by dtype name (one libm call's error).
COMPILE_SLACK_ULP: dict[str, float] = {
    "float32": 2.0, "float64": 2.0, "float16": 0.0, "bfloat16": 0.0,
}


def whole_ulps(error: float) -> float:
    """An error rounded up to whole ulps (inf and NaN unchanged).

    Args:
        error: an error in ulps.

    Returns:
        A float: the smallest whole number of ulps at least ``error``, or ``error`` itself if
        it is inf or NaN.
    """
    return float(math.ceil(error)) if math.isfinite(error) else error


def never_worse(actbook: ErrorSummary, torch_: ErrorSummary) -> bool:
    """Whether actbook's maximum error, in whole ulps, is at most PyTorch's on the same inputs.

    Args:
        actbook: the summary of actbook's function.
        torch_: the summary of PyTorch's function on the same input set.

    Returns:
        A bool: whether ``⌈actbook.max_ulp⌉ ≤ ⌈torch_.max_ulp⌉`` (:func:`whole_ulps`).

    Raises:
        ValueError: if the two summaries count different numbers of inputs, so cannot come
            from the same input set.
    """
    if not torch_.count == actbook.count:
        raise ValueError("compare summaries of the same input set")
    return whole_ulps(actbook.max_ulp) <= whole_ulps(torch_.max_ulp)


@dataclass(frozen=True)
class CompiledComparison:
    """Compiled against eager for one implementation, activation and dtype.

    ``changed`` is the share of inputs whose compiled result differs (bitwise) from the eager
    one: where Inductor's lowering changes results, even when accuracy does not suffer.

    Args:
        implementation: the implementation's name (``"actbook"`` or ``"torch"``).
        activation: the activation's registry name.
        dtype: the dtype's name (``"float32"``).
        eager_max_ulp: the maximum ulp error in eager mode, over the domain.
        compiled_max_ulp: the maximum ulp error of the compiled function, over the domain.
        worst_input: the input at which the compiled error is largest.
        changed: the share of inputs, from 0 to 1, whose compiled result differs from the
            eager one.
    """

    implementation: str
    activation: str
    dtype: str
    eager_max_ulp: float
    compiled_max_ulp: float
    worst_input: float
    changed: float

    @property
    def multiplier(self) -> float:
        """The allowed ratio k for this dtype."""
        return COMPILE_MULTIPLIER[self.dtype]

    @property
    def slack(self) -> float:
        """The allowed extra ulps s for this dtype."""
        return COMPILE_SLACK_ULP[self.dtype]

    @property
    def within_rule(self) -> bool:
        """compiled max ulp ≤ k × eager max ulp + s."""
        return self.compiled_max_ulp <= self.multiplier * self.eager_max_ulp + self.slack


def compare_compiled(
    eager: ErrorSummary, eager_outputs: np.ndarray, compiled: Measurement
) -> CompiledComparison:
    """Compare a compiled measurement with the eager summary and (contiguous) eager outputs
    on the same inputs.

    Args:
        eager: the summary of the eager measurement.
        eager_outputs: the eager outputs on the contiguous tensor, as a float64 array in the
            order of the inputs.
        compiled: the measurement of the compiled function on the same inputs.

    Returns:
        A :class:`CompiledComparison` with the names of ``eager``.
    """
    error = np.where(compiled.domain, compiled.error, 0.0)
    worst = int(np.argmax(error))
    differs = ~((compiled.outputs == eager_outputs)
                | (np.isnan(compiled.outputs) & np.isnan(eager_outputs)))
    return CompiledComparison(
        implementation=eager.implementation,
        activation=eager.activation,
        dtype=eager.dtype,
        eager_max_ulp=eager.max_ulp,
        compiled_max_ulp=float(error[worst]),
        worst_input=float(compiled.inputs[worst]),
        changed=float(differs.mean()),
    )
