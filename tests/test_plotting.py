"""actbook.plotting: the book style, the colour of each activation and the shared figures."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import actbook  # noqa: E402
from actbook import plotting  # noqa: E402

X = np.linspace(-4.0, 4.0, 81)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_use_style_sets_the_book_defaults_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plotting.use_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["savefig.dpi"] == 150
    assert matplotlib.rcParams["savefig.format"] == "png"
    assert matplotlib.get_backend().lower() == "agg"


def test_every_activation_has_a_colour_and_aliases_share_it():
    for name in actbook.names():
        assert plotting.color(name).startswith("#") and len(plotting.color(name)) == 7
    assert plotting.color("gelu_new") == plotting.color("GELU-tanh") == plotting.color("gelu_tanh")
    with pytest.raises(KeyError, match="unknown activation"):
        plotting.color("not_an_activation")


def test_colours_are_distinct():
    rgb = np.array([to_rgb(plotting.color(name)) for name in actbook.names()])
    distances = np.linalg.norm(rgb[:, None, :] - rgb[None, :, :], axis=-1)
    np.fill_diagonal(distances, np.inf)
    assert distances.min() > 0.03


def test_the_first_member_of_each_generation_has_the_generation_hue():
    for generation, hue in plotting.GENERATION_HUES.items():
        first = actbook.names(generation)[0]
        assert plotting.color(first).lower() == hue.lower()


def test_members_of_a_generation_share_its_hue():
    for generation, hue in plotting.GENERATION_HUES.items():
        base = np.array(to_rgb(hue))
        for name in actbook.names(generation):
            shade = np.array(to_rgb(plotting.color(name)))
            # a darker or lighter shade lies on the segment from black or to white
            dark = shade / np.where(base > 0, base, 1)
            light = (shade - base) / np.where(base < 1, 1 - base, 1)
            assert np.ptp(dark[base > 0]) < 0.05 or np.ptp(light[base < 1]) < 0.05, name


def test_function_and_derivative_values_labels_and_colours():
    fig = plotting.plot_function_and_derivative(["relu", "sigmoid", "swiglu", "softmax"], x=X)
    assert isinstance(fig, Figure)
    ax_f, ax_df = fig.axes
    assert ax_f.get_xlabel() and ax_f.get_ylabel() and ax_df.get_xlabel() and ax_df.get_ylabel()
    f, df = _lines(ax_f), _lines(ax_df)
    expected_labels = ["ReLU", "Sigmoid", "SwiGLU (value = 1)", "Softmax of (x, 0)"]
    assert list(f) == list(df) == expected_labels
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == expected_labels
    np.testing.assert_allclose(f["ReLU"].get_ydata(), np.maximum(X, 0))
    np.testing.assert_allclose(df["ReLU"].get_ydata(), (X > 0).astype(float))
    s = _sigmoid(X)
    np.testing.assert_allclose(df["Sigmoid"].get_ydata(), s * (1 - s), atol=1e-12)
    np.testing.assert_allclose(f["SwiGLU (value = 1)"].get_ydata(), X * s, atol=1e-12)
    np.testing.assert_allclose(df["SwiGLU (value = 1)"].get_ydata(), s * (1 + X * (1 - s)),
                               atol=1e-12)
    np.testing.assert_allclose(f["Softmax of (x, 0)"].get_ydata(), s, atol=1e-12)
    np.testing.assert_allclose(df["Softmax of (x, 0)"].get_ydata(), s * (1 - s), atol=1e-12)
    assert to_rgb(f["ReLU"].get_color()) == to_rgb(plotting.color("relu"))
    assert to_rgb(df["Sigmoid"].get_color()) == to_rgb(plotting.color("sigmoid"))


def test_function_and_derivative_draws_into_given_axes_and_accepts_an_alias():
    fig = Figure()
    axes = fig.subplots(1, 2)
    returned = plotting.plot_function_and_derivative("quick_gelu", axes=axes)
    assert returned is fig
    (line,) = axes[0].get_lines()
    assert len(line.get_xdata()) == plotting.DEFAULT_X[2]
    assert line.get_label() == "GELU (sigmoid)"
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["GELU (sigmoid)"]
    assert not fig.legends


def test_gallery_has_one_labelled_panel_per_activation():
    selected = actbook.names()
    fig = plotting.gallery(selected, ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(selected)
    assert len(fig.axes) == 4 * int(np.ceil(len(selected) / 4))
    for i, (ax, name) in enumerate(zip(visible, selected, strict=True)):
        assert ax.get_title().startswith(actbook.info(name).display_name)
        assert ax.get_xlabel()
        assert bool(ax.get_ylabel()) == (i % 4 == 0)
        f, df = ax.get_lines()
        assert f.get_color() == df.get_color() == plotting.color(name)
        assert df.get_linestyle() == "--"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$f$", "$f'$"]


def test_gallery_narrows_to_the_number_of_activations_and_rejects_bad_input():
    fig = plotting.gallery(["tanh", "mish"], ncols=4, x=[-1.0, 0.0, 1.0])
    assert len(fig.axes) == 2
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), np.tanh([-1, 0, 1]))
    with pytest.raises(ValueError, match="at least one"):
        plotting.gallery([])
    with pytest.raises(ValueError, match="ncols"):
        plotting.gallery(["relu"], ncols=0)


def test_figures_are_not_left_open_in_pyplot():
    plt.close("all")
    plotting.plot_function_and_derivative(["gelu", "gelu_tanh"])
    plotting.gallery(["relu", "elu", "glu"])
    assert plt.get_fignums() == []


def test_figures_render_to_png(tmp_path):
    fig = plotting.gallery(actbook.names(), ncols=6)
    path = tmp_path / "gallery.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
