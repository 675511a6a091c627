"""A GAN on 2-D points: a generator learns to draw a target distribution, live.

The logic behind the GAN page, after GAN Lab. A `GANConfig` holds the page's settings;
`make_data` draws the target's points (`dlcore.data.gan_targets`); `build_gan` builds a
`GAN`: a Keras model that holds a generator (noise -> point) and a discriminator
(point -> logit of "real") and trains both in its own `train_step`, `d_steps`
discriminator updates then `g_steps` generator updates per step, as keras-io's DCGAN
example does. `train_gan` runs it through Keras's `fit`, many steps per compiled call,
and every `report_every` steps hands a `GANReport` to a plain callable: the losses, the
generated points, the discriminator's map over the plane, the sliced Wasserstein distance
to the target and the share of its modes the generator reaches. `export_code` writes a
standalone Keras script for the same configuration.

Both networks learn with Adam (beta_1 = 0.5, as usual for GANs) on the standard
non-saturating losses: the discriminator's binary cross-entropy on real points (label 1)
and generated ones (label 0); the generator's cross-entropy of its points labelled real.
A generator learning rate well above the discriminator's lets the generator chase
whatever the discriminator currently likes, and it collapses onto a few modes: the
coverage drops and the points jump from mode to mode.

Example:

>>> config = GANConfig(target="ring")
>>> data = make_data(config)
>>> gan = build_gan(config)
>>> history = train_gan(gan, data, config, steps=2000).history    # doctest: +SKIP
>>> history.distance[-1] < history.distance[0]                     # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import textwrap
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from dlcore.data import gan_targets
from dlcore.runtime import memory  # noqa: F401  (imported for its fix: trained models are freed)

TARGETS = tuple(gan_targets.GAN_TARGETS)
"""The target distributions the page offers: "ring", "spiral", "moons", "grid"."""

EXTENT = 3.0
"""The discriminator's map covers [-EXTENT, EXTENT]^2; every target lies within 2.5."""

COVERAGE_RADIUS = 0.15
"""A mode counts as reached when a generated point lies this close to it: three times
the targets' spread of 0.05."""

STEPS_PER_EXECUTION = 25
"""Training steps per compiled call: `report_every` is a multiple of it."""

GENERATOR_ACTIVATION = "relu"
DISCRIMINATOR_ACTIVATION = "leaky_relu"
ADAM_BETA_1 = 0.5


@dataclasses.dataclass(frozen=True)
class GANConfig:
    """The GAN page's settings: the target, the two networks and how they train.

    Attributes:
        target: one of `TARGETS`. Defaults to `"ring"`.
        noise_dim: `int` >= 1, the size of the generator's random input. Defaults to `2`.
        generator_layers: `int` >= 1, the generator's hidden layers. Defaults to `2`.
        generator_units: `int` >= 1, units per generator hidden layer. Defaults to `64`.
        discriminator_layers: `int` >= 1. Defaults to `2`.
        discriminator_units: `int` >= 1. Defaults to `64`.
        generator_learning_rate: `float` > 0. Defaults to `0.001`.
        discriminator_learning_rate: `float` > 0. Defaults to `0.001`.
        d_steps: `int` >= 1, discriminator updates per training step. Defaults to `1`.
        g_steps: `int` >= 1, generator updates per training step. Defaults to `1`.
        batch_size: `int` in [1, n_samples], real (and generated) points per update.
            Defaults to `128`.
        n_samples: `int` >= 1, the real points drawn from the target. Defaults to `1000`.
        seed: `int`, seeds the target's points, the weights, the noise and the batches.
            Defaults to `0`.
    """

    target: str = "ring"
    noise_dim: int = 2
    generator_layers: int = 2
    generator_units: int = 64
    discriminator_layers: int = 2
    discriminator_units: int = 64
    generator_learning_rate: float = 0.001
    discriminator_learning_rate: float = 0.001
    d_steps: int = 1
    g_steps: int = 1
    batch_size: int = 128
    n_samples: int = 1000
    seed: int = 0

    def validate(self) -> GANConfig:
        """Checks that the settings make a GAN that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what is expected and what
                was received.
        """
        if self.target not in TARGETS:
            raise ValueError(
                f"Unknown target. Choose one of: {', '.join(TARGETS)}. "
                f"Received: target={self.target!r}."
            )
        for name, meaning in (
            ("noise_dim", "the generator needs at least one random number per point"),
            ("generator_layers", "the generator needs a hidden layer to bend its noise"),
            ("generator_units", "a layer with no units passes nothing on"),
            ("discriminator_layers", "the discriminator needs a hidden layer"),
            ("discriminator_units", "a layer with no units passes nothing on"),
            ("d_steps", "each side must train at least once per step"),
            ("g_steps", "each side must train at least once per step"),
            ("n_samples", "the target needs at least one point"),
        ):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ValueError(
                    f"`{name}` must be an integer >= 1: {meaning}. Received: {name}={value!r}."
                )
        for name in ("generator_learning_rate", "discriminator_learning_rate"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not (math.isfinite(value) and value > 0):
                raise ValueError(f"`{name}` must be a number > 0. Received: {name}={value!r}.")
        if not _is_int(self.batch_size) or not 1 <= self.batch_size <= self.n_samples:
            raise ValueError(
                f"`batch_size` must be an integer from 1 to n_samples ({self.n_samples!r}): "
                "a batch cannot hold more real points than there are. Use a smaller batch "
                f"or more samples. Received: batch_size={self.batch_size!r}."
            )
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self


@dataclasses.dataclass(frozen=True)
class GANData:
    """The target's real points and what the measures need.

    Attributes:
        points: float32, shape `(n_samples, 2)`, in about [-2.5, 2.5].
        modes: float32, shape `(n_modes, 2)`, the centres of the target's Gaussians
            ("ring", "grid"), or None ("spiral", "moons": no separate modes).
        description: the target's description, as `gan_targets` writes it.
    """

    points: np.ndarray
    modes: np.ndarray | None
    description: str


@dataclasses.dataclass
class GANHistory:
    """The measures at every report, one entry per report.

    Attributes:
        steps: training steps finished at each report (cumulative).
        generator_loss: the generator's mean loss over the steps since the last report.
        discriminator_loss: the discriminator's mean loss (real and generated summed).
        distance: the sliced Wasserstein distance from the generated points to the
            target's, `>= 0`, lower is closer.
        coverage: the share of the target's modes reached, in [0, 1]; None for a target
            without modes.
    """

    steps: list[int] = dataclasses.field(default_factory=list)
    generator_loss: list[float] = dataclasses.field(default_factory=list)
    discriminator_loss: list[float] = dataclasses.field(default_factory=list)
    distance: list[float] = dataclasses.field(default_factory=list)
    coverage: list[float | None] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)


@dataclasses.dataclass(frozen=True)
class GANSnapshot:
    """What the generator and the discriminator do now, over the plane.

    Attributes:
        generated: float32, shape `(n_samples, 2)`, the generator's points for a fixed
            noise sample (the same one at every snapshot, so that points move smoothly).
        grid: float32, shape `(grid_size,)`, coordinates from -`EXTENT` to `EXTENT`.
        discriminator_map: float32 in [0, 1], shape `(grid_size, grid_size)`: the
            discriminator's probability that a point is real; row i is at x2 = `grid[i]`,
            column j at x1 = `grid[j]` (a heatmap's `z[y][x]`).
        distance: `sliced_wasserstein(generated, real points)`, >= 0.
        coverage: `mode_coverage(generated, modes, radius=COVERAGE_RADIUS)` in [0, 1];
            None for a target without modes.
    """

    generated: np.ndarray
    grid: np.ndarray
    discriminator_map: np.ndarray
    distance: float
    coverage: float | None


@dataclasses.dataclass(frozen=True)
class GANReport:
    """What `on_report` receives every `report_every` steps.

    Attributes:
        step: training steps finished, counting earlier runs.
        final_step: the step this run ends at if nothing stops it.
        generator_loss: the mean generator loss since the last report.
        discriminator_loss: the mean discriminator loss since the last report.
        snapshot: the `GANSnapshot` after this step.
        history: the whole `GANHistory` so far (the same object every time).
        weights: a copy of the GAN's weights, to put back after an interruption.
        seconds: wall time since this run began.
    """

    step: int
    final_step: int
    generator_loss: float
    discriminator_loss: float
    snapshot: GANSnapshot
    history: GANHistory
    weights: list[np.ndarray]
    seconds: float


@dataclasses.dataclass(frozen=True)
class GANResult:
    """What `train_gan` returns.

    Attributes:
        history: the `GANHistory`, earlier runs included when one was passed in.
        snapshot: the last `GANSnapshot`.
        steps: training steps run in this call.
        seconds: wall time of this call.
        stopped: whether `should_stop` ended it early.
    """

    history: GANHistory
    snapshot: GANSnapshot
    steps: int
    seconds: float
    stopped: bool


class GAN(keras.Model):
    """A generator and a discriminator trained against each other by `fit`.

    `fit` takes batches of real points of shape `(d_steps * batch_size, 2)`: each
    `train_step` splits them into `d_steps` batches, makes one discriminator update per
    batch against as many generated points, then makes `g_steps` generator updates. It
    returns the mean losses since the start of the epoch, "generator_loss" and
    "discriminator_loss". Calling the model generates points from noise.

    Args:
        generator: a `keras.Model` from noise `(batch_size, noise_dim)` to points
            `(batch_size, 2)`.
        discriminator: a `keras.Model` from points `(batch_size, 2)` to logits
            `(batch_size, 1)` (positive: "real").
        d_steps: `int` >= 1, discriminator updates per step. Defaults to `1`.
        g_steps: `int` >= 1, generator updates per step. Defaults to `1`.
        seed: `int`, seeds the noise. Defaults to `0`.

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
        return {metric.name: metric.result() for metric in self.metrics}


def _cross_entropy(logits: Any, label: float) -> Any:
    """Mean binary cross-entropy of logits `(batch_size, 1)` against one label for all."""
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits, from_logits=True))


def make_data(config: GANConfig) -> GANData:
    """Draws `config.n_samples` points of the target with `config.seed`.

    Args:
        config: the `GANConfig`; validated first.

    Returns:
        A `GANData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = make_data(GANConfig(target="ring", n_samples=200))
    >>> data.points.shape, data.modes.shape
    ((200, 2), (8, 2))
    """
    config.validate()
    target = gan_targets.GAN_TARGETS[config.target](config.n_samples, seed=config.seed)
    return GANData(points=target.data, modes=target.modes, description=target.DESCR)


def build_generator(config: GANConfig) -> Any:
    """The generator: `generator_layers` ReLU `Dense(generator_units)`, then a linear
    `Dense(2)` "points". Kernel k (from 0) is drawn by `GlorotUniform(seed + k)`.

    Input shape:
        `(batch_size, noise_dim)`, standard normal noise.

    Output shape:
        `(batch_size, 2)`, points in the plane.
    """
    config.validate()
    return _mlp(
        config.noise_dim,
        config.generator_layers,
        config.generator_units,
        n_outputs=2,
        activation=GENERATOR_ACTIVATION,
        seed=config.seed,
        name="generator",
    )


def build_discriminator(config: GANConfig) -> Any:
    """The discriminator: `discriminator_layers` leaky-ReLU `Dense(discriminator_units)`,
    then a linear `Dense(1)` logit. Kernel k (from 0) is drawn by `GlorotUniform(seed +
    100 + k)`, so the two networks never share a seed.

    Input shape:
        `(batch_size, 2)`, points.

    Output shape:
        `(batch_size, 1)`, logits: sigmoid(logit) is the probability of "real".
    """
    config.validate()
    return _mlp(
        2,
        config.discriminator_layers,
        config.discriminator_units,
        n_outputs=1,
        activation=DISCRIMINATOR_ACTIVATION,
        seed=config.seed + 100,
        name="discriminator",
    )


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


def build_gan(config: GANConfig) -> GAN:
    """Builds the configured `GAN`, compiled with one Adam optimizer per network.

    Args:
        config: the `GANConfig`; validated first.

    Returns:
        A compiled `GAN` that runs `STEPS_PER_EXECUTION` steps per compiled call.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    gan = GAN(
        build_generator(config),
        build_discriminator(config),
        d_steps=config.d_steps,
        g_steps=config.g_steps,
        seed=config.seed,
        name="gan",
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(
            config.generator_learning_rate, beta_1=ADAM_BETA_1
        ),
        discriminator_optimizer=keras.optimizers.Adam(
            config.discriminator_learning_rate, beta_1=ADAM_BETA_1
        ),
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return gan


def discriminator_map(discriminator: Any, *, grid_size: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """The discriminator's probability of "real" over a square grid covering the targets.

    Args:
        discriminator: a model from `build_discriminator` (or `GAN.discriminator`).
        grid_size: `int` >= 2, points per axis. Defaults to `60`.

    Returns:
        `(grid, probabilities)`: float32 `(grid_size,)` from -`EXTENT` to `EXTENT`, and
        float32 `(grid_size, grid_size)` in [0, 1], row i at x2 = `grid[i]` and column j
        at x1 = `grid[j]`.

    Raises:
        ValueError: If `grid_size` < 2.
    """
    if not _is_int(grid_size) or grid_size < 2:
        raise ValueError(f"`grid_size` must be an integer >= 2. Received: grid_size={grid_size!r}.")
    grid = np.linspace(-EXTENT, EXTENT, grid_size, dtype=np.float32)
    x1, x2 = np.meshgrid(grid, grid)
    points = np.column_stack([x1.ravel(), x2.ravel()])
    logits = np.asarray(discriminator(points, training=False), dtype=np.float32)
    probabilities = 1.0 / (1.0 + np.exp(-logits.reshape(grid_size, grid_size)))
    return grid, probabilities


def snapshot(gan: GAN, data: GANData, config: GANConfig, *, grid_size: int = 60) -> GANSnapshot:
    """Looks at the GAN now: its points, the discriminator's map and the two measures.

    The generated points come from a fixed noise sample: `config.n_samples` standard
    normal vectors drawn with `config.seed`, the same at every call.

    Args:
        gan: a `GAN` from `build_gan(config)`.
        data: the `GANData` from `make_data(config)`.
        config: the `GANConfig`.
        grid_size: `int` >= 2, the map's points per axis. Defaults to `60`.

    Returns:
        A `GANSnapshot`. A generator whose points are no longer finite (it diverged) gets
        an infinite distance and a coverage of 0.
    """
    noise = np.random.default_rng(config.seed).standard_normal(
        (config.n_samples, config.noise_dim), dtype=np.float32
    )
    generated = np.asarray(gan.generator(noise, training=False), dtype=np.float32)
    grid, probabilities = discriminator_map(gan.discriminator, grid_size=grid_size)
    finite = bool(np.all(np.isfinite(generated)))
    distance = gan_targets.sliced_wasserstein(generated, data.points) if finite else math.inf
    coverage = None
    if data.modes is not None:
        coverage = (
            gan_targets.mode_coverage(generated, data.modes, radius=COVERAGE_RADIUS)
            if finite
            else 0.0
        )
    return GANSnapshot(generated, grid, probabilities, distance, coverage)


class _ReportCallback(keras.callbacks.Callback):
    """After every epoch of `report_every` steps: measure, record, report, ask to stop."""

    def __init__(
        self,
        data: GANData,
        config: GANConfig,
        history: GANHistory,
        *,
        report_every: int,
        final_step: int,
        on_report: Callable[[GANReport], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        super().__init__()
        self.data = data
        self.config = config
        self.history = history
        self.report_every = report_every
        self.final_step = final_step
        self.on_report = on_report
        self.should_stop = should_stop
        self.stopped = False
        self.last_snapshot: GANSnapshot | None = None
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        current = snapshot(self.model, self.data, self.config)
        history = self.history
        step = (history.steps[-1] if history.steps else 0) + self.report_every
        history.steps.append(step)
        history.generator_loss.append(float(logs["generator_loss"]))
        history.discriminator_loss.append(float(logs["discriminator_loss"]))
        history.distance.append(current.distance)
        history.coverage.append(current.coverage)
        self.last_snapshot = current
        if self.on_report is not None:
            self.on_report(
                GANReport(
                    step=step,
                    final_step=self.final_step,
                    generator_loss=history.generator_loss[-1],
                    discriminator_loss=history.discriminator_loss[-1],
                    snapshot=current,
                    history=history,
                    weights=[np.array(weight) for weight in self.model.get_weights()],
                    seconds=time.perf_counter() - self._started,
                )
            )
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
            self.model.stop_training = True


def train_gan(
    gan: GAN,
    data: GANData,
    config: GANConfig,
    *,
    steps: int,
    report_every: int = 100,
    history: GANHistory | None = None,
    on_report: Callable[[GANReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> GANResult:
    """Trains the GAN for `steps` steps, reporting every `report_every` steps.

    Keras's `fit` runs it, one epoch per report, `STEPS_PER_EXECUTION` steps per compiled
    call, on the real points reshuffled with `config.seed` and cut into batches of
    `d_steps * batch_size`. After each report `should_stop` is asked.

    Args:
        gan: a `GAN` from `build_gan(config)`.
        data: the `GANData` from `make_data(config)`.
        config: the `GANConfig`.
        steps: `int` >= 1, training steps to run; rounded up to whole reports.
        report_every: `int`, a multiple of `STEPS_PER_EXECUTION`, steps between reports.
            Defaults to `100`.
        history: the `GANHistory` of earlier runs of this GAN, to continue it. Defaults
            to a new one.
        on_report: called with a `GANReport` after every report. Defaults to `None`.
        should_stop: asked after every report; returning true ends training there.
            Defaults to `None`.

    Returns:
        A `GANResult`.

    Raises:
        ValueError: If `steps` < 1 or `report_every` is not a positive multiple of
            `STEPS_PER_EXECUTION`.
    """
    if not _is_int(steps) or steps < 1:
        raise ValueError(f"`steps` must be an integer >= 1. Received: steps={steps!r}.")
    if not _is_int(report_every) or report_every < 1 or report_every % STEPS_PER_EXECUTION:
        raise ValueError(
            f"`report_every` must be a positive multiple of {STEPS_PER_EXECUTION}, the steps "
            f"run per compiled call. Received: report_every={report_every!r}."
        )
    history = history if history is not None else GANHistory()
    n_reports = math.ceil(steps / report_every)
    first_step = history.steps[-1] if history.steps else 0
    callback = _ReportCallback(
        data,
        config,
        history,
        report_every=report_every,
        final_step=first_step + n_reports * report_every,
        on_report=on_report,
        should_stop=should_stop,
    )
    batches = (
        tf.data.Dataset.from_tensor_slices(data.points)
        .cache()
        .shuffle(len(data.points), seed=config.seed + len(history), reshuffle_each_iteration=True)
        .repeat()
        .batch(config.d_steps * config.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    started = time.perf_counter()
    gan.fit(
        batches,
        epochs=n_reports,
        steps_per_epoch=report_every,
        shuffle=False,  # the pipeline shuffles with the seed
        verbose=0,
        callbacks=[callback],
    )
    current = callback.last_snapshot
    if current is None:
        current = snapshot(gan, data, config)
    return GANResult(
        history=history,
        snapshot=current,
        steps=(history.steps[-1] if history.steps else 0) - first_step,
        seconds=time.perf_counter() - started,
        stopped=callback.stopped,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def export_code(config: GANConfig, *, steps: int = 3000) -> str:
    """Writes a standalone Python script that builds and trains this GAN.

    The script needs numpy, TensorFlow and Keras 3 (no `dlcore`; TensorFlow because the
    GAN's own `train_step` takes its gradients with `tf.GradientTape`). It draws the same
    target points, defines the same `GAN` (this module's own source), builds the two
    networks with the same starting weights, trains for `--steps` steps (rounded up to
    hundreds, losses printed every 100), prints "Distance to the target: D" (and "Modes
    covered: C" for a target with modes) and saves the generator as "gan_generator.keras".

    Args:
        config: the `GANConfig`; validated first.
        steps: `int` >= 1, the script's default `--steps`. Defaults to `3000`.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `steps` < 1.
    """
    config.validate()
    if not _is_int(steps) or steps < 1:
        raise ValueError(f"`steps` must be an integer >= 1. Received: steps={steps!r}.")
    gan_source = "\n\n".join(inspect.getsource(piece) for piece in (_mlp, GAN, _cross_entropy))
    header = f'''\
"""A GAN learns to draw the {config.target} target, 2-D points, from {config.noise_dim}-D noise.

Exported by Deep Learning Studio. Needs numpy, TensorFlow and Keras 3: the GAN's own
train_step takes its gradients with tf.GradientTape, as keras.io's DCGAN example does.
Run: python this_script.py --steps {steps}
"""

import argparse
import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

TARGET = {config.target!r}
N_SAMPLES = {config.n_samples!r}
NOISE_DIM = {config.noise_dim!r}
GENERATOR_LAYERS = {config.generator_layers!r}
GENERATOR_UNITS = {config.generator_units!r}
DISCRIMINATOR_LAYERS = {config.discriminator_layers!r}
DISCRIMINATOR_UNITS = {config.discriminator_units!r}
GENERATOR_LEARNING_RATE = {float(config.generator_learning_rate)!r}
DISCRIMINATOR_LEARNING_RATE = {float(config.discriminator_learning_rate)!r}
D_STEPS = {config.d_steps!r}  # discriminator updates per step
G_STEPS = {config.g_steps!r}  # generator updates per step
BATCH_SIZE = {config.batch_size!r}
SEED = {config.seed!r}
SPREAD = 0.05  # the standard deviation of the noise around the target's shape
COVERAGE_RADIUS = {COVERAGE_RADIUS!r}  # a mode counts as reached by a point this close
STEPS_PER_REPORT = 100
'''
    body = f'''

def make_target():
    """N_SAMPLES points of the target, (N_SAMPLES, 2), and its modes (or None)."""
    rng = np.random.default_rng(SEED)
{textwrap.indent(_TARGET_CODE[config.target], "    ")}
    points = points + rng.normal(0.0, SPREAD, size=points.shape)
    points = points[rng.permutation(N_SAMPLES)].astype(np.float32)
    return points, modes


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
    return float(np.mean(np.abs(quantiles_a - quantiles_b)))


def mode_coverage(points, modes):
    """The share of modes with a point within COVERAGE_RADIUS."""
    distances = np.linalg.norm(points[:, np.newaxis, :] - modes[np.newaxis, :, :], axis=-1)
    return float(np.mean(np.any(distances <= COVERAGE_RADIUS, axis=0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default={steps})
    args = parser.parse_args()
    points, modes = make_target()
    print("points shape:", points.shape)
    generator = _mlp(
        NOISE_DIM,
        GENERATOR_LAYERS,
        GENERATOR_UNITS,
        n_outputs=2,
        activation="{GENERATOR_ACTIVATION}",
        seed=SEED,
        name="generator",
    )
    discriminator = _mlp(
        2,
        DISCRIMINATOR_LAYERS,
        DISCRIMINATOR_UNITS,
        n_outputs=1,
        activation="{DISCRIMINATOR_ACTIVATION}",
        seed=SEED + 100,
        name="discriminator",
    )
    generator.summary()
    discriminator.summary()
    gan = GAN(generator, discriminator, d_steps=D_STEPS, g_steps=G_STEPS, seed=SEED)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(GENERATOR_LEARNING_RATE, beta_1={ADAM_BETA_1}),
        discriminator_optimizer=keras.optimizers.Adam(
            DISCRIMINATOR_LEARNING_RATE, beta_1={ADAM_BETA_1}
        ),
        steps_per_execution={STEPS_PER_EXECUTION},
    )
    batches = (
        tf.data.Dataset.from_tensor_slices(points)
        .shuffle(len(points), seed=SEED, reshuffle_each_iteration=True)
        .repeat()
        .batch(D_STEPS * BATCH_SIZE, drop_remainder=True)
    )
    gan.fit(
        batches,
        epochs=math.ceil(args.steps / STEPS_PER_REPORT),
        steps_per_epoch=STEPS_PER_REPORT,
        shuffle=False,  # the pipeline shuffles with the seed
        verbose=2,
    )
    noise = np.random.default_rng(SEED).standard_normal((N_SAMPLES, NOISE_DIM), dtype=np.float32)
    generated = np.asarray(generator(noise))
    print(f"Distance to the target: {{sliced_wasserstein(generated, points):.4f}}")
    if modes is not None:
        print(f"Modes covered: {{mode_coverage(generated, modes):.4f}}")
    generator.save("gan_generator.keras")
    print("Saved gan_generator.keras")


if __name__ == "__main__":
    main()
'''
    return header + body


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
