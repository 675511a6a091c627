"""Knowing what is not theirs: does an input look like the kind a bundled model was made for?

A classifier answers every input with one of its classes, a coffee cup included. A
`DomainCheck` tells a model's own kind of input (a digit, a shape scene, a face-or-not
crop, a moving clip) from everything else, so that a page can say "this doesn't look like
a digit, so the answer is a guess" instead of showing a confident bar.

It is a logistic regression (scikit-learn) on what the model sees and makes of an input,
in four groups (`FEATURE_GROUPS`), of which a check reads some or all:

- "picture": the model input, average-pooled to at most `POOLED_SIDE` x `POOLED_SIDE` per
  channel (for a clip: its mean frame);
- "texture": what pooling hides: the spread of values, edges, and how few colours hold
  most of the picture (a drawing: a few; a photo or noise: many);
- "changes": for a clip, how much each frame differs from the one before;
- "model": the model's own features (the input of its last, softmax, layer) and their
  length, its two largest class probabilities, and its largest logit and the logits'
  log-sum-exp (the "energy" score of Liu et al., 2020: an unfamiliar input tends to get
  small logits everywhere, which the probabilities alone hide).

`fit_domain_check` fits it on the model's training inputs (its kind) against the
project's own outside sets (`outside_images`, `outside_clips`: photos and their crops,
textures, noise and the other models' kinds), and sets its threshold so that
`INSIDE_FLAG_RATE` of those inside inputs fall below it. `scripts/calibrate_domain.py` does
this for every bundled image and video model and writes `<name>.domain.npz` beside it;
the tests measure it on inputs it was not fitted on (`HELD_OUT_PHOTOS`, other seeds).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

KINDS = {
    "digits": "a digit",
    "faces": "a picture",
    "shapes": "a picture of one shape",
    "motion": "a clip in which something moves",
}
"""What each checked bundled model takes, in words: "This doesn't look like {kind}"."""

POOLED_SIDE = 8
"""The side of the pooled model input the check looks at."""

INSIDE_FLAG_RATE = 0.02
"""The share of the inside inputs a check is fitted on that it flags (its threshold)."""

CALIBRATION_PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "page", "text")
"""scikit-image photos the checks are fitted on (whole, and crops of them)."""

HELD_OUT_PHOTOS = ("coins", "horse", "moon", "hubble_deep_field", "immunohistochemistry", "cell")
"""scikit-image photos the checks never see: the tests measure them on these."""

TEXTURE_PHOTOS = ("grass", "gravel", "brick")
"""scikit-image textures: fitted on the first two, measured on the last."""

FEATURE_GROUPS = ("picture", "texture", "changes", "model")
"""The groups of features a check may read (see the module's docstring)."""

COLOUR_LEVELS = 4
"""Levels per channel when counting the colours that hold a picture."""


@dataclasses.dataclass(frozen=True)
class DomainCheck:
    """A fitted check: standardised features, a linear score, and the score's threshold.

    Attributes:
        mean: float64 `(n_features,)`, the features' means over the fitting inputs.
        scale: float64 `(n_features,)`, their standard deviations (1 where constant).
        coef: float64 `(n_features,)`, the logistic regression's weights.
        intercept: the regression's intercept.
        threshold: inputs whose score is below it are flagged as not the model's kind.
        groups: the `FEATURE_GROUPS` it reads.
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    groups: tuple[str, ...] = FEATURE_GROUPS

    def scores(self, model: Any, inputs: np.ndarray) -> np.ndarray:
        """How much each prepared input looks like the model's kind: float64 `(n,)`,
        higher is more alike; below `threshold` is outside."""
        features = (domain_features(model, inputs, self.groups) - self.mean) / self.scale
        return features @ self.coef + self.intercept

    def in_domain(self, model: Any, inputs: np.ndarray) -> np.ndarray:
        """bool `(n,)`: True where a prepared input looks like the model's kind."""
        return self.scores(model, inputs) >= self.threshold

    def save(self, path: Path) -> None:
        """Writes the check to a `.npz` file."""
        np.savez(
            path,
            mean=self.mean,
            scale=self.scale,
            coef=self.coef,
            intercept=self.intercept,
            threshold=self.threshold,
            groups=np.array(self.groups),
        )

    @classmethod
    def load(cls, path: Path) -> DomainCheck:
        """Reads a check written by `save`."""
        with np.load(path) as arrays:
            return cls(
                mean=arrays["mean"],
                scale=arrays["scale"],
                coef=arrays["coef"],
                intercept=float(arrays["intercept"]),
                threshold=float(arrays["threshold"]),
                groups=tuple(str(group) for group in arrays["groups"]),
            )


def domain_features(
    model: Any, inputs: np.ndarray, groups: tuple[str, ...] = FEATURE_GROUPS
) -> np.ndarray:
    """The features a `DomainCheck` reads, for a batch of prepared model inputs.

    Args:
        model: a Keras classifier whose last layer is a softmax `Dense` (the bundled CNNs and
            motion model).
        inputs: float32 prepared inputs, `(n, height, width, channels)` for images or
            `(n, frames, height, width, channels)` for clips.
        groups: which of `FEATURE_GROUPS` to compute ("changes" only for clips).

    Returns:
        float64, `(n, n_features)`.
    """
    inputs = np.asarray(inputs, dtype=np.float32)
    is_clip = inputs.ndim == 5
    picture = inputs.mean(axis=1) if is_clip else inputs  # a clip's mean frame
    features = []
    if "picture" in groups:
        features.append(_pooled(picture))
    if "texture" in groups:
        features += [_texture(picture), _colour_concentration(picture)]
    if "changes" in groups and is_clip:
        changes = np.abs(np.diff(inputs, axis=1)).mean(axis=(2, 3, 4)).astype(np.float64)
        # On a log scale too: a still clip's changes are zeros, a slow pan's are small.
        features += [changes, np.log10(changes + 1e-4)]
    if "model" in groups:
        import keras
        from scipy.special import logsumexp

        probe = keras.Model(model.inputs, [model.layers[-1].input, model.outputs[0]])
        penultimate, probabilities = probe([inputs], training=False)
        penultimate = np.asarray(penultimate, dtype=np.float64)
        top_two = np.sort(np.asarray(probabilities, dtype=np.float64), axis=1)[:, -2:]
        kernel, bias = (np.asarray(weight, np.float64) for weight in model.layers[-1].weights)
        logits = penultimate @ kernel + bias
        features += [
            penultimate,
            np.linalg.norm(penultimate, axis=1, keepdims=True),
            top_two,
            logits.max(axis=1, keepdims=True),
            logsumexp(logits, axis=1, keepdims=True),
        ]
    return np.hstack(features)


def fit_domain_check(
    model: Any,
    inside: np.ndarray,
    outside: np.ndarray,
    *,
    groups: tuple[str, ...] = FEATURE_GROUPS,
    inside_flag_rate: float = INSIDE_FLAG_RATE,
) -> DomainCheck:
    """Fits a check that tells `inside` (the model's kind) from `outside`.

    Args:
        model: the classifier, as `domain_features` takes it.
        inside: prepared inputs of the model's kind, e.g. its training inputs.
        outside: prepared inputs of other kinds, e.g. from `outside_images`.
        groups: the `FEATURE_GROUPS` the check reads.
        inside_flag_rate: the share of `inside` that falls below the threshold.

    Returns:
        The `DomainCheck`.
    """
    from sklearn.linear_model import LogisticRegression

    features = np.vstack(
        [domain_features(model, inside, groups), domain_features(model, outside, groups)]
    )
    is_inside = np.r_[np.ones(len(inside)), np.zeros(len(outside))]
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    # Weak regularisation keeps the weights small: the check must hold on unseen kinds.
    regression = LogisticRegression(C=0.1, max_iter=5000, class_weight="balanced")
    regression.fit((features - mean) / scale, is_inside)
    coef, intercept = regression.coef_[0], float(regression.intercept_[0])
    inside_scores = ((features[: len(inside)] - mean) / scale) @ coef + intercept
    threshold = float(np.quantile(inside_scores, inside_flag_rate))
    return DomainCheck(mean, scale, coef, intercept, threshold, tuple(groups))


def outside_images(
    photos: tuple[str, ...],
    textures: tuple[str, ...],
    *,
    kinds: tuple[str, ...],
    seed: int,
    crops: int = 8,
) -> list[np.ndarray]:
    """Images of other kinds than a model's, as uint8 RGB arrays of any size.

    Args:
        photos: scikit-image photo names: each whole and `crops` random square crops of it.
        textures: scikit-image texture names: `crops` random crops of each.
        kinds: what else to add, 5 x `crops` of each: "noise" (random pixels), "flat" (one
            colour, with a little noise), "shapes" (scenes of `dlcore.data.shapes`),
            "digits" (scikit-learn's digits, dark on white, enlarged), "gradients" (smooth
            ramps).
        seed: seeds the crops and the generated images.
        crops: crops per photo and texture. Defaults to `8`.

    Returns:
        A list of uint8 `(height, width, 3)` arrays.
    """
    rng = np.random.default_rng(seed)
    images = []
    for name in photos:
        photo = _photo(name)
        images += [photo, *_square_crops(photo, crops, rng)]
    for name in textures:
        images += _square_crops(_photo(name), crops, rng)
    for kind in kinds:
        images += _generated(kind, 5 * crops, rng)
    return images


def outside_clips(photos: tuple[str, ...], *, seed: int, n_frames: int = 16) -> list[np.ndarray]:
    """Clips that are not a motion model's kind: a still picture, flickering noise, and a
    cut from one picture to another, each `n_frames` frames of 64 x 64 pixels.

    Args:
        photos: scikit-image photo names; each gives 6 crops, each made into the 3 clips.
        seed: seeds the crops and the noise.
        n_frames: frames per clip.

    Returns:
        A list of uint8 `(n_frames, 64, 64, 3)` arrays.
    """
    rng = np.random.default_rng(seed)
    crops = [
        np.asarray(Image.fromarray(crop).resize((64, 64), Image.Resampling.BILINEAR))
        for name in photos
        for crop in _square_crops(_photo(name), 6, rng)
    ]
    clips = []
    for index, crop in enumerate(crops):
        other = crops[(index + 1) % len(crops)]
        clips.append(np.repeat(crop[np.newaxis], n_frames, axis=0))
        clips.append(rng.integers(0, 256, (n_frames, 64, 64, 3), dtype=np.uint8))
        half = n_frames // 2
        clips.append(
            np.concatenate(
                [
                    np.repeat(crop[np.newaxis], half, axis=0),
                    np.repeat(other[np.newaxis], n_frames - half, axis=0),
                ]
            )
        )
    return clips


def _photo(name: str) -> np.ndarray:
    """A scikit-image picture as uint8 RGB."""
    import skimage.data

    pixels = np.asarray(getattr(skimage.data, name)())
    if pixels.dtype == bool:
        pixels = pixels.astype(np.uint8) * 255
    elif pixels.dtype != np.uint8:
        pixels = np.clip(pixels * 255 if pixels.max() <= 1 else pixels, 0, 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return np.ascontiguousarray(pixels[..., :3])


def _square_crops(picture: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    height, width = picture.shape[:2]
    crops = []
    for _ in range(count):
        side = int(rng.uniform(0.2, 0.9) * min(height, width))
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crops.append(np.ascontiguousarray(picture[top : top + side, left : left + side]))
    return crops


def _generated(kind: str, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    if kind == "noise":
        return [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(count)]
    if kind == "flat":
        colours = rng.integers(0, 256, (count, 1, 1, 3))
        noisy = colours + rng.normal(0, 6, (count, 64, 64, 3))
        return list(np.clip(noisy, 0, 255).astype(np.uint8))
    if kind == "gradients":
        ramp = np.linspace(0, 1, 64)
        starts, ends = rng.integers(0, 256, (2, count, 3))
        return [
            np.round(
                start + (end - start) * ramp[np.newaxis, :, np.newaxis] * np.ones((64, 1, 1))
            ).astype(np.uint8)
            for start, end in zip(starts, ends, strict=True)
        ]
    if kind == "shapes":
        from dlcore.data.shapes import make_shapes

        # On plain and noisy grounds: a shape on a photo's crop is half a photo.
        scenes = make_shapes(
            count, seed=int(rng.integers(1 << 30)), backgrounds=("plain", "noisy"), return_X_y=True
        )[0]
        return list(np.round(scenes * 255).astype(np.uint8))
    if kind == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits().images[rng.choice(1797, count, replace=False)]
        dark_on_white = np.round(255 - digits * 255 / 16).astype(np.uint8)
        return [
            np.stack([np.kron(digit, np.ones((8, 8), np.uint8))] * 3, axis=-1)
            for digit in dark_on_white
        ]
    raise ValueError(f"Unknown kind of outside image: {kind!r}.")


def _texture(images: np.ndarray) -> np.ndarray:
    """What pooling hides, per image `(n, h, w, c)`: the spread of its values, how sharply
    they change from pixel to pixel, and how much of it sits at its darkest or brightest
    (a drawing: two levels and hard edges; a photo: many levels; noise: edges everywhere).
    """
    flat = images.reshape(len(images), -1)
    low, high = flat.min(axis=1, keepdims=True), flat.max(axis=1, keepdims=True)
    near = 0.05 * np.maximum(high - low, 1e-6)
    at_extremes = ((flat - low < near) | (high - flat < near)).mean(axis=1)
    across = np.abs(np.diff(images, axis=2)).mean(axis=(1, 2, 3))
    down = np.abs(np.diff(images, axis=1)).mean(axis=(1, 2, 3))
    stats = np.column_stack([flat.std(axis=1), across, down, at_extremes]).astype(np.float64)
    # On a log scale too: a flat picture's spread and edges are near zero, noise's large.
    return np.hstack([stats, np.log10(stats + 1e-4)])


def _colour_concentration(images: np.ndarray) -> np.ndarray:
    """How few colours hold each image `(n, h, w, c)`: with each channel cut into
    `COLOUR_LEVELS` levels, the share of pixels in its 1, 2, 3 and 4 commonest colours,
    the colours' entropy, and how many colours hold at least 1 % of it."""
    levels = COLOUR_LEVELS
    quantised = np.clip((images * levels).astype(np.int64), 0, levels - 1)
    codes = (quantised * levels ** np.arange(images.shape[-1])).sum(axis=-1)
    codes = codes.reshape(len(images), -1)
    n_colours = levels ** images.shape[-1]
    shares = np.stack([np.bincount(row, minlength=n_colours) for row in codes]) / codes.shape[1]
    commonest = -np.sort(-shares, axis=1)[:, :4].cumsum(axis=1)
    entropy = -(shares * np.log(np.where(shares > 0, shares, 1.0))).sum(axis=1)
    used = (shares >= 0.01).sum(axis=1)
    return np.column_stack([commonest, entropy, used]).astype(np.float64)


def _pooled(images: np.ndarray) -> np.ndarray:
    """Images `(n, h, w, c)` average-pooled to at most `POOLED_SIDE` per side, flattened."""
    n, height, width, _ = images.shape
    rows = np.array_split(np.arange(height), min(POOLED_SIDE, height))
    cols = np.array_split(np.arange(width), min(POOLED_SIDE, width))
    pooled = np.stack(
        [np.stack([images[:, r][:, :, c].mean(axis=(1, 2)) for c in cols], axis=1) for r in rows],
        axis=1,
    )
    return pooled.reshape(n, -1).astype(np.float64)
