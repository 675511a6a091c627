"""Tests for dlcore.data.vision: the bundled digits and faces, as CNN-ready images."""

import numpy as np
import pytest
import sklearn.datasets
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from dlcore.data import vision

LOADERS = [
    # (loader, images shape, target names)
    (vision.load_digits, (1797, 8, 8, 1), [str(digit) for digit in range(10)]),
    (vision.load_faces, (200, 25, 25, 1), ["not face", "face"]),
]


@pytest.mark.parametrize(("loader", "shape", "names"), LOADERS)
def test_loader_returns_cnn_ready_images(loader, shape, names):
    bunch = loader()

    assert bunch.images.shape == shape, "images shape mismatch"
    assert bunch.images.dtype == np.float32
    assert bunch.images.min() == 0.0 and bunch.images.max() == 1.0, "values must span [0, 1]"
    assert bunch.data is bunch.images
    assert bunch.target.shape == shape[:1] and bunch.target.dtype == np.int64
    assert set(np.unique(bunch.target)) == set(range(len(names)))
    assert bunch.target_names == names
    assert isinstance(bunch.DESCR, str) and f"samples: {shape[0]}" in bunch.DESCR


@pytest.mark.parametrize(("loader", "shape", "names"), LOADERS)
def test_return_X_y_gives_the_same_arrays(loader, shape, names):
    images, target = loader(return_X_y=True)
    bunch = loader()

    np.testing.assert_array_equal(images, bunch.images)
    np.testing.assert_array_equal(target, bunch.target)


def test_digits_are_scikit_learns_ink_counts_divided_by_16():
    source = sklearn.datasets.load_digits()
    digits = vision.load_digits()

    np.testing.assert_array_equal(digits.images[..., 0] * 16, source.images)
    np.testing.assert_array_equal(digits.target, source.target)
    assert np.bincount(digits.target).min() >= 174


def test_digits_are_learnable_from_their_pixels():
    images, target = vision.load_digits(return_X_y=True)
    pixels = images.reshape(len(images), -1)

    # One thread: BLAS threads fighting over shared cores make this 100 times slower.
    with threadpool_limits(1):
        model = LogisticRegression(max_iter=300).fit(pixels[:1200], target[:1200])
    accuracy = model.score(pixels[1200:], target[1200:])

    assert accuracy > 0.85, f"held-out accuracy {accuracy:.2f}; the labels may not match"


def test_faces_are_100_faces_then_100_non_faces():
    faces = vision.load_faces()

    assert np.bincount(faces.target).tolist() == [100, 100]
    np.testing.assert_array_equal(faces.target[:100], 1)
    np.testing.assert_array_equal(faces.target[100:], 0)


def test_face_label_marks_images_with_a_dark_eye_band():
    """Measured, not assumed: in a face crop the eyes are darker than forehead and cheeks."""
    faces = vision.load_faces()
    pixels = faces.images[..., 0]
    forehead = pixels[:, 2:6, 5:20].mean(axis=(1, 2))
    eyes = pixels[:, 7:10, 5:20].mean(axis=(1, 2))
    cheeks = pixels[:, 10:14, 5:20].mean(axis=(1, 2))
    dark_eye_band = (eyes < forehead) & (eyes < cheeks)

    assert dark_eye_band[faces.target == 1].mean() > 0.8, "target 1 should be the faces"
    assert dark_eye_band[faces.target == 0].mean() < 0.2, "target 0 should be the non-faces"
