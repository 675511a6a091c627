"""How fast the same training ran on each device: samples per second and time per epoch."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout

CPU_COLOR = "#7f7f7f"
GPU_COLOR = "#2ca02c"


def device_speed_figure(
    labels: Sequence[str],
    samples_per_second: Sequence[float],
    seconds_per_epoch: Sequence[float],
    *,
    title: str = "The same training on each device",
) -> go.Figure:
    """Two panels of horizontal bars, one bar per run: samples per second (left, longer
    is faster) and seconds per epoch (right, shorter is faster), each bar labelled with
    its value.

    Args:
        labels: what each run trained on, e.g. ("CPU", "GPU:0"), the first drawn on top.
        samples_per_second: one figure per run.
        seconds_per_epoch: one figure per run.
        title: the figure's title.

    Returns:
        A figure with two `go.Bar` traces; a bar whose label starts with "CPU" is grey,
        any other green.

    Raises:
        ValueError: If the three sequences differ in length or are empty.
    """
    if not labels or not len(labels) == len(samples_per_second) == len(seconds_per_epoch):
        raise ValueError(
            "Expected one speed and one epoch time per label, and at least one label. "
            f"Received: {len(labels)} labels, {len(samples_per_second)} speeds and "
            f"{len(seconds_per_epoch)} epoch times."
        )
    colors = [CPU_COLOR if label.startswith("CPU") else GPU_COLOR for label in labels]
    figure = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.2,
        subplot_titles=(
            "samples per second (longer: faster)",
            "seconds per epoch (shorter: faster)",
        ),
    )
    for column, values, text in (
        (1, samples_per_second, [f"{value:,.0f}" for value in samples_per_second]),
        (2, seconds_per_epoch, [f"{value:.3g} s" for value in seconds_per_epoch]),
    ):
        figure.add_trace(
            go.Bar(
                x=list(values),
                y=list(labels),
                orientation="h",
                marker_color=colors,
                text=text,
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            ),
            row=1,
            col=column,
        )
    figure.update_layout(height=140 + 50 * len(labels), margin={"r": 70})
    apply_layout(figure, title=title)
    figure.update_yaxes(type="category", autorange="reversed")
    # Room beyond the longest bar for its value.
    for column, values in ((1, samples_per_second), (2, seconds_per_epoch)):
        figure.update_xaxes(range=[0, 1.3 * max(values)], row=1, col=column)
    return figure
