"""Argument checks shared by every layer of dlcore, and the house error message they write.

A message says what was wrong and what is expected, may add how to fix it, and ends
with what was received, as Keras's own checks do:

>>> check_int(0, name="batch_size", what="The batch size", minimum=1, unit="image")
Traceback (most recent call last):
...
ValueError: The batch size must be an integer of at least 1 image. Received: batch_size=0.

Every check takes the value received first, then by name:

- `name`: the argument's name, for "Received: name=value";
- `what` (where the message names the argument): how it does, e.g. "The batch size";
  defaults to `name` quoted;
- `hint` (where there is one): added before "Received": "(8 to 32 is typical)" or
  ", e.g. 8" continue the sentence, anything else is a sentence of its own.

Each returns the value it accepted, and raises ValueError naming what was expected
otherwise, so a trainer's `Config` can list its checks in a table
(`dlcore.training.settings.TrainerConfig`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np


def is_int(value: object) -> bool:
    """Whether `value` is an integer (Python's or NumPy's), and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """Whether `value` is a real number (int, float or NumPy's), and not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(
    value: object,
    *,
    name: str,
    what: str | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    unit: str = "",
    hint: str = "",
) -> int:
    """Checks that `value` is an integer within [`minimum`, `maximum`] (either may be None).

    Args:
        value, name, what, hint: as every check takes them (see the module's docstring).
        minimum, maximum: the bounds, inclusive; None for no bound.
        unit: what is counted, after the bound: "image" gives "of at least 1 image".

    Raises:
        ValueError: If `value` is not an integer (a bool is not) or is out of bounds.
    """
    if not is_int(value) or not _within(value, minimum=minimum, maximum=maximum):
        bounds = _bounds_text(minimum=minimum, maximum=maximum, unit=unit, between="from")
        refuse(name, value, f"{what or f'`{name}`'} must be an integer{bounds}", hint)
    return value  # type: ignore[return-value]


def check_number(
    value: object,
    *,
    name: str,
    what: str | None = None,
    above: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    below: float | None = None,
    finite: bool = False,
    hint: str = "",
) -> float:
    """Checks that `value` is a real number within the given bounds.

    Args:
        value, name, what, hint: as every check takes them (see the module's docstring).
        above, below: exclusive bounds; None for none.
        minimum, maximum: inclusive bounds; None for none.
        finite: refuse infinities and NaN as well ("must be a finite number").

    Raises:
        ValueError: If `value` is not a real number (a bool is not) or is out of bounds.
    """
    inside = is_real(value) and _within(value, minimum=minimum, maximum=maximum)
    if inside and finite:
        inside = math.isfinite(value)  # type: ignore[arg-type]
    if inside and above is not None:
        inside = value > above  # type: ignore[operator]
    if inside and below is not None:
        inside = value < below  # type: ignore[operator]
    if not inside:
        parts = [
            f"{word} {bound}"
            for word, bound in (
                ("above", above),
                ("at least", minimum),
                ("at most", maximum),
                ("below", below),
            )
            if bound is not None
        ]
        bounds = f" {' and '.join(parts)}" if parts else ""
        number = "a finite number" if finite else "a number"
        refuse(name, value, f"{what or f'`{name}`'} must be {number}{bounds}", hint)
    return value  # type: ignore[return-value]


def check_fraction(value: object, *, name: str, what: str | None = None, hint: str = "") -> float:
    """Checks that `value` is a number strictly between 0 and 1, as a share of samples is."""
    if not is_real(value) or not 0 < value < 1:  # type: ignore[operator]
        refuse(
            name, value, f"{what or f'`{name}`'} must be a number strictly between 0 and 1", hint
        )
    return value  # type: ignore[return-value]


def check_choice(value: object, *, name: str, choices: Sequence[str], what: str = "") -> str:
    """Checks that `value` is one of `choices`: "Unknown optimizer. Choose one of: ...".

    Args:
        value, name: as every check takes them (see the module's docstring).
        choices: the allowed values, in the order the message lists them.
        what: how the message names the thing chosen. Defaults to `name`.

    Raises:
        ValueError: If `value` is not one of `choices`.
    """
    if not isinstance(value, str) or value not in choices:
        refuse(name, value, f"Unknown {what or name}. Choose one of: {', '.join(choices)}")
    return value


def check_names(
    value: object,
    *,
    name: str,
    choices: Sequence[str],
    what: str,
    example: tuple[str, ...],
    empty: str | None = None,
) -> tuple[str, ...]:
    """Checks that `value` is a sequence of names from `choices`, each at most once.

    Args:
        value, name: as every check takes them (see the module's docstring).
        choices: the allowed names, in the order the message lists them.
        what: what one name stands for: "augmentation" gives "Unknown augmentation 'blur'".
        example: a valid value, shown when `value` is not a sequence of names (or is empty).
        empty: how the message asks for a name when `value` is empty, e.g. "Choose at
            least one network to train"; None lets `value` be empty.

    Returns:
        `value`, as a tuple.

    Raises:
        ValueError: If `value` is a string or no sequence, is empty (unless `empty` is
            None), names something not in `choices`, or names something twice.
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        expected = f"`{name}` must be a sequence of names, e.g. {example!r}"
    elif not value and empty is not None:
        expected = f"{empty}, e.g. {example!r}"
    elif unknown := [item for item in value if item not in choices]:
        expected = f"Unknown {what} {unknown[0]!r}. Choose from: {', '.join(choices)}"
    elif len(set(value)) != len(value):
        expected = f"Each {what} may appear once"
    else:
        return tuple(value)
    refuse(name, value, expected)


def check_bool(value: object, *, name: str) -> bool:
    """Checks that `value` is True or False (Python's or NumPy's)."""
    if not isinstance(value, bool | np.bool_):
        refuse(name, value, f"`{name}` must be True or False")
    return value  # type: ignore[return-value]


def check_seed(value: object, *, name: str = "seed") -> int:
    """Checks that a random seed is an integer of at least 0, as NumPy's seeds are."""
    return check_int(value, name=name, minimum=0)


def _within(value: object, *, minimum: float | None, maximum: float | None) -> bool:
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)  # type: ignore[operator]


def _bounds_text(*, minimum: float | None, maximum: float | None, unit: str, between: str) -> str:
    counted = f" {unit}" if unit else ""
    if minimum is not None and maximum is not None:
        return f" {between} {minimum} to {maximum}{counted}"
    if minimum is not None:
        return f" of at least {minimum}{counted}"
    if maximum is not None:
        return f" of at most {maximum}{counted}"
    return ""


def rule(accepts: Callable[[Any], bool], expected: str) -> Callable[..., Any]:
    """A check, for a config's table of checks, from a test of the value and its message.

    Args:
        accepts: whether a value is acceptable; it guards its own types (a string must
            give False, not raise).
        expected: what is expected, for the message; `{name}` stands for the setting.

    Returns:
        `check(value, *, name)`, which returns the value `accepts`, and refuses others
        with the house message.

    >>> check_even = rule(lambda value: is_int(value) and value % 2 == 0, "`{name}` must be even")
    >>> check_even(3, name="width")
    Traceback (most recent call last):
    ...
    ValueError: `width` must be even. Received: width=3.
    """

    def check(value: object, *, name: str) -> Any:
        if not accepts(value):
            refuse(name, value, expected.format(name=name))
        return value

    return check


def refuse(name: str, value: object, expected: str, hint: str = "") -> NoReturn:
    """Raises the house ValueError: what is expected, the hint, then what was received.

    Args:
        name, value: the argument refused and its value, for "Received: name=value".
        expected: what was wrong and what is expected, e.g. "`batch_norm` must be True or
            False"; a final period is optional.
        hint: as every check takes it (see the module's docstring).

    Raises:
        ValueError: always.
    """
    # A hint in parentheses or after a comma continues the sentence; any other is its own.
    if hint.startswith("("):
        expected += f" {hint}"
    elif hint.startswith(","):
        expected += hint
    elif hint:
        expected += f". {hint}"
    raise ValueError(f"{expected.rstrip('.')}. Received: {name}={value!r}.")
