"""Generated video clips of a camera that pans, tilts or zooms, and of content that moves.

A clip's label says which way its mover goes, as a person filming it would put it:

- camera clips film a scene that fills the frame (a photo or a generated pattern) while
  the camera itself moves. "left" means the camera turns left, so the scene slides
  right across the frame; "zoom_in" means the camera zooms in, so the scene grows. The
  camera shakes a little, as a hand-held phone does, and its speed may change;
- object clips show one piece of content (a shape or a photo crop) moving over a still
  background. "left" means the content moves left across the frame.

Image coordinates are those of NumPy: in a frame of shape `(size, size, 3)`, x is the
column index and grows to the right, y is the row index and grows downwards.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw
from sklearn.utils import Bunch

from dlcore.data import face_photos, shapes
from dlcore.data.class_counts import class_counts_line
from dlcore.data.image_sets import image_set_bunch

MOTION_LABELS = ("left", "right", "up", "down", "zoom_in", "zoom_out")
"""The classes of `make_motion_clips`, in the order of their `target` values 0 to 5."""

CONTENTS = ("shape", "photo")
"""What moves in an object clip: one of the `dlcore.data.shapes` shapes, or a photo crop."""

BACKGROUNDS = ("plain", "noisy", "textured")
"""What an object clip's content moves over: one colour, one colour with Gaussian noise,
or a photo crop."""

SCENES = ("photo", "pattern")
"""What a camera clip films: a crop of a photo, or a generated pattern of soft blobs."""

TRAIN_SCENE_PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "coins",
    "camera",
    "grass",
    "gravel",
    "moon",
    "page",
    "retina",
    "sklearn:china.jpg",
)
"""The photos camera clips film in training."""

HELD_OUT_SCENE_PHOTOS = (
    "sklearn:flower.jpg",
    "brick",
    "immunohistochemistry",
    "hubble_deep_field",
    "cell",
    "clock",
    "horse",
    "text",
)
"""Photos that no training clip shows, for `make_camera_robustness_clips` only."""

# (dx, dy) per unit of speed, in image coordinates (y grows downwards): the way the mover
# goes, the content in an object clip and the camera in a camera clip.
_DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}
# Object clips: translation speeds in pixels per frame for 32 x 32 frames, scaled with
# the frame size, and the factor a zoom scales the content by over the clip.
_SPEED_RANGE = (0.5, 2.0)
_ZOOM_RANGE = (1.3, 1.6)
# The content's extent (the longer side of its bounding box) as a fraction of the frame.
_EXTENT_RANGE = (0.25, 0.45)
# Zoom clips put the content's centre within this fraction of the frame of its middle, and
# the zoom's centre within this fraction of the content's extent of the content's centre.
_ZOOM_PLACEMENT = 0.1
# Camera clips: how far the camera pans over the clip, as a fraction of the frame's side
# (a slow pan to a sweep), the factor it zooms by, and its shake (the standard deviation
# of the hand's wander, as a fraction of the side).
_PAN_RANGE = (0.08, 1.0)
_CAMERA_ZOOM_RANGE = (1.1, 2.0)
_SHAKE = 0.012
# A camera clip's first frame, cut into a 4 x 4 grid, must show detail (a luma standard
# deviation of at least `_MIN_CELL_CONTRAST`) in `_MIN_DETAILED_CELLS` of the cells. A flat
# part of a scene (a dark sky, a bare wall) does not change as the camera moves, so a view
# that is mostly flat looks like its few things moving over a still background: the
# camera films another scene.
_MIN_CELL_CONTRAST = 0.03
_MIN_DETAILED_CELLS = 12
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def make_motion_clips(
    n_clips: int = 300,
    *,
    frames: int = 16,
    image_size: int = 32,
    camera_share: float = 0.5,
    seed: int | None = 0,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Generates short colour clips of a moving camera or moving content, six ways.

    A share `camera_share` of the clips are camera clips: the frame is filled by a scene,
    a crop of one of `TRAIN_SCENE_PHOTOS` or a generated pattern of soft blobs, and the
    camera pans left, right, up or down by 8-100 % of the frame's side over the clip, or
    zooms in or out by a factor of 1.1-2, at a steady or an easing speed, shaking a
    little as a hand does. The scene moves across the frame the other way from the camera.

    The others are object clips: one piece of content, a shape (circle, square,
    triangle or star, filled or outlined, as `make_shapes` draws them) or a square crop
    of a bundled photo, 25-45 % of the frame across, on a still plain, noisy or photo
    background, moves as its label says:

    - `"left"`, `"right"`, `"up"`, `"down"`: it slides at a constant speed of 0.5-2
      pixels per frame at 32 x 32 (scaled with `image_size`), but no faster than keeps it
      wholly inside the frame for the whole clip;
    - `"zoom_in"`, `"zoom_out"`: it grows (or shrinks) steadily by a factor of 1.3-1.6
      about a point near its centre.

    Every frame is sampled (bilinear) from a picture larger than the frame, so a moving
    camera never uncovers a blank area. Classes are balanced: their sizes differ by at
    most 1. Clips come in random order.

    Args:
        n_clips: `int` >= 1, the number of clips. Defaults to `300`.
        frames: `int` in [2, 256], the number of frames per clip. Defaults to `16`.
        image_size: `int` in [8, 256], the side of each square frame in pixels. Defaults
            to `32`.
        camera_share: `float` in [0, 1], the expected share of camera clips; each clip
            is one with this probability. Object clips alone (0) are the quicker to
            learn. Defaults to `0.5`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.
        return_X_y: `bool`, return only `(clips, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with
        `clips`: float32, shape `(n_clips, frames, image_size, image_size, 3)` (RGB), values in
        [0, 1];
        `data`: the same array as `clips`;
        `target`: int64, shape `(n_clips,)`, the index in `MOTION_LABELS`;
        `target_names`: `["left", "right", "up", "down", "zoom_in", "zoom_out"]`;
        `camera`: bool, shape `(n_clips,)`, `True` for a camera clip, `False` for an
        object clip;
        `content`: str, shape `(n_clips,)`, `"shape"` or `"photo"` (object clips) or
        `"scene"` (camera clips);
        `background`: str, shape `(n_clips,)`, `"plain"`, `"noisy"` or `"textured"`
        (object clips), or the scene, `"photo"` or `"pattern"` (camera clips);
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
    _check_frames(frames)
    shapes._check_image_size("image_size", image_size)
    if not isinstance(camera_share, numbers.Real) or not 0 <= camera_share <= 1:
        raise ValueError(
            "`camera_share` must be a number from 0 to 1, the share of camera clips. "
            f"Received: camera_share={camera_share!r}."
        )
    rng = np.random.default_rng(seed)

    n_classes = len(MOTION_LABELS)
    target = rng.permutation(np.arange(n_clips, dtype=np.int64) % n_classes)
    camera = rng.random(n_clips) < camera_share
    content = np.where(
        camera, "scene", np.array(CONTENTS)[rng.integers(len(CONTENTS), size=n_clips)]
    )
    background = np.where(
        camera,
        np.array(SCENES)[rng.integers(len(SCENES), size=n_clips)],
        np.array(BACKGROUNDS)[rng.integers(len(BACKGROUNDS), size=n_clips)],
    )

    clips = np.empty((n_clips, frames, image_size, image_size, 3), dtype=np.float32)
    for index in range(n_clips):
        label = MOTION_LABELS[target[index]]
        if camera[index]:
            scene = _training_scene if background[index] == "photo" else _blobs
            clips[index] = _camera_clip(
                rng, label, scene, frames=frames, height=image_size, width=image_size
            )
        else:
            clips[index] = _object_clip(
                rng,
                label,
                content=str(content[index]),
                background=str(background[index]),
                frames=frames,
                size=image_size,
            )
    if return_X_y:
        return clips, target

    description = (
        "Motion clips\n\n"
        "Generated colour clips, six ways: in camera clips a hand-held camera pans left, "
        "right, up or down over a photo or a pattern, or zooms in or out (the scene moves "
        "the other way across the frame); in object clips one piece of content, a shape "
        "or a photo crop, moves left, right, up or down, or zooms in or out, over a still "
        "plain, noisy or photo background. One frame alone does not tell the class: a "
        "model must compare frames, as a per-frame CNN followed by a GRU, a ConvLSTM or a "
        "Conv3D does, and must tell a moving camera from moving content.\n\n"
        f"{class_counts_line(target, n_classes, unit='clips')}; "
        f"frames: {frames} of {image_size}x{image_size} RGB, float32 in [0, 1]; "
        f"camera clips: {int(np.count_nonzero(camera))}; "
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


def make_camera_clip(
    label: str, *, frames: int = 32, image_size: int = 128, seed: int | None = 0
) -> np.ndarray:
    """One camera clip over a photo, drawn as `make_motion_clips` draws its camera clips.

    Args:
        label: one of `MOTION_LABELS`, the camera's motion.
        frames: `int` in [2, 256], the number of frames. Defaults to `32`.
        image_size: `int` in [8, 256], the side of each square frame. Defaults to `128`.
        seed: `int` or `None`, seeds the scene, the speed and the shake. Defaults to `0`.

    Returns:
        float32, shape `(frames, image_size, image_size, 3)` (RGB), values in [0, 1].

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> make_camera_clip("left", frames=8, image_size=16).shape
    (8, 16, 16, 3)
    """
    if label not in MOTION_LABELS:
        raise ValueError(
            f"`label` must be one of {', '.join(MOTION_LABELS)}. Received: label={label!r}."
        )
    _check_frames(frames)
    shapes._check_image_size("image_size", image_size)
    rng = np.random.default_rng(seed)
    return _camera_clip(
        rng, label, _training_scene, frames=frames, height=image_size, width=image_size
    )


def make_camera_robustness_clips(
    n_clips: int = 60, *, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Hand-held camera clips over scenes that no training clip shows, as a phone films them.

    The project's own robustness set for camera motion. Unlike `make_motion_clips`, the
    clips come as a decoder gives them: uint8 frames of 96 x 128 pixels (landscape, so
    a model's preprocessing must cut them square), at 10, 15, 24 or 30 frames per
    second, lasting 1, 2 or 3.5 seconds, with the camera moving at 0.1-0.45 of the
    frame's height per second (or zooming by 1.2-1.8 over the clip). The scenes are
    `HELD_OUT_SCENE_PHOTOS` and cluttered rectangles and discs, a pattern training never
    draws. Classes are balanced.

    Args:
        n_clips: `int` >= 1, the number of clips. Defaults to `60`.
        seed: `int`, seeds the clips. Defaults to `0`.

    Returns:
        A list of `(frames, times, label)`: uint8 `(n_frames, 96, 128, 3)`, float64
        `(n_frames,)` seconds from 0, and the label, one of `MOTION_LABELS`.
    """
    shapes._check_count("n_clips", n_clips)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_clips) % len(MOTION_LABELS))
    clips = []
    for index, label in enumerate(np.array(MOTION_LABELS)[labels]):
        fps = float(rng.choice((10.0, 15.0, 24.0, 30.0)))
        seconds = float(rng.choice((1.0, 2.0, 3.5)))
        n_frames = round(seconds * fps) + 1
        times = np.arange(n_frames) / fps
        scene = _held_out_scene if index % 2 else _clutter
        motion = rng.uniform(0.1, 0.45) * seconds if label in _DIRECTIONS else None
        frames = _camera_clip(
            rng,
            str(label),
            scene,
            frames=n_frames,
            height=96,
            width=128,
            pan=motion,
            zoom=rng.uniform(1.2, 1.8),
        )
        clips.append((np.round(frames * 255).astype(np.uint8), times, str(label)))
    return clips


def _camera_clip(
    rng: np.random.Generator,
    label: str,
    scene: Callable[[np.random.Generator, int, int, int], np.ndarray],
    *,
    frames: int,
    height: int,
    width: int,
    pan: float | None = None,
    zoom: float | None = None,
) -> np.ndarray:
    """A hand-held camera filming a scene: float32 `(frames, height, width, 3)` in [0, 1].

    Args:
        rng: Draws the motion, the shake and the scene.
        label: One of `MOTION_LABELS`: the camera's motion.
        scene: Called as `scene(rng, height, width, frame_side)`, returns the scene,
            float32 `(height, width, 3)` in [0, 1], with detail on the scale of a frame
            of `frame_side` pixels.
        frames: The number of frames.
        height: The frame's height.
        width: The frame's width.
        pan: How far a pan goes over the clip, as a fraction of the frame's shorter
            side; drawn from `_PAN_RANGE` if None.
        zoom: The factor a zoom scales by over the clip; drawn from `_CAMERA_ZOOM_RANGE`
            if None.
    """
    side = min(height, width)
    progress = np.linspace(0.0, 1.0, frames)
    if rng.random() < 0.5:  # the hand eases into the move and out of it
        progress = progress * progress * (3 - 2 * progress)
    shake = _wander(rng, frames) * _SHAKE * side
    if label in _DIRECTIONS:
        travel = (pan if pan is not None else rng.uniform(*_PAN_RANGE)) * side
        path = np.outer(progress * travel, _DIRECTIONS[label])
        zooms = np.ones(frames)
    else:
        factor = zoom if zoom is not None else rng.uniform(*_CAMERA_ZOOM_RANGE)
        start, end = (1.0, factor) if label == "zoom_in" else (factor, 1.0)
        zooms = start * (end / start) ** progress
        path = np.zeros((frames, 2))
        travel = 0.0
    # The scene is larger than the frame by the path and the shake, so the camera never
    # looks past its edge; `path` then runs from the scene's middle.
    margin = math.ceil(travel + 4 * _SHAKE * side) + 2
    path = path - path.mean(axis=0) + shake
    centers_x = (width + 2 * margin) / 2 + path[:, 0]
    centers_y = (height + 2 * margin) / 2 + path[:, 1]
    xs = (
        centers_x[:, None, None]
        + (np.arange(width) + 0.5 - width / 2)[None, None, :] / zooms[:, None, None]
    )
    ys = (
        centers_y[:, None, None]
        + (np.arange(height) + 0.5 - height / 2)[None, :, None] / zooms[:, None, None]
    )
    xs, ys = np.broadcast_arrays(xs, ys)
    for _ in range(20):  # a blank wall shows no motion: film something else
        picture = scene(rng, height + 2 * margin, width + 2 * margin, side)
        clip = _bilinear(picture, xs - 0.5, ys - 0.5, mode="edge")
        if _shows_detail(clip[0]):
            break
    # A phone's exposure drifts a little as the view changes.
    gain = 1.0 + 0.04 * _wander(rng, frames)[:, :1, None, None]
    return np.clip(clip * gain, 0.0, 1.0).astype(np.float32)


def _check_frames(frames: object) -> None:
    if not shapes._is_int(frames) or not 2 <= frames <= 256:
        raise ValueError(
            "`frames` must be an integer from 2 to 256: motion needs at least two frames. "
            f"Received: frames={frames!r}."
        )


def _shows_detail(frame: np.ndarray) -> bool:
    """Whether most of a frame shows detail; see `_MIN_DETAILED_CELLS`."""
    luma = frame @ _LUMA
    rows = np.array_split(np.arange(luma.shape[0]), 4)
    columns = np.array_split(np.arange(luma.shape[1]), 4)
    detailed = sum(
        luma[np.ix_(row, column)].std() >= _MIN_CELL_CONTRAST for row in rows for column in columns
    )
    return detailed >= _MIN_DETAILED_CELLS


def _wander(rng: np.random.Generator, frames: int) -> np.ndarray:
    """A smooth random walk, float64 `(frames, 2)`, about 1 in standard deviation."""
    steps = rng.standard_normal((frames + 8, 2))
    smooth = np.cumsum(steps, axis=0)
    smooth = smooth - np.linspace(smooth[0], smooth[-1], frames + 8)  # no drift overall
    smooth = smooth[4 : 4 + frames]
    return smooth / max(float(smooth.std()), 1e-6)


def _training_scene(rng: np.random.Generator, height: int, width: int, _: int) -> np.ndarray:
    return _photo_scene(rng, TRAIN_SCENE_PHOTOS, height, width)


def _held_out_scene(rng: np.random.Generator, height: int, width: int, _: int) -> np.ndarray:
    return _photo_scene(rng, HELD_OUT_SCENE_PHOTOS, height, width)


def _photo_scene(
    rng: np.random.Generator, names: tuple[str, ...], height: int, width: int
) -> np.ndarray:
    """A crop of one of the named photos, 35-100 % of its shorter side, scaled to the scene.

    Its contrast is stretched to span [0, 1] as a phone's exposure does, by percentiles.
    """
    photo = _scene_photos(names)[rng.integers(len(names))]
    photo_width, photo_height = photo.size
    fraction = rng.uniform(0.35, 1.0)
    crop_height = fraction * min(photo_height, photo_width * height / width)
    crop_width = crop_height * width / height
    left = rng.uniform(0.0, photo_width - crop_width)
    top = rng.uniform(0.0, photo_height - crop_height)
    crop = photo.resize(
        (width, height),
        Image.Resampling.BOX,
        box=(left, top, left + crop_width, top + crop_height),
    )
    pixels = np.asarray(crop, dtype=np.float32)
    low, high = np.percentile(pixels, (1, 99))
    pixels = np.clip((pixels - low) / max(high - low, 1.0), 0.0, 1.0)
    return pixels[:, ::-1] if rng.random() < 0.5 else pixels


@functools.cache
def _scene_photos(names: tuple[str, ...]) -> tuple[Image.Image, ...]:
    """The named photos as RGB Pillow images, decoded once per process."""
    photos = []
    for name in names:
        pixels = face_photos.load_photo(name)
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[..., np.newaxis], 3, axis=-1)
        photos.append(Image.fromarray(pixels))
    return tuple(photos)


def _blobs(rng: np.random.Generator, height: int, width: int, frame_side: int) -> np.ndarray:
    """Soft blobs of colour: a grid of random colours, 3-8 cells across a frame, scaled up."""
    cells_per_pixel = rng.uniform(3, 8) / frame_side
    rows, columns = (max(2, round(cells_per_pixel * length)) for length in (height, width))
    grid = rng.integers(0, 256, size=(rows, columns, 3))
    picture = Image.fromarray(grid.astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    return np.asarray(picture, dtype=np.float32) / 255.0


def _clutter(rng: np.random.Generator, height: int, width: int, _: int) -> np.ndarray:
    """Rectangles and discs of many colours over one another, like a cluttered desk."""
    picture = Image.new("RGB", (width, height), tuple(int(v) for v in rng.integers(0, 256, 3)))
    pen = ImageDraw.Draw(picture)
    for _ in range(int(rng.integers(15, 40))):
        x0, y0 = rng.uniform(-0.1, 1.0) * width, rng.uniform(-0.1, 1.0) * height
        extent = rng.uniform(0.05, 0.3) * min(width, height)
        box = (x0, y0, x0 + extent * rng.uniform(0.5, 2.0), y0 + extent * rng.uniform(0.5, 2.0))
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        (pen.rectangle if rng.random() < 0.5 else pen.ellipse)(box, fill=color)
    return np.asarray(picture, dtype=np.float32) / 255.0


def _object_clip(
    rng: np.random.Generator,
    label: str,
    *,
    content: str,
    background: str,
    frames: int,
    size: int,
) -> np.ndarray:
    """Content moving over a still background, float32 `(frames, size, size, 3)` in [0, 1]."""
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
    else:
        middle = size / 2 + rng.uniform(-_ZOOM_PLACEMENT, _ZOOM_PLACEMENT, size=2) * size
        left, top = middle - extent / 2
        zoom_x, zoom_y = middle + rng.uniform(-_ZOOM_PLACEMENT, _ZOOM_PLACEMENT, 2) * extent
        factor = rng.uniform(*_ZOOM_RANGE)
        start, end = (1.0, factor) if label == "zoom_in" else (factor, 1.0)
        zoom = start * (end / start) ** (steps / (frames - 1))
        shift_x = shift_y = np.zeros(frames)

    canvas, reference = shapes._backgrounds(rng, np.array([background]), size, size)
    layer = _content_layer(rng, content, reference, size=size, box=(left, top, extent))

    # Where each frame pixel's centre comes from, in the first frame's coordinates:
    # the inverse of "scale by zoom about (zoom_x, zoom_y), then shift".
    centers = np.arange(size, dtype=np.float64) + 0.5
    shift_x, shift_y, zoom = (values[:, None, None] for values in (shift_x, shift_y, zoom))
    xs = zoom_x + (centers[None, None, :] - shift_x - zoom_x) / zoom
    ys = zoom_y + (centers[None, :, None] - shift_y - zoom_y) / zoom
    xs, ys = np.broadcast_arrays(xs, ys)
    foreground = _bilinear(layer, xs - 0.5, ys - 0.5, mode="constant")
    alpha = foreground[..., 3:]
    clip = canvas[0] * (1.0 - alpha) + foreground[..., :3]
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
