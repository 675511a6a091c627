"""Compiling a trainer's model: its loss and metrics, and how many batches one call runs.

Keras runs `steps_per_execution` batches in one TensorFlow call. Equal to the batches of
one epoch, a small-batch epoch is one call: about 5 times faster on a CPU than one call
per batch, for the trainers' small models.

Example:

>>> compile_model(model, "adam", steps_per_execution=epoch_batches(600, 32))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def epoch_batches(n_samples: int, batch_size: int) -> int:
    """The batches of one epoch over `n_samples` training samples, the last one short.

    Example:

    >>> epoch_batches(600, 32)
    19
    """
    return math.ceil(n_samples / batch_size)


def compile_model(
    model: Any,
    optimizer: Any,
    *,
    steps_per_execution: int,
    loss: str = "sparse_categorical_crossentropy",
    metrics: Sequence[str] = ("accuracy",),
) -> Any:
    """Compiles a trainer's model and returns it.

    Args:
        model: an uncompiled `keras.Model`.
        optimizer: a Keras optimizer (`dlcore.concepts.optimizers.make_optimizer`).
        steps_per_execution: `int` >= 1, batches per TensorFlow call; `epoch_batches`
            for one call per epoch.
        loss: the Keras loss. Defaults to "sparse_categorical_crossentropy", a softmax
            classifier's.
        metrics: the Keras metrics. Defaults to `("accuracy",)`.

    Returns:
        The same model, compiled.
    """
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=list(metrics),
        steps_per_execution=steps_per_execution,
    )
    return model
