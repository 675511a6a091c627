"""Small real image sets that ship inside installed wheels: digits, and faces against non-faces.

Both are greyscale and come as `(samples, height, width, 1)` float32 arrays in [0, 1], the
layout a Keras `Conv2D` takes. They load offline, in their source's order.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from dlcore.data.image_sets import image_set_bunch

FACE_LABELS = ("not face", "face")
"""The classes of `load_faces`, in the order of their `target` values 0 and 1."""


def load_digits(*, return_X_y: bool = False) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Loads scikit-learn's 1,797 handwritten digits, 8 x 8 pixels, as images for a CNN.

    The digits come from the UCI "Optical Recognition of Handwritten Digits" set: 43
    people wrote them on forms, which were scanned, cut into 32 x 32 bitmaps and reduced
    to 8 x 8 by counting the ink pixels in each 4 x 4 block (0 to 16). Here each count is
    divided by 16, so 1.0 is a block full of ink, and a channel axis is added. Classes
    hold 174 to 183 digits each. The rows are in scikit-learn's order, which is not
    grouped by class.

    Args:
        return_X_y: `bool`, return only `(images, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with
        `images`: float32, shape `(1797, 8, 8, 1)`, values in [0, 1], ink bright on a
        dark background;
        `data`: the same array as `images`;
        `target`: int64, shape `(1797,)`, the digit 0-9;
        `target_names`: `["0", "1", ..., "9"]`;
        `DESCR`: str.
        Or only `(images, target)` if `return_X_y` is true.

    Example:

    >>> digits = load_digits()
    >>> digits.images.shape, digits.images.dtype, float(digits.images.max())
    ((1797, 8, 8, 1), dtype('float32'), 1.0)
    """
    # Imported here: scikit-learn's datasets take over a second to import.
    import sklearn.datasets

    source = sklearn.datasets.load_digits()
    images = (source.images / 16.0).astype(np.float32)[..., np.newaxis]
    target = source.target.astype(np.int64)
    if return_X_y:
        return images, target
    counts = np.bincount(target, minlength=10)
    description = (
        "Handwritten digits\n\n"
        "1,797 handwritten digits from the UCI ML repository's Optical Recognition of "
        "Handwritten Digits set (Alpaydin and Kaynak, 1998), as scikit-learn bundles "
        "them: 32 x 32 scans reduced to 8 x 8 blocks whose values count the ink pixels "
        "(0-16), divided here by 16. Small enough for a CNN to learn in seconds; a "
        "logistic regression on the 64 pixels already gets about 95 % right.\n\n"
        f"Classes: 10; samples: 1797 ({counts.min()}-{counts.max()} per class); "
        "images: 8x8 greyscale, float32 in [0, 1]."
    )
    return image_set_bunch(images, target, [str(digit) for digit in range(10)], description)


def load_faces(*, return_X_y: bool = False) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Loads scikit-image's 200 small crops of faces and of non-faces, 25 x 25 pixels.

    `skimage.data.lfw_subset()` holds 100 faces from the Labeled Faces in the Wild set
    (LFW; Huang et al.), then 100 non-faces cut from the backgrounds of the same photos,
    all scaled to 25 x 25 greyscale. The order is kept: rows 0-99 are faces (target 1),
    rows 100-199 non-faces (target 0). Shuffle before splitting off validation data:
    Keras's `validation_split` takes the last rows, which are all non-faces.

    Args:
        return_X_y: `bool`, return only `(images, target)`. Defaults to `False`.

    Returns:
        A `Bunch` with
        `images`: float32, shape `(200, 25, 25, 1)`, values in [0, 1];
        `data`: the same array as `images`;
        `target`: int64, shape `(200,)`, 1 for a face, 0 for a non-face;
        `target_names`: `["not face", "face"]`;
        `DESCR`: str.
        Or only `(images, target)` if `return_X_y` is true.

    Example:

    >>> faces = load_faces()
    >>> faces.images.shape, np.bincount(faces.target).tolist(), faces.target_names
    ((200, 25, 25, 1), [100, 100], ['not face', 'face'])
    """
    # Imported here: only the pages that offer faces should pay for scikit-image.
    import skimage.data

    source = np.asarray(skimage.data.lfw_subset(), dtype=np.float64)
    # scikit-image 0.26 returns floats in [0, 1]; older versions documented uint8.
    if source.max() > 1.0:
        source = source / 255.0
    images = source.astype(np.float32)[..., np.newaxis]
    n_faces = len(source) // 2
    target = np.repeat(np.array([1, 0], dtype=np.int64), [n_faces, len(source) - n_faces])
    if return_X_y:
        return images, target
    description = (
        "Faces and non-faces\n\n"
        "200 greyscale crops of 25 x 25 pixels from scikit-image's `lfw_subset`: 100 "
        "faces from Labeled Faces in the Wild (Huang et al., 2007) and 100 non-faces cut "
        "from the backgrounds of the same photos. Rows 0-99 are faces, rows 100-199 "
        "non-faces; shuffle before splitting. A small CNN tells them apart in a few "
        "epochs.\n\n"
        "Classes: 2 (not face, face); samples: 200 (100 per class); "
        "images: 25x25 greyscale, float32 in [0, 1]."
    )
    return image_set_bunch(images, target, FACE_LABELS, description)
