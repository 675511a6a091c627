"""The GAN's builder: a generator and a discriminator, and the `GAN` that trains them.

`make_gan` is the builder, a plain function of plain arguments: `build_model` calls it
with the config's values, and `export_code` pastes its source (with `_mlp`, and
`dlcore.training.layers.GAN` with `gan_cross_entropy`) into the exported script, so that
the two cannot drift. `GAN` is registered with the project's other Keras classes, so that
a trained GAN saves as `.keras` and loads again, optimizers included.
"""

from __future__ import annotations

from typing import Any

import keras

from dlcore.training.layers import GAN

GENERATOR_ACTIVATION = "relu"
DISCRIMINATOR_ACTIVATION = "leaky_relu"
ADAM_BETA_1 = 0.5
"""Adam's first-moment decay for both networks, as usual for GANs."""


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
