"""Samples split three ways: train on one part, choose the epoch on another, score on the last.

As the seeds teach it (训练集、验证集和测试集): the model learns from the training set;
early stopping and the best epoch watch the validation set; the test set is looked at
once, at the end, so its score says how the model does on data that chose nothing.

Example:

>>> train, validation, test = split_indices(
...     np.repeat([0, 1], 50), validation_fraction=0.2, test_fraction=0.2, seed=0)
>>> len(train), len(validation), len(test)
(60, 20, 20)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.model_selection import train_test_split

from dlcore._checks import check_fraction, check_seed


@dataclasses.dataclass(frozen=True)
class SplitData:
    """A trainer's data: inputs and targets split three ways, with what they mean.

    Trainers return this from `load_data`, or a subclass of it with more fields.

    Attributes:
        x_train, y_train: what the model learns from; samples on axis 0.
        x_val, y_val: what early stopping and the best epoch watch.
        x_test, y_test: scored once, at the end.
        labels: the class names, in the order of the class indices (empty for a model
            that predicts numbers, not classes).
        preprocessing: how a person's input becomes model input (see `dlcore.preprocess`),
            kept with a trained model for the try-it pages.
    """

    x_train: Any
    y_train: Any
    x_val: Any
    y_val: Any
    x_test: Any
    y_test: Any
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]

    @property
    def train(self) -> tuple[Any, Any]:
        """`(x_train, y_train)`."""
        return self.x_train, self.y_train

    @property
    def validation(self) -> tuple[Any, Any]:
        """`(x_val, y_val)`."""
        return self.x_val, self.y_val

    @property
    def test(self) -> tuple[Any, Any]:
        """`(x_test, y_test)`."""
        return self.x_test, self.y_test

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one input sample, e.g. `(height, width, channels)` of an image."""
        return tuple(int(size) for size in np.shape(self.x_train)[1:])

    @property
    def n_classes(self) -> int:
        """How many classes the model tells apart (0 for a model that predicts numbers)."""
        return len(self.labels)

    @classmethod
    def from_parts(
        cls,
        parts: Iterable[tuple[Any, Any]],
        *,
        labels: tuple[str, ...],
        preprocessing: dict[str, Any],
        **fields: Any,
    ) -> Self:
        """Builds the data from its three `(inputs, targets)` parts.

        Args:
            parts: the training, validation and test parts, in that order.
            labels, preprocessing: as the attributes of the same names.
            **fields: the values of a subclass's own fields.

        Returns:
            An instance of the class it is called on (`SplitData` or a subclass).
        """
        (x_train, y_train), (x_val, y_val), (x_test, y_test) = parts
        return cls(
            x_train=x_train,
            y_train=y_train,
            x_val=x_val,
            y_val=y_val,
            x_test=x_test,
            y_test=y_test,
            labels=labels,
            preprocessing=preprocessing,
            **fields,
        )

    @classmethod
    def from_indices(
        cls,
        inputs: Any,
        targets: Any,
        indices: Iterable[Any],
        *,
        labels: tuple[str, ...],
        preprocessing: dict[str, Any],
        **fields: Any,
    ) -> Self:
        """Splits whole arrays of samples along axis 0: `from_parts` of their rows.

        Args:
            inputs, targets: NumPy arrays with the samples on axis 0.
            indices: what selects the training, validation and test rows, in that
                order: index arrays (as `split_indices` returns them) or boolean masks.
            labels, preprocessing: as the attributes of the same names.
            **fields: the values of a subclass's own fields.

        Example:

        >>> data = SplitData.from_indices(
        ...     np.arange(10), np.arange(10) % 2, split_indices(np.arange(10) % 2,
        ...     validation_fraction=0.2, test_fraction=0.2, seed=0),
        ...     labels=("even", "odd"), preprocessing={})
        >>> len(data.y_train), len(data.y_val), len(data.y_test)
        (6, 2, 2)
        """
        return cls.from_parts(
            ((inputs[rows], targets[rows]) for rows in indices),
            labels=labels,
            preprocessing=preprocessing,
            **fields,
        )


def split_sizes(
    n_samples: int, *, validation_fraction: float, test_fraction: float
) -> tuple[int, int, int]:
    """How many samples each part gets: `ceil` of each fraction for validation and test.

    Returns:
        `(n_train, n_validation, n_test)`, summing to `n_samples`.
    """
    n_test = math.ceil(n_samples * test_fraction)
    n_validation = math.ceil(n_samples * validation_fraction)
    return n_samples - n_validation - n_test, n_validation, n_test


def check_split(
    *,
    n_samples: int,
    n_classes: int | None,
    validation_fraction: float,
    test_fraction: float,
    what: str = "samples",
) -> None:
    """Checks that both fractions are valid and that every part gets enough samples.

    Args:
        n_samples: the samples to split.
        n_classes: with classes, each part needs at least one sample of each; None for
            a model that predicts numbers (each part then needs one sample).
        validation_fraction, test_fraction: the shares held out, each in (0, 1).
        what: what the samples are, for the message ("images", "sentences", ...).

    Raises:
        ValueError: If a fraction is not in (0, 1), they leave nothing to train on, or a
            part would miss a class.
    """
    check_fraction(validation_fraction, name="validation_fraction", what="The validation share")
    check_fraction(test_fraction, name="test_fraction", what="The test share")
    sizes = split_sizes(
        n_samples, validation_fraction=validation_fraction, test_fraction=test_fraction
    )
    needed = n_classes or 1
    if min(sizes) < needed:
        n_train, n_validation, n_test = sizes
        each = f"one of each of the {n_classes} classes" if n_classes else "one"
        raise ValueError(
            f"Too few {what}: {n_samples} split {n_train} for training, {n_validation} for "
            f"validation and {n_test} for the test, but every part needs at least {each}. "
            f"Use more {what} or smaller validation and test shares. "
            f"Received: n_samples={n_samples}, validation_fraction={validation_fraction!r}, "
            f"test_fraction={test_fraction!r}."
        )


def split_as_configured(
    targets: ArrayLike, config: Any, *, stratify: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`split_indices` with a trainer config's `validation_fraction`, `test_fraction` and
    `seed`."""
    return split_indices(
        targets,
        validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction,
        seed=config.seed,
        stratify=stratify,
    )


def split_indices(
    targets: ArrayLike,
    *,
    validation_fraction: float,
    test_fraction: float,
    seed: int,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the training, validation and test samples.

    The test set is drawn first, then the validation set from what is left, each with
    scikit-learn's `train_test_split` and `random_state=seed`; with `stratify`, every
    part keeps the classes' proportions.

    Args:
        targets: one class index per sample, shape `(n_samples,)` (or any values when
            `stratify` is False).
        validation_fraction: `float` in (0, 1), `ceil(n * validation_fraction)` samples.
        test_fraction: `float` in (0, 1), `ceil(n * test_fraction)` samples.
        seed: `int`, the shuffle.
        stratify: keep each class's share in every part. Defaults to True.

    Returns:
        `(train, validation, test)`: int64 index arrays, together a permutation of
        `range(n_samples)`.

    Raises:
        ValueError: If the split is impossible (see `check_split`).
    """
    labels = np.asarray(targets)
    check_seed(seed)
    check_split(
        n_samples=len(labels),
        n_classes=len(np.unique(labels)) if stratify else None,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
    )
    _, n_validation, n_test = split_sizes(
        len(labels), validation_fraction=validation_fraction, test_fraction=test_fraction
    )
    everything = np.arange(len(labels))
    rest, test = train_test_split(
        everything,
        test_size=n_test,
        random_state=seed,
        stratify=labels if stratify else None,
    )
    train, validation = train_test_split(
        rest,
        test_size=n_validation,
        random_state=seed,
        stratify=labels[rest] if stratify else None,
    )
    return train, validation, test
