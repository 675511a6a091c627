"""The bundled sample images: photos that ship inside installed wheels, so they load offline."""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping

import numpy as np

from dlcore.media.images import size_text, to_grayscale

# (name, description, source). Every one ships inside an installed wheel, so it loads
# offline; scikit-image images that pooch downloads on first use are left out.
_SAMPLES = (
    (
        "camera",
        f"A photographer with a camera on a tripod; greyscale, {size_text(512, 512)}.",
        "skimage",
    ),
    (
        "astronaut",
        f"Astronaut Eileen Collins in a NASA portrait; colour, {size_text(512, 512)}.",
        "skimage",
    ),
    ("coffee", f"A cup of coffee on a saucer; colour, {size_text(600, 400)}.", "skimage"),
    ("chelsea", f"Chelsea the cat; colour, {size_text(451, 300)}.", "skimage"),
    (
        "coins",
        f"Greek coins from Pompeii on a grey background; greyscale, {size_text(384, 303)}.",
        "skimage",
    ),
    (
        "rocket",
        f"A Falcon 9 rocket lifting off; colour, {size_text(640, 427)}.",
        "skimage",
    ),
    (
        "horse",
        f"A black horse silhouette on white; black and white only, {size_text(400, 328)}.",
        "skimage",
    ),
    (
        "china",
        f"A Chinese pagoda above a lake; colour, {size_text(640, 427)}.",
        "sklearn",
    ),
    (
        "flower",
        f"An orange dahlia on dark green leaves; colour, {size_text(640, 427)}.",
        "sklearn",
    ),
)


SAMPLE_IMAGES: Mapping[str, str] = types.MappingProxyType(
    {name: description for name, description, _ in _SAMPLES}
)
"""The bundled sample images, in the order to offer them: name -> short description.

The names are what `load_sample` takes. All of them load offline, from the scikit-image
and scikit-learn wheels.
"""


_SAMPLE_SOURCES = {name: source for name, _, source in _SAMPLES}


def load_sample(name: str, *, color: bool = True) -> np.ndarray:
    """Loads one of the bundled sample images, offline.

    Each image is decoded once per process and cached; every call returns a fresh copy,
    which the caller may change freely.

    Args:
        name: One of `SAMPLE_IMAGES`, e.g. `"astronaut"`.
        color: `bool`. If `True`, returns RGB, with greyscale samples repeated over the
            three channels. If `False`, returns the luma (ITU-R BT.601, as Pillow's "L"
            conversion computes it). Defaults to `True`.

    Returns:
        A `uint8` array in [0, 255] of shape `(height, width, 3)` if `color`, else
        `(height, width)`.

    Raises:
        ValueError: If `name` is not a sample.

    Example:

    >>> load_sample("coins").shape
    (303, 384, 3)
    >>> load_sample("coins", color=False).dtype
    dtype('uint8')
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(
            f"`name` must be one of the sample images {', '.join(SAMPLE_IMAGES)}. "
            f"Received: name={name!r}."
        )
    pixels = _load_sample_pixels(name)
    if color and pixels.ndim == 2:
        return np.repeat(pixels[:, :, np.newaxis], 3, axis=2)
    if not color and pixels.ndim == 3:
        return to_grayscale(pixels)
    return pixels.copy()


@functools.cache
def _load_sample_pixels(name: str) -> np.ndarray:
    """The sample as its library gives it, (H, W) or (H, W, 3) uint8, read-only."""
    # Imported here: scikit-learn's datasets take over a second to import, and only
    # the first sample a page asks for should pay for that.
    if _SAMPLE_SOURCES[name] == "sklearn":
        from sklearn.datasets import load_sample_image

        pixels = load_sample_image(f"{name}.jpg")
    else:
        import skimage.data

        pixels = getattr(skimage.data, name)()
    if pixels.dtype == bool:
        # The horse is a binary mask; True is the white background.
        pixels = np.where(pixels, 255, 0)
    pixels = np.array(pixels, dtype=np.uint8)
    pixels.setflags(write=False)
    return pixels
