"""What a sequence model carries from step to step, and where a Transformer's tokens look.

`hidden_states` shows what a recurrent layer carries from token to token (an intent
model of `dlcore.trainers.intents`) or from step to step (a forecaster of
`dlcore.trainers.forecast`); `attention_weights` shows where each token of a Transformer
looks. Both are computed by the trained model's own layers, on the inputs the model
itself feeds them.

Example:

>>> (states,) = hidden_states(model, token_ids)      # doctest: +SKIP
>>> states.shape                                     # (tokens read, units)  # doctest: +SKIP
(6, 32)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from dlcore.preprocess import PADDING_ID


def hidden_states(model: Any, inputs: np.ndarray) -> list[np.ndarray]:
    """Each recurrent layer's state after every step of one sequence.

    A recurrent layer reads a sequence one step at a time and keeps a state vector that
    it updates at each step; the last state is what the next layer (or the output) sees.
    This returns the states after every step, computed by the model's own layers: each
    recurrent layer is run again with `return_sequences=True` and the same weights, on
    the inputs that the model itself feeds it.

    Args:
        model: a model with recurrent layers (an intent model with a recurrent encoder,
            or a forecaster).
        inputs: one example without the batch axis: int token ids of shape
            `(max_length,)` (padding ids are left out of the result), or a float window
            of shape `(window_length, 1)`.

    Returns:
        One float32 array per recurrent layer, in order, of shape `(n_steps, units)`
        (`(n_steps, 2 * units)` for a bidirectional one: the forward states, then the
        backward ones, each at the step it belongs to). `n_steps` is the number of tokens
        that are not padding, or the window length. Tanh states lie in (-1, 1).

    Raises:
        ValueError: If the model has no recurrent layer, or a token sequence is all
            padding.
    """
    layers = [layer for layer in model.layers if _is_recurrent(layer)]
    if not layers:
        raise ValueError(
            "This model has no recurrent layer (SimpleRNN, LSTM or GRU), so it has no hidden "
            "state over time: train a recurrent encoder to see one."
        )
    batch, keep = _one_example(inputs)
    layer_inputs = _probe(model, [_first_input(layer) for layer in layers], batch)
    mask = None if keep is None else keras.ops.convert_to_tensor(keep[np.newaxis])
    states = []
    for layer, layer_input in zip(layers, layer_inputs, strict=True):
        twin = _sequence_twin(layer)
        sequence = np.asarray(twin(layer_input, mask=mask, training=False), dtype=np.float32)[0]
        states.append(sequence if keep is None else sequence[keep])
    return states


def attention_weights(model: Any, token_ids: np.ndarray) -> list[np.ndarray]:
    """Where each token looks, in every head of every Transformer block, for one sentence.

    Each block's `MultiHeadAttention` is called again on the inputs the model feeds it,
    with `return_attention_scores=True`: row i of a head's matrix holds the softmax
    weights with which token i mixes the tokens' values. Padding is masked, so it gets no
    weight and is left out.

    Args:
        model: an intent model with the "transformer" encoder.
        token_ids: int, shape `(max_length,)`, one sentence.

    Returns:
        One float32 array per block, shape `(n_heads, n_tokens, n_tokens)`, values in
        [0, 1], each row summing to 1 (query token on axis 1, key token on axis 2).

    Raises:
        ValueError: If the model has no attention layer, or the sentence is all padding.
    """
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "This model has no attention layer: choose the transformer encoder to see "
            "attention weights."
        )
    batch, keep = _one_sentence(token_ids)
    queries = _probe(model, [_first_input(layer) for layer in layers], batch)
    pairs = keras.ops.convert_to_tensor((keep[:, np.newaxis] & keep[np.newaxis, :])[np.newaxis])
    weights = []
    for layer, query in zip(layers, queries, strict=True):
        _, scores = layer(
            query, query, attention_mask=pairs, return_attention_scores=True, training=False
        )
        weights.append(np.asarray(scores, dtype=np.float32)[0][:, keep][:, :, keep])
    return weights


def _is_recurrent(layer: Any) -> bool:
    return isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)


def _sequence_twin(layer: Any) -> Any:
    """A copy of a recurrent layer (or `Bidirectional`) that returns every step's state."""
    config = layer.get_config()
    if isinstance(layer, keras.layers.Bidirectional):
        for part in ("layer", "backward_layer"):
            if part in config:
                config[part]["config"]["return_sequences"] = True
    else:
        config["return_sequences"] = True
    config["name"] = f"{layer.name}_states"
    twin = type(layer).from_config(config)
    twin.build(_first_input(layer).shape)
    twin.set_weights(layer.get_weights())
    return twin


def _one_example(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """One example as a batch of one, and for token ids which steps are not padding."""
    array = np.asarray(inputs)
    if np.issubdtype(array.dtype, np.integer):
        if array.ndim != 1:
            raise ValueError(
                "`token_ids` must be the ids of one sentence, shape (max_length,). "
                f"Received: shape {array.shape}."
            )
        keep = array != PADDING_ID
        if not keep.any():
            raise ValueError("The sentence has no tokens (all padding): type some words first.")
        return array[np.newaxis].astype(np.int32), keep
    return array[np.newaxis].astype(np.float32), None


def _one_sentence(token_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One sentence's token ids as a batch of one, and which steps are not padding."""
    batch, keep = _one_example(token_ids)
    if keep is None:
        raise ValueError("`token_ids` must be integer token ids of one sentence, shape (length,).")
    return batch, keep


def _probe(model: Any, tensors: list[Any], batch: np.ndarray) -> list[Any]:
    """The values that `tensors` of the model's graph take for `batch`, in inference mode."""
    outputs = keras.Model(model.input, tensors)(batch, training=False)
    return list(outputs) if isinstance(outputs, list | tuple) else [outputs]


def _first_input(layer: Any) -> Any:
    """The first tensor a layer received in the model: a recurrent layer called with a
    mask, or an attention layer called as `layer(query, value)`, received several."""
    inputs = layer.input
    return inputs[0] if isinstance(inputs, list | tuple) else inputs
