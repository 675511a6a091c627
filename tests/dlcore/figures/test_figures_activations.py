"""Tests for dlcore.figures.activations: the traces carry dlcore.concepts.activations' numbers."""

import numpy as np
import pytest

from dlcore.concepts import activations
from dlcore.figures import activations as figures


def rectangles(figure):
    return [shape for shape in figure.layout.shapes if shape.type == "rect"]


@pytest.mark.parametrize("name", activations.ACTIVATION_NAMES)
def test_activation_figure_draws_function_and_derivative(name):
    figure = figures.activation_figure(name, x_min=-4.0, x_max=4.0, n_points=81)

    function_trace, derivative_trace = figure.data
    x = np.linspace(-4.0, 4.0, 81)
    assert function_trace.name == "f(x)"
    assert derivative_trace.name == "f'(x)"
    np.testing.assert_array_equal(function_trace.x, x)
    np.testing.assert_array_equal(function_trace.y, activations.activation(name, x))
    np.testing.assert_array_equal(derivative_trace.y, activations.derivative(name, x))
    assert activations.ACTIVATIONS[name].title in figure.layout.title.text
    assert figure.layout.xaxis.title.text == "x"
    assert figure.layout.yaxis.title.text


def test_activation_figure_passes_options_on():
    figure = figures.activation_figure("leaky_relu", negative_slope=0.1)

    assert min(figure.data[1].y) == pytest.approx(0.1)


def test_activation_figure_shades_where_sigmoid_gradient_vanishes():
    figure = figures.activation_figure("sigmoid", threshold=0.05)

    bands = rectangles(figure)
    x = np.linspace(-6.0, 6.0, 601)
    expected = activations.vanishing_regions(
        x, activations.derivative("sigmoid", x), threshold=0.05
    )
    assert [(band.x0, band.x1) for band in bands] == expected
    assert len(bands) == 2
    assert {band.name for band in bands} == {"gradient < 0.05"}
    # One legend entry stands for both bands.
    assert [band.showlegend for band in bands] == [True, False]


def test_activation_figure_has_no_bands_where_gradient_never_vanishes():
    # Leaky ReLU's slope is at least negative_slope = 0.2, above the threshold.
    figure = figures.activation_figure("leaky_relu", negative_slope=0.2, threshold=0.05)

    assert rectangles(figure) == []


def test_neuron_figure_marks_the_input_and_its_tangent():
    weight, bias, x_value = 2.0, -1.0, 0.8

    figure = figures.neuron_figure(weight=weight, bias=bias, name="tanh", x_value=x_value)

    curve, point, tangent = figure.data
    x = np.linspace(-6.0, 6.0, 401)
    z = weight * x_value + bias
    np.testing.assert_array_equal(curve.y, activations.activation("tanh", weight * x + bias))
    assert point.x == (x_value,)
    assert point.y[0] == pytest.approx(np.tanh(z))
    tangent_slope = (tangent.y[1] - tangent.y[0]) / (tangent.x[1] - tangent.x[0])
    assert tangent_slope == pytest.approx(weight * (1.0 - np.tanh(z) ** 2))
    # The tangent is centred on the marked point.
    assert np.mean(tangent.x) == pytest.approx(x_value)
    assert np.mean(tangent.y) == pytest.approx(np.tanh(z))
    assert f"z = {z:.3g}" in figure.layout.title.text


@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_softmax_figure_shows_probabilities_as_bars(temperature):
    logits = [2.0, 1.0, 0.1, -1.0]

    figure = figures.softmax_figure(logits, temperature=temperature)

    (bars,) = figure.data
    expected = activations.softmax(logits, temperature=temperature)
    assert list(bars.x) == ["class 0", "class 1", "class 2", "class 3"]
    np.testing.assert_array_equal(bars.y, expected)
    assert sum(bars.y) == pytest.approx(1.0)
    assert list(bars.text) == [f"{probability:.3f}" for probability in expected]
    assert tuple(figure.layout.yaxis.range) == (0.0, 1.0)
    assert f"T = {temperature:g}" in figure.layout.title.text


def test_lower_temperature_sharpens_softmax():
    logits = [2.0, 1.0, 0.1]

    sharp = figures.softmax_figure(logits, temperature=0.5).data[0].y
    flat = figures.softmax_figure(logits, temperature=4.0).data[0].y

    assert max(sharp) > max(flat)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: figures.activation_figure("sigmod"), r"Received: name='sigmod'"),
        (
            lambda: figures.activation_figure("relu", x_min=1.0, x_max=1.0),
            r"`x_min` must be less than `x_max`. Received: x_min=1.0, x_max=1.0",
        ),
        (
            lambda: figures.activation_figure("relu", n_points=1),
            r"`n_points` must be at least 2. Received: n_points=1",
        ),
        (
            lambda: figures.softmax_figure([[1.0, 2.0]], temperature=1.0),
            r"`logits` must be a non-empty 1-D array.*shape \(1, 2\)",
        ),
        (
            lambda: figures.softmax_figure([1.0, 2.0], temperature=0.0),
            r"Received: temperature=0.0",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
