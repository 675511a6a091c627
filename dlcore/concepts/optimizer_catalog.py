"""The project's optimizers: their names, what the Optimizers page says about each, and the
Keras call that builds one.

TensorFlow and Keras are imported inside `make_optimizer`, so importing this module is
cheap.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
"""The optimizers of the whole project: the Optimizers page races them, every trainer
offers some of them, and a name means the same optimizer everywhere."""

_KERAS_OPTIMIZERS: dict[str, tuple[str, dict[str, object]]] = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {}),
}
"""Each name's Keras class and the arguments it fixes; everything else is Keras's default."""


@dataclasses.dataclass(frozen=True)
class OptimizerInfo:
    """What the Optimizers page shows about one optimizer.

    Attributes:
        name: The key in `OPTIMIZERS`, e.g. `"nesterov"`.
        title: The name to display, e.g. `"Nesterov momentum"`.
        update_rule: One step as Keras 3 computes it, a LaTeX string for `st.latex`:
            g is the gradient, η the learning rate, t the step counted from 1.
        summary: One or two plain sentences on how it moves.
    """

    name: str
    title: str
    update_rule: str
    summary: str

    @property
    def keras_code(self) -> str:
        """The Keras call that builds it, e.g.
        `"keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True)"`."""
        return optimizer_code(self.name, learning_rate="learning_rate")


OPTIMIZERS: dict[str, OptimizerInfo] = {
    info.name: info
    for info in (
        OptimizerInfo(
            name="sgd",
            title="SGD",
            update_rule=r"\theta \leftarrow \theta - \eta\,g",
            summary=(
                "Steps straight downhill by the learning rate times the gradient. "
                "Steep directions get big steps and flat ones tiny steps, so it zig-zags "
                "across ravines and crawls on plateaus."
            ),
        ),
        OptimizerInfo(
            name="momentum",
            title="SGD + momentum",
            update_rule=(r"v \leftarrow 0.9\,v - \eta\,g, \qquad \theta \leftarrow \theta + v"),
            summary=(
                "Keeps a velocity that sums past steps, so consistent directions speed up "
                "and back-and-forth ones cancel. It overshoots and swings before it settles."
            ),
        ),
        OptimizerInfo(
            name="nesterov",
            title="Nesterov momentum",
            update_rule=(
                r"v \leftarrow 0.9\,v - \eta\,g, \qquad "
                r"\theta \leftarrow \theta + 0.9\,v - \eta\,g"
            ),
            summary=(
                "Momentum that looks one step ahead: the step adds the new velocity once "
                "more, which damps the swings of plain momentum."
            ),
        ),
        OptimizerInfo(
            name="adagrad",
            title="Adagrad",
            update_rule=(
                r"a \leftarrow a + g^2, \qquad "
                r"\theta \leftarrow \theta - \frac{\eta\,g}{\sqrt{a + \epsilon}}"
                r"\qquad a_0 = 0.1,\ \epsilon = 10^{-7}"
            ),
            summary=(
                "Divides each coordinate's step by the root of its summed squared "
                "gradients: steep directions slow down, flat ones keep their pace. "
                "The sum only grows, so its steps shrink for ever."
            ),
        ),
        OptimizerInfo(
            name="rmsprop",
            title="RMSprop",
            update_rule=(
                r"s \leftarrow 0.9\,s + 0.1\,g^2, \qquad "
                r"\theta \leftarrow \theta - \frac{\eta\,g}{\sqrt{s + \epsilon}}"
                r"\qquad \epsilon = 10^{-7}"
            ),
            summary=(
                "Like Adagrad, but with a moving average of squared gradients that "
                "forgets, so the steps stay about the learning rate in size."
            ),
        ),
        OptimizerInfo(
            name="adam",
            title="Adam",
            update_rule=(
                r"m \leftarrow m + 0.1\,(g - m), \quad "
                r"v \leftarrow v + 0.001\,(g^2 - v), \quad "
                r"\theta \leftarrow \theta - \eta\,\frac{\sqrt{1 - 0.999^t}}{1 - 0.9^t}"
                r"\,\frac{m}{\sqrt{v} + \epsilon}"
            ),
            summary=(
                "Momentum on the gradient divided by RMSprop's scale, with both averages "
                "corrected for starting at zero. Each step is about the learning rate in "
                "size, whatever the gradient's scale."
            ),
        ),
        OptimizerInfo(
            name="adamw",
            title="AdamW",
            update_rule=(
                r"\theta \leftarrow \theta - \eta\,\lambda\,\theta"
                r"\quad (\lambda = 0.004), \text{ then an Adam step}"
            ),
            summary=(
                "Adam plus weight decay that shrinks the weights towards 0 by a fixed "
                "fraction each step, apart from the gradient. Here it pulls the path "
                "slightly towards the origin."
            ),
        ),
    )
}


def make_optimizer(
    name: str, *, learning_rate: float, **options: object
) -> keras.optimizers.Optimizer:
    """Builds a Keras optimizer with Keras' defaults for everything but the learning rate.

    `"momentum"` is `SGD(momentum=0.9)` and `"nesterov"` is
    `SGD(momentum=0.9, nesterov=True)`; `"adamw"` keeps Keras' `weight_decay=0.004`.

    Args:
        name: One of `OPTIMIZER_NAMES`.
        learning_rate: `float` > 0.
        **options: more arguments for the Keras class, e.g. `clipnorm=1.0`.

    Returns:
        A new, unbuilt `keras.optimizers.Optimizer`.

    Raises:
        ValueError: If `name` is unknown or `learning_rate` is not a finite number > 0.

    Example:

    >>> optimizer = make_optimizer("nesterov", learning_rate=0.01)
    >>> type(optimizer).__name__, optimizer.momentum, optimizer.nesterov
    ('SGD', 0.9, True)
    """
    check_optimizer_name(name)
    learning_rate = checked_learning_rate(learning_rate)
    import keras

    class_name, fixed = _KERAS_OPTIMIZERS[name]
    return getattr(keras.optimizers, class_name)(learning_rate=learning_rate, **fixed, **options)


def optimizer_code(name: str, *, learning_rate: str = "LEARNING_RATE", **options: object) -> str:
    """The line of Python that `make_optimizer` runs, for the scripts that Export writes.

    Args:
        name: One of `OPTIMIZER_NAMES`.
        learning_rate: the code for the learning rate, e.g. a constant's name.
        **options: the same extra arguments as `make_optimizer`'s, written with `repr`.

    Returns:
        The call as a string.

    Raises:
        ValueError: If `name` is unknown.

    Example:

    >>> optimizer_code("momentum", clipnorm=1.0)
    'keras.optimizers.SGD(LEARNING_RATE, momentum=0.9, clipnorm=1.0)'
    """
    check_optimizer_name(name)
    class_name, fixed = _KERAS_OPTIMIZERS[name]
    arguments = "".join(f", {key}={value!r}" for key, value in {**fixed, **options}.items())
    return f"keras.optimizers.{class_name}({learning_rate}{arguments})"


def check_optimizer_name(name: str) -> None:
    """Raises a ValueError unless `name` is one of `OPTIMIZER_NAMES`."""
    if name not in OPTIMIZERS:
        raise ValueError(
            f"`optimizer_name` must be one of {', '.join(OPTIMIZER_NAMES)}. "
            f"Received: optimizer_name={name!r}."
        )


def checked_learning_rate(learning_rate: float) -> float:
    """Returns `learning_rate` as a float; raises a ValueError unless it is finite and > 0."""
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, int | float | np.integer | np.floating)
        or not math.isfinite(learning_rate)
        or learning_rate <= 0
    ):
        raise ValueError(
            "`learning_rate` must be a finite number > 0. "
            f"Received: learning_rate={learning_rate!r}."
        )
    return float(learning_rate)
