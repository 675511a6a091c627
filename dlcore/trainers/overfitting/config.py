"""Overfitting lab: the settings of the comparison (small data, a big network, the remedies)
and their checks."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import check_int, check_names, check_number
from dlcore.data.split import check_split, split_sizes
from dlcore.training.settings import Limits, TrainerConfig, check_dropout, training_limits

REMEDIES = ("dropout", "l2", "augmentation", "early_stopping", "more_data")
"""The remedies against overfitting the page offers, each trained as its own network beside
the baseline, in the order the page draws them."""

VARIANTS = ("baseline", *REMEDIES)
"""Every network a comparison may hold: the baseline (the big network on the small training
set) first, then one network per remedy."""

AUGMENTATIONS = ("shift", "rotate", "zoom")
"""The random changes the "augmentation" network may make to its training images: the Image
classifier's layers (`dlcore.trainers.cnn.model.augmentation_layer`) without "flip", which
turns a digit into another shape (a mirrored 7 is no 7)."""

N_DIGITS = 1797
"""The 8 x 8 digits before the split (`dlcore.data.vision.load_digits`)."""

MAX_WIDTH = 1024
"""The widest hidden layer offered: a step takes longer with the square of the width."""

MAX_DEPTH = 6
"""The most hidden layers offered: two already memorise a small training set."""

MAX_DROPOUT = 0.9
"""The highest dropout rate offered: at 1 every feature is dropped."""

MAX_FACTOR = 10
"""The most times the "more data" network's training set may hold the small one."""

OPTIMIZERS = ("adam",)
"""The optimizer every network trains with, as `dlcore.concepts.optimizers` names it."""

DIGITS_PREPROCESSING = {
    "image_size": (8, 8),
    "channels": 1,
    "value_range": (0.0, 1.0),
    "resize": "area",
    "background": "dark",
}
"""How a person's picture becomes a digit for these networks: as `dlcore.trainers.cnn` gives
its digits (see `dlcore.preprocess.prepare_image`), so the Image try-it page treats both
alike."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The page's settings: the small training set, the big network, the remedies, training.

    Every network starts from the same weights and trains with the same optimizer, seed and
    epochs; each remedy changes one thing from the baseline, so that any difference in its
    curves comes from that remedy.

    Attributes:
        n_train: `int` >= 10, the digits of the small training set that every network but
            "more data" learns from. Defaults to `100`: a 2 x 256 network learns all of
            them, and still misreads about one validation digit in ten.
        width: `int` in [1, `MAX_WIDTH`], the units of every hidden layer. Defaults to `256`.
        depth: `int` in [1, `MAX_DEPTH`], the hidden layers. Defaults to `2`.
        remedies: names from `REMEDIES`, each at most once, the networks trained beside
            the baseline. Defaults to all five.
        dropout: `float` in [0, `MAX_DROPOUT`], the "dropout" network's rate after every
            hidden layer. Defaults to `0.5`.
        l2: `float` > 0, the "l2" network's weight penalty: `l2 * sum(w ** 2)` of every
            hidden kernel is added to its loss. Defaults to `0.01`.
        augmentation: names from `AUGMENTATIONS`, each at most once, the random changes
            the "augmentation" network sees in its training images. Defaults to
            `("shift", "rotate")`.
        patience: `int` >= 1, the epochs the "early_stopping" network waits for its
            validation loss to improve before it stops and takes back its best epoch's
            weights. Defaults to `5`.
        more_data: `int` in [2, `MAX_FACTOR`], how many times `n_train` digits the "more
            data" network learns from (the small set and more from the same pool).
            Defaults to `4`.
        learning_rate: `float` > 0, Adam's step size. Defaults to `0.003`: quick enough
            that the baseline's validation loss turns up again within 60 epochs.
        batch_size: `int` >= 1. Defaults to `32`.
        validation_fraction, test_fraction: the shares of the 1,797 digits held out for
            validation (watched every epoch) and the test (scored once, at the end); the
            training sets are drawn from the rest. Defaults to `0.2` each.
        seed: `int` >= 0, seeds the split, the training sets, the weights, the batches,
            dropout and augmentation. Defaults to `0`.
    """

    n_train: int = 100
    width: int = 256
    depth: int = 2
    remedies: tuple[str, ...] = REMEDIES
    dropout: float = 0.5
    l2: float = 0.01
    augmentation: tuple[str, ...] = ("shift", "rotate")
    patience: int = 5
    more_data: int = 4
    learning_rate: float = 0.003

    LIMITS: ClassVar[Limits] = {
        "n_train": partial(
            check_int,
            minimum=10,
            unit="digits",
            hint="(one of each of the 10 digits at least; 50 to 200 shows overfitting)",
        ),
        "width": partial(check_int, minimum=1, maximum=MAX_WIDTH, unit="units"),
        "depth": partial(check_int, minimum=1, maximum=MAX_DEPTH, unit="hidden layers"),
        "remedies": partial(
            check_names,
            choices=REMEDIES,
            what="remedy",
            example=("dropout", "more_data"),
            empty="Choose at least one remedy to compare with the baseline",
        ),
        "dropout": partial(check_dropout, maximum=MAX_DROPOUT),
        "l2": partial(
            check_number,
            above=0,
            finite=True,
            what="The L2 strength",
            hint="(0.0001 to 0.1 is typical)",
        ),
        "augmentation": partial(
            check_names,
            choices=AUGMENTATIONS,
            what="augmentation",
            example=("shift", "rotate"),
            empty="Choose at least one random change for the augmentation network",
        ),
        "patience": partial(check_int, minimum=1, unit="epochs", what="The patience"),
        "more_data": partial(
            check_int,
            minimum=2,
            maximum=MAX_FACTOR,
            what="The more-data factor",
            hint="(times the small training set)",
        ),
        **training_limits(unit="digit"),
    }

    @property
    def variants(self) -> tuple[str, ...]:
        """The networks trained: "baseline", then the chosen remedies in `REMEDIES` order."""
        return ("baseline", *(name for name in REMEDIES if name in self.remedies))

    def check_combinations(self) -> None:
        """Checks that the digits split three ways and leave enough for both training sets.

        Raises:
            ValueError: If the split is impossible, or `n_train * more_data` is more than
                the digits left for training.
        """
        check_split(
            n_samples=N_DIGITS,
            n_classes=10,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="digits",
        )
        pool = split_sizes(
            N_DIGITS,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
        )[0]
        more = "more_data" in self.remedies
        needed = self.n_train * (self.more_data if more else 1)
        if needed > pool:
            who = "more-data network" if more else "small set"
            raise ValueError(
                f"Not enough digits: the split leaves {pool} for training, but the {who} "
                f"needs {needed}. Use fewer training digits, a smaller more-data factor or "
                "smaller validation and test shares. Received: "
                f"n_train={self.n_train!r}, more_data={self.more_data!r}."
            )
