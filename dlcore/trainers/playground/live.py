"""The Playground's training: a redraw on a clock, with the decision boundary and every neuron.

`fit` trains with Keras's own `model.fit`, while a `PlaygroundCallback` measures the
training and validation points after every epoch (Keras's names: "loss", "accuracy",
"val_loss", "val_accuracy", into a `History`) and, on a clock, hands the page a
`TrainingUpdate` with a `BoundarySnapshot`: the decision boundary and every hidden
neuron's picture over the square [-6, 6]^2. The test points are not looked at here:
`evaluate` scores them once, at the end.
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

from dlcore._checks import check_int, check_number
from dlcore.data import toy2d
from dlcore.runtime import memory  # noqa: F401  (imported for its fix: trained models are freed)
from dlcore.trainers.playground.config import Config
from dlcore.trainers.playground.model import PlaygroundData
from dlcore.training.compiling import epoch_batches
from dlcore.training.fit import EpochReport, FitResult, make_batches, run_fit
from dlcore.training.history import History


@dataclasses.dataclass(frozen=True)
class BoundarySnapshot:
    """The model's output and every hidden neuron's output over a square grid.

    Row i of every map is at x2 = `grid[i]`, column j at x1 = `grid[j]` (a heatmap's
    `z[y][x]`).

    Attributes:
        grid: float32, shape `(grid_size,)`, the coordinates from -6 to 6 on both axes.
        probabilities: float32 in [0, 1]: shape `(grid_size, grid_size)`, the probability
            of class 1, for 2 classes; `(grid_size, grid_size, n_classes)` for more.
        neurons: one float32 array per hidden layer, shape `(units, grid_size, grid_size)`,
            each neuron's activation (range set by the activation: tanh in [-1, 1]).
    """

    grid: np.ndarray
    probabilities: np.ndarray
    neurons: list[np.ndarray]


@dataclasses.dataclass(frozen=True)
class TrainingUpdate:
    """What the page redraws, handed to `on_update` on the clock and at the end.

    Attributes:
        epoch: epochs completed so far (1-based count).
        logs: this epoch's "loss", "accuracy" (training points) and "val_loss",
            "val_accuracy" (validation points); the losses are the cross-entropy
            without the L1/L2 penalty.
        snapshot: the `BoundarySnapshot` after this epoch.
        history: the whole `History` so far, for the curves (a page that follows a job in
            another process has no other copy of it).
    """

    epoch: int
    logs: dict[str, float]
    snapshot: BoundarySnapshot
    history: History


def boundary_grid(grid_size: int = 50) -> np.ndarray:
    """The coordinates of a snapshot's rows and columns: float32, `(grid_size,)`, -6 to 6."""
    return np.linspace(-toy2d.EXTENT, toy2d.EXTENT, grid_size, dtype=np.float32)


def boundary_snapshot(
    model: Any,
    config: Config,
    *,
    grid_size: int = 50,
    probe: Any = None,
) -> BoundarySnapshot:
    """Computes the decision boundary and every hidden neuron's map over [-6, 6]^2.

    One forward pass of a sub-model that returns all hidden layers' outputs and the
    class probabilities, called directly (not `predict`) on the `grid_size ** 2` points.

    Args:
        model: a model from `build_model(config)`.
        config: the `Config` the model was built with (for the features).
        grid_size: `int` >= 2, points per axis. Defaults to `50`.
        probe: a callable that maps `(n_points, n_features)` inputs to what
            `neuron_probe(model)` returns in inference mode, such as a `tf.function`
            around it, to reuse between snapshots; when `None`, a probe is built.

    Returns:
        A `BoundarySnapshot`.

    Raises:
        ValueError: If `grid_size` < 2.
    """
    check_int(grid_size, name="grid_size", minimum=2)
    grid = boundary_grid(grid_size)
    x1, x2 = np.meshgrid(grid, grid)  # row i: x2 = grid[i]; column j: x1 = grid[j]
    points = np.column_stack([x1.ravel(), x2.ravel()])
    if probe is None:
        probe = neuron_probe(model)
        outputs = probe(toy2d.feature_map(points, config.features), training=False)
    else:
        outputs = probe(toy2d.feature_map(points, config.features))
    # A network with no hidden layer has one output, which Keras returns unwrapped.
    if not isinstance(outputs, list | tuple):
        outputs = [outputs]
    outputs = [np.asarray(output, dtype=np.float32) for output in outputs]
    probabilities = outputs[-1].reshape(grid_size, grid_size, -1)
    if probabilities.shape[-1] == 2:
        probabilities = probabilities[..., 1]
    neurons = [
        np.moveaxis(output.reshape(grid_size, grid_size, -1), -1, 0) for output in outputs[:-1]
    ]
    return BoundarySnapshot(grid=grid, probabilities=probabilities, neurons=neurons)


def undecided_boundary(n_classes: int, *, grid_size: int = 50) -> np.ndarray:
    """The probabilities of a model that favours no class, for the plane before training:
    0.5 everywhere for 2 classes, `(grid_size, grid_size)`; else `1 / n_classes`,
    `(grid_size, grid_size, n_classes)`."""
    if n_classes == 2:
        return np.full((grid_size, grid_size), 0.5, dtype=np.float32)
    return np.full((grid_size, grid_size, n_classes), 1 / n_classes, dtype=np.float32)


def neuron_probe(model: Any) -> Any:
    """A sub-model sharing `model`'s layers that returns `[hidden_1, ..., output]`.

    Input shape:
        `(batch_size, n_features)`.

    Output shape:
        a list: `(batch_size, units_k)` per hidden layer, then `(batch_size, n_classes)`.
    """
    hidden = [layer.output for layer in model.layers if layer.name.startswith("hidden_")]
    return keras.Model(model.input, [*hidden, model.output], name="neuron_probe")


class PlaygroundCallback(keras.callbacks.Callback):
    """Records losses and accuracies each epoch and hands the page a redraw.

    After each epoch it measures the training and validation points into `history`, then
    (with `patience`) watches the validation loss, calls `on_epoch(EpochReport)` and asks
    `stop()`: true ends training after this epoch (the last epoch ends it anyway). Every
    `redraw_every` epochs (or, with `redraw_seconds`, at the first epoch end that many
    seconds after the last update), and at the end of training, it calls
    `on_update(TrainingUpdate)`. Epochs append to `history`, so a run that continues an
    earlier one (`fit` with `initial_epoch`) continues its curves.

    Args:
        data: the `PlaygroundData` to measure (its training and validation parts).
        config: the `Config` of the model.
        redraw_every: `int` >= 1, epochs between updates. Defaults to `5`.
        redraw_seconds: `float` > 0, or `None` (the default). If given, updates follow
            the clock instead of `redraw_every`: a steady number of redraws a second
            whether an epoch takes 5 ms or 500 ms.
        on_update: called as `on_update(update)`; `None` for no updates.
        on_epoch: called with an `EpochReport` after every epoch; `None` for none.
        stop: called with no argument after each epoch; `None` never stops.
        grid_size: points per axis of the snapshots. Defaults to `50`.
        history: the `History` to append to; a new one by default.
        patience: stop once the validation loss has not improved for this many epochs,
            and keep the weights of its best epoch; `None` never stops early.

    Attributes:
        history: the `History` of every run so far.
        stopped: whether `stop` ended the last run.
        stopped_early: whether early stopping ended the last run.
        best_epoch: with `patience`, the epoch of the lowest validation loss, whose
            weights the model holds after an early stop; else None.
        last_update: the last `TrainingUpdate` sent, or `None`.
    """

    def __init__(
        self,
        data: PlaygroundData,
        config: Config,
        *,
        redraw_every: int = 5,
        redraw_seconds: float | None = None,
        on_update: Callable[[TrainingUpdate], None] | None = None,
        on_epoch: Callable[[EpochReport], None] | None = None,
        stop: Callable[[], bool] | None = None,
        grid_size: int = 50,
        history: History | None = None,
        patience: int | None = None,
    ) -> None:
        super().__init__()
        check_int(redraw_every, name="redraw_every", minimum=1, unit="epoch between redraws")
        if redraw_seconds is not None:
            check_number(
                redraw_seconds, name="redraw_seconds", above=0, hint="(seconds between redraws)"
            )
        if patience is not None:
            check_int(patience, name="patience", minimum=1, unit="epoch without improvement")
        self.patience = patience
        self.redraw_seconds = redraw_seconds
        self.data = data
        self.config = config
        self.redraw_every = redraw_every
        self.on_update = on_update
        self.on_epoch = on_epoch
        self.stop = stop
        self.grid_size = grid_size
        self._features = np.concatenate([data.x_train, data.x_val])
        self._labels = np.concatenate([data.y_train, data.y_val])
        self._n_train = len(data.y_train)
        self.history = history if history is not None else History()
        self._reset()

    def _reset(self) -> None:
        self.stopped = False
        self.stopped_early = False
        self.best_epoch: int | None = None
        self._best_loss = math.inf
        self._best_weights: list[np.ndarray] | None = None
        self.last_update: TrainingUpdate | None = None
        self._started = self._last_update_time = time.perf_counter()
        self._probe = None
        self._evaluate = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._record(epoch + 1)
        if self.patience is not None:
            self._watch_validation_loss(epoch + 1)
        if self.on_epoch is not None:
            self.on_epoch(self._report(epoch + 1))
        final = epoch + 1 >= self.params.get("epochs", math.inf)
        if self.stop is not None and not final and not self.stopped_early and self.stop():
            self.stopped = True
            self.model.stop_training = True
        if self._update_due(epoch + 1):
            self._send()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_early and self._best_weights is not None:
            self.model.set_weights(self._best_weights)
            self._send()  # the picture of the weights kept
            return
        last = self.history.epochs[-1] if self.history.epochs else None
        if last is not None and (self.last_update is None or self.last_update.epoch != last):
            self._send()

    def _record(self, epoch: int) -> None:
        if self._evaluate is None:
            # Compiled once per run: a direct eager call costs about 2.5 times as much.
            model = self.model
            self._evaluate = tf.function(lambda inputs: model(inputs, training=False))
        probabilities = np.asarray(self._evaluate(self._features))
        picked = probabilities[np.arange(len(self._labels)), self._labels]
        losses = -np.log(np.clip(picked, 1e-7, 1.0))
        correct = np.argmax(probabilities, axis=1) == self._labels
        split = self._n_train
        self.history.append(
            epoch,
            {
                "loss": losses[:split].mean(),
                "accuracy": correct[:split].mean(),
                "val_loss": losses[split:].mean(),
                "val_accuracy": correct[split:].mean(),
            },
        )

    def _watch_validation_loss(self, epoch: int) -> None:
        val_loss = self.history.last("val_loss")
        if val_loss < self._best_loss:
            self._best_loss, self.best_epoch = val_loss, epoch
            self._best_weights = self.model.get_weights()
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_early = True
            self.model.stop_training = True

    def _report(self, epoch: int) -> EpochReport:
        return EpochReport(
            epoch=epoch,
            final_epoch=self.params.get("epochs", epoch),
            logs=self._logs(),
            history=self.history,
            weights=[np.array(weight) for weight in self.model.get_weights()],
            seconds=time.perf_counter() - self._started,
        )

    def _logs(self) -> dict[str, float]:
        return {name: values[-1] for name, values in self.history.metrics.items()}

    def _update_due(self, epoch: int) -> bool:
        if self.redraw_seconds is None:
            return epoch % self.redraw_every == 0
        return time.perf_counter() - self._last_update_time >= self.redraw_seconds

    def _send(self) -> None:
        if self.on_update is None:
            return
        if self._probe is None:
            probe = neuron_probe(self.model)
            self._probe = tf.function(lambda inputs: probe(inputs, training=False))
        update = TrainingUpdate(
            epoch=self.history.epochs[-1],
            logs=self._logs(),
            snapshot=boundary_snapshot(
                self.model, self.config, grid_size=self.grid_size, probe=self._probe
            ),
            history=self.history,
        )
        self.last_update = update
        self.on_update(update)
        # Counted from the end of the redraw, so that a slow page still trains between them.
        self._last_update_time = time.perf_counter()


def fit(
    model: Any,
    data: PlaygroundData,
    config: Config,
    *,
    epochs: int,
    on_epoch: Callable[[EpochReport], None] | None = None,
    patience: int | None = None,
    history: History | None = None,
    stop: Callable[[], bool] | None = None,
    redraw_every: int = 5,
    redraw_seconds: float | None = None,
    on_update: Callable[[TrainingUpdate], None] | None = None,
) -> FitResult:
    """Trains the model on the training points, reporting through a `PlaygroundCallback`.

    The training points keep the order `load_data` gave them (shuffled with the seed when
    drawn; Keras's own shuffle draws from global random state, which would break the
    seed), in batches of `config.batch_size`.

    Args:
        model: a model from `build_model(config, data)`.
        data: the `PlaygroundData` from `load_data(config)`.
        config: the `Config`.
        epochs: `int` >= 1, epochs to run in this call.
        on_epoch: called with an `EpochReport` after every epoch. Defaults to `None`.
        patience: stop once the validation loss has not improved for this many epochs
            and keep its best epoch's weights; `None` (the default) trains every epoch.
        history: the `History` of earlier runs of this model, to continue it: epochs go
            on from its length and are appended to it, so a caller that keeps it has
            every finished epoch even if training is interrupted. Defaults to a new one.
        stop: asked after every epoch; returning true ends training after that epoch.
            Defaults to `None`.
        redraw_every: `int` >= 1, epochs between `on_update` calls. Defaults to `5`.
        redraw_seconds: if given, `on_update` follows the clock instead: at the first
            epoch end this many seconds after the last update. Defaults to `None`.
        on_update: called with a `TrainingUpdate` every `redraw_every` epochs (or
            `redraw_seconds`) and at the end. Defaults to `None`.

    Returns:
        A `dlcore.training.fit.FitResult`; its `history` has "loss", "accuracy",
        "val_loss" and "val_accuracy" per epoch.

    Raises:
        ValueError: If `epochs` < 1, `redraw_every` < 1, `redraw_seconds` <= 0 or
            `patience` < 1.
    """
    check_int(epochs, name="epochs", minimum=1)
    callback = PlaygroundCallback(
        data,
        config,
        redraw_every=redraw_every,
        redraw_seconds=redraw_seconds,
        on_update=on_update,
        on_epoch=on_epoch,
        stop=stop,
        history=history,
        patience=patience,
    )
    result = run_fit(
        model,
        make_batches(data.x_train, data.y_train, batch_size=config.batch_size, seed=None),
        callback.history,
        epochs=epochs,
        steps_per_epoch=epoch_batches(len(data.y_train), config.batch_size),
        callbacks=[callback],
        initial_epoch=len(callback.history),
        stopper=callback,
    )
    # The callback stops early itself: it measures the validation points on its own.
    return dataclasses.replace(
        result, stopped_early=callback.stopped_early, best_epoch=callback.best_epoch
    )
