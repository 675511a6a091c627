"""Tests for dlcore.trainers.forecast: the config, the split in time order, the forecaster,
its test score against the naive forecast, and the exported script."""

import re
import subprocess
import sys

import numpy as np
import pytest

from dlcore.data.split import SplitData
from dlcore.trainers import forecast
from dlcore.trainers.forecast import Config
from dlcore.training.saving import model_from_bytes


@pytest.fixture(scope="module")
def forecaster():
    config = Config()
    data = forecast.load_data(config)
    model = forecast.build_model(config, data)
    result = forecast.fit(model, data, config, epochs=4)
    return model, data, result


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"units": 0}, "units.*zero units.*Received: units=0"),
        ({"n_layers": 0}, "n_layers.*Received: n_layers=0"),
        ({"cell": "transformer"}, "Unknown cell.*Received: cell='transformer'"),
        ({"window_length": 0}, "window_length.*Received: window_length=0"),
        ({"horizon": 0}, "horizon.*Received: horizon=0"),
        ({"noise": -0.1}, "noise.*Received: noise=-0.1"),
        ({"trend": float("inf")}, "trend.*finite"),
        ({"n_sines": -1}, "n_sines.*Received: n_sines=-1"),
        (
            {"n_steps": 100, "window_length": 70},
            "window of 70 steps and a horizon of 1 do not fit in the 70 training steps",
        ),
        (
            {"n_steps": 100, "test_fraction": 0.02, "horizon": 5, "window_length": 10},
            r"held-out end of the series \(2 steps\) is shorter than the horizon \(5\)",
        ),
        (
            {"n_steps": 100, "validation_fraction": 0.02, "horizon": 5, "window_length": 10},
            r"validation part of the series \(2 steps\) is shorter than the horizon \(5\)",
        ),
        ({"validation_fraction": 1.5}, "validation_fraction.*Received: validation_fraction=1.5"),
        ({"learning_rate": -1.0}, "learning_rate.*Received: learning_rate=-1.0"),
        ({"optimizer": "lbfgs"}, "Unknown optimizer.*Received: optimizer='lbfgs'"),
    ],
)
def test_config_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_the_default_config_is_valid_and_frozen():
    config = Config()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


def test_build_and_export_validate_first():
    data = forecast.load_data(Config())
    with pytest.raises(ValueError, match="window_length"):
        forecast.build_model(Config(window_length=0), data)
    with pytest.raises(ValueError, match="cell"):
        forecast.export_code(Config(cell="cnn"))


def test_the_series_is_split_in_time_order():
    config = Config(n_steps=300, window_length=20, horizon=3, trend=2.0)
    data = forecast.load_data(config)
    assert isinstance(data, SplitData) and data.labels == ()
    assert (data.validation_start, data.test_start) == (210, 240)
    assert data.x_train.shape == (188, 20, 1), "x_train shape mismatch"
    assert data.x_val.shape == (28, 20, 1), "x_val shape mismatch"
    assert data.x_test.shape == (58, 20, 1), "x_test shape mismatch"
    assert data.target_steps_test.shape == (58, 3)
    assert data.target_steps_test.min() == 240 and data.target_steps_test.max() == 299
    # Standardized with the training part: the values are the series, shifted and scaled.
    np.testing.assert_allclose(
        data.y_test * data.scale + data.mean, data.series[data.target_steps_test], atol=1e-5
    )
    np.testing.assert_allclose(
        data.x_train[0, :, 0] * data.scale + data.mean, data.series[:20], atol=1e-5
    )
    # No shuffle across time: the last training target comes before the first validation
    # target, and the last validation target before the first test target.
    np.testing.assert_allclose(data.y_train[-1] * data.scale + data.mean, data.series[207:210])
    np.testing.assert_allclose(data.y_val[0] * data.scale + data.mean, data.series[210:213])
    np.testing.assert_allclose(data.y_val[-1] * data.scale + data.mean, data.series[237:240])
    assert data.mean == pytest.approx(data.series[:210].mean(), abs=1e-5)
    assert data.preprocessing == {
        "window_length": 20,
        "horizon": 3,
        "mean": data.mean,
        "scale": data.scale,
    }


def test_fit_watches_the_validation_windows(forecaster):
    model, data, result = forecaster
    assert result.epochs_run == 4
    assert set(result.history.metrics) == {"loss", "mae", "val_loss", "val_mae"}
    validation = model.evaluate(data.x_val, data.y_val, verbose=0, return_dict=True)
    assert result.history.last("val_loss") == pytest.approx(validation["loss"], rel=1e-4)


def test_the_test_score_sits_next_to_the_naive_forecasts(forecaster):
    model, data, _ = forecaster
    scores = forecast.evaluate(model, data)
    assert set(scores) == {"test_loss", "test_mae", "test_naive_loss", "test_naive_mae"}
    naive = data.x_test[:, -1, :]
    assert scores["test_naive_mae"] == pytest.approx(np.abs(naive - data.y_test).mean())
    assert scores["test_mae"] < 0.6 * scores["test_naive_mae"], scores


def test_forecast_beats_the_naive_last_value(forecaster):
    model, data, _ = forecaster
    result = forecast.forecast(model, data)
    assert result.predictions.shape == result.truth.shape == (200, 1)
    np.testing.assert_allclose(result.naive[:, 0], data.series[result.target_steps[:, 0] - 1])
    np.testing.assert_allclose(result.truth, data.series[result.target_steps], atol=1e-5)
    assert result.mae < 0.6 * result.naive_mae, (result.mae, result.naive_mae)
    scores = forecast.evaluate(model, data)
    assert result.mae == pytest.approx(scores["test_mae"] * data.scale, rel=1e-4)


def _exec_script(code):
    namespace = {"__name__": "exported"}
    exec(compile(code, "exported", "exec"), namespace)
    return namespace


def test_exported_script_rebuilds_the_same_data_and_model():
    config = Config(cell="lstm", n_layers=2, horizon=4, trend=1.5, n_steps=400, optimizer="rmsprop")
    code = forecast.export_code(config)
    assert "dlcore" not in code
    assert "def forecaster(" in code  # the builder's own source, pasted
    namespace = _exec_script(code)
    data = forecast.load_data(config)
    (x_train, _), (x_val, y_val), (_, y_test), mean, scale = namespace["load_data"]()
    np.testing.assert_array_equal(x_train, data.x_train)
    np.testing.assert_array_equal(x_val, data.x_val)
    np.testing.assert_array_equal(y_val, data.y_val)
    np.testing.assert_array_equal(y_test, data.y_test)
    assert (mean, scale) == (data.mean, data.scale)
    exported = namespace["build_model"]()
    model = forecast.build_model(config, data)
    for left, right in zip(exported.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    assert type(exported.optimizer).__name__ == "RMSprop" == type(model.optimizer).__name__


@pytest.mark.slow
def test_exported_script_trains_one_epoch_and_saves_a_loadable_model(tmp_path):
    script = tmp_path / "exported.py"
    script.write_text(forecast.export_code(Config()), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", str(tmp_path / "m.keras")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    stdout = process.stdout
    assert re.search(r"^\d+/\d+ - .*loss: .*val_loss: ", stdout, re.MULTILINE), stdout[-2000:]
    errors = dict(re.findall(r"(Test|Naive) MAE: (\d+\.\d+)", stdout))
    assert set(errors) == {"Test", "Naive"}, stdout[-2000:]
    model = model_from_bytes((tmp_path / "m.keras").read_bytes())
    assert model.output_shape == (None, 1)
