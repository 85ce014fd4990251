"""torch.compile of actbook's functional forms stays within k× the eager error plus s ulp
(k = 2 and s = 2 in float32, k = 3 and s = 0 in bfloat16; see actbook.accuracy.compare).
One compilation for the whole module: GELU, SiLU, ELU and Mish in float32 and bfloat16 in a
single graph (the command line ``python -m actbook.accuracy --compiled`` covers every
activation)."""

from __future__ import annotations

import pytest
import torch

from actbook.accuracy import sweep
from actbook.accuracy.compare import CompiledComparison

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")

NAMES = ("gelu", "silu", "elu", "mish")
DTYPES = (torch.float32, torch.bfloat16)


@pytest.fixture(scope="module")
def comparisons() -> dict[tuple[str, str], CompiledComparison]:
    found = sweep.evaluate_compiled(NAMES, DTYPES, sweep.TEST, which=("actbook",))
    return {(c.activation, c.dtype): c for c in found}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: str(d).removeprefix("torch."))
@pytest.mark.parametrize("name", NAMES)
def test_compiled_within_k_times_eager(comparisons, name, dtype):
    c = comparisons[name, str(dtype).removeprefix("torch.")]
    assert c.within_rule, (f"compiled {c.compiled_max_ulp:.4g} ulp at {c.worst_input!r} vs "
                           f"eager {c.eager_max_ulp:.4g} (k = {c.multiplier})")


def test_inductor_changes_results(comparisons):
    """Fused kernels round differently: some results change even where accuracy holds."""
    assert comparisons["gelu", "float32"].changed > 0
    assert comparisons["elu", "float32"].changed > 0.01
    assert comparisons["gelu", "bfloat16"].compiled_max_ulp <= 1.5
