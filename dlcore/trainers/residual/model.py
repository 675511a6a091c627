"""Depth and residuals: the task split three ways, and the variants side by side as one model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import toy2d, vision
from dlcore.data.split import SplitData, split_as_configured
from dlcore.trainers.residual.config import (
    DATASETS,
    DIGITS_PREPROCESSING,
    N_SAMPLES,
    OPTIMIZERS,
    Config,
)
from dlcore.training.evaluation import side_by_side_test_scores
from dlcore.training.layers import (
    VariantDense,
    VariantMetric,
    VariantNorm,
    VariantStack,
    per_variant,
    summed_cross_entropy,
)


def load_data(config: Config) -> SplitData:
    """Loads or draws the task and splits it three ways, stratified, with `config.seed`.

    "spiral": `N_SAMPLES["spiral"]` points of `dlcore.data.toy2d.make_spiral` (2 arms,
    no noise, seeded), divided by its radius of 5. "digits": the 1,797 digits of
    `dlcore.data.vision.load_digits`, each flattened to 64 pixels in [0, 1]. The split is
    `dlcore.data.split.split_indices`.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `SplitData`: float32 features `(n, n_features)` (spiral points divided by 5, in
        about [-1, 1]; or digit pixels in [0, 1]), int64 labels `(n,)`, the class names,
        and for digits `DIGITS_PREPROCESSING`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(dataset="spiral"))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape, data.labels
    ((300, 2), (100, 2), (100, 2), ('class 0', 'class 1'))
    """
    config.validate()
    if config.dataset == "spiral":
        points, labels = toy2d.make_spiral(N_SAMPLES["spiral"], seed=config.seed, return_X_y=True)
        features = points / toy2d.RADIUS
        class_names = ("class 0", "class 1")
        preprocessing = {}
    else:
        digits = vision.load_digits()
        features = digits.images.reshape(len(digits.images), -1)
        labels = digits.target
        class_names = tuple(digits.target_names)
        preprocessing = dict(DIGITS_PREPROCESSING)
    features, labels = features.astype(np.float32), labels.astype(np.int64)
    return SplitData.from_indices(
        features,
        labels,
        split_as_configured(labels, config),
        labels=class_names,
        preprocessing=preprocessing,
    )


def build_side_by_side(
    n_features: int,
    n_classes: int,
    *,
    variants: tuple[str, ...],
    depth: int = 30,
    width: int = 32,
    activation: str = "relu",
    seed: int = 0,
    optimizer: keras.optimizers.Optimizer | str = "adam",
) -> keras.Model:
    """Builds the chosen variants side by side as one compiled model.

    Every variant is the same pre-activation network (ResNet v2 order): hidden layer 1
    brings the input to the width, `x_1 = W_1 f + b_1`; hidden layers 2 to `depth` follow
    `VariantStack`; the head computes `logits = W_out act(BN(x_depth)) + b_out` (without
    BN for a variant without batch norm). The variants are one more axis of every
    weight: each computes on its own, from the same starting kernels.

    Layers: `Input` "features"; `VariantDense` "layer_1"; `VariantStack` "hidden" (when
    `depth` > 1); `VariantNorm` "final_norm"; `Activation` "final_activation";
    `VariantDense` "logits" in float32. Hidden layer k's kernel (k from 1) starts as
    `GlorotUniform(seed + k - 1)`'s draw, the output's as `GlorotUniform(seed + depth)`'s.

    The loss is the sum over the variants of their mean cross-entropy (from the logits,
    which keeps a gradient when a softmax saturates): a weight's gradient is its own
    variant's, and with Adam each variant learns exactly as it would alone, on the same
    batches. The metrics are every variant's cross-entropy ("<variant>_loss") and
    accuracy ("<variant>_accuracy"). It takes one label per variant: `per_variant`.

    Args:
        n_features: `int` >= 1, the inputs: 2 for the spiral, 64 for digits.
        n_classes: `int` >= 2, the classes.
        variants: the variants' names, "plain", "plain_bn", "residual", "residual_bn".
        depth: `int` >= 1, the hidden layers. Defaults to `30`.
        width: `int` >= 1, the units of every hidden layer. Defaults to `32`.
        activation: a Keras activation name. Defaults to `"relu"`.
        seed: `int`, seeds the kernels. Defaults to `0`.
        optimizer: a Keras optimizer, or its name. Defaults to `"adam"`.

    Input shape:
        `(batch_size, n_features)`.

    Output shape:
        `(batch_size, n_variants, n_classes)`: logits, variants in `variants` order.

    Returns:
        A compiled `keras.Model` named "side_by_side".
    """
    n_variants = len(variants)
    inputs = keras.Input((n_features,), name="features")
    stream = VariantDense(width, n_variants=n_variants, seed=seed, name="layer_1")(inputs)
    if depth > 1:
        stream = VariantStack(
            depth - 1, width, variants=variants, activation=activation, seed=seed + 1, name="hidden"
        )(stream)
    stream = VariantNorm(variants, name="final_norm")(stream)
    stream = keras.layers.Activation(activation, name="final_activation")(stream)
    logits = VariantDense(
        n_classes, n_variants=n_variants, seed=seed + depth, dtype="float32", name="logits"
    )(stream)
    model = keras.Model(inputs, logits, name="side_by_side")
    metrics = [
        VariantMetric(index, kind, name=f"{name}_{kind}")
        for index, name in enumerate(variants)
        for kind in ("loss", "accuracy")
    ]
    model.compile(optimizer=optimizer, loss=summed_cross_entropy, metrics=metrics)
    return model


def build_model(config: Config, data: SplitData | None = None) -> Any:
    """The configured comparison, compiled: `build_side_by_side` with the config's values
    and Adam at `config.learning_rate`.

    `variant_model` gives one variant's class probabilities.

    Args:
        config: the `Config`; validated first.
        data: the `SplitData` it will learn (its sizes follow from `config.dataset` too).

    Returns:
        A compiled `keras.Model` named "side_by_side".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    n_features, n_classes = DATASETS[config.dataset]
    n_variants = len(config.variants)
    model = build_side_by_side(
        n_features,
        n_classes,
        variants=tuple(config.variants),
        depth=config.depth,
        width=config.width,
        activation=config.activation,
        seed=config.seed,
        optimizer=make_optimizer(OPTIMIZERS[0], learning_rate=config.learning_rate),
    )
    # Keras creates the optimizer's state and the loss and metric trackers on first use;
    # created inside the first compiled step, they make TensorFlow compile it twice.
    model.optimizer.build(model.trainable_variables)
    sample = np.zeros((2, n_features), np.float32)
    labels = per_variant(np.zeros(2, np.int64), n_variants)
    predictions = model(sample)
    model.compute_loss(x=sample, y=labels, y_pred=predictions)
    model.compute_metrics(sample, labels, predictions, sample_weight=None)
    return model


def evaluate(model: Any, data: SplitData) -> dict[str, float]:
    """The test score of every variant, once, at the end.

    Returns:
        "test_loss" (the summed loss) and, per variant, "test_<variant>_loss" and
        "test_<variant>_accuracy", e.g. `{"test_residual_accuracy": 0.97, ...}`.
    """
    return side_by_side_test_scores(model, data, n_variants=len(model_variants(model)))


def model_variants(model: Any) -> tuple[str, ...]:
    """The variants of a `build_model` model, in the order of its output's axis 1."""
    return model.get_layer("final_norm").variants


def variant_model(model: Any, variant: str, *, image_shape: Sequence[int] | None = None) -> Any:
    """One variant of a `build_model` model as a classifier, sharing its weights.

    Args:
        model: a model from `build_model`.
        variant: one of the variants it compares.
        image_shape: for digits, `(8, 8, 1)` makes the classifier take images, as the
            Image try-it page prepares them (`DIGITS_PREPROCESSING`), and flatten them;
            None keeps the model's flat input. Defaults to `None`.

    Input shape:
        `(batch_size, n_features)`, or `(batch_size, *image_shape)`.

    Output shape:
        `(batch_size, n_classes)`: class probabilities that sum to 1.

    Raises:
        ValueError: If the model has no such variant, or `image_shape` does not hold its
            `n_features` values.
    """
    variants = model_variants(model)
    if variant not in variants:
        raise ValueError(
            f"This model compares {', '.join(variants)}. Received: variant={variant!r}."
        )
    n_features = model.input_shape[-1]
    if image_shape is None:
        inputs = keras.Input((n_features,), name="features")
        features = inputs
    else:
        if math.prod(image_shape) != n_features:
            raise ValueError(
                f"The model takes {n_features} values per sample; an image of shape "
                f"{tuple(image_shape)} holds {math.prod(image_shape)}. "
                f"Received: image_shape={tuple(image_shape)!r}."
            )
        inputs = keras.Input(tuple(image_shape), name="image")
        features = keras.layers.Flatten(name="flatten")(inputs)
    logits = model(features)[:, variants.index(variant)]
    probabilities = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(
        logits
    )
    return keras.Model(inputs, probabilities, name=variant)
