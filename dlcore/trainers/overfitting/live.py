"""Overfitting lab: every network trained epoch by epoch in turn, so that all curves grow
together, and the early-stopping network that stops on its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from dlcore._checks import check_int
from dlcore.trainers.overfitting.config import Config
from dlcore.trainers.overfitting.data import LabData, training_set
from dlcore.trainers.overfitting.model import compile_network, model_variants, variant_scores
from dlcore.training.compiling import epoch_batches
from dlcore.training.fit import EpochReport, FitResult, make_batches
from dlcore.training.history import History


class EarlyStop:
    """Watches one network's validation loss; stops it and takes back its best weights.

    As Keras's `EarlyStopping(patience=..., restore_best_weights=True)` does inside one
    `fit`, but across the lab's epoch-by-epoch calls: the network stops once its
    validation loss has not improved for `patience` epochs in a row, and then gets back
    the weights of its best epoch. Like Keras's, it starts afresh with every training call.

    Args:
        network: the Keras model watched.
        patience: `int` >= 1, the epochs without improvement it waits.

    Attributes:
        best_epoch: the epoch of the lowest validation loss so far, or None.
        stopped_epoch: the epoch it stopped after, or None while it trains.
    """

    def __init__(self, network: Any, *, patience: int) -> None:
        self.network = network
        self.patience = patience
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self._best_loss = np.inf
        self._best_weights: list[np.ndarray] | None = None

    def update(self, epoch: int, validation_loss: float) -> bool:
        """Takes one epoch's validation loss; returns True once the network stops."""
        if validation_loss < self._best_loss:
            self._best_loss, self.best_epoch = validation_loss, epoch
            self._best_weights = self.network.get_weights()
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            self.network.set_weights(self._best_weights)
            return True
        return False


def measure(model: Any, data: LabData, variants: tuple[str, ...]) -> dict[str, float]:
    """Every network's loss and accuracy on its own training set and on the validation part.

    Both are measured after the epoch, in inference mode (no dropout, no augmentation), so
    that training and validation compare like with like; Keras's own training metrics are
    averages over the epoch's batches, with dropout on, which would hide some of the gap.

    Args:
        model: a `build_model` lab.
        data: its `LabData`.
        variants: the networks to report, a part of `model_variants(model)`.

    Returns:
        "<variant>_loss", "<variant>_accuracy", "val_<variant>_loss",
        "val_<variant>_accuracy" per network in `variants`; "loss", "accuracy", "val_loss"
        and "val_accuracy" are the baseline's, when it is among them.
    """
    infer = getattr(model, "_lab_inference", None)
    if infer is None:
        # Traced once per model and kept on it, as Keras keeps its compiled train step.
        infer = model._lab_inference = tf.function(
            lambda images: model(images, training=False), reduce_retracing=True
        )
    everything = model_variants(model)
    # The small training set is the larger one's first rows: one pass measures both.
    on_train = np.asarray(infer(tf.constant(data.x_more)))
    on_validation = variant_scores(
        np.asarray(infer(tf.constant(data.x_val))), data.y_val, everything
    )
    logs = {}
    for name in variants:
        index, n_train = everything.index(name), len(training_set(data, name)[1])
        train = variant_scores(
            on_train[:n_train, index : index + 1], data.y_more[:n_train], (name,)
        )
        for prefix, (loss, accuracy) in (("", train[name]), ("val_", on_validation[name])):
            logs[f"{prefix}{name}_loss"], logs[f"{prefix}{name}_accuracy"] = loss, accuracy
            if name == "baseline":
                logs[f"{prefix}loss"], logs[f"{prefix}accuracy"] = loss, accuracy
    return logs


def fit(
    model: Any,
    data: LabData,
    config: Config,
    *,
    epochs: int,
    on_epoch: Callable[[EpochReport], None] | None = None,
    patience: int | None = None,
    history: History | None = None,
    stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Trains every network of the lab one epoch at a time, in turn, and reports them all.

    Each epoch, each network still training runs Keras's `fit` for one epoch on its own
    training set (`training_set`) in batches of `config.batch_size`, reshuffled every
    epoch with `config.seed` (the same order for every network on the small set); then
    `measure` records every network's training and validation loss and accuracy. The
    "early_stopping" network stops once its validation loss has not improved for
    `patience` epochs and takes back its best epoch's weights (`EarlyStop`): its curves
    end at the epoch it stopped after, and it stays stopped when training goes on. The
    test part is left for `evaluate`.

    Args:
        model: a lab from `build_model(config, data)` (or loaded from its `.keras` file).
        data: the `LabData` from `load_data(config)`.
        config: the `Config` the lab was built with.
        epochs: `int` >= 1, epochs to run in this call.
        on_epoch: called with an `EpochReport` after every epoch; its `history` holds
            every network's curves (`History.variant`). Defaults to `None`.
        patience: the "early_stopping" network's patience for this call; None takes
            `config.patience`. The other networks train every epoch. Defaults to `None`.
        history: the `History` of earlier calls on this lab, to continue it.
        stop: asked after every epoch but the last (after `on_epoch`); True ends the run
            there.

    Returns:
        A `FitResult`: the run ends early only when asked (`stopped`), so
        `stopped_early` is False and `best_epoch` None; the early-stopping network's
        stop shows in its curves (see `dlcore.trainers.overfitting.gaps.stopping`).

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    check_int(epochs, name="epochs", minimum=1, hint="Training needs at least one epoch")
    patience = check_int(
        config.patience if patience is None else patience, name="patience", minimum=1
    )
    history = history if history is not None else History()
    first = len(history)
    # A network whose curves ended before the last epoch stopped early: it stays stopped.
    training = [
        name
        for name in model_variants(model)
        if len(history.metrics.get(f"val_{name}_loss", ())) == first
    ]
    networks, batches, steps = {}, {}, {}
    for name in training:
        inputs, targets = training_set(data, name)
        networks[name] = model.get_layer(name)
        if not networks[name].compiled:
            compile_network(networks[name], config, len(targets))
        batches[name] = make_batches(
            inputs, targets, batch_size=config.batch_size, seed=config.seed
        )
        steps[name] = epoch_batches(len(targets), config.batch_size)
    watch = (
        EarlyStop(networks["early_stopping"], patience=patience)
        if "early_stopping" in training
        else None
    )
    started, stopped = time.perf_counter(), False
    for epoch in range(first + 1, first + epochs + 1):
        for name in training:
            networks[name].fit(
                batches[name],
                steps_per_epoch=steps[name],
                epochs=epoch,
                initial_epoch=epoch - 1,
                shuffle=False,  # the pipeline shuffles with the seed
                verbose=0,
            )
        logs = measure(model, data, tuple(training))
        history.append(epoch, logs)
        if watch is not None and watch.update(epoch, logs["val_early_stopping_loss"]):
            training.remove("early_stopping")
            watch = None
        if on_epoch is not None:
            on_epoch(
                EpochReport(
                    epoch=epoch,
                    final_epoch=first + epochs,
                    logs=logs,
                    history=history,
                    weights=[np.array(weight) for weight in model.get_weights()],
                    seconds=time.perf_counter() - started,
                )
            )
        if epoch < first + epochs and stop is not None and stop():
            stopped = True
            break
    return FitResult(
        history=history,
        epochs_run=len(history) - first,
        seconds=time.perf_counter() - started,
        stopped_early=False,
        best_epoch=None,
        stopped=stopped,
    )
