"""How a trained model does on held-out samples: the test score, probabilities,
confusions, mistakes.

`test_scores` is the one place a trainer scores its test part, once, at the end. The rest
is shared by the classifiers, whose models map a batch of samples (images, clips) to class
probabilities.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


@dataclasses.dataclass(frozen=True)
class Misclassified:
    """Held-out samples the model got wrong, the most confidently wrong first.

    Attributes:
        indices: int64, shape `(n,)`, rows of the held-out samples.
        true: int64, shape `(n,)`, the true class indices.
        predicted: int64, shape `(n,)`, the predicted class indices.
        confidence: float32, shape `(n,)`, the probability given to the predicted class,
            in [0, 1].
    """

    indices: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray

    def __len__(self) -> int:
        return len(self.indices)


def test_scores(model: Any, data: Any, *, batch_size: int = 512) -> dict[str, float]:
    """The model's loss and metrics on the test part of `data`, named as test scores.

    The same numbers as `model.evaluate(data.x_test, data.y_test)`, computed once, at the
    end of training: nothing chose an epoch or a setting by looking at them.

    Args:
        model: a compiled `keras.Model`.
        data: a `dlcore.data.split.SplitData` (anything with `x_test` and `y_test`).
        batch_size: `int` >= 1, samples per call. Defaults to 512.

    Returns:
        Each of the model's metrics with "test_" before its Keras name, e.g.
        `{"test_loss": 0.31, "test_accuracy": 0.91}`.
    """
    scores = measure_eagerly(model, data.x_test, data.y_test, chunk=batch_size)
    return {f"test_{name}": value for name, value in scores.items()}


def side_by_side_test_scores(model: Any, data: Any, *, n_variants: int) -> dict[str, float]:
    """The test scores of networks trained side by side as one model, once, at the end.

    Args:
        model: a side-by-side model, whose loss and metrics take one label per network
            (`dlcore.training.layers.per_variant`).
        data: its `dlcore.data.split.SplitData`.
        n_variants: `int` >= 1, the networks side by side.

    Returns:
        "test_loss" (the summed loss) and the model's metrics with "test_" before them,
        e.g. "test_lstm_accuracy".
    """
    from dlcore.training.layers import per_variant

    test = dataclasses.replace(data, y_test=per_variant(data.y_test, n_variants))
    return test_scores(model, test)


def measure_eagerly(model: Any, inputs: Any, targets: Any, *, chunk: int = 512) -> dict[str, float]:
    """The model's loss and metrics on `(inputs, targets)`, as `model.evaluate` gives them,
    without tracing a test function.

    `evaluate` traces one the first time, which for this project's small models costs more
    than measuring: 0.2 s idle, seconds while other sessions train on the same cores. The
    model's own `test_step` runs eagerly instead, on `chunk` samples at a time.

    Args:
        model: a compiled `keras.Model`.
        inputs: an array of shape `(n, ...)`, or a dict of such arrays.
        targets: their targets, an array of shape `(n, ...)` or a dict of such arrays.
        chunk: `int` >= 1, samples per call. Defaults to 512.

    Returns:
        Metric name -> value, with Keras's names ("loss", "accuracy", ...).
    """
    import keras
    import tensorflow as tf

    # As `evaluate` does: the metrics start again from zero, then add up every chunk.
    model.reset_metrics()
    n_samples = len(next(iter(targets.values()))) if isinstance(targets, dict) else len(targets)
    results: dict = {}
    for start in range(0, n_samples, chunk):
        rows = slice(start, start + chunk)
        batch = keras.tree.map_structure(
            lambda array, rows=rows: tf.convert_to_tensor(array[rows]), (inputs, targets)
        )
        results = model.test_step(batch)
    return {name: float(value) for name, value in results.items()}


def predict_proba(model: Any, samples: ArrayLike, *, batch_size: int) -> np.ndarray:
    """The model's class probabilities at inference (augmentation and dropout off).

    Calls the model directly on batches of `batch_size`, which for a few hundred samples
    is faster than `model.predict`.

    Args:
        model: a Keras classifier with a softmax output.
        samples: float32, shape `(n, ...)`, as the model takes them.
        batch_size: `int` >= 1, samples per call.

    Returns:
        float32, shape `(n, n_classes)`, rows that sum to 1.
    """
    samples = np.asarray(samples, dtype=np.float32)
    n_classes = model.output_shape[-1]
    if len(samples) == 0:
        return np.zeros((0, n_classes), dtype=np.float32)
    parts = [
        np.asarray(model(samples[start : start + batch_size], training=False), dtype=np.float32)
        for start in range(0, len(samples), batch_size)
    ]
    return np.concatenate(parts)


def confusion_matrix(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Counts samples by true and predicted class.

    Args:
        probabilities: shape `(n, n_classes)`, from `predict_proba`.
        labels: int, shape `(n,)`, the true classes.

    Returns:
        int64, shape `(n_classes, n_classes)`: `matrix[i, j]` samples of class i predicted
        as class j. Row i sums to the number of samples of class i.
    """
    n_classes = probabilities.shape[-1]
    predicted = probabilities.argmax(axis=1)
    counts = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def misclassified(probabilities: np.ndarray, labels: np.ndarray, *, limit: int) -> Misclassified:
    """The samples predicted wrongly, the most confidently wrong first.

    Args:
        probabilities: shape `(n, n_classes)`, from `predict_proba`.
        labels: int, shape `(n,)`, the true classes.
        limit: `int` >= 0, the most samples returned.

    Returns:
        A `Misclassified` of at most `limit` samples.

    Raises:
        ValueError: If `limit` is not an integer >= 0.
    """
    if not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 0:
        raise ValueError(f"`limit` must be an integer >= 0. Received: limit={limit!r}.")
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(predicted)), predicted]
    wrong = np.flatnonzero(predicted != labels)
    # Stable sort: equally confident mistakes keep the held-out order.
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:limit]
    return Misclassified(
        indices=order.astype(np.int64),
        true=labels[order].astype(np.int64),
        predicted=predicted[order].astype(np.int64),
        confidence=confidence[order].astype(np.float32),
    )


def check_model_input(model: Any, sample: ArrayLike, *, name: str, axes: str) -> np.ndarray:
    """One sample as float32, after checking that it has the model's input shape.

    Args:
        model: a Keras model.
        sample: one sample, without the batch axis.
        name: `str`, what the sample is, for the message ("image", "clip").
        axes: `str`, the names of its axes, for the message ("height, width, channels").

    Returns:
        float32, the model's input shape without the batch axis.

    Raises:
        ValueError: If the sample's shape is not the model's input shape.
    """
    array = np.asarray(sample, dtype=np.float32)
    expected = tuple(model.input_shape[1:])
    if array.shape != expected:
        raise ValueError(
            f"The {name} must have the model's input shape {expected} ({axes}). "
            f"Received: shape {array.shape}."
        )
    return array


@dataclasses.dataclass(frozen=True)
class TestAnalysis:
    """A classifier trainer's look at its test part: probabilities, confusions, mistakes.

    A trainer states its own batch size and number of mistakes once, and exposes the
    methods as its functions (`predict_proba = ANALYSIS.predict_proba`, ...).

    Attributes:
        batch_size: `int` >= 1, samples per call of the model.
        limit: `int` >= 0, the most mistakes `misclassified` returns by default.
    """

    batch_size: int
    limit: int

    def predict_proba(
        self, model: Any, samples: ArrayLike, *, batch_size: int | None = None
    ) -> np.ndarray:
        """The model's class probabilities at inference, as `predict_proba`.

        Args:
            model: a Keras classifier with a softmax output.
            samples: float32, shape `(n, ...)` (images, clips), as the model takes them.
            batch_size: `int` >= 1, samples per call. Defaults to `self.batch_size`.

        Returns:
            float32, shape `(n, n_classes)`, rows that sum to 1.
        """
        size = self.batch_size if batch_size is None else batch_size
        return predict_proba(model, samples, batch_size=size)

    def confusion_matrix(self, model: Any, data: Any) -> np.ndarray:
        """Counts the test samples of `data` by true and predicted class.

        Args:
            model: a Keras classifier with a softmax output.
            data: a `dlcore.data.split.SplitData` (anything with `x_test` and `y_test`).

        Returns:
            int64, shape `(n_classes, n_classes)`: `matrix[i, j]` test samples of class i
            predicted as class j. Row i sums to the number of test samples of class i.
        """
        return confusion_matrix(self.predict_proba(model, data.x_test), data.y_test)

    def misclassified(self, model: Any, data: Any, *, limit: int | None = None) -> Misclassified:
        """The test samples of `data` the model gets wrong, the most confidently wrong first.

        Args:
            model: a Keras classifier with a softmax output.
            data: a `dlcore.data.split.SplitData` (anything with `x_test` and `y_test`).
            limit: `int` >= 0, the most samples returned. Defaults to `self.limit`.

        Returns:
            A `Misclassified` of at most `limit` samples; its indices are rows of
            `data.x_test`.

        Raises:
            ValueError: If `limit` is not an integer >= 0.
        """
        probabilities = self.predict_proba(model, data.x_test)
        return misclassified(
            probabilities, data.y_test, limit=self.limit if limit is None else limit
        )
