"""The memory task of the Memory page: sequences of symbols whose answer is their first one.

Every token of a sequence is drawn uniformly and independently from the symbols 0 to
`n_symbols - 1`; the label is the first token. Nothing after it says anything about the
answer, so a network that reads the sequence from the start must carry its first step to
the end unchanged, past `length - 1` distracting ones. A guess is right with probability
`1 / n_symbols` (chance); a network that remembers the first token is right every time.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from sklearn.utils import Bunch

from dlcore._checks import check_int, check_seed

LENGTH_RANGE = (2, 100)
"""The shortest and longest sequences: a sequence of 1 has nothing to forget, and a step
takes longer with every token."""

SYMBOLS_RANGE = (2, 10)
"""The fewest and most symbols, which are also the classes."""

N_SAMPLES_RANGE = (10, 50_000)
"""The fewest and most sequences: enough for a three-way split, few enough to train live."""

check_length = partial(
    check_int,
    what="The sequence length",
    minimum=LENGTH_RANGE[0],
    maximum=LENGTH_RANGE[1],
    unit="tokens",
    hint="(one token leaves nothing to remember; 100 take about 2.5 times as long as 40)",
)
"""Checks a sequence length, as `check_length(value, name="length")`, against
`LENGTH_RANGE`; the trainer's `Config` checks its `length` with it too."""

check_n_symbols = partial(
    check_int, what="The number of symbols", minimum=SYMBOLS_RANGE[0], maximum=SYMBOLS_RANGE[1]
)
"""Checks a number of symbols against `SYMBOLS_RANGE`."""

check_n_samples = partial(
    check_int,
    what="The number of sequences",
    minimum=N_SAMPLES_RANGE[0],
    maximum=N_SAMPLES_RANGE[1],
)
"""Checks a number of sequences against `N_SAMPLES_RANGE`."""


def make_first_token_sequences(
    n_samples: int = 5000,
    *,
    length: int = 30,
    n_symbols: int = 4,
    seed: int | None = 0,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Draws sequences of random symbols, each labelled with its first token.

    Args:
        n_samples: `int` in `N_SAMPLES_RANGE`, the number of sequences. Defaults to `5000`.
        length: `int` in `LENGTH_RANGE`, the tokens in each sequence. Defaults to `30`.
        n_symbols: `int` in `SYMBOLS_RANGE`, the symbols a token is drawn from; they are
            the classes too. Defaults to `4`.
        seed: `int` >= 0 or `None`, seeds the one random generator used. Defaults to `0`.
        return_X_y: `bool`, return only `(data, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with `data` (int32, shape `(n_samples, length)`, values in
        [0, n_symbols)), `target` (int64, shape `(n_samples,)`, equal to `data[:, 0]`),
        `target_names` (`["A", "B", ...]`, one letter per symbol), `chance` (`float`,
        `1 / n_symbols`) and `DESCR` (str); or only `(data, target)` if `return_X_y`.

    Raises:
        ValueError: If an argument is out of its range, with the house message.

    Example:

    >>> data, target = make_first_token_sequences(3, length=5, n_symbols=4, return_X_y=True)
    >>> data.shape, bool((target == data[:, 0]).all())
    ((3, 5), True)
    """
    check_n_samples(n_samples, name="n_samples")
    check_length(length, name="length")
    check_n_symbols(n_symbols, name="n_symbols")
    if seed is not None:
        check_seed(seed)
    rng = np.random.default_rng(seed)
    data = rng.integers(0, n_symbols, size=(n_samples, length), dtype=np.int32)
    target = data[:, 0].astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=symbol_names(n_symbols),
        chance=1.0 / n_symbols,
        DESCR=(
            f"First-token memory task\n\n{n_samples} sequences of {length} tokens, each drawn "
            f"uniformly from {n_symbols} symbols; the label is the first token. Chance: "
            f"{1.0 / n_symbols:.0%}."
        ),
    )


def symbol_names(n_symbols: int) -> list[str]:
    """The symbols' names as the page shows them: "A", "B", ... (`n_symbols` of them)."""
    return [chr(ord("A") + index) for index in range(n_symbols)]
