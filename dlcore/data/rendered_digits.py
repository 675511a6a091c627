"""Digits the project draws itself: typed in a font, bold or thin, written with a marker or
a mouse, photographed on paper, for the bundled digits model and its robustness set.

Pillow only; each picture is a `uint8` greyscale image of its own size, the digit
anywhere in it and at any size, as a person's upload would be.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

STYLES = ("typed", "bold", "marker", "segments")
"""How a digit is drawn: Pillow's scalable default font at its own weight or with a
thick outline ("bold"), a hand-drawn path with a round pen ("marker"), or the seven
segments of a display or stencil ("segments")."""

TRAINING_FONT_SIZE = 150
"""The size the default font is drawn at for training; at other sizes its hinting and
rasterisation differ, so the robustness set draws it at `ROBUSTNESS_FONT_SIZE`."""

ROBUSTNESS_FONT_SIZE = 28
"""The size the robustness set draws the default font at: a size training never saw."""

# Each digit as strokes of a pen in a unit box, (x, y) from the top left: a person's
# way of writing it, not a font's.
_PATHS: dict[int, list[list[tuple[float, float]]]] = {
    0: [
        [
            (0.5, 0.0),
            (0.85, 0.2),
            (0.9, 0.5),
            (0.85, 0.8),
            (0.5, 1.0),
            (0.15, 0.8),
            (0.1, 0.5),
            (0.15, 0.2),
            (0.5, 0.0),
        ]
    ],
    1: [[(0.3, 0.2), (0.55, 0.0), (0.55, 1.0)]],
    2: [
        [(0.15, 0.25), (0.35, 0.03), (0.65, 0.0), (0.85, 0.2), (0.8, 0.45), (0.1, 1.0), (0.9, 1.0)]
    ],
    3: [
        [
            (0.15, 0.1),
            (0.5, 0.0),
            (0.85, 0.15),
            (0.8, 0.4),
            (0.45, 0.5),
            (0.85, 0.6),
            (0.9, 0.85),
            (0.5, 1.0),
            (0.12, 0.9),
        ]
    ],
    4: [[(0.65, 1.0), (0.65, 0.0), (0.1, 0.7), (0.9, 0.7)]],
    5: [
        [
            (0.85, 0.0),
            (0.2, 0.0),
            (0.15, 0.45),
            (0.55, 0.4),
            (0.85, 0.6),
            (0.85, 0.85),
            (0.5, 1.0),
            (0.12, 0.9),
        ]
    ],
    6: [
        [
            (0.75, 0.0),
            (0.35, 0.2),
            (0.15, 0.6),
            (0.25, 0.95),
            (0.6, 1.0),
            (0.85, 0.75),
            (0.7, 0.5),
            (0.35, 0.5),
            (0.17, 0.65),
        ]
    ],
    7: [[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)]],
    8: [
        [
            (0.5, 0.5),
            (0.8, 0.3),
            (0.75, 0.05),
            (0.5, 0.0),
            (0.25, 0.05),
            (0.2, 0.3),
            (0.5, 0.5),
            (0.85, 0.75),
            (0.75, 0.97),
            (0.5, 1.0),
            (0.25, 0.97),
            (0.15, 0.75),
            (0.5, 0.5),
        ]
    ],
    9: [
        [
            (0.83, 0.35),
            (0.6, 0.5),
            (0.3, 0.45),
            (0.15, 0.25),
            (0.35, 0.0),
            (0.7, 0.02),
            (0.85, 0.3),
            (0.8, 0.7),
            (0.55, 1.0),
            (0.25, 0.95),
        ]
    ],
}

# Which of the seven segments (top, top right, bottom right, bottom, bottom left, top
# left, middle) each digit lights.
_SEGMENTS = {
    0: "abcdef",
    1: "bc",
    2: "abged",
    3: "abgcd",
    4: "fgbc",
    5: "afgcd",
    6: "afgedc",
    7: "abc",
    8: "abcdefg",
    9: "abcdfg",
}
_SEGMENT_ENDS = {
    "a": ((0.0, 0.0), (1.0, 0.0)),
    "b": ((1.0, 0.0), (1.0, 0.5)),
    "c": ((1.0, 0.5), (1.0, 1.0)),
    "d": ((0.0, 1.0), (1.0, 1.0)),
    "e": ((0.0, 0.5), (0.0, 1.0)),
    "f": ((0.0, 0.0), (0.0, 0.5)),
    "g": ((0.0, 0.5), (1.0, 0.5)),
}


def render_digits(
    n: int,
    *,
    seed: int = 0,
    styles: tuple[str, ...] = STYLES,
    photo: bool = True,
    font_size: int = TRAINING_FONT_SIZE,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Draws `n` digits, the classes in turn, each on a canvas of its own.

    Each digit is drawn in one of `styles`, at a random height (a fifth to nine tenths
    of the canvas), place, slant, width and stroke, on a canvas of 40 to 240 pixels a
    side; with `photo`, some are turned a little, blurred, lit unevenly, given sensor
    noise, or drawn light on dark.

    Args:
        n: `int` >= 1, how many digits.
        seed: `int`, seeds every random choice. Defaults to `0`.
        styles: a tuple of names from `STYLES`. Defaults to all of them.
        photo: `bool`, add the look of a photo of paper. Defaults to `True`.
        font_size: `int` >= 8, the size the typed styles' font is drawn at before the
            glyph is scaled to its place. Defaults to `TRAINING_FONT_SIZE`.

    Returns:
        `(images, labels)`: a list of `n` `uint8` arrays `(height, width)`, and int64
        labels of shape `(n,)` in [0, 9].

    Raises:
        ValueError: If `n` < 1 or a style is unknown.

    Example:

    >>> pictures, labels = render_digits(3, seed=1)
    >>> len(pictures), labels.tolist()
    (3, [0, 1, 2])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"`n` must be a positive integer. Received: n={n!r}.")
    unknown = [style for style in styles if style not in STYLES]
    if unknown or not styles:
        raise ValueError(
            f"`styles` must name some of {', '.join(STYLES)}. Received: styles={styles!r}."
        )
    rng = np.random.default_rng(seed)
    labels = np.arange(n, dtype=np.int64) % 10
    pictures = [
        _render(int(label), str(rng.choice(styles)), rng, photo, font_size) for label in labels
    ]
    return pictures, labels


def _render(
    digit: int, style: str, rng: np.random.Generator, photo: bool, font_size: int
) -> np.ndarray:
    canvas_side = int(rng.integers(40, 241))
    aspect = rng.uniform(0.75, 1.33)
    size = (canvas_side, max(24, int(canvas_side * aspect)))
    # The digit is drawn big on a layer of its own (ink 255 on 0), then placed.
    layer_side = 200
    layer = Image.new("L", (layer_side, layer_side), 0)
    pen = ImageDraw.Draw(layer)
    if style in ("typed", "bold"):
        font = ImageFont.load_default(size=font_size)
        stroke = round(rng.uniform(0.03, 0.07) * font_size) if style == "bold" else 0
        pen.text(
            (100, 100),
            str(digit),
            fill=255,
            font=font,
            anchor="mm",
            stroke_width=stroke,
            stroke_fill=255,
        )
    else:
        width = int(rng.integers(8, 30))
        jitter = 0.04 if style == "marker" else 0.0
        for path in _pen_paths(digit, style):
            points = [
                (44 + 112 * (x + rng.normal(0, jitter)), 30 + 140 * (y + rng.normal(0, jitter)))
                for x, y in path
            ]
            pen.line(points, fill=255, width=width, joint="curve")
            for x, y in (points[0], points[-1]):
                pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), 255)
    # Slant (italic or a leaning hand), then narrow or widen the glyph.
    shear = rng.uniform(-0.25, 0.25)
    layer = layer.transform(
        layer.size,
        Image.Transform.AFFINE,
        (1, shear, -shear * 100, 0, 1, 0),
        Image.Resampling.BILINEAR,
    )
    box = layer.getbbox() or (0, 0, layer_side, layer_side)
    glyph = layer.crop(box)
    glyph_height = max(6, int(min(size) * rng.uniform(0.2, 0.9)))
    glyph_width = max(2, int(glyph.width * glyph_height / glyph.height * rng.uniform(0.8, 1.25)))
    glyph_width = min(glyph_width, size[0] - 2)
    glyph = glyph.resize((glyph_width, glyph_height), Image.Resampling.LANCZOS)
    ink = Image.new("L", size, 0)
    left = int(rng.integers(0, size[0] - glyph_width + 1))
    top = int(rng.integers(0, size[1] - glyph_height + 1))
    ink.paste(glyph, (left, top))
    if photo and rng.random() < 0.6:
        ink = ink.rotate(rng.uniform(-12, 12), Image.Resampling.BILINEAR)
    alpha = np.asarray(ink, np.float32) / 255.0
    paper, pen_tone = rng.uniform(150, 255), rng.uniform(0, 90)
    if photo and rng.random() < 0.25:
        paper, pen_tone = rng.uniform(0, 70), rng.uniform(170, 255)
    picture = paper * (1 - alpha) + pen_tone * alpha
    if photo:
        rows, cols = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
        angle = rng.uniform(0, 2 * math.pi)
        ramp = np.cos(angle) * cols / size[0] + np.sin(angle) * rows / size[1]
        picture *= 1 + rng.uniform(0, 0.45) * (ramp - ramp.mean())
        picture += rng.normal(0, rng.uniform(0, 8), picture.shape)
    result = Image.fromarray(np.clip(np.rint(picture), 0, 255).astype(np.uint8))
    if photo and rng.random() < 0.4:
        result = result.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    return np.asarray(result)


def _pen_paths(digit: int, style: str) -> list[list[tuple[float, float]]]:
    """The strokes of a "marker" or "segments" digit, each a list of points in a unit box."""
    if style == "segments":
        return [list(_SEGMENT_ENDS[segment]) for segment in _SEGMENTS[digit]]
    return _PATHS[digit]
