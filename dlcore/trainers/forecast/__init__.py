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
import math
from typing import Any

import numpy as np

from dlcore._checks import check_choice, check_fraction, check_int, check_number
from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import timeseries
from dlcore.data.split import SplitData
from dlcore.trainers._recurrent import CLIP_NORM, RECURRENT_CELLS, fit
from dlcore.trainers.forecast.export import export_code
from dlcore.trainers.forecast.model import builder_arguments, forecaster
from dlcore.training.evaluation import test_scores
from dlcore.training.settings import check_training_settings

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

TASK = "forecast"
"""What the models predict: the next values of a series (no try-it page takes them)."""

OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum")
"""The optimizers on offer, from `dlcore.concepts.optimizers`."""


@dataclasses.dataclass(frozen=True)
class Config:
    """The forecaster's settings: the series, the windows, the network and training.

    Attributes:
        n_steps: `int` >= 2, the length of the series. Defaults to `1000`.
        n_sines: `int` >= 0, sines summed into the series. Defaults to `3`.
        trend: `float`, the trend's total rise over the series. Defaults to `0.0`.
        noise: `float` >= 0, the standard deviation of the noise. Defaults to `0.1`.
        validation_fraction: `float` in (0, 1), the share of the series, just before the
            test part, whose windows early stopping watches. Defaults to `0.1`.
        test_fraction: `float` in (0, 1), the share of the series, at its end, scored
            once. Defaults to `0.2`.
        seed: `int` >= 0, seeds the series, the initial weights and the shuffling.
            Defaults to `0`.
        window_length: `int` >= 1, past steps the model sees. Defaults to `32`.
        horizon: `int` >= 1, future steps it predicts at once. Defaults to `1`.
        cell: one of `RECURRENT_CELLS`. Defaults to `"gru"`.
        units: `int` >= 1, the state size of each recurrent layer. Defaults to `32`.
        n_layers: `int` >= 1, recurrent layers stacked. Defaults to `1`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.005`.
        batch_size: `int` >= 1. Defaults to `32`.
    """

    n_steps: int = 1000
    n_sines: int = 3
    trend: float = 0.0
    noise: float = 0.1
    validation_fraction: float = 0.1
    test_fraction: float = 0.2
    seed: int = 0
    window_length: int = 32
    horizon: int = 1
    cell: str = "gru"
    units: int = 32
    n_layers: int = 1
    optimizer: str = "adam"
    learning_rate: float = 0.005
    batch_size: int = 32

    def validate(self) -> Config:
        """Returns this config if its series, windows and network can be built and trained.

        Raises:
            ValueError: naming the first impossible setting, e.g. a window that does not fit.
        """
        check_int(self.n_steps, name="n_steps", minimum=2, unit="steps")
        check_int(self.n_sines, name="n_sines", minimum=0)
        check_number(self.trend, name="trend", finite=True)
        check_number(self.noise, name="noise", minimum=0, finite=True)
        check_int(
            self.window_length,
            name="window_length",
            minimum=1,
            hint="The model must see at least one past step",
        )
        check_int(
            self.horizon, name="horizon", minimum=1, hint="The model must predict at least one step"
        )
        check_choice(self.cell, name="cell", choices=RECURRENT_CELLS)
        check_int(
            self.units, name="units", minimum=1, hint="A layer of zero units passes nothing on"
        )
        check_int(
            self.n_layers, name="n_layers", minimum=1, hint="The model needs at least one layer"
        )
        check_fraction(self.validation_fraction, name="validation_fraction")
        check_fraction(self.test_fraction, name="test_fraction")
        validation_start, test_start = _part_starts(self)
        n_train_windows = validation_start - self.window_length - self.horizon + 1
        if n_train_windows < 1:
            raise ValueError(
                f"A window of {self.window_length} steps and a horizon of {self.horizon} do not "
                f"fit in the {max(validation_start, 0)} training steps: use a shorter window "
                "or horizon, a longer series or smaller validation and test fractions. "
                f"Received: window_length={self.window_length}, horizon={self.horizon}, "
                f"n_steps={self.n_steps}."
            )
        if test_start - validation_start < self.horizon:
            raise ValueError(
                f"The validation part of the series ({test_start - validation_start} steps) "
                f"is shorter than the horizon ({self.horizon}): use a larger validation "
                f"fraction or a shorter horizon. Received: validation_fraction="
                f"{self.validation_fraction!r}, horizon={self.horizon}."
            )
        if self.n_steps - test_start < self.horizon:
            raise ValueError(
                f"The held-out end of the series ({self.n_steps - test_start} steps) is shorter "
                f"than the horizon ({self.horizon}): use a larger test fraction or a shorter "
                f"horizon. Received: test_fraction={self.test_fraction!r}, "
                f"horizon={self.horizon}."
            )
        check_training_settings(self, optimizers=OPTIMIZERS, unit="window")
        return self


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
        A `ForecastData`.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    series = timeseries.make_series(
        config.n_steps,
        n_sines=config.n_sines,
        trend=config.trend,
        noise=config.noise,
        seed=config.seed,
    ).data
    validation_start, test_start = _part_starts(config)
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
    return ForecastData(
        x_train=inputs[is_train],
        y_train=targets[is_train],
        x_val=inputs[is_validation],
        y_val=targets[is_validation],
        x_test=inputs[is_test],
        y_test=targets[is_test],
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
        A compiled `keras.Model` named "forecast_<cell>".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    model = forecaster(**builder_arguments(config))
    model.compile(
        optimizer=make_optimizer(
            config.optimizer, learning_rate=config.learning_rate, clipnorm=CLIP_NORM
        ),
        loss="mse",
        metrics=["mae"],
        steps_per_execution=math.ceil(len(data.y_train) / config.batch_size),
    )
    return model


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


def _part_starts(config: Config) -> tuple[int, int]:
    """The first step of the validation part and of the test part."""
    test_start = config.n_steps - math.ceil(config.n_steps * config.test_fraction)
    return test_start - math.ceil(config.n_steps * config.validation_fraction), test_start
