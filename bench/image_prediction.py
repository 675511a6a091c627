"""Image prediction: milliseconds from a photo's file bytes to a bundled model's probabilities.

What a try-it page does when a person uploads a photo: `Predictor.predict_proba([data])`
on the PNG file's bytes of a 640x480 colour photo (scikit-learn's "china" sample, scaled
to 640x480), which decodes the file (`dlcore.media.images.decode_image`), cuts and shrinks it
(`dlcore.preprocess.prepare_image`) and runs the model. Timed warm: the model is loaded and has
predicted `N_WARM_UP` times first, as it has on a page after its first use. The median
of `ROUNDS` calls is reported for each bundled image model (digits, faces, shapes),
against the target of `TARGET_MS` (issue 15); the baseline is the same decoding and
preparing followed by Keras's `model.predict`, the usual way to call a model.
"""

import io
import statistics
import time

import numpy as np
from PIL import Image

from bench.report import Figure
from dlcore import preprocess
from dlcore.data import sample_images
from dlcore.media import images
from dlcore.pretrained import load_pretrained

ROUNDS = 30
N_WARM_UP = 3
TARGET_MS = 30.0
IMAGE_MODELS = ("digits", "faces", "shapes")
SIZE = (640, 480)


def photo_bytes() -> bytes:
    """A 640x480 colour photo as the bytes of a PNG file."""
    china = sample_images.load_sample("china")
    photo = Image.fromarray(china).resize(SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    return buffer.getvalue()


def _median_ms(call) -> float:
    for _ in range(N_WARM_UP):
        call()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(name: str, data: bytes) -> dict[str, float]:
    """Median milliseconds of one prediction from file bytes: dlcore's path and the baseline."""
    predictor = load_pretrained(name)

    def with_keras_predict():
        pixels = images.decode_image(data).pixels
        batch = preprocess.prepare_image(pixels, predictor.preprocessing)[np.newaxis]
        return predictor.model.predict(batch, verbose=0)

    return {
        "dlcore": _median_ms(lambda: predictor.predict_proba([data])),
        "keras": _median_ms(with_keras_predict),
    }


def run() -> list[Figure]:
    data = photo_bytes()
    figures = []
    for name in IMAGE_MODELS:
        times = measure(name, data)
        print(f"  {name}: {times['dlcore']:.1f} ms (model.predict: {times['keras']:.1f} ms)")
        figures.append(
            Figure(
                f"{name} model: one 640x480 PNG photo's bytes to probabilities, warm "
                f"(median of {ROUNDS}) vs model.predict",
                times["dlcore"],
                "ms",
                target=TARGET_MS,
                baseline=times["keras"],
            )
        )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
