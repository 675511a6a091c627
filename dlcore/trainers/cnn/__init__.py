"""The image classifier (CNN) trainer: digits, faces or shapes, a small CNN, and what it learned.

The logic behind the Image classifier page, with the names every trainer has
(`dlcore.trainers`): a `Config` holds the page's settings; `load_data` loads the images
and splits them three ways; `build_model` builds the compiled Keras CNN from the plain
builder `model.build_cnn` (conv blocks of convolution, optional batch norm, ReLU and 2x2
pooling, the filters doubling from block to block, then an optional dense layer and a
softmax); `fit` trains it through `dlcore.training.fit.fit_live`, watching the validation
part; `evaluate` scores the test part once, at the end; `export_code` writes a standalone
Keras script that carries `build_cnn`'s own source.

The analysis functions look inside the trained model: `confusion_matrix` and
`misclassified` on the test images, `first_layer_filters` (the kernels the first
convolution learned) and `feature_maps` (what every conv, ReLU and pooling layer makes of
one image, from a Keras sub-model). `augment` shows what the random augmentation layers do
to training images. `held_out_samples` gives one image per class that the bundled models
never trained on, for the Your image page.

Example:

>>> config = Config(dataset="digits", batch_norm=True)
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=6)     # doctest: +SKIP
>>> evaluate(model, data)["test_accuracy"] >= 0.97  # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np
from numpy.typing import ArrayLike

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import shapes, vision
from dlcore.data.split import SplitData, split_as_configured
from dlcore.pretrained import split_as_trained
from dlcore.trainers.cnn.config import (
    AUGMENTATIONS,
    CHANNELS,
    DATASETS,
    IMAGE_SIZES,
    MAX_BLOCKS,
    MAX_DROPOUT,
    MAX_FILTERS,
    MAX_SHAPES,
    OPTIMIZERS,
    POOLINGS,
    Config,
    block_input_sizes,
)
from dlcore.trainers.cnn.export import export_code
from dlcore.trainers.cnn.model import (
    BATCH_NORM_MOMENTUM,
    ROTATION,
    SHIFT,
    ZOOM,
    augmentation_layer,
    build_cnn,
)
from dlcore.training import evaluation
from dlcore.training.compiling import compile_model, epoch_batches
from dlcore.training.evaluation import test_scores
from dlcore.training.fit import fit_split

TASK = "digits"
"""What the default config's models predict. A model's task is its `config.dataset`:
"digits", "faces" or "shapes", each with its own try-it samples."""

ANALYSIS = evaluation.TestAnalysis(batch_size=512, limit=16)
"""Images per call of the model, and test images `misclassified` returns by default."""
predict_proba = ANALYSIS.predict_proba
confusion_matrix = ANALYSIS.confusion_matrix
misclassified = ANALYSIS.misclassified

# `held_out_samples` draws its shapes with this seed; the trainers' seeds are small.
_UNSEEN_SHAPES_SEED = 20_241_105

_FEATURE_LAYER_PREFIXES = ("conv_", "relu_", "pool_")

__all__ = [
    "AUGMENTATIONS",
    "BATCH_NORM_MOMENTUM",
    "CHANNELS",
    "DATASETS",
    "IMAGE_SIZES",
    "MAX_BLOCKS",
    "MAX_DROPOUT",
    "MAX_FILTERS",
    "MAX_SHAPES",
    "OPTIMIZERS",
    "POOLINGS",
    "ROTATION",
    "SHIFT",
    "TASK",
    "ZOOM",
    "Config",
    "ImageData",
    "augment",
    "augmentation_layer",
    "block_input_sizes",
    "build_cnn",
    "build_model",
    "confusion_matrix",
    "evaluate",
    "export_code",
    "feature_layer_names",
    "feature_maps",
    "first_layer_filters",
    "fit",
    "held_out_data",
    "held_out_samples",
    "load_data",
    "misclassified",
    "predict_proba",
]


@dataclasses.dataclass(frozen=True)
class ImageData(SplitData):
    """An image set, split into training, validation and test images.

    Attributes:
        x_train, x_val, x_test: float32, shape `(n, height, width, channels)`, values in
            [0, 1].
        y_train, y_val, y_test: int64, shape `(n,)`, class indices in [0, n_classes).
        labels: the class names, in the order of the class indices.
        preprocessing: how a raw image becomes model input, for
            `dlcore.preprocess.prepare_image`: `"image_size"`: `(height, width)`;
            `"channels"`: 1 (greyscale, ITU-R BT.601 luma) or 3 (RGB); `"value_range"`:
            `(0.0, 1.0)`, the pixel range after dividing 8-bit values by 255; `"resize"`:
            `"area"`, each pixel is the mean of the block of the original it covers (as
            the digits were made); `"background"`: `"dark"` where the classes are bright
            strokes on a dark background (digits), so that an image with a light
            background must be inverted, else `"any"`; `"crop"`: `"ink"` for the digits,
            whose uploads are cut to their ink first (see `prepare_image`).
        description: the set's description, from its loader.
    """

    description: str = ""


def _source(config: Config) -> Any:
    """The configured image set before any split (a Bunch with images and target)."""
    if config.dataset == "digits":
        return vision.load_digits()
    if config.dataset == "faces":
        return vision.load_faces()
    return shapes.make_shapes(
        config.n_samples,
        image_size=IMAGE_SIZES["shapes"],
        seed=config.seed,
        backgrounds=config.backgrounds,
        strokes=config.strokes,
        line_widths=config.line_widths,
        cut=config.cut,
    )


def _preprocessing(dataset: str) -> dict[str, Any]:
    side = IMAGE_SIZES[dataset]
    return {
        "image_size": (side, side),
        "channels": CHANNELS[dataset],
        "value_range": (0.0, 1.0),
        "resize": "area",
        "background": "dark" if dataset == "digits" else "any",
        # A digit anywhere in a picture, at any size, is cut out as the 8x8 digits were.
        **({"crop": "ink"} if dataset == "digits" else {}),
    }


def load_data(config: Config) -> ImageData:
    """Loads the configured image set and splits it three ways, stratified by class.

    `dlcore.data.split.split_indices` with `config.seed`: `ceil(n * test_fraction)` test
    images are drawn first, then `ceil(n * validation_fraction)` validation images.

    Args:
        config: the `Config`; validated first.

    Returns:
        An `ImageData`: digits `(n, 8, 8, 1)`, faces `(n, 25, 25, 1)` or shapes
        `(n, 32, 32, 3)`, float32 in [0, 1].

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(dataset="faces"))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape
    ((120, 25, 25, 1), (40, 25, 25, 1), (40, 25, 25, 1))
    """
    config.validate()
    source = _source(config)
    images = np.asarray(source.images, dtype=np.float32)
    targets = np.asarray(source.target, dtype=np.int64)
    data = ImageData.from_indices(
        images,
        targets,
        split_as_configured(targets, config),
        labels=tuple(source.target_names),
        preprocessing=_preprocessing(config.dataset),
        description=source.DESCR,
    )
    # Extra images join the training part only: the held-out split stays the source's, as
    # recorded, and the robustness photos of the faces stay unseen.
    if config.dataset == "digits" and config.rendered_digits:
        data = _with_extra_training(data, *_drawn_digits(config, data.preprocessing))
    if config.dataset == "faces" and config.photo_crops:
        data = _with_extra_training(data, *_photo_crops(config, data))
    return data


def _with_extra_training(data: ImageData, images: np.ndarray, targets: np.ndarray) -> ImageData:
    """`data` with `images` added to its training part, whose own images are repeated so that
    they stay about half of what the model sees."""
    repeats = max(1, round(len(images) / len(data.x_train)))
    return dataclasses.replace(
        data,
        x_train=np.concatenate([np.tile(data.x_train, (repeats, 1, 1, 1)), images]),
        y_train=np.concatenate([np.tile(data.y_train, repeats), targets]),
    )


def _photo_crops(config: Config, data: ImageData) -> tuple[np.ndarray, np.ndarray]:
    """`config.photo_crops` non-faces and as many varied training faces: `(2n, 25, 25, 1)`."""
    from dlcore.data import face_photos
    from dlcore.preprocess import prepare_image

    faces = data.x_train[data.y_train == 1]
    pictures = face_photos.non_face_pictures(config.photo_crops, seed=config.seed)
    pictures += face_photos.varied_faces(faces, config.photo_crops, seed=config.seed)
    prepared = np.stack([prepare_image(picture, data.preprocessing) for picture in pictures])
    targets = np.repeat(np.array([0, 1], dtype=np.int64), config.photo_crops)
    return prepared.astype(np.float32), targets


def _drawn_digits(config: Config, preprocessing: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """`config.rendered_digits` drawn digits, prepared as an upload is: `(n, 8, 8, 1)`."""
    from dlcore.data import rendered_digits
    from dlcore.preprocess import prepare_image

    pictures, targets = rendered_digits.render_digits(config.rendered_digits, seed=config.seed)
    prepared = np.stack([prepare_image(picture, preprocessing) for picture in pictures])
    return prepared.astype(np.float32), targets


def build_model(config: Config, data: SplitData) -> Any:
    """Builds and compiles the configured CNN: `model.build_cnn` with the config's values.

    Compiled with the config's optimizer (`dlcore.concepts.optimizers.make_optimizer`),
    sparse categorical cross-entropy, accuracy, and `steps_per_execution` equal to the
    batches of one epoch of `data`'s training images.

    Args:
        config: the `Config`; validated first.
        data: the `ImageData` from `load_data(config)` (its image shape, classes and
            number of training images).

    Returns:
        A compiled `keras.Model` named "cnn" (layers as `model.build_cnn` names them).

    Raises:
        ValueError: If the config is invalid, or `data`'s images are not the configured
            set's shape.
    """
    config.validate()
    side = IMAGE_SIZES[config.dataset]
    expected_shape = (side, side, CHANNELS[config.dataset])
    input_shape = tuple(int(size) for size in np.shape(data.x_train)[1:])
    if input_shape != expected_shape:
        raise ValueError(
            f"The {config.dataset} set's images have the shape {expected_shape}. "
            f"Received: images of shape {input_shape}."
        )
    model = build_cnn(expected_shape, len(data.labels), **config.builder_arguments())
    return compile_model(
        model,
        make_optimizer(config.optimizer, learning_rate=config.learning_rate),
        steps_per_execution=epoch_batches(len(data.y_train), config.batch_size),
    )


fit = fit_split
"""Trains the CNN on the training images: `dlcore.training.fit.fit_split`, with its
options (`on_epoch`, `patience`, `history`, `stop`, `on_progress`). The validation images
give "val_loss" and "val_accuracy" and drive early stopping; the test images are not
looked at."""


def evaluate(model: Any, data: SplitData) -> dict[str, float]:
    """The test score, computed once, at the end: `{"test_loss": ..., "test_accuracy": ...}`."""
    return test_scores(model, data)


def first_layer_filters(model: Any) -> np.ndarray:
    """The kernels the first convolution ("conv_1") has learned, one per filter.

    Returns:
        float32, shape `(n_filters, kernel_size, kernel_size, channels)`: filter f's
        weight for each kernel position and input channel (any sign; not normalized).
    """
    kernel = np.asarray(model.get_layer("conv_1").kernel, dtype=np.float32)
    # Keras stores (kernel_h, kernel_w, in_channels, filters); put the filters first.
    return np.transpose(kernel, (3, 0, 1, 2))


def feature_layer_names(model: Any) -> list[str]:
    """The names of the model's conv, ReLU and pooling layers, input side first."""
    return [layer.name for layer in model.layers if layer.name.startswith(_FEATURE_LAYER_PREFIXES)]


def feature_maps(model: Any, image: ArrayLike) -> list[tuple[str, np.ndarray]]:
    """What every conv, ReLU and pooling layer makes of one image, at inference.

    One call of a Keras sub-model from the model's input to the outputs of the layers in
    `feature_layer_names(model)`: "conv_1" (the convolution before its ReLU, any sign),
    "relu_1" (>= 0), "pool_1", "conv_2", ...

    Args:
        model: a model from `build_model`.
        image: float32, shape `(height, width, channels)`, values in [0, 1].

    Returns:
        `(layer name, maps)` per layer, input side first; `maps` is float32 of shape
        `(map_height, map_width, n_filters)`.

    Raises:
        ValueError: If the image's shape is not the model's input shape.
    """
    picture = evaluation.check_model_input(
        model, image, name="image", axes="height, width, channels"
    )
    names = feature_layer_names(model)
    probe = keras.Model(model.input, [model.get_layer(name).output for name in names])
    outputs = probe(picture[np.newaxis], training=False)
    return [
        (name, np.asarray(output, dtype=np.float32)[0])
        for name, output in zip(names, outputs, strict=True)
    ]


def augment(model: Any, images: ArrayLike) -> np.ndarray:
    """Runs the model's augmentation layers in training mode: what one epoch may train on.

    Each call draws new random changes. A model without augmentation returns the images
    unchanged.

    Args:
        model: a model from `build_model`.
        images: float32, shape `(n, height, width, channels)`, values in [0, 1].

    Returns:
        float32, the same shape: the augmented images.
    """
    pictures = np.asarray(images, dtype=np.float32)
    names = [layer.name for layer in model.layers if layer.name in AUGMENTATIONS]
    if not names:
        return pictures.copy()
    augmenter = keras.Model(model.input, model.get_layer(names[-1]).output)
    return np.asarray(augmenter(pictures, training=True), dtype=np.float32)


def held_out_data(dataset: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The images of a set that its bundled model never trained on, split as it was made.

    The bundled "digits", "faces" and "shapes" models were trained on a split recorded in
    their JSON (`dlcore.pretrained.split_as_trained`): the old two-way split, 20 % held
    out with seed 0, of the data their config describes.

    Args:
        dataset: "digits", "faces" or "shapes".

    Returns:
        `(images, targets, labels)`: float32 `(n, height, width, channels)` in [0, 1],
        int64 `(n,)`, and the class names.

    Raises:
        ValueError: If `dataset` is not one of the three.
    """
    from dlcore.pretrained import bundled_metadata

    if dataset not in DATASETS:
        raise ValueError(
            f"Unknown dataset. Choose one of: {', '.join(DATASETS)}. Received: dataset={dataset!r}."
        )
    settings = bundled_metadata(dataset)["config"]
    defaults = Config()
    # Models bundled before the shapes' strokes, widths and cuts have none in their JSON.
    source = _source(
        Config(
            dataset=dataset,
            n_samples=settings["n_samples"],
            backgrounds=tuple(settings["backgrounds"]),
            strokes=tuple(settings.get("strokes", defaults.strokes)),
            line_widths=tuple(settings.get("line_widths", defaults.line_widths)),
            cut=settings.get("cut", defaults.cut),
            seed=settings["seed"],
        )
    )
    _, held_out = split_as_trained(dataset, source.target)
    images = np.asarray(source.images, dtype=np.float32)[held_out]
    targets = np.asarray(source.target, dtype=np.int64)[held_out]
    return images, targets, tuple(source.target_names)


def held_out_samples(dataset: str) -> list[tuple[str, np.ndarray]]:
    """One example image per class that the bundled models never trained on.

    - "digits": the first held-out digit of each class of the split the bundled digits
      model was trained on (`held_out_data`: 20 % held out, seed 0);
    - "faces": a held-out face of the bundled faces model's split, and as the non-face a
      whole photo no training run uses (`dlcore.data.face_photos.HELD_OUT_PHOTOS`'s
      flower): lfw_subset's non-faces are backgrounds of face photos, and some look like
      a face at 25x25;
    - "shapes": one shape per class drawn by `dlcore.data.shapes.make_shapes` with a seed
      no training run uses, on plain and noisy backgrounds.

    Args:
        dataset: "digits", "faces" or "shapes".

    Returns:
        `(caption, pixels)` per class, in class order: the caption names the class (e.g.
        "digit 3", "face", "star"), the pixels are `uint8`, `(8, 8)`, `(25, 25)` or
        `(32, 32, 3)`.

    Raises:
        ValueError: If `dataset` is not one of the three.
    """
    if dataset == "shapes":
        drawn = shapes.make_shapes(40, seed=_UNSEEN_SHAPES_SEED, backgrounds=("plain", "noisy"))
        images, targets, labels = drawn.images, drawn.target, tuple(drawn.target_names)
    elif dataset in ("digits", "faces"):
        images, targets, labels = held_out_data(dataset)
    else:
        raise ValueError(
            f"Unknown dataset. Choose one of: digits, faces, shapes. Received: dataset={dataset!r}."
        )
    samples = []
    for class_index, label in enumerate(labels):
        first = int(np.flatnonzero(targets == class_index)[0])
        pixels = np.round(np.asarray(images[first]) * 255).astype(np.uint8)
        if pixels.ndim == 3 and pixels.shape[2] == 1:
            pixels = pixels[..., 0]
        if dataset == "faces" and class_index == 0:
            pixels = _plain_non_face()
        samples.append((f"digit {label}" if dataset == "digits" else str(label), pixels))
    return samples


def _plain_non_face() -> np.ndarray:
    """A held-out photo that is plainly no face, as the faces model sees it: uint8 (25, 25)."""
    from dlcore.data import face_photos
    from dlcore.preprocess import prepare_image

    photo = face_photos.load_photo("sklearn:flower.jpg")
    prepared = prepare_image(photo, _preprocessing("faces"))
    return np.round(prepared[..., 0] * 255).astype(np.uint8)
