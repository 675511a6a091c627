"""Two-dimensional target distributions for the GAN page, and measures of how well a GAN fits them.

The targets lie within about [-2.5, 2.5] on each axis. `sliced_wasserstein` says how far a
generated point cloud is from the target, and `mode_coverage` how many of the target's
modes it reaches: a GAN that collapses onto a few modes scores low on coverage.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import Bunch


def make_ring(
    n_samples: int = 1000,
    *,
    n_modes: int = 8,
    radius: float = 2.0,
    spread: float = 0.05,
    seed: int | None = 0,
) -> Bunch:
    """Samples a ring of Gaussian modes, the classic test of mode collapse (as in GAN Lab).

    The modes are evenly spaced on a circle, the first at angle 0. Each point belongs to
    one mode (the modes get equal shares, differing by at most 1) and is drawn from a round
    Gaussian around it.

    Args:
        n_samples: `int` >= 1, the number of points. Defaults to `1000`.
        n_modes: `int` >= 1, the number of Gaussians. Defaults to `8`.
        radius: `float` > 0, the distance of the modes from the origin. Defaults to `2.0`.
        spread: `float` >= 0, the standard deviation of each Gaussian on each axis.
            Defaults to `0.05`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.

    Returns:
        A `Bunch` with `data` (float32, shape `(n_samples, 2)`), `modes` (float32, shape
        `(n_modes, 2)`, the centres of the Gaussians) and `DESCR` (str).

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> ring = make_ring(100, n_modes=4, seed=0)
    >>> ring.data.shape, ring.modes.shape, np.linalg.norm(ring.modes, axis=1).tolist()
    ((100, 2), (4, 2), [2.0, 2.0, 2.0, 2.0])
    """
    _check_count("n_samples", n_samples)
    _check_count("n_modes", n_modes)
    _check_positive("radius", radius)
    _check_spread(spread)
    rng = np.random.default_rng(seed)
    angles = 2.0 * math.pi * np.arange(n_modes) / n_modes
    modes = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    description = (
        f"{n_modes} round Gaussians (standard deviation {spread:g}) evenly spaced on a "
        f"circle of radius {radius:g}. The generator must spread its output over every "
        "mode; one that collapses onto a few modes fools the discriminator for a while, "
        "then jumps to other modes, and the coverage of the modes stays low."
    )
    return _gaussian_mixture(n_samples, modes, spread, rng, "Ring", description)


def make_grid(
    n_samples: int = 1000,
    *,
    n_per_side: int = 5,
    spacing: float = 1.0,
    spread: float = 0.05,
    seed: int | None = 0,
) -> Bunch:
    """Samples a square grid of Gaussian modes centred on the origin.

    The modes lie at `(i - (n_per_side - 1) / 2) * spacing` on each axis: with the defaults,
    at -2, -1, 0, 1, 2, a 5 x 5 grid of 25 modes. Each point belongs to one mode (the
    modes get equal shares, differing by at most 1) and is drawn from a round Gaussian
    around it.

    Args:
        n_samples: `int` >= 1, the number of points. Defaults to `1000`.
        n_per_side: `int` >= 1, the number of modes along each axis. Defaults to `5`.
        spacing: `float` > 0, the distance between neighbouring modes. Defaults to `1.0`.
        spread: `float` >= 0, the standard deviation of each Gaussian on each axis.
            Defaults to `0.05`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.

    Returns:
        A `Bunch` with `data` (float32, shape `(n_samples, 2)`), `modes` (float32, shape
        `(n_per_side ** 2, 2)`, row by row from the lowest x2, x1 increasing along each
        row) and `DESCR` (str).

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> make_grid(100, n_per_side=2, seed=0).modes.tolist()
    [[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]]
    """
    _check_count("n_samples", n_samples)
    _check_count("n_per_side", n_per_side)
    _check_positive("spacing", spacing)
    _check_spread(spread)
    rng = np.random.default_rng(seed)
    ticks = (np.arange(n_per_side) - (n_per_side - 1) / 2.0) * spacing
    x1, x2 = np.meshgrid(ticks, ticks)
    modes = np.column_stack([x1.ravel(), x2.ravel()])
    description = (
        f"A {n_per_side} x {n_per_side} grid of round Gaussians (standard deviation "
        f"{spread:g}) {spacing:g} apart. With {n_per_side**2} modes close together, a "
        "generator easily covers the grid's outline but misses modes or smears points "
        "between them."
    )
    return _gaussian_mixture(n_samples, modes, spread, rng, "Grid", description)


def make_gan_spiral(
    n_samples: int = 1000,
    *,
    turns: float = 1.5,
    radius: float = 2.0,
    spread: float = 0.05,
    seed: int | None = 0,
) -> Bunch:
    """Samples a single spiral arm (an Archimedean spiral) blurred by Gaussian noise.

    A point at position t in [0, 1] along the arm lies at distance `radius * t` from the
    origin and angle `2 pi * turns * t`. t is drawn as the square root of a uniform number,
    so the points are spread about evenly along the arm's length instead of crowding at the
    centre.

    Args:
        n_samples: `int` >= 1, the number of points. Defaults to `1000`.
        turns: `float` > 0, how many times the arm winds around the origin.
            Defaults to `1.5`.
        radius: `float` > 0, the distance of the arm's outer end from the origin.
            Defaults to `2.0`.
        spread: `float` >= 0, the standard deviation of the noise on each axis.
            Defaults to `0.05`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.

    Returns:
        A `Bunch` with `data` (float32, shape `(n_samples, 2)`), `modes` (`None`: the
        density has no separate modes) and `DESCR` (str).

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> spiral = make_gan_spiral(100, seed=0)
    >>> spiral.data.shape, spiral.modes is None
    ((100, 2), True)
    """
    _check_count("n_samples", n_samples)
    _check_positive("turns", turns)
    _check_positive("radius", radius)
    _check_spread(spread)
    rng = np.random.default_rng(seed)
    positions = np.sqrt(rng.uniform(0.0, 1.0, size=n_samples))
    angles = 2.0 * math.pi * turns * positions
    points = radius * positions[:, np.newaxis] * np.column_stack([np.cos(angles), np.sin(angles)])
    description = (
        f"One spiral arm winding {turns:g} times out to radius {radius:g}, blurred by "
        f"Gaussian noise of standard deviation {spread:g}. The generator must bend its "
        "output into a thin curved line: it first fills the spiral's rough disc, then "
        "slowly carves out the gaps between the turns."
    )
    return _finish(points, None, spread, rng, "Spiral", description)


def make_gan_moons(
    n_samples: int = 1000,
    *,
    spread: float = 0.05,
    seed: int | None = 0,
) -> Bunch:
    """Samples two interleaving half circles (the moons), blurred by Gaussian noise.

    These are scikit-learn's moons, half the points on each, centred and scaled by 4 / 3
    so that x1 lies in [-2, 2] and x2 in [-1, 1] before noise. Unlike
    `sklearn.datasets.make_moons`, the positions along each half circle are drawn at random,
    so the points are a sample of the distribution rather than evenly spaced.

    Args:
        n_samples: `int` >= 1, the number of points. Defaults to `1000`.
        spread: `float` >= 0, the standard deviation of the noise on each axis.
            Defaults to `0.05`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.

    Returns:
        A `Bunch` with `data` (float32, shape `(n_samples, 2)`), `modes` (`None`) and
        `DESCR` (str).

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> make_gan_moons(100, seed=0).data.shape
    (100, 2)
    """
    _check_count("n_samples", n_samples)
    _check_spread(spread)
    rng = np.random.default_rng(seed)
    upper = np.arange(n_samples) % 2 == 0
    angles = rng.uniform(0.0, math.pi, size=n_samples)
    # The upper moon is the top half of the unit circle; the lower moon the bottom half
    # of a unit circle centred on (1, 0.5).
    x1 = np.where(upper, np.cos(angles), 1.0 - np.cos(angles))
    x2 = np.where(upper, np.sin(angles), 0.5 - np.sin(angles))
    points = (np.column_stack([x1, x2]) - [0.5, 0.25]) * (4.0 / 3.0)
    description = (
        "Two interleaving half circles, scikit-learn's moons, blurred by Gaussian noise "
        f"of standard deviation {spread:g}. The generator must split its output into two "
        "curved pieces; a collapsed one covers a single moon, or a blob between them."
    )
    return _finish(points, None, spread, rng, "Moons", description)


GAN_TARGETS: dict[str, Callable[..., Bunch]] = {
    "ring": make_ring,
    "spiral": make_gan_spiral,
    "moons": make_gan_moons,
    "grid": make_grid,
}
"""The target distributions by name, in the order the GAN page offers them. Each takes
`(n_samples, *, ..., seed)` and returns a `Bunch` with `data`, `modes` and `DESCR`."""


def sliced_wasserstein(
    a: ArrayLike, b: ArrayLike, *, n_projections: int = 64, seed: int | None = 0
) -> float:
    """Measures the sliced Wasserstein distance between two 2-D point clouds.

    Both clouds are projected onto `n_projections` unit directions, and for each direction
    the 1-D Wasserstein-1 distance between the projections is the mean absolute difference
    of their quantiles. The result is the mean over the directions. The directions are
    evenly spaced over half a turn with a random starting angle, which averages better than
    independent random directions. Clouds of different sizes are compared at
    max(len(a), len(b)) quantile levels, each cloud's quantiles interpolated linearly.

    The distance is 0 for identical clouds, symmetric in `a` and `b` (for the same
    `seed`), in the clouds' units, and for a cloud shifted by a vector d it is close to
    2 |d| / pi, the mean of |d . u| over unit directions u.

    Args:
        a: The first cloud, shape `(n_a, 2)`, n_a >= 1.
        b: The second cloud, shape `(n_b, 2)`, n_b >= 1.
        n_projections: `int` >= 1, the number of directions. Defaults to `64`.
        seed: `int` or `None`, seeds the starting angle of the directions. Defaults to `0`.

    Returns:
        A `float` >= 0.

    Raises:
        ValueError: If a cloud does not have shape `(n, 2)` with n >= 1 or holds a
            non-finite value, or `n_projections` < 1.

    Example:

    >>> points = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> sliced_wasserstein(points, points)
    0.0
    """
    a = _check_cloud("a", a)
    b = _check_cloud("b", b)
    _check_count("n_projections", n_projections)
    rng = np.random.default_rng(seed)
    # A direction and its opposite give the same 1-D distance, so half a turn suffices.
    angles = rng.uniform(0.0, math.pi / n_projections) + math.pi * np.arange(n_projections) / (
        n_projections
    )
    directions = np.column_stack([np.cos(angles), np.sin(angles)])
    quantiles_a = np.sort(a @ directions.T, axis=0)
    quantiles_b = np.sort(b @ directions.T, axis=0)
    if len(a) != len(b):
        n_levels = max(len(a), len(b))
        quantiles_a = _interpolate_quantiles(quantiles_a, n_levels)
        quantiles_b = _interpolate_quantiles(quantiles_b, n_levels)
    return float(np.mean(np.abs(quantiles_a - quantiles_b)))


def mode_coverage(points: ArrayLike, modes: ArrayLike, *, radius: float) -> float:
    """Finds the fraction of modes that have at least one point within `radius`.

    A GAN that has collapsed onto a few modes reaches few of them and scores low; one
    that covers the whole target scores 1.

    Args:
        points: The generated points, shape `(n_points, 2)`; may be empty.
        modes: The target's modes, shape `(n_modes, 2)` with n_modes >= 1, e.g. the
            `modes` of `make_ring` or `make_grid`.
        radius: `float` > 0, how close a point must be to a mode (Euclidean distance,
            inclusive) to cover it. About 3 times the target's `spread` suits.

    Returns:
        A `float` in [0, 1]: the covered modes divided by all modes.

    Raises:
        ValueError: If `modes` is `None` or either array has the wrong shape, or
            `radius` <= 0.

    Example:

    >>> mode_coverage([[0.0, 0.1]], [[0.0, 0.0], [5.0, 5.0]], radius=0.5)
    0.5
    """
    if modes is None:
        raise ValueError(
            "`modes` is None: this target has no separate modes (spiral, moons), so mode "
            "coverage does not apply. Use sliced_wasserstein to compare the clouds instead."
        )
    modes = _check_cloud("modes", modes)
    _check_positive("radius", radius)
    points = np.asarray(points, dtype=np.float64)
    if points.size == 0:
        return 0.0
    points = _check_cloud("points", points)
    covered = np.zeros(len(modes), dtype=bool)
    # Chunks of points keep the (chunk, n_modes) distance matrix small for large clouds.
    for start in range(0, len(points), 4096):
        chunk = points[start : start + 4096]
        distances = np.linalg.norm(chunk[:, np.newaxis, :] - modes[np.newaxis, :, :], axis=-1)
        covered |= np.any(distances <= radius, axis=0)
    return float(covered.mean())


def _gaussian_mixture(
    n_samples: int,
    modes: np.ndarray,
    spread: float,
    rng: np.random.Generator,
    title: str,
    description: str,
) -> Bunch:
    """Places equal shares of the points on the modes; `_finish` adds the spread."""
    points = modes[np.arange(n_samples) % len(modes)]
    return _finish(points, modes, spread, rng, title, description)


def _finish(
    points: np.ndarray,
    modes: np.ndarray | None,
    spread: float,
    rng: np.random.Generator,
    title: str,
    description: str,
) -> Bunch:
    """Adds Gaussian noise of standard deviation `spread`, shuffles the rows, packs a Bunch."""
    points = points + rng.normal(0.0, spread, size=points.shape)
    data = points[rng.permutation(len(points))].astype(np.float32)
    return Bunch(
        data=data,
        modes=None if modes is None else modes.astype(np.float32),
        DESCR=f"{title}\n\n{description}\n\nSamples: {len(data)}; dimensionality: 2.",
    )


def _interpolate_quantiles(sorted_values: np.ndarray, n_levels: int) -> np.ndarray:
    """Each column's quantiles at the levels (i + 0.5) / n_levels, i = 0 .. n_levels - 1.

    The k-th of n sorted values is taken as the quantile at level (k + 0.5) / n, and the
    quantile function is linear in between (and flat beyond the first and last value).
    """
    n_values = len(sorted_values)
    if n_values == n_levels:
        return sorted_values
    known_levels = (np.arange(n_values) + 0.5) / n_values
    levels = (np.arange(n_levels) + 0.5) / n_levels
    return np.column_stack([np.interp(levels, known_levels, column) for column in sorted_values.T])


def _check_cloud(name: str, cloud: ArrayLike) -> np.ndarray:
    cloud = np.asarray(cloud, dtype=np.float64)
    if cloud.ndim != 2 or cloud.shape[1] != 2 or len(cloud) == 0:
        raise ValueError(
            f"`{name}` must be a point cloud of shape (n, 2) with n >= 1. "
            f"Received: {name} with shape {cloud.shape}."
        )
    if not np.all(np.isfinite(cloud)):
        raise ValueError(
            f"`{name}` holds NaN or infinite values; a diverged generator gives these. "
            "Compare only finite points."
        )
    return cloud


def _check_count(name: str, value: object) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}.")


def _check_positive(name: str, value: object) -> None:
    if not isinstance(value, numbers.Real) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a number > 0. Received: {name}={value!r}.")


def _check_spread(spread: object) -> None:
    if not isinstance(spread, numbers.Real) or not 0 <= spread < math.inf:
        raise ValueError(f"`spread` must be a number >= 0. Received: spread={spread!r}.")
