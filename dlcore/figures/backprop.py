"""Plotly figures of backpropagation: the network with its numbers, and the loss over steps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlcore._checks import check_choice, check_int
from dlcore.concepts.backprop import LOSS_TITLES, Backprop, layer_name
from dlcore.figures.style import apply_layout, count_axis, scientific

VIEWS = ("forward", "backward")
"""What the neurons and edges show: z, a and w; or delta and dL/dw."""
POSITIVE_COLOR = (31, 119, 180)
NEGATIVE_COLOR = (214, 39, 40)
CHOSEN_COLOR = "rgba(255, 170, 0, 0.55)"
NEURON_OUTLINE = "#555555"
LOSS_COLOR = "#1f77b4"
ROW_HEIGHT = 100
"""Pixels per row of neurons: a circle and two lines of numbers under it."""
NEURON_SIZE = 34
"""Pixels across a neuron's circle: room for "x₁" or a neuron's number inside."""
MAX_EDGE_WIDTH = 9.0
MIN_EDGE_WIDTH = 1.0
# Rows sit one unit apart; above the top row, room for its circle, below the lowest,
# for its numbers.
_ROOM_ABOVE = 0.35
_ROOM_BELOW = 0.75
# Pixels above and below the plot: title, legend, layer names.
_FRAME_HEIGHT = 170
_X_MARGIN = 0.12
_LABEL_BACKGROUND = "rgba(255, 255, 255, 0.8)"


def network_figure(
    result: Backprop,
    *,
    view: str = "forward",
    point: int | None = 0,
    chosen: tuple[int, int | None, int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draws the network with its numbers on every neuron and its weights as edges.

    Layers stand in columns, the input on the left; neurons are counted from 1, top
    down. An edge is blue where its number is positive and red where negative, its
    width and strength growing with its size: the weight w in the forward view, the
    gradient dL/dw in the backward view (the whole batch's, always).

    Args:
        result: A `dlcore.concepts.backprop.Backprop`.
        view: `"forward"` writes z and a = f(z) under every neuron; `"backward"` writes
            delta. Defaults to `"forward"`.
        point: `int`, the point of the batch whose numbers the neurons show, from 0;
            None for the mean over the batch (where delta's mean is dL/db). Defaults to `0`.
        chosen: `(layer, source, target)`, a weight to mark (indices from 0, as
            `dlcore.concepts.backprop.chain_rule` takes them; `source` None marks the
            bias of neuron `target` with a ring); None marks none.
        title: The figure's title; None says what the view shows ("Forward: z and
            a = f(z) for point 1; edges are the weights").

    Returns:
        A figure whose first traces are the edges, one line each, in the order of the
        layers, then the sources, then the targets; then the chosen edge's mark (if
        any), the edges' hover points, the neurons and two legend entries. Each
        neuron's numbers are an annotation below it.

    Raises:
        ValueError: If `view` is unknown or `point` or `chosen` is outside the batch or
            the network.
    """
    check_choice(view, name="view", choices=VIEWS)
    n_points = len(result.targets)
    if point is not None:
        check_int(point, name="point", minimum=0, maximum=n_points - 1)
    network = result.network
    sizes = network.layer_sizes
    positions = _positions(sizes)
    edge_values = network.weights if view == "forward" else result.weight_gradients
    largest = max(float(np.abs(values).max()) for values in edge_values) or 1.0

    figure = go.Figure()
    middles_x, middles_y, hover = [], [], []
    for layer, values in enumerate(edge_values):
        for source, target in np.ndindex(values.shape):
            (x0, y0), (x1, y1) = positions[layer][source], positions[layer + 1][target]
            share = abs(float(values[source, target])) / largest
            figure.add_scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={
                    "color": _signed_color(float(values[source, target]), share),
                    "width": MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * share,
                },
                hoverinfo="skip",
                showlegend=False,
            )
            # A hover point a third of the way along, where the edges of one neuron
            # have not yet met the others'.
            middles_x.append(x0 + (x1 - x0) / 3)
            middles_y.append(y0 + (y1 - y0) / 3)
            hover.append(_edge_hover(result, layer, source, target, sizes))
    if chosen is not None:
        layer, source, target = _checked_weight(chosen, sizes)
        x1, y1 = positions[layer + 1][target]
        if source is None:  # a bias belongs to its neuron: a ring around it
            figure.add_scatter(
                x=[x1],
                y=[y1],
                mode="markers",
                marker={"size": NEURON_SIZE + 16, "color": CHOSEN_COLOR},
                name="chosen bias",
                hoverinfo="skip",
            )
        else:
            x0, y0 = positions[layer][source]
            figure.add_scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={"color": CHOSEN_COLOR, "width": MAX_EDGE_WIDTH + 8},
                name="chosen weight",
                hoverinfo="skip",
            )
        # Drawn first, under the edges, so that the edge's own colour shows inside it.
        figure.data = (figure.data[-1], *figure.data[:-1])
    figure.add_scatter(
        x=middles_x,
        y=middles_y,
        mode="markers",
        marker={"size": 12, "opacity": 0},
        hovertext=hover,
        hoverinfo="text",
        showlegend=False,
    )
    _add_neurons(figure, result, positions, view=view, point=point)
    sign_name = "w" if view == "forward" else "∂L/∂w"
    for name, rgb in ((f"{sign_name} > 0", POSITIVE_COLOR), (f"{sign_name} < 0", NEGATIVE_COLOR)):
        figure.add_scatter(
            x=[None], y=[None], mode="lines", line={"color": f"rgb{rgb}", "width": 4}, name=name
        )

    shown = "the batch mean" if point is None else f"point {point + 1}"
    if title is None and view == "forward":
        title = f"Forward: z and a = f(z) for {shown}; edges are the weights"
    elif title is None:
        title = f"Backward: δ for {shown}; edges are ∂L/∂w over the batch"
    rows = max(sizes)
    figure.update_layout(
        height=_FRAME_HEIGHT + ROW_HEIGHT * rows,
        hovermode="closest",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "b": 40},
    )
    apply_layout(figure, title=title)
    figure.update_xaxes(
        range=[-_X_MARGIN, 1 + _X_MARGIN],
        tickvals=[column for column, _ in (layer[0] for layer in positions)],
        ticktext=[layer_name(layer, len(sizes)) for layer in range(len(sizes))],
        showgrid=False,
        zeroline=False,
        ticks="",
    )
    top = (rows - 1) / 2
    figure.update_yaxes(
        range=[-top - _ROOM_BELOW, top + _ROOM_ABOVE], visible=False, fixedrange=True
    )
    figure.update_xaxes(fixedrange=True)
    return figure


def loss_figure(losses: Sequence[float], *, current: int | None = None, loss: str) -> go.Figure:
    """Draws the loss after every step of the history, step 0 being the start.

    Args:
        losses: The loss before any step, then after each step.
        current: `int`, the step shown above it, marked; None marks none.
        loss: The loss's name, one of `dlcore.concepts.backprop.LOSS_NAMES`, for the axis.

    Returns:
        A figure with one trace `"loss"` (x the steps 0, 1, ..., y `losses`) and, if
        `current` is given, a marker `"shown"` on that step.

    Raises:
        ValueError: If `losses` is empty, `loss` unknown or `current` out of range.
    """
    check_choice(loss, name="loss", choices=tuple(LOSS_TITLES), what="loss")
    values = np.asarray(losses, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"`losses` must hold at least one loss. Received: losses={losses!r}.")
    steps = np.arange(values.size)
    figure = go.Figure()
    figure.add_scatter(
        x=steps,
        y=values,
        name="loss",
        mode="lines+markers",
        line={"color": LOSS_COLOR, "width": 3},
        hovertemplate="step %{x}<br>loss %{y:.6g}<extra></extra>",
    )
    if current is not None:
        check_int(current, name="current", minimum=0, maximum=values.size - 1)
        figure.add_scatter(
            x=[current],
            y=[values[current]],
            name="shown",
            mode="markers",
            marker={"color": CHOSEN_COLOR, "size": 18, "line": {"color": "#333", "width": 1}},
            hoverinfo="skip",
        )
    apply_layout(
        figure,
        title=f"Loss over the steps: {scientific(float(values[-1]), digits=3)} now",
        x_title="step",
        y_title=LOSS_TITLES[loss].split(", ")[1],
    )
    # Half a step of room on each side, so that the first and last markers are whole.
    figure.update_xaxes(range=[-0.5, max(int(steps[-1]), 1) + 0.5], **count_axis(int(steps[-1])))
    figure.update_layout(height=360)
    return figure


def short_number(value: float) -> str:
    """A number in at most 6 characters for a neuron: 3 decimals under 0.1, else 2.

    Example:

    >>> short_number(-0.03421), short_number(0.5319), short_number(12.0)
    ('-0.034', '0.53', '12.00')
    """
    value = float(value)
    text = f"{value:.3f}" if abs(value) < 0.1 else f"{value:.2f}"
    # A value that rounds to zero is written 0: "-0.000" reads as a mistake.
    return "0" if float(text) == 0 else text


def _positions(sizes: Sequence[int]) -> list[list[tuple[float, float]]]:
    """(x, y) of every neuron: layers at x from 0 to 1, a layer's neurons one apart,
    centred on y = 0, the first on top."""
    columns = np.linspace(0.0, 1.0, len(sizes))
    return [
        [(float(column), (size - 1) / 2 - row) for row in range(size)]
        for column, size in zip(columns, sizes, strict=True)
    ]


def _signed_color(value: float, share: float) -> str:
    red, green, blue = POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR
    # Faint where small, strong where large: the eye reads size from colour too.
    return f"rgba({red}, {green}, {blue}, {0.3 + 0.7 * share:.3f})"


def _checked_weight(
    chosen: tuple[int, int | None, int], sizes: Sequence[int]
) -> tuple[int, int | None, int]:
    layer, source, target = chosen
    check_int(layer, name="layer", minimum=0, maximum=len(sizes) - 2)
    if source is not None:
        check_int(source, name="source", minimum=0, maximum=sizes[layer] - 1)
    check_int(target, name="target", minimum=0, maximum=sizes[layer + 1] - 1)
    return layer, source, target


def _edge_hover(result: Backprop, layer: int, source: int, target: int, sizes) -> str:
    weight = result.network.weights[layer][source, target]
    gradient = result.weight_gradients[layer][source, target]
    return (
        f"{layer_name(layer, len(sizes))} {source + 1} → "
        f"{layer_name(layer + 1, len(sizes))} {target + 1}<br>"
        f"w = {weight:.6g}<br>∂L/∂w = {gradient:.6g}"
    )


def _neuron_values(values: np.ndarray, point: int | None) -> np.ndarray:
    return values.mean(axis=0) if point is None else values[point]


def _add_neurons(
    figure: go.Figure,
    result: Backprop,
    positions: list[list[tuple[float, float]]],
    *,
    view: str,
    point: int | None,
) -> None:
    """The neurons' circles, a label inside each (x₁, x₂, a number, ŷ) and their numbers
    below, as annotations, so that presenter mode enlarges them with the figure."""
    sizes = result.network.layer_sizes
    n_layers = len(sizes)
    xs, ys, fills, hover = [], [], [], []
    deltas = [np.abs(_neuron_values(delta, point)) for delta in result.deltas]
    largest_delta = max(float(delta.max()) for delta in deltas) or 1.0
    for layer, column in enumerate(positions):
        a = _neuron_values(result.activations[layer], point)
        z = None if layer == 0 else _neuron_values(result.pre_activations[layer - 1], point)
        delta = None if layer == 0 else _neuron_values(result.deltas[layer - 1], point)
        for row, (x, y) in enumerate(column):
            xs.append(x)
            ys.append(y)
            is_output = layer == n_layers - 1
            if layer == 0:
                inside, below = f"x{'₁₂'[row]}", short_number(a[row])
            elif view == "forward":
                inside = "ŷ" if is_output else str(row + 1)
                output = "ŷ" if is_output else "a"
                below = f"z {short_number(z[row])}<br>{output} {short_number(a[row])}"
            else:
                inside = "ŷ" if is_output else str(row + 1)
                below = f"δ {short_number(delta[row])}"
            if view == "backward" and delta is not None:
                fills.append(_signed_color(float(delta[row]), abs(delta[row]) / largest_delta))
            else:
                fills.append("white")
            name = f"{layer_name(layer, n_layers)} {row + 1}"
            details = (
                [f"a = {a[row]:.6g}"]
                if layer == 0
                else [
                    f"z = {z[row]:.6g}",
                    f"a = {a[row]:.6g}",
                    f"δ = {delta[row]:.6g}",
                ]
            )
            hover.append("<br>".join([name, *details]))
            figure.add_annotation(
                x=x, y=y, text=inside, showarrow=False, yanchor="middle", font={"color": "#111"}
            )
            # The numbers sit on a pale ground, so that the edges behind them do not
            # cross the digits.
            figure.add_annotation(
                x=x,
                y=y,
                text=below,
                showarrow=False,
                yshift=-NEURON_SIZE / 2 - 2,
                yanchor="top",
                font={"color": "#111"},
                bgcolor=_LABEL_BACKGROUND,
                borderpad=1,
            )
    figure.add_scatter(
        x=xs,
        y=ys,
        mode="markers",
        marker={
            "size": NEURON_SIZE,
            "color": fills,
            "line": {"color": NEURON_OUTLINE, "width": 2},
        },
        hovertext=hover,
        hoverinfo="text",
        name="neurons",
        showlegend=False,
    )
