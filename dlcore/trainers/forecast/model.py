"""The forecaster, written once: `build_model` builds it, `export_code` pastes it.

`forecaster` is a plain function of plain arguments; the exported script holds its own
source (`inspect.getsource`), so the app's model and the script's cannot drift.
"""

from __future__ import annotations

from typing import Any

import keras

from dlcore.trainers._recurrent import layer_seeds, recurrent_stack


def forecaster(
    *,
    window_length: int = 32,
    horizon: int = 1,
    cell: str = "gru",
    units: int = 32,
    n_layers: int = 1,
    seed: int = 0,
) -> Any:
    """The recurrent forecaster, uncompiled, with the Functional API.

    `n_layers` recurrent layers ("gru_1", ...), each but the last returning its whole
    sequence of states, then a linear `Dense` "output" of `horizon` units in float32 that
    reads the last state. Every initializer has its own seed drawn from `seed`.

    Input shape:
        `(batch_size, window_length, 1)`, standardized past values.

    Output shape:
        `(batch_size, horizon)`, standardized forecasts of the next steps.

    Returns:
        A `keras.Model` named "forecast_<cell>".
    """
    seeds = layer_seeds(seed)
    window = keras.Input((window_length, 1), name="window")
    features = recurrent_stack(window, cell=cell, units=units, n_layers=n_layers, seeds=seeds)
    outputs = keras.layers.Dense(
        horizon,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",
        name="output",
    )(features)
    return keras.Model(window, outputs, name=f"forecast_{cell}")
