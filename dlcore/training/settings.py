"""The settings that several trainers' `Config`s share, each checked by one function here.

Besides its own data and network, a trainer's `Config` has some of these settings, each
with the same name and meaning in every trainer:

- `optimizer`: one of the trainer's `OPTIMIZERS`, by their names in
  `dlcore.concepts.optimizers` (only where the page offers a choice);
- `learning_rate`: `float` > 0 and finite, the optimizer's step size;
- `batch_size`: `int` >= 1, the samples per gradient step;
- `seed`: `int` >= 0, which seeds whatever the trainer draws at random.

A config's `validate()` checks its own settings first, then calls
`check_training_settings` for these, so every trainer refuses them with the same message:

>>> from dlcore.trainers.cnn import Config
>>> check_training_settings(Config(seed=-1), optimizers=("adam",), unit="image")
Traceback (most recent call last):
...
ValueError: `seed` must be an integer of at least 0. Received: seed=-1.

`validation_fraction` and `test_fraction` are checked with the data they split
(`dlcore.data.split.check_split`): how many samples each part needs depends on the data.

The convolutional trainers (images, video) also share the settings of their conv blocks,
`n_blocks`, `n_filters` and `kernel_size`, checked by `check_conv_blocks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlcore._checks import check_choice, check_int, check_number, check_seed, is_int


def check_training_settings(
    config: Any, *, optimizers: Sequence[str] | None = None, unit: str = "sample"
) -> None:
    """Checks a config's `optimizer`, `learning_rate`, `batch_size` and `seed`.

    Args:
        config: a trainer's config, with `learning_rate`, `batch_size` and `seed`
            attributes (and `optimizer` when `optimizers` is given).
        optimizers: the optimizers the trainer offers; None where it has no choice of
            optimizer, and so no `optimizer` setting.
        unit: what a batch holds, for the message: "image", "clip", "sentence", ...

    Raises:
        ValueError: naming the first setting that is wrong, what is expected and what
            was received.
    """
    if optimizers is not None:
        check_choice(config.optimizer, name="optimizer", choices=optimizers)
    check_number(
        config.learning_rate,
        name="learning_rate",
        above=0,
        finite=True,
        hint="(at 0 the weights never change; 0.001 to 0.1 is a typical learning rate)",
    )
    check_int(
        config.batch_size,
        name="batch_size",
        minimum=1,
        unit=unit,
        hint="(8 to 128 is a typical batch size)",
    )
    check_seed(config.seed)


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
