"""Reading scores: the samples a confusion matrix counts as wrong, and the model chosen on
validation among several."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def confusion_counts(confusion: ArrayLike) -> tuple[int, int]:
    """The samples a confusion matrix counts as wrong, and all it counts.

    Args:
        confusion: int, shape `(n_classes, n_classes)`, true classes in rows, predicted in
            columns, as `confusion_matrix` returns.

    Returns:
        `(n_wrong, n_samples)`: the off-diagonal sum and the total. The accuracy is
        `1 - n_wrong / n_samples`.

    Example:
        >>> confusion_counts([[3, 1], [0, 4]])
        (1, 8)
    """
    counts = np.asarray(confusion)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            "A confusion matrix must be square, true classes in rows and predicted classes "
            f"in columns. Received: shape={counts.shape}."
        )
    total = int(counts.sum())
    return total - int(np.trace(counts)), total


def best_on_validation(accuracies: dict[str, float]) -> str:
    """The name of the model with the highest validation accuracy (the first on a tie).

    Chosen on validation, never on the test part, so that the test score stays a fair
    measure of the model picked.

    Example:
        >>> best_on_validation({"plain": 0.81, "residual": 0.93})
        'residual'
    """
    if not accuracies:
        raise ValueError("There is no model to choose from: pass at least one accuracy.")
    return max(accuracies, key=accuracies.get)
