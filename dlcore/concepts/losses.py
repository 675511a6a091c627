"""Loss functions as curves of the prediction, computed by the real `keras.losses`.

TensorFlow and Keras are imported inside the functions that need them, so importing this
module is cheap.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import ArrayLike

LOSS_NAMES = ("mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy")
"""The losses this module explains; see `LOSSES` for the Keras class behind each."""

KERAS_EPSILON = 1e-7
"""`keras.config.epsilon()`, Keras' default. Before taking logs, Keras' cross-entropies clip
probabilities to [KERAS_EPSILON, 1 - KERAS_EPSILON], which caps the loss of a confident
mistake at -log(1e-7), about 16.1."""


@dataclasses.dataclass(frozen=True)
class LossInfo:
    """What the Optimizers and losses page shows about one loss.

    Attributes:
        name: The key in `LOSSES`, e.g. `"huber"`.
        title: The name to display, e.g. `"Huber"`.
        keras_code: The Keras object that computes it, e.g. `"keras.losses.Huber(delta)"`.
        formula: The loss of one prediction p against its target y, a LaTeX string.
        takes_probabilities: `True` for the cross-entropies, whose predictions are
            probabilities in [0, 1]; `False` for the regression losses, which take any
            real prediction.
        summary: One or two plain sentences on how it punishes errors.
    """

    name: str
    title: str
    keras_code: str
    formula: str
    takes_probabilities: bool
    summary: str


LOSSES: dict[str, LossInfo] = {
    info.name: info
    for info in (
        LossInfo(
            name="mse",
            title="Mean squared error",
            keras_code="keras.losses.MeanSquaredError()",
            formula=r"L = (y - p)^2",
            takes_probabilities=False,
            summary=(
                "Squares the error, so its gradient grows with the error: large mistakes "
                "dominate training, and a few outliers can pull the fit towards them."
            ),
        ),
        LossInfo(
            name="mae",
            title="Mean absolute error",
            keras_code="keras.losses.MeanAbsoluteError()",
            formula=r"L = |y - p|",
            takes_probabilities=False,
            summary=(
                "Grows linearly with the error, so its gradient is always +1 or -1: "
                "outliers pull no harder than small errors, but it does not slow down "
                "near the target either."
            ),
        ),
        LossInfo(
            name="huber",
            title="Huber",
            keras_code="keras.losses.Huber(delta)",
            formula=(
                r"L = \begin{cases} \tfrac12 (y - p)^2 & |y - p| \le \delta \\ "
                r"\delta\,|y - p| - \tfrac12 \delta^2 & |y - p| > \delta \end{cases}"
            ),
            takes_probabilities=False,
            summary=(
                "Squared error near the target and absolute error beyond delta: "
                "smooth where the error is small, robust to outliers where it is large."
            ),
        ),
        LossInfo(
            name="binary_crossentropy",
            title="Binary cross-entropy",
            keras_code="keras.losses.BinaryCrossentropy()",
            formula=r"L = -\bigl[y \log p + (1 - y) \log(1 - p)\bigr]",
            takes_probabilities=True,
            summary=(
                "Compares a predicted probability p with a label y in [0, 1]. It grows "
                "without bound as a confident prediction turns out wrong (Keras caps it "
                "at about 16.1 by clipping p), so confident mistakes are punished hardest."
            ),
        ),
        LossInfo(
            name="categorical_crossentropy",
            title="Categorical cross-entropy",
            keras_code="keras.losses.CategoricalCrossentropy()",
            formula=r"L = -\sum_k y_k \log p_k, \qquad p = [p, 1 - p],\ y = [y, 1 - y]",
            takes_probabilities=True,
            summary=(
                "The cross-entropy over several classes; with two classes [p, 1 - p] and a "
                "one-hot target it equals binary cross-entropy, which the curves show."
            ),
        ),
    )
}


def loss_curve(
    name: str, *, target: float, predictions: ArrayLike, delta: float = 1.0
) -> np.ndarray:
    """Computes a loss for each prediction against one fixed target, with `keras.losses`.

    The Keras loss object is built with `reduction="none"` and `dtype="float64"`, so
    each prediction gets its own loss. For `"categorical_crossentropy"` each prediction
    p becomes the two-class distribution [p, 1 - p], scored against [target, 1 - target]
    (one-hot when `target` is 0 or 1), so the curve can be drawn against p.

    The cross-entropies take probabilities: Keras clips them to
    [`KERAS_EPSILON`, 1 - `KERAS_EPSILON`] before the log, and so do these curves, so
    p = 0 and p = 1 give a finite loss.

    Args:
        name: One of `LOSS_NAMES`.
        target: `float`, the true value y. Any finite number for the regression losses;
            in [0, 1] for the cross-entropies.
        predictions: The predictions p, an array of any shape: finite numbers, in [0, 1]
            for the cross-entropies.
        delta: `float` > 0, where `"huber"` turns from quadratic to linear. Ignored by
            the other losses. Defaults to `1.0`.

    Returns:
        A float64 array of the shape of `predictions`, each value >= 0.

    Raises:
        ValueError: If `name` is unknown or `target`, `predictions` or `delta` is invalid.

    Example:

    >>> loss_curve("mse", target=1.0, predictions=[0.0, 1.0, 3.0])
    array([1., 0., 4.])
    """
    predictions = _checked_inputs(name, target, predictions, delta)
    losses, _ = _keras_losses(name, target, predictions, delta, with_gradient=False)
    return losses


def loss_gradient_curve(
    name: str, *, target: float, predictions: ArrayLike, delta: float = 1.0
) -> np.ndarray:
    """Computes d loss / d prediction for each prediction, by automatic differentiation.

    The gradient flows through the same Keras loss as `loss_curve` (`tf.GradientTape`).
    Its size says how hard the loss pushes a wrong prediction: MSE pushes harder the
    larger the error, MAE always equally, Huber equally once the error passes delta.
    For `"categorical_crossentropy"` it is the total derivative through both classes
    [p, 1 - p]. Where Keras clips a probability (p < `KERAS_EPSILON` or
    p > 1 - `KERAS_EPSILON`), the gradient is 0, as TensorFlow's clip has none there.

    Args:
        name: One of `LOSS_NAMES`.
        target: `float`, the true value y, as in `loss_curve`.
        predictions: The predictions p, as in `loss_curve`.
        delta: `float` > 0, as in `loss_curve`. Defaults to `1.0`.

    Returns:
        A float64 array of the shape of `predictions`.

    Raises:
        ValueError: If `name` is unknown or `target`, `predictions` or `delta` is invalid.

    Example:

    >>> loss_gradient_curve("mse", target=1.0, predictions=[0.0, 3.0])
    array([-2.,  4.])
    """
    predictions = _checked_inputs(name, target, predictions, delta)
    _, gradients = _keras_losses(name, target, predictions, delta, with_gradient=True)
    return gradients


def prediction_grid(name: str, *, target: float, n_points: int = 401) -> np.ndarray:
    """Returns the predictions to draw a loss's curve over.

    For the regression losses, `target` ± 3. For the cross-entropies, [0, 1] clipped to
    [`KERAS_EPSILON`, 1 - `KERAS_EPSILON`] as Keras clips it, so the ends of the curve
    show the loss Keras really reports for a prediction of exactly 0 or 1.

    Args:
        name: One of `LOSS_NAMES`.
        target: `float`, the true value, as in `loss_curve`.
        n_points: `int` >= 2, how many evenly spaced predictions. Defaults to `401`.

    Returns:
        A float64 array of shape `(n_points,)`, increasing.

    Raises:
        ValueError: If `name` is unknown or `target` or `n_points` is invalid.

    Example:

    >>> prediction_grid("mae", target=1.0, n_points=3)
    array([-2.,  1.,  4.])
    """
    _check_name_and_target(name, target)
    is_integer = isinstance(n_points, int | np.integer) and not isinstance(n_points, bool)
    if not (is_integer and n_points >= 2):
        raise ValueError(f"`n_points` must be an integer >= 2. Received: n_points={n_points!r}.")
    if LOSSES[name].takes_probabilities:
        return np.clip(np.linspace(0.0, 1.0, n_points), KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    return np.linspace(target - 3.0, target + 3.0, n_points)


def _checked_inputs(name: str, target: float, predictions: ArrayLike, delta: float) -> np.ndarray:
    """Checks the arguments of `loss_curve`; returns `predictions` as a float64 array."""
    _check_name_and_target(name, target)
    try:
        predictions_array = np.asarray(predictions, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"`predictions` must be an array of numbers. Received: predictions={predictions!r}."
        ) from error
    if predictions_array.size == 0 or not np.all(np.isfinite(predictions_array)):
        raise ValueError(
            "`predictions` must hold at least one number, all finite. "
            f"Received: predictions={predictions!r}."
        )
    if LOSSES[name].takes_probabilities and not (
        predictions_array.min() >= 0.0 and predictions_array.max() <= 1.0
    ):
        raise ValueError(
            f"`predictions` of {name} must be probabilities in [0, 1]. "
            f"Received: values from {predictions_array.min():g} to "
            f"{predictions_array.max():g}."
        )
    if not (_is_real_number(delta) and delta > 0):
        raise ValueError(f"`delta` must be a finite number > 0. Received: delta={delta!r}.")
    return predictions_array


def _check_name_and_target(name: str, target: float) -> None:
    if name not in LOSSES:
        raise ValueError(f"`name` must be one of {', '.join(LOSS_NAMES)}. Received: name={name!r}.")
    if not _is_real_number(target):
        raise ValueError(f"`target` must be a finite number. Received: target={target!r}.")
    if LOSSES[name].takes_probabilities and not 0.0 <= target <= 1.0:
        raise ValueError(
            f"`target` of {name} must be a probability in [0, 1]. Received: target={target!r}."
        )


def _is_real_number(value: object) -> bool:
    # bool is an int to Python, but True as a target or delta is surely a mistake.
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float | np.integer | np.floating)
        and math.isfinite(value)
    )


def _keras_losses(
    name: str, target: float, predictions: np.ndarray, delta: float, *, with_gradient: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Runs the Keras loss on a batch of one-value predictions; returns losses, gradients."""
    import keras
    import tensorflow as tf

    options = {"reduction": "none", "dtype": "float64"}
    match name:
        case "mse":
            loss_object = keras.losses.MeanSquaredError(**options)
        case "mae":
            loss_object = keras.losses.MeanAbsoluteError(**options)
        case "huber":
            loss_object = keras.losses.Huber(delta=float(delta), **options)
        case "binary_crossentropy":
            loss_object = keras.losses.BinaryCrossentropy(**options)
        case "categorical_crossentropy":
            loss_object = keras.losses.CategoricalCrossentropy(**options)

    # A batch of n_predictions samples, one output each: (n_predictions, 1).
    flat_predictions = tf.constant(predictions.reshape(-1, 1), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(flat_predictions)
        if name == "categorical_crossentropy":
            y_pred = tf.concat([flat_predictions, 1.0 - flat_predictions], axis=-1)
            class_targets = tf.constant([[target, 1.0 - target]], dtype=tf.float64)
            y_true = tf.broadcast_to(class_targets, tf.shape(y_pred))
        else:
            y_pred = flat_predictions
            y_true = tf.fill(tf.shape(y_pred), tf.constant(target, dtype=tf.float64))
        # Shape (n_predictions,): reduction="none" keeps one loss per sample.
        losses = loss_object(y_true, y_pred)
    gradients = None
    if with_gradient:
        # Each loss depends on its own prediction only, so the gradient of their sum
        # holds every d loss / d prediction.
        gradients = tape.gradient(losses, flat_predictions).numpy().reshape(predictions.shape)
    return losses.numpy().reshape(predictions.shape), gradients
