"""Pooling in NumPy for learners: max and average pooling, one window, and a one-pixel shift."""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

# Pooling reads windows exactly as convolution does, with a dilation of 1; the
# argument checks are shared so that both pages word their errors alike.
from dlcore.concepts.convolution import (
    PADDING_MODES,
    _as_image_batch,
    _as_pair,
    _check_output_position,
    _is_int,
    extract_windows,
    output_size,
    padding_amounts,
)

POOLING_MODES = ("max", "average")
"""What a pooling window keeps: its largest value, or the mean of its values."""


def pool2d(
    images: ArrayLike,
    *,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> np.ndarray:
    """Pools each channel of images, as `keras.layers.MaxPooling2D` and `AveragePooling2D` do.

    A window of `pool_size` slides over each channel, `strides` pixels at a time,
    and keeps one number per position: the largest value (`"max"`) or the mean
    (`"average"`). With `"same"` padding the window may hang over the border, as in
    Keras: the pixels outside are ignored, so max pooling never picks one and average
    pooling divides by the number of real pixels in the window, not by the window size.

    Args:
        images: An array of shape `(height, width, channels)` or
            `(batch, height, width, channels)`, any real values.
        pool_size: `int` or pair of ints `(rows, cols)` >= 1, the window size.
            Defaults to `2`.
        strides: `int` or pair of ints >= 1, or `None` for `pool_size`, so that
            windows do not overlap. Defaults to `None`.
        padding: `"valid"` (windows stay inside the image) or `"same"` (the output has
            `ceil(size / stride)` rows and columns). Defaults to `"valid"`.
        mode: `"max"` or `"average"`. Defaults to `"max"`.

    Returns:
        A float32 array of shape `(out_height, out_width, channels)`, or
        `(batch, out_height, out_width, channels)` for a batch, with the sizes of
        `dlcore.concepts.convolution.output_size`.

    Raises:
        ValueError: If `images` is not 3-D or 4-D, an option is invalid, or the window
            is larger than the image with `"valid"` padding.

    Example:

    >>> pool2d(np.arange(16.0).reshape(4, 4, 1))[..., 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    batch, has_batch_axis = _as_image_batch(images, "images")
    pool_pair, stride_pair = _check_pooling_options(pool_size, strides, padding, mode)
    _check_window_fits(batch.shape[1:3], pool_pair, stride_pair, padding)
    if mode == "max":
        # -inf padding can never be the largest value in a window.
        windows = extract_windows(
            batch, pool_pair, strides=stride_pair, padding=padding, pad_value=-np.inf
        )
        pooled = windows.max(axis=(-2, -1))
    else:
        windows = extract_windows(batch, pool_pair, strides=stride_pair, padding=padding)
        # Zero padding adds nothing to a window's sum; dividing by the count of real
        # pixels (a window over a padded image of ones) leaves the padding out.
        real_pixels = extract_windows(
            np.ones((1, *batch.shape[1:3], 1), dtype=np.float32),
            pool_pair,
            strides=stride_pair,
            padding=padding,
        ).sum(axis=(-2, -1))
        pooled = windows.sum(axis=(-2, -1)) / real_pixels
    pooled = pooled.astype(np.float32, copy=False)
    return pooled if has_batch_axis else pooled[0]


def global_pool(images: ArrayLike, *, mode: str) -> np.ndarray:
    """Pools each channel over the whole image, as `keras.layers.GlobalMaxPooling2D` and
    `GlobalAveragePooling2D` do.

    A CNN uses it to turn its last feature maps into one number per channel, whatever
    the image size, before the classifier.

    Args:
        images: An array of shape `(height, width, channels)` or
            `(batch, height, width, channels)`, any real values.
        mode: `"max"` or `"average"`.

    Returns:
        A float32 array of shape `(channels,)`, or `(batch, channels)` for a batch.

    Raises:
        ValueError: If `images` is not 3-D or 4-D, or `mode` is unknown.

    Example:

    >>> global_pool(np.arange(8.0).reshape(2, 2, 2), mode="average")
    array([3., 4.], dtype=float32)
    """
    batch, has_batch_axis = _as_image_batch(images, "images")
    _check_mode(mode)
    pooled = batch.max(axis=(1, 2)) if mode == "max" else batch.mean(axis=(1, 2))
    return pooled if has_batch_axis else pooled[0]


@dataclasses.dataclass(frozen=True, eq=False)
class PoolWindow:
    """One output value of pooling, step by step, as `pool_window` returns it.

    Window cell `(i, j)` reads `padded[input_rows[i], input_cols[j]]`. (`eq=False`:
    arrays have no single truth value, so comparing two windows with == could only raise.)

    Attributes:
        row: `int`, the output row.
        col: `int`, the output column.
        mode: `"max"` or `"average"`.
        padded: Float64 image with its `"same"` padding as NaN, shape
            `(height + top + bottom, width + left + right)`.
        padding: `((top, bottom), (left, right))`, the padding on each side.
        input_rows: Int array of shape `(pool_rows,)`: the rows of `padded` read.
        input_cols: Int array of shape `(pool_cols,)`: the columns of `padded` read.
        patch: Float64 array of shape `(pool_rows, pool_cols)`, the values under the
            window, NaN where it lies on padding (which pooling ignores).
        value: `float`, the pooled value: the largest or the mean of the real values.
        winner: For `"max"`, `(i, j)`, where the largest value sits in `patch` (the
            first in reading order if several tie); `None` for `"average"`.
        output_shape: `(out_height, out_width)`, the shape of the whole output.
    """

    row: int
    col: int
    mode: str
    padded: np.ndarray
    padding: tuple[tuple[int, int], tuple[int, int]]
    input_rows: np.ndarray
    input_cols: np.ndarray
    patch: np.ndarray
    value: float
    winner: tuple[int, int] | None
    output_shape: tuple[int, int]


def pool_window(
    image2d: ArrayLike,
    *,
    row: int,
    col: int,
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> PoolWindow:
    """Shows how one output value of pooling is computed, for a small crop.

    Args:
        image2d: A small array of shape `(height, width)`, any real values.
        row: `int`, the output row, in `[0, out_height)`.
        col: `int`, the output column, in `[0, out_width)`.
        pool_size: As in `pool2d`. Defaults to `2`.
        strides: As in `pool2d`. Defaults to `None` (`pool_size`).
        padding: As in `pool2d`. Defaults to `"valid"`.
        mode: As in `pool2d`. Defaults to `"max"`.

    Returns:
        A `PoolWindow`; its `value` equals `pool2d(image2d[..., None], ...)[row, col, 0]`.

    Raises:
        ValueError: If `image2d` is not 2-D, an option is invalid, or `row` or `col`
            is outside the output.

    Example:

    >>> window = pool_window(np.arange(16.0).reshape(4, 4), row=0, col=1)
    >>> window.patch.tolist(), window.value, window.winner
    ([[2.0, 3.0], [6.0, 7.0]], 7.0, (1, 1))
    """
    image2d = _as_image2d(image2d)
    pool_pair, stride_pair = _check_pooling_options(pool_size, strides, padding, mode)
    output_shape = _check_window_fits(image2d.shape, pool_pair, stride_pair, padding)
    _check_output_position(row, col, output_shape)
    amounts = tuple(
        padding_amounts(size, window, stride=stride, padding=padding)
        for size, window, stride in zip(image2d.shape, pool_pair, stride_pair, strict=True)
    )
    # NaN marks the padding: it is not a value, and both nanmax and nanmean skip it.
    padded = np.pad(image2d, amounts, constant_values=np.nan)
    input_rows = row * stride_pair[0] + np.arange(pool_pair[0])
    input_cols = col * stride_pair[1] + np.arange(pool_pair[1])
    patch = padded[np.ix_(input_rows, input_cols)]
    if mode == "max":
        winner_index = np.unravel_index(np.nanargmax(patch), patch.shape)
        winner = (int(winner_index[0]), int(winner_index[1]))
        value = float(patch[winner])
    else:
        winner = None
        value = float(np.nanmean(patch))
    return PoolWindow(
        row=row,
        col=col,
        mode=mode,
        padded=padded,
        padding=amounts,
        input_rows=input_rows,
        input_cols=input_cols,
        patch=patch,
        value=value,
        winner=winner,
        output_shape=output_shape,
    )


@dataclasses.dataclass(frozen=True, eq=False)
class ShiftEffect:
    """What shifting an image by a few pixels does to its pooled output.

    Attributes:
        shift: `(rows, cols)`, how far the content moved: positive is down and right.
        original: Float64 array of shape `(height - |rows|, width - |cols|)`, the image
            before the shift.
        shifted: Float64 array of the same shape, the image after the shift:
            `shifted[i, j] == original[i - rows, j - cols]` wherever both exist.
        pooled_original: Float32 array of shape `(out_height, out_width)`, `original` pooled.
        pooled_shifted: Float32 array of the same shape, `shifted` pooled.
        change: `pooled_shifted - pooled_original`, float32.
        unchanged_fraction: `float` in [0, 1], the fraction of output values that are
            exactly equal before and after the shift.
    """

    shift: tuple[int, int]
    original: np.ndarray
    shifted: np.ndarray
    pooled_original: np.ndarray
    pooled_shifted: np.ndarray
    change: np.ndarray
    unchanged_fraction: float


def shift_effect(
    image2d: ArrayLike,
    *,
    shift: tuple[int, int] = (0, 1),
    pool_size: int | tuple[int, int] = 2,
    strides: int | tuple[int, int] | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> ShiftEffect:
    """Pools an image before and after moving its content by a few pixels.

    Max pooling is said to be slightly translation invariant: when the content moves
    by a pixel, the largest value of a window often stays inside that window, so many
    pooled values do not change. Average pooling mixes every pixel in, so almost all
    of its values change.

    Both images are crops of the same picture, offset by `shift`: for a shift of one
    column to the right, the original is `image2d[:, 1:]` and the shifted image is
    `image2d[:, :-1]`, so every pixel of the shifted image is one column to the right
    of where it was in the original. `np.roll` would not do: it wraps the last column
    around to the first, which puts an edge into the image that was never there and
    changes border outputs for reasons that have nothing to do with the shift.

    Args:
        image2d: An array of shape `(height, width)`, any real values.
        shift: A pair of ints `(rows, cols)`, how far the content moves (negative is up
            or left); smaller in size than the image. Defaults to `(0, 1)`.
        pool_size: As in `pool2d`. Defaults to `2`.
        strides: As in `pool2d`. Defaults to `None` (`pool_size`).
        padding: As in `pool2d`. Defaults to `"valid"`.
        mode: As in `pool2d`. Defaults to `"max"`.

    Returns:
        A `ShiftEffect`.

    Raises:
        ValueError: If `image2d` is not 2-D, `shift` is not a pair of ints that leaves
            some of the image, or a pooling option is invalid.

    Example:

    >>> image = np.array([[1.0, 5.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 7.0, 0.0]])
    >>> effect = shift_effect(image, shift=(0, 1))
    >>> effect.pooled_original.tolist(), effect.pooled_shifted.tolist()
    ([[5.0, 7.0]], [[5.0, 7.0]])
    """
    image2d = _as_image2d(image2d)
    shift_rows, shift_cols = _check_shift(shift, image2d.shape)
    height, width = image2d.shape
    crop_height, crop_width = height - abs(shift_rows), width - abs(shift_cols)
    # shifted[i, j] == original[i - shift_rows, j - shift_cols]: the original crop starts
    # `shift` pixels further down and right in the picture than the shifted one.
    original = image2d[
        max(shift_rows, 0) : max(shift_rows, 0) + crop_height,
        max(shift_cols, 0) : max(shift_cols, 0) + crop_width,
    ]
    shifted = image2d[
        max(-shift_rows, 0) : max(-shift_rows, 0) + crop_height,
        max(-shift_cols, 0) : max(-shift_cols, 0) + crop_width,
    ]
    options = {"pool_size": pool_size, "strides": strides, "padding": padding, "mode": mode}
    pooled_original = pool2d(original[..., np.newaxis], **options)[..., 0]
    pooled_shifted = pool2d(shifted[..., np.newaxis], **options)[..., 0]
    return ShiftEffect(
        shift=(shift_rows, shift_cols),
        original=original,
        shifted=shifted,
        pooled_original=pooled_original,
        pooled_shifted=pooled_shifted,
        change=pooled_shifted - pooled_original,
        unchanged_fraction=float(np.mean(pooled_shifted == pooled_original)),
    )


def _check_pooling_options(
    pool_size: int | tuple[int, int],
    strides: int | tuple[int, int] | None,
    padding: str,
    mode: str,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Checks the options shared by the pooling functions; returns (pool_size, strides) pairs."""
    pool_pair = _as_pair(pool_size, "pool_size")
    # As in Keras, windows that do not overlap are the default.
    stride_pair = pool_pair if strides is None else _as_pair(strides, "strides")
    if not (isinstance(padding, str) and padding in PADDING_MODES):
        raise ValueError(
            "`padding` must be 'valid' or 'same', as Keras pooling layers take it. "
            f"Received: padding={padding!r}."
        )
    _check_mode(mode)
    return pool_pair, stride_pair


def _check_mode(mode: str) -> None:
    if mode not in POOLING_MODES:
        raise ValueError(f"`mode` must be 'max' or 'average'. Received: mode={mode!r}.")


def _check_window_fits(
    image_shape: tuple[int, int],
    pool_pair: tuple[int, int],
    stride_pair: tuple[int, int],
    padding: str,
) -> tuple[int, int]:
    """The output's (height, width); raises with pooling's own words if there is none."""
    if padding == "valid" and (image_shape[0] < pool_pair[0] or image_shape[1] < pool_pair[1]):
        raise ValueError(
            f"The pooling window {pool_pair} is larger than the image {tuple(image_shape)}, "
            "so 'valid' padding leaves no output. Use a smaller `pool_size` or "
            f"padding='same'. Received: pool_size={pool_pair}, image shape {tuple(image_shape)}."
        )
    return tuple(
        output_size(size, window, stride=stride, padding=padding)
        for size, window, stride in zip(image_shape, pool_pair, stride_pair, strict=True)
    )


def _as_image2d(image2d: ArrayLike) -> np.ndarray:
    image2d = np.asarray(image2d, dtype=np.float64)
    if image2d.ndim != 2:
        raise ValueError(
            "`image2d` must have shape (height, width), one channel. "
            f"Received: image2d with shape {image2d.shape}."
        )
    return image2d


def _check_shift(shift: tuple[int, int], image_shape: tuple[int, int]) -> tuple[int, int]:
    is_pair_of_ints = (
        isinstance(shift, tuple | list) and len(shift) == 2 and all(_is_int(step) for step in shift)
    )
    if not (is_pair_of_ints and abs(shift[0]) < image_shape[0] and abs(shift[1]) < image_shape[1]):
        raise ValueError(
            "`shift` must be a pair of ints (rows, cols), each smaller in size than the image "
            f"{tuple(image_shape)}, so that some of it stays in view. Received: shift={shift!r}."
        )
    return (int(shift[0]), int(shift[1]))
