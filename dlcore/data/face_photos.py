"""Extra training and test pictures for the faces model: whole photos and crops that are not faces.

scikit-image's `lfw_subset` pairs each face with a crop of the same photo's background, so
a model trained on it alone has never seen a whole cup, cat or page of text and calls them
"face". Here pictures of everything else are cut from the photos that ship offline
(scikit-image's and scikit-learn's) and from text drawn with Pillow, and faces are varied
in crop, size and light. The photos are split in two: `TRAIN_PHOTOS` for training and
`HELD_OUT_PHOTOS` for the project's robustness set only. scikit-image's "astronaut" and
"camera" show people and are in neither.

All pictures come back as uint8 arrays, as `dlcore.media.images.decode_image` returns an
upload; `dlcore.preprocess.prepare_image` turns them into model input.
"""

from __future__ import annotations

import numpy as np

TRAIN_PHOTOS = (
    "coffee",
    "chelsea",
    "coins",
    "horse",
    "rocket",
    "brick",
    "grass",
    "gravel",
    "text",
    "page",
    "moon",
    "hubble_deep_field",
    "logo",
    "cell",
    "retina",
    "clock",
)
"""scikit-image photos that training cuts non-faces from."""

HELD_OUT_PHOTOS = (
    "sklearn:china.jpg",
    "sklearn:flower.jpg",
    "shepp_logan_phantom",
    "immunohistochemistry",
    "colorwheel",
    "checkerboard",
)
"""Photos that training never sees, kept for the robustness set."""

_WORDS = ("hello", "world", "2024", "the", "quick", "brown", "fox", "jumps", "over", "lazy")
_WORDS += ("dog", "0123456789", "DEEP", "LEARNING", "studio", "coffee", "menu", "page", "7")
_WORDS += ("42", "ok", "yes", "no")


def load_photo(name: str) -> np.ndarray:
    """Loads one bundled photo by name.

    Args:
        name: a scikit-image data function name (e.g. "coffee") or "sklearn:<file>" for
            one of scikit-learn's two sample images.

    Returns:
        uint8, shape `(height, width)` or `(height, width, 3)`.
    """
    if name.startswith("sklearn:"):
        # Imported here: scikit-learn's datasets take over a second to import.
        import sklearn.datasets

        return np.asarray(sklearn.datasets.load_sample_image(name.split(":", 1)[1]))
    import skimage.data
    import skimage.util

    pixels = np.asarray(getattr(skimage.data, name)())
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[..., :3]
    return skimage.util.img_as_ubyte(pixels) if pixels.dtype != np.uint8 else pixels


def render_text(rng: np.random.Generator, size: int = 96) -> np.ndarray:
    """Draws a few random words or digits in the app's font (`dlcore.media.fonts`).

    Args:
        rng: the random generator.
        size: `int`, the side of the square picture.

    Returns:
        uint8, shape `(size, size)`: dark text on light or light on dark.
    """
    from PIL import Image, ImageDraw

    from dlcore.media.fonts import load_font

    ink, paper = (0, 255) if rng.random() < 0.7 else (255, 0)
    picture = Image.new("L", (size, size), int(paper))
    draw = ImageDraw.Draw(picture)
    font = load_font(int(rng.integers(size // 8, size // 2)))
    for line in range(int(rng.integers(1, 4))):
        words = " ".join(rng.choice(_WORDS, size=int(rng.integers(1, 3))))
        y = int(rng.integers(0, size - 8)) if line else int(rng.integers(0, size // 2))
        draw.text((int(rng.integers(-size // 4, size // 4)), y), words, fill=int(ink), font=font)
    return np.asarray(picture)


def non_face_pictures(
    n: int, *, seed: int = 0, photos: tuple[str, ...] = TRAIN_PHOTOS, text: bool = True
) -> list[np.ndarray]:
    """Pictures that are not faces: whole photos, crops of them, and drawn text.

    A third are whole photos (cut to their middle square later, as an upload is), the rest
    crops of 15-100 % of the photo's shorter side at a random place, some mirrored, with
    their brightness and contrast changed; with `text`, one in six is drawn text instead.

    Args:
        n: `int`, how many pictures.
        seed: `int`, seeds the crops.
        photos: names for `load_photo`. Defaults to `TRAIN_PHOTOS`.
        text: `bool`, include drawn text. Defaults to `True`.

    Returns:
        `n` uint8 arrays of shape `(height, width)` or `(height, width, 3)`.
    """
    rng = np.random.default_rng(seed)
    loaded = [load_photo(name) for name in photos]
    pictures = []
    for _ in range(n):
        if text and rng.random() < 1 / 6:
            pictures.append(render_text(rng))
            continue
        photo = loaded[int(rng.integers(len(loaded)))]
        if rng.random() >= 1 / 3:
            height, width = photo.shape[:2]
            side = max(8, int(min(height, width) * rng.uniform(0.15, 1.0)))
            top = int(rng.integers(0, height - side + 1))
            left = int(rng.integers(0, width - side + 1))
            photo = photo[top : top + side, left : left + side]
        if rng.random() < 0.5:
            photo = photo[:, ::-1]
        pictures.append(_relight(photo, rng))
    return pictures


def varied_faces(faces: np.ndarray, n: int, *, seed: int = 0) -> list[np.ndarray]:
    """Faces at other crops, sizes and lighting than `lfw_subset`'s.

    Each is a face zoomed in (to 75 % of the crop) or out (the crop padded by repeating
    its edges, to 130 %), shifted a little, maybe mirrored, with brightness and contrast
    changed.

    Args:
        faces: float in [0, 1], shape `(m, 25, 25)` or `(m, 25, 25, 1)`.
        n: `int`, how many pictures.
        seed: `int`, seeds the changes.

    Returns:
        `n` uint8 arrays of shape `(side, side)` (greyscale, side 19 to 33).
    """
    rng = np.random.default_rng(seed)
    pixels = np.round(np.asarray(faces).reshape(len(faces), 25, 25) * 255).astype(np.uint8)
    pictures = []
    for _ in range(n):
        face = pixels[int(rng.integers(len(pixels)))]
        scale = rng.uniform(0.75, 1.3)
        side = round(25 * scale)
        pad = max(0, (side - 25 + 1) // 2 + 2)
        padded = np.pad(face, pad, mode="edge")
        centre = padded.shape[0] // 2 + rng.integers(-1, 2, size=2)
        top, left = (centre - side // 2).clip(0, padded.shape[0] - side)
        crop = padded[top : top + side, left : left + side]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        pictures.append(_relight(crop, rng))
    return pictures


def _relight(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The picture with a random gamma, contrast and brightness, still uint8."""
    values = pixels.astype(np.float32) / 255.0
    values = values ** rng.uniform(0.6, 1.6)
    values = (values - 0.5) * rng.uniform(0.6, 1.3) + 0.5 + rng.uniform(-0.15, 0.15)
    return np.round(values.clip(0.0, 1.0) * 255).astype(np.uint8)


def robustness_set(
    held_out_faces: np.ndarray, *, seed: int = 0
) -> tuple[list[np.ndarray], np.ndarray]:
    """The project's own faces robustness set, from nothing that training uses.

    Non-faces: each of `HELD_OUT_PHOTOS` whole, then 90 crops of them (no text). Faces:
    120 of `held_out_faces` varied by `varied_faces`, half of them tinted to a colour
    picture (a skin tone in RGB), as a colour photo of a face is.

    Args:
        held_out_faces: float in [0, 1], shape `(m, 25, 25)` or `(m, 25, 25, 1)`, faces
            the model never trained on (the bundled model's held-out split).
        seed: `int`, seeds the crops and changes.

    Returns:
        `(pictures, targets)`: uint8 arrays as an upload decodes, and int64 `(n,)` with
        1 for a face, 0 for a non-face.
    """
    rng = np.random.default_rng(seed)
    whole = [load_photo(name) for name in HELD_OUT_PHOTOS]
    non_faces = whole + non_face_pictures(90, seed=seed + 1, photos=HELD_OUT_PHOTOS, text=False)
    faces = varied_faces(held_out_faces, 120, seed=seed + 2)
    tint = np.array([1.0, 0.8, 0.65])
    for index in range(0, len(faces), 2):
        scaled = faces[index][..., np.newaxis] * tint * rng.uniform(0.9, 1.1)
        faces[index] = np.round(scaled.clip(0, 255)).astype(np.uint8)
    targets = np.repeat(np.array([0, 1], dtype=np.int64), [len(non_faces), len(faces)])
    return non_faces + faces, targets
