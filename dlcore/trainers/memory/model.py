"""Memory: the sequences split three ways, the cells side by side as one model, and its training."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data.memory_task import make_first_token_sequences
from dlcore.data.split import SplitData, split_as_configured
from dlcore.trainers._recurrent import layer_seeds, recurrent_layer
from dlcore.trainers.memory.config import CELLS, OPTIMIZERS, Config
from dlcore.training.evaluation import side_by_side_test_scores
from dlcore.training.fit import FitResult, fit_split
from dlcore.training.layers import VariantMetric, per_variant, summed_cross_entropy

EMBEDDING_DIM = 8
"""The size of every token's vector."""

EMBEDDING_SCALE = 1.0
"""Token vectors start uniform in [-1, 1], as large as a one-hot vector's entries. Keras's
default of ±0.05 makes every token so faint that a SimpleRNN's state hardly changes from
step to step, and it then keeps its first token for 40 steps: the forgetting this page
shows happens when the inputs are of the size real ones have."""


def load_data(config: Config) -> SplitData:
    """Draws `config.n_samples` sequences (`make_first_token_sequences`) and splits them three
    ways, stratified by their first token, with `config.seed`.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `SplitData`: int32 tokens `(n, length)` in [0, n_symbols), int64 labels `(n,)`
        (each sequence's first token), the symbols' names ("A", "B", ...) as `labels`, and
        no preprocessing.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(length=5, n_samples=100))
    >>> data.x_train.shape, data.x_test.shape, data.labels
    ((60, 5), (20, 5), ('A', 'B', 'C', 'D'))
    """
    config.validate()
    sequences = make_first_token_sequences(
        config.n_samples, length=config.length, n_symbols=config.n_symbols, seed=config.seed
    )
    return SplitData.from_indices(
        sequences.data,
        sequences.target,
        split_as_configured(sequences.target, config),
        labels=tuple(sequences.target_names),
        preprocessing={},
    )


def build_side_by_side(
    length: int,
    n_symbols: int,
    *,
    cells: tuple[str, ...],
    units: int = 32,
    embedding_dim: int = 8,
    embedding_scale: float = 1.0,
    seed: int = 0,
    optimizer: keras.optimizers.Optimizer | str = "adam",
) -> keras.Model:
    """Builds one network per recurrent cell, side by side, as one compiled model.

    Each cell's network reads the same tokens: its own `Embedding` ("<cell>_embedding"),
    its own recurrent layer ("<cell>", its last state only), its own `Dense` logits
    ("<cell>_logits"), reshaped to one row ("<cell>_row"); the rows are joined on axis 1
    ("logits"). The LSTM's and the GRU's gates start as `start_keeping` sets them.

    The loss is the sum over the cells of their mean cross-entropy: a weight's gradient is
    its own cell's, and with Adam each cell learns exactly as it would alone, from the same
    batches. The metrics are every cell's cross-entropy ("<cell>_loss") and accuracy
    ("<cell>_accuracy"). It takes one label per cell: `per_variant`.

    Args:
        length: `int` >= 1, the tokens of each sequence.
        n_symbols: `int` >= 2, the symbols, which are the classes too.
        cells: "simple_rnn", "lstm", "gru", in the order of the output's axis 1.
        units: `int` >= 1, the units of every recurrent layer. Defaults to `32`.
        embedding_dim: `int` >= 1, the size of a token's vector. Defaults to `8`.
        embedding_scale: `float` > 0, token vectors start uniform in [-scale, scale].
            Defaults to `1.0`.
        seed: `int`, seeds every initializer; each cell's network draws from the same
            seeds, so it starts as it would alone. Defaults to `0`.
        optimizer: a Keras optimizer, or its name. Defaults to `"adam"`.

    Input shape:
        `(batch_size, length)`, int token ids in [0, n_symbols).

    Output shape:
        `(batch_size, n_cells, n_symbols)`: logits, cells in `cells` order.

    Returns:
        A compiled `keras.Model` named "cells_side_by_side".
    """
    tokens = keras.Input((length,), dtype="int32", name="tokens")
    rows = []
    for cell in cells:
        # The same seeds for every cell: each starts as it would alone, from the same
        # token vectors.
        seeds = layer_seeds(seed)
        vectors = keras.layers.Embedding(
            n_symbols,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(
                -embedding_scale, embedding_scale, seed=next(seeds)
            ),
            name=f"{cell}_embedding",
        )(tokens)
        recurrent = recurrent_layer(cell, units, return_sequences=False, seeds=seeds, name=cell)
        logits = keras.layers.Dense(
            n_symbols,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"{cell}_logits",
        )(recurrent(vectors))
        rows.append(keras.layers.Reshape((1, n_symbols), name=f"{cell}_row")(logits))
        start_keeping(recurrent, max_steps=length, seed=next(seeds))
    outputs = keras.layers.Concatenate(axis=1, name="logits")(rows) if len(rows) > 1 else rows[0]
    model = keras.Model(tokens, outputs, name="cells_side_by_side")
    metrics = [
        VariantMetric(index, kind, name=f"{cell}_{kind}")
        for index, cell in enumerate(cells)
        for kind in ("loss", "accuracy")
    ]
    model.compile(optimizer=optimizer, loss=summed_cross_entropy, metrics=metrics)
    return model


def start_keeping(layer: keras.layers.Layer, *, max_steps: int, seed: int = 0) -> None:
    """Sets a built LSTM's or GRU's gate biases so that it starts out keeping its memory for
    up to `max_steps` steps: the chrono initialization of Tallec and Ollivier (2018), "Can
    recurrent neural networks warp time?".

    Each unit draws a time scale `T` uniformly from [1, max_steps - 1] and its keep gate
    (the LSTM's forget gate, the GRU's update gate) starts at the bias `log(T)`, so that it
    keeps about `1 - 1 / T` of its memory at each step; the LSTM's input gate starts at
    `-log(T)`, writing as much as it keeps lets go. Keras's own start (an LSTM forget bias
    of 1, a GRU update bias of 0) keeps 73 % and 50 % per step: after 50 steps nothing of
    the first token is left, nor of the gradient that would teach the gate to keep it, and
    neither gated cell left chance in 60 s here. A SimpleRNN has no gate and is left as it
    is: its state is rewritten by every token.

    Args:
        layer: a built `keras.layers.LSTM`, `GRU` or `SimpleRNN`.
        max_steps: `int` >= 2, the longest memory wanted: the sequence length.
        seed: `int`, seeds the time scales' draw. Defaults to `0`.
    """
    units = layer.cell.units
    keep = np.log(np.random.default_rng(seed).uniform(1.0, max(max_steps - 1, 1), size=units))
    values = keras.ops.convert_to_numpy(layer.cell.bias).copy()
    if isinstance(layer, keras.layers.LSTM):
        # The gates' order: input, forget, cell, output.
        values[:units], values[units : 2 * units] = -keep, keep
    elif isinstance(layer, keras.layers.GRU):
        # The gates' order: update, reset, candidate; with `reset_after`, row 0 is the
        # input's bias and row 1 the state's, which then starts at 0.
        values[..., :units] = 0.0
        values[(0, slice(0, units)) if values.ndim == 2 else slice(0, units)] = keep
    else:
        return
    layer.cell.bias.assign(values)


def build_model(config: Config, data: SplitData | None = None) -> Any:
    """The configured comparison, compiled: `build_side_by_side` with the config's values
    and Adam at `config.learning_rate`.

    The cells come in `CELLS` order (SimpleRNN, LSTM, GRU) whatever the config's order.

    Args:
        config: the `Config`; validated first.
        data: the `SplitData` it will learn (its sizes follow from the config too).

    Returns:
        A compiled `keras.Model` named "cells_side_by_side".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    cells = model_order(config.cells)
    model = build_side_by_side(
        config.length,
        config.n_symbols,
        cells=cells,
        units=config.units,
        embedding_dim=EMBEDDING_DIM,
        embedding_scale=EMBEDDING_SCALE,
        seed=config.seed,
        optimizer=make_optimizer(OPTIMIZERS[0], learning_rate=config.learning_rate),
    )
    # Keras creates the optimizer's state and the loss and metric trackers on first use;
    # created inside the first compiled step, they make TensorFlow compile it twice.
    model.optimizer.build(model.trainable_variables)
    sample = np.zeros((2, config.length), np.int32)
    labels = per_variant(np.zeros(2, np.int64), len(cells))
    predictions = model(sample)
    model.compute_loss(x=sample, y=labels, y_pred=predictions)
    model.compute_metrics(sample, labels, predictions, sample_weight=None)
    return model


def model_order(cells: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen cells in `CELLS` order, the order of the model's output and the page."""
    return tuple(cell for cell in CELLS if cell in cells)


def model_cells(model: Any) -> tuple[str, ...]:
    """The cells of a `build_model` model, in the order of its output's axis 1."""
    names = {layer.name for layer in model.layers}
    return tuple(cell for cell in CELLS if cell in names)


def fit(
    model: Any,
    data: SplitData,
    config: Config,
    *,
    epochs: int,
    on_epoch: Callable[[Any], None] | None = None,
    **options: Any,
) -> FitResult:
    """Trains the cells side by side, reporting all of them after each epoch.

    Through `dlcore.training.fit.fit_split`: in batches of `config.batch_size` reshuffled
    each epoch with `config.seed`, measuring the validation part after each epoch (the test
    part is left for `evaluate`); every label repeated once per cell (`per_variant`).

    Args:
        model: a model from `build_model(config, data)`.
        data: the `SplitData` from `load_data(config)`.
        config: the `Config` the model was built with.
        epochs: `int` >= 1, epochs to run in this call.
        on_epoch: called with a `dlcore.training.fit.EpochReport` after every epoch.
            Defaults to `None`.
        **options: `patience`, `history` and `stop`, as `fit_split` takes them.

    Returns:
        The `FitResult`; `result.history.variant(cell)` gives one cell's curves.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    n_cells = len(model_cells(model))
    return fit_split(
        model,
        data,
        config,
        epochs=epochs,
        on_epoch=on_epoch,
        train=(data.x_train, per_variant(data.y_train, n_cells)),
        validation=(data.x_val, per_variant(data.y_val, n_cells)),
        **options,
    )


def evaluate(model: Any, data: SplitData) -> dict[str, float]:
    """Every cell's test score, once, at the end.

    Returns:
        "test_loss" (the summed loss) and, per cell, "test_<cell>_loss" and
        "test_<cell>_accuracy", e.g. `{"test_lstm_accuracy": 1.0, ...}`.
    """
    return side_by_side_test_scores(model, data, n_variants=len(model_cells(model)))
