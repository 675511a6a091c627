"""Tests for dlcore.explain.gradcam: Grad-CAM and saliency against hand computations."""

import keras
import numpy as np
import pytest

from dlcore import preprocess
from dlcore.explain import gradcam as explain
from dlcore.figures import explain as explain_figures
from dlcore.media import images
from dlcore.trainers import cnn
from dlcore.trainers import video as video_model
from dlcore.trainers.cnn import Config
from dlcore.trainers.residual import DIGITS_PREPROCESSING


def _region_model() -> keras.Model:
    """A model whose class depends only on the top-left quarter of a 16x16 image.

    A 1x1 convolution makes two channels, "bright" = ReLU(x) and "dark" = ReLU(-x); 2x2
    max pooling gives 8x8 maps; the output's score for class 1 is the bright channel's
    sum over the top-left 4x4 pooled positions minus the dark channel's, class 0 the
    opposite. Nothing outside the top-left quarter reaches the scores.
    """
    inputs = keras.Input((16, 16, 1))
    maps = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")(inputs)
    maps = keras.layers.ReLU(name="act")(maps)
    pooled = keras.layers.MaxPooling2D(2)(maps)
    outputs = keras.layers.Dense(2, activation="softmax", name="output")(
        keras.layers.Flatten()(pooled)
    )
    model = keras.Model(inputs, outputs)
    model.get_layer("conv").set_weights([np.array([1.0, -1.0]).reshape(1, 1, 1, 2)])
    region = np.zeros((8, 8, 2), np.float32)
    region[:4, :4, 0] = 1.0
    region[:4, :4, 1] = -1.0
    class_1 = region.reshape(-1)
    model.get_layer("output").set_weights([np.stack([-class_1, class_1], axis=1), np.zeros(2)])
    return model


def _region_image() -> np.ndarray:
    """A bright square in the top-left quarter and a dark one in the bottom-right."""
    image = np.zeros((16, 16, 1), np.float32)
    image[2:6, 2:6] = 1.0
    image[10:14, 10:14] = -1.0
    return image


def test_grad_cam_peaks_where_the_class_is_decided():
    model = _region_model()
    heatmap = explain.grad_cam(model, _region_image())
    top, left = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    assert top < 8 and left < 8, "Grad-CAM's peak must lie in the top-left quarter"
    assert heatmap[2:6, 2:6].mean() > 0.5
    # The dark square excites the channel that counts against class 1: ReLU drops it.
    assert heatmap[9:, 9:].max() < 0.05


def test_saliency_is_zero_outside_the_region_the_class_depends_on():
    model = _region_model()
    heatmap = explain.saliency(model, _region_image())
    assert heatmap.max() == pytest.approx(1.0)
    assert heatmap[8:, :].max() == 0 and heatmap[:, 8:].max() == 0
    top, left = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    assert top < 8 and left < 8


def _hand_grad_cam(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Grad-CAM in NumPy: channel weights = mean gradient over space, ReLU, scale to 1."""
    weights = gradients.mean(axis=(0, 1))
    heatmap = np.maximum((activations * weights).sum(axis=-1), 0)
    return heatmap / heatmap.max() if heatmap.max() > 0 else heatmap


def test_grad_cam_equals_the_hand_computation_with_analytic_gradients():
    # conv -> flatten -> dense: the score's gradient with respect to the conv maps is the
    # output kernel's column, reshaped to the maps; no pooling, so no resizing.
    inputs = keras.Input((6, 6, 2))
    maps = keras.layers.Conv2D(
        3,
        3,
        padding="same",
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=1),
        bias_initializer=keras.initializers.Constant(0.1),
        name="conv",
    )(inputs)
    outputs = keras.layers.Dense(
        4, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=2)
    )(keras.layers.Flatten()(maps))
    model = keras.Model(inputs, outputs)
    image = np.random.default_rng(0).random((6, 6, 2)).astype(np.float32)
    activations = np.asarray(keras.Model(inputs, maps)(image[np.newaxis]))[0]
    kernel = np.asarray(model.layers[-1].kernel)
    n_nonzero = 0
    for class_index in range(4):
        gradients = kernel[:, class_index].reshape(6, 6, 3)
        expected = _hand_grad_cam(activations, gradients)
        actual = explain.grad_cam(model, image, class_index=class_index)
        np.testing.assert_allclose(actual, expected, atol=1e-5)
        n_nonzero += bool(expected.max() > 0)
    assert n_nonzero >= 2, "the test needs classes whose maps are not all zero"


def _numpy_tail(activations, dense_kernel, dense_bias, out_kernel, out_bias):
    """The model's layers after the conv block, in NumPy: 2x2 max pooling, dense ReLU,
    output scores before the softmax."""
    height, width, channels = activations.shape
    pooled = activations.reshape(height // 2, 2, width // 2, 2, channels).max(axis=(1, 3))
    hidden = np.maximum(pooled.reshape(-1) @ dense_kernel + dense_bias, 0)
    return hidden @ out_kernel + out_bias


def test_grad_cam_equals_the_hand_computation_with_finite_differences():
    # conv -> ReLU -> pooling -> dense ReLU -> dense softmax: by default Grad-CAM reads
    # the ReLU's output (the block's activation), whose gradient is estimated here by
    # central differences of the class score computed in NumPy.
    inputs = keras.Input((8, 8, 1))
    # A positive bias keeps every activation above 0: max pooling over tied zeros has no
    # single gradient (finite differences and backpropagation would pick differently).
    maps = keras.layers.Conv2D(
        4,
        3,
        padding="same",
        kernel_initializer=keras.initializers.GlorotUniform(seed=3),
        bias_initializer=keras.initializers.Constant(1.0),
    )(inputs)
    maps = keras.layers.ReLU(name="act")(maps)
    hidden = keras.layers.Dense(
        8,
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=4),
        name="dense",
    )(keras.layers.Flatten()(keras.layers.MaxPooling2D(2)(maps)))
    outputs = keras.layers.Dense(
        3,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=5),
        name="output",
    )(hidden)
    model = keras.Model(inputs, outputs)
    weights = [
        np.asarray(weight, np.float64)
        for name in ("dense", "output")
        for weight in model.get_layer(name).get_weights()
    ]
    image = np.random.default_rng(1).random((8, 8, 1)).astype(np.float32)
    activations = np.asarray(keras.Model(inputs, maps)(image[np.newaxis]), np.float64)[0]
    assert activations.min() > 0
    scores = _numpy_tail(activations, *weights)
    probabilities = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    np.testing.assert_allclose(probabilities, np.asarray(model(image[np.newaxis]))[0], atol=1e-5)
    class_index = int(np.argmax(scores))
    step = 1e-4
    gradients = np.zeros_like(activations)
    for position in np.ndindex(activations.shape):
        nudged = activations.copy()
        nudged[position] += step
        above = _numpy_tail(nudged, *weights)[class_index]
        nudged[position] -= 2 * step
        below = _numpy_tail(nudged, *weights)[class_index]
        gradients[position] = (above - below) / (2 * step)
    expected = _hand_grad_cam(activations, gradients)
    assert expected.max() > 0
    np.testing.assert_allclose(explain.grad_cam(model, image), expected, atol=1e-4)


IMAGE_CONFIGS = [
    (Config(dataset="digits", batch_norm=True, augmentation=("rotate", "shift")), (8, 8, 1)),
    (Config(dataset="faces", pooling="average", dense_units=0), (25, 25, 1)),
    (Config(dataset="shapes", n_blocks=3, pooling="none", dropout=0.3), (32, 32, 3)),
]


@pytest.mark.parametrize(("config", "input_shape"), IMAGE_CONFIGS)
def test_image_maps_have_the_input_size_and_range(config, input_shape):
    model = cnn.build_cnn(input_shape, 4, **config.builder_arguments())
    image = np.random.default_rng(2).random(input_shape).astype(np.float32)
    for heatmap in (explain.grad_cam(model, image), explain.saliency(model, image)):
        assert heatmap.shape == input_shape[:2]
        assert heatmap.dtype == np.float32
        assert heatmap.min() >= 0 and heatmap.max() == pytest.approx(1.0)


VIDEO_CONFIGS = {
    "cnn_gru": video_model.Config(architecture="cnn_gru", n_frames=4, image_size=8, n_clips=60),
    "convlstm, last state only": video_model.Config(
        architecture="convlstm", n_blocks=1, n_frames=4, image_size=8, n_clips=60
    ),
    "convlstm, two blocks": video_model.Config(
        architecture="convlstm", n_blocks=2, n_frames=4, image_size=8, n_clips=60
    ),
    "conv3d, three blocks": video_model.Config(
        architecture="conv3d", n_blocks=3, n_frames=4, image_size=8, kernel_size=2, n_clips=60
    ),
}


@pytest.fixture(scope="module")
def video_models():
    return {
        name: video_model.build_model(config, video_model.load_data(config))
        for name, config in VIDEO_CONFIGS.items()
    }


@pytest.mark.parametrize("name", list(VIDEO_CONFIGS))
def test_video_maps_have_one_map_per_frame(video_models, name):
    clip = np.random.default_rng(3).random((4, 8, 8, 3)).astype(np.float32)
    for heatmap in (
        explain.grad_cam(video_models[name], clip),
        explain.saliency(video_models[name], clip),
    ):
        assert heatmap.shape == (4, 8, 8)
        assert heatmap.dtype == np.float32
        assert np.all(np.isfinite(heatmap))
        assert heatmap.min() >= 0 and heatmap.max() <= 1


def test_video_time_steps_map_to_the_frames_they_cover(video_models):
    clip = np.random.default_rng(4).random((4, 8, 8, 3)).astype(np.float32)
    # The third Conv3D block meets 2 time steps: each covers 2 of the 4 frames.
    pooled = explain.grad_cam(video_models["conv3d, three blocks"], clip, layer_name="conv3d_3")
    np.testing.assert_array_equal(pooled[0], pooled[1])
    np.testing.assert_array_equal(pooled[2], pooled[3])
    # A ConvLSTM that returns only its last state has one map, shown on every frame.
    last_state = explain.grad_cam(video_models["convlstm, last state only"], clip)
    assert all(np.array_equal(last_state[0], frame_map) for frame_map in last_state)
    # The per-frame CNN sees each frame on its own: different frames, different maps.
    per_frame = explain.grad_cam(video_models["cnn_gru"], clip, layer_name="conv_1")
    assert not np.array_equal(per_frame[0], per_frame[1])


def test_video_default_layer_keeps_the_time_axis(video_models):
    clip = np.random.default_rng(5).random((4, 8, 8, 3)).astype(np.float32)
    model = video_models["convlstm, two blocks"]
    default = explain.grad_cam(model, clip)
    np.testing.assert_array_equal(default, explain.grad_cam(model, clip, layer_name="conv_lstm_1"))


def test_grad_cam_and_saliency_refuse_bad_arguments():
    model = _region_model()
    with pytest.raises(ValueError, match=r"Expected one model input of shape \(16, 16, 1\)"):
        explain.grad_cam(model, np.zeros((1, 16, 16, 1)))
    with pytest.raises(ValueError, match=r"no conv layer named 'conv_9'.*conv"):
        explain.grad_cam(model, _region_image(), layer_name="conv_9")
    with pytest.raises(ValueError, match=r"class_index.*0 to 1.*Received: class_index=2"):
        explain.saliency(model, _region_image(), class_index=2)
    with pytest.raises(ValueError, match="NaN"):
        explain.grad_cam(model, np.full((16, 16, 1), np.nan))
    inputs = keras.Input((4, 4, 1))
    dense_only = keras.Model(
        inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(inputs))
    )
    with pytest.raises(ValueError, match=r"needs a conv layer.*use `saliency`"):
        explain.grad_cam(dense_only, np.ones((4, 4, 1)))
    assert explain.saliency(dense_only, np.ones((4, 4, 1))).shape == (4, 4)


@pytest.mark.parametrize(
    ("image", "heatmap"),
    [
        (np.zeros((40, 30), np.uint8), np.ones((8, 8))),
        (np.zeros((40, 30, 3), np.uint8), np.ones((40, 30))),
        (np.zeros((16, 16, 1), np.float32), np.zeros((4, 4), np.float32)),
    ],
)
def test_overlay_is_uint8_rgb_at_the_image_size(image, heatmap):
    shown = explain.overlay(image, heatmap)
    assert shown.shape == (*image.shape[:2], 3)
    assert shown.dtype == np.uint8


def test_overlay_blends_the_heat_colour_in():
    grey = np.full((10, 10), 200, np.uint8)
    np.testing.assert_array_equal(explain.overlay(grey, np.ones((5, 5)), alpha=0), 200)
    hot = explain.overlay(grey, np.ones((5, 5)), alpha=1)
    np.testing.assert_array_equal(hot[0, 0], [128, 0, 0])  # the scale's dark red at 1
    cold = explain.overlay(grey, np.zeros((5, 5)), alpha=1)
    np.testing.assert_array_equal(cold[0, 0], [0, 0, 128])  # its dark blue at 0
    with pytest.raises(ValueError, match="alpha"):
        explain.overlay(grey, np.ones((5, 5)), alpha=1.5)
    with pytest.raises(ValueError, match="one \\(height, width\\) map"):
        explain.overlay(grey, np.ones((2, 5, 5)))


SHAPES_PREPROCESSING = {
    **DIGITS_PREPROCESSING,
    "image_size": (32, 32),
    "channels": 3,
    "background": "any",
}


def _paper_digit() -> np.ndarray:
    """A dark stroke on light paper, colour, 60x90, small and off-centre."""
    paper = np.full((60, 90, 3), 240, np.uint8)
    paper[5:25, 60:66] = 20
    return paper


@pytest.mark.parametrize(
    ("image", "preprocessing", "crop", "captions"),
    [
        (
            np.zeros((8, 8), np.uint8),
            DIGITS_PREPROCESSING,
            False,
            ["Original (8×8)", "Resized to 8×8: the model input"],
        ),
        (
            _paper_digit(),
            DIGITS_PREPROCESSING,
            False,
            [
                "Original (90×60)",
                "Middle square (60×60)",
                "Greyscale",
                "Resized to 8×8",
                "Inverted to bright ink on dark: the model input",
            ],
        ),
        (
            _paper_digit(),
            DIGITS_PREPROCESSING,
            True,
            [
                "Original (90×60)",
                "Cropped to the ink (20×20)",
                "Greyscale",
                "Resized to 8×8",
                "Inverted to bright ink on dark: the model input",
            ],
        ),
        (
            _paper_digit(),
            SHAPES_PREPROCESSING,
            False,
            ["Original (90×60)", "Middle square (60×60)", "Resized to 32×32: the model input"],
        ),
    ],
)
def test_prepare_with_steps_ends_in_exactly_the_model_input(image, preprocessing, crop, captions):
    preparation = preprocess.prepare_with_steps(image, preprocessing, crop_to_content=crop)
    assert [step.caption for step in preparation.steps] == captions
    start = images.crop_to_content(image) if crop else image
    expected = preprocess.prepare_image(start, preprocessing)
    np.testing.assert_array_equal(preparation.model_input, expected)
    np.testing.assert_array_equal(preparation.steps[-1].pixels, expected)
    assert preparation.square.shape[0] == preparation.square.shape[1] == min(start.shape[:2])
    for step in preparation.steps:
        assert step.pixels.dtype == np.float32 and step.pixels.ndim == 3
        assert step.pixels.min() >= 0 and step.pixels.max() <= 1


def test_prepare_with_steps_refuses_float_images():
    with pytest.raises(ValueError, match="Expected uint8 pixels"):
        preprocess.prepare_with_steps(np.zeros((8, 8), np.float32), DIGITS_PREPROCESSING)


def test_crop_to_content_centres_the_ink_with_a_margin():
    canvas = np.zeros((200, 300), np.uint8)
    canvas[20:60, 250:270] = 255  # 40 tall, 20 wide, near the top-right corner
    square = images.crop_to_content(canvas, margin=0.1)
    assert square.shape == (50, 50)  # 40 / (1 - 2 * 0.1)
    rows, cols = np.nonzero(square)
    assert (rows.min(), rows.max()) == (5, 44)
    assert (cols.min(), cols.max()) == (15, 34)
    # Dark ink on light paper, in colour, at an edge: the square is filled with paper.
    paper = np.full((100, 100, 3), 250, np.uint8)
    paper[0:30, 90:100] = 10
    square = images.crop_to_content(paper, margin=0.0)
    assert square.shape == (30, 30, 3)
    assert np.all(square[:, :10] == 250) and np.all(square[:, 10:20] == 10)
    # Nothing drawn: the image comes back as it was.
    np.testing.assert_array_equal(images.crop_to_content(np.full((5, 7), 9, np.uint8)), 9)
    with pytest.raises(ValueError, match="margin"):
        images.crop_to_content(canvas, margin=0.5)


def test_held_out_samples_are_one_per_class_and_unseen_in_training():
    digits = cnn.held_out_samples("digits")
    assert [caption for caption, _ in digits] == [f"digit {digit}" for digit in range(10)]
    data = cnn.load_data(Config(dataset="digits"))
    # The bundled model trained on what is now the training and the validation part.
    seen = np.concatenate([data.x_train, data.x_val])
    training_images = np.round(seen[..., 0] * 255).astype(np.uint8)
    for _, pixels in digits:
        assert pixels.shape == (8, 8) and pixels.dtype == np.uint8
        assert not np.any(np.all(training_images == pixels, axis=(1, 2)))
    assert [caption for caption, _ in cnn.held_out_samples("faces")] == ["not face", "face"]
    shapes = cnn.held_out_samples("shapes")
    assert [caption for caption, _ in shapes] == ["circle", "square", "triangle", "star"]
    assert all(pixels.shape == (32, 32, 3) for _, pixels in shapes)
    with pytest.raises(ValueError, match="Unknown dataset"):
        cnn.held_out_samples("mnist")


def test_explanation_figures_show_each_panel_at_its_own_size():
    preparation = preprocess.prepare_with_steps(_paper_digit(), DIGITS_PREPROCESSING)
    steps = explain_figures.preparation_figure(preparation)
    sizes = [np.asarray(trace.z).shape for trace in steps.data]
    assert sizes == [(60, 90, 3), (60, 60, 3), (60, 60, 3), (8, 8, 3), (8, 8, 3)]
    heatmap = np.zeros((8, 8), np.float32)
    heatmap[0, 0] = 1.0
    shown = explain_figures.explanation_figure(preparation.square, {"Grad-CAM": heatmap})
    assert [annotation.text for annotation in shown.layout.annotations] == ["Image", "Grad-CAM"]
    side = explain_figures.DISPLAY_SIDE
    image, overlaid = (np.asarray(trace.z) for trace in shown.data)
    assert image.shape == overlaid.shape == (side, side, 3)
    assert overlaid[0, 0, 0] > overlaid[0, 0, 2]  # red where the map is 1
    assert overlaid[-1, -1, 2] > overlaid[-1, -1, 0]  # blue where it is 0
    with pytest.raises(ValueError, match="one caption per image"):
        explain_figures.image_row_figure([heatmap], [], title="")


def test_a_long_caption_wraps_within_its_panel():
    pixels = np.zeros((4, 4), np.float32)
    long = "Inverted to bright ink on dark: the model input"
    captions = ["Original", "Greyscale", "Resized to 8×8", "Cropped", long]
    figure = explain_figures.image_row_figure([pixels] * 5, captions, title="")
    texts = [annotation.text for annotation in figure.layout.annotations]
    assert texts[:4] == captions[:4]
    lines = texts[4].split("<br>")
    assert len(lines) > 1 and " ".join(lines) == long
    assert all(len(line) <= explain_figures.ROW_CAPTION_CHARACTERS // 5 for line in lines)
    short_only = explain_figures.image_row_figure([pixels] * 5, [*captions[:4], "x"], title="")
    assert figure.layout.height > short_only.layout.height


def test_grad_cam_follows_layers_reused_in_a_second_model():
    # A model built from another model's layers (as a transfer-learning model is) calls
    # each layer twice; the maps must come from the second model's own graph.
    config = Config(dataset="digits", batch_norm=True)
    base = cnn.build_cnn((8, 8, 1), 10, **config.builder_arguments())
    inputs = keras.Input((8, 8, 1), name="image")
    features = inputs
    for layer in base.layers[1:]:
        features = layer(features)
    reused = keras.Model(inputs, features)
    image = np.random.default_rng(6).random((8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(explain.grad_cam(reused, image), explain.grad_cam(base, image))
    np.testing.assert_allclose(explain.saliency(reused, image), explain.saliency(base, image))
