"""The image classifier (CNN) trainer: digits, faces or shapes, a small CNN, and what it learned.

The logic behind the Image classifier page: a `CNNConfig` holds the page's settings;
`load_data` loads the images and splits them; `build_model` builds the compiled Keras CNN
(conv blocks of convolution, optional batch norm, ReLU and 2x2 pooling, the filters
doubling from block to block, then an optional dense layer and a softmax); `train` fits it
through `dlcore.training.fit.fit_live`. The analysis functions look inside the trained model:
`confusion_matrix` and `misclassified` on the held-out images, `first_layer_filters` (the
kernels the first convolution learned) and `feature_maps` (what every conv, ReLU and
pooling layer makes of one image, from a Keras sub-model). `augment` shows what the random
augmentation layers do to training images, and `prepare_image` turns a person's own image
into model input. `export_code` writes a standalone Keras script for the same
configuration.

Every convolution pads its input ("same"), so only pooling shrinks the feature maps: a
block meets a map half as wide as the block before it (rounded down), or the whole image
with pooling "none".

Example:

>>> config = CNNConfig(dataset="digits", batch_norm=True)
>>> data = load_data(config)
>>> model = build_model(config, data.input_shape, data.n_classes)
>>> result = train(model, data, config, epochs=6)    # doctest: +SKIP
>>> result.history.last("val_accuracy") >= 0.97      # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from numpy.typing import ArrayLike
from sklearn.model_selection import train_test_split

from dlcore.data import shapes, vision
from dlcore.training import evaluation
from dlcore.training.evaluation import Misclassified
from dlcore.training.fit import EpochReport, FitResult, fit_live
from dlcore.training.history import History

DATASETS = ("digits", "faces", "shapes")
"""The image sets the page offers."""

IMAGE_SIZES = {"digits": 8, "faces": 25, "shapes": 32}
"""The side of each set's square images, in pixels."""

CHANNELS = {"digits": 1, "faces": 1, "shapes": 3}
"""Each set's colour channels: 1 for greyscale, 3 for RGB."""

POOLINGS = ("max", "average", "none")
"""The pooling after each conv block: 2x2 with stride 2, or none."""

AUGMENTATIONS = ("flip", "rotate", "zoom", "shift")
"""The random changes the model may make to each training image, applied in this order."""

OPTIMIZERS = ("adam", "sgd", "rmsprop")
"""The optimizers the page offers; "sgd" is SGD with momentum `MOMENTUM`."""

MOMENTUM = 0.9
"""The momentum of the "sgd" optimizer."""

BATCH_NORM_MOMENTUM = 0.9
"""The batch norm layers' momentum: Keras's default of 0.99 leaves the moving statistics,
which inference uses, far behind the weights when an epoch has only a few dozen batches."""

MAX_BLOCKS = 6
"""The most conv blocks a model may have."""

MAX_FILTERS = 512
"""The most filters the last conv block may have (the first block's doubled per block)."""

MAX_DROPOUT = 0.9
"""The highest dropout rate allowed."""

MAX_SHAPES = 10_000
"""The most shape images `load_data` draws (10,000 take about 5 s and 120 MB)."""

ROTATION = 0.05
""""rotate" turns an image by up to this fraction of a full turn either way (18 degrees)."""

ZOOM = 0.15
""""zoom" scales an image in or out by up to this fraction."""

SHIFT = 0.125
""""shift" moves an image by up to this fraction of its side on each axis (1 pixel of 8)."""

# `held_out_samples` draws its shapes with this seed; the trainers' seeds are small.
_UNSEEN_SHAPES_SEED = 20_241_105

_FEATURE_LAYER_PREFIXES = ("conv_", "relu_", "pool_")


@dataclasses.dataclass(frozen=True)
class CNNConfig:
    """The Image classifier page's settings: data, architecture and training.

    Attributes:
        dataset: one of `DATASETS`: "digits" (scikit-learn's 8x8 handwritten digits, 10
            classes), "faces" (scikit-image's 25x25 faces and non-faces, 2 classes) or
            "shapes" (generated 32x32 RGB circles, squares, triangles and stars).
            Defaults to `"digits"`.
        n_samples: `int`, the number of shape images to draw; only "shapes" uses it.
            Defaults to `1000`.
        backgrounds: names from `dlcore.data.shapes.BACKGROUNDS` that shapes are drawn on;
            only "shapes" uses it. Defaults to `("plain", "noisy")`.
        n_blocks: `int` in [1, `MAX_BLOCKS`], conv blocks (convolution, batch norm when
            asked, ReLU, pooling). Shapes learn faster with 3 (about 80 % held out after 15
            epochs, against 55-70 % with 2). Defaults to `2`.
        n_filters: `int` >= 1, the first block's filters; each further block has twice as
            many. Defaults to `16`.
        kernel_size: `int` >= 1, the side of every square convolution kernel. Defaults to `3`.
        pooling: one of `POOLINGS`. Defaults to `"max"`.
        batch_norm: `bool`, batch normalization between each convolution and its ReLU.
            Defaults to `False`.
        dropout: `float` in [0, `MAX_DROPOUT`], the dropout rate before the output layer.
            Defaults to `0.0`.
        augmentation: names from `AUGMENTATIONS`, each at most once: random flips,
            rotations, zooms and shifts of training images, done by Keras preprocessing
            layers at the model's start that pass images unchanged at inference.
            Defaults to `()`.
        dense_units: `int` >= 0, units of the dense ReLU layer after the conv blocks; 0
            for none. Defaults to `64`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.003`.
        batch_size: `int` >= 1. Defaults to `32`.
        test_fraction: `float` in (0, 1), the share of images held out. Defaults to `0.2`.
        seed: `int`, seeds the shapes, the split, the weights, the shuffling, the dropout
            and the augmentation. Defaults to `0`.
    """

    dataset: str = "digits"
    n_samples: int = 1000
    backgrounds: tuple[str, ...] = ("plain", "noisy")
    n_blocks: int = 2
    n_filters: int = 16
    kernel_size: int = 3
    pooling: str = "max"
    batch_norm: bool = False
    dropout: float = 0.0
    augmentation: tuple[str, ...] = ()
    dense_units: int = 64
    optimizer: str = "adam"
    learning_rate: float = 0.003
    batch_size: int = 32
    test_fraction: float = 0.2
    seed: int = 0

    def validate(self) -> CNNConfig:
        """Checks that the settings make a network that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what to change, and what
                was received.
        """
        if self.dataset not in DATASETS:
            raise ValueError(
                f"Unknown dataset. Choose one of: {', '.join(DATASETS)}. "
                f"Received: dataset={self.dataset!r}."
            )
        self._validate_data()
        self._validate_architecture()
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer. Choose one of: {', '.join(OPTIMIZERS)}. "
                f"Received: optimizer={self.optimizer!r}."
            )
        if not _is_real(self.learning_rate) or not 0 < self.learning_rate <= 1:
            raise ValueError(
                "The learning rate must be a number above 0 and at most 1 (0.001 to 0.01 "
                f"suits Adam). Received: learning_rate={self.learning_rate!r}."
            )
        if not _is_int(self.batch_size) or self.batch_size < 1:
            raise ValueError(
                "The batch size must be an integer of at least 1 image. "
                f"Received: batch_size={self.batch_size!r}."
            )
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self

    def _validate_data(self) -> None:
        if not _is_int(self.n_samples) or not 1 <= self.n_samples <= MAX_SHAPES:
            raise ValueError(
                f"The number of shape images must be an integer from 1 to {MAX_SHAPES}. "
                f"Received: n_samples={self.n_samples!r}."
            )
        if isinstance(self.backgrounds, str) or len(self.backgrounds) == 0:
            raise ValueError(
                "Choose at least one background for the shapes, e.g. ('plain',). "
                f"Received: backgrounds={self.backgrounds!r}."
            )
        unknown = [name for name in self.backgrounds if name not in shapes.BACKGROUNDS]
        if unknown:
            raise ValueError(
                f"Unknown background {unknown[0]!r}. Choose from: "
                f"{', '.join(shapes.BACKGROUNDS)}. Received: backgrounds={self.backgrounds!r}."
            )
        if not _is_real(self.test_fraction) or not 0 < self.test_fraction < 1:
            raise ValueError(
                "The held-out fraction must be a number strictly between 0 and 1, e.g. 0.2. "
                f"Received: test_fraction={self.test_fraction!r}."
            )
        n_images = self.n_images
        n_test = math.ceil(n_images * self.test_fraction)
        n_classes = self.n_classes
        if min(n_test, n_images - n_test) < n_classes:
            raise ValueError(
                f"Too few images: {n_images} images split {n_images - n_test} for training "
                f"and {n_test} held out, but both parts need at least one image of each of "
                f"the {n_classes} classes. Use more images or a held-out fraction nearer 0.5. "
                f"Received: n_samples={self.n_samples!r}, test_fraction={self.test_fraction!r}."
            )

    def _validate_architecture(self) -> None:
        if not _is_int(self.n_blocks) or not 1 <= self.n_blocks <= MAX_BLOCKS:
            raise ValueError(
                f"The number of conv blocks must be an integer from 1 to {MAX_BLOCKS}. "
                f"Received: n_blocks={self.n_blocks!r}."
            )
        if not _is_int(self.n_filters) or self.n_filters < 1:
            raise ValueError(
                "A conv block needs at least one filter: with zero filters it passes nothing "
                "on. Use 1 or more (8 to 32 is typical). "
                f"Received: n_filters={self.n_filters!r}."
            )
        last_filters = self.n_filters * 2 ** (self.n_blocks - 1)
        if last_filters > MAX_FILTERS:
            raise ValueError(
                f"Too many filters: they double in every block, so block {self.n_blocks} "
                f"would have {last_filters}, more than the {MAX_FILTERS} that train in "
                "seconds here. Use fewer filters or fewer conv blocks. "
                f"Received: n_filters={self.n_filters!r}, n_blocks={self.n_blocks!r}."
            )
        if not _is_int(self.kernel_size) or self.kernel_size < 1:
            raise ValueError(
                "The kernel size must be an integer of at least 1 pixel (3 is typical). "
                f"Received: kernel_size={self.kernel_size!r}."
            )
        if self.pooling not in POOLINGS:
            raise ValueError(
                f"Unknown pooling. Choose one of: {', '.join(POOLINGS)}. "
                f"Received: pooling={self.pooling!r}."
            )
        self._validate_sizes()
        if not isinstance(self.batch_norm, bool | np.bool_):
            raise ValueError(
                f"`batch_norm` must be True or False. Received: batch_norm={self.batch_norm!r}."
            )
        if not _is_real(self.dropout) or not 0 <= self.dropout <= MAX_DROPOUT:
            raise ValueError(
                f"The dropout rate must be a number from 0 to {MAX_DROPOUT}: at 1 it would drop "
                f"every feature. Received: dropout={self.dropout!r}."
            )
        if isinstance(self.augmentation, str):
            raise ValueError(
                "`augmentation` must be a sequence of names, e.g. ('rotate', 'shift'). "
                f"Received: augmentation={self.augmentation!r}."
            )
        unknown = [name for name in self.augmentation if name not in AUGMENTATIONS]
        if unknown:
            raise ValueError(
                f"Unknown augmentation {unknown[0]!r}. Choose from: {', '.join(AUGMENTATIONS)}. "
                f"Received: augmentation={self.augmentation!r}."
            )
        if len(set(self.augmentation)) != len(self.augmentation):
            raise ValueError(
                f"Each augmentation may appear once. Received: augmentation={self.augmentation!r}."
            )
        if not _is_int(self.dense_units) or self.dense_units < 0:
            raise ValueError(
                "The dense layer's units must be an integer >= 0 (0 for no dense layer). "
                f"Received: dense_units={self.dense_units!r}."
            )

    def _validate_sizes(self) -> None:
        side = IMAGE_SIZES[self.dataset]
        if self.pooling != "none":
            max_blocks = int(math.log2(side))
            if self.n_blocks > max_blocks:
                steps = " -> ".join(str(side // 2**step) for step in range(max_blocks + 1))
                raise ValueError(
                    f"Too many conv blocks for {side}x{side} images: each block's 2x2 pooling "
                    f"halves the feature map ({steps}), so at most {max_blocks} blocks fit. "
                    f"Use at most {max_blocks} conv blocks, or pooling 'none'. "
                    f"Received: n_blocks={self.n_blocks!r}."
                )
        sides = block_input_sizes(self)
        for block, block_side in enumerate(sides, start=1):
            if self.kernel_size <= block_side:
                continue
            if block == 1:
                where = f"the {block_side}x{block_side} image"
                fix = f"use a kernel of at most {block_side}"
            else:
                n_pools = block - 1
                where = (
                    f"the {block_side}x{block_side} feature map that conv block {block} meets "
                    f"after {n_pools} pooling step{'s' if n_pools > 1 else ''}"
                )
                fix = f"use a kernel of at most {block_side} or fewer conv blocks"
            raise ValueError(
                f"The kernel ({self.kernel_size}x{self.kernel_size}) is larger than {where}: "
                f"{fix}. Received: kernel_size={self.kernel_size!r}, n_blocks={self.n_blocks!r}."
            )

    @property
    def n_images(self) -> int:
        """The number of images in the set, before the split."""
        if self.dataset == "shapes":
            return self.n_samples
        return {"digits": 1797, "faces": 200}[self.dataset]

    @property
    def n_classes(self) -> int:
        """The number of classes of the set."""
        return {"digits": 10, "faces": 2, "shapes": len(shapes.SHAPE_LABELS)}[self.dataset]

    @property
    def n_train(self) -> int:
        """The number of training images after the split."""
        return self.n_images - math.ceil(self.n_images * self.test_fraction)


@dataclasses.dataclass(frozen=True)
class ImageData:
    """An image set, split into training and held-out images.

    Attributes:
        x_train: float32, shape `(n_train, height, width, channels)`, values in [0, 1].
        y_train: int64, shape `(n_train,)`, class indices in [0, n_classes).
        x_test: float32, shape `(n_test, height, width, channels)`, values in [0, 1].
        y_test: int64, shape `(n_test,)`.
        labels: the class names, in the order of the class indices.
        preprocessing: how a raw image becomes model input, for `prepare_image`:
            `"image_size"`: `(height, width)`; `"channels"`: 1 (greyscale, ITU-R BT.601
            luma) or 3 (RGB); `"value_range"`: `(0.0, 1.0)`, the pixel range after dividing
            8-bit values by 255; `"resize"`: `"area"`, each pixel is the mean of the block
            of the original it covers (as the digits were made); `"background"`:
            `"dark"` where the classes are bright strokes on a dark background (digits),
            so that an image with a light background must be inverted, else `"any"`.
        description: the set's description, from its loader.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]
    description: str

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """`(height, width, channels)` of one image."""
        return tuple(int(size) for size in self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def n_classes(self) -> int:
        return len(self.labels)


def block_input_sizes(config: CNNConfig) -> list[int]:
    """The side of the feature map each conv block's convolution meets, first block first.

    Example:

    >>> block_input_sizes(CNNConfig(dataset="faces", n_blocks=3))
    [25, 12, 6]
    """
    side = IMAGE_SIZES[config.dataset]
    if config.pooling == "none":
        return [side] * config.n_blocks
    return [side // 2**block for block in range(config.n_blocks)]


def load_data(config: CNNConfig) -> ImageData:
    """Loads the configured image set and splits it, stratified by class.

    The split is scikit-learn's `train_test_split` with `stratify` and
    `random_state=config.seed`: `ceil(n_images * test_fraction)` images are held out.

    Args:
        config: the `CNNConfig`; validated first.

    Returns:
        An `ImageData`: digits `(n, 8, 8, 1)`, faces `(n, 25, 25, 1)` or shapes
        `(n, 32, 32, 3)`, float32 in [0, 1].

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(CNNConfig(dataset="faces"))
    >>> data.x_train.shape, data.x_test.shape, data.labels
    ((160, 25, 25, 1), (40, 25, 25, 1), ('not face', 'face'))
    """
    config.validate()
    if config.dataset == "digits":
        source = vision.load_digits()
    elif config.dataset == "faces":
        source = vision.load_faces()
    else:
        source = shapes.make_shapes(
            config.n_samples,
            image_size=IMAGE_SIZES["shapes"],
            seed=config.seed,
            backgrounds=config.backgrounds,
        )
    x_train, x_test, y_train, y_test = train_test_split(
        source.images,
        source.target,
        test_size=config.test_fraction,
        stratify=source.target,
        random_state=config.seed,
    )
    side = IMAGE_SIZES[config.dataset]
    return ImageData(
        x_train=x_train.astype(np.float32),
        y_train=y_train.astype(np.int64),
        x_test=x_test.astype(np.float32),
        y_test=y_test.astype(np.int64),
        labels=tuple(source.target_names),
        preprocessing={
            "image_size": (side, side),
            "channels": CHANNELS[config.dataset],
            "value_range": (0.0, 1.0),
            "resize": "area",
            "background": "dark" if config.dataset == "digits" else "any",
        },
        description=source.DESCR,
    )


def build_model(config: CNNConfig, input_shape: Sequence[int], n_classes: int) -> Any:
    """Builds and compiles the configured CNN with the Functional API.

    Layers, by name: "image" (the input); the augmentation layers "flip", "rotate",
    "zoom", "shift" that `config.augmentation` names (random in training, identity at
    inference); then per block k = 1, 2, ...: "conv_k" (a `Conv2D` of
    `n_filters * 2**(k-1)` filters, "same" padding, no activation, no bias under batch
    norm), "bn_k" (with batch norm, momentum `BATCH_NORM_MOMENTUM`), "relu_k", "pool_k"
    (2x2, stride 2; none with pooling "none"); then "flatten", "dense" (ReLU, when
    `dense_units` > 0), "dropout" (when `dropout` > 0) and "output" (softmax over the
    classes, float32). Seeds are fixed per layer: conv k's kernel initializer takes
    `seed + k - 1`, the dense layer `seed + n_blocks`, the output `seed + n_blocks + 1`,
    the dropout `seed + n_blocks + 2` and the i-th augmentation layer
    `seed + n_blocks + 3 + i`, so the same config gives the same network without
    touching global random state, with or without augmentation.

    Compiled with sparse categorical cross-entropy, accuracy, and `steps_per_execution`
    equal to the batches of one epoch, so that a small-batch epoch runs as one TensorFlow
    call (about 5 times faster on a CPU than one call per batch).

    Input shape:
        `(batch_size, height, width, channels)`, float32 in [0, 1].

    Output shape:
        `(batch_size, n_classes)`, class probabilities that sum to 1.

    Args:
        config: the `CNNConfig`; validated first.
        input_shape: `(height, width, channels)` of one image, e.g. `data.input_shape`.
        n_classes: `int` >= 2, e.g. `data.n_classes`.

    Returns:
        A compiled `keras.Model` named "cnn".

    Raises:
        ValueError: If the config is invalid, or `input_shape` is not the configured
            set's image shape.
    """
    config.validate()
    side = IMAGE_SIZES[config.dataset]
    expected_shape = (side, side, CHANNELS[config.dataset])
    if tuple(input_shape) != expected_shape:
        raise ValueError(
            f"The {config.dataset} set's images have the shape {expected_shape}. "
            f"Received: input_shape={tuple(input_shape)}."
        )
    if not _is_int(n_classes) or n_classes < 2:
        raise ValueError(f"`n_classes` must be an integer >= 2. Received: n_classes={n_classes!r}.")
    inputs = keras.Input(expected_shape, name="image")
    features = inputs
    augmentation_seed = config.seed + config.n_blocks + 3
    for index, name in enumerate(_ordered_augmentation(config)):
        features = _augmentation_layer(name, seed=augmentation_seed + index)(features)
    for block in range(config.n_blocks):
        number = block + 1
        features = keras.layers.Conv2D(
            config.n_filters * 2**block,
            config.kernel_size,
            padding="same",
            use_bias=not config.batch_norm,  # batch norm's own offset replaces the bias
            kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + block),
            name=f"conv_{number}",
        )(features)
        if config.batch_norm:
            features = keras.layers.BatchNormalization(
                momentum=BATCH_NORM_MOMENTUM, name=f"bn_{number}"
            )(features)
        features = keras.layers.ReLU(name=f"relu_{number}")(features)
        if config.pooling == "max":
            features = keras.layers.MaxPooling2D(2, name=f"pool_{number}")(features)
        elif config.pooling == "average":
            features = keras.layers.AveragePooling2D(2, name=f"pool_{number}")(features)
    features = keras.layers.Flatten(name="flatten")(features)
    if config.dense_units > 0:
        features = keras.layers.Dense(
            config.dense_units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + config.n_blocks),
            name="dense",
        )(features)
    if config.dropout > 0:
        features = keras.layers.Dropout(
            config.dropout, seed=config.seed + config.n_blocks + 2, name="dropout"
        )(features)
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed + config.n_blocks + 1),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(features)
    model = keras.Model(inputs, outputs, name="cnn")
    model.compile(
        optimizer=_optimizer(config),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=math.ceil(config.n_train / config.batch_size),
    )
    return model


def train(
    model: Any,
    data: ImageData,
    config: CNNConfig,
    *,
    epochs: int,
    patience: int | None = None,
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Trains the CNN with `dlcore.training.fit.fit_live`; the held-out images validate.

    The training images are reshuffled every epoch with `config.seed`, in batches of
    `config.batch_size`; "val_loss" and "val_accuracy" are measured on the held-out
    images after each epoch.

    Args:
        model: a model from `build_model(config, ...)`.
        data: the `ImageData` from `load_data(config)`.
        config: the `CNNConfig` (for the batch size and the seed).
        epochs: `int` >= 1, epochs to run in this call.
        patience: stop once the held-out loss has not improved for this many epochs and
            keep the best epoch's weights; None trains every epoch. Defaults to None.
        history: a `History` from an earlier call on the same model, to continue it.
        on_epoch: called with an `EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        The `dlcore.training.fit.FitResult`.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    return fit_live(
        model,
        (data.x_train, data.y_train),
        (data.x_test, data.y_test),
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        patience=patience,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
    )


def predict_proba(model: Any, images: ArrayLike, *, batch_size: int = 512) -> np.ndarray:
    """The model's class probabilities at inference, as `evaluation.predict_proba`.

    Args:
        model: a model from `build_model`.
        images: float32, shape `(n, height, width, channels)`, values in [0, 1].
        batch_size: `int` >= 1, images per call. Defaults to 512.

    Returns:
        float32, shape `(n, n_classes)`, rows that sum to 1.
    """
    return evaluation.predict_proba(model, images, batch_size=batch_size)


def confusion_matrix(model: Any, data: ImageData) -> np.ndarray:
    """Counts the held-out images by true and predicted class.

    Returns:
        int64, shape `(n_classes, n_classes)`: `matrix[i, j]` held-out images of class i
        predicted as class j. Row i sums to the number of held-out images of class i.
    """
    return evaluation.confusion_matrix(predict_proba(model, data.x_test), data.y_test)


def misclassified(model: Any, data: ImageData, *, limit: int = 16) -> Misclassified:
    """The held-out images the model gets wrong, the most confidently wrong first.

    Args:
        model: a model from `build_model`.
        data: the `ImageData` it was trained on.
        limit: `int` >= 0, the most images returned. Defaults to 16.

    Returns:
        A `Misclassified` of at most `limit` images; its indices are rows of `data.x_test`.
    """
    probabilities = predict_proba(model, data.x_test)
    return evaluation.misclassified(probabilities, data.y_test, limit=limit)


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
    picture = _check_image(model, image)
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


def held_out_samples(dataset: str) -> list[tuple[str, np.ndarray]]:
    """One example image per class that the bundled models never trained on.

    - "digits": the first held-out digit of each class in `dlcore.trainers.cnn`'s default split
      (20 % held out, seed 0), the split the bundled digits model was trained on;
    - "faces": a held-out face and a held-out non-face of the same split;
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
        data = load_data(CNNConfig(dataset=dataset))
        images, targets, labels = data.x_test, data.y_test, data.labels
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
        samples.append((f"digit {label}" if dataset == "digits" else str(label), pixels))
    return samples


def export_code(config: CNNConfig, *, epochs: int = 20) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs numpy, scikit-learn and Keras 3 (and scikit-image for faces). It
    loads the same images (digits and faces inline; shapes from `dlcore.data.shapes`,
    the project's own generator, for the data only), makes the same stratified split,
    builds the same model layer by layer with the same seeds, trains it with `model.fit`
    and saves it as a `.keras` file. Run it as `python script.py --epochs N --output
    model.keras`; the `EPOCHS` environment variable sets the default number of epochs.
    It prints "Test accuracy: 0.xxxx" and "Saved <path>".

    Args:
        config: the `CNNConfig`; validated first.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to 20.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}.")
    side = IMAGE_SIZES[config.dataset]
    needs = "numpy, scikit-learn" + (", scikit-image" if config.dataset == "faces" else "")
    shapes_note = (
        "\nThe shapes come from Deep Learning Studio's own generator (dlcore.data.shapes),\n"
        "too long to copy here: save this script in the project's folder, or put that\n"
        "folder on PYTHONPATH.\n"
        if config.dataset == "shapes"
        else ""
    )
    seed_offset = config.n_blocks + 3  # the augmentation layers' seeds, as in `build_model`
    augmentation_lines = "".join(
        "    x = " + _AUGMENTATION_CODE[name].format(seed=f"SEED + {seed_offset + index}") + "\n"
        for index, name in enumerate(_ordered_augmentation(config))
    )
    if augmentation_lines:
        augmentation_lines = (
            "    # Random changes to each training image; inactive at inference.\n"
            + augmentation_lines
        )
    batch_norm_lines = (
        f"        x = keras.layers.BatchNormalization(momentum={BATCH_NORM_MOMENTUM}, "
        'name=f"bn_{block + 1}")(x)\n'
        if config.batch_norm
        else ""
    )
    pooling_lines = {
        "max": '        x = keras.layers.MaxPooling2D(2, name=f"pool_{block + 1}")(x)\n',
        "average": '        x = keras.layers.AveragePooling2D(2, name=f"pool_{block + 1}")(x)\n',
        "none": "",
    }[config.pooling]
    dense_lines = (
        "    x = keras.layers.Dense(\n"
        '        DENSE_UNITS, activation="relu", kernel_initializer=seeded(N_BLOCKS), '
        'name="dense"\n'
        "    )(x)\n"
        if config.dense_units > 0
        else ""
    )
    dropout_lines = (
        '    x = keras.layers.Dropout(DROPOUT, seed=SEED + N_BLOCKS + 2, name="dropout")(x)\n'
        if config.dropout > 0
        else ""
    )
    constants = (
        [
            f"N_SAMPLES = {config.n_samples!r}",
            f"BACKGROUNDS = {tuple(config.backgrounds)!r}",
        ]
        if config.dataset == "shapes"
        else []
    )
    constants += [
        f"TEST_FRACTION = {float(config.test_fraction)!r}",
        f"N_BLOCKS = {config.n_blocks!r}",
        f"N_FILTERS = {config.n_filters!r}  # in the first block, doubled in each further block",
        f"KERNEL_SIZE = {config.kernel_size!r}",
    ]
    if config.dense_units > 0:
        constants.append(f"DENSE_UNITS = {config.dense_units!r}")
    if config.dropout > 0:
        constants.append(f"DROPOUT = {float(config.dropout)!r}")
    constants += [
        f"LEARNING_RATE = {float(config.learning_rate)!r}",
        f"BATCH_SIZE = {config.batch_size!r}",
        f"SEED = {config.seed!r}",
    ]
    header = (
        f'''\
"""Image classifier (CNN) on {config.dataset}: {config.n_blocks} conv block(s), exported by \
Deep Learning Studio.

Needs {needs} and Keras 3.
{shapes_note}Run: python this_script.py --epochs {epochs} --output cnn_{config.dataset}.keras
(the EPOCHS environment variable sets the default number of epochs).
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


def seeded(offset):
    """A Glorot-uniform initializer with its own seed: the same weights on every run."""
    return keras.initializers.GlorotUniform(seed=SEED + offset)


def build_model(input_shape, n_classes, steps_per_epoch):
    inputs = keras.Input(input_shape, name="image")
    x = inputs
{augmentation_lines}    for block in range(N_BLOCKS):
        x = keras.layers.Conv2D(
            N_FILTERS * 2**block,
            KERNEL_SIZE,
            padding="same",
            use_bias={not config.batch_norm!r},
            kernel_initializer=seeded(block),
            name=f"conv_{{block + 1}}",
        )(x)
{batch_norm_lines}        x = keras.layers.ReLU(name=f"relu_{{block + 1}}")(x)
{pooling_lines}    x = keras.layers.Flatten(name="flatten")(x)
{dense_lines}{dropout_lines}    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=seeded(N_BLOCKS + 1),
        dtype="float32",
        name="output",
    )(x)
    model = keras.Model(inputs, outputs, name="cnn")
    model.compile(
        optimizer={_OPTIMIZER_CODE[config.optimizer]},
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        # One call runs a whole epoch's batches: much faster on a CPU for a small model.
        steps_per_execution=steps_per_epoch,
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", {epochs})))
    parser.add_argument("--output", default="cnn_{config.dataset}.keras")
    args = parser.parse_args()
    keras.utils.set_random_seed(SEED)  # the shuffling of the training images
    images, labels, class_names = load_data()
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=TEST_FRACTION, stratify=labels, random_state=SEED
    )
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    steps_per_epoch = math.ceil(len(x_train) / BATCH_SIZE)
    model = build_model(x_train.shape[1:], len(class_names), steps_per_epoch)
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(x_test, y_test),
        verbose=2,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {{loss:.4f}}")
    print(f"Test accuracy: {{accuracy:.4f}}")
    model.save(args.output)
    print(f"Saved {{args.output}}")


if __name__ == "__main__":
    main()
'''
    return header + body


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

# The augmentation layers as the exported script writes them, "{seed}" to be filled in.
_AUGMENTATION_CODE = {
    "flip": 'keras.layers.RandomFlip("horizontal", seed={seed}, name="flip")(x)',
    "rotate": f'keras.layers.RandomRotation({ROTATION}, fill_mode="nearest", '
    + 'seed={seed}, name="rotate")(x)',
    "zoom": f'keras.layers.RandomZoom({ZOOM}, fill_mode="nearest", '
    + 'seed={seed}, name="zoom")(x)',
    "shift": f'keras.layers.RandomTranslation({SHIFT}, {SHIFT}, fill_mode="nearest", '
    + 'seed={seed}, name="shift")(x)',
}

_OPTIMIZER_CODE = {
    "adam": "keras.optimizers.Adam(LEARNING_RATE)",
    "sgd": f"keras.optimizers.SGD(LEARNING_RATE, momentum={MOMENTUM})",
    "rmsprop": "keras.optimizers.RMSprop(LEARNING_RATE)",
}


def _ordered_augmentation(config: CNNConfig) -> list[str]:
    return [name for name in AUGMENTATIONS if name in config.augmentation]


def _augmentation_layer(name: str, *, seed: int) -> Any:
    if name == "flip":
        return keras.layers.RandomFlip("horizontal", seed=seed, name=name)
    if name == "rotate":
        return keras.layers.RandomRotation(ROTATION, fill_mode="nearest", seed=seed, name=name)
    if name == "zoom":
        return keras.layers.RandomZoom(ZOOM, fill_mode="nearest", seed=seed, name=name)
    return keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="nearest", seed=seed, name=name)


def _optimizer(config: CNNConfig) -> Any:
    rate = config.learning_rate
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=MOMENTUM)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(rate)
    return keras.optimizers.Adam(rate)


def _check_image(model: Any, image: ArrayLike) -> np.ndarray:
    picture = np.asarray(image, dtype=np.float32)
    expected = tuple(model.input_shape[1:])
    if picture.shape != expected:
        raise ValueError(
            f"The image must have the model's input shape {expected} (height, width, "
            f"channels). Received: shape {picture.shape}."
        )
    return picture


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
