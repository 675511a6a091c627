"""A generated time series for the Sequences page, and the windows a forecaster learns from."""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import Bunch

# The sines' periods are drawn log-uniformly from this range, in steps: long enough to be
# smooth, short enough that a 1000-step series shows many cycles of each.
_PERIOD_RANGE = (10.0, 100.0)
# The sines' amplitudes are drawn uniformly from this range.
_AMPLITUDE_RANGE = (0.5, 1.5)


def make_series(
    n_steps: int = 1000,
    *,
    n_sines: int = 3,
    trend: float = 0.0,
    noise: float = 0.1,
    seed: int | None = 0,
) -> Bunch:
    """Generates a series: a sum of sines, a straight-line trend and Gaussian noise.

    Each sine is `amplitude * sin(2 pi * time / period + phase)`, with the period drawn
    log-uniformly from 10 to 100 steps, the amplitude uniformly from 0.5 to 1.5 and the
    phase uniformly from 0 to 2 pi. The trend rises linearly from 0 at the first step to
    `trend` at the last. The noise is independent at every step.

    Args:
        n_steps: `int` >= 2, the length of the series. Defaults to `1000`.
        n_sines: `int` >= 0, the number of sines. Defaults to `3`.
        trend: `float`, the trend's total rise over the series (negative: a fall).
            Defaults to `0.0`.
        noise: `float` >= 0, the standard deviation of the noise. Defaults to `0.1`.
        seed: `int` or `None`, seeds the one random generator used. Defaults to `0`.

    Returns:
        A `Bunch` with:

        - `data`: float32, shape `(n_steps,)`, the series: the sum of the components.
        - `time`: float32, shape `(n_steps,)`, the step numbers 0, 1, ..., n_steps - 1.
        - `components`: float32, shape `(n_sines + 2, n_steps)`: each sine, then the
          trend, then the noise, for the page to show apart.
        - `component_names`: `["sine 1", ..., "trend", "noise"]`, one per row of
          `components`.
        - `periods`, `amplitudes`, `phases`: float64, shape `(n_sines,)`, each sine's
          parameters (periods in steps, phases in radians).
        - `DESCR`: str.

    Raises:
        ValueError: If an argument is out of its range.

    Example:

    >>> series = make_series(500, n_sines=2, trend=1.0, seed=0)
    >>> series.data.shape, series.components.shape, series.component_names
    ((500,), (4, 500), ['sine 1', 'sine 2', 'trend', 'noise'])
    """
    if not _is_int(n_steps) or n_steps < 2:
        raise ValueError(f"`n_steps` must be an integer >= 2. Received: n_steps={n_steps!r}.")
    if not _is_int(n_sines) or n_sines < 0:
        raise ValueError(f"`n_sines` must be an integer >= 0. Received: n_sines={n_sines!r}.")
    if not isinstance(trend, numbers.Real) or not math.isfinite(trend):
        raise ValueError(f"`trend` must be a finite number. Received: trend={trend!r}.")
    if not isinstance(noise, numbers.Real) or not 0 <= noise < math.inf:
        raise ValueError(f"`noise` must be a number >= 0. Received: noise={noise!r}.")
    rng = np.random.default_rng(seed)
    time = np.arange(n_steps, dtype=np.float64)
    low, high = np.log(_PERIOD_RANGE)
    periods = np.exp(rng.uniform(low, high, size=n_sines))
    amplitudes = rng.uniform(*_AMPLITUDE_RANGE, size=n_sines)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=n_sines)
    sines = amplitudes[:, np.newaxis] * np.sin(
        2.0 * math.pi * time / periods[:, np.newaxis] + phases[:, np.newaxis]
    )
    trend_line = trend * time / (n_steps - 1)
    noise_values = rng.normal(0.0, noise, size=n_steps)
    components = np.vstack([sines, trend_line, noise_values]).astype(np.float32)
    sine_list = ", ".join(f"{period:.1f}" for period in periods) or "none"
    description = (
        f"Time series\n\nA sum of {n_sines} sines (periods in steps: {sine_list}), a "
        f"linear trend rising by {trend:g} over the series and Gaussian noise of standard "
        f"deviation {noise:g}. A recurrent network that sees a window of past steps must "
        "learn the sines' phases from it to forecast the next steps; windows shorter than "
        "the longest period show only part of a cycle.\n\n"
        f"Steps: {n_steps}."
    )
    return Bunch(
        data=components.sum(axis=0, dtype=np.float32),
        time=time.astype(np.float32),
        components=components,
        component_names=[f"sine {index + 1}" for index in range(n_sines)] + ["trend", "noise"],
        periods=periods,
        amplitudes=amplitudes,
        phases=phases,
        DESCR=description,
    )


def make_windows(
    series: ArrayLike, *, window: int = 32, horizon: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cuts a series into (past window, next steps) pairs for training a forecaster.

    Pair i has the inputs `series[i : i + window]` and the targets
    `series[i + window : i + window + horizon]`, for every i where both fit, so a series
    of n steps gives n - window - horizon + 1 pairs, in order.

    Args:
        series: The series, shape `(n_steps,)`, finite values.
        window: `int` >= 1, how many past steps each input holds. Defaults to `32`.
        horizon: `int` >= 1, how many following steps each target holds. Defaults to `1`.

    Returns:
        A tuple `(inputs, targets)`:

        - `inputs`: float32, shape `(n_windows, window, 1)`, i.e.
          `(batch_size, timesteps, features)` as Keras recurrent layers take it.
        - `targets`: float32, shape `(n_windows, horizon)`.

    Raises:
        ValueError: If `series` is not 1-D or holds a non-finite value, `window` or
            `horizon` is not an integer >= 1, or the series is shorter than
            `window + horizon` steps.

    Example:

    >>> inputs, targets = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> inputs.shape, inputs[0, :, 0].tolist(), targets.tolist()
    ((2, 3, 1), [0.0, 1.0, 2.0], [[3.0, 4.0], [4.0, 5.0]])
    """
    series = np.asarray(series, dtype=np.float32)
    if series.ndim != 1:
        raise ValueError(
            "`series` must be 1-D, shape (n_steps,): one value per step. "
            f"Received: series with shape {series.shape}."
        )
    if not np.all(np.isfinite(series)):
        raise ValueError("`series` holds NaN or infinite values; remove or fill them first.")
    if not _is_int(window) or window < 1:
        raise ValueError(f"`window` must be an integer >= 1. Received: window={window!r}.")
    if not _is_int(horizon) or horizon < 1:
        raise ValueError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}.")
    if len(series) < window + horizon:
        raise ValueError(
            f"The series is too short: {len(series)} steps, but window={window} and "
            f"horizon={horizon} need at least window + horizon = {window + horizon} steps. "
            "Use a longer series or a shorter window or horizon."
        )
    # A read-only view into `series`; the copies own their memory, so changing the series
    # later leaves the pairs as they were.
    pairs = np.lib.stride_tricks.sliding_window_view(series, window + horizon)
    inputs = pairs[:, :window, np.newaxis].copy()
    targets = pairs[:, window:].copy()
    return inputs, targets


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
