"""Device check: train a small model where asked, and report where it ran and how fast.

A presenter runs it before a talk to see that the GPU (or the CPU) is really used; the
tests run it under a two-device MirroredStrategy to exercise the multi-device path.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from sklearn.datasets import make_moons

from dlcore.runtime import devices


@dataclasses.dataclass(frozen=True)
class DeviceCheckResult:
    """What a device check measured.

    Attributes:
        device: where the model trained, e.g. "CPU:0", or "CPU:0, CPU:1" when mirrored.
        note: why the requested device was not used, or None.
        precision: the Keras dtype policy, "float32" or "mixed_float16".
        replicas: how many devices trained in step (1 unless mirrored).
        epochs: epochs trained.
        seconds: training time, excluding the model build.
        samples_per_second: training samples processed per second.
        losses: the training loss after each epoch, shape (epochs,).
        accuracy: accuracy on the training data after the last epoch, in [0, 1].
    """

    device: str
    note: str | None
    precision: str
    replicas: int
    epochs: int
    seconds: float
    samples_per_second: float
    losses: tuple[float, ...]
    accuracy: float


def run_device_check(
    requested: str = "auto",
    *,
    strategy: Any = None,
    epochs: int = 5,
    n_samples: int = 2048,
    seed: int = 0,
    on_epoch_end: Callable[[int, float], None] | None = None,
) -> DeviceCheckResult:
    """Train a small MLP on two-moons data on the requested device.

    Args:
        requested: "auto", "cpu" or "gpu:N"; a missing GPU falls back to the CPU with a note.
        strategy: a `tf.distribute.Strategy` (from `devices.distribution_strategy()`) to
            train under instead of one device. Defaults to one device.
        epochs: passes over the data. Defaults to 5.
        n_samples: training points. Defaults to 2048.
        seed: seeds the data and the weights. Defaults to 0.
        on_epoch_end: called as `on_epoch_end(epoch, loss)` after each epoch, for progress.

    Returns:
        A `DeviceCheckResult`.

    Raises:
        ValueError: if `epochs` or `n_samples` is below 1, or if `strategy` spans several
            workers: Keras 3's `fit` cannot train under MultiWorkerMirroredStrategy yet
            (keras-team/keras#20585).
    """
    if epochs < 1 or n_samples < 1:
        raise ValueError(
            "epochs and n_samples must be at least 1. "
            f"Received: epochs={epochs}, n_samples={n_samples}"
        )
    if strategy is not None and devices.spans_workers(strategy):
        raise ValueError(
            "Keras 3's model.fit cannot train under MultiWorkerMirroredStrategy yet "
            "(keras-team/keras#20585), so the device check runs on one machine only. "
            "Unset TF_CONFIG, or turn off mirroring, to run it here."
        )
    features, labels = make_moons(n_samples, noise=0.2, random_state=seed)
    features = features.astype("float32")
    import keras

    callbacks = []
    if on_epoch_end is not None:
        callbacks.append(
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: on_epoch_end(epoch, float(logs["loss"]))
            )
        )
    with devices.placement(requested) as placement, devices.precision_scope(placement) as precision:
        if strategy is None:
            model = _build_model(keras, seed=seed)
            device = placement.device
            replicas = 1
        else:
            with strategy.scope():
                model = _build_model(keras, seed=seed)
            replicas = strategy.num_replicas_in_sync
            device = ", ".join(
                name.split("device:")[-1] for name in strategy.extended.worker_devices
            )
        started = time.perf_counter()
        history = model.fit(
            features,
            labels,
            epochs=epochs,
            batch_size=64,
            # make_moons already shuffled the points with the seed; Keras's own shuffle
            # would draw from global random state and break reproducibility.
            shuffle=False,
            verbose=0,
            callbacks=callbacks,
        )
        seconds = time.perf_counter() - started
    return DeviceCheckResult(
        device=device,
        note=placement.note,
        precision=precision,
        replicas=replicas,
        epochs=epochs,
        seconds=seconds,
        samples_per_second=epochs * n_samples / seconds,
        losses=tuple(float(loss) for loss in history.history["loss"]),
        accuracy=float(history.history["accuracy"][-1]),
    )


@dataclasses.dataclass(frozen=True)
class DeviceComparison:
    """The same training timed on every device present.

    Attributes:
        labels: what each run trained on, e.g. ("CPU", "GPU:0", "GPU:1", "2 GPUs mirrored").
        results: the `DeviceCheckResult` of each run, in the same order.
        gpu_present: whether the backend sees a GPU; without one, only the CPU is timed.
    """

    labels: tuple[str, ...]
    results: tuple[DeviceCheckResult, ...]
    gpu_present: bool


def compare_devices(
    *,
    epochs: int = 3,
    n_samples: int = 2048,
    seed: int = 0,
    on_run: Callable[[int, int, str], None] | None = None,
) -> DeviceComparison:
    """Train the device check's model on the CPU, on every GPU, and mirrored over all the
    GPUs when there are two or more: same data, same weights, same batches.

    On a GPU the model trains in mixed precision (`devices.precision_policy`). A machine
    with no GPU times the CPU alone and never fails for want of one.

    Args:
        epochs: passes over the data in each run. Defaults to 3.
        n_samples: training points. Defaults to 2048.
        seed: seeds the data and the weights, the same in every run. Defaults to 0.
        on_run: called as `on_run(index, n_runs, label)` before each run, for progress.

    Returns:
        A `DeviceComparison`.

    Raises:
        ValueError: as `run_device_check`.
    """
    gpus = [device.name for device in devices.list_devices() if device.kind == "GPU"]
    plans: list[tuple[str, str, Any]] = [("CPU", "cpu", None)]
    plans += [(name, name.lower(), None) for name in gpus]
    if len(gpus) >= 2:
        plans.append(
            (f"{len(gpus)} GPUs mirrored", "gpu:0", devices.distribution_strategy(devices=gpus))
        )
    results = []
    for index, (label, requested, strategy) in enumerate(plans):
        if on_run is not None:
            on_run(index, len(plans), label)
        results.append(
            run_device_check(
                requested, strategy=strategy, epochs=epochs, n_samples=n_samples, seed=seed
            )
        )
    return DeviceComparison(
        labels=tuple(label for label, _, _ in plans),
        results=tuple(results),
        gpu_present=bool(gpus),
    )


def _build_model(keras: Any, *, seed: int) -> Any:
    """Two inputs -> 32 -> 16 -> 1 sigmoid; the output stays float32 under mixed precision.

    Each layer's initializer has its own seed, so the weights repeat without seeding
    the global random state that other browser sessions share.
    """
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(
                32, "relu", kernel_initializer=keras.initializers.GlorotUniform(seed)
            ),
            keras.layers.Dense(
                16, "relu", kernel_initializer=keras.initializers.GlorotUniform(seed + 1)
            ),
            keras.layers.Dense(
                1,
                "sigmoid",
                kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
                dtype="float32",
            ),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
