"""Fits each bundled image and video model's domain check (`dlcore.pretrained.domain`).

For a model, its inside inputs are the ones it trained on (its data loaded again from the
configuration in its JSON, the held-out part left out), and its outside inputs the
project's own other kinds (`outside_images`, `outside_clips`, on the calibration photos
only). The check goes to `dlcore/pretrained/<name>.domain.npz`. `scripts/make_pretrained.py`
runs it after training a model; run it alone after changing the check:

    python scripts/calibrate_domain.py
    python scripts/calibrate_domain.py digits motion
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))  # run as a script: `dlcore` lives in the repository root

import dlcore  # noqa: E402, F401  (sets the Keras backend before Keras is imported)
from dlcore.pretrained import (  # noqa: E402
    MODEL_FOLDER,
    bundled_metadata,
    domain,
    load_pretrained,
)

CHECKED = ("digits", "faces", "shapes", "motion")
"""The bundled models that get a domain check: every image and video one."""

# The other kinds each image model's check is fitted against (`outside_images`).
OUTSIDE_KINDS = {
    "digits": ("noise", "flat", "shapes", "gradients"),
    # The faces model learned to call photos of things, drawings and text "not face" (it
    # says so of 96 % of shape scenes and of every digit): any picture is its kind, and
    # only what is no picture at all is not.
    "faces": ("noise", "flat", "gradients"),
    "shapes": ("noise", "flat", "digits", "gradients"),
}
# A face-or-not model's kind is any photo: its photos and their crops count as inside.
PHOTOS_ARE_INSIDE = ("faces",)
# A motion model's kind is a clip in which something moves, whatever the scene: its check
# reads the mean frame's texture and the changes between frames, not the scene itself.
GROUPS = {"motion": ("texture", "changes")}
# Crops per photo and texture to fit on: more than the 8 measured on, to cover more views.
CALIBRATION_CROPS = 40


def inside_inputs(name: str, photos: tuple[str, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A bundled model's own kind of prepared inputs: (those it trained on, those held out),
    with the given photos and their crops added to both halves where photos are its kind."""
    from dlcore.trainers import cnn, video

    trainer = video if name == "motion" else cnn
    settings = bundled_metadata(name)["config"]
    # JSON has no tuples; the configs hold their choices as tuples.
    config = trainer.Config(
        **{
            key: tuple(value) if isinstance(value, list) else value
            for key, value in settings.items()
        }
    )
    data = trainer.load_data(config)
    seen, held_out = np.concatenate([data.x_train, data.x_val]), data.x_test
    if name in PHOTOS_ARE_INSIDE:
        photo_kind = domain.outside_images(photos, (), kinds=(), seed=seed)
        images = load_pretrained(name).prepare(photo_kind)
        seen, held_out = np.concatenate([seen, images]), np.concatenate([held_out, images])
    return seen, held_out


def outside_inputs(
    name: str, photos: tuple[str, ...], textures: tuple[str, ...], seed: int, crops: int = 8
) -> Any:
    """The prepared outside inputs of a model's check, from the given photos and textures
    (`crops` of each, as `outside_images` takes them)."""
    predictor = load_pretrained(name)
    if name == "motion":
        return predictor.prepare(domain.outside_clips(photos, seed=seed))
    if name in PHOTOS_ARE_INSIDE:
        photos, textures = (), ()
    images = domain.outside_images(
        photos, textures, kinds=OUTSIDE_KINDS[name], seed=seed, crops=crops
    )
    return predictor.prepare(images)


def calibrate(name: str) -> domain.DomainCheck:
    """Fits and writes one model's check; returns it."""
    predictor = load_pretrained(name)
    seen, _ = inside_inputs(name, domain.CALIBRATION_PHOTOS, seed=0)
    outside = outside_inputs(
        name, domain.CALIBRATION_PHOTOS, domain.TEXTURE_PHOTOS[:2], seed=0, crops=CALIBRATION_CROPS
    )
    groups = GROUPS.get(name, domain.FEATURE_GROUPS)
    check = domain.fit_domain_check(predictor.model, seen, outside, groups=groups)
    check.save(MODEL_FOLDER / f"{name}.domain.npz")
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(CHECKED)} (default: all)")
    names = parser.parse_args().names or list(CHECKED)
    unknown = [name for name in names if name not in CHECKED]
    if unknown:
        parser.error(f"no domain check for {unknown[0]!r}: choose from {', '.join(CHECKED)}")
    for name in names:
        predictor = load_pretrained(name)
        check = calibrate(name)
        _, held_out = inside_inputs(name, domain.HELD_OUT_PHOTOS, seed=1)
        outside = outside_inputs(name, domain.HELD_OUT_PHOTOS, domain.TEXTURE_PHOTOS[2:], seed=1)
        inside_flagged = 1 - check.in_domain(predictor.model, held_out).mean()
        outside_flagged = 1 - check.in_domain(predictor.model, outside).mean()
        print(
            f"{name}: held-out inputs flagged {inside_flagged:.1%} of {len(held_out)}, "
            f"unseen outside inputs flagged {outside_flagged:.1%} of {len(outside)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
