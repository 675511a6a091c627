"""Tests for dlcore.trainers.sequences and its figures: intents, hidden states, forecasts."""

import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import ROOT

from dlcore import preprocess
from dlcore.data import intents
from dlcore.figures import sequences as figures
from dlcore.trainers import sequences
from dlcore.trainers.sequences import ForecastConfig, IntentConfig
from dlcore.training import layers as dlcore_layers
from dlcore.training.saving import model_from_bytes, model_to_bytes

# One short sentence per language, with a token that the vocabulary cannot hold.
SENTENCES = ["Play some jazz by Zyxwvut please", "明天北京会下雨吗"]


@pytest.fixture(scope="module")
def intent_data():
    return sequences.load_intent_data(IntentConfig())


@pytest.fixture(scope="module")
def trained_gru(intent_data):
    """The page's default intent model (a GRU), trained for a few epochs."""
    config = IntentConfig()
    model = sequences.build_intent_model(config, len(intent_data.vocabulary), 10)
    result = sequences.train_intents(model, intent_data, config, epochs=6)
    return model, result


@pytest.fixture(scope="module")
def bidirectional_rnn(intent_data):
    """Two stacked bidirectional SimpleRNN layers, untrained (the states are what matter)."""
    config = IntentConfig(encoder="simple_rnn", bidirectional=True, n_layers=2, units=8)
    return sequences.build_intent_model(config, len(intent_data.vocabulary), 10)


@pytest.fixture(scope="module")
def transformer(intent_data):
    """Two Transformer blocks with 4 heads, untrained (attention is computed all the same)."""
    config = IntentConfig(encoder="transformer", n_layers=2, n_heads=4, embedding_dim=16)
    return sequences.build_intent_model(config, len(intent_data.vocabulary), 10)


@pytest.fixture(scope="module")
def forecaster():
    config = ForecastConfig()
    data = sequences.load_forecast_data(config)
    model = sequences.build_forecast_model(config)
    sequences.train_forecast(model, data, config, epochs=4)
    return model, data


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"units": 0}, "units.*zero units.*Received: units=0"),
        ({"n_layers": 0}, "n_layers.*Received: n_layers=0"),
        ({"embedding_dim": 0}, "embedding_dim.*Received: embedding_dim=0"),
        ({"max_length": 0}, "max_length.*Received: max_length=0"),
        ({"language": "fr"}, "Unknown language.*\"en\".*Received: language='fr'"),
        ({"encoder": "mlp"}, "Unknown encoder.*Received: encoder='mlp'"),
        (
            {"encoder": "conv1d", "bidirectional": True},
            "Only a recurrent encoder.*Turn bidirectional off",
        ),
        (
            {"encoder": "conv1d", "kernel_size": 9, "max_length": 5},
            r"kernel \(9 tokens\) is longer than the sentences \(5 tokens\).*at most 5",
        ),
        (
            {"encoder": "transformer", "n_heads": 8, "embedding_dim": 4},
            "8 attention heads.*embedding size of at least 8 or fewer heads",
        ),
        ({"dropout": 1.0}, "dropout.*Received: dropout=1.0"),
        ({"optimizer": "lbfgs"}, "Unknown optimizer.*Received: optimizer='lbfgs'"),
        ({"learning_rate": 0.0}, "learning_rate.*Received: learning_rate=0.0"),
        ({"batch_size": 0}, "batch_size.*Received: batch_size=0"),
        ({"test_fraction": 1.0}, "test_fraction.*Received: test_fraction=1.0"),
        ({"test_fraction": 0.005}, "every intent in every language.*nearer 0.2"),
        ({"seed": -1}, "seed.*Received: seed=-1"),
    ],
)
def test_intent_config_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        IntentConfig(**changes).validate()


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"units": 0}, "units.*zero units.*Received: units=0"),
        ({"n_layers": 0}, "n_layers.*Received: n_layers=0"),
        ({"cell": "transformer"}, "Unknown cell.*Received: cell='transformer'"),
        ({"window_length": 0}, "window_length.*Received: window_length=0"),
        ({"horizon": 0}, "horizon.*Received: horizon=0"),
        ({"noise": -0.1}, "noise.*Received: noise=-0.1"),
        ({"trend": float("inf")}, "trend.*finite"),
        ({"n_sines": -1}, "n_sines.*Received: n_sines=-1"),
        (
            {"n_steps": 100, "window_length": 80},
            "window of 80 steps and a horizon of 1 do not fit in the 80 training steps",
        ),
        (
            {"n_steps": 100, "test_fraction": 0.02, "horizon": 5, "window_length": 10},
            r"held-out end of the series \(2 steps\) is shorter than the horizon \(5\)",
        ),
        ({"learning_rate": -1.0}, "learning_rate.*Received: learning_rate=-1.0"),
    ],
)
def test_forecast_config_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        ForecastConfig(**changes).validate()


def test_default_configs_are_valid_and_frozen():
    for config in (IntentConfig(), ForecastConfig()):
        assert config.validate() is config
        with pytest.raises(AttributeError):
            config.seed = 1  # type: ignore[misc]


def test_build_functions_validate_first():
    with pytest.raises(ValueError, match="units"):
        sequences.build_intent_model(IntentConfig(units=0), 100, 10)
    with pytest.raises(ValueError, match="window_length"):
        sequences.build_forecast_model(ForecastConfig(window_length=0))
    with pytest.raises(ValueError, match="cell"):
        sequences.export_forecast_code(ForecastConfig(cell="cnn"))


def test_intent_data_is_split_by_language_and_intent(intent_data):
    data = intent_data
    assert data.x_train.shape == (1280, 20), "x_train shape mismatch"
    assert data.x_test.shape == (320, 20), "x_test shape mismatch"
    assert data.x_train.dtype == np.int32
    assert data.labels == intents.INTENT_LABELS
    for language in intents.LANGUAGES:
        held_out = data.y_test[data.languages_test == language]
        assert np.bincount(held_out, minlength=10).tolist() == [16] * 10
    assert not set(data.texts_train) & set(data.texts_test)
    assert data.vocabulary[:2] == ("", "[UNK]")
    np.testing.assert_array_equal(data.x_test, np.asarray(data.vectorizer(data.texts_test)))


def test_vocabulary_comes_from_training_sentences_only(intent_data):
    data = intent_data
    known = set(data.vocabulary)
    training_tokens = {token for text in data.texts_train for token in intents.tokenize(text)}
    assert known - {"", "[UNK]"} == training_tokens
    new_tokens = [
        token
        for text in data.texts_test
        for token in intents.tokenize(text)
        if token not in training_tokens
    ]
    assert new_tokens, "the held-out sentences should hold some unseen tokens"
    assert (data.x_test == preprocess.UNKNOWN_ID).sum() == len(new_tokens)


def test_same_seed_same_split_other_seed_other_split(intent_data):
    again = sequences.load_intent_data(IntentConfig())
    np.testing.assert_array_equal(again.texts_test, intent_data.texts_test)
    other = sequences.load_intent_data(IntentConfig(seed=1))
    assert set(other.texts_test) != set(intent_data.texts_test)


@pytest.mark.parametrize("max_length", [20, 4])
def test_encode_texts_matches_the_keras_vectorizer(intent_data, max_length):
    preprocessing = {**intent_data.preprocessing, "max_length": max_length}
    texts = [*intent_data.texts_test[:40], *SENTENCES, "", "?!"]
    expected = np.asarray(intent_data.vectorizer(np.asarray(texts, dtype=object)))[:, :max_length]
    np.testing.assert_array_equal(preprocess.encode_texts(texts, preprocessing), expected)


def test_encode_texts_marks_unknown_tokens_and_rejects_one_string(intent_data):
    token_ids = preprocess.encode_texts(SENTENCES[:1], intent_data.preprocessing)
    tokens = sequences.token_labels(token_ids[0], intent_data.vocabulary)
    assert tokens == ["play", "some", "jazz", "by", "[UNK]", "please"]
    with pytest.raises(TypeError, match="not one str"):
        preprocess.encode_texts("play jazz", intent_data.preprocessing)


def test_preprocessing_names_what_a_try_it_page_needs(intent_data):
    preprocessing = intent_data.preprocessing
    assert preprocessing["vocabulary"] == list(intent_data.vocabulary)
    assert preprocessing["max_length"] == 20
    assert preprocessing["tokenizer"] == "dlcore.media.tokens.tokenize"
    assert (preprocessing["padding_id"], preprocessing["unknown_id"]) == (0, 1)


def test_intents_reach_90_percent_held_out_in_each_language(trained_gru, intent_data):
    model, result = trained_gru
    assert set(result.accuracy) == {"all", "en", "zh"}
    assert result.accuracy["en"] >= 0.9, result.accuracy
    assert result.accuracy["zh"] >= 0.9, result.accuracy
    # Our measurement agrees with Keras's own metric on the same held-out sentences.
    assert result.accuracy["all"] == pytest.approx(result.fit.history.last("val_accuracy"))
    assert result.fit.epochs_run == 6
    probabilities = sequences.predict_intents(model, intent_data.x_test[:5])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "config",
    [
        IntentConfig(encoder="simple_rnn", units=8, language="en"),
        IntentConfig(encoder="lstm", bidirectional=True, units=8, language="zh"),
        IntentConfig(encoder="conv1d", n_layers=2, units=16, kernel_size=5, language="zh"),
        IntentConfig(encoder="transformer", embedding_dim=16, language="en"),
    ],
    ids=["simple_rnn", "bidirectional-lstm", "conv1d", "transformer"],
)
def test_each_encoder_builds_and_trains_one_epoch(config):
    data = sequences.load_intent_data(config)
    model = sequences.build_intent_model(config, len(data.vocabulary), 10)
    assert model.output_shape == (None, 10)
    reports = []
    result = sequences.train_intents(model, data, config, epochs=1, on_epoch=reports.append)
    assert [report.epoch for report in reports] == [1]
    assert np.isfinite(reports[0].logs["loss"])
    assert set(result.accuracy) == {"all", config.language}
    assert 0.0 <= result.accuracy["all"] <= 1.0


def test_stacked_layers_pass_sequences_and_the_last_passes_its_state(
    bidirectional_rnn, transformer
):
    names = [layer.name for layer in bidirectional_rnn.layers]
    assert names == [
        "token_ids",
        "embedding",
        "bidirectional_1",
        "dropout_1",
        "bidirectional_2",
        "dropout_2",
        "output",
    ]
    assert bidirectional_rnn.get_layer("bidirectional_1").output.shape == (None, 20, 16)
    assert bidirectional_rnn.get_layer("bidirectional_2").output.shape == (None, 16)
    model = transformer
    assert model.get_layer("attention_2").output.shape == (None, 20, 16)
    assert model.get_layer("mean_over_tokens").output.shape == (None, 16)


def test_same_seed_same_weights_and_every_layer_starts_apart():
    config = IntentConfig(encoder="gru", bidirectional=True)
    first = sequences.build_intent_model(config, 50, 10)
    second = sequences.build_intent_model(config, 50, 10)
    for left, right in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    other = sequences.build_intent_model(IntentConfig(encoder="gru", seed=1), 50, 10)
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])
    wrapper = first.get_layer("bidirectional_1")
    assert not np.array_equal(
        wrapper.forward_layer.get_weights()[0], wrapper.backward_layer.get_weights()[0]
    )
    attention = sequences.build_intent_model(IntentConfig(encoder="transformer"), 50, 10).get_layer(
        "attention_1"
    )
    kernels = [
        dense.get_weights()[0]
        for dense in (attention.query_dense, attention.key_dense, attention.value_dense)
    ]
    assert not np.array_equal(kernels[0], kernels[1])
    assert not np.array_equal(kernels[1], kernels[2])


def test_hidden_states_equal_a_keras_gru_returning_sequences(trained_gru, intent_data):
    model, _ = trained_gru
    token_ids = intent_data.x_test[3]
    n_tokens = int((token_ids != 0).sum())
    (states,) = sequences.hidden_states(model, token_ids)
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
    n_tokens = len(intents.tokenize(SENTENCES[1]))
    states = sequences.hidden_states(model, token_ids)
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
    (states,) = sequences.hidden_states(model, data.x_test[0])
    assert states.shape == (32, 32)
    assert np.abs(states).max() < 1.0


def test_attention_weights_are_distributions_that_make_the_layer_output(transformer, intent_data):
    model = transformer
    token_ids = preprocess.encode_texts(SENTENCES[:1], intent_data.preprocessing)[0]
    n_tokens = 6
    weights = sequences.attention_weights(model, token_ids)
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
        sequences.hidden_states(transformer, np.array([5, 6, 0]))
    with pytest.raises(ValueError, match="no attention layer"):
        sequences.attention_weights(trained_gru[0], np.arange(1, 21))
    with pytest.raises(ValueError, match="all padding"):
        sequences.hidden_states(trained_gru[0], np.zeros(20, dtype=np.int32))


def test_transformer_saves_and_loads_with_its_custom_layer(transformer, intent_data):
    model = transformer
    loaded = model_from_bytes(model_to_bytes(model))
    assert isinstance(loaded.get_layer("embedding"), dlcore_layers.TokenAndPositionEmbedding)
    np.testing.assert_allclose(
        sequences.predict_intents(loaded, intent_data.x_test[:8]),
        sequences.predict_intents(model, intent_data.x_test[:8]),
        atol=1e-6,
    )


def test_forecast_data_holds_out_the_end_of_the_series():
    config = ForecastConfig(n_steps=300, window_length=20, horizon=3, trend=2.0)
    data = sequences.load_forecast_data(config)
    assert data.test_start == 240
    assert data.x_train.shape == (218, 20, 1), "x_train shape mismatch"
    assert data.x_test.shape == (58, 20, 1), "x_test shape mismatch"
    assert data.target_steps_test.shape == (58, 3)
    assert data.target_steps_test.min() == 240 and data.target_steps_test.max() == 299
    # Standardized with the training part: the values are the series, shifted and scaled.
    np.testing.assert_allclose(
        data.y_test * data.scale + data.mean, data.series[data.target_steps_test], atol=1e-5
    )
    np.testing.assert_allclose(
        data.x_train[0, :, 0] * data.scale + data.mean, data.series[:20], atol=1e-5
    )
    assert data.mean == pytest.approx(data.series[:240].mean(), abs=1e-5)


def test_forecast_beats_the_naive_last_value(forecaster):
    model, data = forecaster
    result = sequences.forecast(model, data)
    assert result.predictions.shape == result.truth.shape == (200, 1)
    np.testing.assert_allclose(result.naive[:, 0], data.series[result.target_steps[:, 0] - 1])
    np.testing.assert_allclose(result.truth, data.series[result.target_steps], atol=1e-5)
    assert result.mae < 0.6 * result.naive_mae, (result.mae, result.naive_mae)


def test_hidden_state_figure_keeps_repeated_tokens_apart():
    states = np.linspace(-1, 1, 5 * 6).reshape(5, 6)
    tokens = ["天", "天", "气", "怎", "么"]
    figure = figures.hidden_state_figure(states, tokens, bidirectional=True)
    heatmap = figure.data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), states.T)
    assert list(figure.layout.xaxis.ticktext) == tokens
    assert list(figure.layout.yaxis.ticktext) == ["→ 1", "→ 2", "→ 3", "← 1", "← 2", "← 3"]
    assert len(figure.layout.shapes) == 1
    with pytest.raises(ValueError, match="one label per step"):
        figures.hidden_state_figure(states, tokens[:4])


def test_attention_figure_draws_one_heatmap_per_head():
    weights = np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 3))
    figure = figures.attention_figure(weights, ["play", "jazz", "now"])
    assert [trace.type for trace in figure.data] == ["heatmap", "heatmap"]
    np.testing.assert_allclose(np.asarray(figure.data[1].z), weights[1])
    with pytest.raises(ValueError, match="n_heads, n_tokens, n_tokens"):
        figures.attention_figure(weights, ["play", "jazz"])


def test_forecast_figure_draws_the_chosen_step_ahead():
    steps = np.array([[8, 9], [9, 10]])
    predictions = np.array([[8.1, 9.2], [9.1, 10.3]])
    figure = figures.forecast_figure(
        np.arange(11.0),
        test_start=8,
        target_steps=steps,
        predictions=predictions,
        naive=np.array([[7.0, 7.0], [8.0, 8.0]]),
        step_ahead=2,
    )
    assert [trace.name for trace in figure.data] == ["series", "forecast", "naive (last value)"]
    np.testing.assert_array_equal(np.asarray(figure.data[1].x), [9, 10])
    np.testing.assert_allclose(np.asarray(figure.data[1].y), [9.2, 10.3])
    assert figure.layout.shapes[0].x0 == 7.5
    assert list(figure.layout.xaxis.range) == [-0.5, 10.5]
    zoomed = figures.forecast_figure(np.arange(11.0), test_start=8, show_from=5)
    assert list(zoomed.layout.xaxis.range) == [4.5, 10.5]
    before_training = figures.forecast_figure(np.arange(11.0), test_start=8)
    assert [trace.name for trace in before_training.data] == ["series"]
    with pytest.raises(ValueError, match="step_ahead"):
        figures.forecast_figure(
            np.arange(11.0), test_start=8, target_steps=steps, predictions=predictions, step_ahead=3
        )


def test_probability_figure_puts_the_likeliest_intent_on_top():
    figure = figures.probability_figure([0.1, 0.6, 0.3], ["news", "weather", "greeting"])
    bars = figure.data[0]
    assert list(bars.y) == ["news", "greeting", "weather"]
    np.testing.assert_allclose(np.asarray(bars.x), [0.1, 0.3, 0.6])
    assert bars.marker.color[-1] == figures.FORECAST_COLOR
    with pytest.raises(ValueError, match="one per label"):
        figures.probability_figure([0.5, 0.5], ["news"])


def _exec_script(code):
    namespace = {"__name__": "exported"}
    exec(compile(code, "exported", "exec"), namespace)
    return namespace


@pytest.fixture
def restore_dlcore_layers():
    """An exported Transformer script registers its own copy of the custom layer."""
    yield
    keras.saving.register_keras_serializable(package="dlcore")(
        dlcore_layers.TokenAndPositionEmbedding
    )


@pytest.mark.parametrize(
    "config",
    [
        IntentConfig(encoder="gru", bidirectional=True, n_layers=2, optimizer="momentum"),
        IntentConfig(encoder="conv1d", language="en", dropout=0.0),
        IntentConfig(encoder="transformer", n_layers=2, language="zh"),
    ],
    ids=["bigru", "conv1d", "transformer"],
)
def test_exported_intent_script_rebuilds_the_same_data_and_model(config, restore_dlcore_layers):
    namespace = _exec_script(sequences.export_intent_code(config))
    data = sequences.load_intent_data(config)
    (x_train, y_train, _), (x_test, _, languages), vocabulary_size, labels = namespace[
        "load_data"
    ]()
    np.testing.assert_array_equal(x_train, data.x_train)
    np.testing.assert_array_equal(y_train, data.y_train)
    np.testing.assert_array_equal(x_test, data.x_test)
    np.testing.assert_array_equal(languages, data.languages_test)
    assert vocabulary_size == len(data.vocabulary) and tuple(labels) == data.labels
    exported = namespace["build_model"](vocabulary_size, 10)
    model = sequences.build_intent_model(config, vocabulary_size, 10)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    assert type(exported.optimizer) is type(model.optimizer)


def test_exported_forecast_script_rebuilds_the_same_data_and_model():
    config = ForecastConfig(cell="lstm", n_layers=2, horizon=4, trend=1.5, n_steps=400)
    namespace = _exec_script(sequences.export_forecast_code(config))
    assert "dlcore" not in sequences.export_forecast_code(config)
    data = sequences.load_forecast_data(config)
    (x_train, _), (_, y_test), mean, scale = namespace["load_data"]()
    np.testing.assert_array_equal(x_train, data.x_train)
    np.testing.assert_array_equal(y_test, data.y_test)
    assert (mean, scale) == (data.mean, data.scale)
    exported = namespace["build_model"]()
    model = sequences.build_forecast_model(config)
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


def _start_script(code, folder):
    """Start an exported script for one epoch, saving its model as folder/m.keras."""
    folder.mkdir()
    script = folder / "exported.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), "--epochs", "1", "--output", str(folder / "m.keras")],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # The intents script reads its corpus through dlcore (data only).
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)},
    )


def _finish_script(process, folder):
    """What the script printed and the model it saved, once it trained one epoch."""
    stdout, stderr = process.communicate(timeout=240)
    assert process.returncode == 0, stderr[-3000:]
    assert re.search(r"^\d+/\d+ - .*loss: ", stdout, re.MULTILINE), stdout[-2000:]
    return stdout, model_from_bytes((folder / "m.keras").read_bytes())


@pytest.mark.slow
def test_both_exported_scripts_train_one_epoch_and_save_a_loadable_model(tmp_path):
    # Both at once: each spends most of its time in one thread, tracing its model.
    intent_folder, forecast_folder = tmp_path / "intents", tmp_path / "forecast"
    intent_config = IntentConfig(encoder="transformer", embedding_dim=16)
    intent_run = _start_script(sequences.export_intent_code(intent_config), intent_folder)
    forecast_run = _start_script(sequences.export_forecast_code(ForecastConfig()), forecast_folder)

    stdout, model = _finish_script(intent_run, intent_folder)
    for label in ("", " (en)", " (zh)"):
        match = re.search(rf"Test accuracy{re.escape(label)}: (\d\.\d{{4}})", stdout)
        assert match, stdout[-2000:]
        assert 0 <= float(match.group(1)) <= 1
    assert isinstance(model.get_layer("embedding"), dlcore_layers.TokenAndPositionEmbedding)
    assert model.output_shape == (None, 10)

    stdout, model = _finish_script(forecast_run, forecast_folder)
    errors = dict(re.findall(r"(Test|Naive) MAE: (\d+\.\d+)", stdout))
    assert set(errors) == {"Test", "Naive"}, stdout[-2000:]
    assert model.output_shape == (None, 1)
