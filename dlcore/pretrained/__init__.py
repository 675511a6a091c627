"""Bundled pre-trained models, and predictions from a person's images, texts and clips.

Six small models come with dlcore, trained by `scripts/make_pretrained.py` with the
project's own trainers and fixed seeds, so that the try-it pages work before anything is
trained in the browser: "digits", "faces" and "shapes" (`dlcore.trainers.cnn`), "intents" (a GRU)
and "intents_transformer" (a Transformer block, whose attention the Your text page works
out by hand), both from `dlcore.trainers.intents` in English and Chinese, and "motion"
(`dlcore.trainers.video`). Each
lives in `dlcore/pretrained/<name>.keras`, with `<name>.json` beside it: the labels, the
input shape, the preprocessing, the held-out accuracy and the configuration it was
trained with.

A `Predictor` joins a model to what it needs to take a person's input: `prepare` turns
images (PIL images, encoded files, pixel arrays), sentences or clips into the model's
input batch the way its trainer prepared the training data, and `predict_proba` returns
the class probabilities; `in_domain` says whether an input looks like the model's kind
at all (a bundled image or video model's `dlcore.pretrained.domain.DomainCheck`), so that
a page can call an answer on anything else a guess. `load_pretrained` loads a bundled
model once per process;
`predictor_from_trained` wraps a model trained on a trainer page the same way, so that a
page treats both alike.

Example:

>>> predictor = load_pretrained("intents")                        # doctest: +SKIP
>>> probabilities = predictor.predict_proba(["Wake me up at 7", "明天会下雨吗"])  # doctest: +SKIP
>>> [predictor.labels[row.argmax()] for row in probabilities]      # doctest: +SKIP
['set_alarm', 'weather']
"""

from __future__ import annotations

import dataclasses
import json
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from sklearn.model_selection import train_test_split

from dlcore.data.split import split_indices
from dlcore.media.images import decode_image
from dlcore.media.video import decode_video
from dlcore.preprocess import encode_texts, prepare_clip, prepare_image
from dlcore.pretrained.domain import DomainCheck

PRETRAINED_NAMES = ("digits", "faces", "shapes", "intents", "intents_transformer", "motion")
"""The bundled models, by name."""

TASKS = {
    "digits": "image",
    "faces": "image",
    "shapes": "image",
    "intents": "text",
    "intents_transformer": "text",
    "motion": "video",
}
"""What each bundled model takes: "image", "text" or "video"."""

TRAINED_TASKS = {**TASKS, "custom": "image"}
"""What a session model takes, by its `TrainedModel.task`: the bundled tasks, and
"custom" for the classes a person taught on the Image page (`dlcore.trainers.teach`)."""

MODEL_FOLDER = Path(__file__).parent
"""The folder that holds the bundled `<name>.keras` and `<name>.json` files."""

SAMPLE_FOLDER = MODEL_FOLDER / "samples"
"""Sample inputs for the bundled models: `digit_3.png` and `digit_7.png`, digits drawn big
in dark ink on white, as a person would draw them (made by `scripts/make_pretrained.py`)."""

BATCH_SIZE = 256
"""Inputs per model call in `Predictor.predict_proba`: bounds the memory of a long list."""

_ITEM_KINDS = {
    "image": "PIL images, image file bytes or uint8 pixel arrays",
    "text": "sentences (str)",
    "video": "uint8 clips of shape (frames, height, width, 3) or video file bytes",
}


@dataclasses.dataclass(eq=False)
class Predictor:
    """A trained classifier plus what it needs to take a person's input.

    `predict_proba` may be called from several threads at once (Streamlit runs each
    session in its own thread and the bundled models are shared): the model calls are
    serialized by a lock.

    Attributes:
        name: the bundled model's name ("digits", ...) or a session model's title.
        task: "image", "text" or "video": what `prepare` takes.
        labels: the class names, in the order of the model's outputs.
        model: the `keras.Model`, a softmax classifier.
        preprocessing: the trainer's preprocessing dict (`dlcore.trainers.cnn.ImageData`,
            `dlcore.trainers.intents.IntentData` or `dlcore.trainers.video.VideoData`
            `.preprocessing`).
        metadata: `"accuracy"` (held-out, in [0, 1], or None if unknown), `"trained"`
            (ISO 8601 date), `"input_shape"` (one input, without the batch axis),
            `"config"` (the trainer's settings, a dict), `"description"` and `"n_test"`
            (held-out samples, or None); a bundled model's JSON has more.
        domain: the model's `dlcore.pretrained.domain.DomainCheck`, which `in_domain`
            asks; None for a model without one (a model trained in a session, a text model).
    """

    name: str
    task: str
    labels: list[str]
    model: Any
    preprocessing: dict[str, Any]
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    domain: Any = None
    _lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, init=False, repr=False
    )

    def prepare(self, items: Iterable[Any]) -> np.ndarray:
        """Turns a person's inputs into the model's input batch, as its trainer did.

        Args:
            items: a list (or other sequence) of inputs, even for one input:
                - "image": `PIL.Image.Image` (its EXIF orientation applied; transparent
                  parts laid on white), `bytes` of an image file (any format
                  `dlcore.media.images.decode_image` reads), or a uint8 array of shape
                  `(height, width)`, `(height, width, 3)` or `(height, width, 4)` (RGBA,
                  laid on white), any size; a 4-D uint8 array is a stack of images.
                  Each is cut to its middle square and resized by
                  `dlcore.preprocess.prepare_image`.
                - "text": `str` sentences, any language; `dlcore.preprocess.encode_texts`.
                - "video": uint8 arrays of shape `(frames, height, width, 3)`, or `bytes`
                  of a video file (decoded by `dlcore.media.video.decode_video`); a 5-D uint8
                  array is a stack of clips. `dlcore.preprocess.prepare_clip` keeps
                  evenly spaced frames.

        Returns:
            Image: float32, shape `(n, height, width, channels)` in [0, 1]. Text: int32
            token ids, shape `(n, max_length)`. Video: float32, shape
            `(n, n_frames, height, width, 3)` in [0, 1].

        Raises:
            TypeError: If `items` is a single input rather than a list of them, or an
                item is of a kind this model cannot take.
            ValueError: If `items` is empty, or an item cannot be read (a damaged file,
                an array of the wrong shape or dtype); the message names the item.
        """
        batch = _as_list(items, self.task)
        if self.task == "text":
            for index, text in enumerate(batch):
                if not isinstance(text, str):
                    raise TypeError(
                        f"Item {index} is a {type(text).__name__}, not a sentence: pass str "
                        "items, e.g. ['Wake me up at 7']."
                    )
            return encode_texts(batch, self.preprocessing)
        prepare_one = _prepare_image if self.task == "image" else _prepare_clip
        prepared = []
        for index, item in enumerate(batch):
            try:
                prepared.append(prepare_one(item, self.preprocessing))
            except (TypeError, ValueError) as error:
                raise type(error)(f"Item {index}: {error}") from error
        return np.stack(prepared)

    def predict_proba(self, items: Iterable[Any]) -> np.ndarray:
        """The model's class probabilities for each input, at inference.

        Args:
            items: a list of inputs, as `prepare` takes them.

        Returns:
            float32, shape `(n_items, len(labels))`: row i holds item i's probability of
            each class in the order of `labels`, each in [0, 1], summing to 1.

        Raises:
            TypeError, ValueError: as `prepare`.
        """
        inputs = self.prepare(items)
        with self._lock:
            call = _inference_call(self.model)
            parts = [
                np.asarray(call(inputs[start : start + BATCH_SIZE]))
                for start in range(0, len(inputs), BATCH_SIZE)
            ]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def in_domain(self, items: Iterable[Any]) -> np.ndarray:
        """Whether each input looks like this model's kind of input (a digit, a shape
        scene, a face-or-not photo, a moving clip): where it does not, the model's answer
        is a guess.

        Args:
            items: a list of inputs, as `prepare` takes them.

        Returns:
            bool, shape `(n_items,)`: True where the item looks like the model's kind.

        Raises:
            ValueError: If the model has no domain check (`domain` is None), or as
                `prepare`.
            TypeError: As `prepare`.
        """
        return self.inputs_in_domain(self.prepare(items))

    def inputs_in_domain(self, inputs: np.ndarray) -> np.ndarray:
        """`in_domain` for inputs already prepared (`prepare`'s output, or a page's own
        preparation of the same shape): bool, shape `(n_inputs,)`."""
        if self.domain is None:
            raise ValueError(
                f"The model {self.name!r} has no domain check: only the bundled image and "
                "video models have one (dlcore.pretrained.domain)."
            )
        with self._lock:
            return self.domain.in_domain(self.model, np.asarray(inputs, dtype=np.float32))


# model -> its traced inference call; an entry goes when its model does.
_inference_calls: weakref.WeakKeyDictionary[Any, Callable[[np.ndarray], Any]] = (
    weakref.WeakKeyDictionary()
)
_inference_calls_lock = threading.Lock()


def _inference_call(model: Any) -> Callable[[np.ndarray], Any]:
    """`model(batch, training=False)` traced once as a TensorFlow graph, for any batch size.

    A direct call of a Keras model runs its layers one by one in Python (about 30 ms for
    the digits CNN on two CPU cores); the traced graph runs in about 5 ms, and
    `model.predict` costs more than either for one input. Kept per model, so that
    predictors made again for the same session model (every rerun of a page) reuse it.
    """
    import tensorflow as tf

    with _inference_calls_lock:
        call = _inference_calls.get(model)
        if call is None:
            # A weak reference: the graph must not keep its model (the dict's key) alive.
            model_ref = weakref.ref(model)
            spec = tf.TensorSpec((None, *model.input_shape[1:]), dtype=model.inputs[0].dtype)
            call = tf.function(
                lambda batch: model_ref()(batch, training=False), input_signature=[spec]
            )
            _inference_calls[model] = call
        return call


_cache: dict[str, Predictor] = {}
_cache_lock = threading.Lock()


def load_pretrained(name: str) -> Predictor:
    """Loads a bundled model, once per process: later calls return the same `Predictor`.

    The model is read from `dlcore/pretrained/<name>.keras` with Keras's safe mode on
    (no code from the file runs) and without its training setup.

    Args:
        name: one of `PRETRAINED_NAMES`.

    Returns:
        The `Predictor`, its metadata read from `<name>.json`.

    Raises:
        ValueError: If `name` is not a bundled model.
        FileNotFoundError: If the model's files are missing (they are made by
            `python scripts/make_pretrained.py <name>`).

    Example:

    >>> predictor = load_pretrained("digits")   # doctest: +SKIP
    >>> predictor.labels[:3], predictor.metadata["accuracy"] > 0.95  # doctest: +SKIP
    (['0', '1', '2'], True)
    """
    if name not in PRETRAINED_NAMES:
        raise ValueError(
            f"Unknown pre-trained model. Choose one of: {', '.join(PRETRAINED_NAMES)}. "
            f"Received: name={name!r}."
        )
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _read_bundled(name)
        return _cache[name]


def predictor_from_trained(trained: Any) -> Predictor:
    """Wraps a model trained on a trainer page so that it predicts like a bundled one.

    Args:
        trained: a `dlcore.training.saving.TrainedModel` whose task is in `TRAINED_TASKS`:
            "digits", "faces", "shapes", "intents", "motion" or "custom".

    Returns:
        A `Predictor` named after the model's title. Its metadata's accuracy is the
        held-out accuracy the trainer recorded, the test accuracy first (None if it
        recorded none), its
        "trained" date the model's registration time; "config" is empty and "n_test"
        None, since a `TrainedModel` does not keep them.

    Raises:
        TypeError: If `trained` is not a `TrainedModel`.
        ValueError: If its task is not one a person's image, text or clip can feed.
    """
    from dlcore.training.saving import TrainedModel

    if not isinstance(trained, TrainedModel):
        raise TypeError(
            "Expected a dlcore.training.saving.TrainedModel, as ui.trainer.registered_models "
            f"returns them. Received: {type(trained).__name__}."
        )
    if trained.task not in TRAINED_TASKS:
        raise ValueError(
            f"Only classifiers of {', '.join(TRAINED_TASKS)} take a person's images, texts "
            "or clips. "
            f"Received: a model of task {trained.task!r}."
        )
    metrics = trained.metrics
    accuracy = next(
        (
            float(metrics[key])
            for key in ("test_accuracy", "val_accuracy", "accuracy_all")
            if metrics.get(key) is not None
        ),
        None,
    )
    return Predictor(
        name=trained.title,
        task=TRAINED_TASKS[trained.task],
        labels=[str(label) for label in trained.labels],
        model=trained.model,
        preprocessing=dict(trained.preprocessing),
        metadata={
            "accuracy": accuracy,
            "trained": trained.created,
            "input_shape": [int(size) for size in trained.model.input_shape[1:]],
            "config": {},
            "description": trained.title,
            "n_test": None,
            "metrics": dict(metrics),
            "device": trained.device,
        },
    )


def bundled_metadata(name: str) -> dict[str, Any]:
    """A bundled model's JSON, read without loading the model (nor TensorFlow).

    Raises:
        ValueError: If `name` is not a bundled model.
        FileNotFoundError: If its JSON is missing.
    """
    if name not in PRETRAINED_NAMES:
        raise ValueError(
            f"Unknown pre-trained model. Choose one of: {', '.join(PRETRAINED_NAMES)}. "
            f"Received: name={name!r}."
        )
    return json.loads((MODEL_FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def split_as_trained(name: str, targets: Any) -> tuple[np.ndarray, np.ndarray]:
    """Which samples a bundled model trained on, and which it never saw, as it was made.

    The JSON's "split" entry says how its data was split: `{"test_fraction": 0.2,
    "seed": 0}` is the two-way split the image models were trained on (scikit-learn's
    `train_test_split`, stratified, `random_state=seed`); with a "validation_fraction"
    too, it is `dlcore.data.split.split_indices`'s three-way split, whose validation part
    chose the epoch and so counts as seen.

    Args:
        name: a bundled model's name, e.g. "digits".
        targets: one class index per sample of the data it was made from, in the order
            its trainer loads them.

    Returns:
        `(seen, held_out)`: int64 index arrays into `targets`.
    """
    split = bundled_metadata(name)["split"]
    labels = np.asarray(targets)
    if "validation_fraction" in split:
        train, validation, test = split_indices(
            labels,
            validation_fraction=split["validation_fraction"],
            test_fraction=split["test_fraction"],
            seed=split["seed"],
        )
        return np.concatenate([train, validation]), test
    seen, held_out = train_test_split(
        np.arange(len(labels)),
        test_size=split["test_fraction"],
        stratify=labels,
        random_state=split["seed"],
    )
    return seen, held_out


def _read_bundled(name: str) -> Predictor:
    import keras

    import dlcore.training.layers  # noqa: F401  (registers the project's own layers for loading)

    model_path = MODEL_FOLDER / f"{name}.keras"
    metadata_path = MODEL_FOLDER / f"{name}.json"
    for path in (model_path, metadata_path):
        if not path.is_file():
            raise FileNotFoundError(
                f"The pre-trained {name!r} model's file {path.name} is missing from "
                f"{MODEL_FOLDER}. Make it with: python scripts/make_pretrained.py {name}"
            )
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    model = keras.saving.load_model(model_path, safe_mode=True, compile=False)
    preprocessing = dict(metadata["preprocessing"])
    # JSON has no tuples; the trainers' dicts hold these pairs as tuples.
    for key in ("image_size", "value_range"):
        if key in preprocessing:
            preprocessing[key] = tuple(preprocessing[key])
    domain_path = MODEL_FOLDER / f"{name}.domain.npz"
    return Predictor(
        name=name,
        task=TASKS[name],
        labels=list(metadata["labels"]),
        model=model,
        preprocessing=preprocessing,
        metadata=metadata,
        domain=DomainCheck.load(domain_path) if domain_path.is_file() else None,
    )


def _as_list(items: Any, task: str) -> list[Any]:
    """The items as a list, or a clear error for a single unwrapped item or no items."""
    single_ndim = {"image": (2, 3), "video": (4,), "text": (0,)}[task]
    is_single = isinstance(items, str | bytes | bytearray | memoryview | Image.Image) or (
        isinstance(items, np.ndarray) and items.ndim in single_ndim
    )
    if is_single:
        raise TypeError(
            f"Pass a list of inputs, even for one: predict_proba([item]). "
            f"Received: a single {type(items).__name__}."
        )
    if isinstance(items, Mapping) or not isinstance(items, Iterable):
        raise TypeError(f"Pass a list of {_ITEM_KINDS[task]}. Received: {type(items).__name__}.")
    batch = list(items)
    if not batch:
        raise ValueError(f"There is nothing to predict: pass at least one of {_ITEM_KINDS[task]}.")
    return batch


def _prepare_image(item: Any, preprocessing: dict[str, Any]) -> np.ndarray:
    if isinstance(item, bytes | bytearray | memoryview):
        pixels = decode_image(bytes(item)).pixels
    elif isinstance(item, Image.Image):
        picture = ImageOps.exif_transpose(item)
        if picture.mode == "L":
            pixels = np.asarray(picture)
        else:
            pixels = _on_white(np.asarray(picture.convert("RGBA")))
    elif isinstance(item, np.ndarray):
        pixels = _on_white(item) if item.ndim == 3 and item.shape[2] == 4 else item
    else:
        raise TypeError(
            f"an image must be a PIL image, the bytes of an image file or a uint8 array. "
            f"Received: {type(item).__name__}."
        )
    return prepare_image(pixels, preprocessing)


def _on_white(rgba: np.ndarray) -> np.ndarray:
    """RGBA uint8 pixels laid on a white background, as RGB: what a browser shows."""
    if rgba.dtype != np.uint8:
        raise ValueError(f"Expected uint8 pixels. Received: dtype={rgba.dtype}.")
    alpha = rgba[..., 3:].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.round(rgb).astype(np.uint8)


def _prepare_clip(item: Any, preprocessing: dict[str, Any]) -> np.ndarray:
    if isinstance(item, bytes | bytearray | memoryview):
        item = decode_video(bytes(item), n_frames=preprocessing["n_frames"]).frames
    elif not isinstance(item, np.ndarray):
        raise TypeError(
            "a clip must be a uint8 array of shape (frames, height, width, 3) or the bytes "
            f"of a video file. Received: {type(item).__name__}."
        )
    return prepare_clip(item, preprocessing)
