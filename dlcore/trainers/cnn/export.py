"""The Image classifier's Export: a standalone Keras script that trains the same network.

The network is not written again here: the script carries the source of
`dlcore.trainers.cnn.model.build_cnn` and of the helper it calls, so the exported model
and the app's cannot drift.
"""

from __future__ import annotations

import inspect

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers.cnn import model
from dlcore.trainers.cnn.config import AUGMENTATIONS, CHANNELS, IMAGE_SIZES, Config
from dlcore.training import export


def export_code(config: Config, *, epochs: int = 20) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs numpy, scikit-learn and Keras 3 (and scikit-image for faces). It
    loads the same images (digits and faces inline; shapes from `dlcore.data.shapes`,
    the project's own generator, for the data only), makes the same stratified
    three-way split, builds the same model with `build_cnn` (its source pasted) and the
    same seeds, trains it with `model.fit` watching the validation images, scores the
    test images once and saves the model as a `.keras` file. Run it as `python script.py
    --epochs N --output model.keras`; the `EPOCHS` environment variable sets the default
    number of epochs. It prints "Test accuracy: 0.xxxx" and "Saved <path>".

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to 20.
    """
    export.check_settings(config, epochs)
    side = IMAGE_SIZES[config.dataset]
    training = export.train_test_save_code(
        ("images[train]", "labels[train]"),
        "(images[validation], labels[validation])",
        ("images[test]", "labels[test]"),
        comment="Once, at the end: the test images chose nothing.",
    )
    output = f"cnn_{config.dataset}.keras"
    needs = "numpy, scikit-learn" + (", scikit-image" if config.dataset == "faces" else "")
    shapes_note = (
        "\nThe shapes come from Deep Learning Studio's own generator (dlcore.data.shapes),\n"
        "too long to copy here: save this script in the project's folder, or put that\n"
        "folder on PYTHONPATH.\n"
        if config.dataset == "shapes"
        else ""
    )
    constants = (
        [f"N_SAMPLES = {config.n_samples!r}", f"BACKGROUNDS = {tuple(config.backgrounds)!r}"]
        if config.dataset == "shapes"
        else []
    )
    constants += [
        *export.settings_code(config).splitlines(),
        "",
        "# The network's constants, as Deep Learning Studio defines them.",
        f"AUGMENTATIONS = {AUGMENTATIONS!r}",
        f"ROTATION = {model.ROTATION!r}",
        f"ZOOM = {model.ZOOM!r}",
        f"SHIFT = {model.SHIFT!r}",
        f"BATCH_NORM_MOMENTUM = {model.BATCH_NORM_MOMENTUM!r}",
    ]
    arguments = {**config.builder_arguments(), "seed": "SEED"}
    builder_call = "".join(
        f"        {name}={value if name == 'seed' else repr(value)},\n"
        for name, value in arguments.items()
    )
    network_source = "\n\n".join(
        inspect.getsource(piece) for piece in (model.augmentation_layer, model.build_cnn)
    )
    header = (
        f'''\
"""Image classifier (CNN) on {config.dataset}: {config.n_blocks} conv block(s), exported by \
Deep Learning Studio.

Needs {needs} and Keras 3.
{shapes_note}{export.run_note(epochs=epochs, output=output)}
The images are split three ways: the model trains on one part, the validation part is
measured after every epoch, and the test part is scored once, at the end.
"""

import argparse
import math
import os

import keras
import numpy as np
from sklearn.model_selection import train_test_split

'''
        + "\n".join(constants)
        + "\n"
    )
    body = f'''

def load_data():
    """Images (n, {side}, {side}, {CHANNELS[config.dataset]}) in [0, 1], labels (n,), names."""
{_LOADER_CODE[config.dataset]}


{export.split_code(doc=_SPLIT_DOC)}

# The network, as Deep Learning Studio builds it (its own source).


{network_source}

def build_model(input_shape, n_classes, steps_per_epoch):
    model = build_cnn(
        input_shape,
        n_classes,
{builder_call}    )
{export.compile_code(optimizer_code(config.optimizer), per_epoch=True)}

{export.main_code(epochs=epochs, output=output, seeded="the shuffling of the training images")}\
    images, labels, class_names = load_data()
    train, validation, test = split(labels)
    print("training:", images[train].shape, "validation:", images[validation].shape,
          "test:", images[test].shape)
    steps_per_epoch = math.ceil(len(train) / BATCH_SIZE)
    model = build_model(images.shape[1:], len(class_names), steps_per_epoch)
{training}'''
    return header + body


_SPLIT_DOC = "Training, validation and test indices, stratified: the test part is drawn first."

_LOADER_CODE = {
    "digits": """\
    from sklearn.datasets import load_digits

    digits = load_digits()  # 1,797 digits of 8x8 ink counts from 0 to 16
    images = (digits.images / 16.0).astype(np.float32)[..., np.newaxis]
    return images, digits.target.astype(np.int64), [str(digit) for digit in range(10)]""",
    "faces": """\
    import skimage.data

    images = np.asarray(skimage.data.lfw_subset(), dtype=np.float32)  # (200, 25, 25)
    if images.max() > 1.0:  # older scikit-image versions return 8-bit values
        images = images / 255.0
    labels = np.repeat(np.array([1, 0], dtype=np.int64), 100)  # rows 0-99 are faces
    return images[..., np.newaxis], labels, ["not face", "face"]""",
    "shapes": """\
    # Deep Learning Studio's own generator, for the data only: the model is plain Keras.
    from dlcore.data.shapes import make_shapes

    shapes = make_shapes(N_SAMPLES, image_size=32, seed=SEED, backgrounds=BACKGROUNDS)
    return shapes.images, shapes.target, list(shapes.target_names)""",
}
