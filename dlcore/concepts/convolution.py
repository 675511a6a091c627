"""Convolution in NumPy for learners: output sizes, padding, Conv2D and one window in detail.

One module of about 600 lines, on purpose: the size formula, the padding, the windows and
the step-by-step view of one output share their argument checks, and `dlcore.concepts.pooling`
slides the same windows; the tests hold all of it against Keras's Conv2D together.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

Padding1D = str | int | tuple[int, int]
"""Padding along one axis: `"valid"`, `"same"`, an int for both sides, or `(before, after)`."""

Padding2D = str | int | tuple[tuple[int, int], tuple[int, int]]
"""Padding of an image: `"valid"`, `"same"`, an int for all four sides, or
`((top, bottom), (left, right))` as `keras.layers.ZeroPadding2D` takes it."""

PADDING_MODES = ("valid", "same")
"""The padding names Keras layers take, with their meaning in Keras."""


def padding_amounts(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding1D = "valid",
    dilation: int = 1,
) -> tuple[int, int]:
    """Computes how many zeros are added before and after the input along one axis.

    `"valid"` adds none. `"same"` adds just enough for `ceil(input_size / stride)`
    outputs, exactly as TensorFlow and Keras do: the total is
    `max((outputs - 1) * stride + dilated_kernel - input_size, 0)`, with `total // 2`
    before and the rest after, so an odd total puts the extra zero after (at the
    bottom or right). An int or a pair is taken as given.

    Args:
        input_size: `int` >= 1, the input's length along the axis (its height or width).
        kernel_size: `int` >= 1, the kernel's length along the axis.
        stride: `int` >= 1, how far the kernel moves between outputs. Defaults to `1`.
        padding: `"valid"`, `"same"`, an `int` >= 0 for both sides or a pair of ints
            `(before, after)`. Defaults to `"valid"`.
        dilation: `int` >= 1, the spacing between kernel taps. Defaults to `1`.

    Returns:
        The pair `(before, after)` of ints >= 0.

    Raises:
        ValueError: If a size, the stride, the dilation or the padding is invalid.

    Example:

    >>> padding_amounts(6, 3, stride=2, padding="same")
    (0, 1)
    """
    _check_positive_int(input_size, "input_size")
    _check_positive_int(kernel_size, "kernel_size")
    _check_positive_int(stride, "stride")
    _check_positive_int(dilation, "dilation")
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(
                "`padding` must be 'valid', 'same', an int >= 0 or a pair of ints "
                f"(before, after). Received: padding={padding!r}."
            )
        if padding == "valid":
            return (0, 0)
        n_outputs = math.ceil(input_size / stride)
        total = max((n_outputs - 1) * stride + _dilated_size(kernel_size, dilation) - input_size, 0)
        return (total // 2, total - total // 2)
    if _is_int(padding):
        _check_non_negative_padding((padding,), padding)
        return (int(padding), int(padding))
    if isinstance(padding, tuple | list) and len(padding) == 2 and all(map(_is_int, padding)):
        _check_non_negative_padding(padding, padding)
        return (int(padding[0]), int(padding[1]))
    raise ValueError(
        "`padding` must be 'valid', 'same', an int >= 0 or a pair of ints (before, after). "
        f"Received: padding={padding!r}."
    )


def output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding1D = "valid",
    dilation: int = 1,
) -> int:
    """Computes how many outputs a convolution or pooling window gives along one axis.

    With `before` and `after` zeros of padding (see `padding_amounts`) and the
    dilated kernel size `dilation * (kernel_size - 1) + 1`, the window fits
    `floor((input_size + before + after - dilated_kernel) / stride) + 1` times.
    For `"same"` this is `ceil(input_size / stride)`, as in Keras.

    Args:
        input_size: `int` >= 1, the input's length along the axis (its height or width).
        kernel_size: `int` >= 1, the kernel's (or pooling window's) length along the axis.
        stride: `int` >= 1, how far the kernel moves between outputs. Defaults to `1`.
        padding: `"valid"`, `"same"`, an `int` >= 0 for both sides or a pair of ints
            `(before, after)`. Defaults to `"valid"`.
        dilation: `int` >= 1, the spacing between kernel taps. Defaults to `1`.

    Returns:
        The number of outputs, an `int` >= 1.

    Raises:
        ValueError: If an argument is invalid, or if the dilated kernel is larger than
            the padded input, so that there would be no output at all.

    Example:

    >>> output_size(28, 3, padding="valid"), output_size(28, 3, stride=2, padding="same")
    (26, 14)
    """
    before, after = padding_amounts(
        input_size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    padded_size = input_size + before + after
    dilated_kernel = _dilated_size(kernel_size, dilation)
    if dilated_kernel > padded_size:
        raise ValueError(
            f"The kernel spans {dilated_kernel} pixels (size {kernel_size}, dilation "
            f"{dilation}) but the padded input has only {padded_size}, so there is no output. "
            "Use padding='same', more padding, a smaller kernel or a smaller dilation. "
            f"Received: input_size={input_size}, kernel_size={kernel_size}, "
            f"padding={padding!r}, dilation={dilation}."
        )
    return (padded_size - dilated_kernel) // stride + 1


def describe_output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding1D = "valid",
    dilation: int = 1,
) -> str:
    """Writes the output size formula of `output_size` with the numbers filled in.

    The terms are, in order: the input size, the padding before, the padding after,
    the dilated kernel size (written `d·(k−1)+1` when the dilation d is above 1), and
    the stride.

    Args:
        input_size: `int` >= 1, as in `output_size`.
        kernel_size: `int` >= 1, as in `output_size`.
        stride: `int` >= 1, as in `output_size`. Defaults to `1`.
        padding: As in `output_size`. Defaults to `"valid"`.
        dilation: `int` >= 1, as in `output_size`. Defaults to `1`.

    Returns:
        One line of plain text, such as `"⌊(28 + 1 + 1 − 3) / 1⌋ + 1 = 28"`.

    Raises:
        ValueError: As `output_size` does.

    Example:

    >>> describe_output_size(28, 3, padding="same")
    '⌊(28 + 1 + 1 − 3) / 1⌋ + 1 = 28'
    """
    size = output_size(input_size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_amounts(
        input_size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    kernel_term = str(kernel_size)
    if dilation > 1:
        kernel_term = f"({dilation}·({kernel_size}−1)+1)"
    return f"⌊({input_size} + {before} + {after} − {kernel_term}) / {stride}⌋ + 1 = {size}"


def extract_windows(
    images: ArrayLike,
    window_size: int | tuple[int, int],
    *,
    strides: int | tuple[int, int] = 1,
    padding: Padding2D = "valid",
    dilation: int | tuple[int, int] = 1,
    pad_value: float = 0.0,
) -> np.ndarray:
    """Gathers, for every output position, the input values that a window covers.

    This is what convolution and pooling have in common: pad the input, slide a
    window over it with the given strides, and read the pixels under the window's
    taps (every `dilation`-th pixel). The result is a read-only view into the padded
    input, so no pixel is copied once per window.

    Args:
        images: An array of shape `(batch, height, width, channels)`, any real dtype.
        window_size: `int` or pair of ints `(rows, cols)` >= 1, the kernel's or the
            pooling window's size before dilation.
        strides: `int` or pair of ints >= 1, how far the window moves between outputs.
            Defaults to `1`.
        padding: `"valid"`, `"same"`, an `int` >= 0 for all sides or
            `((top, bottom), (left, right))`. Defaults to `"valid"`.
        dilation: `int` or pair of ints >= 1, the spacing between the window's taps.
            Defaults to `1`.
        pad_value: `float`, the value of the padding: 0 for convolution, -inf so that
            max pooling never picks it. Defaults to `0.0`.

    Returns:
        A read-only array of shape `(batch, out_height, out_width, channels,
        window_rows, window_cols)` and the dtype of `images` (float64 if `pad_value`
        is not 0 and `images` holds ints): element `[b, i, j, c, r, s]` is the value
        that window tap `(r, s)` reads for output `(i, j)`.

    Raises:
        ValueError: If `images` is not 4-D, or an option is invalid.

    Example:

    >>> extract_windows(np.zeros((1, 28, 28, 3)), 3, padding="same").shape
    (1, 28, 28, 3, 3, 3)
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (batch, height, width, channels). "
            f"Received: images with shape {images.shape}."
        )
    window_rows, window_cols = _as_pair(window_size, "window_size")
    stride_rows, stride_cols = _as_pair(strides, "strides")
    dilation_rows, dilation_cols = _as_pair(dilation, "dilation")
    # Raises a clear error when the window does not fit, before NumPy raises its own.
    _output_shape(
        images.shape[1:3],
        (window_rows, window_cols),
        strides=(stride_rows, stride_cols),
        padding=padding,
        dilation=(dilation_rows, dilation_cols),
    )
    (top, bottom), (left, right) = _padding_2d(
        padding,
        images.shape[1:3],
        (window_rows, window_cols),
        strides=(stride_rows, stride_cols),
        dilation=(dilation_rows, dilation_cols),
    )
    if pad_value != 0 and not np.issubdtype(images.dtype, np.floating):
        images = images.astype(np.float64)
    padded = np.pad(
        images, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=pad_value
    )
    # Every window of the full dilated span, at every position (stride 1)...
    spans = sliding_window_view(
        padded,
        (_dilated_size(window_rows, dilation_rows), _dilated_size(window_cols, dilation_cols)),
        axis=(1, 2),
    )
    # ...then only the positions the strides visit, and only the pixels the taps read.
    return spans[:, ::stride_rows, ::stride_cols, :, ::dilation_rows, ::dilation_cols]


def conv2d(
    images: ArrayLike,
    kernels: ArrayLike,
    *,
    strides: int | tuple[int, int] = 1,
    padding: Padding2D = "valid",
    dilation: int | tuple[int, int] = 1,
    bias: ArrayLike | None = None,
) -> np.ndarray:
    """Convolves images with a bank of kernels, as `keras.layers.Conv2D` does.

    Each output value is a weighted sum: the input values under the kernel, across
    all input channels, times the kernel's weights, plus the filter's bias. Like
    every deep learning library, this does not flip the kernel (mathematicians call
    that cross-correlation). Unlike `keras.layers.Conv2D`, strides and dilation
    above 1 may be combined.

    Args:
        images: An array of shape `(height, width, in_channels)` or
            `(batch, height, width, in_channels)`, any real values (e.g. uint8 pixels).
        kernels: An array of shape `(kernel_height, kernel_width, in_channels, filters)`,
            laid out like the first weight of `keras.layers.Conv2D`.
        strides: `int` or pair of ints `(rows, cols)` >= 1. Defaults to `1`.
        padding: `"valid"` (no padding), `"same"` (Keras's zero padding, so that the
            output has `ceil(size / stride)` rows and columns), an `int` >= 0 for all
            sides, or `((top, bottom), (left, right))`. Defaults to `"valid"`.
        dilation: `int` or pair of ints >= 1, the spacing between kernel taps.
            Defaults to `1`.
        bias: `None` or an array of shape `(filters,)`, added to each filter's output.
            Defaults to `None` (no bias).

    Returns:
        A float32 array of shape `(out_height, out_width, filters)`, or
        `(batch, out_height, out_width, filters)` for a batch, with the sizes of
        `output_size`.

    Raises:
        ValueError: If a shape does not match, an option is invalid, or the kernel
            does not fit in the padded image.

    Example:

    >>> conv2d(np.ones((28, 28, 3)), np.ones((3, 3, 3, 8)), padding="same").shape
    (28, 28, 8)
    """
    batch, has_batch_axis = _as_image_batch(images, "images")
    kernels = np.asarray(kernels, dtype=np.float32)
    if kernels.ndim != 4 or kernels.shape[2] != batch.shape[3]:
        raise ValueError(
            "`kernels` must have shape (kernel_height, kernel_width, in_channels, filters) "
            f"with in_channels = {batch.shape[3]}, the channels of `images`. "
            f"Received: kernels with shape {kernels.shape}."
        )
    kernel_height, kernel_width, _, n_filters = kernels.shape
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float32)
        if bias.shape != (n_filters,):
            raise ValueError(
                f"`bias` must have shape (filters,) = ({n_filters},). "
                f"Received: bias with shape {bias.shape}."
            )
    windows = extract_windows(
        batch, (kernel_height, kernel_width), strides=strides, padding=padding, dilation=dilation
    )
    outputs = np.zeros((*windows.shape[:3], n_filters), dtype=np.float32)
    # One tap at a time: the values under tap (r, s) in every window, shape
    # (batch, out_height, out_width, in_channels), times that tap's (in_channels, filters)
    # weights. One einsum over all windows at once would first copy every window (nine
    # times the image for a 3x3 kernel) and measured several times slower.
    for tap_row in range(kernel_height):
        for tap_col in range(kernel_width):
            outputs += windows[..., tap_row, tap_col] @ kernels[tap_row, tap_col]
    if bias is not None:
        outputs += bias
    return outputs if has_batch_axis else outputs[0]


def filter_image(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    strides: int | tuple[int, int] = 1,
    padding: Padding2D = "same",
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Applies one 2-D kernel to each channel of an image separately.

    This is what an image editor's filter does to a colour photo: the red channel is
    filtered on its own, then green, then blue. It equals `keras.layers.DepthwiseConv2D`
    with the same kernel for every channel, and `conv2d` on each channel alone.

    Args:
        image: An array of shape `(height, width)` or `(height, width, channels)`,
            any real values (e.g. uint8 pixels in [0, 255] or floats in [0, 1]).
        kernel: An array of shape `(kernel_height, kernel_width)`, e.g. one of
            `dlcore.concepts.kernels.KERNEL_PRESETS`.
        strides: `int` or pair of ints `(rows, cols)` >= 1. Defaults to `1`.
        padding: As in `conv2d`. Defaults to `"same"`, so that the output has the
            image's size when the stride is 1.
        dilation: `int` or pair of ints >= 1, the spacing between kernel taps.
            Defaults to `1`.

    Returns:
        A float32 array of shape `(out_height, out_width)` or
        `(out_height, out_width, channels)`, like `image`. Values are not clipped:
        an edge detector gives negative values, a sharpen kernel values above the
        input's maximum.

    Raises:
        ValueError: If a shape is wrong, an option is invalid, or the kernel does not
            fit in the padded image.

    Example:

    >>> filter_image(np.ones((4, 5, 3)), np.ones((3, 3)), padding="valid")[..., 0]
    array([[9., 9., 9.],
           [9., 9., 9.]], dtype=float32)
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(
            "`image` must have shape (height, width) or (height, width, channels). "
            f"Received: image with shape {image.shape}."
        )
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 2:
        raise ValueError(
            "`kernel` must have shape (kernel_height, kernel_width). "
            f"Received: kernel with shape {kernel.shape}."
        )
    channels_last = image if image.ndim == 3 else image[..., np.newaxis]
    windows = extract_windows(
        channels_last[np.newaxis].astype(np.float32, copy=False),
        kernel.shape,
        strides=strides,
        padding=padding,
        dilation=dilation,
    )
    outputs = np.zeros(windows.shape[1:4], dtype=np.float32)
    # Tap by tap, for the same reason as in conv2d; each channel only meets itself.
    for tap_row in range(kernel.shape[0]):
        for tap_col in range(kernel.shape[1]):
            outputs += windows[0, ..., tap_row, tap_col] * kernel[tap_row, tap_col]
    return outputs if image.ndim == 3 else outputs[..., 0]


@dataclasses.dataclass(frozen=True, eq=False)
class ConvWindow:
    """One output value of a convolution, step by step, as `conv_window` returns it.

    Tap `(i, j)` of the kernel reads `padded[input_rows[i], input_cols[j]]`. Every
    array is float64 except the int coordinates. (`eq=False`: arrays have no single
    truth value, so comparing two windows with == could only raise.)

    Attributes:
        row: `int`, the output row.
        col: `int`, the output column.
        padded: The input with its zero padding, shape
            `(height + top + bottom, width + left + right)`.
        padding: `((top, bottom), (left, right))`, the zeros added on each side.
        input_rows: Int array of shape `(kernel_height,)`: the rows of `padded` read.
        input_cols: Int array of shape `(kernel_width,)`: the columns of `padded` read.
        patch: The input values under the kernel, shape `(kernel_height, kernel_width)`;
            0 where the kernel lies on padding.
        kernel: The kernel's weights, shape `(kernel_height, kernel_width)`.
        products: `patch * kernel`, shape `(kernel_height, kernel_width)`.
        total: `float`, the sum of `products`: the convolution's output at `(row, col)`.
        output_shape: `(out_height, out_width)`, the shape of the whole output.
    """

    row: int
    col: int
    padded: np.ndarray
    padding: tuple[tuple[int, int], tuple[int, int]]
    input_rows: np.ndarray
    input_cols: np.ndarray
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    output_shape: tuple[int, int]


def conv_window(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    row: int,
    col: int,
    strides: int | tuple[int, int] = 1,
    padding: Padding2D = "valid",
    dilation: int | tuple[int, int] = 1,
) -> ConvWindow:
    """Shows how one output value of a convolution is computed, for a small crop.

    The kernel is placed over the padded input at output `(row, col)`: its top-left
    tap reads row `row * stride_rows` and column `col * stride_cols` of the padded
    input, and its taps are `dilation` pixels apart. Each tap's input value is
    multiplied by its weight, and the products are summed.

    Args:
        image: A small array of shape `(height, width)`, any real values.
        kernel: An array of shape `(kernel_height, kernel_width)`.
        row: `int`, the output row, in `[0, out_height)`.
        col: `int`, the output column, in `[0, out_width)`.
        strides: As in `conv2d`. Defaults to `1`.
        padding: As in `conv2d`. Defaults to `"valid"`.
        dilation: As in `conv2d`. Defaults to `1`.

    Returns:
        A `ConvWindow`; its `total` equals `filter_image(image, kernel, ...)[row, col]`.

    Raises:
        ValueError: If a shape is wrong, an option is invalid, or `row` or `col` is
            outside the output.

    Example:

    >>> window = conv_window(np.arange(16.0).reshape(4, 4), np.eye(2), row=1, col=2)
    >>> window.patch.tolist(), window.total
    ([[6.0, 7.0], [10.0, 11.0]], 17.0)
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(
            "`image` must have shape (height, width) and `kernel` shape "
            "(kernel_height, kernel_width). "
            f"Received: image with shape {image.shape}, kernel with shape {kernel.shape}."
        )
    stride_pair = _as_pair(strides, "strides")
    dilation_pair = _as_pair(dilation, "dilation")
    amounts = _padding_2d(padding, image.shape, kernel.shape, stride_pair, dilation_pair)
    output_shape = _output_shape(
        image.shape, kernel.shape, strides=stride_pair, padding=padding, dilation=dilation_pair
    )
    _check_output_position(row, col, output_shape)
    padded = np.pad(image, amounts)
    input_rows = row * stride_pair[0] + dilation_pair[0] * np.arange(kernel.shape[0])
    input_cols = col * stride_pair[1] + dilation_pair[1] * np.arange(kernel.shape[1])
    patch = padded[np.ix_(input_rows, input_cols)]
    products = patch * kernel
    return ConvWindow(
        row=row,
        col=col,
        padded=padded,
        padding=amounts,
        input_rows=input_rows,
        input_cols=input_cols,
        patch=patch,
        kernel=kernel,
        products=products,
        total=float(products.sum()),
        output_shape=output_shape,
    )


def busiest_window(
    image2d: ArrayLike,
    window_size: int | tuple[int, int],
    *,
    strides: int | tuple[int, int] = 1,
    padding: Padding2D = "valid",
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int]:
    """The output position whose window holds the most varied input: where something happens.

    A step-by-step view that opens on a flat corner (every value 0.01) shows nothing;
    this picks the window with the largest spread (largest minus smallest value) of the
    real pixels under its taps, padding left out; among equal spreads the one nearest
    the middle of the output, and then the first in reading order.

    Args:
        image2d: An array of shape `(height, width)`, any real values.
        window_size: `int` or pair of ints, as in `extract_windows`.
        strides: As in `extract_windows`. Defaults to `1`.
        padding: As in `extract_windows`. Defaults to `"valid"`.
        dilation: As in `extract_windows`. Defaults to `1`.

    Returns:
        `(row, col)`, 0-based, inside the output.

    Raises:
        ValueError: If `image2d` is not 2-D, or an option is invalid.

    Example:

    >>> image = np.zeros((6, 6))
    >>> image[4:, 3:] = 1.0  # a bright corner: edges at row 4 and column 3
    >>> busiest_window(image, 2, strides=2)
    (2, 1)
    """
    image2d = np.asarray(image2d, dtype=np.float64)
    if image2d.ndim != 2:
        raise ValueError(
            f"`image2d` must have shape (height, width). Received: image2d with shape "
            f"{image2d.shape}."
        )
    windows = extract_windows(
        image2d[None, ..., None],
        window_size,
        strides=strides,
        padding=padding,
        dilation=dilation,
        pad_value=np.nan,
    )[0, :, :, 0]
    spread = np.nanmax(windows, axis=(-2, -1)) - np.nanmin(windows, axis=(-2, -1))
    rows, cols = np.indices(spread.shape)
    distance = np.hypot(rows - (spread.shape[0] - 1) / 2, cols - (spread.shape[1] - 1) / 2)
    # Largest spread first, then nearest the middle; spreads equal to float precision tie.
    order = np.lexsort((distance.ravel(), -np.round(spread.ravel(), 12)))
    row, col = np.unravel_index(order[0], spread.shape)
    return int(row), int(col)


def _as_image_batch(images: ArrayLike, name: str) -> tuple[np.ndarray, bool]:
    """`images` as a float32 batch (batch, height, width, channels), and whether it had one."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"`{name}` must have shape (height, width, channels) or "
            f"(batch, height, width, channels). Received: {name} with shape {images.shape}."
        )
    batch = images if images.ndim == 4 else images[np.newaxis]
    return batch.astype(np.float32, copy=False), images.ndim == 4


def _padding_per_axis(padding: Padding2D) -> tuple[Padding1D, Padding1D]:
    """Splits a 2-D padding into the padding of the rows and that of the columns."""
    if isinstance(padding, str) or _is_int(padding):
        return (padding, padding)
    if (
        isinstance(padding, tuple | list)
        and len(padding) == 2
        and all(isinstance(sides, tuple | list) and len(sides) == 2 for sides in padding)
    ):
        return (tuple(padding[0]), tuple(padding[1]))
    raise ValueError(
        "`padding` must be 'valid', 'same', an int >= 0, or "
        f"((top, bottom), (left, right)). Received: padding={padding!r}."
    )


def _padding_2d(
    padding: Padding2D,
    input_shape: tuple[int, int],
    window_shape: tuple[int, int],
    strides: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Resolves a 2-D padding into ((top, bottom), (left, right)) zeros."""
    rows, cols = (
        padding_amounts(size, window, stride=stride, padding=axis_padding, dilation=rate)
        for size, window, stride, axis_padding, rate in zip(
            input_shape, window_shape, strides, _padding_per_axis(padding), dilation, strict=True
        )
    )
    return rows, cols


def _output_shape(
    input_shape: tuple[int, int],
    window_shape: tuple[int, int],
    *,
    strides: tuple[int, int],
    padding: Padding2D,
    dilation: tuple[int, int],
) -> tuple[int, int]:
    """(out_height, out_width) by `output_size`, which raises if the window does not fit."""
    rows, cols = (
        output_size(size, window, stride=stride, padding=axis_padding, dilation=rate)
        for size, window, stride, axis_padding, rate in zip(
            input_shape, window_shape, strides, _padding_per_axis(padding), dilation, strict=True
        )
    )
    return rows, cols


def _check_output_position(row: int, col: int, output_shape: tuple[int, int]) -> None:
    out_height, out_width = output_shape
    if not (_is_int(row) and 0 <= row < out_height and _is_int(col) and 0 <= col < out_width):
        raise ValueError(
            f"`row` must be in [0, {out_height}) and `col` in [0, {out_width}), "
            f"inside the output of shape {output_shape}. Received: row={row!r}, col={col!r}."
        )


def _as_pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """An int or a pair of ints >= 1, as a pair (rows, cols)."""
    pair = (value, value) if _is_int(value) else value
    if (
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and all(_is_int(number) and number >= 1 for number in pair)
    ):
        return (int(pair[0]), int(pair[1]))
    raise ValueError(
        f"`{name}` must be an int >= 1 or a pair of ints >= 1 (rows, cols). "
        f"Received: {name}={value!r}."
    )


def _check_positive_int(value: int, name: str) -> None:
    if not (_is_int(value) and value >= 1):
        raise ValueError(f"`{name}` must be an int >= 1. Received: {name}={value!r}.")


def _check_non_negative_padding(sides: tuple[int, ...], padding: Padding1D) -> None:
    if any(side < 0 for side in sides):
        raise ValueError(
            f"`padding` must not be negative: it counts zeros added. Received: padding={padding!r}."
        )


def _is_int(value: object) -> bool:
    # bool is an int subclass in Python, but padding=True or stride=False is a mistake.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _dilated_size(kernel_size: int, dilation: int) -> int:
    """How many input pixels a kernel spans, from its first tap to its last."""
    return dilation * (kernel_size - 1) + 1
