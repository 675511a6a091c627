"""Tests for dlcore.device_check, including training under a two-device MirroredStrategy."""

import pytest
from conftest import run_python

from dlcore.device_check import run_device_check


def test_device_check_trains_on_the_cpu_and_reports_progress():
    losses = []
    result = run_device_check(
        "auto", epochs=4, num_samples=512, on_epoch_end=lambda epoch, loss: losses.append(loss)
    )
    assert result.device == "CPU:0"
    assert (result.replicas, result.precision, result.note) == (1, "float32", None)
    assert len(result.losses) == 4
    assert losses == pytest.approx(list(result.losses))
    assert result.losses[-1] < result.losses[0]
    assert result.samples_per_second > 0


def test_device_check_on_a_missing_gpu_falls_back_with_a_note():
    with pytest.warns(RuntimeWarning):
        result = run_device_check("gpu:2", epochs=1, num_samples=128)
    assert result.device == "CPU:0"
    assert "GPU:2 is not available" in result.note


def test_device_check_is_reproducible_with_a_seed():
    first = run_device_check("cpu", epochs=2, num_samples=256, seed=3)
    second = run_device_check("cpu", epochs=2, num_samples=256, seed=3)
    assert first.losses == pytest.approx(second.losses, rel=1e-5)


@pytest.mark.parametrize("epochs", [0, -1])
def test_device_check_rejects_no_epochs(epochs):
    with pytest.raises(ValueError, match="epochs and num_samples must be at least 1"):
        run_device_check(epochs=epochs)


def test_mirrored_strategy_trains_a_model_over_two_logical_cpus():
    # Logical devices must exist before TensorFlow starts: hence a fresh process.
    result = run_python(
        """
        import json
        from dlcore import devices
        from dlcore.device_check import run_device_check
        devices.configure(logical_cpus=2)
        strategy = devices.distribution_strategy(devices=["CPU:0", "CPU:1"])
        result = run_device_check("cpu", strategy=strategy, epochs=5, num_samples=1024)
        print(json.dumps({
            "strategy": type(strategy).__name__,
            "device": result.device,
            "replicas": result.replicas,
            "losses": result.losses,
            "accuracy": result.accuracy,
        }))
        """
    )
    assert result["strategy"] == "MirroredStrategy"
    assert result["replicas"] == 2
    assert result["device"] == "CPU:0, CPU:1"
    assert result["losses"][-1] < result["losses"][0]
    assert result["accuracy"] > 0.8


def test_default_strategy_on_one_device():
    from dlcore import devices

    strategy = devices.distribution_strategy()
    assert strategy.num_replicas_in_sync == 1
