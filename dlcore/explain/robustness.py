"""The project's own robustness sets: inputs unlike anything the bundled models trained on.

A bundled model's held-out accuracy (its JSON's "accuracy") is measured on data made the
same way as its training data, so it says little about a room's own input. Each model
here also gets a set made in styles and from sources that its training never uses:

- "digits": digits drawn by `dlcore.data.rendered_digits` with seeds and a font size that
  training never used, anywhere on canvases of 40 to 240 pixels;
- "faces": `dlcore.data.face_photos.robustness_set`: whole photos and crops of photos that
  training never saw, and held-out faces at other crops, sizes and light, some in colour;
- "shapes": `dlcore.data.shapes.robustness_set`: shapes drawn with another pen, by hand,
  with hairline and thick outlines, on photos training never used, cut by the frame;
- "intents": everyday requests written by hand in other words than the templates
  (`dlcore/data/intents_corpus/robustness.json`, "sentences");
- "motion": `dlcore.data.motion.make_camera_robustness_clips`: a hand-held camera over
  scenes that no training clip shows, at other frame rates and lengths.

`robustness_accuracy` reads each set the way the model's try-it page reads a person's
input: pictures and sentences through `Predictor.predict_proba`, clips window by window
through `dlcore.explain.video.clip_probabilities`.

Example:

>>> from dlcore.pretrained import load_pretrained
>>> robustness_accuracy(load_pretrained("digits"))  # doctest: +SKIP
0.98
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

ROBUSTNESS_SETS = {
    "digits": "400 digits typed, written and photographed in a font size and with seeds "
    "training never used",
    "faces": "whole photos and crops of photos training never saw, and held-out faces "
    "cropped, sized and lit otherwise, half in colour",
    "shapes": "300 shapes drawn with another pen: by hand, hairline and thick outlines, on "
    "unseen photos, cut by the frame",
    "intents": "100 everyday requests written by hand in other words, 50 per language",
    "motion": "120 hand-held camera clips over unseen scenes, 1-3.5 s at 10-30 frames a second",
}
"""The bundled models that have a robustness set, with a line on what it holds."""


def robustness_set(name: str) -> tuple[list[Any], np.ndarray]:
    """One bundled model's robustness set.

    Args:
        name: one of `ROBUSTNESS_SETS`.

    Returns:
        `(items, targets)`: what the model's task takes (uint8 pictures, sentences, or
        `(frames, times)` pairs of a uint8 clip and its seconds), and int64 `(n,)`, the
        index of each item's class in the model's labels.

    Raises:
        ValueError: If `name` has no robustness set.
    """
    if name == "digits":
        from dlcore.data import rendered_digits

        pictures, labels = rendered_digits.render_digits(
            400, seed=1234, font_size=rendered_digits.ROBUSTNESS_FONT_SIZE
        )
        return list(pictures), np.asarray(labels, dtype=np.int64)
    if name == "faces":
        from dlcore.data import face_photos
        from dlcore.trainers import cnn

        images, targets, _ = cnn.held_out_data("faces")
        pictures, truth = face_photos.robustness_set(images[targets == 1])
        return pictures, truth
    if name == "shapes":
        from dlcore.data import shapes

        pictures, targets = shapes.robustness_set()
        return list(pictures), np.asarray(targets, dtype=np.int64)
    if name == "intents":
        from dlcore.data import intents

        rows = json.loads((intents.DATA_DIR / "robustness.json").read_text(encoding="utf-8"))
        sentences = rows["sentences"]
        labels = [intents.INTENT_LABELS.index(intent) for _, intent, _ in sentences]
        return [text for text, _, _ in sentences], np.asarray(labels, dtype=np.int64)
    if name == "motion":
        from dlcore.data import motion

        clips = motion.make_camera_robustness_clips(120, seed=0)
        labels = [motion.MOTION_LABELS.index(label) for _, _, label in clips]
        return [(frames, times) for frames, times, _ in clips], np.asarray(labels, np.int64)
    raise ValueError(
        f"`name` must be one of {', '.join(ROBUSTNESS_SETS)}: the bundled models with a "
        f"robustness set. Received: name={name!r}."
    )


def robustness_predictions(predictor: Any, items: list[Any]) -> np.ndarray:
    """The predictor's class for each item of a robustness set, int64 `(n,)`.

    Args:
        predictor: a `dlcore.pretrained.Predictor`.
        items: from `robustness_set`, for the predictor's task.
    """
    if predictor.task == "video":
        from dlcore.explain.video import clip_probabilities

        return np.array(
            [int(np.argmax(clip_probabilities(predictor, *clip))) for clip in items],
            dtype=np.int64,
        )
    return predictor.predict_proba(items).argmax(axis=1).astype(np.int64)


def robustness_accuracy(predictor: Any) -> float:
    """The share of its robustness set that a bundled model's predictor gets right.

    Args:
        predictor: a `dlcore.pretrained.Predictor` whose name is in `ROBUSTNESS_SETS`
            (what `load_pretrained(name)` returns).

    Returns:
        `float` in [0, 1].
    """
    items, targets = robustness_set(predictor.name)
    return float(np.mean(robustness_predictions(predictor, items) == targets))
