"""Trains the six bundled models of `dlcore.pretrained` with the project's own trainers.

Each model is trained from a fixed configuration and seed by the same code the trainer
pages use (`dlcore.trainers.cnn` for digits, faces and shapes, `dlcore.trainers.intents`
for the intents
in English and Chinese, `dlcore.trainers.video` for the motion clips), measured on the
held-out part of its data, and written to `dlcore/pretrained/<name>.keras` (weights and
architecture, without the optimizer's state, which only training needs) with
`<name>.json` beside it: labels, input shape, preprocessing, held-out accuracy, the
configuration, the seed and the date. `tests/dlcore/pretrained/test_pretrained.py` checks that
each bundled model still reaches the accuracy its JSON states.

Run from the repository root, for every model or only the ones named (a few minutes on
two CPU cores in all):

    python scripts/make_pretrained.py
    python scripts/make_pretrained.py digits shapes
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))  # run as a script: `dlcore` lives in the repository root

import dlcore  # noqa: E402  (sets the Keras backend before Keras is imported)
from dlcore.pretrained import MODEL_FOLDER, PRETRAINED_NAMES, SAMPLE_FOLDER, TASKS  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import calibrate_domain  # noqa: E402  (this folder's own script)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How one bundled model is made: its trainer's config, the epochs and a description."""

    config: Any
    epochs: int
    description: str


def _recipes() -> dict[str, Recipe]:
    from dlcore.trainers import cnn, intents, video

    return {
        # Random turns, zooms and shifts: a digit drawn by hand on a canvas is rarely as
        # centred and upright as the scanned ones. The 4,000 drawn digits (typed, bold,
        # marker, display segments, photo-like) teach it what an upload looks like after
        # the crop to the ink; with 8,000 the scanned digits' held-out accuracy fell.
        "digits": Recipe(
            cnn.Config(
                dataset="digits",
                batch_norm=True,
                dropout=0.2,
                augmentation=("rotate", "zoom", "shift"),
                rendered_digits=4000,
                seed=0,
            ),
            epochs=40,
            description=(
                "A small CNN that reads a digit (0-9) from an 8x8 greyscale image: "
                "scikit-learn's handwritten digits, bright ink on black, and digits typed, "
                "written with a marker or photographed on paper, cut to their ink."
            ),
        ),
        "faces": Recipe(
            cnn.Config(
                dataset="faces",
                n_blocks=3,
                batch_norm=True,
                dropout=0.3,
                augmentation=("flip",),
                photo_crops=3000,
                seed=0,
            ),
            epochs=20,
            description=(
                "A small CNN that tells a face from a non-face in a 25x25 greyscale image "
                "(scikit-image's LFW subset, plus whole photos, crops of them and text as "
                "non-faces, and faces at other crops and lighting)."
            ),
        ),
        # Hand strokes, outlines from hairline to thick and shapes cut by the frame: what
        # a person draws or photographs. The robustness set's photos, pens and widths stay
        # out (`dlcore.data.shapes.robustness_set`).
        "shapes": Recipe(
            cnn.Config(
                dataset="shapes",
                n_samples=10_000,
                backgrounds=("plain", "noisy", "textured"),
                strokes=("clean", "hand"),
                line_widths=(0.04, 0.25),
                cut=0.3,
                n_blocks=3,
                batch_norm=True,
                dropout=0.3,
                augmentation=("flip",),
                # With cuts up to 0.3 of a shape's extent, this network stays at chance
                # for all 50 epochs at 0.001 (and on textured backgrounds at 0.003); at
                # 0.0005 it learns (92.5 % held out after 60 epochs).
                learning_rate=0.0005,
                seed=0,
            ),
            # With cuts up to 0.25 and a rate of 0.001, 50 epochs read 91.0 % of the
            # robustness set; with cuts up to 0.3 and 0.0005, 60 epochs read 92.7 %.
            epochs=60,
            description=(
                "A small CNN that tells a circle, square, triangle or star apart in a "
                "32x32 colour image, on plain, noisy or textured backgrounds, drawn exactly "
                "or by hand, with thin or thick outlines, whole or cut by the frame."
            ),
        ),
        # Recurrent (GRU), so that the text page can show its state token by token; a
        # misspelled or inflected English word is read as the known word nearest in spelling.
        "intents": Recipe(
            intents.Config(
                language="both",
                encoder="gru",
                units=64,
                embedding_dim=32,
                seed=0,
                unknown_words="nearest",
            ),
            epochs=20,
            description=(
                "A GRU that reads a short request in English or Chinese (words, or Chinese "
                "characters) and names its intent."
            ),
        ),
        # One block of 4 heads is enough for these short requests (99 % held out) and
        # keeps attention by hand readable: 4 heads of d = 8.
        "intents_transformer": Recipe(
            intents.Config(
                language="both",
                encoder="transformer",
                units=64,
                embedding_dim=32,
                n_heads=4,
                seed=0,
                unknown_words="nearest",
            ),
            epochs=30,
            description=(
                "A Transformer block (4 attention heads) that reads a short request in "
                "English or Chinese (words, or Chinese characters) and names its intent."
            ),
        ),
        # Half the clips filmed by a hand-held camera over photos and patterns: without
        # them a real pan read as up or down. Seeing each frame's change from the one
        # before, the model learns camera motion in a few epochs instead of not at all.
        "motion": Recipe(
            video.Config(
                architecture="cnn_gru",
                n_clips=5000,
                camera_share=0.5,
                frame_changes=True,
                n_filters=24,
                units=48,
                seed=0,
            ),
            epochs=25,
            description=(
                "A per-frame CNN and a GRU, shown each frame with its change from the one "
                "before, that tell which way a hand-held camera moves over a scene (pans "
                "left or right, tilts up or down, zooms in or out), or which way content "
                "moves over a still background."
            ),
        ),
    }


def _train(name: str, recipe: Recipe) -> tuple[Any, dict[str, Any]]:
    """Trains one model; returns it and what its JSON records about the data and accuracy."""
    config = recipe.config
    if TASKS[name] == "image":
        from dlcore.trainers import cnn

        data = cnn.load_data(config)
        model = cnn.build_model(config, data)
        cnn.fit(model, data, config, epochs=recipe.epochs)
        facts = {
            "accuracy": cnn.evaluate(model, data)["test_accuracy"],
            # How `dlcore.pretrained.split_as_trained` finds the images it never saw.
            "split": {
                "validation_fraction": config.validation_fraction,
                "test_fraction": config.test_fraction,
                "seed": config.seed,
            },
        }
    elif TASKS[name] == "text":
        from dlcore.trainers import intents

        data = intents.load_data(config)
        model = intents.build_model(config, data)
        intents.fit(model, data, config, epochs=recipe.epochs)
        scores = intents.evaluate(model, data)
        facts = {
            "accuracy": scores["test_accuracy"],
            "accuracy_by_language": {
                language: scores[f"test_accuracy_{language}"]
                for language in ("en", "zh")
                if f"test_accuracy_{language}" in scores
            },
            # How `dlcore.pretrained.split_as_trained` finds the sentences it never saw
            # (stratified by language and intent).
            "split": {
                "validation_fraction": config.validation_fraction,
                "test_fraction": config.test_fraction,
                "seed": config.seed,
            },
        }
    else:
        from dlcore.trainers import video

        data = video.load_data(config)
        model = video.build_model(config, data)
        video.fit(model, data, config, epochs=recipe.epochs)
        facts = {
            "accuracy": video.evaluate(model, data)["test_accuracy"],
            # How `dlcore.pretrained.split_as_trained` finds the clips it never saw.
            "split": {
                "validation_fraction": config.validation_fraction,
                "test_fraction": config.test_fraction,
                "seed": config.seed,
            },
        }
    facts.update(
        labels=list(data.labels),
        input_shape=[int(size) for size in data.x_test.shape[1:]],
        preprocessing=data.preprocessing,
        n_train=len(data.y_train),
        n_test=len(data.y_test),
    )
    return model, facts


def _save_for_inference(model: Any, path: Path) -> None:
    """Saves the architecture and weights only: a clone is uncompiled, so no optimizer."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    clone.save(path)


def make(name: str) -> dict[str, Any]:
    """Trains, measures and writes one bundled model; returns its metadata."""
    import keras

    recipe = _recipes()[name]
    keras.utils.set_random_seed(recipe.config.seed)
    started = time.perf_counter()
    model, facts = _train(name, recipe)
    seconds = time.perf_counter() - started
    MODEL_FOLDER.mkdir(exist_ok=True)
    _save_for_inference(model, MODEL_FOLDER / f"{name}.keras")
    metadata = {
        "name": name,
        "task": TASKS[name],
        "description": recipe.description,
        **facts,
        "trainer": type(recipe.config).__module__,
        "config": dataclasses.asdict(recipe.config),
        "epochs": recipe.epochs,
        "seed": recipe.config.seed,
        "training_seconds": round(seconds, 1),
        "trained": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "keras_version": keras.__version__,
        "dlcore_version": dlcore.__version__,
    }
    text = json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    (MODEL_FOLDER / f"{name}.json").write_text(text, encoding="utf-8")
    return metadata


def draw_digit_samples() -> list[Path]:
    """Draws a 3 and a 7 as a person would on paper: big, dark thick strokes on white.

    Written as 400x400 PNGs to `dlcore/pretrained/samples/digit_<d>.png`, for the try-it
    page's samples and for the test that a drawn digit is read right.
    """
    from PIL import Image, ImageDraw

    side, stroke = 400, 56

    def point(x: float, y: float) -> tuple[float, float]:
        return x * side, y * side

    def box(left: float, top: float, right: float, bottom: float) -> tuple[float, ...]:
        return (*point(left, top), *point(right, bottom))

    SAMPLE_FOLDER.mkdir(parents=True, exist_ok=True)
    paths = []
    for digit in ("3", "7"):
        picture = Image.new("RGB", (side, side), "white")
        pen = ImageDraw.Draw(picture)
        if digit == "3":
            pen.arc(box(0.27, 0.08, 0.73, 0.5), 200, 90, fill="black", width=stroke)
            pen.arc(box(0.25, 0.48, 0.75, 0.92), 270, 160, fill="black", width=stroke)
        else:
            corners = [point(0.22, 0.1), point(0.78, 0.1), point(0.42, 0.92)]
            pen.line(corners, fill="black", width=stroke, joint="curve")
            for x, y in (corners[0], corners[-1]):  # round the pen's ends
                pen.ellipse(
                    (x - stroke / 2, y - stroke / 2, x + stroke / 2, y + stroke / 2), "black"
                )
        path = SAMPLE_FOLDER / f"digit_{digit}.png"
        picture.save(path, optimize=True)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"any of {', '.join(PRETRAINED_NAMES)} (default: all)"
    )
    names = parser.parse_args().names or list(PRETRAINED_NAMES)
    unknown = [name for name in names if name not in PRETRAINED_NAMES]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}: choose from {', '.join(PRETRAINED_NAMES)}")
    for name in names:
        print(f"training {name} ...", flush=True)
        metadata = make(name)
        size = (MODEL_FOLDER / f"{name}.keras").stat().st_size
        print(
            f"  {name}: {metadata['accuracy']:.2%} of {metadata['n_test']} held out, "
            f"{metadata['training_seconds']:.0f} s, {size / 1e6:.2f} MB",
            flush=True,
        )
    # Each image and video model's domain check is fitted on the model just made.
    for name in [name for name in names if name in calibrate_domain.CHECKED]:
        calibrate_domain.calibrate(name)
        print(f"  fitted {name}'s domain check", flush=True)
    if "digits" in names:
        for path in draw_digit_samples():
            print(f"  drew {path.relative_to(REPOSITORY)}")


if __name__ == "__main__":
    main()
