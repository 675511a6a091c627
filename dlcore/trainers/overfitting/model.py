"""Overfitting lab: the network written once, its variants, and the lab that holds them all."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.trainers.cnn.model import augmentation_layer
from dlcore.trainers.overfitting.config import OPTIMIZERS, Config
from dlcore.trainers.overfitting.data import LabData, training_set
from dlcore.training.compiling import compile_model, epoch_batches


def build_network(
    input_shape: tuple[int, ...],
    n_classes: int,
    *,
    width: int = 256,
    depth: int = 2,
    dropout: float = 0.0,
    l2: float = 0.0,
    augmentation: tuple[str, ...] = (),
    seed: int = 0,
    name: str = "network",
) -> keras.Model:
    """A multilayer perceptron for small images, with the remedies it may carry, uncompiled.

    Layers, by name: "image" (the input); the random augmentation layers `augmentation`
    names ("shift", "rotate", "zoom": random in training, the identity at inference);
    "flatten"; per hidden layer k = 1, 2, ...: "hidden_k" (`Dense(width, "relu")`, with
    the penalty `l2 * sum(kernel ** 2)` added to the loss when `l2` > 0) and, when
    `dropout` > 0, "dropout_k"; then "probabilities" (`Dense(n_classes, "softmax")`).
    Hidden kernel k starts as `GlorotUniform(seed + k - 1)`'s draw and the output's as
    `GlorotUniform(seed + depth)`'s, biases at 0: networks built with the same `seed`,
    `width` and `depth` start from the same weights, whatever remedies they carry.

    Args:
        input_shape: `(height, width, channels)`, e.g. `(8, 8, 1)`.
        n_classes: `int` >= 2.
        width: `int` >= 1, units per hidden layer. Defaults to `256`.
        depth: `int` >= 1, hidden layers. Defaults to `2`.
        dropout: `float` in [0, 1), the rate after every hidden layer. Defaults to `0.0`.
        l2: `float` >= 0, the hidden kernels' weight penalty. Defaults to `0.0`.
        augmentation: names of random changes made to the training images. Defaults to `()`.
        seed: `int`, the starting weights, dropout and augmentation. Defaults to `0`.
        name: the model's name. Defaults to `"network"`.

    Input shape:
        `(batch_size, *input_shape)`, float32 in [0, 1].

    Output shape:
        `(batch_size, n_classes)`: class probabilities that sum to 1.
    """
    inputs = keras.Input(input_shape, name="image")
    features = inputs
    for index, change in enumerate(augmentation):
        features = augmentation_layer(change, seed=seed + depth + 1 + index)(features)
    features = keras.layers.Flatten(name="flatten")(features)
    penalty = keras.regularizers.L2(l2) if l2 > 0 else None
    for k in range(1, depth + 1):
        features = keras.layers.Dense(
            width,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed + k - 1),
            kernel_regularizer=penalty,
            name=f"hidden_{k}",
        )(features)
        if dropout > 0:
            features = keras.layers.Dropout(dropout, seed=seed + k - 1, name=f"dropout_{k}")(
                features
            )
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed + depth),
        dtype="float32",
        name="probabilities",
    )(features)
    return keras.Model(inputs, outputs, name=name)


def build_lab(networks: list[keras.Model]) -> keras.Model:
    """The networks side by side as one model: each sees the same image, their outputs stacked.

    Each network keeps its own weights and is trained on its own (`network.fit`), so that
    each may learn from its own training set; the lab is what is saved and loaded.

    Args:
        networks: Keras models that take the same input and give `(batch_size,
            n_classes)`, each with its own name.

    Input shape:
        The networks' input shape, `(batch_size, ...)`.

    Output shape:
        `(batch_size, n_networks, n_classes)`: networks in the order given.

    Returns:
        An uncompiled `keras.Model` named "overfitting_lab", with the networks as its
        layers, by their names.
    """
    inputs = keras.Input(networks[0].input_shape[1:], name="image")
    rows = [
        keras.layers.Reshape((1, network.output_shape[-1]), name=f"{network.name}_row")(
            network(inputs)
        )
        for network in networks
    ]
    outputs = rows[0] if len(rows) == 1 else keras.layers.Concatenate(axis=1, name="stack")(rows)
    return keras.Model(inputs, outputs, name="overfitting_lab")


def network_options(config: Config) -> dict[str, dict[str, Any]]:
    """Each variant's remedies, as `build_network` takes them.

    "baseline", "early_stopping" and "more_data" are the bare network (the last two differ
    in how they are trained); "dropout", "l2" and "augmentation" add one remedy each.

    Example:

    >>> network_options(Config(remedies=("dropout", "more_data")))
    {'baseline': {}, 'dropout': {'dropout': 0.5}, 'more_data': {}}
    """
    remedy = {
        "dropout": {"dropout": float(config.dropout)},
        "l2": {"l2": float(config.l2)},
        "augmentation": {"augmentation": tuple(config.augmentation)},
    }
    return {name: remedy.get(name, {}) for name in config.variants}


def compile_network(network: keras.Model, config: Config, n_samples: int) -> keras.Model:
    """Compiles one network with its own Adam at `config.learning_rate`, one call per epoch.

    Args:
        network: a `build_network` model.
        config: the `Config`.
        n_samples: the network's training samples, for `steps_per_execution`.

    Returns:
        The same network, compiled, its optimizer built.
    """
    compile_model(
        network,
        make_optimizer(OPTIMIZERS[0], learning_rate=config.learning_rate),
        steps_per_execution=epoch_batches(n_samples, config.batch_size),
    )
    # Built here, not inside the first compiled step, which would then be traced twice.
    network.optimizer.build(network.trainable_variables)
    return network


def build_model(config: Config, data: LabData) -> keras.Model:
    """The lab of this configuration: `build_network` once per variant, side by side.

    Every network has `config.width` and `config.depth`, the same seed (so the same
    starting weights) and its own remedy (`network_options`), and is compiled with its own
    Adam (`compile_network`); `build_lab` holds them.

    Args:
        config: the `Config`; validated first.
        data: the `LabData` of `load_data(config)`, for the sizes.

    Returns:
        The `keras.Model` "overfitting_lab": images `(batch_size, 8, 8, 1)` to
        probabilities `(batch_size, n_variants, 10)`, variants in `config.variants` order.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    networks = []
    for name, options in network_options(config).items():
        network = build_network(
            data.input_shape,
            data.n_classes,
            width=config.width,
            depth=config.depth,
            seed=config.seed,
            name=name,
            **options,
        )
        networks.append(compile_network(network, config, len(training_set(data, name)[1])))
    return build_lab(networks)


def model_variants(model: Any) -> tuple[str, ...]:
    """The variants of a `build_model` lab, in the order of its output's axis 1."""
    return tuple(layer.name for layer in model.layers if isinstance(layer, keras.Model))


def variant_model(model: Any, variant: str) -> keras.Model:
    """One network of the lab, sharing its weights: images to class probabilities.

    Raises:
        ValueError: If the lab has no such network.
    """
    variants = model_variants(model)
    if variant not in variants:
        raise ValueError(
            f"This lab holds the networks {', '.join(variants)}. Received: variant={variant!r}."
        )
    return model.get_layer(variant)


def variant_scores(
    probabilities: np.ndarray, labels: np.ndarray, variants: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    """Each network's cross-entropy and accuracy from the lab's stacked probabilities.

    The loss is the data's alone: the "l2" network's weight penalty, which its optimizer
    also minimises, is left out, so that every network's loss measures the same thing.

    Args:
        probabilities: float, shape `(n, n_variants, n_classes)`, rows that sum to 1.
        labels: int, shape `(n,)`.
        variants: the networks' names, in the order of axis 1.

    Returns:
        Variant -> `(loss, accuracy)`, the mean cross-entropy and the share right.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels)
    # Clipped as Keras's cross-entropy clips them, so that a sure mistake costs a finite loss.
    epsilon = keras.config.epsilon()
    picked = np.clip(probabilities[np.arange(len(labels)), :, labels], epsilon, 1 - epsilon)
    losses = -np.log(picked).mean(axis=0)
    accuracies = (probabilities.argmax(axis=-1) == labels[:, np.newaxis]).mean(axis=0)
    return {
        name: (float(losses[index]), float(accuracies[index]))
        for index, name in enumerate(variants)
    }


def evaluate(model: Any, data: LabData) -> dict[str, float]:
    """Every network's test score, once, at the end.

    Returns:
        "test_<variant>_loss" (cross-entropy, without the L2 penalty) and
        "test_<variant>_accuracy" per network, e.g. `{"test_dropout_accuracy": 0.86, ...}`.
    """
    probabilities = np.asarray(model(data.x_test, training=False))
    scores = variant_scores(probabilities, data.y_test, model_variants(model))
    return {
        f"test_{name}_{metric}": value
        for name, pair in scores.items()
        for metric, value in zip(("loss", "accuracy"), pair, strict=True)
    }
