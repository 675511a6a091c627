"""Video clips from what a person has: decoding uploads into sampled frames, and encoding
generated frames into a clip a browser plays. (About 570 lines: one decoder bounded in
time, frames and pixels, and a message for each way a file can fail.)

`decode_video` reads any file FFmpeg (inside PyAV's wheel) reads: MP4, MOV, WebM, MKV,
AVI, GIF, ... It is bounded in the three ways a video can be too big: in time (only the
first `max_seconds` are analysed, with a note), in frames (at most `MAX_FRAMES` are kept,
evenly spaced) and in pixels (each kept frame is scaled to fit `max_side`, and a header
that claims more than `MAX_SOURCE_PIXELS` is refused before anything is decoded). Every
frame up to the last kept one must still be decoded, since compressed frames depend on
earlier ones, but only the kept frames are converted to RGB, already scaled down by
FFmpeg's scaler: that conversion, not the decoding, is what costs the most per frame.

A file that is not a video gets a `VideoDecodeError` whose message says what the file is
(empty, text, a still image, only sound, damaged) and what to do.

Example:

>>> clip = encode_video(np.zeros((16, 48, 64, 3), np.uint8), fps=8)
>>> video = decode_video(clip, n_frames=4)
>>> video.frames.shape, video.times.tolist(), video.duration
((4, 48, 64, 3), [0.0, 0.625, 1.25, 1.875], 2.0)
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np
from numpy.typing import ArrayLike

from dlcore.media.signatures import image_format, looks_like_text, video_container

VIDEO_EXTENSIONS = ("mp4", "webm", "mov", "avi", "gif", "mkv")
"""File name extensions the pages offer for upload; `decode_video` reads more."""

MAX_FRAMES = 200
"""The most frames `decode_video` keeps: 200 frames of 320x240 RGB are 46 MB."""

DEFAULT_FRAME_RATE = 8.0
"""Frames kept per second of video when `n_frames` is None (fewer if the video has fewer)."""

MIN_DEFAULT_FRAMES = 16
"""Frames kept of a short video when `n_frames` is None, if it has that many."""

MAX_SOURCE_PIXELS = 36_000_000
"""A video whose frames claim more pixels is refused: 8K UHD (7680x4320) is 33 million."""

MAX_SOURCE_SIDE = 32_768
"""A video whose frames claim a longer side is refused."""

MAX_SIDE_RANGE = (8, 4096)
"""The smallest and largest `max_side` accepted, in pixels."""

MAX_SECONDS_LIMIT = 600.0
"""The largest `max_seconds` accepted: ten minutes."""

# FFmpeg's demuxers for single still images: a PNG or JPEG opens as a one-frame "video".
_IMAGE_DEMUXERS = ("image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "tiff_pipe")
# Packets are read this far past the time limit: with B-frames, packets come in decode
# order, so a frame shown before the limit can be stored a little after one shown later.
_REORDER_MARGIN_SECONDS = 1.0
# on_progress is called about this many times while decoding.
_N_PROGRESS_CALLS = 50
_READ_ONLY_HINT = "Choose a video file: MP4 (H.264), WebM, MOV, AVI, MKV or an animated GIF."


class VideoDecodeError(ValueError):
    """A file that `decode_video` cannot turn into frames; the message is for a person."""


@dataclasses.dataclass(frozen=True, eq=False)
class DecodedVideo:
    """Frames sampled from a video, with when they were shown and what the source was.

    Attributes:
        frames: uint8, shape `(n, height, width, 3)` (RGB) with `1 <= n <= MAX_FRAMES`,
            in the order shown, upright (a phone's rotation tag is applied), scaled to fit
            `max_side` (never up).
        times: float64, shape `(n,)`, seconds from the first frame of the source at which
            each kept frame is shown; increasing, `times[0]` is 0.
        fps: the source's average frame rate in frames per second (0 when unknown).
        duration: the source's length in seconds (0 when unknown).
        n_source_frames: the frames in the whole source: from its header, or counted, or
            estimated from the duration and frame rate.
        width: the source's frame width in pixels, as shown (after rotation).
        height: the source's frame height in pixels, as shown.
        notes: what was done that a person should know, e.g. `"Only the first 20 s of
            this 95 s clip were analysed."`; empty when nothing was.
    """

    frames: np.ndarray
    times: np.ndarray
    fps: float
    duration: float
    n_source_frames: int
    width: int
    height: int
    notes: tuple[str, ...] = ()

    @property
    def n_frames(self) -> int:
        """The number of frames kept."""
        return len(self.frames)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What the first pass over the packets found, and which frames to keep.

    `keep` holds indices in presentation order of the frames inside the time limit.
    """

    frame_times: np.ndarray
    keep: np.ndarray
    is_cut: bool
    is_duration_known: bool
    is_damaged: bool
    fps: float
    duration: float
    n_source_frames: int


def decode_video(
    source: bytes | str | os.PathLike | BinaryIO,
    *,
    n_frames: int | None = None,
    max_seconds: float = 20.0,
    max_side: int = 320,
    on_progress: Callable[[float], None] | None = None,
) -> DecodedVideo:
    """Decodes a video and keeps frames sampled evenly over its first `max_seconds`.

    Two passes over the file: the first reads only the packets' timestamps (fast: no
    decoding), so that the kept frames can be spread evenly in time even when the frame
    rate varies or the header gives no length; the second decodes frames up to the last
    kept one (FFmpeg's frame and slice threads on) and converts only the kept ones to RGB
    at the scaled size. The frame nearest to each of `n` evenly spaced instants from the
    first frame to the last one inside the limit is kept, first and last included.

    Args:
        source: the encoded video: `bytes`, a path, or a binary file object such as a
            Streamlit `UploadedFile` (read from its start; its position is not kept).
        n_frames: `int` in [1, `MAX_FRAMES`], how many frames to keep, or None to keep
            `DEFAULT_FRAME_RATE` per second of the analysed part (at least
            `MIN_DEFAULT_FRAMES`, at most `MAX_FRAMES`). Fewer come back when the analysed
            part has fewer frames. Defaults to None.
        max_seconds: `float` in (0, `MAX_SECONDS_LIMIT`], the seconds from the start that
            are analysed; a longer video is cut there, with a note. Defaults to 20.
        max_side: `int` in `MAX_SIDE_RANGE`, the longest side of a kept frame in pixels;
            larger frames are scaled down, keeping their aspect ratio, with a note.
            Defaults to 320.
        on_progress: called with the fraction decoded so far, a float in [0, 1], about
            50 times while decoding and with 1.0 at the end. Defaults to None.

    Returns:
        A `DecodedVideo`.

    Raises:
        VideoDecodeError: If the source is empty, not a video (text, a still image),
            only sound, damaged, claims frames larger than `MAX_SOURCE_PIXELS` or
            `MAX_SOURCE_SIDE`, or has no frame that can be decoded.
        ValueError: If an option is out of its range.
        TypeError: If `source` is not bytes, a path or a binary file object.
    """
    _check_options(n_frames=n_frames, max_seconds=max_seconds, max_side=max_side)
    opener, size = _source_opener(source)
    if size == 0:
        raise VideoDecodeError(
            "The file is empty: it has 0 bytes, so there is no video in it. Choose the file "
            f"again, or another one. {_READ_ONLY_HINT} Received: 0 bytes."
        )
    head = _read_head(opener)
    try:
        plan = _plan_frames(opener, head, n_frames=n_frames, max_seconds=max_seconds)
        return _decode_planned(
            opener, plan, head, max_side=max_side, max_seconds=max_seconds, on_progress=on_progress
        )
    except VideoDecodeError:
        raise
    except MemoryError as error:
        raise VideoDecodeError(
            "There is not enough memory to decode this video. Use a shorter or smaller "
            "clip, or close other pages and try again."
        ) from error
    except (av.FFmpegError, OSError, ValueError, IndexError, EOFError) as error:
        raise VideoDecodeError(_unreadable_message(head, size, error)) from error


def encode_video(frames: ArrayLike, *, fps: float) -> bytes:
    """Encodes frames as an H.264 MP4 that browsers play (e.g. in Streamlit's `st.video`).

    H.264 (libx264) in the yuv420p pixel format, which every browser decodes, with the
    index at the start of the file ("faststart") so that playback starts at once. The
    yuv420p format halves the colour resolution, so it needs even sides: a frame with an
    odd side is padded by repeating its last row or column.

    Args:
        frames: shape `(n_frames, height, width, 3)` RGB with `n_frames` >= 1: uint8 in
            [0, 255], or floats in [0, 1] (as `dlcore.data.motion` makes them).
        fps: `float` > 0, frames per second.

    Returns:
        The MP4 file's bytes.

    Raises:
        ValueError: If the frames or the frame rate are not as described.

    Example:

    >>> clip = encode_video(np.zeros((8, 33, 40, 3), np.uint8), fps=16)
    >>> clip[4:8]
    b'ftyp'
    """
    pixels = np.asarray(frames)
    if pixels.ndim != 4 or pixels.shape[-1] != 3 or len(pixels) == 0 or 0 in pixels.shape:
        raise ValueError(
            "Expected RGB frames of shape (n_frames, height, width, 3), at least one. "
            f"Received: shape {pixels.shape}."
        )
    if np.issubdtype(pixels.dtype, np.floating):
        pixels = np.round(np.clip(pixels, 0.0, 1.0) * 255.0).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        raise ValueError(
            "Expected uint8 frames in [0, 255] or floats in [0, 1]. "
            f"Received: dtype {pixels.dtype}."
        )
    if not isinstance(fps, int | float) or not 0 < fps <= 1000:
        raise ValueError(f"`fps` must be a number in (0, 1000]. Received: fps={fps!r}.")
    height, width = pixels.shape[1:3]
    pixels = np.pad(pixels, ((0, 0), (0, height % 2), (0, width % 2), (0, 0)), mode="edge")

    # "faststart" rewrites the finished file to move the index to its front, which
    # FFmpeg does by reopening it by name: so the clip is written to a temporary file.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        with av.open(str(path), mode="w", options={"movflags": "+faststart"}) as container:
            # PyAV needs the rate as a Fraction; a small denominator keeps it exact.
            stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
            stream.width, stream.height = pixels.shape[2], pixels.shape[1]
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": "20", "preset": "veryfast"}
            for frame in pixels:
                container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
            container.mux(stream.encode(None))
        return path.read_bytes()


def _check_options(*, n_frames: int | None, max_seconds: float, max_side: int) -> None:
    if n_frames is not None and (
        not isinstance(n_frames, int | np.integer) or not 1 <= n_frames <= MAX_FRAMES
    ):
        raise ValueError(
            f"`n_frames` must be None or an integer from 1 to {MAX_FRAMES}. "
            f"Received: n_frames={n_frames!r}."
        )
    if not isinstance(max_seconds, int | float) or not 0 < max_seconds <= MAX_SECONDS_LIMIT:
        raise ValueError(
            f"`max_seconds` must be a number above 0 and at most {MAX_SECONDS_LIMIT:g}. "
            f"Received: max_seconds={max_seconds!r}."
        )
    low, high = MAX_SIDE_RANGE
    if not isinstance(max_side, int | np.integer) or not low <= max_side <= high:
        raise ValueError(
            f"`max_side` must be an integer from {low} to {high} pixels. "
            f"Received: max_side={max_side!r}."
        )


def _source_opener(source: object) -> tuple[Callable[[], object], int | None]:
    """A function that gives what `av.open` reads, from the start, each time it is called;
    and the source's size in bytes where it is known."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return (lambda: io.BytesIO(data)), len(data)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise VideoDecodeError(f"There is no video file at {str(path)!r}. Check the path.")
        return (lambda: str(path)), path.stat().st_size
    if hasattr(source, "read"):
        if not (hasattr(source, "seekable") and source.seekable()):
            data = source.read()
            return (lambda: io.BytesIO(data)), len(data)
        size = source.seek(0, io.SEEK_END)

        def rewound() -> object:
            source.seek(0)
            return source

        return rewound, size
    raise TypeError(
        "Expected the video as bytes, a path, or a binary file object (such as a Streamlit "
        f"upload). Received: {type(source).__name__}."
    )


def _read_head(opener: Callable[[], object]) -> bytes:
    """The first bytes of the source, to tell what kind of file it is."""
    source = opener()
    if isinstance(source, str):
        with open(source, "rb") as file:
            return file.read(64)
    head = source.read(64)
    source.seek(0)
    return bytes(head)


def _plan_frames(
    opener: Callable[[], object], head: bytes, *, n_frames: int | None, max_seconds: float
) -> _Plan:
    """First pass: every video packet's timestamp, and the frames to keep among them."""
    with av.open(opener(), mode="r") as container:
        stream = _video_stream(container, head)
        time_base = float(stream.time_base or 0)
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        stamps: list[int | None] = []
        first = None
        is_damaged = False
        try:
            for packet in container.demux(stream):
                if packet.size == 0:  # the empty packet that ends the stream
                    continue
                stamps.append(packet.pts)
                if packet.pts is None or not time_base:
                    continue
                seconds = packet.pts * time_base
                first = seconds if first is None else min(first, seconds)
                if seconds - first > max_seconds + _REORDER_MARGIN_SECONDS:
                    break
        except (av.FFmpegError, OSError) as error:
            if not stamps:
                raise VideoDecodeError(_damaged_message(head, error)) from error
            is_damaged = True
        duration = container.duration / av.time_base if container.duration else 0.0
        n_header_frames = stream.frames

    if not stamps:
        raise VideoDecodeError(
            "The video has no frames: its file holds a video track with nothing in it, or "
            "it was cut short before the first frame. Upload the whole file again, or "
            f"another one. {_READ_ONLY_HINT}"
        )
    if any(stamp is None for stamp in stamps) or not time_base:
        # No timestamps (a raw stream): frames are evenly spaced at the stated rate.
        frame_times = np.arange(len(stamps)) / (fps or 25.0)
    else:
        frame_times = np.sort(np.array(stamps, dtype=np.float64) * time_base)
        frame_times -= frame_times[0]
    inside = frame_times < max_seconds
    is_cut = not inside.all() or duration > max_seconds + 1e-6
    if not fps and inside.sum() > 1:
        fps = (inside.sum() - 1) / frame_times[inside][-1]
    if not duration:
        # No length in the header: the last frame read, plus its display time. When the
        # video was cut, that is a lower bound, and the note says "longer than".
        duration = frame_times[-1] + (1.0 / fps if fps else 0.0)
        is_duration_known = not is_cut
    else:
        is_duration_known = True
    n_source_frames = n_header_frames or max(len(stamps), round(duration * fps))
    frame_times = frame_times[inside]

    span = frame_times[-1]
    if n_frames is None:
        n_by_rate = math.floor(span * DEFAULT_FRAME_RATE) + 1
        n_frames = min(MAX_FRAMES, len(frame_times), max(MIN_DEFAULT_FRAMES, n_by_rate))
    if n_frames >= len(frame_times):
        keep = np.arange(len(frame_times))
    else:
        # With a variable frame rate two instants can share their nearest frame.
        keep = np.unique(_nearest(frame_times, np.linspace(0.0, span, n_frames)))
    return _Plan(
        frame_times=frame_times,
        keep=keep,
        is_cut=is_cut,
        is_duration_known=is_duration_known,
        is_damaged=is_damaged,
        fps=fps,
        duration=float(duration),
        n_source_frames=int(n_source_frames),
    )


def _nearest(sorted_values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The index of the value in `sorted_values` nearest to each target."""
    right = np.clip(np.searchsorted(sorted_values, targets), 1, len(sorted_values) - 1)
    left = right - 1
    if len(sorted_values) == 1:
        return np.zeros(len(targets), dtype=np.int64)
    is_left = targets - sorted_values[left] <= sorted_values[right] - targets
    return np.where(is_left, left, right).astype(np.int64)


def _decode_planned(
    opener: Callable[[], object],
    plan: _Plan,
    head: bytes,
    *,
    max_side: int,
    max_seconds: float,
    on_progress: Callable[[float], None] | None,
) -> DecodedVideo:
    """Second pass: decode up to the last kept frame, converting only the kept ones."""
    keep = set(plan.keep.tolist())
    n_to_decode = int(plan.keep[-1]) + 1
    report_every = max(1, n_to_decode // _N_PROGRESS_CALLS)
    kept_frames: list[np.ndarray] = []
    kept_times: list[float] = []
    is_damaged = plan.is_damaged
    with av.open(opener(), mode="r") as container:
        stream = _video_stream(container, head)
        stream.thread_type = "AUTO"
        # Stored size: a rotated video stores its frames on their side.
        stored_width, stored_height = stream.codec_context.width, stream.codec_context.height
        scale = min(1.0, max_side / max(stored_width, stored_height))
        scaled_width = max(1, round(stored_width * scale))
        scaled_height = max(1, round(stored_height * scale))
        rotation = 0
        index = 0
        last_frame = None

        def keep_frame(frame: av.VideoFrame, seconds: float) -> None:
            nonlocal rotation
            rotation = frame.rotation
            pixels = frame.reformat(width=scaled_width, height=scaled_height, format="rgb24")
            kept_frames.append(_upright(pixels.to_ndarray(), rotation))
            kept_times.append(seconds)

        try:
            for frame in container.decode(stream):
                if index in keep:
                    keep_frame(frame, float(plan.frame_times[index]))
                    last_frame = None
                else:
                    last_frame = frame
                index += 1
                if on_progress is not None and index % report_every == 0:
                    on_progress(min(1.0, index / n_to_decode))
                if index >= n_to_decode:
                    break
        except (av.FFmpegError, OSError) as error:
            if not kept_frames and last_frame is None:
                raise VideoDecodeError(_damaged_message(head, error)) from error
            is_damaged = True
        if index < n_to_decode:
            # The frames ran out before the last packet read: the file ends early.
            is_damaged = True
            if last_frame is not None:
                keep_frame(last_frame, float(plan.frame_times[index - 1]))
    if not kept_frames:
        raise VideoDecodeError(
            "None of the video's frames could be decoded: the file is probably damaged or "
            "cut short. Upload it again, or re-save it as MP4 (H.264) in a video editor. "
            f"{_READ_ONLY_HINT}"
        )
    if on_progress is not None:
        on_progress(1.0)

    is_sideways = abs(rotation) % 180 == 90
    width, height = (stored_height, stored_width) if is_sideways else (stored_width, stored_height)
    notes = []
    if plan.is_cut:
        length = f"{plan.duration:.0f} s" if plan.is_duration_known else "long"
        notes.append(f"Only the first {max_seconds:g} s of this {length} clip were analysed.")
    if is_damaged:
        notes.append(
            f"The file is damaged or cut short after {kept_times[-1]:.1f} s: only what could be "
            "decoded before that was analysed."
        )
    if scale < 1.0:
        shown = kept_frames[0].shape
        notes.append(f"Frames scaled down from {width}x{height} to {shown[1]}x{shown[0]} pixels.")
    if rotation:
        notes.append(f"Rotated by {rotation} degrees, as the file's rotation tag asks.")
    return DecodedVideo(
        frames=np.stack(kept_frames),
        times=np.asarray(kept_times, dtype=np.float64),
        fps=plan.fps,
        duration=plan.duration,
        n_source_frames=plan.n_source_frames,
        width=width,
        height=height,
        notes=tuple(notes),
    )


def _video_stream(container: av.container.InputContainer, head: bytes) -> av.VideoStream:
    """The first video stream, after checking that the file is a video of sane size."""
    if container.format.name in _IMAGE_DEMUXERS:
        kind = container.format.name.removesuffix("_pipe").upper()
        raise VideoDecodeError(
            f"This is a still image ({kind}), not a video. Open it in Try it → Your image, or "
            f"choose a video here. {_READ_ONLY_HINT}"
        )
    if not container.streams.video:
        if container.streams.audio:
            raise VideoDecodeError(
                "This file has only sound, no pictures: it holds an audio track but no video "
                "track. Choose a file with video in it (a screen or phone recording, say). "
                f"{_READ_ONLY_HINT}"
            )
        raise VideoDecodeError(
            f"This file has no video track, so there are no frames to show. {_READ_ONLY_HINT}"
        )
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if (
        min(width, height) < 1
        or max(width, height) > MAX_SOURCE_SIDE
        or width * height > MAX_SOURCE_PIXELS
    ):
        raise VideoDecodeError(
            f"The video's header claims frames of {width}x{height} pixels, which is either "
            f"impossible or larger than the {MAX_SOURCE_PIXELS // 1_000_000} million pixels "
            f"(and {MAX_SOURCE_SIDE} pixels a side) this page decodes. Scale the video down "
            "(to 1920x1080, say) in a video editor, or choose another file."
        )
    return stream


def _upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """Applies a display rotation, in degrees counterclockwise, as players do."""
    quarter_turns = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(pixels, quarter_turns)) if quarter_turns else pixels


def _damaged_message(head: bytes, error: Exception | None) -> str:
    kind = video_container(head) or "video"
    cause = f" FFmpeg reported: {error}." if error is not None and str(error) else ""
    return (
        f"The {kind} file is damaged or incomplete, so its frames cannot be read; it may have "
        "been cut short while copying or uploading. Upload it again, or open it in a video "
        f"player or editor and save a fresh copy as MP4 (H.264).{cause}"
    )


def _unreadable_message(head: bytes, size: int | None, error: Exception) -> str:
    """What to tell a person about a file FFmpeg could not open."""
    if video_container(head):
        return _damaged_message(head, error)
    kind = image_format(head)
    if kind == "WEBP":
        return f"This is a WebP image, not a video. {_READ_ONLY_HINT}"
    if kind is not None:
        return (
            f"This is a still image ({kind}), not a video. Open it in Try it → Your image, or "
            f"choose a video here. {_READ_ONLY_HINT}"
        )
    received = f"{size:,} bytes" if size is not None else "a file"
    if looks_like_text(head):
        return (
            "This is a text file, not a video: it holds letters, not frames. "
            f"{_READ_ONLY_HINT} Received: {received} starting with {head[:24]!r}."
        )
    return (
        "This file is not a video FFmpeg can read. If it plays elsewhere, re-save it as MP4 "
        f"(H.264) in a video editor. {_READ_ONLY_HINT} "
        f"Received: {received} starting with {head[:12]!r}."
    )
