"""Plotly figures of batch norm: one batch before and after, the moving averages, batch size."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.concepts.batch_norm import BatchNormResult, BatchSizeEffect, MovingAverages
from dlcore.figures.style import apply_layout, count_axis

INPUT_COLOR = "#1f77b4"
OUTPUT_COLOR = "#2ca02c"
STATISTIC_COLOR = "#d62728"
MOVING_COLOR = "#ff7f0e"
BATCH_COLOR = "#9a9a9a"
TRUE_COLOR = "#000000"
BAND_COLOR = "rgba(31, 119, 180, 0.2)"


def feature_label(index: int) -> str:
    """A feature as a person counts it: index 0 is "feature 1"."""
    return f"feature {index + 1}"


def batch_figure(result: BatchNormResult) -> go.Figure:
    """Each feature's values before batch norm (left) and after it (right), one dot a sample.

    Before, the features sit on their own scales; after, each is centred on its beta
    and spread by its gamma. The statistics used are marked: the batch's own in
    training, the moving averages at inference (which need not centre this batch).

    Args:
        result: A `BatchNormResult` from `dlcore.concepts.batch_norm`.

    Returns:
        A figure with two panels and four traces: `"input x"` and `"mean used"` on the
        left, `"output y"` and `"beta"` on the right. The dots' `x` are feature labels
        (`"feature 1"`, ...), sample by sample (row-major, as `result.batch.ravel()`),
        their `y` the values; `customdata` the sample numbers, counted from 1.

    Example:

    >>> from dlcore.concepts.batch_norm import batch_norm_training
    >>> figure = batch_figure(batch_norm_training([[1.0, 10.0], [3.0, 30.0]]))
    >>> [trace.name for trace in figure.data]
    ['input x', 'mean used', 'output y', 'beta']
    """
    n_samples, n_features = result.batch.shape
    labels = [feature_label(index) for index in range(n_features)]
    dot_labels = labels * n_samples
    samples = np.repeat(np.arange(1, n_samples + 1), n_features)
    statistics = "the batch's statistics" if result.training else "the moving averages"
    # Each panel's y axis says what it carries, in place of panel titles, which would
    # share the space above the plots with the legend.
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.16)
    dots = {"size": 11, "line": {"width": 1, "color": "white"}}
    bar = {"symbol": "line-ew-open", "size": 30, "line": {"width": 3}}
    # Left the input with the mean it is centred on; right the output with beta, where
    # the mean lands.
    panels = (
        (1, "input x", "x", result.batch, INPUT_COLOR, "mean used", result.mean, STATISTIC_COLOR),
        (2, "output y", "y", result.output, OUTPUT_COLOR, "beta", result.beta, TRUE_COLOR),
    )
    for column, name, symbol, values, color, marker_name, markers, marker_color in panels:
        figure.add_scatter(
            x=dot_labels,
            y=values.ravel(),
            customdata=samples,
            name=name,
            mode="markers",
            marker={**dots, "color": color},
            hovertemplate=f"sample %{{customdata}}, %{{x}}: {symbol} = %{{y:.3f}}<extra></extra>",
            row=1,
            col=column,
        )
        figure.add_scatter(
            x=labels,
            y=markers,
            name=marker_name,
            mode="markers",
            marker={**bar, "color": marker_color},
            hovertemplate=f"%{{x}}: {marker_name} = %{{y:.3f}}<extra></extra>",
            row=1,
            col=column,
        )
    figure.update_layout(height=420)
    apply_layout(figure, title=f"A batch before and after batch norm, with {statistics}")
    figure.update_layout(legend_traceorder="normal")
    figure.update_yaxes(title_text="input x", row=1, col=1)
    figure.update_yaxes(title_text="output y", row=1, col=2)
    return figure


def moving_average_figure(
    run: MovingAverages,
    *,
    feature: int,
    true_mean: float,
    true_variance: float,
    batch_size: int,
) -> go.Figure:
    """One feature's moving mean (left) and moving variance (right) over the training steps.

    The moving averages start at Keras's 0 and 1 and creep towards the batches' values,
    `1 − momentum` of the way each step. The variance settles below the true variance
    by the factor (batch_size − 1) / batch_size: a batch's variance divides by its size.

    Args:
        run: The `MovingAverages` of a training run.
        feature: `int`, the feature (column) drawn, from 0.
        true_mean: `float`, the mean the batches are drawn around.
        true_variance: `float`, the variance they are drawn with.
        batch_size: `int` >= 1, the batches' size, for the variance they average to.

    Returns:
        A figure with two panels, the mean's (traces 0 to 2) and the variance's (3 to 6).
        In each, `"each batch"` (`x` steps 1 to `run.steps`, `y` e.g.
        `run.batch_means[:, feature]`), `"moving average"` (`x` steps 0 to `run.steps`,
        `y` e.g. `run.means[:, feature]`) and `"true value"` (a flat line); the legend
        lists each once. Last, `"average batch variance"`:
        true_variance · (batch_size − 1) / batch_size.
        Each panel's y range holds its moving average, its true value and the middle
        95 % of the batches' values: the rarest batches may lie outside it.

    Raises:
        ValueError: If `feature` is not a column of the run.

    Example:

    >>> from dlcore.concepts.batch_norm import simulate_training
    >>> run = simulate_training(steps=5, batch_size=4)
    >>> figure = moving_average_figure(
    ...     run, feature=0, true_mean=5.0, true_variance=4.0, batch_size=4
    ... )
    >>> len(figure.data)
    7
    """
    n_features = run.means.shape[1]
    if not (isinstance(feature, int) and 0 <= feature < n_features):
        raise ValueError(
            f"`feature` must be a column of the run, from 0 to {n_features - 1}. "
            f"Received: feature={feature!r}."
        )
    steps = np.arange(run.steps + 1)
    ends = [0, max(run.steps, 1)]
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.16)
    average_variance = true_variance * (batch_size - 1) / batch_size
    panels = (
        ("mean", run.means, run.batch_means, true_mean, 1),
        ("variance", run.variances, run.batch_variances, true_variance, 2),
    )
    for name, moving, batches, true_value, col in panels:
        figure.add_scatter(
            x=steps[1:],
            y=batches[:, feature],
            name="each batch",
            legendgroup="batch",
            showlegend=col == 1,
            mode="markers",
            marker={"color": BATCH_COLOR, "size": 5, "opacity": 0.6},
            hovertemplate=f"step %{{x}}: batch {name} = %{{y:.3f}}<extra></extra>",
            row=1,
            col=col,
        )
        figure.add_scatter(
            x=steps,
            y=moving[:, feature],
            name="moving average",
            legendgroup="moving",
            showlegend=col == 1,
            mode="lines",
            line={"color": MOVING_COLOR, "width": 3},
            hovertemplate=f"after step %{{x}}: moving {name} = %{{y:.3f}}<extra></extra>",
            row=1,
            col=col,
        )
        figure.add_scatter(
            x=ends,
            y=[true_value, true_value],
            name="true value",
            legendgroup="true",
            showlegend=col == 1,
            mode="lines",
            line={"color": TRUE_COLOR, "width": 2, "dash": "dash"},
            hovertemplate=f"true {name} = {true_value:.3f}<extra></extra>",
            row=1,
            col=col,
        )
    figure.add_scatter(
        x=ends,
        y=[average_variance, average_variance],
        name="average batch variance",
        mode="lines",
        line={"color": STATISTIC_COLOR, "width": 2, "dash": "dot"},
        hovertemplate=(f"batches of {batch_size} average {average_variance:.3f}<extra></extra>"),
        row=1,
        col=2,
    )
    figure.update_layout(height=440)
    apply_layout(
        figure,
        title=f"The moving averages over {run.steps} training steps, momentum {run.momentum:g}",
        x_title="training step",
    )
    figure.update_layout(legend_traceorder="normal")
    figure.update_xaxes(**count_axis(run.steps))
    for _, moving, batches, true_value, col in panels:
        figure.update_yaxes(
            title_text=f"{('mean', 'variance')[col - 1]}, {feature_label(feature)}",
            range=_typical_range(moving[:, feature], batches[:, feature], true_value),
            row=1,
            col=col,
        )
    return figure


def batch_size_figure(effect: BatchSizeEffect) -> go.Figure:
    """What the batch size does: how far the batch mean strays (left), and how much one
    sample's normalised value x̂ depends on the batch it lands in (right).

    Args:
        effect: A `BatchSizeEffect` from `dlcore.concepts.batch_norm.batch_size_effect`.

    Returns:
        A figure with two panels on a log batch-size axis. Left: `"measured"` (`y`
        `effect.mean_spread`) and `"1/√batch size"`. Right: `"10th percentile"` and
        `"90th percentile"` (a shaded band), `"median"` and `"with the true statistics"`
        (x̂ = 1). Every `x` is `effect.batch_sizes`.

    Example:

    >>> from dlcore.concepts.batch_norm import batch_size_effect
    >>> figure = batch_size_figure(batch_size_effect((2, 8), n_batches=50))
    >>> [trace.name for trace in figure.data][:2]
    ['measured', '1/√batch size']
    """
    sizes = effect.batch_sizes
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.16)
    figure.add_scatter(
        x=sizes,
        y=effect.mean_spread,
        name="measured",
        mode="lines+markers",
        line={"color": INPUT_COLOR, "width": 3},
        hovertemplate="batch size %{x}: spread %{y:.3f} std<extra></extra>",
        row=1,
        col=1,
    )
    figure.add_scatter(
        x=sizes,
        y=effect.expected_spread,
        name="1/√batch size",
        mode="lines",
        line={"color": TRUE_COLOR, "width": 2, "dash": "dash"},
        hovertemplate="1/√%{x} = %{y:.3f}<extra></extra>",
        row=1,
        col=1,
    )
    for name, values, fill in (
        ("10th percentile", effect.sample_low, None),
        ("90th percentile", effect.sample_high, "tonexty"),
    ):
        figure.add_scatter(
            x=sizes,
            y=values,
            name=name,
            mode="lines",
            line={"color": INPUT_COLOR, "width": 1},
            fill=fill,
            fillcolor=BAND_COLOR,
            # The band is explained by its title; two more legend entries would crowd it.
            showlegend=False,
            hovertemplate=f"batch size %{{x}}: {name} %{{y:.3f}}<extra></extra>",
            row=1,
            col=2,
        )
    figure.add_scatter(
        x=sizes,
        y=effect.sample_median,
        name="median",
        mode="lines+markers",
        line={"color": OUTPUT_COLOR, "width": 3},
        hovertemplate="batch size %{x}: median x̂ %{y:.3f}<extra></extra>",
        row=1,
        col=2,
    )
    figure.add_scatter(
        x=[sizes.min(), sizes.max()],
        y=[1.0, 1.0],
        name="with the true statistics",
        mode="lines",
        line={"color": STATISTIC_COLOR, "width": 2, "dash": "dot"},
        hovertemplate="x̂ = 1 with the true mean and variance<extra></extra>",
        row=1,
        col=2,
    )
    figure.update_layout(height=440)
    apply_layout(
        figure,
        title=f"Small batches, noisy statistics ({effect.n_batches} random batches per size; "
        "band: 10th to 90th percentile)",
        x_title="batch size",
    )
    figure.update_xaxes(type="log", tickvals=sizes.tolist(), ticktext=[str(s) for s in sizes])
    figure.update_layout(legend_traceorder="normal")
    figure.update_yaxes(title_text="batch mean's spread (std)", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="x̂ of a sample at +1 std", row=1, col=2)
    return figure


def _typical_range(moving: np.ndarray, batches: np.ndarray, true_value: float) -> list[float]:
    """A y range holding the moving average, the true value and most batches' values.

    A batch of two or four can have a variance several times the true one: showing every
    such batch would flatten the moving average, which is what the panel is about. The
    rarest 5 % of batches may fall outside (they are still in the hover data).
    """
    typical = np.percentile(batches, [2.5, 97.5]) if batches.size else np.array([])
    values = np.concatenate([moving, typical, [true_value]])
    low, high = float(values.min()), float(values.max())
    margin = 0.05 * (high - low or 1.0)
    return [low - margin, high + margin]
