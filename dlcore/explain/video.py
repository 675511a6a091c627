"""What a video model makes of a whole clip: a prediction timeline, motion energy and Grad-CAM.

A motion model takes a short clip: `preprocessing["n_frames"]` frames (8 for the bundled
"motion" model) spread over what its training clips showed. A person's clip is longer,
so `analyse_clip` slides a window of that length over it and asks the model about every
window at once, in one batched call:

- decode: `dlcore.media.video.decode_video` keeps up to 8 frames per second of the first
  `max_seconds` (each scaled to fit 320 pixels);
- windows: each window lasts `WINDOW_SECONDS`, the length of a training clip as the
  sample clips play it (32 frames at `SAMPLE_FPS`), and gives the model `n_frames`
  evenly spaced frames of it; the windows' starts are evenly spaced so that the timeline
  has at most `MAX_WINDOWS` points, and at most one per kept frame;
- timeline: each window's class probabilities, placed at the window's middle;
- the whole clip: the mean of the windows' probabilities, so that every part of the clip
  counts the same (a clip no longer than one window is a single window);
- motion energy: how much the picture changes between consecutive kept frames, the mean
  absolute difference of their pixel values, in [0, 1] (0: identical frames, 1: black to
  white everywhere). It is the model-free baseline: high where anything moves, whatever
  the direction.

`frame_grad_cam` explains one kept frame: Grad-CAM (`dlcore.explain.gradcam.grad_cam`) on a
window centred on that frame, read off at that frame.

Example:

>>> predictor = dlcore.load_pretrained("motion")                      # doctest: +SKIP
>>> analysis = analyse_clip(predictor, open("clip.mp4", "rb").read())  # doctest: +SKIP
>>> analysis.label, analysis.window_probabilities.shape               # doctest: +SKIP
('left', (33, 6))
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from dlcore.explain import gradcam as explain
from dlcore.media import video as media
from dlcore.media.images import center_crop
from dlcore.preprocess import prepare_clip

WINDOW_SECONDS = 31 / 16
"""The length of a window, in seconds: from the first to the last frame of a 32-frame
training clip played at `SAMPLE_FPS`. A predictor whose preprocessing has
`"clip_seconds"` uses that instead."""


MAX_WINDOWS = 40
"""The most windows (timeline points) per clip."""

MAX_SECONDS = 20.0
"""The seconds of a clip that `analyse_clip` analyses by default; the rest is cut, with a note."""

DECODING_SHARE = 0.9
"""The part of `on_progress`'s range that decoding takes; the model's call takes the rest."""


@dataclasses.dataclass(frozen=True, eq=False)
class ClipAnalysis:
    """What a video model made of one clip, window by window.

    Attributes:
        video: the decoded clip: its kept frames (uint8 `(n_frames, height, width, 3)`),
            their times in seconds, the source's size, rate and length, and notes.
        labels: the class names, in the order of the model's outputs.
        probabilities: float32, shape `(n_classes,)`, the whole clip's prediction: the
            mean of `window_probabilities` over the windows; sums to 1.
        window_starts: float64, shape `(n_windows,)`, seconds at which each window starts.
        window_ends: float64, shape `(n_windows,)`, seconds at which each window ends.
        window_frames: int64, shape `(n_windows, model_frames)`, indices into
            `video.frames` of the frames each window gave the model.
        window_probabilities: float32, shape `(n_windows, n_classes)`, each window's
            prediction; rows sum to 1.
        motion_energy: float32, shape `(n_frames - 1,)`, values in [0, 1]: the mean
            absolute difference between kept frames i and i + 1 (pixel values / 255).
        motion_times: float64, shape `(n_frames - 1,)`, the middle of each such pair.
        notes: what a person should know: the decoder's notes (a long clip cut, frames
            scaled) and the analysis's own (a clip of one frame, shorter than a window).
        window_in_domain: bool, shape `(n_windows,)`: whether each window looks like the
            model's kind of clip (`dlcore.pretrained.Predictor.in_domain`); None for a
            model without a domain check.
    """

    video: media.DecodedVideo
    labels: tuple[str, ...]
    probabilities: np.ndarray
    window_starts: np.ndarray
    window_ends: np.ndarray
    window_frames: np.ndarray
    window_probabilities: np.ndarray
    motion_energy: np.ndarray
    motion_times: np.ndarray
    notes: tuple[str, ...] = ()
    window_in_domain: np.ndarray | None = None

    @property
    def window_times(self) -> np.ndarray:
        """float64, shape `(n_windows,)`: the middle of each window, in seconds."""
        return (self.window_starts + self.window_ends) / 2

    @property
    def label(self) -> str:
        """The whole clip's most likely class."""
        return self.labels[int(np.argmax(self.probabilities))]

    @property
    def n_windows(self) -> int:
        return len(self.window_starts)

    @property
    def in_domain(self) -> bool | None:
        """Whether most windows look like the model's kind of clip; None if unknown."""
        if self.window_in_domain is None:
            return None
        return bool(self.window_in_domain.mean() >= 0.5)


@dataclasses.dataclass(frozen=True, eq=False)
class FrameGradCam:
    """Grad-CAM on one kept frame of a clip.

    Attributes:
        frame_index: the kept frame explained, an index into `ClipAnalysis.video.frames`.
        crop: uint8, shape `(side, side, 3)`: the square in the middle of the frame, the
            part the model sees (at the frame's resolution, not the model's).
        heatmap: float32, shape `(height, width)` of the model's input frame, in [0, 1]:
            where the model's last conv layer saw the class in `crop`; lay it over `crop`
            with `dlcore.explain.gradcam.overlay`.
        class_index: the class explained.
        label: its name.
        window_frames: int64, shape `(model_frames,)`, the kept frames of the window
            centred on this frame that the model was given.
        window_probabilities: float32, shape `(n_classes,)`, the model's prediction on
            that window.
    """

    frame_index: int
    crop: np.ndarray
    heatmap: np.ndarray
    class_index: int
    label: str
    window_frames: np.ndarray
    window_probabilities: np.ndarray


def analyse_clip(
    predictor: Any,
    source: bytes | str | os.PathLike | BinaryIO,
    *,
    max_seconds: float = MAX_SECONDS,
    on_progress: Callable[[float], None] | None = None,
) -> ClipAnalysis:
    """Decodes a clip and runs a video model over it, window by window.

    See the module's docstring for the windows, the whole-clip prediction and motion
    energy.

    Args:
        predictor: a `dlcore.pretrained.Predictor` of task "video" (what
            `dlcore.load_pretrained("motion")` or `predictor_from_trained` returns); only
            its `model`, `labels` and `preprocessing` (`"n_frames"`, `"image_size"`, and
            `"clip_seconds"` if there, else `WINDOW_SECONDS`) are used.
        source: the encoded clip, as `dlcore.media.video.decode_video` takes it: bytes, a path
            or a binary file object (a Streamlit upload).
        max_seconds: `float` > 0, the seconds from the start that are analysed. Defaults
            to `MAX_SECONDS` (20).
        on_progress: called with the fraction done, a float in [0, 1]: decoding, then
            the model's call. Defaults to None.

    Returns:
        A `ClipAnalysis`.

    Raises:
        dlcore.media.video.VideoDecodeError: If the source cannot be decoded; the message says
            why and what to do.
        ValueError: If the predictor does not take clips.
    """
    _model_frames(predictor)  # a model that takes no clips is refused before the decoding
    decoding_progress = None
    if on_progress is not None:

        def decoding_progress(fraction: float) -> None:
            on_progress(DECODING_SHARE * fraction)

    video = media.decode_video(source, max_seconds=max_seconds, on_progress=decoding_progress)
    window_seconds = _window_seconds(predictor)
    starts, ends, window_frames, inputs = window_inputs(predictor, video.frames, video.times)
    window_probabilities = _predict(predictor.model, inputs)
    in_domain = None
    if getattr(predictor, "domain", None) is not None:
        in_domain = predictor.inputs_in_domain(inputs)
    energy = motion_energy(video.frames)
    notes = list(video.notes)
    if video.n_frames == 1:
        notes.append(
            "The clip has a single frame: nothing moves in it, so the model's answer is "
            "a guess. Choose a clip with motion in it."
        )
    elif video.times[-1] < window_seconds:
        notes.append(
            f"The clip is shorter than one window ({window_seconds:.1f} s): the model sees "
            "all of it at once, so there is one point on the timeline."
        )
    if on_progress is not None:
        on_progress(1.0)
    return ClipAnalysis(
        video=video,
        labels=tuple(str(label) for label in predictor.labels),
        probabilities=window_probabilities.mean(axis=0).astype(np.float32),
        window_starts=starts,
        window_ends=ends,
        window_frames=window_frames,
        window_probabilities=window_probabilities,
        motion_energy=energy,
        motion_times=(video.times[1:] + video.times[:-1]) / 2,
        notes=tuple(notes),
        window_in_domain=in_domain,
    )


def window_inputs(
    predictor: Any, frames: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The windows `analyse_clip` gives a video model, from decoded frames.

    Args:
        predictor: a `dlcore.pretrained.Predictor` of task "video".
        frames: uint8, shape `(n_frames, height, width, 3)` (RGB), as a decoder gives them.
        times: float, shape `(n_frames,)`, increasing seconds of the frames, from 0.

    Returns:
        `(starts, ends, window_frames, inputs)`: `sliding_windows`' three arrays and the
        model's input, float32 `(n_windows, model_frames, height, width, 3)`.

    Raises:
        ValueError: If the predictor does not take clips.
    """
    starts, ends, window_frames = sliding_windows(
        times, n_model_frames=_model_frames(predictor), window_seconds=_window_seconds(predictor)
    )
    # Every frame is cropped and resized once; the windows then pick their frames.
    every_frame = {**predictor.preprocessing, "n_frames": len(frames)}
    prepared = prepare_clip(frames, every_frame)
    return starts, ends, window_frames, prepared[window_frames]


def clip_probabilities(predictor: Any, frames: np.ndarray, times: np.ndarray) -> np.ndarray:
    """What a video model makes of a whole decoded clip: its windows' mean probabilities.

    `analyse_clip` without the decoding, the timeline and the notes: for clips made in
    memory, such as `dlcore.data.motion.make_camera_robustness_clips`.

    Args:
        predictor: a `dlcore.pretrained.Predictor` of task "video".
        frames: uint8, shape `(n_frames, height, width, 3)` (RGB).
        times: float, shape `(n_frames,)`, increasing seconds of the frames, from 0.

    Returns:
        float32, shape `(n_classes,)`, sums to 1.
    """
    inputs = window_inputs(predictor, frames, times)[3]
    return _predict(predictor.model, inputs).mean(axis=0).astype(np.float32)


def sliding_windows(
    times: np.ndarray,
    *,
    n_model_frames: int,
    window_seconds: float = WINDOW_SECONDS,
    max_windows: int = MAX_WINDOWS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows of `window_seconds` over a clip's kept frames, and the frames each takes.

    The windows' starts are evenly spaced from 0 to `times[-1] - window_seconds`, at
    most `max_windows` of them and no closer together than the kept frames (their median
    spacing). A clip no longer than one window gets one window over all of it. Each
    window takes the kept frames nearest to `n_model_frames` evenly spaced instants from
    its start to its end, both included: the way the model's training clips were sampled.

    Args:
        times: float, shape `(n_frames,)`, increasing seconds of the kept frames, from 0.
        n_model_frames: `int` >= 1, the frames the model takes.
        window_seconds: `float` > 0, a window's length.
        max_windows: `int` >= 1.

    Returns:
        `(starts, ends, frames)`: float64 `(n_windows,)` twice, and int64
        `(n_windows, n_model_frames)` indices into `times`.

    Example:

    >>> times = np.arange(25) / 8  # 3 s at 8 frames per second
    >>> starts, ends, frames = sliding_windows(times, n_model_frames=4, window_seconds=2.0)
    >>> starts.tolist(), frames[0].tolist()
    ([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0], [0, 5, 11, 16])
    """
    times = np.asarray(times, dtype=np.float64)
    span = float(times[-1])
    if span <= window_seconds:
        starts = np.zeros(1)
        ends = np.full(1, span)
    else:
        spacing = float(np.median(np.diff(times)))
        room = span - window_seconds
        n_windows = min(max_windows, int(np.floor(room / spacing + 1e-9)) + 1)
        starts = np.linspace(0.0, room, n_windows) if n_windows > 1 else np.zeros(1)
        ends = starts + window_seconds
    instants = np.linspace(starts, ends, n_model_frames, axis=1)
    frames = np.stack([media._nearest(times, row) for row in instants])
    return starts, ends, frames


def motion_energy(frames: np.ndarray) -> np.ndarray:
    """How much the picture changes from each frame to the next.

    Args:
        frames: uint8, shape `(n_frames, height, width, 3)`.

    Returns:
        float32, shape `(n_frames - 1,)`, values in [0, 1]: the mean over pixels and
        channels of |frame[i + 1] - frame[i]| / 255.

    Example:

    >>> frames = np.zeros((3, 2, 2, 3), np.uint8)
    >>> frames[2] = 255
    >>> motion_energy(frames).tolist()
    [0.0, 1.0]
    """
    pixels = np.asarray(frames)
    if len(pixels) < 2:
        return np.zeros(0, dtype=np.float32)
    # One pair at a time in int16: the whole difference at once would double the memory.
    return np.array(
        [
            np.abs(later.astype(np.int16) - earlier.astype(np.int16)).mean() / 255.0
            for earlier, later in itertools.pairwise(pixels)
        ],
        dtype=np.float32,
    )


def frame_grad_cam(
    predictor: Any,
    analysis: ClipAnalysis,
    frame_index: int,
    *,
    class_index: int | None = None,
) -> FrameGradCam:
    """Grad-CAM on one kept frame: where the model saw the class in it.

    The model is given a window of the clip centred on the frame (moved to fit inside
    the clip), in which the frame itself takes the place of the nearest model frame;
    `dlcore.explain.gradcam.grad_cam` gives one map per model frame, and the frame's own is
    returned.

    Args:
        predictor: the predictor that made `analysis`.
        analysis: from `analyse_clip`.
        frame_index: `int` in [0, `analysis.video.n_frames`), the kept frame to explain.
        class_index: `int`, the class to explain. Defaults to None: the whole clip's most
            likely class.

    Returns:
        A `FrameGradCam`.

    Raises:
        ValueError: If `frame_index` or `class_index` is out of range.
    """
    video = analysis.video
    if not isinstance(frame_index, int | np.integer) or not 0 <= frame_index < video.n_frames:
        raise ValueError(
            f"`frame_index` must be an integer from 0 to {video.n_frames - 1}, one of the "
            f"clip's kept frames. Received: frame_index={frame_index!r}."
        )
    if class_index is None:
        class_index = int(np.argmax(analysis.probabilities))
    if not isinstance(class_index, int | np.integer) or not 0 <= class_index < len(analysis.labels):
        raise ValueError(
            f"`class_index` must be an integer from 0 to {len(analysis.labels) - 1}. "
            f"Received: class_index={class_index!r}."
        )
    n_model_frames = _model_frames(predictor)
    window_seconds = float(analysis.window_ends[0] - analysis.window_starts[0])
    span = float(video.times[-1])
    start = min(max(0.0, video.times[frame_index] - window_seconds / 2), span - window_seconds)
    start = max(0.0, start)
    instants = np.linspace(start, start + window_seconds, n_model_frames)
    window = media._nearest(video.times, instants)
    position = int(np.argmin(np.abs(video.times[window] - video.times[frame_index])))
    window[position] = frame_index
    # Still in order but for ties; sorting keeps the frame where its map is read.
    window = np.sort(window)
    position = int(np.searchsorted(window, frame_index))

    clip = prepare_clip(video.frames[window], {**predictor.preprocessing, "n_frames": len(window)})
    probabilities = _predict(predictor.model, clip[np.newaxis])[0]
    maps = explain.grad_cam(predictor.model, clip, class_index=int(class_index))
    frame = video.frames[frame_index]
    return FrameGradCam(
        frame_index=int(frame_index),
        crop=center_crop(frame, size=min(frame.shape[:2])),
        heatmap=maps[position].astype(np.float32),
        class_index=int(class_index),
        label=analysis.labels[int(class_index)],
        window_frames=window,
        window_probabilities=probabilities,
    )


def _window_seconds(predictor: Any) -> float:
    return float(predictor.preprocessing.get("clip_seconds", WINDOW_SECONDS))


def _model_frames(predictor: Any) -> int:
    """The frames per clip the predictor's model takes, after checking it takes clips."""
    task = getattr(predictor, "task", "video")
    n_frames = predictor.preprocessing.get("n_frames")
    if task != "video" or not n_frames:
        raise ValueError(
            "This model does not take video clips: choose a motion model (the bundled "
            f"'motion', or one trained on the Video model page). Received: a {task!r} model."
        )
    return int(n_frames)


def _predict(model: Any, clips: np.ndarray) -> np.ndarray:
    """The model's probabilities for a batch of prepared clips, in one direct call.

    A direct call, not `model.predict`: for one small batch it skips building a
    prediction loop, which costs more than the model itself here.
    """
    return np.asarray(model(clips, training=False), dtype=np.float32)
