"""Teach your own classes: a few images per class, a small CNN, and a model to try at once.

The logic behind the "Teach your own classes" tab of the Image try-it page, Teachable
Machine's idea on this project's models. A person names 2 to 5 classes and gives each at
least 3 images (uploads or camera snapshots, any size). `class_problems` says in words
what is missing; `build_dataset` cuts each image to the square in its middle, resizes it
to the model's input (`dlcore.preprocess.prepare_image`) and, when every class has at least
`HOLD_OUT_FROM` images, holds one in five out to measure the accuracy honestly.

Three images are enough because the model sees each of them many times per epoch, each
time flipped, rotated, zoomed and shifted at random by Keras preprocessing layers at the
model's start (active in training only, saved with the model). Two ways to learn:

- "scratch": a new small CNN from `dlcore.trainers.cnn.build_model` (3 conv blocks on 32x32 RGB).
- "transfer": a bundled pre-trained model (`dlcore.pretrained.load_pretrained`: "shapes",
  "faces" or "digits") cut after its last pooling or flatten layer, those layers frozen
  (`trainable=False`), and a new softmax `Dense` head for the person's classes trained
  on its features.

Both train through `dlcore.training.fit.fit_live`, so a page can show every epoch, and end as
a `dlcore.training.saving.TrainedModel` (task "custom") that `dlcore.pretrained.
predictor_from_trained` turns into a predictor for new images.

TensorFlow is imported only by the functions that build or train a model, so a page can
import this module, and check the classes, at once.

Example:

>>> from dlcore.data.shapes import make_shapes
>>> shapes = make_shapes(12, seed=0)
>>> pixels = (shapes.images * 255).astype(np.uint8)
>>> classes = [(name, [pixels[i] for i in range(12) if shapes.target[i] == k])
...            for k, name in enumerate(shapes.target_names)]
>>> result = teach(classes, TeachConfig(epochs=20))        # doctest: +SKIP
>>> result.trained.labels                                   # doctest: +SKIP
('circle', 'square', 'triangle', 'star')
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from dlcore.media import images as _images

if TYPE_CHECKING:
    from dlcore.training.fit import EpochReport, FitResult
    from dlcore.training.history import History
    from dlcore.training.saving import TrainedModel

MIN_CLASSES = 2
"""The fewest classes a person can teach."""

MAX_CLASSES = 5
"""The most classes a person can teach."""

MIN_IMAGES = 3
"""The fewest images each class needs."""

MAX_IMAGES = 60
"""The most images a class may have: enough to learn from, and the session stays small."""

MAX_NAME_LENGTH = 40
"""The longest class name, in characters."""

HOLD_OUT_FROM = 6
"""From this many images in every class on, one image in five is held out to measure
the accuracy on images the model never trained on; with fewer, all train."""

STORED_SIDE = 160
"""`keep_image` scales images down to at most this many pixels on the longer side: far
more than the models take (at most 32), enough for a thumbnail, and small in a session."""

MIN_EPOCH_SAMPLES = 96
"""An epoch shows the model at least this many augmented images, repeating the person's
images as needed, so that one epoch of 6 images is not one gradient step."""

MODES = ("scratch", "transfer")
"""How a model starts: a new CNN, or a bundled model's frozen layers and a new head."""

BASES = ("shapes", "faces", "digits")
"""The bundled image models a transfer may start from."""

SCRATCH_SIZE = 32
"""The side of the square RGB images a model from scratch takes."""

SCRATCH_PREPROCESSING: dict[str, Any] = {
    "image_size": (SCRATCH_SIZE, SCRATCH_SIZE),
    "channels": 3,
    "value_range": (0.0, 1.0),
    "resize": "area",
    "background": "any",
}
"""How a person's image becomes input of a model from scratch (`preprocess.prepare_image`)."""

AUGMENTATION = ("flip", "rotate", "zoom", "shift")
"""The random changes made to every training image (`dlcore.trainers.cnn.AUGMENTATIONS`)."""

LEARNING_RATES = {"scratch": 0.003, "transfer": 0.01}
"""Adam's learning rate for each mode: a head alone on fixed features can take larger steps."""

TASK = "custom"
"""The `TrainedModel.task` of a taught model."""


@dataclasses.dataclass(frozen=True)
class TeachConfig:
    """How to learn the person's classes.

    Attributes:
        mode: one of `MODES`. Defaults to `"scratch"`.
        base: one of `BASES`, the bundled model a "transfer" starts from; "scratch"
            ignores it. Defaults to `"shapes"`.
        epochs: `int` >= 1, epochs per Train. Each epoch shows at least
            `MIN_EPOCH_SAMPLES` augmented images. Defaults to `15`.
        batch_size: `int` >= 1. Defaults to `16`.
        seed: `int`, seeds the split, the weights, the shuffling and the augmentation.
            Defaults to `0`.
    """

    mode: str = "scratch"
    base: str = "shapes"
    epochs: int = 15
    batch_size: int = 16
    seed: int = 0

    def validate(self) -> TeachConfig:
        """Checks the settings; returns the config itself.

        Raises:
            ValueError: naming the setting, what it may be, and what was received.
        """
        if self.mode not in MODES:
            raise ValueError(
                f"Unknown mode. Choose one of: {', '.join(MODES)}. Received: mode={self.mode!r}."
            )
        if self.mode == "transfer" and self.base not in BASES:
            raise ValueError(
                f"A transfer starts from a bundled image model: one of {', '.join(BASES)}. "
                f"Received: base={self.base!r}."
            )
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}.")
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self

    @property
    def learning_rate(self) -> float:
        """Adam's learning rate for this mode (`LEARNING_RATES`)."""
        return LEARNING_RATES[self.mode]

    def describe(self) -> str:
        """A few words for a title: "from scratch" or "transfer from shapes"."""
        return "from scratch" if self.mode == "scratch" else f"transfer from {self.base}"


@dataclasses.dataclass(frozen=True)
class TeachData:
    """The person's images as model input, split when there are enough.

    Attributes:
        x_train: float32, shape `(n_train, height, width, channels)`, values in [0, 1].
        y_train: int64, shape `(n_train,)`, class indices in [0, n_classes).
        x_test: float32, shape `(n_test, height, width, channels)`; `n_test` is 0 when
            nothing is held out.
        y_test: int64, shape `(n_test,)`.
        labels: the class names, in the order of the class indices.
        preprocessing: how an image became input (`dlcore.preprocess.prepare_image`'s dict).
        train_index: int64, shape `(n_train, 2)`: where each training image came from,
            as rows `[class_index, image_index]` into the classes given.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]
    train_index: np.ndarray

    @property
    def held_out(self) -> bool:
        """Whether some images were kept out of training to measure the accuracy."""
        return len(self.y_test) > 0

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """`(height, width, channels)` of one image."""
        return tuple(int(size) for size in self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    def accuracy_note(self) -> str:
        """One sentence on what the accuracy is measured on, for the page."""
        if self.held_out:
            return (
                f"Accuracy is measured on {len(self.y_test)} held-out images that the model "
                "never trained on."
            )
        return (
            "Accuracy is on the training images themselves, which says little about new "
            f"images: give every class at least {HOLD_OUT_FROM} images and one in five is "
            "held out to measure it honestly."
        )


@dataclasses.dataclass(frozen=True)
class TeachScores:
    """How the model does on the person's images, at inference (no augmentation).

    Attributes:
        accuracy: share of training images classified right, in [0, 1].
        val_accuracy: share of held-out images classified right, or None when none is
            held out.
        train_probabilities: float32, shape `(n_train, n_classes)`, rows sum to 1.
    """

    accuracy: float
    val_accuracy: float | None
    train_probabilities: np.ndarray

    def metrics(self) -> dict[str, float]:
        """For `TrainedModel.metrics`: "accuracy" and, when held out, "val_accuracy"."""
        metrics = {"accuracy": self.accuracy}
        if self.val_accuracy is not None:
            metrics["val_accuracy"] = self.val_accuracy
        return metrics


@dataclasses.dataclass(frozen=True)
class TeachResult:
    """What `teach` returns: the model to use, the data it learned, and how training went."""

    trained: TrainedModel
    data: TeachData
    fit: FitResult
    scores: TeachScores


ClassImages = Sequence[tuple[str, Sequence[ArrayLike]]] | Mapping[str, Sequence[ArrayLike]]
"""The person's classes: `(name, images)` pairs in order (or a dict name -> images), each
image uint8 of shape `(height, width)` or `(height, width, 3)`."""


def class_problems(classes: ClassImages) -> list[str]:
    """What keeps these classes from being taught, one sentence per problem; [] when ready.

    Checks: 2 to 5 classes; every class named, names different (ignoring case and
    surrounding spaces) and at most `MAX_NAME_LENGTH` characters; every class with
    `MIN_IMAGES` to `MAX_IMAGES` images.

    Args:
        classes: `(name, images)` pairs, or a dict name -> images.

    Returns:
        Sentences that say what is wrong and what to do, in the order of the classes.

    Example:

    >>> class_problems([("cat", [np.zeros((4, 4), np.uint8)] * 3), ("", [])])
    ['Class 2 has no name: type one.', 'Class 2 has 0 images: add at least 3.']
    """
    pairs = _pairs(classes)
    problems: list[str] = []
    if len(pairs) < MIN_CLASSES:
        problems.append(
            f"Teach at least {MIN_CLASSES} classes, so the model has something to tell "
            f"apart: add a class. Received: {len(pairs)} class{'es' if len(pairs) != 1 else ''}."
        )
    if len(pairs) > MAX_CLASSES:
        problems.append(
            f"Teach at most {MAX_CLASSES} classes: remove {len(pairs) - MAX_CLASSES}. "
            f"Received: {len(pairs)} classes."
        )
    seen: dict[str, int] = {}
    for number, (name, pictures) in enumerate(pairs, start=1):
        clean = name.strip()
        if not clean:
            problems.append(f"Class {number} has no name: type one.")
        elif len(clean) > MAX_NAME_LENGTH:
            problems.append(
                f"Class {number}'s name is {len(clean)} characters long: shorten it to at "
                f"most {MAX_NAME_LENGTH}."
            )
        elif clean.casefold() in seen:
            problems.append(
                f"Classes {seen[clean.casefold()]} and {number} are both called {clean!r}: "
                "give each class its own name."
            )
        else:
            seen[clean.casefold()] = number
        label = repr(clean) if clean else f"Class {number}"
        if len(pictures) < MIN_IMAGES:
            problems.append(
                f"{label} has {len(pictures)} image{'s' if len(pictures) != 1 else ''}: "
                f"add at least {MIN_IMAGES}."
            )
        elif len(pictures) > MAX_IMAGES:
            problems.append(
                f"{label} has {len(pictures)} images: remove some, {MAX_IMAGES} at most."
            )
    return problems


def validate_classes(classes: ClassImages) -> list[tuple[str, list[np.ndarray]]]:
    """Checks the classes (`class_problems`) and returns them as clean `(name, images)` pairs.

    Returns:
        The pairs in order, names stripped of surrounding spaces, images as uint8 arrays.

    Raises:
        ValueError: with every problem `class_problems` finds, or when an image is not a
            uint8 greyscale or RGB array (naming its class and position).
    """
    problems = class_problems(classes)
    if problems:
        raise ValueError("These classes can't be taught yet. " + " ".join(problems))
    pairs = []
    for name, pictures in _pairs(classes):
        checked = []
        for position, picture in enumerate(pictures, start=1):
            pixels = np.asarray(picture)
            is_gray_or_rgb = pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
            if pixels.dtype != np.uint8 or not is_gray_or_rgb or min(pixels.shape[:2]) < 1:
                raise ValueError(
                    f"Image {position} of {name.strip()!r} is not a picture: expected uint8 "
                    "pixels of shape (height, width) or (height, width, 3), as "
                    "dlcore.media.images.decode_image returns them. "
                    f"Received: dtype={pixels.dtype}, shape={pixels.shape}."
                )
            checked.append(pixels)
        pairs.append((name.strip(), checked))
    return pairs


def keep_image(pixels: ArrayLike) -> np.ndarray:
    """A person's image as it is worth keeping: scaled down to `STORED_SIDE` at most.

    Args:
        pixels: uint8, shape `(height, width)` or `(height, width, 3)`.

    Returns:
        uint8, the same number of channels, longer side at most `STORED_SIDE`.
    """
    small, _ = _images.fit_within(np.asarray(pixels), max_side=STORED_SIDE)
    return np.ascontiguousarray(small)


def preprocessing_for(config: TeachConfig) -> dict[str, Any]:
    """How images become input for this config's model.

    From scratch: `SCRATCH_PREPROCESSING` (32x32 RGB). Transfer: the bundled model's own
    (e.g. digits: 8x8 greyscale, light backgrounds inverted), so its frozen layers see
    images as they did in training.
    """
    config.validate()
    if config.mode == "scratch":
        return dict(SCRATCH_PREPROCESSING)
    from dlcore.pretrained import load_pretrained

    return dict(load_pretrained(config.base).preprocessing)


def build_dataset(
    classes: ClassImages, preprocessing: Mapping[str, Any], *, seed: int = 0
) -> TeachData:
    """Turns the person's classes into model input, held-out images apart when there are enough.

    Each image is cut to the square in its middle, converted and resized as
    `preprocessing` says (`dlcore.preprocess.prepare_image`). When every class has at least
    `HOLD_OUT_FROM` images, `round(n / 5)` images of each class (chosen at random with
    `seed`) are held out; otherwise all of them train.

    Args:
        classes: `(name, images)` pairs, or a dict name -> images; see `class_problems`.
        preprocessing: e.g. `preprocessing_for(config)`.
        seed: `int`, which images are held out. Defaults to 0.

    Returns:
        A `TeachData`.

    Raises:
        ValueError: If the classes can't be taught (`validate_classes`).

    Example:

    >>> pictures = [np.full((40, 30, 3), value, np.uint8) for value in range(3)]
    >>> data = build_dataset([("a", pictures), ("b", pictures)], SCRATCH_PREPROCESSING)
    >>> data.x_train.shape, data.held_out
    ((6, 32, 32, 3), False)
    """
    from dlcore.preprocess import prepare_image

    pairs = validate_classes(classes)
    preprocessing = dict(preprocessing)
    hold_out = min(len(pictures) for _, pictures in pairs) >= HOLD_OUT_FROM
    rng = np.random.default_rng(seed)
    train_rows: list[tuple[int, int]] = []
    test_rows: list[tuple[int, int]] = []
    for class_index, (_, pictures) in enumerate(pairs):
        order = rng.permutation(len(pictures)) if hold_out else np.arange(len(pictures))
        n_test = max(1, round(len(pictures) / 5)) if hold_out else 0
        test_rows += [(class_index, int(position)) for position in sorted(order[:n_test])]
        train_rows += [(class_index, int(position)) for position in sorted(order[n_test:])]

    def prepared(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        height, width = preprocessing["image_size"]
        inputs = np.zeros((len(rows), height, width, preprocessing["channels"]), np.float32)
        for row, (class_index, position) in enumerate(rows):
            inputs[row] = prepare_image(pairs[class_index][1][position], preprocessing)
        targets = np.array([class_index for class_index, _ in rows], dtype=np.int64)
        return inputs, targets

    x_train, y_train = prepared(train_rows)
    x_test, y_test = prepared(test_rows)
    return TeachData(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        labels=tuple(name for name, _ in pairs),
        preprocessing=preprocessing,
        train_index=np.array(train_rows, dtype=np.int64).reshape(-1, 2),
    )


def steps_per_epoch(data: TeachData, config: TeachConfig) -> int:
    """Batches per epoch: the training images repeated up to `MIN_EPOCH_SAMPLES`."""
    return math.ceil(len(_repeats(data)[1]) / config.batch_size)


def build_model(config: TeachConfig, data: TeachData, *, base_model: Any = None) -> Any:
    """Builds and compiles the model that learns the person's classes.

    "scratch": `dlcore.trainers.cnn.build_model` with 3 conv blocks of 16, 32 and 64 filters, max
    pooling, a dense layer of 32 units, dropout 0.2 and every augmentation of
    `AUGMENTATION`, on 32x32 RGB images; its layers keep the CNN trainer's names
    ("conv_1", "relu_1", "pool_1", ...), so feature maps and Grad-CAM work on it.

    "transfer": the bundled model `config.base`, copied (the shared one stays as it is),
    cut after its last flatten or global pooling layer (or after its last pooling layer,
    then flattened), those layers frozen; the augmentation layers in front, and a new
    "output" `Dense` softmax over the person's classes after. Only that head trains.

    Compiled with Adam at `config.learning_rate`, sparse categorical cross-entropy,
    accuracy, and `steps_per_execution` equal to one epoch's batches.

    Args:
        config: the `TeachConfig`.
        data: from `build_dataset(classes, preprocessing_for(config))`.
        base_model: for "transfer", a `keras.Model` to start from instead of the bundled
            `config.base` (a CNN of your own, say); it is copied, never changed.

    Input shape:
        `(batch_size, height, width, channels)` as `data.input_shape`, float32 in [0, 1].

    Output shape:
        `(batch_size, n_classes)`, probabilities that sum to 1.

    Raises:
        ValueError: If the config is invalid, `data` does not fit the model's input, or the
            bundled model has no pooling layer to cut after.
    """
    import keras

    from dlcore.trainers import cnn

    config.validate()
    if config.mode == "scratch":
        cnn_config = cnn.CNNConfig(
            dataset="shapes",  # the 32x32 RGB architecture; the data are the person's
            n_blocks=3,
            n_filters=16,
            dense_units=32,
            dropout=0.2,
            augmentation=AUGMENTATION,
            learning_rate=config.learning_rate,
            batch_size=config.batch_size,
            seed=config.seed,
        )
        expected = (SCRATCH_SIZE, SCRATCH_SIZE, 3)
        _check_input(data, expected)
        model = cnn.build_model(cnn_config, expected, data.n_classes)
    else:
        if base_model is None:
            from dlcore.pretrained import load_pretrained

            base_model = load_pretrained(config.base).model
        model = _transfer_model(base_model, data, config)
    # Compiled again for this data's epoch: `cnn.build_model` sized it for its own set.
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_epoch(data, config),
    )
    return model


def frozen_layer_names(model: Any) -> list[str]:
    """The names of the model's layers that have weights and do not train."""
    return [layer.name for layer in model.layers if layer.weights and not layer.trainable]


def train(
    model: Any,
    data: TeachData,
    config: TeachConfig,
    *,
    epochs: int | None = None,
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Trains the model with `dlcore.training.fit.fit_live`, reporting every epoch.

    Each epoch shows the training images repeated up to `MIN_EPOCH_SAMPLES`, each one
    changed at random by the model's augmentation layers, reshuffled with `config.seed`.
    With held-out images, "val_loss" and "val_accuracy" are measured on them after each
    epoch; "accuracy" is on the augmented training images.

    Args:
        model: from `build_model(config, data)`.
        data: from `build_dataset`.
        config: the `TeachConfig`.
        epochs: epochs to run in this call; defaults to `config.epochs`.
        history: a `History` of earlier calls on the same model, to continue it.
        on_epoch: called with a `dlcore.training.fit.EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        The `dlcore.training.fit.FitResult`.
    """
    from dlcore.training.fit import fit_live

    config.validate()
    inputs, targets = _repeats(data)
    return fit_live(
        model,
        (inputs, targets),
        (data.x_test, data.y_test) if data.held_out else None,
        epochs=config.epochs if epochs is None else epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
    )


def score(model: Any, data: TeachData) -> TeachScores:
    """The model's accuracy on the person's images at inference (augmentation off)."""
    from dlcore.training.evaluation import predict_proba

    train_probabilities = predict_proba(model, data.x_train, batch_size=256)
    accuracy = float(np.mean(train_probabilities.argmax(axis=1) == data.y_train))
    val_accuracy = None
    if data.held_out:
        test_probabilities = predict_proba(model, data.x_test, batch_size=256)
        val_accuracy = float(np.mean(test_probabilities.argmax(axis=1) == data.y_test))
    return TeachScores(accuracy, val_accuracy, train_probabilities)


def trained_model(
    model: Any, data: TeachData, config: TeachConfig, scores: TeachScores, *, device: str = "CPU:0"
) -> TrainedModel:
    """The taught model as the try-it pages take it (`dlcore.training.saving.TrainedModel`).

    Its task is `TASK` ("custom"); its title names the classes, the mode and the accuracy,
    e.g. "Your classes: cat, dog (from scratch, 100% on training images)".
    `preprocessing` is `data.preprocessing` plus "mode" and "base".
    """
    from dlcore.training.saving import TrainedModel

    if scores.val_accuracy is not None:
        measured = f"{scores.val_accuracy:.0%} held out"
    else:
        measured = f"{scores.accuracy:.0%} on training images"
    title = f"Your classes: {', '.join(data.labels)} ({config.describe()}, {measured})"
    preprocessing = {
        **data.preprocessing,
        "mode": config.mode,
        "base": config.base if config.mode == "transfer" else None,
    }
    return TrainedModel(
        task=TASK,
        title=title,
        model=model,
        labels=data.labels,
        preprocessing=preprocessing,
        metrics=scores.metrics(),
        device=device,
    )


def teach(
    classes: ClassImages,
    config: TeachConfig | None = None,
    *,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> TeachResult:
    """Everything in one call: check the classes, build the data and the model, train, score.

    Args:
        classes: `(name, images)` pairs, or a dict name -> images; 2 to 5 classes of at
            least 3 uint8 images each, of any size.
        config: a `TeachConfig`; defaults to `TeachConfig()` (from scratch, 15 epochs).
        on_epoch: called with a `dlcore.training.fit.EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        A `TeachResult`; its `trained` goes to `dlcore.pretrained.predictor_from_trained`.

    Raises:
        ValueError: If the classes or the config are invalid (the message says how).
    """
    config = (config or TeachConfig()).validate()
    data = build_dataset(classes, preprocessing_for(config), seed=config.seed)
    model = build_model(config, data)
    fit = train(model, data, config, on_epoch=on_epoch, on_progress=on_progress)
    scores = score(model, data)
    return TeachResult(trained_model(model, data, config, scores), data, fit, scores)


def model_bytes(trained: TrainedModel) -> bytes:
    """The taught model as a `.keras` file's bytes (architecture, weights, optimizer)."""
    from dlcore.training.saving import model_to_bytes

    return model_to_bytes(trained.model)


def labels_json(trained: TrainedModel) -> str:
    """The labels and preprocessing that go with the `.keras` file, as JSON text.

    Keys: "labels" (class names in output order), "preprocessing" (image size, channels,
    value range, resize, background, mode, base), "metrics", "created".
    """
    preprocessing = {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in trained.preprocessing.items()
    }
    return json.dumps(
        {
            "labels": list(trained.labels),
            "preprocessing": preprocessing,
            "metrics": trained.metrics,
            "created": trained.created,
        },
        indent=2,
        ensure_ascii=False,
    )


def _pairs(classes: ClassImages) -> list[tuple[str, Sequence[ArrayLike]]]:
    items = classes.items() if isinstance(classes, Mapping) else classes
    pairs = []
    for item in items:
        name, pictures = item
        if not isinstance(name, str):
            raise TypeError(f"A class name must be a string. Received: {name!r}.")
        if isinstance(pictures, np.ndarray) and pictures.dtype == np.uint8 and pictures.ndim == 3:
            # One greyscale image would pass for a list of rows: ask for a list.
            raise TypeError(
                f"Give class {name!r}'s images as a list of arrays, one per image. "
                f"Received: one array of shape {pictures.shape}."
            )
        pairs.append((name, list(pictures)))
    return pairs


def _repeats(data: TeachData) -> tuple[np.ndarray, np.ndarray]:
    """The training images repeated so that an epoch holds at least `MIN_EPOCH_SAMPLES`."""
    n_repeats = max(1, math.ceil(MIN_EPOCH_SAMPLES / len(data.y_train)))
    return np.tile(data.x_train, (n_repeats, 1, 1, 1)), np.tile(data.y_train, n_repeats)


def _check_input(data: TeachData, expected: tuple[int, ...]) -> None:
    if data.input_shape != tuple(expected):
        raise ValueError(
            f"The model takes images of shape {tuple(expected)}; build the data with "
            f"`preprocessing_for(config)`. Received: images of shape {data.input_shape}."
        )


def _transfer_model(shared: Any, data: TeachData, config: TeachConfig) -> Any:
    """A model's layers up to its features, frozen, with augmentation and a new head.

    Each layer is a copy (its config and weights): a bundled model is shared by every
    browser session and must not change, and a layer used by this model alone has one
    output, so that `dlcore.trainers.cnn.feature_maps` can read it.
    """
    import keras

    from dlcore.trainers import cnn

    _check_input(data, tuple(shared.input_shape[1:]))
    cut = _feature_layer_index(shared)
    inputs = keras.Input(data.input_shape, name="image")
    features = inputs
    for layer in _augmentation_layers(seed=config.seed + 100):
        features = layer(features)
    previous = shared.layers[0].output
    for layer in shared.layers[1 : cut + 1]:
        if layer.input is not previous:
            raise ValueError(
                f"The model {shared.name!r} is not one chain of layers up to its features "
                f"(at layer {layer.name!r}), so it can't be cut for a new head: start from "
                "scratch instead."
            )
        previous = layer.output
        if layer.name in cnn.AUGMENTATIONS:
            continue  # the new augmentation layers above replace the model's own
        copy = type(layer).from_config(layer.get_config())
        features = copy(features)
        copy.set_weights(layer.get_weights())
        copy.trainable = False
    if features.ndim > 2:
        features = keras.layers.Flatten(name="flatten")(features)
    outputs = keras.layers.Dense(
        data.n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(features)
    return keras.Model(inputs, outputs, name="taught")


def _augmentation_layers(*, seed: int) -> list[Any]:
    """`AUGMENTATION` as Keras layers, as `dlcore.trainers.cnn.build_model` makes them."""
    import keras

    from dlcore.trainers.cnn import ROTATION, SHIFT, ZOOM

    return [
        keras.layers.RandomFlip("horizontal", seed=seed, name="flip"),
        keras.layers.RandomRotation(ROTATION, fill_mode="nearest", seed=seed + 1, name="rotate"),
        keras.layers.RandomZoom(ZOOM, fill_mode="nearest", seed=seed + 2, name="zoom"),
        keras.layers.RandomTranslation(
            SHIFT, SHIFT, fill_mode="nearest", seed=seed + 3, name="shift"
        ),
    ]


def _feature_layer_index(model: Any) -> int:
    """The last flatten or global pooling layer; else the last pooling layer."""
    import keras

    layers = model.layers
    features = (
        keras.layers.Flatten,
        keras.layers.GlobalAveragePooling2D,
        keras.layers.GlobalMaxPooling2D,
    )
    pooling = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
    for kinds in (features, pooling):
        found = [index for index, layer in enumerate(layers) if isinstance(layer, kinds)]
        if found:
            return found[-1]
    raise ValueError(
        f"The model {model.name!r} has no flatten or pooling layer to cut after, so it "
        "can't take a new head: start from scratch instead."
    )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
