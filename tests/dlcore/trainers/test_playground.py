"""Tests for dlcore.trainers.playground: config checks, data, model, snapshots, training, export."""

import dataclasses
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from dlcore.concepts.optimizers import OPTIMIZER_NAMES
from dlcore.trainers import playground
from dlcore.trainers.playground import Config
from dlcore.training.fit import EpochReport


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"hidden_layers": (4, 0)}, "zero neurons.*Received: hidden_layers=\\(4, 0\\)"),
        ({"dataset": "rings"}, "Unknown dataset.*Received: dataset='rings'"),
        ({"activation": "cube"}, "Unknown activation.*Received: activation='cube'"),
        ({"optimizer": "lbfgs"}, "Unknown optimizer.*Received: optimizer='lbfgs'"),
        ({"features": ("x3",)}, "Unknown feature 'x3'"),
        ({"features": ()}, "at least one input feature.*Received: features=\\(\\)"),
        ({"dataset": "xor", "n_classes": 3}, "exactly 2 classes.*Received: n_classes=3"),
        ({"n_classes": 1}, "n_classes.*Received: n_classes=1"),
        ({"batch_size": 0}, "batch_size.*Received: batch_size=0"),
        ({"learning_rate": 0.0}, "learning_rate.*Received: learning_rate=0.0"),
        ({"dropout": 1.0}, "dropout.*Received: dropout=1.0"),
        ({"dropout": -0.1}, "dropout.*Received: dropout=-0.1"),
        ({"l2": -1.0}, "l2.*Received: l2=-1.0"),
        ({"n_samples": 3}, "Too few points"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_default_config_is_valid_and_frozen():
    config = Config()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


def test_load_data_splits_three_ways_stratified_and_maps_features():
    config = Config(dataset="spiral", n_classes=3, features=("x1", "x2", "x1*x2"))
    data = playground.load_data(config)
    assert data.x_train.shape == (250, 3), "x_train shape mismatch"
    assert data.x_val.shape == (125, 3), "x_val shape mismatch"
    assert data.x_test.shape == (125, 3), "x_test shape mismatch"
    assert data.points_train.shape == (250, 2)
    np.testing.assert_allclose(data.x_train[:, 2], data.x_train[:, 0] * data.x_train[:, 1])
    np.testing.assert_array_equal(data.x_val[:, :2], data.points_val)
    np.testing.assert_array_equal(data.x_test[:, :2], data.points_test)
    assert np.abs(np.bincount(data.y_train) - 250 / 3).max() <= 1
    assert np.abs(np.bincount(data.y_val) - 125 / 3).max() <= 1
    assert np.abs(np.bincount(data.y_test) - 125 / 3).max() <= 1
    assert data.labels == ("class 0", "class 1", "class 2")
    assert data.preprocessing == {"features": ["x1", "x2", "x1*x2"]}
    # No point is in two parts.
    every_point = np.concatenate([data.points_train, data.points_val, data.points_test])
    assert len(np.unique(every_point, axis=0)) == 500
    again = playground.load_data(config)
    np.testing.assert_array_equal(again.x_train, data.x_train)
    np.testing.assert_array_equal(again.x_test, data.x_test)


def test_build_model_names_layers_and_adds_regularizers():
    config = Config(hidden_layers=(5, 3, 2), l1=0.001, l2=0.01, dropout=0.2)
    model = playground.build_model(config)
    names = [layer.name for layer in model.layers]
    assert names == [
        "features",
        "hidden_1",
        "dropout_1",
        "hidden_2",
        "dropout_2",
        "hidden_3",
        "dropout_3",
        "output",
    ]
    hidden = [model.get_layer(f"hidden_{k}") for k in (1, 2, 3)]
    assert [layer.units for layer in hidden] == [5, 3, 2]
    for layer in [*hidden, model.get_layer("output")]:
        regularizer = layer.kernel_regularizer
        assert regularizer is not None
        assert regularizer.l1 == pytest.approx(0.001)
        assert regularizer.l2 == pytest.approx(0.01)
    assert model.output_shape == (None, 2)
    plain = playground.build_model(Config())
    assert plain.get_layer("hidden_1").kernel_regularizer is None


@pytest.mark.parametrize("optimizer", playground.OPTIMIZERS)
def test_build_model_uses_the_optimizer_and_learning_rate(optimizer):
    assert optimizer in OPTIMIZER_NAMES, "a name means the same optimizer everywhere"
    model = playground.build_model(Config(optimizer=optimizer, learning_rate=0.1))
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    if optimizer == "momentum":
        assert model.optimizer.momentum == pytest.approx(0.9)
    if optimizer == "sgd":
        assert model.optimizer.momentum == 0.0, "sgd is plain SGD"


def test_same_seed_gives_same_initial_weights():
    first = playground.build_model(Config(seed=3)).get_weights()
    second = playground.build_model(Config(seed=3)).get_weights()
    other = playground.build_model(Config(seed=4)).get_weights()
    for left, right in zip(first, second, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(("n_classes", "probability_shape"), [(2, (20, 20)), (3, (20, 20, 3))])
def test_boundary_snapshot_shapes_and_range(n_classes, probability_shape):
    config = Config(dataset="gaussian", n_classes=n_classes, hidden_layers=(4, 3))
    model = playground.build_model(config)
    snapshot = playground.boundary_snapshot(model, config, grid_size=20)
    assert snapshot.grid.shape == (20,)
    assert snapshot.grid[0] == -6 and snapshot.grid[-1] == 6
    assert snapshot.probabilities.shape == probability_shape
    assert snapshot.probabilities.min() >= 0 and snapshot.probabilities.max() <= 1
    assert [neurons.shape for neurons in snapshot.neurons] == [(4, 20, 20), (3, 20, 20)]
    assert np.abs(snapshot.neurons[0]).max() <= 1  # tanh


def test_boundary_snapshot_matches_the_model_on_grid_points():
    config = Config(features=("x1", "x2", "x1^2"))
    model = playground.build_model(config)
    snapshot = playground.boundary_snapshot(model, config, grid_size=5)
    # Row 1 is x2 = grid[1] = -3, column 4 is x1 = grid[4] = 6.
    expected = np.asarray(model(np.array([[6.0, -3.0, 36.0]], np.float32)))[0, 1]
    assert snapshot.probabilities[1, 4] == pytest.approx(expected, abs=1e-5)


def test_xor_reaches_95_percent_test_accuracy():
    config = Config(dataset="xor", hidden_layers=(8, 8))
    data = playground.load_data(config)
    model = playground.build_model(config, data)
    result = playground.fit(model, data, config, epochs=80)
    scores = playground.evaluate(model, data)
    assert scores["test_accuracy"] >= 0.95, result.history.metrics["val_accuracy"][-5:]
    assert set(scores) == {"test_loss", "test_accuracy"}
    assert result.epochs_run == 80
    assert len(result.history.metrics["val_loss"]) == 80
    assert set(result.history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result.history.metrics["loss"][-1] < result.history.metrics["loss"][0]


def test_callback_sends_updates_with_snapshots_every_redraw():
    config = Config(hidden_layers=(3, 2))
    data = playground.load_data(config)
    updates = []
    result = playground.fit(
        playground.build_model(config),
        data,
        config,
        epochs=7,
        redraw_every=3,
        on_update=updates.append,
    )
    assert [update.epoch for update in updates] == [3, 6, 7]  # every 3 epochs, then the end
    for update in updates:
        snapshot = update.snapshot
        assert snapshot.probabilities.shape == (50, 50)
        assert [len(neurons) for neurons in snapshot.neurons] == list(config.hidden_layers)
        assert [neurons.shape[1:] for neurons in snapshot.neurons] == [(50, 50)] * 2
        assert 0 <= update.logs["val_accuracy"] <= 1
    assert updates[-1].logs["val_accuracy"] == result.history.last("val_accuracy")
    assert result.history.epochs == list(range(1, 8))


@pytest.mark.parametrize(("redraw_seconds", "expected_epochs"), [(1e-9, [1, 2, 3, 4]), (1e6, [4])])
def test_redraw_seconds_follows_the_clock_instead_of_the_epochs(redraw_seconds, expected_epochs):
    config = Config(hidden_layers=(3,))
    data = playground.load_data(config)
    updates = []
    playground.fit(
        playground.build_model(config),
        data,
        config,
        epochs=4,
        redraw_every=3,
        redraw_seconds=redraw_seconds,
        on_update=updates.append,
    )
    # Every epoch ends long after a nanosecond; none in a million seconds: then only the end.
    assert [update.epoch for update in updates] == expected_epochs


def test_callback_rejects_bad_redraw_seconds():
    config = Config()
    with pytest.raises(ValueError, match="Received: redraw_seconds=0"):
        playground.PlaygroundCallback(playground.load_data(config), config, redraw_seconds=0)


def test_stop_ends_after_the_current_epoch_and_keeps_history():
    config = Config()
    data = playground.load_data(config)
    model = playground.build_model(config)
    epochs_seen = []
    callback = playground.PlaygroundCallback(
        data,
        config,
        redraw_every=100,
        on_update=epochs_seen.append,
        stop=lambda: len(callback.history) >= 4,
    )
    model.fit(
        data.x_train,
        data.y_train,
        epochs=50,
        batch_size=10,
        verbose=0,
        shuffle=False,
        callbacks=[callback],
    )
    assert callback.stopped
    assert callback.history.epochs == [1, 2, 3, 4]
    assert len(callback.history.metrics["accuracy"]) == 4
    assert [update.epoch for update in epochs_seen] == [4]  # the final redraw


def test_fit_stops_on_request_and_can_continue():
    config = Config()
    data = playground.load_data(config)
    model = playground.build_model(config)
    calls = []
    result = playground.fit(
        model, data, config, epochs=30, stop=lambda: calls.append(1) or len(calls) >= 2
    )
    assert result.stopped and result.epochs_run == 2
    more = playground.fit(model, data, config, epochs=3, history=result.history)
    assert more.history.epochs == [1, 2, 3, 4, 5] and more.epochs_run == 3 and not more.stopped


def test_on_epoch_reports_every_epoch_with_weights_that_restore_the_model():
    config = Config(hidden_layers=(3,))
    data = playground.load_data(config)
    model = playground.build_model(config, data)
    reports = []
    result = playground.fit(model, data, config, epochs=3, on_epoch=reports.append)
    assert all(isinstance(report, EpochReport) for report in reports)
    assert [report.epoch for report in reports] == [1, 2, 3]
    assert all(report.final_epoch == 3 for report in reports)
    assert reports[-1].history is result.history
    assert reports[-1].logs["val_loss"] == result.history.last("val_loss")
    clone = playground.build_model(config, data)
    clone.set_weights(reports[-1].weights)
    np.testing.assert_allclose(clone(data.x_val), model(data.x_val), rtol=1e-6)


def test_fit_never_looks_at_the_test_points():
    config = Config(hidden_layers=(3,))
    data = playground.load_data(config)
    # Test points that are not numbers would spoil any metric that read them.
    blind = dataclasses.replace(data, x_test=np.full_like(data.x_test, np.nan))
    result = playground.fit(playground.build_model(config, data), blind, config, epochs=2)
    assert all(np.isfinite(values).all() for values in result.history.metrics.values())


def test_callback_rejects_bad_redraw_every():
    config = Config()
    with pytest.raises(ValueError, match="Received: redraw_every=0"):
        playground.PlaygroundCallback(playground.load_data(config), config, redraw_every=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "config",
    [
        Config(),
        Config(
            dataset="moons",
            noise=0.1,
            features=("x1", "x2", "sin(x1)"),
            optimizer="momentum",
            l1=0.001,
            l2=0.001,
            dropout=0.1,
        ),
    ],
    ids=["default", "moons-regularized"],
)
def test_exported_code_runs_on_its_own(tmp_path, config):
    code = playground.export_code(config)
    assert "dlcore" not in code
    script = tmp_path / "playground_model.py"
    script.write_text(code)
    completed = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", "model.keras"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    match = re.search(r"Test accuracy: (\d\.\d{4})", completed.stdout)
    assert match, completed.stdout[-2000:]
    assert 0 <= float(match.group(1)) <= 1
    assert "val_accuracy" in completed.stdout, "the script watches the validation points"
    assert (tmp_path / "model.keras").stat().st_size > 0


def test_exported_code_splits_the_points_as_load_data_does():
    config = Config(dataset="gaussian", n_classes=3, n_samples=90, seed=2, test_fraction=0.2)
    namespace = {"__name__": "exported"}
    exec(compile(playground.export_code(config), "exported", "exec"), namespace)
    points, labels = namespace["make_points"]()
    data = playground.load_data(config)
    for rows, features, targets in zip(
        namespace["split"](labels),
        (data.x_train, data.x_val, data.x_test),
        (data.y_train, data.y_val, data.y_test),
        strict=True,
    ):
        np.testing.assert_allclose(namespace["feature_map"](points[rows]), features, atol=1e-6)
        np.testing.assert_array_equal(labels[rows], targets)
    exported = namespace["build_mlp"]
    assert exported.__doc__ == playground.build_mlp.__doc__, "the builder's own source"


@pytest.mark.parametrize("dataset", ["circles", "xor", "gaussian", "spiral", "moons"])
def test_exported_generator_draws_the_same_points(dataset):
    config = Config(dataset=dataset, noise=0.2, n_samples=60, seed=5)
    namespace = {"__name__": "exported"}
    exec(compile(playground.export_code(config), "exported", "exec"), namespace)
    points, labels = namespace["make_points"]()
    data = playground.load_data(config)
    expected_points = np.concatenate([data.points_train, data.points_val, data.points_test])
    expected_labels = np.concatenate([data.y_train, data.y_val, data.y_test])
    order = np.lexsort(points.T)
    expected_order = np.lexsort(expected_points.T)
    np.testing.assert_allclose(points[order], expected_points[expected_order], atol=1e-6)
    np.testing.assert_array_equal(labels[order], expected_labels[expected_order])


def test_export_code_rejects_invalid_config():
    with pytest.raises(ValueError, match="Unknown activation"):
        playground.export_code(Config(activation="cube"))


def test_early_stopping_keeps_the_epoch_with_the_lowest_validation_loss():
    # A large learning rate on a tiny set overfits fast, so the validation loss turns up.
    config = Config(
        dataset="spiral", noise=0.3, n_samples=60, hidden_layers=(32, 32), learning_rate=0.1
    )
    data = playground.load_data(config)
    model = playground.build_model(config)
    result = playground.fit(model, data, config, epochs=300, patience=5)
    assert result.stopped_early and result.epochs_run < 300
    history = result.history
    assert result.best_epoch == history.best("val_loss")
    assert result.epochs_run == result.best_epoch + 5
    probabilities = model(data.x_val, training=False).numpy()
    kept_loss = -np.log(probabilities[np.arange(len(data.y_val)), data.y_val]).mean()
    assert kept_loss == pytest.approx(min(history.metrics["val_loss"]), rel=1e-4)


def test_patience_must_be_a_positive_count():
    config = Config()
    with pytest.raises(ValueError, match="Received: patience=0"):
        playground.PlaygroundCallback(playground.load_data(config), config, patience=0)


def test_a_network_with_no_hidden_layer_trains_and_draws_its_boundary():
    config = Config(hidden_layers=())
    data = playground.load_data(config)
    updates = []
    playground.fit(
        playground.build_model(config),
        data,
        config,
        epochs=2,
        redraw_every=1,
        on_update=updates.append,
    )
    assert [update.epoch for update in updates] == [1, 2]
    assert updates[-1].snapshot.probabilities.shape == (50, 50)
    assert updates[-1].snapshot.neurons == []
