"""The Playground's settings: its data, features, network and training, and their checks."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import check_choice, check_int, check_names, check_number, is_int, rule
from dlcore.data import toy2d
from dlcore.data.split import check_split
from dlcore.training.settings import Limits, TrainerConfig, training_limits

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "elu", "gelu", "swish")
"""The hidden-layer activations the page offers (Keras names)."""

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
"""The optimizers the page offers, as `dlcore.concepts.optimizers` names them: "sgd" is
plain SGD, "momentum" SGD with momentum 0.9."""

TWO_CLASS_DATASETS = ("xor", "moons")
"""Sets that only come with 2 classes; the others take any `n_classes` >= 2."""


_check_hidden_layers = rule(
    lambda value: (
        not isinstance(value, str | int) and all(is_int(units) and units >= 1 for units in value)
    ),
    "`{name}` must be a sequence of positive integers (units per layer); a layer with zero "
    "neurons passes nothing on, so remove it instead",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The Playground page's settings: data, features, architecture and training.

    Attributes:
        dataset: one of `toy2d.TOY_DATASETS`: "circles", "xor", "gaussian", "spiral",
            "moons". Defaults to `"circles"`.
        noise: `float` in [0, 1], a fraction of the data's radius of 5. Defaults to `0.0`.
        n_samples: `int`, points drawn before the split. Defaults to `500`.
        validation_fraction: `float` in (0, 1), the share of points that the live
            "val_" curves and early stopping watch. Defaults to `0.25`.
        test_fraction: `float` in (0, 1), the share of points scored once, at the end.
            Defaults to `0.25`: together, the page's "held-out share" of 0.5.
        n_classes: `int` >= 2; "xor" and "moons" take only 2. Defaults to `2`.
        features: names from `toy2d.FEATURE_NAMES`, the model's inputs.
            Defaults to `("x1", "x2")`.
        hidden_layers: units of each hidden layer; empty for no hidden layer.
            Defaults to `(4, 2)`.
        activation: one of `ACTIVATIONS`. Defaults to `"tanh"`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.03`.
        l1: `float` >= 0, the L1 penalty on every kernel. Defaults to `0.0`.
        l2: `float` >= 0, the L2 penalty on every kernel. Defaults to `0.0`.
        dropout: `float` in [0, 1), the dropout rate after each hidden layer.
            Defaults to `0.0`.
        batch_size: `int` >= 1. Defaults to `10`.
        seed: `int`, seeds the data, the split, the weights and the dropout. Defaults to `0`.
    """

    dataset: str = "circles"
    noise: float = 0.0
    n_samples: int = 500
    validation_fraction: float = 0.25
    test_fraction: float = 0.25
    n_classes: int = 2
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    optimizer: str = "adam"
    learning_rate: float = 0.03
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_size: int = 10

    LIMITS: ClassVar[Limits] = {
        "dataset": partial(check_choice, choices=tuple(toy2d.TOY_DATASETS)),
        "n_classes": partial(check_int, minimum=2),
        "noise": partial(check_number, minimum=0, maximum=1),
        "n_samples": partial(check_int, minimum=1),
        "features": partial(
            check_names,
            choices=toy2d.FEATURE_NAMES,
            what="feature",
            example=("x1", "x2"),
            empty="Name at least one input feature",
        ),
        "hidden_layers": _check_hidden_layers,
        "activation": partial(check_choice, choices=ACTIVATIONS),
        "l1": partial(check_number, minimum=0),
        "l2": partial(check_number, minimum=0),
        "dropout": partial(
            check_number, minimum=0, below=1, hint="(a rate of 1 would drop every neuron)"
        ),
        **training_limits(optimizers=OPTIMIZERS, unit="point"),
    }

    def check_combinations(self) -> None:
        """Checks that the set has the classes asked for, and that its points split.

        Raises:
            ValueError: naming the first impossible setting, e.g. 3 classes of "xor".
        """
        if self.dataset in TWO_CLASS_DATASETS and self.n_classes != 2:
            raise ValueError(
                f"The {self.dataset!r} set has exactly 2 classes; choose circles, gaussian or "
                f"spiral for more. Received: n_classes={self.n_classes!r}."
            )
        check_split(
            n_samples=self.n_samples,
            n_classes=self.n_classes,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="points",
        )
