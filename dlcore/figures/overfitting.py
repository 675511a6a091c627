"""Plotly figures of the overfitting lab: each network's training and validation curves with
the gap between them shaded, and the held-out test accuracies."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout, count_axis

# One fixed colour per network, so that a network keeps its colour across the figures.
VARIANT_COLORS = {
    "baseline": "#7f7f7f",
    "dropout": "#1f77b4",
    "l2": "#9467bd",
    "augmentation": "#ff7f0e",
    "early_stopping": "#d62728",
    "more_data": "#2ca02c",
}
VARIANT_TITLES = {
    "baseline": "Baseline",
    "dropout": "Dropout",
    "l2": "L2",
    "augmentation": "Augmentation",
    "early_stopping": "Early stopping",
    "more_data": "More data",
}
METRIC_TITLES = {"loss": "loss (cross-entropy)", "accuracy": "accuracy (%)"}
"""The y axis of each metric the panels can show."""


def gap_figure(
    epochs: Sequence[int],
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    metric: str = "loss",
    best_epochs: Mapping[str, int] | None = None,
    columns: int | None = None,
    title: str = "Training (solid) against validation (dotted): the shaded gap is overfitting",
) -> go.Figure:
    """One panel per network: its training and validation curve, the gap between them shaded.

    Every panel has the same x and y range, so that the gaps compare at a glance. A curve
    shorter than `epochs` (a network that stopped early) ends where its values end.

    Args:
        epochs: the 1-based epoch numbers of the lab's history.
        curves: network name (e.g. "dropout") -> Keras metric name ("loss",
            "val_loss", "accuracy", "val_accuracy") -> one value per epoch it trained,
            as `History.variant` gives them.
        metric: "loss" or "accuracy" (drawn in percent). Defaults to `"loss"`.
        best_epochs: network -> an epoch to mark with a dashed line, e.g. where the
            early-stopping network's best weights come from. Defaults to none.
        columns: panels per row; None puts them all in one row. Defaults to `None`.
        title: the figure's title.

    Returns:
        A figure with, per network and in its colour, a solid "<title> (training)" line
        and a dotted "<title> (validation)" line filled down or up to the training line
        ("tonexty"); panels titled by the networks' titles.

    Raises:
        ValueError: If `curves` is empty, `metric` is unknown, or a network lacks the
            metric's curves.
    """
    if not curves:
        raise ValueError("Expected the curves of at least one network. Received: no curves.")
    if metric not in METRIC_TITLES:
        raise ValueError(
            f"Unknown metric. Choose one of: {', '.join(METRIC_TITLES)}. Received: {metric=!r}."
        )
    names = list(curves)
    n_columns = min(columns or len(names), len(names))
    n_rows = math.ceil(len(names) / n_columns)
    figure = make_subplots(
        rows=n_rows,
        cols=n_columns,
        shared_xaxes="all",
        shared_yaxes="all",
        horizontal_spacing=0.05,
        vertical_spacing=0.22 / n_rows,
        subplot_titles=[VARIANT_TITLES.get(name, name) for name in names],
    )
    scale = 100.0 if metric == "accuracy" else 1.0
    for index, name in enumerate(names):
        row, column = divmod(index, n_columns)
        place = {"row": row + 1, "col": column + 1}
        color = VARIANT_COLORS.get(name, "#333333")
        for prefix, part in (("", "training"), ("val_", "validation")):
            values = curves[name].get(f"{prefix}{metric}")
            if values is None:
                raise ValueError(
                    f"The curves of {name} have no {prefix}{metric}. "
                    f"Received: {name} curves {sorted(curves[name])}."
                )
            label = f"{VARIANT_TITLES.get(name, name)} ({part})"
            figure.add_trace(
                go.Scatter(
                    x=list(epochs[: len(values)]),
                    y=[scale * value for value in values],
                    name=label,
                    showlegend=False,
                    mode="lines",
                    line={"color": color, "dash": "dot" if prefix else "solid"},
                    # The validation line fills to the training line before it: the gap.
                    fill="tonexty" if prefix else None,
                    fillcolor=_translucent(color),
                    hovertemplate=f"{label}<br>epoch %{{x}}: %{{y:.3g}}<extra></extra>",
                ),
                **place,
            )
        best = (best_epochs or {}).get(name)
        if best is not None:
            figure.add_vline(
                x=best,
                line={"color": color, "dash": "dash", "width": 1},
                annotation_text=f"best: {best}",
                annotation_position="top left",
                **place,
            )
    figure.update_layout(height=420 + 200 * (n_rows - 1))
    apply_layout(figure, title=title)
    figure.update_xaxes(rangemode="tozero", **count_axis(max(epochs, default=0)))
    for column in range(1, n_columns + 1):
        figure.update_xaxes(title_text="epoch", row=n_rows, col=column)
    # One row has room for the long axis title; stacked rows would print it over each other.
    y_title = METRIC_TITLES[metric] if n_rows == 1 else metric
    for row in range(1, n_rows + 1):
        figure.update_yaxes(title_text=y_title, row=row, col=1)
    figure.update_yaxes(range=_gap_range(curves, metric=metric))
    return figure


def _gap_range(curves: Mapping[str, Mapping[str, Sequence[float]]], *, metric: str) -> list[float]:
    """The y range of every panel, zoomed on where the gaps open: the later half of training.

    The first epochs' loss (about 2.3 for 10 classes) would flatten a gap of 0.3 into a
    sliver; so the range ends at 1.5 times the highest validation loss of any network in
    the later half of its curve (the early descent runs off the top), or, for accuracy,
    starts 15 points under the lowest validation accuracy there.
    """
    later = [
        value
        for network in curves.values()
        for value in network[f"val_{metric}"][len(network[f"val_{metric}"]) // 2 :]
    ]
    if metric == "accuracy":
        return [max(0.0, 100.0 * min(later, default=0.0) - 15.0), 100.5]
    return [0.0, 1.5 * max(later, default=0.0) or 1.0]


def accuracy_and_gap_figure(
    test_accuracies: Mapping[str, float],
    gaps: Mapping[str, float],
    *,
    metric: str = "loss",
    title: str = "Each network on the held-out test digits, and its gap",
) -> go.Figure:
    """Two bar charts: each network's test accuracy, and its gap between training and
    validation at the weights it kept.

    Args:
        test_accuracies: network -> its test accuracy in [0, 1], measured once, at the end.
        gaps: network -> its gap (`dlcore.trainers.overfitting.gaps`) in `metric`'s units:
            a loss difference, or an accuracy difference in [0, 1] (drawn in points).
        metric: the metric the gaps are measured in, "loss" or "accuracy".
        title: the figure's title.

    Returns:
        A figure with two horizontal bar traces, "test accuracy (%)" and "gap", one bar
        per network in its colour, in the order of `test_accuracies` from the top.

    Raises:
        ValueError: If `test_accuracies` is empty.
    """
    if not test_accuracies:
        raise ValueError("Expected at least one network's test accuracy. Received: none.")
    names = list(test_accuracies)
    titles = [VARIANT_TITLES.get(name, name) for name in names]
    colors = [VARIANT_COLORS.get(name, "#333333") for name in names]
    gap_title = (
        "gap: training − validation accuracy (points)"
        if metric == "accuracy"
        else "gap: validation − training loss"
    )
    # Bars across, the networks named once down the left: their titles need the room.
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.08,
        subplot_titles=["test accuracy (%), measured once", gap_title],
    )
    accuracies = [100.0 * test_accuracies[name] for name in names]
    scale = 100.0 if metric == "accuracy" else 1.0
    sizes = [scale * gaps.get(name, math.nan) for name in names]
    for column, (name, values, digits) in enumerate(
        (("test accuracy (%)", accuracies, ".1f"), ("gap", sizes, ".3g")), start=1
    ):
        figure.add_bar(
            x=values,
            y=titles,
            orientation="h",
            name=name,
            marker_color=colors,
            text=[f"{value:{digits}}" for value in values],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            row=1,
            col=column,
        )
    figure.update_layout(height=max(300, 60 + 45 * len(names) + 120))
    apply_layout(figure, title=title)
    figure.update_yaxes(autorange="reversed")
    # The accuracies of the networks differ by a few points: start near the lowest.
    low = max(0.0, min(accuracies) - 10.0)
    figure.update_xaxes(range=[math.floor(low), 108], row=1, col=1)
    largest_gap = max((size for size in sizes if math.isfinite(size)), default=0.0)
    figure.update_xaxes(range=[min(0.0, *sizes), 1.25 * max(largest_gap, 1e-9)], row=1, col=2)
    return figure


def _translucent(color: str, alpha: float = 0.2) -> str:
    """A "#rrggbb" colour as "rgba(r, g, b, alpha)", for a fill behind the lines."""
    red, green, blue = (int(color[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
