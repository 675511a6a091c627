"""Two-dimensional classification sets for the Playground (MLP) page, after TensorFlow Playground.

Every set is drawn the same way: exact shapes within a radius of `RADIUS` (5), then each
coordinate moved by a uniform random offset in [-noise * 5, noise * 5], as TensorFlow
Playground's noise slider does (its 0-50 % is `noise` 0-0.5 here), then clipped to
[-`EXTENT`, `EXTENT`] = [-6, 6], the square the page draws. Classes are balanced: their
sizes differ by at most 1. Rows come in random order.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import sklearn.datasets
from numpy.typing import ArrayLike
from sklearn.utils import Bunch

from dlcore.data.class_counts import class_counts_line

RADIUS = 5.0
"""Every set's exact shape lies within this distance of the origin on each axis."""

EXTENT = 6.0
"""Every set lies in the square [-EXTENT, EXTENT]^2, with noise included."""

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
"""The input features that `feature_map` computes, as TensorFlow Playground offers them."""

# XOR keeps its points this far from the axes, as Playground does, so that the noise-free
# classes have a visible gap between quadrants.
_XOR_PADDING = 0.3
# Each ring of `make_circles` leaves this fraction of its band empty on the inside.
_RING_GAP = 0.4
# The standard deviation of each blob of `make_gaussian` before any noise (Playground's 0.5
# variance), and the distance of the blobs' centres from the origin: (2, 2) and (-2, -2).
_BLOB_STD = math.sqrt(0.5)
_BLOB_DISTANCE = 2.0 * math.sqrt(2.0)
# Each arm of `make_spiral` turns this many times around the origin, as in Playground.
_SPIRAL_TURNS = 1.75


LabelledPoints = tuple[np.ndarray, np.ndarray]
"""Points, float shape `(n_samples, 2)`, and their class labels, int shape `(n_samples,)`."""


class ToySet:
    """One of the 2-D sets, called like scikit-learn's `make_*` generators.

    A subclass draws the set's exact shape (`draw`) and says what it teaches (`describe`);
    calling the set checks the arguments, then adds the noise, clips, shuffles and packs
    the result the same way for every set.

    Attributes:
        name: The set's key in `TOY_DATASETS`, e.g. `"xor"`; the generator is `make_<name>`.
        title: The first line of `DESCR`, e.g. `"XOR"`.
        two_classes_only: Whether the set has exactly two classes (XOR and the moons).
    """

    name: str
    title: str
    two_classes_only: bool = False

    def __call__(
        self,
        n_samples: int = 500,
        *,
        noise: float = 0.0,
        n_classes: int = 2,
        seed: int | None = 0,
        return_X_y: bool = False,
    ) -> Bunch | tuple[np.ndarray, np.ndarray]:
        """Generates the set.

        Args:
            n_samples: `int` >= `n_classes`, the number of points. Defaults to `500`.
            noise: `float` in [0, 1]. Each coordinate moves by a uniform offset in
                [-noise * 5, noise * 5]. Defaults to `0.0`.
            n_classes: `int` >= 2, the number of classes; must be 2 where
                `two_classes_only`. Defaults to `2`.
            seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.
            return_X_y: `bool`, return only `(data, target)`. Defaults to `False`.

        Returns:
            A `Bunch` with `data` (float32, shape `(n_samples, 2)`, values in [-6, 6]),
            `target` (int64, shape `(n_samples,)`, values in [0, n_classes)),
            `feature_names` (`["x1", "x2"]`), `target_names` (`["class 0", ...]`),
            `DESCR` (str) and the set's own `extras`; or only `(data, target)` if
            `return_X_y` is true.

        Raises:
            ValueError: If an argument is out of its range.
        """
        if self.two_classes_only and n_classes != 2:
            raise ValueError(
                f"`make_{self.name}` makes exactly 2 classes; use make_circles, make_gaussian "
                f"or make_spiral for more. Received: n_classes={n_classes!r}."
            )
        _check_arguments(n_samples, noise, n_classes)
        rng = np.random.default_rng(seed)
        points, labels = self.draw(n_samples, n_classes, rng)
        points = points + rng.uniform(-noise * RADIUS, noise * RADIUS, size=points.shape)
        order = rng.permutation(n_samples)
        data = np.clip(points[order], -EXTENT, EXTENT).astype(np.float32)
        target = labels[order].astype(np.int64)
        if return_X_y:
            return data, target
        facts = (
            f"{class_counts_line(target, n_classes)}; "
            f"features: x1, x2 in [-{EXTENT:g}, {EXTENT:g}]; "
            f"noise: {noise:g} (each coordinate moved by up to {noise * RADIUS:g})."
        )
        return Bunch(
            data=data,
            target=target,
            feature_names=["x1", "x2"],
            target_names=[f"class {label}" for label in range(n_classes)],
            DESCR=f"{self.title}\n\n{self.describe(n_classes)}\n\n{facts}",
            **self.extras(n_classes),
        )

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        """The set's exact points and their labels, before the noise and the shuffle."""
        raise NotImplementedError

    def describe(self, n_classes: int) -> str:
        """What the set looks like and what an MLP needs to separate it."""
        raise NotImplementedError

    def extras(self, n_classes: int) -> dict[str, np.ndarray]:
        """Further fields of the `Bunch`; none unless a set overrides this."""
        return {}


class Circles(ToySet):
    """Concentric rings: a disc in the middle (class 0), then one ring per class.

    The radius 5 is split into `n_classes` equal bands of width w = 5 / n_classes. Class 0
    fills the disc of radius w; class k >= 1 fills the ring from (k + 0.4) w to (k + 1) w,
    so without noise the distance from the origin separates the classes exactly. With two
    classes this is Playground's "Circle": a disc of radius 2.5 inside a ring from 3.5 to 5.

    Example:

    >>> circles = make_circles(200, noise=0.1, seed=0)
    >>> circles.data.shape, circles.data.dtype, np.bincount(circles.target).tolist()
    ((200, 2), dtype('float32'), [100, 100])
    """

    name = "circles"
    title = "Circles"

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        labels = _balanced_labels(n_samples, n_classes)
        width = RADIUS / n_classes
        inner = np.where(labels == 0, 0.0, (labels + _RING_GAP) * width)
        radii = rng.uniform(inner, (labels + 1) * width)
        angles = rng.uniform(0.0, 2.0 * math.pi, size=n_samples)
        return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]), labels

    def describe(self, n_classes: int) -> str:
        width = RADIUS / n_classes
        return (
            f"{n_classes} concentric classes: a disc of radius {width:.3g} in the middle, then "
            f"rings {(1 - _RING_GAP) * width:.3g} wide with gaps of {_RING_GAP * width:.3g}. "
            "The distance from the origin decides the class, so no "
            "straight line separates them. An MLP needs a hidden layer (3 or more neurons "
            "for 2 classes) to bend its boundary into a closed curve; with the x1^2 and x2^2 "
            "features, which add up to the squared radius, no hidden layer is needed."
        )


class Xor(ToySet):
    """The four quadrants of XOR: class 0 where x1 and x2 have the same sign.

    Class 0 fills the quadrants x1 * x2 > 0, class 1 the quadrants x1 * x2 < 0. Without
    noise each coordinate's size is uniform in [0.3, 5], so the classes keep a gap of 0.6
    along both axes, as in Playground's "Exclusive or". Two classes only.

    Example:

    >>> x, y = make_xor(4, seed=0, return_X_y=True)
    >>> bool(np.all((x[:, 0] * x[:, 1] < 0) == (y == 1)))
    True
    """

    name = "xor"
    title = "XOR"
    two_classes_only = True

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        labels = _balanced_labels(n_samples, n_classes)
        sizes = rng.uniform(_XOR_PADDING, RADIUS, size=(n_samples, 2))
        x1_signs = rng.choice([-1.0, 1.0], size=n_samples)
        # Class 0: x2 has the sign of x1; class 1: the opposite sign.
        x2_signs = np.where(labels == 0, x1_signs, -x1_signs)
        return sizes * np.column_stack([x1_signs, x2_signs]), labels

    def describe(self, n_classes: int) -> str:
        return (
            "Four quadrants: class 0 where x1 and x2 have the same sign, class 1 where they "
            "differ. No straight line separates them. An MLP needs a hidden layer with at "
            "least 2 neurons (4 learn it reliably) to cut the plane along both axes; with the "
            "x1*x2 feature, whose sign is the class, no hidden layer is needed."
        )


class Gaussian(ToySet):
    """One round Gaussian blob per class, with centres evenly spaced on a circle.

    The centres lie at distance 2 * sqrt(2) from the origin, at angles 45 degrees +
    k * 360 / n_classes: with two classes, (2, 2) and (-2, -2), as in Playground's
    "Gaussian". Each blob has a standard deviation of sqrt(0.5) on each axis before noise.
    The `Bunch` also holds `centers` (float32, shape `(n_classes, 2)`, the blob centres by
    class).

    Example:

    >>> make_gaussian(100, seed=0).centers.round(3).tolist()
    [[2.0, 2.0], [-2.0, -2.0]]
    """

    name = "gaussian"
    title = "Gaussian"

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        labels = _balanced_labels(n_samples, n_classes)
        centers = self._centers(n_classes)
        return centers[labels] + rng.normal(0.0, _BLOB_STD, size=(n_samples, 2)), labels

    def describe(self, n_classes: int) -> str:
        linear = "a straight line" if n_classes == 2 else "straight lines"
        return (
            f"{n_classes} round Gaussian blobs, one per class, with centres on a circle of "
            f"radius 2.83. The classes overlap little without noise, so {linear} separate "
            "them: an MLP with no hidden layer (logistic or softmax regression) is enough. "
            "Noise makes the blobs overlap, and no model can then classify every point."
        )

    def extras(self, n_classes: int) -> dict[str, np.ndarray]:
        return {"centers": self._centers(n_classes).astype(np.float32)}

    @staticmethod
    def _centers(n_classes: int) -> np.ndarray:
        angles = math.pi / 4.0 + 2.0 * math.pi * np.arange(n_classes) / n_classes
        return _BLOB_DISTANCE * np.column_stack([np.cos(angles), np.sin(angles)])


class Spiral(ToySet):
    """Interleaved spiral arms, one per class, winding out from the origin.

    A point of class k at position t in [0, 1] along its arm lies at radius 5 t and angle
    1.75 * 2 pi * t + 2 pi k / n_classes, so each arm turns 1.75 times, as in Playground's
    "Spiral", and the arms are rotated copies of each other. The arms of 2 classes lie 1.4
    apart, so above a `noise` of 0.15 they start to merge.

    Example:

    >>> make_spiral(300, n_classes=3, seed=0).target_names
    ['class 0', 'class 1', 'class 2']
    """

    name = "spiral"
    title = "Spiral"

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        labels = _balanced_labels(n_samples, n_classes)
        positions = rng.uniform(0.0, 1.0, size=n_samples)
        radii = RADIUS * positions
        angles = 2.0 * math.pi * (_SPIRAL_TURNS * positions + labels / n_classes)
        return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]), labels

    def describe(self, n_classes: int) -> str:
        return (
            f"{n_classes} spiral arms that wind around each other 1.75 times. The class "
            "changes many times along any straight line from the centre, so the boundary "
            "must curl with the arms: the hardest set here. An MLP needs several hidden "
            "layers (Playground's 8, 8, 8 with tanh, or more) and many epochs; the sin(x1) "
            "and sin(x2) features help."
        )


class Moons(ToySet):
    """Two interleaving half circles, scikit-learn's moons scaled to the square.

    `sklearn.datasets.make_moons` gives the exact half circles, with x1 in [-1, 2] and x2
    in [-0.5, 1]; they are centred and scaled by 10 / 3 to x1 in [-5, 5], x2 in
    [-2.5, 2.5], then get this module's noise so that `noise` means the same for every set.
    Class 0 is the upper moon. Two classes only.

    Example:

    >>> x, y = make_moons(100, seed=0, return_X_y=True)
    >>> x.min(axis=0).round(2).tolist(), x.max(axis=0).round(2).tolist()
    ([-5.0, -2.5], [5.0, 2.5])
    """

    name = "moons"
    title = "Moons"
    two_classes_only = True

    def draw(self, n_samples: int, n_classes: int, rng: np.random.Generator) -> LabelledPoints:
        # Without noise and shuffling, scikit-learn's moons use no randomness: the points are
        # evenly spaced along each half circle, and `rng` adds the noise and the order.
        points, labels = sklearn.datasets.make_moons(n_samples, shuffle=False, noise=None)
        return (points - [0.5, 0.25]) * (10.0 / 3.0), labels

    def describe(self, n_classes: int) -> str:
        return (
            "Two interleaving half circles, scikit-learn's moons: each moon's tip reaches "
            "into the other's hollow, so no straight line separates them. An MLP with one "
            "hidden layer of a few neurons (3 to 4 with ReLU or tanh) bends its boundary "
            "around the tips."
        )


make_circles = Circles()
make_xor = Xor()
make_gaussian = Gaussian()
make_spiral = Spiral()
make_moons = Moons()

TOY_DATASETS: dict[str, ToySet] = {
    toy_set.name: toy_set
    for toy_set in (make_circles, make_xor, make_gaussian, make_spiral, make_moons)
}
"""The sets by name, in the order the Playground page offers them. Each takes the same
arguments: `(n_samples, *, noise, n_classes, seed, return_X_y)`."""


def feature_map(data: ArrayLike, features: Sequence[str]) -> np.ndarray:
    """Computes TensorFlow Playground's input features from the points' coordinates.

    Args:
        data: The points, shape `(n_samples, 2)`: the columns are x1 and x2.
        features: Names from `FEATURE_NAMES` (`"x1"`, `"x2"`, `"x1^2"`, `"x2^2"`,
            `"x1*x2"`, `"sin(x1)"`, `"sin(x2)"`), in the order wanted; at least one.

    Returns:
        A float32 array of shape `(n_samples, len(features))`: column j holds feature
        `features[j]` of every point.

    Raises:
        ValueError: If `data` does not have shape `(n_samples, 2)`, `features` is empty,
            or a feature name is unknown.

    Example:

    >>> feature_map([[2.0, -3.0]], ["x1^2", "x1*x2"])
    array([[ 4., -6.]], dtype=float32)
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != 2:
        raise ValueError(
            "`data` must have shape (n_samples, 2): one row (x1, x2) per point. "
            f"Received: data with shape {data.shape}."
        )
    if isinstance(features, str) or len(features) == 0:
        raise ValueError(
            "`features` must be a non-empty list of feature names, e.g. ['x1', 'x2']. "
            f"Received: features={features!r}."
        )
    unknown = [name for name in features if name not in FEATURE_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown feature {unknown[0]!r}. Valid features are: {', '.join(FEATURE_NAMES)}."
        )
    x1, x2 = data[:, 0], data[:, 1]
    values = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1**2,
        "x2^2": lambda: x2**2,
        "x1*x2": lambda: x1 * x2,
        "sin(x1)": lambda: np.sin(x1),
        "sin(x2)": lambda: np.sin(x2),
    }
    columns = [values[name]() for name in features]
    return np.column_stack(columns).astype(np.float32)


def _check_arguments(n_samples: int, noise: float, n_classes: int) -> None:
    """Raises a ValueError naming the first argument that is out of its range."""
    if not _is_int(n_classes) or n_classes < 2:
        raise ValueError(f"`n_classes` must be an integer >= 2. Received: n_classes={n_classes!r}.")
    if not _is_int(n_samples) or n_samples < n_classes:
        raise ValueError(
            f"`n_samples` must be an integer >= n_classes ({n_classes}), so that every class "
            f"has a point. Received: n_samples={n_samples!r}."
        )
    if not isinstance(noise, numbers.Real) or not 0.0 <= noise <= 1.0:
        raise ValueError(
            "`noise` must be a number in [0, 1], a fraction of the data's radius of 5 "
            f"(Playground's 0-50 % is 0-0.5). Received: noise={noise!r}."
        )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _balanced_labels(n_samples: int, n_classes: int) -> np.ndarray:
    """Class labels 0, 1, ..., n_classes - 1, 0, 1, ...: sizes differ by at most 1."""
    return np.arange(n_samples, dtype=np.int64) % n_classes
