"""Tests for dlcore.trainers.playground: config checks, data, model, snapshots, training, export."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from dlcore.trainers import playground
from dlcore.trainers.playground import PlaygroundConfig


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
        PlaygroundConfig(**changes).validate()


def test_default_config_is_valid_and_frozen():
    config = PlaygroundConfig()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


def test_make_data_splits_stratified_and_maps_features():
    config = PlaygroundConfig(dataset="spiral", n_classes=3, features=("x1", "x2", "x1*x2"))
    data = playground.make_data(config)
    assert data.x_train.shape == (250, 3), "x_train shape mismatch"
    assert data.x_test.shape == (250, 3), "x_test shape mismatch"
    assert data.points_train.shape == (250, 2)
    np.testing.assert_allclose(data.x_train[:, 2], data.x_train[:, 0] * data.x_train[:, 1])
    np.testing.assert_array_equal(data.x_test[:, :2], data.points_test)
    assert np.abs(np.bincount(data.y_train) - 250 / 3).max() <= 1
    again = playground.make_data(config)
    np.testing.assert_array_equal(again.x_train, data.x_train)


def test_build_model_names_layers_and_adds_regularizers():
    config = PlaygroundConfig(hidden_layers=(5, 3, 2), l1=0.001, l2=0.01, dropout=0.2)
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
    plain = playground.build_model(PlaygroundConfig())
    assert plain.get_layer("hidden_1").kernel_regularizer is None


@pytest.mark.parametrize("optimizer", playground.OPTIMIZERS)
def test_build_model_uses_the_optimizer_and_learning_rate(optimizer):
    model = playground.build_model(PlaygroundConfig(optimizer=optimizer, learning_rate=0.1))
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    if optimizer == "momentum":
        assert model.optimizer.momentum == pytest.approx(0.9)


def test_same_seed_gives_same_initial_weights():
    first = playground.build_model(PlaygroundConfig(seed=3)).get_weights()
    second = playground.build_model(PlaygroundConfig(seed=3)).get_weights()
    other = playground.build_model(PlaygroundConfig(seed=4)).get_weights()
    for left, right in zip(first, second, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(("n_classes", "probability_shape"), [(2, (20, 20)), (3, (20, 20, 3))])
def test_boundary_snapshot_shapes_and_range(n_classes, probability_shape):
    config = PlaygroundConfig(dataset="gaussian", n_classes=n_classes, hidden_layers=(4, 3))
    model = playground.build_model(config)
    snapshot = playground.boundary_snapshot(model, config, grid_size=20)
    assert snapshot.grid.shape == (20,)
    assert snapshot.grid[0] == -6 and snapshot.grid[-1] == 6
    assert snapshot.probabilities.shape == probability_shape
    assert snapshot.probabilities.min() >= 0 and snapshot.probabilities.max() <= 1
    assert [neurons.shape for neurons in snapshot.neurons] == [(4, 20, 20), (3, 20, 20)]
    assert np.abs(snapshot.neurons[0]).max() <= 1  # tanh


def test_boundary_snapshot_matches_the_model_on_grid_points():
    config = PlaygroundConfig(features=("x1", "x2", "x1^2"))
    model = playground.build_model(config)
    snapshot = playground.boundary_snapshot(model, config, grid_size=5)
    # Row 1 is x2 = grid[1] = -3, column 4 is x1 = grid[4] = 6.
    expected = np.asarray(model(np.array([[6.0, -3.0, 36.0]], np.float32)))[0, 1]
    assert snapshot.probabilities[1, 4] == pytest.approx(expected, abs=1e-5)


def test_xor_reaches_95_percent_test_accuracy():
    config = PlaygroundConfig(dataset="xor", hidden_layers=(8, 8))
    data = playground.make_data(config)
    result = playground.train(playground.build_model(config), data, config, epochs=80)
    assert result.test_accuracy >= 0.95, result.history.test_accuracy[-5:]
    assert result.epochs == 80
    assert len(result.history.test_loss) == 80
    assert result.history.train_loss[-1] < result.history.train_loss[0]


def test_callback_sends_updates_with_snapshots_every_redraw():
    config = PlaygroundConfig(hidden_layers=(3, 2))
    data = playground.make_data(config)
    updates = []
    result = playground.train(
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
        assert 0 <= update.test_accuracy <= 1
    assert updates[-1].test_accuracy == result.test_accuracy
    assert result.history.epoch == list(range(1, 8))


@pytest.mark.parametrize(("redraw_seconds", "expected_epochs"), [(1e-9, [1, 2, 3, 4]), (1e6, [4])])
def test_redraw_seconds_follows_the_clock_instead_of_the_epochs(redraw_seconds, expected_epochs):
    config = PlaygroundConfig(hidden_layers=(3,))
    data = playground.make_data(config)
    updates = []
    playground.train(
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
    config = PlaygroundConfig()
    with pytest.raises(ValueError, match="Received: redraw_seconds=0"):
        playground.PlaygroundCallback(playground.make_data(config), config, redraw_seconds=0)


def test_should_stop_ends_after_the_current_epoch_and_keeps_history():
    config = PlaygroundConfig()
    data = playground.make_data(config)
    model = playground.build_model(config)
    epochs_seen = []
    callback = playground.PlaygroundCallback(
        data,
        config,
        redraw_every=100,
        on_update=epochs_seen.append,
        should_stop=lambda: len(callback.history.epoch) >= 4,
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
    assert callback.history.epoch == [1, 2, 3, 4]
    assert len(callback.history.train_accuracy) == 4
    assert [update.epoch for update in epochs_seen] == [4]  # the final redraw


def test_train_stops_on_request_and_can_continue():
    config = PlaygroundConfig()
    data = playground.make_data(config)
    model = playground.build_model(config)
    calls = []
    result = playground.train(
        model, data, config, epochs=30, should_stop=lambda: calls.append(1) or len(calls) >= 2
    )
    assert result.stopped and result.epochs == 2
    more = playground.train(model, data, config, epochs=3, history=result.history)
    assert more.history.epoch == [1, 2, 3, 4, 5] and more.epochs == 3 and not more.stopped


def test_callback_rejects_bad_redraw_every():
    config = PlaygroundConfig()
    with pytest.raises(ValueError, match="Received: redraw_every=0"):
        playground.PlaygroundCallback(playground.make_data(config), config, redraw_every=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "config",
    [
        PlaygroundConfig(),
        PlaygroundConfig(
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
        [sys.executable, str(script), "--epochs", "1"],
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


@pytest.mark.parametrize("dataset", ["circles", "xor", "gaussian", "spiral", "moons"])
def test_exported_generator_draws_the_same_points(dataset):
    config = PlaygroundConfig(dataset=dataset, noise=0.2, n_samples=60, seed=5)
    namespace = {"__name__": "exported"}
    exec(compile(playground.export_code(config), "exported", "exec"), namespace)
    points, labels = namespace["make_points"]()
    data = playground.make_data(config)
    expected_points = np.concatenate([data.points_train, data.points_test])
    expected_labels = np.concatenate([data.y_train, data.y_test])
    order = np.lexsort(points.T)
    expected_order = np.lexsort(expected_points.T)
    np.testing.assert_allclose(points[order], expected_points[expected_order], atol=1e-6)
    np.testing.assert_array_equal(labels[order], expected_labels[expected_order])


def test_export_code_rejects_invalid_config():
    with pytest.raises(ValueError, match="Unknown activation"):
        playground.export_code(PlaygroundConfig(activation="cube"))


def test_early_stopping_keeps_the_epoch_with_the_lowest_test_loss():
    # A large learning rate on a tiny set overfits fast, so the test loss turns up.
    config = PlaygroundConfig(
        dataset="spiral", noise=0.3, n_samples=60, hidden_layers=(32, 32), learning_rate=0.1
    )
    data = playground.make_data(config)
    model = playground.build_model(config)
    result = playground.train(model, data, config, epochs=300, patience=5)
    assert result.stopped_early and result.epochs < 300
    history = result.history
    assert result.best_epoch == history.epoch[int(np.argmin(history.test_loss))]
    assert result.epochs == result.best_epoch + 5
    probabilities = model(data.x_test, training=False).numpy()
    kept_loss = -np.log(probabilities[np.arange(len(data.y_test)), data.y_test]).mean()
    assert kept_loss == pytest.approx(min(history.test_loss), rel=1e-4)


def test_patience_must_be_a_positive_count():
    config = PlaygroundConfig()
    with pytest.raises(ValueError, match="Received: patience=0"):
        playground.PlaygroundCallback(playground.make_data(config), config, patience=0)


def test_a_network_with_no_hidden_layer_trains_and_draws_its_boundary():
    config = PlaygroundConfig(hidden_layers=())
    data = playground.make_data(config)
    updates = []
    playground.train(
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
