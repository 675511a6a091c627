"""Tests for dlcore.concepts.activations: values against Keras, slopes against autodiff."""

import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlcore.concepts import activations

REPO_ROOT = Path(__file__).resolve().parents[3]

# Steps of 0.25 around 0 (0 included), plus large |x| where naive formulas overflow or cancel.
X_GRID = np.concatenate([[-50.0, -30.0, -12.5], np.linspace(-6.0, 6.0, 49), [12.5, 30.0, 50.0]])

VALUE_TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}
# tf.nn.gelu casts its 1/sqrt(2) through float32, a relative error of 2e-8 that the
# cancellation in GELU's derivative near x = -0.75 lifts to 6e-9 absolute.
GRADIENT_TOLERANCE = {"rtol": 1e-6, "atol": 1e-7}

# These have a kink at 0 with no derivative there; test_derivative_at_kink covers x = 0.
KINKED_AT_ZERO = {"relu", "leaky_relu", "elu", "selu"}

# (name, options): every activation with Keras' defaults (an empty dict), then other values.
CASES = [
    ("sigmoid", {}),
    ("tanh", {}),
    ("relu", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.01}),
    ("leaky_relu", {"negative_slope": 0.5}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("selu", {}),
    ("gelu", {}),
    ("swish", {}),
    ("softplus", {}),
    ("softmax", {}),
    ("softmax", {"temperature": 0.5, "other_logits": (1.0, -2.0)}),
    ("softmax", {"temperature": 3.0, "other_logits": (2.0,)}),
]
CASE_IDS = [f"{name}-{options}" if options else name for name, options in CASES]


def keras_activation(name, x, options):
    """The reference: keras.activations.<name> on a float64 tensor `x` of shape (n,).

    For softmax, the logits of each element are [x, *other_logits] / temperature,
    and the result is the probability of class 0.
    """
    function = keras.activations.get(name)
    if name != "softmax":
        return function(x, **options)
    other_logits = tf.constant(options.get("other_logits", (0.0,)), dtype=tf.float64)
    logits = tf.concat(
        [x[:, tf.newaxis], tf.broadcast_to(other_logits, (x.shape[0], other_logits.shape[0]))],
        axis=-1,
    )
    return function(logits / options.get("temperature", 1.0))[:, 0]


def keras_derivative(name, x, options):
    """d f / d x by TensorFlow's automatic differentiation, elementwise."""
    x = tf.constant(x, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        values = keras_activation(name, x, options)
    # Each value depends on its own x only, so the gradient of their sum is elementwise.
    return tape.gradient(values, x).numpy()


def test_cases_cover_every_activation():
    assert {name for name, _ in CASES} == set(activations.ACTIVATION_NAMES)


def test_activation_infos_match_names_and_keras():
    assert tuple(activations.ACTIVATIONS) == activations.ACTIVATION_NAMES
    for name, info in activations.ACTIVATIONS.items():
        assert info.name == name
        assert callable(keras.activations.get(name)), f"Keras has no activation {name!r}"
        assert info.title
        assert info.formula
        assert info.derivative_formula
        assert 2 <= info.summary.count(". ") + 1 <= 3, f"{name}: summary should be 2-3 sentences"


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_activation_matches_keras(name, options):
    expected = keras_activation(name, tf.constant(X_GRID, dtype=tf.float64), options).numpy()

    values = activations.activation(name, X_GRID, **options)

    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected, **VALUE_TOLERANCE)


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_derivative_matches_autodiff(name, options):
    x = X_GRID[X_GRID != 0] if name in KINKED_AT_ZERO else X_GRID

    slopes = activations.derivative(name, x, **options)

    assert slopes.dtype == np.float64
    np.testing.assert_allclose(slopes, keras_derivative(name, x, options), **GRADIENT_TOLERANCE)


@pytest.mark.parametrize(
    ("name", "options", "expected_slope"),
    [
        ("relu", {}, 0.0),
        ("leaky_relu", {"negative_slope": 0.3}, 0.3),
        ("elu", {"alpha": 2.0}, 2.0),
        ("selu", {}, activations.SELU_SCALE * activations.SELU_ALPHA),
    ],
)
def test_derivative_at_kink_is_left_slope(name, options, expected_slope):
    assert activations.derivative(name, 0.0, **options) == pytest.approx(expected_slope)


@pytest.mark.parametrize("name", activations.ACTIVATION_NAMES)
def test_results_keep_the_input_shape(name):
    for x in (0.5, np.zeros((2, 3))):
        for result in (activations.activation(name, x), activations.derivative(name, x)):
            assert isinstance(result, np.ndarray)
            assert result.shape == np.shape(x)
            assert result.dtype == np.float64


@pytest.mark.parametrize("name", activations.ACTIVATION_NAMES)
def test_large_inputs_stay_finite_without_warnings(name):
    x = np.array([-500.0, -50.0, 50.0, 500.0])

    # Underflow to 0 is harmless; overflow or an invalid operation would be a bug.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        values = activations.activation(name, x, temperature=0.5)
        slopes = activations.derivative(name, x, temperature=0.5)

    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite(slopes))


@pytest.mark.parametrize("temperature", [0.1, 1.0, 3.0])
def test_softmax_matches_keras(temperature):
    logits = 20.0 * np.random.default_rng(0).standard_normal((4, 5))
    expected = keras.activations.softmax(tf.constant(logits / temperature)).numpy()

    probabilities = activations.softmax(logits, temperature=temperature)

    assert probabilities.shape == (4, 5)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)


def test_softmax_handles_huge_logits():
    with np.errstate(over="raise", invalid="raise"):
        probabilities = activations.softmax([1000.0, 0.0, -1000.0])

    np.testing.assert_allclose(probabilities, [1.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("name", "x", "expected_regions"),
    [
        # sigmoid'(x) = 0.05 at |x| = 2.887; the grid's last points before that are +-2.90.
        ("sigmoid", np.linspace(-6.0, 6.0, 601), [(-6.0, -2.9), (2.9, 6.0)]),
        # tanh'(x) = 0.05 at |x| = 2.178.
        ("tanh", np.linspace(-10.0, 10.0, 201), [(-10.0, -2.2), (2.2, 10.0)]),
        # relu'(x) = 0 for x <= 0, 1 after.
        ("relu", np.linspace(-6.0, 6.0, 601), [(-6.0, 0.0)]),
        # Leaky ReLU's slope never drops below negative_slope = 0.2.
        ("leaky_relu", np.linspace(-6.0, 6.0, 601), []),
    ],
)
def test_vanishing_regions_of_activations(name, x, expected_regions):
    regions = activations.vanishing_regions(x, activations.derivative(name, x), threshold=0.05)

    assert len(regions) == len(expected_regions)
    np.testing.assert_allclose(np.reshape(regions, (-1, 2)), np.reshape(expected_regions, (-1, 2)))


def test_vanishing_regions_finds_every_run():
    x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    gradient = [0.0, 1.0, -0.1, 0.2, 1.0, 0.0]

    regions = activations.vanishing_regions(x, gradient, threshold=0.5)

    assert regions == [(0.0, 0.0), (2.0, 3.0), (5.0, 5.0)]
    assert activations.vanishing_regions(x, gradient, threshold=0.0) == []


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_neuron_gradients_match_autodiff(name, options):
    x = np.array([-2.0, -0.5, 0.7, 3.0])
    weight, bias = 1.5, -0.3
    # One copy of the weight and the bias per input, so that the gradient of the summed
    # outputs holds each input's own d output / d w and d output / d b.
    weights = tf.Variable(np.full_like(x, weight))
    biases = tf.Variable(np.full_like(x, bias))
    with tf.GradientTape() as tape:
        outputs = keras_activation(name, weights * x + biases, options)
    weight_gradient, bias_gradient = tape.gradient(outputs, [weights, biases])

    result = activations.neuron(x, weight=weight, bias=bias, name=name, **options)

    np.testing.assert_allclose(result.pre_activation, weight * x + bias)
    np.testing.assert_allclose(result.output, outputs.numpy(), **VALUE_TOLERANCE)
    np.testing.assert_allclose(
        result.weight_gradient, weight_gradient.numpy(), **GRADIENT_TOLERANCE
    )
    np.testing.assert_allclose(result.bias_gradient, bias_gradient.numpy(), **GRADIENT_TOLERANCE)
    np.testing.assert_allclose(result.local_gradient, result.bias_gradient)


def test_neuron_takes_a_scalar_input():
    result = activations.neuron(2.0, weight=0.5, bias=-3.0, name="relu")

    assert result.pre_activation.shape == ()
    assert float(result.pre_activation) == -2.0
    assert float(result.output) == 0.0
    assert float(result.weight_gradient) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: activations.activation("sigmod", 1.0), r"`name` must be one of .*name='sigmod'"),
        (lambda: activations.derivative("ReLU", 1.0), r"`name` must be one of .*name='ReLU'"),
        (
            lambda: activations.neuron(1.0, weight=1.0, bias=0.0, name="linear"),
            r"Received: name='linear'",
        ),
        (
            lambda: activations.softmax([1.0, 2.0], temperature=0.0),
            r"`temperature` must be a number > 0.*Received: temperature=0.0",
        ),
        (
            lambda: activations.activation("softmax", 1.0, temperature=-1.0),
            r"`temperature` must be a number > 0.*Received: temperature=-1.0",
        ),
        (
            lambda: activations.derivative("softmax", 1.0, temperature=0.0),
            r"Received: temperature=0.0",
        ),
        (lambda: activations.softmax(3.0), r"`logits` must have at least one axis.*logits=3.0"),
        (
            lambda: activations.activation("softmax", 1.0, other_logits=[[1.0]]),
            r"`other_logits` must be a flat sequence.*Received: other_logits=\[\[1.0\]\]",
        ),
        (
            lambda: activations.vanishing_regions([0.0, 2.0, 1.0], [0.0, 0.0, 0.0]),
            r"`x` must be a 1-D array of increasing values",
        ),
        (
            lambda: activations.vanishing_regions([0.0, 1.0], [0.0]),
            r"`gradient` must have the same shape as `x`, \(2,\).*shape \(1,\)",
        ),
        (
            lambda: activations.vanishing_regions([0.0, 1.0], [0.0, 0.0], threshold=-1.0),
            r"`threshold` must be >= 0. Received: threshold=-1.0",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_activation_modules_does_not_import_tensorflow():
    code = (
        "import sys, dlcore.concepts.activations, dlcore.figures.activations; "
        "print(sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]", "the Activations page would wait for TensorFlow"
