"""Tests for dlcore.runtime.devices: discovery, one-time configuration, placement, strategies."""

import json
import warnings

import pytest
from helpers import run_python

from dlcore.runtime import devices


def test_keras_backend_follows_the_environment(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert devices.keras_backend() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", "/nonexistent")
    assert devices.keras_backend() == "tensorflow"


def test_library_versions_match_the_installed_packages():
    import keras
    import tensorflow as tf

    versions = devices.library_versions()
    assert versions["tensorflow"] == tf.__version__
    assert versions["keras"] == keras.__version__


def test_find_hardware_lists_the_cpu_first_with_its_cores_and_memory():
    cpu = devices.find_hardware()[0]
    assert (cpu.name, cpu.kind) == ("CPU:0", "CPU")
    assert f"{devices.usable_cores()} cores" in cpu.description
    assert cpu.memory_bytes > 2**30


def test_list_devices_sees_the_cpu_and_every_gpu_tensorflow_sees():
    import tensorflow as tf

    listed = devices.list_devices()
    assert listed[0].name == "CPU:0"
    gpus = [device for device in listed if device.kind == "GPU"]
    assert len(gpus) == len(tf.config.list_logical_devices("GPU"))


def test_hardware_discovery_and_the_panel_facts_do_not_import_tensorflow():
    imported = run_python(
        """
        import json, sys
        from dlcore.runtime import devices
        devices.find_hardware(); devices.library_versions(); devices.keras_backend()
        devices.resolve_placement("gpu:0", start_backend=False)
        print(json.dumps("tensorflow" in sys.modules))
        """
    )
    assert imported is False


@pytest.mark.parametrize(
    ("n_gpus", "tf_config", "expected"),
    [
        (0, None, "default"),
        (1, None, "default"),
        (2, None, "mirrored"),
        (8, None, "mirrored"),
        (0, json.dumps({"cluster": {"worker": ["a:1", "b:2"]}, "task": {}}), "multi_worker"),
        (2, json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:2"]}}), "multi_worker"),
        (2, json.dumps({"cluster": {"worker": ["a:1"]}}), "mirrored"),
    ],
)
def test_strategy_kind(n_gpus, tf_config, expected):
    assert devices.strategy_kind(n_gpus=n_gpus, tf_config=tf_config) == expected


def test_strategy_kind_rejects_a_broken_tf_config():
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        devices.strategy_kind(n_gpus=0, tf_config="{not json")


@pytest.mark.parametrize(
    ("requested", "device"), [("auto", "CPU:0"), ("cpu", "CPU:0"), ("CPU", "CPU:0")]
)
def test_resolve_placement_on_this_cpu_machine(requested, device):
    chosen = devices.resolve_placement(requested)
    assert (chosen.device, chosen.note) == (device, None)


def test_a_missing_gpu_falls_back_to_the_cpu_with_a_note():
    chosen = devices.resolve_placement("gpu:3")
    assert chosen.device == "CPU:0"
    assert "GPU:3 is not available" in chosen.note


@pytest.mark.parametrize("requested", ["tpu", "gpu", "gpu:-1", "gpu:x", ""])
def test_resolve_placement_rejects_unknown_requests(requested):
    with pytest.raises(ValueError, match="Expected a placement"):
        devices.resolve_placement(requested)


def test_placement_on_a_missing_gpu_warns_and_runs_on_the_cpu():
    import keras

    with (
        pytest.warns(RuntimeWarning, match="GPU:7 is not available"),
        devices.placement("gpu:7") as chosen,
    ):
        product = keras.ops.matmul(keras.ops.ones((2, 3)), keras.ops.ones((3, 2)))
    assert chosen.device == "CPU:0"
    assert "CPU:0" in product.device
    assert float(product[0, 0]) == 3.0


def test_placement_on_an_existing_device_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with devices.placement("cpu") as chosen:
            pass
    assert chosen.device == "CPU:0"


def test_precision_is_mixed_only_on_a_gpu():
    assert devices.precision_policy(devices.Placement("auto", "GPU:0")) == "mixed_float16"
    assert devices.precision_policy(devices.Placement("auto", "CPU:0")) == "float32"


def test_precision_scope_sets_and_restores_the_policy():
    import keras

    before = keras.config.dtype_policy().name
    with devices.precision_scope(devices.Placement("gpu:0", "GPU:0")) as policy:
        assert policy == "mixed_float16"
        assert keras.config.dtype_policy().name == "mixed_float16"
    assert keras.config.dtype_policy().name == before


def test_configure_applies_once_and_warns_when_asked_again():
    first = devices.configure()
    assert devices.backend_started()
    assert devices.configure() is first
    with pytest.warns(RuntimeWarning, match="already configured"):
        devices.configure(logical_cpus=4)


def test_configure_rejects_zero_logical_cpus():
    with pytest.raises(ValueError, match="logical_cpus must be at least 1"):
        devices.configure(logical_cpus=0)


def test_configure_sets_threads_and_logical_cpus_in_a_fresh_process():
    result = run_python(
        """
        import json
        from dlcore.runtime import devices
        configuration = devices.configure(logical_cpus=2, intra_op_threads=1, inter_op_threads=1)
        import tensorflow as tf
        print(json.dumps({
            "note": configuration.note,
            "intra": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter": tf.config.threading.get_inter_op_parallelism_threads(),
            "cpus": [device.name for device in devices.list_devices()],
        }))
        """
    )
    assert result == {"note": None, "intra": 1, "inter": 1, "cpus": ["CPU:0", "CPU:1"]}


def test_configure_after_tensorflow_started_reports_the_defaults_in_effect():
    result = run_python(
        """
        import json
        import tensorflow as tf
        tf.constant(1.0) + 1.0  # starts the runtime
        from dlcore.runtime import devices
        configuration = devices.configure(logical_cpus=2)
        print(json.dumps({"note": configuration.note, "cpus": configuration.logical_cpus}))
        """
    )
    assert "already started" in result["note"]
    assert result["cpus"] == 1
