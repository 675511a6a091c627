"""Tests for dlcore.data.face_photos: the faces model's extra non-faces and varied faces."""

import numpy as np
import pytest

from dlcore.data import face_photos
from dlcore.data.vision import load_faces


def test_training_and_held_out_photos_share_nothing_and_show_no_people():
    assert not set(face_photos.TRAIN_PHOTOS) & set(face_photos.HELD_OUT_PHOTOS)
    for people in ("astronaut", "camera"):
        assert people not in face_photos.TRAIN_PHOTOS + face_photos.HELD_OUT_PHOTOS


@pytest.mark.parametrize("name", ["coffee", "coins", "sklearn:flower.jpg"])
def test_load_photo_gives_uint8_grey_or_rgb(name):
    photo = face_photos.load_photo(name)
    assert photo.dtype == np.uint8
    assert photo.ndim == 2 or (photo.ndim == 3 and photo.shape[2] == 3)
    assert min(photo.shape[:2]) >= 100


def test_non_face_pictures_are_seeded_crops_of_only_the_photos_asked_for():
    first = face_photos.non_face_pictures(12, seed=3, photos=("coins",), text=False)
    again = face_photos.non_face_pictures(12, seed=3, photos=("coins",), text=False)
    assert len(first) == 12
    for picture, same in zip(first, again, strict=True):
        np.testing.assert_array_equal(picture, same)
        assert picture.dtype == np.uint8
        assert picture.shape[0] == picture.shape[1] or picture.shape == (303, 384)
        assert 8 <= min(picture.shape[:2]) <= 303
    other = face_photos.non_face_pictures(12, seed=4, photos=("coins",), text=False)
    assert any(a.shape != b.shape or (a != b).any() for a, b in zip(first, other, strict=True))


def test_rendered_text_has_ink_and_paper():
    picture = face_photos.render_text(np.random.default_rng(0))
    assert picture.shape == (96, 96) and picture.dtype == np.uint8
    assert len(np.unique(picture)) > 2


def test_varied_faces_change_size_and_light_of_the_faces_given():
    faces, targets = load_faces(return_X_y=True)
    varied = face_photos.varied_faces(faces[targets == 1][:10], 30, seed=0)
    sides = {picture.shape[0] for picture in varied}
    assert all(picture.ndim == 2 and picture.dtype == np.uint8 for picture in varied)
    assert all(19 <= side <= 33 for side in sides) and len(sides) > 3
    assert np.std([picture.mean() for picture in varied]) > 5


def test_robustness_set_has_whole_held_out_photos_then_crops_then_faces_in_colour_and_grey():
    faces, targets = load_faces(return_X_y=True)
    pictures, truth = face_photos.robustness_set(faces[targets == 1][:20])
    n_photos = len(face_photos.HELD_OUT_PHOTOS)
    assert np.bincount(truth).tolist() == [n_photos + 90, 120]
    np.testing.assert_array_equal(pictures[0], face_photos.load_photo("sklearn:china.jpg"))
    face_pictures = [picture for picture, label in zip(pictures, truth, strict=True) if label]
    assert {picture.ndim for picture in face_pictures} == {2, 3}
