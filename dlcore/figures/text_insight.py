"""The Text try-it's pictures: which tokens drove the intent, and the hidden state per token.

Each takes what `dlcore.explain.text.explain_text` computed and only draws it. Tokens are
placed by position, with the token written in its cell or as its tick label, because a
sentence may hold the same word twice. Tokens come from `dlcore.media.tokens.tokenize`
(letters, digits, apostrophes and Chinese characters only), so no markup from the text
reaches Plotly's labels. The confidence bars are `dlcore.figures.predictions
.confidence_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.figures.sequences import hidden_state_figure
from dlcore.figures.style import apply_layout, human_label

ATTRIBUTION_COLORS = [[0.0, "#e4725f"], [0.5, "#ffffff"], [1.0, "#5b9bd5"]]
"""Red (against the intent), white (no part), blue (for it): light enough at both ends
for the dark token text written on the cells."""

TEXT_COLOR = "#1a1a1a"

UNKNOWN_COLOR = "#c8c8c8"
"""The fill of an unknown token's cell: grey, outside the red-blue attribution scale."""

UNKNOWN_SUFFIX = " (?)"
"""Added to an unknown token's tick label in the hidden-state heatmap."""

METHOD_TITLES = {
    "occlusion": "replaced by [UNK]",
    "gradient": "gradient × input",
}
"""How each attribution method is named in the figure."""

# Attributions smaller than this (in log-odds) stay near white: too small to matter.
_MIN_COLOR_RANGE = 0.1


def attribution_figure(
    tokens: Sequence[str],
    attributions: ArrayLike,
    *,
    unknown: ArrayLike,
    intent: str,
    method: str = "occlusion",
    probabilities_without: ArrayLike | None = None,
) -> go.Figure:
    """The tokens in a row of cells, each coloured by how much it drove the intent.

    Blue cells spoke for the intent, red ones against it, white ones hardly mattered;
    the colour scale is symmetric around 0 and spans the largest attribution. Each cell
    shows its token and its attribution. Unknown tokens (not in the vocabulary) are grey
    cells marked "unknown": the model reads every one of them as the same "[UNK]".

    Args:
        tokens: the tokens the model read, in order, `n_tokens` of them.
        attributions: float, shape `(n_tokens,)`: the drop in the intent's log-odds per
            token (`TextExplanation.occlusion` or `.gradient_x_input`).
        unknown: bool, shape `(n_tokens,)`: True for tokens not in the vocabulary.
        intent: the predicted intent's name, for the title.
        method: "occlusion" or "gradient": how the attributions were found. Defaults to
            `"occlusion"`.
        probabilities_without: float, shape `(n_tokens,)`, in [0, 1]: the intent's
            probability with each token replaced, shown on hover; None leaves it out.

    Returns:
        A figure with two `go.Heatmap` traces of one row each: the known tokens
        (`z` = attributions, None where unknown) and the unknown tokens (`z` = 0 where
        unknown, None elsewhere).

    Raises:
        ValueError: If the lengths differ, there are no tokens, or `method` is unknown.

    Example:

    >>> figure = attribution_figure(["play", "jazz"], [1.5, 0.2], unknown=[False, False],
    ...                             intent="play_music")
    >>> figure.data[0].z
    ([1.5, 0.2],)
    """
    values = np.asarray(attributions, dtype=np.float64)
    unknown = np.asarray(unknown, dtype=bool)
    n_tokens = len(tokens)
    if n_tokens == 0 or values.shape != (n_tokens,) or unknown.shape != (n_tokens,):
        raise ValueError(
            "Expected one attribution and one unknown flag per token, and at least one "
            f"token. Received: {n_tokens} tokens, attributions of shape {values.shape}, "
            f"unknown flags of shape {unknown.shape}."
        )
    if method not in METHOD_TITLES:
        raise ValueError(
            f"Unknown method. Choose one of: {', '.join(METHOD_TITLES)}. "
            f"Received: method={method!r}."
        )
    known_values = values[~unknown]
    limit = max(float(np.abs(known_values).max()) if known_values.size else 0.0, _MIN_COLOR_RANGE)
    positions = list(range(n_tokens))
    # Cells narrow as tokens are added: smaller text keeps a long word inside its cell.
    font_size = 15 if n_tokens <= 8 else 13 if n_tokens <= 14 else 11
    if probabilities_without is None:
        without = [""] * n_tokens
    else:
        without = [
            f"<br>{100 * probability:.1f} % without it"
            for probability in np.asarray(probabilities_without, dtype=np.float64)
        ]
    known_trace = go.Heatmap(
        z=[[None if flag else float(value) for value, flag in zip(values, unknown, strict=True)]],
        x=positions,
        y=[0],
        # Each trace writes only its own cells: Plotly writes a cell's text even where z is None.
        text=[
            [
                "" if flag else f"{token}<br>{value:+.2f}"
                for token, value, flag in zip(tokens, values, unknown, strict=True)
            ]
        ],
        texttemplate="%{text}",
        textfont={"size": font_size, "color": TEXT_COLOR},
        customdata=[without],
        colorscale=ATTRIBUTION_COLORS,
        zmin=-limit,
        zmax=limit,
        zmid=0.0,
        xgap=3,
        # The title runs along the bar, so that a short bar (one row of cells) keeps
        # its height for the ticks, in presenter mode too.
        colorbar={
            "title": {"text": "drop in log-odds", "side": "right"},
            "thickness": 14,
            "nticks": 5,
        },
        hovertemplate="token %{x}: %{z:+.3f}%{customdata}<extra></extra>",
        name="known",
    )
    unknown_trace = go.Heatmap(
        z=[[0.0 if flag else None for flag in unknown]],
        x=positions,
        y=[0],
        text=[
            [
                f"{token}<br>unknown" if flag else ""
                for token, flag in zip(tokens, unknown, strict=True)
            ]
        ],
        texttemplate="%{text}",
        textfont={"size": font_size, "color": TEXT_COLOR},
        colorscale=[[0.0, UNKNOWN_COLOR], [1.0, UNKNOWN_COLOR]],
        showscale=False,
        xgap=3,
        hovertemplate="token %{x}: not in the vocabulary, read as [UNK]<extra></extra>",
        name="unknown",
    )
    figure = go.Figure([known_trace, unknown_trace])
    figure.update_layout(height=260, showlegend=False)
    apply_layout(
        figure,
        title=f"Which tokens drove “{human_label(intent)}” ({METHOD_TITLES[method]})",
        font_size=14,
    )
    figure.update_layout(margin={"b": 30, "l": 10, "r": 10})
    figure.update_xaxes(
        tickmode="array",
        tickvals=positions,
        ticktext=[str(position + 1) for position in positions],
        title=None,
        showgrid=False,
    )
    figure.update_yaxes(visible=False)
    return figure


def token_state_figure(
    states: ArrayLike,
    tokens: Sequence[str],
    *,
    unknown: ArrayLike,
    bidirectional: bool = False,
    layer_name: str = "",
) -> go.Figure:
    """A recurrent layer's hidden state after each token: units down, tokens across.

    `dlcore.figures.sequences.hidden_state_figure`, with unknown tokens marked "(?)" in
    the tick labels.

    Args:
        states: float, shape `(n_tokens, n_units)`, one of `TextExplanation.hidden_states`.
        tokens: the tokens the model read, `n_tokens` of them.
        unknown: bool, shape `(n_tokens,)`: True for tokens not in the vocabulary.
        bidirectional: the layer reads both ways; the second half of the units reads
            backwards. Defaults to `False`.
        layer_name: the layer's name, for the title.

    Returns:
        A figure with one `go.Heatmap` whose `z` has shape `(n_units, n_tokens)`.

    Raises:
        ValueError: If the shapes do not match.
    """
    unknown = np.asarray(unknown, dtype=bool)
    if unknown.shape != (len(tokens),):
        raise ValueError(
            f"Expected one unknown flag per token ({len(tokens)}). Received: shape {unknown.shape}."
        )
    labels = [
        f"{token}{UNKNOWN_SUFFIX}" if flag else token
        for token, flag in zip(tokens, unknown, strict=True)
    ]
    where = f" of {layer_name}" if layer_name else ""
    return hidden_state_figure(
        states,
        labels,
        bidirectional=bidirectional,
        step_title="token",
        title=f"Hidden state{where} after each token",
    )
