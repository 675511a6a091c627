"""Classic image-processing kernels for the Convolution page, and a check for edited ones."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

KERNEL_SIZES = (3, 5)
"""The sizes an edited kernel may have: square, 3x3 or 5x5."""


def _read_only(rows: list[list[float]], *, scale: float = 1.0) -> np.ndarray:
    kernel = np.asarray(rows, dtype=np.float32) * np.float32(scale)
    # The presets are shared by every page and session: a page that edits one in
    # place would change it for everyone, so writing to them raises instead.
    kernel.flags.writeable = False
    return kernel


# The binomial weights 1 4 6 4 1 (a row of Pascal's triangle) approximate a Gaussian.
_BINOMIAL_5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0])

KERNEL_PRESETS: dict[str, np.ndarray] = {
    "Identity": _read_only([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "Box blur": _read_only([[1, 1, 1], [1, 1, 1], [1, 1, 1]], scale=1 / 9),
    "Gaussian blur": _read_only([[1, 2, 1], [2, 4, 2], [1, 2, 1]], scale=1 / 16),
    "Gaussian blur 5x5": _read_only(np.outer(_BINOMIAL_5, _BINOMIAL_5).tolist(), scale=1 / 256),
    "Sharpen": _read_only([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    # Keras layers do not flip the kernel, so the weights read as written: right minus
    # left, and bottom minus top.
    "Sobel x": _read_only([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel y": _read_only([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "Laplacian": _read_only([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "Emboss": _read_only([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
}
"""Float32 kernels of shape (3, 3) or (5, 5), read-only, by display name in menu order."""

KERNEL_DESCRIPTIONS: dict[str, str] = {
    "Identity": "Copies each pixel unchanged: the single weight of 1 sits on the centre.",
    "Box blur": "Replaces each pixel by the plain average of its 3x3 neighbourhood.",
    "Gaussian blur": (
        "Averages each pixel with its neighbours, weighting nearer ones more, "
        "for a softer blur than the box."
    ),
    "Gaussian blur 5x5": (
        "Averages over a wider 5x5 neighbourhood with Gaussian-like weights, for a stronger blur."
    ),
    "Sharpen": (
        "Adds to each pixel its difference from its four neighbours, so edges and fine "
        "detail stand out."
    ),
    "Sobel x": (
        "Detects vertical edges: positive where the image gets brighter from left to right, "
        "negative where it gets darker."
    ),
    "Sobel y": (
        "Detects horizontal edges: positive where the image gets brighter from top to bottom, "
        "negative where it gets darker."
    ),
    "Laplacian": (
        "Detects edges in every direction: zero on flat areas and smooth ramps, "
        "large where the brightness bends."
    ),
    "Emboss": (
        "Makes the image look raised, as if lit from the top left: it takes the brightness "
        "difference along the diagonal and keeps the centre pixel."
    ),
}
"""One sentence per preset of `KERNEL_PRESETS`: what the kernel does or detects."""


def make_kernel(values: ArrayLike) -> np.ndarray:
    """Checks a kernel the user typed in and turns it into a float32 array.

    Args:
        values: Rows of numbers, such as a list of lists, a NumPy array or the
            pandas DataFrame of `st.data_editor`; square, 3x3 or 5x5.

    Returns:
        A new float32 array of shape (3, 3) or (5, 5).

    Raises:
        ValueError: If the rows are ragged, a value is not a number or not finite,
            or the kernel is not 3x3 or 5x5.

    Example:

    >>> make_kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]).shape
    (3, 3)
    """
    try:
        kernel = np.array(values, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "A kernel must be rows of numbers of equal length, such as "
            "[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]; a cell is empty or not a number. "
            f"Received: {values!r}."
        ) from error
    sizes = " or ".join(f"{size}x{size}" for size in KERNEL_SIZES)
    if (
        kernel.ndim != 2
        or kernel.shape[0] != kernel.shape[1]
        or kernel.shape[0] not in KERNEL_SIZES
    ):
        raise ValueError(
            f"A kernel must be square, {sizes}. Received: a kernel of shape {kernel.shape}."
        )
    not_finite = np.argwhere(~np.isfinite(kernel))
    if not_finite.size:
        row, col = not_finite[0]
        raise ValueError(
            "Every kernel weight must be a finite number; fill empty cells with 0. "
            f"Received: {kernel[row, col]} at row {row}, column {col}."
        )
    return kernel


def kernel_to_text(kernel: ArrayLike) -> str:
    """Writes a kernel as short text for a link: rows split by ";", weights by ",".

    Example:

    >>> kernel_to_text([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    '0,-1,0;-1,5,-1;0,-1,0'
    """
    return ";".join(",".join(f"{weight:g}" for weight in row) for row in np.asarray(kernel))


def kernel_from_text(text: str) -> np.ndarray:
    """Reads a kernel written by `kernel_to_text`, checked as `make_kernel` checks it.

    Raises:
        ValueError: If a weight is not a number, or the kernel is not one `make_kernel`
            takes.

    Example:

    >>> kernel_from_text("0,0,0;0,1,0;0,0,0").shape
    (3, 3)
    """
    try:
        rows = [[float(weight) for weight in row.split(",")] for row in text.split(";")]
    except ValueError as error:
        raise ValueError(
            "A kernel in a link is rows split by ';' of weights split by ',', such as "
            f"0,-1,0;-1,5,-1;0,-1,0. Received: {text!r}."
        ) from error
    return make_kernel(rows)
