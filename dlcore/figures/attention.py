"""Attention by hand, drawn: one token's scores and weights, and the Q, K, V number grids.

Each takes the arrays of `dlcore.explain.attention.AttentionByHand` (a self-attention
layer recomputed in NumPy) and only draws them: `query_scores_figure` shows how one
token's query scores against every key and what the softmax makes of the scores, with
padding shown as masked; `vectors_figure` writes out the small query, key and value
vectors of one head, one row per token; `weighted_sum_figure` adds the values up, each
times its weight, into the token's new vector. Tokens are placed by position with the token as
the tick label (a sentence may hold the same word twice); tokens and heads count from 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from dlcore.figures.style import REFERENCE_WIDTH, apply_layout

POSITIVE_COLOR = "#2c7bb6"
NEGATIVE_COLOR = "#d7191c"
WEIGHT_COLOR = "#1f77b4"
MASKED_COLOR = "#8c8c8c"
HIGHLIGHT_COLOR = "#222222"
MIN_CELL_FONT_SIZE = 9
"""Pixels: numbers that would have to be smaller than this to fit their cells are not
written in them (hovering still shows them); the cells' colours remain."""
MAX_CELL_FONT_SIZE = 14
MATRIX_NAMES = ("query Q", "key K", "value V")

# Average width of a character as a share of the font size (as in `style`), and the
# share of the figure's width left to the grid beside the token labels.
_CHARACTER_WIDTH = 0.6
_GRID_SHARE = 0.78
_ROW_HEIGHT = 30


def query_scores_figure(
    scores: ArrayLike,
    weights: ArrayLike,
    tokens: Sequence[str],
    *,
    token: int,
    head: int,
    mask: ArrayLike | None = None,
    temperature: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    """One token's query against every key: the scores, then the softmax weights.

    Left, the score `q · k / √d` of the chosen token's query with each token's key
    (blue positive, red negative); right, the weights `softmax(scores / T)` that mix the
    tokens' values into its new vector. A masked token (padding) has no score bar and no
    weight: it is written "masked" in both panels.

    Args:
        scores: float, shape `(n_heads, n_tokens, n_tokens)`, `AttentionByHand.scores`
            (query token on axis 1, key token on axis 2), before masking.
        weights: float, the same shape, `AttentionByHand.weights`.
        tokens: the `n_tokens` tokens, as labels.
        token: `int`, the query token's index, counted from 0 (shown from 1).
        head: `int`, the head's index, counted from 0 (shown from 1).
        mask: bool, shape `(n_tokens, n_tokens)`, `AttentionByHand.mask`: False where
            the query may not look at the key. None: nothing masked. Defaults to None.
        temperature: `float`, the T the weights were computed with, for the panel's
            title. Defaults to 1.0.
        title: the figure's title; None names the token and head.

    Returns:
        A figure with two horizontal `go.Bar` traces, "score" (row 1, col 1) and "weight"
        (col 2), tokens down, their `x` NaN where masked; one annotation "masked" per
        masked token in each panel.

    Raises:
        ValueError: If the arrays, tokens, `token` or `head` do not fit together.

    Example:

    >>> figure = query_scores_figure(
    ...     np.zeros((1, 2, 2)), np.full((1, 2, 2), 0.5), ["hi", "there"], token=0, head=0
    ... )
    >>> [trace.name for trace in figure.data]
    ['score', 'weight']
    """
    score_values = np.asarray(scores, dtype=np.float64)
    weight_values = np.asarray(weights, dtype=np.float64)
    n_tokens = len(tokens)
    expected = (n_tokens, n_tokens)
    if (
        score_values.ndim != 3
        or score_values.shape[1:] != expected
        or weight_values.shape != score_values.shape
        or n_tokens == 0
    ):
        raise ValueError(
            "`scores` and `weights` must both have shape (n_heads, n_tokens, n_tokens) for "
            f"the given tokens. Received: scores {score_values.shape}, weights "
            f"{weight_values.shape}, {n_tokens} tokens."
        )
    n_heads = len(score_values)
    _check_index(token, n_tokens, "token")
    _check_index(head, n_heads, "head")
    allowed = np.ones(expected, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if allowed.shape != expected:
        raise ValueError(f"`mask` must have shape {expected}. Received: shape {allowed.shape}.")
    row_allowed = allowed[token]
    row_scores = np.where(row_allowed, score_values[head, token], np.nan)
    row_weights = np.where(row_allowed, weight_values[head, token], np.nan)
    positions = list(range(n_tokens))
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.08,
        subplot_titles=["score q · k / √d", f"softmax weight (T = {temperature:g})"],
    )
    figure.add_trace(
        go.Bar(
            x=row_scores,
            y=positions,
            orientation="h",
            name="score",
            marker_color=[
                POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR
                for value in np.nan_to_num(row_scores)
            ],
            text=_numbers(row_scores),
            textposition="outside",
            cliponaxis=False,
            customdata=[position + 1 for position in positions],
            hovertemplate="key of token %{customdata}: score %{x:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=row_weights,
            y=positions,
            orientation="h",
            name="weight",
            marker_color=WEIGHT_COLOR,
            text=_numbers(row_weights),
            textposition="outside",
            cliponaxis=False,
            customdata=[position + 1 for position in positions],
            hovertemplate="token %{customdata}: weight %{x:.3f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_layout(
        annotations=list(figure.layout.annotations)
        + [
            {
                "x": 0,
                "y": position,
                "xref": f"x{panel}",
                "yref": f"y{panel}",
                "text": "masked",
                "showarrow": False,
                "xanchor": "left",
                "font": {"color": MASKED_COLOR, "size": 13},
            }
            for position in positions
            if not row_allowed[position]
            for panel in ("", "2")
        ],
        height=max(300, _ROW_HEIGHT * n_tokens + 170),
        showlegend=False,
        bargap=0.25,
    )
    if title is None:
        title = f"How “{tokens[token]}” (token {token + 1}) looks at every token, head {head + 1}"
    apply_layout(figure, title=title, font_size=14)
    figure.update_yaxes(
        tickmode="array",
        tickvals=positions,
        # The query token's own row in bold: the one whose query is scored here.
        ticktext=[
            f"<b>{label}</b>" if position == token else label
            for position, label in enumerate(tokens)
        ],
        autorange="reversed",
        zeroline=False,
    )
    finite = row_scores[np.isfinite(row_scores)]
    low, high = min(0.0, finite.min(initial=0.0)), max(0.0, finite.max(initial=0.0))
    # Room beside the bars for the numbers written outside them (on the left, clear of
    # the tokens, in presenter mode too).
    pad = 0.5 * max(high - low, 1e-6)
    figure.update_xaxes(range=[low - (1.4 * pad if low < 0 else 0), high + pad], row=1, col=1)
    figure.update_xaxes(range=[0, 1.3], row=1, col=2)
    return figure


def vectors_figure(
    queries: ArrayLike,
    keys: ArrayLike,
    values: ArrayLike,
    tokens: Sequence[str],
    *,
    head: int,
    token: int | None = None,
    width: float = REFERENCE_WIDTH,
    title: str | None = None,
) -> go.Figure:
    """One head's query, key and value vectors as number grids: tokens down, d across.

    The three matrices stand side by side in one grid, a blank column between them, on
    one colour scale (blue positive, red negative): row i of "query Q" is token i's
    query, which is scored against every row of "key K"; the weights then mix the rows
    of "value V". The numbers are written in the cells while they fit at `width` pixels
    (for a small d: 3 numbers per matrix fit easily at 560 px); else only hovering
    shows them.

    Args:
        queries: float, shape `(n_heads, n_tokens, key_dim)`, `AttentionByHand.queries`.
        keys: float, the same shape, `AttentionByHand.keys`.
        values: float, shape `(n_heads, n_tokens, value_dim)`, `AttentionByHand.values`.
        tokens: the `n_tokens` tokens, as labels.
        head: `int`, the head's index, counted from 0 (shown from 1).
        token: `int` or None, a query token to outline (its query row), counted from 0.
            Defaults to None.
        width: the narrowest width in pixels the figure is shown at. Defaults to
            `REFERENCE_WIDTH`.
        title: the figure's title; None names the head.

    Returns:
        A figure with one `go.Heatmap` whose `z` is `(n_tokens, 2 * key_dim + value_dim +
        2)`: Q, a NaN column, K, a NaN column, V; its `text` the numbers written (empty
        strings when they do not fit); three annotations naming the matrices; a
        rectangle around `token`'s query if given.

    Raises:
        ValueError: If the arrays, tokens, `head` or `token` do not fit together.

    Example:

    >>> zeros = np.zeros((2, 3, 2))
    >>> figure = vectors_figure(zeros, zeros, zeros, ["a", "b", "c"], head=1)
    >>> np.shape(figure.data[0].z)
    (3, 8)
    """
    matrices = [np.asarray(array, dtype=np.float64) for array in (queries, keys, values)]
    n_tokens = len(tokens)
    first = matrices[0]
    if (
        any(matrix.ndim != 3 for matrix in matrices)
        or first.shape != matrices[1].shape
        or matrices[2].shape[:2] != first.shape[:2]
        or first.shape[1] != n_tokens
        or n_tokens == 0
    ):
        raise ValueError(
            "`queries` and `keys` must have shape (n_heads, n_tokens, key_dim) and "
            "`values` (n_heads, n_tokens, value_dim), one token label per token. Received: "
            f"{[matrix.shape for matrix in matrices]} and {n_tokens} tokens."
        )
    _check_index(head, len(first), "head")
    if token is not None:
        _check_index(token, n_tokens, "token")
    gap = np.full((n_tokens, 1), np.nan)
    parts = [matrix[head] for matrix in matrices]
    grid = np.concatenate([parts[0], gap, parts[1], gap, parts[2]], axis=1)
    n_columns = grid.shape[1]
    # Where each matrix starts, its dimensions counted from 1 under its columns.
    starts = [0, parts[0].shape[1] + 1, parts[0].shape[1] + parts[1].shape[1] + 2]
    column_labels = [""] * n_columns
    column_names = [""] * n_columns
    for start, part, name in zip(starts, parts, MATRIX_NAMES, strict=True):
        for dimension in range(part.shape[1]):
            column_labels[start + dimension] = str(dimension + 1)
            column_names[start + dimension] = f"{name.split()[0]}, dimension {dimension + 1}"
    numbers, font_size = _cell_text(grid, width=width)
    limit = max(float(np.nanmax(np.abs(grid))), 1e-6)
    positions = list(range(n_tokens))
    figure = go.Figure(
        go.Heatmap(
            z=grid.tolist(),  # a list: `enlarge` tests it for truth
            x=list(range(n_columns)),
            y=positions,
            text=numbers,
            texttemplate="%{text}",
            textfont={"size": font_size},
            customdata=np.array(
                [[[label, name] for name in column_names] for label in tokens], dtype=object
            ),
            colorscale="RdBu",
            zmin=-limit,
            zmax=limit,
            zmid=0.0,
            showscale=False,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            hovertemplate="%{customdata[0]}: %{customdata[1]}<br>%{z:.4f}<extra></extra>",
        )
    )
    shapes = []
    if token is not None:
        shapes.append(
            {
                "type": "rect",
                "x0": -0.5,
                "x1": parts[0].shape[1] - 0.5,
                "y0": token - 0.5,
                "y1": token + 0.5,
                "line": {"color": HIGHLIGHT_COLOR, "width": 3},
            }
        )
    figure.update_layout(
        shapes=shapes,
        annotations=[
            {
                "x": start + (part.shape[1] - 1) / 2,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": name,
                "showarrow": False,
                "font": {"size": 14},
            }
            for start, part, name in zip(starts, parts, MATRIX_NAMES, strict=True)
        ],
        height=max(260, _ROW_HEIGHT * n_tokens + 170),
        # White between the matrices: the gaps read as gaps, not as empty cells.
        plot_bgcolor="white",
    )
    if title is None:
        title = f"Each token's query, key and value, head {head + 1}"
    apply_layout(figure, title=title, x_title="dimension", font_size=14)
    figure.update_xaxes(
        tickmode="array",
        tickvals=list(range(n_columns)),
        ticktext=column_labels,
        showgrid=False,
        zeroline=False,
    )
    figure.update_yaxes(
        tickmode="array",
        tickvals=positions,
        ticktext=list(tokens),
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    return figure


def weighted_sum_figure(
    weights: ArrayLike,
    values: ArrayLike,
    tokens: Sequence[str],
    *,
    token: int,
    head: int,
    width: float = REFERENCE_WIDTH,
    title: str | None = None,
) -> go.Figure:
    """The weighted sum of the values that gives one token its new vector, in one head.

    Each row is a token: its weight (from `query_scores_figure`), its value `v`, and
    `weight × v`; the last row, "sum", adds the rows of `weight × v` up: the chosen
    token's new vector in this head (`AttentionByHand.contexts`). Numbers are written
    in the cells while they fit at `width` pixels.

    Args:
        weights: float, shape `(n_heads, n_tokens, n_tokens)`, `AttentionByHand.weights`.
        values: float, shape `(n_heads, n_tokens, value_dim)`, `AttentionByHand.values`.
        tokens: the `n_tokens` tokens, as labels.
        token: `int`, the query token's index, counted from 0 (shown from 1).
        head: `int`, the head's index, counted from 0 (shown from 1).
        width: the narrowest width in pixels the figure is shown at. Defaults to
            `REFERENCE_WIDTH`.
        title: the figure's title; None names the token and head.

    Returns:
        A figure with one `go.Heatmap` whose `z` is `(n_tokens + 2, 2 * value_dim + 3)`:
        rows the tokens, a NaN row, the sum; columns the weight, a NaN column, `v`, a
        NaN column, `weight × v` (the sum row holds only the last block).

    Raises:
        ValueError: If the arrays, tokens, `token` or `head` do not fit together.

    Example:

    >>> figure = weighted_sum_figure(
    ...     np.full((1, 2, 2), 0.5), np.ones((1, 2, 3)), ["a", "b"], token=0, head=0
    ... )
    >>> figure.data[0].z[-1][-3:]
    [1.0, 1.0, 1.0]
    """
    weight_values = np.asarray(weights, dtype=np.float64)
    value_values = np.asarray(values, dtype=np.float64)
    n_tokens = len(tokens)
    if (
        weight_values.ndim != 3
        or weight_values.shape[1:] != (n_tokens, n_tokens)
        or value_values.ndim != 3
        or value_values.shape[:2] != weight_values.shape[:2]
        or n_tokens == 0
    ):
        raise ValueError(
            "`weights` must have shape (n_heads, n_tokens, n_tokens) and `values` "
            "(n_heads, n_tokens, value_dim), one token label per token. Received: "
            f"weights {weight_values.shape}, values {value_values.shape}, {n_tokens} tokens."
        )
    _check_index(head, len(weight_values), "head")
    _check_index(token, n_tokens, "token")
    row_weights = weight_values[head, token]
    head_values = value_values[head]
    value_dim = head_values.shape[1]
    weighted = row_weights[:, np.newaxis] * head_values
    gap_column = np.full((n_tokens, 1), np.nan)
    rows = np.concatenate(
        [row_weights[:, np.newaxis], gap_column, head_values, gap_column, weighted], axis=1
    )
    n_columns = rows.shape[1]
    total = np.full((1, n_columns), np.nan)
    total[0, -value_dim:] = weighted.sum(axis=0)
    grid = np.concatenate([rows, np.full((1, n_columns), np.nan), total])
    numbers, font_size = _cell_text(grid, width=width)
    limit = max(float(np.nanmax(np.abs(grid))), 1e-6)
    row_labels = [*tokens, "", "<b>sum</b>"]
    dimensions = [str(dimension + 1) for dimension in range(value_dim)]
    figure = go.Figure(
        go.Heatmap(
            z=grid.tolist(),  # a list: `enlarge` tests it for truth
            x=list(range(n_columns)),
            y=list(range(len(grid))),
            text=numbers,
            texttemplate="%{text}",
            textfont={"size": font_size},
            colorscale="RdBu",
            zmin=-limit,
            zmax=limit,
            zmid=0.0,
            showscale=False,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            hovertemplate="%{z:.4f}<extra></extra>",
        )
    )
    starts = [0, 2, value_dim + 3]
    sizes = [1, value_dim, value_dim]
    figure.update_layout(
        annotations=[
            {
                "x": start + (size - 1) / 2,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": name,
                "showarrow": False,
                "font": {"size": 14},
            }
            for start, size, name in zip(
                starts, sizes, ["weight", "value v", "weight × v"], strict=True
            )
        ],
        height=max(280, _ROW_HEIGHT * len(grid) + 170),
        # White between the matrices: the gaps read as gaps, not as empty cells.
        plot_bgcolor="white",
    )
    if title is None:
        title = (
            f"The new vector of “{tokens[token]}” (token {token + 1}): "
            f"the weighted sum of the values, head {head + 1}"
        )
    apply_layout(figure, title=title, x_title="dimension", font_size=14)
    figure.update_xaxes(
        tickmode="array",
        tickvals=list(range(n_columns)),
        ticktext=["", "", *dimensions, "", *dimensions],
        showgrid=False,
        zeroline=False,
    )
    figure.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(grid))),
        ticktext=row_labels,
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    return figure


def _cell_text(grid: np.ndarray, *, width: float) -> tuple[list[list[str]], int]:
    """The numbers to write in a grid's cells and their font size: the largest (up to
    `MAX_CELL_FONT_SIZE`) at which the widest fits its cell in a figure `width` pixels
    wide; all "" (at `MIN_CELL_FONT_SIZE`) where that would be smaller than it."""
    decimals = _decimals(grid)
    numbers = [_numbers(row, decimals=decimals) for row in grid]
    widest = max(len(number) for row in numbers for number in row)
    cell = _GRID_SHARE * width / grid.shape[1]
    font_size = min(MAX_CELL_FONT_SIZE, int(0.9 * cell / (_CHARACTER_WIDTH * widest)))
    if font_size < MIN_CELL_FONT_SIZE:
        return [[""] * grid.shape[1] for _ in grid], MIN_CELL_FONT_SIZE
    return numbers, font_size


def _decimals(values: np.ndarray) -> int:
    """How many decimals (2 to 4) show the largest of `values` with two digits."""
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return int(np.clip(1 - np.floor(np.log10(largest)), 2, 4))


def _numbers(values: np.ndarray, *, decimals: int | None = None) -> list[str]:
    """The values as written in the figure, all with the same decimals (`_decimals` of
    them unless given), never "-0.00"; NaN (masked, a gap) as ""."""
    if decimals is None:
        decimals = _decimals(values)
    # Adding 0.0 turns the -0.0 that rounding leaves into 0.0.
    return [
        "" if np.isnan(value) else f"{round(float(value), decimals) + 0.0:.{decimals}f}"
        for value in values
    ]


def _check_index(index: int, size: int, name: str) -> None:
    if not 0 <= index < size:
        raise ValueError(
            f"`{name}` must be an index from 0 to {size - 1} (shown as 1 to {size}). "
            f"Received: {name}={index}."
        )
