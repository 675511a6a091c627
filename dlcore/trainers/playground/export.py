"""The Playground's Export: a standalone Keras script that draws, splits and trains the same."""

from __future__ import annotations

import inspect
import textwrap

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers.playground.config import Config
from dlcore.trainers.playground.model import build_mlp
from dlcore.training import export

_FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1**2",
    "x2^2": "x2**2",
    "x1*x2": "x1 * x2",
    "sin(x1)": "np.sin(x1)",
    "sin(x2)": "np.sin(x2)",
}
"""Each feature of `dlcore.data.toy2d.feature_map` as a NumPy expression of x1 and x2."""


def export_code(config: Config, *, epochs: int = 200) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs only numpy, scikit-learn and Keras (no `dlcore`): it inlines the
    set's generator (the same drawing as `dlcore.data.toy2d`, so the same seed gives the
    same points), the feature map, the same stratified three-way split, `build_mlp`'s own
    source and the same optimizer. `python script.py --epochs N --output model.keras`
    trains on the training points while watching the validation points, prints
    "Test accuracy: 0.xxxx" for the test points, and saves the model.

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `200`.
    """
    export.check_settings(config, epochs)
    columns = ", ".join(_FEATURE_CODE[name] for name in config.features)
    settings = export.settings_code(config)
    header = f'''\
"""Playground MLP: {config.dataset} data, hidden layers {list(config.hidden_layers)}.

Exported by Deep Learning Studio. Needs numpy, scikit-learn and Keras 3 only.
{export.run_note(epochs=epochs, output="playground_model.keras")}"""

import argparse
import math
import os

import keras
import numpy as np
from sklearn.model_selection import train_test_split

DATASET = {config.dataset!r}
NOISE = {float(config.noise)!r}
N_SAMPLES = {config.n_samples!r}
N_CLASSES = {config.n_classes!r}
FEATURES = {list(config.features)!r}
HIDDEN_LAYERS = {list(config.hidden_layers)!r}
ACTIVATION = {config.activation!r}
L1 = {float(config.l1)!r}
L2 = {float(config.l2)!r}
DROPOUT = {float(config.dropout)!r}
{settings}RADIUS = 5.0  # the exact shapes lie within this distance of the origin on each axis
EXTENT = 6.0  # every point lies in [-EXTENT, EXTENT]^2, noise included
'''
    training = export.train_test_save_code(
        ("x_train", "y_train"),
        "(x_val, y_val)",
        ("x_test", "y_test"),
        comment="Scored once, at the end: nothing above looked at the test points.",
        options=["shuffle=False  # the points are already shuffled with SEED"],
    )
    body = f'''

def finish(points, labels, rng):
    """Move each coordinate by up to NOISE * RADIUS, clip to the square, shuffle."""
    points = points + rng.uniform(-NOISE * RADIUS, NOISE * RADIUS, size=points.shape)
    order = rng.permutation(len(labels))
    return np.clip(points[order], -EXTENT, EXTENT).astype(np.float32), labels[order]


def make_points():
    """The {config.dataset} set: points (N_SAMPLES, 2) in [-6, 6] and labels (N_SAMPLES,)."""
    rng = np.random.default_rng(SEED)
    labels = np.arange(N_SAMPLES, dtype=np.int64) % N_CLASSES  # balanced classes
{textwrap.indent(_GENERATORS[config.dataset], "    ")}
    return finish(points, labels, rng)


def feature_map(points):
    """The model's inputs, shape (n, {len(config.features)}): {", ".join(config.features)}."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([{columns}]).astype(np.float32)


{export.split_code(doc=_SPLIT_DOC)}

{inspect.getsource(build_mlp)}

{export.main_code(epochs=epochs, output="playground_model.keras")}\
    points, labels = make_points()
    parts = split(labels)
    x_train, x_val, x_test = (feature_map(points[rows]) for rows in parts)
    y_train, y_val, y_test = (labels[rows] for rows in parts)
    print("x_train:", x_train.shape, "x_val:", x_val.shape, "x_test:", x_test.shape)
    model = build_mlp(
        len(FEATURES),
        N_CLASSES,
        hidden_layers=tuple(HIDDEN_LAYERS),
        activation=ACTIVATION,
        l1=L1,
        l2=L2,
        dropout=DROPOUT,
        seed=SEED,
        optimizer={optimizer_code(config.optimizer)},
    )
{training}'''
    return header + body


# The inline generators of `export_code`: the same drawing as `dlcore.data.toy2d`.
_GENERATORS = {
    "circles": """\
width = RADIUS / N_CLASSES  # class 0: a disc; class k: a ring from (k + 0.4) w to (k + 1) w
inner = np.where(labels == 0, 0.0, (labels + 0.4) * width)
radii = rng.uniform(inner, (labels + 1) * width)
angles = rng.uniform(0.0, 2.0 * math.pi, size=N_SAMPLES)
points = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])""",
    "xor": """\
sizes = rng.uniform(0.3, RADIUS, size=(N_SAMPLES, 2))  # keep 0.3 away from the axes
x1_signs = rng.choice([-1.0, 1.0], size=N_SAMPLES)
x2_signs = np.where(labels == 0, x1_signs, -x1_signs)  # class 0: same signs
points = sizes * np.column_stack([x1_signs, x2_signs])""",
    "gaussian": """\
angles = math.pi / 4.0 + 2.0 * math.pi * np.arange(N_CLASSES) / N_CLASSES
centers = 2.0 * math.sqrt(2.0) * np.column_stack([np.cos(angles), np.sin(angles)])
points = centers[labels] + rng.normal(0.0, math.sqrt(0.5), size=(N_SAMPLES, 2))""",
    "spiral": """\
positions = rng.uniform(0.0, 1.0, size=N_SAMPLES)  # each arm turns 1.75 times
radii = RADIUS * positions
angles = 2.0 * math.pi * (1.75 * positions + labels / N_CLASSES)
points = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])""",
    "moons": """\
from sklearn.datasets import make_moons  # exact half circles, scaled to [-5, 5]

points, labels = make_moons(N_SAMPLES, shuffle=False, noise=None)
points = (points - [0.5, 0.25]) * (10.0 / 3.0)""",
}


_SPLIT_DOC = "Rows for training, validation (watched while training) and test (scored once)."
