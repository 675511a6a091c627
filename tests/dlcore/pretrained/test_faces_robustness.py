"""The bundled faces model on the project's own robustness set: photos and faces it never saw."""

import pytest

from dlcore.data import face_photos
from dlcore.pretrained import load_pretrained
from dlcore.trainers import cnn


@pytest.fixture(scope="module")
def faces_model():
    return load_pretrained("faces")


@pytest.fixture(scope="module")
def answers(faces_model):
    images, targets, _ = cnn.held_out_data("faces")
    pictures, truth = face_photos.robustness_set(images[targets == 1])
    return faces_model.predict_proba(pictures).argmax(axis=1), truth


def test_whole_held_out_photos_and_their_crops_read_not_face(answers):
    # Photos no training run used (scenes, a flower, a microscope slide, test patterns),
    # whole and cut: the model before photo_crops called 43 % of them "face".
    predicted, truth = answers
    n_photos = len(face_photos.HELD_OUT_PHOTOS)
    assert (predicted[:n_photos] == 0).all()
    assert (predicted[truth == 0] == 0).mean() >= 0.92


def test_held_out_faces_at_other_crops_sizes_light_and_in_colour_read_face(answers):
    predicted, truth = answers
    assert (predicted[truth == 1] == 1).mean() >= 0.92


def test_whole_photos_of_the_rehearsal_objects_read_not_face(faces_model):
    # The rehearsal's cases: a coffee cup, a cat, coins and a horse read "face" at 99-100 %.
    photos = [face_photos.load_photo(name) for name in ("coffee", "chelsea", "coins", "horse")]
    assert (faces_model.predict_proba(photos)[:, 1] < 0.5).all()


def test_the_page_shows_a_plain_photo_as_the_not_face_sample(faces_model):
    samples = dict(cnn.held_out_samples("faces"))
    assert samples["not face"].shape == samples["face"].shape == (25, 25)
    proba = faces_model.predict_proba([samples["not face"], samples["face"]])
    assert proba.argmax(axis=1).tolist() == [0, 1]
