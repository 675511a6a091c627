"""The class-balance line that every generated labelled set writes into its `DESCR`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def class_counts_line(target: ArrayLike, n_classes: int, *, unit: str = "samples") -> str:
    """Says how many classes and examples a set has, and how many examples each class got.

    Args:
        target: The labels, int, shape `(n_examples,)`, values in [0, n_classes).
        n_classes: `int` >= 1, the number of classes, including any that got no example.
        unit: What one example is called in the line, e.g. `"clips"`. Defaults to
            `"samples"`.

    Returns:
        `"Classes: 2; samples: 5 (2-3 per class)"`; one number per class, e.g.
        `"(100 per class)"`, where the classes are equal.

    Example:

    >>> class_counts_line([0, 1, 0, 1], 2, unit="clips")
    'Classes: 2; clips: 4 (2 per class)'
    """
    target = np.asarray(target)
    counts = np.bincount(target, minlength=n_classes)
    smallest, largest = counts.min(), counts.max()
    per_class = f"{smallest}" if smallest == largest else f"{smallest}-{largest}"
    return f"Classes: {n_classes}; {unit}: {len(target)} ({per_class} per class)"
