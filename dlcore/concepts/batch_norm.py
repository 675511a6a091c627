"""Batch normalization in NumPy for learners: one batch by hand, the moving averages, batch size.

The numbers are those of `keras.layers.BatchNormalization` on a batch of shape
`(batch_size, features)`: in training it normalises each feature with the batch's own
mean and (biased) variance and updates the moving averages; at inference it uses the
moving averages instead, so that one sample's output no longer depends on its batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from dlcore._checks import check_int, check_number, check_seed, refuse

MOMENTUM = 0.99
"""Keras's default momentum: each step keeps 99 % of the moving average."""
EPSILON = 1e-3
"""Keras's default epsilon, added to the variance before the square root."""
FEATURE_MEANS = (5.0, -1.0, 0.5)
"""The true mean of each of the three features of the sample batches: far apart on
purpose, as the activations of different units are."""
FEATURE_STDS = (2.0, 0.5, 0.3)
"""The true standard deviation of each feature of the sample batches."""
DECIMALS = 2
"""The sample batches' values are rounded to this many decimals, to be followed by hand."""


@dataclasses.dataclass(frozen=True, eq=False)
class BatchNormResult:
    """One batch through batch normalization, step by step.

    (`eq=False`: arrays have no single truth value, so == could only raise.)

    Attributes:
        batch: Float64 array of shape `(batch_size, features)`, the input x.
        mean: Float64 array of shape `(features,)`, the mean used: the batch's own in
            training, the moving mean at inference.
        variance: Float64 array of shape `(features,)`, the variance used: the batch's
            own (divided by `batch_size`, not `batch_size - 1`) in training, the moving
            variance at inference.
        normalized: Float64 array like `batch`, x̂ = (x − mean) / √(variance + ε).
        output: Float64 array like `batch`, y = gamma·x̂ + beta.
        gamma: Float64 array of shape `(features,)`, the scale.
        beta: Float64 array of shape `(features,)`, the shift.
        epsilon: `float`, ε.
        training: `bool`, True where the batch's statistics were used.
    """

    batch: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    normalized: np.ndarray
    output: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    epsilon: float
    training: bool

    @property
    def scale(self) -> np.ndarray:
        """√(variance + ε) per feature, shape `(features,)`: what x − mean is divided by."""
        return np.sqrt(self.variance + self.epsilon)


def batch_norm_training(
    batch: ArrayLike,
    *,
    gamma: ArrayLike = 1.0,
    beta: ArrayLike = 0.0,
    epsilon: float = EPSILON,
) -> BatchNormResult:
    """Normalises a batch with its own statistics, as `BatchNormalization(...)(x, training=True)`.

    Each feature (column) gets the mean and variance of its `batch_size` values; the
    variance divides by `batch_size`, as Keras's does. A batch of one sample has a
    variance of 0, so every x̂ is 0 and the output is beta: nothing of the input is left.

    Args:
        batch: An array of shape `(batch_size, features)`, finite real values.
        gamma: `float` or array of shape `(features,)`, the scale. Defaults to `1.0`.
        beta: `float` or array of shape `(features,)`, the shift. Defaults to `0.0`.
        epsilon: `float` > 0, added to the variance. Defaults to `EPSILON` (Keras's 1e-3).

    Returns:
        A `BatchNormResult` with `training=True`.

    Raises:
        ValueError: If `batch` is not a non-empty 2-D array of finite values, or an
            option is invalid.

    Example:

    >>> result = batch_norm_training([[1.0], [3.0]])
    >>> result.mean.tolist(), result.variance.tolist(), result.output[:, 0].round(4).tolist()
    ([2.0], [1.0], [-0.9995, 0.9995])
    """
    batch = _as_batch(batch)
    return _normalize(
        batch,
        mean=batch.mean(axis=0),
        variance=batch.var(axis=0),
        gamma=gamma,
        beta=beta,
        epsilon=epsilon,
        training=True,
    )


def batch_norm_inference(
    batch: ArrayLike,
    *,
    moving_mean: ArrayLike,
    moving_variance: ArrayLike,
    gamma: ArrayLike = 1.0,
    beta: ArrayLike = 0.0,
    epsilon: float = EPSILON,
) -> BatchNormResult:
    """Normalises a batch with the moving averages, as `BatchNormalization(...)(x, training=False)`.

    Each sample is normalised on its own: its output is the same in any batch, and a
    batch of one works as well as a batch of a thousand.

    Args:
        batch: An array of shape `(batch_size, features)`, finite real values.
        moving_mean: `float` or array of shape `(features,)`, the mean learned in training.
        moving_variance: `float` or array of shape `(features,)`, >= 0, the variance
            learned in training.
        gamma: `float` or array of shape `(features,)`, the scale. Defaults to `1.0`.
        beta: `float` or array of shape `(features,)`, the shift. Defaults to `0.0`.
        epsilon: `float` > 0, added to the variance. Defaults to `EPSILON` (Keras's 1e-3).

    Returns:
        A `BatchNormResult` with `training=False`; its `mean` and `variance` are the
        moving ones.

    Raises:
        ValueError: If `batch` is not a non-empty 2-D array of finite values, or an
            option is invalid.

    Example:

    >>> result = batch_norm_inference([[4.0]], moving_mean=2.0, moving_variance=4.0)
    >>> result.output.round(3).tolist()
    [[1.0]]
    """
    batch = _as_batch(batch)
    features = batch.shape[1]
    variance = _per_feature(moving_variance, features, name="moving_variance")
    if np.any(variance < 0):
        refuse("moving_variance", moving_variance, "`moving_variance` must be at least 0")
    return _normalize(
        batch,
        mean=_per_feature(moving_mean, features, name="moving_mean"),
        variance=variance,
        gamma=gamma,
        beta=beta,
        epsilon=epsilon,
        training=False,
    )


def update_moving(
    moving: ArrayLike, batch_statistic: ArrayLike, *, momentum: float = MOMENTUM
) -> np.ndarray:
    """One step of a moving average, as Keras defines momentum.

    `moving · momentum + batch_statistic · (1 − momentum)`: a momentum of 0.99 keeps 99 %
    of the old value and takes 1 % of the new batch's, so the average forgets a batch
    after a few hundred steps; a momentum of 0 keeps only the last batch.

    Args:
        moving: `float` or array of shape `(features,)`, the moving average so far.
        batch_statistic: The same shape: this batch's mean (or variance).
        momentum: `float` in [0, 1]. Defaults to `MOMENTUM` (Keras's 0.99).

    Returns:
        A float64 array of the broadcast shape of the two.

    Raises:
        ValueError: If `momentum` is outside [0, 1].

    Example:

    >>> round(update_moving(0.0, 5.0, momentum=0.9).item(), 6)
    0.5
    """
    _check_momentum(momentum)
    moving = np.asarray(moving, dtype=np.float64)
    return moving * momentum + np.asarray(batch_statistic, dtype=np.float64) * (1.0 - momentum)


@dataclasses.dataclass(frozen=True, eq=False)
class MovingAverages:
    """The moving averages step by step over a run of training batches.

    Row 0 holds Keras's starting values (mean 0, variance 1); row `i` the values after
    the `i`-th batch, so the last row is what inference uses.

    Attributes:
        means: Float64 array of shape `(steps + 1, features)`, the moving mean.
        variances: Float64 array of shape `(steps + 1, features)`, the moving variance.
        batch_means: Float64 array of shape `(steps, features)`, each batch's mean.
        batch_variances: Float64 array of shape `(steps, features)`, each batch's variance.
        momentum: `float`, the momentum used.
    """

    means: np.ndarray
    variances: np.ndarray
    batch_means: np.ndarray
    batch_variances: np.ndarray
    momentum: float

    @property
    def steps(self) -> int:
        """How many batches were seen."""
        return len(self.batch_means)

    @property
    def moving_mean(self) -> np.ndarray:
        """The moving mean after the last batch, shape `(features,)`."""
        return self.means[-1]

    @property
    def moving_variance(self) -> np.ndarray:
        """The moving variance after the last batch, shape `(features,)`."""
        return self.variances[-1]


def track_moving_averages(
    batches: Sequence[ArrayLike], *, momentum: float = MOMENTUM
) -> MovingAverages:
    """The moving mean and variance over training batches, as `BatchNormalization` keeps them.

    Each batch called with `training=True` moves the averages once, by `update_moving`,
    starting from Keras's initial values: a mean of 0 and a variance of 1.

    Args:
        batches: A sequence of arrays of shape `(batch_size, features)`, one per step
            (batch sizes may differ, features may not); may be empty.
        momentum: `float` in [0, 1]. Defaults to `MOMENTUM` (Keras's 0.99).

    Returns:
        A `MovingAverages`.

    Raises:
        ValueError: If a batch is invalid, batches differ in features, or `momentum` is
            outside [0, 1].

    Example:

    >>> run = track_moving_averages([[[1.0], [3.0]]], momentum=0.5)
    >>> run.moving_mean.tolist(), run.moving_variance.tolist()
    ([1.0], [1.0])
    """
    _check_momentum(momentum)
    arrays = [_as_batch(batch) for batch in batches]
    features = arrays[0].shape[1] if arrays else 1
    if any(array.shape[1] != features for array in arrays):
        refuse(
            "batches",
            [array.shape for array in arrays],
            "Every batch must have the same number of features (columns)",
        )
    batch_means = np.array([array.mean(axis=0) for array in arrays]).reshape(-1, features)
    batch_variances = np.array([array.var(axis=0) for array in arrays]).reshape(-1, features)
    means = [np.zeros(features)]
    variances = [np.ones(features)]
    for mean, variance in zip(batch_means, batch_variances, strict=True):
        means.append(update_moving(means[-1], mean, momentum=momentum))
        variances.append(update_moving(variances[-1], variance, momentum=momentum))
    return MovingAverages(
        means=np.array(means),
        variances=np.array(variances),
        batch_means=batch_means,
        batch_variances=batch_variances,
        momentum=float(momentum),
    )


def sample_batch(batch_size: int, *, seed: int = 0) -> np.ndarray:
    """A small batch of activations of three features, rounded to be followed by hand.

    Feature `j` is drawn from a normal distribution of mean `FEATURE_MEANS[j]` and
    standard deviation `FEATURE_STDS[j]`: three units whose outputs live on very
    different scales.

    Args:
        batch_size: `int` >= 1, the number of samples (rows).
        seed: `int` >= 0; the same seed gives the same batch. Defaults to `0`.

    Returns:
        A float64 array of shape `(batch_size, 3)`, rounded to `DECIMALS` decimals.

    Raises:
        ValueError: If `batch_size` or `seed` is invalid.

    Example:

    >>> sample_batch(4, seed=0).shape
    (4, 3)
    """
    check_int(batch_size, name="batch_size", what="The batch size", minimum=1, unit="sample")
    check_seed(seed)
    return _draw(np.random.default_rng(seed), batch_size)


def simulate_training(
    *, steps: int, batch_size: int, momentum: float = MOMENTUM, seed: int = 0
) -> MovingAverages:
    """The moving averages over `steps` random training batches like `sample_batch`'s.

    Args:
        steps: `int` >= 0, the number of training batches.
        batch_size: `int` >= 1, the samples in each batch.
        momentum: `float` in [0, 1]. Defaults to `MOMENTUM` (Keras's 0.99).
        seed: `int` >= 0; the same seed gives the same batches. Defaults to `0`.

    Returns:
        A `MovingAverages` over `steps` batches; the true statistics they approach are
        `FEATURE_MEANS` and the squares of `FEATURE_STDS`.

    Raises:
        ValueError: If an argument is invalid.

    Example:

    >>> simulate_training(steps=3, batch_size=4).means.shape
    (4, 3)
    """
    check_int(steps, name="steps", what="The number of steps", minimum=0)
    check_int(batch_size, name="batch_size", what="The batch size", minimum=1, unit="sample")
    check_seed(seed)
    _check_momentum(momentum)
    # Its own stream, apart from `sample_batch(seed=seed)`: the batch on show is a new one.
    generator = np.random.default_rng([seed, 1])
    batches = [_draw(generator, batch_size) for _ in range(steps)]
    if not batches:
        # No step yet: Keras's starting values, for the three features.
        features = len(FEATURE_MEANS)
        return MovingAverages(
            means=np.zeros((1, features)),
            variances=np.ones((1, features)),
            batch_means=np.zeros((0, features)),
            batch_variances=np.zeros((0, features)),
            momentum=float(momentum),
        )
    return track_moving_averages(batches, momentum=momentum)


@dataclasses.dataclass(frozen=True, eq=False)
class BatchSizeEffect:
    """How much a batch's statistics, and one sample's x̂, wander with the batch size.

    The batches are drawn from a feature of mean 0 and variance 1. For the sample's
    x̂, each batch's first sample is replaced by one fixed sample one standard deviation
    above the mean (x = 1), whose x̂ with the true statistics would be 1.

    Attributes:
        batch_sizes: Int array of shape `(sizes,)`.
        mean_spread: Float64 array of shape `(sizes,)`, the standard deviation of the
            batch mean across batches (about 1/√batch_size).
        average_variance: Float64 array of shape `(sizes,)`, the batch variance
            averaged over batches (about (batch_size − 1)/batch_size: small batches
            underestimate it).
        sample_low: Float64 array of shape `(sizes,)`, the fixed sample's x̂: 10th
            percentile over batches.
        sample_median: The same, 50th percentile.
        sample_high: The same, 90th percentile.
        n_batches: `int`, batches drawn per size.
    """

    batch_sizes: np.ndarray
    mean_spread: np.ndarray
    average_variance: np.ndarray
    sample_low: np.ndarray
    sample_median: np.ndarray
    sample_high: np.ndarray
    n_batches: int

    @property
    def expected_spread(self) -> np.ndarray:
        """1/√batch_size: the spread of the mean of `batch_size` samples of variance 1."""
        return 1.0 / np.sqrt(self.batch_sizes)


def batch_size_effect(
    batch_sizes: Sequence[int] = (2, 4, 8, 16, 32, 64),
    *,
    n_batches: int = 500,
    epsilon: float = EPSILON,
    seed: int = 0,
) -> BatchSizeEffect:
    """What the batch size does to batch normalization in training: noisy statistics.

    Args:
        batch_sizes: Ints >= 1, in any order; the results follow it. Defaults to 2 to 64.
        n_batches: `int` >= 2, random batches per size. Defaults to `500`.
        epsilon: `float` > 0. Defaults to `EPSILON` (Keras's 1e-3).
        seed: `int` >= 0; the same seed gives the same batches. Defaults to `0`.

    Returns:
        A `BatchSizeEffect`.

    Raises:
        ValueError: If an argument is invalid.

    Example:

    >>> effect = batch_size_effect((2, 64), n_batches=200)
    >>> bool(effect.mean_spread[0] > effect.mean_spread[1])
    True
    """
    if isinstance(batch_sizes, str) or not isinstance(batch_sizes, Sequence) or not batch_sizes:
        refuse("batch_sizes", batch_sizes, "`batch_sizes` must be a non-empty sequence of ints")
    for size in batch_sizes:
        check_int(size, name="batch_sizes", what="Each batch size", minimum=1, unit="sample")
    check_int(n_batches, name="n_batches", what="The number of batches", minimum=2)
    _check_epsilon(epsilon)
    check_seed(seed)
    generator = np.random.default_rng(seed)
    rows = []
    for size in batch_sizes:
        batches = generator.standard_normal((n_batches, size))
        means, variances = batches.mean(axis=1), batches.var(axis=1)
        # The fixed sample takes the first place, among `size - 1` random ones.
        batches[:, 0] = 1.0
        sample = (1.0 - batches.mean(axis=1)) / np.sqrt(batches.var(axis=1) + epsilon)
        rows.append(
            (
                means.std(),
                variances.mean(),
                *np.percentile(sample, [10, 50, 90]),
            )
        )
    columns = np.array(rows).T
    return BatchSizeEffect(
        batch_sizes=np.array(batch_sizes, dtype=int),
        mean_spread=columns[0],
        average_variance=columns[1],
        sample_low=columns[2],
        sample_median=columns[3],
        sample_high=columns[4],
        n_batches=n_batches,
    )


def _draw(generator: np.random.Generator, batch_size: int) -> np.ndarray:
    values = generator.normal(FEATURE_MEANS, FEATURE_STDS, size=(batch_size, len(FEATURE_MEANS)))
    return np.round(values, DECIMALS)


def _normalize(
    batch: np.ndarray,
    *,
    mean: np.ndarray,
    variance: np.ndarray,
    gamma: ArrayLike,
    beta: ArrayLike,
    epsilon: float,
    training: bool,
) -> BatchNormResult:
    features = batch.shape[1]
    gamma = _per_feature(gamma, features, name="gamma")
    beta = _per_feature(beta, features, name="beta")
    _check_epsilon(epsilon)
    normalized = (batch - mean) / np.sqrt(variance + epsilon)
    return BatchNormResult(
        batch=batch,
        mean=mean,
        variance=variance,
        normalized=normalized,
        output=gamma * normalized + beta,
        gamma=gamma,
        beta=beta,
        epsilon=float(epsilon),
        training=training,
    )


def _as_batch(batch: ArrayLike) -> np.ndarray:
    try:
        array = np.asarray(batch, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "`batch` must be an array of numbers of shape (batch_size, features). "
            f"Received: batch={batch!r}."
        ) from error
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(
            "`batch` must have shape (batch_size, features), with at least one sample and "
            f"one feature. Received: batch with shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            "`batch` must hold finite numbers only (no NaN or infinity). "
            f"Received: batch with {int(np.sum(~np.isfinite(array)))} non-finite values."
        )
    return array


def _per_feature(value: ArrayLike, features: int, *, name: str) -> np.ndarray:
    """`value` as one float64 per feature: a number is repeated, an array must fit."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim > 1 or (array.ndim == 1 and array.shape != (features,)):
        refuse(name, value, f"`{name}` must be a number or one number per feature ({features})")
    if not np.all(np.isfinite(array)):
        refuse(name, value, f"`{name}` must be finite")
    return np.broadcast_to(array, (features,)).copy()


def _check_momentum(momentum: float) -> None:
    check_number(momentum, name="momentum", minimum=0, maximum=1, hint="(Keras's default is 0.99)")


def _check_epsilon(epsilon: float) -> None:
    check_number(epsilon, name="epsilon", above=0, finite=True, hint="(Keras's default is 0.001)")
