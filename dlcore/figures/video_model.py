"""Chart of the Video model page: one filter's feature map at every frame, on one scale.

`dlcore.figures.training.image_grid_figure` scales each picture to its own range, which
suits learned filters but hides what matters over time: whether a map grows, fades or
moves from frame to frame. Here every frame shares one colour scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots


def feature_map_figure(
    maps: ArrayLike, *, title: str, frame_labels: Sequence[str] | None = None
) -> go.Figure:
    """One filter's feature map at every frame, side by side, with one shared colour scale.

    Args:
        maps: shape `(n_frames, height, width)`, the filter's map after each frame (any
            sign), e.g. `dlcore.trainers.video.feature_maps(model, clip)[..., filter]`.
        title: the figure's title.
        frame_labels: a caption above each map. Defaults to "frame 1", "frame 2", ...

    Returns:
        One row of `n_frames` heatmaps with the same `zmin` and `zmax`: from 0 to the
        largest value in "Viridis" when no value is negative (ReLU maps), else from -m to
        m in "RdBu" (red below 0, blue above), m the largest magnitude (ConvLSTM states);
        one colour bar; row 0 of each map at the top.

    Raises:
        ValueError: If `maps` is not a non-empty 3-D array or the labels do not match.

    Example:

    >>> figure = feature_map_figure(np.zeros((4, 8, 8)), title="Filter 1")
    >>> len(figure.data), figure.data[0].zmax
    (4, 1.0)
    """
    values = np.asarray(maps, dtype=np.float64)
    if values.ndim != 3 or values.size == 0:
        raise ValueError(
            "Expected the maps of one filter, shape (n_frames, height, width). "
            f"Received: shape {values.shape}."
        )
    n_frames = len(values)
    labels = (
        list(frame_labels)
        if frame_labels is not None
        else [f"frame {index + 1}" for index in range(n_frames)]
    )
    if len(labels) != n_frames:
        raise ValueError(
            f"Expected one label per frame ({n_frames}). Received: {len(labels)} labels."
        )
    signed = bool(values.min() < 0)
    largest = float(np.abs(values).max()) or 1.0  # an all-zero map still gets a scale
    scale = {
        "zmin": -largest if signed else 0.0,
        "zmax": largest,
        "colorscale": "RdBu" if signed else "Viridis",  # RdBu: red below 0, blue above
    }
    figure = make_subplots(rows=1, cols=n_frames, subplot_titles=labels, horizontal_spacing=0.01)
    for index, frame_map in enumerate(values):
        figure.add_trace(
            go.Heatmap(
                z=frame_map,
                showscale=index == 0,
                colorbar={"thickness": 12, "len": 0.9},
                hovertemplate=f"{labels[index]}<br>row %{{y}}, column %{{x}}: %{{z:.3f}}"
                "<extra></extra>",
                **scale,
            ),
            row=1,
            col=index + 1,
        )
        # Square pixels: each panel's y axis keeps the scale of its own x axis.
        axis_number = "" if index == 0 else str(index + 1)
        figure.update_yaxes(scaleanchor=f"x{axis_number}", row=1, col=index + 1)
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    figure.update_annotations(font_size=11)
    figure.update_layout(title=title, font={"size": 14}, height=220, margin={"t": 70, "b": 10})
    return figure
