"""Tests for dlcore.concepts.convolution: sizes and outputs against Keras's Conv2D."""

import itertools
import re

import keras
import numpy as np
import pytest
from helpers import run_python
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore.concepts import convolution

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def keras_conv2d(images, kernels, *, strides, padding, dilation, bias=None):
    """The reference: keras.layers.Conv2D holding `kernels` (and `bias`) as its weights.

    Keras layers take only "valid" or "same"; explicit padding goes through
    keras.layers.ZeroPadding2D first, then a "valid" Conv2D.
    """
    batch = images if images.ndim == 4 else images[np.newaxis]
    if not isinstance(padding, str):
        batch = keras.layers.ZeroPadding2D(padding)(batch)
        padding = "valid"
    layer = keras.layers.Conv2D(
        filters=kernels.shape[3],
        kernel_size=kernels.shape[:2],
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        use_bias=bias is not None,
    )
    layer.build(batch.shape)
    layer.set_weights([kernels] if bias is None else [kernels, bias])
    outputs = np.asarray(layer(batch))
    return outputs if images.ndim == 4 else outputs[0]


def keras_filter_image(image, kernel, *, strides, padding, dilation):
    """The reference: keras.layers.DepthwiseConv2D with `kernel` on every channel."""
    channels_last = image if image.ndim == 3 else image[..., np.newaxis]
    batch = channels_last[np.newaxis].astype(np.float32)
    if not isinstance(padding, str):
        batch = keras.layers.ZeroPadding2D(padding)(batch)
        padding = "valid"
    n_channels = channels_last.shape[2]
    layer = keras.layers.DepthwiseConv2D(
        kernel_size=kernel.shape,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        use_bias=False,
    )
    layer.build(batch.shape)
    # DepthwiseConv2D's kernel has shape (kernel_h, kernel_w, channels, 1).
    layer.set_weights([np.repeat(kernel[:, :, np.newaxis, np.newaxis], n_channels, axis=2)])
    outputs = np.asarray(layer(batch))[0]
    return outputs if image.ndim == 3 else outputs[..., 0]


def expected_spatial_shape(image_shape, kernel_shape, *, strides, padding, dilation):
    """(out_height, out_width) by dlcore.concepts.convolution.output_size, one axis at a time."""
    strides = (strides, strides) if isinstance(strides, int) else strides
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    if isinstance(padding, str | int):
        padding = (padding, padding)
    return tuple(
        convolution.output_size(size, kernel, stride=stride, padding=pad, dilation=rate)
        for size, kernel, stride, pad, rate in zip(
            image_shape, kernel_shape, strides, padding, dilation, strict=True
        )
    )


def fits(size, kernel_size, dilation, padding):
    return padding == "same" or dilation * (kernel_size - 1) + 1 <= size


# (image shape, filters): odd and even sizes, 1 and 3 channels, one image and a batch.
IMAGES_AND_FILTERS = [((7, 7, 1), 1), ((7, 7, 1), 4), ((8, 6, 3), 1), ((2, 9, 10, 3), 4)]
# Keras's Conv2D refuses strides > 1 together with dilation > 1.
CONV_CASES = [
    (image_shape, filters, kernel_size, strides, padding, dilation)
    for (image_shape, filters), kernel_size, strides, padding, dilation in itertools.product(
        IMAGES_AND_FILTERS, (1, 2, 3, 5), (1, 2, 3), ("valid", "same"), (1, 2)
    )
    if not (strides > 1 and dilation > 1)
    and all(fits(size, kernel_size, dilation, padding) for size in image_shape[-3:-1])
]


def case_id(image_shape, filters, kernel_size, strides, padding, dilation):
    size = "x".join(map(str, image_shape))
    return f"{size}-k{kernel_size}-f{filters}-s{strides}-{padding}-d{dilation}"


@pytest.mark.parametrize(
    ("image_shape", "filters", "kernel_size", "strides", "padding", "dilation"),
    CONV_CASES,
    ids=[case_id(*case) for case in CONV_CASES],
)
def test_conv2d_matches_keras(image_shape, filters, kernel_size, strides, padding, dilation):
    rng = np.random.default_rng(0)
    images = rng.standard_normal(image_shape).astype(np.float32)
    kernels = rng.standard_normal((kernel_size, kernel_size, image_shape[-1], filters))
    kernels = kernels.astype(np.float32)
    bias = rng.standard_normal(filters).astype(np.float32)
    options = {"strides": strides, "padding": padding, "dilation": dilation}

    outputs = convolution.conv2d(images, kernels, bias=bias, **options)

    expected = keras_conv2d(images, kernels, bias=bias, **options)
    assert outputs.dtype == np.float32
    assert outputs.shape == expected.shape
    spatial_shape = expected_spatial_shape(image_shape[-3:-1], kernels.shape[:2], **options)
    assert outputs.shape[-3:-1] == spatial_shape, "output_size disagrees with Keras"
    np.testing.assert_allclose(outputs, expected, **TOLERANCE)


EXPLICIT_PADDING_CASES = [
    # (image shape, kernel size, strides, padding)
    ((6, 7, 3), 3, 1, 1),
    ((6, 7, 3), 3, 2, 2),
    ((5, 5, 1), 5, 1, 2),
    ((6, 7, 3), 3, 1, ((0, 2), (1, 0))),
    ((6, 7, 3), 2, (2, 1), ((1, 1), (0, 3))),
    ((5, 5, 1), 1, 3, ((2, 0), (0, 2))),
]


@pytest.mark.parametrize(
    ("image_shape", "kernel_size", "strides", "padding"), EXPLICIT_PADDING_CASES
)
def test_conv2d_explicit_padding_matches_zero_padding_then_valid(
    image_shape, kernel_size, strides, padding
):
    rng = np.random.default_rng(1)
    images = rng.standard_normal(image_shape).astype(np.float32)
    kernels = rng.standard_normal((kernel_size, kernel_size, image_shape[-1], 2)).astype(np.float32)
    options = {"strides": strides, "padding": padding, "dilation": 1}

    outputs = convolution.conv2d(images, kernels, **options)

    expected = keras_conv2d(images, kernels, **options)
    assert outputs.shape == expected.shape
    assert outputs.shape[:2] == expected_spatial_shape(
        image_shape[:2], kernels.shape[:2], **options
    )
    np.testing.assert_allclose(outputs, expected, **TOLERANCE)


@settings(max_examples=30, deadline=None)
@given(
    height=st.integers(1, 11),
    width=st.integers(1, 11),
    in_channels=st.integers(1, 3),
    filters=st.integers(1, 3),
    kernel_shape=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.sampled_from(["valid", "same"]),
    seed=st.integers(0, 2**16),
)
def test_conv2d_matches_keras_on_random_shapes(
    height, width, in_channels, filters, kernel_shape, strides, dilation, padding, seed
):
    if max(strides) > 1:
        dilation = (1, 1)  # Keras's Conv2D refuses strides > 1 with dilation > 1.
    if padding == "valid":
        # Shrink the kernel until its dilated span fits, rather than discard the example.
        kernel_shape = tuple(
            min(kernel, (size - 1) // rate + 1)
            for kernel, size, rate in zip(kernel_shape, (height, width), dilation, strict=True)
        )
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1.0, 1.0, (height, width, in_channels)).astype(np.float32)
    kernels = rng.uniform(-1.0, 1.0, (*kernel_shape, in_channels, filters)).astype(np.float32)
    options = {"strides": strides, "padding": padding, "dilation": dilation}

    outputs = convolution.conv2d(images, kernels, **options)

    expected = keras_conv2d(images, kernels, **options)
    assert outputs.shape == expected.shape
    assert outputs.shape[:2] == expected_spatial_shape((height, width), kernel_shape, **options)
    np.testing.assert_allclose(outputs, expected, **TOLERANCE)


# DepthwiseConv2D, unlike Conv2D, takes strides > 1 together with dilation > 1.
FILTER_CASES = [
    (image_shape, kernel_size, strides, padding, dilation)
    for image_shape, kernel_size, strides, padding, dilation in itertools.product(
        ((9, 8), (9, 8, 3)), (1, 2, 3, 5), (1, 2, 3), ("valid", "same", 1), (1, 2)
    )
    if all(fits(size, kernel_size, dilation, padding) for size in image_shape[:2])
]


@pytest.mark.parametrize(
    ("image_shape", "kernel_size", "strides", "padding", "dilation"),
    FILTER_CASES,
    ids=[
        f"{'x'.join(map(str, shape))}-k{kernel}-s{strides}-{padding}-d{dilation}"
        for shape, kernel, strides, padding, dilation in FILTER_CASES
    ],
)
def test_filter_image_matches_depthwise_conv2d(
    image_shape, kernel_size, strides, padding, dilation
):
    rng = np.random.default_rng(2)
    image = rng.uniform(0.0, 1.0, image_shape).astype(np.float32)
    kernel = rng.standard_normal((kernel_size, kernel_size)).astype(np.float32)
    options = {"strides": strides, "padding": padding, "dilation": dilation}

    filtered = convolution.filter_image(image, kernel, **options)

    expected = keras_filter_image(image, kernel, **options)
    assert filtered.dtype == np.float32
    assert filtered.shape == expected.shape
    assert filtered.shape[:2] == expected_spatial_shape(image_shape[:2], kernel.shape, **options)
    np.testing.assert_allclose(filtered, expected, **TOLERANCE)


def test_filter_image_equals_conv2d_on_each_channel_alone():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (10, 9, 3), dtype=np.uint8)
    kernel = rng.standard_normal((3, 3))

    filtered = convolution.filter_image(image, kernel, strides=2, dilation=2)

    for channel in range(3):
        alone = convolution.conv2d(
            image[..., channel : channel + 1],
            kernel[:, :, np.newaxis, np.newaxis],
            strides=2,
            padding="same",
            dilation=2,
        )
        np.testing.assert_allclose(filtered[..., channel], alone[..., 0], **TOLERANCE)


def test_conv2d_takes_uint8_pixels_and_returns_float32():
    image = np.full((4, 4, 3), 255, dtype=np.uint8)

    outputs = convolution.conv2d(image, np.ones((2, 2, 3, 1)))

    assert outputs.dtype == np.float32
    np.testing.assert_array_equal(outputs, np.full((3, 3, 1), 255 * 12, dtype=np.float32))


@pytest.mark.parametrize(
    ("input_size", "kernel_size", "options", "expected_size", "expected_padding"),
    [
        (28, 3, {}, 26, (0, 0)),
        (28, 3, {"padding": "same"}, 28, (1, 1)),
        (28, 3, {"stride": 2, "padding": "same"}, 14, (0, 1)),
        (5, 3, {"stride": 2, "padding": "same"}, 3, (1, 1)),
        (6, 3, {"stride": 2, "padding": "same"}, 3, (0, 1)),
        (6, 2, {"padding": "same"}, 6, (0, 1)),
        # A stride larger than the kernel needs no padding for "same": max(..., 0).
        (10, 1, {"stride": 3, "padding": "same"}, 4, (0, 0)),
        (7, 3, {"padding": "valid", "dilation": 2}, 3, (0, 0)),
        (7, 3, {"padding": "same", "dilation": 2}, 7, (2, 2)),
        # "same" pads even a kernel larger than the input.
        (3, 5, {"padding": "same"}, 3, (2, 2)),
        (7, 3, {"padding": 1}, 7, (1, 1)),
        (7, 3, {"stride": 2, "padding": (0, 2)}, 4, (0, 2)),
        (7, 7, {"stride": 3}, 1, (0, 0)),
    ],
)
def test_output_size_and_padding_amounts(
    input_size, kernel_size, options, expected_size, expected_padding
):
    assert convolution.output_size(input_size, kernel_size, **options) == expected_size
    assert convolution.padding_amounts(input_size, kernel_size, **options) == expected_padding


@pytest.mark.parametrize(
    ("input_size", "kernel_size", "options", "expected_text"),
    [
        (28, 3, {"padding": "same"}, "⌊(28 + 1 + 1 − 3) / 1⌋ + 1 = 28"),
        (28, 3, {}, "⌊(28 + 0 + 0 − 3) / 1⌋ + 1 = 26"),
        (7, 3, {"stride": 2}, "⌊(7 + 0 + 0 − 3) / 2⌋ + 1 = 3"),
        (
            28,
            3,
            {"padding": "same", "dilation": 2},
            "⌊(28 + 2 + 2 − (2·(3−1)+1)) / 1⌋ + 1 = 28",
        ),
        (7, 3, {"stride": 2, "padding": (0, 2)}, "⌊(7 + 0 + 2 − 3) / 2⌋ + 1 = 4"),
    ],
)
def test_describe_output_size_fills_in_the_numbers(input_size, kernel_size, options, expected_text):
    assert convolution.describe_output_size(input_size, kernel_size, **options) == expected_text


FORMULA = re.compile(
    r"⌊\((\d+) \+ (\d+) \+ (\d+) − (?:(\d+)|\((\d+)·\((\d+)−1\)\+1\))\)"
    r" / (\d+)⌋ \+ 1 = (\d+)"
)


@pytest.mark.parametrize("padding", ["valid", "same", 2, (1, 3)])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_described_formula_adds_up(padding, stride, dilation):
    options = {"stride": stride, "padding": padding, "dilation": dilation}

    text = convolution.describe_output_size(13, 3, **options)

    match = FORMULA.fullmatch(text)
    assert match, text
    size, before, after, kernel, rate, kernel_before_dilation, step, result = (
        None if group is None else int(group) for group in match.groups()
    )
    dilated_kernel = kernel if kernel is not None else rate * (kernel_before_dilation - 1) + 1
    assert (size, step, dilated_kernel) == (13, stride, dilation * 2 + 1)
    assert (before, after) == convolution.padding_amounts(13, 3, **options)
    assert (size + before + after - dilated_kernel) // step + 1 == result
    assert result == convolution.output_size(13, 3, **options)


def test_extract_windows_reads_every_dilated_tap():
    image = np.arange(25.0).reshape(1, 5, 5, 1)

    windows = convolution.extract_windows(image, 2, strides=2, dilation=2)

    assert windows.shape == (1, 2, 2, 1, 2, 2)
    # Output (1, 0) starts at row 2, column 0; taps are 2 pixels apart.
    np.testing.assert_array_equal(windows[0, 1, 0, 0], [[10.0, 12.0], [20.0, 22.0]])
    assert not windows.flags.writeable


CONV_WINDOW_CASES = [
    {},
    {"padding": "same"},
    {"padding": "same", "strides": 2},
    {"padding": "same", "strides": (2, 3), "dilation": 2},
    {"padding": 1, "dilation": (1, 2)},
    {"padding": ((2, 0), (0, 1)), "strides": (1, 2)},
]


@pytest.mark.parametrize("options", CONV_WINDOW_CASES, ids=str)
@pytest.mark.parametrize("kernel_shape", [(1, 1), (2, 3), (3, 3)])
def test_conv_window_total_equals_every_output_cell(options, kernel_shape):
    rng = np.random.default_rng(4)
    image = rng.integers(-9, 10, (6, 7)).astype(np.float64)
    kernel = rng.integers(-3, 4, kernel_shape).astype(np.float64)
    filtered = convolution.filter_image(image, kernel, **{"padding": "valid", **options})

    for row, col in np.ndindex(filtered.shape):
        window = convolution.conv_window(image, kernel, row=row, col=col, **options)

        assert window.output_shape == filtered.shape
        assert window.total == pytest.approx(filtered[row, col])
        np.testing.assert_array_equal(window.products, window.patch * kernel)
        np.testing.assert_array_equal(
            window.patch, window.padded[np.ix_(window.input_rows, window.input_cols)]
        )


def test_conv_window_shows_padding_as_zeros():
    image = np.arange(1.0, 10.0).reshape(3, 3)

    window = convolution.conv_window(image, np.ones((3, 3)), row=0, col=0, padding="same")

    assert window.padding == ((1, 1), (1, 1))
    assert window.padded.shape == (5, 5)
    np.testing.assert_array_equal(window.input_rows, [0, 1, 2])
    np.testing.assert_array_equal(window.input_cols, [0, 1, 2])
    np.testing.assert_array_equal(window.patch, [[0, 0, 0], [0, 1, 2], [0, 4, 5]])
    assert window.total == 12.0
    assert window.output_shape == (3, 3)


def test_conv_window_by_hand():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])

    window = convolution.conv_window(image, kernel, row=1, col=1, strides=2)

    # Output (1, 1) with stride 2 starts at input (2, 2): 10 * 1 + 15 * -1.
    np.testing.assert_array_equal(window.input_rows, [2, 3])
    np.testing.assert_array_equal(window.input_cols, [2, 3])
    np.testing.assert_array_equal(window.patch, [[10.0, 11.0], [14.0, 15.0]])
    np.testing.assert_array_equal(window.products, [[10.0, 0.0], [0.0, -15.0]])
    assert window.total == -5.0
    assert (window.row, window.col) == (1, 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: convolution.output_size(5, 3, padding="full"),
            r"`padding` must be 'valid', 'same', an int >= 0 or a pair.*Received: padding='full'",
        ),
        (
            lambda: convolution.output_size(5, 3, padding=-1),
            r"`padding` must not be negative.*Received: padding=-1",
        ),
        (lambda: convolution.output_size(5, 0), r"`kernel_size` must be an int >= 1.*=0"),
        (lambda: convolution.output_size(5, 3, stride=0), r"`stride` must be an int >= 1.*=0"),
        (lambda: convolution.output_size(5, 3, dilation=1.5), r"Received: dilation=1.5"),
        (
            lambda: convolution.output_size(4, 3, dilation=2),
            r"The kernel spans 5 pixels \(size 3, dilation 2\) but the padded input has only 4"
            r".*padding='same'.*Received: input_size=4",
        ),
        (
            lambda: convolution.conv2d(np.zeros((4, 4)), np.zeros((3, 3, 1, 1))),
            r"`images` must have shape \(height, width, channels\) or \(batch, .*\(4, 4\)",
        ),
        (
            lambda: convolution.conv2d(np.zeros((4, 4, 3)), np.zeros((3, 3, 1, 2))),
            r"in_channels = 3, the channels of `images`.*shape \(3, 3, 1, 2\)",
        ),
        (
            lambda: convolution.conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 2)), bias=[1.0]),
            r"`bias` must have shape \(filters,\) = \(2,\).*shape \(1,\)",
        ),
        (
            lambda: convolution.conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), strides=0),
            r"`strides` must be an int >= 1 or a pair.*Received: strides=0",
        ),
        (
            lambda: convolution.conv2d(
                np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), dilation=(1, 2, 3)
            ),
            r"Received: dilation=\(1, 2, 3\)",
        ),
        (
            lambda: convolution.conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), padding=(1, 2)),
            r"`padding` must be .*\(\(top, bottom\), \(left, right\)\). Received: padding=\(1, 2\)",
        ),
        (
            lambda: convolution.conv2d(np.zeros((2, 2, 1)), np.zeros((3, 3, 1, 1))),
            r"The kernel spans 3 pixels",
        ),
        (
            lambda: convolution.filter_image(np.zeros((4, 4, 3, 1)), np.ones((3, 3))),
            r"`image` must have shape \(height, width\) or \(height, width, channels\)",
        ),
        (
            lambda: convolution.filter_image(np.zeros((4, 4)), np.ones((3, 3, 1))),
            r"`kernel` must have shape \(kernel_height, kernel_width\).*\(3, 3, 1\)",
        ),
        (
            lambda: convolution.conv_window(np.zeros((4, 4)), np.ones((3, 3)), row=2, col=0),
            r"`row` must be in \[0, 2\) and `col` in \[0, 2\).*Received: row=2, col=0",
        ),
        (
            lambda: convolution.conv_window(np.zeros((4, 4)), np.ones((3, 3)), row=0, col=-1),
            r"Received: row=0, col=-1",
        ),
        (
            lambda: convolution.conv_window(np.zeros((4, 4, 1)), np.ones((3, 3)), row=0, col=0),
            r"`image` must have shape \(height, width\).*\(4, 4, 1\)",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_the_concept_modules_does_not_import_tensorflow():
    loaded = run_python(
        """
        import json, sys
        import dlcore.concepts.convolution, dlcore.concepts.kernels, dlcore.concepts.pooling
        import dlcore.figures.convolution
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )

    assert loaded == [], "the Convolution and Pooling pages would wait for TensorFlow"


def test_busiest_window_finds_the_edge_not_the_flat_corner():
    image = np.full((8, 8), 0.01)
    image[5:, 4:] = 0.9  # a bright block in the bottom right: edges at row 5, column 4

    row, col = convolution.busiest_window(image, 3, padding="same")
    rows, cols = range(row - 1, row + 2), range(col - 1, col + 2)
    window = image[np.ix_([r for r in rows if 0 <= r < 8], [c for c in cols if 0 <= c < 8])]

    assert window.max() - window.min() == pytest.approx(0.89)
    # Of the windows that span the edge, the nearest the middle (3.5, 3.5): (4, 3) and
    # (4, 4) are as near, and the first in reading order wins.
    assert (row, col) == (4, 3)


def test_busiest_window_leaves_padding_out_and_picks_the_middle_when_all_are_flat():
    flat = np.full((7, 7), 0.5)

    # Zero padding would make every border window look busy.
    assert convolution.busiest_window(flat, 3, padding="same") == (3, 3)
    assert convolution.busiest_window(flat, 2, strides=2) == (1, 1)
    with pytest.raises(ValueError, match="image2d"):
        convolution.busiest_window(np.zeros((2, 3, 3)), 2)
