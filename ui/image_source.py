"""Choosing an image on a page: a bundled sample, an upload or a camera snapshot.

A bad file never breaks the page: its problem is shown, in words, and the page goes on
with the sample, so every setting the person had stays as it was.
"""

import dataclasses

import numpy as np
import streamlit as st

from dlcore.data.sample_images import SAMPLE_IMAGES, load_sample
from dlcore.media.images import ImageDecodeError, decode_image, fit_within
from ui.settings import PageSettings

SOURCES = ("Sample", "Upload", "Camera")
# The fewest pixels on the short side, once scaled to fit: the concept pages follow a
# window of up to 8x8 pixels across the image, and a thinner strip shows nothing.
MIN_SIDE = 16
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]


@dataclasses.dataclass(frozen=True, eq=False)
class ChosenImage:
    """The image a page works on.

    Attributes:
        pixels: `uint8` array, `(height, width, 3)` in colour or `(height, width)` in grey.
        label: where it came from, e.g. "sample: astronaut" or "upload: cat.png".
        notes: sentences about what was done to it (scaled down, rotated upright, ...).
    """

    pixels: np.ndarray
    label: str
    notes: tuple[str, ...]


@st.cache_data(max_entries=8, show_spinner=False)
def _decode(data: bytes, color: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    decoded = decode_image(data, color=color)
    return decoded.pixels, decoded.notes


def choose_image(
    settings: PageSettings, *, default_sample: str = "astronaut", max_side: int = 512
) -> ChosenImage:
    """Draw the image choice (source, sample, upload or camera, colour) and return the image.

    Args:
        settings: the page's URL-bound settings; the source, sample and colour go in the URL.
        default_sample: the sample shown first.
        max_side: images are scaled down to at most this many pixels on the longer side.
    """
    source = st.radio("Image", SOURCES, horizontal=True, **settings.bind("source"))
    color = st.toggle("Colour", value=True, **settings.bind("color"))
    sample = st.selectbox(
        "Sample",
        list(SAMPLE_IMAGES),
        index=list(SAMPLE_IMAGES).index(default_sample),
        format_func=str.capitalize,
        help="Bundled photos from scikit-image and scikit-learn; they work offline.",
        **settings.bind("sample"),
    )
    uploaded = None
    if source == "Upload":
        uploaded = st.file_uploader(
            "Upload an image", type=UPLOAD_TYPES, key=settings.key("upload")
        )
    elif source == "Camera":
        uploaded = st.camera_input("Take a picture", key=settings.key("camera"))

    notes: list[str] = []
    label = f"sample: {sample}"
    pixels = None
    if uploaded is not None:
        try:
            pixels, decode_notes = _decode(uploaded.getvalue(), color)
            label = f"{source.lower()}: {uploaded.name}"
            notes += decode_notes
        except ImageDecodeError as error:
            st.error(f"{error} Showing the sample meanwhile.", icon=":material/broken_image:")
        else:
            scaled, _ = fit_within(pixels, max_side=max_side)
            if min(scaled.shape[:2]) < MIN_SIDE:
                height, width = pixels.shape[:2]
                st.error(
                    f"This image is {width}×{height} pixels: shown at most {max_side} pixels "
                    f"wide, its short side would be under {MIN_SIDE} pixels, too small to "
                    "follow a window across. Choose a larger image, closer to square. "
                    "Showing the sample meanwhile.",
                    icon=":material/photo_size_select_small:",
                )
                pixels, label, notes = None, f"sample: {sample}", []
    elif source != "Sample":
        st.caption(f"No {source.lower()} image yet: showing the sample meanwhile.")
    if pixels is None:
        pixels = load_sample(sample, color=color)
    pixels, scaled_note = fit_within(pixels, max_side=max_side)
    if scaled_note:
        notes.append(scaled_note)
    return ChosenImage(pixels, label, tuple(notes))
