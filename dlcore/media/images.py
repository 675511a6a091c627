"""Images from what a person has: uploaded files and camera snapshots, and the crops and
conversions every page applies to them.

About 680 lines: most of it is `decode_image`'s care for what phones and editors write
(EXIF rotation, transparency, 16-bit, CMYK, animations, decompression bombs) and the
message it gives for each; `dlcore.media.signatures` holds what a file is from its bytes.
"""

from __future__ import annotations

import dataclasses
import io
import math
import warnings

import numpy as np
from numpy.typing import ArrayLike
from PIL import (
    BmpImagePlugin,
    ExifTags,
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
    features,
)

from dlcore.media.signatures import AVIF_BRANDS, HEIF_BRANDS, image_format, looks_like_svg

DEFAULT_MAX_PIXELS = 40_000_000
"""`decode_image` refuses larger images: 40 megapixels, about 160 MB while decoding."""

DEFAULT_MAX_SIDE = 512
"""`fit_within` scales images down until their longer side is at most this many pixels."""


SUPPORTED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF") + (
    ("AVIF",) if features.check("avif") else ()
)
"""The Pillow formats `decode_image` reads; JPEG includes the multi-picture JPEGs (MPO)
that phones write.

Other formats Pillow knows (EPS, PSD, TGA, ICO, ...) are refused: a file that is not
one of these is far more often a mistake than an image worth showing.
"""


def size_text(width: int, height: int) -> str:
    """A size as a person writes it, width first: '640x480' with a multiplication sign."""
    return f"{width}\N{MULTIPLICATION SIGN}{height}"


# EXIF orientation -> the note that says what `decode_image` did about it.
_ORIENTATION_NOTES = {
    2: "Mirrored left to right, as its EXIF orientation asks",
    3: "Rotated upright from its EXIF orientation",
    4: "Mirrored top to bottom, as its EXIF orientation asks",
    5: "Mirrored and rotated upright from its EXIF orientation",
    6: "Rotated upright from its EXIF orientation",
    7: "Mirrored and rotated upright from its EXIF orientation",
    8: "Rotated upright from its EXIF orientation",
}


_HIGH_BIT_DEPTH_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}


class ImageDecodeError(ValueError):
    """A file that `decode_image` cannot turn into pixels; the message is for a person."""


@dataclasses.dataclass(frozen=True, eq=False)
class DecodedImage:
    """An uploaded image, decoded and made ready to show, and what was done to it.

    Attributes:
        pixels: `uint8` array in [0, 255], of shape `(height, width, 3)` (RGB) or
            `(height, width)` (greyscale), upright.
        format: The file's format as Pillow names it: `"PNG"`, `"JPEG"`, `"WEBP"`,
            `"BMP"`, `"GIF"`, `"TIFF"` (a phone's multi-picture JPEG reads `"JPEG"`).
        original_size: `(width, height)` as stored in the file, before any EXIF rotation.
        frames: How many frames or pages the file holds; only the first is decoded.
        notes: Sentences for the page to show about what was changed to display it,
            e.g. `"Transparent areas shown on white"`. Empty when nothing was.
    """

    pixels: np.ndarray
    format: str
    original_size: tuple[int, int]
    frames: int
    notes: tuple[str, ...]


def decode_image(
    data: bytes, *, color: bool = True, max_pixels: int = DEFAULT_MAX_PIXELS
) -> DecodedImage:
    """Decodes an uploaded image file or a camera snapshot into upright 8-bit pixels.

    Reads PNG, JPEG, WebP, BMP, GIF and TIFF (and AVIF where Pillow was built with it).
    What a browser would show is what comes back: the EXIF orientation of a phone photo
    is applied, transparent areas are laid on white, palette, CMYK and 16-bit images
    become 8-bit RGB, and of an animated GIF or WebP the first frame is taken. Each such
    change adds a sentence to `notes`.

    The size in the file's header is checked before any pixel is decoded, so a small
    file that claims a huge image (a decompression bomb) costs no memory.

    Args:
        data: The file's bytes, e.g. `uploaded_file.getvalue()` from `st.file_uploader`
            or `st.camera_input`.
        color: `bool`. If `True`, the pixels are RGB; if `False`, greyscale (ITU-R BT.601
            luma, as Pillow's "L" conversion). Defaults to `True`.
        max_pixels: `int`, the most pixels (width times height) to accept. Pillow's own
            limit, `PIL.Image.MAX_IMAGE_PIXELS` (about 89 million), applies too.
            Defaults to `DEFAULT_MAX_PIXELS` (40 million).

    Returns:
        A `DecodedImage` whose `pixels` are `uint8` in [0, 255], of shape
        `(height, width, 3)` if `color`, else `(height, width)`.

    Raises:
        ImageDecodeError: A `ValueError` whose message tells a person what is wrong and
            what to do: the file is empty, is not an image Pillow reads (or is an SVG
            drawing or a HEIC photo), is damaged or cut short, or has too many pixels.
        TypeError: If `data` is not bytes.
        ValueError: If `max_pixels` is not a positive integer.

    Example:

    >>> buffer = io.BytesIO()
    >>> Image.new("RGBA", (4, 3), (255, 0, 0, 0)).save(buffer, format="PNG")
    >>> decoded = decode_image(buffer.getvalue())
    >>> decoded.pixels.shape, decoded.format, decoded.notes
    ((3, 4, 3), 'PNG', ('Transparent areas shown on white',))
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(
            "`data` must be the file's bytes; for a Streamlit upload or camera snapshot, "
            "pass `uploaded_file.getvalue()`. "
            f"Received: data of type {type(data).__name__}."
        )
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(
            f"`max_pixels` must be a positive integer. Received: max_pixels={max_pixels!r}."
        )
    data = bytes(data)
    if not data:
        raise ImageDecodeError(
            "The file is empty: it has 0 bytes, so there is no picture in it. "
            "Choose the image file again, or another one. Received: 0 bytes."
        )
    if looks_like_svg(data):
        raise ImageDecodeError(
            "SVG drawings are vector graphics; export a PNG from the program that made "
            "the drawing, and upload that, since this page works on pixels. "
            f"Received: an SVG file of {len(data):,} bytes."
        )

    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS)
    with warnings.catch_warnings():
        # Pillow warns above its limit and raises above twice that; both mean too large.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Reads the header only; no pixel is decoded yet.
            image = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageDecodeError(_too_large_message(_size_from_header(data), limit)) from error
        except UnidentifiedImageError as error:
            raise ImageDecodeError(_not_an_image_message(data)) from error
        except Exception as error:
            raise ImageDecodeError(_damaged_message(data, None, error)) from error

    with image:
        width, height = image.size
        if width * height > limit:
            raise ImageDecodeError(_too_large_message((width, height), limit))
        try:
            return _decode_first_frame(image, color=color)
        except MemoryError as error:
            raise ImageDecodeError(
                f"There is not enough memory to decode this {size_text(width, height)} "
                "image. Scale it down, or close other pages and try again. "
                f"Received: a {image.format} of {size_text(width, height)} pixels."
            ) from error
        except ImageDecodeError:
            raise
        except Exception as error:
            # Any failure of the decoder means bytes that do not make an image: a file cut
            # short, a corrupt chunk, a header that contradicts itself.
            raise ImageDecodeError(_damaged_message(data, image.format, error)) from error


def _decode_first_frame(image: Image.Image, *, color: bool) -> DecodedImage:
    """Decodes the current (first) frame of an opened image; see `decode_image`."""
    image_format = "JPEG" if image.format == "MPO" else image.format
    original_size = image.size
    frames = getattr(image, "n_frames", 1)
    notes = []
    if frames > 1:
        notes.append(_frames_note(image.format, frames))
    image.load()

    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        orientation = None
        notes.append("Its EXIF data could not be read, so it is shown as stored")
    if orientation in _ORIENTATION_NOTES:
        image = ImageOps.exif_transpose(image)
        notes.append(_ORIENTATION_NOTES[orientation])

    if image.mode in _HIGH_BIT_DEPTH_MODES:
        image = _to_8_bits(image, notes)
    elif image.mode == "CMYK":
        image = image.convert("RGB")
        notes.append("CMYK converted to RGB")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            rgba = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
            notes.append("Transparent areas shown on white")
        image = rgba.convert("RGB")
    try:
        image = image.convert("RGB" if color else "L")
    except ValueError as error:
        raise ImageDecodeError(
            f"The image uses the {image.mode} colour mode, which cannot be converted to "
            "RGB here. Open it in an image editor, save it as an ordinary RGB PNG or "
            f"JPEG, and upload that. Received: a {image_format} in mode {image.mode}."
        ) from error
    return DecodedImage(
        pixels=np.array(image),
        format=image_format,
        original_size=original_size,
        frames=frames,
        notes=tuple(notes),
    )


def _frames_note(pillow_format: str, frames: int) -> str:
    if pillow_format == "TIFF":
        return f"Multi-page TIFF: showing the first of {frames} pages"
    if pillow_format == "MPO":
        return f"Multi-picture JPEG: showing the first of its {frames} pictures"
    name = {"WEBP": "WebP", "PNG": "PNG (APNG)"}.get(pillow_format, pillow_format)
    return f"Animated {name}: showing the first of {frames} frames"


def _to_8_bits(image: Image.Image, notes: list[str]) -> Image.Image:
    """A 16-bit, 32-bit or floating-point greyscale image as an 8-bit "L" image."""
    values = np.asarray(image).astype(np.float64)
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = values.min(), values.max()
    if image.mode.startswith("I;16") or (image.mode == "I" and 255 < high <= 65535 and low >= 0):
        scaled = values / 257.0
        notes.append("16-bit image scaled to 8 bits")
    elif image.mode == "I" and low >= 0 and high <= 255:
        scaled = values
    elif image.mode == "F" and low >= 0 and high <= 1:
        scaled = values * 255.0
        notes.append("Floating-point image scaled to 8 bits")
    else:
        # No known range: stretch what is there, darkest to black and brightest to white.
        scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0.0
        notes.append(
            f"{'Floating-point' if image.mode == 'F' else '32-bit'} image stretched to "
            "8 bits, its darkest value shown black and its brightest white"
        )
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8))


def _size_from_header(data: bytes) -> tuple[int, int] | None:
    """The (width, height) that the file's header claims, or None if it cannot be read."""
    # Image.open raises for a header over Pillow's limit before it returns the image.
    # The plugin classes read the header without that check and decode nothing. WebP is
    # left out: its reader sets up libwebp's decoder, which may allocate the canvas.
    readers = (
        PngImagePlugin.PngImageFile,
        JpegImagePlugin.JpegImageFile,
        BmpImagePlugin.BmpImageFile,
        GifImagePlugin.GifImageFile,
        TiffImagePlugin.TiffImageFile,
    )
    for reader in readers:
        try:
            with reader(io.BytesIO(data)) as image:
                return image.size
        except Exception:
            continue
    return None


def _too_large_message(size: tuple[int, int] | None, limit: int) -> str:
    limit_text = f"the limit is {limit / 1e6:.3g} megapixels, to keep the page fast"
    if size is None:
        return (
            f"The image has too many pixels: {limit_text}. Scale it down in an image editor "
            f"and upload it again. Received: an image over {limit:,} pixels."
        )
    width, height = size
    shrink = math.sqrt(limit / (width * height))
    fitting = size_text(max(1, math.floor(width * shrink)), max(1, math.floor(height * shrink)))
    return (
        f"The image is {size_text(width, height)} pixels "
        f"({width * height / 1e6:.3g} megapixels); {limit_text}. Scale it down, for "
        f"example to {fitting}, and upload it again. "
        f"Received: {size_text(width, height)} pixels."
    )


def _not_an_image_message(data: bytes) -> str:
    unreadable_brands = HEIF_BRANDS if "AVIF" in SUPPORTED_FORMATS else HEIF_BRANDS | AVIF_BRANDS
    if image_format(data):
        # It starts like a PNG, JPEG, ... but Pillow cannot make sense of the header.
        return _damaged_message(data, None, None)
    if data[4:8] == b"ftyp" and data[8:12] in unreadable_brands:
        kind = "an AVIF" if data[8:12] in AVIF_BRANDS else "a HEIC/HEIF"
        return (
            f"This is {kind} photo, a format Pillow cannot read here. Export or share it as "
            "JPEG instead (on an iPhone: Settings > Camera > Formats > Most Compatible), "
            f"and upload that. Received: {kind} file of {len(data):,} bytes."
        )
    return (
        "This file is not an image Pillow can read (PNG, JPEG, WebP, BMP, GIF). Choose a "
        "photo or picture in one of those formats, or open the file in an image editor and "
        "export it as PNG or JPEG. "
        f"Received: {len(data):,} bytes starting with {data[:12]!r}."
    )


def _damaged_message(data: bytes, pillow_format: str | None, error: Exception | None) -> str:
    file_format = pillow_format or image_format(data) or "image"
    cause = f"; Pillow reported: {error}" if error is not None and str(error) else ""
    return (
        "The image file is damaged or incomplete, so its pixels cannot be read; it may have "
        "been cut short while copying or uploading. Upload it again, or open it in an image "
        "editor and save a fresh copy. "
        f"Received: {len(data):,} bytes of {file_format}{cause}."
    )


def fit_within(
    image: ArrayLike, *, max_side: int = DEFAULT_MAX_SIDE
) -> tuple[np.ndarray, str | None]:
    """Scales an image down, keeping its aspect ratio, so its longer side is at most `max_side`.

    Uses Pillow's Lanczos resampling, which averages away detail too fine for the new
    size instead of aliasing it. Images already small enough are returned as they are:
    this never scales up. Each side stays at least 1 pixel.

    Args:
        image: `uint8` array of shape `(height, width)`, `(height, width, 3)` or
            `(height, width, 4)`.
        max_side: `int` >= 1, the most pixels allowed on the longer side. Defaults to
            `DEFAULT_MAX_SIDE` (512).

    Returns:
        `(image, note)`: the scaled `uint8` image with the same number of channels, and a
        sentence for the page such as `"Scaled down from 2048x1536 to 512x384 to keep the
        page fast"`. When no scaling was needed, the input array itself and `None`.

    Raises:
        ValueError: If `image` is not a `uint8` image array or `max_side` < 1.

    Example:

    >>> small, note = fit_within(np.zeros((1536, 2048, 3), np.uint8), max_side=512)
    >>> small.shape
    (384, 512, 3)
    """
    image = _check_uint8_image(image, channels=(3, 4))
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1:
        raise ValueError(f"`max_side` must be a positive integer. Received: max_side={max_side!r}.")
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image, None
    scale = max_side / max(height, width)
    new_width = max(1, round(width * scale))
    new_height = max(1, round(height * scale))
    # reducing_gap first shrinks by a whole factor with a box filter, which makes large
    # reductions several times faster with no visible difference.
    resized = Image.fromarray(image).resize(
        (new_width, new_height), Image.Resampling.LANCZOS, reducing_gap=3.0
    )
    note = (
        f"Scaled down from {size_text(width, height)} to "
        f"{size_text(new_width, new_height)} to keep the page fast"
    )
    return np.array(resized), note


def to_float(image: ArrayLike) -> np.ndarray:
    """Converts an image to `float32` in [0, 1], the input range of most networks.

    Args:
        image: An array of any shape: `uint8` in [0, 255] (divided by 255), `bool`, or
            floating point already in [0, 1].

    Returns:
        A new `float32` array of the same shape, in [0, 1].

    Raises:
        ValueError: If `image` has another dtype, or floats outside [0, 1] or not finite.

    Example:

    >>> to_float(np.array([0, 51, 255], np.uint8))
    array([0. , 0.2, 1. ], dtype=float32)
    """
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / np.float32(255.0)
    if array.dtype == bool:
        return array.astype(np.float32)
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)):
            raise ValueError(
                "A floating-point `image` must hold finite values in [0, 1]; replace NaN and "
                "infinite values first. Received: an array with NaN or infinite values."
            )
        if array.size and not 0 <= array.min() <= array.max() <= 1:
            raise ValueError(
                "A floating-point `image` must hold values in [0, 1]; scale it first, or pass "
                "the uint8 pixels. "
                f"Received: values from {float(array.min())!r} to {float(array.max())!r}."
            )
        return array.astype(np.float32)
    raise ValueError(
        "`image` must be uint8 pixels in [0, 255], bool, or floats in [0, 1]. "
        f"Received: dtype={array.dtype}."
    )


def to_grayscale(image: ArrayLike) -> np.ndarray:
    """Converts an RGB image to greyscale with the luma that Pillow's "L" mode uses.

    The luma is ITU-R BT.601: `L = 0.299 R + 0.587 G + 0.114 B`, rounded.

    Args:
        image: `uint8` array of shape `(height, width, 3)`, or `(height, width)`, which
            is returned as a copy.

    Returns:
        A `uint8` array of shape `(height, width)`, in [0, 255].

    Raises:
        ValueError: If `image` is not a `uint8` greyscale or RGB image array.

    Example:

    >>> to_grayscale(np.array([[[255, 0, 0], [255, 255, 255]]], np.uint8))
    array([[ 76, 255]], dtype=uint8)
    """
    image = _check_uint8_image(image, channels=(3,))
    if image.ndim == 2:
        return image.copy()
    return np.array(Image.fromarray(image).convert("L"))


def center_crop(image: ArrayLike, *, size: int) -> np.ndarray:
    """Cuts the `size` x `size` square out of the middle of an image.

    Where the margin cannot be split evenly, the extra pixel is on the bottom and right.

    Args:
        image: An array of shape `(height, width)` or `(height, width, channels)`, any
            dtype.
        size: `int`, the side of the square, from 1 to the image's shorter side.

    Returns:
        A copy of the crop, shape `(size, size)` or `(size, size, channels)`, same dtype.

    Raises:
        ValueError: If `image` is not 2-D or 3-D, or `size` does not fit in it.

    Example:

    >>> center_crop(np.arange(25).reshape(5, 5), size=3)[0]
    array([6, 7, 8])
    """
    array = _check_croppable(image)
    height, width = array.shape[:2]
    _check_integer("size", size)
    if not 1 <= size <= min(height, width):
        raise ValueError(
            f"`size` must be between 1 and {min(height, width)}, the shorter side of the "
            f"{size_text(width, height)} image. Received: size={size!r}."
        )
    return crop(array, top=(height - size) // 2, left=(width - size) // 2, size=size)


def detailed_crop(image: ArrayLike, *, size: int) -> np.ndarray:
    """Cuts the `size` x `size` square with the most contrast out of an image.

    The window views of the convolution and pooling pages show a small crop as numbers;
    a crop of flat sky would show the same number everywhere. This one is chosen among
    the squares of a grid with a step of `size` as the one whose values spread most
    (largest standard deviation), the first one in reading order on a tie.

    Args:
        image: An array of shape `(height, width)`, any real dtype.
        size: `int`, the side of the square, from 1 to the image's shorter side.

    Returns:
        A copy of the crop, shape `(size, size)`, same dtype.

    Raises:
        ValueError: If `image` is not 2-D, or `size` does not fit in it.

    Example:

    >>> image = np.zeros((4, 4)); image[2, 3] = 1.0
    >>> detailed_crop(image, size=2)
    array([[0., 1.],
           [0., 0.]])
    """
    array = _check_croppable(image)
    if array.ndim != 2:
        raise ValueError(
            "`image` must be 2-D (height, width), e.g. from `to_grayscale`. "
            f"Received: shape={array.shape}."
        )
    height, width = array.shape
    _check_integer("size", size)
    if not 1 <= size <= min(height, width):
        raise ValueError(
            f"`size` must be between 1 and {min(height, width)}, the shorter side of the "
            f"{size_text(width, height)} image. Received: size={size!r}."
        )
    rows, cols = height // size, width // size
    blocks = array[: rows * size, : cols * size].astype(np.float64)
    spread = blocks.reshape(rows, size, cols, size).std(axis=(1, 3))
    block_row, block_col = np.unravel_index(np.argmax(spread), spread.shape)
    return crop(array, top=int(block_row) * size, left=int(block_col) * size, size=size)


def crop(image: ArrayLike, *, top: int, left: int, size: int) -> np.ndarray:
    """Cuts the `size` x `size` square whose top-left pixel is at (`top`, `left`).

    Args:
        image: An array of shape `(height, width)` or `(height, width, channels)`, any
            dtype.
        top: `int`, the row of the crop's first row, from 0 to `height - size`.
        left: `int`, the column of the crop's first column, from 0 to `width - size`.
        size: `int` >= 1, the side of the square.

    Returns:
        A copy of `image[top:top + size, left:left + size]`, same dtype.

    Raises:
        ValueError: If `image` is not 2-D or 3-D, or the square does not lie inside it.

    Example:

    >>> crop(np.arange(25).reshape(5, 5), top=1, left=2, size=2)
    array([[ 7,  8],
           [12, 13]])
    """
    array = _check_croppable(image)
    height, width = array.shape[:2]
    for name, value in (("top", top), ("left", left), ("size", size)):
        _check_integer(name, value)
    if size < 1 or size > min(height, width):
        raise ValueError(
            f"`size` must be between 1 and {min(height, width)}, the shorter side of the "
            f"{size_text(width, height)} image. Received: size={size!r}."
        )
    if not (0 <= top <= height - size and 0 <= left <= width - size):
        raise ValueError(
            f"The {size_text(size, size)} crop must lie inside the "
            f"{size_text(width, height)} image: `top` must be between 0 and "
            f"{height - size} and `left` between 0 and {width - size}. Move the crop inside "
            f"the image. Received: top={top!r}, left={left!r}, size={size!r}."
        )
    return array[top : top + size, left : left + size].copy()


def crop_to_content(
    image: ArrayLike, *, margin: float = 0.0, threshold: float = 0.25
) -> np.ndarray:
    """Cuts a drawing down to its ink, as a square with the ink centred in it.

    The 8x8 digits that `dlcore.data.vision.load_digits` loads were scaled so that each
    digit fills its box, centred; a digit drawn small in a corner of a canvas, or
    photographed on a page, would shrink to a few pixels at 8x8. This finds the ink (the
    pixels that differ from the background, taken as the median of the border, by more
    than `threshold` of the largest difference), takes its bounding box, centres it in a
    square with `margin` of the square's side free on each side, and fills what lies
    outside the image with the background, so light ink on dark and dark ink on light
    both work.

    Args:
        image: `uint8` array of shape `(height, width)` or `(height, width, 3)`.
        margin: `float` in [0, 0.4], the free border on each side as a fraction of the
            square's side. Defaults to `0.0`, as the digits have it: with 0.1, the bundled
            digits model read 69 % of held-out digits drawn big right, against 97 %.
        threshold: `float` in (0, 1), how far from the background a pixel must be, as a
            fraction of the largest difference, to count as ink. Defaults to `0.25`.

    Returns:
        A `uint8` array, a square `(side, side)` or `(side, side, 3)`; the image itself
        (a copy) when it has no ink (every pixel like the background).

    Raises:
        ValueError: If `image` is not a `uint8` greyscale or RGB image, or `margin` or
            `threshold` is outside its range.

    Example:

    >>> canvas = np.zeros((100, 100), np.uint8); canvas[10:30, 60:70] = 255
    >>> crop_to_content(canvas, margin=0.0).shape
    (20, 20)
    """
    pixels = _check_uint8_image(image, channels=(3,))
    if not 0 <= margin <= 0.4:
        raise ValueError(f"`margin` must be in [0, 0.4]. Received: margin={margin!r}.")
    if not 0 < threshold < 1:
        raise ValueError(f"`threshold` must be in (0, 1). Received: threshold={threshold!r}.")
    luma = to_grayscale(pixels).astype(np.float32)
    border = np.concatenate([luma[0], luma[-1], luma[:, 0], luma[:, -1]])
    difference = np.abs(luma - np.median(border))
    if difference.max() == 0:
        return pixels.copy()
    rows, cols = np.nonzero(difference > threshold * difference.max())
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    ink_side = max(bottom - top, right - left)
    side = max(1, math.ceil(ink_side / (1 - 2 * margin)))
    centre_row, centre_col = (top + bottom) / 2, (left + right) / 2
    square_top = math.floor(centre_row - side / 2)
    square_left = math.floor(centre_col - side / 2)
    background = np.median(
        np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]), axis=0
    )
    square = np.empty((side, side, *pixels.shape[2:]), np.uint8)
    square[...] = np.round(background).astype(np.uint8)
    # The part of the square that lies inside the image, in image and square coordinates.
    image_top, image_left = max(square_top, 0), max(square_left, 0)
    image_bottom = min(square_top + side, pixels.shape[0])
    image_right = min(square_left + side, pixels.shape[1])
    square[
        image_top - square_top : image_bottom - square_top,
        image_left - square_left : image_right - square_left,
    ] = pixels[image_top:image_bottom, image_left:image_right]
    return square


def ink_map(image: ArrayLike, *, max_side: int = 128) -> np.ndarray:
    """The ink of a drawing or photo of paper, bright on black, with uneven light evened out.

    The background is taken as the median of the border: where it is lighter than the
    image's median, the ink is dark (a pen on paper) and the image is inverted. What is
    left of the background (a shadow, light falling off across a page) is estimated by a
    morphological opening (a minimum, then a maximum, over a window a third of the
    image's side, wider than any stroke) and subtracted, so only marks narrower than that
    window remain. Large images are first scaled down, keeping the aspect, so that their
    longer side is at most `max_side`.

    Args:
        image: `uint8` array of shape `(height, width)` or `(height, width, 3)`.
        max_side: `int` >= 8, the longer side the image is scaled down to first.
            Defaults to `128`.

    Returns:
        A `uint8` array `(height, width)` (after the scaling down), the ink bright on
        black, stretched so that its strongest ink is 255; all 0 when there is no ink.

    Raises:
        ValueError: If `image` is not a `uint8` greyscale or RGB image.

    Example:

    >>> paper = np.full((40, 40), 200, np.uint8); paper[10:30, 18:22] = 30
    >>> ink = ink_map(paper)
    >>> int(ink[20, 20]), int(ink[5, 5])
    (255, 0)
    """
    pixels = _check_uint8_image(image, channels=(3,))
    luma = to_grayscale(pixels)
    if max(luma.shape) > max_side:
        luma, _ = fit_within(luma, max_side=max_side)
    values = luma.astype(np.float32)
    border = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    if np.median(border) > np.median(values) or np.median(border) > 127:
        values = 255.0 - values
    window = max(3, min(values.shape) // 3)
    background = max_filter(_min_filter(values, window), window)
    ink = np.clip(values - background, 0, None)
    # The 99.5th percentile, not the maximum: one glint must not dim the whole digit.
    strongest = np.percentile(ink[ink > 0], 99.5) if np.any(ink > 0) else 0.0
    if strongest <= 8.0:  # nothing stands out of the paper by more than sensor noise
        return np.zeros(values.shape, np.uint8)
    return np.clip(np.rint(ink * (255.0 / strongest)), 0, 255).astype(np.uint8)


def _min_filter(values: np.ndarray, window: int) -> np.ndarray:
    return -max_filter(-values, window)


def max_filter(values: np.ndarray, window: int) -> np.ndarray:
    """The maximum over a `window` x `window` square around each pixel (edges repeated).

    Args:
        values: a 2-D array, any real dtype.
        window: `int` >= 1, the square's side.

    Returns:
        An array of the same shape and dtype.

    Example:

    >>> max_filter(np.array([[0, 0, 0], [0, 5, 0], [0, 0, 0]]), 2)[1:, 1:]
    array([[5, 5],
           [5, 5]])
    """
    before, after = window // 2, window - 1 - window // 2
    padded = np.pad(values, ((before, after), (0, 0)), mode="edge")
    rows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=0).max(axis=-1)
    padded = np.pad(rows, ((0, 0), (before, after)), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, window, axis=1).max(axis=-1)


def _check_uint8_image(image: ArrayLike, *, channels: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(
            "`image` must be uint8 pixels in [0, 255], as `decode_image` and `load_sample` "
            "return; for floats in [0, 1], pass `np.round(image * 255).astype(np.uint8)`. "
            f"Received: dtype={array.dtype}."
        )
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in channels)):
        allowed = " or ".join(f"(height, width, {count})" for count in channels)
        raise ValueError(
            f"`image` must have shape (height, width) or {allowed}. Received: shape {array.shape}."
        )
    if 0 in array.shape[:2]:
        raise ValueError(f"`image` has no pixels. Received: shape {array.shape}.")
    return array


def _check_croppable(image: ArrayLike) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim not in (2, 3):
        raise ValueError(
            "`image` must have shape (height, width) or (height, width, channels). "
            f"Received: shape {array.shape}."
        )
    return array


def _check_integer(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"`{name}` must be an integer. Received: {name}={value!r}.")
