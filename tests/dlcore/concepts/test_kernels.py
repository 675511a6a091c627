"""Tests for dlcore.concepts.kernels: presets do what they say; edited kernels are checked."""

import keras
import numpy as np
import pytest

from dlcore.concepts import convolution, kernels

PRESET_NAMES = [
    "Identity",
    "Box blur",
    "Gaussian blur",
    "Gaussian blur 5x5",
    "Sharpen",
    "Sobel x",
    "Sobel y",
    "Laplacian",
    "Emboss",
]
BLURS = ["Box blur", "Gaussian blur", "Gaussian blur 5x5"]
EDGE_DETECTORS = ["Sobel x", "Sobel y", "Laplacian"]


def test_presets_are_listed_in_menu_order_with_a_description_each():
    assert list(kernels.KERNEL_PRESETS) == PRESET_NAMES
    assert list(kernels.KERNEL_DESCRIPTIONS) == PRESET_NAMES
    for name, description in kernels.KERNEL_DESCRIPTIONS.items():
        assert description.endswith("."), name
        assert description.count(". ") == 0, f"{name}: one sentence, please"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_are_read_only_float32_squares(name):
    kernel = kernels.KERNEL_PRESETS[name]

    assert kernel.dtype == np.float32
    assert kernel.shape == ((5, 5) if name.endswith("5x5") else (3, 3))
    with pytest.raises(ValueError, match="read-only"):
        kernel[0, 0] = 1.0


@pytest.mark.parametrize("name", BLURS)
def test_blurs_keep_a_flat_image_unchanged_and_smooth_noise(name):
    rng = np.random.default_rng(0)
    noise = rng.uniform(0.0, 1.0, (20, 20))
    kernel = kernels.KERNEL_PRESETS[name]

    blurred = convolution.filter_image(noise, kernel, padding="valid")

    assert kernel.sum() == pytest.approx(1.0)
    assert np.all(kernel >= 0)
    flat = convolution.filter_image(np.full((8, 8), 0.4), kernel, padding="valid")
    np.testing.assert_allclose(flat, 0.4, rtol=1e-6)
    assert blurred.std() < noise.std() / 2


@pytest.mark.parametrize("name", EDGE_DETECTORS)
def test_edge_detectors_give_zero_on_a_flat_image(name):
    flat = np.full((8, 8), 0.7)

    response = convolution.filter_image(flat, kernels.KERNEL_PRESETS[name], padding="valid")

    np.testing.assert_allclose(response, 0.0, atol=1e-6)


def test_sobel_kernels_point_towards_brighter_pixels():
    # Keras layers do not flip the kernel: brighter to the right is positive for Sobel x.
    brighter_to_the_right = np.tile(np.arange(6.0), (6, 1))

    sobel_x = convolution.filter_image(
        brighter_to_the_right, kernels.KERNEL_PRESETS["Sobel x"], padding="valid"
    )
    sobel_y_on_rows = convolution.filter_image(
        brighter_to_the_right.T, kernels.KERNEL_PRESETS["Sobel y"], padding="valid"
    )
    sobel_y_on_columns = convolution.filter_image(
        brighter_to_the_right, kernels.KERNEL_PRESETS["Sobel y"], padding="valid"
    )

    # Each step of 1 between columns counts (1 + 2 + 1) times over a distance of 2.
    np.testing.assert_allclose(sobel_x, 8.0)
    np.testing.assert_allclose(sobel_y_on_rows, 8.0)
    np.testing.assert_allclose(sobel_y_on_columns, 0.0)


def test_laplacian_ignores_a_ramp_but_not_a_spot():
    ramp = np.tile(np.arange(6.0), (6, 1))
    spot = np.zeros((5, 5))
    spot[2, 2] = 1.0

    on_ramp = convolution.filter_image(ramp, kernels.KERNEL_PRESETS["Laplacian"], padding="valid")
    on_spot = convolution.filter_image(spot, kernels.KERNEL_PRESETS["Laplacian"], padding="valid")

    np.testing.assert_allclose(on_ramp, 0.0)
    assert on_spot[1, 1] == -4.0


def test_identity_and_sharpen_on_an_image():
    image = np.random.default_rng(1).uniform(0.0, 1.0, (7, 6, 3))

    identity = convolution.filter_image(image, kernels.KERNEL_PRESETS["Identity"])
    sharpened = convolution.filter_image(image, kernels.KERNEL_PRESETS["Sharpen"])

    np.testing.assert_allclose(identity, image, rtol=1e-6)
    # Sharpening widens the spread of values: detail is amplified.
    assert sharpened.std() > image.std()


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_on_a_colour_image_match_keras_depthwise_conv2d(name):
    image = np.random.default_rng(2).uniform(0.0, 1.0, (12, 10, 3)).astype(np.float32)
    kernel = kernels.KERNEL_PRESETS[name]
    layer = keras.layers.DepthwiseConv2D(kernel.shape, padding="same", use_bias=False)
    layer.build((1, *image.shape))
    layer.set_weights([np.repeat(kernel[:, :, np.newaxis, np.newaxis], 3, axis=2)])

    filtered = convolution.filter_image(image, kernel)

    np.testing.assert_allclose(
        filtered, np.asarray(layer(image[np.newaxis]))[0], rtol=1e-5, atol=1e-3
    )


@pytest.mark.parametrize(
    "values",
    [
        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        np.ones((5, 5), dtype=np.int64).tolist(),
        np.eye(3),
        [[0.5, 1e-3, -2.25]] * 3,
    ],
)
def test_make_kernel_returns_a_new_float32_array(values):
    kernel = kernels.make_kernel(values)

    assert kernel.dtype == np.float32
    np.testing.assert_array_equal(kernel, np.asarray(values, dtype=np.float32))
    assert kernel is not values
    kernel[0, 0] = 9.0  # a fresh, writable array; the caller's values are untouched
    assert np.asarray(values)[0, 0] != 9.0


def test_make_kernel_gives_a_preset_back_writable():
    kernel = kernels.make_kernel(kernels.KERNEL_PRESETS["Emboss"])

    assert kernel.flags.writeable
    np.testing.assert_array_equal(kernel, kernels.KERNEL_PRESETS["Emboss"])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            [[1, 2, 3], [4, 5], [6, 7, 8]],
            r"rows of numbers of equal length.*Received: \[\[1, 2, 3\]",
        ),
        ([["a", 0, 0], [0, 1, 0], [0, 0, 0]], r"not a number.*Received: \[\['a'"),
        ([[0, 0, 0], [0, None, 0], [0, 0, 0]], r"finite number.*Received: nan at row 1, column 1"),
        ([[0, 0, 0], [0, 1, 0], [0, 0, float("inf")]], r"Received: inf at row 2, column 2"),
        ([[1, 2], [3, 4]], r"A kernel must be square, 3x3 or 5x5. Received: .*shape \(2, 2\)"),
        (np.zeros((4, 4)).tolist(), r"square, 3x3 or 5x5.*shape \(4, 4\)"),
        (np.zeros((3, 5)).tolist(), r"square, 3x3 or 5x5.*shape \(3, 5\)"),
        ([1, 2, 3], r"square, 3x3 or 5x5.*shape \(3,\)"),
    ],
)
def test_make_kernel_rejects_bad_kernels_clearly(values, message):
    with pytest.raises(ValueError, match=message):
        kernels.make_kernel(values)


@pytest.mark.parametrize("name", list(kernels.KERNEL_PRESETS))
def test_a_kernel_survives_its_text_for_a_link(name):
    kernel = kernels.KERNEL_PRESETS[name]
    np.testing.assert_allclose(
        kernels.kernel_from_text(kernels.kernel_to_text(kernel)), kernel, rtol=1e-5
    )


def test_an_edited_kernel_is_written_short():
    assert kernels.kernel_to_text([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) == "0,-1,0;-1,5,-1;0,-1,0"


@pytest.mark.parametrize(
    ("text", "message"),
    [("0,1;x,0", "rows split by ';'"), ("1,2;3,4", "3x3 or 5x5"), ("1,2,3;4,5", "equal length")],
)
def test_a_kernel_text_that_cannot_be_read_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        kernels.kernel_from_text(text)
