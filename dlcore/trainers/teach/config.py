"""Teach your own classes' settings: the two ways to start, the networks, and `Config`."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any, ClassVar

from dlcore._checks import check_choice, check_int, check_number
from dlcore.training.settings import Limits, TrainerConfig, training_limits

MIN_EPOCH_SAMPLES = 96
"""An epoch shows the model at least this many augmented images, repeating the person's
images as needed, so that one epoch of 6 images is not one gradient step."""

MODES = ("scratch", "transfer")
"""How a model starts: a new CNN, or a bundled model's frozen layers and a new head."""

BASES = ("shapes", "faces", "digits")
"""The bundled image models a transfer may start from."""

SCRATCH_SIZE = 32
"""The side of the square RGB images a model from scratch takes."""

SCRATCH_PREPROCESSING: dict[str, Any] = {
    "image_size": (SCRATCH_SIZE, SCRATCH_SIZE),
    "channels": 3,
    "value_range": (0.0, 1.0),
    "resize": "area",
    "background": "any",
}
"""How a person's image becomes input of a model from scratch (`preprocess.prepare_image`)."""

SCRATCH_NETWORK: dict[str, Any] = {
    "n_blocks": 3,
    "n_filters": 16,
    "kernel_size": 3,
    "pooling": "max",
    "batch_norm": False,
    "dropout": 0.2,
    "augmentation": ("flip", "rotate", "zoom", "shift"),
    "dense_units": 32,
}
"""The network from scratch: `dlcore.trainers.cnn.build_cnn`'s arguments besides the seed."""

MAX_SHARE = 0.4
"""The largest validation or test share: every class keeps most of its images to train."""

LEARNING_RATES = {"scratch": 0.003, "transfer": 0.01}
"""Adam's learning rate for each mode: a head alone on fixed features can take larger steps."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """How to learn the person's classes.

    Attributes:
        mode: one of `MODES`. Defaults to `"scratch"`.
        base: one of `BASES`, the bundled model a "transfer" starts from; "scratch"
            ignores it. Defaults to `"shapes"`.
        epochs: `int` >= 1, epochs per Train. Each epoch shows at least
            `MIN_EPOCH_SAMPLES` augmented images. Defaults to `15`.
        batch_size: `int` >= 1. Defaults to `16`.
        validation_fraction: `float` in (0, `MAX_SHARE`], each class's share of validation images
            once every class has `HOLD_OUT_FROM` images. Defaults to `0.2`.
        test_fraction: `float` in (0, `MAX_SHARE`], each class's share of test images once every
            class has `TEST_FROM` images. Defaults to `0.2`.
        seed: `int`, seeds the split, the weights, the shuffling and the augmentation.
            Defaults to `0`.
    """

    mode: str = "scratch"
    base: str = "shapes"
    epochs: int = 15
    batch_size: int = 16

    LIMITS: ClassVar[Limits] = {
        "mode": partial(check_choice, choices=MODES),
        "epochs": partial(check_int, minimum=1),
        # Shares only: how many images each part gets depends on the person's classes.
        **{
            name: partial(
                check_number,
                what=f"The {what} share",
                above=0,
                maximum=MAX_SHARE,
                hint="(each class keeps most of its images to train)",
            )
            for name, what in (("validation_fraction", "validation"), ("test_fraction", "test"))
        },
        **training_limits(unit="image"),
    }

    def check_combinations(self) -> None:
        """Checks that a transfer starts from a bundled model.

        Raises:
            ValueError: If `mode` is "transfer" and `base` is not one of `BASES`.
        """
        if self.mode == "transfer" and self.base not in BASES:
            raise ValueError(
                f"A transfer starts from a bundled image model: one of {', '.join(BASES)}. "
                f"Received: base={self.base!r}."
            )

    @property
    def learning_rate(self) -> float:
        """Adam's learning rate for this mode (`LEARNING_RATES`)."""
        return LEARNING_RATES[self.mode]

    def describe(self) -> str:
        """A few words for a title: "from scratch" or "transfer from shapes"."""
        return "from scratch" if self.mode == "scratch" else f"transfer from {self.base}"


def preprocessing_for(config: Config) -> dict[str, Any]:
    """How images become input for this config's model.

    From scratch: `SCRATCH_PREPROCESSING` (32x32 RGB). Transfer: the bundled model's own
    (e.g. digits: 8x8 greyscale, light backgrounds inverted), so its frozen layers see
    images as they did in training.
    """
    config.validate()
    if config.mode == "scratch":
        return dict(SCRATCH_PREPROCESSING)
    from dlcore.pretrained import bundled_metadata

    preprocessing = dict(bundled_metadata(config.base)["preprocessing"])
    for key in ("image_size", "value_range"):  # JSON has no tuples
        if key in preprocessing:
            preprocessing[key] = tuple(preprocessing[key])
    return preprocessing
