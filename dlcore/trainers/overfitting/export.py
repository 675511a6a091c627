"""Overfitting lab's Export: a standalone Keras script that builds and trains the same
networks on the same digits, with the builders' own source."""

from __future__ import annotations

import inspect
import textwrap

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers.cnn import model as cnn_model
from dlcore.trainers.overfitting import data, model
from dlcore.trainers.overfitting.config import OPTIMIZERS, Config
from dlcore.training import export

_PIECES = (data.balanced_order, cnn_model.augmentation_layer, model.build_network, model.build_lab)
"""What the script defines with Deep Learning Studio's own source: the training sets' order,
the augmentation layers, the network and the lab."""

_OUTPUT = "overfitting_lab.keras"
_SPLIT_DOC = "Training pool, validation and test indices, stratified: the test part is drawn first."


def export_code(config: Config, *, epochs: int = 60) -> str:
    """Writes a standalone Python script that builds and trains this lab.

    The script needs numpy, scikit-learn and Keras 3 only (no `dlcore`). It loads the
    same digits, splits them the same three ways and takes the same small and larger
    training sets (`balanced_order`, its own source), builds every network with
    `build_network` (its own source) from the same starting weights, and trains each in
    turn with `model.fit` watching the validation part: the "early_stopping" network with
    Keras's `EarlyStopping(patience=PATIENCE, restore_best_weights=True)`, the
    "more_data" network on the larger set. (Keras's `fit` shuffles the batches with its
    own seed, so the numbers differ a little from the app's.) Then it holds them in
    `build_lab`, prints every network's test accuracy, once, at the end, and saves the lab
    to `--output` (default "overfitting_lab.keras").

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `60`.
    """
    export.check_settings(config, epochs)
    pieces_source = "\n\n".join(inspect.getsource(piece) for piece in _PIECES)
    trains = (
        f"Trains {', '.join(config.variants)}: each network starts from the same weights and "
        f"learns with Adam at {config.learning_rate:g} in batches of {config.batch_size}; "
        "each remedy changes one thing from the baseline. Every network is measured on the "
        "same validation digits after every epoch, and scored on the same test digits once, "
        "at the end."
    )
    networks = "".join(
        f"    {name!r}: {options!r},\n" for name, options in model.network_options(config).items()
    )
    header = f'''\
"""Overfitting lab: {config.depth} x {config.width} units on {config.n_train} digits, and \
the remedies.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
{textwrap.fill(trains, width=88)}
{export.run_note(epochs=epochs, output=_OUTPUT)}"""

import argparse
import math
import os

import keras
import numpy as np
from sklearn.model_selection import train_test_split

N_TRAIN = {config.n_train!r}
MORE_DATA = {config.more_data!r}
WIDTH = {config.width!r}
DEPTH = {config.depth!r}
PATIENCE = {config.patience!r}
NETWORKS = {{  # each network's remedy, as build_network takes it
{networks}}}
{export.settings_code(config)}
# The augmentation layers' strengths, as Deep Learning Studio's image classifier sets them.
ROTATION = {cnn_model.ROTATION!r}
ZOOM = {cnn_model.ZOOM!r}
SHIFT = {cnn_model.SHIFT!r}
'''
    body = f'''

def load_data():
    """The 1,797 digits: images (n, 8, 8, 1) in [0, 1] and labels (n,)."""
    from sklearn.datasets import load_digits

    digits = load_digits()  # 8x8 ink counts from 0 to 16
    images = (digits.images / 16.0).astype(np.float32)[..., np.newaxis]
    return images, digits.target.astype(np.int64)


{export.split_code(doc=_SPLIT_DOC)}

# The training sets' order, the layers and the networks, as Deep Learning Studio writes them.


{pieces_source}


def train(network, images, labels, validation, *, epochs, patience=None):
    """Compiles one network with its own Adam and trains it, watching the validation part."""
    steps_per_epoch = math.ceil(len(labels) / BATCH_SIZE)
    network.compile(
        optimizer={optimizer_code(OPTIMIZERS[0])},
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_epoch,
    )
    stopping = (
        [keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)]
        if patience
        else []
    )
    network.fit(
        images,
        labels,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        validation_data=validation,
        callbacks=stopping,
        verbose=2,
    )


{export.main_code(epochs=epochs, output=_OUTPUT, seeded="the batches, dropout and augmentation")}\
    images, labels = load_data()
    pool, validation, test = split(labels)
    pool = pool[balanced_order(labels[pool], seed=SEED)]
    small, more = pool[:N_TRAIN], pool[: N_TRAIN * MORE_DATA]
    networks = []
    for name, options in NETWORKS.items():
        network = build_network(
            images.shape[1:], 10, width=WIDTH, depth=DEPTH, seed=SEED, name=name, **options
        )
        rows = more if name == "more_data" else small
        print(f"{{name}}: training on {{len(rows)}} digits")
        train(
            network,
            images[rows],
            labels[rows],
            (images[validation], labels[validation]),
            epochs=args.epochs,
            patience=PATIENCE if name == "early_stopping" else None,
        )
        networks.append(network)
    lab = build_lab(networks)
    # Once, at the end: the test digits chose nothing (no epoch, no remedy).
    probabilities = lab.predict(images[test], verbose=0)
    for index, name in enumerate(NETWORKS):
        accuracy = np.mean(probabilities[:, index].argmax(axis=-1) == labels[test])
        print(f"{{name}}: test accuracy {{accuracy:.4f}}")
{export.save_code("lab")}'''
    return header + body
