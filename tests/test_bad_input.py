"""Bad input fails loudly, with a message that says what to do."""

from __future__ import annotations

import pytest
import torch

import actbook
from actbook import functional as F

GATED = actbook.names(kind="gated")
NOT_GATED = [name for name in actbook.names() if name not in GATED]


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(KeyError, match=r"unknown activation 'gelu_nwe'.*did you mean.*'gelu_new'"):
        actbook.get("gelu_nwe")
    with pytest.raises(KeyError, match=r"'swiglu'"):
        actbook.info("swigl")
    with pytest.raises(KeyError, match=r"'leaky_relu'"):
        actbook.derivative("leaky_rleu")


def test_unknown_name_without_close_match_points_to_names() -> None:
    count = len(actbook.names())
    pattern = rf"unknown activation 'zzz' \(actbook\.names\(\) lists the {count} canonical names\)"
    with pytest.raises(KeyError, match=pattern):
        actbook.get("zzz")


def test_name_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="activation names are strings, got int"):
        actbook.get(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", GATED)
def test_gated_unit_rejects_mismatched_shapes(name: str) -> None:
    gate, value = torch.randn(4, 8), torch.randn(4, 1)
    with pytest.raises(ValueError, match=rf"actbook\.{name}: gate and value must have the same "
                                         r"shape, got \(4, 8\) and \(4, 1\).*split_gated"):
        actbook.get(name)(gate, value)


@pytest.mark.parametrize("name", GATED)
def test_gated_unit_rejects_mismatched_dtypes(name: str) -> None:
    gate, value = torch.randn(4, 8), torch.randn(4, 8, dtype=torch.float64)
    with pytest.raises(TypeError, match=rf"actbook\.{name}: gate and value must have the same "
                                        r"dtype, got torch\.float32 and torch\.float64"):
        actbook.get(name)(gate, value)


@pytest.mark.parametrize("dim, shape", [(-1, (4, 7)), (0, (3, 8)), (1, (2, 5, 4))])
def test_split_gated_rejects_an_odd_size(dim: int, shape: tuple[int, ...]) -> None:
    size = shape[dim]
    with pytest.raises(ValueError, match=rf"size {size} along dim {dim} is odd"):
        F.split_gated(torch.randn(shape), dim=dim)


def test_split_gated_rejects_scalars_and_non_float() -> None:
    with pytest.raises(ValueError, match="cannot split a 0-dimensional tensor"):
        F.split_gated(torch.tensor(1.0))
    with pytest.raises(TypeError, match="floating-point tensor, got torch.int64"):
        F.split_gated(torch.arange(4))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool,
                                   torch.complex64], ids=str)
@pytest.mark.parametrize("name", actbook.names())
def test_non_floating_tensors_raise_type_error(name: str, dtype: torch.dtype, call) -> None:
    bad = torch.ones(6, dtype=dtype)
    pattern = rf"actbook\.{name}: (input|gate) must be a floating-point tensor, got {dtype}"
    with pytest.raises(TypeError, match=pattern):
        call(name, bad, torch.ones(6))
    if name in GATED:  # a bad value is caught as well
        with pytest.raises(TypeError, match=rf"actbook\.{name}: value must be a floating-point"):
            actbook.get(name)(torch.ones(6), bad)


@pytest.mark.parametrize("bad", [[1.0, 2.0], 1.5, None], ids=["list", "float", "None"])
@pytest.mark.parametrize("name", actbook.names())
def test_non_tensor_input_raises_type_error(name: str, bad: object, call) -> None:
    pattern = (rf"actbook\.{name}: (input|gate) must be a torch\.Tensor, "
               rf"got {type(bad).__name__}; wrap it with torch\.as_tensor")
    with pytest.raises(TypeError, match=pattern):
        call(name, bad, torch.ones(2))


def test_softmax_requires_dim() -> None:
    with pytest.raises(TypeError, match=r"actbook\.softmax: pass dim explicitly"):
        F.softmax(torch.randn(3, 4))


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_softmax_rejects_non_positive_temperature(temperature: float) -> None:
    with pytest.raises(ValueError, match="temperature must be positive"):
        F.softmax(torch.randn(3, 4), dim=-1, temperature=temperature)


@pytest.mark.parametrize("shape, weight", [
    ((2, 3, 4), torch.full((4,), 0.25)),     # one slope per element of the wrong dimension
    ((2, 3), torch.full((2,), 0.25)),        # size of the batch dimension, not the channels
    ((2, 3), torch.full((1, 3), 0.25)),      # not a vector
    ((), torch.full((3,), 0.25)),            # a scalar input has no channels
])
def test_prelu_rejects_a_weight_of_the_wrong_size(shape: tuple[int, ...], weight) -> None:
    with pytest.raises(ValueError, match=r"actbook\.prelu: weight of shape .* does not match input "
                                         r"of shape .*one slope or one per channel"):
        F.prelu(torch.randn(shape), weight)


@pytest.mark.parametrize("beta", [0.0, -1.0])
def test_softplus_rejects_non_positive_beta(beta: float) -> None:
    with pytest.raises(ValueError, match=rf"actbook\.softplus: beta must be positive, got {beta}"):
        F.softplus(torch.randn(3), beta)


@pytest.mark.parametrize("approximate", ["sigmoid", "Tanh", None])
def test_geglu_rejects_unknown_approximation(approximate: object) -> None:
    gate, value = torch.randn(2, 3), torch.randn(2, 3)
    with pytest.raises(ValueError, match=r"actbook\.geglu: approximate must be 'none' or 'tanh'"):
        F.geglu(gate, value, approximate=approximate)  # type: ignore[arg-type]


def test_errors_name_the_activation_not_a_wrapper() -> None:
    """The validation wrappers keep each function's name, docstring and signature."""
    for name in actbook.names():
        fn = actbook.get(name)
        assert fn.__name__ == name and fn.__doc__ and fn.__module__ == "actbook.functional"


@pytest.mark.parametrize("name", actbook.names(kind="elementwise"))
def test_derivative_rejects_non_floating_tensors(name: str) -> None:
    with pytest.raises(TypeError, match=rf"actbook\.{name}: input must be a floating-point"):
        actbook.derivative(name)(torch.arange(4))
