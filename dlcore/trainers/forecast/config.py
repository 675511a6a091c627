"""The forecaster's settings: the series, the windows, the network, training, and `Config`."""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import ClassVar

from dlcore._checks import check_choice, check_fraction, check_int, check_number
from dlcore.trainers._recurrent import RECURRENT_CELLS
from dlcore.training.settings import Limits, TrainerConfig, positive_counts, training_limits

OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum")
"""The optimizers on offer, from `dlcore.concepts.optimizers`."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
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
    window_length: int = 32
    horizon: int = 1
    cell: str = "gru"
    units: int = 32
    n_layers: int = 1
    optimizer: str = "adam"
    learning_rate: float = 0.005

    LIMITS: ClassVar[Limits] = {
        "n_steps": partial(check_int, minimum=2, unit="steps"),
        "n_sines": partial(check_int, minimum=0),
        "trend": partial(check_number, finite=True),
        "noise": partial(check_number, minimum=0, finite=True),
        "cell": partial(check_choice, choices=RECURRENT_CELLS),
        **positive_counts(
            {
                "window_length": "The model must see at least one past step",
                "horizon": "The model must predict at least one step",
                "units": "A layer of zero units passes nothing on",
                "n_layers": "The model needs at least one layer",
            }
        ),
        "validation_fraction": check_fraction,
        "test_fraction": check_fraction,
        **training_limits(optimizers=OPTIMIZERS, unit="window"),
    }

    def check_combinations(self) -> None:
        """Checks that the windows and the horizon fit in each part of the series.

        Raises:
            ValueError: naming the first impossible setting, e.g. a window that does not fit.
        """
        validation_start, test_start = part_starts(self)
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


def part_starts(config: Config) -> tuple[int, int]:
    """The first step of the validation part and of the test part."""
    test_start = config.n_steps - math.ceil(config.n_steps * config.test_fraction)
    return test_start - math.ceil(config.n_steps * config.validation_fraction), test_start
