"""Tests for dlcore.data.image_sets: the Bunch every image and clip set returns."""

import numpy as np

from dlcore.data.image_sets import image_set_bunch
from dlcore.data.motion import make_motion_clips
from dlcore.data.shapes import make_shapes


def test_the_samples_stand_under_their_name_and_data_with_the_extras_before_descr():
    clips = np.zeros((3, 2, 4, 4, 3), np.float32)
    target = np.array([0, 1, 0])
    bunch = image_set_bunch(
        clips, target, ("left", "right"), "Clips", images_key="clips", camera=[True] * 3
    )
    assert list(bunch) == ["clips", "data", "target", "target_names", "camera", "DESCR"]
    assert bunch.clips is clips and bunch.data is clips and bunch.target is target
    assert bunch.target_names == ["left", "right"]
    assert bunch.DESCR == "Clips"


def test_the_generated_sets_keep_their_keys_in_order():
    shapes = make_shapes(8, image_size=16, seed=0)
    assert list(shapes) == [
        "images",
        "data",
        "target",
        "target_names",
        "filled",
        "background",
        "stroke",
        "cut",
        "DESCR",
    ]
    clips = make_motion_clips(6, frames=2, image_size=8, seed=0)
    assert list(clips) == [
        "clips",
        "data",
        "target",
        "target_names",
        "content",
        "background",
        "camera",
        "DESCR",
    ]
