"""The forecast trainer: the next values of a generated series, from a window of past ones.

The logic behind the forecasting task of the "Sequences (RNN, LSTM, GRU)" page, with the
names of the trainer contract (`dlcore.trainers`): `Config` holds the settings;
`load_data` generates a series (`dlcore.data.timeseries`) and cuts it into
(past window, next steps) pairs, split in time order: training windows first, then
validation, then test ones at the end of the series, so that nothing is learnt from the
future it is scored on; `build_model` compiles `forecaster`, stacked recurrent layers and
a linear output; `fit` trains it, watching the validation windows; `evaluate` scores the
test windows once, next to the naive forecast "the next value equals the last one";
`forecast` gives the test forecasts in the series' own units, for the page's figure.
The forecaster is written once, in `forecast.model`; the script's template is
`forecast.export`.

Example:

>>> config = Config(window_length=20, horizon=3)
>>> data = load_data(config)
>>> data.x_train.shape, data.x_val.shape, data.x_test.shape
((678, 20, 1), (98, 20, 1), (198, 20, 1))
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import timeseries
from dlcore.data.split import SplitData
from dlcore.trainers._arguments import builder_arguments
from dlcore.trainers._recurrent import CLIP_NORM, RECURRENT_CELLS, fit
from dlcore.trainers.forecast.config import OPTIMIZERS, Config, part_starts
from dlcore.trainers.forecast.export import export_code
from dlcore.trainers.forecast.model import forecaster
from dlcore.training.compiling import compile_model, epoch_batches
from dlcore.training.evaluation import test_scores

TASK = "forecast"
"""What the models predict: the next values of a series (no try-it page takes them)."""


__all__ = [
    "OPTIMIZERS",
    "RECURRENT_CELLS",
    "TASK",
    "Config",
    "Forecast",
    "ForecastData",
    "build_model",
    "evaluate",
    "export_code",
    "fit",
    "forecast",
    "forecaster",
    "load_data",
]


@dataclasses.dataclass(frozen=True)
class ForecastData(SplitData):
    """A generated series cut into windows, split in time order.

    The model sees standardized values: `(value - mean) / scale`, with the mean and
    standard deviation of the training part, so that one learning rate suits any series.

    Attributes:
        x_train, x_val, x_test: float32, shape `(n, window_length, 1)`, standardized past
            windows.
        y_train, y_val, y_test: float32, shape `(n, horizon)`, standardized next steps.
        labels: `()`: a forecaster predicts numbers, not classes.
        preprocessing: `{"window_length", "horizon", "mean", "scale"}`: how a window of
            the series becomes model input.
        series: float32, shape `(n_steps,)`, the series in its own units.
        validation_start: the first validation step: training targets all lie before it.
        test_start: the first test step: validation targets all lie before it, test
            targets all from it on (a window may start before).
        target_steps_test: int64, shape `(n_test, horizon)`, the step number of each
            test target.
        mean: the training part's mean.
        scale: the training part's standard deviation (1 if it is 0).
    """

    series: np.ndarray
    validation_start: int
    test_start: int
    target_steps_test: np.ndarray
    mean: float
    scale: float


@dataclasses.dataclass(frozen=True)
class Forecast:
    """The model's forecasts of the test end of the series, next to the truth.

    Attributes:
        target_steps: int64, shape `(n_test, horizon)`, the step each value forecasts.
        predictions: float32, shape `(n_test, horizon)`, in the series' units.
        truth: float32, shape `(n_test, horizon)`.
        naive: float32, shape `(n_test, horizon)`: the last value of each window,
            repeated, the baseline a forecaster must beat.
        mae: the model's mean absolute error over every test value.
        naive_mae: the naive forecast's mean absolute error.
    """

    target_steps: np.ndarray
    predictions: np.ndarray
    truth: np.ndarray
    naive: np.ndarray
    mae: float
    naive_mae: float


def load_data(config: Config) -> ForecastData:
    """Generates the configured series and cuts it into standardized windows, in time order.

    The series is `dlcore.data.timeseries.make_series` with the config's settings and
    seed. Its last `ceil(n_steps * test_fraction)` steps are the test part, and the
    `ceil(n_steps * validation_fraction)` steps before them the validation part: a pair
    belongs to the part that holds all its targets (its window may start before), so no
    pair is shuffled across time.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `ForecastData`: float32 standardized past windows `(n, window_length, 1)` and
        next steps `(n, horizon)`, each part later in the series than the one before.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    series = timeseries.make_series(
        config.n_steps, **builder_arguments(timeseries.make_series, config)
    ).data
    validation_start, test_start = part_starts(config)
    mean = float(series[:validation_start].mean())
    scale = float(series[:validation_start].std()) or 1.0
    inputs, targets = timeseries.make_windows(
        (series - mean) / scale, window=config.window_length, horizon=config.horizon
    )
    # Pair i forecasts the steps from i + window_length on.
    first_targets = np.arange(len(targets)) + config.window_length
    last_targets = first_targets + config.horizon - 1
    is_train = last_targets < validation_start
    is_validation = (first_targets >= validation_start) & (last_targets < test_start)
    is_test = first_targets >= test_start
    return ForecastData.from_indices(
        inputs,
        targets,
        (is_train, is_validation, is_test),
        labels=(),
        preprocessing={
            "window_length": config.window_length,
            "horizon": config.horizon,
            "mean": mean,
            "scale": scale,
        },
        series=series,
        validation_start=validation_start,
        test_start=test_start,
        target_steps_test=first_targets[is_test, np.newaxis] + np.arange(config.horizon),
        mean=mean,
        scale=scale,
    )


def build_model(config: Config, data: ForecastData) -> Any:
    """Builds `forecaster` with the config's settings and compiles it.

    Compiled with the config's optimizer (`dlcore.concepts.optimizers`), gradients
    clipped to norm `CLIP_NORM`, the mean squared error as the loss and the mean absolute
    error as a metric, one TensorFlow call per epoch.

    Args:
        config: the `Config`; validated first.
        data: the `ForecastData` from `load_data(config)`, for the steps per epoch.

    Returns:
        A compiled `keras.Model` named "forecast_<cell>": standardized past windows in,
        the next `horizon` standardized steps out.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    return compile_model(
        forecaster(**builder_arguments(forecaster, config)),
        make_optimizer(config.optimizer, learning_rate=config.learning_rate, clipnorm=CLIP_NORM),
        steps_per_execution=epoch_batches(len(data.y_train), config.batch_size),
        loss="mse",
        metrics=("mae",),
    )


def evaluate(model: Any, data: ForecastData) -> dict[str, float]:
    """The test score, computed once, at the end, next to the naive forecast's.

    Args:
        model: a trained forecaster.
        data: the `ForecastData` it was trained on.

    Returns:
        `{"test_loss": ..., "test_mae": ..., "test_naive_loss": ..., "test_naive_mae":
        ...}` on standardized values: the model's mean squared and absolute errors, and
        those of "the next values equal the last one".
    """
    scores = test_scores(model, data)
    naive = np.repeat(data.x_test[:, -1, :], data.y_test.shape[1], axis=1)
    scores["test_naive_loss"] = float(np.square(naive - data.y_test).mean())
    scores["test_naive_mae"] = float(np.abs(naive - data.y_test).mean())
    return scores


def forecast(model: Any, data: ForecastData) -> Forecast:
    """Forecasts every test window and compares with the truth and the naive forecast.

    Args:
        model: a trained model from `build_model`.
        data: the `ForecastData` it was trained on.

    Returns:
        A `Forecast`, in the series' own units.
    """
    standardized = np.asarray(model(data.x_test, training=False), dtype=np.float32)
    predictions = standardized * data.scale + data.mean
    truth = data.y_test * data.scale + data.mean
    last_values = data.x_test[:, -1, :] * data.scale + data.mean
    naive = np.repeat(last_values, truth.shape[1], axis=1)
    return Forecast(
        target_steps=data.target_steps_test,
        predictions=predictions.astype(np.float32),
        truth=truth.astype(np.float32),
        naive=naive.astype(np.float32),
        mae=float(np.abs(predictions - truth).mean()),
        naive_mae=float(np.abs(naive - truth).mean()),
    )
