"""The Playground (MLP) trainer: 2-D data, a small MLP, its decision boundary and neurons.

The logic behind the Playground page, after TensorFlow Playground: a `PlaygroundConfig`
holds the page's settings; `make_data` draws the 2-D set and splits it; `build_model`
builds the compiled Keras MLP; `train` fits it while a `PlaygroundCallback` hands the
losses, accuracies and a `BoundarySnapshot` (the decision boundary and every hidden
neuron's picture over the square [-6, 6]^2) to a plain Python callable every few epochs;
`export_code` writes a standalone Keras script for the same configuration.

The output layer is always a softmax over `n_classes` (two units for two classes), trained
with sparse categorical cross-entropy, so that 2 and more classes share one code path.

Example:

>>> config = PlaygroundConfig(dataset="xor", hidden_layers=(8, 8))
>>> data = make_data(config)
>>> model = build_model(config)
>>> result = train(model, data, config, epochs=80)   # doctest: +SKIP
>>> result.test_accuracy > 0.95                       # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import textwrap
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split

from dlcore.data import toy2d
from dlcore.runtime import memory  # noqa: F401  (imported for its fix: trained models are freed)

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "elu", "gelu", "swish")
"""The hidden-layer activations the page offers (Keras names)."""

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
"""The optimizers the page offers; "momentum" is SGD with momentum 0.9."""

TWO_CLASS_DATASETS = ("xor", "moons")
"""Sets that only come with 2 classes; the others take any `n_classes` >= 2."""

MOMENTUM = 0.9
"""The momentum of the "momentum" optimizer."""


@dataclasses.dataclass(frozen=True)
class PlaygroundConfig:
    """The Playground page's settings: data, features, architecture and training.

    Attributes:
        dataset: one of `toy2d.TOY_DATASETS`: "circles", "xor", "gaussian", "spiral",
            "moons". Defaults to `"circles"`.
        noise: `float` in [0, 1], a fraction of the data's radius of 5. Defaults to `0.0`.
        n_samples: `int`, points drawn before the split. Defaults to `500`.
        test_fraction: `float` in (0, 1), the share of points held out. Defaults to `0.5`.
        n_classes: `int` >= 2; "xor" and "moons" take only 2. Defaults to `2`.
        features: names from `toy2d.FEATURE_NAMES`, the model's inputs.
            Defaults to `("x1", "x2")`.
        hidden_layers: units of each hidden layer; empty for no hidden layer.
            Defaults to `(4, 2)`.
        activation: one of `ACTIVATIONS`. Defaults to `"tanh"`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.03`.
        l1: `float` >= 0, the L1 penalty on every kernel. Defaults to `0.0`.
        l2: `float` >= 0, the L2 penalty on every kernel. Defaults to `0.0`.
        dropout: `float` in [0, 1), the dropout rate after each hidden layer.
            Defaults to `0.0`.
        batch_size: `int` >= 1. Defaults to `10`.
        seed: `int`, seeds the data, the split, the weights and the dropout. Defaults to `0`.
    """

    dataset: str = "circles"
    noise: float = 0.0
    n_samples: int = 500
    test_fraction: float = 0.5
    n_classes: int = 2
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    optimizer: str = "adam"
    learning_rate: float = 0.03
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_size: int = 10
    seed: int = 0

    def validate(self) -> PlaygroundConfig:
        """Checks that the settings make a network that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what is expected and what
                was received.
        """
        if self.dataset not in toy2d.TOY_DATASETS:
            raise ValueError(
                f"Unknown dataset. Choose one of: {', '.join(toy2d.TOY_DATASETS)}. "
                f"Received: dataset={self.dataset!r}."
            )
        if not _is_int(self.n_classes) or self.n_classes < 2:
            raise ValueError(
                f"`n_classes` must be an integer >= 2. Received: n_classes={self.n_classes!r}."
            )
        if self.dataset in TWO_CLASS_DATASETS and self.n_classes != 2:
            raise ValueError(
                f"The {self.dataset!r} set has exactly 2 classes; choose circles, gaussian or "
                f"spiral for more. Received: n_classes={self.n_classes!r}."
            )
        if not isinstance(self.noise, numbers.Real) or not 0.0 <= self.noise <= 1.0:
            raise ValueError(f"`noise` must be a number in [0, 1]. Received: noise={self.noise!r}.")
        if not isinstance(self.test_fraction, numbers.Real) or not 0 < self.test_fraction < 1:
            raise ValueError(
                "`test_fraction` must be a number strictly between 0 and 1. "
                f"Received: test_fraction={self.test_fraction!r}."
            )
        if not _is_int(self.n_samples) or self.n_samples < 1:
            raise ValueError(
                f"`n_samples` must be a positive integer. Received: n_samples={self.n_samples!r}."
            )
        n_test = math.ceil(self.n_samples * self.test_fraction)
        n_train = self.n_samples - n_test
        if min(n_train, n_test) < self.n_classes:
            raise ValueError(
                f"Too few points: the train and test parts need at least one point per class "
                f"({self.n_classes}) each; use more samples or a test fraction nearer 0.5. "
                f"Received: n_samples={self.n_samples!r}, test_fraction={self.test_fraction!r}."
            )
        if isinstance(self.features, str) or len(self.features) == 0:
            raise ValueError(
                "`features` must name at least one input feature, e.g. ('x1', 'x2'). "
                f"Received: features={self.features!r}."
            )
        unknown = [name for name in self.features if name not in toy2d.FEATURE_NAMES]
        if unknown:
            raise ValueError(
                f"Unknown feature {unknown[0]!r}. Valid features are: "
                f"{', '.join(toy2d.FEATURE_NAMES)}. Received: features={self.features!r}."
            )
        if len(set(self.features)) != len(self.features):
            raise ValueError(f"Each feature may appear once. Received: features={self.features!r}.")
        if isinstance(self.hidden_layers, str | int) or any(
            not _is_int(units) or units < 1 for units in self.hidden_layers
        ):
            raise ValueError(
                "`hidden_layers` must be a sequence of positive integers (units per layer); "
                "a layer with zero neurons passes nothing on, so remove it instead. "
                f"Received: hidden_layers={self.hidden_layers!r}."
            )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation. Choose one of: {', '.join(ACTIVATIONS)}. "
                f"Received: activation={self.activation!r}."
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer. Choose one of: {', '.join(OPTIMIZERS)}. "
                f"Received: optimizer={self.optimizer!r}."
            )
        if not isinstance(self.learning_rate, numbers.Real) or not self.learning_rate > 0:
            raise ValueError(
                "`learning_rate` must be a number > 0. "
                f"Received: learning_rate={self.learning_rate!r}."
            )
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"`{name}` must be a number >= 0. Received: {name}={value!r}.")
        if not isinstance(self.dropout, numbers.Real) or not 0 <= self.dropout < 1:
            raise ValueError(
                "`dropout` must be a number in [0, 1): a rate of 1 would drop every neuron. "
                f"Received: dropout={self.dropout!r}."
            )
        if not _is_int(self.batch_size) or self.batch_size < 1:
            raise ValueError(
                f"`batch_size` must be an integer >= 1. Received: batch_size={self.batch_size!r}."
            )
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self


@dataclasses.dataclass(frozen=True)
class PlaygroundData:
    """A Playground set, split and mapped to the model's input features.

    Attributes:
        x_train: float32, shape `(n_train, n_features)`, the features of the training points.
        y_train: int64, shape `(n_train,)`, labels in [0, n_classes).
        x_test: float32, shape `(n_test, n_features)`.
        y_test: int64, shape `(n_test,)`.
        points_train: float32, shape `(n_train, 2)`, the raw (x1, x2) in [-6, 6], for plots.
        points_test: float32, shape `(n_test, 2)`.
        feature_names: the feature names, in column order.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    points_train: np.ndarray
    points_test: np.ndarray
    feature_names: tuple[str, ...]


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
    """What the page redraws: handed to `on_update` every `redraw_every` epochs.

    Attributes:
        epoch: epochs completed so far (1-based count).
        train_loss: cross-entropy on the training points, without the L1/L2 penalty.
        test_loss: cross-entropy on the test points.
        train_accuracy: in [0, 1].
        test_accuracy: in [0, 1].
        snapshot: the `BoundarySnapshot` after this epoch.
    """

    epoch: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    snapshot: BoundarySnapshot


@dataclasses.dataclass
class PlaygroundHistory:
    """Per-epoch curves, one entry per completed epoch.

    Attributes:
        epoch: the 1-based epoch counts.
        train_loss: cross-entropy on the training points (no L1/L2 penalty).
        test_loss: cross-entropy on the test points.
        train_accuracy: in [0, 1].
        test_accuracy: in [0, 1].
    """

    epoch: list[int] = dataclasses.field(default_factory=list)
    train_loss: list[float] = dataclasses.field(default_factory=list)
    test_loss: list[float] = dataclasses.field(default_factory=list)
    train_accuracy: list[float] = dataclasses.field(default_factory=list)
    test_accuracy: list[float] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    """What `train` returns.

    Attributes:
        history: the `PlaygroundHistory`, earlier runs included when one was passed in.
        test_accuracy: the test accuracy after the last epoch, in [0, 1].
        epochs: epochs completed in this run (fewer than asked when stopped).
        seconds: wall time of the run, callbacks included.
        stopped: whether `should_stop` ended the run early.
        stopped_early: whether early stopping (`patience`) ended the run.
        best_epoch: with `patience`, the epoch whose weights the model keeps; else None.
    """

    history: PlaygroundHistory
    test_accuracy: float
    epochs: int
    seconds: float
    stopped: bool
    stopped_early: bool = False
    best_epoch: int | None = None


def make_data(config: PlaygroundConfig) -> PlaygroundData:
    """Draws the configured set, splits it and maps it to the input features.

    The split is scikit-learn's `train_test_split`, stratified by class, with
    `random_state=config.seed`.

    Args:
        config: the `PlaygroundConfig`; validated first.

    Returns:
        A `PlaygroundData` with `n_test = ceil(n_samples * test_fraction)` test points.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = make_data(PlaygroundConfig(features=("x1", "x2", "x1*x2")))
    >>> data.x_train.shape, data.points_test.shape
    ((250, 3), (250, 2))
    """
    config.validate()
    points, labels = toy2d.TOY_DATASETS[config.dataset](
        config.n_samples,
        noise=config.noise,
        n_classes=config.n_classes,
        seed=config.seed,
        return_X_y=True,
    )
    points_train, points_test, y_train, y_test = train_test_split(
        points,
        labels,
        test_size=config.test_fraction,
        stratify=labels,
        random_state=config.seed,
    )
    return PlaygroundData(
        x_train=toy2d.feature_map(points_train, config.features),
        y_train=y_train.astype(np.int64),
        x_test=toy2d.feature_map(points_test, config.features),
        y_test=y_test.astype(np.int64),
        points_train=points_train.astype(np.float32),
        points_test=points_test.astype(np.float32),
        feature_names=tuple(config.features),
    )


def build_model(config: PlaygroundConfig) -> Any:
    """Builds and compiles the configured MLP with the Functional API.

    Layers: `Input((n_features,))`, then per hidden layer a `Dense` named "hidden_1",
    "hidden_2", ... (L1/L2 kernel penalty when `l1` or `l2` > 0), followed by a `Dropout`
    named "dropout_1", ... when `dropout` > 0; then a `Dense` softmax "output" of
    `n_classes` units in float32. Layer k's kernel initializer is `GlorotUniform(seed + k)`
    (k from 0, the output last) and dropout k uses `seed + k`, so the same seed gives
    the same network without seeding global random state. Compiled with sparse
    categorical cross-entropy, accuracy and `steps_per_execution` = the steps of one
    epoch, so that a small-batch epoch runs as one TensorFlow call.

    Input shape:
        `(batch_size, n_features)`, the `feature_map` columns.

    Output shape:
        `(batch_size, n_classes)`, class probabilities that sum to 1.

    Args:
        config: the `PlaygroundConfig`; validated first.

    Returns:
        A compiled `keras.Model` named "playground_mlp".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    inputs = keras.Input((len(config.features),), name="features")
    outputs = inputs
    regularizer = (
        keras.regularizers.L1L2(l1=config.l1, l2=config.l2) if config.l1 or config.l2 else None
    )
    for index, units in enumerate(config.hidden_layers):
        outputs = keras.layers.Dense(
            units,
            activation=config.activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + index),
            kernel_regularizer=regularizer,
            name=f"hidden_{index + 1}",
        )(outputs)
        if config.dropout > 0:
            outputs = keras.layers.Dropout(
                config.dropout, seed=config.seed + index, name=f"dropout_{index + 1}"
            )(outputs)
    outputs = keras.layers.Dense(
        config.n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=config.seed + len(config.hidden_layers)
        ),
        kernel_regularizer=regularizer,
        dtype="float32",
        name="output",
    )(outputs)
    model = keras.Model(inputs, outputs, name="playground_mlp")
    model.compile(
        optimizer=_optimizer(keras, config),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=_steps_per_epoch(config),
    )
    return model


def boundary_snapshot(
    model: Any,
    config: PlaygroundConfig,
    *,
    grid_size: int = 50,
    probe: Any = None,
) -> BoundarySnapshot:
    """Computes the decision boundary and every hidden neuron's map over [-6, 6]^2.

    One forward pass of a sub-model that returns all hidden layers' outputs and the
    class probabilities, called directly (not `predict`) on the `grid_size ** 2` points.

    Args:
        model: a model from `build_model(config)`.
        config: the `PlaygroundConfig` the model was built with (for the features).
        grid_size: `int` >= 2, points per axis. Defaults to `50`.
        probe: a callable that maps `(n_points, n_features)` inputs to what
            `neuron_probe(model)` returns in inference mode, such as a `tf.function`
            around it, to reuse between snapshots; when `None`, a probe is built.

    Returns:
        A `BoundarySnapshot`.

    Raises:
        ValueError: If `grid_size` < 2.
    """
    if not _is_int(grid_size) or grid_size < 2:
        raise ValueError(f"`grid_size` must be an integer >= 2. Received: grid_size={grid_size!r}.")
    grid = np.linspace(-toy2d.EXTENT, toy2d.EXTENT, grid_size, dtype=np.float32)
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

    Every `redraw_every` epochs (or, with `redraw_seconds`, at the first epoch end that
    many seconds after the last update), and at the end of training, it calls
    `on_update(TrainingUpdate)` with the losses, accuracies and a `BoundarySnapshot`.
    After each epoch it asks `should_stop()`; if true, it sets
    `model.stop_training = True`, so training ends after the current epoch, and the
    history stays on the callback. Epochs append to `history`, so a run that continues
    an earlier one (`fit` with `initial_epoch`) continues its curves.

    Args:
        data: the `PlaygroundData` to measure.
        config: the `PlaygroundConfig` of the model.
        redraw_every: `int` >= 1, epochs between updates. Defaults to `5`.
        redraw_seconds: `float` > 0, or `None` (the default). If given, updates follow
            the clock instead of `redraw_every`: a steady number of redraws a second
            whether an epoch takes 5 ms or 500 ms.
        on_update: called as `on_update(update)`; `None` for no updates.
        should_stop: called with no argument after each epoch; `None` never stops.
        grid_size: points per axis of the snapshots. Defaults to `50`.
        history: the `PlaygroundHistory` to append to; a new one by default.
        patience: stop once the test loss has not improved for this many epochs, and
            keep the weights of its best epoch; `None` never stops early.

    Attributes:
        history: the `PlaygroundHistory` of every run so far.
        stopped: whether `should_stop` ended the last run.
        stopped_early: whether early stopping ended the last run.
        best_epoch: with `patience`, the epoch of the lowest test loss, whose weights
            the model holds after training; else None.
        last_update: the last `TrainingUpdate` sent, or `None`.
    """

    def __init__(
        self,
        data: PlaygroundData,
        config: PlaygroundConfig,
        *,
        redraw_every: int = 5,
        redraw_seconds: float | None = None,
        on_update: Callable[[TrainingUpdate], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        grid_size: int = 50,
        history: PlaygroundHistory | None = None,
        patience: int | None = None,
    ) -> None:
        super().__init__()
        if not _is_int(redraw_every) or redraw_every < 1:
            raise ValueError(
                "`redraw_every` must be an integer >= 1 (epochs between redraws). "
                f"Received: redraw_every={redraw_every!r}."
            )
        if redraw_seconds is not None and (not _is_real(redraw_seconds) or redraw_seconds <= 0):
            raise ValueError(
                "`redraw_seconds` must be a number > 0 (seconds between redraws), or None. "
                f"Received: redraw_seconds={redraw_seconds!r}."
            )
        if patience is not None and (not _is_int(patience) or patience < 1):
            raise ValueError(
                "`patience` must be an integer >= 1 (epochs without improvement), or None. "
                f"Received: patience={patience!r}."
            )
        self.patience = patience
        self.redraw_seconds = redraw_seconds
        self.data = data
        self.config = config
        self.redraw_every = redraw_every
        self.on_update = on_update
        self.should_stop = should_stop
        self.grid_size = grid_size
        self._features = np.concatenate([data.x_train, data.x_test])
        self._labels = np.concatenate([data.y_train, data.y_test])
        self._n_train = len(data.y_train)
        self.history = history if history is not None else PlaygroundHistory()
        self._reset()

    def _reset(self) -> None:
        self.stopped = False
        self.stopped_early = False
        self.best_epoch: int | None = None
        self._best_loss = math.inf
        self._best_weights: list[np.ndarray] | None = None
        self.last_update: TrainingUpdate | None = None
        self._last_update_time = time.perf_counter()
        self._probe = None
        self._evaluate = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._record(epoch + 1)
        if self.patience is not None:
            self._watch_test_loss(epoch + 1)
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
            self.model.stop_training = True
        if self._update_due(epoch + 1):
            self._send()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_early and self._best_weights is not None:
            self.model.set_weights(self._best_weights)
            self._send()  # the picture of the weights kept
            return
        last = self.history.epoch[-1] if self.history.epoch else None
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
        history = self.history
        history.epoch.append(epoch)
        history.train_loss.append(float(losses[:split].mean()))
        history.test_loss.append(float(losses[split:].mean()))
        history.train_accuracy.append(float(correct[:split].mean()))
        history.test_accuracy.append(float(correct[split:].mean()))

    def _watch_test_loss(self, epoch: int) -> None:
        test_loss = self.history.test_loss[-1]
        if test_loss < self._best_loss:
            self._best_loss, self.best_epoch = test_loss, epoch
            self._best_weights = self.model.get_weights()
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_early = True
            self.model.stop_training = True

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
        history = self.history
        update = TrainingUpdate(
            epoch=history.epoch[-1],
            train_loss=history.train_loss[-1],
            test_loss=history.test_loss[-1],
            train_accuracy=history.train_accuracy[-1],
            test_accuracy=history.test_accuracy[-1],
            snapshot=boundary_snapshot(
                self.model, self.config, grid_size=self.grid_size, probe=self._probe
            ),
        )
        self.last_update = update
        self.on_update(update)
        # Counted from the end of the redraw, so that a slow page still trains between them.
        self._last_update_time = time.perf_counter()


def train(
    model: Any,
    data: PlaygroundData,
    config: PlaygroundConfig,
    *,
    epochs: int,
    redraw_every: int = 5,
    redraw_seconds: float | None = None,
    on_update: Callable[[TrainingUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    history: PlaygroundHistory | None = None,
    patience: int | None = None,
) -> TrainingResult:
    """Trains the model on the training points, reporting through a `PlaygroundCallback`.

    The training points keep the order `make_data` gave them, shuffled with the seed
    (Keras's own shuffle draws from global random state, which would break the seed), in
    batches of `config.batch_size`.

    Args:
        model: a model from `build_model(config)`.
        data: the `PlaygroundData` from `make_data(config)`.
        config: the `PlaygroundConfig`.
        epochs: `int` >= 1, epochs to run in this call.
        redraw_every: `int` >= 1, epochs between `on_update` calls. Defaults to `5`.
        redraw_seconds: if given, `on_update` follows the clock instead: at the first
            epoch end this many seconds after the last update. Defaults to `None`.
        on_update: called with a `TrainingUpdate` every `redraw_every` epochs (or
            `redraw_seconds`) and at the end. Defaults to `None`.
        should_stop: asked after every epoch; returning true ends training after that
            epoch. Defaults to `None`.
        history: the `PlaygroundHistory` of earlier runs of this model, to continue it:
            epochs go on from its length and are appended to it, so a caller that keeps it
            has every finished epoch even if training is interrupted. Defaults to a new one.
        patience: stop once the test loss has not improved for this many epochs and keep
            its best epoch's weights; `None` (the default) trains every epoch.

    Returns:
        A `TrainingResult`.

    Raises:
        ValueError: If `epochs` < 1, `redraw_every` < 1 or `redraw_seconds` <= 0.
    """
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}.")
    callback = PlaygroundCallback(
        data,
        config,
        redraw_every=redraw_every,
        redraw_seconds=redraw_seconds,
        on_update=on_update,
        should_stop=should_stop,
        history=history,
        patience=patience,
    )
    initial_epoch = len(callback.history.epoch)
    # A repeated tf.data set with a fixed number of steps per epoch, rather than NumPy
    # arrays: Keras then keeps one iterator for the whole run, which with
    # `steps_per_execution` makes a small-batch epoch about 6 times faster on a CPU.
    batches = (
        tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train))
        .batch(config.batch_size)
        .cache()
        .repeat()
    )
    started = time.perf_counter()
    model.fit(
        batches,
        epochs=initial_epoch + epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=math.ceil(len(data.y_train) / config.batch_size),
        shuffle=False,
        verbose=0,
        callbacks=[callback],
    )
    seconds = time.perf_counter() - started
    history = callback.history
    return TrainingResult(
        history=history,
        test_accuracy=history.test_accuracy[-1],
        epochs=len(history.epoch) - initial_epoch,
        seconds=seconds,
        stopped=callback.stopped,
        stopped_early=callback.stopped_early,
        best_epoch=callback.best_epoch,
    )


def export_code(config: PlaygroundConfig, *, epochs: int = 200) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs only numpy, scikit-learn and Keras (no `dlcore`): it inlines the
    set's generator (the same drawing as `dlcore.data.toy2d`, so the same seed gives the
    same points), the feature map, the stratified split, the same model and optimizer,
    trains with `python script.py --epochs N` and prints "Test accuracy: 0.xxxx".

    Args:
        config: the `PlaygroundConfig`; validated first.
        epochs: `int` >= 1, the script's default `--epochs`. Defaults to `200`.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}.")
    feature_code = {
        "x1": "x1",
        "x2": "x2",
        "x1^2": "x1**2",
        "x2^2": "x2**2",
        "x1*x2": "x1 * x2",
        "sin(x1)": "np.sin(x1)",
        "sin(x2)": "np.sin(x2)",
    }
    columns = ", ".join(feature_code[name] for name in config.features)
    optimizer = {
        "sgd": "keras.optimizers.SGD(learning_rate=LEARNING_RATE)",
        "momentum": f"keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum={MOMENTUM})",
        "adam": "keras.optimizers.Adam(learning_rate=LEARNING_RATE)",
        "rmsprop": "keras.optimizers.RMSprop(learning_rate=LEARNING_RATE)",
        "adagrad": "keras.optimizers.Adagrad(learning_rate=LEARNING_RATE)",
    }[config.optimizer]
    regularizer = "keras.regularizers.L1L2(l1=L1, l2=L2)" if config.l1 or config.l2 else "None"
    dropout = (
        "        x = keras.layers.Dropout(DROPOUT, seed=SEED + index, "
        'name=f"dropout_{index + 1}")(x)\n'
        if config.dropout > 0
        else ""
    )
    header = f'''\
"""Playground MLP: {config.dataset} data, hidden layers {list(config.hidden_layers)}.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
Run: python this_script.py --epochs {epochs}
"""

import argparse
import math

import keras
import numpy as np
from sklearn.model_selection import train_test_split

DATASET = {config.dataset!r}
NOISE = {float(config.noise)!r}
N_SAMPLES = {config.n_samples!r}
TEST_FRACTION = {float(config.test_fraction)!r}
N_CLASSES = {config.n_classes!r}
FEATURES = {list(config.features)!r}
HIDDEN_LAYERS = {list(config.hidden_layers)!r}
ACTIVATION = {config.activation!r}
LEARNING_RATE = {float(config.learning_rate)!r}
L1 = {float(config.l1)!r}
L2 = {float(config.l2)!r}
DROPOUT = {float(config.dropout)!r}
BATCH_SIZE = {config.batch_size!r}
SEED = {config.seed!r}
RADIUS = 5.0  # the exact shapes lie within this distance of the origin on each axis
EXTENT = 6.0  # every point lies in [-EXTENT, EXTENT]^2, noise included
'''
    body = f'''

def finish(points, labels, rng):
    """Move each coordinate by up to NOISE * RADIUS, clip to the square, shuffle."""
    points = points + rng.uniform(-NOISE * RADIUS, NOISE * RADIUS, size=points.shape)
    order = rng.permutation(len(labels))
    return np.clip(points[order], -EXTENT, EXTENT).astype(np.float32), labels[order]


def make_points():
    """The {config.dataset} set: points (N_SAMPLES, 2) in [-6, 6] and labels (N_SAMPLES,)."""
    rng = np.random.default_rng(SEED)
    labels = np.arange(N_SAMPLES, dtype=np.int64) % N_CLASSES  # balanced classes
{textwrap.indent(_GENERATORS[config.dataset], "    ")}
    return finish(points, labels, rng)


def feature_map(points):
    """The model's inputs, shape (n, {len(config.features)}): {", ".join(config.features)}."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([{columns}]).astype(np.float32)


def build_model():
    """Dense layers with seeded initializers, then a softmax over the classes."""
    regularizer = {regularizer}
    inputs = keras.Input((len(FEATURES),))
    x = inputs
    for index, units in enumerate(HIDDEN_LAYERS):
        x = keras.layers.Dense(
            units,
            activation=ACTIVATION,
            kernel_initializer=keras.initializers.GlorotUniform(seed=SEED + index),
            kernel_regularizer=regularizer,
            name=f"hidden_{{index + 1}}",
        )(x)
{dropout}    outputs = keras.layers.Dense(
        N_CLASSES,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=SEED + len(HIDDEN_LAYERS)),
        kernel_regularizer=regularizer,
        name="output",
    )(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer={optimizer},
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default={epochs})
    args = parser.parse_args()
    points, labels = make_points()
    points_train, points_test, y_train, y_test = train_test_split(
        points, labels, test_size=TEST_FRACTION, stratify=labels, random_state=SEED
    )
    x_train, x_test = feature_map(points_train), feature_map(points_test)
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    model = build_model()
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        shuffle=False,  # the points are already shuffled with SEED
        validation_data=(x_test, y_test),
        verbose=2,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {{loss:.4f}}")
    print(f"Test accuracy: {{accuracy:.4f}}")


if __name__ == "__main__":
    main()
'''
    return header + body


# The inline generators of `export_code`: the same drawing as `dlcore.data.toy2d`.
_GENERATORS = {
    "circles": """\
width = RADIUS / N_CLASSES  # class 0: a disc; class k: a ring from (k + 0.4) w to (k + 1) w
inner = np.where(labels == 0, 0.0, (labels + 0.4) * width)
radii = rng.uniform(inner, (labels + 1) * width)
angles = rng.uniform(0.0, 2.0 * math.pi, size=N_SAMPLES)
points = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])""",
    "xor": """\
sizes = rng.uniform(0.3, RADIUS, size=(N_SAMPLES, 2))  # keep 0.3 away from the axes
x1_signs = rng.choice([-1.0, 1.0], size=N_SAMPLES)
x2_signs = np.where(labels == 0, x1_signs, -x1_signs)  # class 0: same signs
points = sizes * np.column_stack([x1_signs, x2_signs])""",
    "gaussian": """\
angles = math.pi / 4.0 + 2.0 * math.pi * np.arange(N_CLASSES) / N_CLASSES
centers = 2.0 * math.sqrt(2.0) * np.column_stack([np.cos(angles), np.sin(angles)])
points = centers[labels] + rng.normal(0.0, math.sqrt(0.5), size=(N_SAMPLES, 2))""",
    "spiral": """\
positions = rng.uniform(0.0, 1.0, size=N_SAMPLES)  # each arm turns 1.75 times
radii = RADIUS * positions
angles = 2.0 * math.pi * (1.75 * positions + labels / N_CLASSES)
points = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])""",
    "moons": """\
from sklearn.datasets import make_moons  # exact half circles, scaled to [-5, 5]

points, labels = make_moons(N_SAMPLES, shuffle=False, noise=None)
points = (points - [0.5, 0.25]) * (10.0 / 3.0)""",
}


def _optimizer(keras: Any, config: PlaygroundConfig) -> Any:
    rate = config.learning_rate
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate)
    if config.optimizer == "momentum":
        return keras.optimizers.SGD(learning_rate=rate, momentum=MOMENTUM)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=rate)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adagrad(learning_rate=rate)


def _steps_per_epoch(config: PlaygroundConfig) -> int:
    n_train = config.n_samples - math.ceil(config.n_samples * config.test_fraction)
    return max(1, math.ceil(n_train / config.batch_size))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
