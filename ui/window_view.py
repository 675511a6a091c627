"""The step-by-step window views that the Convolution and Pooling pages share."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dlcore.figures.convolution import (
    PRESENTER_TICK_SIZE,
    PRESENTER_TITLE_SIZE,
    numeric_grid_figure,
)
from dlcore.figures.style import PAGE_WIDTH
from dlcore.media.images import detailed_crop, to_float, to_grayscale
from ui.presenter import is_presenting
from ui.settings import PageSettings

# The gap between columns, in pixels, on the page at its narrowest (`PAGE_WIDTH` wide at
# 1400×900 with the sidebar open, measured in Chromium: two columns of 462, three of
# 303). The grids fit their numbers and titles to their column, and only grow on a wider
# screen.
_COLUMN_GAP = 16
# Room left for rounding and scrollbars.
_SLACK = 8


def grid_columns(ratios: list[float]) -> tuple[list, list[int]]:
    """Columns side by side, as `st.columns(ratios)`, and the narrowest width of each.

    Returns:
        `(columns, widths)`: the Streamlit columns, and each one's width in pixels at
        1400×900, to pass to the grids drawn in it.
    """
    shared = PAGE_WIDTH - _COLUMN_GAP * (len(ratios) - 1)
    widths = [int(shared * ratio / sum(ratios)) - _SLACK for ratio in ratios]
    return st.columns(ratios, gap="small"), widths


def window_crop(pixels: np.ndarray, *, size: int) -> np.ndarray:
    """The most detailed `size`×`size` greyscale square of an image, float32 in [0, 1]."""
    return to_float(detailed_crop(to_grayscale(pixels), size=size))


def choose_output_cell(
    settings: PageSettings, *, rows: int, cols: int, start: tuple[int, int] = (0, 0)
) -> tuple[int, int]:
    """A slider over the output cells, row by row, kept in the URL; returns (row, col).

    Args:
        settings: the page's settings; the slider is its setting "cell", counted from 1.
        rows: the number of output rows.
        cols: the number of output columns.
        start: the (row, col), 0-based, the slider starts on: where something happens.

    Returns:
        The chosen `(row, col)`, 0-based.
    """
    cells = rows * cols
    if cells == 1:
        return 0, 0
    # The number of cells changes with the other settings: a value from before (or from
    # a link made with other settings) is brought back inside the range first.
    settings.keep_within("cell", 1, cells)
    # The start only for a slider not yet moved: Streamlit keeps a moved one's value, and
    # a default given beside it would clash with it.
    moved = settings.key("cell") in st.session_state
    position = st.slider(
        "Output cell (row by row)",
        1,
        cells,
        **({} if moved else {"value": start[0] * cols + start[1] + 1}),
        **settings.bind("cell"),
    )
    return divmod(position - 1, cols)


def cell_name(row: int, col: int) -> str:
    """A 0-based grid position as people count it, e.g. "row 1, column 3" for (0, 2)."""
    return f"row {row + 1}, column {col + 1}"


def show_window(
    padded: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    title: str,
    key: str,
    width: int,
    text_format: str | None = None,
) -> None:
    """The (padded) crop as numbers, with the cells that the window reads outlined."""
    show_grid(
        numeric_grid_figure(
            padded,
            title=title,
            highlight_rows=rows,
            highlight_cols=cols,
            text_format=text_format,
            width=width,
        ),
        key=key,
    )


def show_grid(figure: go.Figure, *, key: str) -> None:
    """Render a `numeric_grid_figure`, its title and row numbers enlarged in presenter mode.

    Its numbers already have the largest font that fits their cells, and its title is
    wrapped for presenter mode's size, so only those two grow; enlarging the numbers as
    `ui.presenter.show_figure` does other charts would run them into each other again.
    """
    if is_presenting():
        figure = go.Figure(figure)
        figure.update_layout(title_font_size=PRESENTER_TITLE_SIZE)
        figure.update_xaxes(tickfont_size=PRESENTER_TICK_SIZE)
        figure.update_yaxes(tickfont_size=PRESENTER_TICK_SIZE)
    st.plotly_chart(figure, key=key, config={"displaylogo": False})
