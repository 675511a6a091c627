"""Tests for dlcore.trainers.overfitting: the settings, the digits split for every network,
the networks side by side, their training and early stopping, the gaps, and Export."""

import dataclasses
import json

import numpy as np
import pytest
from helpers import run_python

from dlcore.trainers import overfitting
from dlcore.trainers.overfitting import Config
from dlcore.training.history import History

TINY = Config(n_train=30, width=16, more_data=2, batch_size=16)
"""Quick to build and train: what the shape and plumbing tests use."""


@pytest.fixture(scope="module")
def tiny():
    data = overfitting.load_data(TINY)
    return data, overfitting.build_model(TINY, data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"remedies": ()}, "Choose at least one remedy"),
        ({"remedies": ("dropout", "pruning")}, "Unknown remedy 'pruning'"),
        ({"n_train": 5}, "must be an integer of at least 10 digits"),
        ({"dropout": 1.0}, "The dropout rate must be a number from 0 to 0.9"),
        ({"l2": 0.0}, "The L2 strength must be a finite number above 0"),
        ({"augmentation": ("flip",)}, "Unknown augmentation 'flip'"),
        ({"patience": 0}, "The patience must be an integer of at least 1 epochs"),
        ({"more_data": 1}, "The more-data factor must be an integer from 2 to 10"),
        ({"n_train": 300, "more_data": 4}, "the more-data network needs 1200"),
        ({"n_train": 1200, "remedies": ("dropout",)}, "the small set needs 1200"),
    ],
)
def test_an_impossible_setting_is_refused_with_the_house_message(changes, message):
    with pytest.raises(ValueError, match=message) as refused:
        Config(**changes).validate()
    assert "Received:" in str(refused.value)


def test_the_default_config_is_valid_and_trains_the_baseline_beside_every_remedy():
    config = Config().validate()
    assert config.variants == ("baseline", *overfitting.REMEDIES)
    # The page's order, whatever order the remedies were chosen in.
    assert Config(remedies=("more_data", "l2")).variants == ("baseline", "l2", "more_data")


def test_balanced_order_takes_every_class_in_turn():
    labels = np.repeat(np.arange(4), [10, 10, 10, 3])
    order = overfitting.balanced_order(labels, seed=1)
    assert sorted(order.tolist()) == list(range(len(labels)))
    assert np.bincount(labels[order[:12]], minlength=4).tolist() == [3, 3, 3, 3]
    # Once the small class runs out, the others go on in turn.
    assert np.bincount(labels[order[:21]], minlength=4).tolist() == [6, 6, 6, 3]


def test_the_small_set_is_balanced_and_begins_the_larger_one():
    data = overfitting.load_data(Config(n_train=50, more_data=4))
    assert data.x_train.shape == (50, 8, 8, 1) and data.x_more.shape == (200, 8, 8, 1)
    assert np.bincount(data.y_train).tolist() == [5] * 10
    np.testing.assert_array_equal(data.x_more[:50], data.x_train)
    assert data.labels == tuple("0123456789") and data.preprocessing["image_size"] == (8, 8)


def test_every_setting_keeps_the_same_validation_and_test_digits():
    small = overfitting.load_data(Config(n_train=30, remedies=("dropout",)))
    large = overfitting.load_data(Config(n_train=200, more_data=5))
    np.testing.assert_array_equal(small.x_val, large.x_val)
    np.testing.assert_array_equal(small.y_test, large.y_test)
    # No training digit is a validation or test digit: the pool is what the split left.
    flat = {image.tobytes() for image in large.x_more}
    held_out = {image.tobytes() for image in np.concatenate([large.x_val, large.x_test])}
    assert len(large.x_more) - len(flat) < 5, "the digits set has a few duplicate images"
    assert len(flat & held_out) < 5


def test_the_networks_sit_side_by_side_from_the_same_starting_weights(tiny):
    data, model = tiny
    variants = overfitting.model_variants(model)
    assert variants == TINY.variants
    assert model.output_shape == (None, len(variants), 10)
    kernels = [
        model.get_layer(name).get_layer(layer).get_weights()[0]
        for name in variants
        for layer in ("hidden_1", "hidden_2", "probabilities")
    ]
    for index, kernel in enumerate(kernels):
        np.testing.assert_array_equal(kernel, kernels[index % 3])
    probabilities = np.asarray(model(data.x_test[:4], training=False))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)


def test_each_network_carries_its_own_remedy(tiny):
    model = tiny[1]
    layers = {
        name: {layer.name for layer in model.get_layer(name).layers}
        for name in overfitting.model_variants(model)
    }
    assert {"dropout_1", "dropout_2"} <= layers["dropout"]
    assert {"shift", "rotate"} <= layers["augmentation"]
    assert layers["baseline"] == layers["early_stopping"] == layers["more_data"]
    assert model.get_layer("l2").get_layer("hidden_1").kernel_regularizer is not None
    assert model.get_layer("baseline").get_layer("hidden_1").kernel_regularizer is None


def test_a_network_of_the_lab_classifies_images_as_the_try_it_page_gives_them(tiny):
    model = tiny[1]
    network = overfitting.variant_model(model, "more_data")
    assert network.input_shape == (None, 8, 8, 1) and network.output_shape == (None, 10)
    with pytest.raises(ValueError, match="holds the networks baseline"):
        overfitting.variant_model(model, "residual")


def test_variant_scores_are_the_cross_entropy_and_the_accuracy_of_each_network():
    probabilities = np.array([[[0.7, 0.3], [0.2, 0.8]], [[0.4, 0.6], [0.5, 0.5]]])
    scores = overfitting.variant_scores(probabilities, np.array([0, 1]), ("a", "b"))
    assert scores["a"] == pytest.approx((-(np.log(0.7) + np.log(0.6)) / 2, 1.0))
    # "b" reads sample 1 as 50 / 50: argmax takes the first class, a mistake.
    assert scores["b"] == pytest.approx((-(np.log(0.2) + np.log(0.5)) / 2, 0.0))


def test_evaluate_names_a_test_score_per_network(tiny):
    data, model = tiny
    scores = overfitting.evaluate(model, data)
    assert set(scores) == {
        f"test_{name}_{metric}" for name in TINY.variants for metric in ("loss", "accuracy")
    }
    assert all(0 <= scores[f"test_{name}_accuracy"] <= 1 for name in TINY.variants)


class FakeNetwork:
    """Weights that a test sets by hand, as early stopping sees a Keras model."""

    def __init__(self):
        self.weights = [np.zeros(1)]

    def get_weights(self):
        return [weight.copy() for weight in self.weights]

    def set_weights(self, weights):
        self.weights = [weight.copy() for weight in weights]


def test_early_stop_waits_patience_epochs_then_takes_back_the_best_weights():
    network = FakeNetwork()
    watch = overfitting.EarlyStop(network, patience=2)
    stopped = []
    for epoch, loss in enumerate([0.9, 0.5, 0.6, 0.55], start=1):
        network.weights = [np.full(1, epoch)]
        stopped.append(watch.update(epoch, loss))
    # 0.55 is no better than epoch 2's 0.5: two epochs without improvement.
    assert stopped == [False, False, False, True]
    assert watch.best_epoch == 2 and watch.stopped_epoch == 4
    assert network.weights[0][0] == 2, "the best epoch's weights are back"


def test_fit_records_every_network_with_keras_names_and_asks_stop(tiny):
    data, model = tiny
    asked = []
    reports = []
    result = overfitting.fit(
        model,
        data,
        TINY,
        epochs=3,
        on_epoch=reports.append,
        stop=lambda: asked.append(True) or len(asked) == 2,
    )
    history = result.history
    assert result.stopped and result.epochs_run == 2 and history.epochs == [1, 2]
    assert [report.epoch for report in reports] == [1, 2] and reports[0].final_epoch == 3
    for name in TINY.variants:
        assert set(history.variant(name)) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.metrics["loss"] == history.metrics["baseline_loss"]
    assert not any(name.startswith("test_") for name in history.metrics)


def test_a_network_whose_curves_ended_stays_stopped_when_training_goes_on(tiny):
    data, model = tiny
    history = overfitting.fit(model, data, TINY, epochs=1).history
    # As if early stopping had ended that network after epoch 1.
    history.append(2, {k: v[-1] for k, v in history.metrics.items() if "early" not in k})
    result = overfitting.fit(model, data, TINY, epochs=1, history=history)
    assert result.history.epochs == [1, 2, 3]
    assert len(result.history.metrics["val_early_stopping_loss"]) == 1
    assert len(result.history.metrics["val_more_data_loss"]) == 3


@pytest.mark.parametrize("options", [{"epochs": 0}, {"epochs": 1, "patience": 0}])
def test_fit_refuses_no_epochs_and_no_patience(tiny, options):
    data, model = tiny
    with pytest.raises(ValueError, match="at least 1"):
        overfitting.fit(model, data, TINY, **options)


def handmade_history():
    """Two networks over 4 epochs: the baseline's gap opens, "l2"'s stays smaller, and
    "early_stopping" stopped after epoch 3 with its best at epoch 2."""
    history = History()
    curves = {
        "baseline": ([0.5, 0.2, 0.1, 0.0], [0.6, 0.4, 0.4, 0.5]),
        "l2": ([0.6, 0.3, 0.2, 0.2], [0.6, 0.4, 0.35, 0.3]),
        "early_stopping": ([0.5, 0.2, 0.1], [0.6, 0.35, 0.4]),
    }
    for index in range(4):
        logs = {}
        for name, (train, validation) in curves.items():
            if index < len(train):
                logs[f"{name}_loss"], logs[f"val_{name}_loss"] = train[index], validation[index]
                logs[f"{name}_accuracy"] = 1 - train[index]
                logs[f"val_{name}_accuracy"] = 1 - validation[index]
        history.append(index + 1, logs)
    return history


def test_gaps_are_read_at_the_weights_each_network_keeps():
    found = overfitting.gaps(handmade_history(), ("baseline", "l2", "early_stopping"))
    assert found["baseline"].epoch == 4 and found["baseline"].gap == pytest.approx(0.5)
    assert found["l2"].gap == pytest.approx(0.1)
    # It stopped after epoch 3 and kept epoch 2's weights.
    assert found["early_stopping"] == overfitting.Gap(2, 0.2, 0.35, pytest.approx(0.15))
    accuracy = overfitting.gaps(handmade_history(), ("baseline",), metric="accuracy")
    assert accuracy["baseline"].gap == pytest.approx(0.5)
    assert overfitting.stopping(handmade_history()) == overfitting.Stopping(2, 3)
    with pytest.raises(ValueError, match="Unknown metric"):
        overfitting.gaps(handmade_history(), ("baseline",), metric="f1")


def test_the_note_names_the_remedy_that_closed_the_gap_most():
    found = overfitting.gaps(handmade_history(), ("baseline", "l2", "early_stopping"))
    assert overfitting.closest_gap(found) == "l2"
    note = overfitting.gap_note(found, {"l2": "L2"})
    assert note.startswith("**L2** closed the gap most: 0.100")
    assert "against 0.500 for the baseline" in note
    worse = {**found, "l2": dataclasses.replace(found["l2"], gap=0.9)}
    worse.pop("early_stopping")
    assert overfitting.closest_gap(worse) is None
    assert overfitting.gap_note(worse, {}).startswith("No remedy closed the gap")
    level = {name: dataclasses.replace(gap, gap=-0.01) for name, gap in found.items()}
    assert "has not overfitted yet" in overfitting.gap_note(level, {})


@pytest.mark.slow
def test_the_big_network_memorises_the_small_set_and_more_data_closes_the_gap():
    config = Config(
        n_train=50,
        width=128,
        remedies=("dropout", "l2", "early_stopping", "more_data"),
        patience=3,
        learning_rate=0.003,
    )
    data = overfitting.load_data(config)
    model = overfitting.build_model(config, data)
    history = overfitting.fit(model, data, config, epochs=40).history
    found = overfitting.gaps(history, config.variants, metric="accuracy")
    baseline = found["baseline"]
    assert baseline.train == 1.0, "50 digits, 25,000 weights: learnt by heart"
    assert baseline.gap > 0.05, baseline
    assert found["more_data"].gap < baseline.gap
    assert found["more_data"].validation > baseline.validation
    # Dropout and L2 keep the network from driving its training loss to 0.
    losses = overfitting.gaps(history, config.variants, metric="loss")
    assert losses["dropout"].train > losses["baseline"].train
    assert losses["l2"].train > losses["baseline"].train
    # Early stopping stopped on its own and holds its best epoch's weights.
    stop = overfitting.stopping(history)
    assert stop.stopped_epoch is not None and stop.stopped_epoch < 40
    now = overfitting.measure(model, data, ("early_stopping",))["val_early_stopping_loss"]
    best = history.metrics["val_early_stopping_loss"][stop.best_epoch - 1]
    assert now == pytest.approx(best, rel=1e-5)


def test_the_exported_script_defines_the_same_networks():
    script = overfitting.export_code(TINY, epochs=3)
    compile(script, "script.py", "exec")
    assert "def build_network(" in script and "def balanced_order(" in script
    assert "    'baseline': {},\n    'dropout': {'dropout': 0.5}," in script
    assert "N_TRAIN = 30" in script
    assert "EarlyStopping(patience=patience, restore_best_weights=True)" in script
    with pytest.raises(ValueError, match="at least one epoch"):
        overfitting.export_code(TINY, epochs=0)


@pytest.mark.slow
def test_the_exported_script_trains_scores_once_and_saves_a_lab(tmp_path):
    (tmp_path / "script.py").write_text(overfitting.export_code(TINY, epochs=2))
    lab = tmp_path / "lab.keras"
    printed = run_python(
        f"""
import contextlib, io, json, runpy, sys
sys.argv = ["script.py", "--output", {str(lab)!r}]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    runpy.run_path({str(tmp_path / "script.py")!r}, run_name="__main__")
import keras
model = keras.saving.load_model({str(lab)!r})
print(json.dumps({{"out": out.getvalue(), "shape": list(model.output_shape[1:])}}))
""",
        timeout=300,
    )
    assert printed["shape"] == [len(TINY.variants), 10]
    for name in TINY.variants:
        assert f"{name}: test accuracy" in printed["out"]
    assert json.dumps(printed)  # plain values only
