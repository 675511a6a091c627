"""Depth and residuals: training every variant side by side, and the gradient at every layer.

`fit` trains the side-by-side model with `dlcore.training.fit.fit_split`: the variants see
the same batches in the same order, and each learns exactly as it would alone. After every
epoch, one report carries every variant's metrics and `gradient_norms` (the size of the
loss's gradient at each layer), so that a page draws all the curves live.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf
from keras import ops

from dlcore.data.split import SplitData
from dlcore.trainers.residual.config import N_PROBE_SAMPLES, Config
from dlcore.trainers.residual.model import model_variants
from dlcore.training.fit import EpochReport, FitResult, fit_split
from dlcore.training.history import History
from dlcore.training.layers import VariantStack, per_variant, summed_cross_entropy


@dataclasses.dataclass(frozen=True)
class ResidualReport:
    """What `on_epoch` receives after each epoch: every variant's progress at once.

    Attributes:
        epoch: epochs finished so far, counting earlier runs (1-based).
        final_epoch: the epoch this run ends at if nothing stops it.
        history: the side-by-side model's `History`; `History.variant` picks one
            variant's curves out of it.
        weights: a copy of the side-by-side model's weights, for
            `dlcore.training.fit.restore_weights`.
        seconds: wall time since this run began.
        gradient_norms: variant -> layer name -> the L2 norm of the loss's gradient with
            respect to that layer's kernel, on the probe batch; layers in order from the
            input ("layer_1", ..., "layer_<depth>", "output").
    """

    epoch: int
    final_epoch: int
    history: History
    weights: list[np.ndarray]
    seconds: float
    gradient_norms: dict[str, dict[str, float]]


def layer_names(model: Any) -> list[str]:
    """The layers `gradient_norms` reports on, from the input: "layer_1", ...,
    "layer_<depth>", "output"."""
    depth = 1 + sum(layer.n_layers for layer in model.layers if isinstance(layer, VariantStack))
    return [*(f"layer_{k + 1}" for k in range(depth)), "output"]


def gradient_norms(model: Any, data: tuple[np.ndarray, np.ndarray]) -> dict[str, dict[str, float]]:
    """Measures how large the loss's gradient is at every layer of every variant.

    One forward and backward pass under `tf.GradientTape` in training mode (batch norm
    uses the batch's statistics, as in a training step) of the model's loss on the batch;
    for each variant and layer, the L2 (Frobenius) norm of the gradient of the variant's
    mean cross-entropy with respect to that layer's kernel. Batch norm's moving
    statistics are left as they were.

    Args:
        model: a model from `build_model`.
        data: `(inputs, labels)`: float32 `(batch_size, n_features)` and int
            `(batch_size,)`.

    Returns:
        Variant -> layer name -> norm (`float` >= 0), layers in `layer_names(model)`
        order, from the input to the output.
    """
    inputs, labels = data
    norms = _gradient_norms(
        model,
        tf.convert_to_tensor(inputs, tf.float32),
        tf.convert_to_tensor(per_variant(labels, len(model_variants(model)))),
    )
    return _norms_by_variant(model, norms)


def _gradient_norms(model: Any, inputs: Any, targets: Any) -> Any:
    """`gradient_norms` as a tensor of shape `(depth + 1, n_variants)`, for `tf.function`."""
    kept = [tf.identity(variable.value) for variable in model.non_trainable_variables]
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    with tf.GradientTape() as tape:
        loss = ops.mean(summed_cross_entropy(targets, model(inputs, training=True)))
    gradients = tape.gradient(loss, kernels)
    for variable, value in zip(model.non_trainable_variables, kept, strict=True):
        variable.assign(value)
    # A kernel's last two axes are one layer of one variant: (n_inputs, units).
    norms = [tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[-2, -1])) for gradient in gradients]
    rows = [norm[tf.newaxis] if norm.shape.rank == 1 else norm for norm in norms]
    return tf.concat(rows, axis=0)


def _norms_by_variant(model: Any, norms: Any) -> dict[str, dict[str, float]]:
    table = np.asarray(norms, dtype=np.float64)
    names = layer_names(model)
    return {
        variant: dict(zip(names, table[:, index].tolist(), strict=True))
        for index, variant in enumerate(model_variants(model))
    }


def fit(
    model: Any,
    data: SplitData,
    config: Config,
    *,
    epochs: int,
    on_epoch: Callable[[ResidualReport], None] | None = None,
    **options: Any,
) -> FitResult:
    """Trains the side-by-side model, reporting every variant after each epoch.

    Through `dlcore.training.fit.fit_split`, in batches of `config.batch_size` reshuffled
    each epoch with `config.seed`, measuring the validation part after each epoch (the
    test part is left for `evaluate`); every label repeated once per variant
    (`per_variant`). After every epoch, `gradient_norms` is measured on
    the first `N_PROBE_SAMPLES` training samples (compiled once per model and kept on it,
    as Keras keeps its compiled train step).

    Args:
        model: a model from `build_model(config, data)`.
        data: the `SplitData` from `load_data(config)`.
        config: the `Config` the model was built with.
        epochs: `int` >= 1, epochs to run in this call.
        on_epoch: called with a `ResidualReport` after every epoch. Defaults to `None`.
        **options: `patience` (stop once the summed validation loss has not improved for
            this many epochs, and keep the best epoch's weights), `history` (of earlier
            calls on this model, to continue it) and `stop` (asked after every epoch,
            after `on_epoch`), as `fit_split` takes them.

    Returns:
        The `FitResult` of `fit_split`; `result.history.variant(variant)` gives
        one variant's curves.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    n_variants = len(config.variants)
    probe_inputs = tf.constant(data.x_train[:N_PROBE_SAMPLES])
    probe_targets = tf.constant(per_variant(data.y_train[:N_PROBE_SAMPLES], n_variants))
    probe = getattr(model, "_gradient_probe", None)
    if probe is None:
        probe = model._gradient_probe = tf.function(functools.partial(_gradient_norms, model))

    def report(epoch: EpochReport) -> None:
        if on_epoch is not None:
            on_epoch(
                ResidualReport(
                    epoch=epoch.epoch,
                    final_epoch=epoch.final_epoch,
                    history=epoch.history,
                    weights=epoch.weights,
                    seconds=epoch.seconds,
                    gradient_norms=_norms_by_variant(model, probe(probe_inputs, probe_targets)),
                )
            )

    return fit_split(
        model,
        data,
        config,
        epochs=epochs,
        on_epoch=report,
        train=(data.x_train, per_variant(data.y_train, n_variants)),
        validation=(data.x_val, per_variant(data.y_val, n_variants)),
        **options,
    )
