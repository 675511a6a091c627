"""The base of the trainers' `Config`s, and the settings several of them share.

A trainer's `Config` is a frozen dataclass derived from `TrainerConfig`. It declares, once,
the `LIMITS` of its settings: the setting's name -> the check from `dlcore._checks` (or
from here) that refuses a value out of its limits, with those limits bound. Rules that
join several settings (a kernel no larger than the image, the data enough for the split)
go in its `check_combinations`. `TrainerConfig.validate()` runs both, so that each
trainer's checks read as a table, as scikit-learn's `_parameter_constraints` do.

Besides its own data and network, a trainer's `Config` has some of these settings, each
with the same name and meaning in every trainer:

- `optimizer`: one of the trainer's `OPTIMIZERS`, by their names in
  `dlcore.concepts.optimizers` (only where the page offers a choice);
- `learning_rate`: `float` > 0 and finite, the optimizer's step size;
- `batch_size`: `int` >= 1, the samples per gradient step;
- `seed`: `int` >= 0, which seeds whatever the trainer draws at random.

Its `LIMITS` take their limits from `training_limits`, so every trainer refuses them with
the same message:

>>> from dlcore.trainers.cnn import Config
>>> check_training_settings(Config(seed=-1), optimizers=("adam",), unit="image")
Traceback (most recent call last):
...
ValueError: `seed` must be an integer of at least 0. Received: seed=-1.

`validation_fraction` and `test_fraction` are checked with the data they split
(`dlcore.data.split.check_split`): how many samples each part needs depends on the data.

The convolutional trainers (images, video) also share the settings of their conv blocks,
`n_blocks`, `n_filters` and `kernel_size`, checked by `check_conv_blocks`, and the limit
of their `dropout`, checked by `check_dropout`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Self

from dlcore._checks import (
    check_choice,
    check_int,
    check_number,
    check_seed,
    is_int,
    is_real,
    refuse,
)
from dlcore.data.split import split_sizes

Limits = Mapping[str, Callable[..., object]]
"""A setting's name -> a check called as `check(value, name=name)`, raising ValueError."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainerConfig:
    """The base of a trainer's `Config`: it declares its `LIMITS`, and `validate()` checks them.

    A subclass is a frozen, keyword-only dataclass with a field for each of its own
    settings; it inherits the four that every trainer has (below), and declares one again
    only to give it another default. It sets `LIMITS` to the checks of its settings, one
    entry each, in the order they are checked; and where some settings must agree, it
    overrides `check_combinations`.

    Attributes:
        batch_size: `int` >= 1, the samples per gradient step. Defaults to `32`.
        validation_fraction: `float`, the share of the samples kept apart to watch
            training (early stopping, the best epoch). Defaults to `0.2`.
        test_fraction: `float`, the share kept apart for the test score, measured once
            at the end. Defaults to `0.2`.
        seed: `int` >= 0, seeds the data, the split and the weights. Defaults to `0`.

    Example:

    >>> @dataclasses.dataclass(frozen=True, kw_only=True)
    ... class Sketch(TrainerConfig):
    ...     width: int = 8
    ...     LIMITS: ClassVar[Limits] = {"width": functools.partial(check_int, minimum=1)}
    >>> Sketch(width=0).validate()
    Traceback (most recent call last):
    ...
    ValueError: `width` must be an integer of at least 1. Received: width=0.
    """

    batch_size: int = 32
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    seed: int = 0

    LIMITS: ClassVar[Limits] = {}
    """Each setting's check, in the order they run; see `Limits`."""

    def validate(self) -> Self:
        """Returns this config if its data and network can be built and trained.

        Raises:
            ValueError: naming the first impossible setting, what is expected and what was
                received: first a setting out of its `LIMITS`, then settings that do not
                agree (`check_combinations`).
        """
        check_limits(self, self.LIMITS)
        self.check_combinations()
        return self

    def check_combinations(self) -> None:
        """Checks the rules that join several settings, once each is within its limits.

        Raises:
            ValueError: naming the settings that do not agree and how to make them agree.
        """

    def training_size(self, n_samples: int) -> int:
        """How many of `n_samples` the three-way split leaves for training."""
        return split_sizes(
            n_samples,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
        )[0]


def check_limits(config: Any, limits: Limits) -> None:
    """Checks each of the config's settings named in `limits` with its check, in order.

    Raises:
        ValueError: from the check of the first setting out of its limits.
    """
    for name, check in limits.items():
        check(getattr(config, name), name=name)


def positive_counts(reasons: Mapping[str, str]) -> Limits:
    """The limits of settings that count what a model needs at least one of, for a `LIMITS`.

    Args:
        reasons: setting -> why it needs at least one, the hint of its message, e.g.
            {"n_layers": "The encoder needs at least one layer"}.

    Returns:
        Setting -> check that it is an integer of at least 1, in the order of `reasons`.
    """
    return {
        name: functools.partial(check_int, minimum=1, hint=reason)
        for name, reason in reasons.items()
    }


def training_limits(*, optimizers: Sequence[str] | None = None, unit: str = "sample") -> Limits:
    """The limits of `optimizer`, `learning_rate`, `batch_size` and `seed`, for a `LIMITS`.

    Args:
        optimizers: the optimizers the trainer offers; None where it has no choice of
            optimizer, and so no `optimizer` setting.
        unit: what a batch holds, for the message: "image", "clip", "sentence", ...

    Returns:
        Setting -> check, `optimizer` first (where there is one), `seed` last.
    """
    limits: dict[str, Callable[..., object]] = {}
    if optimizers is not None:
        limits["optimizer"] = functools.partial(check_choice, choices=optimizers)
    limits["learning_rate"] = functools.partial(
        check_number,
        above=0,
        finite=True,
        hint="(at 0 the weights never change; 0.001 to 0.1 is a typical learning rate)",
    )
    limits["batch_size"] = functools.partial(
        check_int, minimum=1, unit=unit, hint="(8 to 128 is a typical batch size)"
    )
    limits["seed"] = check_seed
    return limits


def check_training_settings(
    config: Any, *, optimizers: Sequence[str] | None = None, unit: str = "sample"
) -> None:
    """Checks a config's `optimizer`, `learning_rate`, `batch_size` and `seed`.

    Args:
        config: with `learning_rate`, `batch_size` and `seed` attributes (and `optimizer`
            when `optimizers` is given).
        optimizers, unit: as `training_limits` takes them.

    Raises:
        ValueError: naming the first setting that is wrong, what is expected and what
            was received.
    """
    check_limits(config, training_limits(optimizers=optimizers, unit=unit))


def check_dropout(value: object, *, name: str, maximum: float) -> float:
    """Checks that a dropout rate lies in [0, `maximum`]: "The dropout rate must be ...".

    Returns:
        `value`, unchanged.

    Raises:
        ValueError: If `value` is not a real number in [0, `maximum`].
    """
    if not is_real(value) or not 0 <= value <= maximum:  # type: ignore[operator]
        refuse(
            name,
            value,
            f"The dropout rate must be a number from 0 to {maximum}: at 1 it would drop every "
            "feature",
        )
    return value  # type: ignore[return-value]


def check_pooling_depth(
    config: Any, *, side: int, what: str, alternative: str, also: Sequence[str] = ()
) -> None:
    """Checks that the config's `n_blocks` 2x2 poolings fit in a `side` x `side` input.

    Args:
        config: a trainer's config, with `n_blocks`.
        side: the input's side in pixels.
        what: what the input is, for the message: "images", "frames".
        alternative: the other way out the message offers, e.g. "pooling 'none'".
        also: names of more settings to show as received (e.g. "image_size").

    Raises:
        ValueError: naming the most blocks that fit, with the feature map's side after
            each pooling.
    """
    max_blocks = int(math.log2(side))
    if config.n_blocks > max_blocks:
        steps = " -> ".join(str(side // 2**step) for step in range(max_blocks + 1))
        received = ", ".join(f"{name}={getattr(config, name)!r}" for name in ("n_blocks", *also))
        raise ValueError(
            f"Too many conv blocks for {side}x{side} {what}: each block's 2x2 pooling "
            f"halves the feature map ({steps}), so at most {max_blocks} blocks fit. "
            f"Use at most {max_blocks} conv blocks, or {alternative}. Received: {received}."
        )


def check_conv_blocks(config: Any, *, max_blocks: int, max_filters: int) -> None:
    """Checks a config's `n_blocks`, `n_filters` and `kernel_size`.

    The first block has `n_filters` filters and each further block twice as many, so the
    last has `n_filters * 2 ** (n_blocks - 1)`.

    Args:
        config: a trainer's config, with `n_blocks`, `n_filters` and `kernel_size`.
        max_blocks: the most conv blocks a model may have.
        max_filters: the most filters the last block may have.

    Raises:
        ValueError: naming the first setting that is wrong, what is expected and what
            was received.
    """
    check_int(
        config.n_blocks,
        name="n_blocks",
        what="The number of conv blocks",
        minimum=1,
        maximum=max_blocks,
    )
    if not is_int(config.n_filters) or config.n_filters < 1:
        raise ValueError(
            "A conv block needs at least one filter: with zero filters it passes nothing "
            f"on. Use 1 or more (4 to 32 is typical). Received: n_filters={config.n_filters!r}."
        )
    last_filters = config.n_filters * 2 ** (config.n_blocks - 1)
    if last_filters > max_filters:
        raise ValueError(
            f"Too many filters: they double in every block, so block {config.n_blocks} "
            f"would have {last_filters}, more than the {max_filters} that train in "
            "seconds here. Use fewer filters or fewer conv blocks. "
            f"Received: n_filters={config.n_filters!r}, n_blocks={config.n_blocks!r}."
        )
    check_int(
        config.kernel_size,
        name="kernel_size",
        what="The kernel size",
        minimum=1,
        unit="pixel",
        hint="(3 is typical)",
    )
