"""Inside an LSTM or GRU cell: its gates and states after every token, as stacked heat maps.

Draws what `dlcore.explain.gates.cell_gates` computes: one panel per gate or state, the
tokens across (shared by all panels), the units down. Gates share one fixed colour scale
[0, 1] (0: closed, 1: open) and states another, [-1, 1], so that panels and sentences can
be compared by colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout, human_label

PANEL_TITLES = {
    "forget": "Forget gate",
    "input": "Input gate",
    "output": "Output gate",
    "candidate": "Candidate",
    "cell": "Cell state",
    "update": "Update gate",
    "reset": "Reset gate",
    "hidden": "Hidden state",
}
"""A human title for each name of `dlcore.explain.gates.CellGates` (and "hidden")."""

GATE_NAMES = frozenset({"forget", "input", "output", "update", "reset"})
"""The sigmoid gates, drawn on the [0, 1] scale; every other array is a state, on [-1, 1]."""

GATE_COLORSCALE = "Viridis"
STATE_COLORSCALE = "RdBu"


def gates_figure(
    arrays: Mapping[str, ArrayLike],
    tokens: Sequence[str],
    *,
    title: str = "Inside the cell, token by token",
) -> go.Figure:
    """A cell's gates and states after each token, one heat map per array, stacked.

    Read a column to see what the cell did at one token; read a row of a gate to follow
    one unit: a forget gate near 1 keeps that unit's memory, near 0 clears it. An LSTM's
    cell state can leave [-1, 1]: it is then drawn at the scale's end, and its hover text
    gives the value.

    Args:
        arrays: name -> float array of shape `(n_tokens, n_units)`, in the order to draw
            them top to bottom, e.g. `{**gates.gates, "hidden": gates.hidden}` of a
            `CellGates`. Names in `PANEL_TITLES` get its titles; `GATE_NAMES` are gates.
        tokens: the `n_tokens` tokens, written under the bottom panel.
        title: the figure's title.

    Returns:
        A figure with one `go.Heatmap` per array (`z` of shape `(n_units, n_tokens)`),
        gates on the layout's `coloraxis`, states on `coloraxis2`.

    Raises:
        ValueError: If `arrays` is empty, or an array is not 2-D with one row per token, or
            the arrays have different numbers of units.

    Example:

    >>> figure = gates_figure({"forget": np.ones((3, 2))}, ["play", "some", "jazz"])
    >>> figure.data[0].z.shape
    (2, 3)
    """
    values = {name: np.asarray(array, dtype=np.float64) for name, array in arrays.items()}
    n_tokens = len(tokens)
    shapes = {array.shape for array in values.values()}
    if (
        not values
        or len(shapes) != 1
        or any(
            array.ndim != 2 or len(array) != n_tokens or array.size == 0
            for array in values.values()
        )
    ):
        raise ValueError(
            "`arrays` must hold arrays of one shape (n_tokens, n_units), one row per token. "
            f"Received: shapes {sorted(shapes)} and {n_tokens} tokens."
        )
    n_units = next(iter(shapes))[1]
    names = list(values)
    figure = make_subplots(
        rows=len(names),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.06, 0.3 / len(names)),
        subplot_titles=[PANEL_TITLES.get(name, human_label(name)) for name in names],
    )
    positions = list(range(n_tokens))
    units = list(range(1, n_units + 1))  # counted from 1, as on every page
    for row, name in enumerate(names, start=1):
        gate = name in GATE_NAMES
        figure.add_trace(
            go.Heatmap(
                z=values[name].T,
                x=positions,
                y=units,
                coloraxis="coloraxis" if gate else "coloraxis2",
                customdata=np.array([list(tokens)] * n_units, dtype=object),
                hovertemplate=f"{PANEL_TITLES.get(name, human_label(name))}<br>"
                "token %{customdata}, unit %{y}: %{z:.3f}<extra></extra>",
                name=name,
            ),
            row=row,
            col=1,
        )
    colorbar = {"thickness": 14, "len": 0.45}
    figure.update_layout(
        coloraxis={
            "colorscale": GATE_COLORSCALE,
            "cmin": 0.0,
            "cmax": 1.0,
            "colorbar": {**colorbar, "title": {"text": "gate"}, "y": 1.0, "yanchor": "top"},
        },
        coloraxis2={
            "colorscale": STATE_COLORSCALE,
            "cmin": -1.0,
            "cmid": 0.0,
            "cmax": 1.0,
            "colorbar": {**colorbar, "title": {"text": "state"}, "y": 0.0, "yanchor": "bottom"},
        },
        height=max(360, min(1600, len(names) * max(110, 6 * n_units + 50) + 160)),
    )
    apply_layout(figure, title=title, font_size=14)
    figure.update_layout(margin={"b": 60})
    figure.update_xaxes(tickmode="array", tickvals=positions, ticktext=list(tokens))
    figure.update_xaxes(title="token", row=len(names), col=1)
    figure.update_yaxes(autorange="reversed", title="unit")
    return figure
