"""The Playground's data and network: 2-D points split three ways, and the MLP that learns them."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import keras
import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import toy2d
from dlcore.data.split import SplitData, split_as_configured
from dlcore.trainers.playground.config import Config
from dlcore.training.evaluation import test_scores


@dataclasses.dataclass(frozen=True)
class PlaygroundData(SplitData):
    """A Playground set, split three ways and mapped to the model's input features.

    `x_train`, `x_val`, `x_test`: float32, shape `(n, n_features)`, the `feature_map`
    columns; `y_train`, `y_val`, `y_test`: int64, shape `(n,)`, labels in
    [0, n_classes). `labels` are "class 0", "class 1", ...; `preprocessing` is
    `{"features": [...]}`, the feature names a try-it page computes from a point.

    Attributes:
        points_train: float32, shape `(n_train, 2)`, the raw (x1, x2) in [-6, 6], for plots.
        points_val: float32, shape `(n_val, 2)`.
        points_test: float32, shape `(n_test, 2)`.
        feature_names: the feature names, in column order.
    """

    points_train: np.ndarray
    points_val: np.ndarray
    points_test: np.ndarray
    feature_names: tuple[str, ...]


def load_data(config: Config) -> PlaygroundData:
    """Draws the configured set, splits it three ways and maps it to the input features.

    The split is `dlcore.data.split.split_indices`, stratified by class, with
    `seed=config.seed`: `ceil(n_samples * test_fraction)` test points, then
    `ceil(n_samples * validation_fraction)` validation points.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `PlaygroundData`: float32 features `(n, len(config.features))`, int64 labels
        `(n,)`, and each part's raw points for the plots.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(features=("x1", "x2", "x1*x2")))
    >>> data.x_train.shape, data.points_val.shape, data.points_test.shape
    ((250, 3), (125, 2), (125, 2))
    """
    config.validate()
    points, labels = toy2d.TOY_DATASETS[config.dataset](
        config.n_samples,
        noise=config.noise,
        n_classes=config.n_classes,
        seed=config.seed,
        return_X_y=True,
    )
    parts = split_as_configured(labels, config)
    return PlaygroundData.from_indices(
        toy2d.feature_map(points, config.features),
        labels.astype(np.int64),
        parts,
        labels=tuple(f"class {index}" for index in range(config.n_classes)),
        preprocessing={"features": list(config.features)},
        points_train=points[parts[0]].astype(np.float32),
        points_val=points[parts[1]].astype(np.float32),
        points_test=points[parts[2]].astype(np.float32),
        feature_names=tuple(config.features),
    )


def build_mlp(
    n_features: int,
    n_classes: int,
    *,
    hidden_layers: tuple[int, ...] = (4, 2),
    activation: str = "tanh",
    l1: float = 0.0,
    l2: float = 0.0,
    dropout: float = 0.0,
    seed: int = 0,
    optimizer: keras.optimizers.Optimizer | str = "adam",
    steps_per_execution: int = 1,
) -> keras.Model:
    """Builds and compiles the Playground's MLP with the Functional API.

    Layers: `Input((n_features,))`, then per hidden layer a `Dense` named "hidden_1",
    "hidden_2", ... (L1/L2 kernel penalty when `l1` or `l2` > 0), followed by a `Dropout`
    named "dropout_1", ... when `dropout` > 0; then a `Dense` softmax "output" of
    `n_classes` units in float32 (two units for two classes, so that 2 and more classes
    share one code path). Layer k's kernel initializer is `GlorotUniform(seed + k)` (k
    from 0, the output last) and dropout k uses `seed + k`, so the same seed gives the
    same network without seeding global random state. Compiled with sparse categorical
    cross-entropy and accuracy.

    Args:
        n_features: `int` >= 1, the input features.
        n_classes: `int` >= 2, the classes.
        hidden_layers: units of each hidden layer; empty for none. Defaults to `(4, 2)`.
        activation: a Keras activation name for the hidden layers. Defaults to `"tanh"`.
        l1, l2: `float` >= 0, the penalties on every kernel. Default to `0.0`.
        dropout: `float` in [0, 1), the rate after each hidden layer. Defaults to `0.0`.
        seed: `int`, seeds the kernels and the dropout. Defaults to `0`.
        optimizer: a Keras optimizer, or its name. Defaults to `"adam"`.
        steps_per_execution: batches per TensorFlow call. Defaults to `1`.

    Input shape:
        `(batch_size, n_features)`, the feature columns.

    Output shape:
        `(batch_size, n_classes)`, class probabilities that sum to 1.

    Returns:
        A compiled `keras.Model` named "playground_mlp".
    """
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if l1 or l2 else None
    inputs = keras.Input((n_features,), name="features")
    outputs = inputs
    for index, units in enumerate(hidden_layers):
        outputs = keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + index),
            kernel_regularizer=regularizer,
            name=f"hidden_{index + 1}",
        )(outputs)
        if dropout > 0:
            outputs = keras.layers.Dropout(dropout, seed=seed + index, name=f"dropout_{index + 1}")(
                outputs
            )
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + len(hidden_layers)),
        kernel_regularizer=regularizer,
        dtype="float32",
        name="output",
    )(outputs)
    model = keras.Model(inputs, outputs, name="playground_mlp")
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def build_model(config: Config, data: PlaygroundData | None = None) -> Any:
    """The configured MLP, compiled: `build_mlp` with the config's values.

    One TensorFlow call runs a whole epoch (`steps_per_execution` = its batches), so that
    a small-batch epoch is one call.

    Args:
        config: the `Config`; validated first.
        data: the `PlaygroundData` it will learn (its sizes follow from `config` too).

    Returns:
        A compiled `keras.Model` named "playground_mlp": feature columns in, class
        probabilities out.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    return build_mlp(
        len(config.features),
        config.n_classes,
        hidden_layers=tuple(config.hidden_layers),
        activation=config.activation,
        l1=config.l1,
        l2=config.l2,
        dropout=config.dropout,
        seed=config.seed,
        optimizer=make_optimizer(config.optimizer, learning_rate=config.learning_rate),
        steps_per_execution=_steps_per_epoch(config),
    )


def evaluate(model: Any, data: PlaygroundData) -> dict[str, float]:
    """The test score, once, at the end: `{"test_loss": ..., "test_accuracy": ...}`.

    As Keras's `evaluate` counts it, the test loss includes the L1/L2 penalty.
    """
    return test_scores(model, data)


def _steps_per_epoch(config: Config) -> int:
    return max(1, math.ceil(config.training_size(config.n_samples) / config.batch_size))
