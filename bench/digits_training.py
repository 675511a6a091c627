"""Digits CNN: seconds to 97 % validation accuracy, dlcore's training path against plain Keras.

Both train the same network, built by `dlcore.trainers.cnn.build_model` from the default
`Config` with the same initial weights, on the same three-way split of scikit-learn's
digits, and both measure the validation accuracy after every epoch and stop at the first
epoch that reaches 97 %, or after `MAX_EPOCHS`. dlcore trains through
`dlcore.trainers.cnn.fit` (that is `dlcore.training.fit.fit_live`: the config's batch size
and learning rate, one TensorFlow call per epoch through `steps_per_execution`, a cached,
repeated `tf.data` pipeline, and the validation set measured eagerly, without tracing a
test function). Plain Keras recompiles
the model with Keras's defaults (Adam at 0.001, `steps_per_execution` 1) and calls
`model.fit(x, y, validation_data=...)` with its default batch size of 32. Each time runs
from building the model to the end of the epoch that reached 97 %, so tracing and
compiling count for both.

Before the rounds, each path trains once untimed, so that whichever goes first does not
pay for the process's one-time start-up. The rounds alternate which path goes first and
the medians are reported; the target is dlcore at least `TARGET_SPEEDUP` times faster.
Two more figures split the gain: the time of an epoch after the first (the pipeline and
`steps_per_execution`) and the epochs needed (the learning rate). Tracing the training
step (about 1 s here) costs both paths the same and bounds the end-to-end ratio.
"""

import dataclasses
import statistics
import time

import keras
import numpy as np

from bench.report import Figure
from dlcore.trainers import cnn

TARGET_ACCURACY = 0.97
MAX_EPOCHS = 60
ROUNDS = 5
TARGET_SPEEDUP = 3.0


class _Stopwatch:
    """Times a run's epochs and stops the model at the first that reaches the target.

    Attributes:
        epoch_ends: seconds from the start to the end of each epoch.
        reached_at: the 1-based epoch that first reached the target, or None.
    """

    def __init__(self, model, *, started: float) -> None:
        self.model = model
        self.started = started
        self.epoch_ends: list[float] = []
        self.reached_at: int | None = None

    def epoch_end(self, epoch: int, logs: dict) -> None:
        self.epoch_ends.append(time.perf_counter() - self.started)
        if self.reached_at is None and logs.get("val_accuracy", 0.0) >= TARGET_ACCURACY:
            self.reached_at = epoch
            self.model.stop_training = True

    def result(self) -> dict:
        """Seconds and epochs to the target (the whole run if never reached), and the
        median seconds of an epoch after the first (which traces and compiles)."""
        later = np.diff(self.epoch_ends)
        return {
            "seconds": self.epoch_ends[-1],
            "epochs": self.reached_at,
            "epoch_seconds": float(np.median(later)) if len(later) else float("nan"),
        }


class _KerasStopwatch(keras.callbacks.Callback):
    def __init__(self, stopwatch: _Stopwatch) -> None:
        super().__init__()
        self.stopwatch = stopwatch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.stopwatch.epoch_end(epoch + 1, logs or {})


def _dlcore_run(config: cnn.Config, data: cnn.ImageData) -> dict:
    """Trains through `cnn.fit` with the config's settings until the target."""
    started = time.perf_counter()
    model = cnn.build_model(config, data)
    stopwatch = _Stopwatch(model, started=started)  # building the model counts
    cnn.fit(
        model,
        data,
        config,
        epochs=MAX_EPOCHS,
        on_epoch=lambda report: stopwatch.epoch_end(report.epoch, report.logs),
    )
    return stopwatch.result()


def _keras_run(config: cnn.Config, data: cnn.ImageData) -> dict:
    """Trains with `model.fit` and Keras's defaults until the target."""
    started = time.perf_counter()
    model = cnn.build_model(config, data)
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    stopwatch = _Stopwatch(model, started=started)
    model.fit(
        data.x_train,
        data.y_train,
        validation_data=data.validation,
        epochs=MAX_EPOCHS,
        verbose=0,
        callbacks=[_KerasStopwatch(stopwatch)],
    )
    return stopwatch.result()


def measure(config: cnn.Config, *, rounds: int = ROUNDS) -> dict[str, list[dict]]:
    """Times both paths `rounds` times, alternating which goes first, after a warm-up."""
    data = cnn.load_data(config)
    # The shuffling of plain `fit` draws from Keras's global generator.
    keras.utils.set_random_seed(config.seed)
    warm_up = dataclasses.replace(config, n_filters=4, dense_units=0)
    cnn.fit(cnn.build_model(warm_up, data), data, warm_up, epochs=1)
    short = cnn.build_model(warm_up, data)
    short.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    short.fit(data.x_train, data.y_train, validation_data=data.validation, verbose=0)
    runs: dict[str, list[dict]] = {"dlcore": [], "keras": []}
    for round_number in range(rounds):
        order = ("keras", "dlcore") if round_number % 2 == 0 else ("dlcore", "keras")
        for path in order:
            run = _dlcore_run if path == "dlcore" else _keras_run
            runs[path].append(run(config, data))
    return runs


def run() -> list[Figure]:
    runs = measure(cnn.Config())
    median = {
        path: {name: statistics.median(result[name] for result in results) for name in results[0]}
        for path, results in runs.items()
        if all(result["epochs"] is not None for result in results)
    }
    for path, results in runs.items():
        rounds = "; ".join(
            f"{result['seconds']:.2f} s ({result['epochs']} epochs)" for result in results
        )
        print(f"  {path}: {rounds}")
    if len(median) < 2:
        print(f"  a path did not reach {TARGET_ACCURACY:.0%} in {MAX_EPOCHS} epochs: no figures")
        return []
    dlcore, plain = median["dlcore"], median["keras"]
    return [
        Figure(
            f"digits CNN to {TARGET_ACCURACY:.0%} validation: dlcore's cnn.fit vs plain Keras fit "
            f"(median of {ROUNDS})",
            dlcore["seconds"],
            "s",
            target=round(plain["seconds"] / TARGET_SPEEDUP, 3),
            baseline=plain["seconds"],
        ),
        Figure(
            "digits CNN: one epoch after the first, dlcore vs plain Keras fit (median)",
            dlcore["epoch_seconds"] * 1000,
            "ms",
            baseline=plain["epoch_seconds"] * 1000,
        ),
        Figure(
            f"digits CNN: epochs to {TARGET_ACCURACY:.0%} validation, dlcore vs plain Keras fit",
            dlcore["epochs"],
            "epochs",
            baseline=plain["epochs"],
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
