"""The script that Export writes for a forecaster: numpy and Keras only, the model's own
source pasted."""

from __future__ import annotations

import inspect
from typing import Any

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers._arguments import builder_arguments
from dlcore.trainers._recurrent import (
    CELL_CLASS_NAMES,
    CLIP_NORM,
    layer_seeds,
    recurrent_layer,
    recurrent_stack,
    seeded_dropout,
)
from dlcore.trainers.forecast.model import forecaster
from dlcore.training import export


def export_code(config: Any, *, epochs: int = 20) -> str:
    """Writes a standalone Python script that rebuilds and trains this forecaster.

    The script needs only numpy and Keras: it generates the same series as
    `dlcore.data.timeseries.make_series` with the same seed, cuts, splits and
    standardizes the windows as `load_data`, pastes the source of `forecaster` and of
    the functions it uses, trains with `python script.py --epochs N` (the validation
    windows measured after every epoch), prints the test mean absolute error of the
    model ("Test MAE: x.xxxx") and of the naive forecast ("Naive MAE: x.xxxx"), and saves
    `forecast_model.keras` (`--output` to change).

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `20`.
    """
    export.check_settings(config, epochs)
    pieces = (layer_seeds, seeded_dropout, recurrent_layer, recurrent_stack, forecaster)
    optimizer = optimizer_code(config.optimizer, clipnorm=CLIP_NORM)
    source = "\n\n".join(inspect.getsource(piece) for piece in pieces)
    builder = builder_arguments(forecaster, config)
    settings = "".join(f"{name.upper()} = {value!r}\n" for name, value in builder.items())
    arguments = "".join(f"        {name}={name.upper()},\n" for name in builder)
    return f'''\
"""Forecaster: {config.n_layers} {CELL_CLASS_NAMES[config.cell]} layer(s) of {config.units} \
units, {config.window_length} past steps -> {config.horizon} next.

Exported by Deep Learning Studio. Needs numpy and Keras 3 only.
{export.run_note(epochs=epochs, output="forecast_model.keras")}"""

from __future__ import annotations

import argparse
import itertools
import math
import os

import keras
import numpy as np

N_STEPS = {config.n_steps!r}
N_SINES = {config.n_sines!r}
TREND = {float(config.trend)!r}
NOISE = {float(config.noise)!r}
{settings}LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
VALIDATION_FRACTION = {float(config.validation_fraction)!r}
TEST_FRACTION = {float(config.test_fraction)!r}


def make_series():
    """Sines (periods 10 to 100 steps) + a linear trend + Gaussian noise, shape (N_STEPS,)."""
    rng = np.random.default_rng(SEED)
    time = np.arange(N_STEPS, dtype=np.float64)
    periods = np.exp(rng.uniform(np.log(10.0), np.log(100.0), size=N_SINES))
    amplitudes = rng.uniform(0.5, 1.5, size=N_SINES)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=N_SINES)
    sines = amplitudes[:, None] * np.sin(2.0 * math.pi * time / periods[:, None] + phases[:, None])
    trend = TREND * time / (N_STEPS - 1)
    noise = rng.normal(0.0, NOISE, size=N_STEPS)
    components = np.vstack([sines, trend, noise]).astype(np.float32)
    return components.sum(axis=0, dtype=np.float32)


def load_data():
    """Standardized (window, next steps) pairs in time order: training, validation, test.

    A pair belongs to the part that holds all its targets: the test part is the last
    TEST_FRACTION of the series, the validation part the VALIDATION_FRACTION before it.
    """
    series = make_series()
    test_start = N_STEPS - math.ceil(N_STEPS * TEST_FRACTION)
    validation_start = test_start - math.ceil(N_STEPS * VALIDATION_FRACTION)
    mean = float(series[:validation_start].mean())
    scale = float(series[:validation_start].std()) or 1.0
    pairs = np.lib.stride_tricks.sliding_window_view(
        (series - mean) / scale, WINDOW_LENGTH + HORIZON
    )
    inputs, targets = pairs[:, :WINDOW_LENGTH, None].copy(), pairs[:, WINDOW_LENGTH:].copy()
    first_targets = np.arange(len(targets)) + WINDOW_LENGTH
    last_targets = first_targets + HORIZON - 1
    parts = (
        last_targets < validation_start,
        (first_targets >= validation_start) & (last_targets < test_start),
        first_targets >= test_start,
    )
    train, validation, test = ((inputs[part], targets[part]) for part in parts)
    return train, validation, test, mean, scale


# The model, as Deep Learning Studio builds it (models saved here load there too).


{source}


def build_model():
    """The forecaster, compiled as the app compiles it."""
    model = forecaster(
{arguments}    )
{export.compile_code(optimizer, loss="mse", metrics=["mae"])}

{export.main_code(epochs=epochs, output="forecast_model.keras", seeded="the order of the batches")}\
    (x_train, y_train), (x_val, y_val), (x_test, y_test), mean, scale = load_data()
    print("x_train shape:", x_train.shape, "x_val shape:", x_val.shape)
    print("x_test shape:", x_test.shape)
    model = build_model()
{export.fit_code("x_train", "y_train", "(x_val, y_val)")}\
    # The test windows, looked at once, at the end.
    predictions = model.predict(x_test, verbose=0) * scale + mean
    truth = y_test * scale + mean
    naive = x_test[:, -1, :] * scale + mean  # "the next values equal the last one"
    print(f"Test MAE: {{np.abs(predictions - truth).mean():.4f}}")
    print(f"Naive MAE: {{np.abs(naive - truth).mean():.4f}}")
{export.save_code()}'''
