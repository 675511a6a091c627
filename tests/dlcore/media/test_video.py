"""Tests of dlcore.media.video: decoding video files of every kind into sampled frames, and
refusing what is not a video with a message that says so. Every clip is made here with
PyAV (or Pillow, for GIFs)."""

import io

import av
import numpy as np
import pytest
from helpers import audio_only_mp4
from PIL import Image

from dlcore.media import video as media
from dlcore.media.video import VideoDecodeError, decode_video, encode_video


def moving_bar(n_frames: int, *, width: int = 64, height: int = 48) -> np.ndarray:
    """uint8 frames (n_frames, height, width, 3): black with a white bar 8 pixels wide that
    moves 2 pixels right per frame (wrapping round), so a frame's bar tells its index."""
    frames = np.zeros((n_frames, height, width, 3), np.uint8)
    for index in range(n_frames):
        left = (2 * index) % (width - 8)
        frames[index, :, left : left + 8] = 255
    return frames


def bar_position(frame: np.ndarray) -> float:
    """The left edge of the bright bar in a decoded frame, in that frame's pixels."""
    columns = frame.mean(axis=(0, 2))
    return float(np.flatnonzero(columns > 128)[0])


def encode(
    frames: np.ndarray,
    *,
    codec: str = "libx264",
    container_format: str = "mp4",
    fps: int = 30,
    rotation: float | None = None,
) -> bytes:
    """Encodes frames with PyAV, as a camera or an editor would write them."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def gif(durations_ms: list[int]) -> bytes:
    """An animated GIF whose frames get brighter, each shown for its duration."""
    frames = [
        Image.fromarray(np.full((20, 30, 3), 40 * index, np.uint8))
        for index in range(len(durations_ms))
    ]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations_ms
    )
    return buffer.getvalue()


@pytest.fixture(scope="module")
def h264_clip() -> bytes:
    """2 s of a moving bar, 64x48 at 30 fps, H.264 in MP4."""
    return encode(moving_bar(60))


@pytest.mark.parametrize(
    ("codec", "container_format"), [("libx264", "mp4"), ("libvpx-vp9", "webm")]
)
def test_decode_video_samples_evenly_over_the_clip(codec, container_format):
    clip = encode(moving_bar(60), codec=codec, container_format=container_format)

    video = decode_video(clip, n_frames=4)

    assert video.frames.shape == (4, 48, 64, 3), "frames shape mismatch"
    assert video.frames.dtype == np.uint8
    # The frames nearest to 4 instants evenly spaced from the first frame (0 s) to the
    # last (59 / 30 s): 0, 19.7, 39.3 and 59 frames in.
    # (WebM stores times in milliseconds.)
    np.testing.assert_allclose(video.times, np.array([0, 20, 39, 59]) / 30, atol=1e-3)
    assert (video.fps, video.n_source_frames) == (30.0, 60)
    assert video.duration == pytest.approx(2.0, abs=0.02)
    assert (video.width, video.height) == (64, 48)
    assert video.notes == ()
    # The bar in each kept frame is where the source frame at that time drew it.
    expected = [(2 * round(time * 30)) % 56 for time in video.times]
    positions = [bar_position(frame) for frame in video.frames]
    np.testing.assert_allclose(positions, expected, atol=1.5)


def test_decode_video_keeps_8_frames_per_second_by_default(h264_clip):
    video = decode_video(h264_clip)

    # 59/30 s at 8 per second: floor(1.97 * 8) + 1 = 16 frames, at least MIN_DEFAULT_FRAMES.
    assert video.n_frames == 16
    assert np.all(np.diff(video.times) > 0)
    assert video.times[0] == 0.0
    assert video.times[-1] == pytest.approx(59 / 30)


def test_decode_video_keeps_every_frame_of_a_short_clip():
    video = decode_video(encode(moving_bar(6)))

    assert video.n_frames == 6
    np.testing.assert_allclose(video.times, np.arange(6) / 30)


def test_decode_video_reads_a_gif_with_its_own_frame_times():
    video = decode_video(gif([100, 200, 100, 300, 100]))

    assert video.frames.shape == (5, 20, 30, 3)
    np.testing.assert_allclose(video.times, [0.0, 0.1, 0.3, 0.4, 0.7])
    assert video.duration == pytest.approx(0.8)
    # Frame i is grey 40 * i: the order is kept.
    np.testing.assert_allclose(video.frames.mean(axis=(1, 2, 3)), [0, 40, 80, 120, 160], atol=3)


def test_decode_video_reads_paths_and_file_objects(h264_clip, tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(h264_clip)
    upload = io.BytesIO(h264_clip)
    upload.seek(100)  # a file already read from, as a Streamlit upload may be

    from_bytes = decode_video(h264_clip, n_frames=4)
    for source in (path, str(path), upload):
        np.testing.assert_array_equal(decode_video(source, n_frames=4).frames, from_bytes.frames)


def test_decode_video_reads_a_one_frame_video():
    video = decode_video(encode(moving_bar(1)))

    assert video.frames.shape == (1, 48, 64, 3)
    assert video.times.tolist() == [0.0]


def test_decode_video_cuts_a_long_clip_with_a_note():
    clip = encode(moving_bar(150, width=32, height=32), fps=10)  # 15 s

    video = decode_video(clip, max_seconds=4)

    assert video.times[-1] < 4
    assert video.times[-1] == pytest.approx(3.9)
    assert video.duration == pytest.approx(15.0, abs=0.1)
    assert video.n_source_frames == 150
    assert video.notes == ("Only the first 4 s of this 15 s clip were analysed.",)


@pytest.mark.parametrize(
    ("width", "height", "scaled"),
    [(3840, 2160, (320, 180)), (16384, 16, (320, 1))],
)
def test_decode_video_scales_large_frames_down_with_a_note(width, height, scaled):
    frames = np.zeros((2, height, width, 3), np.uint8)
    frames[:, : height // 2] = 255  # white top half
    video = decode_video(encode(frames))

    assert video.frames.shape == (2, scaled[1], scaled[0], 3)
    assert (video.width, video.height) == (width, height)
    assert f"Frames scaled down from {width}x{height} to {scaled[0]}x{scaled[1]}" in video.notes[0]


def test_decode_video_honours_max_side(h264_clip):
    assert decode_video(h264_clip, n_frames=2, max_side=32).frames.shape == (2, 24, 32, 3)


def test_decode_video_turns_a_rotated_video_upright():
    frames = np.zeros((3, 48, 64, 3), np.uint8)
    frames[:, :24, :16] = 255  # white in the stored frame's top-left corner
    video = decode_video(encode(frames, rotation=90))

    # Shown turned 90 degrees counterclockwise: 64 high, 48 wide, white at bottom-left.
    assert video.frames.shape == (3, 64, 48, 3)
    assert (video.width, video.height) == (48, 64)
    assert video.frames[0, -16:, :24].mean() > 200
    assert video.frames[0, :16, :24].mean() < 50
    assert any("Rotated by 90 degrees" in note for note in video.notes)


def test_decode_video_reports_progress(h264_clip):
    fractions = []

    decode_video(h264_clip, n_frames=6, on_progress=fractions.append)

    assert len(fractions) >= 10
    assert fractions == sorted(fractions)
    assert 0 < fractions[0] < 0.2
    assert fractions[-1] == 1.0


def y4m_header(width: int, height: int) -> bytes:
    """A raw YUV4MPEG2 video whose header claims width x height, with 100 bytes of data."""
    return f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\nFRAME\n".encode() + bytes(100)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def moov_first(frames: np.ndarray) -> bytes:
    return encode_video(frames, fps=30)


BAD_FILES = [
    ("empty", lambda clip: b"", "The file is empty: it has 0 bytes"),
    ("text", lambda clip: b"just some notes, not a video\n" * 20, "This is a text file"),
    ("png", lambda clip: png(), r"This is a still image \(PNG\), not a video"),
    ("jpeg", lambda clip: jpeg(), r"This is a still image \(JPEG\)"),
    ("audio only", lambda clip: audio_only_mp4(), "This file has only sound, no pictures"),
    ("truncated", lambda clip: clip[: len(clip) // 2], "The MP4/MOV file is damaged or incomplete"),
    ("first 200 bytes", lambda clip: clip[:200], "The MP4/MOV file is damaged or incomplete"),
    ("end cut off", lambda clip: clip[:-100], "The video has no frames"),
    (
        "zeroed middle",
        lambda clip: clip[:300] + bytes(len(clip) - 600) + clip[-300:],
        "damaged or incomplete|no frames",
    ),
    ("random bytes", lambda clip: np.random.default_rng(0).bytes(4000), "not a video FFmpeg"),
    (
        "huge header",
        lambda clip: y4m_header(16000, 16000),
        "claims frames of 16000x16000 pixels",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [(make, message) for _, make, message in BAD_FILES],
    ids=[name for name, _, _ in BAD_FILES],
)
def test_decode_video_refuses_what_is_not_a_video(h264_clip, make, message):
    with pytest.raises(VideoDecodeError, match=message) as caught:
        decode_video(make(h264_clip))
    # Every message ends by saying what to do.
    assert any(
        word in str(caught.value) for word in ("Choose", "Upload", "Scale", "re-save", "Try")
    )


def test_decode_video_refuses_text_named_mp4(tmp_path):
    path = tmp_path / "holiday.mp4"
    path.write_text("This is not really a video.\n")

    with pytest.raises(VideoDecodeError, match="This is a text file"):
        decode_video(path)


def test_decode_video_refuses_an_empty_file_and_a_missing_one(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    with pytest.raises(VideoDecodeError, match="0 bytes"):
        decode_video(empty)
    with pytest.raises(VideoDecodeError, match="There is no video file"):
        decode_video(tmp_path / "missing.mp4")


def test_decode_video_keeps_what_decodes_of_a_cut_off_clip():
    # The index at the front ("faststart"), the frames cut off half way: the first ones
    # still decode, and a note says the rest could not be read.
    noisy = np.random.default_rng(0).integers(0, 256, (60, 48, 64, 3), dtype=np.uint8)
    clip = moov_first(noisy)

    video = decode_video(clip[: len(clip) // 2])

    assert 1 <= video.n_frames < 16
    assert video.times[-1] < 1.9
    assert any("damaged or cut short" in note for note in video.notes)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_frames": 0}, "n_frames"),
        ({"n_frames": media.MAX_FRAMES + 1}, "n_frames"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"max_side": 4}, "max_side"),
    ],
)
def test_decode_video_checks_its_options(h264_clip, options, message):
    with pytest.raises(ValueError, match=message):
        decode_video(h264_clip, **options)


def test_decode_video_takes_only_bytes_paths_or_files():
    with pytest.raises(TypeError, match="Expected the video as bytes"):
        decode_video(np.zeros((2, 8, 8, 3), np.uint8))


def test_encode_video_writes_h264_that_decodes_back():
    frames = moving_bar(12, width=33, height=25)  # odd sides: padded to even

    clip = encode_video(frames, fps=12)

    assert clip[4:8] == b"ftyp"
    # "faststart": the index (moov) comes before the frames (mdat), so playback starts at once.
    assert clip.index(b"moov") < clip.index(b"mdat")
    with av.open(io.BytesIO(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (34, 26)
        assert stream.average_rate == 12
    video = decode_video(clip, n_frames=12)
    assert video.n_frames == 12
    np.testing.assert_allclose(video.times, np.arange(12) / 12, atol=1e-6)
    assert np.abs(video.frames[:, :25, :33].astype(int) - frames).mean() < 8


def test_encode_video_takes_floats_in_0_1():
    clip = encode_video(np.full((4, 16, 16, 3), 0.5, np.float32), fps=8)

    assert decode_video(clip).frames.mean() == pytest.approx(128, abs=3)


@pytest.mark.parametrize(
    ("frames", "fps", "message"),
    [
        (np.zeros((0, 16, 16, 3), np.uint8), 8, "at least one"),
        (np.zeros((16, 16, 3), np.uint8), 8, "shape"),
        (np.zeros((2, 16, 16, 3), np.int32), 8, "uint8"),
        (np.zeros((2, 16, 16, 3), np.uint8), 0, "fps"),
    ],
)
def test_encode_video_checks_its_input(frames, fps, message):
    with pytest.raises(ValueError, match=message):
        encode_video(frames, fps=fps)
