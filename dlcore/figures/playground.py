"""The Playground's pictures: the decision boundary with the points, and each neuron's map.

Colours follow TensorFlow Playground for two classes: orange for class 0 (or a negative
activation), blue for class 1 (or a positive one), white in between. With more classes each
class has its own colour, faded towards white where the model is unsure.

Both pictures are RGB arrays computed here with NumPy. At rest the page shows the boundary
as a Plotly image under the points (hover tells each point); while a model trains it shows
`boundary_picture`, the same picture with the points drawn in by Pillow, because a
browser swaps a picture many times a second but lays out a new Plotly chart about once a
second. The neurons are small pictures for the same reason.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from dlcore.data import toy2d
from dlcore.figures.style import LEGEND_ABOVE, title_layout

NEGATIVE_COLOR = np.array([245, 147, 34], dtype=np.float32)  # orange
POSITIVE_COLOR = np.array([8, 119, 189], dtype=np.float32)  # blue
WHITE = np.array([255, 255, 255], dtype=np.float32)
CLASS_COLORS = np.array(
    [[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75]],
    dtype=np.float32,
)
"""One colour per class, for up to 6 classes: the first two are Playground's."""
BOUNDARY_STRENGTH = 0.6
"""The share of a class's colour where the model is sure: a point on its own class's
ground must still show."""


def diverging_image(
    values: np.ndarray, *, limit: float = 1.0, full_strength: float = 1.0
) -> np.ndarray:
    """Colours values from -limit (orange) through 0 (white) to +limit (blue).

    Args:
        values: float array of shape `(height, width)`.
        limit: `float` > 0, the value drawn at full colour; larger values are clipped.
        full_strength: in (0, 1], how much colour +-limit gets (the rest is white).

    Returns:
        uint8 RGB of shape `(height, width, 3)`.
    """
    scaled = np.clip(np.asarray(values, dtype=np.float32) / limit, -1.0, 1.0)[..., None]
    color = np.where(scaled >= 0, POSITIVE_COLOR, NEGATIVE_COLOR)
    strength = np.abs(scaled) * full_strength
    return np.round(WHITE * (1 - strength) + color * strength).astype(np.uint8)


def boundary_image(probabilities: np.ndarray) -> np.ndarray:
    """Colours the model's output over the grid.

    Args:
        probabilities: shape `(g, g)`, the probability of class 1 (two classes), or
            `(g, g, n_classes)` for more; row i at x2 = grid[i].

    Returns:
        uint8 RGB of shape `(g, g, 3)`, in the same row order, paler than the points'
        colours (at most `BOUNDARY_STRENGTH` of them) so that the points stand out.
    """
    probabilities = np.asarray(probabilities, dtype=np.float32)
    if probabilities.ndim == 2:
        return diverging_image(2.0 * probabilities - 1.0, full_strength=BOUNDARY_STRENGTH)
    n_classes = probabilities.shape[-1]
    if n_classes > len(CLASS_COLORS):
        raise ValueError(
            f"Colours exist for up to {len(CLASS_COLORS)} classes. Received: {n_classes} classes."
        )
    winner = probabilities.argmax(axis=-1)
    # Confidence 0 when every class is equally likely, 1 when one class has it all.
    confidence = (probabilities.max(axis=-1) - 1 / n_classes) / (1 - 1 / n_classes)
    strength = np.clip(confidence, 0.0, 1.0)[..., None] * BOUNDARY_STRENGTH
    return np.round(WHITE * (1 - strength) + CLASS_COLORS[winner] * strength).astype(np.uint8)


def boundary_figure(
    grid: np.ndarray,
    probabilities: np.ndarray,
    *,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None = None,
    labels_test: np.ndarray | None = None,
) -> go.Figure:
    """The decision boundary under the training (and test) points.

    Args:
        grid: shape `(g,)`, the coordinates of the grid's rows and columns, evenly spaced.
        probabilities: as `boundary_image` takes them.
        points_train: shape `(n, 2)`, (x1, x2) in [-6, 6]; drawn filled with a white rim.
        labels_train: int, shape `(n,)`.
        points_test: shape `(m, 2)`, drawn with a dark rim, or None to hide them.
        labels_test: int, shape `(m,)`.

    Returns:
        A square figure over [-6, 6]^2.
    """
    step = float(grid[1] - grid[0])
    traces = [
        go.Image(
            z=boundary_image(probabilities),
            x0=float(grid[0]),
            dx=step,
            y0=float(grid[0]),
            dy=step,
            hoverinfo="skip",
        )
    ]
    sets = [("train", points_train, labels_train, "white")]
    if points_test is not None and labels_test is not None:
        sets.append(("test", points_test, labels_test, "#333333"))
    for name, points, labels, rim in sets:
        for label in np.unique(labels):
            chosen = labels == label
            traces.append(
                go.Scatter(
                    x=points[chosen, 0],
                    y=points[chosen, 1],
                    mode="markers",
                    name=f"class {label} ({name})",
                    marker={
                        "color": f"rgb{tuple(int(v) for v in CLASS_COLORS[label])}",
                        "size": 7,
                        "line": {"color": rim, "width": 1},
                    },
                    hovertemplate=f"class {label}, {name}<br>"
                    "(%{x:.2f}, %{y:.2f})<extra></extra>",
                )
            )
    extent = [-toy2d.EXTENT, toy2d.EXTENT]
    # Built in one call: `add_trace` and `update_*axes` validate the whole figure again
    # each time (about 100 ms in all), and this figure is redrawn while a model trains.
    return go.Figure(
        traces,
        {
            "title": title_layout("Decision boundary", font_size=14),
            "font": {"size": 14},
            "height": 490,
            # Room above the plot for the title and, under it, the legend.
            "margin": {"t": 90, "b": 50, "l": 40, "r": 10},
            "legend": LEGEND_ABOVE,
            "xaxis": {
                "range": extent,
                "title": {"text": "x1"},
                "showgrid": False,
                "zeroline": False,
            },
            # An image trace turns its y axis upside down; x2 grows upwards here, as in a plot.
            "yaxis": {
                "range": extent,
                "autorange": False,
                "title": {"text": "x2"},
                "showgrid": False,
                "zeroline": False,
                "scaleanchor": "x",
                # Where the figure is taller than wide, the square plot sits under the
                # legend, not in the middle of the room left.
                "constrain": "domain",
                "constraintoward": "top",
            },
        },
    )


def boundary_picture(
    probabilities: np.ndarray,
    *,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None = None,
    labels_test: np.ndarray | None = None,
    size: int = 360,
) -> np.ndarray:
    """The boundary with the points drawn in, as one picture: what the page shows live.

    The same colours and marks as `boundary_figure` (filled points with a white rim for
    training, a dark rim for test), over [-6, 6]^2 with x2 growing upwards.

    Args:
        probabilities: as `boundary_image` takes them, on a grid spanning [-6, 6]^2.
        points_train: shape `(n, 2)`, (x1, x2) in [-6, 6].
        labels_train: int, shape `(n,)`.
        points_test: shape `(m, 2)`, or None to leave them out.
        labels_test: int, shape `(m,)`.
        size: the picture's side in pixels.

    Returns:
        uint8 RGB of shape `(size, size, 3)`.
    """
    # Row 0 of the grid is x2 = -6, which a picture draws at the top: flip it.
    background = Image.fromarray(boundary_image(probabilities)[::-1])
    picture = background.resize((size, size), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(picture)
    radius = max(2.0, size / 110)
    sets = [(points_train, labels_train, (255, 255, 255))]
    if points_test is not None and labels_test is not None:
        sets.append((points_test, labels_test, (51, 51, 51)))
    for points, labels, rim in sets:
        # The point's centre in pixels: x1 = -6 at the left edge, x2 = +6 at the top.
        columns = (np.asarray(points[:, 0]) + toy2d.EXTENT) / (2 * toy2d.EXTENT) * size
        rows = (toy2d.EXTENT - np.asarray(points[:, 1])) / (2 * toy2d.EXTENT) * size
        for column, row, label in zip(columns, rows, labels, strict=True):
            draw.ellipse(
                (column - radius, row - radius, column + radius, row + radius),
                fill=tuple(int(value) for value in CLASS_COLORS[label]),
                outline=rim,
            )
    return np.asarray(picture)


def neuron_images(neurons: list[np.ndarray], *, activation: str) -> list[list[np.ndarray]]:
    """One picture per hidden neuron, layer by layer, top row at x2 = +6.

    Args:
        neurons: one array per hidden layer, shape `(units, g, g)`, as in a
            `BoundarySnapshot`.
        activation: the hidden activation's Keras name: tanh lies in [-1, 1] and is drawn
            on that scale; any other activation is drawn on the layer's largest magnitude.

    Returns:
        For each layer, a list of uint8 RGB arrays of shape `(g, g, 3)`.
    """
    pictures = []
    for layer in neurons:
        limit = 1.0 if activation == "tanh" else max(float(np.abs(layer).max()), 1e-6)
        pictures.append([diverging_image(neuron[::-1], limit=limit) for neuron in layer])
    return pictures


def neuron_strip(pictures: list[np.ndarray], *, gap: int = 6) -> np.ndarray:
    """A layer's neuron pictures side by side on white, first neuron on the left.

    One picture per layer, not one per neuron: each picture the page shows is a file the
    browser fetches, and while a model trains they are fetched several times a second.

    Args:
        pictures: uint8 RGB arrays of the same shape `(g, g, 3)`, as `neuron_images` gives
            for one layer.
        gap: white pixels between two neighbours.

    Returns:
        uint8 RGB of shape `(g, n * g + (n - 1) * gap, 3)` for `n` pictures.
    """
    side = pictures[0].shape[0]
    strip = np.full((side, len(pictures) * (side + gap) - gap, 3), 255, dtype=np.uint8)
    for index, picture in enumerate(pictures):
        left = index * (side + gap)
        strip[:, left : left + side] = picture
    return strip
