"""A person's classes for Teach your own classes: checking them, keeping their images,
and splitting them into training, validation and test images.

A person names 2 to 5 classes and gives each at least 3 images (uploads or camera
snapshots, any size). `class_problems` says in words what is missing; `split_rows` says
which image goes where: with fewer than `HOLD_OUT_FROM` images in some class all of them
train; from `HOLD_OUT_FROM` on one in five validates every epoch; from `TEST_FROM` on one
in five more is kept for the test score, computed once at the end. `default_classes`
draws a quick set of generated circles and squares, for `Config()` and for a first try.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from dlcore.data.shapes import make_shapes
from dlcore.media import images as _images

MIN_CLASSES = 2
"""The fewest classes a person can teach."""

MAX_CLASSES = 5
"""The most classes a person can teach."""

MIN_IMAGES = 3
"""The fewest images each class needs."""

MAX_IMAGES = 60
"""The most images a class may have: enough to learn from, and the session stays small."""

MAX_NAME_LENGTH = 40
"""The longest class name, in characters."""

HOLD_OUT_FROM = 6
"""From this many images in every class on, one image in five is held out to validate
each epoch; with fewer, all train."""

TEST_FROM = 10
"""From this many images in every class on, one image in five more is kept apart for the
test score, computed once at the end; with fewer, there is no test score."""

DEFAULT_IMAGES = 10
"""Images per class of `default_classes`: enough for all three parts."""

STORED_SIDE = 160
"""`keep_image` scales images down to at most this many pixels on the longer side: far
more than the models take (at most 32), enough for a thumbnail, and small in a session."""


ClassImages = Sequence[tuple[str, Sequence[ArrayLike]]] | Mapping[str, Sequence[ArrayLike]]
"""The person's classes: `(name, images)` pairs in order (or a dict name -> images), each
image uint8 of shape `(height, width)` or `(height, width, 3)`."""


def class_problems(classes: ClassImages) -> list[str]:
    """What keeps these classes from being taught, one sentence per problem; [] when ready.

    Checks: 2 to 5 classes; every class named, names different (ignoring case and
    surrounding spaces) and at most `MAX_NAME_LENGTH` characters; every class with
    `MIN_IMAGES` to `MAX_IMAGES` images.

    Args:
        classes: `(name, images)` pairs, or a dict name -> images.

    Returns:
        Sentences that say what is wrong and what to do, in the order of the classes.

    Example:

    >>> class_problems([("cat", [np.zeros((4, 4), np.uint8)] * 3), ("", [])])
    ['Class 2 has no name: type one.', 'Class 2 has 0 images: add at least 3.']
    """
    pairs = _pairs(classes)
    problems: list[str] = []
    problems += _count_problems(
        len(pairs),
        MIN_CLASSES,
        MAX_CLASSES,
        too_few=f"Teach at least {MIN_CLASSES} classes, so the model has something to tell "
        f"apart: add a class. Received: {len(pairs)} class{'es' if len(pairs) != 1 else ''}.",
        too_many=f"Teach at most {MAX_CLASSES} classes: remove {len(pairs) - MAX_CLASSES}. "
        f"Received: {len(pairs)} classes.",
    )
    seen: dict[str, int] = {}
    for number, (name, pictures) in enumerate(pairs, start=1):
        clean = name.strip()
        if not clean:
            problems.append(f"Class {number} has no name: type one.")
        elif len(clean) > MAX_NAME_LENGTH:
            problems.append(
                f"Class {number}'s name is {len(clean)} characters long: shorten it to at "
                f"most {MAX_NAME_LENGTH}."
            )
        elif clean.casefold() in seen:
            problems.append(
                f"Classes {seen[clean.casefold()]} and {number} are both called {clean!r}: "
                "give each class its own name."
            )
        else:
            seen[clean.casefold()] = number
        label = repr(clean) if clean else f"Class {number}"
        problems += _count_problems(
            len(pictures),
            MIN_IMAGES,
            MAX_IMAGES,
            too_few=f"{label} has {len(pictures)} image{'s' if len(pictures) != 1 else ''}: "
            f"add at least {MIN_IMAGES}.",
            too_many=f"{label} has {len(pictures)} images: remove some, {MAX_IMAGES} at most.",
        )
    return problems


def _count_problems(
    count: int, minimum: int, maximum: int, *, too_few: str, too_many: str
) -> list[str]:
    """`[too_few]` below `minimum`, `[too_many]` above `maximum`, `[]` in between."""
    if count < minimum:
        return [too_few]
    if count > maximum:
        return [too_many]
    return []


def validate_classes(classes: ClassImages) -> list[tuple[str, list[np.ndarray]]]:
    """Checks the classes (`class_problems`) and returns them as clean `(name, images)` pairs.

    Returns:
        The pairs in order, names stripped of surrounding spaces, images as uint8 arrays.

    Raises:
        ValueError: with every problem `class_problems` finds, or when an image is not a
            uint8 greyscale or RGB array (naming its class and position).
    """
    problems = class_problems(classes)
    if problems:
        raise ValueError("These classes can't be taught yet. " + " ".join(problems))
    pairs = []
    for name, pictures in _pairs(classes):
        checked = []
        for position, picture in enumerate(pictures, start=1):
            pixels = np.asarray(picture)
            is_gray_or_rgb = pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
            if pixels.dtype != np.uint8 or not is_gray_or_rgb or min(pixels.shape[:2]) < 1:
                raise ValueError(
                    f"Image {position} of {name.strip()!r} is not a picture: expected uint8 "
                    "pixels of shape (height, width) or (height, width, 3), as "
                    "dlcore.media.images.decode_image returns them. "
                    f"Received: dtype={pixels.dtype}, shape={pixels.shape}."
                )
            checked.append(pixels)
        pairs.append((name.strip(), checked))
    return pairs


def keep_image(pixels: ArrayLike) -> np.ndarray:
    """A person's image as it is worth keeping: scaled down to `STORED_SIDE` at most.

    Args:
        pixels: uint8, shape `(height, width)` or `(height, width, 3)`.

    Returns:
        uint8, the same number of channels, longer side at most `STORED_SIDE`.
    """
    small, _ = _images.fit_within(np.asarray(pixels), max_side=STORED_SIDE)
    return np.ascontiguousarray(small)


def split_rows(counts, *, validation_fraction=0.2, test_fraction=0.2, seed=0):
    """Which image of each class trains, validates or tests.

    With fewer than `HOLD_OUT_FROM` images in some class, every image trains. Otherwise
    each class gives `max(1, round(n * validation_fraction))` images, chosen at random
    with `seed`, to validation; and when every class has at least `TEST_FROM` images,
    `max(1, round(n * test_fraction))` more to the test.

    Args:
        counts: the number of images of each class, in class order.
        validation_fraction, test_fraction: `float` in (0, 1), each class's shares.
        seed: `int`, which images are held out.

    Returns:
        `(train, validation, test)`: lists of `(class_index, image_index)` pairs, in
        class order and then image order.
    """
    validate = min(counts) >= HOLD_OUT_FROM
    test = min(counts) >= TEST_FROM
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for class_index, count in enumerate(counts):
        order = rng.permutation(count) if validate else np.arange(count)
        n_val = max(1, round(count * validation_fraction)) if validate else 0
        n_test = max(1, round(count * test_fraction)) if test else 0
        chosen = (order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test])
        for part, positions in zip(parts, chosen, strict=True):
            part.extend((class_index, int(position)) for position in sorted(positions))
    return parts


def default_classes(*, seed: int = 0) -> list[tuple[str, list[np.ndarray]]]:
    """Generated circles and squares on plain backgrounds, `DEFAULT_IMAGES` of each.

    Returns:
        `[("circle", images), ("square", images)]`, each image uint8 of shape (32, 32, 3).
    """
    drawn = make_shapes(8 * DEFAULT_IMAGES, seed=seed, backgrounds=("plain",))
    pixels = np.round(drawn.images * 255).astype(np.uint8)
    return [
        (name, [pixels[i] for i in np.flatnonzero(drawn.target == k)[:DEFAULT_IMAGES]])
        for k, name in enumerate(("circle", "square"))
    ]


def _pairs(classes: ClassImages) -> list[tuple[str, Sequence[ArrayLike]]]:
    items = classes.items() if isinstance(classes, Mapping) else classes
    pairs = []
    for item in items:
        name, pictures = item
        if not isinstance(name, str):
            raise TypeError(f"A class name must be a string. Received: {name!r}.")
        if isinstance(pictures, np.ndarray) and pictures.dtype == np.uint8 and pictures.ndim == 3:
            # One greyscale image would pass for a list of rows: ask for a list.
            raise TypeError(
                f"Give class {name!r}'s images as a list of arrays, one per image. "
                f"Received: one array of shape {pictures.shape}."
            )
        pairs.append((name, list(pictures)))
    return pairs
