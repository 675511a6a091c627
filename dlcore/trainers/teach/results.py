"""What teaching returns: how the model does on the person's images, and the whole result."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from dlcore.trainers.teach.data import TeachData
    from dlcore.training.fit import FitResult
    from dlcore.training.saving import TrainedModel


@dataclasses.dataclass(frozen=True)
class TeachScores:
    """How the model does on the person's images, at inference (no augmentation).

    Attributes:
        accuracy: share of training images classified right, in [0, 1].
        val_accuracy: share of validation images classified right, or None when none is
            held out.
        test_accuracy: share of test images classified right, measured once after
            training, or None when there is no test part.
        train_probabilities: float32, shape `(n_train, n_classes)`, rows sum to 1.
    """

    accuracy: float
    val_accuracy: float | None
    test_accuracy: float | None
    train_probabilities: np.ndarray

    def metrics(self) -> dict[str, float]:
        """For `TrainedModel.metrics`: "accuracy", and "val_accuracy" and
        "test_accuracy" where there are such images."""
        metrics = {"accuracy": self.accuracy}
        if self.val_accuracy is not None:
            metrics["val_accuracy"] = self.val_accuracy
        if self.test_accuracy is not None:
            metrics["test_accuracy"] = self.test_accuracy
        return metrics


@dataclasses.dataclass(frozen=True)
class TeachResult:
    """What `teach` returns: the model to use, the data it learned, and how training went."""

    trained: TrainedModel
    data: TeachData
    fit: FitResult
    scores: TeachScores
