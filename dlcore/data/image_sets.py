"""The `Bunch` that every image and clip set returns, laid out as scikit-learn's `load_digits`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.utils import Bunch


def image_set_bunch(
    images: np.ndarray,
    target: np.ndarray,
    target_names: Sequence[str],
    description: str,
    *,
    images_key: str = "images",
    **extras: Any,
) -> Bunch:
    """Packs labelled images (or clips) as `sklearn.datasets.load_digits` packs its digits.

    Args:
        images: the samples, one per row: images, or clips of frames.
        target: the class index of each sample.
        target_names: the class names, in the order of the `target` values.
        description: the set's `DESCR`.
        images_key: `str`, the name the samples stand under besides `data`, e.g.
            `"clips"`. Defaults to `"images"`.
        **extras: further per-sample arrays, e.g. `background=...`.

    Returns:
        A `Bunch` with the samples under `images_key` and again under `data`, then
        `target`, `target_names` (a list), the `extras` and `DESCR`, in that order.

    Example:

    >>> bunch = image_set_bunch(np.zeros((2, 4, 4, 1)), np.array([0, 1]), ("a", "b"), "Two")
    >>> list(bunch), bunch.data is bunch.images, bunch.target_names
    (['images', 'data', 'target', 'target_names', 'DESCR'], True, ['a', 'b'])
    """
    return Bunch(
        **{images_key: images},
        data=images,
        target=target,
        target_names=list(target_names),
        **extras,
        DESCR=description,
    )
