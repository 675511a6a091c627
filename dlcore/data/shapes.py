"""Generated images of simple shapes (circle, square, triangle, star) for the image classifier.

Each image holds one shape, filled or outlined, of a random colour, size, position and
rotation, on a plain, noisy or textured background. Shapes are drawn with Pillow at four
times the final resolution and scaled down, so their edges are anti-aliased. Image
coordinates are those of NumPy: the row index (y) grows downwards and the column index
(x) to the right.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw
from sklearn.utils import Bunch

from dlcore.data import sample_images
from dlcore.data.class_counts import class_counts_line
from dlcore.data.image_sets import image_set_bunch

SHAPE_LABELS = ("circle", "square", "triangle", "star")
"""The classes of `make_shapes`, in the order of their `target` values 0, 1, 2, 3."""

BACKGROUNDS = ("plain", "noisy", "textured")
"""The backgrounds `make_shapes` draws on: one colour, one colour with Gaussian noise, or
a crop of a bundled photo."""

MIN_CONTRAST = 0.3
"""The least difference in luma (ITU-R BT.601, in [0, 1]) between a shape's colour and
its background's mean colour, so that every shape stays visible."""

# Drawn this many times larger, then scaled down by averaging: anti-aliased edges.
_SUPERSAMPLING = 4
# A shape's extent (the longer side of its bounding box) as a fraction of the image side.
_EXTENT_RANGE = (0.35, 0.8)
# An outline's width as a fraction of the shape's extent, and at least one pixel.
_LINE_WIDTH_RANGE = (0.08, 0.14)
# The standard deviation of a noisy background's Gaussian noise, per pixel and channel.
_NOISE_STD_RANGE = (0.04, 0.12)
# A textured background is a square crop of a photo whose side is this fraction of the
# photo's shorter side, scaled to the image.
_CROP_RANGE = (0.15, 0.6)
# A star's inner corners lie at this fraction of the radius of its points.
_STAR_INNER_RADIUS = 0.45
# Photos that decode in milliseconds from scikit-image's wheel (the scikit-learn ones
# would import sklearn.datasets, over a second).
_PHOTO_NAMES = ("astronaut", "coffee", "chelsea", "rocket", "coins", "camera")
# Luma weights of ITU-R BT.601, as Pillow's "L" conversion and `dlcore.media.images` use them.
_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def make_shapes(
    n_samples: int = 1000,
    *,
    image_size: int = 32,
    seed: int | None = 0,
    backgrounds: Sequence[str] = BACKGROUNDS,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Generates colour images of one shape each: circle, square, triangle or star.

    Every image draws one shape, filled or outlined with equal chance, with its extent
    (the longer side of its bounding box) 35-80 % of the image side, at a random angle
    and wholly inside the image. Outlines are 8-14 % of the extent wide. The
    background, chosen at random among `backgrounds` for each image, is one colour
    (`"plain"`), one colour with Gaussian noise of standard deviation 0.04-0.12
    (`"noisy"`), or a random square crop of a photo bundled with scikit-image
    (`"textured"`). The shape's colour differs in luma by at least `MIN_CONTRAST` (0.3)
    from the background's mean. Classes are balanced: their sizes differ by at most 1.
    Images come in random order.

    Args:
        n_samples: `int` >= 1, the number of images. Defaults to `1000`.
        image_size: `int` in [8, 256], the side of each square image in pixels.
            Defaults to `32`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.
        backgrounds: Names from `BACKGROUNDS` to choose from, e.g. `("plain",)`.
            Defaults to all three.
        return_X_y: `bool`, return only `(images, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with
        `images`: float32, shape `(n_samples, image_size, image_size, 3)` (RGB), values
        in [0, 1];
        `data`: the same array as `images`;
        `target`: int64, shape `(n_samples,)`, the index in `SHAPE_LABELS`;
        `target_names`: `["circle", "square", "triangle", "star"]`;
        `filled`: bool, shape `(n_samples,)`, `True` for a filled shape, `False` for
        an outline;
        `background`: str, shape `(n_samples,)`, each image's background name;
        `DESCR`: str.
        Or only `(images, target)` if `return_X_y` is true.

    Raises:
        ValueError: If an argument is out of its range or a background is unknown.

    Example:

    >>> shapes = make_shapes(8, image_size=16, seed=0)
    >>> shapes.images.shape, shapes.images.dtype, np.bincount(shapes.target).tolist()
    ((8, 16, 16, 3), dtype('float32'), [2, 2, 2, 2])
    """
    _check_count("n_samples", n_samples)
    _check_image_size("image_size", image_size)
    backgrounds = _check_backgrounds(backgrounds)
    rng = np.random.default_rng(seed)

    n_classes = len(SHAPE_LABELS)
    target = rng.permutation(np.arange(n_samples, dtype=np.int64) % n_classes)
    filled = rng.random(n_samples) < 0.5
    background = np.array(backgrounds)[rng.integers(len(backgrounds), size=n_samples)]

    canvas, reference = _backgrounds(rng, background, image_size, image_size)
    colors = _contrasting_colors(rng, reference)
    alphas = np.empty((n_samples, image_size, image_size), dtype=np.float32)
    for index in range(n_samples):
        alphas[index] = _random_shape_alpha(
            rng,
            SHAPE_LABELS[target[index]],
            image_size=image_size,
            filled=bool(filled[index]),
            extent_range=_EXTENT_RANGE,
        )
    alphas = alphas[..., np.newaxis]
    images = canvas * (1.0 - alphas) + colors[:, np.newaxis, np.newaxis, :] * alphas
    np.clip(images, 0.0, 1.0, out=images)
    if return_X_y:
        return images, target

    kinds = ", ".join(f"{name} {np.count_nonzero(background == name)}" for name in backgrounds)
    description = (
        "Shapes\n\n"
        "Generated colour images of one shape each: a circle, a square, a triangle or a "
        "five-pointed star, filled or outlined, of random colour, size (35-80 % of the "
        "image), position and rotation, drawn anti-aliased on a plain, noisy or textured "
        "(photo) background. A small CNN learns them in a few epochs on plain "
        "backgrounds; outlines and photo backgrounds make them harder.\n\n"
        f"{class_counts_line(target, n_classes)}; "
        f"images: {image_size}x{image_size} RGB, float32 in [0, 1]; "
        f"filled: {int(np.count_nonzero(filled))}; backgrounds: {kinds}."
    )
    return image_set_bunch(
        images, target, SHAPE_LABELS, description, filled=filled, background=background
    )


def _shape_alpha(
    kind: str,
    *,
    image_size: int,
    center: tuple[float, float],
    radius: float,
    angle: float,
    filled: bool,
    line_width: float,
) -> np.ndarray:
    """Draws one anti-aliased shape as a coverage mask (the shape's alpha).

    Coordinates are continuous: pixel (row, col) covers [col, col + 1) x [row, row + 1).

    Args:
        kind: One of `SHAPE_LABELS`.
        image_size: `int`, the side of the mask in pixels.
        center: `(x, y)`, the shape's centre.
        radius: The distance from the centre to the corners (the circle's radius).
        angle: Rotation in radians.
        filled: Fill the shape, or draw only its outline.
        line_width: The outline's width in pixels, drawn inside the shape.

    Returns:
        float32 array of shape `(image_size, image_size)` in [0, 1]: the fraction of
        each pixel the shape covers.
    """
    scale = _SUPERSAMPLING
    side = image_size * scale
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    fill = 255 if filled else None
    width = max(1, round(line_width * scale))
    # Pillow puts coordinate k at the centre of pixel k; ours put it at its corner.
    center_x, center_y = center[0] * scale - 0.5, center[1] * scale - 0.5
    if kind == "circle":
        scaled = radius * scale
        box = [center_x - scaled, center_y - scaled, center_x + scaled, center_y + scaled]
        draw.ellipse(box, fill=fill, outline=255, width=width)
    else:
        points = [
            (center_x + x * radius * scale, center_y + y * radius * scale)
            for x, y in _unit_vertices(kind, angle)
        ]
        draw.polygon(points, fill=fill, outline=255, width=width)
    reduced = mask.reduce(scale)
    return np.asarray(reduced, dtype=np.float32) * np.float32(1.0 / 255.0)


def _random_shape_alpha(
    rng: np.random.Generator,
    kind: str,
    *,
    image_size: int,
    filled: bool,
    extent_range: tuple[float, float],
) -> np.ndarray:
    """A shape of random size, angle and position, wholly inside the image.

    The shape's extent (its bounding box's longer side) is a uniform fraction in
    `extent_range` of `image_size`; see `_shape_in_box` for the rest.
    """
    extent = rng.uniform(*extent_range) * image_size
    left, top = rng.uniform(0.0, image_size - extent, size=2)
    return _shape_in_box(rng, kind, image_size=image_size, box=(left, top, extent), filled=filled)


def _shape_in_box(
    rng: np.random.Generator,
    kind: str,
    *,
    image_size: int,
    box: tuple[float, float, float],
    filled: bool,
) -> np.ndarray:
    """A shape at a random angle whose bounding box fits the square `box` snugly.

    Args:
        rng: Draws the angle and the outline's width.
        kind: One of `SHAPE_LABELS`.
        image_size: `int`, the side of the mask in pixels.
        box: `(left, top, side)` of a square in continuous image coordinates. The
            rotated shape's bounding box spans the square along its longer side and is
            centred in it along the other.
        filled: Fill the shape, or draw its outline, 8-14 % of `side` wide (at least
            one pixel).

    Returns:
        float32 array `(image_size, image_size)` in [0, 1], as `_shape_alpha` returns.
    """
    left, top, side = box
    angle = rng.uniform(0.0, 2.0 * math.pi)
    line_width = max(1.0, rng.uniform(*_LINE_WIDTH_RANGE) * side)
    vertices = np.array(_unit_vertices(kind, angle))
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    radius = side / float(np.max(high - low))
    # Centre the bounding box (low..high, scaled by the radius) in the square.
    center_x = left + side / 2 - (low[0] + high[0]) / 2 * radius
    center_y = top + side / 2 - (low[1] + high[1]) / 2 * radius
    return _shape_alpha(
        kind,
        image_size=image_size,
        center=(center_x, center_y),
        radius=radius,
        angle=angle,
        filled=filled,
        line_width=line_width,
    )


def _contrasting_colors(
    rng: np.random.Generator, reference: np.ndarray, *, min_contrast: float = MIN_CONTRAST
) -> np.ndarray:
    """Random RGB colours whose luma differs from `reference` by at least `min_contrast`.

    Args:
        rng: The generator to draw from.
        reference: float array of shape `(n,)`, each background's mean luma in [0, 1].
        min_contrast: The least luma difference, at most 0.5 so that one always exists.

    Returns:
        float32 array of shape `(n, 3)` in [0, 1].
    """
    count = len(reference)
    colors = rng.random((count, 3))
    for _ in range(50):
        bad = np.abs(colors @ _LUMA_WEIGHTS - reference) < min_contrast
        if not bad.any():
            break
        colors[bad] = rng.random((int(bad.sum()), 3))
    # Whatever 50 draws did not fix becomes a grey on the far side of the reference.
    bad = np.abs(colors @ _LUMA_WEIGHTS - reference) < min_contrast
    far = np.where(reference < 0.5, rng.uniform(0.85, 1.0, count), rng.uniform(0.0, 0.15, count))
    colors[bad] = far[bad, np.newaxis]
    return colors.astype(np.float32)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma of RGB values in [0, 1] along the last axis."""
    return np.asarray(rgb) @ _LUMA_WEIGHTS


def _photo_crop(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A random crop of a bundled photo scaled to `(height, width, 3)`, float32 in [0, 1].

    The crop keeps the aspect of the output; its longer side is 15-60 % of the photo's
    shorter side.
    """
    photos = _photos()
    photo = photos[rng.integers(len(photos))]
    photo_width, photo_height = photo.size
    fraction = rng.uniform(*_CROP_RANGE)
    crop_height = fraction * min(photo_width, photo_height) * min(1.0, height / width)
    crop_width = crop_height * width / height
    left = rng.uniform(0.0, photo_width - crop_width)
    top = rng.uniform(0.0, photo_height - crop_height)
    crop = photo.resize(
        (width, height),
        Image.Resampling.BILINEAR,
        box=(left, top, left + crop_width, top + crop_height),
        reducing_gap=2.0,
    )
    return np.asarray(crop, dtype=np.float32) * np.float32(1.0 / 255.0)


@functools.cache
def _photos() -> tuple[Image.Image, ...]:
    """The bundled photos as RGB Pillow images, decoded once per process."""
    return tuple(Image.fromarray(sample_images.load_sample(name)) for name in _PHOTO_NAMES)


def _unit_vertices(kind: str, angle: float) -> list[tuple[float, float]]:
    """The corners of a shape of radius 1 centred on (0, 0), rotated by `angle`.

    A circle is approximated by its 64-gon, for measuring its bounding box only.
    """
    if kind == "circle":
        radii, angles = [1.0] * 64, [2 * math.pi * k / 64 for k in range(64)]
    elif kind == "square":
        radii, angles = [1.0] * 4, [math.pi / 4 + math.pi / 2 * k for k in range(4)]
    elif kind == "triangle":
        # Pointing up (y grows downwards) before rotation.
        radii, angles = [1.0] * 3, [-math.pi / 2 + 2 * math.pi / 3 * k for k in range(3)]
    elif kind == "star":
        radii = [1.0 if k % 2 == 0 else _STAR_INNER_RADIUS for k in range(10)]
        angles = [-math.pi / 2 + math.pi / 5 * k for k in range(10)]
    else:
        raise ValueError(
            f"`kind` must be one of {', '.join(SHAPE_LABELS)}. Received: kind={kind!r}."
        )
    return [
        (r * math.cos(a + angle), r * math.sin(a + angle))
        for r, a in zip(radii, angles, strict=True)
    ]


def _backgrounds(
    rng: np.random.Generator, background: np.ndarray, height: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The background of each image, by the names in `background`, and its mean luma.

    Returns:
        float32 array `(n, height, width, 3)` in [0, 1], and float array `(n,)`.
    """
    n_samples = len(background)
    colors = rng.random((n_samples, 3)).astype(np.float32)
    canvas = np.empty((n_samples, height, width, 3), dtype=np.float32)
    canvas[:] = colors[:, np.newaxis, np.newaxis, :]
    reference = _luma(colors)
    noisy = np.flatnonzero(background == "noisy")
    if len(noisy):
        std = rng.uniform(*_NOISE_STD_RANGE, size=(len(noisy), 1, 1, 1)).astype(np.float32)
        noise = rng.standard_normal((len(noisy), height, width, 3), dtype=np.float32)
        canvas[noisy] = np.clip(canvas[noisy] + std * noise, 0.0, 1.0)
    for index in np.flatnonzero(background == "textured"):
        canvas[index] = _photo_crop(rng, height, width)
        reference[index] = _luma(canvas[index].mean(axis=(0, 1)))
    return canvas, reference


def _check_count(name: str, value: object) -> None:
    if not _is_int(value) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}.")


def _check_image_size(name: str, value: object) -> None:
    if not _is_int(value) or not 8 <= value <= 256:
        raise ValueError(
            f"`{name}` must be an integer from 8 to 256 (pixels per side); 32 suits a "
            f"small CNN. Received: {name}={value!r}."
        )


def _check_backgrounds(backgrounds: Sequence[str]) -> tuple[str, ...]:
    if isinstance(backgrounds, str):
        raise ValueError(
            "`backgrounds` must be a sequence of background names, e.g. "
            f"backgrounds=({backgrounds!r},). Received: backgrounds={backgrounds!r}."
        )
    backgrounds = tuple(backgrounds)
    unknown = [name for name in backgrounds if name not in BACKGROUNDS]
    if not backgrounds or unknown:
        raise ValueError(
            f"`backgrounds` must name one or more of {', '.join(BACKGROUNDS)}. "
            f"Received: backgrounds={backgrounds!r}."
        )
    return tuple(dict.fromkeys(backgrounds))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
