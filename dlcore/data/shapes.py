"""Generated images of simple shapes (circle, square, triangle, star) for the image classifier.

Each image holds one shape, filled or outlined, of a random colour, size, position and
rotation, on a plain, noisy or textured background, drawn cleanly or as by hand, and
possibly cut by the frame. Shapes are drawn with Pillow at four times the final resolution
and scaled down, so their edges are anti-aliased. Image coordinates are those of NumPy:
the row index (y) grows downwards and the column index (x) to the right.

`robustness_set` draws the project's own robustness set for a shapes model: shapes drawn
with another pen, outline widths and photos that `make_shapes` never uses.
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

STROKES = ("clean", "hand")
"""How `make_shapes` draws a shape: exactly, or as by hand (a wobbly outline, corners a
little off, a stroke of uneven width)."""

LINE_WIDTH_LIMITS = (0.02, 0.3)
"""The outline widths `make_shapes` may be asked for, as fractions of the shape's extent."""

MAX_CUT = 0.4
"""The largest share of a shape's extent that `make_shapes` may put past the frame."""

ROBUSTNESS_VARIANTS = ("hand", "thin", "thick", "photo", "cut")
"""The parts of `robustness_set`: hand-drawn outlines and fills on paper, hairline and
thick outlines, shapes on unseen photos, and shapes partly cut by the frame."""

ROBUSTNESS_PHOTOS = (
    "sklearn:china.jpg",
    "sklearn:flower.jpg",
    "brick",
    "grass",
    "gravel",
    "immunohistochemistry",
)
"""Photos that `make_shapes` never draws on, for `robustness_set` only (loaded by
`dlcore.data.face_photos.load_photo`)."""

MIN_CONTRAST = 0.3
"""The least difference in luma (ITU-R BT.601, in [0, 1]) between a shape's colour and
its background's mean colour, so that every shape stays visible."""

# Drawn this many times larger, then scaled down by averaging: anti-aliased edges.
_SUPERSAMPLING = 4
# A shape's extent (the longer side of its bounding box) as a fraction of the image side.
_EXTENT_RANGE = (0.35, 0.8)
# An outline's width as a fraction of the shape's extent, and at least one pixel.
_LINE_WIDTH_RANGE = (0.08, 0.14)
# Hand strokes: corners moved by this fraction of the radius (standard deviation), the
# outline wobbling by a few slow waves of this total amplitude, and the stroke's width
# changing along it by up to this fraction either way.
_HAND_CORNER_JITTER = 0.05
_HAND_WOBBLE_RANGE = (0.02, 0.07)
_HAND_WIDTH_SWING = 0.4
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
    strokes: Sequence[str] = ("clean",),
    line_widths: tuple[float, float] = _LINE_WIDTH_RANGE,
    cut: float = 0.0,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Generates colour images of one shape each: circle, square, triangle or star.

    Every image draws one shape, filled or outlined with equal chance, with its extent
    (the longer side of its bounding box) 35-80 % of the image side, at a random angle.
    With `cut` 0 the shape lies wholly inside the image; otherwise each image draws a
    limit in [0, `cut`], and up to that share of the shape's extent may lie past each
    side of the frame (small cuts are common, large ones rarer). Outlines are
    `line_widths` of the extent wide (at least one pixel). The stroke, chosen at random
    among `strokes` for each image, is exact (`"clean"`) or as by hand (`"hand"`): the
    corners a little off, the outline wobbling in a few slow waves of 2-7 % of the
    radius, and the stroke's width changing by up to 40 % along it. The background,
    chosen at random among `backgrounds` for each image, is one colour (`"plain"`), one
    colour with Gaussian noise of standard deviation 0.04-0.12 (`"noisy"`), or a random
    square crop of a photo bundled with scikit-image (`"textured"`). The shape's colour
    differs in luma by at least `MIN_CONTRAST` (0.3) from the background's mean. Classes
    are balanced: their sizes differ by at most 1. Images come in random order.

    Args:
        n_samples: `int` >= 1, the number of images. Defaults to `1000`.
        image_size: `int` in [8, 256], the side of each square image in pixels.
            Defaults to `32`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.
        backgrounds: Names from `BACKGROUNDS` to choose from, e.g. `("plain",)`.
            Defaults to all three.
        strokes: Names from `STROKES` to choose from, e.g. `("clean", "hand")`.
            Defaults to `("clean",)`.
        line_widths: `(low, high)` within `LINE_WIDTH_LIMITS` (0.02-0.3), the range of
            an outline's width as a fraction of the shape's extent. Defaults to
            `(0.08, 0.14)`.
        cut: `float` in [0, `MAX_CUT`] (0.4), the largest share of the shape's extent
            that may lie past a side of the frame. Defaults to `0.0`.
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
        `stroke`: str, shape `(n_samples,)`, each image's stroke name;
        `cut`: float32, shape `(n_samples,)`, the share of the shape's extent past the
        frame on the side where most is, 0 for a shape inside;
        `DESCR`: str.
        Or only `(images, target)` if `return_X_y` is true.

    Raises:
        ValueError: If an argument is out of its range or a background or stroke is
            unknown.

    Example:

    >>> shapes = make_shapes(8, image_size=16, seed=0)
    >>> shapes.images.shape, shapes.images.dtype, np.bincount(shapes.target).tolist()
    ((8, 16, 16, 3), dtype('float32'), [2, 2, 2, 2])
    """
    _check_count("n_samples", n_samples)
    _check_image_size("image_size", image_size)
    backgrounds = _check_names("backgrounds", backgrounds, BACKGROUNDS)
    strokes = _check_names("strokes", strokes, STROKES)
    line_widths = _check_line_widths(line_widths)
    cut = _check_cut(cut)
    rng = np.random.default_rng(seed)

    n_classes = len(SHAPE_LABELS)
    target = rng.permutation(np.arange(n_samples, dtype=np.int64) % n_classes)
    filled = rng.random(n_samples) < 0.5
    background = np.array(backgrounds)[rng.integers(len(backgrounds), size=n_samples)]
    # One stroke draws nothing, so that clean shapes stay those of earlier versions.
    stroke = np.full(n_samples, strokes[0])
    if len(strokes) > 1:
        stroke = np.array(strokes)[rng.integers(len(strokes), size=n_samples)]

    canvas, reference = _backgrounds(rng, background, image_size, image_size)
    colors = _contrasting_colors(rng, reference)
    alphas = np.empty((n_samples, image_size, image_size), dtype=np.float32)
    beyond = np.empty(n_samples, dtype=np.float32)
    for index in range(n_samples):
        extent = rng.uniform(*_EXTENT_RANGE) * image_size
        # No draw without cuts, so that uncut shapes stay those of earlier versions.
        margin = (rng.uniform(0.0, cut) if cut else 0.0) * extent
        left, top = rng.uniform(-margin, image_size - extent + margin, size=2)
        past = max(-left, -top, left + extent - image_size, top + extent - image_size, 0.0)
        beyond[index] = past / extent
        alphas[index] = _drawn_shape_in_box(
            rng,
            SHAPE_LABELS[target[index]],
            image_size=image_size,
            box=(left, top, extent),
            filled=bool(filled[index]),
            line_widths=line_widths,
            hand=stroke[index] == "hand",
        )
    alphas = alphas[..., np.newaxis]
    images = canvas * (1.0 - alphas) + colors[:, np.newaxis, np.newaxis, :] * alphas
    np.clip(images, 0.0, 1.0, out=images)
    if return_X_y:
        return images, target

    kinds = ", ".join(f"{name} {np.count_nonzero(background == name)}" for name in backgrounds)
    drawn = ", ".join(f"{name} {np.count_nonzero(stroke == name)}" for name in strokes)
    description = (
        "Shapes\n\n"
        "Generated colour images of one shape each: a circle, a square, a triangle or a "
        "five-pointed star, filled or outlined, of random colour, size (35-80 % of the "
        "image), position and rotation, drawn anti-aliased on a plain, noisy or textured "
        "(photo) background, exactly or as by hand (wobbly outlines of uneven width), "
        "wholly inside the image or partly cut by its frame. A small CNN learns them in "
        "a few epochs on plain backgrounds; outlines, hand strokes, cuts and photo "
        "backgrounds make them harder.\n\n"
        f"{class_counts_line(target, n_classes)}; "
        f"images: {image_size}x{image_size} RGB, float32 in [0, 1]; "
        f"filled: {int(np.count_nonzero(filled))}; backgrounds: {kinds}; strokes: {drawn}; "
        f"outline widths: {line_widths[0]:.0%}-{line_widths[1]:.0%} of the extent; "
        f"cut by the frame: {int(np.count_nonzero(beyond > 0))}."
    )
    return image_set_bunch(
        images,
        target,
        SHAPE_LABELS,
        description,
        filled=filled,
        background=background,
        stroke=stroke,
        cut=beyond,
    )


def robustness_set(
    n_per_variant: int = 60,
    *,
    variants: Sequence[str] = ROBUSTNESS_VARIANTS,
    seed: int = 0,
) -> tuple[list[np.ndarray], np.ndarray]:
    """The project's own robustness set for a shapes model: shapes as a person draws them.

    Nothing here is made the way `make_shapes` makes its images: each picture is a square
    canvas of 48-160 pixels (a model input is 32), drawn at that size by another pen: the
    corners move, the edges bow, the outline drifts in a random walk and need not close
    (a small gap or overshoot), the stroke's width follows a random "pressure", circles
    come out a little oval and stars with fatter or thinner points. Backgrounds are paper
    under uneven light (dark ink) or a board (light chalk), or crops of
    `ROBUSTNESS_PHOTOS`, photos that `make_shapes` never draws on. The variants:

    - `"hand"`: outlines 6-16 % of the extent wide, a third of the shapes filled, on
      paper or a board;
    - `"thin"`: hairline outlines (2.5 % of the extent, or 0.8 of a model pixel), on
      paper or a board;
    - `"thick"`: outlines 26-32 % of the extent wide, more than `make_shapes` trains on;
    - `"photo"`: filled or outlined shapes on a crop of an unseen photo;
    - `"cut"`: shapes with 12-30 % of their extent past one or two sides of the frame,
      on paper or a photo.

    Args:
        n_per_variant: `int` >= 1, the pictures of each variant; its classes' counts
            differ by at most 1. Defaults to `60`.
        variants: names from `ROBUSTNESS_VARIANTS`. Defaults to all five.
        seed: `int`, seeds the one random generator used. Defaults to `0`.

    Returns:
        `(pictures, targets)`: a list of uint8 arrays of shape `(side, side, 3)` (RGB), as
        `dlcore.media.images.decode_image` returns an upload, `n_per_variant` of each
        variant in the order of `variants`; and int64 `(n,)`, the index of each
        picture's shape in `SHAPE_LABELS`.

    Raises:
        ValueError: If `n_per_variant` is not an integer >= 1 or a variant is unknown.

    Example:

    >>> pictures, targets = robustness_set(4, variants=("cut",))
    >>> len(pictures), pictures[0].dtype, targets.tolist()  # doctest: +SKIP
    (4, dtype('uint8'), [2, 0, 3, 1])
    """
    _check_count("n_per_variant", n_per_variant)
    variants = _check_names("variants", variants, ROBUSTNESS_VARIANTS)
    rng = np.random.default_rng(seed)
    pictures, targets = [], []
    for variant in variants:
        classes = rng.permutation(np.arange(n_per_variant) % len(SHAPE_LABELS))
        for target in classes:
            pictures.append(_robustness_picture(rng, SHAPE_LABELS[target], variant))
            targets.append(target)
    return pictures, np.asarray(targets, dtype=np.int64)


def _robustness_picture(rng: np.random.Generator, kind: str, variant: str) -> np.ndarray:
    """One picture of `robustness_set`: uint8 `(side, side, 3)`."""
    side = int(rng.integers(48, 161))
    on_photo = variant == "photo" or (variant == "cut" and rng.random() < 0.5)
    if on_photo:
        canvas = _unseen_photo_crop(rng, side)
        ink = _ink_against(rng, float(_luma(canvas.mean(axis=(0, 1))) / 255))
    else:
        canvas, ink = _paper(rng, side)
    extent = rng.uniform(0.45, 0.8 if variant == "cut" else 0.75) * side
    left, top = rng.uniform(0.0, side - extent, size=2)
    if variant == "cut":
        # Past one side, or two that meet at a corner.
        past = rng.uniform(0.12, 0.3) * extent
        sides = [int(rng.integers(4))]
        if rng.random() < 0.4:
            sides.append((sides[0] + 1) % 4)
        for which in sides:
            if which == 0:
                left = -past
            elif which == 1:
                top = -past
            elif which == 2:
                left = side - extent + past
            else:
                top = side - extent + past
    filled = {"hand": 1 / 3, "photo": 0.5, "cut": 0.5}.get(variant, 0.0) > rng.random()
    if variant == "thin":
        width = max(0.025 * extent, 0.8 * side / 32)
    elif variant == "thick":
        width = rng.uniform(0.26, 0.32) * extent
    else:
        width = rng.uniform(0.06, 0.16) * extent
    outline = _pen_outline(rng, kind)
    low, high = outline.min(axis=0), outline.max(axis=0)
    scale = extent / float(np.max(high - low))
    points = (outline - (low + high) / 2) * scale + np.array([left, top]) + extent / 2
    picture = Image.fromarray(canvas)
    draw = ImageDraw.Draw(picture)
    color = tuple(int(value) for value in ink)
    if filled:
        draw.polygon([tuple(point) for point in points], fill=color)
    # The pen's pressure drifts along the stroke.
    pressure = np.exp(np.cumsum(rng.normal(0.0, 0.06, len(points))))
    widths = width * np.clip(pressure / pressure.mean(), 0.6, 1.5)
    for start, end, stroke in zip(points[:-1], points[1:], widths, strict=False):
        draw.line([tuple(start), tuple(end)], fill=color, width=max(1, round(stroke)))
        if stroke >= 3:
            half = stroke / 2
            draw.ellipse([*(start - half), *(start + half)], fill=color)
    return np.asarray(picture, dtype=np.uint8)


def _pen_outline(rng: np.random.Generator, kind: str) -> np.ndarray:
    """The path a pen takes drawing `kind`, about radius 1: float `(m, 2)`, open."""
    angle = rng.uniform(0.0, 2.0 * math.pi)
    if kind == "circle":
        count = 72
        turns = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
        ellipse = np.column_stack([np.cos(turns), rng.uniform(0.85, 1.0) * np.sin(turns)])
        rotation = np.array(
            [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
        )
        path = ellipse @ rotation.T
    else:
        corners = np.array(_unit_vertices(kind, angle))
        if kind == "star":
            # Points fatter or thinner than `make_shapes`' stars.
            corners[1::2] *= rng.uniform(0.38, 0.52) / _STAR_INNER_RADIUS
        corners += rng.normal(0.0, 0.06, size=corners.shape)
        following = np.roll(corners, -1, axis=0)
        steps = max(6, 72 // len(corners))
        fractions = np.linspace(0.0, 1.0, steps, endpoint=False)[:, np.newaxis]
        edges = []
        for start, end in zip(corners, following, strict=True):
            # Each edge bows a little to one side (a quadratic Bezier curve).
            normal = np.array([start[1] - end[1], end[0] - start[0]])
            control = (start + end) / 2 + rng.normal(0.0, 0.07) * normal
            edges.append(
                (1 - fractions) ** 2 * start
                + 2 * (1 - fractions) * fractions * control
                + fractions**2 * end
            )
        path = np.concatenate(edges)
    # The hand drifts: a smoothed random walk, left to accumulate (no return to zero).
    drift = np.cumsum(rng.normal(0.0, 0.012, size=path.shape), axis=0)
    kernel = np.ones(5) / 5
    drift = np.column_stack([np.convolve(drift[:, k], kernel, mode="same") for k in range(2)])
    path = np.roll(path + drift, int(rng.integers(len(path))), axis=0)
    # The stroke ends a little short of its start or runs past it.
    end = len(path) + int(rng.integers(-len(path) // 25, len(path) // 12 + 1))
    return np.concatenate([path, path])[: max(end, len(path) // 2)]


def _paper(rng: np.random.Generator, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Paper under uneven light with dark ink, or (one in five) a board with light chalk:
    uint8 `(side, side, 3)` and the ink's RGB in [0, 255]."""
    board = rng.random() < 0.2
    tint = rng.uniform(0.9, 1.0, 3)
    base = rng.uniform(0.1, 0.28) if board else rng.uniform(0.75, 0.98)
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    rows, cols = np.mgrid[0:side, 0:side] / side - 0.5
    light = 1.0 + rng.uniform(0.05, 0.25) * (rows * direction[0] + cols * direction[1])
    paper = base * tint * light[..., np.newaxis]
    paper += rng.normal(0.0, rng.uniform(0.0, 0.03), paper.shape)
    if board:
        ink = rng.uniform(0.8, 1.0, 3) * np.array([1.0, 1.0, rng.uniform(0.6, 1.0)])
    else:
        palette = np.array(
            [[0.05, 0.05, 0.05], [0.1, 0.15, 0.6], [0.7, 0.1, 0.1], [0.1, 0.4, 0.15]]
        )
        ink = palette[rng.integers(len(palette))] * rng.uniform(0.8, 1.2)
    pixels = np.round(np.clip(paper, 0.0, 1.0) * 255).astype(np.uint8)
    return pixels, np.round(np.clip(ink, 0.0, 1.0) * 255)


def _ink_against(rng: np.random.Generator, luma: float) -> np.ndarray:
    """A marker's colour on a photo of mean luma `luma` in [0, 1]: RGB in [0, 255], at
    least 0.35 away in luma."""
    palette = np.array(
        [[0, 0, 0], [255, 255, 255], [220, 30, 30], [30, 60, 200], [250, 220, 40], [40, 170, 60]]
    )
    far = [color for color in palette if abs(_luma(color / 255) - luma) >= 0.35]
    choices = far or [palette[0] if luma >= 0.5 else palette[1]]
    return choices[int(rng.integers(len(choices)))].astype(np.float64)


def _unseen_photo_crop(rng: np.random.Generator, side: int) -> np.ndarray:
    """A square crop of 25-70 % of one of `ROBUSTNESS_PHOTOS`' shorter side, scaled to
    `side`: uint8 `(side, side, 3)`."""
    photos = _robustness_photos()
    photo = photos[int(rng.integers(len(photos)))]
    width, height = photo.size
    crop = rng.uniform(0.25, 0.7) * min(width, height)
    left, top = rng.uniform(0.0, width - crop), rng.uniform(0.0, height - crop)
    box = (left, top, left + crop, top + crop)
    scaled = photo.resize((side, side), Image.Resampling.LANCZOS, box=box)
    return np.asarray(scaled, dtype=np.uint8)


@functools.cache
def _robustness_photos() -> tuple[Image.Image, ...]:
    """`ROBUSTNESS_PHOTOS` as RGB Pillow images, decoded once per process."""
    from dlcore.data import face_photos

    return tuple(
        Image.fromarray(face_photos.load_photo(name)).convert("RGB") for name in ROBUSTNESS_PHOTOS
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
    return _drawn_shape_in_box(
        rng,
        kind,
        image_size=image_size,
        box=box,
        filled=filled,
        line_widths=_LINE_WIDTH_RANGE,
        hand=False,
    )


def _drawn_shape_in_box(
    rng: np.random.Generator,
    kind: str,
    *,
    image_size: int,
    box: tuple[float, float, float],
    filled: bool,
    line_widths: tuple[float, float],
    hand: bool,
) -> np.ndarray:
    """`_shape_in_box` with the outline's width drawn from `line_widths` (fractions of
    `side`), cleanly or, with `hand`, as by hand (`_hand_alpha`)."""
    left, top, side = box
    angle = rng.uniform(0.0, 2.0 * math.pi)
    line_width = max(1.0, rng.uniform(*line_widths) * side)
    vertices = np.array(_unit_vertices(kind, angle))
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    radius = side / float(np.max(high - low))
    # Centre the bounding box (low..high, scaled by the radius) in the square.
    center_x = left + side / 2 - (low[0] + high[0]) / 2 * radius
    center_y = top + side / 2 - (low[1] + high[1]) / 2 * radius
    if hand:
        return _hand_alpha(
            rng,
            vertices,
            image_size=image_size,
            center=(center_x, center_y),
            radius=radius,
            filled=filled,
            line_width=line_width,
        )
    return _shape_alpha(
        kind,
        image_size=image_size,
        center=(center_x, center_y),
        radius=radius,
        angle=angle,
        filled=filled,
        line_width=line_width,
    )


def _hand_alpha(
    rng: np.random.Generator,
    vertices: np.ndarray,
    *,
    image_size: int,
    center: tuple[float, float],
    radius: float,
    filled: bool,
    line_width: float,
) -> np.ndarray:
    """Draws a shape as by hand, as a coverage mask like `_shape_alpha`'s.

    The corners (`vertices`, of radius 1 around the origin) move a little, the outline
    between them wobbles in two or three slow waves, and the stroke, centred on the
    outline, swells and thins along it.
    """
    scale = _SUPERSAMPLING
    side = image_size * scale
    corners = vertices + rng.normal(0.0, _HAND_CORNER_JITTER, size=vertices.shape)
    # 12 points per edge of a polygon; a circle's 64-gon is already smooth.
    steps = max(1, 64 // len(corners))
    fractions = np.arange(steps)[:, np.newaxis] / steps
    following = np.roll(corners, -1, axis=0)
    path = corners[:, np.newaxis] * (1 - fractions) + following[:, np.newaxis] * fractions
    path = path.reshape(-1, 2)
    position = np.linspace(0.0, 2.0 * math.pi, len(path), endpoint=False)[:, np.newaxis]
    n_waves = int(rng.integers(2, 4))
    amplitudes = rng.dirichlet(np.ones(n_waves)) * rng.uniform(*_HAND_WOBBLE_RANGE)
    frequencies = rng.integers(1, 6, size=n_waves)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=(n_waves, 2))
    for amplitude, frequency, (phase_x, phase_y) in zip(
        amplitudes, frequencies, phases, strict=True
    ):
        path += amplitude * np.hstack(
            [np.sin(frequency * position + phase_x), np.sin(frequency * position + phase_y)]
        )
    points = (path * radius + np.array(center)) * scale - 0.5
    widths = (
        line_width
        * scale
        * (
            1.0
            + _HAND_WIDTH_SWING * np.sin(rng.integers(1, 4) * position[:, 0] + rng.uniform(0, 7))
        )
    )
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    if filled:
        draw.polygon([tuple(point) for point in points], fill=255)
    following = np.roll(points, -1, axis=0)
    for start, end, width in zip(points, following, widths, strict=True):
        draw.line([tuple(start), tuple(end)], fill=255, width=max(1, round(width)))
        half = width / 2
        draw.ellipse([*(start - half), *(start + half)], fill=255)
    reduced = mask.reduce(scale)
    return np.asarray(reduced, dtype=np.float32) * np.float32(1.0 / 255.0)


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


def _check_names(name: str, values: Sequence[str], choices: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(
            f"`{name}` must be a sequence of names, e.g. {name}=({values!r},). "
            f"Received: {name}={values!r}."
        )
    values = tuple(values)
    unknown = [value for value in values if value not in choices]
    if not values or unknown:
        raise ValueError(
            f"`{name}` must name one or more of {', '.join(choices)}. Received: {name}={values!r}."
        )
    return tuple(dict.fromkeys(values))


def _check_line_widths(line_widths: object) -> tuple[float, float]:
    low_limit, high_limit = LINE_WIDTH_LIMITS
    try:
        low, high = (float(value) for value in line_widths)  # type: ignore[union-attr]
    except (TypeError, ValueError) as error:
        raise ValueError(
            "`line_widths` must be a pair (low, high) of fractions of the shape's extent, "
            f"e.g. line_widths=(0.05, 0.2). Received: line_widths={line_widths!r}."
        ) from error
    if not low_limit <= low <= high <= high_limit:
        raise ValueError(
            f"`line_widths` must be a pair (low, high) with {low_limit} <= low <= high <= "
            f"{high_limit} (fractions of the shape's extent). "
            f"Received: line_widths={line_widths!r}."
        )
    return low, high


def _check_cut(cut: object) -> float:
    if not isinstance(cut, numbers.Real) or isinstance(cut, bool) or not 0.0 <= cut <= MAX_CUT:
        raise ValueError(
            f"`cut` must be a number from 0 to {MAX_CUT}: the largest share of a shape's "
            f"extent past the frame (0 keeps shapes inside). Received: cut={cut!r}."
        )
    return float(cut)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
