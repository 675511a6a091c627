"""A trained model as bytes and back, and as the try-it pages receive it.

`model_to_bytes` and `model_from_bytes` move a model in the `.keras` format (the Export
button, a model handed between processes); `TrainedModel` is a model with what a try-it
page needs to use it: its task, labels, preprocessing and test scores.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import tempfile
from typing import Any

import keras


def model_summary(model: Any) -> str:
    """Keras's `model.summary()` as plain text, for display."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.append(line), line_length=90)
    return "\n".join(lines)


def model_to_bytes(model: Any) -> bytes:
    """The model in the `.keras` format (architecture, weights, optimizer), as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as saved:
            return saved.read()


def model_from_bytes(data: bytes) -> Any:
    """Loads a model saved by `model_to_bytes`, with Keras's safe mode on.

    Raises:
        ValueError: If the bytes are not a `.keras` file Keras can load safely.
    """
    import dlcore.training.layers  # noqa: F401  (registers the project's own layers for loading)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as saved:
            saved.write(data)
        try:
            return keras.saving.load_model(path, safe_mode=True)
        except Exception as error:  # Keras raises many kinds for a bad archive
            raise ValueError(f"This is not a .keras model that can be loaded: {error}") from error


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """A model trained on a trainer page, as the try-it pages receive it.

    Attributes:
        task: what it predicts: "digits", "faces", "shapes", "intents", "motion",
            "forecast", "playground", ...
        title: a short name for a menu, e.g. "CNN on digits (97.8 %)".
        model: the trained `keras.Model`.
        labels: the class names in output order (empty for a regression).
        preprocessing: what a person's input needs before the model, as the trainer's
            data loader describes it (e.g. `dlcore.trainers.cnn.ImageData.preprocessing`:
            `{"image_size": (8, 8), "channels": 1, "value_range": (0.0, 1.0), ...}`).
        metrics: the final metrics, e.g. `{"val_accuracy": 0.978}`.
        device: where it trained, e.g. "CPU:0".
        created: when it was registered, ISO 8601 in UTC.
    """

    task: str
    title: str
    model: Any
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]
    metrics: dict[str, float]
    device: str
    created: str = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    )
