"""Charts every trainer shares: live loss and accuracy, a confusion matrix, an image grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from dlcore.figures.style import (
    CAPTION_FONT_SIZE,
    PICTURE_AXES,
    apply_layout,
    count_axis,
    human_label,
    title_lines,
)

TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#ff7f0e"
PANEL_HEIGHT = 120
"""Pixels per row of a picture grid."""


def history_figure(
    epochs: Sequence[int], metrics: Mapping[str, Sequence[float]], *, title: str = "Training"
) -> go.Figure:
    """Loss on the left, accuracy on the right (when there is one), training and validation.

    Args:
        epochs: the 1-based epoch numbers, one per value.
        metrics: Keras's metric names -> values: "loss", "val_loss", "accuracy",
            "val_accuracy"; other names (e.g. "mae") are drawn beside the loss.

    Returns:
        A figure with one panel for the losses and, if accuracies are given, a second one
        (axes "x2", "y2") for them in percent; the legend above both, clear of the
        "epoch" titles.
    """
    accuracy_names = [name for name in ("accuracy", "val_accuracy") if name in metrics]
    loss_names = [name for name in metrics if name not in accuracy_names]
    traces = [_curve(epochs, metrics[name], name, scale=1.0, axis="") for name in loss_names]
    # Two panels side by side, laid out by hand: `make_subplots` costs several times as
    # much, and this chart is redrawn while a model trains.
    layout = {
        "height": 370,
        "margin": {"b": 40},
        "xaxis": {
            "title": {"text": "epoch"},
            "rangemode": "tozero",
            "domain": [0, 1],
            **count_axis(max(epochs, default=0)),
        },
        "yaxis": {"title": {"text": "loss"}},
    }
    if accuracy_names:
        traces += [
            _curve(epochs, metrics[name], name, scale=100.0, axis="2") for name in accuracy_names
        ]
        layout["xaxis"]["domain"] = [0, 0.44]
        layout["xaxis2"] = {
            "title": {"text": "epoch"},
            "rangemode": "tozero",
            "domain": [0.56, 1],
            "anchor": "y2",
            **count_axis(max(epochs, default=0)),
        }
        layout["yaxis2"] = {"title": {"text": "accuracy (%)"}, "range": [0, 100.5], "anchor": "x2"}
    return apply_layout(go.Figure(traces, layout), title=title)


def confusion_figure(
    matrix: ArrayLike, labels: Sequence[str], *, title: str = "Confusion matrix (held out)"
) -> go.Figure:
    """A confusion matrix as a heatmap: row = true class, column = predicted class.

    Args:
        matrix: int, shape `(n_classes, n_classes)`; `matrix[i, j]` counts the samples of
            class i predicted as class j.
        labels: the `n_classes` class names, shown as words ("set_timer" as "set timer").

    Returns:
        A heatmap with the count written in each cell and rows shaded by their share.
    """
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise ValueError(
            "Expected a square matrix with one row and column per label. "
            f"Received: matrix shape {counts.shape}, {len(labels)} labels."
        )
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    figure = go.Figure(
        go.Heatmap(
            z=shares,
            x=[human_label(label) for label in labels],
            y=[human_label(label) for label in labels],
            text=counts,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(height=max(320, 40 * len(labels) + 140))
    apply_layout(
        figure,
        title=title,
        x_title="predicted",
        y_title="true",
    )
    # Category axes: names such as "0".."9" would otherwise be read as numbers.
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category", autorange="reversed")
    return figure


def image_grid_figure(
    images: ArrayLike,
    captions: Sequence[str],
    *,
    title: str,
    n_columns: int = 8,
    colorscale: str = "gray",
) -> go.Figure:
    """Small images side by side with a caption above each, e.g. filters or feature maps.

    Args:
        images: shape `(n, height, width)` (one channel, drawn with `colorscale`, each
            image scaled to its own range) or `(n, height, width, 3)` RGB in [0, 1].
        captions: one caption per image.
        title: the figure's title.
        n_columns: images per row. Defaults to 8.
        colorscale: the Plotly colour scale for one-channel images. Defaults to "gray".

    Returns:
        A grid of `n` images, `n_columns` per row.
    """
    pictures = np.asarray(images, dtype=np.float64)
    if pictures.ndim not in (3, 4) or len(pictures) != len(captions) or len(pictures) == 0:
        raise ValueError(
            "Expected n >= 1 images of shape (n, height, width) or (n, height, width, 3) "
            f"and one caption each. Received: shape {pictures.shape}, {len(captions)} captions."
        )
    traces = [
        go.Image(z=np.clip(picture, 0, 1) * 255, hoverinfo="skip")
        if picture.ndim == 3
        else go.Heatmap(z=picture, colorscale=colorscale, showscale=False, hoverinfo="skip")
        for picture in pictures
    ]
    return panel_grid_figure(traces, captions, title=title, n_columns=n_columns)


def panel_grid_figure(
    traces: Sequence[go.Image | go.Heatmap],
    captions: Sequence[str],
    *,
    title: str,
    n_columns: int = 8,
) -> go.Figure:
    """Pictures in a grid of square-pixel panels, one trace and one caption per panel.

    The grid every picture grid shares (`image_grid_figure`, the CNN's greyscale filters):
    rows of `n_columns` panels, no ticks, image rows drawn downwards.

    Args:
        traces: one `go.Image` or `go.Heatmap` per panel, in reading order; at least one.
        captions: one caption per trace.
        title: the figure's title.
        n_columns: panels per row. Defaults to 8.

    Returns:
        A grid of `len(traces)` panels, `n_columns` per row.
    """
    n_columns = max(1, min(n_columns, len(traces)))
    n_rows = -(-len(traces) // n_columns)
    # Between rows, room for the captions of the row below, however many lines they take.
    caption_lines = max((title_lines(caption) for caption in captions), default=1)
    caption_height = caption_lines * CAPTION_FONT_SIZE * 1.3 + 6
    plot_height = n_rows * PANEL_HEIGHT + (n_rows - 1) * caption_height
    figure = make_subplots(
        rows=n_rows,
        cols=n_columns,
        subplot_titles=list(captions),
        horizontal_spacing=0.02,
        vertical_spacing=caption_height / plot_height if n_rows > 1 else 0.0,
    )
    for index, trace in enumerate(traces):
        row, column = divmod(index, n_columns)
        figure.add_trace(trace, row=row + 1, col=column + 1)
        # Square pixels: each panel's y axis keeps the scale of its own x axis.
        axis_number = "" if index == 0 else str(index + 1)
        figure.update_yaxes(scaleanchor=f"x{axis_number}", row=row + 1, col=column + 1)
    figure.update_layout(showlegend=False)
    figure.update_annotations(font_size=CAPTION_FONT_SIZE)
    apply_layout(figure, title=title)
    figure.update_xaxes(**PICTURE_AXES)
    figure.update_yaxes(**PICTURE_AXES, autorange="reversed")
    figure.update_layout(margin={"b": 10}, height=round(plot_height + figure.layout.margin.t + 10))
    return figure


def _curve(
    epochs: Sequence[int], values: Sequence[float], name: str, *, scale: float, axis: str
) -> go.Scatter:
    held_out = name.startswith("val_")
    label = f"{name.removeprefix('val_')} ({'validation' if held_out else 'training'})"
    return go.Scatter(
        x=list(epochs),
        y=[value * scale for value in values],
        name=label,
        mode="lines+markers" if len(values) < 30 else "lines",
        line={"color": VALIDATION_COLOR if held_out else TRAIN_COLOR, "dash": None},
        hovertemplate=f"{label}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>",
        xaxis=f"x{axis}",
        yaxis=f"y{axis}",
    )
