"""The trainers' own Keras classes, registered so that their models save and load.

A Transformer sees its tokens all at once, so unlike a recurrent layer it has no idea of
their order: `TokenAndPositionEmbedding` adds a learned vector per position to each
token's vector (after the keras.io example "Text classification with Transformer").

The GAN page's `GAN` model (a generator and a discriminator trained against each other,
with an optimizer each) is here too, with the configs that let it save and load whole.

Each class here is registered with Keras as `"dlcore>ClassName"`: importing this module
is enough for `keras.saving.load_model` to rebuild a model that holds one. About 600
lines for that reason: every registered class in the one module that `import dlcore`
imports once Keras is (see `dlcore/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="dlcore")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Turns token ids into vectors that also say where each token stands.

    Output = token embedding + position embedding: the token's learned vector plus a
    learned vector for its position 0, 1, ..., so the same word at the start or the end
    of a sentence gives different vectors. Token id 0 is padding: the layer returns a mask
    that is False there, which `MultiHeadAttention` and `GlobalAveragePooling1D` use to
    ignore the padding.

    Args:
        vocabulary_size: `int` >= 2, token ids lie in [0, vocabulary_size).
        max_length: `int` >= 1, the longest sequence, i.e. the number of positions.
        embedding_dim: `int` >= 1, the size of each vector.
        seed: `int` or None, seeds both embeddings' initial values. Defaults to None.

    Input shape:
        `(batch_size, timesteps)`, integer token ids, `timesteps` <= `max_length`.

    Output shape:
        `(batch_size, timesteps, embedding_dim)`, float32; mask `(batch_size, timesteps)`.

    Example:

    >>> layer = TokenAndPositionEmbedding(100, 8, 16, seed=0)
    >>> layer(keras.ops.convert_to_tensor([[5, 7, 0]])).shape
    TensorShape([1, 3, 16])
    """

    def __init__(
        self,
        vocabulary_size: int,
        max_length: int,
        embedding_dim: int,
        *,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.max_length = max_length
        self.embedding_dim = embedding_dim
        self.seed = seed
        self.supports_masking = True
        self.token_embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
            name="token_embedding",
        )
        self.position_embedding = keras.layers.Embedding(
            max_length,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.05, 0.05, seed=None if seed is None else seed + 1
            ),
            name="position_embedding",
        )

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.token_embedding.build(input_shape)
        self.position_embedding.build((input_shape[-1],))

    def call(self, token_ids: Any) -> Any:
        positions = keras.ops.arange(keras.ops.shape(token_ids)[-1])
        return self.token_embedding(token_ids) + self.position_embedding(positions)

    def compute_mask(self, token_ids: Any, mask: Any = None) -> Any:
        return keras.ops.not_equal(token_ids, 0)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape, self.embedding_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "max_length": self.max_length,
            "embedding_dim": self.embedding_dim,
            "seed": self.seed,
        }


# Depth and residuals (dlcore.trainers.residual): the variants of one deep network side by
# side, as one model whose weights have a variant axis, its loss and its metrics.

BATCH_NORM_MOMENTUM = 0.9
"""How slowly batch norm's moving statistics follow the batches in `VariantNorm` and
`VariantStack`. Keras's default of 0.99 takes some 300 steps to settle, far longer than a
short run on the page, and until then the validation metrics of the "_bn" variants would
be measured with stale statistics."""


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
        variants: one name per variant on axis 1: "plain", "plain_bn", "residual" or
            "residual_bn".
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
        variants: one name per variant on axis 1: "plain", "plain_bn", "residual" or
            "residual_bn".
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


@keras.saving.register_keras_serializable(package="dlcore")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other by `fit`.

    `fit` takes batches of real points of shape `(d_steps * batch_size, 2)`: each
    `train_step` splits them into `d_steps` batches, makes one discriminator update per
    batch against as many generated points, then makes `g_steps` generator updates. It
    returns the mean losses since the start of the epoch: "generator_loss",
    "discriminator_loss", and their sum "loss", as Keras sums the losses of a model with
    several outputs. Calling the model generates points from noise.

    Args:
        generator: a `keras.Model` from noise `(batch_size, noise_dim)` to points
            `(batch_size, 2)`.
        discriminator: a `keras.Model` from points `(batch_size, 2)` to logits
            `(batch_size, 1)` (positive: "real").
        d_steps: `int` >= 1, discriminator updates per step. Defaults to `1`.
        g_steps: `int` >= 1, generator updates per step. Defaults to `1`.
        seed: `int`, seeds the noise; kept as `seed` for the measures' fixed noise.
            Defaults to `0`.

    Input shape:
        `(batch_size, noise_dim)` when called.

    Output shape:
        `(batch_size, 2)`.
    """

    def __init__(
        self,
        generator: Any,
        discriminator: Any,
        *,
        d_steps: int = 1,
        g_steps: int = 1,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.d_steps = d_steps
        self.g_steps = g_steps
        self.noise_dim = generator.input_shape[-1]
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.discriminator_loss_tracker = keras.metrics.Mean(name="discriminator_loss")
        self.built = True  # its two networks are built already

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "d_steps": self.d_steps,
            "g_steps": self.g_steps,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> keras.Model:
        config = dict(config)
        networks = [
            keras.saving.deserialize_keras_object(config.pop(name))
            for name in ("generator", "discriminator")
        ]
        return cls(*networks, **config)

    def compile(
        self,
        *,
        generator_optimizer: Any,
        discriminator_optimizer: Any,
        steps_per_execution: int = 1,
    ) -> None:
        super().compile(steps_per_execution=steps_per_execution)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        # Created now rather than inside the first compiled step, which would then be
        # compiled twice.
        generator_optimizer.build(self.generator.trainable_variables)
        discriminator_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self) -> dict[str, Any]:
        # Both optimizers, so that a loaded GAN trains on with their state (Adam's moments).
        return {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(
                self.discriminator_optimizer
            ),
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config: dict[str, Any]) -> None:
        self.compile(
            generator_optimizer=keras.saving.deserialize_keras_object(
                config["generator_optimizer"]
            ),
            discriminator_optimizer=keras.saving.deserialize_keras_object(
                config["discriminator_optimizer"]
            ),
            steps_per_execution=config["steps_per_execution"],
        )

    @property
    def metrics(self) -> list[Any]:
        # Listed so that `fit` resets them at the start of every epoch.
        return [self.generator_loss_tracker, self.discriminator_loss_tracker]

    def call(self, noise: Any, training: bool = False) -> Any:
        return self.generator(noise, training=training)

    def train_step(self, real_points: Any) -> dict[str, Any]:
        real_batches = ops.reshape(real_points, (self.d_steps, -1, 2))
        batch_size = ops.shape(real_batches)[1]
        for real in ops.unstack(real_batches, num=self.d_steps):
            noise = keras.random.normal((batch_size, self.noise_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(
                    self.generator(noise, training=True), training=True
                )
                discriminator_loss = gan_cross_entropy(real_logits, 1.0) + gan_cross_entropy(
                    fake_logits, 0.0
                )
            variables = self.discriminator.trainable_variables
            gradients = tape.gradient(discriminator_loss, variables)
            self.discriminator_optimizer.apply(gradients, variables)
        for _ in range(self.g_steps):
            noise = keras.random.normal((batch_size, self.noise_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                fake_logits = self.discriminator(
                    self.generator(noise, training=True), training=True
                )
                # Non-saturating: the generator pushes its points' "real" score up.
                generator_loss = gan_cross_entropy(fake_logits, 1.0)
            variables = self.generator.trainable_variables
            gradients = tape.gradient(generator_loss, variables)
            self.generator_optimizer.apply(gradients, variables)
        self.discriminator_loss_tracker.update_state(discriminator_loss)
        self.generator_loss_tracker.update_state(generator_loss)
        losses = {metric.name: metric.result() for metric in self.metrics}
        return {"loss": losses["generator_loss"] + losses["discriminator_loss"], **losses}


def gan_cross_entropy(logits: Any, label: float) -> Any:
    """Mean binary cross-entropy of logits `(batch_size, 1)` against one label for all."""
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits, from_logits=True))
