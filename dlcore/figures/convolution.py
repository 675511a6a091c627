"""Plotly figures for the Convolution and Pooling pages: images, numeric grids, products."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.concepts.convolution import ConvWindow
from dlcore.figures import style

HIGHLIGHT_COLOR = "#ff7f0e"
# The winner of max pooling: a colour apart from the window's outline and the blues.
MARK_COLOR = "#d62728"
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
    text_format: str | None = None,
    width: int | None = None,
    mark: tuple[int, int] | None = None,
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
        text_format: `str`, a Python format spec for the numbers, or `None`: as many
            decimals (up to 2) as fit the cells, from `grid_text_format`. Defaults to
            `None`.
        width: `int`, the narrowest width in pixels the figure will be shown at (a
            page column at 1400×900), or `None` for 300. The figure's height, the
            numbers' font size and the title's line breaks are chosen from it, so
            that numbers and title fit inside a figure at least this wide, in
            presenter mode too. Defaults to `None`.
        mark: `(row, col)` of one cell to circle (max pooling's winner), or `None`.
            Defaults to `None`.

    Returns:
        A figure with one `go.Heatmap` whose `z` is `values` (float64), whose `text`
        holds the numbers as written and whose `textfont.size` makes the widest of them
        fit its cell, and one rectangle shape per outlined cell, from
        `(col - 0.5, row - 0.5)` to `(col + 0.5, row + 0.5)` in axis coordinates, then
        for `mark` one `"circle"` shape centred on `(col, row)`. Its `layout.width` is
        `width`, its title is wrapped with `<br>`, and its tick labels and hover text
        count rows and columns from 1.

    Raises:
        ValueError: If `values` is not a non-empty 2-D array, or a highlighted index or
            `mark` is outside it.

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
    width = DEFAULT_GRID_WIDTH if width is None else width
    cell = _cell_size(width, n_cols)
    if text_format is None:
        text_format = grid_text_format(values, width=width)
    text = [
        [format(value, text_format) if np.isfinite(value) else "" for value in row]
        for row in values
    ]
    widest = max((len(number) for row in text for number in row), default=1)
    has_both_signs = (
        np.nanmin(values) < 0 < np.nanmax(values) if np.isfinite(values).any() else False
    )
    figure = go.Figure()
    figure.add_heatmap(
        z=values,
        text=text,
        texttemplate="%{text}",
        textfont={"size": _font_size(cell, widest)},
        colorscale="RdBu" if has_both_signs else "Blues",
        zmid=0.0 if has_both_signs else None,
        showscale=False,
        xgap=1,
        ygap=1,
        # Counted from 1, as the ticks and the pages' text count.
        customdata=np.stack(np.indices(values.shape) + 1, axis=-1),
        hovertemplate="row %{customdata[0]}, column %{customdata[1]}<br>%{text}<extra></extra>",
    )
    title_lines = wrap_title(title, width=width)
    top = _TITLE_PADDING + _TITLE_LINE_HEIGHT * (title_lines.count("<br>") + 1)
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
        ]
        + _mark_shapes(mark, values.shape),
        title={"text": title_lines, "font": {"size": _TITLE_FONT_SIZE_NORMAL}},
        font={"size": 15},
        width=width,
        height=top + _TICK_SPACE + _MARGIN + round(cell * n_rows),
        margin={"l": _TICK_SPACE, "r": _MARGIN, "t": top, "b": _TICK_SPACE + _MARGIN},
    )
    # Row and column numbers, counted from 1 as people do, let the page's text point at
    # a cell.
    for update_axes, size in ((figure.update_xaxes, n_cols), (figure.update_yaxes, n_rows)):
        update_axes(
            tickmode="array",
            tickvals=list(range(size)),
            ticktext=[str(index + 1) for index in range(size)],
            showgrid=False,
            automargin=False,
        )
    _square_cells_top_down(figure)
    return figure


def grid_text_format(values: ArrayLike, *, width: int | None = None, max_decimals: int = 2) -> str:
    """The format spec with the most decimals whose numbers still read in a grid's cells.

    Fewer decimals are used where the cells are small (a 9×9 crop in a third of the
    page), so that neighbouring numbers never run into each other.

    Args:
        values: A 2-D array of shape `(rows, cols)`, the grid's values (NaN allowed).
        width: `int`, the narrowest width in pixels the grid will be shown at, or `None`
            for 300. Defaults to `None`.
        max_decimals: `int` >= 0, the most decimals to show. Defaults to `2`.

    Returns:
        A format spec such as `".2f"`: the most decimals, from `max_decimals` down to 1,
        whose widest number fits a cell at a font of at least 13 px; `".1f"` if none
        does (its font is then chosen smaller to fit).

    Example:

    >>> grid_text_format(np.full((9, 9), 0.5), width=300)
    '.1f'
    >>> grid_text_format(np.full((3, 3), 0.5), width=300)
    '.2f'
    """
    values = np.asarray(values, dtype=np.float64)
    cell = _cell_size(DEFAULT_GRID_WIDTH if width is None else width, values.shape[-1])
    finite = values[np.isfinite(values)]
    for decimals in range(max_decimals, 1, -1):
        widest = max((len(format(value, f".{decimals}f")) for value in finite), default=1)
        if _font_size(cell, widest) >= _SMALLEST_READABLE_FONT:
            return f".{decimals}f"
    return f".{min(max_decimals, 1)}f"


def wrap_title(title: str, *, width: int) -> str:
    """Breaks a title into lines (joined by `<br>`) that fit a figure `width` pixels wide,
    even at presenter mode's title size, instead of letting Plotly cut it. Breaks already
    in the title are kept.

    Example:

    >>> wrap_title("7×7 greyscale crop, padded", width=300)
    '7×7 greyscale<br>crop, padded'
    """
    per_line = max(1, int((width - 2 * _MARGIN) / (_CHARACTER_WIDTH * PRESENTER_TITLE_SIZE)))
    return style.wrap_title(title, max_characters=per_line)


# A digit's advance in the app's sans-serif fonts is at most this share of the font size.
_CHARACTER_WIDTH = 0.6
# The numbers fill at most this share of a cell's width, so that neighbours stay apart.
_CELL_FILL = 0.9
_LARGEST_FONT = 18
_SMALLEST_READABLE_FONT = 13
# Titles and row and column numbers are wrapped and given room for presenter mode's
# sizes, so that a page can enlarge them to these without cutting anything.
PRESENTER_TITLE_SIZE = 28
PRESENTER_TICK_SIZE = 17
_TITLE_FONT_SIZE_NORMAL = 19
# A line of title at presenter mode's size, as tall as Chromium draws it (1.3 times the
# font): less, and the svg cuts the top of the first line.
_TITLE_LINE_HEIGHT = 38
_TITLE_PADDING = 16
_MARGIN = 10
# Room for the row and column numbers (at most two digits), at presenter mode's size too.
_TICK_SPACE = 36
DEFAULT_GRID_WIDTH = 300


def _cell_size(width: int, n_cols: int) -> float:
    """A square cell's side in pixels when a grid of `n_cols` columns is `width` wide."""
    return max(width - _TICK_SPACE - _MARGIN, 1) / n_cols


def _font_size(cell: float, widest: int) -> int:
    """The largest font (up to 18 px) at which `widest` characters fit in `cell` pixels."""
    return max(1, min(_LARGEST_FONT, int(_CELL_FILL * cell / (_CHARACTER_WIDTH * widest))))


def products_figure(window: ConvWindow, *, width: int | None = None) -> go.Figure:
    """Shows the products `patch * kernel` of a convolution window, titled with their sum.

    Args:
        window: A `dlcore.concepts.convolution.ConvWindow`, from `conv_window`.
        width: `int`, as in `numeric_grid_figure`. Defaults to `None` (300).

    Returns:
        A `numeric_grid_figure` of `window.products`, shape `(kernel_height,
        kernel_width)`, whose title gives the sum (the output cell is the page's to say).

    Example:

    >>> from dlcore.concepts.convolution import conv_window
    >>> window = conv_window(np.arange(16.0).reshape(4, 4), np.eye(2), row=1, col=2)
    >>> products_figure(window).layout.title.text
    'patch × kernel<br>sum = 17.000'
    """
    return numeric_grid_figure(
        window.products, title=f"patch × kernel<br>sum = {window.total:.3f}", width=width
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


def _mark_shapes(mark: tuple[int, int] | None, shape: tuple[int, int]) -> list[dict]:
    if mark is None:
        return []
    row, col = (int(index) for index in mark)
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ValueError(
            f"`mark` must be a (row, col) inside the grid of shape {shape}. "
            f"Received: mark={mark!r}."
        )
    return [
        {
            "type": "circle",
            "x0": col - 0.42,
            "x1": col + 0.42,
            "y0": row - 0.42,
            "y1": row + 0.42,
            "line": {"color": MARK_COLOR, "width": 4},
        }
    ]


def _hide_ticks(figure: go.Figure) -> None:
    for update_axes in (figure.update_xaxes, figure.update_yaxes):
        update_axes(showticklabels=False, ticks="", showgrid=False, zeroline=False)


def _square_cells_top_down(figure: go.Figure) -> None:
    # Row 0 at the top, as in an image, and one x unit as long as one y unit.
    figure.update_yaxes(autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain")
    figure.update_xaxes(constrain="domain")
