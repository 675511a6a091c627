"""Tests for dlcore.data.motion: arrays, balance, seeds, and that content moves as labelled.

Image coordinates: x is the column index and grows to the right, y is the row index and
grows downwards, so "left" means x decreases and "up" means y decreases.
"""

import time

import numpy as np
import pytest

from dlcore.data import motion

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
TRANSLATIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


@pytest.fixture(scope="module")
def clips():
    """Enough clips that each class has about ten shapes on a plain background."""
    return motion.make_motion_clips(360, frames=16, image_size=32, seed=0)


def plain_shape_clips(clips):
    return np.flatnonzero((clips.content == "shape") & (clips.background == "plain"))


def content_weights(clip):
    """Each pixel's luma distance from the plain background: (frames, size, size).

    The background is the most frequent exact colour on the first frame's border.
    """
    first = clip[0]
    border = np.concatenate([first[0], first[-1], first[:, 0], first[:, -1]])
    colors, counts = np.unique(border, axis=0, return_counts=True)
    background = colors[np.argmax(counts)]
    return np.abs((clip - background) @ LUMA)


def centroids_and_areas(clip):
    """The content's centre (x, y) and its area in pixels, frame by frame."""
    weights = content_weights(clip)
    ys, xs = np.mgrid[: clip.shape[1], : clip.shape[2]]
    totals = weights.sum(axis=(1, 2))
    centers_x = (weights * xs).sum(axis=(1, 2)) / totals
    centers_y = (weights * ys).sum(axis=(1, 2)) / totals
    return centers_x, centers_y, totals / weights.max()


@pytest.mark.parametrize(
    ("n_clips", "frames", "size", "counts"),
    [(1, 2, 8, [1, 0, 0, 0, 0, 0]), (8, 4, 16, [2, 2, 1, 1, 1, 1]), (12, 16, 32, [2] * 6)],
)
def test_make_motion_clips_arrays(n_clips, frames, size, counts):
    bunch = motion.make_motion_clips(n_clips, frames=frames, image_size=size, seed=0)

    assert bunch.clips.shape == (n_clips, frames, size, size, 3), "clips shape mismatch"
    assert bunch.clips.dtype == np.float32
    assert bunch.clips.min() >= 0.0 and bunch.clips.max() <= 1.0
    assert bunch.data is bunch.clips
    assert bunch.target.dtype == np.int64 and bunch.target.shape == (n_clips,)
    assert np.bincount(bunch.target, minlength=6).tolist() == counts, "classes not balanced"
    assert bunch.target_names == ["left", "right", "up", "down", "zoom_in", "zoom_out"]
    assert set(bunch.content) <= {"shape", "photo"}
    assert set(bunch.background) <= {"plain", "noisy", "textured"}
    assert bunch.camera.dtype == bool and bunch.camera.shape == (n_clips,)
    assert f"clips: {n_clips}" in bunch.DESCR


def test_motion_labels_are_fixed():
    assert motion.MOTION_LABELS == ("left", "right", "up", "down", "zoom_in", "zoom_out")


def test_every_kind_of_clip_appears(clips):
    assert np.bincount(clips.target).tolist() == [60] * 6
    assert set(clips.content) == {"shape", "photo"}
    assert set(clips.background) == {"plain", "noisy", "textured"}
    assert 0.35 < clips.camera.mean() < 0.65


def test_return_X_y_and_seeds():
    first_clips, first_target = motion.make_motion_clips(12, frames=4, seed=3, return_X_y=True)
    again = motion.make_motion_clips(12, frames=4, seed=3)
    other = motion.make_motion_clips(12, frames=4, seed=4)

    np.testing.assert_array_equal(first_clips, again.clips)
    np.testing.assert_array_equal(first_target, again.target)
    assert not np.array_equal(first_clips, other.clips)
    assert not np.array_equal(first_target, other.target)


def test_content_moves_the_labelled_way_at_half_to_two_pixels_per_frame(clips):
    checked = 0
    for index in plain_shape_clips(clips):
        label = clips.target_names[clips.target[index]]
        if label not in TRANSLATIONS:
            continue
        xs, ys, areas = centroids_and_areas(clips.clips[index])
        moved = np.array([xs[-1] - xs[0], ys[-1] - ys[0]])
        along = moved @ TRANSLATIONS[label]
        across = moved @ TRANSLATIONS[label][::-1]
        speed = along / 15

        assert 0.45 < speed < 2.05, f"clip {index} ({label}) moved {moved} in 15 frames"
        assert abs(across) < 0.5, f"clip {index} ({label}) drifted sideways by {across:.2f}"
        assert np.all(np.diff(xs * TRANSLATIONS[label][0] + ys * TRANSLATIONS[label][1]) > 0)
        assert areas.max() < 1.1 * areas.min(), "a sliding shape must stay whole in the frame"
        checked += 1
    assert checked >= 25


def test_content_grows_when_zooming_in_and_shrinks_when_zooming_out(clips):
    checked = 0
    for index in plain_shape_clips(clips):
        label = clips.target_names[clips.target[index]]
        if label not in ("zoom_in", "zoom_out"):
            continue
        _, _, areas = centroids_and_areas(clips.clips[index])
        growth = areas[-1] / areas[0]

        if label == "zoom_in":
            assert growth > 1.4, f"clip {index} grew by {growth:.2f} while zooming in"
            assert np.all(np.diff(areas) > 0)
        else:
            assert growth < 1 / 1.4, f"clip {index} grew by {growth:.2f} while zooming out"
            assert np.all(np.diff(areas) < 0)
        checked += 1
    assert checked >= 12


def best_shift(first, last, limit):
    """The (dx, dy) that best maps `first` onto `last`: last[y + dy, x + dx] ~ first[y, x]."""
    size = first.shape[0]
    best, best_error = (0, 0), np.inf
    for dy in range(-limit, limit + 1):
        for dx in range(-limit, limit + 1):
            moved = last[max(dy, 0) : size + min(dy, 0), max(dx, 0) : size + min(dx, 0)]
            still = first[max(-dy, 0) : size + min(-dy, 0), max(-dx, 0) : size + min(-dx, 0)]
            error = np.mean((moved - still) ** 2)
            if error < best_error:
                best, best_error = (dx, dy), error
    return np.array(best)


@pytest.mark.parametrize("background", ["noisy", "textured"])
def test_a_moving_camera_changes_every_pixel_and_a_still_one_only_the_contents(clips, background):
    chosen = clips.background == background
    unchanged = np.array(
        [np.mean(np.all(clip[0] == clip[-1], axis=-1)) for clip in clips.clips[chosen]]
    )
    camera = clips.camera[chosen]

    # Photos hold a few flat (saturated) patches, which look the same after any move.
    assert np.median(unchanged[camera]) < 0.02 and unchanged[camera].max() < 0.2
    # The content covers at most 45 % of the side, plus its path.
    assert unchanged[~camera].min() > 0.4


def test_a_panning_camera_moves_the_background_the_labelled_way(clips):
    checked = 0
    for index in np.flatnonzero(clips.camera & (clips.background == "textured")):
        label = clips.target_names[clips.target[index]]
        if label not in TRANSLATIONS:
            continue
        clip = clips.clips[index] @ LUMA
        # Four frames apart: 2 to 8 pixels, within the search and with a large overlap.
        shift = best_shift(clip[0], clip[4], limit=9)

        assert shift @ TRANSLATIONS[label] >= 1, f"clip {index} ({label}) shifted {shift}"
        assert abs(shift @ TRANSLATIONS[label][::-1]) <= 1, f"clip {index} ({label}): {shift}"
        checked += 1
    assert checked >= 20


def test_a_panning_camera_uncovers_photo_not_a_smear(clips):
    """The strip that enters the frame last comes from the photo, not from repeated edges."""
    checked = 0
    for index in np.flatnonzero(clips.camera & (clips.background == "textured")):
        label = clips.target_names[clips.target[index]]
        if label not in TRANSLATIONS:
            continue
        # Rotate the last frame so the content moves left: new background enters at the right.
        turns = {"left": 0, "up": 1, "right": 2, "down": 3}[label]
        last = np.rot90(clips.clips[index, -1] @ LUMA, k=turns)
        entering = last[:, -3:]

        assert np.abs(np.diff(entering, axis=1)).max() > 1e-3, f"clip {index} smears its edge"
        checked += 1
    assert checked >= 5


def test_three_hundred_clips_take_well_under_five_seconds():
    motion.make_motion_clips(6, seed=0)  # decodes and caches the photos
    start = time.perf_counter()
    motion.make_motion_clips(300, frames=16, image_size=32, seed=0)
    elapsed = time.perf_counter() - start

    assert elapsed < 5.0, f"300 clips took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_clips": 0}, r"`n_clips` must be an integer >= 1\. Received: n_clips=0"),
        ({"frames": 1}, r"`frames` must be an integer from 2 to 256.*frames=1"),
        ({"frames": 8.0}, r"frames=8\.0"),
        ({"image_size": 7}, r"`image_size` must be an integer from 8 to 256.*image_size=7"),
    ],
)
def test_bad_arguments_raise_clear_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        motion.make_motion_clips(**{"n_clips": 6, **arguments})


def test_fastest_motions_across_a_large_frame_stay_inside_it():
    # Long clips on large frames hit the fastest speed, whose path fills the frame exactly.
    clips = motion.make_motion_clips(12, frames=48, image_size=96, seed=1)
    assert clips.clips.shape == (12, 48, 96, 96, 3)
    assert clips.clips.min() >= 0.0 and clips.clips.max() <= 1.0
