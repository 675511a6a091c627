"""Live training shared by the trainer pages: `fit` with reports, a real stop, early stopping.

Every trainer (CNN, sequences, residual networks, video) trains through `fit_live`: Keras's
own `model.fit` on a repeated, cached `tf.data` pipeline. `EagerValidation` measures the
held-out set eagerly (tracing a test function would cost more than all later validations
together), and a `LiveCallback` after each epoch records the metrics into a `History`,
copies the weights, and hands an `EpochReport` to a plain Python callable. A page adapts
that callable to its live chart and keeps the report in its session, so that a Stop that
interrupts `fit` (Streamlit raises in the middle of it) still leaves the last finished
epoch's model and history; `restore_weights` puts that epoch's weights back. A caller that
does not raise (a job runner) passes `stop`, asked after every epoch.

Example:

>>> history = fit_live(model, (x_train, y_train), (x_val, y_val), epochs=10,
...                    batch_size=64, on_epoch=print).history  # doctest: +SKIP
>>> history.last("val_accuracy")                                # doctest: +SKIP
0.98
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from dlcore._checks import check_int
from dlcore.runtime import memory  # noqa: F401  (imported for its fix: trained models are freed)
from dlcore.training.evaluation import measure_eagerly
from dlcore.training.history import History

PROGRESS_SECONDS = 0.5
"""Longest wait between two `on_progress` calls inside an epoch."""

VALIDATION_CHUNK = 512
"""Held-out samples `EagerValidation` measures in one call."""


@dataclasses.dataclass(frozen=True)
class EpochReport:
    """What `on_epoch` receives after each finished epoch.

    Attributes:
        epoch: epochs finished so far, counting earlier runs (1-based).
        final_epoch: the epoch this run ends at if nothing stops it.
        logs: this epoch's metrics, e.g. `{"loss": 0.3, "val_accuracy": 0.9}`.
        history: the whole `History` so far (the same object every time).
        weights: a copy of the model's weights at the end of this epoch, for
            `restore_weights`.
        seconds: wall time since this run began.
    """

    epoch: int
    final_epoch: int
    logs: dict[str, float]
    history: History
    weights: list[np.ndarray]
    seconds: float


@dataclasses.dataclass(frozen=True)
class FitResult:
    """What `fit_live` returns.

    Attributes:
        history: the `History`, earlier runs included when one was passed in.
        epochs_run: epochs finished in this call.
        seconds: wall time of this call.
        stopped_early: whether early stopping ended the run.
        best_epoch: with early stopping, the epoch whose weights the model holds; else None.
        stopped: whether `stop()` ended the run before its last epoch.
    """

    history: History
    epochs_run: int
    seconds: float
    stopped_early: bool
    best_epoch: int | None
    stopped: bool = False


class LiveCallback(keras.callbacks.Callback):
    """Reports each finished epoch to `on_epoch`, and progress within it to `on_progress`.

    Args:
        history: the `History` to append to.
        final_epoch: the epoch number the run ends at, for the reports.
        on_epoch: called as `on_epoch(EpochReport)` after every epoch; `None` for nothing.
        on_progress: called as `on_progress(epoch, fraction)` at most every
            `PROGRESS_SECONDS` inside an epoch, with `fraction` in [0, 1); `None` for nothing.
        steps_per_epoch: batches per epoch, to turn batch numbers into a fraction.
    """

    def __init__(
        self,
        history: History,
        *,
        final_epoch: int,
        on_epoch: Callable[[EpochReport], None] | None = None,
        on_progress: Callable[[int, float], None] | None = None,
        steps_per_epoch: int = 1,
    ) -> None:
        super().__init__()
        self.history = history
        self.final_epoch = final_epoch
        self.on_epoch = on_epoch
        self.on_progress = on_progress
        self.steps_per_epoch = steps_per_epoch
        self._started = time.perf_counter()
        self._last_progress = self._started
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        now = time.perf_counter()
        if self.on_progress is None or now - self._last_progress < PROGRESS_SECONDS:
            return
        self._last_progress = now
        self.on_progress(self._epoch, min((batch + 1) / self.steps_per_epoch, 0.999))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.history.append(epoch + 1, logs or {})
        if self.on_epoch is None:
            return
        report = EpochReport(
            epoch=epoch + 1,
            final_epoch=self.final_epoch,
            logs={name: float(value) for name, value in (logs or {}).items()},
            history=self.history,
            weights=[np.array(weight) for weight in self.model.get_weights()],
            seconds=time.perf_counter() - self._started,
        )
        self._last_progress = time.perf_counter()
        self.on_epoch(report)


class EagerValidation(keras.callbacks.Callback):
    """Measures a held-out set after each epoch, as `fit(validation_data=...)` does, but
    without tracing a test function.

    The first time `fit` validates, Keras traces a test function, which for the trainers'
    small models and held-out sets costs more than all later validations together: 0.22 s
    for the digits CNN, against 12 ms for each later epoch. This callback runs the model's
    own `test_step` eagerly instead, on chunks of `VALIDATION_CHUNK` samples, and adds the
    same "val_" metrics to the epoch's logs for the callbacks after it.

    Args:
        inputs: the held-out inputs, an array of shape `(n, ...)` or a dict of such arrays.
        targets: their targets, an array of shape `(n, ...)` or a dict of such arrays.
    """

    def __init__(self, inputs: Any, targets: Any) -> None:
        super().__init__()
        self.inputs = inputs
        self.targets = targets

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        results = measure_eagerly(self.model, self.inputs, self.targets, chunk=VALIDATION_CHUNK)
        logs.update({f"val_{name}": value for name, value in results.items()})


def make_batches(
    inputs: Any, targets: np.ndarray, *, batch_size: int, seed: int | None = None
) -> tf.data.Dataset:
    """A cached, repeated `tf.data` pipeline of `(inputs, targets)` batches.

    Keras then keeps one iterator for the whole run instead of one per epoch, which with
    `steps_per_execution` makes small-batch epochs several times faster on a CPU.

    Args:
        inputs: an array of shape `(n, ...)`, or a dict of such arrays.
        targets: array of shape `(n, ...)`, or a dict of such arrays.
        batch_size: `int` >= 1.
        seed: shuffles the samples again every epoch with this seed; None keeps the order.

    Returns:
        An endless `tf.data.Dataset`: pass `steps_per_epoch` to `fit`.
    """
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).cache()
    if seed is not None:
        dataset = dataset.shuffle(_n_samples(targets), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE)


def fit_live(
    model: Any,
    train: tuple[Any, np.ndarray],
    validation: tuple[Any, np.ndarray] | None = None,
    *,
    epochs: int,
    batch_size: int = 32,
    seed: int | None = 0,
    patience: int | None = None,
    monitor: str = "val_loss",
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    stop: Callable[[], bool] | None = None,
    extra_callbacks: list[Any] | None = None,
) -> FitResult:
    """Trains a compiled model with `fit`, reporting each epoch; continues a `history`.

    Args:
        model: a compiled `keras.Model`.
        train: `(inputs, targets)`, NumPy arrays with the samples on axis 0 (inputs may be
            a dict of arrays, and so may targets, for a model with several outputs).
        validation: `(inputs, targets)` measured after each epoch (the "val_" metrics), or
            None.
        epochs: `int` >= 1, epochs to run in this call.
        batch_size: `int` >= 1. Defaults to 32.
        seed: reshuffles the training samples every epoch with this seed; None keeps their
            order. Defaults to 0.
        patience: with a validation set, stop once `monitor` has not improved for this many
            epochs and keep the best epoch's weights (Keras's `EarlyStopping`); None trains
            every epoch.
        monitor: the metric early stopping watches. Defaults to "val_loss".
        history: a `History` from an earlier call on the same model, to continue it: epoch
            numbers go on from its length. Defaults to a new one.
        on_epoch: called with an `EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.
        stop: asked after every epoch (after `on_epoch`); True ends the run there, with
            that epoch's weights. None trains every epoch.
        extra_callbacks: more Keras callbacks for `fit`.

    Returns:
        A `FitResult`.

    Raises:
        ValueError: If `epochs` or `batch_size` < 1, `patience` < 1, the training set is
            empty, or early stopping is asked for without a validation set.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(
            "`epochs` and `batch_size` must be at least 1. "
            f"Received: epochs={epochs}, batch_size={batch_size}."
        )
    inputs, targets = train
    n_samples = _n_samples(targets)
    if n_samples == 0:
        raise ValueError("The training set is empty: there is nothing to train on.")
    if patience is not None and (patience < 1 or validation is None):
        raise ValueError(
            "Early stopping needs a validation set and a patience of at least 1 epoch. "
            f"Received: patience={patience}, validation={'given' if validation else None}."
        )
    history = history if history is not None else History()
    initial_epoch = len(history)
    steps_per_epoch = math.ceil(n_samples / batch_size)
    live = LiveCallback(
        history,
        final_epoch=initial_epoch + epochs,
        on_epoch=on_epoch,
        on_progress=on_progress,
        steps_per_epoch=steps_per_epoch,
    )
    callbacks: list[Any] = [*(extra_callbacks or [])]
    early_stopping = None
    if patience is not None:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=monitor, patience=patience, restore_best_weights=True
        )
        callbacks.append(early_stopping)
    # The live callback goes last: it reports what the others decided this epoch.
    callbacks.append(live)
    asked_to_stop = StopWhenAsked(stop) if stop is not None else None
    if asked_to_stop is not None:
        callbacks.append(asked_to_stop)
    if validation is not None:
        # First: the callbacks after it read the "val_" metrics it adds.
        callbacks.insert(0, EagerValidation(*validation))
    return run_fit(
        model,
        make_batches(inputs, targets, batch_size=batch_size, seed=seed),
        history,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        initial_epoch=initial_epoch,
        early_stopping=early_stopping,
        stopper=asked_to_stop,
    )


def run_fit(
    model: Any,
    batches: tf.data.Dataset,
    history: History,
    *,
    epochs: int,
    steps_per_epoch: int,
    callbacks: list[Any],
    initial_epoch: int = 0,
    early_stopping: keras.callbacks.EarlyStopping | None = None,
    stopper: Any = None,
) -> FitResult:
    """Runs Keras's `fit`, silent, on an endless pipeline that shuffles itself; says how it went.

    What every trainer's loop ends with, whatever its callbacks record and report.

    Args:
        model: a compiled `keras.Model`.
        batches: an endless `tf.data.Dataset` of batches (`make_batches`), shuffled with
            the trainer's seed: Keras's own shuffle draws from global random state.
        history: the `History` the callbacks append to; the result counts the entries
            this run adds.
        epochs: `int` >= 1, epochs to run from `initial_epoch`.
        steps_per_epoch: `int` >= 1, batches per epoch.
        callbacks: the Keras callbacks, in the order they run.
        initial_epoch: Keras's epoch to go on from (the epochs of earlier runs).
            Defaults to 0.
        early_stopping: the `keras.callbacks.EarlyStopping` among `callbacks`, or None.
            It gives the result's `stopped_early`, and its `best_epoch`: the history's
            epoch of this run where the metric it monitors is lowest.
        stopper: the callback among `callbacks` that ends the run when asked, with a
            `stopped` flag; or None.

    Returns:
        The `FitResult`.
    """
    first_entry = len(history)
    started = time.perf_counter()
    model.fit(
        batches,
        epochs=initial_epoch + epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=steps_per_epoch,
        shuffle=False,  # the pipeline shuffles with the seed
        verbose=0,
        callbacks=callbacks,
    )
    best_epoch = None
    if early_stopping is not None and history.metrics.get(early_stopping.monitor):
        run_values = history.metrics[early_stopping.monitor][first_entry:]
        best_epoch = history.epochs[first_entry + int(np.argmin(run_values))]
    epochs_run = len(history) - first_entry
    return FitResult(
        history=history,
        epochs_run=epochs_run,
        seconds=time.perf_counter() - started,
        # Keras's EarlyStopping also "stops" when its patience runs out on the last epoch.
        stopped_early=bool(
            early_stopping is not None and early_stopping.stopped_epoch > 0 and epochs_run < epochs
        ),
        best_epoch=best_epoch,
        stopped=bool(stopper is not None and stopper.stopped),
    )


def fit_split(
    model: Any,
    data: Any,
    config: Any,
    *,
    epochs: int,
    on_epoch: Callable[[Any], None] | None = None,
    patience: int | None = None,
    history: History | None = None,
    stop: Callable[[], bool] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    train: tuple[Any, Any] | None = None,
    validation: tuple[Any, Any] | None = None,
    validate: bool = True,
) -> FitResult:
    """A trainer's `fit`: trains on the training part, measuring validation every epoch.

    `fit_live` in batches of `config.batch_size`, reshuffled every epoch with
    `config.seed`. "val_loss" and the other "val_" metrics are measured on the
    validation part after each epoch, and early stopping and the best epoch watch it; the
    test part is left for `evaluate`, once, at the end.

    Args:
        model: a model from the trainer's `build_model(config, data)`.
        data: the trainer's `load_data(config)`, a `dlcore.data.split.SplitData`.
        config: the trainer's `Config` (for `batch_size` and `seed`).
        epochs: `int` >= 1, epochs to run in this call.
        on_epoch: called with an `EpochReport` after every epoch.
        patience: stop once the validation loss has not improved for this many epochs
            and keep the best epoch's weights; None trains every epoch. Defaults to None.
        history: a `History` from an earlier call on the same model, to continue it.
        stop: asked after every epoch; True ends the run there.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.
        train: `(inputs, targets)` trained on instead of `data.train`, for a trainer
            that repeats or reshapes its training part. Defaults to `data.train`.
        validation: `(inputs, targets)` measured instead of `data.validation`.
            Defaults to `data.validation`.
        validate: `bool`, False to measure no validation part (a trainer whose data
            is too small for one). Defaults to True.

    Returns:
        The `FitResult`.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    check_int(epochs, name="epochs", minimum=1, hint="Training needs at least one epoch")
    return fit_live(
        model,
        data.train if train is None else train,
        (data.validation if validation is None else validation) if validate else None,
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        patience=patience,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
        stop=stop,
    )


class StopWhenAsked(keras.callbacks.Callback):
    """Ends `fit` after the epoch at whose end `stop()` says so (it is not asked after the
    last epoch: ending there is no stop); `stopped` says whether it did."""

    def __init__(self, stop: Callable[[], bool]) -> None:
        super().__init__()
        self.stop = stop
        self.stopped = False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.params and epoch + 1 >= self.params.get("epochs", 0):
            return  # the last epoch: ending here is not a stop
        if self.stop():
            self.stopped = True
            self.model.stop_training = True


def _n_samples(targets: Any) -> int:
    """Samples in the targets: an array, or a dict of arrays (a model with several outputs)."""
    if isinstance(targets, dict):
        return len(next(iter(targets.values()))) if targets else 0
    return len(targets)


def restore_weights(model: Any, weights: list[np.ndarray]) -> None:
    """Puts back the weights an `EpochReport` copied (after a Stop in mid-epoch)."""
    model.set_weights(weights)
