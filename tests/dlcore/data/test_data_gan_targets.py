"""Tests for dlcore.data.gan_targets: the GAN page's targets and its two measures of fit."""

import math

import numpy as np
import pytest

from dlcore.data import gan_targets

# (name, shape of `modes` with the defaults, or None)
TARGETS = [("ring", (8, 2)), ("spiral", None), ("moons", None), ("grid", (25, 2))]


def test_gan_targets_maps_names_to_functions():
    functions = {
        "ring": gan_targets.make_ring,
        "spiral": gan_targets.make_gan_spiral,
        "moons": gan_targets.make_gan_moons,
        "grid": gan_targets.make_grid,
    }

    assert list(gan_targets.GAN_TARGETS.items()) == list(functions.items())


@pytest.mark.parametrize(("name", "modes_shape"), TARGETS)
def test_targets_have_documented_shapes_dtypes_and_ranges(name, modes_shape):
    bunch = gan_targets.GAN_TARGETS[name](501, seed=0)

    assert bunch.data.shape == (501, 2), "data shape mismatch"
    assert bunch.data.dtype == np.float32
    assert np.all(np.abs(bunch.data) < 2.5)
    if modes_shape is None:
        assert bunch.modes is None
    else:
        assert bunch.modes.shape == modes_shape
        assert bunch.modes.dtype == np.float32
    assert isinstance(bunch.DESCR, str)
    assert "Samples: 501" in bunch.DESCR


@pytest.mark.parametrize("name", list(gan_targets.GAN_TARGETS))
def test_same_seed_repeats_and_another_seed_differs(name):
    make = gan_targets.GAN_TARGETS[name]
    first, again, other = (make(200, seed=seed) for seed in (5, 5, 6))

    np.testing.assert_array_equal(first.data, again.data)
    assert not np.array_equal(first.data, other.data)


def test_ring_modes_are_evenly_spaced_on_the_circle():
    modes = gan_targets.make_ring(10, n_modes=6, radius=1.5, seed=0).modes.astype(np.float64)
    angles = np.arctan2(modes[:, 1], modes[:, 0]) % (2 * math.pi)

    np.testing.assert_allclose(np.hypot(modes[:, 0], modes[:, 1]), 1.5, rtol=1e-6)
    np.testing.assert_allclose(angles, 2 * math.pi * np.arange(6) / 6, atol=1e-6)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_points_share_the_modes_equally_at_the_given_spread(name):
    spread = 0.04
    bunch = gan_targets.GAN_TARGETS[name](5003, spread=spread, seed=0)
    data, modes = bunch.data.astype(np.float64), bunch.modes.astype(np.float64)
    distances = np.linalg.norm(data[:, None, :] - modes[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    counts = np.bincount(nearest, minlength=len(modes))
    offsets = data - modes[nearest]

    assert counts.max() - counts.min() <= 1, f"unequal shares: {counts}"
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=0.005)
    np.testing.assert_allclose(offsets.std(axis=0), spread, rtol=0.05)


def test_grid_modes_form_a_centred_square_grid():
    modes = gan_targets.make_grid(10, n_per_side=3, spacing=0.5, seed=0).modes

    expected = [(x1, x2) for x2 in (-0.5, 0.0, 0.5) for x1 in (-0.5, 0.0, 0.5)]
    np.testing.assert_allclose(modes, expected, atol=1e-7)


def test_spiral_without_spread_lies_on_the_arm():
    data = gan_targets.make_gan_spiral(500, turns=1.25, radius=2.0, spread=0.0, seed=0).data
    data = data.astype(np.float64)
    positions = np.hypot(data[:, 0], data[:, 1]) / 2.0
    angles = 2 * math.pi * 1.25 * positions
    expected = 2.0 * positions[:, None] * np.column_stack([np.cos(angles), np.sin(angles)])

    assert positions.max() <= 1.0 + 1e-6
    np.testing.assert_allclose(data, expected, atol=1e-5)
    # Square-root positions: about as many points on the outer half of the arm's length
    # (t > 1 / sqrt(2)) as on the inner half.
    assert 0.4 < np.mean(positions > 1 / math.sqrt(2)) < 0.6


def test_moons_without_spread_lie_on_the_half_circles_half_on_each():
    data = gan_targets.make_gan_moons(400, spread=0.0, seed=0).data.astype(np.float64)
    # Undo the centring and scaling back to scikit-learn's moons.
    moons = data * 0.75 + [0.5, 0.25]
    on_upper = np.isclose(np.hypot(moons[:, 0], moons[:, 1]), 1.0, atol=1e-5) & (
        moons[:, 1] >= -1e-6
    )
    on_lower = np.isclose(np.hypot(moons[:, 0] - 1.0, moons[:, 1] - 0.5), 1.0, atol=1e-5) & (
        moons[:, 1] <= 0.5 + 1e-6
    )

    assert np.all(on_upper | on_lower)
    assert on_upper.sum() == 200
    np.testing.assert_allclose(data.min(axis=0), [-2.0, -1.0], atol=0.05)
    np.testing.assert_allclose(data.max(axis=0), [2.0, 1.0], atol=0.05)


def test_sliced_wasserstein_is_zero_for_identical_clouds_in_any_order():
    points = gan_targets.make_ring(300, seed=0).data
    shuffled = np.random.default_rng(0).permutation(points)

    assert gan_targets.sliced_wasserstein(points, points) == 0.0
    assert gan_targets.sliced_wasserstein(points, shuffled) == pytest.approx(0.0, abs=1e-12)


def test_sliced_wasserstein_of_a_shift_is_two_over_pi_times_its_length():
    points = gan_targets.make_grid(400, seed=0).data
    distances = [
        gan_targets.sliced_wasserstein(points, points + shift)
        for shift in ([0.1, 0.0], [0.0, 0.5], [0.6, 0.8], [2.0, 0.0])
    ]

    # The mean of |d . u| over unit directions u is 2 |d| / pi.
    np.testing.assert_allclose(distances, np.array([0.1, 0.5, 1.0, 2.0]) * 2 / math.pi, rtol=1e-3)
    assert distances == sorted(distances)


def test_sliced_wasserstein_is_symmetric_and_reproducible():
    ring = gan_targets.make_ring(300, seed=0).data
    moons = gan_targets.make_gan_moons(200, seed=0).data

    forward = gan_targets.sliced_wasserstein(ring, moons, seed=3)

    assert forward == gan_targets.sliced_wasserstein(moons, ring, seed=3)
    assert forward == gan_targets.sliced_wasserstein(ring, moons, seed=3)
    assert forward > 0.1


def test_sliced_wasserstein_compares_clouds_of_different_sizes():
    ring = gan_targets.make_ring(400, seed=0).data
    twice = np.concatenate([ring, ring])
    other_ring = gan_targets.make_ring(150, seed=1).data
    grid = gan_targets.make_grid(400, seed=0).data

    # Every point twice is the same distribution; only the interpolation differs.
    assert gan_targets.sliced_wasserstein(ring, twice) < 0.01
    assert gan_targets.sliced_wasserstein(ring, other_ring) < 0.05
    assert gan_targets.sliced_wasserstein(ring, grid) > 0.2


def test_sliced_wasserstein_falls_as_a_cloud_moves_towards_the_target():
    """What the GAN test relies on: points closer to the target score lower."""
    target = gan_targets.make_ring(500, seed=0).data
    # An untrained generator's output: a small blob away from the ring.
    start = np.random.default_rng(1).normal([3.0, 1.0], 0.3, size=(500, 2))
    # Blend from the blob (fraction 0) to another sample of the target (fraction 1).
    sample = gan_targets.make_ring(500, seed=2).data
    distances = [
        gan_targets.sliced_wasserstein((1 - fraction) * start + fraction * sample, target)
        for fraction in (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)
    ]

    assert distances == sorted(distances, reverse=True)


def test_mode_coverage_counts_the_modes_reached():
    modes = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

    assert gan_targets.mode_coverage(modes, modes, radius=0.1) == 1.0
    assert gan_targets.mode_coverage(modes[:3] + 0.05, modes, radius=0.1) == 0.75
    assert gan_targets.mode_coverage([[0.5, 0.5]], modes, radius=0.1) == 0.0
    # One point halfway between the modes reaches all four with a wide enough radius.
    assert gan_targets.mode_coverage([[0.5, 0.5]], modes, radius=0.75) == 1.0
    # The radius is inclusive.
    assert gan_targets.mode_coverage([[0.0, 0.5]], modes, radius=0.5) == 0.5
    assert gan_targets.mode_coverage(np.empty((0, 2)), modes, radius=0.1) == 0.0


def test_mode_coverage_is_full_on_the_target_and_low_after_collapse():
    ring = gan_targets.make_ring(1000, spread=0.05, seed=0)
    collapsed = ring.modes[2] + np.random.default_rng(0).normal(0.0, 0.05, size=(1000, 2))
    grid = gan_targets.make_grid(10_000, seed=0)

    assert gan_targets.mode_coverage(ring.data, ring.modes, radius=0.15) == 1.0
    assert gan_targets.mode_coverage(collapsed, ring.modes, radius=0.15) == 1 / 8
    # More points than one chunk of the distance computation.
    assert gan_targets.mode_coverage(grid.data, grid.modes, radius=0.15) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gan_targets.make_ring(0), r"`n_samples` must be an integer >= 1.*=0"),
        (lambda: gan_targets.make_ring(10, n_modes=0), r"`n_modes` must be .*n_modes=0"),
        (lambda: gan_targets.make_ring(10, radius=-1.0), r"`radius` must be a number > 0"),
        (lambda: gan_targets.make_grid(10, n_per_side=2.5), r"Received: n_per_side=2\.5"),
        (lambda: gan_targets.make_grid(10, spacing=0), r"`spacing` must be a number > 0"),
        (lambda: gan_targets.make_gan_spiral(10, turns=0.0), r"`turns` must be a number > 0"),
        (lambda: gan_targets.make_gan_moons(10, spread=-0.1), r"`spread` must be .*=-0\.1"),
        (
            lambda: gan_targets.sliced_wasserstein(np.zeros((3, 3)), np.zeros((3, 2))),
            r"`a` must be a point cloud of shape \(n, 2\).*\(3, 3\)",
        ),
        (
            lambda: gan_targets.sliced_wasserstein(np.zeros((3, 2)), np.empty((0, 2))),
            r"`b` must be a point cloud .*n >= 1.*\(0, 2\)",
        ),
        (
            lambda: gan_targets.sliced_wasserstein([[np.nan, 0.0]], [[0.0, 0.0]]),
            r"`a` holds NaN or infinite values",
        ),
        (
            lambda: gan_targets.sliced_wasserstein(
                np.zeros((3, 2)), np.zeros((3, 2)), n_projections=0
            ),
            r"`n_projections` must be an integer >= 1",
        ),
        (
            lambda: gan_targets.mode_coverage(np.zeros((3, 2)), None, radius=0.1),
            r"`modes` is None: this target has no separate modes",
        ),
        (
            lambda: gan_targets.mode_coverage(np.zeros((3, 2)), np.zeros((2, 2)), radius=0.0),
            r"`radius` must be a number > 0.*radius=0\.0",
        ),
        (
            lambda: gan_targets.mode_coverage(np.zeros(3), np.zeros((2, 2)), radius=0.1),
            r"`points` must be a point cloud of shape \(n, 2\)",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
