"""Inside a Transformer intent model: where each token looks, and one token's attention
worked out by hand.

Shown on the Sequences page after a Transformer trains (`ui.sequences.show_intent_results`)
and on the Your text page for the bundled Transformer or a trained one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from ui.presenter import explain, show_figure
from ui.settings import PageSettings

PADDING_LABEL = "[pad]"
TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)


def show_attention(
    model: Any, token_ids: np.ndarray, tokens: list[str], *, settings: PageSettings, key: str
) -> None:
    """The attention weights of a block you pick (every head), then one token's attention
    in that block worked out by hand (`show_attention_by_hand`).

    Args:
        model: an intent model with the "transformer" encoder.
        token_ids: int, shape `(max_length,)`, the sentence's token ids.
        tokens: its tokens, one per id that is not padding.
        settings: the page's settings: the block is its setting "block" (with more than
            one block), and those of `show_attention_by_hand`.
        key: the element key prefix of the page's figures.
    """
    from dlcore.explain.sequences import attention_weights
    from dlcore.figures.sequences import attention_figure

    blocks = attention_weights(model, token_ids)
    block = 1
    if len(blocks) > 1:
        settings.keep_within("block", 1, len(blocks))
        block = st.slider("Block", 1, len(blocks), 1, **settings.bind("block"))
    figure = attention_figure(
        blocks[block - 1], tokens, title=f"Where each token looks (block {block})"
    )
    show_figure(figure, key=f"{key}.attention", across_page=True)
    show_attention_by_hand(model, token_ids, tokens, settings=settings, key=key, block=block)


def show_attention_by_hand(
    model: Any,
    token_ids: np.ndarray,
    tokens: list[str],
    *,
    settings: PageSettings,
    key: str,
    block: int = 1,
) -> None:
    """For a token and a head you pick: its query, the keys and values, the scores
    q·k/√d, the padding mask, the softmax weights at a temperature you pick, and the
    weighted sum of the values, recomputed from the layer's own weights.

    Args:
        model: an intent model with the "transformer" encoder.
        token_ids: int, shape `(max_length,)`, the sentence's token ids.
        tokens: its tokens, one per id that is not padding.
        settings: the page's settings: token, head and temperature are its settings
            "att_token", "att_head" and "att_temp".
        key: the element key prefix of the page's figures.
        block: the Transformer block to show, counted from 1 (the page's "Block" slider).
    """
    from dlcore.explain.attention import intent_attention_by_hand
    from dlcore.figures.attention import (
        query_scores_figure,
        vectors_figure,
        weighted_sum_figure,
    )
    from dlcore.figures.style import scientific

    st.subheader("Attention by hand")
    explain(
        "Each token asks a **query** q; every token offers a **key** k and a **value** v, "
        "all three made from the token's vector by the layer's own weights. The query is "
        "scored against every key, q·k / √d, the scores go through a softmax (divided by a "
        "temperature T first: Keras uses T = 1), and the token's new vector is the weighted "
        "sum of the values. Padding after the sentence is masked: it gets no weight. Each "
        "head does this with its own weights.",
        title="How attention works",
    )
    token_column, head_column, temperature_column = st.columns(3)
    settings.keep_within("att_token", 1, len(tokens))
    token = token_column.selectbox(
        "Token",
        range(1, len(tokens) + 1),
        format_func=lambda number: f"{number}: {tokens[number - 1]}",
        **settings.bind("att_token"),
    )
    temperature = temperature_column.select_slider(
        "Temperature T",
        TEMPERATURES,
        1.0,
        help="softmax(scores / T): above 1 the weights spread out, below 1 they sharpen.",
        **settings.bind("att_temp"),
    )
    try:
        worked = intent_attention_by_hand(model, token_ids, block=block, temperature=temperature)
    except (ValueError, RuntimeError) as error:
        st.info(str(error), icon=":material/info:")
        return
    settings.keep_within("att_head", 1, worked.n_heads)
    head = head_column.selectbox("Head", range(1, worked.n_heads + 1), **settings.bind("att_head"))
    labels = list(tokens) + [PADDING_LABEL] * (worked.n_tokens - len(tokens))
    chosen = {"token": token - 1, "head": head - 1}
    show_figure(
        vectors_figure(worked.queries, worked.keys, worked.values, labels, **chosen),
        key=f"{key}.attention.vectors",
        across_page=True,
    )
    show_figure(
        query_scores_figure(
            worked.scores,
            worked.weights,
            labels,
            mask=worked.mask,
            temperature=temperature,
            **chosen,
        ),
        key=f"{key}.attention.scores",
        across_page=True,
    )
    show_figure(
        weighted_sum_figure(worked.weights, worked.values, labels, **chosen),
        key=f"{key}.attention.sum",
        across_page=True,
    )
    first_key = worked.keys[head - 1, 0]
    query = worked.queries[head - 1, token - 1]
    st.markdown(
        f"For “{tokens[token - 1]}” and “{tokens[0]}” in head {head}: q·k / √d = "
        f"{scientific(float(query @ first_key), digits=3)} / √{worked.key_dim} = "
        f"**{scientific(worked.scores[head - 1, token - 1, 0], digits=3)}**, weight "
        f"**{worked.weights[head - 1, token - 1, 0]:.3f}** at T = {temperature:g}."
    )
