"""Tests for dlcore.trainers.residual: config checks, data, the side-by-side model, gradient norms,
training (residual beats plain at depth 30), export; and dlcore.figures.residual."""

import dataclasses
import math
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import run_python

from dlcore.figures import residual as residual_figures
from dlcore.figures.style import human_label
from dlcore.trainers import residual
from dlcore.trainers.residual import Config
from dlcore.training import layers
from dlcore.training.saving import model_from_bytes, model_to_bytes

# Small enough to train in seconds; depth 30 is the comparison the page is about.
DEEP = Config(
    dataset="spiral", depth=30, width=16, variants=("plain", "residual"), learning_rate=0.003
)
DEEP_EPOCHS = 15


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"dataset": "mnist"}, "Unknown dataset.*Received: dataset='mnist'"),
        ({"depth": 0}, "depth.*Received: depth=0"),
        ({"depth": residual.MAX_DEPTH + 1}, f"from 1 to {residual.MAX_DEPTH}"),
        ({"width": 0}, "passes nothing on.*Received: width=0"),
        ({"activation": "cube"}, "Unknown activation.*Received: activation='cube'"),
        ({"variants": ()}, "at least one network.*Received: variants=\\(\\)"),
        ({"variants": ("plain", "dense")}, "Unknown variant 'dense'"),
        ({"variants": ("plain", "plain")}, "once"),
        ({"learning_rate": 0.0}, "learning_rate.*Received: learning_rate=0.0"),
        ({"learning_rate": math.nan}, "learning_rate"),
        ({"batch_size": 0}, "batch_size.*Received: batch_size=0"),
        ({"batch_size": 1}, "Batch norm needs at least 2 samples.*batch_size=1"),
        ({"seed": 1.5}, "seed.*Received: seed=1.5"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_default_config_is_valid_and_frozen_and_batch_of_one_works_without_batch_norm():
    config = Config()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.depth = 3  # type: ignore[misc]
    Config(batch_size=1, variants=("plain", "residual")).validate()


@pytest.mark.parametrize(
    ("dataset", "n_train", "n_features", "n_classes"),
    [("spiral", 300, 2, 2), ("digits", 1077, 64, 10)],
)
def test_load_data_shapes_ranges_and_seed(dataset, n_train, n_features, n_classes):
    data = residual.load_data(Config(dataset=dataset))
    assert data.x_train.shape == (n_train, n_features), "x_train shape mismatch"
    n_held_out = {"spiral": 100, "digits": 360}[dataset]
    assert data.x_val.shape == data.x_test.shape == (n_held_out, n_features)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert len(data.labels) == n_classes
    counts = np.bincount(data.y_val, minlength=n_classes)
    assert counts.max() - counts.min() <= 2, "the validation part is stratified"
    assert data.preprocessing == (residual.DIGITS_PREPROCESSING if dataset == "digits" else {})
    assert np.abs(data.x_train).max() <= (1.0 if dataset == "digits" else 1.2)
    counts = np.bincount(data.y_test, minlength=n_classes)
    assert counts.max() - counts.min() <= 2, "the split is stratified"
    again = residual.load_data(Config(dataset=dataset))
    np.testing.assert_array_equal(again.x_test, data.x_test)


def test_model_layers_shapes_and_same_starting_kernels():
    config = Config(depth=4, width=8)
    model = residual.build_model(config)
    assert [layer.name for layer in model.layers] == [
        "features",
        "layer_1",
        "hidden",
        "final_norm",
        "final_activation",
        "logits",
    ]
    assert model.output_shape == (None, 4, 10)
    hidden = model.get_layer("hidden").kernel.numpy()
    assert hidden.shape == (3, 4, 8, 8)
    for variant in range(1, 4):
        np.testing.assert_array_equal(hidden[:, variant], hidden[:, 0])
    # Hidden layer k (from 1) starts as a Dense layer seeded with seed + k - 1 would.
    dense = keras.layers.Dense(8, kernel_initializer=keras.initializers.GlorotUniform(seed=2))
    dense.build((None, 8))
    np.testing.assert_allclose(hidden[1, 0], dense.kernel.numpy())
    assert not np.allclose(hidden[0, 0], hidden[1, 0])
    other_seed = residual.build_model(Config(depth=4, width=8, seed=1))
    assert not np.allclose(other_seed.get_layer("hidden").kernel.numpy(), hidden)


def _reference_forward(model, config, features):
    """The formulas of the module docstring in NumPy, in inference mode."""
    weights = {layer.name: layer for layer in model.layers}
    first = weights["layer_1"]
    stack = weights["hidden"]
    norm = weights["final_norm"]
    head = weights["logits"]
    activation = {"relu": lambda x: np.maximum(x, 0.0), "tanh": np.tanh}[config.activation]

    def batch_norm(x, mean, variance, gamma, beta):
        return (x - mean) / np.sqrt(variance + 1e-3) * gamma + beta

    logits = []
    for v, name in enumerate(config.variants):
        x = features @ first.kernel.numpy()[v] + first.bias.numpy()[v]
        for k in range(config.depth - 1):
            z = x
            if name.endswith("_bn"):
                z = batch_norm(
                    x,
                    stack.moving_mean.numpy()[k, v],
                    stack.moving_variance.numpy()[k, v],
                    stack.gamma.numpy()[k, v],
                    stack.beta.numpy()[k, v],
                )
            h = activation(z) @ stack.kernel.numpy()[k, v] + stack.bias.numpy()[k, v]
            x = x + h if name.startswith("residual") else h
        if name.endswith("_bn"):
            x = batch_norm(
                x,
                norm.moving_mean.numpy()[v],
                norm.moving_variance.numpy()[v],
                norm.gamma.numpy()[v],
                norm.beta.numpy()[v],
            )
        logits.append(activation(x) @ head.kernel.numpy()[v] + head.bias.numpy()[v])
    return np.stack(logits, axis=1)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_model_computes_the_four_formulas_after_training(activation):
    config = Config(dataset="spiral", depth=4, width=6, activation=activation)
    model = residual.build_model(config)
    data = residual.load_data(config)
    residual.fit(model, data, config, epochs=2)  # moves every weight and statistic
    features = data.x_test[:16]
    expected = _reference_forward(model, config, features)
    np.testing.assert_allclose(model(features), expected, rtol=1e-4, atol=1e-4)
    probabilities = residual.variant_model(model, "residual_bn")(features)
    np.testing.assert_allclose(
        probabilities, tf.nn.softmax(expected[:, 3]).numpy(), rtol=1e-4, atol=1e-5
    )


def test_a_variant_learns_the_same_alone_as_side_by_side():
    together = Config(dataset="spiral", depth=5, width=8, variants=("plain_bn", "residual"))
    alone = Config(dataset="spiral", depth=5, width=8, variants=("residual",))
    data = residual.load_data(together)
    models = [residual.build_model(config) for config in (together, alone)]
    for model, config in zip(models, (together, alone), strict=True):
        residual.fit(model, data, config, epochs=2)
    np.testing.assert_allclose(
        models[0](data.x_test)[:, 1], models[1](data.x_test)[:, 0], rtol=1e-4, atol=1e-5
    )


def test_a_digits_variant_takes_images_as_the_image_page_prepares_them():
    config = Config(depth=2, width=8, variants=("plain", "residual_bn"))
    model = residual.build_model(config)
    data = residual.load_data(config)
    images = data.x_test[:5].reshape(-1, 8, 8, 1)
    assert residual.DIGITS_PREPROCESSING["image_size"] == images.shape[1:3]
    classifier = residual.variant_model(model, "residual_bn", image_shape=(8, 8, 1))
    assert classifier.input_shape == (None, 8, 8, 1) and classifier.output_shape == (None, 10)
    np.testing.assert_allclose(
        classifier(images), residual.variant_model(model, "residual_bn")(data.x_test[:5])
    )
    with pytest.raises(
        ValueError, match=r"compares plain, residual_bn\. Received: variant='residual'"
    ):
        residual.variant_model(model, "residual")
    with pytest.raises(ValueError, match="takes 64 values per sample"):
        residual.variant_model(model, "plain", image_shape=(4, 4, 1))


def test_gradient_norms_match_a_direct_gradient_tape_and_leave_statistics_alone():
    config = Config(dataset="spiral", depth=6, width=8)
    model = residual.build_model(config)
    data = residual.load_data(config)
    batch = (data.x_train[:64], data.y_train[:64])
    statistics = [variable.numpy() for variable in model.non_trainable_variables]
    norms = residual.gradient_norms(model, batch)
    for before, variable in zip(statistics, model.non_trainable_variables, strict=True):
        np.testing.assert_array_equal(before, variable.numpy())
    assert list(norms) == list(config.variants)
    names = ["layer_1", "layer_2", "layer_3", "layer_4", "layer_5", "layer_6", "output"]
    kernels = [model.get_layer(name).kernel for name in ("layer_1", "hidden", "logits")]
    for index, variant in enumerate(config.variants):
        assert list(norms[variant]) == names
        with tf.GradientTape() as tape:
            logits = model(batch[0], training=True)[:, index]
            loss = tf.reduce_mean(
                keras.losses.sparse_categorical_crossentropy(batch[1], logits, from_logits=True)
            )
        first, hidden, head = tape.gradient(loss, kernels)
        expected = [
            np.linalg.norm(first[index]),
            *(np.linalg.norm(hidden[k, index]) for k in range(5)),
            np.linalg.norm(head[index]),
        ]
        np.testing.assert_allclose(list(norms[variant].values()), expected, rtol=1e-4)


@pytest.fixture(scope="module")
def deep_run():
    """Plain and residual at depth 30, trained together once for the tests below."""
    data = residual.load_data(DEEP)
    model = residual.build_model(DEEP)
    reports = []
    result = residual.fit(model, data, DEEP, epochs=DEEP_EPOCHS, on_epoch=reports.append)
    return model, data, result, reports


def test_at_depth_30_the_residual_network_ends_with_a_lower_loss(deep_run):
    _, _, result, _ = deep_run
    plain = result.history.variant("plain")
    skip = result.history.variant("residual")
    assert set(plain) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(skip["loss"]) == DEEP_EPOCHS
    assert skip["loss"][-1] < plain["loss"][-1] - 0.1, (plain["loss"], skip["loss"])
    assert skip["val_accuracy"][-1] > plain["val_accuracy"][-1]


def test_the_plain_stacks_gradient_vanishes_towards_the_input(deep_run):
    _, _, _, reports = deep_run
    norms = reports[0].gradient_norms
    plain = list(norms["plain"].values())
    skip = list(norms["residual"].values())
    assert len(plain) == DEEP.depth + 1
    assert plain[0] < 1e-3 * plain[-1], "30 plain layers shrink the gradient a thousandfold"
    assert skip[0] > 1e-2 * skip[-1], "the skips carry it back to the first layer"


def test_reports_come_every_epoch_with_weights_that_restore_the_model(deep_run):
    model, data, result, reports = deep_run
    assert [report.epoch for report in reports] == list(range(1, DEEP_EPOCHS + 1))
    assert all(report.final_epoch == DEEP_EPOCHS for report in reports)
    assert reports[-1].history is result.history
    clone = residual.build_model(DEEP)
    clone.set_weights(reports[-1].weights)
    np.testing.assert_allclose(clone(data.x_test), model(data.x_test), rtol=1e-5, atol=1e-6)


def test_stop_ends_after_the_epoch_and_training_continues_the_history():
    config = Config(dataset="spiral", depth=3, width=8, variants=("residual",))
    data = residual.load_data(config)
    model = residual.build_model(config)
    asked = []
    result = residual.fit(
        model, data, config, epochs=20, stop=lambda: asked.append(1) or len(asked) >= 2
    )
    assert result.epochs_run == 2 and result.stopped
    more = residual.fit(model, data, config, epochs=3, history=result.history)
    assert more.history.epochs == [1, 2, 3, 4, 5]


def test_a_trained_variant_saves_and_loads_as_a_classifier(deep_run):
    model, data, _, _ = deep_run
    classifier = residual.variant_model(model, "residual")
    loaded = model_from_bytes(model_to_bytes(classifier))
    np.testing.assert_allclose(loaded(data.x_test), classifier(data.x_test), rtol=1e-5)
    whole = model_from_bytes(model_to_bytes(model))
    np.testing.assert_allclose(whole(data.x_test), model(data.x_test), rtol=1e-5)


def test_exported_code_builds_the_same_data_and_model():
    config = Config(dataset="spiral", depth=4, width=8, seed=3)
    namespace = {"__name__": "exported"}
    exec(compile(residual.export_code(config), "exported", "exec"), namespace)
    exported_parts = namespace["load_data"]()
    data = residual.load_data(config)
    for exported, ours in zip(
        exported_parts,
        (data.x_train, data.x_val, data.x_test, data.y_train, data.y_val, data.y_test),
        strict=True,
    ):
        np.testing.assert_array_equal(exported, ours)
    exported = namespace["build_model"]()
    model = residual.build_model(config)
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.slow
def test_exported_code_runs_on_its_own(tmp_path):
    config = Config(depth=8, width=16)
    code = residual.export_code(config)
    assert "dlcore" not in code.replace('package="dlcore"', "")
    script = tmp_path / "residual_model.py"
    script.write_text(code)
    completed = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", "model.keras"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    for variant in config.variants:
        match = re.search(
            rf"^{variant} \(.*\): test loss (\S+), test accuracy (\S+)$",
            completed.stdout,
            re.MULTILINE,
        )
        assert match, completed.stdout[-2000:]
        assert 0 <= float(match.group(2)) <= 1
    assert "val_residual_accuracy" in completed.stdout, "the script watches validation"
    assert (tmp_path / "model.keras").stat().st_size > 0


def test_curves_figure_draws_every_variant_and_metric(deep_run):
    _, _, result, _ = deep_run
    curves = {name: result.history.variant(name) for name in DEEP.variants}
    figure = residual_figures.curves_figure(result.history.epochs, curves)
    lines = [trace for trace in figure.data if trace.showlegend is False]
    assert len(lines) == 8
    # The legend names each network once and each line style once, with no data of its own.
    keys = [trace.name for trace in figure.data if trace.showlegend is not False]
    titles = [residual_figures.VARIANT_TITLES[name] for name in curves]
    assert keys == [*titles, "training", "validation"]
    loss = next(trace for trace in figure.data if trace.name == "residual (training)")
    np.testing.assert_allclose(loss.y, curves["residual"]["loss"])
    accuracy = [trace for trace in figure.data if trace.name == "plain (validation)"][1]
    np.testing.assert_allclose(accuracy.y, 100 * np.asarray(curves["plain"]["val_accuracy"]))
    assert figure.layout.yaxis.type == "log"
    with pytest.raises(ValueError, match="one value per epoch"):
        residual_figures.curves_figure([1, 2], {"plain": {"loss": [0.5]}})


def test_gradient_norms_figure_draws_one_line_per_variant_on_a_log_axis(deep_run):
    _, _, _, reports = deep_run
    norms = reports[-1].gradient_norms
    figure = residual_figures.gradient_norms_figure(norms, epoch=reports[-1].epoch)
    assert [trace.name for trace in figure.data] == ["plain", "residual"]
    # Layers are numbered from the input, and named in the hover.
    assert list(figure.data[1].x) == list(range(1, len(norms["residual"]) + 1))
    assert list(figure.data[1].customdata) == [human_label(name) for name in norms["residual"]]
    np.testing.assert_allclose(figure.data[1].y, list(norms["residual"].values()))
    assert figure.layout.yaxis.type == "log"
    assert f"epoch {DEEP_EPOCHS}" in figure.layout.title.text


def test_evaluate_scores_every_variant_on_the_test_part_once(deep_run):
    model, data, result, _ = deep_run
    scores = residual.evaluate(model, data)
    assert set(scores) == {
        "test_loss",
        *(f"test_{name}_{kind}" for name in DEEP.variants for kind in ("loss", "accuracy")),
    }
    probabilities = residual.variant_model(model, "residual")(data.x_test).numpy()
    accuracy = np.mean(probabilities.argmax(axis=1) == data.y_test)
    assert scores["test_residual_accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert not any(name.startswith("test_") for name in result.history.metrics)


def test_fit_never_looks_at_the_test_part():
    config = Config(dataset="spiral", depth=3, width=8, variants=("plain", "residual_bn"))
    data = residual.load_data(config)
    # Test samples that are not numbers would spoil any metric that read them.
    blind = dataclasses.replace(data, x_test=np.full_like(data.x_test, np.nan))
    result = residual.fit(residual.build_model(config, data), blind, config, epochs=2)
    assert all(np.isfinite(values).all() for values in result.history.metrics.values())


def test_early_stopping_watches_the_validation_loss():
    config = Config(dataset="spiral", depth=3, width=8, variants=("residual",), learning_rate=0.03)
    data = residual.load_data(config)
    model = residual.build_model(config, data)
    result = residual.fit(model, data, config, epochs=60, patience=2)
    assert result.best_epoch == result.history.best("val_loss")
    if result.stopped_early:
        assert result.epochs_run < 60


def test_the_layers_are_registered_where_import_dlcore_finds_them(tmp_path):
    # The bug this fixed: the page's .keras could not be loaded in a fresh Python
    # ("Could not locate class 'VariantDense'").
    config = Config(dataset="spiral", depth=3, width=8, variants=("plain", "residual_bn"))
    model = residual.build_model(config)
    for name in ("VariantDense", "VariantNorm", "VariantStack", "VariantMetric"):
        assert hasattr(layers, name), name
    path = tmp_path / "side_by_side.keras"
    path.write_bytes(model_to_bytes(model))
    sample = np.asarray(residual.load_data(config).x_test[:3])
    np.save(tmp_path / "sample.npy", sample)
    predicted = run_python(
        f"""
        import json
        import dlcore
        import keras
        import numpy as np
        model = keras.saving.load_model({str(path)!r})
        print(json.dumps(np.asarray(model(np.load({str(tmp_path / "sample.npy")!r}))).tolist()))
        """
    )
    np.testing.assert_allclose(predicted, model(sample), rtol=1e-5, atol=1e-6)
