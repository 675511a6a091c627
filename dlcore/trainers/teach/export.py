"""Teach your own classes' Export: a standalone Keras script that learns classes the same way.

The model is not written again here: the script carries the source of the builder that
`build_model` calls (`dlcore.trainers.cnn.model.build_cnn` from scratch,
`dlcore.trainers.teach.transfer.build_transfer` for a transfer) and of the split
(`classes.split_rows`), so the exported model and the app's cannot drift. It prepares
images with `dlcore.preprocess.prepare_image` and, for a transfer, loads the bundled
model's file from `dlcore.pretrained.MODEL_FOLDER`: Deep Learning Studio's `dlcore` must
be importable.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from dlcore.training import export

if TYPE_CHECKING:
    from dlcore.trainers.teach.config import Config


def export_code(config: Config, *, epochs: int | None = None) -> str:
    """Writes a standalone Python script that learns a folder of classes as the app does.

    Run it as `python script.py --images FOLDER --epochs N --output model.keras`, with one
    sub-folder of images per class (the sub-folder's name is the class's name); without
    `--images` it learns `default_classes` (generated circles and squares). It splits
    the images as `load_data` does, builds the same model (from scratch, or a new head
    on the bundled model's frozen layers), trains it with `model.fit` watching the
    validation images, prints "Test accuracy: 0.xxxx" when there are test images, and
    saves the model as a `.keras` file.

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to
            `config.epochs`.
    """
    from dlcore.trainers import cnn
    from dlcore.trainers.teach import classes, transfer
    from dlcore.trainers.teach import config as settings

    epochs = export.check_settings(config, config.epochs if epochs is None else epochs)
    scratch = config.mode == "scratch"
    preprocessing = {
        name: value
        for name, value in settings.preprocessing_for(config).items()
        if name not in ("mode", "base")
    }
    pieces = [cnn.augmentation_layer]
    pieces += (
        [cnn.build_cnn] if scratch else [transfer.feature_layer_index, transfer.build_transfer]
    )
    model_source = "\n\n".join(inspect.getsource(piece) for piece in pieces)
    if scratch:
        arguments = "".join(
            f"        {name}={value!r},\n" for name, value in settings.SCRATCH_NETWORK.items()
        )
        make_model = (
            "    model = build_cnn(\n"
            "        PREPROCESSING['image_size'] + (PREPROCESSING['channels'],),\n"
            "        n_classes,\n"
            f"{arguments}"
            "        seed=SEED,\n"
            "    )\n"
        )
    else:
        make_model = (
            "    # The bundled model, as Deep Learning Studio ships it.\n"
            "    from dlcore.pretrained import MODEL_FOLDER\n\n"
            f"    base = keras.saving.load_model(MODEL_FOLDER / {config.base + '.keras'!r}, "
            "compile=False)\n"
            "    model = build_transfer(base, n_classes, seed=SEED)\n"
        )
    header = f'''\
"""Teach your own classes ({config.describe()}), exported by Deep Learning Studio.

Put your images in one folder per class (the folder's name is the class's name) and run:

    python this_script.py --images my_classes/ --epochs {epochs} --output my_classes.keras

Without --images it learns generated circles and squares. Needs numpy, Pillow, Keras 3
and Deep Learning Studio's dlcore on PYTHONPATH (to prepare the images as the app does
{"and to draw the default shapes" if scratch else "and for the bundled model's file"}).
With {classes.HOLD_OUT_FROM} images in every class one in five validates each epoch; from
{classes.TEST_FROM} one in five more is the test part, scored once at the end.
The EPOCHS environment variable sets the default number of epochs.
"""

import argparse
import math
import os
import pathlib

import keras
import numpy as np
from PIL import Image

MODE = {config.mode!r}
EPOCHS = {epochs!r}
{export.settings_code(config)}HOLD_OUT_FROM = {classes.HOLD_OUT_FROM!r}
TEST_FROM = {classes.TEST_FROM!r}
MIN_EPOCH_SAMPLES = {settings.MIN_EPOCH_SAMPLES!r}
PREPROCESSING = {preprocessing!r}

# The model's constants, as Deep Learning Studio defines them.
AUGMENTATIONS = {cnn.AUGMENTATIONS!r}
ROTATION = {cnn.ROTATION!r}
ZOOM = {cnn.ZOOM!r}
SHIFT = {cnn.SHIFT!r}
BATCH_NORM_MOMENTUM = {cnn.BATCH_NORM_MOMENTUM!r}
'''
    main = export.main_code(
        epochs="EPOCHS",
        output="my_classes.keras",
        seeded="the shuffling of the training images",
        arguments=[_IMAGES_ARGUMENT],
    )
    body = f'''

def load_classes(folder):
    """[(name, [uint8 images])], one pair per sub-folder of `folder`, in name order."""
    if folder is None:
        from dlcore.trainers.teach import default_classes

        return default_classes(seed=SEED)
    pairs = []
    for path in sorted(pathlib.Path(folder).iterdir()):
        if path.is_dir():
            images = [
                np.asarray(Image.open(file).convert("RGB"))
                for file in sorted(path.iterdir())
                if file.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")
            ]
            pairs.append((path.name, images))
    return pairs


def prepare(pairs, rows):
    """The images at `rows` as model input, and their class indices."""
    from dlcore.preprocess import prepare_image  # the middle square, resized as in the app

    inputs = [prepare_image(pairs[label][1][position], PREPROCESSING) for label, position in rows]
    shape = (0, *PREPROCESSING["image_size"], PREPROCESSING["channels"])
    x = np.stack(inputs) if inputs else np.zeros(shape, np.float32)
    return x, np.array([label for label, _ in rows], dtype=np.int64)


# The split and the model, as Deep Learning Studio writes them (their own source).


{inspect.getsource(classes.split_rows)}

{model_source}

def build_model(n_classes, steps_per_epoch):
{make_model}{export.compile_code("keras.optimizers.Adam(LEARNING_RATE)", per_epoch=True)}

{main}\
    pairs = load_classes(args.images)
    train, validation, test = split_rows(
        [len(images) for _, images in pairs],
        validation_fraction=VALIDATION_FRACTION,
        test_fraction=TEST_FRACTION,
        seed=SEED,
    )
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = (
        prepare(pairs, rows) for rows in (train, validation, test)
    )
    print("classes:", [name for name, _ in pairs])
    print("training:", x_train.shape, "validation:", x_val.shape, "test:", x_test.shape)
    # Each epoch shows the training images repeated, each changed at random.
    repeats = max(1, math.ceil(MIN_EPOCH_SAMPLES / len(y_train)))
    x_repeated, y_repeated = np.tile(x_train, (repeats, 1, 1, 1)), np.tile(y_train, repeats)
    model = build_model(len(pairs), math.ceil(len(y_repeated) / BATCH_SIZE))
{export.fit_code("x_repeated", "y_repeated", "(x_val, y_val) if len(y_val) else None")}\
    if len(y_test):  # once, at the end: the test images chose nothing
{export.test_score_code("x_test", "y_test", indent=8)}\
    else:
        print(f"No test score: give every class at least {{TEST_FROM}} images for one.")
{export.save_code()}'''
    return header + body


_IMAGES_ARGUMENT = '"--images", default=None, help="one sub-folder of images per class"'
