"""Two-dimensional loss surfaces on which the Optimizers page runs the Keras optimizers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

SURFACE_NAMES = ("bowl", "ravine", "rosenbrock", "saddle", "beale")
"""The surfaces this module defines, in the order the page offers them."""


def _bowl(x: Any, y: Any) -> Any:
    return x**2 + y**2


def _ravine(x: Any, y: Any) -> Any:
    return 0.1 * x**2 + 10.0 * y**2


def _rosenbrock(x: Any, y: Any) -> Any:
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _saddle(x: Any, y: Any) -> Any:
    return x**2 - y**2


def _beale(x: Any, y: Any) -> Any:
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


@dataclasses.dataclass(frozen=True)
class Surface:
    """A loss surface f(x, y) and the view of it that makes a good demo.

    Attributes:
        name: The key in `SURFACES`, e.g. `"rosenbrock"`.
        title: The name to display, e.g. `"Rosenbrock's banana"`.
        formula: f(x, y) as a LaTeX string, for `st.latex`.
        function: f itself. It uses only `+`, `-`, `*` and `**`, so the same Python
            function evaluates NumPy arrays (for drawing) and TensorFlow tensors (which
            `dlcore.concepts.optimizers` differentiates): the surface drawn is the surface
            optimized.
        x_range: `(x_min, x_max)`, the part of the x axis to draw.
        y_range: `(y_min, y_max)`, the part of the y axis to draw.
        start: `(x, y)`, a starting point from which the optimizers differ visibly.
        minimum: `(x, y)` of the global minimum, or `None` where f has no minimum.
        saddle_point: `(x, y)` of the saddle point to mark, or `None`.
        default_learning_rate: A good first setting for the page's learning rate: the
            optimizers differ visibly in 300 steps and, where f has a minimum, none
            diverges. No single rate suits all seven; the page invites changing it.
        description: One or two plain sentences on what the surface shows.
    """

    name: str
    title: str
    formula: str
    function: Callable[[Any, Any], Any] = dataclasses.field(repr=False)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float] | None
    saddle_point: tuple[float, float] | None
    default_learning_rate: float
    description: str


SURFACES: dict[str, Surface] = {
    surface.name: surface
    for surface in (
        Surface(
            name="bowl",
            title="Bowl",
            formula=r"f(x, y) = x^2 + y^2",
            function=_bowl,
            x_range=(-3.0, 3.0),
            y_range=(-3.0, 3.0),
            start=(-2.5, 2.0),
            minimum=(0.0, 0.0),
            saddle_point=None,
            default_learning_rate=0.05,
            description=(
                "A round bowl: the gradient points straight at the minimum, so every "
                "optimizer gets there and they differ only in speed and overshoot."
            ),
        ),
        Surface(
            name="ravine",
            title="Ravine",
            formula=r"f(x, y) = 0.1\,x^2 + 10\,y^2",
            function=_ravine,
            x_range=(-10.0, 10.0),
            y_range=(-3.0, 3.0),
            start=(-9.0, 2.0),
            minimum=(0.0, 0.0),
            saddle_point=None,
            default_learning_rate=0.06,
            description=(
                "A long narrow valley, 100 times steeper across than along. The steep "
                "direction caps SGD's learning rate (above 0.1 it diverges, near 0.1 it "
                "zig-zags), and at that rate it crawls along the flat one. Momentum gains "
                "speed along the valley but swings across it; the adaptive optimizers "
                "scale each coordinate separately and head down the valley."
            ),
        ),
        Surface(
            name="rosenbrock",
            title="Rosenbrock's banana",
            formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            function=_rosenbrock,
            x_range=(-2.0, 2.0),
            y_range=(-1.0, 3.0),
            start=(-1.5, 2.0),
            minimum=(1.0, 1.0),
            saddle_point=None,
            default_learning_rate=0.001,
            description=(
                "A curved, flat-bottomed valley: finding the valley is easy, following its "
                "bend to the minimum at (1, 1) is slow. From a learning rate of about "
                "0.002 the momentum methods, then SGD, bounce off the steep walls and diverge."
            ),
        ),
        Surface(
            name="saddle",
            title="Saddle",
            formula=r"f(x, y) = x^2 - y^2",
            function=_saddle,
            x_range=(-2.0, 2.0),
            y_range=(-2.0, 2.0),
            start=(-1.8, 0.001),
            minimum=None,
            saddle_point=(0.0, 0.0),
            default_learning_rate=0.01,
            description=(
                "Uphill along y, downhill along x, no minimum at all. Starting just off the "
                "ridge y = 0, the gradient along y is tiny: SGD lingers near the saddle "
                "point, while Adam and RMSprop, which rescale small gradients, escape fast."
            ),
        ),
        Surface(
            name="beale",
            title="Beale",
            formula=(r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
            function=_beale,
            x_range=(-4.5, 4.5),
            y_range=(-4.5, 4.5),
            start=(1.0, 1.5),
            minimum=(3.0, 0.5),
            saddle_point=None,
            default_learning_rate=0.005,
            description=(
                "Flat plateaus next to walls that rise like y^6: gradients range over many "
                "orders of magnitude, which is where per-coordinate step sizes pay off."
            ),
        ),
    )
}


def surface_values(name: str, x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Evaluates a surface f(x, y) elementwise.

    Args:
        name: One of `SURFACE_NAMES`.
        x: The x coordinates, a number or an array.
        y: The y coordinates, a number or an array that broadcasts with `x`.

    Returns:
        A float64 array of the broadcast shape of `x` and `y`.

    Raises:
        ValueError: If `name` is unknown or `x` and `y` do not broadcast.

    Example:

    >>> surface_values("rosenbrock", [1.0, 0.0], [1.0, 0.0])
    array([0., 1.])
    """
    surface = get_surface(name)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    try:
        x, y = np.broadcast_arrays(x, y)
    except ValueError as error:
        raise ValueError(
            "`x` and `y` must have shapes that broadcast together. "
            f"Received: x with shape {x.shape}, y with shape {y.shape}."
        ) from error
    return np.asarray(surface.function(x, y), dtype=np.float64)


def surface_grid(name: str, *, n_points: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples a surface on a regular grid over its `x_range` and `y_range`, for contours.

    Args:
        name: One of `SURFACE_NAMES`.
        n_points: `int` >= 2, the number of samples along each axis. Defaults to `200`.

    Returns:
        `(xs, ys, zs)`: `xs` and `ys` are float64 arrays of shape `(n_points,)`, evenly
        spaced over the ranges (ends included); `zs` is a float64 array of shape
        `(n_points, n_points)` with `zs[row, column] = f(xs[column], ys[row])`, the
        layout `plotly.graph_objects.Contour` expects.

    Raises:
        ValueError: If `name` is unknown or `n_points` < 2.

    Example:

    >>> xs, ys, zs = surface_grid("bowl", n_points=3)
    >>> zs
    array([[18.,  9., 18.],
           [ 9.,  0.,  9.],
           [18.,  9., 18.]])
    """
    surface = get_surface(name)
    is_integer = isinstance(n_points, int | np.integer) and not isinstance(n_points, bool)
    if not (is_integer and n_points >= 2):
        raise ValueError(f"`n_points` must be an integer >= 2. Received: n_points={n_points!r}.")
    xs = np.linspace(*surface.x_range, n_points)
    ys = np.linspace(*surface.y_range, n_points)
    zs = surface_values(name, xs[np.newaxis, :], ys[:, np.newaxis])
    return xs, ys, zs


def get_surface(name: str) -> Surface:
    """Returns the `Surface` called `name`.

    Args:
        name: One of `SURFACE_NAMES`.

    Returns:
        The `Surface` from `SURFACES`.

    Raises:
        ValueError: If `name` is unknown.

    Example:

    >>> get_surface("rosenbrock").minimum
    (1.0, 1.0)
    """
    if name not in SURFACES:
        raise ValueError(
            f"`name` must be one of {', '.join(SURFACE_NAMES)}. Received: name={name!r}."
        )
    return SURFACES[name]
