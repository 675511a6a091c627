"""Tests for dlcore.trainers.memory: config checks, data, the cells side by side, training (the
gated cells remember the first token where the SimpleRNN forgets), test score and export."""

import dataclasses
import math
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from dlcore.trainers import memory
from dlcore.trainers.memory import Config

TINY = Config(length=6, n_samples=200, units=8)

# The comparison the page makes, at its default length and in well under a minute: on 2 CPU
# cores the SimpleRNN ends at 28 % (chance 25 %), the LSTM and the GRU at 100 % by epoch 7.
LONG = Config(length=60, n_samples=3000)
LONG_EPOCHS = 10
# At 5 tokens the SimpleRNN remembers too: all three reach 100 % in 2 epochs.
SHORT = Config(length=5, n_samples=1000)
SHORT_EPOCHS = 4


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"length": 1}, "sequence length.*nothing to remember.*Received: length=1"),
        ({"length": 101}, r"from 2 to 100 tokens \(.*Received: length=101"),
        ({"n_symbols": 1}, "number of symbols.*Received: n_symbols=1"),
        ({"n_symbols": 11}, "Received: n_symbols=11"),
        ({"n_samples": 5}, "number of sequences.*Received: n_samples=5"),
        ({"units": 0}, "remembers nothing. Received: units=0"),
        ({"units": memory.MAX_UNITS + 1}, f"from 1 to {memory.MAX_UNITS} units"),
        ({"cells": ()}, r"at least one cell.*Received: cells=\(\)"),
        ({"cells": ("lstm", "transformer")}, "Unknown cell 'transformer'"),
        ({"cells": ("gru", "gru")}, "once"),
        ({"cells": "lstm"}, "sequence of names"),
        ({"learning_rate": 0.0}, "learning_rate.*Received: learning_rate=0.0"),
        ({"learning_rate": math.nan}, "learning_rate"),
        ({"batch_size": 0}, "batch_size.*Received: batch_size=0"),
        ({"seed": -1}, "seed.*Received: seed=-1"),
        ({"n_samples": 20, "n_symbols": 10}, "Too few sequences.*one of each of the 10 classes"),
        ({"test_fraction": 1.0}, "test share"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_the_default_config_is_valid_quick_and_frozen():
    config = Config()
    assert config.validate() is config
    assert config.cells == ("simple_rnn", "lstm", "gru")
    assert config.length <= 10 and config.n_samples <= 1000, "the contract trains it"
    with pytest.raises(AttributeError):
        config.length = 3  # type: ignore[misc]


def test_load_data_splits_three_ways_and_the_label_is_the_first_token():
    data = memory.load_data(TINY)
    assert data.x_train.shape == (120, 6) and data.x_val.shape == data.x_test.shape == (40, 6)
    assert data.labels == ("A", "B", "C", "D") and data.n_classes == 4
    for tokens, labels in (data.train, data.validation, data.test):
        np.testing.assert_array_equal(labels, tokens[:, 0])
        assert set(np.unique(labels)) == {0, 1, 2, 3}, "every part has every answer"
    again = memory.load_data(TINY)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    other = memory.load_data(dataclasses.replace(TINY, seed=1))
    assert not np.array_equal(other.x_train, data.x_train)


def test_the_model_has_one_network_per_cell_in_the_pages_order():
    config = dataclasses.replace(TINY, cells=("gru", "simple_rnn"))
    model = memory.build_model(config)
    assert memory.model_cells(model) == ("simple_rnn", "gru")
    assert model.input_shape == (None, 6) and model.output_shape == (None, 2, 4)
    assert isinstance(model.get_layer("simple_rnn"), keras.layers.SimpleRNN)
    assert isinstance(model.get_layer("gru"), keras.layers.GRU)
    assert model.get_layer("gru").units == 8
    logits = model(memory.load_data(config).x_test[:3])
    assert logits.shape == (3, 2, 4)


def test_the_gated_cells_start_keeping_their_memory_for_up_to_the_length():
    model = memory.build_model(TINY)
    units, length = TINY.units, TINY.length
    lstm_bias = keras.ops.convert_to_numpy(model.get_layer("lstm").cell.bias)
    forget = lstm_bias[units : 2 * units]
    # Chrono initialization: time scales in [1, length - 1], the forget gate at their log.
    assert forget.min() >= 0 and forget.max() <= np.log(length - 1) + 1e-6
    assert len(np.unique(forget)) == units, "each unit its own time scale"
    np.testing.assert_array_equal(lstm_bias[:units], -forget)
    np.testing.assert_array_equal(lstm_bias[2 * units :], [0.0] * units + [0.0] * units)
    gru_bias = keras.ops.convert_to_numpy(model.get_layer("gru").cell.bias)
    # reset_after: row 0 the input's biases, row 1 the state's; the update gate comes first.
    np.testing.assert_allclose(gru_bias[0, :units], forget)
    np.testing.assert_array_equal(gru_bias[1, :units], 0.0)
    simple_bias = keras.ops.convert_to_numpy(model.get_layer("simple_rnn").cell.bias)
    np.testing.assert_array_equal(simple_bias, 0.0)


def test_the_same_seed_builds_the_same_weights():
    first, again = (memory.build_model(TINY).get_weights() for _ in range(2))
    for left, right in zip(first, again, strict=True):
        np.testing.assert_array_equal(left, right)
    other = memory.build_model(dataclasses.replace(TINY, seed=1)).get_weights()
    assert not np.array_equal(first[0], other[0])


def test_a_cell_learns_the_same_alone_as_side_by_side():
    together = TINY
    alone = dataclasses.replace(TINY, cells=("lstm",))
    data = memory.load_data(together)
    models = [memory.build_model(config) for config in (together, alone)]
    for model, config in zip(models, (together, alone), strict=True):
        memory.fit(model, data, config, epochs=2)
    np.testing.assert_allclose(
        models[0](data.x_test)[:, 1], models[1](data.x_test)[:, 0], rtol=1e-4, atol=1e-5
    )


def test_fit_reports_every_cell_each_epoch_and_never_looks_at_the_test_part():
    data = memory.load_data(TINY)
    # Token ids far outside the embeddings: any look at the test part would fail.
    blind = dataclasses.replace(data, x_test=np.full_like(data.x_test, 10**6))
    reports = []
    result = memory.fit(memory.build_model(TINY), blind, TINY, epochs=2, on_epoch=reports.append)
    assert [report.epoch for report in reports] == [1, 2]
    for cell in TINY.cells:
        assert set(result.history.variant(cell)) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert not any(name.startswith("test_") for name in result.history.metrics)
    assert all(np.isfinite(values).all() for values in result.history.metrics.values())


def test_stop_ends_after_the_epoch_and_training_continues_the_history():
    data = memory.load_data(TINY)
    model = memory.build_model(TINY)
    asked = []
    result = memory.fit(
        model, data, TINY, epochs=20, stop=lambda: asked.append(1) or len(asked) >= 2
    )
    assert result.epochs_run == 2 and result.stopped
    more = memory.fit(model, data, TINY, epochs=1, history=result.history)
    assert more.history.epochs == [1, 2, 3]


def test_evaluate_scores_every_cell_on_the_test_part_once():
    data = memory.load_data(TINY)
    model = memory.build_model(TINY)
    scores = memory.evaluate(model, data)
    assert set(scores) == {
        "test_loss",
        *(f"test_{cell}_{kind}" for cell in TINY.cells for kind in ("loss", "accuracy")),
    }
    predicted = np.argmax(keras.ops.convert_to_numpy(model(data.x_test)), axis=-1)
    for index, cell in enumerate(TINY.cells):
        accuracy = np.mean(predicted[:, index] == data.y_test)
        assert scores[f"test_{cell}_accuracy"] == pytest.approx(accuracy, abs=1e-6)


def train(config, epochs):
    data = memory.load_data(config)
    model = memory.build_model(config, data)
    result = memory.fit(model, data, config, epochs=epochs)
    return result, memory.evaluate(model, data)


@pytest.mark.slow
def test_at_a_long_length_the_gated_cells_remember_and_the_simple_rnn_forgets():
    result, scores = train(LONG, LONG_EPOCHS)
    chance = 1 / LONG.n_symbols
    validation = {cell: result.history.variant(cell)["val_accuracy"][-1] for cell in LONG.cells}
    assert validation["simple_rnn"] < chance + 0.15, validation
    for gated in ("lstm", "gru"):
        assert validation[gated] > 0.95, validation
        assert scores[f"test_{gated}_accuracy"] > scores["test_simple_rnn_accuracy"] + 0.5, scores


@pytest.mark.slow
def test_at_a_short_length_the_simple_rnn_remembers_too():
    result, scores = train(SHORT, SHORT_EPOCHS)
    for cell in SHORT.cells:
        assert result.history.variant(cell)["val_accuracy"][-1] > 0.95, cell
        assert scores[f"test_{cell}_accuracy"] > 0.95, scores


def test_exported_code_builds_the_same_data_and_model():
    config = dataclasses.replace(TINY, seed=3, cells=("lstm", "simple_rnn"))
    namespace = {"__name__": "exported"}
    exec(compile(memory.export_code(config), "exported", "exec"), namespace)
    exported_parts = namespace["load_data"]()
    data = memory.load_data(config)
    for exported, ours in zip(
        exported_parts,
        (data.x_train, data.x_val, data.x_test, data.y_train, data.y_val, data.y_test),
        strict=True,
    ):
        np.testing.assert_array_equal(exported, ours)
    exported = namespace["build_model"]()
    model = memory.build_model(config)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.slow
def test_exported_code_runs_on_its_own(tmp_path):
    code = memory.export_code(TINY, epochs=1)
    assert "dlcore" not in code.replace('package="dlcore"', "")
    script = tmp_path / "memory_model.py"
    script.write_text(code)
    completed = subprocess.run(
        [sys.executable, str(script), "--output", "model.keras"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    for cell in TINY.cells:
        match = re.search(
            rf"^{cell}: test loss (\S+), test accuracy (\S+)$", completed.stdout, re.MULTILINE
        )
        assert match, completed.stdout[-2000:]
        assert 0 <= float(match.group(2)) <= 1
    assert "Chance: 0.2500" in completed.stdout
    assert "val_gru_accuracy" in completed.stdout, "the script watches validation"
    assert (tmp_path / "model.keras").stat().st_size > 0
