"""Inside an LSTM or GRU intent model: its gates after every token of a sentence.

Shown below the hidden state on the Sequences page, for the model just trained, and on
the Your text page, for the bundled or a trained model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from ui.presenter import explain, show_figure
from ui.settings import PageSettings

DIRECTION_TITLES = {"forwards": "Forwards", "backwards": "Backwards"}

GATE_EXPLANATIONS = {
    "lstm": (
        "An LSTM keeps a **cell state**, its memory, beside the hidden state. At every token "
        "three gates between 0 (closed) and 1 (open) decide what happens to it: the **forget "
        "gate** how much of the memory to keep, the **input gate** how much of the "
        "**candidate** (what this token suggests writing, in [-1, 1]) to add, and the "
        "**output gate** how much of the memory to show as the hidden state. "
        "cell = forget × cell + input × candidate; hidden = output × tanh(cell). "
        "The values are recomputed from the layer's weights and match its own outputs."
    ),
    "gru": (
        "A GRU has no separate memory: at every token its **update gate** (0 to 1) mixes the "
        "previous hidden state with a **candidate** new one: hidden = update × previous + "
        "(1 − update) × candidate. Near 1, the unit keeps what it had; near 0, it takes "
        "the candidate. The **reset gate** decides how much of the previous state the "
        "candidate may use. The values are recomputed from the layer's weights and match "
        "its own outputs."
    ),
}


def show_gates(
    model: Any,
    token_ids: np.ndarray,
    tokens: list[str],
    *,
    bidirectional: bool,
    settings: PageSettings,
    key: str,
    layer: int = 1,
) -> None:
    """The gates of one recurrent layer of an intent model, for one sentence.

    Args:
        model: the intent model on screen (trained on the Sequences page, or bundled).
        token_ids: int, shape `(max_length,)`, the sentence's token ids.
        tokens: its tokens, one per id that is not padding.
        bidirectional: whether the layer reads both ways (a direction is then chosen).
        settings: the page's settings: the direction is its setting "gate_direction".
        key: the element key prefix of the page's figures.
        layer: the recurrent layer to show, counted from 1 (the page's "Layer" slider).
    """
    from dlcore.explain.gates import model_gates
    from dlcore.figures.gates import gates_figure

    try:
        cells = model_gates(model, token_ids)
    except ValueError as error:
        # A SimpleRNN has no gates: the message says which cells do.
        st.caption(str(error))
        return
    per_layer = 2 if bidirectional else 1
    chosen = cells[(layer - 1) * per_layer : layer * per_layer]
    if not chosen:
        st.info(f"The model has no recurrent layer {layer}.")
        return
    cell = chosen[0]
    if len(chosen) == 2:
        direction = st.radio(
            "Direction",
            list(DIRECTION_TITLES),
            format_func=DIRECTION_TITLES.get,
            horizontal=True,
            **settings.bind("gate_direction"),
        )
        cell = chosen[1] if direction == "backwards" else chosen[0]
    name = cell.cell.upper()
    reading = ", reading backwards" if cell.backwards else ""
    figure = gates_figure(
        {**cell.gates, "hidden": cell.hidden},
        tokens,
        title=f"Inside the {name} of layer {layer}{reading}: its gates after each token",
    )
    show_figure(figure, key=f"{key}.gates", across_page=True)
    explain(GATE_EXPLANATIONS[cell.cell], title=f"How the {name} gates work")
