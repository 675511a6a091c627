"""A person's input made into model input: images, the steps shown on the way, clips, texts.

NumPy and Pillow only: the try-it pages and the bundled models prepare input with these
before TensorFlow is needed.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image

from dlcore._checks import is_int
from dlcore.media import images
from dlcore.media.tokens import tokenize


def prepare_image(image: ArrayLike, preprocessing: dict[str, Any]) -> np.ndarray:
    """Turns a person's image into model input, as `ImageData.preprocessing` describes.

    The image is cut to the square in its middle, converted to greyscale (luma) or RGB,
    resized by averaging the block of pixels each new pixel covers (Pillow's box filter)
    and divided by 255. Where `preprocessing["background"]` is "dark" (digits: bright
    ink on black), an image whose border is mostly light (dark ink on paper) is inverted.

    Where `preprocessing["crop"]` is "ink" (the digits), an image more than twice the
    model's size is instead made into its ink, bright on black with uneven light evened
    out (`dlcore.media.images.ink_map`), cut to the square around the ink with the ink
    centred (`dlcore.media.images.crop_to_content`), its strokes widened to about a
    twelfth of the square (as the 8x8 digits' strokes sit in their box), resized by
    averaging and stretched so the strongest pixel is 1: a digit anywhere in a picture,
    at any size, dark on light or light on dark, comes out as the 8x8 digits look.

    Args:
        image: uint8, shape `(height, width)` or `(height, width, 3)`, as
            `dlcore.media.images.decode_image` returns it.
        preprocessing: an `ImageData.preprocessing` dict (or a `TrainedModel`'s).

    Returns:
        float32, shape `(image_height, image_width, channels)`, values in [0, 1].

    Raises:
        ValueError: If `image` is not a uint8 greyscale or RGB image.

    Example:

    >>> preprocessing = {"image_size": (8, 8), "channels": 1, "background": "dark"}
    >>> prepare_image(np.full((32, 40, 3), 255, np.uint8), preprocessing).shape
    (8, 8, 1)
    """
    pixels = np.asarray(image)
    is_gray_or_rgb = pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
    if pixels.dtype != np.uint8 or not is_gray_or_rgb:
        raise ValueError(
            "Expected uint8 pixels of shape (height, width) or (height, width, 3). "
            f"Received: dtype={pixels.dtype}, shape={pixels.shape}."
        )
    if _crops_to_ink(pixels, preprocessing):
        return _ink_steps(pixels, preprocessing)[-1][1]
    square = images.center_crop(pixels, size=min(pixels.shape[:2]))
    height, width = preprocessing["image_size"]
    if preprocessing["channels"] == 1:
        picture = Image.fromarray(images.to_grayscale(square))
    else:
        picture = Image.fromarray(square).convert("RGB")
    resized = picture.resize((width, height), Image.Resampling.BOX)
    values = images.to_float(np.asarray(resized))
    if values.ndim == 2:
        values = values[..., np.newaxis]
    if preprocessing.get("background") == "dark":
        border = np.concatenate(
            [values[0].ravel(), values[-1].ravel(), values[:, 0].ravel(), values[:, -1].ravel()]
        )
        if border.mean() > 0.5:
            values = 1.0 - values
    return values.astype(np.float32)


@dataclasses.dataclass(frozen=True)
class PreparationStep:
    """One stage of turning a person's image into model input.

    Attributes:
        caption: what was done, e.g. "Resized to 8×8: the model input".
        pixels: float32 `(height, width, channels)` (1 or 3 channels) in [0, 1].
    """

    caption: str
    pixels: np.ndarray


@dataclasses.dataclass(frozen=True)
class Preparation:
    """A person's image, made into model input, with the steps on the way.

    Attributes:
        steps: the stages, the original first and the model input last.
        model_input: float32 `(height, width, channels)` in [0, 1]: exactly
            `dlcore.preprocess.prepare_image(start, preprocessing)`, where `start` is the
            original, or its crop to the ink when that was asked for.
        square: uint8 `(side, side)` or `(side, side, 3)`: the part of the image the model
            input was resized from, at its own resolution, to lay maps over.
    """

    steps: tuple[PreparationStep, ...]
    model_input: np.ndarray
    square: np.ndarray


def prepare_with_steps(
    image: ArrayLike, preprocessing: dict[str, Any], *, crop_to_content: bool = False
) -> Preparation:
    """Prepares an image as `dlcore.preprocess.prepare_image` does, keeping every step to show.

    The steps: the original; its crop to the ink (`dlcore.media.images.crop_to_content`, only
    when `crop_to_content` is True: a drawing or photo of a digit becomes centred and
    fills its box, as the 8x8 digits do); the square in the middle (when the image is
    not square); greyscale (for a one-channel model given a colour image); the resize to
    the model's size, each pixel the mean of the block it covers; and, for a model trained
    on bright ink on dark (the digits), the inversion of an image with a light
    background. The last step is the model input. For a model whose preprocessing crops
    to the ink (the digits), the steps are instead the original, its ink, the crop to the
    ink, and the model input, whatever `crop_to_content` says.

    Args:
        image: uint8 `(height, width)` or `(height, width, 3)`, as
            `dlcore.media.images.decode_image` returns it.
        preprocessing: the model's preprocessing dict (`dlcore.trainers.cnn.ImageData`'s, or a
            `Predictor`'s).
        crop_to_content: `bool`, crop to the ink first. Defaults to False.

    Returns:
        A `Preparation`.

    Raises:
        ValueError: If `image` is not a uint8 greyscale or RGB image.

    Example:

    >>> preparation = prepare_with_steps(np.zeros((30, 40), np.uint8), {
    ...     "image_size": (8, 8), "channels": 1, "background": "dark"})
    >>> [step.caption for step in preparation.steps]
    ['Original (40×30)', 'Middle square (30×30)', 'Resized to 8×8: the model input']
    """
    pixels = np.asarray(image)
    if pixels.dtype != np.uint8 or not (
        pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)
    ):
        raise ValueError(
            "Expected uint8 pixels of shape (height, width) or (height, width, 3). "
            f"Received: dtype={pixels.dtype}, shape={pixels.shape}."
        )
    steps = [PreparationStep(f"Original ({_size(pixels)})", _as_float_image(pixels))]
    if _crops_to_ink(pixels, preprocessing):
        ink, (crop_caption, square), (input_caption, model_input) = _ink_steps(
            pixels, preprocessing
        )
        steps += [
            PreparationStep(*ink),
            PreparationStep(crop_caption, _as_float_image(square)),
            PreparationStep(input_caption, model_input),
        ]
        return Preparation(tuple(steps), model_input, square)
    if crop_to_content:
        pixels = images.crop_to_content(pixels)
        steps.append(
            PreparationStep(f"Cropped to the ink ({_size(pixels)})", _as_float_image(pixels))
        )
    model_input = prepare_image(pixels, preprocessing)
    square = images.center_crop(pixels, size=min(pixels.shape[:2]))
    if square.shape != pixels.shape:
        steps.append(PreparationStep(f"Middle square ({_size(square)})", _as_float_image(square)))
    shown = square
    if preprocessing["channels"] == 1 and square.ndim == 3:
        shown = images.to_grayscale(square)
        steps.append(PreparationStep("Greyscale", _as_float_image(shown)))
    height, width = preprocessing["image_size"]
    mode = "L" if preprocessing["channels"] == 1 else "RGB"
    resized = _as_float_image(
        np.asarray(
            Image.fromarray(shown).convert(mode).resize((width, height), Image.Resampling.BOX)
        )
    )
    resize_caption = f"Resized to {width}×{height}"
    if np.array_equal(resized, model_input):
        steps.append(PreparationStep(f"{resize_caption}: the model input", model_input))
    else:
        steps.append(PreparationStep(resize_caption, resized))
        steps.append(
            PreparationStep("Inverted to bright ink on dark: the model input", model_input)
        )
    return Preparation(tuple(steps), model_input, square)


_INK_SIDE = 96
"""The side the crop to the ink is scaled to before its strokes are widened."""


def _crops_to_ink(pixels: np.ndarray, preprocessing: dict[str, Any]) -> bool:
    # An image at about the model's size (an 8x8 digit) is already cut as the model wants.
    return (
        preprocessing.get("crop") == "ink"
        and preprocessing["channels"] == 1
        and max(pixels.shape[:2]) > 2 * max(preprocessing["image_size"])
    )


def _ink_steps(pixels: np.ndarray, preprocessing: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    """The steps of the crop to the ink, each `(caption, float32 (h, w, 1) in [0, 1])`.

    The last is the model input; the one before it holds the square crop as uint8.
    """
    ink = images.ink_map(pixels)
    square = images.crop_to_content(ink, threshold=0.3)
    # Type is a thin line at a digit's height; the 8x8 digits' strokes are about one of
    # their eight pixels wide, so thin strokes are widened to a twelfth of the box, on a
    # square of a fixed size so that a digit a few pixels high is widened as a big one.
    enlarged = Image.fromarray(square).resize((_INK_SIDE, _INK_SIDE), Image.Resampling.BILINEAR)
    widened = images.max_filter(np.asarray(enlarged), _INK_SIDE // 12)
    height, width = preprocessing["image_size"]
    resized = np.asarray(
        Image.fromarray(widened).resize((width, height), Image.Resampling.BOX), np.float32
    )
    model_input = resized / resized.max() if resized.max() > 0 else resized
    return [
        (f"Ink, bright on black, light evened out ({_size(ink)})", _as_float_image(ink)),
        (f"Cropped to the ink ({_size(square)})", square),
        (
            f"Strokes widened, resized to {width}×{height} and stretched: the model input",
            model_input[..., np.newaxis].astype(np.float32),
        ),
    ]


def _size(pixels: np.ndarray) -> str:
    return f"{pixels.shape[1]}×{pixels.shape[0]}"


def _as_float_image(pixels: np.ndarray) -> np.ndarray:
    values = np.asarray(pixels, dtype=np.float32) / 255
    return values[..., np.newaxis] if values.ndim == 2 else values


def frame_indices(n_available: int, n_frames: int) -> np.ndarray:
    """Which frames of a clip the model sees: `n_frames` evenly spaced, ends included.

    A clip shorter than `n_frames` repeats some of its frames.

    Args:
        n_available: `int` >= 1, the clip's frames.
        n_frames: `int` >= 1, the frames to keep.

    Returns:
        int64, shape `(n_frames,)`, non-decreasing indices in [0, n_available).

    Example:

    >>> frame_indices(32, 8).tolist()
    [0, 4, 9, 13, 18, 22, 27, 31]
    """
    if not is_int(n_available) or not is_int(n_frames) or min(n_available, n_frames) < 1:
        raise ValueError(
            "A clip needs at least one frame, and the model at least one. "
            f"Received: n_available={n_available!r}, n_frames={n_frames!r}."
        )
    return np.round(np.linspace(0, n_available - 1, n_frames)).astype(np.int64)


def prepare_clip(frames: ArrayLike, preprocessing: dict[str, Any]) -> np.ndarray:
    """Turns a person's frames into model input, as `VideoData.preprocessing` describes.

    Keeps the frames at `frame_indices(len(frames), n_frames)`, cuts each to the square in
    its middle, resizes it by averaging the block of pixels each new pixel covers
    (Pillow's box filter) and divides by 255.

    Args:
        frames: uint8, shape `(n_available, height, width, 3)` (RGB), as a video decoder
            gives them; `n_available` >= 1.
        preprocessing: a `VideoData.preprocessing` dict (or a `TrainedModel`'s).

    Returns:
        float32, shape `(n_frames, image_height, image_width, 3)`, values in [0, 1].

    Raises:
        ValueError: If `frames` are not uint8 RGB frames.

    Example:

    >>> preprocessing = {"n_frames": 8, "image_size": (16, 16)}
    >>> prepare_clip(np.zeros((90, 48, 64, 3), np.uint8), preprocessing).shape
    (8, 16, 16, 3)
    """
    pixels = np.asarray(frames)
    if pixels.dtype != np.uint8 or pixels.ndim != 4 or pixels.shape[-1] != 3 or not len(pixels):
        raise ValueError(
            "Expected uint8 RGB frames of shape (n_frames, height, width, 3), at least one. "
            f"Received: dtype={pixels.dtype}, shape={pixels.shape}."
        )
    height, width = preprocessing["image_size"]
    side = min(pixels.shape[1:3])
    prepared = [
        images.to_float(
            np.asarray(
                Image.fromarray(images.center_crop(pixels[index], size=side)).resize(
                    (width, height), Image.Resampling.BOX
                )
            )
        )
        for index in frame_indices(len(pixels), preprocessing["n_frames"])
    ]
    return np.stack(prepared).astype(np.float32)


PADDING_ID = 0
"""The token id that fills a sentence up to `max_length`; models ignore it."""


UNKNOWN_ID = 1
"""The token id of every token that the vocabulary does not hold."""


UNKNOWN_WORD_CHOICES = ("unknown", "nearest")
"""How `encode_texts` reads a word the vocabulary does not hold, the preprocessing key
"unknown_words": "unknown" (the default, as Keras' `TextVectorization` does) makes it
`UNKNOWN_ID`; "nearest" reads it as the nearest known word (`nearest_known_words`)."""


NEAREST_WORD_SIMILARITY = 0.52
"""The least Dice similarity of character trigrams at which `nearest_known_words` reads an
unknown English word as a known one. Chosen on tests/dlcore/test_nearest_words.py's
misspelled and inflected forms of the bundled intents vocabulary's words and its unrelated
words: see that file for the rates at this threshold and its neighbours."""


# An English word as `tokenize` gives it: Latin letters, maybe an apostrophe inside.
_ENGLISH_WORD = re.compile(r"[a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f']+")


def nearest_known_words(
    tokens: Sequence[str],
    vocabulary: Sequence[str],
    *,
    min_similarity: float = NEAREST_WORD_SIMILARITY,
) -> list[str | None]:
    """The vocabulary token each token is read as, unknown English words by their spelling.

    A token in the vocabulary is read as itself. An English word that is not there is read
    as the vocabulary's English word with the most character trigrams in common, with "<"
    and ">" marking the word's start and end ("moms" gives "<mo", "mom", "oms", "ms>"),
    measured by the Dice coefficient `2 * shared / (n_trigrams_a + n_trigrams_b)`, in
    [0, 1]; ties go to the word earlier in the vocabulary, the more frequent one. So
    typos, plurals and -ing or -ed forms find their word ("temprature" -> "temperature",
    "moms" -> "mom"). Below `min_similarity` the word stays unknown, and so does every
    other token (numbers, Chinese characters: a Chinese character is a unit of its own,
    not a spelling). The vocabulary's trigram index is built once per vocabulary and kept.

    Args:
        tokens: `str` tokens from `dlcore.media.tokens.tokenize`.
        vocabulary: the model's vocabulary, e.g. `preprocessing["vocabulary"]`.
        min_similarity: `float` in [0, 1], the least Dice similarity to read a word as
            another. Defaults to `NEAREST_WORD_SIMILARITY`.

    Returns:
        One entry per token: the vocabulary token it is read as (itself when known), or
        None where it stays unknown.

    Raises:
        TypeError: If `tokens` is one `str`.

    Example:

    >>> vocabulary = ["", "[UNK]", "mom", "temperature"]
    >>> nearest_known_words(["moms", "temprature", "zorblax", "询"], vocabulary)
    ['mom', 'temperature', None, None]
    """
    if isinstance(tokens, str):
        raise TypeError(
            f"`tokens` must be a sequence of tokens, not one str. Received: {tokens[:40]!r}. "
            "Split it first: dlcore.media.tokens.tokenize(text)."
        )
    known, words, trigram_sets, index = _trigram_index(tuple(vocabulary))
    read_as: list[str | None] = []
    for token in tokens:
        if token in known:
            read_as.append(token)
        elif _ENGLISH_WORD.fullmatch(token):
            read_as.append(_nearest(token, words, trigram_sets, index, min_similarity))
        else:
            read_as.append(None)
    return read_as


@functools.lru_cache(maxsize=8)
def _trigram_index(
    vocabulary: tuple[str, ...],
) -> tuple[frozenset[str], tuple[str, ...], tuple[int, ...], dict[str, tuple[int, ...]]]:
    """The vocabulary's tokens; its English words, their trigram counts and an index
    from each trigram to the words that hold it. Kept per vocabulary, as a try-it page
    reruns for every word typed."""
    words = tuple(token for token in vocabulary if _ENGLISH_WORD.fullmatch(token))
    sets = [_trigrams(word) for word in words]
    index: dict[str, list[int]] = {}
    for number, trigrams in enumerate(sets):
        for trigram in trigrams:
            index.setdefault(trigram, []).append(number)
    return (
        frozenset(vocabulary),
        words,
        tuple(len(trigrams) for trigrams in sets),
        {trigram: tuple(numbers) for trigram, numbers in index.items()},
    )


def _trigrams(word: str) -> set[str]:
    marked = f"<{word}>"
    return {marked[start : start + 3] for start in range(len(marked) - 2)}


def _nearest(
    word: str,
    words: tuple[str, ...],
    sizes: tuple[int, ...],
    index: dict[str, tuple[int, ...]],
    min_similarity: float,
) -> str | None:
    trigrams = _trigrams(word)
    # Only words that start the same way: typos and endings rarely touch the first two
    # letters, while a shared ending alone misleads ("chair" is not "air", "price" not "rice").
    candidates = set(index.get(f"<{word[:2]}", ()))
    shared = Counter(
        number for trigram in trigrams for number in index.get(trigram, ()) if number in candidates
    )
    best, best_similarity = None, min_similarity
    # Counter keeps first-seen order, not vocabulary order: compare numbers on ties.
    for number, count in shared.items():
        similarity = 2 * count / (len(trigrams) + sizes[number])
        if similarity > best_similarity or (
            similarity == best_similarity and (best is None or number < best)
        ):
            best, best_similarity = number, similarity
    return None if best is None else words[best]


def encode_texts(texts: Sequence[str], preprocessing: dict[str, Any]) -> np.ndarray:
    """Turns sentences into the token ids an intent model takes, without TensorFlow.

    The same ids as the `TextVectorization` of `dlcore.trainers.intents.load_data`: tokens from
    `dlcore.media.tokens.tokenize`, looked up in the vocabulary (unknown ones become
    `UNKNOWN_ID`), cut or padded with `PADDING_ID` to `max_length`. With
    `preprocessing["unknown_words"] == "nearest"`, an unknown English word takes the id of
    its nearest known word instead, where `nearest_known_words` finds one.

    Args:
        texts: the sentences, a sequence of `str`, any language.
        preprocessing: `IntentData.preprocessing` (or a `TrainedModel`'s), with the keys
            "vocabulary" and "max_length", and optionally "unknown_words", one of
            `UNKNOWN_WORD_CHOICES` (defaults to "unknown").

    Returns:
        int32, shape `(n_texts, max_length)`.

    Raises:
        TypeError: If `texts` is one `str` or holds something other than `str`.
        ValueError: If "unknown_words" is not one of `UNKNOWN_WORD_CHOICES`.

    Example:

    >>> encode_texts(["Play jazz!"], {"vocabulary": ["", "[UNK]", "play"], "max_length": 4})
    array([[2, 1, 0, 0]], dtype=int32)
    >>> preprocessing = {"vocabulary": ["", "[UNK]", "play"], "max_length": 4}
    >>> encode_texts(["Playing jazz!"], preprocessing | {"unknown_words": "nearest"})
    array([[2, 1, 0, 0]], dtype=int32)
    """
    if isinstance(texts, str):
        raise TypeError(
            f"`texts` must be a sequence of sentences, not one str. Received: {texts[:40]!r}. "
            "Wrap it in a list: [text]."
        )
    unknown_words = preprocessing.get("unknown_words", "unknown")
    if unknown_words not in UNKNOWN_WORD_CHOICES:
        raise ValueError(
            f'preprocessing["unknown_words"] must be one of {UNKNOWN_WORD_CHOICES}. '
            f"Received: {unknown_words!r}."
        )
    vocabulary = preprocessing["vocabulary"]
    index = {token: number for number, token in enumerate(vocabulary)}
    max_length = preprocessing["max_length"]
    token_ids = np.full((len(texts), max_length), PADDING_ID, dtype=np.int32)
    for row, text in enumerate(texts):
        tokens = tokenize(text)[:max_length]
        if unknown_words == "nearest":
            tokens = nearest_known_words(tokens, vocabulary)
        token_ids[row, : len(tokens)] = [index.get(token, UNKNOWN_ID) for token in tokens]
    return token_ids
