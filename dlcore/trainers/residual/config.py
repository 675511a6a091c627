"""Depth and residuals: the settings of the comparison (task, stack, variants, training) and
their checks."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import check_choice, check_int, check_names
from dlcore.data.split import check_split
from dlcore.training.settings import Limits, TrainerConfig, training_limits

VARIANTS = ("plain", "plain_bn", "residual", "residual_bn")
"""The four networks the page compares, in the order it draws them."""

DATASETS = {"digits": (64, 10), "spiral": (2, 2)}
"""The tasks, name -> (n_features, n_classes): 8 x 8 handwritten digits (64 pixels, 10
classes) or two interleaved spiral arms (2-D points, 2 classes)."""

N_SAMPLES = {"digits": 1797, "spiral": 500}
"""The samples of each task, before the split."""

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu")
"""The hidden-layer activations the page offers (Keras names)."""

OPTIMIZERS = ("adam",)
"""The optimizers offered, as `dlcore.concepts.optimizers` names them: Adam, whose steps
are computed weight by weight, so that each variant learns as it would alone."""

MAX_DEPTH = 50
"""The deepest stack offered: compiling the first step takes longer with every layer
(about 6 s at depth 30 with all four variants, on 2 CPU cores)."""

MAX_WIDTH = 256
"""The widest layer offered: a step takes longer with the square of the width."""

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


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The page's settings: the task, the stack, the variants compared, and training.

    Attributes:
        dataset: one of `DATASETS`: "digits" or "spiral". Defaults to `"digits"`.
        depth: `int` in [1, `MAX_DEPTH`], the hidden layers of the stack. Defaults to
            `10` (quick to compile; the page starts at 30, where plain stacks fail).
        width: `int` in [1, `MAX_WIDTH`], the units of every hidden layer. Defaults to `32`.
        activation: one of `ACTIVATIONS`. Defaults to `"relu"`.
        variants: names from `VARIANTS`, each at most once, the networks to compare.
            Defaults to all four.
        learning_rate: `float` > 0, Adam's step size. Defaults to `0.002`.
        batch_size: `int` >= 1 (>= 2 with a "_bn" variant). Defaults to `64`.
        validation_fraction: `float` in (0, 1), the share of samples that the "val_"
            metrics measure after every epoch. Defaults to `0.2`.
        test_fraction: `float` in (0, 1), the share of samples scored once, at the end.
            Defaults to `0.2`.
        seed: `int`, seeds the data, the split, the weights and the batch order.
            Defaults to `0`.
    """

    dataset: str = "digits"
    depth: int = 10
    width: int = 32
    activation: str = "relu"
    variants: tuple[str, ...] = VARIANTS
    learning_rate: float = 0.002
    batch_size: int = 64

    LIMITS: ClassVar[Limits] = {
        "dataset": partial(check_choice, choices=tuple(DATASETS)),
        "depth": partial(check_int, minimum=1, maximum=MAX_DEPTH, unit="hidden layers"),
        "width": partial(
            check_int,
            minimum=1,
            maximum=MAX_WIDTH,
            unit="units",
            hint="A layer with no units passes nothing on.",
        ),
        "activation": partial(check_choice, choices=ACTIVATIONS),
        "variants": partial(
            check_names,
            choices=VARIANTS,
            what="variant",
            example=("plain", "residual"),
            empty="Choose at least one network to train",
        ),
        **training_limits(),
    }

    def check_combinations(self) -> None:
        """Checks that batch norm gets batches to measure, and that the task's samples split.

        Raises:
            ValueError: naming the first impossible setting, e.g. batch norm on batches of 1.
        """
        if self.batch_size < 2 and any(name.endswith("_bn") for name in self.variants):
            raise ValueError(
                "Batch norm needs at least 2 samples per batch to measure a mean and a "
                "variance: use a batch size of 2 or more, or compare only the variants "
                f"without batch norm. Received: batch_size={self.batch_size!r}."
            )
        check_split(
            n_samples=N_SAMPLES[self.dataset],
            n_classes=DATASETS[self.dataset][1],
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
        )
