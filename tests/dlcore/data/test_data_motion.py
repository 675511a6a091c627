"""Tests for dlcore.data.motion: arrays, balance, seeds, and that clips move as labelled.

Image coordinates: x is the column index and grows to the right, y is the row index and
grows downwards, so "left" means x decreases and "up" means y decreases. An object clip's
label is its content's motion; a camera clip's is the camera's, so its scene moves the
other way across the frame.
"""

import time

import numpy as np
import pytest
from PIL import Image

from dlcore.data import motion, shapes

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
TRANSLATIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


@pytest.fixture(scope="module")
def clips():
    """Enough clips that each class has about ten object clips of a shape on a plain background."""
    return motion.make_motion_clips(720, frames=16, image_size=32, seed=0)


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
    assert set(bunch.content[~bunch.camera]) <= {"shape", "photo"}
    assert set(bunch.background[~bunch.camera]) <= {"plain", "noisy", "textured"}
    assert set(bunch.content[bunch.camera]) <= {"scene"}
    assert set(bunch.background[bunch.camera]) <= {"photo", "pattern"}
    assert bunch.camera.dtype == bool and bunch.camera.shape == (n_clips,)
    assert f"clips: {n_clips}" in bunch.DESCR


def test_motion_labels_are_fixed():
    assert motion.MOTION_LABELS == ("left", "right", "up", "down", "zoom_in", "zoom_out")


def test_every_kind_of_clip_appears(clips):
    assert np.bincount(clips.target).tolist() == [120] * 6
    assert set(clips.content) == {"shape", "photo", "scene"}
    assert set(clips.background[~clips.camera]) == {"plain", "noisy", "textured"}
    assert set(clips.background[clips.camera]) == {"photo", "pattern"}
    assert 0.35 < clips.camera.mean() < 0.65


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_camera_share_chooses_camera_or_object_clips(share):
    clips = motion.make_motion_clips(12, frames=4, image_size=16, camera_share=share, seed=0)
    assert clips.camera.tolist() == [bool(share)] * 12
    assert f"camera clips: {12 if share else 0}" in clips.DESCR


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


def test_a_moving_camera_changes_every_pixel_and_moving_content_only_its_own(clips):
    unchanged = np.array([np.mean(np.all(clip[0] == clip[-1], axis=-1)) for clip in clips.clips])
    textured = ~clips.camera & (clips.background != "plain")

    # Photos hold a few flat (saturated) patches, which look the same after any move.
    assert np.median(unchanged[clips.camera]) < 0.02 and unchanged[clips.camera].max() < 0.2
    # The content covers at most 45 % of the side, plus its path.
    assert unchanged[textured].min() > 0.4


def scene_shift(clip, *, clear=3):
    """How far the scene moved from the first frame to the first frame where it moved at
    least `clear` pixels (or to the last frame): a short gap keeps the frames overlapping
    widely, so a fast pan cannot be matched to a far, flat part of the scene."""
    for later in clip[1:]:
        shift = best_shift(clip[0], later, limit=8)
        if np.abs(shift).max() >= clear:
            break
    return shift


def test_a_panning_camera_moves_its_scene_the_other_way(clips):
    checked, sideways = 0, []
    for index in np.flatnonzero(clips.camera):
        label = clips.target_names[clips.target[index]]
        if label not in TRANSLATIONS:
            continue
        clip = clips.clips[index] @ LUMA
        # A pan of 8-100 % of the side: 2.6-32 pixels over the clip, at most 3.2 pixels
        # from one frame to the next (an easing pan's middle).
        shift = scene_shift(clip)

        assert shift @ TRANSLATIONS[label] <= -2, f"clip {index} ({label}) shifted {shift}"
        if abs(shift @ TRANSLATIONS[label][::-1]) > 1:
            sideways.append(index)
        checked += 1
    assert checked >= 100
    # A scene that repeats across the pan (a grid of coins, blobs alike in brightness)
    # matches at a sideways shift as well as at the true one: two clips in this set do.
    assert len(sideways) <= 2, sideways


def test_a_zooming_camera_magnifies_or_shrinks_its_scene(clips):
    checked, misjudged = 0, []
    for index in np.flatnonzero(clips.camera):
        label = clips.target_names[clips.target[index]]
        if label not in ("zoom_in", "zoom_out"):
            continue
        first, last = clips.clips[index, 0] @ LUMA, clips.clips[index, -1] @ LUMA
        growth = best_scale(first, last)

        # Zooms of 1.1-2 over the clip.
        if not ((growth > 1.05) if label == "zoom_in" else (growth < 1 / 1.05)):
            misjudged.append((index, label, round(growth, 2)))
        checked += 1
    assert checked >= 50
    # Gravel looks the same at every scale: a slight zoom over it can be measured either
    # way. One clip in this set is one.
    assert len(misjudged) <= 1, misjudged


def best_scale(first, last):
    """The factor that best maps `first` onto `last`, scaling about the middle."""
    size = first.shape[0]
    picture = Image.fromarray(first.astype(np.float32), mode="F")
    errors = {}
    for factor in np.geomspace(1 / 2.2, 2.2, 41):
        if factor >= 1:  # magnify: the middle 1/factor of `first` fills the frame
            side = size / factor
            box = ((size - side) / 2, (size - side) / 2, (size + side) / 2, (size + side) / 2)
            scaled = np.asarray(picture.resize((size, size), Image.Resampling.BILINEAR, box=box))
            errors[factor] = np.mean((scaled - last) ** 2)
        else:  # shrink: `last`'s middle is `first` made smaller
            side = round(size * factor)
            scaled = np.asarray(picture.resize((side, side), Image.Resampling.BOX))
            start = (size - side) // 2
            errors[factor] = np.mean(
                (scaled - last[start : start + side, start : start + side]) ** 2
            )
    return min(errors, key=errors.get)


def test_a_panning_camera_uncovers_photo_not_a_smear(clips):
    """The strip that enters the frame last comes from the photo, not from repeated edges."""
    checked = 0
    for index in np.flatnonzero(clips.camera & (clips.background == "photo")):
        label = clips.target_names[clips.target[index]]
        if label not in TRANSLATIONS:
            continue
        # Rotate the last frame so the scene moves left (the camera turns right): new
        # scene enters at the right.
        turns = {"right": 0, "down": 1, "left": 2, "up": 3}[label]
        last = np.rot90(clips.clips[index, -1] @ LUMA, k=turns)
        entering = last[:, -3:]

        assert np.abs(np.diff(entering, axis=1)).max() > 1e-3, f"clip {index} smears its edge"
        checked += 1
    assert checked >= 5


def test_camera_robustness_clips_come_as_a_phone_films_them():
    clips = motion.make_camera_robustness_clips(12, seed=0)

    assert sorted(label for _, _, label in clips) == sorted(motion.MOTION_LABELS * 2)
    for frames, times, _ in clips:
        assert frames.dtype == np.uint8 and frames.shape[1:] == (96, 128, 3)
        assert times.shape == (len(frames),) and times[0] == 0.0
        fps = 1 / np.median(np.diff(times))
        assert round(fps) in (10, 15, 24, 30)
        assert round(times[-1], 1) in (1.0, 2.0, 3.5)
    again = motion.make_camera_robustness_clips(12, seed=0)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(clips, again, strict=True))


def test_robustness_scenes_are_photos_no_training_clip_shows():
    held_out = set(motion.HELD_OUT_SCENE_PHOTOS)
    assert not held_out & set(motion.TRAIN_SCENE_PHOTOS)
    # Object clips cut their content and backgrounds from the shapes' photos.
    assert not held_out & set(shapes._PHOTO_NAMES)


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
        ({"camera_share": 1.5}, r"`camera_share` must be a number from 0 to 1.*=1\.5"),
        ({"camera_share": "half"}, r"camera_share='half'"),
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
