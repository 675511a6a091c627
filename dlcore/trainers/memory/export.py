"""Memory's Export: a standalone Keras script that builds and trains the same comparison, with
the builder's own source."""

from __future__ import annotations

import inspect

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers import _recurrent
from dlcore.trainers.memory import model
from dlcore.trainers.memory.config import OPTIMIZERS, Config
from dlcore.training import export, layers

_PIECES = (
    layers.summed_cross_entropy,
    layers.VariantMetric,
    layers.per_variant,
    _recurrent.layer_seeds,
    _recurrent.recurrent_layer,
    model.start_keeping,
    model.build_side_by_side,
)
"""What the script defines with the source of Deep Learning Studio's own: the loss and
metric, the labels' shape, the seeded recurrent layer and the builder."""

_OUTPUT = "memory_side_by_side.keras"

_CELL_TITLES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def export_code(config: Config, *, epochs: int = 10) -> str:
    """Writes a standalone Python script that builds and trains this comparison.

    The script needs numpy, scikit-learn and Keras 3 only (no `dlcore`): it draws the same
    sequences and splits them the same three ways, defines `build_side_by_side` and what it
    uses (their own source), builds the same side-by-side model with the same starting
    weights, trains it with `model.fit` for `--epochs` epochs while watching the
    validation part (printing every cell's loss and accuracy), prints "<cell>: test loss
    L, test accuracy A" per cell, and saves the model to `--output` (default
    "memory_side_by_side.keras").

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `10`.

    Returns:
        The script's source.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    export.check_settings(config, epochs)
    cells = model.model_order(config.cells)
    pieces_source = "\n\n".join(inspect.getsource(piece) for piece in _PIECES)
    header = f'''\
"""Memory: {", ".join(_CELL_TITLES[cell] for cell in cells)} on sequences of {config.length} tokens.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
Every sequence is {config.length} symbols drawn from {config.n_symbols}; its label is the first
one (chance: {1 / config.n_symbols:.0%}). Each cell has {config.units} units.
Adam at {config.learning_rate:g}; batches of {config.batch_size}. The cells train side by side, as
one model: the same batches, and each cell learning as it would alone (the loss is the sum
of theirs, and Adam scales each weight's step alone).
{export.run_note(epochs=epochs, output=_OUTPUT)}"""

import argparse
import itertools
import math
import os
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
from keras import ops
from sklearn.model_selection import train_test_split

LENGTH = {config.length!r}
N_SYMBOLS = {config.n_symbols!r}
N_SAMPLES = {config.n_samples!r}
UNITS = {config.units!r}
CELLS = {cells!r}
{export.settings_code(config)}EMBEDDING_DIM = {model.EMBEDDING_DIM!r}
EMBEDDING_SCALE = {model.EMBEDDING_SCALE!r}
'''
    training = export.fit_code(
        "x_train", "per_variant(y_train, n_cells)", "(x_val, per_variant(y_val, n_cells))"
    )
    body = f'''

def load_data():
    """Sequences of random symbols, labelled with their first one, split into training,
    validation (watched while training) and test (scored once) parts: x_train, x_val,
    x_test, y_train, y_val, y_test."""
    rng = np.random.default_rng(SEED)
    tokens = rng.integers(0, N_SYMBOLS, size=(N_SAMPLES, LENGTH), dtype=np.int32)
    labels = tokens[:, 0].astype(np.int64)
    parts = split(labels)
    return (*(tokens[rows] for rows in parts), *(labels[rows] for rows in parts))


{export.split_code(doc=_SPLIT_DOC)}

# The loss, the metric and the model, as Deep Learning Studio defines them (models saved
# here load there too).


{pieces_source}


def build_model():
    """The side-by-side model of this configuration, compiled."""
    return build_side_by_side(
        LENGTH,
        N_SYMBOLS,
        cells=CELLS,
        units=UNITS,
        embedding_dim=EMBEDDING_DIM,
        embedding_scale=EMBEDDING_SCALE,
        seed=SEED,
        optimizer={optimizer_code(OPTIMIZERS[0])},
    )


{export.main_code(epochs=epochs, output=_OUTPUT, seeded="the order of the batches")}\
    x_train, x_val, x_test, y_train, y_val, y_test = load_data()
    print("x_train:", x_train.shape, "x_val:", x_val.shape, "x_test:", x_test.shape)
    n_cells = len(CELLS)
    model = build_model()
{training}\
    # Scored once, at the end: nothing above looked at the test part.
    scores = model.evaluate(x_test, per_variant(y_test, n_cells), verbose=0, return_dict=True)
    print(f"Chance: {{1 / N_SYMBOLS:.4f}}")
    for name in CELLS:
        print(
            f"{{name}}: test loss {{scores[name + '_loss']:.4f}}, "
            f"test accuracy {{scores[name + '_accuracy']:.4f}}"
        )
{export.save_code()}'''
    return header + body


_SPLIT_DOC = "Training, validation and test indices, stratified: the test part is drawn first."
