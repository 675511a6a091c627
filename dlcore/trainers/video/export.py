"""The video model's exported script: the same clips, split, model and training in Keras."""

from __future__ import annotations

import inspect

from dlcore.concepts.optimizers import optimizer_code
from dlcore.data import motion
from dlcore.trainers.video import model
from dlcore.trainers.video.config import Config
from dlcore.training import export


def export_code(config: Config, *, epochs: int = 10) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs numpy, scikit-learn and Keras 3. The clips come from the project's
    own generator, `dlcore.data.motion.make_motion_clips` (for the data only: the
    rendering is too long to copy, so the script runs from the project's folder); the
    frame sampling, the stratified three-way split and the model (`motion_model`'s own
    source, with the same seeds) are plain code in the script. It trains with
    `model.fit`, watching the validation clips, scores the test clips once and saves a
    `.keras` file. Run it as `python script.py --epochs N --output model.keras`; the
    `EPOCHS` environment variable sets the default number of epochs. It prints
    "Test accuracy: 0.xxxx" and "Saved <path>".

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to 10.
    """
    export.check_settings(config, epochs)
    output = f"video_{config.architecture}.keras"
    training = export.train_test_save_code(
        ("x_train", "y_train"),
        "(clips[validation], labels[validation])",
        ("clips[test]", "labels[test]"),
        comment="The test clips chose nothing: scored once, at the end.",
    )
    model_source = "\n\n".join(
        inspect.getsource(piece)
        for piece in (
            model.motion_model,
            model._with_changes,
            model._per_frame_cnn,
            model._video_block,
            model._normalised,
            model._pooling,
        )
    )
    header = f'''\
"""Video model ({config.architecture}) on generated motion clips, exported by Deep Learning \
Studio.

Tells which way a hand-held camera, or the content it films, moves: \
{", ".join(motion.MOTION_LABELS)}.
Needs numpy, scikit-learn and Keras 3. The clips come from Deep Learning Studio's own
generator (dlcore.data.motion), too long to copy here: run this script from the
project's folder.
{export.run_note(epochs=epochs, output=output)}"""

import argparse
import itertools
import math
import os
from collections.abc import Iterator, Sequence
from typing import Any

import keras
import numpy as np
from sklearn.model_selection import train_test_split

# Deep Learning Studio's own clip generator, for the data only: the model is plain Keras.
from dlcore.data.motion import make_motion_clips

ARCHITECTURE = {config.architecture!r}
N_CLIPS = {config.n_clips!r}
CLIP_FRAMES = {config.clip_frames!r}  # frames of each generated clip
N_FRAMES = {config.n_frames!r}  # evenly spaced frames of each clip that the model sees
IMAGE_SIZE = {config.image_size!r}
CAMERA_SHARE = {float(config.camera_share)!r}  # the share of hand-held camera clips
N_BLOCKS = {config.n_blocks!r}
N_FILTERS = {config.n_filters!r}  # in the first block, doubled in each further block
KERNEL_SIZE = {config.kernel_size!r}
UNITS = {config.units!r}
DROPOUT = {float(config.dropout)!r}
BATCH_NORM = {bool(config.batch_norm)!r}
FRAME_CHANGES = {bool(config.frame_changes)!r}  # each frame with its change from the one before
{export.settings_code(config)}'''
    body = f'''

def load_data():
    """Clips (n, N_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3) in [0, 1], labels (n,), class names."""
    clips = make_motion_clips(
        N_CLIPS, frames=CLIP_FRAMES, image_size=IMAGE_SIZE, camera_share=CAMERA_SHARE, seed=SEED
    )
    # N_FRAMES evenly spaced frames, first and last included.
    kept = np.round(np.linspace(0, CLIP_FRAMES - 1, N_FRAMES)).astype(np.int64)
    return clips.clips[:, kept], clips.target, list(clips.target_names)


{export.split_code(doc=_SPLIT_DOC)}

# The model, as Deep Learning Studio builds it.


{model_source}


def build_model(n_classes, steps_per_epoch):
    model = motion_model(
        ARCHITECTURE,
        (N_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3),
        n_classes,
        n_blocks=N_BLOCKS,
        n_filters=N_FILTERS,
        kernel_size=KERNEL_SIZE,
        units=UNITS,
        dropout=DROPOUT,
        batch_norm=BATCH_NORM,
        frame_changes=FRAME_CHANGES,
        seed=SEED,
    )
{export.compile_code(optimizer_code("adam"), per_epoch=True)}

{export.main_code(epochs=epochs, output=output, seeded="the shuffling of the training clips")}\
    clips, labels, class_names = load_data()
    train, validation, test = split(labels)
    x_train, y_train = clips[train], labels[train]
    print("x_train shape:", x_train.shape, "validation:", len(validation), "test:", len(test))
    steps_per_epoch = math.ceil(len(x_train) / BATCH_SIZE)
    model = build_model(len(class_names), steps_per_epoch)
{training}'''
    return header + body


_SPLIT_DOC = """Indices of the training, validation and test clips, each part stratified by
    motion: the test clips first, then the validation clips from the rest."""
