"""Tests for dlcore.trainers.intents: the config, the three-way split, the encoders, the
test score and the exported script."""

import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import ROOT, run_python

from dlcore import preprocess
from dlcore.data import intents as intents_data
from dlcore.data.split import SplitData
from dlcore.trainers import intents
from dlcore.trainers.intents import Config
from dlcore.training import layers as dlcore_layers
from dlcore.training.saving import model_from_bytes, model_to_bytes

# One short sentence per language, with a token that the vocabulary cannot hold.
SENTENCES = ["Play some jazz by Zyxwvut please", "明天北京会下雨吗"]


@pytest.fixture(scope="module")
def intent_data():
    return intents.load_data(Config())


@pytest.fixture(scope="module")
def trained_gru(intent_data):
    """The page's default intent model (a GRU), trained for a few epochs."""
    config = Config()
    model = intents.build_model(config, intent_data)
    result = intents.fit(model, intent_data, config, epochs=6)
    return model, result, intents.evaluate(model, intent_data)


@pytest.fixture(scope="module")
def transformer(intent_data):
    """Two Transformer blocks with 4 heads, untrained."""
    config = Config(encoder="transformer", n_layers=2, n_heads=4, embedding_dim=16)
    return intents.build_model(config, intent_data)


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
        ({"validation_fraction": 0.0}, "validation_fraction.*Received: validation_fraction=0.0"),
        ({"validation_fraction": 0.005}, "every intent in every language.*nearer 0.1"),
        ({"validation_fraction": 0.5, "test_fraction": 0.5}, "every intent in every language"),
        ({"seed": -1}, "seed.*Received: seed=-1"),
        (
            {"unknown_words": "guess"},
            "Unknown reading of unknown words.*unknown, nearest.*Received: unknown_words='guess'",
        ),
    ],
)
def test_config_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_the_default_config_is_valid_and_frozen():
    config = Config()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


def test_build_and_export_validate_first(intent_data):
    with pytest.raises(ValueError, match="units"):
        intents.build_model(Config(units=0), intent_data)
    with pytest.raises(ValueError, match="encoder"):
        intents.export_code(Config(encoder="cnn"))
    with pytest.raises(ValueError, match="epochs"):
        intents.export_code(Config(), epochs=0)


def test_the_corpus_is_split_three_ways_by_language_and_intent(intent_data):
    data = intent_data
    assert isinstance(data, SplitData)
    assert data.x_train.shape == (1680, 20), "x_train shape mismatch"
    assert data.x_val.shape == (240, 20), "x_val shape mismatch"
    assert data.x_test.shape == (480, 20), "x_test shape mismatch"
    assert data.x_train.dtype == np.int32
    assert data.labels == intents_data.INTENT_LABELS
    for language in intents_data.LANGUAGES:
        tested = data.y_test[data.languages_test == language]
        assert np.bincount(tested, minlength=10).tolist() == [24] * 10
        validated = data.y_val[data.languages_val == language]
        assert np.bincount(validated, minlength=10).tolist() == [12] * 10
    parts = [set(data.texts_train), set(data.texts_val), set(data.texts_test)]
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]
    assert data.vocabulary[:2] == ("", "[UNK]")
    np.testing.assert_array_equal(data.x_test, np.asarray(data.vectorizer(data.texts_test)))
    np.testing.assert_array_equal(data.x_val, np.asarray(data.vectorizer(data.texts_val)))


def test_vocabulary_comes_from_training_sentences_only(intent_data):
    data = intent_data
    known = set(data.vocabulary)
    training_tokens = {token for text in data.texts_train for token in intents_data.tokenize(text)}
    assert known - {"", "[UNK]"} == training_tokens
    new_tokens = [
        token
        for text in data.texts_test
        for token in intents_data.tokenize(text)
        if token not in training_tokens
    ]
    assert new_tokens, "the test sentences should hold some unseen tokens"
    assert (data.x_test == preprocess.UNKNOWN_ID).sum() == len(new_tokens)


def test_same_seed_same_split_other_seed_other_split(intent_data):
    again = intents.load_data(Config())
    np.testing.assert_array_equal(again.texts_test, intent_data.texts_test)
    np.testing.assert_array_equal(again.texts_val, intent_data.texts_val)
    other = intents.load_data(Config(seed=1))
    assert set(other.texts_test) != set(intent_data.texts_test)


@pytest.mark.parametrize("max_length", [20, 4])
def test_encode_texts_matches_the_keras_vectorizer(intent_data, max_length):
    preprocessing = {**intent_data.preprocessing, "max_length": max_length}
    texts = [*intent_data.texts_test[:40], *SENTENCES, "", "?!"]
    expected = np.asarray(intent_data.vectorizer(np.asarray(texts, dtype=object)))[:, :max_length]
    np.testing.assert_array_equal(preprocess.encode_texts(texts, preprocessing), expected)


def test_encode_texts_marks_unknown_tokens_and_rejects_one_string(intent_data):
    token_ids = preprocess.encode_texts(SENTENCES[:1], intent_data.preprocessing)
    tokens = intents.token_labels(token_ids[0], intent_data.vocabulary)
    assert tokens == ["play", "some", "jazz", "by", "[UNK]", "please"]
    with pytest.raises(TypeError, match="not one str"):
        preprocess.encode_texts("play jazz", intent_data.preprocessing)


def test_preprocessing_names_what_a_try_it_page_needs(intent_data):
    preprocessing = intent_data.preprocessing
    assert preprocessing["vocabulary"] == list(intent_data.vocabulary)
    assert preprocessing["max_length"] == 20
    assert preprocessing["tokenizer"] == "dlcore.media.tokens.tokenize"
    assert (preprocessing["padding_id"], preprocessing["unknown_id"]) == (0, 1)
    assert preprocessing["unknown_words"] == "unknown"


def test_the_nearest_word_fallback_changes_the_preprocessing_only(intent_data):
    data = intents.load_data(Config(unknown_words="nearest"))
    assert data.preprocessing == intent_data.preprocessing | {"unknown_words": "nearest"}
    np.testing.assert_array_equal(data.x_train, intent_data.x_train)
    np.testing.assert_array_equal(data.x_test, intent_data.x_test)
    typed = ["Playing sum jazz musik please"]
    tokens = intents.token_labels(
        preprocess.encode_texts(typed, data.preprocessing)[0], data.vocabulary
    )
    assert tokens[0] == "play" and tokens[3] == "music"


def test_intents_reach_90_percent_on_the_test_part_in_each_language(trained_gru, intent_data):
    model, result, scores = trained_gru
    assert set(scores) == {"test_loss", "test_accuracy", "test_accuracy_en", "test_accuracy_zh"}
    assert scores["test_accuracy_en"] >= 0.9, scores
    assert scores["test_accuracy_zh"] >= 0.9, scores
    # Our per-sentence measurement agrees with Keras's own metric on the test sentences.
    correct = intents.predict_intents(model, intent_data.x_test).argmax(axis=1)
    assert scores["test_accuracy"] == pytest.approx(np.mean(correct == intent_data.y_test))
    assert result.epochs_run == 6
    assert set(result.history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    probabilities = intents.predict_intents(model, intent_data.x_test[:5])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_validation_watches_the_validation_part_not_the_test_part(trained_gru, intent_data):
    model, result, _ = trained_gru
    validation = model.evaluate(
        intent_data.x_val, intent_data.y_val, verbose=0, return_dict=True, batch_size=512
    )
    assert result.history.last("val_loss") == pytest.approx(validation["loss"], rel=1e-4)


def test_early_stopping_keeps_the_best_validation_epoch(intent_data):
    config = Config(units=8, learning_rate=0.05, optimizer="sgd", seed=3)
    model = intents.build_model(config, intent_data)
    result = intents.fit(model, intent_data, config, epochs=4, patience=1)
    losses = result.history.metrics["val_loss"]
    assert result.best_epoch == 1 + int(np.argmin(losses))


@pytest.mark.parametrize(
    "config",
    [
        Config(encoder="simple_rnn", units=8, language="en"),
        Config(encoder="lstm", bidirectional=True, units=8, language="zh"),
        Config(encoder="conv1d", n_layers=2, units=16, kernel_size=5, language="zh"),
        Config(encoder="transformer", embedding_dim=16, language="en"),
    ],
    ids=["simple_rnn", "bidirectional-lstm", "conv1d", "transformer"],
)
def test_each_encoder_builds_and_trains_one_epoch(config):
    data = intents.load_data(config)
    model = intents.build_model(config, data)
    assert model.output_shape == (None, 10)
    reports = []
    intents.fit(model, data, config, epochs=1, on_epoch=reports.append)
    assert [report.epoch for report in reports] == [1]
    assert np.isfinite(reports[0].logs["loss"])
    scores = intents.evaluate(model, data)
    assert set(scores) == {"test_loss", "test_accuracy", f"test_accuracy_{config.language}"}
    assert 0.0 <= scores["test_accuracy"] <= 1.0


def test_stacked_layers_pass_sequences_and_the_last_passes_its_state(transformer):
    model = intents.intent_classifier(
        100, 10, encoder="simple_rnn", bidirectional=True, n_layers=2, units=8
    )
    names = [layer.name for layer in model.layers]
    assert names == [
        "token_ids",
        "embedding",
        "bidirectional_1",
        "dropout_1",
        "bidirectional_2",
        "dropout_2",
        "output",
    ]
    assert model.get_layer("bidirectional_1").output.shape == (None, 20, 16)
    assert model.get_layer("bidirectional_2").output.shape == (None, 16)
    assert transformer.get_layer("attention_2").output.shape == (None, 20, 16)
    assert transformer.get_layer("mean_over_tokens").output.shape == (None, 16)


def test_same_seed_same_weights_and_every_layer_starts_apart():
    first = intents.intent_classifier(50, 10, encoder="gru", bidirectional=True)
    second = intents.intent_classifier(50, 10, encoder="gru", bidirectional=True)
    for left, right in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    other = intents.intent_classifier(50, 10, encoder="gru", seed=1)
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])
    wrapper = first.get_layer("bidirectional_1")
    assert not np.array_equal(
        wrapper.forward_layer.get_weights()[0], wrapper.backward_layer.get_weights()[0]
    )
    attention = intents.intent_classifier(50, 10, encoder="transformer").get_layer("attention_1")
    kernels = [
        dense.get_weights()[0]
        for dense in (attention.query_dense, attention.key_dense, attention.value_dense)
    ]
    assert not np.array_equal(kernels[0], kernels[1])
    assert not np.array_equal(kernels[1], kernels[2])


def test_build_model_compiles_the_chosen_optimizer_with_clipping(intent_data):
    model = intents.build_model(Config(optimizer="momentum"), intent_data)
    assert type(model.optimizer) is keras.optimizers.SGD
    assert model.optimizer.momentum == 0.9 and model.optimizer.clipnorm == 1.0
    plain = intents.build_model(Config(optimizer="sgd"), intent_data)
    assert plain.optimizer.momentum == 0.0


def test_transformer_saves_and_loads_with_its_custom_layer(transformer, intent_data):
    loaded = model_from_bytes(model_to_bytes(transformer))
    assert isinstance(loaded.get_layer("embedding"), dlcore_layers.TokenAndPositionEmbedding)
    np.testing.assert_allclose(
        intents.predict_intents(loaded, intent_data.x_test[:8]),
        intents.predict_intents(transformer, intent_data.x_test[:8]),
        atol=1e-6,
    )


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
        Config(encoder="gru", bidirectional=True, n_layers=2, optimizer="momentum"),
        Config(encoder="conv1d", language="en", dropout=0.0),
        Config(encoder="transformer", n_layers=2, language="zh"),
    ],
    ids=["bigru", "conv1d", "transformer"],
)
def test_exported_script_rebuilds_the_same_data_and_model(config, restore_dlcore_layers):
    code = intents.export_code(config)
    assert "def intent_classifier(" in code  # the builder's own source, pasted
    namespace = _exec_script(code)
    data = intents.load_data(config)
    train, validation, test, vocabulary_size, labels = namespace["load_data"]()
    for (inputs, targets, languages), (x, y, spoken) in zip(
        (train, validation, test),
        (
            (data.x_train, data.y_train, data.languages_train),
            (data.x_val, data.y_val, data.languages_val),
            (data.x_test, data.y_test, data.languages_test),
        ),
        strict=True,
    ):
        np.testing.assert_array_equal(inputs, x)
        np.testing.assert_array_equal(targets, y)
        np.testing.assert_array_equal(languages, spoken)
    assert vocabulary_size == len(data.vocabulary) and tuple(labels) == data.labels
    exported = namespace["build_model"](vocabulary_size, 10)
    model = intents.build_model(config, data)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    assert type(exported.optimizer) is type(model.optimizer)
    for setting in ("learning_rate", "clipnorm", "momentum"):
        assert exported.optimizer.get_config().get(setting) == model.optimizer.get_config().get(
            setting
        )


@pytest.mark.slow
def test_exported_script_trains_one_epoch_and_saves_a_loadable_model(tmp_path):
    config = Config(encoder="transformer", embedding_dim=16)
    script = tmp_path / "exported.py"
    script.write_text(intents.export_code(config), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", str(tmp_path / "m.keras")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        # The script reads its corpus through dlcore (data only).
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)},
    )
    assert process.returncode == 0, process.stderr[-3000:]
    stdout = process.stdout
    assert re.search(r"^\d+/\d+ - .*loss: .*val_loss: ", stdout, re.MULTILINE), stdout[-2000:]
    for label in ("", " (en)", " (zh)"):
        match = re.search(rf"Test accuracy{re.escape(label)}: (\d\.\d{{4}})", stdout)
        assert match, stdout[-2000:]
        assert 0 <= float(match.group(1)) <= 1
    model = model_from_bytes((tmp_path / "m.keras").read_bytes())
    assert isinstance(model.get_layer("embedding"), dlcore_layers.TokenAndPositionEmbedding)
    assert model.output_shape == (None, 10)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["dlcore", "script"])
def test_a_transformer_keras_file_loads_in_a_fresh_python(transformer, intent_data, tmp_path, how):
    """The page's Export of a Transformer, loaded by `import dlcore` or by the script alone."""
    config = Config(encoder="transformer", n_layers=2, n_heads=4, embedding_dim=16)
    (tmp_path / "model.keras").write_bytes(model_to_bytes(transformer))
    (tmp_path / "script.py").write_text(intents.export_code(config), encoding="utf-8")
    np.save(tmp_path / "sample.npy", intent_data.x_test[:3])
    prelude = {
        "dlcore": "import dlcore",
        "script": (
            "import sys, types\n"
            "sys.modules['dlcore.training.layers'] = types.ModuleType('kept_out')\n"
            "source = (folder / 'script.py').read_text()\n"
            "exec(compile(source, 'script.py', 'exec'), {'__name__': 'exported_script'})"
        ),
    }[how]
    predicted = run_python(
        f"""
import json, pathlib
folder = pathlib.Path({str(tmp_path)!r})
{prelude}
import keras
import numpy as np
model = keras.saving.load_model(folder / 'model.keras')
assert type(model.get_layer('embedding')).__name__ == 'TokenAndPositionEmbedding'
print(json.dumps(np.asarray(model(np.load(folder / 'sample.npy'))).tolist()))
""",
        timeout=300,
    )
    np.testing.assert_allclose(
        np.asarray(predicted), np.asarray(transformer(intent_data.x_test[:3])), atol=1e-5
    )
