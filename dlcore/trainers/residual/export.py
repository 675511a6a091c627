"""Depth and residuals' Export: a standalone Keras script that builds and trains the same
comparison, with the layers' and the builder's own source."""

from __future__ import annotations

import inspect
import textwrap

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers.residual.config import DATASETS, N_SAMPLES, OPTIMIZERS, Config
from dlcore.trainers.residual.model import build_side_by_side
from dlcore.training import export, layers

_PIECES = (
    layers.VariantDense,
    layers.VariantNorm,
    layers.VariantStack,
    layers._any_batch_norm,
    layers._norm_weights,
    layers._batch_moments,
    layers._normalize,
    layers._follow,
    layers._flags,
    layers.summed_cross_entropy,
    layers.VariantMetric,
    build_side_by_side,
    layers.per_variant,
)
"""What the script defines with the source of Deep Learning Studio's own: the layers,
the loss and metric, the builder and the labels' shape."""


def export_code(config: Config, *, epochs: int = 40) -> str:
    """Writes a standalone Python script that builds and trains this comparison.

    The script needs numpy, scikit-learn and Keras 3 only (no `dlcore`): it draws the
    same spiral (or loads the same digits) and splits them the same three ways, defines
    the layers of `dlcore.training.layers` and `build_side_by_side` (their own source),
    builds the same side-by-side model with the same starting weights, trains it with
    `model.fit` for `--epochs` epochs while watching the validation part (printing every
    variant's loss and accuracy), prints "<variant> (...): test loss L, test accuracy A"
    per variant, and saves the model to `--output` (default
    "residual_side_by_side.keras").

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `40`.
    """
    export.check_settings(config, epochs)
    n_features, n_classes = DATASETS[config.dataset]
    pieces_source = "\n\n".join(inspect.getsource(piece) for piece in _PIECES)
    header = f'''\
"""Depth and residuals: {config.depth} layers of {config.width} units on {config.dataset}.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
Activation: {config.activation}; Adam at {config.learning_rate:g}; batches of {config.batch_size}.
Trains {", ".join(config.variants)} side by side, as one model whose weights have a
variant axis: the same batches, the same starting kernels, and each variant learning as
it would alone (the loss is the sum of theirs, and Adam scales each weight's step alone).
{export.run_note(epochs=epochs, output=_OUTPUT)}"""

import argparse
import math
import os
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops
from sklearn.model_selection import train_test_split

DATASET = {config.dataset!r}
N_FEATURES = {n_features!r}
N_CLASSES = {n_classes!r}
DEPTH = {config.depth!r}
WIDTH = {config.width!r}
ACTIVATION = {config.activation!r}
VARIANTS = {tuple(config.variants)!r}
{export.settings_code(config)}N_SPIRAL_POINTS = {N_SAMPLES["spiral"]!r}
BATCH_NORM_MOMENTUM = {layers.BATCH_NORM_MOMENTUM!r}
VARIANTS_WITH = {{
    "plain": "no skip, no batch norm",
    "plain_bn": "batch norm",
    "residual": "skip connections",
    "residual_bn": "skip connections and batch norm",
}}
'''
    training = export.fit_code(
        "x_train", "per_variant(y_train, n_variants)", "(x_val, per_variant(y_val, n_variants))"
    )
    body = f'''

def load_data():
    """The {config.dataset} task as flat features, split into training, validation (watched
    while training) and test (scored once) parts: x_train, x_val, x_test, y_train, y_val,
    y_test."""
{textwrap.indent(_DATA_CODE[config.dataset], "    ")}
    features, labels = features.astype(np.float32), labels.astype(np.int64)
    parts = split(labels)
    return (*(features[rows] for rows in parts), *(labels[rows] for rows in parts))


{export.split_code(doc=_SPLIT_DOC)}

# The layers and the model, as Deep Learning Studio defines them (models saved here load
# there too).


{pieces_source}


def build_model():
    """The side-by-side model of this configuration, compiled."""
    return build_side_by_side(
        N_FEATURES,
        N_CLASSES,
        variants=VARIANTS,
        depth=DEPTH,
        width=WIDTH,
        activation=ACTIVATION,
        seed=SEED,
        optimizer={optimizer_code(OPTIMIZERS[0])},
    )


{export.main_code(epochs=epochs, output=_OUTPUT, seeded="the order of the batches")}\
    x_train, x_val, x_test, y_train, y_val, y_test = load_data()
    print("x_train:", x_train.shape, "x_val:", x_val.shape, "x_test:", x_test.shape)
    n_variants = len(VARIANTS)
    model = build_model()
{training}\
    # Scored once, at the end: nothing above looked at the test part.
    scores = model.evaluate(
        x_test, per_variant(y_test, n_variants), verbose=0, return_dict=True
    )
    for name in VARIANTS:
        print(
            f"{{name}} ({{VARIANTS_WITH[name]}}): test loss {{scores[name + '_loss']:.4f}}, "
            f"test accuracy {{scores[name + '_accuracy']:.4f}}"
        )
{export.save_code()}'''
    return header + body


# How `export_code`'s `load_data` gets `features` and `labels`: the same numbers as
# `load_data`.
_DATA_CODE = {
    "spiral": """\
# Two spiral arms, each turning 1.75 times out to radius 5, as dlcore.data.toy2d draws them.
rng = np.random.default_rng(SEED)
labels = np.arange(N_SPIRAL_POINTS) % 2
positions = rng.uniform(0.0, 1.0, size=N_SPIRAL_POINTS)
angles = 2.0 * math.pi * (1.75 * positions + labels / 2)
points = 5.0 * positions[:, np.newaxis] * np.column_stack([np.cos(angles), np.sin(angles)])
points = points + rng.uniform(0.0, 0.0, size=points.shape)  # no noise, drawn to keep the order
order = rng.permutation(N_SPIRAL_POINTS)
points, labels = np.clip(points[order], -6.0, 6.0).astype(np.float32), labels[order]
features = points / 5.0  # about [-1, 1]""",
    "digits": """\
from sklearn.datasets import load_digits  # 1,797 digits of 8 x 8 ink counts (0-16)

digits = load_digits()
features = (digits.images / 16.0).astype(np.float32).reshape(len(digits.images), -1)
labels = digits.target""",
}


_OUTPUT = "residual_side_by_side.keras"
_SPLIT_DOC = "Training, validation and test indices, stratified: the test part is drawn first."
