"""Tests for dlcore.explain.sequences: hidden states and attention weights, computed by a
trained model's own layers, checked against Keras and NumPy references."""

import keras
import numpy as np
import pytest

from dlcore import preprocess
from dlcore.data import intents as intents_data
from dlcore.explain.sequences import attention_weights, hidden_states
from dlcore.trainers import forecast, intents

# One short sentence per language, with a token that the vocabulary cannot hold.
SENTENCES = ["Play some jazz by Zyxwvut please", "明天北京会下雨吗"]


@pytest.fixture(scope="module")
def intent_data():
    return intents.load_data(intents.Config())


@pytest.fixture(scope="module")
def trained_gru(intent_data):
    """The page's default intent model (a GRU), trained for a few epochs."""
    config = intents.Config()
    model = intents.build_model(config, intent_data)
    intents.fit(model, intent_data, config, epochs=3)
    return model


@pytest.fixture(scope="module")
def bidirectional_rnn(intent_data):
    """Two stacked bidirectional SimpleRNN layers, untrained (the states are what matter)."""
    config = intents.Config(encoder="simple_rnn", bidirectional=True, n_layers=2, units=8)
    return intents.build_model(config, intent_data)


@pytest.fixture(scope="module")
def transformer(intent_data):
    """Two Transformer blocks with 4 heads, untrained (attention is computed all the same)."""
    config = intents.Config(encoder="transformer", n_layers=2, n_heads=4, embedding_dim=16)
    return intents.build_model(config, intent_data)


@pytest.fixture(scope="module")
def forecaster():
    config = forecast.Config()
    data = forecast.load_data(config)
    model = forecast.build_model(config, data)
    forecast.fit(model, data, config, epochs=2)
    return model, data


def test_hidden_states_equal_a_keras_gru_returning_sequences(trained_gru, intent_data):
    model = trained_gru
    token_ids = intent_data.x_test[3]
    n_tokens = int((token_ids != 0).sum())
    (states,) = hidden_states(model, token_ids)
    assert states.shape == (n_tokens, 32)
    # Independently: the real tokens only (no padding, no mask) through a fresh GRU that
    # returns every step, with the trained weights.
    vectors = model.get_layer("embedding").get_weights()[0][token_ids[:n_tokens]]
    gru = keras.layers.GRU(32, return_sequences=True)
    gru.build((1, n_tokens, vectors.shape[1]))
    gru.set_weights(model.get_layer("gru_1").get_weights())
    expected = np.asarray(gru(vectors[np.newaxis]))[0]
    np.testing.assert_allclose(states, expected, atol=1e-5)
    # The last state is what the model's own GRU passes on to the output layer.
    last = keras.Model(model.input, model.get_layer("gru_1").output)(token_ids[np.newaxis])
    np.testing.assert_allclose(states[-1], np.asarray(last)[0], atol=1e-5)


def _simple_rnn_reference(inputs, kernel, recurrent_kernel, bias):
    """NumPy's h_t = tanh(x_t W + h_{t-1} U + b), from h_0 = 0: shape (n_steps, units)."""
    state = np.zeros(kernel.shape[1])
    states = []
    for vector in inputs:
        state = np.tanh(vector @ kernel + state @ recurrent_kernel + bias)
        states.append(state)
    return np.array(states)


def test_hidden_states_of_stacked_bidirectional_rnn_match_numpy(bidirectional_rnn, intent_data):
    model = bidirectional_rnn
    token_ids = preprocess.encode_texts(SENTENCES[1:], intent_data.preprocessing)[0]
    n_tokens = len(intents_data.tokenize(SENTENCES[1]))
    states = hidden_states(model, token_ids)
    assert [state.shape for state in states] == [(n_tokens, 16), (n_tokens, 16)]
    inputs = model.get_layer("embedding").get_weights()[0][token_ids[:n_tokens]]
    for name, state in zip(["bidirectional_1", "bidirectional_2"], states, strict=True):
        wrapper = model.get_layer(name)
        forward = _simple_rnn_reference(inputs, *wrapper.forward_layer.get_weights())
        backward = _simple_rnn_reference(inputs[::-1], *wrapper.backward_layer.get_weights())
        expected = np.concatenate([forward, backward[::-1]], axis=1)
        np.testing.assert_allclose(state, expected, atol=1e-5)
        inputs = expected  # dropout is off at inference: the next layer reads these


def test_hidden_states_of_a_forecaster_cover_the_window(forecaster):
    model, data = forecaster
    (states,) = hidden_states(model, data.x_test[0])
    assert states.shape == (32, 32)
    assert np.abs(states).max() < 1.0


def test_attention_weights_are_distributions_that_make_the_layer_output(transformer, intent_data):
    model = transformer
    token_ids = preprocess.encode_texts(SENTENCES[:1], intent_data.preprocessing)[0]
    n_tokens = 6
    weights = attention_weights(model, token_ids)
    assert [block.shape for block in weights] == [(4, n_tokens, n_tokens)] * 2
    for block in weights:
        assert block.min() >= 0
        np.testing.assert_allclose(block.sum(axis=-1), 1.0, atol=1e-5)
    # The attention output of the real tokens, rebuilt in NumPy from the weights and the
    # layer's value and output projections, equals what the model's layer computes.
    layer = model.get_layer("attention_1")
    layer_input, layer_output = keras.Model(
        model.input, [model.get_layer("embedding").output, layer.output]
    )(token_ids[np.newaxis])
    inputs = np.asarray(layer_input)[0, :n_tokens]
    value_kernel, value_bias = layer.value_dense.get_weights()
    output_kernel, output_bias = layer.output_dense.get_weights()
    values = np.einsum("td,dhk->thk", inputs, value_kernel) + value_bias
    mixed = np.einsum("hqt,thk->qhk", weights[0], values)
    output = np.einsum("qhk,hkd->qd", mixed, output_kernel) + output_bias
    np.testing.assert_allclose(output, np.asarray(layer_output)[0, :n_tokens], atol=1e-5)


def test_explanations_refuse_the_wrong_model_or_an_empty_sentence(trained_gru, transformer):
    with pytest.raises(ValueError, match="no recurrent layer"):
        hidden_states(transformer, np.array([5, 6, 0]))
    with pytest.raises(ValueError, match="no attention layer"):
        attention_weights(trained_gru, np.arange(1, 21))
    with pytest.raises(ValueError, match="all padding"):
        hidden_states(trained_gru, np.zeros(20, dtype=np.int32))
