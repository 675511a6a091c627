"""Pictures of what a CNN learned: first-layer filters, feature maps, example images.

The builders take the arrays that `dlcore.trainers.cnn` returns (`first_layer_filters`,
`feature_maps`, `misclassified`, `augment`) and draw them with
`dlcore.figures.training.image_grid_figure`, except greyscale filters, whose weights have
a sign and are drawn on a diverging scale centred on 0, and feature maps, each stretched
over its own range; both keep one colour bar in the same grid
(`dlcore.figures.training.panel_grid_figure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.figures.style import human_label
from dlcore.figures.training import image_grid_figure, panel_grid_figure

FILTER_COLORSCALE = "RdBu"
"""Greyscale filters: blue for negative weights, white for 0, red for positive (reversed)."""
MAP_COLORSCALE = "Viridis"


def filters_figure(
    filters: ArrayLike, *, title: str = "First-layer filters", n_columns: int = 8
) -> go.Figure:
    """The kernels of the first convolution, one small picture per filter.

    Greyscale kernels (one input channel) are heatmaps centred on 0, each scaled to its
    own largest weight, with the weight in each cell's hover text. RGB kernels are drawn
    as colour images, each stretched from its smallest to its largest weight, the usual
    way to show what colour and edge a filter responds to.

    Args:
        filters: float, shape `(n_filters, kernel_size, kernel_size, channels)` with 1 or 3
            channels, as `dlcore.trainers.cnn.first_layer_filters` returns them.
        title: the figure's title.
        n_columns: pictures per row. Defaults to 8.

    Returns:
        A grid of `n_filters` pictures captioned "filter 1", "filter 2", ...; greyscale
        ones as heatmaps of the weights, each from minus to plus its own largest
        magnitude, with one colour bar from "−largest" to "+largest".
    """
    kernels = np.asarray(filters, dtype=np.float64)
    if kernels.ndim != 4 or kernels.shape[-1] not in (1, 3) or len(kernels) == 0:
        raise ValueError(
            "Expected filters of shape (n_filters, kernel_size, kernel_size, 1 or 3). "
            f"Received: shape {kernels.shape}."
        )
    captions = [f"filter {index + 1}" for index in range(len(kernels))]
    if kernels.shape[-1] == 3:
        low = kernels.min(axis=(1, 2, 3), keepdims=True)
        spread = kernels.max(axis=(1, 2, 3), keepdims=True) - low
        stretched = np.divide(
            kernels - low, spread, out=np.full(kernels.shape, 0.5), where=spread > 0
        )
        return image_grid_figure(stretched, captions, title=title, n_columns=n_columns)
    traces = []
    for index, weight in enumerate(kernels[..., 0]):
        largest = float(np.abs(weight).max()) or 1.0
        traces.append(
            go.Heatmap(
                z=weight,
                zmin=-largest,
                zmax=largest,
                colorscale=FILTER_COLORSCALE,
                reversescale=True,
                # One colour bar serves every filter, each drawn on its own scale: its
                # ticks name the ends of a scale, not one filter's numbers.
                showscale=index == 0,
                colorbar=_own_scale_colorbar(
                    "weight",
                    tickvals=[-largest, 0.0, largest],
                    ticktext=["−largest", "0", "+largest"],
                ),
                hovertemplate="row %{y}, column %{x}: weight %{z:.3f}<extra></extra>",
            )
        )
    return panel_grid_figure(traces, captions, title=title, n_columns=n_columns)


def feature_maps_figure(
    layer_name: str, maps: ArrayLike, *, max_maps: int = 16, n_columns: int = 8
) -> go.Figure:
    """One layer's feature maps for one image, each scaled to its own range.

    Args:
        layer_name: the layer's name, e.g. "relu_1", for the title.
        maps: float, shape `(height, width, n_maps)`, as `dlcore.trainers.cnn.feature_maps` returns.
        max_maps: draw at most this many maps, the first ones. Defaults to 16.
        n_columns: pictures per row. Defaults to 8.

    Returns:
        A grid of `min(n_maps, max_maps)` heatmaps captioned "map 1", "map 2", ...,
        `z` the map's values, each coloured from its own lowest to its highest value
        (`zmin`, `zmax`); one colour bar from "lowest" to "highest".
    """
    values = np.asarray(maps, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(
            f"Expected maps of shape (height, width, n_maps). Received: shape {values.shape}."
        )
    height, width, n_maps = values.shape
    shown = np.moveaxis(values, -1, 0)[:max_maps]
    title = f"{layer_name}: {n_maps} maps of {height}x{width}"
    if n_maps > len(shown):
        title += f" (the first {len(shown)})"
    captions = [f"map {index + 1}" for index in range(len(shown))]
    traces = []
    for index, feature_map in enumerate(shown):
        low, high = float(feature_map.min()), float(feature_map.max())
        traces.append(
            go.Heatmap(
                z=feature_map,
                zmin=low,
                zmax=high if high > low else low + 1.0,
                colorscale=MAP_COLORSCALE,
                showscale=index == 0,
                colorbar=_own_scale_colorbar(
                    "activation", tickvals=[low, high], ticktext=["lowest", "highest"]
                ),
                hovertemplate="row %{y}, column %{x}: %{z:.3f}<extra></extra>",
            )
        )
    return panel_grid_figure(traces, captions, title=title, n_columns=n_columns)


def images_figure(
    images: ArrayLike, captions: Sequence[str], *, title: str, n_columns: int = 8
) -> go.Figure:
    """Images with values in [0, 1], greyscale or RGB, drawn as they are (0 black, 1 white).

    Args:
        images: float, shape `(n, height, width, 1)` or `(n, height, width, 3)`, in [0, 1].
        captions: one caption per image.
        title: the figure's title.
        n_columns: images per row. Defaults to 8.

    Returns:
        A grid of the `n` images.
    """
    pictures = np.asarray(images, dtype=np.float64)
    if pictures.ndim != 4 or pictures.shape[-1] not in (1, 3):
        raise ValueError(
            "Expected images of shape (n, height, width, 1 or 3). "
            f"Received: shape {pictures.shape}."
        )
    if pictures.shape[-1] == 1:
        # As RGB, so that every image keeps the fixed range [0, 1] instead of its own.
        pictures = np.repeat(pictures, 3, axis=-1)
    return image_grid_figure(pictures, captions, title=title, n_columns=n_columns)


def misclassified_figure(
    images: ArrayLike,
    true: Sequence[int],
    predicted: Sequence[int],
    confidence: Sequence[float],
    labels: Sequence[str],
    *,
    n_columns: int = 8,
) -> go.Figure:
    """Held-out images the model got wrong, captioned "true → predicted" over "(confidence)".

    Args:
        images: float, shape `(n, height, width, 1 or 3)`, in [0, 1]: the wrong images.
        true: the `n` true class indices.
        predicted: the `n` predicted class indices.
        confidence: the `n` probabilities of the predicted classes, in [0, 1].
        labels: the class names, shown as words ("t_shirt" as "t shirt").
        n_columns: images per row. Defaults to 8.

    Returns:
        A grid of the `n` images, or an empty figure that says so when `n` is 0.
    """
    if len(true) == 0:
        figure = go.Figure()
        figure.update_layout(
            title="Misclassified test images: none",
            font={"size": 14},
            height=160,
            xaxis={"visible": False},
            yaxis={"visible": False},
        )
        return figure
    captions = [
        # Two short lines: a caption as wide as its picture reads at a larger size.
        f"{human_label(labels[actual])} → {human_label(labels[guess])}<br>({share:.0%})"
        for actual, guess, share in zip(true, predicted, confidence, strict=True)
    ]
    return images_figure(
        images,
        captions,
        title="Misclassified test images: true → predicted (confidence)",
        n_columns=n_columns,
    )


def prediction_figure(
    image: ArrayLike, probabilities: ArrayLike, *, true_label: str, labels: Sequence[str]
) -> go.Figure:
    """One image, captioned with its true class and titled with the model's guess.

    Args:
        image: float, shape `(height, width, 1 or 3)`, in [0, 1].
        probabilities: the model's class probabilities for it, shape `(n_classes,)`.
        true_label: the image's true class name.
        labels: the class names, in the model's output order.

    Returns:
        `images_figure` of the one image, titled "Predicted: <class> (<probability>)".
    """
    probabilities = np.asarray(probabilities)
    guess = int(probabilities.argmax())
    return images_figure(
        np.asarray(image)[None],
        [f"true {true_label}"],
        title=f"Predicted: {labels[guess]} ({probabilities[guess]:.0%})",
    )


def _own_scale_colorbar(quantity: str, *, tickvals: list[float], ticktext: list[str]) -> dict:
    """A colour bar for pictures that are each drawn on their own scale: its ticks name
    the ends of a scale ("lowest", "+largest"), not one picture's numbers. Its title runs
    along the bar, leaving a one-row grid's short bar its height for the ticks."""
    return {
        "title": {"text": quantity, "side": "right"},
        "tickvals": tickvals,
        "ticktext": ticktext,
        "thickness": 14,
        "len": 1.0,
    }
