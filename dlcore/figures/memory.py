"""Plotly figures of the Memory page: each cell's validation accuracy and loss per epoch, and an
example sequence with its answer marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout, count_axis, log_axis

CELL_TITLES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
"""Each cell's name as the page writes it."""

# One fixed colour per cell, so that a cell keeps its colour across the figures.
CELL_COLORS = {"simple_rnn": "#7f7f7f", "lstm": "#1f77b4", "gru": "#ff7f0e"}
CHANCE_COLOR = "#d62728"


def curves_figure(
    epochs: Sequence[int],
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    chance: float,
    title: str = "Validation accuracy and loss of each cell",
) -> go.Figure:
    """Every cell's validation accuracy (left) against chance, and its loss (right, log scale).

    Args:
        epochs: the 1-based epoch numbers, one per value.
        curves: cell name ("simple_rnn", "lstm", "gru") -> Keras metric name ("loss",
            "val_loss", "val_accuracy", ...) -> one value per epoch, as `History.variant`
            gives them. "accuracy" (training) is not drawn: the left panel is what the
            cells do on sequences they did not learn from.
        chance: `float` in (0, 1), the accuracy of a guess, `1 / n_symbols`.
        title: the figure's title.

    Returns:
        A figure with two panels. Left: per cell one line "<cell> (validation)" in its
        colour, `y` the validation accuracy in percent, and a dashed "chance (N%)" line.
        Right: per cell "<cell> (training)" solid and "<cell> (validation)" dotted, `y`
        the cross-entropy. The accuracy lines carry the legend, one entry per cell.

    Raises:
        ValueError: If `curves` is empty, `chance` is not in (0, 1), or a curve's length
            differs from `epochs`.

    Example:

    >>> figure = curves_figure([1, 2], {"lstm": {"val_accuracy": [0.3, 1.0],
    ...     "loss": [1.3, 0.1], "val_loss": [1.2, 0.1]}}, chance=0.25)
    >>> [trace.name for trace in figure.data]
    ['LSTM', 'chance (25%)', 'LSTM (training)', 'LSTM (validation)']
    """
    if not curves:
        raise ValueError("Expected the curves of at least one cell. Received: no curves.")
    if not 0 < chance < 1:
        raise ValueError(
            f"Chance must be a share strictly between 0 and 1. Received: chance={chance!r}."
        )
    for cell, metrics in curves.items():
        for name, values in metrics.items():
            if len(values) != len(epochs):
                raise ValueError(
                    f"Each curve needs one value per epoch. Received: {len(epochs)} epochs "
                    f"and {len(values)} values of {cell} {name}."
                )
    x = list(epochs)
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.18)
    markers = "lines+markers" if len(x) < 30 else "lines"
    for cell, metrics in curves.items():
        if "val_accuracy" in metrics:
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=[100.0 * value for value in metrics["val_accuracy"]],
                    name=_title(cell),
                    legendgroup=cell,
                    mode=markers,
                    line={"color": CELL_COLORS.get(cell)},
                    hovertemplate=(
                        f"{_title(cell)}, validation<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>"
                    ),
                ),
                row=1,
                col=1,
            )
    figure.add_trace(
        go.Scatter(
            x=[min(x, default=0), max(x, default=1)],
            y=[100.0 * chance] * 2,
            name=f"chance ({chance:.0%})",
            mode="lines",
            line={"color": CHANCE_COLOR, "dash": "dash"},
            hovertemplate="a guess: %{y:.0f} %<extra></extra>",
        ),
        row=1,
        col=1,
    )
    losses = []
    for cell, metrics in curves.items():
        for name, dash, part in (("loss", "solid", "training"), ("val_loss", "dot", "validation")):
            if name not in metrics:
                continue
            losses += list(metrics[name])
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=list(metrics[name]),
                    name=f"{_title(cell)} ({part})",
                    legendgroup=cell,
                    showlegend=False,
                    mode=markers,
                    line={"color": CELL_COLORS.get(cell), "dash": dash},
                    hovertemplate=(
                        f"{_title(cell)}, {part}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>"
                    ),
                ),
                row=1,
                col=2,
            )
    figure.update_layout(height=420, legend_traceorder="normal")
    apply_layout(figure, title=title, x_title="epoch")
    figure.update_xaxes(**count_axis(max(x, default=0)))
    figure.update_yaxes(title_text="validation accuracy (%)", range=[0, 100.5], row=1, col=1)
    figure.update_yaxes(title_text="loss (solid: training, dotted: validation)", row=1, col=2)
    if losses:
        log_axis(figure, losses, row=1, col=2)
    return figure


def example_sequence_markdown(
    tokens: Sequence[int], names: Sequence[str], *, shown: int = 12
) -> str:
    """One sequence as the page shows it: its tokens by name, the first one marked as the answer.

    Args:
        tokens: the sequence's token ids, each in [0, len(names)).
        names: the symbols' names, e.g. `["A", "B", "C", "D"]`.
        shown: `int` >= 2, the most tokens written out; a longer sequence shows its first
            `shown - 1`, a count of those left out, and its last one. Defaults to `12`.

    Returns:
        Markdown, e.g. "**:green-background[C]** ← answer · A · D · … (52 more) … · B".

    Raises:
        ValueError: If `tokens` is empty or a token has no name.

    Example:

    >>> example_sequence_markdown([2, 0, 3], ["A", "B", "C", "D"])
    '**:green-background[C]** ← answer · A · D'
    """
    if len(tokens) == 0:
        raise ValueError("Expected a sequence of at least one token. Received: no tokens.")
    if any(not 0 <= int(token) < len(names) for token in tokens):
        raise ValueError(
            f"Every token must be the index of one of the {len(names)} symbols. "
            f"Received: tokens={list(map(int, tokens))!r}."
        )
    words = [names[int(token)] for token in tokens]
    if len(words) > shown:
        left_out = len(words) - shown
        words = [*words[: shown - 1], f"… ({left_out} more) …", words[-1]]
    first, *rest = words
    return " · ".join([f"**:green-background[{first}]** ← answer", *rest])


def _title(cell: str) -> str:
    return CELL_TITLES.get(cell, cell)
