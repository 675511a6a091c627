"""Video analysis: seconds from a clip's file bytes to the Video try-it's whole analysis.

What the Video page does when a person uploads a clip: `dlcore.explain.video.analyse_clip`
with the bundled "motion" model on the bytes of a 10 s, 30 fps, 640x480 H.264 MP4 (a photo
that the camera pans across, with a second photo sliding over it, made here with PyAV):
decoding the 300 frames and keeping 80 of them at 320x240, cropping and shrinking them,
the model's call on all 40 windows at once, and motion energy. Timed warm (the model
loaded, one analysis done first), the median of `ROUNDS`, against the target of
`TARGET_SECONDS`.

A second figure times the decoding alone, against the plain way to read a clip with
PyAV as a baseline: every frame converted to a full-size RGB array (`to_ndarray`) with
FFmpeg's default threading, then every fourth kept and shrunk.
"""

import io
import statistics
import time

import av
import numpy as np
from PIL import Image

from bench.report import Figure
from dlcore.data import sample_images
from dlcore.explain.video import analyse_clip
from dlcore.media import video as media
from dlcore.pretrained import load_pretrained

ROUNDS = 5
TARGET_SECONDS = 5.0
WIDTH, HEIGHT = 640, 480
FPS = 30
SECONDS = 10


def clip_bytes() -> bytes:
    """10 s of 640x480 at 30 fps, H.264 in MP4: a pan across a photo, a photo sliding over."""
    background = Image.fromarray(sample_images.load_sample("coffee")).resize(
        (2 * WIDTH, HEIGHT), Image.Resampling.BILINEAR
    )
    wide = np.asarray(background)
    sprite = np.asarray(
        Image.fromarray(sample_images.load_sample("rocket")).resize(
            (160, 120), Image.Resampling.BOX
        )
    )
    n_frames = FPS * SECONDS
    frames = np.empty((n_frames, HEIGHT, WIDTH, 3), np.uint8)
    for index in range(n_frames):
        pan = round(index * WIDTH / n_frames)
        frames[index] = wide[:, pan : pan + WIDTH]
        left = round(index * (WIDTH - 160) / n_frames)
        frames[index, 180:300, left : left + 160] = sprite
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def plain_decode(data: bytes) -> np.ndarray:
    """The baseline: every frame to full-size RGB, every fourth kept and shrunk."""
    kept = []
    with av.open(io.BytesIO(data)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            pixels = frame.to_ndarray(format="rgb24")
            if index % 4 == 0:
                kept.append(np.asarray(Image.fromarray(pixels).resize((320, 240))))
    return np.stack(kept)


def _median_seconds(call) -> float:
    call()  # warm: the model traced, FFmpeg's codecs loaded
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> list[Figure]:
    data = clip_bytes()
    predictor = load_pretrained("motion")
    analysis = analyse_clip(predictor, data)
    print(
        f"  {len(data) / 1e6:.1f} MB clip: {analysis.video.n_frames} frames kept of "
        f"{analysis.video.n_source_frames}, {analysis.n_windows} windows"
    )
    analysis_seconds = _median_seconds(lambda: analyse_clip(predictor, data))
    decode_seconds = _median_seconds(lambda: media.decode_video(data))
    plain_seconds = _median_seconds(lambda: plain_decode(data))
    print(
        f"  analysis {analysis_seconds:.2f} s; decoding {decode_seconds:.2f} s "
        f"(plain PyAV loop: {plain_seconds:.2f} s)"
    )
    return [
        Figure(
            f"video: 10 s 30 fps 640x480 H.264 clip's bytes analysed (frames, "
            f"{analysis.n_windows} windows, motion energy), warm (median of {ROUNDS})",
            analysis_seconds,
            "s",
            target=TARGET_SECONDS,
        ),
        Figure(
            f"video: decoding that clip to {analysis.video.n_frames} frames of 320x240 "
            f"(median of {ROUNDS}) vs converting every frame",
            decode_seconds,
            "s",
            baseline=plain_seconds,
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
