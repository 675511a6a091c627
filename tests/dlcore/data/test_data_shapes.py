"""Tests for dlcore.data.shapes: arrays, balance, seeds, and what the images show, measured."""

import time

import numpy as np
import pytest
from helpers import run_python

from dlcore.data import shapes

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def plain_masks(images):
    """Each plain-background image's shape coverage in [0, 1], found without its labels.

    The background is the most frequent exact colour on the image's border (a shape
    covers at most 80 % of an edge, and touches two edges at most); the shape's colour is
    the pixel farthest from it in luma; coverage is the luma's distance from the
    background's as a fraction of that.
    """
    masks = []
    for image in images:
        border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        colors, counts = np.unique(border, axis=0, return_counts=True)
        background = colors[np.argmax(counts)]
        distance = np.abs((image - background) @ LUMA)
        masks.append(distance / distance.max())
    return np.array(masks)


def fill_ratio(mask):
    """Area over the area of the smallest bounding rectangle at any angle (1-degree steps)."""
    rows, cols = np.nonzero(mask > 0.5)
    angles = np.deg2rad(np.arange(90))
    along = np.outer(cols, np.cos(angles)) + np.outer(rows, np.sin(angles))
    across = np.outer(rows, np.cos(angles)) - np.outer(cols, np.sin(angles))
    boxes = (np.ptp(along, axis=0) + 1) * (np.ptp(across, axis=0) + 1)
    return mask.sum() / boxes.min()


@pytest.mark.parametrize(
    ("n_samples", "image_size", "counts"),
    [(1, 8, [1, 0, 0, 0]), (10, 16, [3, 3, 2, 2]), (40, 32, [10] * 4), (8, 64, [2] * 4)],
)
def test_make_shapes_arrays(n_samples, image_size, counts):
    bunch = shapes.make_shapes(n_samples, image_size=image_size, seed=0)

    assert bunch.images.shape == (n_samples, image_size, image_size, 3), "images shape mismatch"
    assert bunch.images.dtype == np.float32
    assert bunch.images.min() >= 0.0 and bunch.images.max() <= 1.0
    assert bunch.data is bunch.images
    assert bunch.target.dtype == np.int64 and bunch.target.shape == (n_samples,)
    assert np.bincount(bunch.target, minlength=4).tolist() == counts, "classes not balanced"
    assert bunch.target_names == ["circle", "square", "triangle", "star"]
    assert bunch.filled.dtype == bool and bunch.filled.shape == (n_samples,)
    assert set(bunch.background) <= {"plain", "noisy", "textured"}
    assert bunch.background.shape == (n_samples,)
    assert f"samples: {n_samples}" in bunch.DESCR


def test_shape_labels_are_fixed():
    assert shapes.SHAPE_LABELS == ("circle", "square", "triangle", "star")


def test_return_X_y_gives_images_and_target():
    images, target = shapes.make_shapes(12, seed=3, return_X_y=True)
    bunch = shapes.make_shapes(12, seed=3)

    np.testing.assert_array_equal(images, bunch.images)
    np.testing.assert_array_equal(target, bunch.target)


def test_same_seed_same_images_other_seed_other_images():
    first = shapes.make_shapes(24, seed=7)
    again = shapes.make_shapes(24, seed=7)
    other = shapes.make_shapes(24, seed=8)

    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.target, again.target)
    np.testing.assert_array_equal(first.background, again.background)
    assert not np.array_equal(first.images, other.images)
    assert not np.array_equal(first.target, other.target)


def test_every_background_kind_and_both_styles_appear():
    bunch = shapes.make_shapes(200, seed=0)

    assert set(bunch.background) == {"plain", "noisy", "textured"}
    assert 0.35 < bunch.filled.mean() < 0.65


def test_backgrounds_are_plain_noisy_or_photo_texture():
    bunch = shapes.make_shapes(300, image_size=32, seed=1)
    # The top row's pixels, minus the row's mean colour: one colour, noise or a photo.
    rows = bunch.images[:, 0]
    spread = rows.std(axis=1).mean(axis=1)
    # Noise is independent from pixel to pixel; a photo's neighbouring pixels are alike.
    luma = rows @ LUMA
    centred = luma - luma.mean(axis=1, keepdims=True)
    neighbours = (centred[:, 1:] * centred[:, :-1]).sum(axis=1) / np.maximum(
        (centred**2).sum(axis=1), 1e-12
    )
    kinds = bunch.background

    assert spread[kinds == "plain"].max() < 0.12, "a plain top row holds a shape at most"
    assert np.median(spread[kinds == "plain"]) < 1e-6
    assert np.median(spread[kinds == "noisy"]) > 0.03
    assert np.median(neighbours[kinds == "noisy"]) < 0.3
    assert np.median(neighbours[kinds == "textured"]) > 0.6


def test_backgrounds_option_limits_the_kinds():
    bunch = shapes.make_shapes(20, seed=0, backgrounds=("noisy",))

    assert set(bunch.background) == {"noisy"}


def test_filled_shapes_fill_their_bounding_box_square_circle_triangle_star():
    bunch = shapes.make_shapes(240, image_size=64, seed=2, backgrounds=("plain",))
    masks = plain_masks(bunch.images)
    ratios = np.array([fill_ratio(mask) for mask in masks])
    filled = bunch.filled
    median = {
        name: np.median(ratios[filled & (bunch.target == label)])
        for label, name in enumerate(bunch.target_names)
    }

    # Exact values: square 1, circle pi / 4 = 0.79, triangle 0.5, this star about 0.38.
    assert median["square"] > 0.9
    assert 0.72 < median["circle"] < 0.85
    assert 0.42 < median["triangle"] < 0.58
    assert median["star"] < 0.45
    assert median["square"] > median["circle"] > median["triangle"] > median["star"]


def test_outlines_cover_less_than_filled_shapes():
    bunch = shapes.make_shapes(200, image_size=64, seed=3, backgrounds=("plain",))
    masks = plain_masks(bunch.images)
    ratios = np.array([fill_ratio(mask) for mask in masks])

    for label in range(4):
        outlined = ratios[~bunch.filled & (bunch.target == label)]
        filled = ratios[bunch.filled & (bunch.target == label)]
        assert np.median(outlined) < 0.8 * np.median(filled), bunch.target_names[label]


def test_shapes_span_35_to_80_percent_and_lie_inside():
    size = 64
    bunch = shapes.make_shapes(200, image_size=size, seed=4, backgrounds=("plain",))
    masks = plain_masks(bunch.images)
    extents = []
    for mask in masks:
        rows, cols = np.nonzero(mask > 0.5)
        extents.append(max(np.ptp(rows), np.ptp(cols)) + 1)
    extents = np.array(extents) / size

    assert extents.min() > 0.3 and extents.max() <= 0.82
    assert extents.min() < 0.45 and extents.max() > 0.7, "sizes should vary over the range"
    # Inside: no shape is cut by the edge, so its coverage there stays within a pixel row.
    edge_coverage = np.maximum.reduce(
        [masks[:, 0].sum(1), masks[:, -1].sum(1), masks[:, :, 0].sum(1), masks[:, :, -1].sum(1)]
    )
    assert edge_coverage.max() < 0.82 * size


@pytest.mark.parametrize("backgrounds", [("plain",), ("noisy",), ("textured",)])
def test_shapes_keep_their_contrast_to_the_background(backgrounds):
    bunch = shapes.make_shapes(100, image_size=32, seed=5, backgrounds=backgrounds)
    luma = bunch.images @ LUMA
    background = np.median(np.concatenate([luma[:, 0], luma[:, -1]], axis=1), axis=1)
    # The pixel farthest from the background's typical luma: the shape, for plain ones.
    contrast = np.abs(luma - background[:, None, None]).max(axis=(1, 2))

    assert np.median(contrast) > shapes.MIN_CONTRAST
    if backgrounds == ("plain",):
        assert contrast.min() > shapes.MIN_CONTRAST - 0.01


def test_two_thousand_images_take_well_under_three_seconds():
    shapes.make_shapes(8, seed=0)  # decodes and caches the photos
    start = time.perf_counter()
    shapes.make_shapes(2000, image_size=32, seed=0)
    elapsed = time.perf_counter() - start

    assert elapsed < 3.0, f"2,000 shapes took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_samples": 0}, r"`n_samples` must be an integer >= 1\. Received: n_samples=0"),
        ({"n_samples": 2.5}, r"n_samples=2\.5"),
        ({"image_size": 4}, r"`image_size` must be an integer from 8 to 256.*image_size=4"),
        ({"image_size": True}, r"image_size=True"),
        ({"backgrounds": "plain"}, r"backgrounds=\('plain',\)\. Received: backgrounds='plain'"),
        ({"backgrounds": ()}, r"one or more of plain, noisy, textured"),
        ({"backgrounds": ("photo",)}, r"Received: backgrounds=\('photo',\)"),
    ],
)
def test_bad_arguments_raise_clear_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        shapes.make_shapes(**{"n_samples": 4, **arguments})


@pytest.mark.slow
def test_a_tiny_cnn_learns_the_shapes():
    """Labels match the pictures: a CNN trained on 400 beats chance on 200 others.

    The input is each pixel's luma distance from the background, so that the network need
    not also learn that a dark shape on a light ground is the same as a light one on a
    dark ground; on raw colours 400 images are too few for a few epochs.
    """
    import keras

    def distance_from_background(images):
        luma = images @ LUMA
        return np.abs(luma - np.median(luma, axis=(1, 2), keepdims=True))[..., np.newaxis]

    train = shapes.make_shapes(400, seed=0, backgrounds=("plain",))
    test = shapes.make_shapes(200, seed=1, backgrounds=("plain",))
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((32, 32, 1))]
        + [
            layer
            for filters in (16, 32, 64)
            for layer in (
                keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
                keras.layers.MaxPooling2D(),
            )
        ]
        + [keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(distance_from_background(train.images), train.target, epochs=10, verbose=0)
    _, accuracy = model.evaluate(distance_from_background(test.images), test.target, verbose=0)

    assert accuracy > 0.5, f"held-out accuracy {accuracy:.2f} on 4 classes"


def test_importing_the_image_and_video_data_does_not_import_tensorflow():
    loaded = run_python(
        """
        import json, sys
        import dlcore.data.shapes, dlcore.data.motion, dlcore.data.vision
        dlcore.data.shapes.make_shapes(4)
        dlcore.data.motion.make_motion_clips(6, frames=2)
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )

    assert loaded == [], "the image and video data would wait for TensorFlow"
