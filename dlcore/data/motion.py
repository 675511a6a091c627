"""Generated video clips of content that moves left, right, up or down, or zooms in or out.

Image coordinates are those of NumPy: in a frame of shape `(size, size, 3)`, x is the
column index and grows to the right, y is the row index and grows downwards. So in a
"left" clip the content's x decreases from frame to frame, and in an "up" clip its y
decreases.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import Bunch

from dlcore.data import shapes
from dlcore.data.class_counts import class_counts_line
from dlcore.data.image_sets import image_set_bunch

MOTION_LABELS = ("left", "right", "up", "down", "zoom_in", "zoom_out")
"""The classes of `make_motion_clips`, in the order of their `target` values 0 to 5."""

CONTENTS = ("shape", "photo")
"""What moves in a clip: one of the `dlcore.data.shapes` shapes, or a crop of a photo."""

BACKGROUNDS = ("plain", "noisy", "textured")
"""What the content lies on: one colour, one colour with Gaussian noise, or a photo crop."""

# (dx, dy) per unit of speed, in image coordinates (y grows downwards).
_DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}
# Translation speeds in pixels per frame for 32 x 32 frames; scaled with the frame size.
_SPEED_RANGE = (0.5, 2.0)
# Zoom clips scale by a factor in this range from the first frame to the last (or back).
_ZOOM_RANGE = (1.3, 1.6)
# The content's extent (the longer side of its bounding box) as a fraction of the frame.
_EXTENT_RANGE = (0.25, 0.45)
# Zoom clips put the content's centre within this fraction of the frame of its middle, and
# the zoom's centre within this fraction of the content's extent of the content's centre.
_ZOOM_PLACEMENT = 0.1


def make_motion_clips(
    n_clips: int = 300,
    *,
    frames: int = 16,
    image_size: int = 32,
    seed: int | None = 0,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Generates short colour clips whose content moves one of six ways.

    Each clip shows one piece of content, a shape (circle, square, triangle or star,
    filled or outlined, as `make_shapes` draws them) or a square crop of a bundled photo,
    25-45 % of the frame across, on a plain, noisy or textured (photo) background. In
    half of the clips only the content moves over a still background; in the other half
    the camera moves, so the background moves with the content. Either way the content
    moves on screen as its label says:

    - `"left"`, `"right"`, `"up"`, `"down"`: it slides at a constant speed of 0.5-2
      pixels per frame at 32 x 32 (scaled with `image_size`), but no faster than keeps it
      wholly inside the frame for the whole clip;
    - `"zoom_in"`, `"zoom_out"`: it grows (or shrinks) steadily by a factor of 1.3-1.6
      about a point near its centre.

    Every frame is sampled (bilinear) from a background larger than the frame, so a
    moving camera never uncovers a blank area. Classes are balanced: their sizes differ
    by at most 1. Clips come in random order.

    Args:
        n_clips: `int` >= 1, the number of clips. Defaults to `300`.
        frames: `int` in [2, 256], the number of frames per clip. Defaults to `16`.
        image_size: `int` in [8, 256], the side of each square frame in pixels. Defaults
            to `32`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.
        return_X_y: `bool`, return only `(clips, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with
        `clips`: float32, shape `(n_clips, frames, image_size, image_size, 3)` (RGB), values in
        [0, 1];
        `data`: the same array as `clips`;
        `target`: int64, shape `(n_clips,)`, the index in `MOTION_LABELS`;
        `target_names`: `["left", "right", "up", "down", "zoom_in", "zoom_out"]`;
        `content`: str, shape `(n_clips,)`, `"shape"` or `"photo"`;
        `background`: str, shape `(n_clips,)`, `"plain"`, `"noisy"` or `"textured"`;
        `camera`: bool, shape `(n_clips,)`, `True` where the camera moves (content and
        background move together), `False` where only the content moves;
        `DESCR`: str.
        Or only `(clips, target)` if `return_X_y` is true.

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> clips = make_motion_clips(12, frames=8, image_size=16, seed=0)
    >>> clips.clips.shape, clips.clips.dtype, np.bincount(clips.target).tolist()
    ((12, 8, 16, 16, 3), dtype('float32'), [2, 2, 2, 2, 2, 2])
    """
    shapes._check_count("n_clips", n_clips)
    if not shapes._is_int(frames) or not 2 <= frames <= 256:
        raise ValueError(
            "`frames` must be an integer from 2 to 256: motion needs at least two frames. "
            f"Received: frames={frames!r}."
        )
    shapes._check_image_size("image_size", image_size)
    rng = np.random.default_rng(seed)

    n_classes = len(MOTION_LABELS)
    target = rng.permutation(np.arange(n_clips, dtype=np.int64) % n_classes)
    content = np.array(CONTENTS)[rng.integers(len(CONTENTS), size=n_clips)]
    background = np.array(BACKGROUNDS)[rng.integers(len(BACKGROUNDS), size=n_clips)]
    camera = rng.random(n_clips) < 0.5

    clips = np.empty((n_clips, frames, image_size, image_size, 3), dtype=np.float32)
    for index in range(n_clips):
        clips[index] = _render_clip(
            rng,
            MOTION_LABELS[target[index]],
            content=str(content[index]),
            background=str(background[index]),
            camera=bool(camera[index]),
            frames=frames,
            size=image_size,
        )
    if return_X_y:
        return clips, target

    description = (
        "Motion clips\n\n"
        "Generated colour clips in which one piece of content, a shape or a photo crop, "
        "moves left, right, up or down, or zooms in or out, on a plain, noisy or photo "
        "background; in half of them the camera moves, so the background moves too. "
        "One frame alone does not tell the class: a model must compare frames, as a "
        "per-frame CNN followed by a GRU, a ConvLSTM or a Conv3D does.\n\n"
        f"{class_counts_line(target, n_classes, unit='clips')}; "
        f"frames: {frames} of {image_size}x{image_size} RGB, float32 in [0, 1]; "
        f"camera moving: {int(np.count_nonzero(camera))}; "
        f"image axes: x to the right, y downwards."
    )
    return image_set_bunch(
        clips,
        target,
        MOTION_LABELS,
        description,
        images_key="clips",
        content=content,
        background=background,
        camera=camera,
    )


def _render_clip(
    rng: np.random.Generator,
    label: str,
    *,
    content: str,
    background: str,
    camera: bool,
    frames: int,
    size: int,
) -> np.ndarray:
    """One clip, float32 `(frames, size, size, 3)` in [0, 1]; see `make_motion_clips`."""
    extent = rng.uniform(*_EXTENT_RANGE) * size
    steps = np.arange(frames, dtype=np.float64)
    if label in _DIRECTIONS:
        scale = size / 32.0
        fastest = min(_SPEED_RANGE[1] * scale, (size - extent) / (frames - 1))
        speed = rng.uniform(min(_SPEED_RANGE[0] * scale, fastest), fastest)
        travel = speed * (frames - 1)
        dx, dy = _DIRECTIONS[label]
        # The content's box starts where the whole path stays inside the frame. At the
        # fastest speed the path fills the frame, and rounding may overshoot it by a hair.
        low_x, low_y = max(0.0, -dx * travel), max(0.0, -dy * travel)
        high_x = size - extent - max(0.0, dx * travel)
        high_y = size - extent - max(0.0, dy * travel)
        left = rng.uniform(low_x, max(low_x, high_x))
        top = rng.uniform(low_y, max(low_y, high_y))
        shift_x, shift_y = dx * speed * steps, dy * speed * steps
        zoom = np.ones(frames)
        zoom_x = zoom_y = 0.0
        pad = math.ceil(travel) + 1
    else:
        middle = size / 2 + rng.uniform(-_ZOOM_PLACEMENT, _ZOOM_PLACEMENT, size=2) * size
        left, top = middle - extent / 2
        zoom_x, zoom_y = middle + rng.uniform(-_ZOOM_PLACEMENT, _ZOOM_PLACEMENT, 2) * extent
        factor = rng.uniform(*_ZOOM_RANGE)
        start, end = (1.0, factor) if label == "zoom_in" else (factor, 1.0)
        zoom = start * (end / start) ** (steps / (frames - 1))
        shift_x = shift_y = np.zeros(frames)
        # A zoom of at least 1 samples only inside the frame; one pixel more for rounding.
        pad = 1

    canvas, reference = shapes._backgrounds(
        rng, np.array([background]), size + 2 * pad, size + 2 * pad
    )
    layer = _content_layer(rng, content, reference, size=size, box=(left, top, extent))

    # Where each frame pixel's centre comes from, in the first frame's coordinates:
    # the inverse of "scale by zoom about (zoom_x, zoom_y), then shift".
    centers = np.arange(size, dtype=np.float64) + 0.5
    shift_x, shift_y, zoom = (values[:, None, None] for values in (shift_x, shift_y, zoom))
    xs = zoom_x + (centers[None, None, :] - shift_x - zoom_x) / zoom
    ys = zoom_y + (centers[None, :, None] - shift_y - zoom_y) / zoom
    xs, ys = np.broadcast_arrays(xs, ys)
    foreground = _bilinear(layer, xs - 0.5, ys - 0.5, mode="constant")
    if camera:
        behind = _bilinear(canvas[0], xs - 0.5 + pad, ys - 0.5 + pad, mode="edge")
    else:
        still = canvas[0, pad : pad + size, pad : pad + size]
        behind = np.broadcast_to(still, (frames, size, size, 3))
    alpha = foreground[..., 3:]
    clip = behind[..., :3] * (1.0 - alpha) + foreground[..., :3]
    return np.clip(clip, 0.0, 1.0)


def _content_layer(
    rng: np.random.Generator,
    content: str,
    reference: np.ndarray,
    *,
    size: int,
    box: tuple[float, float, float],
) -> np.ndarray:
    """The content in the first frame's place: premultiplied RGBA, float32 `(size, size, 4)`.

    Args:
        rng: Draws the shape, its colour, or the photo crop.
        content: `"shape"` or `"photo"`.
        reference: float array `(1,)`, the background's mean luma, which a shape's colour
            keeps `shapes.MIN_CONTRAST` away from.
        size: The frame's side.
        box: `(left, top, side)` of the square the content fills.
    """
    layer = np.zeros((size, size, 4), dtype=np.float32)
    if content == "shape":
        kind = shapes.SHAPE_LABELS[rng.integers(len(shapes.SHAPE_LABELS))]
        alpha = shapes._shape_in_box(
            rng, kind, image_size=size, box=box, filled=bool(rng.random() < 0.5)
        )
        color = shapes._contrasting_colors(rng, reference)[0]
        layer[..., :3] = alpha[..., np.newaxis] * color
        layer[..., 3] = alpha
    else:
        left, top, side = box
        side = max(2, round(side))
        left = min(max(0, round(left)), size - side)
        top = min(max(0, round(top)), size - side)
        layer[top : top + side, left : left + side, :3] = shapes._photo_crop(rng, side, side)
        layer[top : top + side, left : left + side, 3] = 1.0
    return layer


def _bilinear(layer: np.ndarray, xs: np.ndarray, ys: np.ndarray, *, mode: str) -> np.ndarray:
    """Samples `layer` (height, width, channels) at pixel coordinates `xs`, `ys`.

    Pixel (row, col) sits at x = col, y = row. Outside the layer, `mode="constant"`
    reads zeros and `mode="edge"` the nearest edge pixel.

    Returns:
        float32 array of shape `xs.shape + (channels,)`.
    """
    height, width, channels = layer.shape
    padded = np.pad(layer, ((1, 1), (1, 1), (0, 0)), mode=mode).reshape(-1, channels)
    x0, y0 = np.floor(xs), np.floor(ys)
    fx = (xs - x0).astype(np.float32)[..., np.newaxis]
    fy = (ys - y0).astype(np.float32)[..., np.newaxis]
    # Indices into the flattened `padded`: anything beyond the layer reads its border.
    col0 = np.clip(x0, -1, width).astype(np.intp) + 1
    col1 = np.clip(x0 + 1, -1, width).astype(np.intp) + 1
    row0 = (np.clip(y0, -1, height).astype(np.intp) + 1) * (width + 2)
    row1 = (np.clip(y0 + 1, -1, height).astype(np.intp) + 1) * (width + 2)
    upper_left = np.take(padded, row0 + col0, axis=0)
    upper = upper_left + (np.take(padded, row0 + col1, axis=0) - upper_left) * fx
    lower_left = np.take(padded, row1 + col0, axis=0)
    lower = lower_left + (np.take(padded, row1 + col1, axis=0) - lower_left) * fx
    return upper + (lower - upper) * fy
