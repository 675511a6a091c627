"""Depth and residual connections: one deep network with and without skips and batch norm.

The logic behind the "Depth and residuals (ResNet)" page. A `ResidualConfig` sets a deep
stack of dense layers of one width; the page compares four variants that differ only in
two switches, so that any difference in training comes from them. In the pre-activation
order of ResNet v2 (He et al., 2016), hidden layer k computes from the stream x:

    plain:        x_k = W_k act(x_{k-1}) + b_k
    plain_bn:     x_k = W_k act(BN(x_{k-1})) + b_k
    residual:     x_k = x_{k-1} + W_k act(x_{k-1}) + b_k
    residual_bn:  x_k = x_{k-1} + W_k act(BN(x_{k-1})) + b_k

All variants start from the same kernels. In a plain stack the gradient that reaches the
first layers is a product of one factor per layer, and it fades (or explodes) with depth;
a skip connection adds a path on which the gradient passes every layer unchanged, and
batch norm keeps each layer's input at the same size. `gradient_norms` measures the
gradient's size at every layer.

`build_model` builds the chosen variants side by side as one Keras model whose weights
have a variant axis, and `train` fits it with `dlcore.training.fit.fit_live`: the variants see
the same batches in the same order, and each learns exactly as it would alone. After every
epoch, one report carries every variant's metrics and gradient norms, so that a page draws
all the curves live. `export_code` writes the same model and training as a standalone
Keras script.

Example:

>>> config = ResidualConfig(depth=30, variants=("plain", "residual"))
>>> data = make_data(config)
>>> model = build_model(config)
>>> result = train(model, data, config, epochs=20)                 # doctest: +SKIP
>>> plain, residual = (variant_metrics(result.history, name)["loss"][-1] for name in
...                    config.variants)                             # doctest: +SKIP
>>> residual < plain   # 0.1 against 2.3 for plain, stuck at chance   # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import numbers
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops
from sklearn.model_selection import train_test_split

from dlcore.data import toy2d, vision
from dlcore.training.fit import EpochReport, FitResult, fit_live
from dlcore.training.history import History

VARIANTS = ("plain", "plain_bn", "residual", "residual_bn")
"""The four networks the page compares, in the order it draws them."""

DATASETS = {"digits": (64, 10), "spiral": (2, 2)}
"""The tasks, name -> (n_features, n_classes): 8 x 8 handwritten digits (64 pixels, 10
classes) or two interleaved spiral arms (2-D points, 2 classes)."""

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu")
"""The hidden-layer activations the page offers (Keras names)."""

MAX_DEPTH = 50
"""The deepest stack offered: compiling the first step takes longer with every layer
(about 6 s at depth 30 with all four variants, on 2 CPU cores)."""

MAX_WIDTH = 256
"""The widest layer offered: a step takes longer with the square of the width."""

N_SPIRAL_POINTS = 500
"""Points drawn for the spiral task, before the split."""

TEST_FRACTION = 0.2
"""The share of samples held out to measure the "val_" metrics."""

N_PROBE_SAMPLES = 256
"""The gradient norms are measured on this many training samples (the first ones), the
same batch every epoch so that epochs compare."""

DIGITS_PREPROCESSING = {
    "image_size": (8, 8),
    "channels": 1,
    "value_range": (0.0, 1.0),
    "resize": "area",
    "background": "dark",
}
"""How a person's picture becomes a digit for a classifier from `variant_model(...,
image_shape=(8, 8, 1))`: the same as `dlcore.trainers.cnn` gives its digits (see
`dlcore.preprocess.prepare_image`), so that the Image try-it page treats both alike."""

BATCH_NORM_MOMENTUM = 0.9
"""How slowly batch norm's moving statistics follow the batches. Keras's default of 0.99
takes some 300 steps to settle, far longer than a short run here, and until then the held-
out metrics of the "_bn" variants would be measured with stale statistics."""


@dataclasses.dataclass(frozen=True)
class ResidualConfig:
    """The page's settings: the task, the stack, the variants compared, and training.

    Attributes:
        dataset: one of `DATASETS`: "digits" or "spiral". Defaults to `"digits"`.
        depth: `int` in [1, `MAX_DEPTH`], the hidden layers of the stack. Defaults to `30`.
        width: `int` in [1, `MAX_WIDTH`], the units of every hidden layer. Defaults to `32`.
        activation: one of `ACTIVATIONS`. Defaults to `"relu"`.
        variants: names from `VARIANTS`, each at most once, the networks to compare.
            Defaults to all four.
        learning_rate: `float` > 0, Adam's step size. Defaults to `0.002`.
        batch_size: `int` >= 1 (>= 2 with a "_bn" variant). Defaults to `64`.
        seed: `int`, seeds the data, the split, the weights and the batch order.
            Defaults to `0`.
    """

    dataset: str = "digits"
    depth: int = 30
    width: int = 32
    activation: str = "relu"
    variants: tuple[str, ...] = VARIANTS
    learning_rate: float = 0.002
    batch_size: int = 64
    seed: int = 0

    def validate(self) -> ResidualConfig:
        """Checks that the settings make networks that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what is expected and what
                was received.
        """
        if self.dataset not in DATASETS:
            raise ValueError(
                f"Unknown dataset. Choose one of: {', '.join(DATASETS)}. "
                f"Received: dataset={self.dataset!r}."
            )
        if not _is_int(self.depth) or not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(
                f"`depth` must be a whole number of hidden layers from 1 to {MAX_DEPTH}. "
                f"Received: depth={self.depth!r}."
            )
        if not _is_int(self.width) or not 1 <= self.width <= MAX_WIDTH:
            raise ValueError(
                f"`width` must be a whole number of units from 1 to {MAX_WIDTH}: a layer "
                f"with no units passes nothing on. Received: width={self.width!r}."
            )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation. Choose one of: {', '.join(ACTIVATIONS)}. "
                f"Received: activation={self.activation!r}."
            )
        if isinstance(self.variants, str) or len(self.variants) == 0:
            raise ValueError(
                "Choose at least one network to train, for example plain and residual. "
                f"Received: variants={self.variants!r}."
            )
        unknown = [name for name in self.variants if name not in VARIANTS]
        if unknown:
            raise ValueError(
                f"Unknown variant {unknown[0]!r}. Choose from: {', '.join(VARIANTS)}. "
                f"Received: variants={self.variants!r}."
            )
        if len(set(self.variants)) != len(self.variants):
            raise ValueError(f"Each variant may appear once. Received: variants={self.variants!r}.")
        if (
            not isinstance(self.learning_rate, numbers.Real)
            or not math.isfinite(self.learning_rate)
            or not self.learning_rate > 0
        ):
            raise ValueError(
                "`learning_rate` must be a number > 0. "
                f"Received: learning_rate={self.learning_rate!r}."
            )
        if not _is_int(self.batch_size) or self.batch_size < 1:
            raise ValueError(
                f"`batch_size` must be an integer >= 1. Received: batch_size={self.batch_size!r}."
            )
        if self.batch_size < 2 and any(name.endswith("_bn") for name in self.variants):
            raise ValueError(
                "Batch norm needs at least 2 samples per batch to measure a mean and a "
                "variance: use a batch size of 2 or more, or compare only the variants "
                f"without batch norm. Received: batch_size={self.batch_size!r}."
            )
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self


@dataclasses.dataclass(frozen=True)
class ResidualData:
    """A task's samples as flat feature vectors, split into training and held-out parts.

    Attributes:
        x_train: float32, shape `(n_train, n_features)`: spiral points divided by 5, in
            about [-1, 1]; or digit pixels in [0, 1].
        y_train: int64, shape `(n_train,)`, labels in [0, n_classes).
        x_test: float32, shape `(n_test, n_features)`.
        y_test: int64, shape `(n_test,)`.
        class_names: the `n_classes` class names, in label order.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ResidualReport:
    """What `on_epoch` receives after each epoch: every variant's progress at once.

    Attributes:
        epoch: epochs finished so far, counting earlier runs (1-based).
        final_epoch: the epoch this run ends at if nothing stops it.
        history: the side-by-side model's `History`; `variant_metrics` picks one
            variant's curves out of it.
        weights: a copy of the side-by-side model's weights, for
            `dlcore.training.fit.restore_weights`.
        seconds: wall time since this run began.
        gradient_norms: variant -> layer name -> the L2 norm of the loss's gradient with
            respect to that layer's kernel, on the probe batch; layers in order from the
            input ("layer_1", ..., "layer_<depth>", "output").
    """

    epoch: int
    final_epoch: int
    history: History
    weights: list[np.ndarray]
    seconds: float
    gradient_norms: dict[str, dict[str, float]]


@keras.saving.register_keras_serializable(package="dlcore")
class VariantDense(keras.layers.Layer):
    """A dense layer per variant, the variants side by side on axis 1.

    Variant v computes `x_v W_v + b_v`. Every `W_v` starts as the same draw of
    `GlorotUniform(seed)`, the kernel that a `Dense(units)` with that initializer gets, so
    the variants start equal and part only by training.

    Args:
        units: `int` >= 1, outputs per variant.
        n_variants: `int` >= 1, the variants side by side.
        seed: `int`, seeds the kernel's draw. Defaults to `0`.

    Input shape:
        `(batch_size, n_inputs)`, the same input for every variant, or
        `(batch_size, n_variants, n_inputs)`.

    Output shape:
        `(batch_size, n_variants, units)`.

    Example:

    >>> layer = VariantDense(3, n_variants=2)
    >>> tuple(layer(np.ones((4, 5), "float32")).shape), tuple(layer.kernel.shape)
    ((4, 2, 3), (2, 5, 3))
    """

    def __init__(self, units: int, *, n_variants: int, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.n_variants = n_variants
        self.seed = seed

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.kernel = self.add_weight(
            shape=(self.n_variants, input_shape[-1], self.units),
            initializer=self._same_draw,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.n_variants, self.units), initializer="zeros", name="bias"
        )

    def _same_draw(self, shape: tuple[int, ...], dtype: Any = None) -> Any:
        kernel = keras.initializers.GlorotUniform(seed=self.seed)(shape[1:], dtype=dtype)
        return ops.stack([kernel] * shape[0])

    def call(self, inputs: Any) -> Any:
        equation = "bi,vij->bvj" if len(inputs.shape) == 2 else "bvi,vij->bvj"
        return ops.einsum(equation, inputs, self.kernel) + self.bias

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return (input_shape[0], self.n_variants, self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "n_variants": self.n_variants,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="dlcore")
class VariantNorm(keras.layers.Layer):
    """Batch norm for the variants whose name ends in "_bn"; the others pass unchanged.

    As `keras.layers.BatchNormalization`: when training, each unit of each variant is
    normalized with the batch's mean and variance, which also move the moving averages;
    otherwise with the moving averages. Then scaled by `gamma` and shifted by `beta`.

    Args:
        variants: names from `VARIANTS`, one per variant on axis 1.
        momentum: `float` in [0, 1), how much of the moving averages each batch keeps.
            Defaults to `BATCH_NORM_MOMENTUM`.
        epsilon: `float` > 0, added to the variance. Defaults to `1e-3`, as in Keras.

    Input shape:
        `(batch_size, n_variants, units)`.

    Output shape:
        the same.
    """

    def __init__(
        self,
        variants: Sequence[str],
        *,
        momentum: float = BATCH_NORM_MOMENTUM,
        epsilon: float = 1e-3,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.variants = tuple(variants)
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if _any_batch_norm(self.variants):
            self.gamma, self.beta, self.moving_mean, self.moving_variance = _norm_weights(
                self, (len(self.variants), input_shape[-1])
            )

    def call(self, inputs: Any, training: bool = False) -> Any:
        if not _any_batch_norm(self.variants):
            return inputs
        if training:
            mean, variance = _batch_moments(inputs)
            _follow(self.moving_mean, mean[0], self.momentum)
            _follow(self.moving_variance, variance[0], self.momentum)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        normalized = _normalize(inputs, mean, variance, self.gamma, self.beta, self.epsilon)
        return ops.where(_flags(self.variants, "_bn"), normalized, inputs)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "variants": list(self.variants),
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="dlcore")
class VariantStack(keras.layers.Layer):
    """Hidden layers of one width for every variant, in pre-activation order (ResNet v2).

    Layer k of variant v takes the stream `x` and computes `z = BN_k(x)` if the variant's
    name ends in "_bn" (else `z = x`), then `h = act(z) W_k + b_k`, and passes on `x + h`
    if its name starts with "residual" (else `h`). Batch norm works as in `VariantNorm`.
    Layer k's kernel starts as `GlorotUniform(seed + k)`'s draw (k from 0) in every
    variant.

    The layers' weights are stacked, with the variants as one more axis, rather than
    held by separate `Dense` and `BatchNormalization` layers: the optimizer then updates
    four tensors instead of a few per layer and variant, and each layer of all the
    variants is one batched matrix product. For 4 variants of 30 layers on 2 CPU cores
    this made a training step about 8 times faster (10 ms against some 80 ms) and the
    first, compiling, step about 2 times faster.

    Args:
        n_layers: `int` >= 1, the hidden layers.
        units: `int` >= 1, the width of every layer and of the input.
        variants: names from `VARIANTS`, one per variant on axis 1.
        activation: a Keras activation name. Defaults to `"relu"`.
        seed: `int`, seeds the kernels. Defaults to `0`.
        momentum: `float` in [0, 1), batch norm's momentum. Defaults to
            `BATCH_NORM_MOMENTUM`.
        epsilon: `float` > 0, added to the variance. Defaults to `1e-3`.

    Input shape:
        `(batch_size, n_variants, units)`.

    Output shape:
        the same.

    Example:

    >>> stack = VariantStack(3, 8, variants=("plain", "residual"))
    >>> tuple(stack(np.ones((4, 2, 8), "float32")).shape), tuple(stack.kernel.shape)
    ((4, 2, 8), (3, 2, 8, 8))
    """

    def __init__(
        self,
        n_layers: int,
        units: int,
        *,
        variants: Sequence[str],
        activation: str = "relu",
        seed: int = 0,
        momentum: float = BATCH_NORM_MOMENTUM,
        epsilon: float = 1e-3,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.n_layers = n_layers
        self.units = units
        self.variants = tuple(variants)
        self.activation = keras.activations.get(activation)
        self.seed = seed
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        shape = (self.n_layers, len(self.variants), self.units)
        self.kernel = self.add_weight(
            shape=(*shape, self.units), initializer=self._same_draws, name="kernel"
        )
        self.bias = self.add_weight(shape=shape, initializer="zeros", name="bias")
        if _any_batch_norm(self.variants):
            self.gamma, self.beta, self.moving_mean, self.moving_variance = _norm_weights(
                self, shape
            )

    def _same_draws(self, shape: tuple[int, ...], dtype: Any = None) -> Any:
        n_layers, n_variants = shape[:2]
        kernels = [
            keras.initializers.GlorotUniform(seed=self.seed + k)(shape[2:], dtype=dtype)
            for k in range(n_layers)
        ]
        return ops.stack([ops.stack([kernel] * n_variants) for kernel in kernels])

    def call(self, inputs: Any, training: bool = False) -> Any:
        n_variants = len(self.variants)
        # Inside the stack the variants come first, (n_variants, batch_size, units), so
        # that each layer is one batched matrix product.
        x = ops.transpose(inputs, (1, 0, 2))
        kernels, biases = ops.unstack(self.kernel), ops.unstack(self.bias)
        residual = ops.cast(ops.reshape(_flags(self.variants, "residual"), (-1, 1, 1)), x.dtype)
        normalizes = _any_batch_norm(self.variants)
        if normalizes:
            batch_norm = ops.reshape(_flags(self.variants, "_bn"), (-1, 1, 1))
            gammas, betas = ops.unstack(self.gamma[:, :, None]), ops.unstack(self.beta[:, :, None])
            means = ops.unstack(self.moving_mean[:, :, None])
            variances = ops.unstack(self.moving_variance[:, :, None])
        batch_means, batch_variances = [], []
        for k in range(self.n_layers):
            z = x
            if normalizes:
                if training:
                    mean, variance = _batch_moments(x, axis=1)
                    batch_means.append(mean)
                    batch_variances.append(variance)
                else:
                    mean, variance = means[k], variances[k]
                normalized = _normalize(x, mean, variance, gammas[k], betas[k], self.epsilon)
                z = ops.where(batch_norm, normalized, x)
            h = ops.matmul(self.activation(z), kernels[k]) + biases[k][:, None]
            x = residual * x + h
        if batch_means:
            shape = (self.n_layers, n_variants, self.units)
            _follow(self.moving_mean, ops.reshape(ops.stack(batch_means), shape), self.momentum)
            _follow(
                self.moving_variance,
                ops.reshape(ops.stack(batch_variances), shape),
                self.momentum,
            )
        return ops.transpose(x, (1, 0, 2))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "n_layers": self.n_layers,
            "units": self.units,
            "variants": list(self.variants),
            "activation": keras.activations.serialize(self.activation),
            "seed": self.seed,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }


def _any_batch_norm(variants: Sequence[str]) -> bool:
    return any(name.endswith("_bn") for name in variants)


def _norm_weights(layer: Any, shape: tuple[int, ...]) -> tuple[Any, Any, Any, Any]:
    """Batch norm's gamma, beta, moving mean and moving variance, each of `shape`."""
    return (
        layer.add_weight(shape=shape, initializer="ones", name="gamma"),
        layer.add_weight(shape=shape, initializer="zeros", name="beta"),
        layer.add_weight(shape=shape, initializer="zeros", name="moving_mean", trainable=False),
        layer.add_weight(shape=shape, initializer="ones", name="moving_variance", trainable=False),
    )


def _batch_moments(x: Any, *, axis: int = 0) -> tuple[Any, Any]:
    """The mean and (biased) variance over the batch axis, kept as an axis of size 1."""
    mean = ops.mean(x, axis=axis, keepdims=True)
    return mean, ops.mean(ops.square(x - mean), axis=axis, keepdims=True)


def _normalize(x: Any, mean: Any, variance: Any, gamma: Any, beta: Any, epsilon: float) -> Any:
    return (x - mean) * (ops.rsqrt(variance + epsilon) * gamma) + beta


def _follow(moving: Any, batch: Any, momentum: float) -> None:
    """Moves a moving average towards this batch's statistics."""
    moving.assign(momentum * moving + (1.0 - momentum) * ops.cast(batch, moving.dtype))


def _flags(variants: Sequence[str], part: str) -> Any:
    """`(n_variants, 1)` booleans: which variants have batch norm ("_bn") or skips
    ("residual"); shaped to broadcast over `(batch_size, n_variants, units)`."""
    flags = [name.endswith(part) if part == "_bn" else name.startswith(part) for name in variants]
    return ops.reshape(ops.convert_to_tensor(flags), (len(variants), 1))


def make_data(config: ResidualConfig) -> ResidualData:
    """Loads or draws the task and splits it, stratified, with `random_state=config.seed`.

    "spiral": `N_SPIRAL_POINTS` points of `dlcore.data.toy2d.make_spiral` (2 arms, no
    noise, seeded), divided by its radius of 5. "digits": the 1,797 digits of
    `dlcore.data.vision.load_digits`, each flattened to 64 pixels in [0, 1].
    `TEST_FRACTION` of the samples are held out.

    Args:
        config: the `ResidualConfig`; validated first.

    Returns:
        A `ResidualData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = make_data(ResidualConfig(dataset="spiral"))
    >>> data.x_train.shape, data.x_test.shape, data.class_names
    ((400, 2), (100, 2), ('class 0', 'class 1'))
    """
    config.validate()
    if config.dataset == "spiral":
        points, labels = toy2d.make_spiral(N_SPIRAL_POINTS, seed=config.seed, return_X_y=True)
        features = points / toy2d.RADIUS
        class_names = ("class 0", "class 1")
    else:
        digits = vision.load_digits()
        features = digits.images.reshape(len(digits.images), -1)
        labels = digits.target
        class_names = tuple(digits.target_names)
    x_train, x_test, y_train, y_test = train_test_split(
        features.astype(np.float32),
        labels.astype(np.int64),
        test_size=TEST_FRACTION,
        stratify=labels,
        random_state=config.seed,
    )
    return ResidualData(x_train, y_train, x_test, y_test, class_names)


def build_model(config: ResidualConfig) -> Any:
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

    Compiled with Adam at `config.learning_rate`. The loss is the sum over the variants
    of their mean cross-entropy (from the logits, which keeps a gradient when a softmax
    saturates): a weight's gradient is its own variant's, and with Adam each variant
    learns exactly as it would alone, on the same batches. The metrics are every
    variant's cross-entropy ("<variant>_loss") and accuracy ("<variant>_accuracy"). It
    takes one label per variant: `per_variant(labels, n_variants)`.

    Input shape:
        `(batch_size, n_features)`: 2 for the spiral, 64 for digits.

    Output shape:
        `(batch_size, n_variants, n_classes)`: logits, variants in `config.variants`
        order. `variant_model` gives one variant's class probabilities.

    Args:
        config: the `ResidualConfig`; validated first.

    Returns:
        A compiled `keras.Model` named "side_by_side".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    n_features, n_classes = DATASETS[config.dataset]
    n_variants = len(config.variants)
    inputs = keras.Input((n_features,), name="features")
    stream = VariantDense(config.width, n_variants=n_variants, seed=config.seed, name="layer_1")(
        inputs
    )
    if config.depth > 1:
        stream = VariantStack(
            config.depth - 1,
            config.width,
            variants=config.variants,
            activation=config.activation,
            seed=config.seed + 1,
            name="hidden",
        )(stream)
    stream = VariantNorm(config.variants, name="final_norm")(stream)
    stream = keras.layers.Activation(config.activation, name="final_activation")(stream)
    logits = VariantDense(
        n_classes,
        n_variants=n_variants,
        seed=config.seed + config.depth,
        dtype="float32",
        name="logits",
    )(stream)
    model = keras.Model(inputs, logits, name="side_by_side")
    metrics = [
        VariantMetric(index, kind, name=f"{name}_{kind}")
        for index, name in enumerate(config.variants)
        for kind in ("loss", "accuracy")
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss=summed_cross_entropy,
        metrics=metrics,
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


def per_variant(labels: np.ndarray, n_variants: int) -> np.ndarray:
    """The labels as the side-by-side model takes them: int64 `(n_samples, n_variants)`,
    each row the sample's label repeated."""
    return np.repeat(np.asarray(labels, np.int64)[:, np.newaxis], n_variants, axis=1)


@keras.saving.register_keras_serializable(package="dlcore")
def summed_cross_entropy(targets: Any, logits: Any) -> Any:
    """The side-by-side model's loss: per sample, the sum over the variants of their
    cross-entropies computed from the logits.

    Args:
        targets: int, `(batch_size, n_variants)`, as `per_variant` gives them.
        logits: `(batch_size, n_variants, n_classes)`.

    Returns:
        `(batch_size,)` losses >= 0.
    """
    losses = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
    return ops.sum(losses, axis=-1)


@keras.saving.register_keras_serializable(package="dlcore")
class VariantMetric(keras.metrics.Mean):
    """One variant's mean cross-entropy (`kind="loss"`) or accuracy (`kind="accuracy"`)
    over the batches, from the side-by-side model's logits.

    Args:
        index: `int`, the variant's place on the logits' axis 1.
        kind: "loss" or "accuracy".
        name: the name Keras logs it under, e.g. "residual_loss".
    """

    def __init__(self, index: int, kind: str, *, name: str, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.index = index
        self.kind = kind

    def update_state(self, targets: Any, logits: Any, sample_weight: Any = None) -> None:
        targets, logits = targets[:, self.index], logits[:, self.index]
        if self.kind == "loss":
            values = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
        else:
            values = keras.metrics.sparse_categorical_accuracy(targets, logits)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "index": self.index, "kind": self.kind}


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


def variant_metrics(history: History, variant: str) -> dict[str, list[float]]:
    """One variant's curves from the side-by-side model's `History`.

    Returns:
        "loss", "accuracy", "val_loss", "val_accuracy" -> one value per epoch (those
        the history has for that variant).
    """
    metrics = {}
    for name in ("loss", "accuracy"):
        for prefix in ("", "val_"):
            values = history.metrics.get(f"{prefix}{variant}_{name}")
            if values is not None:
                metrics[f"{prefix}{name}"] = values
    return metrics


def layer_names(model: Any) -> list[str]:
    """The layers `gradient_norms` reports on, from the input: "layer_1", ...,
    "layer_<depth>", "output"."""
    depth = 1 + sum(layer.n_layers for layer in model.layers if isinstance(layer, VariantStack))
    return [*(f"layer_{k + 1}" for k in range(depth)), "output"]


def gradient_norms(model: Any, data: tuple[np.ndarray, np.ndarray]) -> dict[str, dict[str, float]]:
    """Measures how large the loss's gradient is at every layer of every variant.

    One forward and backward pass under `tf.GradientTape` in training mode (batch norm
    uses the batch's statistics, as in a training step) of the model's loss on the batch;
    for each variant and layer, the L2 (Frobenius) norm of the gradient of the variant's
    mean cross-entropy with respect to that layer's kernel. Batch norm's moving
    statistics are left as they were.

    Args:
        model: a model from `build_model`.
        data: `(inputs, labels)`: float32 `(batch_size, n_features)` and int
            `(batch_size,)`.

    Returns:
        Variant -> layer name -> norm (`float` >= 0), layers in `layer_names(model)`
        order, from the input to the output.
    """
    inputs, labels = data
    norms = _gradient_norms(
        model,
        tf.convert_to_tensor(inputs, tf.float32),
        tf.convert_to_tensor(per_variant(labels, len(model_variants(model)))),
    )
    return _norms_by_variant(model, norms)


def _gradient_norms(model: Any, inputs: Any, targets: Any) -> Any:
    """`gradient_norms` as a tensor of shape `(depth + 1, n_variants)`, for `tf.function`."""
    kept = [tf.identity(variable.value) for variable in model.non_trainable_variables]
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    with tf.GradientTape() as tape:
        loss = ops.mean(summed_cross_entropy(targets, model(inputs, training=True)))
    gradients = tape.gradient(loss, kernels)
    for variable, value in zip(model.non_trainable_variables, kept, strict=True):
        variable.assign(value)
    # A kernel's last two axes are one layer of one variant: (n_inputs, units).
    norms = [tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[-2, -1])) for gradient in gradients]
    rows = [norm[tf.newaxis] if norm.shape.rank == 1 else norm for norm in norms]
    return tf.concat(rows, axis=0)


def _norms_by_variant(model: Any, norms: Any) -> dict[str, dict[str, float]]:
    table = np.asarray(norms, dtype=np.float64)
    names = layer_names(model)
    return {
        variant: dict(zip(names, table[:, index].tolist(), strict=True))
        for index, variant in enumerate(model_variants(model))
    }


def train(
    model: Any,
    data: ResidualData,
    config: ResidualConfig,
    *,
    epochs: int,
    history: History | None = None,
    on_epoch: Callable[[ResidualReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Trains the side-by-side model, reporting every variant after each epoch.

    Through `dlcore.training.fit.fit_live`, in batches of `config.batch_size` reshuffled each
    epoch with `config.seed`, measuring the held-out part after each epoch. After every
    epoch, `gradient_norms` is measured on the first `N_PROBE_SAMPLES` training samples
    (compiled once per model and kept on it, as Keras keeps its compiled train step).

    Args:
        model: a model from `build_model(config)`.
        data: the `ResidualData` from `make_data(config)`.
        config: the `ResidualConfig` the model was built with.
        epochs: `int` >= 1, epochs to run in this call.
        history: the `History` of earlier calls on this model, to continue it.
            Defaults to a new one.
        on_epoch: called with a `ResidualReport` after every epoch. Defaults to `None`.
        should_stop: asked after every epoch (after `on_epoch`); returning true ends
            training after that epoch. Defaults to `None`.

    Returns:
        The `FitResult` of `fit_live`; `variant_metrics(result.history, variant)` gives
        one variant's curves.

    Raises:
        ValueError: If `epochs` < 1.
    """
    n_variants = len(config.variants)
    probe_inputs = tf.constant(data.x_train[:N_PROBE_SAMPLES])
    probe_targets = tf.constant(per_variant(data.y_train[:N_PROBE_SAMPLES], n_variants))
    probe = getattr(model, "_gradient_probe", None)
    if probe is None:
        probe = model._gradient_probe = tf.function(functools.partial(_gradient_norms, model))

    def report(epoch: EpochReport) -> None:
        if on_epoch is not None:
            on_epoch(
                ResidualReport(
                    epoch=epoch.epoch,
                    final_epoch=epoch.final_epoch,
                    history=epoch.history,
                    weights=epoch.weights,
                    seconds=epoch.seconds,
                    gradient_norms=_norms_by_variant(model, probe(probe_inputs, probe_targets)),
                )
            )
        if should_stop is not None and should_stop():
            model.stop_training = True

    return fit_live(
        model,
        (data.x_train, per_variant(data.y_train, n_variants)),
        (data.x_test, per_variant(data.y_test, n_variants)),
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        history=history,
        on_epoch=report,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def export_code(config: ResidualConfig, *, epochs: int = 40) -> str:
    """Writes a standalone Python script that builds and trains this comparison.

    The script needs numpy, scikit-learn and Keras 3 only (no `dlcore`): it draws the
    same spiral (or loads the same digits) and splits them the same way, defines the
    layers of this module (their own source), builds the same side-by-side model with the
    same starting weights, trains it with `model.fit` for `--epochs` epochs (printing
    every variant's loss and accuracy), prints "<variant>: held-out loss L, accuracy A"
    per variant and saves "residual_side_by_side.keras".

    Args:
        config: the `ResidualConfig`; validated first.
        epochs: `int` >= 1, the script's default `--epochs`. Defaults to `40`.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}.")
    n_features, n_classes = DATASETS[config.dataset]
    pieces = (
        VariantDense,
        VariantNorm,
        VariantStack,
        _any_batch_norm,
        _norm_weights,
        _batch_moments,
        _normalize,
        _follow,
        _flags,
        summed_cross_entropy,
        VariantMetric,
    )
    layers_source = "\n\n".join(inspect.getsource(piece) for piece in pieces)
    header = f'''\
"""Depth and residuals: {config.depth} layers of {config.width} units on {config.dataset}.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
Activation: {config.activation}; Adam at {config.learning_rate:g}; batches of {config.batch_size}.
Trains {", ".join(config.variants)} side by side, as one model whose weights have a
variant axis: the same batches, the same starting kernels, and each variant learning as
it would alone (the loss is the sum of theirs, and Adam scales each weight's step alone).
Run: python this_script.py --epochs {epochs}
"""

import argparse
import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops
from sklearn.model_selection import train_test_split

DATASET = {config.dataset!r}
N_FEATURES = {n_features!r}
N_CLASSES = {n_classes!r}
DEPTH = {config.depth!r}
WIDTH = {config.width!r}
ACTIVATION = {config.activation!r}
VARIANTS = {tuple(config.variants)!r}
LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
SEED = {config.seed!r}
TEST_FRACTION = {TEST_FRACTION!r}
N_SPIRAL_POINTS = {N_SPIRAL_POINTS!r}
BATCH_NORM_MOMENTUM = {BATCH_NORM_MOMENTUM!r}
VARIANTS_WITH = {{
    "plain": "no skip, no batch norm",
    "plain_bn": "batch norm",
    "residual": "skip connections",
    "residual_bn": "skip connections and batch norm",
}}
'''
    body = f'''

def load_data():
    """The {config.dataset} task as flat features, split into training and held-out parts."""
{textwrap.indent(_DATA_CODE[config.dataset], "    ")}
    return train_test_split(
        features.astype(np.float32),
        labels.astype(np.int64),
        test_size=TEST_FRACTION,
        stratify=labels,
        random_state=SEED,
    )


# The layers, as Deep Learning Studio defines them (models saved here load there too).


{layers_source}


def build_model():
    """Layer 1 to WIDTH, hidden layers 2..DEPTH, then BN (where used), act and logits."""
    n_variants = len(VARIANTS)
    inputs = keras.Input((N_FEATURES,), name="features")
    stream = VariantDense(WIDTH, n_variants=n_variants, seed=SEED, name="layer_1")(inputs)
    if DEPTH > 1:
        stream = VariantStack(
            DEPTH - 1, WIDTH, variants=VARIANTS, activation=ACTIVATION, seed=SEED + 1, name="hidden"
        )(stream)
    stream = VariantNorm(VARIANTS, name="final_norm")(stream)
    stream = keras.layers.Activation(ACTIVATION, name="final_activation")(stream)
    logits = VariantDense(
        N_CLASSES, n_variants=n_variants, seed=SEED + DEPTH, dtype="float32", name="logits"
    )(stream)
    model = keras.Model(inputs, logits, name="side_by_side")
    metrics = [
        VariantMetric(index, kind, name=f"{{name}}_{{kind}}")
        for index, name in enumerate(VARIANTS)
        for kind in ("loss", "accuracy")
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
        loss=summed_cross_entropy,
        metrics=metrics,
    )
    return model


def per_variant(labels):
    """One label per variant: (n_samples, n_variants)."""
    return np.repeat(labels[:, np.newaxis], len(VARIANTS), axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default={epochs})
    args = parser.parse_args()
    keras.utils.set_random_seed(SEED)  # the order of the batches
    x_train, x_test, y_train, y_test = load_data()
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    model = build_model()
    model.summary()
    model.fit(
        x_train,
        per_variant(y_train),
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(x_test, per_variant(y_test)),
        verbose=2,
    )
    logits = model.predict(x_test, verbose=0)
    for index, name in enumerate(VARIANTS):
        losses = keras.losses.sparse_categorical_crossentropy(
            y_test, logits[:, index], from_logits=True
        )
        accuracy = np.mean(np.argmax(logits[:, index], axis=-1) == y_test)
        print(
            f"{{name}} ({{VARIANTS_WITH[name]}}): held-out loss {{float(np.mean(losses)):.4f}}, "
            f"accuracy {{accuracy:.4f}}"
        )
    model.save("residual_side_by_side.keras")
    print("Saved residual_side_by_side.keras")


if __name__ == "__main__":
    main()
'''
    return header + body


# How `export_code`'s `load_data` gets `features` and `labels`: the same numbers as
# `make_data`.
_DATA_CODE = {
    "spiral": """\
# Two spiral arms, each turning 1.75 times out to radius 5, as dlcore.data.toy2d draws them.
rng = np.random.default_rng(SEED)
labels = np.arange(N_SPIRAL_POINTS) % 2
positions = rng.uniform(0.0, 1.0, size=N_SPIRAL_POINTS)
angles = 2.0 * math.pi * (1.75 * positions + labels / 2)
points = 5.0 * positions[:, np.newaxis] * np.column_stack([np.cos(angles), np.sin(angles)])
points = points + rng.uniform(0.0, 0.0, size=points.shape)  # no noise, drawn to keep the order
order = rng.permutation(N_SPIRAL_POINTS)
points, labels = np.clip(points[order], -6.0, 6.0).astype(np.float32), labels[order]
features = points / 5.0  # about [-1, 1]""",
    "digits": """\
from sklearn.datasets import load_digits  # 1,797 digits of 8 x 8 ink counts (0-16)

digits = load_digits()
features = (digits.images / 16.0).astype(np.float32).reshape(len(digits.images), -1)
labels = digits.target""",
}
