"""What a model answered: its most likely classes as confidence bars, as the try-its show."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.figures.style import apply_layout

BAR_COLOR = "#9fb7d3"
TOP_COLOR = "#1f77b4"


def top_classes(probabilities: ArrayLike, labels: Sequence[str], *, top_k: int = 5) -> list:
    """The `top_k` most likely classes, most likely first, as `(label, probability)` pairs.

    Args:
        probabilities: one prediction, shape `(n_classes,)`, values in [0, 1].
        labels: the class names in output order, `n_classes` of them.
        top_k: how many to keep; fewer come back when there are fewer classes.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(labels),):
        raise ValueError(
            f"Expected one probability per label ({len(labels)}), "
            f"received shape {probabilities.shape}."
        )
    if top_k < 1:
        raise ValueError(f"`top_k` must be at least 1. Received: top_k={top_k!r}.")
    # A stable sort keeps the labels' own order among equal probabilities.
    order = np.argsort(-probabilities, kind="stable")[:top_k]
    return [(str(labels[index]), float(probabilities[index])) for index in order]


def confidence_figure(
    probabilities: ArrayLike,
    labels: Sequence[str],
    *,
    top_k: int = 5,
    title: str = "What the model thinks",
) -> go.Figure:
    """Horizontal bars of the `top_k` most likely classes in percent, the top one first.

    Args:
        probabilities: one prediction, shape `(n_classes,)`, values in [0, 1].
        labels: the class names in output order.
        top_k: how many classes to show.
        title: the chart's title.

    Returns:
        A bar chart whose bars are the classes (y) and their confidence in percent (x),
        each bar labelled with its value; the most likely class is drawn darker.
    """
    ranked = top_classes(probabilities, labels, top_k=top_k)
    names = [name for name, _ in ranked]
    percents = [100.0 * probability for _, probability in ranked]
    bars = go.Bar(
        x=percents,
        y=names,
        orientation="h",
        marker_color=[TOP_COLOR] + [BAR_COLOR] * (len(ranked) - 1),
        text=[f"{percent:.1f} %" for percent in percents],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f} %<extra></extra>",
    )
    figure = go.Figure(
        bars,
        {
            "height": 90 + 42 * len(ranked),
            "xaxis": {"range": [0, 100], "title": {"text": "confidence (%)"}},
            # Categories even when the labels are digits ("7" is a class, not a number);
            # Plotly draws the first category at the bottom: reversed, they read top-down.
            "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
            "showlegend": False,
        },
    )
    apply_layout(figure, title=title)
    figure.update_layout(margin={"l": 10, "r": 70, "b": 40})
    return figure
