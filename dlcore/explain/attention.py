"""Self-attention by hand: a `MultiHeadAttention` layer recomputed in NumPy, step by step.

`attention_by_hand` takes a Keras 3 `keras.layers.MultiHeadAttention` layer used for
self-attention (query, key and value are the same sequence, as in the intent model's
Transformer blocks) and one sentence's input to it, and recomputes from the layer's own
weights everything the layer does inside, for every head:

1. each token's query, key and value: `x · W + b`, one small vector of `key_dim`
   (`value_dim`) numbers per token and head;
2. the scores `q · k / √d`: how well each token's query matches each token's key;
3. the padding mask: a padded token is never looked at (its score becomes −∞);
4. the softmax weights of each query token over the keys, `softmax(scores / T)`
   (T = 1 is what Keras computes; a larger T flattens them, a smaller one sharpens them);
5. the weighted sum of the values, per head, and the layer's output (the heads' sums
   projected back to the model's width).

`intent_attention_by_hand` does the same for one attention layer of a trained intent
model with the "transformer" encoder, on the input the model itself feeds that layer.

Example:

>>> result = attention_by_hand(layer, inputs, mask=keep)  # doctest: +SKIP
>>> result.weights.shape              # (heads, tokens, tokens)  # doctest: +SKIP
(2, 5, 5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class AttentionByHand:
    """Every number of one self-attention layer's computation for one sentence.

    Shapes use `n_heads`, `n_tokens` (the steps of the sequence), `key_dim` (d, the
    length of a query or key), `value_dim` (the length of a value) and `n_features` (the
    layer's output width). Scores and weights put the query token on axis 1 and the key
    token on axis 2. Float64.

    Attributes:
        queries: `(n_heads, n_tokens, key_dim)`, each token's query `x · W_Q + b_Q`.
        keys: `(n_heads, n_tokens, key_dim)`, each token's key.
        values: `(n_heads, n_tokens, value_dim)`, each token's value.
        scores: `(n_heads, n_tokens, n_tokens)`, `q · k / √d`, before masking.
        mask: bool `(n_tokens, n_tokens)`, True where a query token may look at a key
            token (both are real tokens); all True without a padding mask.
        masked_scores: `scores` with −∞ where `mask` is False.
        weights: `(n_heads, n_tokens, n_tokens)`, `softmax(masked_scores / temperature)`
            over the key axis: in [0, 1], 0 where masked, each row summing to 1 (a row
            that is masked throughout, a padding token's, is all 0, as in Keras).
        contexts: `(n_heads, n_tokens, value_dim)`, the weighted sum of the values for
            each query token: `weights @ values`.
        output: `(n_tokens, n_features)`, the layer's output: the heads' sums through
            the output projection, `Σ_h contexts_h · W_O,h + b_O`.
        temperature: the T the weights were computed with; 1 is Keras's own softmax.
    """

    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    scores: np.ndarray
    mask: np.ndarray
    masked_scores: np.ndarray
    weights: np.ndarray
    contexts: np.ndarray
    output: np.ndarray
    temperature: float

    @property
    def n_heads(self) -> int:
        return self.queries.shape[0]

    @property
    def n_tokens(self) -> int:
        return self.queries.shape[1]

    @property
    def key_dim(self) -> int:
        return self.queries.shape[2]

    def entropy(self) -> np.ndarray:
        """How spread each query token's weights are, in nats: `(n_heads, n_tokens)`.

        0 when a token puts all its weight on one key; `log(n)` when it spreads it evenly
        over `n` keys; 0 for a row that is masked throughout.
        """
        weights = self.weights
        logs = np.log(np.where(weights > 0, weights, 1.0))
        return -(weights * logs).sum(axis=-1)


def attention_by_hand(
    layer: Any,
    inputs: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    temperature: float = 1.0,
) -> AttentionByHand:
    """Recompute a self-attention layer in NumPy from its own weights, for every head.

    The layer is called as `layer(x, x)`: query, key and value all come from `inputs`.
    With `temperature=1` the weights equal the layer's
    `return_attention_scores=True` scores and `output` equals its output (called with
    the same mask); another temperature shows what sharper or flatter weights would make
    of the same values.

    Args:
        layer: a built `keras.layers.MultiHeadAttention` over one sequence axis (the
            default `attention_axes`), with or without biases.
        inputs: float, shape `(n_tokens, n_features)`: one sentence's vectors, as the
            layer receives them, without the batch axis.
        mask: bool, shape `(n_tokens,)`: True for a real token, False for padding (a
            padding token is looked at by no token, and looks at none); or shape
            `(n_tokens, n_tokens)`: Keras's `attention_mask`, True where query token i
            may look at key token j. None: every token sees every token. Defaults to
            None.
        temperature: `float` > 0, T in `softmax(scores / T)`. Defaults to 1.0, Keras's.

    Returns:
        An `AttentionByHand` holding each step's numbers.

    Raises:
        TypeError: If `layer` is not a `MultiHeadAttention`.
        ValueError: If the layer is not built or attends over several axes, or `inputs`,
            `mask` or `temperature` do not fit (the message says what was received).

    Example:

    >>> layer = keras.layers.MultiHeadAttention(2, key_dim=3)      # doctest: +SKIP
    >>> _ = layer(x[None], x[None])                                 # doctest: +SKIP
    >>> attention_by_hand(layer, x).weights.shape                   # doctest: +SKIP
    (2, 5, 5)
    """
    query_kernel, query_bias, key_kernel, key_bias, value_kernel, value_bias, out = _weights(layer)
    output_kernel, output_bias = out
    vectors = np.asarray(inputs, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] == 0 or vectors.shape[1] != query_kernel.shape[0]:
        raise ValueError(
            "`inputs` must be one sentence's vectors, shape (n_tokens, n_features) with "
            f"n_features = {query_kernel.shape[0]} (the layer's input width), without the "
            f"batch axis. Received: shape {vectors.shape}."
        )
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(
            "`temperature` must be a finite number > 0 (1 is Keras's softmax). "
            f"Received: temperature={temperature}."
        )
    n_tokens = len(vectors)
    pairs = _pair_mask(mask, n_tokens)

    # (n_tokens, n_features) · (n_features, n_heads, d) -> (n_heads, n_tokens, d)
    queries = np.einsum("tf,fhd->htd", vectors, query_kernel) + query_bias[:, np.newaxis]
    keys = np.einsum("tf,fhd->htd", vectors, key_kernel) + key_bias[:, np.newaxis]
    values = np.einsum("tf,fhd->htd", vectors, value_kernel) + value_bias[:, np.newaxis]
    scores = np.einsum("hqd,hkd->hqk", queries, keys) / math.sqrt(query_kernel.shape[2])
    masked_scores = np.where(pairs, scores, -np.inf)
    weights = _masked_softmax(scores / temperature, pairs)
    contexts = np.einsum("hqk,hkv->hqv", weights, values)
    output = np.einsum("hqv,hvf->qf", contexts, output_kernel) + output_bias
    return AttentionByHand(
        queries=queries,
        keys=keys,
        values=values,
        scores=scores,
        mask=pairs,
        masked_scores=masked_scores,
        weights=weights,
        contexts=contexts,
        output=output,
        temperature=float(temperature),
    )


def intent_attention_by_hand(
    model: Any,
    token_ids: ArrayLike,
    *,
    block: int = 1,
    n_padding: int | None = 2,
    temperature: float = 1.0,
) -> AttentionByHand:
    """Self-attention by hand in one Transformer block of a trained intent model.

    The block's `MultiHeadAttention` input for this sentence is read from the model
    itself (the embedded tokens plus positions for block 1, the previous block's output
    after), then recomputed by `attention_by_hand` with the sentence's padding mask, as
    every block of the model applies it. The positions after the sentence's last token
    and the `n_padding` kept are left out: no token looks at them, so the other numbers
    are those of the whole sequence.

    Args:
        model: an intent model with the "transformer" encoder
            (`dlcore.trainers.intents`).
        token_ids: int, shape `(max_length,)`, one sentence (`PADDING_ID` is padding).
        block: `int`, which Transformer block, counted from 1. Defaults to 1.
        n_padding: `int` >= 0, how many padding positions after the sentence to keep
            so that the mask has something to hide; None keeps them all. Defaults to 2.
        temperature: `float` > 0, T in `softmax(scores / T)`. Defaults to 1.0.

    Returns:
        An `AttentionByHand` over the sentence's tokens, then the padding kept; its
        `mask` is False for every pair that involves padding. At T = 1 its `output`
        equals the layer's own, to 1e-5.

    Raises:
        ValueError: If the model has no attention layer or no such block, the ids are
            not one sentence, or the sentence is all padding.
        RuntimeError: If the recomputation does not reproduce the layer's output (a layer
            this module does not know how to recompute, or a model that does not mask its
            padding).
    """
    # Keras is imported here: the pages that use this load a Keras model anyway.
    import keras

    from dlcore.explain.sequences import _first_input, _one_sentence, _probe

    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "This model has no attention layer: choose the transformer encoder to see "
            "attention by hand."
        )
    if not 1 <= block <= len(layers):
        raise ValueError(
            f"`block` must be between 1 and {len(layers)}, the model's Transformer blocks. "
            f"Received: block={block}."
        )
    if n_padding is not None and n_padding < 0:
        raise ValueError(f"`n_padding` must be >= 0 or None. Received: n_padding={n_padding}.")
    batch, keep = _one_sentence(np.asarray(token_ids))
    layer = layers[block - 1]
    layer_input, layer_output = _probe(model, [_first_input(layer), layer.output], batch)
    inputs = np.asarray(layer_input, dtype=np.float64)[0]
    expected = np.asarray(layer_output, dtype=np.float64)[0]
    tolerance = 1e-4 * max(1.0, float(np.abs(expected).max()))
    recomputed = attention_by_hand(layer, inputs, mask=keep).output
    if not np.allclose(recomputed[keep], expected[keep], rtol=0, atol=tolerance):
        raise RuntimeError(
            f"The recomputation of {layer.name} with the padding mask does not reproduce the "
            "layer's output: this layer is not a plain self-attention over unpadded tokens."
        )
    n_steps = len(keep)
    if n_padding is not None:
        n_steps = min(n_steps, int(np.flatnonzero(keep)[-1]) + 1 + n_padding)
    return attention_by_hand(layer, inputs[:n_steps], mask=keep[:n_steps], temperature=temperature)


def _weights(layer: Any) -> tuple[np.ndarray, ...]:
    """The layer's projections as float64 arrays, zero biases where it has none."""
    # Checked by name, so that this module never imports Keras itself.
    if not any(kind.__name__ == "MultiHeadAttention" for kind in type(layer).__mro__):
        raise TypeError(
            f"`layer` must be a keras.layers.MultiHeadAttention. Received: {type(layer).__name__}."
        )
    if not layer.built:
        raise ValueError(
            "The attention layer is not built yet: call it on a sequence (or build the model "
            "it belongs to) first."
        )
    if tuple(layer._attention_axes) != (1,):
        raise ValueError(
            "Only attention over the one sequence axis is recomputed here (inputs of shape "
            f"(batch, n_tokens, n_features)). Received: attention_axes={layer.attention_axes}."
        )
    arrays = []
    for dense in (layer.query_dense, layer.key_dense, layer.value_dense, layer.output_dense):
        kernel = np.asarray(dense.kernel, dtype=np.float64)
        bias_shape = kernel.shape[1:] if kernel.ndim == 3 else kernel.shape[-1:]
        bias = (
            np.zeros(bias_shape) if dense.bias is None else np.asarray(dense.bias, dtype=np.float64)
        )
        arrays.append((kernel, bias))
    (query_kernel, query_bias), (key_kernel, key_bias), (value_kernel, value_bias) = arrays[:3]
    return query_kernel, query_bias, key_kernel, key_bias, value_kernel, value_bias, arrays[3]


def _pair_mask(mask: ArrayLike | None, n_tokens: int) -> np.ndarray:
    """Which query token may look at which key token, bool `(n_tokens, n_tokens)`."""
    if mask is None:
        return np.ones((n_tokens, n_tokens), dtype=bool)
    keep = np.asarray(mask, dtype=bool)
    if keep.shape == (n_tokens,):
        return keep[:, np.newaxis] & keep[np.newaxis, :]
    if keep.shape == (n_tokens, n_tokens):
        return keep
    raise ValueError(
        f"`mask` must have shape ({n_tokens},) (True for a real token) or "
        f"({n_tokens}, {n_tokens}) (an attention mask), one entry per token of `inputs`. "
        f"Received: shape {keep.shape}."
    )


def _masked_softmax(scores: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Softmax over the last axis among the allowed keys only; rows with none are all 0.

    Keras gives masked scores -1e9 and zeroes their weights after the softmax, so a row
    masked throughout (a padding query) comes out as zeros: the same here.
    """
    shifted = np.where(pairs, scores, -np.inf)
    top = shifted.max(axis=-1, keepdims=True)
    exponentials = np.where(pairs, np.exp(shifted - np.where(np.isfinite(top), top, 0.0)), 0.0)
    totals = exponentials.sum(axis=-1, keepdims=True)
    return np.divide(exponentials, totals, out=np.zeros_like(exponentials), where=totals > 0)
