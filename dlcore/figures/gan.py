"""Plotly figures of the GAN page: real and generated points over the discriminator's map,
and the losses and the distance to the target as training goes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout

REAL_COLOR = "#2ca02c"
GENERATED_COLOR = "#9467bd"
GENERATOR_COLOR = "#9467bd"
DISCRIMINATOR_COLOR = "#ff7f0e"
DISTANCE_COLOR = "#1f77b4"
COVERAGE_COLOR = "#d62728"
# Fake (0) in light purple to real (1) in light green, pale enough that points stand out.
MAP_COLORSCALE = [[0.0, "#e7dff2"], [0.5, "#ffffff"], [1.0, "#dcefd9"]]


def gan_figure(
    real: ArrayLike,
    generated: ArrayLike,
    grid: ArrayLike,
    discriminator_map: ArrayLike,
    *,
    title: str = "Real and generated points",
) -> go.Figure:
    """Real and generated points over the discriminator's map, as GAN Lab draws them.

    Args:
        real: the target's points, shape `(n_real, 2)`.
        generated: the generator's points, shape `(n_generated, 2)`.
        grid: the map's coordinates on both axes, shape `(grid_size,)`, increasing.
        discriminator_map: the discriminator's probability of "real", shape
            `(grid_size, grid_size)` in [0, 1]; row i at x2 = `grid[i]`, column j at
            x1 = `grid[j]`, as `dlcore.trainers.gan.discriminator_map` returns it.
        title: the figure's title.

    Returns:
        A figure with a heatmap "discriminator: P(real)" (`x` = `y` = `grid`, `z` the map,
        0 to 1), then the scatters "real" and "generated" (`x`, `y` the points'
        coordinates). Both axes cover the grid with the same scale, so circles stay round.

    Raises:
        ValueError: If a shape does not match.
    """
    real = _points("real", real)
    generated = _points("generated", generated)
    grid = np.asarray(grid, dtype=np.float64)
    probabilities = np.asarray(discriminator_map, dtype=np.float64)
    if grid.ndim != 1 or probabilities.shape != (len(grid), len(grid)):
        raise ValueError(
            "Expected a grid of shape (grid_size,) and a map of shape (grid_size, grid_size). "
            f"Received: grid {grid.shape}, map {probabilities.shape}."
        )
    figure = go.Figure()
    figure.add_heatmap(
        x=grid,
        y=grid,
        z=probabilities,
        zmin=0.0,
        zmax=1.0,
        colorscale=MAP_COLORSCALE,
        name="discriminator: P(real)",
        colorbar={"title": {"text": "P(real)"}, "len": 0.8},
        hovertemplate="x1 = %{x:.2f}, x2 = %{y:.2f}<br>P(real) = %{z:.2f}<extra></extra>",
    )
    for name, points, color in (
        ("real", real, REAL_COLOR),
        ("generated", generated, GENERATED_COLOR),
    ):
        figure.add_scatter(
            x=points[:, 0],
            y=points[:, 1],
            name=name,
            mode="markers",
            marker={"color": color, "size": 4, "opacity": 0.7},
            hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
        )
    figure.update_layout(height=520)
    apply_layout(figure, title=title, x_title="x1", y_title="x2")
    extent = [float(grid[0]), float(grid[-1])]
    figure.update_xaxes(range=extent, zeroline=False, constrain="domain")
    # A square plot: the axis with room to spare gives it up (its domain shrinks) rather
    # than stretching its range past the map, and the plot stays under the legend.
    figure.update_yaxes(
        range=extent,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        constraintoward="top",
    )
    return figure


def progress_figure(
    steps: Sequence[int],
    generator_loss: Sequence[float],
    discriminator_loss: Sequence[float],
    distance: Sequence[float],
    coverage: Sequence[float | None] | None = None,
) -> go.Figure:
    """The two losses (left) and the distance to the target with mode coverage (right).

    Args:
        steps: the training step of each report.
        generator_loss: the generator's loss at each report.
        discriminator_loss: the discriminator's loss at each report.
        distance: the sliced Wasserstein distance to the target at each report (>= 0;
            lower is closer).
        coverage: the share of the target's modes reached at each report, in [0, 1];
            None (or all None) for a target without modes.

    Returns:
        A figure with two panels: lines "generator loss" and "discriminator loss" on the
        left (y axis "loss"); on the right "distance to target" (y axis "sliced
        Wasserstein distance") and, when given, "modes covered (%)" on a second y axis
        at the right, titled "modes covered (%)", from 0 to 100.

    Raises:
        ValueError: If the sequences differ in length.
    """
    series = {
        "generator_loss": generator_loss,
        "discriminator_loss": discriminator_loss,
        "distance": distance,
    }
    if coverage is not None:
        series["coverage"] = coverage
    if any(len(values) != len(steps) for values in series.values()):
        lengths = {name: len(values) for name, values in series.items()}
        raise ValueError(
            f"Expected one value per report. Received: {len(steps)} steps and {lengths}."
        )
    show_coverage = coverage is not None and any(value is not None for value in coverage)
    figure = make_subplots(
        rows=1,
        cols=2,
        # Wide enough between the panels for the right one's y axis title.
        horizontal_spacing=0.22,
        specs=[[{}, {"secondary_y": show_coverage}]],
    )
    x = list(steps)
    for name, values, color in (
        ("generator loss", generator_loss, GENERATOR_COLOR),
        ("discriminator loss", discriminator_loss, DISCRIMINATOR_COLOR),
    ):
        figure.add_trace(
            go.Scatter(x=x, y=list(values), name=name, mode="lines", line={"color": color}),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=list(distance),
            name="distance to target",
            mode="lines",
            line={"color": DISTANCE_COLOR},
            hovertemplate="step %{x}: %{y:.3f}<extra>distance</extra>",
        ),
        row=1,
        col=2,
        secondary_y=False if show_coverage else None,
    )
    if show_coverage:
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[None if value is None else 100.0 * value for value in coverage],
                name="modes covered (%)",
                mode="lines",
                line={"color": COVERAGE_COLOR, "dash": "dot"},
                hovertemplate="step %{x}: %{y:.0f} %<extra>modes covered</extra>",
            ),
            row=1,
            col=2,
            secondary_y=True,
        )
    figure.update_layout(height=380)
    apply_layout(figure, title="Losses and the distance to the target", x_title="step")
    figure.update_xaxes(rangemode="tozero")
    figure.update_yaxes(title_text="loss", row=1, col=1)
    # Each axis titled for what it carries: on the right panel the distance on the left
    # side and, on its own axis at the right, the share of modes covered.
    if show_coverage:
        figure.update_yaxes(
            title_text="sliced Wasserstein distance",
            rangemode="tozero",
            row=1,
            col=2,
            secondary_y=False,
        )
        figure.update_yaxes(
            title_text="modes covered (%)",
            range=[0, 105],
            tickvals=[0, 25, 50, 75, 100],
            showgrid=False,
            row=1,
            col=2,
            secondary_y=True,
        )
    else:
        figure.update_yaxes(
            title_text="sliced Wasserstein distance", rangemode="tozero", row=1, col=2
        )
    return figure


def _points(name: str, points: ArrayLike) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"`{name}` must be points of shape (n, 2). Received: shape {array.shape}.")
    return array


def snapshot_figure(real: ArrayLike, snapshot: Any, *, title: str) -> go.Figure:
    """`gan_figure` of a `dlcore.trainers.gan.GANSnapshot`: its generated points and its
    discriminator's map, over the real points `(n_real, 2)`."""
    return gan_figure(
        real, snapshot.generated, snapshot.grid, snapshot.discriminator_map, title=title
    )


def history_progress_figure(history: Any) -> go.Figure:
    """`progress_figure` of a GAN's `dlcore.training.history.History` (counted in steps), with
    its "generator_loss", "discriminator_loss", "val_sliced_wasserstein" and, for a target
    with modes, "val_modes_covered"."""
    metrics = history.metrics
    return progress_figure(
        history.epochs,
        metrics["generator_loss"],
        metrics["discriminator_loss"],
        metrics["val_sliced_wasserstein"],
        metrics.get("val_modes_covered"),
    )
