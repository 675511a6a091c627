"""Plotly figures for the Convolution and Pooling pages: images, numeric grids, products."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.concepts.convolution import ConvWindow

HIGHLIGHT_COLOR = "#ff7f0e"
# Linear from black to white, so that brightness is proportional to the pixel value
# (Plotly's own "gray" scale is slightly curved and tinted).
GREYSCALE = ((0.0, "rgb(0, 0, 0)"), (1.0, "rgb(255, 255, 255)"))


def image_figure(
    image: ArrayLike,
    *,
    title: str,
    value_range: tuple[float, float] | None = None,
) -> go.Figure:
    """Shows an image, grey for one channel and in colour for three, with its size.

    Values are mapped to black and white (or to no and full colour) by `value_range`.
    By default uint8 images use [0, 255], images already in [0, 1] use [0, 1], and any
    other image (a filter's output, with negative values say) is stretched from its
    smallest value to its largest.

    Args:
        image: An array of shape `(height, width)`, `(height, width, 1)` or
            `(height, width, 3)`: uint8 in [0, 255] or floats.
        title: `str`, the figure's title; `" (H×W)"` is added to it.
        value_range: `None`, or `(black, white)`: the values shown as black and as
            white (full colour); values outside are clipped. Defaults to `None`.

    Returns:
        For one channel, a figure with one `go.Heatmap` whose `z` is the image, in
        grey; for three, one `go.Image` whose `z` is the image as uint8 RGB. The axes
        show no ticks, and pixels are square.

    Raises:
        ValueError: If `image` does not have one of the shapes above.

    Example:

    >>> image_figure(np.zeros((28, 32)), title="Digit").layout.title.text
    'Digit (28×32)'
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)) or image.size == 0:
        raise ValueError(
            "`image` must have shape (height, width), (height, width, 1) or "
            f"(height, width, 3). Received: image with shape {image.shape}."
        )
    black, white = _value_range(image) if value_range is None else value_range
    figure = go.Figure()
    if image.ndim == 2:
        figure.add_heatmap(
            z=image,
            colorscale=GREYSCALE,
            zmin=black,
            zmax=white,
            showscale=False,
            hovertemplate="row %{y}, column %{x}<br>value %{z:.4g}<extra></extra>",
        )
    else:
        # go.Image reads red, green and blue from 0 to 255.
        scaled = (image.astype(np.float64) - black) / max(white - black, np.finfo(float).tiny)
        rgb = np.round(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)
        figure.add_image(z=rgb, hovertemplate="row %{y}, column %{x}<br>RGB %{z}<extra></extra>")
    height, width = image.shape[:2]
    figure.update_layout(
        title=f"{title} ({height}×{width})",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    _hide_ticks(figure)
    _square_cells_top_down(figure)
    return figure


def numeric_grid_figure(
    values: ArrayLike,
    *,
    title: str,
    highlight_rows: Sequence[int] | None = None,
    highlight_cols: Sequence[int] | None = None,
    text_format: str = ".2f",
) -> go.Figure:
    """Shows a small grid of numbers as coloured cells with the number in each.

    Used for the window views of convolution and pooling: the padded input with the
    cells under the kernel outlined, the kernel, the products. Cells holding NaN
    (padding that pooling ignores) are left blank. Values of both signs are coloured
    red to blue around 0; others from light to dark blue.

    Args:
        values: A 2-D array of shape `(rows, cols)`, any real values or NaN.
        title: `str`, the figure's title.
        highlight_rows: Rows of the cells to outline, or `None`. Defaults to `None`.
        highlight_cols: Columns of the cells to outline, or `None`. Every cell in one of
            `highlight_rows` and one of `highlight_cols` is outlined (the window of a
            kernel, with gaps if it is dilated); when only one of the two is given, the
            other means all. Defaults to `None`: nothing is outlined.
        text_format: `str`, a Python format spec for the numbers. Defaults to `".2f"`.

    Returns:
        A figure with one `go.Heatmap` whose `z` is `values` (float64) and whose `text`
        holds the numbers as written, and one rectangle shape per outlined cell, from
        `(col - 0.5, row - 0.5)` to `(col + 0.5, row + 0.5)` in axis coordinates.

    Raises:
        ValueError: If `values` is not a non-empty 2-D array or a highlighted index is
            outside it.

    Example:

    >>> figure = numeric_grid_figure([[1, 2], [3, 4]], title="x", highlight_rows=[0])
    >>> len(figure.layout.shapes)
    2
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(
            "`values` must be a non-empty 2-D array (rows, cols). "
            f"Received: values with shape {values.shape}."
        )
    n_rows, n_cols = values.shape
    text = [
        [format(value, text_format) if np.isfinite(value) else "" for value in row]
        for row in values
    ]
    has_both_signs = (
        np.nanmin(values) < 0 < np.nanmax(values) if np.isfinite(values).any() else False
    )
    figure = go.Figure()
    figure.add_heatmap(
        z=values,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 16},
        colorscale="RdBu" if has_both_signs else "Blues",
        zmid=0.0 if has_both_signs else None,
        showscale=False,
        xgap=1,
        ygap=1,
        hovertemplate="row %{y}, column %{x}<br>%{text}<extra></extra>",
    )
    figure.update_layout(
        # One list, not one add_shape per cell: Plotly validates each call on its own.
        shapes=[
            {
                "type": "rect",
                "x0": col - 0.5,
                "x1": col + 0.5,
                "y0": row - 0.5,
                "y1": row + 0.5,
                "line": {"color": HIGHLIGHT_COLOR, "width": 4},
            }
            for row, col in _highlighted_cells(highlight_rows, highlight_cols, values.shape)
        ],
        title=title,
        font={"size": 15},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    # Row and column numbers let the page's text point at a cell.
    figure.update_xaxes(tickmode="array", tickvals=list(range(n_cols)), showgrid=False)
    figure.update_yaxes(tickmode="array", tickvals=list(range(n_rows)), showgrid=False)
    _square_cells_top_down(figure)
    return figure


def products_figure(window: ConvWindow) -> go.Figure:
    """Shows the products `patch * kernel` of a convolution window, titled with their sum.

    Args:
        window: A `dlcore.concepts.convolution.ConvWindow`, from `conv_window`.

    Returns:
        A `numeric_grid_figure` of `window.products`, shape `(kernel_height,
        kernel_width)`, whose title gives the output position and the sum.

    Example:

    >>> from dlcore.concepts.convolution import conv_window
    >>> window = conv_window(np.arange(16.0).reshape(4, 4), np.eye(2), row=1, col=2)
    >>> products_figure(window).layout.title.text
    'patch × kernel at output (1, 2): sum = 17'
    """
    return numeric_grid_figure(
        window.products,
        title=(f"patch × kernel at output ({window.row}, {window.col}): sum = {window.total:.4g}"),
    )


def _value_range(image: np.ndarray) -> tuple[float, float]:
    """The values shown as black and white when the caller gives none."""
    if image.dtype == np.uint8:
        return (0.0, 255.0)
    smallest, largest = float(np.nanmin(image)), float(np.nanmax(image))
    if smallest >= 0.0 and largest <= 1.0:
        return (0.0, 1.0)
    # A flat image has no range to stretch; show it mid-grey rather than divide by 0.
    if smallest == largest:
        return (smallest - 1.0, largest + 1.0)
    return (smallest, largest)


def _highlighted_cells(
    rows: Sequence[int] | None, cols: Sequence[int] | None, shape: tuple[int, int]
) -> list[tuple[int, int]]:
    if rows is None and cols is None:
        return []
    rows = range(shape[0]) if rows is None else [int(row) for row in rows]
    cols = range(shape[1]) if cols is None else [int(col) for col in cols]
    for name, indices, size in (
        ("highlight_rows", rows, shape[0]),
        ("highlight_cols", cols, shape[1]),
    ):
        outside = [index for index in indices if not 0 <= index < size]
        if outside:
            raise ValueError(
                f"`{name}` must be indices in [0, {size}), inside the grid of shape {shape}. "
                f"Received: {name}={list(indices)!r}."
            )
    return [(row, col) for row in rows for col in cols]


def _hide_ticks(figure: go.Figure) -> None:
    for update_axes in (figure.update_xaxes, figure.update_yaxes):
        update_axes(showticklabels=False, ticks="", showgrid=False, zeroline=False)


def _square_cells_top_down(figure: go.Figure) -> None:
    # Row 0 at the top, as in an image, and one x unit as long as one y unit.
    figure.update_yaxes(autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain")
    figure.update_xaxes(constrain="domain")
