"""The registry: one record per activation, with its function, derivative, module and metadata.

``get(name)`` returns the function, ``derivative(name)`` its analytic derivative, ``info(name)``
the :class:`ActivationInfo` and ``names()`` the canonical names in the book's order. Names are
looked up case-insensitively, with ``-`` and spaces read as ``_``, and through aliases, including
the strings Hugging Face configs and timm pass (``gelu_new``, ``quick_gelu``, ``relu2``, ...).

Three kinds of activation:

* ``"elementwise"``: ``f(x)``, one output per input;
* ``"rowwise"``: ``f(x, dim)``, which reduces over a dimension (softmax);
* ``"gated"``: ``f(gate, value)``, described by a :class:`GatedForm`, the one description that
  the derivatives, the accuracy harness and the fused kernels read.

A :class:`Variant` is an activation with some parameters fixed under a name of its own
(``geglu_tanh`` is ``geglu`` with ``approximate="tanh"``): :func:`resolve` returns it, and
:func:`get`, :func:`actbook.nn.make_activation` and :func:`actbook.kernels.get` accept its name.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import torch
from torch import Tensor

from actbook import derivatives as D
from actbook import functional as F

#: The eras of the book an activation can belong to.
Generation = Literal["sigmoid", "rectifier", "smooth", "gated", "hardware", "frontier"]
#: How an activation reads its input.
Kind = Literal["elementwise", "rowwise", "gated"]

#: The article's four eras, its section on hardware-aware activations and the activations of
#: 2023–2026 that it lacks (Chapter 7), in book order.
GENERATIONS: tuple[Generation, ...] = (
    "sigmoid", "rectifier", "smooth", "gated", "hardware", "frontier",
)
#: The kinds of activation, by how they read their input.
KINDS: tuple[Kind, ...] = ("elementwise", "rowwise", "gated")


def _identity(x: Tensor) -> Tensor:
    return x


def _one(x: Tensor) -> Tensor:
    return torch.ones_like(x)


@dataclass(frozen=True)
class GatedForm:
    r"""What a gated unit computes: :math:`y = \mathrm{clamp}(a(\mathrm{clamp}(g))) \cdot
    (b(\mathrm{clamp}(v)) + c)`.

    A clamp's derivative is that of :func:`torch.clamp`: 1 on the closed interval, 0 outside.

    Args:
        gate: the elementwise activation :math:`a` applied to the gate, by canonical name, or
            ``"identity"``.
        value: the transform :math:`b` applied to the value (``"identity"`` for the GLU family;
            ``"relu"`` for dReLU).
        gate_clamp: ``(low, high)`` bounds the gate is clamped to before :math:`a`; ``None``
            for no clamp.
        value_clamp: the same for the value, before :math:`b`.
        value_offset: the constant :math:`c` added to the transformed value.
        gate_output_clamp: ``(low, high)`` bounds :math:`a`'s output is clamped to (the
            clamp-after-SiLU form); ``None`` for no clamp.

    Examples::

        >>> form = GatedForm(gate="silu")
        >>> gate, value = torch.tensor([1.0]), torch.tensor([2.0])
        >>> form(gate, value)
        tensor([1.4621])
        >>> form.partials(gate, value)
        (tensor([1.8553]), tensor([0.7311]))
    """

    gate: str
    value: str = "identity"
    gate_clamp: tuple[float, float] | None = None
    value_clamp: tuple[float, float] | None = None
    value_offset: float = 0.0
    gate_output_clamp: tuple[float, float] | None = None

    def clamped(self, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
        """Gate and value clamped to the form's bounds (unchanged where it has none).

        Args:
            gate: the gate g.
            value: the value v.

        Returns:
            ``(clamp(g), clamp(v))``.
        """
        return _clamp(gate, self.gate_clamp), _clamp(value, self.value_clamp)

    def clamp_slopes(
        self, gate: Tensor, value: Tensor, gate_slope: Tensor, value_slope: Tensor
    ) -> tuple[Tensor, Tensor]:
        """The slopes of :math:`a` and :math:`b` times the clamps' derivatives: 0 where a
        clamp is active (outside its closed interval), as :func:`torch.clamp` differentiates.

        Args:
            gate: the gate g, before clamping.
            value: the value v, before clamping.
            gate_slope: :math:`a'` at the clamped gate.
            value_slope: :math:`b'` at the clamped value.

        Returns:
            The two slopes with the clamps applied.
        """
        return (_inside(gate, self.gate_clamp, gate_slope),
                _inside(value, self.value_clamp, value_slope))

    def capped(self, activated: Tensor) -> Tensor:
        """:math:`a`'s output clamped to :attr:`gate_output_clamp` (unchanged without one).

        Args:
            activated: :math:`a` at the clamped gate.

        Returns:
            The clamped output.
        """
        return _clamp(activated, self.gate_output_clamp)

    def cap_slope(self, activated: Tensor, slope: Tensor) -> Tensor:
        """``slope`` where :math:`a`'s output lies in :attr:`gate_output_clamp`, 0 outside.

        Args:
            activated: :math:`a` at the clamped gate, before :meth:`capped`.
            slope: the gate slope so far.

        Returns:
            The slope with the output clamp's derivative applied.
        """
        return _inside(activated, self.gate_output_clamp, slope)

    def __call__(self, gate: Tensor, value: Tensor) -> Tensor:
        """The unit composed from :math:`a`, :math:`b`, the clamps and the offset."""
        g, v = self.clamped(gate, value)
        a = self.capped(_function(self.gate)(g))
        return a * (_function(self.value)(v) + self.value_offset)

    def partials(self, gate: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
        r"""The partial derivatives of the unit, from the same pieces as calling the form.

        Args:
            gate: the gate g.
            value: the value v, of the gate's shape.

        Returns:
            :math:`(\partial y/\partial g, \partial y/\partial v)`, each of the gate's shape.
        """
        g, v = self.clamped(gate, value)
        raw, b = _function(self.gate)(g), _function(self.value)(v) + self.value_offset
        da, db = self.clamp_slopes(gate, value, _derivative(self.gate)(g),
                                   _derivative(self.value)(v))
        return self.cap_slope(raw, da) * b, self.capped(raw) * db


def _function(name: str) -> Callable[[Tensor], Tensor]:
    """The function of a form's part (:mod:`actbook.functional`); ``"identity"`` returns x."""
    return _identity if name == "identity" else getattr(F, name)


def _derivative(name: str) -> Callable[[Tensor], Tensor]:
    """The derivative of a form's part (:mod:`actbook.derivatives`); ones for ``"identity"``."""
    return _one if name == "identity" else getattr(D, name)


def _clamp(x: Tensor, bounds: tuple[float, float] | None) -> Tensor:
    return x if bounds is None else x.clamp(*bounds)


def _inside(x: Tensor, bounds: tuple[float, float] | None, slope: Tensor) -> Tensor:
    """``slope`` where ``x`` lies in the closed ``bounds``, 0 outside; all of it without bounds."""
    if bounds is None:
        return slope
    return torch.where((x >= bounds[0]) & (x <= bounds[1]), slope, 0.0)


def clamped_swiglu_form(
    limit: float = F.CLAMPED_SWIGLU_LIMIT,
    offset: float = F.CLAMPED_SWIGLU_OFFSET,
    alpha: float = F.GELU_SIGMOID_COEFF,
    clamp: F.ClampAt = "input",
) -> GatedForm:
    r"""The :class:`GatedForm` of a bounded SwiGLU (:func:`actbook.functional.clamped_swiglu`).

    With the defaults it is gpt-oss's unit,
    :math:`a(\min(g, L)) \cdot (\mathrm{clamp}(v, -L, L) + c)` with
    :math:`a(x) = x\,\sigma(1.702x)`; ``clamp="output"`` clamps :math:`a`'s output above at
    :math:`L` instead of the gate (the clamp-after-SiLU form of ``swiglu_step``).

    Args:
        limit: the clamp bound L > 0. Default: 7.0.
        offset: the constant c added to the clamped value. Default: 1.0.
        alpha: the sigmoid's slope: 1.702 (:func:`~actbook.functional.gelu_sigmoid`) or 1.0
            (:func:`~actbook.functional.silu`). Default: 1.702.
        clamp: ``"input"`` to clamp the gate before :math:`a`, ``"output"`` to clamp
            :math:`a`'s output. Default: ``"input"``.

    Returns:
        The form.

    Raises:
        ValueError: for another ``alpha`` or ``clamp``, a limit that is not positive or an
            offset that is not finite.

    Examples::

        >>> form = clamped_swiglu_form()
        >>> form.gate, form.gate_clamp, form.value_clamp, form.value_offset
        ('gelu_sigmoid', (-inf, 7.0), (-7.0, 7.0), 1.0)
        >>> clamped_swiglu_form(alpha=1.0, offset=0.0, clamp="output").gate_output_clamp
        (-inf, 7.0)
    """
    gate = F.clamped_swiglu_gate(limit, offset, alpha, clamp)
    bound = (-math.inf, limit)
    return GatedForm(gate=gate, gate_clamp=bound if clamp == "input" else None,
                     value_clamp=(-limit, limit), value_offset=offset,
                     gate_output_clamp=bound if clamp == "output" else None)


@dataclass(frozen=True)
class Variant:
    """An activation with some parameters fixed, under a name of its own.

    Args:
        name: the variant's name (``"geglu_tanh"``).
        params: the parameters it fixes (``{"approximate": "tanh"}``).
        gated: the :class:`GatedForm` with these parameters, for a gated unit.
        base: the canonical name of the activation (filled in by the registry).

    Examples::

        >>> variant = resolve("geglu_tanh")
        >>> variant.base, variant.params
        ('geglu', {'approximate': 'tanh'})
        >>> variant.function(torch.ones(1), torch.ones(1))
        tensor([0.8412])
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    gated: GatedForm | None = None
    base: str = ""

    @property
    def info(self) -> ActivationInfo:
        """The :class:`ActivationInfo` of the activation this is a variant of."""
        return REGISTRY[self.base]

    @property
    def function(self) -> Callable[..., Any]:
        """The function with the variant's parameters bound."""
        return _bind(self.info.function, self.params)

    @property
    def derivative(self) -> Callable[..., Any]:
        """The analytic derivative with the variant's parameters bound."""
        return _bind(self.info.derivative, self.params)


def _bind(fn: Callable[..., Any], params: Mapping[str, Any]) -> Callable[..., Any]:
    return functools.partial(fn, **params) if params else fn


@dataclass(frozen=True)
class ScalarView:
    """An activation as a function of one real variable, with its derivative and a label.

    :meth:`ActivationInfo.scalar` builds one for every activation, for plots and tables.

    Args:
        function: the activation, from a tensor to a tensor of the same shape.
        derivative: its derivative, from a tensor to a tensor of the same shape.
        label: the name to print.

    Examples::

        >>> view = info("glu").scalar()
        >>> view.label
        'GLU (value = 1)'
        >>> view.function(torch.tensor([0.0])), view.derivative(torch.tensor([0.0]))
        (tensor([0.5000]), tensor([0.2500]))
    """

    function: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor]
    label: str


@dataclass(frozen=True)
class ActivationInfo:
    """Metadata of one activation.

    Args:
        name: canonical name; also the name of its function in :mod:`actbook.functional` and
            :mod:`actbook.derivatives`, and the ``name`` of its module in :mod:`actbook.nn`.
        display_name: the name the book prints.
        year: year of the paper in ``citation``.
        citation: a key of ``book/references.bib``.
        generation: the era of the book it belongs to (:data:`GENERATIONS`).
        family: a short description of its shape (``"self-gated"``, ``"piecewise linear"``).
        formula: its definition in LaTeX (no surrounding ``$``).
        derivative_formula: its derivative in LaTeX.
        kind: ``"elementwise"``, ``"rowwise"`` or ``"gated"`` (:data:`KINDS`).
        params: each parameter with its default.
        aliases: other names it is found under.
        torch_equivalent: how PyTorch computes it, if PyTorch has it.
        gated: the :class:`GatedForm` at the defaults (gated units only).
        variants: named :class:`Variant` s.
        scalar_view: builds the :class:`ScalarView` of a row-wise activation that a row of two
            does not show (one whose cut-off or scale comes from the row's statistics); ``None``
            for the reading of :meth:`scalar`.

    Raises:
        ValueError: if ``gated`` is given for an activation that is not gated, or is missing
            for a gated one.

    Examples::

        >>> entry = info("gelu_new")
        >>> entry.name, entry.year, entry.kind
        ('gelu_tanh', 2016, 'elementwise')
        >>> entry.module
        <class 'actbook.nn.activations.GELUTanh'>
    """

    name: str
    display_name: str
    year: int
    citation: str
    generation: Generation
    family: str
    formula: str
    derivative_formula: str
    kind: Kind = "elementwise"
    params: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    torch_equivalent: str | None = None
    gated: GatedForm | None = None
    variants: tuple[Variant, ...] = ()
    scalar_view: Callable[[], ScalarView] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "variants",
                           tuple(replace(v, base=self.name) for v in self.variants))
        if (self.kind == "gated") != (self.gated is not None):
            raise ValueError(f"{self.name}: a gated unit, and only one, has a GatedForm")

    @property
    def function(self) -> Callable[..., Any]:
        """The function in :mod:`actbook.functional`."""
        return getattr(F, self.name)

    @property
    def derivative(self) -> Callable[..., Any]:
        """The analytic derivative in :mod:`actbook.derivatives`."""
        return getattr(D, self.name)

    @property
    def module(self) -> type:
        """The module class in :mod:`actbook.nn`."""
        from actbook import nn

        return nn.MODULES[self.name]

    @property
    def kernel(self) -> Callable[..., Any] | None:
        """The fused kernel in :mod:`actbook.kernels`, or ``None`` if it has none."""
        from actbook import kernels

        return kernels.KERNELS.get(self.name)

    @property
    def default(self) -> Variant:
        """The activation at its defaults, as a :class:`Variant` without fixed parameters."""
        return Variant(self.name, {}, self.gated, self.name)

    def scalar(self) -> ScalarView:
        """The activation as a function of one real variable, parameters at their defaults.

        Elementwise activations are themselves. A gated unit is read along the gate with value
        1 (GLU becomes the sigmoid, SwiGLU the SiLU, bilinear the identity), its derivative the
        one in the gate. A row-wise activation is read as its first output for the two inputs
        ``(x, 0)`` (softmax becomes the sigmoid), its derivative the diagonal Jacobian entry;
        one that normalises by its row's statistics (PolyNorm, the Gaussian top-k) is read as an
        entry of a long standard normal row, whose statistics the entry does not move.

        Returns:
            The :class:`ScalarView`.
        """
        if self.scalar_view is not None:
            return self.scalar_view()
        fn, df = self.function, self.derivative
        if self.kind == "gated":
            return ScalarView(lambda x: fn(x, torch.ones_like(x)),
                              lambda x: df(x, torch.ones_like(x))[0],
                              f"{self.display_name} (value = 1)")
        if self.kind == "rowwise":
            def pair(x: Tensor) -> Tensor:
                return torch.stack([x, torch.zeros_like(x)], dim=-1)

            return ScalarView(lambda x: fn(pair(x), dim=-1)[..., 0],
                              lambda x: df(pair(x), dim=-1)[..., 0, 0],
                              f"{self.display_name} of (x, 0)")
        return ScalarView(fn, df, self.display_name)


def _gaussian_topk_in_normal_row() -> ScalarView:
    """The Gaussian top-k on an entry of a standard normal row: mean 0 and deviation 1, so the
    cut-off is Φ⁻¹(0.95) and the entry sees GELU-tanh(max(0, x − 1.645))."""
    k = F.gaussian_quantile(F.GAUSSIAN_TOPK_SPARSITY)
    return ScalarView(lambda x: F.gelu_tanh(torch.relu(x - k)),
                      lambda x: D.gelu_tanh(x - k) * (x > k),
                      "Gaussian top-k in a N(0, 1) row")


def _polynorm_in_normal_row() -> ScalarView:
    """PolyNorm on an entry of a standard normal row, whose powers x, x², x³ have root mean
    squares 1, √3 and √15 (E x² = 1, E x⁴ = 3, E x⁶ = 15); ε is left out."""
    w0, w1, w2 = F.POLYNORM_WEIGHT
    c3, c2 = w0 / math.sqrt(15.0), w1 / math.sqrt(3.0)
    return ScalarView(lambda x: x * (w2 + x * (c2 + x * c3)),
                      lambda x: w2 + x * (2 * c2 + 3 * c3 * x),
                      "PolyNorm in a N(0, 1) row")


_ENTRIES: tuple[ActivationInfo, ...] = (
    ActivationInfo(
        name="step", display_name="Binary step", year=1943, citation="mcculloch1943logical",
        generation="sigmoid", family="threshold",
        formula=r"\mathbb{1}[x \ge \theta]",
        derivative_formula=r"0 \ (x \ne \theta)",
        params={"threshold": 0.0},
        aliases=("heaviside", "binary_step", "threshold"),
        torch_equivalent="torch.heaviside (values = 1)",
    ),
    ActivationInfo(
        name="sigmoid", display_name="Sigmoid", year=1986, citation="rumelhart1986learning",
        generation="sigmoid", family="sigmoidal",
        formula=r"\sigma(x) = 1/(1+e^{-x})",
        derivative_formula=r"\sigma(x)(1-\sigma(x))",
        aliases=("logistic",),
        torch_equivalent="torch.sigmoid",
    ),
    ActivationInfo(
        name="tanh", display_name="Tanh", year=1998, citation="lecun1998efficient",
        generation="sigmoid", family="sigmoidal",
        formula=r"\tanh x = 2\sigma(2x) - 1",
        derivative_formula=r"1 - \tanh^2 x",
        torch_equivalent="torch.tanh",
    ),
    ActivationInfo(
        name="softmax", display_name="Softmax", year=1990, citation="bridle1990probabilistic",
        generation="sigmoid", family="normaliser", kind="rowwise",
        formula=r"e^{x_i/T} / \textstyle\sum_j e^{x_j/T}",
        derivative_formula=r"\partial p_i/\partial x_j = p_i(\delta_{ij} - p_j)/T",
        params={"dim": None, "temperature": 1.0, "dtype": None},
        torch_equivalent="torch.softmax",
    ),
    ActivationInfo(
        name="relu", display_name="ReLU", year=2010, citation="nair2010rectified",
        generation="rectifier", family="piecewise linear",
        formula=r"\max(0, x)",
        derivative_formula=r"\mathbb{1}[x > 0]",
        aliases=("rectifier",),
        torch_equivalent="torch.relu",
    ),
    ActivationInfo(
        name="leaky_relu", display_name="Leaky ReLU", year=2013, citation="maas2013rectifier",
        generation="rectifier", family="piecewise linear",
        formula=r"\max(x, ax)",
        derivative_formula=r"1 \text{ if } x > 0 \text{ else } a",
        params={"negative_slope": 0.01},
        aliases=("leakyrelu", "lrelu"),
        torch_equivalent="torch.nn.functional.leaky_relu",
    ),
    ActivationInfo(
        name="prelu", display_name="PReLU", year=2015, citation="he2015delving",
        generation="rectifier", family="piecewise linear",
        formula=r"\max(x, a_c x),\ a_c \text{ learned}",
        derivative_formula=r"1 \text{ if } x > 0 \text{ else } a_c",
        params={"weight": 0.25},
        torch_equivalent="torch.nn.functional.prelu",
    ),
    ActivationInfo(
        name="elu", display_name="ELU", year=2015, citation="clevert2015fast",
        generation="rectifier", family="exponential linear",
        formula=r"x \text{ if } x > 0 \text{ else } \alpha(e^x - 1)",
        derivative_formula=r"1 \text{ if } x > 0 \text{ else } \alpha e^x",
        params={"alpha": 1.0},
        torch_equivalent="torch.nn.functional.elu",
    ),
    ActivationInfo(
        name="selu", display_name="SELU", year=2017, citation="klambauer2017self",
        generation="rectifier", family="exponential linear",
        formula=r"\lambda\,(x \text{ if } x > 0 \text{ else } \alpha(e^x - 1))",
        derivative_formula=r"\lambda \text{ if } x > 0 \text{ else } \lambda\alpha e^x",
        torch_equivalent="torch.nn.functional.selu",
    ),
    ActivationInfo(
        name="gelu", display_name="GELU", year=2016, citation="hendrycks2016gaussian",
        generation="smooth", family="self-gated",
        formula=r"x\,\Phi(x)",
        derivative_formula=r"\Phi(x) + x\,\varphi(x)",
        params={"approximate": "none"},
        aliases=("gelu_exact", "gelu_python", "gelu_erf"),
        torch_equivalent="torch.nn.functional.gelu",
    ),
    ActivationInfo(
        name="gelu_tanh", display_name="GELU (tanh)", year=2016, citation="hendrycks2016gaussian",
        generation="smooth", family="self-gated",
        formula=r"\tfrac{x}{2}\bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715x^3)\bigr)\bigr)",
        derivative_formula=r"\sigma(2u) + 2x\,\sigma(2u)(1-\sigma(2u))\,u'",
        aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate",
        "gelu_approximate", "approx_gelu", "gelu_python_tanh"),
        torch_equivalent="torch.nn.functional.gelu(x, approximate='tanh')",
    ),
    ActivationInfo(
        name="gelu_sigmoid", display_name="GELU (sigmoid)", year=2016,
        citation="hendrycks2016gaussian", generation="smooth", family="self-gated",
        formula=r"x\,\sigma(1.702x)",
        derivative_formula=r"\sigma(kx) + kx\,\sigma(kx)(1-\sigma(kx)),\ k = 1.702",
        aliases=("quick_gelu", "quickgelu"),
    ),
    ActivationInfo(
        name="silu", display_name="SiLU", year=2016, citation="hendrycks2016gaussian",
        generation="smooth", family="self-gated",
        formula=r"x\,\sigma(x)",
        derivative_formula=r"\sigma(x)\,(1 + x(1 - \sigma(x)))",
        aliases=("swish1", "swish_1"),
        torch_equivalent="torch.nn.functional.silu",
    ),
    ActivationInfo(
        name="swish", display_name="Swish", year=2017, citation="ramachandran2017searching",
        generation="smooth", family="self-gated",
        formula=r"x\,\sigma(\beta x)",
        derivative_formula=r"\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
        params={"beta": 1.0},
    ),
    ActivationInfo(
        name="mish", display_name="Mish", year=2019, citation="misra2019mish",
        generation="smooth", family="self-gated",
        formula=r"x \tanh(\operatorname{softplus}(x))",
        derivative_formula=(
            r"\tanh(s) + x\,\sigma(x)(1 - \tanh^2 s),\ s = \operatorname{softplus}(x)"
        ),
        torch_equivalent="torch.nn.functional.mish",
    ),
    ActivationInfo(
        name="softplus", display_name="Softplus", year=2001, citation="dugas2001incorporating",
        generation="smooth", family="smooth rectifier",
        formula=r"\tfrac{1}{\beta}\log(1 + e^{\beta x})",
        derivative_formula=r"\sigma(\beta x)",
        params={"beta": 1.0, "threshold": None},
        torch_equivalent="torch.nn.functional.softplus",
    ),
    ActivationInfo(
        name="hardsigmoid", display_name="HardSigmoid", year=2019, citation="howard2019searching",
        generation="hardware", family="piecewise linear",
        formula=r"\operatorname{ReLU6}(x + 3)/6",
        derivative_formula=r"\tfrac16 \text{ on } (-3, 3) \text{ else } 0",
        aliases=("hard_sigmoid", "hsigmoid", "h_sigmoid"),
        torch_equivalent="torch.nn.functional.hardsigmoid",
    ),
    ActivationInfo(
        name="hardswish", display_name="HardSwish", year=2019, citation="howard2019searching",
        generation="hardware", family="self-gated",
        formula=r"x\,\operatorname{ReLU6}(x + 3)/6",
        derivative_formula=r"0 \ (x \le -3);\ (2x + 3)/6 \ (|x| < 3);\ 1 \ (x \ge 3)",
        aliases=("hard_swish", "hswish", "h_swish"),
        torch_equivalent="torch.nn.functional.hardswish",
    ),
    ActivationInfo(
        name="relu6", display_name="ReLU6", year=2010, citation="krizhevsky2010convolutional",
        generation="hardware", family="piecewise linear",
        formula=r"\min(\max(0, x), 6)",
        derivative_formula=r"\mathbb{1}[0 < x < 6]",
        torch_equivalent="torch.nn.functional.relu6",
    ),
    ActivationInfo(
        name="squared_relu", display_name="Squared ReLU", year=2021, citation="so2021primer",
        generation="hardware", family="power",
        formula=r"\max(0, x)^2",
        derivative_formula=r"2\max(0, x)",
        aliases=("relu2", "relu_squared", "relu_sq", "relusquared", "sqrelu"),
    ),
    ActivationInfo(
        name="star_relu", display_name="StarReLU", year=2022, citation="yu2022metaformer",
        generation="hardware", family="power",
        formula=r"s\,\max(0, x)^2 + b",
        derivative_formula=r"2s\max(0, x)",
        params={"scale": F.STAR_RELU_SCALE, "bias": F.STAR_RELU_BIAS},
        aliases=("starrelu",),
    ),
    ActivationInfo(
        name="drelu", display_name="dReLU", year=2024, citation="song2024turbo",
        generation="hardware", family="gated linear unit", kind="gated",
        formula=r"\max(0, g) \odot \max(0, v)",
        derivative_formula=r"(\mathbb{1}[g > 0]\max(0, v),\ \max(0, g)\,\mathbb{1}[v > 0])",
        gated=GatedForm(gate="relu", value="relu"),
    ),
    ActivationInfo(
        name="glu", display_name="GLU", year=2016, citation="dauphin2017language",
        generation="gated", family="gated linear unit", kind="gated",
        formula=r"\sigma(g) \odot v",
        derivative_formula=r"(\sigma'(g)\,v,\ \sigma(g))",
        torch_equivalent="torch.nn.functional.glu (gate = second half)",
        gated=GatedForm(gate="sigmoid"),
    ),
    ActivationInfo(
        name="reglu", display_name="ReGLU", year=2020, citation="shazeer2020glu",
        generation="gated", family="gated linear unit", kind="gated",
        formula=r"\max(0, g) \odot v",
        derivative_formula=r"(\mathbb{1}[g > 0]\,v,\ \max(0, g))",
        gated=GatedForm(gate="relu"),
    ),
    ActivationInfo(
        name="geglu", display_name="GEGLU", year=2020, citation="shazeer2020glu",
        generation="gated", family="gated linear unit", kind="gated",
        formula=r"\operatorname{GELU}(g) \odot v",
        derivative_formula=r"(\operatorname{GELU}'(g)\,v,\ \operatorname{GELU}(g))",
        params={"approximate": "none"},
        gated=GatedForm(gate="gelu"),
        variants=(
            Variant("geglu_tanh", {"approximate": "tanh"}, GatedForm(gate="gelu_tanh")),
        ),
    ),
    ActivationInfo(
        name="swiglu", display_name="SwiGLU", year=2020, citation="shazeer2020glu",
        generation="gated", family="gated linear unit", kind="gated",
        formula=r"\operatorname{SiLU}(g) \odot v",
        derivative_formula=r"(\operatorname{SiLU}'(g)\,v,\ \operatorname{SiLU}(g))",
        gated=GatedForm(gate="silu"),
    ),
    ActivationInfo(
        name="bilinear", display_name="Bilinear", year=2020, citation="shazeer2020glu",
        generation="gated", family="gated linear unit", kind="gated",
        formula=r"g \odot v",
        derivative_formula=r"(v,\ g)",
        gated=GatedForm(gate="identity"),
    ),
    ActivationInfo(
        name="xielu", display_name="xIELU", year=2024, citation="huang2024deriving",
        generation="frontier", family="integrated",
        formula=(r"\alpha_p x^2 + \beta x \text{ if } x > 0 \text{ else } "
                 r"\alpha_n(\operatorname{expm1}(\min(x, \epsilon)) - x) + \beta x"),
        derivative_formula=(r"2\alpha_p x + \beta \text{ if } x > 0 \text{ else } "
                            r"\alpha_n e^{\min(x, \epsilon)}\,\mathbb{1}[x \le \epsilon]"
                            r" + \beta - \alpha_n"),
        params={"alpha_p": F.XIELU_ALPHA_P, "alpha_n": F.XIELU_ALPHA_N,
                "beta": F.XIELU_BETA, "eps": F.XIELU_EPS},
    ),
    ActivationInfo(
        name="polyrelu", display_name="PolyReLU", year=2024, citation="zhuo2025polynomial",
        generation="frontier", family="power",
        formula=r"\textstyle\sum_{i=1}^{3} w_i \max(0, x)^i + b",
        derivative_formula=r"\textstyle\sum_{i=1}^{3} i\,w_i \max(0, x)^{i-1}\,\mathbb{1}[x > 0]",
        params={"weight": F.POLYRELU_WEIGHT, "bias": 0.0},
        aliases=("poly_relu",),
    ),
    ActivationInfo(
        name="fatrelu", display_name="FATReLU", year=2020, citation="kurtz2020inducing",
        generation="frontier", family="piecewise linear",
        formula=r"x \text{ if } x > t \text{ else } 0",
        derivative_formula=r"1 \text{ if } x > t \text{ else } 0",
        params={"threshold": F.FATRELU_THRESHOLD},
        aliases=("fat_relu", "thresholded_relu"),
        torch_equivalent="torch.nn.functional.threshold(x, threshold, 0.0)",
    ),
    ActivationInfo(
        name="softcap", display_name="Soft-capping", year=2024, citation="gemmateam2024improving",
        generation="frontier", family="sigmoidal",
        formula=r"c \tanh(x/c)",
        derivative_formula=r"1 - \tanh(x/c)^2",
        params={"cap": F.SOFTCAP_CAP},
        aliases=("soft_cap", "logit_softcap", "softcapping"),
    ),
    ActivationInfo(
        name="dyt", display_name="DyT", year=2025, citation="zhu2025transformers",
        generation="frontier", family="sigmoidal",
        formula=r"\tanh(\alpha x)",
        derivative_formula=r"\alpha (1 - \tanh(\alpha x)^2)",
        params={"alpha": F.DYT_ALPHA},
        aliases=("dynamic_tanh",),
    ),
    ActivationInfo(
        name="solu", display_name="SoLU", year=2022, citation="elhage2022solu",
        generation="frontier", family="normaliser", kind="rowwise",
        formula=r"x_i\, e^{x_i} / \textstyle\sum_j e^{x_j}",
        derivative_formula=(r"\partial y_i/\partial x_j = \delta_{ij} p_i "
                            r"+ x_i p_i(\delta_{ij} - p_j)"),
        params={"dim": None},
        aliases=("softmax_linear_unit",),
    ),
    ActivationInfo(
        name="polynorm", display_name="PolyNorm", year=2024, citation="zhuo2025polynomial",
        generation="frontier", family="normaliser", kind="rowwise",
        formula=(r"w_0 N(x^3) + w_1 N(x^2) + w_2 N(x) + b,\ "
                 r"N(u) = u/\sqrt{\operatorname{mean}(u^2) + \epsilon}"),
        derivative_formula=(r"\textstyle\sum_p w_p\,p\,x_j^{p-1}(\delta_{ij} r_p^{-1/2}"
                            r" - u_i u_j r_p^{-3/2}/n),\ u = x^p"),
        params={"dim": None, "weight": F.POLYNORM_WEIGHT, "bias": 0.0, "eps": F.POLYNORM_EPS},
        aliases=("poly_norm",),
        scalar_view=_polynorm_in_normal_row,
    ),
    ActivationInfo(
        name="gaussian_topk", display_name="Gaussian top-k", year=2025, citation="you2025spark",
        generation="frontier", family="threshold", kind="rowwise",
        formula=(r"\operatorname{GELU_{tanh}}(\max(0, x - \mu - \sigma\,\Phi^{-1}(s)))"),
        derivative_formula=(r"h'(z_i)(\delta_{ij} - 1/n - k(x_j - \mu)/(n\sigma)),\ "
                            r"z = x - \mu - k\sigma"),
        params={"dim": None, "sparsity": F.GAUSSIAN_TOPK_SPARSITY},
        aliases=("gaussian_top_k", "statistical_topk", "gemma3n_topk"),
        scalar_view=_gaussian_topk_in_normal_row,
    ),
    ActivationInfo(
        name="clamped_swiglu", display_name="Clamped SwiGLU", year=2025,
        citation="openai2025gptoss", generation="frontier", family="gated linear unit",
        kind="gated",
        formula=(r"g'\sigma(1.702g') \odot (v' + 1),\ g' = \min(g, 7),\ "
                 r"v' = \operatorname{clamp}(v, -7, 7)"),
        derivative_formula=(r"(a'(g')(v' + 1)\mathbb{1}[g \le 7],\ "
                            r"a(g')\mathbb{1}[|v| \le 7])"),
        params={"limit": F.CLAMPED_SWIGLU_LIMIT, "offset": F.CLAMPED_SWIGLU_OFFSET,
                "alpha": F.GELU_SIGMOID_COEFF, "clamp": "input"},
        aliases=("swigluoai", "swiglu_oai", "gpt_oss_swiglu", "swiglu_limit"),
        gated=clamped_swiglu_form(),
        variants=(
            Variant("swiglu_step", dict(F.SWIGLU_STEP),
                    clamped_swiglu_form(**F.SWIGLU_STEP)),
        ),
    ),
)

#: Every activation's :class:`ActivationInfo`, by canonical name, in book order.
REGISTRY: MappingProxyType = MappingProxyType({e.name: e for e in _ENTRIES})
#: Every activation at its defaults and every named variant, by name.
VARIANTS: MappingProxyType = MappingProxyType(
    {v.name: v for e in _ENTRIES for v in (e.default, *e.variants)}
)
_ALIASES: dict[str, str] = {a: e.name for e in _ENTRIES for a in e.aliases}
#: Names other libraries accept that actbook deliberately does not implement, each with the
#: reason and what to use instead (Hugging Face's ``ACT2CLS``, timm's ``get_act_layer``).
UNSUPPORTED: MappingProxyType = MappingProxyType({
    "linear": "it is no activation; use torch.nn.Identity",
    "identity": "it is no activation; use torch.nn.Identity",
    "gelu_10": "Hugging Face's ClippedGELU is GELU clipped to [-10, 10] for quantisation; "
               "use torch.clamp(actbook.get('gelu')(x), -10, 10)",
    "laplace": "MEGA's Laplace attention function 0.5·(1 + erf((x − μ)/(σ√2))) is a normal "
               "CDF for attention scores, not a unit of this book; nearest: 'gelu'",
    "sqrtsoftplus": "DeepSeek-V4's router score √softplus(x) is a routing function, not a "
                    "hidden-unit activation; use actbook.get('softplus')(x).sqrt()",
    "celu": "CELU (Barron 2017) is ELU with the argument scaled by 1/α and equals ELU at "
            "α = 1; nearest: 'elu', or torch.nn.CELU",
    "hard_mish": "timm's HardMish x·clamp(x + 2, 0, 2)/2 is not covered by the book; nearest: "
                 "'hardswish' and 'mish'",
})


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _lookup(name: str) -> str:
    """The key of :data:`VARIANTS` for a name, alias or variant name; ``KeyError`` if none."""
    if not isinstance(name, str):
        raise TypeError(f"activation names are strings, got {type(name).__name__}")
    key = _normalise(name)
    key = _ALIASES.get(key, key)
    if key in VARIANTS:
        return key
    if key in UNSUPPORTED:
        raise KeyError(f"actbook does not implement {name!r}: {UNSUPPORTED[key]}")
    close = difflib.get_close_matches(key, [*VARIANTS, *_ALIASES], n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise KeyError(
        f"unknown activation {name!r}{hint} (actbook.names() lists the {len(REGISTRY)} "
        "canonical names)"
    )


def resolve(name: str) -> Variant:
    """The :class:`Variant` a name stands for: an activation at its defaults, or a variant.

    Args:
        name: a canonical name, an alias or a variant name, in any case.

    Returns:
        The variant; for an activation, one without fixed parameters.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: if ``name`` is not a string.

    Examples::

        >>> resolve("geglu_tanh").params
        {'approximate': 'tanh'}
        >>> resolve("SiLU").base
        'silu'
    """
    return VARIANTS[_lookup(name)]


def canonical_name(name: str) -> str:
    """The canonical name of the activation ``name`` stands for (a variant's base activation).

    Args:
        name: a canonical name, an alias or a variant name, in any case.

    Returns:
        The canonical name.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: if ``name`` is not a string.

    Examples::

        >>> canonical_name("gelu_new")
        'gelu_tanh'
        >>> canonical_name("GEGLU-tanh")
        'geglu'
    """
    return resolve(name).base


def names(generation: Generation | None = None, kind: Kind | None = None) -> list[str]:
    """Canonical names in book order, optionally only those of one generation or kind.

    Args:
        generation: only the activations of this generation (:data:`GENERATIONS`); ``None``
            for all. Default: ``None``.
        kind: only the activations of this kind (:data:`KINDS`); ``None`` for all.
            Default: ``None``.

    Returns:
        The canonical names.

    Raises:
        ValueError: for an unknown generation or kind.

    Examples::

        >>> names(generation="sigmoid")
        ['step', 'sigmoid', 'tanh', 'softmax']
        >>> names(kind="gated")
        ['drelu', 'glu', 'reglu', 'geglu', 'swiglu', 'bilinear', 'clamped_swiglu']
    """
    if generation is not None and generation not in GENERATIONS:
        raise ValueError(f"unknown generation {generation!r}; one of {', '.join(GENERATIONS)}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return [e.name for e in _ENTRIES
            if (generation is None or e.generation == generation)
            and (kind is None or e.kind == kind)]


def variants(kind: Kind | None = None) -> list[Variant]:
    """Every activation at its defaults followed by its named variants, in book order.

    Args:
        kind: only the activations of this kind (:data:`KINDS`); ``None`` for all.
            Default: ``None``.

    Returns:
        The :class:`Variant` s.

    Examples::

        >>> [v.name for v in variants(kind="gated")][-4:]
        ['swiglu', 'bilinear', 'clamped_swiglu', 'swiglu_step']
    """
    return [v for e in _ENTRIES if kind is None or e.kind == kind
            for v in (e.default, *e.variants)]


def bind(name: str, **params: Any) -> Variant:
    """The variant of activation ``name`` whose parameters are ``params`` (defaults for the rest).

    Args:
        name: a canonical name, alias or variant name.
        **params: parameter values; a variant's own are the defaults.

    Returns:
        The activation at its defaults, or the named variant with these values.

    Raises:
        TypeError: for a parameter the activation does not take.
        ValueError: if no variant has these values (for example ``approximate="sigmoid"``).

    Examples::

        >>> bind("geglu", approximate="tanh").name
        'geglu_tanh'
    """
    variant = resolve(name)
    entry = variant.info
    unknown = set(params) - set(entry.params)
    if unknown:
        raise TypeError(f"actbook.{entry.name} takes no parameter {sorted(unknown)}")
    wanted = {**entry.params, **variant.params, **params}
    candidates = (entry.default, *entry.variants)
    for candidate in candidates:
        if {**entry.params, **candidate.params} == wanted:
            return candidate
    key, got = next((k, v) for k, v in params.items() if v != entry.params[k])
    values = [dict(entry.params, **c.params)[key] for c in candidates]
    raise ValueError(
        f"actbook.{entry.name}: {key} must be {' or '.join(map(repr, values))}, got {got!r}"
    )


def gated_form(name: str, **params: Any) -> GatedForm:
    """The :class:`GatedForm` of gated unit ``name`` with ``params`` (see :func:`bind`).

    Args:
        name: a canonical name, alias or variant name of a gated unit.
        **params: parameter values; a variant's own are the defaults.

    Returns:
        The :class:`GatedForm`.

    Raises:
        ValueError: if ``name`` is not a gated unit or no variant has these values.
        TypeError: for a parameter the unit does not take.

    Examples::

        >>> gated_form("geglu", approximate="tanh").gate
        'gelu_tanh'
        >>> form = gated_form("drelu")
        >>> form.gate, form.value, form.gate_clamp, form.value_offset
        ('relu', 'relu', None, 0.0)
    """
    form = bind(name, **params).gated
    if form is None:
        raise ValueError(f"{name!r} is not a gated unit")
    return form


def info(name: str) -> ActivationInfo:
    """The :class:`ActivationInfo` of an activation, by name, alias or variant name.

    Args:
        name: a canonical name, an alias or a variant name, in any case.

    Returns:
        The :class:`ActivationInfo`; for a variant, that of its base activation.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: if ``name`` is not a string.

    Examples::

        >>> info("quick_gelu").name
        'gelu_sigmoid'
        >>> info("geglu_tanh").name, dict(info("geglu_tanh").params)
        ('geglu', {'approximate': 'none'})
    """
    return REGISTRY[canonical_name(name)]


def display_names(activations: Iterable[str]) -> list[str]:
    """The names the book prints for ``activations``, in their order.

    Args:
        activations: names, aliases or variant names.

    Returns:
        The :attr:`ActivationInfo.display_name` of each.

    Raises:
        KeyError: for an unknown name, with the closest known names.

    Examples::

        >>> display_names(["gelu_new", "swiglu"])
        ['GELU (tanh)', 'SwiGLU']
    """
    return [info(name).display_name for name in activations]


def get(name: str) -> Callable[..., Any]:
    """The function of :mod:`actbook.functional`, with a variant's parameters bound.

    Args:
        name: a canonical name, an alias or a variant name, in any case.

    Returns:
        The function; for a variant, a :func:`functools.partial` with its parameters.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: if ``name`` is not a string.

    Examples::

        >>> import torch
        >>> get("gelu_new") is get("gelu_tanh")
        True
        >>> get("geglu_tanh")(torch.ones(1), torch.ones(1))
        tensor([0.8412])
    """
    return resolve(name).function


def derivative(name: str) -> Callable[..., Any]:
    """The analytic derivative of :mod:`actbook.derivatives`, by name, alias or variant name.

    Args:
        name: a canonical name, an alias or a variant name, in any case.

    Returns:
        The derivative, with a variant's parameters bound; a gated unit's returns the pair
        ``(df/dgate, df/dvalue)``.

    Raises:
        KeyError: for an unknown name, with the closest known names.
        TypeError: if ``name`` is not a string.

    Examples::

        >>> derivative("relu")(torch.tensor([-1.0, 2.0]))
        tensor([0., 1.])
        >>> derivative("swiglu")(torch.tensor([0.0]), torch.tensor([2.0]))
        (tensor([1.]), tensor([0.]))
    """
    return resolve(name).derivative
