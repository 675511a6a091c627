"""The step-by-step window views that the Convolution and Pooling pages share."""

import numpy as np
import streamlit as st

from dlcore.figures.convolution import numeric_grid_figure
from dlcore.media.images import detailed_crop, to_float, to_grayscale
from ui.presenter import show_figure
from ui.settings import PageSettings


def window_crop(pixels: np.ndarray, *, size: int) -> np.ndarray:
    """The most detailed `size`×`size` greyscale square of an image, float32 in [0, 1]."""
    return to_float(detailed_crop(to_grayscale(pixels), size=size))


def choose_output_cell(
    settings: PageSettings, *, rows: int, cols: int, start_in_middle: bool = False
) -> tuple[int, int]:
    """A slider over the output cells, row by row; returns the chosen (row, col).

    The number of cells changes with the other settings, so the slider is kept out of
    the URL and its value is brought back inside the range before it is drawn.
    """
    cells = rows * cols
    if cells == 1:
        return 0, 0
    settings.keep_within("cell", 1, cells)
    position = st.slider(
        "Output cell (row by row)",
        1,
        cells,
        cells // 2 + 1 if start_in_middle else 1,
        key=settings.key("cell"),
    )
    return divmod(position - 1, cols)


def show_window(
    padded: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, title: str, key: str
) -> None:
    """The (padded) crop as numbers, with the cells that the window reads outlined."""
    show_figure(
        numeric_grid_figure(padded, title=title, highlight_rows=rows, highlight_cols=cols),
        key=key,
    )
