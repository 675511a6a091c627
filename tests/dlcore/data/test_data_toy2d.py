"""Tests for dlcore.data.toy2d: the Playground's 2-D sets and input features."""

import math

import numpy as np
import pytest
from helpers import run_python
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from dlcore.data import toy2d

# (name, n_classes): every set with 2 classes, and the sets that take more with 3 and 5.
CASES = [
    ("circles", 2),
    ("circles", 3),
    ("circles", 5),
    ("xor", 2),
    ("gaussian", 2),
    ("gaussian", 3),
    ("gaussian", 5),
    ("spiral", 2),
    ("spiral", 3),
    ("spiral", 5),
    ("moons", 2),
]
CASE_IDS = [f"{name}-{n_classes}" for name, n_classes in CASES]


def test_toy_datasets_maps_names_to_functions():
    assert list(toy2d.TOY_DATASETS) == ["circles", "xor", "gaussian", "spiral", "moons"]
    for name, make in toy2d.TOY_DATASETS.items():
        assert make is getattr(toy2d, f"make_{name}")


@pytest.mark.parametrize("noise", [0.0, 0.3, 1.0])
@pytest.mark.parametrize(("name", "n_classes"), CASES, ids=CASE_IDS)
def test_sets_have_documented_shapes_dtypes_ranges_and_balance(name, n_classes, noise):
    bunch = toy2d.TOY_DATASETS[name](301, noise=noise, n_classes=n_classes, seed=0)

    assert bunch.data.shape == (301, 2), "data shape mismatch"
    assert bunch.data.dtype == np.float32
    assert bunch.target.shape == (301,), "target shape mismatch"
    assert bunch.target.dtype == np.int64
    assert np.all(np.abs(bunch.data) <= toy2d.EXTENT)
    counts = np.bincount(bunch.target)
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1, f"unbalanced classes: {counts}"
    assert bunch.target_names == [f"class {label}" for label in range(n_classes)]
    assert bunch.feature_names == ["x1", "x2"]
    assert isinstance(bunch.DESCR, str)
    assert "MLP" in bunch.DESCR
    assert f"Classes: {n_classes}" in bunch.DESCR


# Gaussian blobs have no edge: their tails pass the radius.
@pytest.mark.parametrize("name", ["circles", "xor", "spiral", "moons"])
def test_noise_free_sets_fill_the_radius_and_stay_inside_it(name):
    data = toy2d.TOY_DATASETS[name](2000, seed=0).data

    # Up to float32 rounding of the radius.
    assert np.all(np.abs(data) <= toy2d.RADIUS + 1e-5)
    assert np.abs(data).max() > 0.9 * toy2d.RADIUS


@pytest.mark.parametrize("name", list(toy2d.TOY_DATASETS))
def test_return_x_y_gives_the_bunch_arrays(name):
    bunch = toy2d.TOY_DATASETS[name](50, noise=0.1, seed=3)
    data, target = toy2d.TOY_DATASETS[name](50, noise=0.1, seed=3, return_X_y=True)

    np.testing.assert_array_equal(data, bunch.data)
    np.testing.assert_array_equal(target, bunch.target)


@pytest.mark.parametrize("name", list(toy2d.TOY_DATASETS))
def test_same_seed_repeats_and_another_seed_differs(name):
    make = toy2d.TOY_DATASETS[name]
    first, again, other = (make(100, noise=0.1, seed=seed) for seed in (7, 7, 8))

    np.testing.assert_array_equal(first.data, again.data)
    np.testing.assert_array_equal(first.target, again.target)
    assert not np.array_equal(first.data, other.data)


def test_make_functions_leave_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.random_sample()
    np.random.seed(123)
    for make in toy2d.TOY_DATASETS.values():
        make(20, seed=0)

    assert np.random.random_sample() == expected


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_noise_free_circles_are_separated_by_the_radius(n_classes):
    data, target = toy2d.make_circles(1000, n_classes=n_classes, seed=0, return_X_y=True)
    radii = np.hypot(data[:, 0], data[:, 1])
    width = toy2d.RADIUS / n_classes
    # Class k >= 1 lies in [(k + 0.4) w, (k + 1) w]: thresholds in the middle of the gaps.
    thresholds = (np.arange(1, n_classes) + 0.2) * width

    np.testing.assert_array_equal(np.digitize(radii, thresholds), target)
    if n_classes == 2:
        # Playground's circle: a disc of radius 2.5 inside a ring from 3.5 to 5.
        assert radii[target == 0].max() <= 2.5 + 1e-5
        assert radii[target == 1].min() >= 3.5 - 1e-5


def test_circle_noise_moves_points_at_most_noise_times_radius_per_axis():
    noise = 0.05
    data, target = toy2d.make_circles(1000, noise=noise, seed=0, return_X_y=True)
    radii = np.hypot(data[:, 0], data[:, 1])
    largest_move = noise * toy2d.RADIUS * math.sqrt(2.0) + 1e-5

    assert radii[target == 0].max() <= 2.5 + largest_move
    assert radii[target == 1].min() >= 3.5 - largest_move
    # The noise is really there: points leave the noise-free bands.
    assert radii[target == 0].max() > 2.5 or radii[target == 1].min() < 3.5


def test_noise_free_xor_class_is_the_sign_of_x1_times_x2():
    data, target = toy2d.make_xor(1000, seed=0, return_X_y=True)

    np.testing.assert_array_equal(target, (data[:, 0] * data[:, 1] < 0).astype(np.int64))
    # Playground's padding keeps points 0.3 from the axes, one pair of quadrants per class.
    assert np.abs(data).min() >= 0.3 - 1e-6
    for label in (0, 1):
        quadrants = {tuple(signs) for signs in np.sign(data[target == label]).astype(int)}
        assert len(quadrants) == 2


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_noise_free_gaussian_blobs_sit_on_their_centres(n_classes):
    bunch = toy2d.make_gaussian(3000, n_classes=n_classes, seed=0)
    angles = math.pi / 4 + 2 * math.pi * np.arange(n_classes) / n_classes
    expected_centers = 2 * math.sqrt(2) * np.column_stack([np.cos(angles), np.sin(angles)])

    np.testing.assert_allclose(bunch.centers, expected_centers, atol=1e-6)
    assert bunch.centers.dtype == np.float32
    for label in range(n_classes):
        points = bunch.data[bunch.target == label]
        np.testing.assert_allclose(points.mean(axis=0), expected_centers[label], atol=0.1)
        np.testing.assert_allclose(points.std(axis=0), math.sqrt(0.5), rtol=0.1)


def test_two_gaussian_blobs_are_playgrounds():
    centers = toy2d.make_gaussian(10, seed=0).centers

    np.testing.assert_allclose(centers, [[2.0, 2.0], [-2.0, -2.0]], atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_noise_free_spiral_points_lie_on_their_arms(n_classes):
    data, target = toy2d.make_spiral(600, n_classes=n_classes, seed=0, return_X_y=True)
    data = data.astype(np.float64)
    positions = np.hypot(data[:, 0], data[:, 1]) / toy2d.RADIUS
    expected_angles = 2 * math.pi * (1.75 * positions + target / n_classes)
    expected = (
        toy2d.RADIUS
        * positions[:, None]
        * np.column_stack([np.cos(expected_angles), np.sin(expected_angles)])
    )

    assert positions.max() <= 1.0 + 1e-6
    np.testing.assert_allclose(data, expected, atol=1e-4)


def test_noise_free_moons_lie_on_scaled_half_circles():
    data, target = toy2d.make_moons(400, seed=0, return_X_y=True)
    # Undo the centring and scaling back to scikit-learn's moons.
    moons = data.astype(np.float64) * 0.3 + [0.5, 0.25]
    upper, lower = moons[target == 0], moons[target == 1]

    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-5)
    assert np.all(upper[:, 1] >= -1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-5)
    assert np.all(lower[:, 1] <= 0.5 + 1e-6)


# Seen on seed 0, 400 points, noise 0.05, half held out: LogisticRegression scores 0.63
# (circles), 0.50 (xor), 0.61 (spiral), 1.0 (gaussian); the RBF SVC 0.97 to 1.0 everywhere.
LEARNABILITY_CASES = [
    # (name, n_classes, whether a straight line separates the classes)
    ("circles", 2, False),
    ("circles", 3, False),
    ("xor", 2, False),
    ("spiral", 2, False),
    ("spiral", 3, False),
    ("gaussian", 2, True),
    ("gaussian", 3, True),
    ("moons", 2, None),
]


def split_accuracy(model, data, target):
    """Accuracy on a held-out half of the points, after fitting on the other half."""
    train_x, test_x, train_y, test_y = train_test_split(
        data, target, test_size=0.5, random_state=0, stratify=target
    )
    return model.fit(train_x, train_y).score(test_x, test_y)


@pytest.mark.parametrize(
    ("name", "n_classes", "linear"),
    LEARNABILITY_CASES,
    ids=[f"{name}-{n_classes}" for name, n_classes, _ in LEARNABILITY_CASES],
)
def test_linear_model_fails_where_a_curved_boundary_is_needed(name, n_classes, linear):
    data, target = toy2d.TOY_DATASETS[name](
        400, noise=0.05, n_classes=n_classes, seed=0, return_X_y=True
    )

    linear_accuracy = split_accuracy(LogisticRegression(), data, target)
    curved_accuracy = split_accuracy(SVC(kernel="rbf", gamma=1.0, C=10.0), data, target)

    if linear is True:
        assert linear_accuracy > 0.95
    elif linear is False:
        assert linear_accuracy < 0.7
    assert curved_accuracy > 0.95


def test_mlp_learns_xor_that_logistic_regression_cannot():
    data, target = toy2d.make_xor(400, noise=0.05, seed=0, return_X_y=True)
    mlp = MLPClassifier((16, 16), max_iter=1000, random_state=0)

    assert split_accuracy(mlp, data, target) > 0.95
    assert split_accuracy(LogisticRegression(), data, target) < 0.7


@pytest.mark.parametrize(
    ("name", "features"),
    [("circles", ["x1^2", "x2^2"]), ("xor", ["x1*x2"])],
)
def test_the_right_features_make_a_set_linearly_separable(name, features):
    data, target = toy2d.TOY_DATASETS[name](400, noise=0.05, seed=0, return_X_y=True)

    accuracy = split_accuracy(LogisticRegression(), toy2d.feature_map(data, features), target)

    assert accuracy > 0.95


def test_feature_map_computes_playgrounds_features():
    data = np.array([[0.0, 0.0], [1.0, -2.0], [math.pi / 2, 3.0]])

    features = toy2d.feature_map(data, toy2d.FEATURE_NAMES)

    assert features.shape == (3, 7)
    assert features.dtype == np.float32
    x1, x2 = data[:, 0], data[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(features, expected, rtol=1e-6)
    np.testing.assert_allclose(
        features[2], [math.pi / 2, 3, math.pi**2 / 4, 9, 1.5 * math.pi, 1, math.sin(3)], rtol=1e-6
    )


def test_feature_map_keeps_the_requested_order_and_repeats():
    features = toy2d.feature_map([[2.0, 3.0]], ["x2", "x1*x2", "x2"])

    np.testing.assert_array_equal(features, [[3.0, 6.0, 3.0]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: toy2d.make_xor(10, n_classes=3), r"`make_xor` makes exactly 2 classes.*=3"),
        (lambda: toy2d.make_moons(10, n_classes=4), r"`make_moons` makes exactly 2 classes.*=4"),
        (lambda: toy2d.make_circles(10, n_classes=1), r"`n_classes` must be an integer >= 2"),
        (lambda: toy2d.make_spiral(10, n_classes=2.0), r"Received: n_classes=2\.0"),
        (lambda: toy2d.make_gaussian(2, n_classes=3), r"`n_samples` must be .*>= n_classes \(3\)"),
        (lambda: toy2d.make_circles(True), r"Received: n_samples=True"),
        (lambda: toy2d.make_circles(10, noise=1.5), r"`noise` must be a number in \[0, 1\]"),
        (lambda: toy2d.make_xor(10, noise=-0.1), r"Received: noise=-0\.1"),
        (lambda: toy2d.feature_map([[0.0, 0.0]], ["x3"]), r"Unknown feature 'x3'.*x1, x2, x1\^2"),
        (lambda: toy2d.feature_map([[0.0, 0.0]], []), r"non-empty list of feature names"),
        (lambda: toy2d.feature_map([[0.0, 0.0]], "x1"), r"non-empty list of feature names"),
        (lambda: toy2d.feature_map([0.0, 0.0], ["x1"]), r"shape \(n_samples, 2\).*\(2,\)"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_the_data_generators_does_not_import_tensorflow():
    loaded = run_python(
        """
        import json, sys
        import dlcore.data.toy2d, dlcore.data.gan_targets, dlcore.data.timeseries
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )

    assert loaded == [], "the Playground, GAN and Sequences data would wait for TensorFlow"
