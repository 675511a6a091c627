"""Turn computed arrays (filter outputs, pooled maps) into pictures a person can read."""

import dataclasses

import numpy as np
from numpy.typing import ArrayLike


@dataclasses.dataclass(frozen=True, eq=False)
class DisplayImage:
    """An array mapped to 8-bit pixels, and how, so that the page can say it.

    Attributes:
        pixels: `uint8` array of the input's shape, in [0, 255].
        scale: a sentence on how values map to brightness, e.g. "black = 0, white = 1".
    """

    pixels: np.ndarray
    scale: str


def to_display(values: ArrayLike) -> DisplayImage:
    """Maps the output of an operation on a [0, 1] image to brightness, without hiding signs.

    - Values within [0, 1] (blurs, pooling, the identity) keep their meaning: black is 0
      and white is 1.
    - Non-negative values above 1 (a sharpening kernel's overshoot) are divided by the
      largest, so that the brightest pixel is white.
    - Signed values (edge detectors) put 0 at mid-grey: negative is darker, positive is
      brighter, and the largest magnitude reaches black or white. One scale serves every
      channel, so colours keep their balance.

    Args:
        values: float array of shape `(height, width)` or `(height, width, channels)`.

    Returns:
        A `DisplayImage`.

    Raises:
        ValueError: if `values` is empty or holds NaN or infinity.

    Example:
        >>> to_display([[-2.0, 0.0, 2.0]]).pixels
        array([[  0, 128, 255]], dtype=uint8)
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            "Expected a non-empty array of finite numbers to display. "
            f"Received: shape={values.shape}, finite={bool(np.all(np.isfinite(values)))}"
        )
    low, high = float(values.min()), float(values.max())
    if low < 0:
        largest = max(-low, high)
        brightness = 0.5 + values / (2 * largest)
        scale = f"mid-grey = 0, black = -{largest:.3g}, white = +{largest:.3g}"
    elif high > 1:
        brightness = values / high
        scale = f"black = 0, white = {high:.3g} (the largest value)"
    else:
        brightness = values
        scale = "black = 0, white = 1"
    pixels = np.rint(np.clip(brightness, 0.0, 1.0) * 255).astype(np.uint8)
    return DisplayImage(pixels, scale)


def enlarge(pixels: ArrayLike, *, factor: int) -> np.ndarray:
    """Repeats each pixel `factor` times down and across, so that small maps show as blocks.

    A browser smooths a small picture when it stretches it; a pooled map shown that way
    hides the very blockiness pooling creates.

    Args:
        pixels: array of shape `(height, width)` or `(height, width, channels)`.
        factor: `int` >= 1.

    Returns:
        Array of shape `(height * factor, width * factor, ...)`, same dtype.

    Raises:
        ValueError: if `factor` is below 1.
    """
    if factor < 1:
        raise ValueError(f"`factor` must be at least 1. Received: factor={factor}")
    pixels = np.asarray(pixels)
    return pixels.repeat(factor, axis=0).repeat(factor, axis=1)
