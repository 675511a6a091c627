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
        ({"strokes": "hand"}, r"strokes=\('hand',\)\. Received: strokes='hand'"),
        ({"strokes": ("pen",)}, r"one or more of clean, hand\. Received: strokes=\('pen',\)"),
        ({"line_widths": (0.2, 0.1)}, r"0\.02 <= low <= high <= 0\.3.*\(0\.2, 0\.1\)"),
        ({"line_widths": (0.01, 0.1)}, r"line_widths=\(0\.01, 0\.1\)"),
        ({"line_widths": 0.1}, r"pair \(low, high\).*Received: line_widths=0\.1"),
        ({"cut": 0.5}, r"`cut` must be a number from 0 to 0\.4.*Received: cut=0\.5"),
        ({"cut": -0.1}, r"cut=-0\.1"),
        ({"cut": True}, r"cut=True"),
    ],
)
def test_bad_arguments_raise_clear_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        shapes.make_shapes(**{"n_samples": 4, **arguments})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_per_variant": 0}, r"`n_per_variant` must be an integer >= 1"),
        ({"variants": ("blur",)}, r"one or more of hand, thin, thick, photo, cut"),
        ({"variants": "cut"}, r"variants=\('cut',\)"),
    ],
)
def test_robustness_set_bad_arguments_raise_clear_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        shapes.robustness_set(**{"n_per_variant": 2, **arguments})


def test_defaults_draw_clean_shapes_inside_the_frame():
    bunch = shapes.make_shapes(40, seed=0)

    assert set(bunch.stroke) == {"clean"}
    assert bunch.cut.dtype == np.float32 and bunch.cut.shape == (40,)
    assert (bunch.cut == 0).all()


def test_one_stroke_keeps_the_images_of_the_defaults():
    # Pages and bundled samples drawn before strokes existed stay the same images.
    default = shapes.make_shapes(30, seed=4)
    named = shapes.make_shapes(30, seed=4, strokes=["clean"], line_widths=(0.08, 0.14), cut=0)

    np.testing.assert_array_equal(default.images, named.images)


def test_strokes_option_mixes_clean_and_hand_drawn_shapes():
    bunch = shapes.make_shapes(200, seed=0, strokes=("clean", "hand"))

    assert set(bunch.stroke) == {"clean", "hand"}
    assert 0.35 < (bunch.stroke == "hand").mean() < 0.65
    assert "strokes: clean" in bunch.DESCR and "hand" in bunch.DESCR


def test_hand_strokes_wobble_where_clean_ones_are_straight():
    # The same shapes (same seed) drawn both ways: the outlines differ, and a hand-drawn
    # square's border is less straight, so its filled area leaves more of its best box.
    clean = shapes.make_shapes(120, image_size=64, seed=6, backgrounds=("plain",))
    hand = shapes.make_shapes(120, image_size=64, seed=6, backgrounds=("plain",), strokes=("hand",))
    np.testing.assert_array_equal(clean.target, hand.target)
    clean_masks, hand_masks = plain_masks(clean.images), plain_masks(hand.images)
    changed = np.abs(clean_masks - hand_masks).mean(axis=(1, 2))
    squares = (clean.target == 1) & clean.filled

    assert np.median(changed) > 0.02, "hand strokes should move the outlines"
    clean_ratio = np.median([fill_ratio(mask) for mask in clean_masks[squares]])
    hand_ratio = np.median([fill_ratio(mask) for mask in hand_masks[squares]])
    assert clean_ratio > 0.9 and hand_ratio < clean_ratio - 0.02


def test_line_widths_set_how_much_an_outline_covers():
    common = {"image_size": 64, "seed": 7, "backgrounds": ("plain",)}
    thin = shapes.make_shapes(80, line_widths=(0.03, 0.04), **common)
    thick = shapes.make_shapes(80, line_widths=(0.22, 0.25), **common)
    outlined = ~thin.filled
    thin_area = plain_masks(thin.images)[outlined].sum(axis=(1, 2))
    thick_area = plain_masks(thick.images)[outlined].sum(axis=(1, 2))

    assert np.median(thick_area / thin_area) > 3.0


def test_cut_shapes_reach_past_the_frame_and_touch_its_border():
    size = 64
    bunch = shapes.make_shapes(200, image_size=size, seed=8, backgrounds=("plain",), cut=0.3)
    masks = plain_masks(bunch.images)
    border = np.stack([masks[:, 0], masks[:, -1], masks[:, :, 0], masks[:, :, -1]], axis=1)
    # Pixels of the edge row or column that the shape covers fully.
    covered = (border > 0.9).sum(axis=2).max(axis=1)

    assert 0.3 < (bunch.cut > 0).mean() < 0.95
    assert bunch.cut.max() <= 0.3 + 1e-6
    assert (covered[bunch.cut > 0.1] >= 2).all(), "a shape cut by 10 % must cross the border"
    assert f"cut by the frame: {int((bunch.cut > 0).sum())}" in bunch.DESCR


def test_robustness_set_pictures_variants_and_balance():
    pictures, targets = shapes.robustness_set(8, seed=0)

    assert len(pictures) == len(targets) == 8 * len(shapes.ROBUSTNESS_VARIANTS)
    assert targets.dtype == np.int64
    for start in range(0, len(targets), 8):
        assert np.bincount(targets[start : start + 8], minlength=4).tolist() == [2, 2, 2, 2]
    for picture in pictures:
        assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3
        assert picture.shape[0] == picture.shape[1] and 48 <= picture.shape[0] <= 160
    again, _ = shapes.robustness_set(8, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(pictures, again, strict=True))


def test_robustness_set_variants_are_chosen_by_name():
    cut, cut_targets = shapes.robustness_set(6, variants=("cut",), seed=1)
    full, full_targets = shapes.robustness_set(6, seed=1)

    assert len(cut) == 6 and np.bincount(cut_targets, minlength=4).max() == 2
    assert len(full) == 30 and len(full_targets) == 30


def test_robustness_photos_are_never_training_backgrounds():
    assert not set(shapes.ROBUSTNESS_PHOTOS) & set(shapes._PHOTO_NAMES)


def test_robustness_cut_shapes_cross_the_border_and_thick_ones_cover_more():
    def ink_share(picture, region):
        luma = picture.astype(np.float32) @ LUMA / 255
        # Paper and photos vary; the ink is the far side of the picture's median luma.
        return (np.abs(luma[region] - np.median(luma)) > 0.3).mean()

    cut, _ = shapes.robustness_set(20, variants=("cut",), seed=2)
    thin, _ = shapes.robustness_set(20, variants=("thin",), seed=2)
    thick, _ = shapes.robustness_set(20, variants=("thick",), seed=2)
    edges = [
        max(ink_share(picture, np.s_[edge]) for edge in (0, -1))
        + max(ink_share(picture, np.s_[:, edge]) for edge in (0, -1))
        for picture in cut
    ]
    everywhere = np.s_[:, :]

    assert np.mean(np.array(edges) > 0.05) > 0.8
    assert np.median([ink_share(p, everywhere) for p in thick]) > 3 * np.median(
        [ink_share(p, everywhere) for p in thin]
    )


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
