"""The app's own font, Noto Sans SC, for pictures that Pillow draws.

The browser and Pillow read the same file: `static/fonts/` in the checkout, which
Streamlit serves at `app/static/fonts/` and names in `.streamlit/config.toml`. It is the
"chinese-simplified" file of npm's `@fontsource/noto-sans-sc` 5.3.0 (SIL Open Font
License 1.1, `static/fonts/OFL.txt`): 1.1 MB of WOFF2 holding 3,751 of GB2312's 3,755
common characters and more, CJK punctuation, and Latin letters and digits. Pillow's
wheels read WOFF2 (their FreeType is built with Brotli).
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from PIL import ImageFont

FONT_FAMILY = "Noto Sans SC"
"""The family the theme's `[[theme.fontFaces]]` gives the file, as CSS names it."""

FONT_PATH = (
    Path(__file__).resolve().parents[2]
    / "static"
    / "fonts"
    / "noto-sans-sc-chinese-simplified-400-normal.woff2"
)
"""Where the font file lies in a checkout (dlcore is installed from it in editable mode)."""


def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The app's font at `size` pixels, for `ImageDraw.text`.

    Falls back to Pillow's default font at the same size, with a warning, when the file
    is missing or unreadable (dlcore installed without its checkout): a picture still
    gets drawn, though Chinese then shows as boxes.

    Args:
        size: `int`, the font's size in pixels (its em square), at least 1.

    Returns:
        A Pillow font. Fonts of one size are shared: treat them as read-only.

    Raises:
        ValueError: if `size` is not a whole number of at least 1.

    Example:

    >>> from PIL import Image, ImageDraw
    >>> picture = Image.new("L", (64, 32), 255)
    >>> ImageDraw.Draw(picture).text((0, 0), "天气", font=load_font(28), fill=0)
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(
            f"`size` must be a whole number of pixels, at least 1. Received: size={size!r}."
        )
    return _load_font(size)


# A few dozen sizes at most are drawn; reading the file decompresses its 1.1 MB of WOFF2
# (80 ms here), too slow to repeat for every picture of a training set. Sharing a font
# between threads is safe: Pillow's FreeType calls hold the GIL (a per-font lock on
# free-threaded builds).
@functools.lru_cache(maxsize=64)
def _load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError as error:
        warnings.warn(
            f"The app's font {FONT_PATH.name} could not be read ({error}); drawing with "
            "Pillow's default font instead, which has no Chinese characters. A checkout "
            "has it under static/fonts/.",
            stacklevel=3,
        )
        return ImageFont.load_default(size=size)
