"""Tests for dlcore.concepts.surfaces: known values, minima, broadcasting, the grid's layout."""

import dataclasses

import numpy as np
import pytest

from dlcore.concepts import surfaces

# (name, x, y, f(x, y)) worked out by hand from each formula.
KNOWN_VALUES = [
    ("bowl", 3.0, 4.0, 25.0),
    ("ravine", 1.0, 1.0, 10.1),
    ("ravine", -10.0, 0.5, 12.5),
    ("rosenbrock", 0.0, 0.0, 1.0),
    ("rosenbrock", -1.0, 2.0, 4.0 + 100.0),
    ("saddle", 1.0, 2.0, -3.0),
    ("beale", 0.0, 0.0, 1.5**2 + 2.25**2 + 2.625**2),
    ("beale", 1.0, 1.0, 1.5**2 + 2.25**2 + 2.625**2),
]

SURFACES_WITH_MINIMUM = [name for name in surfaces.SURFACE_NAMES if name != "saddle"]


def central_difference_gradient(name, x, y, *, step=1e-6):
    """(df/dx, df/dy) by central differences of the NumPy surface."""
    df_dx = surfaces.surface_values(name, x + step, y) - surfaces.surface_values(name, x - step, y)
    df_dy = surfaces.surface_values(name, x, y + step) - surfaces.surface_values(name, x, y - step)
    return np.array([df_dx, df_dy]) / (2 * step)


def test_surfaces_are_listed_in_order_with_their_names():
    assert tuple(surfaces.SURFACES) == surfaces.SURFACE_NAMES
    assert set(surfaces.SURFACE_NAMES) == {"bowl", "ravine", "rosenbrock", "saddle", "beale"}
    for name, surface in surfaces.SURFACES.items():
        assert surface.name == name
        assert surface.title
        assert surface.formula.startswith("f(x, y) =")
        assert surface.description
        assert surface.default_learning_rate > 0


@pytest.mark.parametrize("name", surfaces.SURFACE_NAMES)
def test_start_and_marked_points_lie_in_the_view(name):
    surface = surfaces.SURFACES[name]
    marked = [point for point in (surface.minimum, surface.saddle_point) if point is not None]
    assert len(marked) == 1, "each surface marks exactly one minimum or saddle point"
    for x, y in [surface.start, *marked]:
        assert surface.x_range[0] < x < surface.x_range[1]
        assert surface.y_range[0] < y < surface.y_range[1]


@pytest.mark.parametrize(("name", "x", "y", "expected"), KNOWN_VALUES)
def test_surface_values_match_hand_computed_values(name, x, y, expected):
    assert float(surfaces.surface_values(name, x, y)) == pytest.approx(expected)


@pytest.mark.parametrize("name", SURFACES_WITH_MINIMUM)
def test_minimum_is_zero_flat_and_lowest_on_the_grid(name):
    x, y = surfaces.SURFACES[name].minimum

    assert float(surfaces.surface_values(name, x, y)) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(central_difference_gradient(name, x, y), 0.0, atol=1e-6)
    _, _, zs = surfaces.surface_grid(name, n_points=101)
    assert zs.min() >= 0.0


def test_saddle_is_flat_at_its_saddle_point_and_starts_just_off_the_ridge():
    saddle = surfaces.SURFACES["saddle"]
    x, y = saddle.saddle_point

    assert saddle.minimum is None
    np.testing.assert_allclose(central_difference_gradient("saddle", x, y), 0.0, atol=1e-9)
    # Downhill both ways along y: f(0, y) < f(0, 0) for y != 0.
    assert surfaces.surface_values("saddle", 0.0, 0.5) < surfaces.surface_values("saddle", x, y)
    # Off the ridge y = 0, but by so little that escaping takes many steps.
    assert 0 < abs(saddle.start[1]) < 0.01


def test_ravine_is_ill_conditioned():
    # The curvatures along x and y, f_xx and f_yy, differ by a factor of 100.
    step = 1e-3
    f = surfaces.surface_values
    f_xx = (f("ravine", step, 0.0) - 2 * f("ravine", 0.0, 0.0) + f("ravine", -step, 0.0)) / step**2
    f_yy = (f("ravine", 0.0, step) - 2 * f("ravine", 0.0, 0.0) + f("ravine", 0.0, -step)) / step**2

    assert f_yy / f_xx == pytest.approx(100.0)


@pytest.mark.parametrize("name", surfaces.SURFACE_NAMES)
def test_surface_values_broadcast_and_return_float64(name):
    x = np.linspace(-1.0, 1.0, 3)[:, np.newaxis]
    y = np.linspace(-0.5, 0.5, 4)

    values = surfaces.surface_values(name, x, y)

    assert values.shape == (3, 4)
    assert values.dtype == np.float64
    assert surfaces.surface_values(name, 0.5, 0.25).shape == ()
    np.testing.assert_array_equal(values[2, 1], surfaces.surface_values(name, x[2, 0], y[1]))


@pytest.mark.parametrize("name", surfaces.SURFACE_NAMES)
def test_surface_grid_covers_the_view_in_plotly_layout(name):
    surface = surfaces.SURFACES[name]

    xs, ys, zs = surfaces.surface_grid(name, n_points=7)

    assert xs.shape == ys.shape == (7,)
    assert zs.shape == (7, 7)
    assert (xs[0], xs[-1]) == surface.x_range
    assert (ys[0], ys[-1]) == surface.y_range
    # Rows follow y and columns follow x, as plotly.graph_objects.Contour reads z.
    assert zs[1, 5] == surfaces.surface_values(name, xs[5], ys[1])
    assert zs[5, 1] == surfaces.surface_values(name, xs[1], ys[5])


def test_surface_grid_defaults_to_200_points():
    xs, ys, zs = surfaces.surface_grid("bowl")

    assert xs.shape == ys.shape == (200,)
    assert zs.shape == (200, 200)


def test_get_surface_returns_the_dataclass():
    surface = surfaces.get_surface("rosenbrock")

    assert surface is surfaces.SURFACES["rosenbrock"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        surface.start = (0.0, 0.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: surfaces.surface_values("himmelblau", 0.0, 0.0),
            r"`name` must be one of bowl, ravine, rosenbrock, saddle, beale. "
            r"Received: name='himmelblau'",
        ),
        (lambda: surfaces.surface_grid("Bowl"), r"Received: name='Bowl'"),
        (lambda: surfaces.get_surface(""), r"Received: name=''"),
        (
            lambda: surfaces.surface_values("bowl", [1.0, 2.0], [1.0, 2.0, 3.0]),
            r"`x` and `y` must have shapes that broadcast.*x with shape \(2,\), "
            r"y with shape \(3,\)",
        ),
        (
            lambda: surfaces.surface_grid("bowl", n_points=1),
            r"`n_points` must be an integer >= 2. Received: n_points=1",
        ),
        (
            lambda: surfaces.surface_grid("bowl", n_points=10.5),
            r"Received: n_points=10.5",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
