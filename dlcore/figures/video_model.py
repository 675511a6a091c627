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

from dlcore.figures.style import CAPTION_FONT_SIZE, PICTURE_AXES, apply_layout, human_label
from dlcore.figures.training import image_grid_figure


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
    figure.update_annotations(font_size=CAPTION_FONT_SIZE)
    figure.update_layout(height=240, showlegend=False)
    apply_layout(figure, title=title)
    figure.update_xaxes(**PICTURE_AXES)
    figure.update_yaxes(**PICTURE_AXES, autorange="reversed")
    figure.update_layout(margin={"b": 10})
    return figure


def clips_figure(clips: ArrayLike, row_titles: Sequence[str], *, title: str) -> go.Figure:
    """Clips one per row, their frames left to right; each row's title over its first frame.

    Args:
        clips: shape `(n_clips, n_frames, height, width, channels)`, values in [0, 1].
        row_titles: one title per clip.
        title: the figure's title.

    Returns:
        A grid of `n_clips` rows and `n_frames` columns (`image_grid_figure`).
    """
    clips = np.asarray(clips)
    if clips.ndim != 5 or len(row_titles) != len(clips):
        raise ValueError(
            "clips_figure needs clips of shape (n_clips, n_frames, height, width, channels) "
            f"and one title per clip. Received: shape={clips.shape}, "
            f"{len(row_titles)} titles."
        )
    n_clips, n_shown = clips.shape[:2]
    captions = [
        row_titles[row] if frame == 0 else "" for row in range(n_clips) for frame in range(n_shown)
    ]
    images = clips.reshape(-1, *clips.shape[2:])
    figure = image_grid_figure(images, captions, title=title, n_columns=n_shown)
    # A row title is wider than the frame it stands over: centred there, it would run
    # off the figure's left edge. It starts at the left edge instead, over the row.
    figure.for_each_annotation(
        lambda annotation: annotation.update(x=0, xanchor="left"), selector=lambda a: a.text
    )
    return figure


def mistakes_figure(
    clips: ArrayLike,
    true: Sequence[int],
    predicted: Sequence[int],
    confidence: Sequence[float],
    labels: Sequence[str],
) -> go.Figure:
    """The clips a model got wrong, one per row, each titled "true → predicted (confidence)".

    Args:
        clips: shape `(n, n_frames, height, width, channels)`, the misclassified clips, e.g.
            `data.x_test[mistakes.indices]`.
        true, predicted: the class indices, `(n,)` each.
        confidence: the probability given to the predicted class, `(n,)`, in [0, 1].
        labels: the class names, shown as words ("zoom_in" as "zoom in").

    Returns:
        `clips_figure` of the clips, each row titled e.g. "left → zoom in (99%)".
    """
    titles = [
        f"{human_label(labels[answer])} → {human_label(labels[guess])} ({probability:.0%})"
        for answer, guess, probability in zip(true, predicted, confidence, strict=True)
    ]
    return clips_figure(clips, titles, title="Most confident mistakes: true → predicted")
