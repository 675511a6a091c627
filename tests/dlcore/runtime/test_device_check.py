"""Tests for dlcore.runtime.device_check, including training under a two-device MirroredStrategy."""

import json
import socket

import pytest
from helpers import finish_python, run_python, start_python

from dlcore.runtime import device_check, devices
from dlcore.runtime.device_check import compare_devices, run_device_check


def test_device_check_trains_on_the_cpu_and_reports_progress():
    losses = []
    result = run_device_check(
        "auto", epochs=4, n_samples=512, on_epoch_end=lambda epoch, loss: losses.append(loss)
    )
    assert result.device == "CPU:0"
    assert (result.replicas, result.precision, result.note) == (1, "float32", None)
    assert len(result.losses) == 4
    assert losses == pytest.approx(list(result.losses))
    assert result.losses[-1] < result.losses[0]
    assert result.samples_per_second > 0


def test_device_check_on_a_missing_gpu_falls_back_with_a_note():
    with pytest.warns(RuntimeWarning):
        result = run_device_check("gpu:2", epochs=1, n_samples=128)
    assert result.device == "CPU:0"
    assert "GPU:2 is not available" in result.note


def test_device_check_is_reproducible_with_a_seed():
    first = run_device_check("cpu", epochs=2, n_samples=256, seed=3)
    second = run_device_check("cpu", epochs=2, n_samples=256, seed=3)
    assert first.losses == pytest.approx(second.losses, rel=1e-5)


@pytest.mark.parametrize("epochs", [0, -1])
def test_device_check_rejects_no_epochs(epochs):
    with pytest.raises(ValueError, match="epochs and n_samples must be at least 1"):
        run_device_check(epochs=epochs)


def test_mirrored_strategy_trains_a_model_over_two_logical_cpus():
    # Logical devices must exist before TensorFlow starts: hence a fresh process.
    result = run_python(
        """
        import json
        from dlcore.runtime import devices
        from dlcore.runtime.device_check import run_device_check
        devices.configure(logical_cpus=2)
        strategy = devices.distribution_strategy(devices=["CPU:0", "CPU:1"])
        result = run_device_check("cpu", strategy=strategy, epochs=5, n_samples=1024)
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
    from dlcore.runtime import devices

    strategy = devices.distribution_strategy()
    assert strategy.num_replicas_in_sync == 1


def test_multi_worker_strategy_reduces_across_two_processes():
    # TF_CONFIG describes a two-worker cluster on this machine; each worker is a process.
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    code = """
        import json
        import tensorflow as tf
        from dlcore.runtime import devices
        from dlcore.runtime.device_check import run_device_check
        strategy = devices.distribution_strategy()

        def replica_number():
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            return tf.cast(replica, tf.float32) + 1

        @tf.function
        def replica_numbers():
            return strategy.run(replica_number)

        total = strategy.reduce(tf.distribute.ReduceOp.SUM, replica_numbers(), axis=None)
        try:
            run_device_check("cpu", strategy=strategy, epochs=1, n_samples=64)
            refusal = None
        except ValueError as error:
            refusal = str(error)
        print(json.dumps({
            "spans_workers": devices.spans_workers(strategy),
            "replicas": strategy.num_replicas_in_sync,
            "total": float(total),
            "refusal": refusal,
        }))
    """
    workers = [
        start_python(
            code,
            env={
                "TF_CONFIG": json.dumps(
                    {"cluster": cluster, "task": {"type": "worker", "index": index}}
                )
            },
        )
        for index in range(2)
    ]
    for result in [finish_python(worker, timeout=240) for worker in workers]:
        assert result["spans_workers"] is True
        assert result["replicas"] == 2
        # Replica numbers 1 and 2, one per worker, summed by an all-reduce between them.
        assert result["total"] == 3.0
        assert "keras-team/keras#20585" in result["refusal"]


def test_compare_devices_without_a_gpu_times_the_cpu_alone():
    runs = []
    comparison = compare_devices(
        epochs=1, n_samples=256, on_run=lambda index, n, label: runs.append((index, n, label))
    )
    assert comparison.labels == ("CPU",) and not comparison.gpu_present
    (result,) = comparison.results
    assert (result.device, result.precision) == ("CPU:0", "float32")
    assert runs == [(0, 1, "CPU")]


def test_compare_devices_plans_every_gpu_and_a_mirrored_run(monkeypatch):
    found = [
        devices.Device("CPU:0", "CPU", "a CPU"),
        devices.Device("GPU:0", "GPU", "a GPU"),
        devices.Device("GPU:1", "GPU", "a GPU"),
    ]
    monkeypatch.setattr(devices, "list_devices", lambda: found)
    monkeypatch.setattr(devices, "distribution_strategy", lambda devices: ("mirrored", devices))
    asked = []
    monkeypatch.setattr(
        device_check,
        "run_device_check",
        lambda requested, *, strategy, **options: asked.append((requested, strategy)),
    )
    comparison = compare_devices(epochs=1)
    assert comparison.labels == ("CPU", "GPU:0", "GPU:1", "2 GPUs mirrored")
    assert comparison.gpu_present
    assert asked == [
        ("cpu", None),
        ("gpu:0", None),
        ("gpu:1", None),
        ("gpu:0", ("mirrored", ["GPU:0", "GPU:1"])),
    ]
