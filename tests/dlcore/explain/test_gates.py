"""Tests for dlcore.explain.gates: LSTM and GRU gates recomputed in NumPy from a layer's
weights, checked against Keras' own outputs."""

import keras
import numpy as np
import pytest

from dlcore.explain.gates import GRU_GATES, LSTM_GATES, SQUASHED_GATES, cell_gates, model_gates
from dlcore.explain.sequences import hidden_states
from dlcore.trainers import intents

STEPS, FEATURES, UNITS = 5, 4, 3


def _built(layer: keras.layers.Layer, seed: int = 0) -> keras.layers.Layer:
    """`layer` built for (STEPS, FEATURES) inputs, every weight drawn at random (biases too,
    which start at zero and would hide a mixed-up bias)."""
    layer.build((1, STEPS, FEATURES))
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [rng.normal(0.0, 0.7, w.shape).astype("float32") for w in layer.get_weights()]
    )
    return layer


@pytest.fixture
def sequence() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(STEPS, FEATURES)).astype("float32")


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_hidden_and_cell_states_equal_keras(sequence, go_backwards):
    layer = _built(
        keras.layers.LSTM(
            UNITS, return_sequences=True, return_state=True, go_backwards=go_backwards
        )
    )
    outputs, last_h, last_c = (np.asarray(t) for t in layer(sequence[np.newaxis]))
    gates = cell_gates(layer, sequence)
    assert gates.cell == "lstm"
    assert tuple(gates.gates) == LSTM_GATES
    assert all(values.shape == (STEPS, UNITS) for values in gates.gates.values())
    # Keras gives a backward layer's outputs in reading order; ours are in sentence order.
    expected = outputs[0][::-1] if go_backwards else outputs[0]
    np.testing.assert_allclose(gates.hidden, expected, atol=1e-5)
    last = 0 if go_backwards else -1
    np.testing.assert_allclose(gates.hidden[last], last_h[0], atol=1e-5)
    np.testing.assert_allclose(gates.gates["cell"][last], last_c[0], atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_hidden_states_equal_keras(sequence, reset_after):
    layer = _built(keras.layers.GRU(UNITS, return_sequences=True, reset_after=reset_after))
    gates = cell_gates(layer, sequence)
    assert gates.cell == "gru"
    assert tuple(gates.gates) == GRU_GATES
    np.testing.assert_allclose(gates.hidden, np.asarray(layer(sequence[np.newaxis]))[0], atol=1e-5)


def test_gates_lie_in_zero_one_and_candidates_in_minus_one_one(sequence):
    for layer in (_built(keras.layers.LSTM(UNITS)), _built(keras.layers.GRU(UNITS))):
        gates = cell_gates(layer, sequence)
        for name, values in gates.gates.items():
            if name in SQUASHED_GATES:
                assert values.min() >= 0.0 and values.max() <= 1.0, name
        assert np.abs(gates.gates["candidate"]).max() <= 1.0
        assert np.abs(gates.hidden).max() < 1.0


def test_a_forget_gate_held_open_keeps_the_cell_state_and_one_held_shut_drops_it(sequence):
    layer = _built(keras.layers.LSTM(UNITS))
    kernel, recurrent, bias = layer.get_weights()
    forget_bias = slice(UNITS, 2 * UNITS)  # gate order i, f, c, o
    bias[forget_bias] = 30.0
    layer.set_weights([kernel, recurrent, bias])
    gates = cell_gates(layer, sequence).gates
    assert np.all(gates["forget"] > 0.999)
    # Nothing is forgotten: each step only adds what the input gate lets in.
    written = gates["input"] * gates["candidate"]
    np.testing.assert_allclose(np.diff(gates["cell"], axis=0), written[1:], atol=1e-6)
    bias[forget_bias] = -30.0
    layer.set_weights([kernel, recurrent, bias])
    gates = cell_gates(layer, sequence).gates
    # Everything is forgotten: the cell holds only this step's write.
    np.testing.assert_allclose(gates["cell"], gates["input"] * gates["candidate"], atol=1e-6)


def test_an_update_gate_at_one_keeps_the_gru_state(sequence):
    layer = _built(keras.layers.GRU(UNITS))
    kernel, recurrent, bias = layer.get_weights()
    bias[0, :UNITS] = 30.0  # gate order z, r, h; the input bias is row 0
    layer.set_weights([kernel, recurrent, bias])
    np.testing.assert_allclose(cell_gates(layer, sequence).hidden, 0.0, atol=1e-6)


def test_cell_gates_explain_bad_input(sequence):
    with pytest.raises(ValueError, match="Only LSTM and GRU"):
        cell_gates(_built(keras.layers.SimpleRNN(UNITS)), sequence)
    with pytest.raises(ValueError, match=r"shape \(steps, 4\)"):
        cell_gates(_built(keras.layers.GRU(UNITS)), sequence[:, :2])


@pytest.fixture(scope="module")
def intent_data():
    return intents.load_data(intents.Config())


@pytest.mark.parametrize(("encoder", "bidirectional"), [("lstm", False), ("gru", True)])
def test_model_gates_follow_the_models_own_hidden_states(intent_data, encoder, bidirectional):
    config = intents.Config(
        encoder=encoder, units=4, embedding_dim=8, n_layers=2, bidirectional=bidirectional
    )
    model = intents.build_model(config, intent_data)
    token_ids = intent_data.x_test[0]
    n_tokens = int((token_ids != 0).sum())
    gates = model_gates(model, token_ids)
    assert len(gates) == (4 if bidirectional else 2)
    assert [g.backwards for g in gates] == ([False, True] * 2 if bidirectional else [False] * 2)
    assert all(g.cell == encoder and g.hidden.shape == (n_tokens, 4) for g in gates)
    assert all(v.shape == (n_tokens, 4) for g in gates for v in g.gates.values())
    states = hidden_states(model, token_ids)
    per_layer = (
        [np.concatenate([g.hidden for g in gates[k : k + 2]], axis=1) for k in (0, 2)]
        if bidirectional
        else [g.hidden for g in gates]
    )
    for ours, theirs in zip(per_layer, states, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_model_gates_refuse_a_model_without_gates(intent_data):
    model = intents.build_model(intents.Config(encoder="simple_rnn", units=4), intent_data)
    with pytest.raises(ValueError, match="lstm or gru encoder"):
        model_gates(model, intent_data.x_test[0])
