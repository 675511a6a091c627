"""The GAN itself: a generator and a discriminator, and the one builder of both.

`make_gan` is the builder, a plain function of plain arguments: `build_model` calls it
with the config's values, and `export_code` pastes its source (with `GAN`, `_mlp` and
`_cross_entropy`) into the exported script, so that the two cannot drift.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

GENERATOR_ACTIVATION = "relu"
DISCRIMINATOR_ACTIVATION = "leaky_relu"
ADAM_BETA_1 = 0.5
"""Adam's first-moment decay for both networks, as usual for GANs."""


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
                discriminator_loss = _cross_entropy(real_logits, 1.0) + _cross_entropy(
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
                generator_loss = _cross_entropy(fake_logits, 1.0)
            variables = self.generator.trainable_variables
            gradients = tape.gradient(generator_loss, variables)
            self.generator_optimizer.apply(gradients, variables)
        self.discriminator_loss_tracker.update_state(discriminator_loss)
        self.generator_loss_tracker.update_state(generator_loss)
        losses = {metric.name: metric.result() for metric in self.metrics}
        return {"loss": losses["generator_loss"] + losses["discriminator_loss"], **losses}


def _cross_entropy(logits: Any, label: float) -> Any:
    """Mean binary cross-entropy of logits `(batch_size, 1)` against one label for all."""
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits, from_logits=True))


def _mlp(
    n_inputs: int,
    n_layers: int,
    units: int,
    *,
    n_outputs: int,
    activation: str,
    seed: int,
    name: str,
) -> Any:
    """A dense network from `n_inputs` to `n_outputs` (linear), `n_layers` hidden layers."""
    inputs = keras.Input((n_inputs,), name="noise" if name == "generator" else "points")
    outputs = inputs
    for index in range(n_layers):
        outputs = keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + index),
            name=f"hidden_{index + 1}",
        )(outputs)
    outputs = keras.layers.Dense(
        n_outputs,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + n_layers),
        dtype="float32",
        name="points" if name == "generator" else "logit",
    )(outputs)
    return keras.Model(inputs, outputs, name=name)


def make_gan(
    noise_dim: int,
    generator_layers: int,
    generator_units: int,
    discriminator_layers: int,
    discriminator_units: int,
    *,
    d_steps: int = 1,
    g_steps: int = 1,
    seed: int = 0,
) -> GAN:
    """Builds the two networks and the uncompiled `GAN` that trains them.

    The generator: `generator_layers` ReLU `Dense(generator_units)`, then a linear
    `Dense(2)` "points"; kernel k (from 0) drawn by `GlorotUniform(seed + k)`. The
    discriminator: `discriminator_layers` leaky-ReLU `Dense(discriminator_units)`, then a
    linear `Dense(1)` logit; kernel k drawn by `GlorotUniform(seed + 100 + k)`, so the two
    networks never share a seed.

    Input shape:
        generator `(batch_size, noise_dim)`, standard normal noise; discriminator
        `(batch_size, 2)`, points.

    Output shape:
        generator `(batch_size, 2)`, points in the plane; discriminator
        `(batch_size, 1)`, logits: sigmoid(logit) is the probability of "real".

    Example:

    >>> make_gan(2, 2, 64, 2, 64).generator.output_shape
    (None, 2)
    """
    generator = _mlp(
        noise_dim,
        generator_layers,
        generator_units,
        n_outputs=2,
        activation=GENERATOR_ACTIVATION,
        seed=seed,
        name="generator",
    )
    discriminator = _mlp(
        2,
        discriminator_layers,
        discriminator_units,
        n_outputs=1,
        activation=DISCRIMINATOR_ACTIVATION,
        seed=seed + 100,
        name="discriminator",
    )
    return GAN(generator, discriminator, d_steps=d_steps, g_steps=g_steps, seed=seed, name="gan")
