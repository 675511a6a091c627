"""Inside an LSTM or GRU cell: its gates after every token, recomputed from its weights.

A gated cell decides at each step how much of its memory to keep, how much of the new
input to write and how much to show. `cell_gates` recomputes those decisions step by step
in NumPy from the layer's own `kernel`, `recurrent_kernel` and `bias`, in Keras' own gate
order (i, f, c, o for an LSTM; z, r, h for a GRU); `model_gates` does it for every LSTM
and GRU layer of a trained intent model (`dlcore.trainers.intents`), on the inputs the
model itself feeds each layer.

Example:

>>> gates = cell_gates(layer, embedded)          # doctest: +SKIP
>>> gates.gates["forget"].shape                 # (steps, units)  # doctest: +SKIP
(6, 32)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

LSTM_GATES = ("forget", "input", "output", "candidate", "cell")
"""An LSTM's arrays in `CellGates.gates`, in the order a page shows them."""

GRU_GATES = ("update", "reset", "candidate")
"""A GRU's arrays in `CellGates.gates`, in the order a page shows them."""

SQUASHED_GATES = frozenset({"forget", "input", "output", "update", "reset"})
"""The sigmoid gates, in [0, 1]; the other arrays are tanh values or a cell state."""


@dataclass(frozen=True)
class CellGates:
    """One LSTM or GRU layer's gates and states after every step of one sequence.

    Row k of every array belongs to step k of the sequence as the model reads it forwards,
    also for a layer that reads backwards (it reached row k after the steps after k).

    Attributes:
        cell: "lstm" or "gru".
        gates: name -> float64 array of shape `(steps, units)`, with the names of
            `LSTM_GATES` or `GRU_GATES` in that order. Sigmoid gates lie in [0, 1], the
            candidate in [-1, 1]; an LSTM's "cell" state is not bounded.
        hidden: float64, shape `(steps, units)`, the state the layer outputs at each step.
        layer_name: the Keras layer's name.
        backwards: whether the layer reads the sequence from its last step to its first.
    """

    cell: str
    gates: dict[str, np.ndarray]
    hidden: np.ndarray
    layer_name: str = ""
    backwards: bool = False


def cell_gates(layer: Any, inputs: np.ndarray) -> CellGates:
    """Recompute an LSTM's or GRU's gates at every step, from the layer's own weights.

    LSTM, with x the input and h, c the previous hidden and cell states:
    i, f, o = sigmoid(x W + h U + b) for the input, forget and output gates,
    candidate = tanh(x W_c + h U_c + b_c), c = f c + i candidate, h = o tanh(c).
    GRU (Keras 3's default `reset_after=True`, and the older `reset_after=False`):
    z, r = sigmoid(x W + h U + b) for the update and reset gates,
    candidate = tanh(x W_h + r (h U_h + b'_h)) and h = z h + (1 - z) candidate.
    States start at zero, as in a Keras layer called without `initial_state`.

    Args:
        layer: a built `keras.layers.LSTM` or `keras.layers.GRU` with sigmoid gates and
            tanh activation (Keras' defaults).
        inputs: float, shape `(steps, features)`: what the layer receives for one
            sequence, without the batch axis and without masked (padding) steps.

    Returns:
        The `CellGates` of the sequence; for a layer with `go_backwards`, the steps are
        read from the last one, and the rows put back in the sequence's order.

    Raises:
        ValueError: If the layer is not an LSTM or GRU, uses other activations, or
            `inputs` does not have shape `(steps, layer's input features)`.
    """
    import keras

    if isinstance(layer, keras.layers.LSTM):
        kind = "lstm"
    elif isinstance(layer, keras.layers.GRU):
        kind = "gru"
    else:
        raise ValueError(
            f"Only LSTM and GRU layers have gates. Received: {type(layer).__name__} "
            f"{getattr(layer, 'name', '')!r}."
        )
    cell = layer.cell
    if (
        keras.activations.serialize(cell.recurrent_activation) != "sigmoid"
        or keras.activations.serialize(cell.activation) != "tanh"
    ):
        raise ValueError(
            "Gates are recomputed for sigmoid gates and tanh activation (Keras' defaults). "
            f"Layer {layer.name!r} uses {keras.activations.serialize(cell.recurrent_activation)} "
            f"and {keras.activations.serialize(cell.activation)}."
        )
    kernel = np.asarray(keras.ops.convert_to_numpy(cell.kernel), dtype=np.float64)
    recurrent = np.asarray(keras.ops.convert_to_numpy(cell.recurrent_kernel), dtype=np.float64)
    units = recurrent.shape[0]
    if cell.use_bias:
        bias = np.asarray(keras.ops.convert_to_numpy(cell.bias), dtype=np.float64)
    else:
        bias = np.zeros((2, 3 * units) if kind == "gru" and cell.reset_after else kernel.shape[1])
    sequence = np.asarray(inputs, dtype=np.float64)
    if sequence.ndim != 2 or sequence.shape[1] != kernel.shape[0] or len(sequence) == 0:
        raise ValueError(
            f"`inputs` must have shape (steps, {kernel.shape[0]}) with at least one step. "
            f"Received: shape {sequence.shape}."
        )
    backwards = bool(layer.go_backwards)
    if backwards:
        sequence = sequence[::-1]
    if kind == "lstm":
        gates, hidden = _lstm_steps(sequence, kernel, recurrent, bias)
    else:
        gates, hidden = _gru_steps(sequence, kernel, recurrent, bias, reset_after=cell.reset_after)
    if backwards:
        gates = {name: values[::-1] for name, values in gates.items()}
        hidden = hidden[::-1]
    return CellGates(kind, gates, hidden, layer_name=layer.name, backwards=backwards)


def model_gates(model: Any, token_ids: np.ndarray) -> list[CellGates]:
    """The gates of every LSTM and GRU layer of an intent model, for one sentence.

    Each layer's input (the embedded tokens for the first, the states of the layer below
    for the next) is computed by the model itself in inference mode; padding is left out,
    since a masked step leaves a Keras layer's state as it was.

    Args:
        model: an intent model of `dlcore.trainers.intents` with the "lstm" or "gru"
            encoder, bidirectional or not.
        token_ids: int, shape `(max_length,)`, one sentence.

    Returns:
        One `CellGates` per layer, in order, of shape `(n_tokens, units)` each; a
        bidirectional layer gives two, its forward half, then its backward half.

    Raises:
        ValueError: If the model has no LSTM or GRU layer, has a SimpleRNN layer (no
            gates), or the sentence is not one sentence of token ids or is all padding.
    """
    import keras

    from dlcore.explain.sequences import _first_input, _is_recurrent, _one_sentence, _probe

    layers = [layer for layer in model.layers if _is_recurrent(layer)]
    parts = [_directions(layer) for layer in layers]
    if not layers or not all(
        isinstance(part, keras.layers.LSTM | keras.layers.GRU) for pair in parts for part in pair
    ):
        raise ValueError(
            "Gates belong to LSTM and GRU layers: train the intent model with the lstm or "
            "gru encoder to see them."
        )
    batch, keep = _one_sentence(token_ids)
    layer_inputs = _probe(model, [_first_input(layer) for layer in layers], batch)
    result = []
    for pair, layer_input in zip(parts, layer_inputs, strict=True):
        sequence = np.asarray(keras.ops.convert_to_numpy(layer_input), dtype=np.float64)[0]
        result.extend(cell_gates(part, sequence[keep]) for part in pair)
    return result


def _directions(layer: Any) -> tuple[Any, ...]:
    """A recurrent layer alone, or a `Bidirectional`'s forward and backward layers."""
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return (layer.forward_layer, layer.backward_layer)
    return (layer,)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _lstm_steps(
    sequence: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """An LSTM's gates and hidden states; Keras stacks the weights as i, f, c, o."""
    units = recurrent.shape[0]
    h = np.zeros(units)
    c = np.zeros(units)
    rows: dict[str, list[np.ndarray]] = {name: [] for name in LSTM_GATES}
    hidden = []
    for x in sequence:
        z = x @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4)
        i, f, o, g = _sigmoid(i), _sigmoid(f), _sigmoid(o), np.tanh(g)
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip(LSTM_GATES, (f, i, o, g, c), strict=True):
            rows[name].append(value)
        hidden.append(h)
    return {name: np.array(values) for name, values in rows.items()}, np.array(hidden)


def _gru_steps(
    sequence: np.ndarray,
    kernel: np.ndarray,
    recurrent: np.ndarray,
    bias: np.ndarray,
    *,
    reset_after: bool,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A GRU's gates and hidden states; Keras stacks the weights as z, r, h.

    With `reset_after` (Keras 3's default, the cuDNN convention), the bias has two rows,
    for the input and the recurrent kernel, and the reset gate scales the recurrent part
    after its matrix product; without, one bias, and the reset gate scales the state first.
    """
    units = recurrent.shape[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * units))
    h = np.zeros(units)
    rows: dict[str, list[np.ndarray]] = {name: [] for name in GRU_GATES}
    hidden = []
    for x in sequence:
        x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3)
        if reset_after:
            inner = h @ recurrent + recurrent_bias
        else:
            inner = np.concatenate([h @ recurrent[:, : 2 * units], np.zeros(units)])
        r_z, r_r, r_h = np.split(inner, 3)
        z = _sigmoid(x_z + r_z)
        r = _sigmoid(x_r + r_r)
        if reset_after:
            candidate = np.tanh(x_h + r * r_h)
        else:
            candidate = np.tanh(x_h + (r * h) @ recurrent[:, 2 * units :])
        h = z * h + (1.0 - z) * candidate
        for name, value in zip(GRU_GATES, (z, r, candidate), strict=True):
            rows[name].append(value)
        hidden.append(h)
    return {name: np.array(values) for name, values in rows.items()}, np.array(hidden)
