"""Memory: the settings of the comparison (sequences, cells, training) and their checks."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import check_int, check_names
from dlcore.data.memory_task import check_length, check_n_samples, check_n_symbols
from dlcore.data.split import check_split
from dlcore.trainers._recurrent import RECURRENT_CELLS
from dlcore.training.settings import Limits, TrainerConfig, training_limits

CELLS = RECURRENT_CELLS
"""The recurrent cells the page compares, in the order it draws them: "simple_rnn",
"lstm", "gru"."""

OPTIMIZERS = ("adam",)
"""The optimizers offered, as `dlcore.concepts.optimizers` names them: Adam, whose steps
are computed weight by weight, so that each cell learns as it would alone."""

MAX_UNITS = 128
"""The widest recurrent layer offered: a step takes longer with the square of the units."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The page's settings: the sequences, the cells compared, and training.

    Attributes:
        length: `int` from 2 to 100 (`dlcore.data.memory_task.LENGTH_RANGE`), the tokens
            of every sequence; the answer is the first. Defaults to `10` (quick; the page
            starts at 60, where the SimpleRNN forgets).
        n_symbols: `int` in `SYMBOLS_RANGE` (2 to 10), the symbols a token is drawn from
            and the classes. Defaults to `4` (chance: 25 %).
        n_samples: `int` in `N_SAMPLES_RANGE`, the sequences before the split. Defaults
            to `1000`.
        units: `int` in [1, `MAX_UNITS`], the units of every recurrent layer. Defaults to
            `32`.
        cells: names from `CELLS`, each at most once, the networks to compare. Defaults
            to all three.
        learning_rate: `float` > 0, Adam's step size. Defaults to `0.01`.
        batch_size: `int` >= 1. Defaults to `32`.
        validation_fraction: `float` in (0, 1), the share of sequences that the "val_"
            metrics measure after every epoch. Defaults to `0.2`.
        test_fraction: `float` in (0, 1), the share scored once, at the end. Defaults
            to `0.2`.
        seed: `int` >= 0, seeds the sequences, the split, the weights and the batch
            order. Defaults to `0`.
    """

    length: int = 10
    n_symbols: int = 4
    n_samples: int = 1000
    units: int = 32
    cells: tuple[str, ...] = CELLS
    learning_rate: float = 0.01

    LIMITS: ClassVar[Limits] = {
        "length": check_length,
        "n_symbols": check_n_symbols,
        "n_samples": check_n_samples,
        "units": partial(
            check_int,
            minimum=1,
            maximum=MAX_UNITS,
            unit="units",
            hint="A layer with no units remembers nothing.",
        ),
        "cells": partial(
            check_names,
            choices=CELLS,
            what="cell",
            example=("simple_rnn", "lstm"),
            empty="Choose at least one cell to train",
        ),
        **training_limits(unit="sequence"),
    }

    def check_combinations(self) -> None:
        """Checks that the sequences split three ways with every symbol in each part.

        Raises:
            ValueError: If a part would miss a symbol.
        """
        check_split(
            n_samples=self.n_samples,
            n_classes=self.n_symbols,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="sequences",
        )
