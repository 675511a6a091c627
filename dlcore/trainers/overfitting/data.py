"""Overfitting lab: the digits split three ways, and the small and the larger training set."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from dlcore.data import vision
from dlcore.data.split import SplitData, split_as_configured
from dlcore.trainers.overfitting.config import DIGITS_PREPROCESSING, Config


@dataclasses.dataclass(frozen=True)
class LabData(SplitData):
    """The digits of the lab: `SplitData` of the small training set, and the larger one.

    Attributes:
        x_more, y_more: what the "more_data" network learns from: `config.more_data`
            times as many digits as `x_train`, whose first rows are `x_train` itself.
            The other networks learn from `x_train`; every network is measured on the same
            `x_val` and scored on the same `x_test`.
    """

    x_more: Any
    y_more: Any


def balanced_order(labels: np.ndarray, *, seed: int) -> np.ndarray:
    """The positions of `labels` in an order that takes every class in turn.

    A seeded shuffle, then stably sorted by how many of its class came before: the first
    of each class, then the second of each, and so on. Any first n positions hold each
    class about n / n_classes times (until a class runs out), so the small training set
    and the larger one that begins with it are both balanced.

    Args:
        labels: int, shape `(n,)`, one class per sample.
        seed: `int`, the shuffle.

    Returns:
        int64, shape `(n,)`: a permutation of `range(n)`.

    Example:

    >>> order = balanced_order(np.array([0, 0, 0, 1, 1, 1]), seed=0)
    >>> sorted(np.array([0, 0, 0, 1, 1, 1])[order[:2]].tolist())
    [0, 1]
    """
    labels = np.asarray(labels)
    shuffled = np.random.default_rng(seed).permutation(len(labels))
    turn = np.zeros(len(labels), dtype=np.int64)
    seen = {}
    for position, label in enumerate(labels[shuffled].tolist()):
        turn[position] = seen.get(label, 0)
        seen[label] = turn[position] + 1
    return shuffled[np.argsort(turn, kind="stable")]


def load_data(config: Config) -> LabData:
    """Loads the 1,797 digits and splits them: training sets, validation and test.

    The validation and test parts come from `dlcore.data.split.split_indices` (stratified,
    with `config.seed`); the training sets are the first `config.n_train` (the small set)
    and `config.n_train * config.more_data` (the larger set, with "more_data" among the
    remedies) of the rest in `balanced_order`.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `LabData`: float32 images `(n, 8, 8, 1)` in [0, 1], int64 labels `(n,)`, the
        class names "0" to "9" and `DIGITS_PREPROCESSING`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(n_train=50, more_data=4))
    >>> data.x_train.shape, data.x_more.shape, data.x_val.shape, data.x_test.shape
    ((50, 8, 8, 1), (200, 8, 8, 1), (360, 8, 8, 1), (360, 8, 8, 1))
    """
    config.validate()
    images, labels = vision.load_digits(return_X_y=True)
    pool, validation, test = split_as_configured(labels, config)
    pool = pool[balanced_order(labels[pool], seed=config.seed)]
    factor = config.more_data if "more_data" in config.remedies else 1
    small, more = pool[: config.n_train], pool[: config.n_train * factor]
    return LabData.from_indices(
        images,
        labels,
        (small, validation, test),
        labels=tuple(str(digit) for digit in range(10)),
        preprocessing=dict(DIGITS_PREPROCESSING),
        x_more=images[more],
        y_more=labels[more],
    )


def training_set(data: LabData, variant: str) -> tuple[np.ndarray, np.ndarray]:
    """What one network learns from: `(x_more, y_more)` for "more_data", else `data.train`."""
    return (data.x_more, data.y_more) if variant == "more_data" else data.train
