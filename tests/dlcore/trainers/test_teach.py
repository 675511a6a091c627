"""Tests for dlcore.trainers.teach: checking a person's classes, the dataset, training from scratch
and by transfer, predictions on new images and the export."""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from dlcore.data.shapes import make_shapes
from dlcore.pretrained import predictor_from_trained
from dlcore.trainers import cnn, teach


def pictures(n, *, shape=(20, 30, 3), start=0):
    """`n` distinct uint8 images of one shape."""
    return [np.full(shape, (10 * (start + index)) % 256, np.uint8) for index in range(n)]


def circles_and_squares(n_each, *, seed=0):
    """Generated circles and squares on plain backgrounds, as uint8 images of 32x32."""
    shapes = make_shapes(8 * n_each, seed=seed, backgrounds=("plain",))
    pixels = np.round(shapes.images * 255).astype(np.uint8)
    return [
        (name, [pixels[i] for i in np.flatnonzero(shapes.target == k)[:n_each]])
        for k, name in enumerate(("circle", "square"))
    ]


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ([("cat", pictures(3))], r"at least 2 classes.*Received: 1 class\."),
        ([(f"c{k}", pictures(3)) for k in range(6)], r"at most 5 classes: remove 1"),
        ([("cat", pictures(3)), ("dog", pictures(2))], r"'dog' has 2 images: add at least 3"),
        ([("cat", pictures(3)), ("  ", pictures(3))], r"Class 2 has no name: type one"),
        ([("Cat", pictures(3)), (" cat ", pictures(3))], r"Classes 1 and 2 are both called"),
        ([("cat", pictures(3)), ("d" * 41, pictures(3))], r"41 characters long"),
        ([("cat", pictures(3)), ("dog", pictures(61))], r"'dog' has 61 images: remove some"),
    ],
)
def test_class_problems_say_what_to_do(classes, message):
    problems = teach.class_problems(classes)
    assert any(re.search(message, problem) for problem in problems), problems
    with pytest.raises(ValueError, match="can't be taught yet"):
        teach.validate_classes(classes)


def test_class_problems_empty_when_ready_and_accepts_a_dict():
    assert teach.class_problems({"cat": pictures(3), "dog": pictures(3)}) == []
    assert teach.class_problems([("cat", pictures(3)), ("dog", pictures(5))]) == []


def test_class_problems_lists_every_problem_of_an_empty_class():
    problems = teach.class_problems([("cat", pictures(3)), ("", [])])
    assert problems == ["Class 2 has no name: type one.", "Class 2 has 0 images: add at least 3."]


def test_validate_classes_refuses_an_image_that_is_not_pixels():
    classes = [("cat", pictures(3)), ("dog", [*pictures(2), np.zeros((4, 4), np.float32)])]
    with pytest.raises(ValueError, match=r"Image 3 of 'dog' is not a picture.*float32"):
        teach.validate_classes(classes)


def test_validate_classes_asks_for_a_list_of_images_not_one_array():
    with pytest.raises(TypeError, match="list of arrays"):
        teach.validate_classes([("cat", np.zeros((3, 8, 8), np.uint8)), ("dog", pictures(3))])


def test_load_data_crops_and_resizes_any_size_to_the_input():
    classes = [
        ("wide", pictures(3, shape=(20, 50, 3))),
        ("grey", pictures(4, shape=(64, 31))),
    ]
    data = teach.load_data(teach.Config(), classes)
    assert data.preprocessing == teach.SCRATCH_PREPROCESSING
    assert data.x_train.shape == (7, 32, 32, 3), "x_train shape mismatch"
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.y_train.tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert data.labels == ("wide", "grey")
    assert not data.held_out and data.x_val.shape == (0, 32, 32, 3)
    assert not data.has_test and data.x_test.shape == (0, 32, 32, 3)
    assert "training images themselves" in data.accuracy_note()
    # The third "wide" image is all 20s: its input is 20 / 255 everywhere.
    np.testing.assert_allclose(data.x_train[2], 20 / 255, rtol=1e-6)


def test_load_data_holds_out_one_in_five_to_validate_when_every_class_has_enough():
    classes = [("a", pictures(6)), ("b", pictures(10, start=6)), ("c", pictures(7, start=16))]
    data = teach.load_data(teach.Config(seed=3), classes)
    assert data.held_out
    assert np.bincount(data.y_val).tolist() == [1, 2, 1]
    assert np.bincount(data.y_train).tolist() == [5, 8, 6]
    assert "held-out images" in data.accuracy_note()
    # Fewer than 10 images in class "a": no test part, and the note says how to get one.
    assert not data.has_test and "no test score" in data.accuracy_note()
    # Held-out images are not among the training images (every image here is distinct).
    train_values = {round(float(x.mean()), 5) for x in data.x_train}
    assert not {round(float(x.mean()), 5) for x in data.x_val} & train_values
    assert data.train_index.shape == (19, 2)


def test_load_data_splits_three_ways_from_ten_images_in_every_class():
    classes = [("a", pictures(10)), ("b", pictures(12, start=10))]
    data = teach.load_data(teach.Config(seed=3), classes)
    assert np.bincount(data.y_train).tolist() == [6, 8]
    assert np.bincount(data.y_val).tolist() == [2, 2]
    assert np.bincount(data.y_test).tolist() == [2, 2]
    assert "test accuracy is measured once" in data.accuracy_note()
    values = [{round(float(x.mean()), 5) for x in part} for part in (data.x_val, data.x_test)]
    train_values = {round(float(x.mean()), 5) for x in data.x_train}
    assert not values[0] & values[1] and not (values[0] | values[1]) & train_values


def test_the_default_config_learns_generated_circles_and_squares_in_three_parts():
    data = teach.load_data(teach.Config())
    assert data.labels == ("circle", "square")
    assert [len(part) for part in (data.y_train, data.y_val, data.y_test)] == [12, 4, 4]
    assert teach.class_problems(teach.default_classes()) == []


@pytest.mark.parametrize(
    ("counts", "sizes"),
    [([3, 5], (8, 0, 0)), ([6, 9], (12, 3, 0)), ([10, 10], (12, 4, 4)), ([20, 30], (30, 10, 10))],
)
def test_split_rows_puts_every_image_in_one_part(counts, sizes):
    parts = teach.split_rows(counts, seed=1)
    assert tuple(len(part) for part in parts) == sizes
    everything = sorted(row for part in parts for row in part)
    assert everything == [(label, i) for label, count in enumerate(counts) for i in range(count)]


def test_load_data_with_digits_preprocessing_is_grey_8x8():
    data = teach.load_data(
        teach.Config(),
        [("a", pictures(3)), ("b", pictures(3, start=5))],
        preprocessing={"image_size": (8, 8), "channels": 1, "background": "dark"},
    )
    assert data.x_train.shape == (6, 8, 8, 1)


def test_keep_image_scales_large_images_down():
    kept = teach.keep_image(np.zeros((1000, 500, 3), np.uint8))
    assert kept.shape == (teach.STORED_SIDE, teach.STORED_SIDE // 2, 3)
    small = np.zeros((40, 30), np.uint8)
    assert teach.keep_image(small).shape == (40, 30)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (teach.Config(mode="magic"), r"Unknown mode.*Received: mode='magic'"),
        (teach.Config(mode="transfer", base="cats"), r"shapes, faces, digits"),
        (teach.Config(epochs=0), r"`epochs` must be an integer of at least 1.*epochs=0"),
        (teach.Config(batch_size=0), r"`batch_size`"),
        (teach.Config(validation_fraction=0.5), r"validation share.*at most 0\.4"),
        (teach.Config(test_fraction=0.0), r"test share.*above 0.*test_fraction=0\.0"),
    ],
)
def test_teach_config_validate(config, message):
    with pytest.raises(ValueError, match=message):
        config.validate()


def test_teach_refuses_bad_classes_before_training():
    with pytest.raises(ValueError, match="at least 2 classes"):
        teach.teach([("cat", pictures(3))])


@pytest.fixture(scope="module")
def from_scratch():
    """Circles against squares, 4 of each, learned from scratch."""
    reports = []
    result = teach.teach(circles_and_squares(4), teach.Config(epochs=20), on_epoch=reports.append)
    return result, reports


@pytest.mark.slow
def test_from_scratch_learns_circles_from_squares(from_scratch):
    result, reports = from_scratch
    assert [report.epoch for report in reports] == list(range(1, 21))
    assert result.fit.epochs_run == 20
    assert result.scores.accuracy == 1.0
    assert result.scores.val_accuracy is None
    trained = result.trained
    assert trained.task == "custom"
    assert trained.labels == ("circle", "square")
    assert trained.metrics == {"accuracy": 1.0}
    assert trained.preprocessing["image_size"] == (32, 32)
    assert trained.preprocessing["mode"] == "scratch"
    assert "circle, square (from scratch, 100% on training images)" in trained.title
    # The CNN trainer's layer names, and its augmentation in front.
    names = [layer.name for layer in trained.model.layers]
    assert names[1:5] == ["flip", "rotate", "zoom", "shift"]
    assert {"conv_1", "conv_3", "output"} <= set(names)
    assert teach.frozen_layer_names(trained.model) == []


@pytest.mark.slow
def test_from_scratch_predictor_takes_new_images_of_any_size(from_scratch):
    result, _ = from_scratch
    predictor = predictor_from_trained(result.trained)
    circles = circles_and_squares(4)[0][1]
    big_circle = np.asarray(Image.fromarray(circles[0]).resize((96, 96)))
    buffer = io.BytesIO()
    Image.fromarray(circles[1]).save(buffer, format="PNG")
    probabilities = predictor.predict_proba([big_circle, buffer.getvalue()])
    assert probabilities.shape == (2, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert probabilities.argmax(axis=1).tolist() == [0, 0]
    assert predictor.labels == ["circle", "square"]


@pytest.mark.slow
def test_from_scratch_works_through_predictor_from_trained(from_scratch):
    result, _ = from_scratch
    predictor = predictor_from_trained(result.trained)
    squares = circles_and_squares(4)[1][1]
    assert predictor.predict_proba(squares).argmax(axis=1).tolist() == [1, 1, 1, 1]


@pytest.mark.slow
def test_export_round_trip_predicts_the_same(from_scratch):
    from dlcore.training.saving import model_from_bytes

    result, _ = from_scratch
    loaded = model_from_bytes(teach.model_bytes(result.trained))
    inputs = result.data.x_train
    np.testing.assert_allclose(
        np.asarray(loaded(inputs, training=False)),
        np.asarray(result.trained.model(inputs, training=False)),
        atol=1e-6,
    )
    labels = json.loads(teach.labels_json(result.trained))
    assert labels["labels"] == ["circle", "square"]
    assert labels["preprocessing"]["image_size"] == [32, 32]
    assert labels["metrics"] == {"accuracy": 1.0}


@pytest.mark.slow
def test_training_continues_a_history(from_scratch):
    result, _ = from_scratch
    config = teach.Config(epochs=2)
    fit = teach.fit(result.trained.model, result.data, config, history=result.fit.history)
    assert fit.history.epochs[-3:] == [20, 21, 22]


@pytest.mark.slow
def test_held_out_images_are_validated_each_epoch():
    classes = [(name, images[:6]) for name, images in circles_and_squares(6, seed=1)]
    result = teach.teach(classes, teach.Config(epochs=2))
    assert result.data.held_out
    assert len(result.fit.history.metrics["val_accuracy"]) == 2
    assert result.scores.val_accuracy is not None
    assert "held out" in result.trained.title
    assert set(result.trained.metrics) == {"accuracy", "val_accuracy"}


def _bundled_model(name):
    pretrained = pytest.importorskip("dlcore.pretrained")
    try:
        return pretrained.load_pretrained(name)
    except FileNotFoundError as error:
        pytest.skip(str(error))


@pytest.mark.slow
def test_transfer_freezes_the_base_and_trains_only_the_head():
    bundled = _bundled_model("shapes")
    bundled_weights = [np.array(weight) for weight in bundled.model.get_weights()]
    config = teach.Config(mode="transfer", base="shapes", epochs=3)
    classes = circles_and_squares(4)
    data = teach.load_data(config, classes)
    model = teach.build_model(config, data)
    frozen = teach.frozen_layer_names(model)
    assert frozen and all(not name.startswith(("output", "dense")) for name in frozen)
    assert [weight.path for weight in model.trainable_weights] == ["output/kernel", "output/bias"]
    before = {layer.name: [np.array(w) for w in layer.get_weights()] for layer in model.layers}
    # Its feature maps can be read, and are the bundled model's own.
    taught_maps = dict(cnn.feature_maps(model, data.x_train[0]))
    bundled_maps = dict(cnn.feature_maps(bundled.model, data.x_train[0]))
    assert "relu_1" in taught_maps
    for name, maps in taught_maps.items():
        np.testing.assert_allclose(maps, bundled_maps[name], atol=1e-5, err_msg=name)
    teach.fit(model, data, config)
    for layer in model.layers:
        for old, new in zip(before[layer.name], layer.get_weights(), strict=True):
            if layer.name == "output":
                assert not np.allclose(old, new), "the head did not train"
            else:
                np.testing.assert_array_equal(old, new, err_msg=f"{layer.name} changed")
    # The frozen layers start from the bundled model's weights, which stay as they were.
    np.testing.assert_array_equal(
        model.get_layer("conv_1").get_weights()[0], bundled.model.get_layer("conv_1").kernel
    )
    for old, new in zip(bundled_weights, bundled.model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    assert all(layer.trainable for layer in bundled.model.layers)


@pytest.mark.slow
def test_transfer_from_digits_takes_grey_8x8_and_keeps_its_preprocessing():
    _bundled_model("digits")
    config = teach.Config(mode="transfer", base="digits", epochs=1)
    result = teach.teach(circles_and_squares(3), config)
    assert result.data.input_shape == (8, 8, 1)
    assert result.trained.preprocessing["background"] == "dark"
    assert result.trained.preprocessing["base"] == "digits"
    assert "transfer from digits" in result.trained.title
    circles = circles_and_squares(3)[0][1]
    probabilities = predictor_from_trained(result.trained).predict_proba(circles)
    assert probabilities.shape == (3, 2)


def test_transfer_from_a_model_without_pooling_is_refused():
    import keras

    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Conv2D(2, 3)(inputs))
    base = keras.Model(inputs, outputs, name="flat")
    data = teach.load_data(teach.Config(), circles_and_squares(3))
    config = teach.Config(mode="transfer")
    with pytest.raises(ValueError, match="no flatten or pooling layer"):
        teach.build_model(config, data, base_model=base)


def test_evaluate_scores_the_test_part_only_when_there_is_one():
    import keras

    data = teach.load_data(teach.Config(), circles_and_squares(3))
    model = teach.build_model(teach.Config(), data)
    assert teach.evaluate(model, data) == {}
    full = teach.load_data(teach.Config())
    scores = teach.evaluate(teach.build_model(teach.Config(), full), full)
    assert set(scores) == {"test_loss", "test_accuracy"}
    assert isinstance(model, keras.Model)


@pytest.mark.parametrize(
    ("config", "pasted"),
    [
        (teach.Config(), ("build_cnn", "augmentation_layer", "split_rows")),
        (
            teach.Config(mode="transfer", base="digits"),
            ("build_transfer", "feature_layer_index", "augmentation_layer", "split_rows"),
        ),
    ],
    ids=["scratch", "transfer"],
)
def test_export_code_pastes_the_builders_the_trainer_calls(config, pasted):
    import inspect

    from dlcore.trainers import cnn
    from dlcore.trainers.teach import classes, transfer

    script = teach.export_code(config, epochs=2)
    compile(script, "script.py", "exec")
    sources = {
        "build_cnn": cnn.build_cnn,
        "augmentation_layer": cnn.augmentation_layer,
        "split_rows": classes.split_rows,
        "build_transfer": transfer.build_transfer,
        "feature_layer_index": transfer.feature_layer_index,
    }
    for name in pasted:
        assert inspect.getsource(sources[name]) in script, name
    assert "EPOCHS = 2" in script
    if config.mode == "transfer":
        assert "MODEL_FOLDER / 'digits.keras'" in script and "def build_cnn(" not in script


@pytest.mark.slow
def test_exported_script_learns_a_folder_of_classes_and_saves_a_model(tmp_path):
    import os
    import subprocess
    import sys

    import keras

    folder = tmp_path / "my_classes"
    for name, images in circles_and_squares(10):
        (folder / name).mkdir(parents=True)
        for index, pixels in enumerate(images):
            Image.fromarray(pixels).save(folder / name / f"{index}.png")
    script = tmp_path / "script.py"
    script.write_text(teach.export_code(teach.Config(), epochs=1))
    output = tmp_path / "model.keras"
    process = subprocess.run(
        [sys.executable, str(script), "--images", str(folder), "--output", str(output)],
        cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    printed = process.stdout
    assert re.search(r"Test accuracy: \d\.\d{4}", printed), printed[-2000:]
    assert "training: (12, 32, 32, 3) validation: (4, 32, 32, 3) test: (4, 32, 32, 3)" in printed
    assert "classes: ['circle', 'square']" in printed
    model = keras.saving.load_model(output)
    assert model.output_shape == (None, 2)
