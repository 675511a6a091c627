"""Tests for dlcore.trainers.cnn and dlcore.figures.cnn: data, model, training, insides, export."""

import dataclasses
import inspect
import math
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import ROOT
from PIL import Image

from dlcore import preprocess
from dlcore.data import shapes
from dlcore.figures import cnn as cnn_figures
from dlcore.trainers import cnn
from dlcore.trainers.cnn import Config

# Batch norm makes the held-out accuracy settle within a few epochs.
DIGITS_CONFIG = Config(dataset="digits", batch_norm=True)
DIGITS_EPOCHS = 6


@pytest.fixture(scope="module")
def digits():
    """The digits CNN trained once: (config, data, model, fit result)."""
    data = cnn.load_data(DIGITS_CONFIG)
    model = cnn.build_model(DIGITS_CONFIG, data)
    result = cnn.fit(model, data, DIGITS_CONFIG, epochs=DIGITS_EPOCHS)
    return DIGITS_CONFIG, data, model, result


def network(config, n_classes=4):
    """The config's network from the plain builder, uncompiled: no data needed."""
    side = cnn.IMAGE_SIZES[config.dataset]
    shape = (side, side, cnn.CHANNELS[config.dataset])
    return cnn.build_cnn(shape, n_classes, **config.builder_arguments())


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"dataset": "mnist"}, r"Unknown dataset.*Received: dataset='mnist'"),
        ({"n_filters": 0}, r"at least one filter.*Received: n_filters=0"),
        ({"n_blocks": 0}, r"conv blocks must be an integer from 1 to 6.*n_blocks=0"),
        (
            {"kernel_size": 5},
            r"The kernel \(5x5\) is larger than the 4x4 feature map that conv block 2 meets "
            r"after 1 pooling step: use a kernel of at most 4 or fewer conv blocks",
        ),
        (
            {"kernel_size": 9, "n_blocks": 1},
            r"The kernel \(9x9\) is larger than the 8x8 image: use a kernel of at most 8\.",
        ),
        (
            {"n_blocks": 3},
            r"The kernel \(3x3\) is larger than the 2x2 feature map that conv block 3 meets "
            r"after 2 pooling steps",
        ),
        (
            {"n_blocks": 4, "kernel_size": 1},
            r"Too many conv blocks for 8x8 images.*8 -> 4 -> 2 -> 1.*at most 3 conv blocks, "
            r"or pooling 'none'",
        ),
        (
            {"dataset": "faces", "n_blocks": 5, "kernel_size": 1},
            r"Too many conv blocks for 25x25 images.*at most 4",
        ),
        ({"kernel_size": 0}, r"kernel size must be an integer of at least 1.*kernel_size=0"),
        ({"n_filters": 300, "n_blocks": 2}, r"block 2 would have 600.*fewer filters"),
        ({"pooling": "min"}, r"Unknown pooling.*Received: pooling='min'"),
        ({"dropout": 0.95}, r"dropout rate must be a number from 0 to 0\.9.*dropout=0\.95"),
        ({"dropout": -0.1}, r"dropout=-0\.1"),
        ({"augmentation": ("blur",)}, r"Unknown augmentation 'blur'"),
        ({"augmentation": ("flip", "flip")}, r"Each augmentation may appear once"),
        ({"augmentation": "flip"}, r"sequence of names"),
        ({"dense_units": -1}, r"dense layer's units.*dense_units=-1"),
        ({"optimizer": "lbfgs"}, r"Unknown optimizer.*Received: optimizer='lbfgs'"),
        ({"learning_rate": 0.0}, r"learning rate.*learning_rate=0\.0"),
        ({"batch_size": 0}, r"batch size.*batch_size=0"),
        ({"test_fraction": 1.0}, r"test share.*strictly between 0 and 1.*test_fraction=1\.0"),
        ({"validation_fraction": 0.0}, r"validation share.*validation_fraction=0\.0"),
        (
            {"dataset": "shapes", "n_samples": 6},
            r"Too few images: 6 split 2 for training, 2 for validation and 2 for the test",
        ),
        ({"backgrounds": ()}, r"at least one background"),
        ({"backgrounds": ("stripes",)}, r"Unknown background 'stripes'"),
        ({"strokes": ()}, r"at least one stroke"),
        ({"strokes": ("pen",)}, r"Unknown stroke 'pen'"),
        ({"line_widths": (0.2, 0.1)}, r"0\.02 <= low <= high <= 0\.3.*\(0\.2, 0\.1\)"),
        ({"line_widths": "thin"}, r"pair \(low, high\).*line_widths='thin'"),
        ({"cut": 0.5}, r"share of a shape past the frame.*at most 0\.4.*cut=0\.5"),
        ({"batch_norm": "yes"}, r"batch_norm.*True or False"),
        ({"seed": 1.5}, r"seed.*Received: seed=1\.5"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_default_config_is_valid_and_frozen():
    config = Config()
    assert config.validate() is config
    # At the limits: 512 filters in the last block, 4 blocks without pooling on digits.
    Config(dataset="faces", n_filters=128, n_blocks=3).validate()
    Config(pooling="none", n_blocks=4, kernel_size=8).validate()
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "sizes"),
    [
        ({}, [8, 4]),
        ({"n_blocks": 3, "kernel_size": 2}, [8, 4, 2]),
        ({"pooling": "none", "n_blocks": 4}, [8, 8, 8, 8]),
        ({"dataset": "faces", "n_blocks": 4}, [25, 12, 6, 3]),
        ({"dataset": "shapes", "n_blocks": 5, "kernel_size": 2}, [32, 16, 8, 4, 2]),
    ],
)
def test_block_input_sizes_follow_the_pooling(changes, sizes):
    config = Config(**changes).validate()
    assert cnn.block_input_sizes(config) == sizes
    model = network(config)
    met = [model.get_layer(f"conv_{block + 1}").input.shape[1] for block in range(len(sizes))]
    assert met == sizes


def test_shapes_config_draws_its_strokes_widths_and_cuts():
    settings = {"strokes": ("clean", "hand"), "line_widths": (0.03, 0.25), "cut": 0.3}
    config = Config(dataset="shapes", n_samples=40, **settings)
    data = cnn.load_data(config)
    drawn = shapes.make_shapes(40, seed=config.seed, backgrounds=config.backgrounds, **settings)
    images = np.concatenate([data.x_train, data.x_val, data.x_test])
    expected = np.asarray(drawn.images)
    # The same images, split: each loaded image is one of the drawn ones.
    assert sorted(map(bytes, images)) == sorted(map(bytes, expected))
    assert "strokes: clean" in data.description and "cut by the frame" in data.description


@pytest.mark.parametrize(
    ("dataset", "changes", "train_shape", "val_shape", "test_shape", "n_classes"),
    [
        ("digits", {}, (1077, 8, 8, 1), (360, 8, 8, 1), (360, 8, 8, 1), 10),
        (
            "faces",
            {"test_fraction": 0.25, "validation_fraction": 0.1},
            (130, 25, 25, 1),
            (20, 25, 25, 1),
            (50, 25, 25, 1),
            2,
        ),
        ("shapes", {"n_samples": 40}, (24, 32, 32, 3), (8, 32, 32, 3), (8, 32, 32, 3), 4),
    ],
)
def test_load_data_splits_stratified_in_range(
    dataset, changes, train_shape, val_shape, test_shape, n_classes
):
    config = Config(dataset=dataset, **changes)
    data = cnn.load_data(config)
    assert data.x_train.shape == train_shape, "x_train shape mismatch"
    assert data.x_val.shape == val_shape, "x_val shape mismatch"
    assert data.x_test.shape == test_shape, "x_test shape mismatch"
    assert data.y_val.dtype == data.y_test.dtype == np.int64
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.n_classes == n_classes == len(data.labels)
    assert data.input_shape == train_shape[1:]
    # Stratified: each class's held-out share is the test fraction, up to one image.
    n_test = np.bincount(data.y_test, minlength=n_classes)
    n_all = n_test + np.bincount(data.y_train, minlength=n_classes)
    n_val = np.bincount(data.y_val, minlength=n_classes)
    n_all = n_all + n_val
    assert np.abs(n_test - n_all * config.test_fraction).max() <= 1
    assert np.abs(n_val - n_all * config.validation_fraction).max() <= 1
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == config.n_images
    assert data.preprocessing["image_size"] == train_shape[1:3]
    assert data.preprocessing["channels"] == train_shape[3]
    assert data.preprocessing["background"] == ("dark" if dataset == "digits" else "any")
    again = cnn.load_data(config)
    np.testing.assert_array_equal(again.x_test, data.x_test)


@pytest.fixture(scope="module")
def digits_data():
    """The default split of the digits, loaded once."""
    return cnn.load_data(Config())


def test_build_model_names_layers_in_order(digits_data):
    config = Config(batch_norm=True, augmentation=("shift", "flip"), dropout=0.2, pooling="average")
    model = cnn.build_model(config, digits_data)
    names = [layer.name for layer in model.layers]
    assert names == [
        "image",
        "flip",
        "shift",
        "conv_1",
        "bn_1",
        "relu_1",
        "pool_1",
        "conv_2",
        "bn_2",
        "relu_2",
        "pool_2",
        "flatten",
        "dense",
        "dropout",
        "output",
    ]
    assert isinstance(model.get_layer("pool_1"), keras.layers.AveragePooling2D)
    assert [model.get_layer(f"conv_{k}").filters for k in (1, 2)] == [16, 32]
    assert model.get_layer("conv_1").use_bias is False  # batch norm has the offset
    assert model.output_shape == (None, 10)
    assert model.steps_per_execution == math.ceil(1077 / 32)  # one epoch of training images
    plain = network(Config(dense_units=0, pooling="none"), n_classes=10)
    assert [layer.name for layer in plain.layers] == [
        "image",
        "conv_1",
        "relu_1",
        "conv_2",
        "relu_2",
        "flatten",
        "output",
    ]
    assert plain.get_layer("flatten").output.shape[-1] == 8 * 8 * 32


def test_build_model_checks_the_input_shape(digits_data):
    wrong = dataclasses.replace(digits_data, x_train=np.zeros((4, 28, 28, 1), np.float32))
    with pytest.raises(ValueError, match=r"shape \(8, 8, 1\).*images of shape \(28, 28, 1\)"):
        cnn.build_model(Config(), wrong)


@pytest.mark.parametrize(
    ("optimizer", "keras_class", "momentum"),
    [
        ("adam", "Adam", None),
        ("momentum", "SGD", 0.9),
        ("sgd", "SGD", 0.0),
        ("rmsprop", "RMSprop", None),
    ],
)
def test_build_model_uses_the_shared_optimizer_table(digits_data, optimizer, keras_class, momentum):
    assert set(cnn.OPTIMIZERS) == {"adam", "momentum", "sgd", "rmsprop"}
    model = cnn.build_model(Config(optimizer=optimizer, learning_rate=0.02), digits_data)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    assert type(model.optimizer).__name__ == keras_class
    if momentum is not None:  # "sgd" is plain SGD now; "momentum" is the CNN's old "sgd"
        assert model.optimizer.momentum == pytest.approx(momentum)


def test_same_seed_gives_same_initial_weights():
    first = network(Config(seed=3)).get_weights()
    second = network(Config(seed=3)).get_weights()
    other = network(Config(seed=4)).get_weights()
    for left, right in zip(first, second, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(first[0], other[0])


def test_digits_cnn_reaches_97_percent_on_the_test_images(digits):
    _, data, model, result = digits
    assert result.epochs_run == DIGITS_EPOCHS
    accuracy = float(np.mean(cnn.predict_proba(model, data.x_test).argmax(axis=1) == data.y_test))
    assert accuracy >= 0.97, result.history.metrics["val_accuracy"]
    scores = cnn.evaluate(model, data)
    assert set(scores) == {"test_loss", "test_accuracy"}
    assert accuracy == pytest.approx(scores["test_accuracy"], abs=1e-6)
    # The live curves watched the validation images, not the test images.
    on_validation = np.mean(cnn.predict_proba(model, data.x_val).argmax(axis=1) == data.y_val)
    assert on_validation == pytest.approx(result.history.last("val_accuracy"), abs=1e-6)
    assert result.history.metrics["loss"][-1] < result.history.metrics["loss"][0]


def test_feature_maps_equal_the_layers_computed_independently(digits):
    _, data, model, _ = digits
    image = data.x_test[3]
    maps = dict(cnn.feature_maps(model, image))
    assert list(maps) == ["conv_1", "relu_1", "pool_1", "conv_2", "relu_2", "pool_2"]
    assert [value.shape for value in maps.values()] == [
        (8, 8, 16),
        (8, 8, 16),
        (4, 4, 16),
        (4, 4, 32),
        (4, 4, 32),
        (2, 2, 32),
    ]
    # Block 1 in NumPy: zero-padded 3x3 cross-correlation (no bias under batch norm),
    # batch norm with the moving statistics, ReLU, 2x2 max pooling.
    kernel = np.asarray(model.get_layer("conv_1").kernel)  # (3, 3, 1, 16)
    padded = np.pad(image[..., 0], 1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))  # (8, 8, 3, 3)
    conv = np.einsum("hwij,ijf->hwf", windows, kernel[:, :, 0, :])
    np.testing.assert_allclose(maps["conv_1"], conv, atol=1e-5)
    norm = model.get_layer("bn_1")
    gamma, beta, mean, variance = (np.asarray(weight) for weight in norm.weights)
    normalized = gamma * (conv - mean) / np.sqrt(variance + norm.epsilon) + beta
    relu = np.maximum(normalized, 0.0)
    np.testing.assert_allclose(maps["relu_1"], relu, atol=1e-4)
    pooled = relu.reshape(4, 2, 4, 2, 16).max(axis=(1, 3))
    np.testing.assert_allclose(maps["pool_1"], pooled, atol=1e-4)
    # Block 2: Keras's own conv layer applied to block 1's output.
    conv_2 = np.asarray(model.get_layer("conv_2")(maps["pool_1"][np.newaxis]))[0]
    np.testing.assert_allclose(maps["conv_2"], conv_2, atol=1e-5)


def test_feature_maps_reject_a_wrong_image_shape(digits):
    _, _, model, _ = digits
    with pytest.raises(ValueError, match=r"input shape \(8, 8, 1\).*shape \(8, 8\)"):
        cnn.feature_maps(model, np.zeros((8, 8), np.float32))


def test_first_layer_filters_equal_the_kernel(digits):
    _, _, model, _ = digits
    filters = cnn.first_layer_filters(model)
    kernel = np.asarray(model.get_layer("conv_1").kernel)
    assert filters.shape == (16, 3, 3, 1)
    for index in range(16):
        np.testing.assert_array_equal(filters[index], kernel[..., index])


def test_confusion_matrix_rows_sum_to_the_class_counts(digits):
    _, data, model, _ = digits
    matrix = cnn.confusion_matrix(model, data)
    assert matrix.shape == (10, 10) and matrix.dtype == np.int64
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(data.y_test, minlength=10))
    accuracy = np.trace(matrix) / matrix.sum()
    assert accuracy == pytest.approx(cnn.evaluate(model, data)["test_accuracy"], abs=1e-6)


def test_misclassified_lists_the_wrong_images_most_confident_first(digits):
    _, data, model, _ = digits
    matrix = cnn.confusion_matrix(model, data)
    n_wrong = int(matrix.sum() - np.trace(matrix))
    everything = cnn.misclassified(model, data, limit=1000)
    assert len(everything) == n_wrong > 0
    probabilities = cnn.predict_proba(model, data.x_test[everything.indices])
    np.testing.assert_array_equal(everything.true, data.y_test[everything.indices])
    np.testing.assert_array_equal(everything.predicted, probabilities.argmax(axis=1))
    assert np.all(everything.predicted != everything.true)
    np.testing.assert_allclose(everything.confidence, probabilities.max(axis=1), atol=1e-6)
    assert np.all(np.diff(everything.confidence) <= 0)
    first = cnn.misclassified(model, data, limit=2)
    np.testing.assert_array_equal(first.indices, everything.indices[:2])
    with pytest.raises(ValueError, match="limit=-1"):
        cnn.misclassified(model, data, limit=-1)


def test_augmentation_changes_training_inputs_but_not_inference():
    augmented_config = Config(augmentation=cnn.AUGMENTATIONS)
    data = cnn.load_data(augmented_config)
    augmented = cnn.build_model(augmented_config, data)
    plain = cnn.build_model(Config(), data)
    assert [layer.name for layer in augmented.layers[1:5]] == list(cnn.AUGMENTATIONS)
    for left, right in zip(augmented.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    images = data.x_test[:32]
    np.testing.assert_allclose(
        cnn.predict_proba(augmented, images), cnn.predict_proba(plain, images), atol=1e-6
    )
    changed = cnn.augment(augmented, images)
    assert changed.shape == images.shape
    assert np.abs(changed - images).max() > 0.1
    assert changed.min() >= 0.0 and changed.max() <= 1.0 + 1e-6
    in_training = np.asarray(augmented(images, training=True))
    assert np.abs(in_training - np.asarray(plain(images, training=True))).max() > 1e-4
    np.testing.assert_array_equal(cnn.augment(plain, images), images)


def test_faces_train_beyond_chance_and_continue_the_history():
    config = Config(dataset="faces")
    data = cnn.load_data(config)
    model = cnn.build_model(config, data)
    reports = []
    first = cnn.fit(model, data, config, epochs=2, on_epoch=reports.append)
    second = cnn.fit(model, data, config, epochs=2, history=first.history)
    assert [report.epoch for report in reports] == [1, 2]
    assert reports[-1].final_epoch == 2
    assert second.history.epochs == [1, 2, 3, 4]
    assert second.history.last("val_accuracy") >= 0.75  # chance: 0.5


def test_shapes_train_beyond_chance():
    # 640 training images, as many as with the old two-way split of 20 % held out.
    config = Config(
        dataset="shapes", n_samples=800, n_blocks=3, validation_fraction=0.1, test_fraction=0.1
    )
    data = cnn.load_data(config)
    model = cnn.build_model(config, data)
    # 12 epochs: at 6 the validation accuracy sat at the bar (0.41 on an idle machine, 0.29
    # with TensorFlow's threads contended); by 12 it is near 0.8.
    result = cnn.fit(model, data, config, epochs=12)
    assert result.history.last("val_accuracy") >= 0.4  # chance: 0.25


def test_prepare_image_recovers_a_digit_drawn_large_in_either_polarity():
    data = cnn.load_data(Config())
    # The middle square and the inversion, without the digits' crop to the ink.
    plain = {**data.preprocessing, "crop": None}
    digit = data.x_test[0]
    # 8-bit, 4 times larger, with a margin that makes it non-square.
    large = np.kron(np.round(digit[..., 0] * 255).astype(np.uint8), np.ones((4, 4), np.uint8))
    large = np.pad(large, ((0, 0), (6, 6)))
    prepared = preprocess.prepare_image(large, plain)
    assert prepared.shape == (8, 8, 1) and prepared.dtype == np.float32
    np.testing.assert_allclose(prepared, digit, atol=1 / 255 + 1e-6)
    on_paper = np.stack([255 - large] * 3, axis=-1)
    np.testing.assert_allclose(
        preprocess.prepare_image(on_paper, plain), digit, atol=1 / 255 + 1e-6
    )
    with pytest.raises(ValueError, match="uint8"):
        preprocess.prepare_image(large.astype(np.float32), data.preprocessing)


def test_the_digits_crop_to_the_ink_ignores_place_size_polarity_and_uneven_light():
    data = cnn.load_data(Config())
    assert data.preprocessing["crop"] == "ink"
    digit = np.round(data.x_test[0][..., 0] * 255).astype(np.uint8)
    # An 8x8 digit is already the model's size: taken as it is.
    np.testing.assert_allclose(
        preprocess.prepare_image(digit, data.preprocessing)[..., 0], digit / 255, atol=1e-6
    )
    big = np.asarray(Image.fromarray(digit).resize((64, 64), Image.Resampling.BILINEAR))
    inputs = []
    for top, left, side in ((10, 20, 64), (120, 150, 64)):
        page = np.zeros((240, 320), np.uint8)
        page[top : top + side, left : left + side] = big
        inputs.append(preprocess.prepare_image(page, data.preprocessing))
        shaded = (255 - page) * np.linspace(0.55, 1.0, 320)[np.newaxis, :]
        inputs.append(preprocess.prepare_image(shaded.astype(np.uint8), data.preprocessing))
    for prepared in inputs:
        assert prepared.shape == (8, 8, 1) and prepared.max() == pytest.approx(1.0)
        np.testing.assert_allclose(prepared, inputs[0], atol=0.2)


def test_prepare_image_keeps_colour_for_shapes():
    preprocessing = cnn.load_data(Config(dataset="shapes", n_samples=20)).preprocessing
    image = np.zeros((64, 64, 3), np.uint8)
    image[:32, :, 0] = 255
    prepared = preprocess.prepare_image(image, preprocessing)
    assert prepared.shape == (32, 32, 3)
    np.testing.assert_array_equal(prepared[:16, :, 0], 1.0)
    np.testing.assert_array_equal(prepared[16:], 0.0)


@pytest.mark.parametrize(
    "config",
    [
        Config(),
        Config(
            dataset="faces",
            n_blocks=3,
            batch_norm=True,
            pooling="average",
            dropout=0.3,
            augmentation=("flip", "rotate", "zoom", "shift"),
            optimizer="momentum",
            seed=5,
        ),
        Config(dataset="shapes", n_samples=24, dense_units=0, optimizer="rmsprop"),
    ],
    ids=["digits", "faces-everything", "shapes"],
)
def test_exported_code_builds_the_same_model_on_the_same_data(config):
    namespace = {"__name__": "exported"}
    exec(compile(cnn.export_code(config), "exported", "exec"), namespace)
    images, labels, class_names = namespace["load_data"]()
    data = cnn.load_data(config)
    assert list(class_names) == list(data.labels)
    assert images.shape[1:] == data.input_shape and len(images) == config.n_images
    # The same three parts, in the same order.
    for part, (x, y) in zip(
        namespace["split"](labels), (data.train, data.validation, data.test), strict=True
    ):
        np.testing.assert_array_equal(images[part], x)
        np.testing.assert_array_equal(labels[part], y)
    exported = namespace["build_model"](data.input_shape, data.n_classes, 3)
    model = cnn.build_model(config, data)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    assert type(exported.optimizer) is type(model.optimizer)
    assert exported.get_config() == model.get_config()


@pytest.mark.slow
def test_exported_code_runs_on_its_own_and_saves_a_model_that_loads(tmp_path):
    configs = {
        "digits": Config(batch_norm=True, augmentation=("rotate",), dropout=0.2),
        "shapes": Config(dataset="shapes", n_samples=40, pooling="none", n_blocks=1),
    }
    processes = {}
    for name, config in configs.items():
        script = tmp_path / f"{name}.py"
        script.write_text(cnn.export_code(config, epochs=30))
        processes[name] = subprocess.Popen(
            [sys.executable, str(script), "--output", str(tmp_path / f"{name}.keras")],
            cwd=tmp_path,
            # The shapes script imports dlcore.data for its images, the others nothing of ours.
            env={
                **os.environ,
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONPATH": str(ROOT) if name == "shapes" else "",
                "EPOCHS": "1",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr[-3000:]
        # One epoch, as EPOCHS asked: one line of training metrics.
        assert len(re.findall(r"val_accuracy: \d", stdout)) == 1, stdout[-2000:]
        match = re.search(r"Test accuracy: (\d\.\d{4})", stdout)
        assert match, stdout[-2000:]
        model = keras.saving.load_model(tmp_path / f"{name}.keras")
        config = configs[name]
        side = cnn.IMAGE_SIZES[config.dataset]
        assert model.input_shape == (None, side, side, cnn.CHANNELS[config.dataset])
        assert model.output_shape == (None, config.n_classes)
        rebuilt = network(config, config.n_classes)
        assert [layer.name for layer in model.layers] == [layer.name for layer in rebuilt.layers]


def test_export_code_rejects_invalid_settings():
    with pytest.raises(ValueError, match="at least one filter"):
        cnn.export_code(Config(n_filters=0))
    with pytest.raises(ValueError, match="epochs=0"):
        cnn.export_code(Config(), epochs=0)


def test_export_code_pastes_the_builder_the_trainer_calls():
    script = cnn.export_code(Config())
    assert inspect.getsource(cnn.build_cnn) in script
    assert inspect.getsource(cnn.augmentation_layer) in script
    assert "keras.optimizers.Adam(LEARNING_RATE)" in script
    momentum = cnn.export_code(Config(optimizer="momentum"))
    assert "keras.optimizers.SGD(LEARNING_RATE, momentum=0.9)" in momentum
    assert "keras.optimizers.SGD(LEARNING_RATE)" in cnn.export_code(Config(optimizer="sgd"))


@pytest.mark.parametrize("dataset", ["digits", "faces"])
def test_held_out_data_is_the_old_split_the_bundled_models_never_trained_on(dataset):
    from sklearn.model_selection import train_test_split

    from dlcore.data import vision

    source = vision.load_digits() if dataset == "digits" else vision.load_faces()
    _, old_held_out, _, old_targets = train_test_split(
        source.images, source.target, test_size=0.2, stratify=source.target, random_state=0
    )
    images, targets, labels = cnn.held_out_data(dataset)
    np.testing.assert_array_equal(images, old_held_out.astype(np.float32))
    np.testing.assert_array_equal(targets, old_targets)
    assert labels == tuple(source.target_names)
    with pytest.raises(ValueError, match="Received: dataset='mnist'"):
        cnn.held_out_data("mnist")


def test_filters_figure_draws_each_kernel_on_a_scale_centred_on_zero(digits):
    _, _, model, _ = digits
    filters = cnn.first_layer_filters(model)
    figure = cnn_figures.filters_figure(filters)
    assert len(figure.data) == 16
    for index, trace in enumerate(figure.data):
        np.testing.assert_allclose(np.asarray(trace.z), filters[index, ..., 0])
        assert trace.zmin == pytest.approx(-np.abs(filters[index]).max())
        assert trace.zmax == pytest.approx(np.abs(filters[index]).max())
    colour = cnn_figures.filters_figure(np.random.default_rng(0).normal(size=(4, 3, 3, 3)))
    pixels = np.asarray(colour.data[0].z)
    assert pixels.shape == (3, 3, 3) and pixels.min() == 0 and pixels.max() == 255


def test_feature_maps_figure_shows_the_maps_it_is_given(digits):
    _, data, model, _ = digits
    name, maps = cnn.feature_maps(model, data.x_test[0])[3]
    figure = cnn_figures.feature_maps_figure(name, maps, max_maps=5)
    assert len(figure.data) == 5
    assert figure.layout.title.text == "conv_2: 32 maps of 4x4 (the first 5)"
    for index, trace in enumerate(figure.data):
        np.testing.assert_allclose(np.asarray(trace.z), maps[..., index], rtol=1e-6)


def test_misclassified_figure_captions_true_and_predicted(digits):
    _, data, model, _ = digits
    wrong = cnn.misclassified(model, data, limit=3)
    figure = cnn_figures.misclassified_figure(
        data.x_test[wrong.indices], wrong.true, wrong.predicted, wrong.confidence, data.labels
    )
    captions = [annotation.text for annotation in figure.layout.annotations]
    assert captions[0] == f"{wrong.true[0]} → {wrong.predicted[0]}<br>({wrong.confidence[0]:.0%})"
    assert len(figure.data) == len(wrong)
    # Greyscale images keep their values: 1.0 is white.
    np.testing.assert_allclose(
        np.asarray(figure.data[0].z)[..., 0], data.x_test[wrong.indices[0], ..., 0] * 255
    )
    empty = cnn_figures.misclassified_figure(np.zeros((0, 8, 8, 1)), [], [], [], data.labels)
    assert "none" in empty.layout.title.text
