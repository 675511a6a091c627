"""Tests for dlcore.trainers.video: config checks, clips and their split, models, training,
the test score, analysis, export."""

import dataclasses
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import ROOT

from dlcore import preprocess
from dlcore.data import motion
from dlcore.figures.video_model import feature_map_figure
from dlcore.trainers import video
from dlcore.trainers.video import Config
from dlcore.training import saving

# Small clips that every architecture builds on and trains on in about a second.
TINY = {"n_clips": 60, "n_frames": 4, "clip_frames": 8, "image_size": 8, "n_filters": 4}
# The page's default: enough clips to learn every motion.
PAGE = Config(n_clips=video.PAGE_CLIPS)


def untrained(config):
    """The configured model, built for the configured clips."""
    return video.build_model(config, video.load_data(config))


@pytest.fixture(scope="module")
def default_data():
    return video.load_data(PAGE)


@pytest.fixture(scope="module")
def trained(default_data):
    """The page's default model (a per-frame CNN and a GRU), trained for 6 epochs."""
    model = video.build_model(PAGE, default_data)
    reports = []
    result = video.fit(model, default_data, PAGE, epochs=6, on_epoch=reports.append)
    return model, result, reports


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"architecture": "lstm"}, "Unknown architecture.*Received: architecture='lstm'"),
        ({"n_frames": 1}, "at least 2 frames.*Received: n_frames=1"),
        ({"n_frames": 10, "clip_frames": 8}, "cannot see 10 frames of a clip that has only 8"),
        ({"clip_frames": 1, "n_frames": 1}, "from 2 to 64 frames.*Received: clip_frames=1"),
        ({"image_size": 4}, "frame size.*from 8 to 64.*Received: image_size=4"),
        (
            {"image_size": 8, "kernel_size": 9, "n_blocks": 1},
            r"kernel \(9x9\) is larger than the 8x8 frame: use a kernel of at most 8\.",
        ),
        (
            {"n_blocks": 3, "kernel_size": 5},
            r"kernel \(5x5\) is larger than the 4x4 feature map that block 3 meets after 2 "
            r"pooling steps: use a kernel of at most 4 or fewer conv blocks",
        ),
        (
            {"image_size": 8, "n_blocks": 4},
            r"Too many conv blocks for 8x8 frames.*8 -> 4 -> 2 -> 1",
        ),
        (
            {"architecture": "conv3d", "n_frames": 2, "kernel_size": 3},
            "Too few frames for Conv3D's kernels: a kernel spans 3 frames, but the model sees "
            "only 2 frames of each clip. Use at least 3 frames, or a smaller kernel.",
        ),
        (
            {"architecture": "conv3d", "n_frames": 4, "n_blocks": 3},
            r"block 3 meets only 2 \(every block after the first halves the frames\). Use at "
            "least 6 frames, or a smaller kernel or fewer conv blocks.",
        ),
        (
            {"architecture": "conv3d", "n_frames": 4, "kernel_size": 1, "n_blocks": 4},
            "every block after the first halves the frames.*at least 8 frames",
        ),
        ({"n_filters": 0}, "at least one filter.*Received: n_filters=0"),
        ({"n_filters": 64, "n_blocks": 3}, "Too many filters.*block 3 would have 256"),
        ({"units": 0}, "The GRU needs at least one unit.*Received: units=0"),
        ({"architecture": "conv3d", "units": 0}, "The dense layer needs at least one unit"),
        ({"dropout": 1.0}, "dropout.*Received: dropout=1.0"),
        ({"learning_rate": 0.0}, "learning rate.*Received: learning_rate=0.0"),
        ({"batch_size": 0}, "batch size.*Received: batch_size=0"),
        ({"n_clips": 0}, "number of clips.*Received: n_clips=0"),
        (
            {"n_clips": 20},
            "Too few clips: 20 split 14 for training, 3 for validation and 3 for the test, "
            "but every part needs at least one of each of the 6 classes",
        ),
        ({"test_fraction": 1.0}, "held-out fraction.*Received: test_fraction=1.0"),
        (
            {"validation_fraction": 0.0},
            "held-out fraction for validation.*Received: validation_fraction=0.0",
        ),
        (
            {"n_clips": 5000, "clip_frames": 64, "image_size": 64},
            "Too much video to generate: 5000 clips of 64 frames of 64x64 pixels take",
        ),
        ({"seed": "zero"}, "`seed` must be an integer"),
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


def test_few_frames_are_fine_without_conv3d():
    for architecture in ("cnn_gru", "convlstm"):
        Config(architecture=architecture, n_frames=2, kernel_size=3).validate()


@pytest.mark.parametrize(
    ("changes", "sizes"),
    [
        ({}, [(8, 16), (8, 8)]),
        ({"architecture": "conv3d", "n_blocks": 3}, [(8, 16), (8, 8), (4, 4)]),
        (
            {"architecture": "conv3d", "n_blocks": 4, "n_frames": 16, "clip_frames": 16},
            [(16, 16), (16, 8), (8, 4), (4, 2)],
        ),
        ({"architecture": "convlstm", "n_blocks": 3, "image_size": 24}, [(8, 24), (8, 12), (8, 6)]),
    ],
)
def test_block_input_sizes(changes, sizes):
    assert video.block_input_sizes(Config(**changes)) == sizes


@pytest.mark.parametrize(
    ("n_available", "n_frames", "expected"),
    [
        (32, 8, [0, 4, 9, 13, 18, 22, 27, 31]),
        (8, 8, list(range(8))),
        (3, 5, [0, 0, 1, 2, 2]),
        (1, 3, [0, 0, 0]),
    ],
)
def test_frame_indices_are_evenly_spaced_with_both_ends(n_available, n_frames, expected):
    assert preprocess.frame_indices(n_available, n_frames).tolist() == expected


def test_frame_indices_rejects_an_empty_clip():
    with pytest.raises(ValueError, match="at least one frame"):
        preprocess.frame_indices(0, 8)


def test_load_data_samples_frames_and_splits_three_ways_stratified():
    config = Config(n_clips=60, n_frames=4, clip_frames=10, image_size=8, seed=3)
    data = video.load_data(config)
    assert data.x_train.shape == (42, 4, 8, 8, 3), "x_train shape mismatch"
    assert data.x_val.shape == (9, 4, 8, 8, 3), "x_val shape mismatch"
    assert data.x_test.shape == (9, 4, 8, 8, 3), "x_test shape mismatch"
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0 and data.x_train.max() <= 1
    assert data.input_shape == (4, 8, 8, 3)
    assert data.labels == motion.MOTION_LABELS
    assert np.bincount(data.y_test, minlength=6).tolist() == [2, 2, 2, 1, 1, 1]
    assert np.bincount(data.y_val, minlength=6).tolist() == [1, 1, 1, 2, 2, 2]
    assert np.bincount(data.y_train, minlength=6).tolist() == [7] * 6
    assert data.preprocessing["n_frames"] == 4
    assert data.preprocessing["image_size"] == (8, 8)
    # The kept frames are the generated clips' frames 0, 3, 6 and 9.
    clips, target = motion.make_motion_clips(
        60, frames=10, image_size=8, camera_share=config.camera_share, seed=3, return_X_y=True
    )
    expected = clips[:, [0, 3, 6, 9]]
    kept = np.concatenate([data.x_train, data.x_val, data.x_test])
    order = np.argsort(kept.reshape(60, -1).sum(axis=1))
    expected_order = np.argsort(expected.reshape(60, -1).sum(axis=1))
    np.testing.assert_array_equal(kept[order], expected[expected_order])
    labels = np.concatenate([data.y_train, data.y_val, data.y_test])
    np.testing.assert_array_equal(labels[order], target[expected_order])
    all_clips, all_target = video.all_clips(config)
    np.testing.assert_array_equal(all_clips, expected)
    np.testing.assert_array_equal(all_target, target)


def test_example_clips_show_each_motion_once_as_the_model_sees_it():
    config = Config(n_frames=4, clip_frames=10, image_size=8, seed=1)
    examples = video.example_clips(config)
    assert examples.shape == (6, 4, 8, 8, 3) and examples.dtype == np.float32
    clips, target = motion.make_motion_clips(
        6, frames=10, image_size=8, camera_share=config.camera_share, seed=1, return_X_y=True
    )
    for label, example in enumerate(examples):
        np.testing.assert_array_equal(example, clips[target == label][0][[0, 3, 6, 9]])
    with pytest.raises(ValueError, match="n_frames"):
        video.example_clips(Config(n_frames=1))


@pytest.mark.parametrize(
    ("architecture", "layer_names"),
    [
        ("cnn_gru", ["clip", "with_changes", "per_frame", "gru", "dropout", "output"]),
        (
            "convlstm",
            [
                "clip",
                "with_changes",
                "conv_lstm_1",
                "pool_1",
                "conv_lstm_2",
                "pool_2",
                "flatten",
                "dense",
                "dropout",
                "output",
            ],
        ),
        (
            "conv3d",
            [
                "clip",
                "with_changes",
                "conv3d_1",
                "pool_1",
                "conv3d_2",
                "pool_2",
                "flatten",
                "dense",
                "dropout",
                "output",
            ],
        ),
    ],
)
def test_build_model_layers_and_shapes(architecture, layer_names):
    config = Config(architecture=architecture, **TINY)
    model = untrained(config)
    assert [layer.name for layer in model.layers] == layer_names
    assert model.name == f"video_{architecture}"
    assert model.input_shape == (None, 4, 8, 8, 3)
    assert model.output_shape == (None, 6)
    steps_per_epoch = -(-config.n_train // config.batch_size)
    assert int(model.steps_per_execution) == steps_per_epoch


def test_frame_changes_give_each_frame_with_its_change_from_the_one_before():
    config = Config(architecture="cnn_gru", **TINY)
    model = untrained(config)
    clip = np.random.default_rng(0).random((1, 4, 8, 8, 3), dtype=np.float32)
    with_changes = keras.Model(model.input, model.get_layer("with_changes").output)
    channels = np.asarray(with_changes(clip))[0]

    assert channels.shape == (4, 8, 8, 6)
    np.testing.assert_array_equal(channels[..., :3], clip[0])
    np.testing.assert_array_equal(channels[0, ..., 3:], 0.0)
    np.testing.assert_allclose(channels[1:, ..., 3:], np.diff(clip[0], axis=0), atol=1e-7)
    plain = untrained(dataclasses.replace(config, frame_changes=False))
    assert "with_changes" not in [layer.name for layer in plain.layers]
    assert plain.get_layer("per_frame").layer.input_shape == (None, 8, 8, 3)


@pytest.mark.parametrize("architecture", ["cnn_gru", "conv3d"])
def test_batch_norm_follows_each_convolution_before_its_relu(architecture):
    model = untrained(Config(architecture=architecture, batch_norm=True, **TINY))
    layers = model.get_layer("per_frame").layer if architecture == "cnn_gru" else model
    names = [layer.name for layer in layers.layers]
    first = names.index("conv_1" if architecture == "cnn_gru" else "conv3d_1")
    assert names[first + 1 : first + 4] == ["bn_1", "relu_1", "pool_1"]
    assert layers.get_layer(names[first]).activation.__name__ == "linear"


def test_build_model_frame_cnn_and_block_outputs():
    config = Config(n_blocks=2, n_filters=4, image_size=16)
    frame_cnn = untrained(config).get_layer("per_frame").layer
    assert [layer.name for layer in frame_cnn.layers] == [
        "frame",
        "conv_1",
        "pool_1",
        "conv_2",
        "pool_2",
        "flatten",
    ]
    assert frame_cnn.output.shape == (None, 4 * 4 * 8)
    conv3d = untrained(Config(architecture="conv3d", n_filters=4))
    assert conv3d.get_layer("pool_2").output.shape == (None, 4, 4, 4, 8)  # frames halved once
    convlstm = untrained(Config(architecture="convlstm", n_filters=4))
    assert convlstm.get_layer("conv_lstm_1").output.shape == (None, 8, 16, 16, 4)
    assert convlstm.get_layer("conv_lstm_2").output.shape == (None, 8, 8, 8)  # last state


@pytest.mark.parametrize("architecture", video.ARCHITECTURES)
def test_same_seed_gives_same_initial_weights(architecture):
    def weights(seed):
        config = Config(architecture=architecture, seed=seed, **TINY)
        return untrained(config).get_weights()

    first, second, other = weights(3), weights(3), weights(4)
    for left, right in zip(first, second, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(first[0], other[0])


def test_default_model_learns_the_motions(trained, default_data):
    model, result, reports = trained
    probabilities = video.predict_proba(model, default_data.x_test)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == default_data.y_test))
    assert accuracy >= 0.9, result.history.metrics["val_accuracy"]
    # Keras measured the same test clips in batches of 512: at most a near-tie may differ.
    scores = video.evaluate(model, default_data)
    assert set(scores) == {"test_loss", "test_accuracy"}
    assert accuracy == pytest.approx(scores["test_accuracy"], abs=0.005)
    assert not any(name.startswith("test_") for name in result.history.metrics)
    assert result.epochs_run == 6 and [report.epoch for report in reports] == list(range(1, 7))
    losses = result.history.metrics["loss"]
    assert losses[-1] < losses[0] / 2
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_confusion_matrix_counts_the_held_out_clips(trained, default_data):
    model, _, _ = trained
    matrix = video.confusion_matrix(model, default_data)
    assert matrix.shape == (6, 6)
    assert matrix.sum(axis=1).tolist() == np.bincount(default_data.y_test, minlength=6).tolist()
    accuracy = np.trace(matrix) / matrix.sum()
    assert accuracy == pytest.approx(
        video.evaluate(model, default_data)["test_accuracy"], abs=0.005
    )


def test_misclassified_are_wrong_and_most_confident_first(trained, default_data):
    model, _, _ = trained
    wrong = video.misclassified(model, default_data, limit=5)
    assert 1 <= len(wrong) <= 5
    np.testing.assert_array_equal(wrong.true, default_data.y_test[wrong.indices])
    assert np.all(wrong.predicted != wrong.true)
    assert np.all(np.diff(wrong.confidence) <= 0)
    probabilities = video.predict_proba(model, default_data.x_test[wrong.indices])
    np.testing.assert_array_equal(probabilities.argmax(axis=1), wrong.predicted)
    assert len(video.misclassified(model, default_data, limit=0)) == 0


def test_trained_model_saves_and_loads(trained, default_data):
    model, _, _ = trained
    loaded = saving.model_from_bytes(saving.model_to_bytes(model))
    clips = default_data.x_test[:4]
    np.testing.assert_allclose(
        video.predict_proba(loaded, clips),
        video.predict_proba(model, clips),
        atol=1e-6,
    )


@pytest.mark.parametrize("architecture", ["convlstm", "conv3d"])
def test_other_architectures_train_one_epoch(architecture):
    config = Config(architecture=architecture, **TINY)
    data = video.load_data(config)
    model = video.build_model(config, data)
    result = video.fit(model, data, config, epochs=1)
    assert result.history.epochs == [1]
    assert set(result.history.metrics) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert np.isfinite(result.history.last("loss"))
    more = video.fit(model, data, config, epochs=1, history=result.history)
    assert more.history.epochs == [1, 2]


def test_stop_ends_after_an_epoch_and_early_stopping_watches_validation():
    config = Config(**TINY)
    data = video.load_data(config)
    model = video.build_model(config, data)
    result = video.fit(model, data, config, epochs=5, stop=lambda: True)
    assert result.stopped and result.epochs_run == 1
    model = video.build_model(config, data)
    result = video.fit(model, data, config, epochs=8, patience=1)
    val_loss = result.history.metrics["val_loss"]
    assert result.best_epoch == result.history.best("val_loss"), val_loss
    assert result.stopped_early == (result.epochs_run < 8)


def with_changes(model, clip):
    """What the model's first block takes: each frame of `clip` with its change."""
    probe = keras.Model(model.input, model.get_layer("with_changes").output)
    return np.asarray(probe(clip[np.newaxis]))[0]


def test_feature_maps_of_the_per_frame_cnn_match_its_first_convolution(trained, default_data):
    model, _, _ = trained
    clip = default_data.x_test[0]
    maps = video.feature_maps(model, clip)
    assert maps.shape == (8, 16, 16, 16)
    conv = model.get_layer("per_frame").layer.get_layer("conv_1")
    np.testing.assert_allclose(maps, np.asarray(conv(with_changes(model, clip))), atol=1e-5)
    assert maps.min() >= 0  # ReLU
    # Each frame is seen on its own, with its change: a still clip's maps are all alike.
    still = np.repeat(clip[:1], len(clip), axis=0)
    still_maps = video.feature_maps(model, still)
    np.testing.assert_allclose(still_maps[1:], np.repeat(still_maps[1:2], 7, axis=0), atol=1e-5)


def test_feature_maps_of_conv3d_match_its_first_layer():
    config = Config(architecture="conv3d", **TINY)
    data = video.load_data(config)
    model = video.build_model(config, data)
    clip = data.x_test[0]
    maps = video.feature_maps(model, clip)
    assert maps.shape == (4, 8, 8, 4)
    expected = np.asarray(model.get_layer("conv3d_1")(with_changes(model, clip)[np.newaxis]))[0]
    np.testing.assert_allclose(maps, expected, atol=1e-5)


@pytest.mark.parametrize("n_blocks", [1, 2])
def test_feature_maps_of_convlstm_are_its_state_after_every_frame(n_blocks):
    config = Config(architecture="convlstm", n_blocks=n_blocks, **TINY)
    data = video.load_data(config)
    model = video.build_model(config, data)
    clip = data.x_test[0]
    maps = video.feature_maps(model, clip)
    assert maps.shape == (4, 8, 8, 4)
    assert np.abs(maps).max() <= 1  # tanh of the cell state times a sigmoid gate
    layer = model.get_layer("conv_lstm_1")
    for n_seen in (1, 4):
        # The state after n frames is the last state of the layer on the first n frames.
        last = keras.layers.ConvLSTM2D.from_config(
            {**layer.get_config(), "return_sequences": False}
        )
        last.build((None, n_seen, 8, 8, 6))
        last.set_weights(layer.get_weights())
        expected = np.asarray(last(with_changes(model, clip)[np.newaxis, :n_seen]))[0]
        np.testing.assert_allclose(maps[n_seen - 1], expected, atol=1e-5)


def test_feature_maps_rejects_a_clip_of_the_wrong_shape():
    model = untrained(Config(architecture="conv3d", **TINY))
    with pytest.raises(
        ValueError, match=r"input shape \(4, 8, 8, 3\).*Received: shape \(3, 8, 8, 3\)"
    ):
        video.feature_maps(model, np.zeros((3, 8, 8, 3), np.float32))


def test_prepare_clip_samples_crops_and_resizes():
    # 90 frames of 40x60: frame i is filled with the value i; a 10-pixel band of 255 on
    # each side lies outside the middle 40x40 square.
    frames = np.repeat(np.arange(90, dtype=np.uint8), 40 * 60 * 3).reshape(90, 40, 60, 3)
    frames[:, :, :10] = 255
    frames[:, :, -10:] = 255
    clip = preprocess.prepare_clip(frames, {"n_frames": 8, "image_size": (16, 16)})
    assert clip.shape == (8, 16, 16, 3) and clip.dtype == np.float32
    expected = preprocess.frame_indices(90, 8) / 255.0
    np.testing.assert_allclose(clip[:, 0, 0, 0], expected, atol=1e-6)
    np.testing.assert_allclose(
        clip, np.broadcast_to(expected[:, None, None, None], clip.shape), atol=1e-6
    )


def test_prepare_clip_resizes_by_averaging():
    frames = np.zeros((2, 4, 4, 3), np.uint8)
    frames[:, :2, :2] = 200  # the top-left quarter
    frames[:, 0, 0] = 100
    clip = preprocess.prepare_clip(frames, {"n_frames": 2, "image_size": (2, 2)})
    np.testing.assert_allclose(clip[0, 0, 0], (100 + 3 * 200) / 4 / 255, atol=1e-6)
    np.testing.assert_allclose(clip[0, 1, 1], 0.0)


@pytest.mark.parametrize(
    "frames",
    [
        np.zeros((4, 8, 8, 3), np.float32),
        np.zeros((8, 8, 3), np.uint8),
        np.zeros((0, 8, 8, 3), np.uint8),
        np.zeros((4, 8, 8), np.uint8),
    ],
)
def test_prepare_clip_rejects_what_is_not_rgb_frames(frames):
    with pytest.raises(ValueError, match="Expected uint8 RGB frames"):
        preprocess.prepare_clip(frames, {"n_frames": 2, "image_size": (4, 4)})


@pytest.mark.parametrize("architecture", video.ARCHITECTURES)
def test_exported_script_rebuilds_the_same_data_and_model(architecture):
    config = Config(architecture=architecture, **TINY, dropout=0.1, seed=2)
    namespace = {"__name__": "exported"}
    exec(compile(video.export_code(config), "exported", "exec"), namespace)
    clips, labels, class_names = namespace["load_data"]()
    data = video.load_data(config)
    assert class_names == list(data.labels)
    all_labels = np.concatenate([data.y_train, data.y_val, data.y_test])
    assert np.bincount(labels).tolist() == np.bincount(all_labels).tolist()
    assert clips.shape == (60, 4, 8, 8, 3)
    all_clips = np.concatenate([data.x_train, data.x_val, data.x_test])
    assert sorted(clips.reshape(60, -1).sum(axis=1).tolist()) == pytest.approx(
        sorted(all_clips.reshape(60, -1).sum(axis=1).tolist())
    )
    # The script splits the clips exactly as load_data does.
    train, validation, test = namespace["split"](labels)
    for part, (inputs, targets) in zip(
        (train, validation, test), (data.train, data.validation, data.test), strict=True
    ):
        np.testing.assert_allclose(clips[part], inputs, atol=1e-6)
        np.testing.assert_array_equal(labels[part], targets)
    exported = namespace["build_model"](6, 3)
    model = video.build_model(config, data)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    assert exported.count_params() == model.count_params()
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.slow
def test_exported_script_trains_and_saves_on_its_own(tmp_path):
    config = Config(**TINY)
    script = tmp_path / "video.py"
    script.write_text(video.export_code(config, epochs=30))
    saved = tmp_path / "video.keras"
    completed = subprocess.run(
        [sys.executable, str(script), "--output", str(saved)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        # EPOCHS sets the default number of epochs; the clips come from dlcore (data only).
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT), "EPOCHS": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.count("val_accuracy:") == 1, completed.stdout[-2000:]  # one epoch
    match = re.search(r"Test accuracy: (\d\.\d{4})", completed.stdout)
    assert match, completed.stdout[-2000:]
    assert 0 <= float(match.group(1)) <= 1
    loaded = keras.saving.load_model(saved)
    assert loaded.input_shape == (None, 4, 8, 8, 3) and loaded.output_shape == (None, 6)


def test_export_code_rejects_invalid_settings():
    with pytest.raises(ValueError, match="Unknown architecture"):
        video.export_code(Config(architecture="lstm"))
    with pytest.raises(ValueError, match="Received: epochs=0"):
        video.export_code(Config(), epochs=0)


def test_feature_map_figure_of_relu_maps_shares_one_scale_from_zero(trained, default_data):
    model, _, _ = trained
    maps = video.feature_maps(model, default_data.x_test[0])[..., 2]
    figure = feature_map_figure(maps, title="Filter 3")
    assert len(figure.data) == 8
    assert [annotation.text for annotation in figure.layout.annotations] == [
        f"frame {index}" for index in range(1, 9)
    ]
    for frame_map, heatmap in zip(maps, figure.data, strict=True):
        np.testing.assert_allclose(np.asarray(heatmap.z), frame_map, atol=1e-6)
        assert (heatmap.zmin, heatmap.zmax) == (0.0, pytest.approx(maps.max()))
    assert [heatmap.showscale for heatmap in figure.data] == [True] + [False] * 7


def test_feature_map_figure_of_signed_maps_is_symmetric_about_zero():
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 0], maps[2, 1, 1] = -0.5, 0.25
    figure = feature_map_figure(maps, title="State", frame_labels=["a", "b", "c"])
    assert {(heatmap.zmin, heatmap.zmax) for heatmap in figure.data} == {(-0.5, 0.5)}
    assert figure.data[0].colorscale[0][1] == "rgb(103,0,31)"  # RdBu: dark red at the bottom


@pytest.mark.parametrize(
    ("maps", "labels", "match"),
    [(np.zeros((4, 4)), None, "shape \\(4, 4\\)"), (np.zeros((2, 3, 3)), ["a"], "1 labels")],
)
def test_feature_map_figure_rejects_bad_input(maps, labels, match):
    with pytest.raises(ValueError, match=match):
        feature_map_figure(maps, title="x", frame_labels=labels)
