"""Pictures of what an image model sees: its input step by step, and where it looked.

`image_row_figure` lays images of different sizes side by side, each on its own pixel
grid, so that an 8x8 model input shows its 64 pixels next to the photo it came from.
`preparation_figure` draws the steps of `dlcore.preprocess.prepare_with_steps`;
`explanation_figure` lays Grad-CAM and saliency maps over the image the model saw, in
the colours of `dlcore.explain.gradcam.overlay`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from PIL import Image
from plotly.subplots import make_subplots

from dlcore.explain.gradcam import overlay
from dlcore.figures.style import CAPTION_FONT_SIZE, PICTURE_AXES, apply_layout
from dlcore.preprocess import Preparation

DISPLAY_SIDE = 224
"""The side, in pixels, that `explanation_figure` scales the square to before laying maps
over it: small inputs are enlarged (each pixel a sharp block), large ones reduced."""

ROW_CAPTION_CHARACTERS = 110
"""Characters of caption that fit across a whole row at the page's width: each panel's
caption wraps at its share of them, so that a long one does not run into its neighbour."""

CAPTION_LINE_PIXELS = 16
"""Height a figure grows by for each extra line its longest caption wraps onto."""


def image_row_figure(
    images: Sequence[ArrayLike], captions: Sequence[str], *, title: str, height: int = 300
) -> go.Figure:
    """Images side by side, each at its own size, with a caption above each.

    Args:
        images: each uint8 `(h, w)` or `(h, w, 3)`, or float `(h, w)`, `(h, w, 1)` or
            `(h, w, 3)` in [0, 1]; sizes may differ.
        captions: one caption per image.
        title: the figure's title.
        height: the figure's height in pixels. Defaults to 300.

    Returns:
        One row of panels, each drawing its image pixel for pixel (no smoothing), with
        square pixels and the image's own row and column in the hover text. A caption
        longer than its panel's share of `ROW_CAPTION_CHARACTERS` wraps onto more lines.
    """
    if len(images) != len(captions) or not images:
        raise ValueError(
            "Expected at least one image and one caption per image. "
            f"Received: {len(images)} images, {len(captions)} captions."
        )
    panel_characters = max(12, ROW_CAPTION_CHARACTERS // len(images))
    wrapped = ["<br>".join(textwrap.wrap(caption, panel_characters)) for caption in captions]
    extra_lines = max(text.count("<br>") for text in wrapped)
    figure = make_subplots(
        rows=1, cols=len(images), subplot_titles=wrapped, horizontal_spacing=0.03
    )
    for index, image in enumerate(images):
        figure.add_trace(
            go.Image(
                z=_as_rgb_uint8(image),
                hovertemplate="row %{y}, column %{x}<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
        axis_number = "" if index == 0 else str(index + 1)
        figure.update_yaxes(scaleanchor=f"x{axis_number}", row=1, col=index + 1)
    figure.update_annotations(font_size=CAPTION_FONT_SIZE)
    # Taller by the captions' extra lines, so that the images keep their size; the
    # style makes room above for the title and the captions' lines.
    figure.update_layout(height=height + CAPTION_LINE_PIXELS * extra_lines, showlegend=False)
    apply_layout(figure, title=title, font_size=14)
    figure.update_xaxes(**PICTURE_AXES)
    figure.update_yaxes(**PICTURE_AXES)
    figure.update_layout(margin={"b": 10})
    return figure


def preparation_figure(
    preparation: Preparation, *, title: str = "What the model sees"
) -> go.Figure:
    """The steps from a person's image to the model input, left to right.

    Args:
        preparation: from `dlcore.preprocess.prepare_with_steps`.
        title: the figure's title.

    Returns:
        One panel per step, captioned with what the step did.
    """
    return image_row_figure(
        [step.pixels for step in preparation.steps],
        [step.caption for step in preparation.steps],
        title=title,
    )


def explanation_figure(
    square: ArrayLike,
    heatmaps: Mapping[str, ArrayLike],
    *,
    title: str = "Where the model looked",
    alpha: float = 0.5,
) -> go.Figure:
    """The image the model saw, then each heatmap laid over it.

    The square is scaled to `DISPLAY_SIDE` pixels first (enlarged with sharp pixel
    blocks, or reduced by averaging), so that coarse maps blend smoothly over it.

    Args:
        square: uint8 `(side, side)` or `(side, side, 3)`: the square the model input
            was resized from (`Preparation.square`).
        heatmaps: caption -> float `(h, w)` map in [0, 1], e.g. {"Grad-CAM": ...,
            "Saliency": ...}.
        title: the figure's title.
        alpha: the heatmaps' share of each pixel, as `dlcore.explain.gradcam.overlay` takes it.

    Returns:
        A row of `1 + len(heatmaps)` panels: "Image", then one per heatmap.
    """
    shown = display_square(square)
    panels = [shown] + [overlay(shown, heatmap, alpha=alpha) for heatmap in heatmaps.values()]
    return image_row_figure(panels, ["Image", *heatmaps], title=title)


def display_square(square: ArrayLike) -> np.ndarray:
    """A square image scaled to `DISPLAY_SIDE` pixels: small ones enlarged with sharp
    pixel blocks (a browser would blur them), large ones reduced by averaging.

    Args:
        square: uint8 `(side, side)` or `(side, side, 3)`.

    Returns:
        uint8, `(DISPLAY_SIDE, DISPLAY_SIDE)` or `(DISPLAY_SIDE, DISPLAY_SIDE, 3)`.
    """
    square = np.asarray(square)
    picture = Image.fromarray(square)
    side = max(square.shape[:2])
    resample = Image.Resampling.NEAREST if side < DISPLAY_SIDE else Image.Resampling.BOX
    return np.asarray(picture.resize((DISPLAY_SIDE, DISPLAY_SIDE), resample))


def _as_rgb_uint8(image: ArrayLike) -> np.ndarray:
    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ValueError(
            f"Expected an image of shape (h, w), (h, w, 1) or (h, w, 3). Received: {pixels.shape}."
        )
    if pixels.dtype != np.uint8:
        pixels = np.round(np.clip(pixels.astype(np.float64), 0, 1) * 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., np.newaxis], 3, axis=2)
    return pixels
