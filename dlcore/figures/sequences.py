"""The Sequences page's pictures: hidden state over time, attention, forecast against truth.

Each takes the arrays computed from a trained model (`hidden_states` and
`attention_weights` of `dlcore.explain.sequences`, `dlcore.trainers.forecast.forecast`)
and only draws them. Tokens are placed by position, with the token written as the tick
label, because a sentence may hold the same word twice and Plotly would merge two equal
category names into one column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout, human_label

SERIES_COLOR = "#7f7f7f"
FORECAST_COLOR = "#1f77b4"
NAIVE_COLOR = "#ff7f0e"
HELD_OUT_COLOR = "#d9d9d9"
DIVIDER_COLOR = "#333333"
MAX_LABELLED_UNITS = 16
"""A hidden state of up to this many units has every row labelled ("unit 3", "← 2"); a
larger one is numbered by Plotly, since a label per row would run into the next."""


def hidden_state_figure(
    states: ArrayLike,
    step_labels: Sequence[str],
    *,
    bidirectional: bool = False,
    step_title: str = "step",
    title: str = "Hidden state over time",
) -> go.Figure:
    """A recurrent layer's state after each step, as a heatmap: steps across, units down.

    Read a column to see the whole state after one token; read a row to follow one unit
    through the sentence. Blue is positive, red negative, white near 0, on the fixed
    scale [-1, 1] of tanh states.

    Args:
        states: float, shape `(n_steps, n_units)`, one row of `hidden_states`' arrays;
            `n_units` = 2 * units for a bidirectional layer.
        step_labels: one label per step: the tokens, or e.g. "t-3" for a window.
        bidirectional: the first half of the units reads forwards and the second half
            backwards: labels them "→ k" and "← k" and draws a line between the halves.
            Defaults to `False`.
        step_title: the x axis's title, e.g. "token". Defaults to `"step"`.
        title: the figure's title.

    Returns:
        A figure with one `go.Heatmap` whose `z` has shape `(n_units, n_steps)`.

    Raises:
        ValueError: If `states` is not 2-D with one row per label.

    Example:

    >>> figure = hidden_state_figure(np.zeros((3, 4)), ["play", "some", "jazz"])
    >>> figure.data[0].z.shape
    (4, 3)
    """
    values = np.asarray(states, dtype=np.float64)
    if values.ndim != 2 or len(values) != len(step_labels) or values.size == 0:
        raise ValueError(
            "`states` must have shape (n_steps, n_units) with one label per step. "
            f"Received: states with shape {values.shape} and {len(step_labels)} labels."
        )
    n_steps, n_units = values.shape
    if bidirectional:
        half = n_units // 2
        unit_labels = [f"→ {k + 1}" for k in range(half)] + [f"← {k + 1}" for k in range(half)]
    else:
        unit_labels = [f"unit {k + 1}" for k in range(n_units)]
    figure = go.Figure(
        go.Heatmap(
            z=values.T,
            x=list(range(n_steps)),
            # Units counted from 1, as their labels and every page count.
            y=list(range(1, n_units + 1)),
            customdata=np.array([[label] * n_steps for label in unit_labels]),
            colorscale="RdBu",
            zmin=-1.0,
            zmax=1.0,
            zmid=0.0,
            colorbar={"title": {"text": "state"}, "thickness": 14},
            hovertemplate=f"{step_title} %{{x}}: %{{customdata}}<br>"
            "value %{z:.3f}<extra></extra>",
        )
    )
    shapes = []
    if bidirectional:
        shapes.append(
            {
                "type": "line",
                "x0": -0.5,
                "x1": n_steps - 0.5,
                "y0": n_units / 2 + 0.5,
                "y1": n_units / 2 + 0.5,
                "line": {"color": DIVIDER_COLOR, "width": 2},
            }
        )
    figure.update_layout(shapes=shapes, height=max(320, min(900, 14 * n_units + 160)))
    apply_layout(figure, title=title, font_size=14)
    figure.update_layout(margin={"b": 60})
    figure.update_xaxes(
        tickmode="array",
        tickvals=list(range(n_steps)),
        ticktext=list(step_labels),
        title=step_title,
    )
    # Label every unit while a label fits its row; with more, Plotly's own numbering.
    unit_ticks = {
        "tickmode": "array",
        "tickvals": list(range(1, n_units + 1)),
        "ticktext": unit_labels,
    }
    labelled = n_units <= MAX_LABELLED_UNITS
    unit_title = "unit: forwards above the line, backwards below" if bidirectional else "unit"
    figure.update_yaxes(
        autorange="reversed",
        title=None if labelled else unit_title,
        **(unit_ticks if labelled else {}),
    )
    return figure


def attention_figure(
    weights: ArrayLike,
    tokens: Sequence[str],
    *,
    title: str = "Attention weights",
) -> go.Figure:
    """Where each token looks, one heatmap per attention head.

    Row i of a head shows how token i mixes the tokens of the sentence into its new
    vector: the weights of a row are in [0, 1] and sum to 1.

    Args:
        weights: float, shape `(n_heads, n_tokens, n_tokens)`, from `attention_weights`
            (the query token on axis 1, the token looked at on axis 2).
        tokens: the `n_tokens` tokens.
        title: the figure's title.

    Returns:
        A figure with one `go.Heatmap` per head, side by side, rows top to bottom.

    Raises:
        ValueError: If `weights` does not have that shape.

    Example:

    >>> figure = attention_figure(np.full((2, 3, 3), 1 / 3), ["a", "b", "c"])
    >>> len(figure.data)
    2
    """
    values = np.asarray(weights, dtype=np.float64)
    n_tokens = len(tokens)
    if values.ndim != 3 or values.shape[1:] != (n_tokens, n_tokens) or values.size == 0:
        raise ValueError(
            "`weights` must have shape (n_heads, n_tokens, n_tokens) for the given tokens. "
            f"Received: weights with shape {values.shape} and {n_tokens} tokens."
        )
    n_heads = len(values)
    # Two heads a row: four side by side would leave each token a sliver of a column.
    n_columns = min(n_heads, 2)
    n_rows = -(-n_heads // n_columns)
    figure = make_subplots(
        rows=n_rows,
        cols=n_columns,
        subplot_titles=[f"head {head + 1}" for head in range(n_heads)],
        horizontal_spacing=0.04,
        vertical_spacing=0.12 / n_rows,
    )
    positions = list(range(n_tokens))
    for head, matrix in enumerate(values):
        row, column = head // n_columns + 1, head % n_columns + 1
        figure.add_trace(
            go.Heatmap(
                z=matrix,
                x=positions,
                y=positions,
                colorscale="Blues",
                zmin=0.0,
                zmax=1.0,
                showscale=head == n_heads - 1,
                colorbar={"title": {"text": "weight"}, "thickness": 14},
                hovertemplate="token %{y} looks at token %{x}: %{z:.3f}<extra></extra>",
            ),
            row=row,
            col=column,
        )
        # Every head orders the tokens alike: they are named beside the first column and
        # under the lowest head of each column only, upright for narrow columns.
        lowest = head + n_columns >= n_heads
        figure.update_xaxes(
            tickmode="array",
            tickvals=positions,
            ticktext=list(tokens),
            tickangle=-90,
            showticklabels=lowest,
            title="looks at" if lowest else None,
            row=row,
            col=column,
        )
        figure.update_yaxes(
            tickmode="array",
            tickvals=positions,
            ticktext=list(tokens),
            autorange="reversed",
            showticklabels=column == 1,
            title="token" if column == 1 else None,
            row=row,
            col=column,
        )
    figure.update_layout(height=max(360, min(1200, n_rows * (24 * n_tokens + 60) + 220)))
    apply_layout(figure, title=title, font_size=14)
    figure.update_layout(margin={"b": 100})
    return figure


def forecast_figure(
    series: ArrayLike,
    *,
    test_start: int,
    target_steps: ArrayLike | None = None,
    predictions: ArrayLike | None = None,
    naive: ArrayLike | None = None,
    step_ahead: int = 1,
    show_from: int = 0,
    title: str = "Series and its held-out end",
) -> go.Figure:
    """The series, with its held-out end shaded and, once there is one, the model's forecast.

    With a horizon above 1 the model forecasts several steps at once; the figure shows
    the forecasts made `step_ahead` steps in advance, one per held-out window.

    Args:
        series: float, shape `(n_steps,)`, the whole series.
        test_start: the first held-out step; from there on the figure is shaded.
        target_steps: int, shape `(n_windows, horizon)`, the step each forecast is for,
            or None before there is a model. Defaults to None.
        predictions: float, shape `(n_windows, horizon)`, the model's forecasts, or None.
            Defaults to None.
        naive: float, shape `(n_windows, horizon)`, the naive forecasts, or None to leave
            them out. Defaults to None.
        step_ahead: `int` in [1, horizon], how far ahead the drawn forecasts look.
            Defaults to `1`.
        show_from: the first step on the x axis, to zoom in on the held-out end of a long
            series (the rest stays a pan away). Defaults to `0`.
        title: the figure's title.

    Returns:
        A figure with the traces "series" and, when given, "forecast" and
        "naive (last value)"; step numbers on x.

    Raises:
        ValueError: If the shapes disagree or `step_ahead` is out of range.

    Example:

    >>> figure = forecast_figure(np.arange(10.0), test_start=8, target_steps=[[8], [9]],
    ...                          predictions=[[8.1], [8.9]])
    >>> [trace.name for trace in figure.data]
    ['series', 'forecast']
    """
    values = np.asarray(series, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"`series` must be 1-D. Received: series with shape {values.shape}.")
    figure = go.Figure()
    figure.add_scatter(
        x=np.arange(len(values)),
        y=values,
        name="series",
        mode="lines",
        line={"color": SERIES_COLOR, "width": 2},
    )
    if predictions is not None and target_steps is not None:
        steps = np.asarray(target_steps)
        forecasts = np.asarray(predictions, dtype=np.float64)
        if steps.ndim != 2 or forecasts.shape != steps.shape:
            raise ValueError(
                "`target_steps` and `predictions` must share a shape (n_windows, horizon). "
                f"Received: target_steps {steps.shape}, predictions {forecasts.shape}."
            )
        horizon = steps.shape[1]
        if not 1 <= step_ahead <= horizon:
            raise ValueError(
                f"`step_ahead` must be between 1 and the horizon ({horizon}). "
                f"Received: step_ahead={step_ahead}."
            )
        column = step_ahead - 1
        figure.add_scatter(
            x=steps[:, column],
            y=forecasts[:, column],
            name="forecast",
            mode="lines",
            line={"color": FORECAST_COLOR, "width": 3},
        )
        if naive is not None:
            figure.add_scatter(
                x=steps[:, column],
                y=np.asarray(naive, dtype=np.float64)[:, column],
                name="naive (last value)",
                mode="lines",
                line={"color": NAIVE_COLOR, "width": 2, "dash": "dot"},
            )
        ahead = "1 step" if step_ahead == 1 else f"{step_ahead} steps"
        title = f"{title}: forecast {ahead} ahead"
    figure.update_layout(
        shapes=[
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": test_start - 0.5,
                "x1": len(values) - 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": HELD_OUT_COLOR,
                "opacity": 0.4,
                "line": {"width": 0},
                "layer": "below",
            }
        ],
    )
    apply_layout(figure, title=title, x_title="step", y_title="value")
    figure.update_xaxes(range=[show_from - 0.5, len(values) - 0.5])
    return figure


def probability_figure(
    probabilities: ArrayLike, labels: Sequence[str], *, title: str = "Predicted intent"
) -> go.Figure:
    """The model's confidence in each class, as horizontal bars, the most likely on top.

    Args:
        probabilities: float, shape `(n_classes,)`, in [0, 1], summing to 1.
        labels: the `n_classes` class names.
        title: the figure's title.

    Returns:
        A figure with one `go.Bar` trace, classes sorted by probability, the top one in
        a stronger colour; the bars' `y` are the class names, the tick labels the same
        names as words (`dlcore.figures.style.human_label`).

    Raises:
        ValueError: If there is not one probability per label.

    Example:

    >>> figure = probability_figure([0.1, 0.7, 0.2], ["news", "weather", "greeting"])
    >>> list(figure.data[0].y)
    ['news', 'greeting', 'weather']
    """
    values = np.asarray(probabilities, dtype=np.float64)
    if values.ndim != 1 or len(values) != len(labels) or values.size == 0:
        raise ValueError(
            "`probabilities` must have shape (n_classes,), one per label. "
            f"Received: shape {values.shape} and {len(labels)} labels."
        )
    # Plotly draws the first bar at the bottom: ascending order puts the top class on top.
    order = np.argsort(values, kind="stable")
    colors = [SERIES_COLOR] * len(order)
    colors[-1] = FORECAST_COLOR
    figure = go.Figure(
        go.Bar(
            x=values[order],
            y=[labels[index] for index in order],
            orientation="h",
            marker={"color": colors},
            text=[f"{value:.1%}" for value in values[order]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    figure.update_layout(height=max(280, 28 * len(values) + 120), showlegend=False)
    apply_layout(figure, title=title, font_size=14)
    figure.update_layout(margin={"b": 40, "r": 60})
    figure.update_xaxes(range=[0, 1.0], tickformat=".0%", title="probability")
    # The bars keep the class names; the axis shows them as words ("set timer").
    names = [labels[index] for index in order]
    figure.update_yaxes(
        tickmode="array", tickvals=names, ticktext=[human_label(name) for name in names]
    )
    return figure


def past_step_labels(n_steps: int) -> list[str]:
    """Names of a window's steps, oldest first: "t-31", ..., "t-1", "t-0" for 32 steps.

    Example:
        >>> past_step_labels(3)
        ['t-2', 't-1', 't-0']
    """
    return [f"t-{n_steps - 1 - index}" for index in range(n_steps)]


def forecast_view_start(n_steps: int, test_start: int) -> int:
    """Where `forecast_figure`'s view begins (`show_from`): as much of the series before the
    test part as after it, so that the forecast stays visible.

    Example:
        >>> forecast_view_start(1000, 800)
        600
    """
    return max(0, 2 * test_start - n_steps)
