"""Tests for dlcore.concepts.pooling: pool2d and global_pool against Keras, a window, a shift."""

import itertools

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore.concepts import convolution, pooling

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
KERAS_POOLING = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}
KERAS_GLOBAL_POOLING = {
    "max": keras.layers.GlobalMaxPooling2D,
    "average": keras.layers.GlobalAveragePooling2D,
}


def keras_pool2d(images, *, pool_size, strides, padding, mode):
    """The reference: keras.layers.MaxPooling2D or AveragePooling2D."""
    batch = images if images.ndim == 4 else images[np.newaxis]
    layer = KERAS_POOLING[mode](pool_size=pool_size, strides=strides, padding=padding)
    outputs = np.asarray(layer(batch))
    return outputs if images.ndim == 4 else outputs[0]


def expected_spatial_shape(image_shape, pool_size, strides, padding):
    pool_pair = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    strides = pool_pair if strides is None else strides
    stride_pair = (strides, strides) if isinstance(strides, int) else strides
    return tuple(
        convolution.output_size(size, window, stride=stride, padding=padding)
        for size, window, stride in zip(image_shape, pool_pair, stride_pair, strict=True)
    )


# Odd and even sizes, 1 and 3 channels, one image and a batch; square and oblong windows.
POOL_CASES = list(
    itertools.product(
        [(7, 7, 1), (8, 6, 3), (2, 9, 10, 3)],
        [1, 2, 3, (2, 3)],
        [None, 1, 2, 3],
        ["valid", "same"],
        ["max", "average"],
    )
)


@pytest.mark.parametrize(
    ("image_shape", "pool_size", "strides", "padding", "mode"),
    POOL_CASES,
    ids=[
        f"{'x'.join(map(str, shape))}-p{pool}-s{strides}-{padding}-{mode}"
        for shape, pool, strides, padding, mode in POOL_CASES
    ],
)
def test_pool2d_matches_keras(image_shape, pool_size, strides, padding, mode):
    images = np.random.default_rng(0).standard_normal(image_shape).astype(np.float32)
    options = {"pool_size": pool_size, "strides": strides, "padding": padding, "mode": mode}

    pooled = pooling.pool2d(images, **options)

    expected = keras_pool2d(images, **options)
    assert pooled.dtype == np.float32
    assert pooled.shape == expected.shape
    assert pooled.shape[-3:-1] == expected_spatial_shape(
        image_shape[-3:-1], pool_size, strides, padding
    ), "output_size disagrees with Keras"
    np.testing.assert_allclose(pooled, expected, **TOLERANCE)


@settings(max_examples=30, deadline=None)
@given(
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    channels=st.integers(1, 3),
    pool_size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 4))),
    padding=st.sampled_from(["valid", "same"]),
    mode=st.sampled_from(["max", "average"]),
    seed=st.integers(0, 2**16),
)
def test_pool2d_matches_keras_on_random_shapes(
    height, width, channels, pool_size, strides, padding, mode, seed
):
    if padding == "valid":
        # Shrink the window until it fits, rather than discard the example.
        pool_size = (min(pool_size[0], height), min(pool_size[1], width))
    images = np.random.default_rng(seed).uniform(-5.0, 5.0, (height, width, channels))
    images = images.astype(np.float32)
    options = {"pool_size": pool_size, "strides": strides, "padding": padding, "mode": mode}

    pooled = pooling.pool2d(images, **options)

    expected = keras_pool2d(images, **options)
    assert pooled.shape == expected.shape
    np.testing.assert_allclose(pooled, expected, **TOLERANCE)


def test_same_average_pooling_divides_by_the_real_pixels_like_keras():
    image = np.arange(1.0, 26.0, dtype=np.float32).reshape(5, 5, 1)

    pooled = pooling.pool2d(image, pool_size=2, padding="same", mode="average")[..., 0]

    # Size 5, window 2, stride 2: 3 outputs, one zero of padding after. The bottom-right
    # window holds only pixel 25; dividing by the window size would give 25 / 4.
    assert pooled[2, 2] == 25.0
    assert pooled[0, 2] == (5.0 + 10.0) / 2
    assert pooled[0, 0] == (1.0 + 2.0 + 6.0 + 7.0) / 4
    expected = keras_pool2d(image, pool_size=2, strides=None, padding="same", mode="average")
    np.testing.assert_array_equal(pooled, expected[..., 0])


def test_same_max_pooling_never_picks_the_padding():
    image = np.full((3, 3, 1), -7.0, dtype=np.float32)

    pooled = pooling.pool2d(image, pool_size=2, padding="same", mode="max")

    np.testing.assert_array_equal(pooled, np.full((2, 2, 1), -7.0))


def test_pool2d_takes_uint8_pixels():
    image = np.array([[0, 255], [10, 20]], dtype=np.uint8)[..., np.newaxis]

    pooled = pooling.pool2d(image, mode="average")

    assert pooled.dtype == np.float32
    assert pooled[0, 0, 0] == pytest.approx(71.25)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("image_shape", [(5, 4, 1), (6, 6, 3), (2, 3, 5, 4)])
def test_global_pool_matches_keras(mode, image_shape):
    images = np.random.default_rng(1).standard_normal(image_shape).astype(np.float32)
    batch = images if images.ndim == 4 else images[np.newaxis]

    pooled = pooling.global_pool(images, mode=mode)

    expected = np.asarray(KERAS_GLOBAL_POOLING[mode]()(batch))
    expected = expected if images.ndim == 4 else expected[0]
    assert pooled.dtype == np.float32
    assert pooled.shape == expected.shape == (*image_shape[:-3], image_shape[-1])
    np.testing.assert_allclose(pooled, expected, **TOLERANCE)


WINDOW_CASES = [
    {"pool_size": 2},
    {"pool_size": 2, "padding": "same"},
    {"pool_size": 3, "strides": 2, "padding": "same"},
    {"pool_size": (2, 3), "strides": 1},
    {"pool_size": 3, "strides": (1, 2), "padding": "same"},
]


@pytest.mark.parametrize("options", WINDOW_CASES, ids=str)
@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_window_value_equals_every_output_cell(options, mode):
    image = np.random.default_rng(2).integers(-9, 10, (5, 7)).astype(np.float64)
    pooled = pooling.pool2d(image[..., np.newaxis], mode=mode, **options)[..., 0]

    for row, col in np.ndindex(pooled.shape):
        window = pooling.pool_window(image, row=row, col=col, mode=mode, **options)

        assert window.output_shape == pooled.shape
        assert window.value == pytest.approx(pooled[row, col])
        np.testing.assert_array_equal(
            window.patch, window.padded[np.ix_(window.input_rows, window.input_cols)]
        )
        if mode == "max":
            assert window.patch[window.winner] == window.value
        else:
            assert window.winner is None


def test_pool_window_marks_padding_as_nan_and_ignores_it():
    image = np.arange(1.0, 26.0).reshape(5, 5)

    window = pooling.pool_window(image, row=2, col=2, pool_size=2, padding="same", mode="average")

    assert window.padding == ((0, 1), (0, 1))
    assert window.padded.shape == (6, 6)
    np.testing.assert_array_equal(window.input_rows, [4, 5])
    np.testing.assert_array_equal(window.input_cols, [4, 5])
    np.testing.assert_array_equal(np.isnan(window.patch), [[False, True], [True, True]])
    assert window.value == 25.0


def test_pool_window_winner_is_the_first_of_tied_maxima():
    image = np.array([[1.0, 9.0], [9.0, 0.0]])

    window = pooling.pool_window(image, row=0, col=0)

    assert window.winner == (0, 1)
    assert window.value == 9.0


def test_shift_effect_by_hand():
    image = np.array(
        [
            [1.0, 5.0, 2.0, 0.0, 3.0],
            [0.0, 0.0, 0.0, 7.0, 0.0],
        ]
    )

    max_effect = pooling.shift_effect(image, shift=(0, 1), mode="max")
    average_effect = pooling.shift_effect(image, shift=(0, 1), mode="average")

    # Before: columns 1-4; after: columns 0-3, so the content sits one column further right.
    np.testing.assert_array_equal(max_effect.original, [[5, 2, 0, 3], [0, 0, 7, 0]])
    np.testing.assert_array_equal(max_effect.shifted, [[1, 5, 2, 0], [0, 0, 0, 7]])
    # The 5 and the 7 each stay inside their 2x2 window, so max pooling does not notice.
    np.testing.assert_array_equal(max_effect.pooled_original, [[5.0, 7.0]])
    np.testing.assert_array_equal(max_effect.pooled_shifted, [[5.0, 7.0]])
    np.testing.assert_array_equal(max_effect.change, [[0.0, 0.0]])
    assert max_effect.unchanged_fraction == 1.0
    # Average pooling sees every pixel move: (5 + 2) / 4 becomes (1 + 5) / 4, and so on.
    np.testing.assert_array_equal(average_effect.pooled_original, [[1.75, 2.5]])
    np.testing.assert_array_equal(average_effect.pooled_shifted, [[1.5, 2.25]])
    np.testing.assert_array_equal(average_effect.change, [[-0.25, -0.25]])
    assert average_effect.unchanged_fraction == 0.0


def test_shift_effect_when_the_maximum_crosses_into_the_next_window():
    image = np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 8.0, 0.0, 0.0]])

    effect = pooling.shift_effect(image, shift=(0, 1), mode="max")

    np.testing.assert_array_equal(effect.pooled_original, [[8.0, 0.0]])
    np.testing.assert_array_equal(effect.pooled_shifted, [[0.0, 8.0]])
    assert effect.unchanged_fraction == 0.0


@pytest.mark.parametrize("shift", [(0, 1), (1, 0), (-2, 1), (2, -3), (0, 0)])
def test_shift_effect_moves_the_content_without_wrapping_around(shift):
    image = np.random.default_rng(3).uniform(0.0, 1.0, (8, 9))

    effect = pooling.shift_effect(image, shift=shift)

    shift_rows, shift_cols = shift
    height, width = effect.original.shape
    assert effect.shifted.shape == (height, width) == (8 - abs(shift_rows), 9 - abs(shift_cols))
    for row, col in np.ndindex(height, width):
        source_row, source_col = row - shift_rows, col - shift_cols
        if 0 <= source_row < height and 0 <= source_col < width:
            assert effect.shifted[row, col] == effect.original[source_row, source_col]
    assert effect.shift == shift
    if shift == (0, 0):
        assert effect.unchanged_fraction == 1.0


def test_max_pooling_keeps_more_values_than_average_pooling_under_a_shift():
    image = np.random.default_rng(4).uniform(0.0, 1.0, (32, 32))

    max_effect = pooling.shift_effect(image, shift=(0, 1), mode="max")
    average_effect = pooling.shift_effect(image, shift=(0, 1), mode="average")

    # A 2x2 max keeps its value when the largest of the 6 pixels seen before or after the
    # shift is one of the 2 they share: on noise, for about 2 / 6 of the windows.
    assert max_effect.unchanged_fraction == pytest.approx(1 / 3, abs=0.1)
    assert average_effect.unchanged_fraction == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: pooling.pool2d(np.zeros((4, 4, 1)), mode="min"),
            r"`mode` must be 'max' or 'average'. Received: mode='min'",
        ),
        (
            lambda: pooling.pool2d(np.zeros((4, 4, 1)), padding=1),
            r"`padding` must be 'valid' or 'same', as Keras pooling layers take it.*padding=1",
        ),
        (
            lambda: pooling.pool2d(np.zeros((4, 4, 1)), pool_size=0),
            r"`pool_size` must be an int >= 1 or a pair.*Received: pool_size=0",
        ),
        (
            lambda: pooling.pool2d(np.zeros((4, 4, 1)), strides=(1, 0)),
            r"Received: strides=\(1, 0\)",
        ),
        (
            lambda: pooling.pool2d(np.zeros((4, 4)), pool_size=2),
            r"`images` must have shape \(height, width, channels\).*\(4, 4\)",
        ),
        (
            lambda: pooling.pool2d(np.zeros((2, 5, 1)), pool_size=3),
            r"The pooling window \(3, 3\) is larger than the image \(2, 5\).*padding='same'",
        ),
        (
            lambda: pooling.global_pool(np.zeros((4, 4, 1)), mode="sum"),
            r"Received: mode='sum'",
        ),
        (
            lambda: pooling.pool_window(np.zeros((4, 4, 1)), row=0, col=0),
            r"`image2d` must have shape \(height, width\).*\(4, 4, 1\)",
        ),
        (
            lambda: pooling.pool_window(np.zeros((4, 4)), row=0, col=2),
            r"`row` must be in \[0, 2\) and `col` in \[0, 2\).*Received: row=0, col=2",
        ),
        (
            lambda: pooling.shift_effect(np.zeros((4, 4)), shift=(0, 4)),
            r"`shift` must be a pair of ints.*Received: shift=\(0, 4\)",
        ),
        (
            lambda: pooling.shift_effect(np.zeros((4, 4)), shift=1),
            r"`shift` must be a pair of ints.*Received: shift=1",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
