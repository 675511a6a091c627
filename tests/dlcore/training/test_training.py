"""Tests of dlcore.training.fit: live reports, continuing, early stopping, saving, fit_split."""

import types

import keras
import numpy as np
import pytest

from dlcore.data.split import SplitData
from dlcore.training import evaluation, saving
from dlcore.training import fit as training
from dlcore.training.history import History


def blobs(n_samples: int = 240, seed: int = 0):
    """Two well-separated 2-D blobs: class = which side of the origin."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n_samples)
    points = rng.normal(size=(n_samples, 2)).astype("float32") * 0.5
    points[:, 0] += np.where(labels == 1, 2.0, -2.0)
    return points, labels


def small_model(seed: int = 0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=4,
    )
    return model


def test_validation_metrics_equal_keras_evaluate_over_several_chunks():
    points, labels = blobs(n_samples=200 + 2 * training.VALIDATION_CHUNK + 37)
    model = small_model()
    result = training.fit_live(
        model, (points[:200], labels[:200]), (points[200:], labels[200:]), epochs=2, batch_size=20
    )
    measured = model.evaluate(
        points[200:], labels[200:], batch_size=64, return_dict=True, verbose=0
    )
    assert result.history.last("val_loss") == pytest.approx(measured["loss"], rel=1e-5)
    assert result.history.last("val_accuracy") == pytest.approx(measured["accuracy"])
    # The training metrics stay those of the training batches.
    assert result.history.last("loss") != pytest.approx(measured["loss"], rel=1e-3)


def test_every_epoch_is_reported_with_its_weights_and_history():
    points, labels = blobs()
    model = small_model()
    reports = []
    result = training.fit_live(
        model,
        (points[:200], labels[:200]),
        (points[200:], labels[200:]),
        epochs=5,
        batch_size=20,
        on_epoch=reports.append,
    )
    assert [report.epoch for report in reports] == [1, 2, 3, 4, 5]
    assert all(report.final_epoch == 5 for report in reports)
    assert result.history.epochs == [1, 2, 3, 4, 5] and result.epochs_run == 5
    assert set(result.history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result.history.last("val_accuracy") > 0.95
    assert reports[-1].logs["val_accuracy"] == pytest.approx(result.history.last("val_accuracy"))
    # Each report's weights are a copy taken at that epoch's end.
    for got, now in zip(reports[-1].weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, now)
    assert not np.array_equal(reports[0].weights[0], reports[-1].weights[0])


def test_restoring_an_epochs_weights_gives_back_that_epochs_model():
    points, labels = blobs()
    model = small_model()
    reports = []
    training.fit_live(model, (points, labels), epochs=3, batch_size=20, on_epoch=reports.append)
    expected = model.predict(points, verbose=0)
    training.fit_live(model, (points, labels), epochs=2, batch_size=20)
    training.restore_weights(model, reports[-1].weights)
    np.testing.assert_allclose(model.predict(points, verbose=0), expected, rtol=1e-6)


def test_a_run_continues_the_history_it_is_given():
    points, labels = blobs()
    model = small_model()
    first = training.fit_live(model, (points, labels), epochs=2, batch_size=20)
    reports = []
    second = training.fit_live(
        model,
        (points, labels),
        epochs=3,
        batch_size=20,
        history=first.history,
        on_epoch=reports.append,
    )
    assert second.history is first.history
    assert second.history.epochs == [1, 2, 3, 4, 5] and second.epochs_run == 3
    assert [report.epoch for report in reports] == [3, 4, 5]
    assert len(second.history.metrics["loss"]) == 5


def test_the_same_seed_trains_the_same_model():
    points, labels = blobs()
    losses = []
    for _ in range(2):
        result = training.fit_live(small_model(), (points, labels), epochs=2, batch_size=16)
        losses.append(result.history.metrics["loss"])
    assert losses[0] == losses[1]


def test_early_stopping_keeps_the_best_epoch():
    points, labels = blobs()
    rng = np.random.default_rng(1)
    noisy_labels = rng.integers(0, 2, 40)  # held-out labels the model cannot learn
    model = small_model()
    result = training.fit_live(
        model,
        (points[:200], labels[:200]),
        (points[200:], noisy_labels),
        epochs=60,
        batch_size=20,
        patience=3,
    )
    assert result.stopped_early and result.epochs_run < 60
    val_losses = result.history.metrics["val_loss"]
    assert result.best_epoch == 1 + int(np.argmin(val_losses))
    assert model.evaluate(points[200:], noisy_labels, verbose=0)[0] == pytest.approx(
        min(val_losses), rel=1e-4
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"epochs": 0}, "must be at least 1"),
        ({"epochs": 2, "batch_size": 0}, "must be at least 1"),
        ({"epochs": 2, "patience": 2}, "Early stopping needs a validation set"),
    ],
)
def test_bad_arguments_are_explained(arguments, message):
    points, labels = blobs(40)
    with pytest.raises(ValueError, match=message):
        training.fit_live(small_model(), (points, labels), **arguments)


def test_an_empty_training_set_is_explained():
    with pytest.raises(ValueError, match="The training set is empty"):
        training.fit_live(small_model(), (np.zeros((0, 2)), np.zeros(0)), epochs=1)


def test_a_model_survives_the_keras_format_and_bad_bytes_are_refused():
    points, labels = blobs(40)
    model = small_model()
    training.fit_live(model, (points, labels), epochs=1, batch_size=20)
    loaded = saving.model_from_bytes(saving.model_to_bytes(model))
    np.testing.assert_allclose(loaded.predict(points, verbose=0), model.predict(points, verbose=0))
    with pytest.raises(ValueError, match=r"not a \.keras model"):
        saving.model_from_bytes(b"not a zip file")


def test_the_summary_names_the_layers_and_counts_the_weights():
    summary = saving.model_summary(small_model())
    assert "dense" in summary and "Total params: 42" in summary


def test_targets_for_several_outputs_count_their_samples_not_their_names():
    points, labels = blobs()
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    outputs = {
        "side": keras.layers.Dense(2, activation="softmax", name="side")(hidden),
        "again": keras.layers.Dense(2, activation="softmax", name="again")(hidden),
    }
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    batches = []
    model_callback = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batches.append(batch)
    )
    training.fit_live(
        model,
        (points, {"side": labels, "again": labels}),
        epochs=1,
        batch_size=40,
        extra_callbacks=[model_callback],
    )
    assert len(batches) == 6  # 240 samples in batches of 40, not 2 names in one batch


def test_stop_ends_the_run_after_the_epoch_it_says_so():
    points, labels = blobs()
    model = small_model()
    asked = []

    def stop() -> bool:
        asked.append(len(asked) + 1)
        return len(asked) == 3

    result = training.fit_live(
        model, (points[:200], labels[:200]), (points[200:], labels[200:]), epochs=10, stop=stop
    )
    assert (result.epochs_run, result.stopped, len(result.history)) == (3, True, 3)


def test_a_stop_that_never_says_so_runs_every_epoch_and_is_not_a_stop():
    points, labels = blobs()
    result = training.fit_live(small_model(), (points, labels), epochs=4, stop=lambda: False)
    assert (result.epochs_run, result.stopped) == (4, False)


def test_the_test_score_is_keras_evaluate_on_the_test_part_named_as_test():
    points, labels = blobs()
    model = small_model()
    training.fit_live(model, (points[:160], labels[:160]), epochs=2)

    class Parts:
        x_test, y_test = points[200:], labels[200:]

    scores = evaluation.test_scores(model, Parts)
    measured = model.evaluate(points[200:], labels[200:], return_dict=True, verbose=0)
    assert set(scores) == {"test_loss", "test_accuracy"}
    assert scores["test_loss"] == pytest.approx(measured["loss"], rel=1e-5)
    assert scores["test_accuracy"] == pytest.approx(measured["accuracy"])


def test_the_best_entry_is_the_lowest_loss_or_the_highest_accuracy():
    history = History(unit="step")
    for step, (loss, accuracy) in enumerate([(0.9, 0.5), (0.4, 0.7), (0.6, 0.8)], start=1):
        history.append(step * 100, {"val_loss": loss, "val_accuracy": accuracy})
    assert history.best("val_loss") == 200
    assert history.best("val_accuracy") == 300
    assert history.best("val_auc") is None
    assert History().best() is None


def split_blobs() -> SplitData:
    points, labels = blobs()
    return SplitData(
        x_train=points[:160],
        y_train=labels[:160],
        x_val=points[160:200],
        y_val=labels[160:200],
        x_test=points[200:],
        y_test=labels[200:],
        labels=("left", "right"),
        preprocessing={},
    )


def test_fit_split_trains_as_fit_live_on_the_training_part_watching_validation():
    data = split_blobs()
    config = types.SimpleNamespace(batch_size=16, seed=3)
    split = training.fit_split(small_model(), data, config, epochs=2)
    live = training.fit_live(
        small_model(), data.train, data.validation, epochs=2, batch_size=16, seed=3
    )
    assert split.history.metrics == live.history.metrics
    assert "val_accuracy" in split.history.metrics


def test_fit_split_can_train_on_other_samples_without_validation():
    data = split_blobs()
    config = types.SimpleNamespace(batch_size=16, seed=3)
    points, labels = data.train
    repeated = (np.tile(points, (2, 1)), np.tile(labels, 2))
    result = training.fit_split(
        small_model(), data, config, epochs=1, train=repeated, validate=False
    )
    assert "val_loss" not in result.history.metrics
    live = training.fit_live(small_model(), repeated, epochs=1, batch_size=16, seed=3)
    assert result.history.metrics == live.history.metrics


def test_fit_split_explains_a_bad_number_of_epochs():
    config = types.SimpleNamespace(batch_size=16, seed=3)
    with pytest.raises(ValueError, match=r"at least one epoch.*epochs=0"):
        training.fit_split(small_model(), split_blobs(), config, epochs=0)


def test_a_test_analysis_reads_the_test_part_with_its_batch_size_and_limit():
    data = split_blobs()
    model = small_model()
    training.fit_live(model, data.train, epochs=1)
    analysis = evaluation.TestAnalysis(batch_size=7, limit=3)
    probabilities = evaluation.predict_proba(model, data.x_test, batch_size=7)
    np.testing.assert_array_equal(analysis.predict_proba(model, data.x_test), probabilities)
    np.testing.assert_array_equal(
        analysis.confusion_matrix(model, data),
        evaluation.confusion_matrix(probabilities, data.y_test),
    )
    for limit in (None, 1):
        mistakes = analysis.misclassified(model, data, limit=limit)
        expected = evaluation.misclassified(probabilities, data.y_test, limit=limit or 3)
        np.testing.assert_array_equal(mistakes.indices, expected.indices)
    with pytest.raises(ValueError, match="limit=-1"):
        analysis.misclassified(model, data, limit=-1)
