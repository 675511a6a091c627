"""Tests for dlcore.data.timeseries: the generated series and its forecasting windows."""

import math

import numpy as np
import pytest

from dlcore.data import timeseries


@pytest.mark.parametrize("n_sines", [0, 1, 3, 5])
def test_series_has_documented_shapes_and_dtypes(n_sines):
    series = timeseries.make_series(200, n_sines=n_sines, trend=1.0, seed=0)

    assert series.data.shape == (200,), "data shape mismatch"
    assert series.data.dtype == np.float32
    np.testing.assert_array_equal(series.time, np.arange(200))
    assert series.time.dtype == np.float32
    assert series.components.shape == (n_sines + 2, 200)
    assert series.components.dtype == np.float32
    assert series.component_names == [f"sine {i + 1}" for i in range(n_sines)] + [
        "trend",
        "noise",
    ]
    for name in ("periods", "amplitudes", "phases"):
        assert series[name].shape == (n_sines,)
    assert isinstance(series.DESCR, str)
    assert "Steps: 200" in series.DESCR


def test_series_is_the_sum_of_its_components():
    series = timeseries.make_series(500, n_sines=3, trend=-2.0, noise=0.2, seed=1)

    np.testing.assert_allclose(series.data, series.components.sum(axis=0), atol=1e-6)


def test_sines_follow_their_reported_parameters():
    series = timeseries.make_series(400, n_sines=4, seed=2)
    time = np.arange(400)

    assert np.all((series.periods >= 10) & (series.periods <= 100))
    assert np.all((series.amplitudes >= 0.5) & (series.amplitudes <= 1.5))
    assert np.all((series.phases >= 0) & (series.phases < 2 * math.pi))
    for row, period, amplitude, phase in zip(
        series.components[:4], series.periods, series.amplitudes, series.phases, strict=True
    ):
        expected = amplitude * np.sin(2 * math.pi * time / period + phase)
        np.testing.assert_allclose(row, expected, atol=1e-5)


def test_trend_alone_rises_linearly_from_zero_to_trend():
    series = timeseries.make_series(101, n_sines=0, trend=2.0, noise=0.0, seed=0)

    np.testing.assert_allclose(series.data, np.linspace(0.0, 2.0, 101), atol=1e-6)
    np.testing.assert_array_equal(series.components[-1], 0.0)


def test_noise_alone_has_the_given_standard_deviation():
    series = timeseries.make_series(20_000, n_sines=0, noise=0.3, seed=0)

    assert abs(series.data.mean()) < 0.01
    assert series.data.std() == pytest.approx(0.3, rel=0.03)


def test_same_seed_repeats_and_another_seed_differs():
    first, again, other = (timeseries.make_series(300, seed=seed) for seed in (4, 4, 5))

    np.testing.assert_array_equal(first.data, again.data)
    np.testing.assert_array_equal(first.periods, again.periods)
    assert not np.array_equal(first.data, other.data)


@pytest.mark.parametrize(("window", "horizon"), [(1, 1), (5, 1), (8, 3), (32, 1), (49, 1)])
def test_windows_line_up_with_the_series(window, horizon):
    series = timeseries.make_series(50, seed=0).data

    inputs, targets = timeseries.make_windows(series, window=window, horizon=horizon)

    n_windows = 50 - window - horizon + 1
    assert inputs.shape == (n_windows, window, 1), "inputs shape mismatch"
    assert targets.shape == (n_windows, horizon), "targets shape mismatch"
    assert inputs.dtype == targets.dtype == np.float32
    for i in range(n_windows):
        np.testing.assert_array_equal(inputs[i, :, 0], series[i : i + window])
        np.testing.assert_array_equal(targets[i], series[i + window : i + window + horizon])


def test_windows_of_a_counting_series():
    inputs, targets = timeseries.make_windows(np.arange(7), window=3, horizon=2)

    np.testing.assert_array_equal(inputs[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
    np.testing.assert_array_equal(targets, [[3, 4], [4, 5], [5, 6]])


def test_windows_own_their_memory():
    series = np.arange(10, dtype=np.float32)
    inputs, targets = timeseries.make_windows(series, window=4)

    series[:] = -1.0

    assert inputs.flags.writeable and targets.flags.writeable
    assert inputs[0, 0, 0] == 0.0
    assert targets[0, 0] == 4.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: timeseries.make_windows(np.zeros(32), window=32, horizon=1),
            r"too short: 32 steps, but window=32 and horizon=1 need at least .* = 33 steps",
        ),
        (
            lambda: timeseries.make_windows(np.zeros(10), window=8, horizon=5),
            r"too short: 10 steps.*Use a longer series or a shorter window",
        ),
        (
            lambda: timeseries.make_windows(np.zeros((10, 1))),
            r"`series` must be 1-D.*\(10, 1\)",
        ),
        (
            lambda: timeseries.make_windows([0.0, np.nan, 1.0], window=1),
            r"`series` holds NaN or infinite values",
        ),
        (lambda: timeseries.make_windows(np.zeros(10), window=0), r"`window` must be .*=0"),
        (lambda: timeseries.make_windows(np.zeros(10), horizon=1.5), r"Received: horizon=1\.5"),
        (lambda: timeseries.make_series(1), r"`n_steps` must be an integer >= 2.*=1"),
        (lambda: timeseries.make_series(10, n_sines=-1), r"`n_sines` must be .*=-1"),
        (lambda: timeseries.make_series(10, noise=-0.5), r"`noise` must be a number >= 0"),
        (lambda: timeseries.make_series(10, trend=math.inf), r"`trend` must be a finite number"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
