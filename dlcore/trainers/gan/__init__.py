"""A GAN on 2-D points: a generator learns to draw a target distribution, live.

The logic behind the GAN page, after GAN Lab, with the names of every trainer
(`dlcore.trainers`). A `Config` holds the page's settings; `load_data` draws the target's
points (`dlcore.data.gan_targets`) and splits them three ways; `build_model` builds a
compiled `GAN` with `make_gan`: a Keras model that holds a generator (noise -> point) and
a discriminator (point -> logit of "real") and trains both in its own `train_step`,
`d_steps` discriminator updates then `g_steps` generator updates per step, as keras-io's
DCGAN example does. `fit` runs it through Keras's `fit`, many steps per compiled call.

A GAN counts steps: one "epoch" is `config.steps_per_epoch` steps, and its `History`
says so (`unit="step"`, its `epochs` are the steps finished). After every epoch the
generated points are measured against the validation points: "val_sliced_wasserstein",
the sliced Wasserstein distance to the target, and, for a target with modes,
"val_modes_covered", the share of its modes the generator reaches; `on_epoch` gets a
`GANReport` with the generated points and the discriminator's map over the plane.
`evaluate` measures the same against the test points, once, at the end. Export saves the
generator (`exported_model`), and `export_code` writes a standalone Keras script.

Both networks learn with Adam (beta_1 = 0.5, as usual for GANs) on the standard
non-saturating losses: the discriminator's binary cross-entropy on real points (label 1)
and generated ones (label 0); the generator's cross-entropy of its points labelled real.
A generator learning rate well above the discriminator's lets the generator chase
whatever the discriminator currently likes, and it collapses onto a few modes: the
coverage drops and the points jump from mode to mode.

Example:

>>> config = Config(target="ring")
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> history = fit(model, data, config, epochs=20).history           # doctest: +SKIP
>>> distance = history.metrics["val_sliced_wasserstein"]            # doctest: +SKIP
>>> distance[-1] < distance[0]                                       # doctest: +SKIP
True
>>> evaluate(model, data)                                            # doctest: +SKIP
{'test_sliced_wasserstein': 0.07, 'test_modes_covered': 1.0}
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from dlcore._checks import check_int
from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import gan_targets
from dlcore.data.split import SplitData, split_as_configured
from dlcore.runtime import memory  # noqa: F401  (imported for its fix: trained models are freed)
from dlcore.trainers.gan.config import (
    COVERAGE_RADIUS,
    EXTENT,
    STEPS_PER_EXECUTION,
    TARGETS,
    Config,
)
from dlcore.trainers.gan.export import export_code
from dlcore.trainers.gan.model import ADAM_BETA_1, GAN, make_gan
from dlcore.training.fit import EpochReport, FitResult, StopWhenAsked, run_fit
from dlcore.training.history import History

__all__ = [
    "ADAM_BETA_1",
    "COVERAGE_RADIUS",
    "EXTENT",
    "GAN",
    "STEPS_PER_EXECUTION",
    "TARGETS",
    "TASK",
    "Config",
    "GANData",
    "GANReport",
    "GANSnapshot",
    "build_model",
    "discriminator_map",
    "evaluate",
    "export_code",
    "exported_model",
    "fit",
    "load_data",
    "make_gan",
    "snapshot",
]

TASK = "gan"
"""What the page registers its generator as; no try-it page takes it."""

MONITOR = "val_sliced_wasserstein"
"""What early stopping and the best epoch watch: the distance to the validation points."""


@dataclasses.dataclass(frozen=True)
class GANData(SplitData):
    """The target's real points, split three ways, and what the measures need.

    Attributes:
        x_train, x_val, x_test: float32, shape `(n, 2)`, in about [-2.5, 2.5]: the points
            the GAN learns from, those the live distance is measured on, and those the
            test scores are measured on, once.
        y_train, y_val, y_test: int64, shape `(n,)`: the index of the mode each point was
            drawn around (the nearest of `modes`), or 0 for a target without modes. The
            GAN does not learn from them.
        labels: `()`: a GAN predicts no classes.
        preprocessing: what the generator takes: `{"noise_dim": d, "noise": "standard
            normal"}`.
        modes: float32, shape `(n_modes, 2)`, the centres of the target's Gaussians
            ("ring", "grid"), or None ("spiral", "moons": no separate modes).
        description: the target's description, as `gan_targets` writes it.
    """

    modes: np.ndarray | None = None
    description: str = ""


@dataclasses.dataclass(frozen=True)
class GANSnapshot:
    """What the generator and the discriminator do now, over the plane.

    Attributes:
        generated: float32, shape `(n_train, 2)`, the generator's points for a fixed
            noise sample (the same one at every snapshot, so that points move smoothly).
        grid: float32, shape `(grid_size,)`, coordinates from -`EXTENT` to `EXTENT`.
        discriminator_map: float32 in [0, 1], shape `(grid_size, grid_size)`: the
            discriminator's probability that a point is real; row i is at x2 = `grid[i]`,
            column j at x1 = `grid[j]` (a heatmap's `z[y][x]`).
        distance: `sliced_wasserstein(generated, validation points)`, >= 0.
        coverage: `mode_coverage(generated, modes, radius=COVERAGE_RADIUS)` in [0, 1];
            None for a target without modes.
    """

    generated: np.ndarray
    grid: np.ndarray
    discriminator_map: np.ndarray
    distance: float
    coverage: float | None


@dataclasses.dataclass(frozen=True)
class GANReport(EpochReport):
    """What `on_epoch` receives after every epoch of `steps_per_epoch` steps.

    An `EpochReport` counted in steps (`epoch` and `final_epoch` are step counts, earlier
    runs included), with the `GANSnapshot` after this epoch as `snapshot`.
    """

    snapshot: GANSnapshot


def load_data(config: Config) -> GANData:
    """Draws `config.n_samples` points of the target with `config.seed` and splits them.

    The split is `dlcore.data.split.split_indices` with `config.seed`, not stratified:
    a GAN learns a density, not classes.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `GANData`: float32 points `(n, 2)`, each with the index of its nearest mode
        (0 for a target without modes).

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(target="ring", n_samples=200, batch_size=64))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape, data.modes.shape
    ((120, 2), (40, 2), (40, 2), (8, 2))
    """
    config.validate()
    target = gan_targets.GAN_TARGETS[config.target](config.n_samples, seed=config.seed)
    points = target.data
    modes = target.modes
    if modes is None:
        nearest = np.zeros(len(points), dtype=np.int64)
    else:
        distances = np.linalg.norm(points[:, np.newaxis] - modes[np.newaxis], axis=-1)
        nearest = distances.argmin(axis=1).astype(np.int64)
    return GANData.from_indices(
        points,
        nearest,
        split_as_configured(nearest, config, stratify=False),
        labels=(),
        preprocessing={"noise_dim": config.noise_dim, "noise": "standard normal"},
        modes=modes,
        description=target.DESCR,
    )


def build_model(config: Config, data: GANData) -> GAN:
    """Builds the configured `GAN` with `make_gan`, compiled with one Adam per network.

    Args:
        config: the `Config`; validated first.
        data: the `GANData` from `load_data(config)`: its points are 2-D.

    Returns:
        A compiled `GAN` that runs `STEPS_PER_EXECUTION` steps per compiled call.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    gan = make_gan(
        config.noise_dim,
        config.generator_layers,
        config.generator_units,
        config.discriminator_layers,
        config.discriminator_units,
        d_steps=config.d_steps,
        g_steps=config.g_steps,
        seed=config.seed,
    )
    gan.compile(
        generator_optimizer=make_optimizer(
            "adam", learning_rate=config.generator_learning_rate, beta_1=ADAM_BETA_1
        ),
        discriminator_optimizer=make_optimizer(
            "adam", learning_rate=config.discriminator_learning_rate, beta_1=ADAM_BETA_1
        ),
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return gan


def exported_model(model: GAN) -> Any:
    """What the page's Export saves: the generator, from noise to points."""
    return model.generator


def discriminator_map(discriminator: Any, *, grid_size: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """The discriminator's probability of "real" over a square grid covering the targets.

    Args:
        discriminator: a `GAN`'s discriminator.
        grid_size: `int` >= 2, points per axis. Defaults to `60`.

    Returns:
        `(grid, probabilities)`: float32 `(grid_size,)` from -`EXTENT` to `EXTENT`, and
        float32 `(grid_size, grid_size)` in [0, 1], row i at x2 = `grid[i]` and column j
        at x1 = `grid[j]`.

    Raises:
        ValueError: If `grid_size` < 2.
    """
    check_int(grid_size, name="grid_size", minimum=2)
    grid = np.linspace(-EXTENT, EXTENT, grid_size, dtype=np.float32)
    x1, x2 = np.meshgrid(grid, grid)
    points = np.column_stack([x1.ravel(), x2.ravel()])
    logits = np.asarray(discriminator(points, training=False), dtype=np.float32)
    probabilities = 1.0 / (1.0 + np.exp(-logits.reshape(grid_size, grid_size)))
    return grid, probabilities


def _generated(gan: GAN, n_points: int) -> np.ndarray:
    """The generator's points for a fixed noise: `n_points` standard normal vectors drawn
    with the GAN's seed, the same at every call."""
    noise = np.random.default_rng(gan.seed).standard_normal(
        (n_points, gan.noise_dim), dtype=np.float32
    )
    return np.asarray(gan.generator(noise, training=False), dtype=np.float32)


def _measures(generated: np.ndarray, real: np.ndarray, modes: np.ndarray | None) -> tuple:
    """`(distance, coverage)` of generated points against real ones; a generator whose
    points are no longer finite (it diverged) gets an infinite distance and a coverage
    of 0; coverage is None for a target without modes."""
    finite = bool(np.all(np.isfinite(generated)))
    distance = gan_targets.sliced_wasserstein(generated, real) if finite else math.inf
    if modes is None:
        return distance, None
    coverage = (
        gan_targets.mode_coverage(generated, modes, radius=COVERAGE_RADIUS) if finite else 0.0
    )
    return distance, coverage


def snapshot(gan: GAN, data: GANData, *, grid_size: int = 60) -> GANSnapshot:
    """Looks at the GAN now: its points, the discriminator's map and the two measures.

    The generated points come from a fixed noise sample, as many as the training points,
    drawn with the GAN's seed: the same at every call. They are measured against the
    validation points.

    Args:
        gan: a `GAN` from `build_model(config, data)`.
        data: the `GANData` from `load_data(config)`.
        grid_size: `int` >= 2, the map's points per axis. Defaults to `60`.

    Returns:
        A `GANSnapshot`.
    """
    generated = _generated(gan, len(data.x_train))
    grid, probabilities = discriminator_map(gan.discriminator, grid_size=grid_size)
    distance, coverage = _measures(generated, data.x_val, data.modes)
    return GANSnapshot(generated, grid, probabilities, distance, coverage)


def evaluate(model: GAN, data: GANData) -> dict[str, float]:
    """The test scores, measured once, at the end, on the test points.

    The same fixed-noise points as `snapshot`'s, measured against `data.x_test`.

    Returns:
        `{"test_sliced_wasserstein": d}` (>= 0, lower is closer), and for a target with
        modes `"test_modes_covered"` in [0, 1].
    """
    distance, coverage = _measures(_generated(model, len(data.x_train)), data.x_test, data.modes)
    scores = {"test_sliced_wasserstein": distance}
    if coverage is not None:
        scores["test_modes_covered"] = coverage
    return scores


class _ReportCallback(keras.callbacks.Callback):
    """After every epoch: measure on the validation points, record, report."""

    def __init__(
        self,
        data: GANData,
        history: History,
        *,
        steps_per_epoch: int,
        final_step: int,
        on_epoch: Callable[[GANReport], None] | None,
    ) -> None:
        super().__init__()
        self.data = data
        self.history = history
        self.steps_per_epoch = steps_per_epoch
        self.final_step = final_step
        self.on_epoch = on_epoch
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        current = snapshot(self.model, self.data)
        # Added to Keras's own logs: early stopping, after this callback, reads them.
        logs["val_sliced_wasserstein"] = current.distance
        if current.coverage is not None:
            logs["val_modes_covered"] = current.coverage
        step = (self.history.epochs[-1] if self.history.epochs else 0) + self.steps_per_epoch
        self.history.append(step, logs)
        if self.on_epoch is not None:
            self.on_epoch(
                GANReport(
                    epoch=step,
                    final_epoch=self.final_step,
                    logs={name: float(value) for name, value in logs.items()},
                    history=self.history,
                    weights=[np.array(weight) for weight in self.model.get_weights()],
                    seconds=time.perf_counter() - self._started,
                    snapshot=current,
                )
            )


def fit(
    model: GAN,
    data: GANData,
    config: Config,
    *,
    epochs: int,
    on_epoch: Callable[[GANReport], None] | None = None,
    patience: int | None = None,
    history: History | None = None,
    stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Trains the GAN for `epochs` epochs of `config.steps_per_epoch` steps each.

    Keras's `fit` runs it, `STEPS_PER_EXECUTION` steps per compiled call, on the training
    points reshuffled with `config.seed` and cut into batches of `d_steps * batch_size`.
    After each epoch the generated points are measured against the validation points,
    recorded in the history and reported; then `stop` is asked.

    Args:
        model: a `GAN` from `build_model(config, data)`.
        data: the `GANData` from `load_data(config)`.
        config: the `Config`.
        epochs: `int` >= 1, epochs of `config.steps_per_epoch` steps to run.
        on_epoch: called with a `GANReport` after every epoch. Defaults to `None`.
        patience: stop once "val_sliced_wasserstein" has not fallen for this many epochs
            and keep the best epoch's weights; None trains every epoch.
        history: the `History` (unit "step") of earlier runs of this GAN, to continue it.
            Defaults to a new one.
        stop: asked after every epoch but the last; True ends training there.

    Returns:
        A `dlcore.training.fit.FitResult`; its `history` has "loss" (the two losses
        summed), "generator_loss", "discriminator_loss", "val_sliced_wasserstein" and,
        for a target with modes, "val_modes_covered", one entry per epoch at the steps
        finished; `best_epoch`, with early stopping, is a step count too.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    check_int(epochs, name="epochs", minimum=1)
    if patience is not None:
        check_int(patience, name="patience", minimum=1, unit="epoch")
    history = history if history is not None else History(unit="step")
    first_step = history.epochs[-1] if history.epochs else 0
    callback = _ReportCallback(
        data,
        history,
        steps_per_epoch=config.steps_per_epoch,
        final_step=first_step + epochs * config.steps_per_epoch,
        on_epoch=on_epoch,
    )
    callbacks: list[Any] = [callback]
    asked_to_stop = StopWhenAsked(stop) if stop is not None else None
    if asked_to_stop is not None:  # asked after the report, as the docstring says
        callbacks.append(asked_to_stop)
    early_stopping = None
    if patience is not None:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=MONITOR, mode="min", patience=patience, restore_best_weights=True
        )
        callbacks.append(early_stopping)
    batches = (
        tf.data.Dataset.from_tensor_slices(data.x_train)
        .cache()
        .shuffle(len(data.x_train), seed=config.seed + len(history), reshuffle_each_iteration=True)
        .repeat()
        .batch(config.d_steps * config.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    # Keras counts this run's epochs from 0: the history counts the steps.
    return run_fit(
        model,
        batches,
        history,
        epochs=epochs,
        steps_per_epoch=config.steps_per_epoch,
        callbacks=callbacks,
        early_stopping=early_stopping,
        stopper=asked_to_stop,
    )
