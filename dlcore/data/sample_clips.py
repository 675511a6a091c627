"""Sample video clips for the Video try-it: generated motions and a bundled animated GIF.

Three kinds, all available offline:

- "tour": one continuous 16-second take in which a photo (a rocket lifting off, from
  scikit-image) slides right, down, left and up round the edge of a faded photo
  background (a cup of coffee), drifts diagonally to the middle (not one of the six
  motions), then zooms in and out.
  It has no cuts, so the prediction timeline shows each motion taking over from the
  last, and what a model trained on six motions makes of a seventh;
- one clip of each of the six camera motions of `dlcore.data.motion`, a hand-held camera
  panning, tilting or zooming over a photo, drawn by `make_camera_clip` as the training
  clips are, only larger: the easy case;
- "no_time_for_that": the animated GIF that ships with scikit-image (24 frames of
  14x25 pixels, real footage of a shaking head): a clip like none the model was trained on.

Generated clips play at `SAMPLE_FPS`, so a 32-frame training clip lasts about 2 s, the
window `dlcore.explain.video` gives the model.

Example:

>>> clip = load_sample_clip("left")
>>> clip.frames.shape, clip.fps, clip.file_format, clip.segments
((32, 128, 128, 3), 16.0, 'mp4', [('left', 0.0, 2.0)])
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.utils import Bunch

from dlcore.data import motion
from dlcore.data.sample_images import load_sample
from dlcore.media import images
from dlcore.media import video as media

SAMPLE_FPS = 16.0
"""Frames per second at which the generated motion clips are played as videos."""

IMAGE_SIZE = 128
"""The side of the generated clips' square frames, in pixels."""

GIF_NAME = "no_time_for_that"

_CAMERA_MOVES = {
    "left": "pans left (the scene slides right)",
    "right": "pans right (the scene slides left)",
    "up": "tilts up (the scene slides down)",
    "down": "tilts down (the scene slides up)",
    "zoom_in": "zooms in",
    "zoom_out": "zooms out",
}

SAMPLE_CLIPS = {
    "tour": "All six motions in one take: right, down, left, up, a diagonal drift (not one "
    "of the six), zoom in, zoom out. 16 s, generated.",
    **{
        label: f"A hand-held camera {_CAMERA_MOVES[label]} over a photo, drawn as the "
        "training clips are. 2 s, generated."
        for label in motion.MOTION_LABELS
    },
    GIF_NAME: "An animated GIF from scikit-image: a head shaking 'no time for that'; "
    "24 frames of 14x25 pixels, real footage.",
}
"""The sample clips by name, with a one-line description of each."""

# The tour's waypoints: (seconds to get there, what the move is called, x, y, zoom). The
# position is the content's top-left corner as a fraction of the room it has to move in
# (0: at the left or top edge, 1: at the right or bottom edge).
_TOUR = (
    (2.5, "right", 1.0, 0.0, 1.0),
    (2.5, "down", 1.0, 1.0, 1.0),
    (2.5, "left", 0.0, 1.0, 1.0),
    (2.5, "up", 0.0, 0.0, 1.0),
    (2.0, None, 0.5, 0.5, 1.0),
    (2.0, "zoom_in", 0.5, 0.5, 1.5),
    (2.0, "zoom_out", 0.5, 0.5, 1.0),
)
# The content's side as a fraction of the frame's side, at zoom 1.
_TOUR_EXTENT = 0.3
# The background keeps this share of its photo's contrast, about mid-grey, so that the
# content stands out from it as in most training clips (at full contrast the bundled
# model mistakes the whole tour for zooming).
_TOUR_BACKGROUND_CONTRAST = 0.25


def load_sample_clip(name: str, *, seed: int = 0) -> Bunch:
    """Loads one of the sample clips, as a playable file and (if generated) its frames.

    Args:
        name: one of `SAMPLE_CLIPS`: "tour", "left", "right", "up", "down", "zoom_in",
            "zoom_out" or "no_time_for_that".
        seed: `int`, seeds a generated motion clip's content and speed (the tour and the
            GIF do not change). Defaults to `0`.

    Returns:
        A `Bunch` with
        `file`: bytes, the clip as a file: an H.264 MP4 (`dlcore.media.video.encode_video`) for a
        generated clip, the GIF itself for the GIF;
        `file_format`: `"mp4"` or `"gif"`;
        `frames`: uint8, shape `(n_frames, 128, 128, 3)`, the generated frames, or None
        for the GIF;
        `fps`: frames per second;
        `segments`: list of `(label, start, end)`: which motion is shown from `start` to
        `end` seconds (label None where it is none of the six); empty for the GIF;
        `DESCR`: str.

    Raises:
        ValueError: If `name` is not a sample clip.
    """
    if name not in SAMPLE_CLIPS:
        raise ValueError(
            f"`name` must be one of the sample clips: {', '.join(SAMPLE_CLIPS)}. "
            f"Received: name={name!r}."
        )
    if name == GIF_NAME:
        return Bunch(
            file=gif_path().read_bytes(),
            file_format="gif",
            frames=None,
            fps=float(1000 / 70),
            segments=[],
            DESCR=SAMPLE_CLIPS[name],
        )
    if name == "tour":
        frames, segments = _render_tour(IMAGE_SIZE)
    else:
        frames = _motion_clip(name, seed)
        segments = [(name, 0.0, len(frames) / SAMPLE_FPS)]
    return Bunch(
        file=media.encode_video(frames, fps=SAMPLE_FPS),
        file_format="mp4",
        frames=frames,
        fps=SAMPLE_FPS,
        segments=segments,
        DESCR=SAMPLE_CLIPS[name],
    )


def gif_path() -> Path:
    """Where scikit-image's animated GIF lies in its installed package."""
    import skimage.data

    return Path(skimage.data.__file__).with_name("no_time_for_that_tiny.gif")


def _motion_clip(label: str, seed: int) -> np.ndarray:
    """A training-like camera clip of `label`, uint8 `(32, IMAGE_SIZE, IMAGE_SIZE, 3)`."""
    clip = motion.make_camera_clip(label, frames=32, image_size=IMAGE_SIZE, seed=seed)
    return np.round(clip * 255).astype(np.uint8)


def _render_tour(size: int) -> tuple[np.ndarray, list[tuple[str | None, float, float]]]:
    """The tour's frames, uint8 `(n_frames, size, size, 3)`, and its segments."""
    photo = _square(_photo("coffee"), size).astype(np.float32)
    faded = 128 + (photo - photo.mean()) * _TOUR_BACKGROUND_CONTRAST
    background = np.round(faded).astype(np.uint8)
    content = _photo("rocket")
    extent = _TOUR_EXTENT * size
    room = size - extent
    # Keyframes at the waypoints, starting at the top-left corner.
    key_times, key_x, key_y, key_zoom = [0.0], [0.0], [0.0], [1.0]
    segments = []
    for seconds, label, x, y, zoom in _TOUR:
        segments.append((label, key_times[-1], key_times[-1] + seconds))
        key_times.append(key_times[-1] + seconds)
        key_x.append(x)
        key_y.append(y)
        key_zoom.append(zoom)
    times = np.arange(round(key_times[-1] * SAMPLE_FPS)) / SAMPLE_FPS
    frames = np.empty((len(times), size, size, 3), dtype=np.uint8)
    for index, seconds in enumerate(times):
        zoom = np.interp(seconds, key_times, key_zoom)
        side = round(extent * zoom)
        # The content zooms about its middle, which moves with the top-left corner.
        middle_x = np.interp(seconds, key_times, key_x) * room + extent / 2
        middle_y = np.interp(seconds, key_times, key_y) * room + extent / 2
        frame = Image.fromarray(background)
        frame.paste(
            Image.fromarray(content).resize((side, side), Image.Resampling.BILINEAR),
            (round(middle_x - side / 2), round(middle_y - side / 2)),
        )
        frames[index] = np.asarray(frame)
    return frames, segments


@functools.cache
def _photo(name: str) -> np.ndarray:
    """The middle square of a bundled photo, uint8 (side, side, 3), read-only."""
    pixels = load_sample(name)
    square = images.center_crop(pixels, size=min(pixels.shape[:2]))
    square.setflags(write=False)
    return square


def _square(pixels: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(pixels).resize((size, size), Image.Resampling.BOX))
