"""Tests for the faces' `photo_crops` in dlcore.trainers.cnn: extra training images only."""

import numpy as np
import pytest

from dlcore.trainers import cnn
from dlcore.trainers.cnn import Config


def test_photo_crops_add_non_faces_and_varied_faces_to_training_only():
    plain = cnn.load_data(Config(dataset="faces"))
    extra = cnn.load_data(Config(dataset="faces", photo_crops=60))
    np.testing.assert_array_equal(extra.x_test, plain.x_test)
    np.testing.assert_array_equal(extra.x_val, plain.x_val)
    # 120 lfw training images, kept about half of what is seen: 120 + 60 + 60.
    assert extra.x_train.shape == (240, 25, 25, 1)
    added = extra.y_train[len(plain.y_train) :]
    assert np.bincount(added).tolist() == [60, 60]
    assert extra.x_train.dtype == np.float32
    assert extra.x_train.min() >= 0.0 and extra.x_train.max() <= 1.0


def test_photo_crops_are_checked():
    with pytest.raises(ValueError, match="photo crops"):
        Config(dataset="faces", photo_crops=-1).validate()
