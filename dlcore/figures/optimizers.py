"""Plotly figures of optimizers and losses: paths on a loss surface, loss per step, loss curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from dlcore.concepts import losses, optimizers, surfaces
from dlcore.figures.style import apply_layout, log_axis

# One fixed colour per optimizer and per loss, so that a name keeps its colour across
# figures and reruns. These stand out against the grey surface.
OPTIMIZER_COLORS = {
    "sgd": "#1f77b4",
    "momentum": "#ff7f0e",
    "nesterov": "#2ca02c",
    "adagrad": "#d62728",
    "rmsprop": "#9467bd",
    "adam": "#8c564b",
    "adamw": "#e377c2",
}
# One dash style per optimizer as well: lines that overlap (Adam and AdamW follow the
# same path when the weight decay has little to act on) both stay visible.
OPTIMIZER_DASHES = {
    "sgd": "solid",
    "momentum": "dash",
    "nesterov": "dot",
    "adagrad": "dashdot",
    "rmsprop": "longdash",
    "adam": "solid",
    "adamw": "dash",
}
LOSS_COLORS = {
    "mse": "#1f77b4",
    "mae": "#ff7f0e",
    "huber": "#2ca02c",
    "binary_crossentropy": "#d62728",
    "categorical_crossentropy": "#9467bd",
}
SURFACE_COLORSCALE = [[0.0, "#ffffff"], [1.0, "#a6a6a6"]]
START_COLOR = "#000000"
MINIMUM_COLOR = "#f5c518"
TARGET_COLOR = "#7f7f7f"

MAX_LINE_WIDTH = 7
MIN_LINE_WIDTH = 2

LOG_LEVELS_RATIO = 100.0
"""Contour levels are spaced by log10(f) when f >= 0 and its maximum on the grid is at
least this many times its 5th percentile: otherwise the levels all crowd onto the walls
and the valley floor, where the optimizers travel, is one flat colour."""

GRADIENT_VIEW_LIMIT = 20.0
"""The gradient figure's y axis stops at ±this when a cross-entropy is drawn: at Keras'
clip, p = 1e-7, the gradient is 1e7 and would flatten every other curve. The traces keep
the full values."""


def trajectories_figure(
    surface_name: str, trajectories: Mapping[str, optimizers.Trajectory], *, n_points: int = 200
) -> go.Figure:
    """Draws optimizer paths over the contours of the surface they descend.

    Args:
        surface_name: One of `dlcore.concepts.surfaces.SURFACE_NAMES`.
        trajectories: Optimizer name to `Trajectory` on that surface, as
            `dlcore.concepts.optimizers.all_trajectories` returns them.
        n_points: `int` >= 2, grid samples along each axis for the contours.
            Defaults to `200`.

    Returns:
        A figure whose first trace is a contour of the surface: `x`, `y` the grid
        (`n_points` each) and `customdata` the float64 values f, shape
        `(n_points, n_points)`; `z` is f itself, or log10(f) (clipped below at a
        thousandth of f's 5th percentile) where f spans orders of magnitude. Then one
        `"lines+markers"` trace per optimizer, named by its title, `x` and `y` its
        points and `customdata` rows of (step, loss); then `"start"`, and `"minimum"` or
        `"saddle point"` where the surface has one. The axes show the surface's ranges,
        so a path that leaves them is cut off.

    Raises:
        ValueError: If the surface is unknown, `trajectories` is empty, or a trajectory
            is for another surface.

    Example:

    >>> paths = optimizers.all_trajectories(
    ...     "bowl", learning_rate=0.1, steps=20, optimizers=["adam"]
    ... )
    >>> [trace.name for trace in trajectories_figure("bowl", paths).data]
    ['f(x, y)', 'Adam', 'start', 'minimum']
    """
    surface = surfaces.get_surface(surface_name)
    _check_trajectories(trajectories, surface_name=surface_name)
    xs, ys, zs = surfaces.surface_grid(surface_name, n_points=n_points)

    figure = go.Figure()
    figure.add_trace(_surface_contour(xs, ys, zs))
    for path in trajectories.values():
        color = OPTIMIZER_COLORS[path.optimizer_name]
        title = optimizers.OPTIMIZERS[path.optimizer_name].title
        steps = np.arange(path.points.shape[0])
        figure.add_scatter(
            x=path.points[:, 0],
            y=path.points[:, 1],
            name=_path_label(path),
            mode="lines+markers",
            line={"color": color, "width": 2, "dash": OPTIMIZER_DASHES[path.optimizer_name]},
            marker={"color": color, "size": 4},
            customdata=np.column_stack([steps, path.losses]),
            hovertemplate=(
                f"<b>{title}</b><br>step %{{customdata[0]}}<br>"
                "x = %{x:.4g}, y = %{y:.4g}<br>f = %{customdata[1]:.4g}<extra></extra>"
            ),
        )
    start = next(iter(trajectories.values())).points[0]
    figure.add_scatter(
        x=[start[0]],
        y=[start[1]],
        name="start",
        mode="markers",
        marker={"color": START_COLOR, "size": 14, "symbol": "circle-open", "line": {"width": 3}},
    )
    for label, point in (("minimum", surface.minimum), ("saddle point", surface.saddle_point)):
        if point is not None:
            figure.add_scatter(
                x=[point[0]],
                y=[point[1]],
                name=label,
                mode="markers",
                marker={
                    "color": MINIMUM_COLOR,
                    "size": 18,
                    "symbol": "star",
                    "line": {"color": START_COLOR, "width": 1},
                },
            )
    apply_layout(
        figure,
        title=f"{surface.title}: {_run_description(trajectories)}",
        x_title="x",
        y_title="y",
    )
    figure.update_xaxes(range=list(surface.x_range), zeroline=False)
    figure.update_yaxes(range=list(surface.y_range), zeroline=False)
    return figure


def losses_over_steps_figure(trajectories: Mapping[str, optimizers.Trajectory]) -> go.Figure:
    """Draws each optimizer's loss f(x, y) against the step.

    Args:
        trajectories: Optimizer name to `Trajectory`, all on one surface.

    Returns:
        A figure with one line trace per optimizer, named by its title (plus where it
        stopped, if it diverged): `x` the steps 0, 1, ... and `y` its float64 losses.
        The y axis is logarithmic when every loss is > 0, linear otherwise (the saddle's
        losses go negative).

    Raises:
        ValueError: If `trajectories` is empty or mixes surfaces.

    Example:

    >>> paths = optimizers.all_trajectories(
    ...     "bowl", learning_rate=0.1, steps=20, optimizers=["sgd"]
    ... )
    >>> losses_over_steps_figure(paths).layout.yaxis.type
    'log'
    """
    _check_trajectories(trajectories)
    figure = go.Figure()
    for index, path in enumerate(trajectories.values()):
        figure.add_scatter(
            x=np.arange(path.losses.size),
            y=path.losses,
            name=_path_label(path),
            mode="lines",
            # Each line narrower than the one drawn before it, so that a later line
            # lying on an earlier one leaves the earlier one's edges showing.
            line={
                "color": OPTIMIZER_COLORS[path.optimizer_name],
                "dash": OPTIMIZER_DASHES[path.optimizer_name],
                "width": max(MIN_LINE_WIDTH, MAX_LINE_WIDTH - index),
            },
        )
    all_positive = all(np.all(path.losses > 0) for path in trajectories.values())
    surface_title = surfaces.SURFACES[next(iter(trajectories.values())).surface_name].title
    apply_layout(
        figure,
        title=f"Loss per step on {surface_title}",
        x_title="step",
        y_title="loss f(x, y)",
    )
    if all_positive:
        log_axis(figure, np.concatenate([path.losses for path in trajectories.values()]))
    else:
        figure.update_yaxes(type="linear")
    figure.update_layout(hovermode="x unified")
    return figure


def loss_curves_figure(
    names: Sequence[str],
    *,
    target: float,
    delta: float = 1.0,
    curve: str = "loss",
    n_points: int = 401,
) -> go.Figure:
    """Draws losses, or their gradients, against the prediction for one target.

    Each loss is drawn over its own `dlcore.concepts.losses.prediction_grid`: target ± 3 for the
    regression losses, [0, 1] (clipped as Keras clips it) for the cross-entropies.

    Args:
        names: Loss names from `dlcore.concepts.losses.LOSS_NAMES`, without repeats.
        target: `float`, the true value y; in [0, 1] if a cross-entropy is drawn.
        delta: `float` > 0, Huber's delta. Defaults to `1.0`.
        curve: `"loss"` to draw L(y, p), `"gradient"` to draw dL/dp. Defaults to
            `"loss"`.
        n_points: `int` >= 2, predictions per curve. Defaults to `401`.

    Returns:
        A figure with one line trace per loss, named by its title, `x` the predictions
        and `y` the float64 values of `dlcore.concepts.losses.loss_curve` (or
        `loss_gradient_curve`), and a dashed vertical line at p = target.

    Raises:
        ValueError: If `names` is empty, repeats or has an unknown name, `curve` is
            neither `"loss"` nor `"gradient"`, or `target` or `delta` is invalid.

    Example:

    >>> figure = loss_curves_figure(["mse", "mae"], target=0.0, n_points=5)
    >>> [trace.name for trace in figure.data]
    ['Mean squared error', 'Mean absolute error']
    """
    names = list(names)
    if not names or len(set(names)) != len(names):
        raise ValueError(
            f"`names` must name at least one loss, each at most once. Received: names={names!r}."
        )
    if curve not in ("loss", "gradient"):
        raise ValueError(f'`curve` must be "loss" or "gradient". Received: curve={curve!r}.')
    compute = losses.loss_curve if curve == "loss" else losses.loss_gradient_curve

    figure = go.Figure()
    for name in names:
        predictions = losses.prediction_grid(name, target=target, n_points=n_points)
        figure.add_scatter(
            x=predictions,
            y=compute(name, target=target, predictions=predictions, delta=delta),
            name=losses.LOSSES[name].title,
            mode="lines",
            # Categorical cross-entropy of [p, 1 - p] is binary cross-entropy: dashes
            # keep the curve underneath visible.
            line={
                "color": LOSS_COLORS[name],
                "width": 3,
                "dash": "dash" if name == "categorical_crossentropy" else "solid",
            },
        )
    figure.add_vline(
        x=target,
        line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"target y = {target:g}",
        # Inside the plot, where the losses are near their minimum: above it, the text
        # would run into the legend.
        annotation_position="top right",
    )
    if curve == "loss":
        title, y_title = f"Loss against the prediction, target y = {target:g}", "loss L(y, p)"
    else:
        title, y_title = f"Gradient of the loss, target y = {target:g}", "dL/dp"
    apply_layout(figure, title=title, x_title="prediction p", y_title=y_title)
    if curve == "gradient" and any(losses.LOSSES[name].takes_probabilities for name in names):
        figure.update_yaxes(range=[-GRADIENT_VIEW_LIMIT, GRADIENT_VIEW_LIMIT])
    return figure


def _surface_contour(xs: np.ndarray, ys: np.ndarray, zs: np.ndarray) -> go.Contour:
    colorbar = {"title": {"text": "f(x, y)"}}
    low_value = np.percentile(zs, 5)
    if zs.min() >= 0 and zs.max() >= LOG_LEVELS_RATIO * low_value:
        # log10 of 0 (at the minimum itself) is -inf: clip far below the valley floor.
        floor = max(low_value * 1e-3, np.finfo(np.float64).tiny)
        levels = np.log10(np.maximum(zs, floor))
        decades = np.arange(np.ceil(levels.min()), np.floor(levels.max()) + 1)
        colorbar.update(tickvals=decades, ticktext=[f"{10.0**decade:g}" for decade in decades])
    else:
        levels = zs
    return go.Contour(
        x=xs,
        y=ys,
        z=levels,
        customdata=zs,
        name="f(x, y)",
        colorscale=SURFACE_COLORSCALE,
        ncontours=30,
        line={"width": 0.5, "color": "#ffffff"},
        colorbar=colorbar,
        hovertemplate="x = %{x:.3g}, y = %{y:.3g}<br>f = %{customdata:.4g}<extra></extra>",
    )


def _path_label(path: optimizers.Trajectory) -> str:
    title = optimizers.OPTIMIZERS[path.optimizer_name].title
    return title if path.stopped_at is None else f"{title} (stopped at step {path.stopped_at})"


def _run_description(trajectories: Mapping[str, optimizers.Trajectory]) -> str:
    learning_rates = {path.learning_rate for path in trajectories.values()}
    steps = {path.steps for path in trajectories.values()}
    parts = []
    if len(learning_rates) == 1:
        parts.append(f"learning rate {learning_rates.pop():g}")
    if len(steps) == 1:
        parts.append(f"{steps.pop()} steps")
    return ", ".join(parts) or "optimizer paths"


def _check_trajectories(
    trajectories: Mapping[str, optimizers.Trajectory], *, surface_name: str | None = None
) -> None:
    if not trajectories:
        raise ValueError(
            "`trajectories` must hold at least one Trajectory, as "
            "dlcore.concepts.optimizers.all_trajectories returns them. Received: an empty mapping."
        )
    surface_names = {path.surface_name for path in trajectories.values()}
    expected = {surface_name} if surface_name is not None else surface_names
    if len(surface_names) != 1 or surface_names != expected:
        raise ValueError(
            "`trajectories` must all run on one surface"
            + (f", {surface_name!r}" if surface_name is not None else "")
            + f". Received: trajectories on {sorted(surface_names)}."
        )
