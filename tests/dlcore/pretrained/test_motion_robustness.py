"""The bundled motion model on the project's own robustness set, and what its labels mean.

A camera clip's label is the camera's motion, so its scene slides the other way across
the frame; an object clip's label is its content's motion. The robustness set films
scenes no training clip shows, as a phone does: landscape frames, other frame rates and
lengths, read window by window as the Video try-it reads an upload.
"""

import numpy as np
import pytest

from dlcore.data import motion
from dlcore.explain import robustness
from dlcore.explain.video import clip_probabilities
from dlcore.pretrained import load_pretrained

# The bundled model reads 0.867 of it (issue 15's target is 0.85); the model before the
# camera clips read 0.25 of the issue filer's own pans and zooms.
FLOOR = 0.85


@pytest.fixture(scope="module")
def predictor():
    return load_pretrained("motion")


def test_camera_motion_over_unseen_scenes_meets_the_floor(predictor):
    assert robustness.robustness_accuracy(predictor) >= FLOOR


def test_hand_held_cameras_are_read_by_their_own_motion(predictor):
    # Clips as the training clips are drawn, but at 96 x 96 (shrunk by the model's own
    # preprocessing) and seeded apart from them: 41 of 48 read right (5 to 8 of 8 per
    # motion). The misses are pans read the other way or across, on scenes with little
    # detail.
    right = {label: 0 for label in motion.MOTION_LABELS}
    for label in motion.MOTION_LABELS:
        for seed in range(2020, 2028):
            clip = motion.make_camera_clip(label, frames=32, image_size=96, seed=seed)
            frames = np.round(clip * 255).astype(np.uint8)
            answer = np.argmax(clip_probabilities(predictor, frames, np.arange(32) / 16))
            right[label] += predictor.labels[int(answer)] == label
    assert sum(right.values()) >= 38, right
    assert min(right.values()) >= 5, right


def test_content_moving_right_and_a_camera_panning_left_are_told_apart(predictor):
    # On screen both slide right: the model must see whether the background moves too.
    objects = motion.make_motion_clips(120, frames=32, image_size=64, camera_share=0, seed=9)
    moving_right = objects.clips[objects.target == motion.MOTION_LABELS.index("right")][:8]
    panning_left = [
        motion.make_camera_clip("left", frames=32, image_size=64, seed=seed) for seed in range(8)
    ]

    def answer(clip):
        frames = np.round(clip * 255).astype(np.uint8)
        probabilities = clip_probabilities(predictor, frames, np.arange(32) / 16)
        return predictor.labels[int(np.argmax(probabilities))]

    assert [answer(clip) for clip in moving_right] == ["right"] * 8
    # Measured: 5 of the 8 pans read "left", 2 "right" (taken for content moving over a
    # still background) and 1 "down": the weakest point of the bundled model.
    assert [answer(clip) for clip in panning_left].count("left") >= 5
