"""Tests of dlcore.explain.video (timeline, motion energy, Grad-CAM on a frame) and of the
sample clips in dlcore.data.sample_clips, with the bundled motion model and a small
untrained model of our own."""

import io

import av
import numpy as np
import pytest

from dlcore import load_pretrained
from dlcore.data import motion
from dlcore.data.sample_clips import SAMPLE_CLIPS, load_sample_clip
from dlcore.explain.video import (
    WINDOW_SECONDS,
    analyse_clip,
    frame_grad_cam,
    motion_energy,
    sliding_windows,
)
from dlcore.media.video import VideoDecodeError, encode_video
from dlcore.pretrained import Predictor
from dlcore.trainers import video


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return load_pretrained("motion")


@pytest.fixture(scope="module")
def tiny_predictor() -> Predictor:
    """An untrained Conv3D model that takes 4 frames of 8x8, wrapped as a Predictor."""
    model = video.motion_model(
        "conv3d", (4, 8, 8, 3), len(motion.MOTION_LABELS), n_blocks=1, n_filters=2, units=4
    )
    return Predictor(
        name="tiny",
        task="video",
        labels=list(motion.MOTION_LABELS),
        model=model,
        preprocessing={"n_frames": 4, "image_size": (8, 8)},
    )


@pytest.fixture(scope="module")
def motion_files() -> dict[str, bytes]:
    """One 2 s H.264 clip of each motion, 128x128 at 16 fps, drawn as the training clips."""
    clips = motion.make_motion_clips(6, frames=32, image_size=128, seed=0)
    return {
        motion.MOTION_LABELS[target]: encode_video(clip, fps=16)
        for clip, target in zip(clips.clips, clips.target, strict=True)
    }


@pytest.fixture(scope="module")
def tour():
    return load_sample_clip("tour")


def test_analyse_clip_tells_each_motion(predictor, motion_files):
    for label, file in motion_files.items():
        analysis = analyse_clip(predictor, file)

        assert analysis.label == label, f"{label} clip read as {analysis.label}"
        # A 2 s clip fits one window.
        assert analysis.n_windows == 1
        assert analysis.window_frames.shape == (1, 8)


def test_analyse_clip_timeline_follows_the_tour(predictor, tour):
    analysis = analyse_clip(predictor, tour.file)

    video = analysis.video
    assert video.duration == pytest.approx(16.0)
    # 16 s at 8 frames per second: every other frame of the 16 fps clip.
    assert video.n_frames == 128
    assert analysis.n_windows == 40
    np.testing.assert_allclose(analysis.window_ends - analysis.window_starts, WINDOW_SECONDS)
    assert analysis.window_starts[0] == 0
    assert analysis.window_ends[-1] == pytest.approx(video.times[-1])
    assert np.allclose(np.diff(analysis.window_starts), np.diff(analysis.window_starts)[0])
    # Each window gives the model 8 frames, in order, from inside the window.
    assert analysis.window_frames.shape == (40, 8)
    assert np.all(np.diff(analysis.window_frames, axis=1) > 0)
    frame_times = video.times[analysis.window_frames]
    assert np.all(frame_times >= analysis.window_starts[:, None] - 0.07)
    assert np.all(frame_times <= analysis.window_ends[:, None] + 0.07)

    np.testing.assert_allclose(analysis.window_probabilities.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(
        analysis.probabilities, analysis.window_probabilities.mean(axis=0), atol=1e-6
    )
    # Windows well inside a segment of one of the six motions mostly name it.
    hits = []
    for label, start, end in tour.segments:
        inside = (analysis.window_starts >= start - 0.3) & (analysis.window_ends <= end + 0.3)
        if label is not None:
            predicted = analysis.window_probabilities[inside].argmax(axis=1)
            hits += list(predicted == analysis.labels.index(label))
    assert len(hits) >= 10
    assert np.mean(hits) >= 0.7, f"only {np.mean(hits):.0%} of pure windows right"


def test_analyse_clip_works_with_another_model(tiny_predictor, tour):
    analysis = analyse_clip(tiny_predictor, tour.file)

    assert analysis.window_frames.shape == (40, 4)
    assert analysis.window_probabilities.shape == (40, 6)
    assert analysis.probabilities.shape == (6,)


def test_analyse_clip_reports_progress(tiny_predictor, motion_files):
    fractions = []

    analyse_clip(tiny_predictor, motion_files["left"], on_progress=fractions.append)

    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any(0 < fraction < 0.9 for fraction in fractions)


def test_analyse_clip_cuts_a_long_clip_with_a_note(tiny_predictor):
    frames = np.zeros((120, 32, 32, 3), np.uint8)
    frames[:, :, :8] = 255
    long_clip = encode_video(frames, fps=4)  # 30 s

    analysis = analyse_clip(tiny_predictor, long_clip, max_seconds=10)

    assert analysis.video.times[-1] < 10
    assert "Only the first 10 s of this 30 s clip were analysed." in analysis.notes


def test_analyse_clip_of_a_short_gif_has_one_window(tiny_predictor):
    analysis = analyse_clip(tiny_predictor, load_sample_clip("no_time_for_that").file)

    assert analysis.n_windows == 1
    assert (analysis.video.n_frames, analysis.video.n_source_frames) == (16, 24)
    assert analysis.window_ends[0] == pytest.approx(analysis.video.times[-1])
    assert any("shorter than one window" in note for note in analysis.notes)


def test_analyse_clip_of_one_frame_says_it_is_a_guess(tiny_predictor):
    analysis = analyse_clip(tiny_predictor, encode_video(np.zeros((1, 16, 16, 3), np.uint8), fps=8))

    assert analysis.n_windows == 1
    assert analysis.motion_energy.shape == (0,)
    assert any("single frame" in note for note in analysis.notes)


def test_analyse_clip_passes_decoding_errors_on(tiny_predictor):
    with pytest.raises(VideoDecodeError, match="text file"):
        analyse_clip(tiny_predictor, b"not a video at all, just words\n")


def test_analyse_clip_needs_a_video_model(tiny_predictor, motion_files):
    text_model = Predictor(name="intents", task="text", labels=["a"], model=None, preprocessing={})
    with pytest.raises(ValueError, match="does not take video clips"):
        analyse_clip(text_model, motion_files["up"])


def test_motion_energy_is_the_mean_absolute_change():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (5, 6, 7, 3), dtype=np.uint8)

    energy = motion_energy(frames)

    reference = [
        np.mean(np.abs(frames[index + 1].astype(float) - frames[index])) / 255 for index in range(4)
    ]
    np.testing.assert_allclose(energy, reference, rtol=1e-6)
    assert energy.dtype == np.float32


def test_motion_energy_of_the_analysis_is_zero_when_still_and_peaks_at_a_cut(tiny_predictor):
    frames = np.zeros((32, 16, 16, 3), np.uint8)
    frames[16:] = 255  # a cut from black to white after 1 s
    analysis = analyse_clip(tiny_predictor, encode_video(frames, fps=16))

    energy = analysis.motion_energy
    assert energy.shape == (analysis.video.n_frames - 1,)
    assert analysis.motion_times.shape == energy.shape
    assert energy.max() > 0.95
    assert analysis.motion_times[energy.argmax()] == pytest.approx(1.0, abs=0.1)
    assert np.sort(energy)[-2] < 0.02


def test_sliding_windows_of_a_clip_no_longer_than_a_window():
    starts, ends, frames = sliding_windows(np.arange(10) / 8, n_model_frames=4)

    assert starts.tolist() == [0.0]
    assert ends.tolist() == [9 / 8]
    assert frames.tolist() == [[0, 3, 6, 9]]


def test_sliding_windows_are_no_closer_than_the_frames():
    starts, ends, _ = sliding_windows(np.arange(20) / 8, n_model_frames=8, window_seconds=2.0)

    # 19/8 s long: 0.375 s of room for a 2 s window, at 1/8 s steps.
    np.testing.assert_allclose(starts, [0, 0.125, 0.25, 0.375])
    np.testing.assert_allclose(ends - starts, 2.0)


def test_frame_grad_cam_explains_the_chosen_frame(predictor, tour):
    analysis = analyse_clip(predictor, tour.file)
    frame_index = 20

    cam = frame_grad_cam(predictor, analysis, frame_index)

    assert cam.heatmap.shape == (16, 16)
    assert cam.heatmap.dtype == np.float32
    assert cam.heatmap.min() >= 0
    assert cam.heatmap.max() <= 1
    assert cam.crop.shape == (128, 128, 3)
    assert cam.class_index == int(analysis.probabilities.argmax())
    assert cam.label == analysis.label
    assert frame_index in cam.window_frames
    assert np.all(np.diff(cam.window_frames) >= 0)
    assert cam.window_probabilities.sum() == pytest.approx(1, abs=1e-5)
    # At 2.5 s the rocket slides right along the top edge: most of the heat lies there.
    assert tour.segments[0][0] == "right"
    assert cam.heatmap[:8].sum() > cam.heatmap[8:].sum()


def test_frame_grad_cam_on_any_class_and_any_frame(tiny_predictor, motion_files):
    analysis = analyse_clip(tiny_predictor, motion_files["down"])

    for frame_index in (0, analysis.video.n_frames - 1):
        cam = frame_grad_cam(tiny_predictor, analysis, frame_index, class_index=2)
        assert cam.label == "up"
        assert cam.heatmap.shape == (8, 8)
        assert frame_index in cam.window_frames


@pytest.mark.parametrize(
    ("options", "message"),
    [({"frame_index": 99}, "frame_index"), ({"frame_index": 0, "class_index": 6}, "class_index")],
)
def test_frame_grad_cam_checks_its_indices(tiny_predictor, motion_files, options, message):
    analysis = analyse_clip(tiny_predictor, motion_files["left"])

    with pytest.raises(ValueError, match=message):
        frame_grad_cam(tiny_predictor, analysis, **options)


@pytest.mark.parametrize("name", ["left", "tour", "no_time_for_that"])
def test_sample_clips_are_playable_files(name):
    clip = load_sample_clip(name)

    with av.open(io.BytesIO(clip.file)) as container:
        codec = container.streams.video[0].codec_context.name
    assert codec == ("gif" if clip.file_format == "gif" else "h264")
    assert SAMPLE_CLIPS[name] == clip.DESCR
    if clip.frames is not None:
        assert clip.frames.dtype == np.uint8
        assert clip.frames.shape[1:] == (128, 128, 3)
        assert clip.segments[-1][2] == pytest.approx(len(clip.frames) / clip.fps)


def test_load_sample_clip_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="one of the sample clips"):
        load_sample_clip("cats")
