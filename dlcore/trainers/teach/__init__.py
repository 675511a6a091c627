"""Teach your own classes: a few images per class, a small CNN, and a model to try at once.

The logic behind the "Teach your own classes" tab of the Image try-it page, Teachable
Machine's idea on this project's models, with the names every trainer has
(`dlcore.trainers`). A person names 2 to 5 classes and gives each at least 3 images
(`classes`: `class_problems` says in words what is missing). `load_data` cuts each image
to the square in its middle, resizes it to the model's input
(`dlcore.preprocess.prepare_image`) and splits the images as far as their number allows
(`classes.split_rows`): with 3 to 5 images in some class all of them train; from 6 in
every class one in five validates each epoch; from 10 one in five more is the test part,
scored once at the end. `Config()` with no classes given learns `classes.default_classes`:
generated circles and squares, 10 of each.

Three images are enough because the model sees each of them many times per epoch, each
time flipped, rotated, zoomed and shifted at random by Keras preprocessing layers at the
model's start (active in training only, saved with the model). Two ways to learn:

- "scratch": a new small CNN from `dlcore.trainers.cnn.build_cnn` (3 conv blocks on
  32x32 RGB).
- "transfer": a bundled pre-trained model (`dlcore.pretrained.load_pretrained`: "shapes",
  "faces" or "digits") cut after its last pooling or flatten layer, those layers frozen,
  and a new softmax head for the person's classes (`transfer.build_transfer`).

Both train through `dlcore.training.fit.fit_live`, so a page can show every epoch, and end
as a `dlcore.training.saving.TrainedModel` (task "custom") that
`dlcore.pretrained.predictor_from_trained` turns into a predictor for new images.

TensorFlow is imported only by the functions that build or train a model, so a page can
import this module, and check the classes, at once.

Example:

>>> config = Config(epochs=20)
>>> result = teach(default_classes(), config)               # doctest: +SKIP
>>> result.trained.labels                                   # doctest: +SKIP
('circle', 'square')
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from dlcore.trainers.teach.classes import (
    HOLD_OUT_FROM,
    MAX_CLASSES,
    MAX_IMAGES,
    MAX_NAME_LENGTH,
    MIN_CLASSES,
    MIN_IMAGES,
    STORED_SIDE,
    TEST_FROM,
    ClassImages,
    class_problems,
    default_classes,
    keep_image,
    split_rows,
    validate_classes,
)
from dlcore.trainers.teach.config import (
    BASES,
    LEARNING_RATES,
    MAX_SHARE,
    MIN_EPOCH_SAMPLES,
    MODES,
    SCRATCH_NETWORK,
    SCRATCH_PREPROCESSING,
    SCRATCH_SIZE,
    Config,
    preprocessing_for,
)
from dlcore.trainers.teach.data import TeachData
from dlcore.trainers.teach.export import export_code
from dlcore.trainers.teach.results import TeachResult, TeachScores

if TYPE_CHECKING:
    from dlcore.training.fit import EpochReport, FitResult
    from dlcore.training.saving import TrainedModel

__all__ = [
    "BASES",
    "HOLD_OUT_FROM",
    "LEARNING_RATES",
    "MAX_CLASSES",
    "MAX_IMAGES",
    "MAX_NAME_LENGTH",
    "MAX_SHARE",
    "MIN_CLASSES",
    "MIN_EPOCH_SAMPLES",
    "MIN_IMAGES",
    "MODES",
    "SCRATCH_NETWORK",
    "SCRATCH_PREPROCESSING",
    "SCRATCH_SIZE",
    "STORED_SIDE",
    "TASK",
    "TEST_FROM",
    "ClassImages",
    "Config",
    "TeachData",
    "TeachResult",
    "TeachScores",
    "build_model",
    "class_problems",
    "default_classes",
    "evaluate",
    "export_code",
    "fit",
    "frozen_layer_names",
    "keep_image",
    "labels_json",
    "load_data",
    "model_bytes",
    "preprocessing_for",
    "score",
    "split_rows",
    "teach",
    "trained_model",
    "validate_classes",
]

TASK = "custom"
"""The `TrainedModel.task` of a taught model."""


def load_data(
    config: Config,
    classes: ClassImages | None = None,
    *,
    preprocessing: Mapping[str, Any] | None = None,
) -> TeachData:
    """Turns the person's classes into model input, split as far as their number allows.

    Each image is cut to the square in its middle, converted and resized as
    `preprocessing` says (`dlcore.preprocess.prepare_image`), and goes to training,
    validation or test as `classes.split_rows` decides with the config's shares and seed.

    Args:
        config: the `Config`; validated first.
        classes: `(name, images)` pairs, or a dict name -> images; see `class_problems`.
            Defaults to `default_classes(seed=config.seed)`.
        preprocessing: defaults to `preprocessing_for(config)`.

    Returns:
        A `TeachData`.

    Raises:
        ValueError: If the config is invalid or the classes can't be taught
            (`validate_classes`).

    Example:

    >>> pictures = [np.full((40, 30, 3), value, np.uint8) for value in range(3)]
    >>> data = load_data(Config(), [("a", pictures), ("b", pictures)])
    >>> data.x_train.shape, data.held_out
    ((6, 32, 32, 3), False)
    """
    from dlcore.preprocess import prepare_image

    config.validate()
    pairs = validate_classes(default_classes(seed=config.seed) if classes is None else classes)
    preprocessing = dict(preprocessing_for(config) if preprocessing is None else preprocessing)
    parts = split_rows(
        [len(pictures) for _, pictures in pairs],
        validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction,
        seed=config.seed,
    )

    def prepared(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        height, width = preprocessing["image_size"]
        inputs = np.zeros((len(rows), height, width, preprocessing["channels"]), np.float32)
        for row, (class_index, position) in enumerate(rows):
            inputs[row] = prepare_image(pairs[class_index][1][position], preprocessing)
        return inputs, np.array([class_index for class_index, _ in rows], dtype=np.int64)

    return TeachData.from_parts(
        (prepared(rows) for rows in parts),
        labels=tuple(name for name, _ in pairs),
        preprocessing=preprocessing,
        train_index=np.array(parts[0], dtype=np.int64).reshape(-1, 2),
    )


def steps_per_epoch(data: TeachData, config: Config) -> int:
    """Batches per epoch: the training images repeated up to `MIN_EPOCH_SAMPLES`."""
    return math.ceil(len(_repeats(data)[1]) / config.batch_size)


def build_model(config: Config, data: TeachData, *, base_model: Any = None) -> Any:
    """Builds and compiles the model that learns the person's classes.

    "scratch": `dlcore.trainers.cnn.build_cnn` with `SCRATCH_NETWORK` (3 conv blocks of
    16, 32 and 64 filters, max pooling, a dense layer of 32 units, dropout 0.2 and every
    augmentation) on 32x32 RGB images; its layers keep the CNN trainer's names
    ("conv_1", "relu_1", "pool_1", ...), so feature maps and Grad-CAM work on it.

    "transfer": `transfer.build_transfer` on the bundled model `config.base` (copied; the
    shared one stays as it is): its layers up to its features frozen, the augmentation in
    front, and a new "output" softmax after. Only that head trains.

    Compiled with Adam at `config.learning_rate`, sparse categorical cross-entropy,
    accuracy, and `steps_per_execution` equal to one epoch's batches.

    Args:
        config: the `Config`.
        data: from `load_data(config, classes)`.
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
    from dlcore.concepts.optimizers import make_optimizer
    from dlcore.trainers.cnn import build_cnn
    from dlcore.training.compiling import compile_model

    config.validate()
    if config.mode == "scratch":
        _check_input(data, (SCRATCH_SIZE, SCRATCH_SIZE, 3))
        model = build_cnn(data.input_shape, data.n_classes, **SCRATCH_NETWORK, seed=config.seed)
    else:
        from dlcore.trainers.teach.transfer import build_transfer

        if base_model is None:
            from dlcore.pretrained import load_pretrained

            base_model = load_pretrained(config.base).model
        _check_input(data, tuple(base_model.input_shape[1:]))
        model = build_transfer(base_model, data.n_classes, seed=config.seed)
    return compile_model(
        model,
        make_optimizer("adam", learning_rate=config.learning_rate),
        steps_per_execution=steps_per_epoch(data, config),
    )


def frozen_layer_names(model: Any) -> list[str]:
    """The names of the model's layers that have weights and do not train."""
    return [layer.name for layer in model.layers if layer.weights and not layer.trainable]


def fit(
    model: Any, data: TeachData, config: Config, *, epochs: int | None = None, **options: Any
) -> FitResult:
    """Trains the model with `dlcore.training.fit.fit_split`, reporting every epoch.

    Each epoch shows the training images repeated up to `MIN_EPOCH_SAMPLES`, each one
    changed at random by the model's augmentation layers, reshuffled with `config.seed`.
    With validation images, "val_loss" and "val_accuracy" are measured on them after each
    epoch (and early stopping watches them); "accuracy" is on the augmented training
    images. The test images are not looked at.

    Args:
        model: from `build_model(config, data)`.
        data: from `load_data`.
        config: the `Config`.
        epochs: epochs to run in this call; defaults to `config.epochs`.
        **options: `on_epoch`, `patience`, `history`, `stop` and `on_progress`, as
            `fit_split` takes them.

    Returns:
        The `dlcore.training.fit.FitResult`.
    """
    from dlcore.training.fit import fit_split

    config.validate()
    return fit_split(
        model,
        data,
        config,
        epochs=config.epochs if epochs is None else epochs,
        train=_repeats(data),
        validate=data.held_out,
        **options,
    )


def evaluate(model: Any, data: TeachData) -> dict[str, float]:
    """The test score, computed once at the end (`{"test_loss", "test_accuracy"}`), or
    `{}` when the classes have too few images for a test part."""
    if not data.has_test:
        return {}
    from dlcore.training.evaluation import test_scores

    return test_scores(model, data)


def score(model: Any, data: TeachData) -> TeachScores:
    """The model's accuracy on the person's images at inference (augmentation off); the
    test accuracy is `evaluate`'s, computed here once."""
    from dlcore.training.evaluation import predict_proba

    train_probabilities = predict_proba(model, data.x_train, batch_size=256)
    accuracy = float(np.mean(train_probabilities.argmax(axis=1) == data.y_train))
    val_accuracy = None
    if data.held_out:
        validation = predict_proba(model, data.x_val, batch_size=256)
        val_accuracy = float(np.mean(validation.argmax(axis=1) == data.y_val))
    test_accuracy = evaluate(model, data).get("test_accuracy")
    return TeachScores(accuracy, val_accuracy, test_accuracy, train_probabilities)


def trained_model(
    model: Any, data: TeachData, config: Config, scores: TeachScores, *, device: str = "CPU:0"
) -> TrainedModel:
    """The taught model as the try-it pages take it (`dlcore.training.saving.TrainedModel`).

    Its task is `TASK` ("custom"); its title names the classes, the mode and the best
    measure there is, e.g. "Your classes: cat, dog (from scratch, 90% test)", "... 80%
    held out" or "... 100% on training images". `preprocessing` is `data.preprocessing`
    plus "mode" and "base".
    """
    from dlcore.training.saving import TrainedModel

    if scores.test_accuracy is not None:
        measured = f"{scores.test_accuracy:.0%} test"
    elif scores.val_accuracy is not None:
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
    classes: ClassImages | None = None,
    config: Config | None = None,
    *,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> TeachResult:
    """Everything in one call: check the classes, load the data, build, train, score.

    Args:
        classes: `(name, images)` pairs, or a dict name -> images; 2 to 5 classes of at
            least 3 uint8 images each, of any size. Defaults to `default_classes`.
        config: a `Config`; defaults to `Config()` (from scratch, 15 epochs).
        on_epoch: called with a `dlcore.training.fit.EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        A `TeachResult`; its `trained` goes to `dlcore.pretrained.predictor_from_trained`.

    Raises:
        ValueError: If the classes or the config are invalid (the message says how).
    """
    config = (config or Config()).validate()
    data = load_data(config, classes)
    model = build_model(config, data)
    result = fit(model, data, config, on_epoch=on_epoch, on_progress=on_progress)
    scores = score(model, data)
    return TeachResult(trained_model(model, data, config, scores), data, result, scores)


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


def _repeats(data: TeachData) -> tuple[np.ndarray, np.ndarray]:
    """The training images repeated so that an epoch holds at least `MIN_EPOCH_SAMPLES`."""
    n_repeats = max(1, math.ceil(MIN_EPOCH_SAMPLES / len(data.y_train)))
    return np.tile(data.x_train, (n_repeats, 1, 1, 1)), np.tile(data.y_train, n_repeats)


def _check_input(data: TeachData, expected: tuple[int, ...]) -> None:
    if data.input_shape != tuple(expected):
        raise ValueError(
            f"The model takes images of shape {tuple(expected)}; load the data with "
            f"`load_data(config, classes)`. Received: images of shape {data.input_shape}."
        )
