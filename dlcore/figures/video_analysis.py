"""Charts of the Video try-it: the prediction over time, motion energy and a strip of frames.

Each takes the arrays of a `dlcore.explain.video.ClipAnalysis`; none computes anything
but what it draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from PIL import Image

from dlcore.figures.style import apply_layout, human_label
from dlcore.figures.training import image_grid_figure

# One colour per class, Plotly's default sequence: the same class, the same colour in
# every chart of the page.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
ENERGY_COLOR = "#444444"
MARKER_COLOR = "#d62728"
SEGMENT_COLOR = "rgba(120, 120, 120, 0.10)"
THUMBNAIL_SIDE = 96
"""The longest side of a frame in `frame_strip_figure`, in pixels: small enough that the
chart's data stays light, large enough to see what moves."""


def timeline_figure(
    times: ArrayLike,
    probabilities: ArrayLike,
    labels: Sequence[str],
    *,
    segments: Sequence[tuple[str | None, float, float]] = (),
    marker_time: float | None = None,
    title: str = "What the model sees, window by window",
) -> go.Figure:
    """Each class's probability over the clip: one line per class.

    Args:
        times: float, shape `(n_windows,)`, seconds: the middle of each window.
        probabilities: shape `(n_windows, n_classes)`, values in [0, 1].
        labels: the `n_classes` class names.
        segments: `(label, start, end)` of what the clip really shows, when known (the
            generated samples): shaded bands with the label on top ("other" where the
            label is None). Defaults to none.
        marker_time: seconds at which to draw a vertical line (the frame shown below), or
            None. Defaults to None.
        title: the chart's title.

    Returns:
        A line chart, x in seconds, y in percent from 0 to 100, one trace per class,
        named for a person ("zoom in" for zoom_in), as the bands are.

    Raises:
        ValueError: If the shapes do not match.

    Example:

    >>> figure = timeline_figure([1.0, 1.5], [[0.9, 0.1], [0.2, 0.8]], ["left", "right"])
    >>> [trace.name for trace in figure.data]
    ['left', 'right']
    """
    centres = np.asarray(times, dtype=np.float64)
    values = np.asarray(probabilities, dtype=np.float64)
    if values.ndim != 2 or values.shape != (len(centres), len(labels)) or len(centres) == 0:
        raise ValueError(
            "Expected probabilities of shape (n_windows, n_classes) with one time per window "
            f"and one label per class. Received: shape {values.shape}, {len(centres)} times, "
            f"{len(labels)} labels."
        )
    figure = go.Figure()
    for index, label in enumerate(labels):
        figure.add_trace(
            go.Scatter(
                x=centres,
                y=100 * values[:, index],
                name=human_label(str(label)),
                mode="lines+markers",
                line={"color": CLASS_COLORS[index % len(CLASS_COLORS)], "width": 2.5},
                marker={"size": 5},
                hovertemplate=f"{label}: %{{y:.1f}} % at %{{x:.2f}} s<extra></extra>",
            )
        )
    for label, start, end in segments:
        figure.add_vrect(
            x0=start,
            x1=end,
            fillcolor=SEGMENT_COLOR,
            line_width=0,
            layer="below",
            annotation_text=human_label(label) if label else "other",
            annotation_position="top left",
            annotation_font_size=12,
        )
    _add_marker(figure, marker_time)
    figure.update_layout(height=400)
    apply_layout(figure, title=title, x_title="time (s), window middle", y_title="probability (%)")
    figure.update_yaxes(range=[0, 105])
    return figure


def motion_energy_figure(
    times: ArrayLike,
    energy: ArrayLike,
    *,
    marker_time: float | None = None,
    title: str = "Motion energy: how much the picture changes",
) -> go.Figure:
    """Motion energy over the clip, as a line.

    Args:
        times: float, shape `(n,)`, seconds: the middle between two compared frames.
        energy: float, shape `(n,)`, in [0, 1]: the mean absolute difference of the two
            frames' pixel values (`dlcore.explain.video.motion_energy`).
        marker_time: seconds at which to draw a vertical line, or None.
        title: the chart's title.

    Returns:
        A line chart, x in seconds, y in percent of the largest possible change.

    Raises:
        ValueError: If the shapes do not match.
    """
    centres = np.asarray(times, dtype=np.float64)
    values = np.asarray(energy, dtype=np.float64)
    if values.ndim != 1 or values.shape != centres.shape:
        raise ValueError(
            "Expected one energy value per time, both of shape (n,). "
            f"Received: shapes {centres.shape} and {values.shape}."
        )
    figure = go.Figure(
        go.Scatter(
            x=centres,
            y=100 * values,
            name="motion energy",
            mode="lines+markers" if len(values) < 60 else "lines",
            fill="tozeroy",
            line={"color": ENERGY_COLOR, "width": 2},
            hovertemplate="%{y:.2f} % at %{x:.2f} s<extra></extra>",
        )
    )
    _add_marker(figure, marker_time)
    figure.update_layout(height=320, showlegend=False)
    apply_layout(figure, title=title, x_title="time (s)", y_title="mean |change| of a pixel (%)")
    figure.update_yaxes(rangemode="tozero")
    return figure


def frame_strip_figure(
    frames: ArrayLike,
    times: ArrayLike,
    *,
    n_shown: int = 8,
    title: str = "Frames sampled from the clip",
) -> go.Figure:
    """Up to `n_shown` of the kept frames, evenly spaced, side by side with their times.

    Args:
        frames: uint8, shape `(n_frames, height, width, 3)`.
        times: float, shape `(n_frames,)`, seconds.
        n_shown: `int` >= 1, the most frames shown. Defaults to 8.
        title: the chart's title.

    Returns:
        One row of images (`dlcore.figures.training.image_grid_figure`), each scaled to fit
        `THUMBNAIL_SIDE` pixels and captioned with its time.

    Raises:
        ValueError: If the shapes do not match.
    """
    pixels = np.asarray(frames)
    seconds = np.asarray(times, dtype=np.float64)
    if pixels.ndim != 4 or pixels.shape[-1] != 3 or len(pixels) != len(seconds) or not len(pixels):
        raise ValueError(
            "Expected frames of shape (n_frames, height, width, 3) and one time each. "
            f"Received: shape {pixels.shape}, {len(seconds)} times."
        )
    chosen = np.unique(np.round(np.linspace(0, len(pixels) - 1, min(n_shown, len(pixels)))))
    chosen = chosen.astype(int)
    height, width = pixels.shape[1:3]
    scale = min(1.0, THUMBNAIL_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    thumbnails = np.stack(
        [
            np.asarray(Image.fromarray(pixels[index]).resize(size, Image.Resampling.BOX))
            for index in chosen
        ]
    )
    return image_grid_figure(
        thumbnails / 255.0,
        [f"{seconds[index]:.1f} s" for index in chosen],
        title=title,
        n_columns=len(chosen),
    )


def _add_marker(figure: go.Figure, marker_time: float | None) -> None:
    if marker_time is not None:
        figure.add_vline(x=marker_time, line_color=MARKER_COLOR, line_width=2, line_dash="dot")
