r"""Measure an implementation against the reference: ulp error, condition, bounds.

:func:`measure` evaluates a function twice on the same inputs: once on a contiguous tensor,
where PyTorch's CPU kernels run their vectorised loop, and once on the inputs placed at odd
offsets of a tensor twice as long (a stride-2 view), where they run their scalar loop. The two
code paths use different ``exp``/``erf`` implementations and can disagree; each input keeps the
worse of its two results. :func:`summarize` reduces a :class:`Measurement` to an
:class:`ErrorSummary`.

The bounds (:func:`error_bound`), on every finite input whose true result is a normal number
of the dtype (the *domain*):

* float32: :math:`4 + 2\,\mathrm{cond}(x)` ulp; float64: :math:`8 + 2\,\mathrm{cond}(x)` ulp;
* float16 and bfloat16: 1 ulp, with at least 99.5% of results correctly rounded.

A result whose error stays within a small multiple of the condition number is as good as the
problem allows: the input's own rounding, amplified by cond(x), is already that large
(Higham 2002, §1.6).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from actbook.accuracy import exact, reference
from actbook.accuracy.ulp import FORMATS, FloatFormat, correctly_rounded, round_to_format, ulp_error
from actbook.registry import GatedForm

#: Minimum share of correctly rounded results in float16 and bfloat16.
MIN_CORRECTLY_ROUNDED_16 = 0.995
#: The formats of :data:`~actbook.accuracy.ulp.FORMATS`, by name (``"float32"``, ...).
FORMATS_BY_NAME = {fmt.name: fmt for fmt in FORMATS.values()}


def error_bound(fmt: FloatFormat, cond: np.ndarray) -> np.ndarray:
    r"""Largest allowed ulp error at inputs of condition number ``cond`` in ``fmt``.

    Args:
        fmt: the format of the results.
        cond: the condition number at each input.

    Returns:
        A float64 array of the shape of ``cond``: :math:`4 + 2\,\mathrm{cond}` for float32,
        :math:`8 + 2\,\mathrm{cond}` for float64 and 1 for the 16-bit formats.
    """
    if fmt.precision == 24:
        with np.errstate(over="ignore"):
            return 4.0 + 2.0 * cond
    if fmt.precision == 53:
        with np.errstate(over="ignore"):
            return 8.0 + 2.0 * cond
    return np.ones_like(cond)


@dataclass(frozen=True)
class ReferenceValues:
    """True results (double-double ``hi + lo``), condition numbers and true derivatives.

    ``derivative`` holds ∂f/∂x, for gated units ∂f/∂gate; for gated units only,
    ``gate_output`` holds a(gate) and ``value_derivative`` ∂f/∂value.

    Every field that is set is a float64 array with one entry per input.

    Args:
        hi: the high part of the true result.
        lo: the low part (0 unless the reference is a double-double, for float64).
        cond: the condition number.
        derivative: ∂f/∂x, or ∂f/∂gate for a gated unit.
        gate_output: a(gate), for a gated unit. Default: ``None``.
        value_derivative: ∂f/∂value, for a gated unit. Default: ``None``.
    """

    hi: np.ndarray
    lo: np.ndarray
    cond: np.ndarray
    derivative: np.ndarray
    gate_output: np.ndarray | None = None
    value_derivative: np.ndarray | None = None


def reference_values(name: str, x: Tensor) -> ReferenceValues:
    """Reference for activation ``name`` on inputs ``x``: mpmath for float64, else float64.

    Args:
        name: the registry name of an elementwise activation.
        x: the inputs, a one-dimensional tensor of any floating dtype (finite values only for
            float64, whose reference is computed with mpmath).

    Returns:
        The :class:`ReferenceValues` at ``x``: a double-double result for float64 inputs, a
        float64 result (``lo = 0``) for the others.
    """
    f = reference.value(name, x)
    df = reference.derivative(name, x)
    cond = reference.condition_number(x, f, df).numpy()
    if x.dtype == torch.float64:
        hi, lo = exact.exact_reference(name, x.numpy())
    else:
        hi, lo = f.numpy(), np.zeros(x.numel())
    return ReferenceValues(hi, lo, cond, df.numpy())


def gated_reference_values(
    form: GatedForm | str, gate: Tensor, value: Tensor
) -> ReferenceValues:
    """Reference for a gated unit y = a(g)·(b(v) + c), from its
    :class:`~actbook.registry.GatedForm` (or the name of ``a``, for a unit a(g)·v).

    The condition numbers of a product add: cond = cond_a(g) + cond_b(v), where cond_b = 1 for
    the untransformed value.

    Args:
        form: the unit's :class:`~actbook.registry.GatedForm`, or the registry name of its
            gate function ``a`` for the unit ``a(gate) · value``.
        gate: the gate inputs, a one-dimensional tensor.
        value: the value inputs, a tensor of the shape and dtype of ``gate``.

    Returns:
        The :class:`ReferenceValues` of the unit, with ``gate_output`` and
        ``value_derivative``; double-double results for float64 inputs.
    """
    if isinstance(form, str):
        form = GatedForm(gate=form)
    g, v = gate.double(), value.double()
    a_fn, da_fn = reference.gate_reference(form.gate)
    b_fn, db_fn = reference.gate_reference(form.value)
    gc, vc = form.clamped(g, v)
    raw, b = a_fn(gc), b_fn(vc) + form.value_offset
    da, db = form.clamp_slopes(g, v, da_fn(gc), db_fn(vc))
    a, da = form.capped(raw), form.cap_slope(raw, da)
    cond = (reference.condition_number(g, a, da).numpy()
            + reference.condition_number(v, b, db).numpy())
    if gate.dtype == torch.float64:
        hi, lo = exact.exact_gated_reference(form, g.numpy(), v.numpy())
    else:
        hi, lo = (a * b).numpy(), np.zeros(g.numel())
    return ReferenceValues(hi, lo, cond, (da * b).numpy(), gate_output=a.numpy(),
                           value_derivative=(a * db).numpy())


def _at_odd_offsets(x: Tensor) -> Tensor:
    """``x`` as a stride-2 view into a tensor twice as long, at offsets 1, 3, 5, ..."""
    buffer = torch.zeros(2 * x.numel(), dtype=x.dtype)
    buffer[1::2] = x
    return buffer[1::2]


@dataclass(frozen=True)
class Measurement:
    """One implementation on one input set: per-input outputs, errors and references.

    Per-input fields are arrays with one entry per input, float64 except ``paths_differ``.

    Args:
        implementation: the implementation's name (``"actbook"``, ``"torch"``,
            ``"actbook compiled"``).
        activation: the activation's registry name.
        fmt: the format of the inputs and results.
        inputs: the inputs, for a gated unit the gates.
        values: the value operand of a gated unit, ``None`` for an elementwise activation.
        outputs: for each input, the output with the largest error over the code paths.
        error: the ulp error of that output.
        reference: the true results.
        paths_differ: a bool array, whether the code paths gave different outputs.
    """

    implementation: str
    activation: str
    fmt: FloatFormat
    inputs: np.ndarray
    values: np.ndarray | None  # the value operand of a gated unit
    outputs: np.ndarray
    error: np.ndarray
    reference: ReferenceValues
    paths_differ: np.ndarray

    @property
    def finite_inputs(self) -> np.ndarray:
        """Inputs (and values) that are finite."""
        finite = np.isfinite(self.inputs)
        return finite if self.values is None else finite & np.isfinite(self.values)

    @property
    def domain(self) -> np.ndarray:
        """Finite inputs whose true result is a normal number of the dtype.

        For gated units a(gate) must be normal too: a gate output below the normal range has
        lost relative precision before the product, in any implementation that forms it.
        """
        def normal(v: np.ndarray) -> np.ndarray:
            return (np.abs(v) >= self.fmt.tiny) & (np.abs(v) <= self.fmt.max)

        domain = self.finite_inputs & normal(self.reference.hi)
        if self.reference.gate_output is not None:
            domain &= normal(self.reference.gate_output)
        return domain

    @property
    def bound(self) -> np.ndarray:
        """The allowed ulp error at each input."""
        return error_bound(self.fmt, self.reference.cond)


def on_both_paths(fn: Callable[..., Tensor], operands: tuple[Tensor, ...]) -> list[Tensor]:
    """``fn(*operands)`` on contiguous tensors and on stride-2 views (the scalar loop).

    Args:
        fn: the function to evaluate.
        operands: its one-dimensional input tensors.

    Returns:
        Two tensors: the contiguous result, then the result on the stride-2 views.
    """
    with torch.no_grad():
        return [fn(*operands), fn(*(_at_odd_offsets(t) for t in operands))]


def measure(
    implementation: str,
    activation: str,
    fn: Callable[..., Tensor],
    operands: tuple[Tensor, ...],
    ref: ReferenceValues,
) -> Measurement:
    """Evaluate ``fn(*operands)`` on both code paths and compare with ``ref``.

    Args:
        implementation: the implementation's name, kept in the result.
        activation: the activation's registry name, kept in the result.
        fn: the function to measure.
        operands: its one-dimensional input tensors (gate and value for a gated unit).
        ref: the true results at ``operands``.

    Returns:
        The :class:`Measurement`, each input keeping the worse of its two results.
    """
    return measure_outputs(implementation, activation, operands, on_both_paths(fn, operands), ref)


def measure_outputs(
    implementation: str,
    activation: str,
    operands: tuple[Tensor, ...],
    outputs: list[Tensor],
    ref: ReferenceValues,
) -> Measurement:
    """Compare outputs already computed (one tensor per code path) with ``ref``; each input
    keeps its worst output.

    Args:
        implementation: the implementation's name, kept in the result.
        activation: the activation's registry name, kept in the result.
        operands: the input tensors the outputs were computed from; their dtype sets the
            format.
        outputs: the outputs, one tensor of the size of the inputs per code path.
        ref: the true results at ``operands``.

    Returns:
        The :class:`Measurement`.
    """
    fmt = FORMATS[operands[0].dtype]
    as_float64 = np.stack([o.detach().double().numpy() for o in outputs])
    errors = np.stack([ulp_error(o, ref.hi, fmt, ref.lo) for o in as_float64])
    worst = np.argmax(errors, axis=0)
    columns = np.arange(as_float64.shape[1])
    same = (as_float64 == as_float64[0]) | (np.isnan(as_float64) & np.isnan(as_float64[0]))
    return Measurement(
        implementation, activation, fmt,
        operands[0].double().numpy(),
        operands[1].double().numpy() if len(operands) > 1 else None,
        as_float64[worst, columns],
        errors[worst, columns],
        ref,
        ~same.all(axis=0),
    )


@dataclass(frozen=True)
class ErrorSummary:
    """A :class:`Measurement` in numbers.

    ``max_ulp``, ``worst_input`` (and ``worst_value`` for gated units), ``correctly_rounded``
    (share) and ``max_scaled_ulp`` (max of error / (1 + cond)) are over the domain;
    ``bound_violations`` counts domain inputs beyond :func:`error_bound`; ``nonfinite_outputs``
    counts finite inputs with a non-finite output although the true result rounds to a finite
    number; ``wrong_zeros`` counts finite inputs whose true result rounds to 0 (in float64) and
    whose output is more than one subnormal step from 0; ``path_differences`` counts inputs
    where the two code paths disagree; ``nonfinite_gradients`` (when measured) counts finite
    inputs with a NaN or infinite gradient although the true derivative is finite.

    Args:
        implementation: the implementation's name.
        activation: the activation's registry name.
        dtype: the dtype's name (``"float32"``).
        count: the number of inputs in the domain.
        max_ulp: the largest ulp error over the domain.
        worst_input: the input at which it occurs.
        worst_value: the value operand there, for a gated unit; ``None`` otherwise.
        correctly_rounded: the share of correctly rounded results, from 0 to 1 (NaN for an
            empty domain).
        max_scaled_ulp: the largest error / (1 + cond) over the domain.
        bound_violations: the number of domain inputs whose error exceeds :func:`error_bound`.
        nonfinite_outputs: the number of finite inputs with a non-finite output where the
            true result rounds to a finite number.
        wrong_zeros: the number of finite inputs whose true result is 0 and whose output is
            more than one subnormal step from 0.
        path_differences: the number of inputs where the code paths disagree.
        nonfinite_gradients: the count of :func:`nonfinite_gradients`, or ``None`` if the
            gradients were not measured. Default: ``None``.
    """

    implementation: str
    activation: str
    dtype: str
    count: int
    max_ulp: float
    worst_input: float
    worst_value: float | None
    correctly_rounded: float
    max_scaled_ulp: float
    bound_violations: int
    nonfinite_outputs: int
    wrong_zeros: int
    path_differences: int
    nonfinite_gradients: int | None = None

    @property
    def passes(self) -> bool:
        """Whether every bound of the module docstring holds."""
        low_precision = FORMATS_BY_NAME[self.dtype].precision < 24
        share_ok = not low_precision or self.correctly_rounded >= MIN_CORRECTLY_ROUNDED_16
        return (share_ok and self.bound_violations == 0 and self.nonfinite_outputs == 0
                and self.wrong_zeros == 0 and not self.nonfinite_gradients)


def summarize(m: Measurement, nonfinite_gradients: int | None = None) -> ErrorSummary:
    """Reduce a measurement (and a count of bad gradients) to its :class:`ErrorSummary`.

    Args:
        m: the measurement.
        nonfinite_gradients: the count of :func:`nonfinite_gradients`, or ``None`` if the
            gradients were not measured. Default: ``None``.

    Returns:
        The :class:`ErrorSummary` of ``m``.
    """
    domain = m.domain
    error = np.where(domain, m.error, 0.0)
    worst = int(np.argmax(error))
    rounded_true = round_to_format(m.reference.hi, m.fmt)
    finite_inputs = m.finite_inputs
    nonfinite = finite_inputs & np.isfinite(rounded_true) & ~np.isfinite(m.outputs)
    wrong_zeros = finite_inputs & (m.reference.hi == 0) & ~(m.error <= 1.0)
    count = int(domain.sum())
    rounded_ok = correctly_rounded(m.outputs, m.reference.hi, m.fmt, m.reference.lo)
    scaled = error / (1.0 + np.where(domain, m.reference.cond, 0.0))
    return ErrorSummary(
        implementation=m.implementation,
        activation=m.activation,
        dtype=m.fmt.name,
        count=count,
        max_ulp=float(error[worst]),
        worst_input=float(m.inputs[worst]),
        worst_value=None if m.values is None else float(m.values[worst]),
        correctly_rounded=float(rounded_ok[domain].mean()) if count else math.nan,
        max_scaled_ulp=float(scaled.max()),
        bound_violations=int((domain & (m.error > m.bound)).sum()),
        nonfinite_outputs=int(nonfinite.sum()),
        wrong_zeros=int(wrong_zeros.sum()),
        path_differences=int(m.paths_differ.sum()),
        nonfinite_gradients=nonfinite_gradients,
    )


def nonfinite_gradients(
    fn: Callable[..., Tensor], operands: tuple[Tensor, ...], ref: ReferenceValues
) -> int:
    """Finite inputs where autograd returns a NaN or infinite gradient (for any operand)
    although the true derivative rounds to a finite number of the dtype.

    Args:
        fn: the function, differentiable by autograd.
        operands: its one-dimensional input tensors (gate and value for a gated unit).
        ref: the true results, whose derivatives are compared with the gradients.

    Returns:
        An int: the number of such inputs.

    Raises:
        RuntimeError: from autograd, if ``fn`` has no derivative formula (as for
            :func:`torch.heaviside`).
    """
    fmt = FORMATS[operands[0].dtype]
    leaves = [t.detach().clone().requires_grad_(True) for t in operands]
    out = fn(*leaves)
    grads = torch.autograd.grad(out, leaves, torch.ones_like(out))
    true = [ref.derivative] if ref.value_derivative is None else [ref.derivative,
                                                                   ref.value_derivative]
    finite_inputs = np.logical_and.reduce([np.isfinite(t.double().numpy()) for t in operands])
    bad = np.zeros(finite_inputs.shape, dtype=bool)
    for grad, derivative in zip(grads, true, strict=True):
        representable = np.isfinite(round_to_format(derivative, fmt))
        bad |= representable & ~np.isfinite(grad.double().numpy())
    return int((bad & finite_inputs).sum())
