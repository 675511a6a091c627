"""The GAN page's settings: the target, the two networks, how they train and the split."""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import ClassVar

from dlcore._checks import check_choice, check_seed, is_int, is_real, rule
from dlcore.data import gan_targets
from dlcore.data.split import check_split
from dlcore.training.settings import Limits, TrainerConfig, positive_counts

TARGETS = tuple(gan_targets.GAN_TARGETS)
"""The target distributions the page offers: "ring", "spiral", "moons", "grid"."""

EXTENT = 3.0
"""The discriminator's map covers [-EXTENT, EXTENT]^2; every target lies within 2.5."""

COVERAGE_RADIUS = 0.15
"""A mode counts as reached when a generated point lies this close to it: three times
the targets' spread of 0.05."""

STEPS_PER_EXECUTION = 25
"""Training steps per compiled call: an epoch's steps are a multiple of it."""


_check_learning_rate = rule(
    lambda value: is_real(value) and math.isfinite(value) and value > 0,
    "`{name}` must be a finite number > 0",
)
_check_steps_per_epoch = rule(
    lambda value: is_int(value) and value >= 1 and value % STEPS_PER_EXECUTION == 0,
    f"`{{name}}` must be a positive multiple of {STEPS_PER_EXECUTION}, the steps run per "
    "compiled call",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The GAN page's settings: the target, the two networks and how they train.

    A GAN counts steps, not passes over its data: one "epoch" here is `steps_per_epoch`
    training steps, after which the generated points are measured against the
    validation points and reported. `fit(..., epochs=n)` runs `n * steps_per_epoch` steps.

    Attributes:
        target: one of `TARGETS`. Defaults to `"ring"`.
        noise_dim: `int` >= 1, the size of the generator's random input. Defaults to `2`.
        generator_layers: `int` >= 1, the generator's hidden layers. Defaults to `2`.
        generator_units: `int` >= 1, units per generator hidden layer. Defaults to `64`.
        discriminator_layers: `int` >= 1. Defaults to `2`.
        discriminator_units: `int` >= 1. Defaults to `64`.
        generator_learning_rate: `float` > 0, Adam's (beta_1 = 0.5). Defaults to `0.001`.
        discriminator_learning_rate: `float` > 0. Defaults to `0.001`.
        d_steps: `int` >= 1, discriminator updates per training step. Defaults to `1`.
        g_steps: `int` >= 1, generator updates per training step. Defaults to `1`.
        batch_size: `int` from 1 to the training points, real (and generated) points per
            update. Defaults to `128`.
        n_samples: `int`, the real points drawn from the target before the split.
            Defaults to `1000`.
        steps_per_epoch: `int`, a positive multiple of `STEPS_PER_EXECUTION`, training
            steps between two reports. Defaults to `100`.
        validation_fraction: `float` in (0, 1), the share of points the live distance
            is measured on. Defaults to `0.2`.
        test_fraction: `float` in (0, 1), the share held out for the test scores, measured
            once at the end. Defaults to `0.2`.
        seed: `int`, seeds the target's points, the split, the weights, the noise and the
            batches. Defaults to `0`.
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
    steps_per_epoch: int = 100

    LIMITS: ClassVar[Limits] = {
        "target": partial(check_choice, choices=TARGETS),
        **positive_counts(
            {
                "noise_dim": "The generator needs at least one random number per point",
                "generator_layers": "The generator needs a hidden layer to bend its noise",
                "generator_units": "A layer with no units passes nothing on",
                "discriminator_layers": "The discriminator needs a hidden layer",
                "discriminator_units": "A layer with no units passes nothing on",
                "d_steps": "Each side must train at least once per step",
                "g_steps": "Each side must train at least once per step",
                "n_samples": "The target needs at least one point",
            }
        ),
        "generator_learning_rate": _check_learning_rate,
        "discriminator_learning_rate": _check_learning_rate,
        "steps_per_epoch": _check_steps_per_epoch,
        "seed": check_seed,
    }

    def check_combinations(self) -> None:
        """Checks that the points split, and that a batch holds no more than train.

        Raises:
            ValueError: naming the first impossible setting, e.g. batches of more points than train.
        """
        check_split(
            n_samples=self.n_samples,
            n_classes=None,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="points",
        )
        if not is_int(self.batch_size) or not 1 <= self.batch_size <= self.n_train:
            raise ValueError(
                f"`batch_size` must be an integer from 1 to the {self.n_train} training points "
                f"(of n_samples={self.n_samples!r}): a batch cannot hold more real points than "
                "there are. Use a smaller batch or more samples. "
                f"Received: batch_size={self.batch_size!r}."
            )

    @property
    def n_train(self) -> int:
        """The real points the GAN trains on, after the split."""
        return self.training_size(self.n_samples)
