"""The GAN's exported script: the same target, split, networks and training, in plain Keras."""

from __future__ import annotations

import inspect
import textwrap

from dlcore.concepts.optimizers import optimizer_code
from dlcore.data import gan_targets
from dlcore.trainers.gan import model
from dlcore.trainers.gan.config import COVERAGE_RADIUS, STEPS_PER_EXECUTION, Config
from dlcore.training import export, layers


def export_code(config: Config, *, epochs: int = 30) -> str:
    """Writes a standalone Python script that builds and trains this GAN.

    The script needs numpy, scikit-learn, TensorFlow and Keras 3 (no `dlcore`; TensorFlow
    because the GAN's own `train_step` takes its gradients with `tf.GradientTape`). It
    draws the same target points, splits them as `load_data` does, defines the same `GAN`
    and `make_gan` (this package's own source), builds the two networks with the same
    starting weights and trains for `--epochs` epochs of `STEPS_PER_EPOCH` steps, printing
    the distance to the validation points after each. It then prints "Test distance to
    the target: D" (and "Test modes covered: C" for a target with modes), measured on the
    test points, and saves the generator to `--output` ("gan_generator.keras").

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `30`.
    """
    export.check_settings(config, epochs)
    gan_source = "\n\n".join(
        _without_registration(inspect.getsource(piece))
        for piece in (
            model._mlp,
            layers.GAN,
            layers.gan_cross_entropy,
            model.make_gan,
            gan_targets._interpolate_quantiles,
        )
    )
    settings = export.settings_code(config, learning_rate=False)  # one rate per network
    header = f'''\
"""A GAN learns to draw the {config.target} target, 2-D points, from {config.noise_dim}-D noise.

Exported by Deep Learning Studio. Needs numpy, scikit-learn, TensorFlow and Keras 3: the
GAN's own train_step takes its gradients with tf.GradientTape, as keras.io's DCGAN
example does.
{export.run_note(epochs=epochs, output=_OUTPUT)}An epoch is STEPS_PER_EPOCH training steps.
"""

import argparse
import math
import os
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops
from sklearn.model_selection import train_test_split

TARGET = {config.target!r}
N_SAMPLES = {config.n_samples!r}  # real points drawn, before the split
NOISE_DIM = {config.noise_dim!r}
GENERATOR_LAYERS = {config.generator_layers!r}
GENERATOR_UNITS = {config.generator_units!r}
DISCRIMINATOR_LAYERS = {config.discriminator_layers!r}
DISCRIMINATOR_UNITS = {config.discriminator_units!r}
GENERATOR_LEARNING_RATE = {float(config.generator_learning_rate)!r}
DISCRIMINATOR_LEARNING_RATE = {float(config.discriminator_learning_rate)!r}
D_STEPS = {config.d_steps!r}  # discriminator updates per step
G_STEPS = {config.g_steps!r}  # generator updates per step
STEPS_PER_EPOCH = {config.steps_per_epoch!r}
{settings}SPREAD = 0.05  # the standard deviation of the noise around the target's shape
COVERAGE_RADIUS = {COVERAGE_RADIUS!r}  # a mode counts as reached by a point this close
GENERATOR_ACTIVATION = {model.GENERATOR_ACTIVATION!r}
DISCRIMINATOR_ACTIVATION = {model.DISCRIMINATOR_ACTIVATION!r}
'''
    body = f'''

def make_target():
    """N_SAMPLES points of the target, (N_SAMPLES, 2), and its modes (or None)."""
    rng = np.random.default_rng(SEED)
{textwrap.indent(_TARGET_CODE[config.target], "    ")}
    points = points + rng.normal(0.0, SPREAD, size=points.shape)
    points = points[rng.permutation(N_SAMPLES)].astype(np.float32)
    return points, modes


{export.split_code(doc=_SPLIT_DOC, argument="points", stratify=False, select=True)}

# The GAN, as Deep Learning Studio defines it.


{gan_source}


def sliced_wasserstein(a, b, n_projections=64):
    """The mean over directions of the 1-D Wasserstein distance of the projections."""
    rng = np.random.default_rng(0)
    angles = rng.uniform(0.0, math.pi / n_projections) + math.pi * np.arange(n_projections) / (
        n_projections
    )
    directions = np.column_stack([np.cos(angles), np.sin(angles)])
    quantiles_a = np.sort(a @ directions.T, axis=0)
    quantiles_b = np.sort(b @ directions.T, axis=0)
    n_levels = max(len(a), len(b))
    quantiles_a = _interpolate_quantiles(quantiles_a, n_levels)
    quantiles_b = _interpolate_quantiles(quantiles_b, n_levels)
    return float(np.mean(np.abs(quantiles_a - quantiles_b)))


def mode_coverage(points, modes):
    """The share of modes with a point within COVERAGE_RADIUS."""
    distances = np.linalg.norm(points[:, np.newaxis, :] - modes[np.newaxis, :, :], axis=-1)
    return float(np.mean(np.any(distances <= COVERAGE_RADIUS, axis=0)))


def generate(gan, n_points):
    """The generator's points for a fixed noise, drawn with SEED: the same at every call."""
    noise = np.random.default_rng(SEED).standard_normal((n_points, NOISE_DIM), dtype=np.float32)
    return np.asarray(gan.generator(noise, training=False))


{export.main_code(epochs=epochs, output=_OUTPUT)}\
    points, modes = make_target()
    x_train, x_val, x_test = split(points)
    print("x_train shape:", x_train.shape, "x_val:", x_val.shape, "x_test:", x_test.shape)
    gan = make_gan(
        NOISE_DIM,
        GENERATOR_LAYERS,
        GENERATOR_UNITS,
        DISCRIMINATOR_LAYERS,
        DISCRIMINATOR_UNITS,
        d_steps=D_STEPS,
        g_steps=G_STEPS,
        seed=SEED,
    )
    gan.generator.summary()
    gan.discriminator.summary()
    gan.compile(
        generator_optimizer={_optimizer("GENERATOR_LEARNING_RATE")},
        discriminator_optimizer={_optimizer("DISCRIMINATOR_LEARNING_RATE")},
        steps_per_execution={STEPS_PER_EXECUTION},
    )
    batches = (
        tf.data.Dataset.from_tensor_slices(x_train)
        .shuffle(len(x_train), seed=SEED, reshuffle_each_iteration=True)
        .repeat()
        .batch(D_STEPS * BATCH_SIZE, drop_remainder=True)
    )

    def measure(epoch, logs):
        distance = sliced_wasserstein(generate(gan, len(x_train)), x_val)
        print(f"epoch {{epoch + 1}}: val distance to the target {{distance:.4f}}")

    gan.fit(
        batches,
        epochs=args.epochs,
        steps_per_epoch=STEPS_PER_EPOCH,
        shuffle=False,  # the pipeline shuffles with the seed
        verbose=2,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=measure)],
    )
    generated = generate(gan, len(x_train))
    print(f"Test distance to the target: {{sliced_wasserstein(generated, x_test):.4f}}")
    if modes is not None:
        print(f"Test modes covered: {{mode_coverage(generated, modes):.4f}}")
{export.save_code("gan.generator")}'''
    return header + body


def _optimizer(learning_rate: str) -> str:
    """The exported line that builds one network's Adam, as `build_model` does."""
    return optimizer_code("adam", learning_rate=learning_rate, beta_1=model.ADAM_BETA_1)


# How `export_code`'s `make_target` draws each target before the noise: the same numbers
# as `dlcore.data.gan_targets` with its defaults.
_TARGET_CODE = {
    "ring": """\
angles = 2.0 * math.pi * np.arange(8) / 8  # 8 modes on a circle of radius 2
modes = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
points = modes[np.arange(N_SAMPLES) % len(modes)]""",
    "grid": """\
ticks = np.arange(5) - 2.0  # 5 x 5 modes, 1 apart
x1, x2 = np.meshgrid(ticks, ticks)
modes = np.column_stack([x1.ravel(), x2.ravel()])
points = modes[np.arange(N_SAMPLES) % len(modes)]""",
    "spiral": """\
positions = np.sqrt(rng.uniform(0.0, 1.0, size=N_SAMPLES))  # even along the arm
angles = 2.0 * math.pi * 1.5 * positions  # 1.5 turns out to radius 2
points = 2.0 * positions[:, np.newaxis] * np.column_stack([np.cos(angles), np.sin(angles)])
modes = None""",
    "moons": """\
upper = np.arange(N_SAMPLES) % 2 == 0
angles = rng.uniform(0.0, math.pi, size=N_SAMPLES)
x1 = np.where(upper, np.cos(angles), 1.0 - np.cos(angles))
x2 = np.where(upper, np.sin(angles), 0.5 - np.sin(angles))
points = (np.column_stack([x1, x2]) - [0.5, 0.25]) * (4.0 / 3.0)
modes = None""",
}


_OUTPUT = "gan_generator.keras"
_SPLIT_DOC = """(train, validation, test) points: the test points first, then the validation
    points from the rest, each drawn with SEED."""


def _without_registration(source: str) -> str:
    """`source` without a `@keras.saving.register_keras_serializable` line: the script
    saves the generator alone, a plain functional model, so it registers nothing."""
    return "".join(
        line
        for line in source.splitlines(keepends=True)
        if not line.startswith("@keras.saving.register_keras_serializable")
    )
