"""What the two sequence trainers share: seeded recurrent layers, and training on a split.

`dlcore.trainers.intents` and `dlcore.trainers.forecast` both read a sequence with stacked
recurrent layers. The layer functions here are pasted into the scripts that Export
writes (`inspect.getsource`), so each uses only `keras`, `itertools` and its arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import keras

from dlcore.training.fit import fit_split

RECURRENT_CELLS = ("simple_rnn", "lstm", "gru")
"""The recurrent layers on offer, as `keras.layers.SimpleRNN`, `LSTM` and `GRU`."""

CELL_CLASS_NAMES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
"""Each cell's Keras class name."""

CLIP_NORM = 1.0
"""Every gradient is scaled down to at most this norm: a recurrent network's gradients can
grow by the same factor at every step back in time and would otherwise explode."""


def layer_seeds(seed: int) -> Iterator[int]:
    """A different seed for every initializer and dropout of one model.

    Drawn from `seed * 1000` on, so that two models whose seeds differ by one do not
    share initial weights.
    """
    return itertools.count(seed * 1000)


def seeded_dropout(features: Any, rate: float, *, seeds: Iterator[int], name: str) -> Any:
    """A seeded `Dropout` after a layer, or nothing when `rate` is 0."""
    if rate == 0:
        return features
    return keras.layers.Dropout(rate, seed=next(seeds), name=name)(features)


def recurrent_layer(
    cell: str,
    units: int,
    *,
    return_sequences: bool,
    seeds: Iterator[int],
    name: str,
    go_backwards: bool = False,
) -> Any:
    """One SimpleRNN, LSTM or GRU layer ("simple_rnn", "lstm", "gru") with seeded weights."""
    layer_class = {
        "simple_rnn": keras.layers.SimpleRNN,
        "lstm": keras.layers.LSTM,
        "gru": keras.layers.GRU,
    }[cell]
    return layer_class(
        units,
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        name=name,
    )


def recurrent_stack(
    inputs: Any,
    *,
    cell: str,
    units: int,
    n_layers: int,
    seeds: Iterator[int],
    bidirectional: bool = False,
    dropout: float = 0.0,
) -> Any:
    """`n_layers` recurrent layers ("gru_1", ...); all but the last return every step's state.

    With `bidirectional`, each is wrapped in `Bidirectional` ("bidirectional_1", ...) with
    its own backward layer; a `Dropout` ("dropout_1", ...) follows each when `dropout` > 0.
    """
    features = inputs
    for index in range(n_layers):
        name = f"{cell}_{index + 1}"
        return_sequences = index < n_layers - 1  # the last layer gives its final state
        layer = recurrent_layer(
            cell, units, return_sequences=return_sequences, seeds=seeds, name=name
        )
        if bidirectional:
            # Its own backward layer: one cloned from `layer` would start with its weights.
            backward = recurrent_layer(
                cell,
                units,
                return_sequences=return_sequences,
                seeds=seeds,
                name=f"backward_{name}",
                go_backwards=True,
            )
            layer = keras.layers.Bidirectional(
                layer, backward_layer=backward, name=f"bidirectional_{index + 1}"
            )
        features = seeded_dropout(
            layer(features), dropout, seeds=seeds, name=f"dropout_{index + 1}"
        )
    return features


fit = fit_split
"""The sequence trainers' `fit`: `dlcore.training.fit.fit_split`, on the training part,
measuring the validation part after every epoch."""
