"""Tests for dlcore.concepts.backprop: every number against tf.GradientTape on Keras."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlcore.concepts import backprop

TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}

# (hidden sizes, activation, loss, mini-batch, seed): every activation and loss, 1 to 3
# hidden layers, 1 to 4 neurons.
CASES = [
    ((3,), "tanh", "binary_crossentropy", "XOR corners", 0),
    ((4, 2), "sigmoid", "binary_crossentropy", "Two points", 1),
    ((2, 3, 1), "relu", "binary_crossentropy", "Line", 2),
    ((1,), "tanh", "mean_squared_error", "Line", 3),
    ((4, 4, 4), "sigmoid", "mean_squared_error", "XOR corners", 4),
    ((3, 2), "relu", "mean_squared_error", "Two points", 5),
]
CASE_IDS = [f"{sizes}-{activation}-{loss}" for sizes, activation, loss, _, _ in CASES]


def keras_model(network):
    """A float64 Keras model with the network's layers and weights."""
    layers = [keras.Input((backprop.N_INPUTS,), dtype="float64")]
    for kernel in network.weights[:-1]:
        layers.append(
            keras.layers.Dense(kernel.shape[1], activation=network.activation, dtype="float64")
        )
    output = "sigmoid" if network.loss == "binary_crossentropy" else "linear"
    layers.append(keras.layers.Dense(1, activation=output, dtype="float64"))
    model = keras.Sequential(layers)
    model.set_weights(
        [array for pair in zip(network.weights, network.biases, strict=True) for array in pair]
    )
    return model


def keras_loss(name):
    if name == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy()
    return keras.losses.MeanSquaredError()


def tape_deltas(network, inputs, targets):
    """d loss / d z of every layer by the tape, on raw TensorFlow ops; times N, since
    the loss is a mean and delta is each point's own loss's derivative."""
    activation = tf.constant(inputs)
    zs = []
    with tf.GradientTape() as tape:
        for layer, (kernel, bias) in enumerate(zip(network.weights, network.biases, strict=True)):
            z = activation @ tf.constant(kernel) + tf.constant(bias)
            tape.watch(z)
            zs.append(z)
            if layer < len(network.weights) - 1:
                activation = keras.activations.get(network.activation)(z)
        y = tf.constant(targets[:, np.newaxis])
        if network.loss == "binary_crossentropy":
            losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z)
        else:
            losses = (z - y) ** 2
        loss = tf.reduce_mean(losses)
    return [gradient.numpy() * len(inputs) for gradient in tape.gradient(loss, zs)]


@pytest.fixture(params=CASES, ids=CASE_IDS, scope="module")
def case(request):
    sizes, activation, loss, batch_name, seed = request.param
    network = backprop.init_network(sizes, activation=activation, loss=loss, seed=seed)
    batch = backprop.MINI_BATCHES[batch_name]
    return network, batch, backprop.backprop(network, batch.inputs, batch.targets)


def test_forward_loss_and_gradients_equal_the_gradient_tape(case):
    network, batch, result = case
    model = keras_model(network)
    with tf.GradientTape() as tape:
        predictions = model(tf.constant(batch.inputs))
        loss = keras_loss(network.loss)(tf.constant(batch.targets[:, np.newaxis]), predictions)
    gradients = tape.gradient(loss, model.trainable_variables)

    np.testing.assert_allclose(result.outputs, predictions.numpy()[:, 0], **TOLERANCE)
    assert result.loss == pytest.approx(float(loss), rel=1e-6)
    # Keras orders them kernel, bias, kernel, bias, ...
    for layer, (weight_gradient, bias_gradient) in enumerate(
        zip(result.weight_gradients, result.bias_gradients, strict=True)
    ):
        np.testing.assert_allclose(weight_gradient, gradients[2 * layer].numpy(), **TOLERANCE)
        np.testing.assert_allclose(bias_gradient, gradients[2 * layer + 1].numpy(), **TOLERANCE)


def test_every_neuron_and_delta_equal_tensorflow(case):
    network, batch, result = case
    model = keras_model(network)
    activation = batch.inputs
    for layer, dense in enumerate(model.layers):
        z = activation @ dense.kernel.numpy() + dense.bias.numpy()
        activation = dense(tf.constant(activation)).numpy()
        np.testing.assert_allclose(result.pre_activations[layer], z, **TOLERANCE)
        np.testing.assert_allclose(result.activations[layer + 1], activation, **TOLERANCE)
    for ours, tapes in zip(
        result.deltas, tape_deltas(network, batch.inputs, batch.targets), strict=True
    ):
        np.testing.assert_allclose(ours, tapes, **TOLERANCE)
    for delta, bias_gradient in zip(result.deltas, result.bias_gradients, strict=True):
        np.testing.assert_allclose(delta.mean(axis=0), bias_gradient, rtol=1e-12)


def test_the_update_is_w_minus_eta_times_the_gradient(case):
    network, batch, result = case
    update = backprop.sgd_step(network, batch.inputs, batch.targets, learning_rate=0.3)
    for before, after, gradient in zip(
        network.weights, update.after.weights, result.weight_gradients, strict=True
    ):
        np.testing.assert_array_equal(after, before - 0.3 * gradient)
    for before, after, gradient in zip(
        network.biases, update.after.biases, result.bias_gradients, strict=True
    ):
        np.testing.assert_array_equal(after, before - 0.3 * gradient)
    assert update.loss_before == result.loss
    after = backprop.backprop(update.after, batch.inputs, batch.targets)
    assert update.loss_after == after.loss


def test_the_chain_rule_factors_multiply_to_every_gradient(case):
    _network, _, result = case
    for layer, gradient in enumerate(result.weight_gradients):
        for source, target in np.ndindex(gradient.shape):
            chain = backprop.chain_rule(result, layer=layer, source=source, target=target)
            np.testing.assert_allclose(chain.slopes * chain.upstream, chain.deltas, rtol=1e-9)
            np.testing.assert_allclose(chain.deltas * chain.inputs, chain.terms, rtol=1e-12)
            assert chain.gradient == pytest.approx(gradient[source, target], rel=1e-12, abs=1e-15)
            if not chain.is_output:
                np.testing.assert_allclose(
                    chain.next_deltas @ chain.next_weights, chain.upstream, rtol=1e-12
                )


def test_a_small_step_lowers_the_loss_and_steps_repeat():
    batch = backprop.MINI_BATCHES["XOR corners"]
    network = backprop.init_network((3,), seed=0)
    losses = []
    for _ in range(20):
        update = backprop.sgd_step(network, batch.inputs, batch.targets, learning_rate=0.5)
        losses.append(update.loss_before)
        network = update.after
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))


def test_glorot_uniform_weights_are_seeded_and_within_the_limit():
    first = backprop.init_network((4, 3), seed=7)
    again = backprop.init_network((4, 3), seed=7)
    other = backprop.init_network((4, 3), seed=8)
    assert first.layer_sizes == (2, 4, 3, 1)
    for kernel, same, different in zip(first.weights, again.weights, other.weights, strict=True):
        np.testing.assert_array_equal(kernel, same)
        assert not np.array_equal(kernel, different)
        assert np.abs(kernel).max() <= np.sqrt(6.0 / sum(kernel.shape))
    assert all(not bias.any() for bias in first.biases)


def test_the_written_chain_rule_counts_from_one_and_ends_with_the_gradient():
    batch = backprop.MINI_BATCHES["Two points"]
    result = backprop.backprop(backprop.init_network((2,)), batch.inputs, batch.targets)
    chain = backprop.chain_rule(result, layer=0, source=1, target=0)
    lines = backprop.chain_rule_latex(chain, n_layers=3)
    assert len(lines) == 3 + len(batch.targets)
    assert r"w_{2\to1}" in lines[0] and "hidden 1" in lines[0]
    assert r"\delta_{1} = f'(z_{1})" in lines[1]
    assert r"n=1:\ & \delta_{1}" in lines[2]
    assert lines[-1].endswith(f"= {chain.gradient:.3g}")


def test_four_products_of_a_delta_are_written_two_a_line():
    batch = backprop.MINI_BATCHES["Two points"]
    result = backprop.backprop(backprop.init_network((4, 4)), batch.inputs, batch.targets)
    chain = backprop.chain_rule(result, layer=0, source=0, target=0)
    first_point = backprop.chain_rule_latex(chain, n_layers=4)[2]
    delta_line = first_point.split(r"\\ & \delta_{1} \, a_{1}")[0]
    assert delta_line.count(r"\times") == 1 + 4
    assert delta_line.count(r"\\ &\qquad + ") == 1


def test_parse_hidden_sizes_reads_what_a_person_types():
    assert backprop.parse_hidden_sizes("3, 2") == (3, 2)
    assert backprop.parse_hidden_sizes(" 4 1 2 ") == (4, 1, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: backprop.parse_hidden_sizes("3, x"), "whole numbers separated by commas"),
        (lambda: backprop.parse_hidden_sizes(""), "1 to 3 hidden layers"),
        (lambda: backprop.init_network((2, 2, 2, 2)), "1 to 3 hidden layers"),
        (lambda: backprop.init_network((5,)), "Each hidden layer must be an integer from 1 to 4"),
        (lambda: backprop.init_network((0,)), "Received: hidden_sizes=0"),
        (lambda: backprop.init_network((2,), activation="gelu"), "Unknown activation"),
        (lambda: backprop.init_network((2,), loss="hinge"), "Unknown loss"),
        (lambda: backprop.init_network((2,), seed=-1), "Received: seed=-1"),
        (
            lambda: backprop.backprop(backprop.init_network((2,)), np.zeros((3, 3)), np.zeros(3)),
            r"shape \(n_points, 2\)",
        ),
        (
            lambda: backprop.backprop(backprop.init_network((2,)), np.zeros((3, 2)), np.zeros(2)),
            "one number per point",
        ),
        (
            lambda: backprop.backprop(backprop.init_network((2,)), np.zeros((1, 2)), [2.0]),
            "targets between 0 and 1",
        ),
        (
            lambda: backprop.sgd_step(
                backprop.init_network((2,)), np.zeros((1, 2)), [1.0], learning_rate=0.0
            ),
            "Received: learning_rate=0.0",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_weight_outside_the_network_is_refused():
    batch = backprop.MINI_BATCHES["Two points"]
    result = backprop.backprop(backprop.init_network((2,)), batch.inputs, batch.targets)
    with pytest.raises(ValueError, match="Received: target=1"):
        backprop.chain_rule(result, layer=1, source=0, target=1)
    with pytest.raises(ValueError, match="Received: layer=2"):
        backprop.chain_rule(result, layer=2, source=0, target=0)


def test_a_bias_chain_rule_is_its_deltas_mean_and_equals_the_gradient_tape(case):
    network, batch, result = case
    model = keras_model(network)
    with tf.GradientTape() as tape:
        predictions = model(tf.constant(batch.inputs))
        loss = keras_loss(network.loss)(tf.constant(batch.targets[:, np.newaxis]), predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    for layer, biases in enumerate(network.biases):
        for target in range(len(biases)):
            chain = backprop.chain_rule(result, layer=layer, source=None, target=target)
            np.testing.assert_array_equal(chain.inputs, 1.0)
            assert chain.weight == biases[target]
            assert chain.gradient == pytest.approx(
                float(gradients[2 * layer + 1][target]), rel=1e-6, abs=1e-9
            )
    written = backprop.chain_rule_latex(
        backprop.chain_rule(result, layer=0, source=None, target=0),
        n_layers=len(network.layer_sizes),
    )
    # A bias multiplies 1, not an activation a.
    assert r"\partial b_{1}" in written[0] and r"\, a_{" not in "".join(written)


def test_parse_points_reads_lines_of_three_numbers():
    batch = backprop.parse_points("0.5, -1, 2\n\n  3 4 -0.5 ", loss="mean_squared_error")
    np.testing.assert_array_equal(batch.inputs, [[0.5, -1.0], [3.0, 4.0]])
    np.testing.assert_array_equal(batch.targets, [2.0, -0.5])
    # The points train as any preset does.
    result = backprop.backprop(
        backprop.init_network((2,), loss="mean_squared_error"), batch.inputs, batch.targets
    )
    assert np.isfinite(result.loss)


@pytest.mark.parametrize(
    ("text", "loss", "message"),
    [
        ("", "binary_crossentropy", "1 to 8 points"),
        ("\n".join(["0, 0, 0"] * 9), "binary_crossentropy", r"this has 9"),
        ("0, 0\n", "binary_crossentropy", "Line 1 must be three numbers"),
        ("0, 0, 0\n1, one, 1", "binary_crossentropy", "Line 2 must be three numbers"),
        ("0, nan, 1", "binary_crossentropy", "Line 1 must be three numbers"),
        ("6, 0, 1", "binary_crossentropy", "between -5 and 5"),
        ("0, 0, 2", "binary_crossentropy", "Choose squared error"),
    ],
)
def test_parse_points_refuses_what_it_cannot_use(text, loss, message):
    with pytest.raises(ValueError, match=message):
        backprop.parse_points(text, loss=loss)
