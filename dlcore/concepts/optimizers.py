"""Optimizer trajectories: the real `keras.optimizers` descending a 2-D loss surface.

The optimizers themselves (names, page texts, `make_optimizer`, `optimizer_code`) are in
`dlcore.concepts.optimizer_catalog`; they are importable from here too, where the pages,
trainers and tests have always found them.

TensorFlow and Keras are imported inside the functions that need them, so importing this
module is cheap and the page can draw its controls before TensorFlow has started.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dlcore.concepts import surfaces
from dlcore.concepts.optimizer_catalog import (
    OPTIMIZER_NAMES,
    OPTIMIZERS,
    OptimizerInfo,
    check_optimizer_name,
    checked_learning_rate,
    make_optimizer,
    optimizer_code,
)

__all__ = [
    "DIVERGENCE_LIMIT",
    "MAX_STEPS",
    "OPTIMIZERS",
    "OPTIMIZER_NAMES",
    "OptimizerInfo",
    "Trajectory",
    "all_trajectories",
    "make_optimizer",
    "optimizer_code",
    "trajectory",
]

MAX_STEPS = 10_000
"""The most steps one trajectory may take, so that one slider cannot stall the page."""

DIVERGENCE_LIMIT = 1e6
"""A run stops once |x| or |y| exceeds this. On the quartic surfaces the loss there is
about 1e26: still a finite float64, but far past anything the page can draw."""


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """The path of one optimizer on one surface, as `trajectory` returns it.

    Attributes:
        surface_name: The surface, one of `dlcore.concepts.surfaces.SURFACE_NAMES`.
        optimizer_name: The optimizer, one of `OPTIMIZER_NAMES`.
        learning_rate: The learning rate asked for. Keras keeps it in a float32
            variable, so the steps use its nearest float32 value.
        steps: The number of steps asked for.
        points: float64 array of shape `(n_points, 2)`, the (x, y) of the variable
            before the first step and after each step. `n_points` is `steps + 1`,
            or `stopped_at` if the run diverged.
        losses: float64 array of shape `(n_points,)`, f at each of `points`.
        diverged: `True` if a step left the box |x|, |y| <= `DIVERGENCE_LIMIT` or
            produced a non-finite number; the run stopped there.
        stopped_at: The step (counted from 1) whose result was out of bounds, which is
            not in `points`; `None` if all steps ran.
        stop_reason: A sentence for the page saying why the run stopped early;
            `None` if it did not.
    """

    surface_name: str
    optimizer_name: str
    learning_rate: float
    steps: int
    points: np.ndarray
    losses: np.ndarray
    diverged: bool
    stopped_at: int | None
    stop_reason: str | None


def trajectory(
    surface: str,
    optimizer_name: str,
    *,
    learning_rate: float,
    steps: int,
    start: ArrayLike | None = None,
) -> Trajectory:
    """Runs a Keras optimizer on a `keras.Variable` (x, y) that minimizes a surface.

    Each step computes f(x, y) and its gradient with `tf.GradientTape` (automatic
    differentiation of the same function that `dlcore.concepts.surfaces` draws) and hands the
    gradient to `optimizer.apply`. The variable is float64, so the path is not blurred
    by float32 rounding.

    The step loop is one compiled `tf.function`, built once per surface and optimizer
    and kept for the life of the process: the learning rate, the number of steps and
    the start are its tensor inputs, so moving a slider reruns it without retracing.
    Each run resets the optimizer's state (its step count and slot variables) first.

    Args:
        surface: A surface name, one of `dlcore.concepts.surfaces.SURFACE_NAMES`.
        optimizer_name: One of `OPTIMIZER_NAMES`.
        learning_rate: `float` > 0.
        steps: `int` in [1, `MAX_STEPS`], the number of optimizer steps.
        start: `(x, y)`, the starting point, finite. Defaults to the surface's `start`.

    Returns:
        A `Trajectory`. If a step leaves the box |x|, |y| <= `DIVERGENCE_LIMIT` or turns
        non-finite, the run stops there and says so (`diverged=True`) instead of raising.

    Raises:
        ValueError: If a name is unknown or `learning_rate`, `steps` or `start` is invalid.

    Example:

    >>> path = trajectory("bowl", "sgd", learning_rate=0.125, steps=3, start=(1.0, 0.0))
    >>> path.points[:, 0]
    array([1.      , 0.75    , 0.5625  , 0.421875])
    """
    surface_info = surfaces.get_surface(surface)
    check_optimizer_name(optimizer_name)
    learning_rate = checked_learning_rate(learning_rate)
    steps = _checked_steps(steps)
    start = _checked_start(surface_info.start if start is None else start)

    points, losses, n_steps_run, in_bounds = _compiled_run(surface, optimizer_name).run(
        start, learning_rate, steps
    )
    if in_bounds:
        stopped_at, stop_reason = None, None
    else:
        # The point from the last step run is out of bounds: leave it out of the path.
        stopped_at = n_steps_run
        points, losses = points[:n_steps_run], losses[:n_steps_run]
        title = OPTIMIZERS[optimizer_name].title
        if surface_info.minimum is None:
            stop_reason = (
                f"{title} stopped at step {stopped_at}, where |x| or |y| passed "
                f"{DIVERGENCE_LIMIT:g}: this surface has no minimum, so a point that "
                "escapes runs downhill for ever."
            )
        else:
            stop_reason = (
                f"{title} diverged at step {stopped_at}: |x| or |y| passed "
                f"{DIVERGENCE_LIMIT:g} or stopped being a finite number. "
                "Try a smaller learning rate."
            )
    return Trajectory(
        surface_name=surface,
        optimizer_name=optimizer_name,
        learning_rate=learning_rate,
        steps=steps,
        points=points,
        losses=losses,
        diverged=not in_bounds,
        stopped_at=stopped_at,
        stop_reason=stop_reason,
    )


def all_trajectories(
    surface: str,
    *,
    learning_rate: float,
    steps: int,
    optimizers: Sequence[str] = OPTIMIZER_NAMES,
    start: ArrayLike | None = None,
) -> dict[str, Trajectory]:
    """Runs several optimizers from the same start on the same surface.

    Args:
        surface: A surface name, one of `dlcore.concepts.surfaces.SURFACE_NAMES`.
        learning_rate: `float` > 0, the same for every optimizer.
        steps: `int` in [1, `MAX_STEPS`].
        optimizers: Names from `OPTIMIZER_NAMES`, without repeats. Defaults to all.
        start: `(x, y)`. Defaults to the surface's `start`.

    Returns:
        A dict from optimizer name to its `Trajectory`, in the order of `optimizers`.

    Raises:
        ValueError: As `trajectory`, or if `optimizers` is empty or repeats a name.

    Example:

    >>> paths = all_trajectories("bowl", learning_rate=0.1, steps=50)
    >>> list(paths) == list(OPTIMIZER_NAMES)
    True
    """
    optimizers = list(optimizers)
    if not optimizers or len(set(optimizers)) != len(optimizers):
        raise ValueError(
            "`optimizers` must name at least one optimizer, each at most once. "
            f"Received: optimizers={optimizers!r}."
        )
    for name in optimizers:
        check_optimizer_name(name)
    return {
        name: trajectory(surface, name, learning_rate=learning_rate, steps=steps, start=start)
        for name in optimizers
    }


class _CompiledRun:
    """One surface, one optimizer: a float64 `keras.Variable`, the Keras optimizer built
    on it, and the compiled step loop that drives them.

    The variable and the optimizer's state are shared by every call, so a lock lets one
    run at a time (Streamlit runs each browser session in its own thread).
    """

    def __init__(self, surface_name: str, optimizer_name: str) -> None:
        import keras
        import tensorflow as tf

        self._surface_function = surfaces.SURFACES[surface_name].function
        self._point = keras.Variable(
            np.zeros(2), dtype="float64", trainable=True, name=f"{surface_name}_point"
        )
        # The learning rate is a placeholder: each run assigns the one asked for.
        self._optimizer = make_optimizer(optimizer_name, learning_rate=0.01)
        self._optimizer.build([self._point])
        # Freshly built state (Adagrad's accumulators start at 0.1, the rest at 0),
        # restored before each run so that runs do not see each other's history.
        self._initial_state = [variable.numpy() for variable in self._optimizer.variables]
        self._lock = threading.Lock()
        # Traced once, here: the inputs are tensors of fixed shape, so no later call can
        # need another trace, and calling the concrete function skips tf.function's
        # retracing checks (which would also warn, wrongly, about 35 loops that share
        # one Python function).
        self._loop = tf.function(self._make_loop(), autograph=False).get_concrete_function(
            tf.TensorSpec(shape=(2,), dtype=tf.float64),
            tf.TensorSpec(shape=(), dtype=tf.float32),
            tf.TensorSpec(shape=(), dtype=tf.int32),
        )

    def run(
        self, start: np.ndarray, learning_rate: float, steps: int
    ) -> tuple[np.ndarray, np.ndarray, int, bool]:
        """Returns the points (steps run + 1, 2), their losses, the steps run, in bounds."""
        import tensorflow as tf

        with self._lock:
            points, losses, n_steps_run, in_bounds = self._loop(
                tf.constant(start, dtype=tf.float64),
                tf.constant(learning_rate, dtype=tf.float32),
                tf.constant(steps, dtype=tf.int32),
            )
        return points.numpy(), losses.numpy(), int(n_steps_run), bool(in_bounds)

    def _make_loop(self) -> Any:
        import tensorflow as tf

        point, optimizer, surface_function = self._point, self._optimizer, self._surface_function

        def loss_of(values: tf.Tensor) -> tf.Tensor:
            return surface_function(values[0], values[1])

        def loop(start: tf.Tensor, learning_rate: tf.Tensor, steps: tf.Tensor) -> Any:
            for variable, initial_value in zip(
                optimizer.variables, self._initial_state, strict=True
            ):
                variable.assign(initial_value)
            optimizer.learning_rate = learning_rate
            point.assign(start)
            points = tf.TensorArray(tf.float64, size=steps + 1).write(0, start)
            losses = tf.TensorArray(tf.float64, size=steps + 1)

            def keep_going(step, in_bounds, points, losses):
                return tf.logical_and(step < steps, in_bounds)

            def take_step(step, in_bounds, points, losses):
                with tf.GradientTape() as tape:
                    loss = loss_of(point.value)
                gradient = tape.gradient(loss, point.value)
                optimizer.apply([gradient], [point])
                new_point = tf.convert_to_tensor(point.value)
                # NaN fails every comparison, so this also catches non-finite points.
                in_bounds = tf.reduce_all(tf.abs(new_point) <= DIVERGENCE_LIMIT)
                return (
                    step + 1,
                    in_bounds,
                    points.write(step + 1, new_point),
                    losses.write(step, loss),
                )

            n_steps_run, in_bounds, points, losses = tf.while_loop(
                keep_going, take_step, (tf.constant(0), tf.constant(True), points, losses)
            )
            losses = losses.write(n_steps_run, loss_of(tf.convert_to_tensor(point.value)))
            return points.stack(), losses.stack(), n_steps_run, in_bounds

        return loop


@functools.cache
def _compiled_run(surface_name: str, optimizer_name: str) -> _CompiledRun:
    # Kept for the life of the process (35 pairs at most): building and tracing one
    # costs about 0.2 s, running 300 steps through it again about 10 ms.
    return _CompiledRun(surface_name, optimizer_name)


def _checked_steps(steps: int) -> int:
    if (
        isinstance(steps, bool)
        or not isinstance(steps, int | np.integer)
        or not 1 <= steps <= MAX_STEPS
    ):
        raise ValueError(
            f"`steps` must be an integer from 1 to {MAX_STEPS}. Received: steps={steps!r}."
        )
    return int(steps)


def _checked_start(start: ArrayLike) -> np.ndarray:
    message = f"`start` must be a finite point (x, y). Received: start={start!r}."
    try:
        start_array = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(message) from error
    if start_array.shape != (2,) or not np.all(np.isfinite(start_array)):
        raise ValueError(message)
    return start_array
