"""Plotly figures of the depth and residuals page: curves per variant, gradient size per layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.figures.layout import apply_layout

# One fixed colour per variant, so that a variant keeps its colour across the figures.
VARIANT_COLORS = {
    "plain": "#7f7f7f",
    "plain_bn": "#1f77b4",
    "residual": "#ff7f0e",
    "residual_bn": "#2ca02c",
}
VARIANT_TITLES = {
    "plain": "plain",
    "plain_bn": "plain + batch norm",
    "residual": "residual",
    "residual_bn": "residual + batch norm",
}


def curves_figure(
    epochs: Sequence[int],
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    title: str = "Loss and accuracy of each network",
) -> go.Figure:
    """Every variant's loss (left, log scale) and accuracy (right), training and validation.

    Args:
        epochs: the 1-based epoch numbers, one per value.
        curves: variant name (e.g. "residual_bn") -> Keras metric name ("loss",
            "accuracy", "val_loss", "val_accuracy") -> one value per epoch, as
            `dlcore.trainers.residual.variant_metrics` gives them.
        title: the figure's title.

    Returns:
        A figure with two panels. Per variant and metric one line, named "<variant
        title> (training)" or "(validation)", in the variant's colour, solid for training
        and dotted for validation; `x` the epochs, `y` the loss or the accuracy in percent.

    Raises:
        ValueError: If `curves` is empty or a curve's length differs from `epochs`.
    """
    if not curves:
        raise ValueError("Expected the curves of at least one variant. Received: no curves.")
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Loss (cross-entropy)", "Accuracy (%)"),
        horizontal_spacing=0.1,
    )
    for variant, metrics in curves.items():
        for name, values in metrics.items():
            if len(values) != len(epochs):
                raise ValueError(
                    f"Each curve needs one value per epoch. Received: {len(epochs)} epochs "
                    f"and {len(values)} values of {variant} {name}."
                )
            validation = name.startswith("val_")
            is_loss = name.removeprefix("val_") == "loss"
            label = f"{_title(variant)} ({'validation' if validation else 'training'})"
            figure.add_trace(
                go.Scatter(
                    x=list(epochs),
                    y=list(values) if is_loss else [100.0 * value for value in values],
                    name=label,
                    legendgroup=variant,
                    showlegend=is_loss,
                    mode="lines+markers" if len(values) < 30 else "lines",
                    line={
                        "color": VARIANT_COLORS.get(variant),
                        "dash": "dot" if validation else "solid",
                    },
                    hovertemplate=f"{label}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>",
                ),
                row=1,
                col=1 if is_loss else 2,
            )
    figure.update_layout(
        title=title,
        font={"size": 14},
        height=380,
        margin={"t": 70, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
    )
    figure.update_xaxes(title_text="epoch", rangemode="tozero")
    figure.update_yaxes(type="log", row=1, col=1)
    figure.update_yaxes(range=[0, 100.5], row=1, col=2)
    return figure


def gradient_norms_figure(
    norms: Mapping[str, Mapping[str, float]], *, epoch: int | None = None
) -> go.Figure:
    """The size of the loss's gradient at every layer, one line per variant, log scale.

    Args:
        norms: variant name -> layer name -> gradient norm (>= 0), layers from the input
            to the output, as `dlcore.trainers.residual.gradient_norms` gives them.
        epoch: the epoch they were measured after, for the title: 0 says "before
            training"; None leaves it out.

    Returns:
        A figure with one "lines+markers" trace per variant, named by its title: `x` the
        layer names in order, `y` the norms. The y axis is logarithmic: a gradient that
        shrinks by the same factor at every layer draws a straight line down towards the
        input. Norms of 0 (nothing flows back) are drawn as gaps.

    Raises:
        ValueError: If `norms` is empty.
    """
    if not norms:
        raise ValueError("Expected the gradient norms of at least one variant. Received: none.")
    figure = go.Figure()
    for variant, layers in norms.items():
        values = np.asarray(list(layers.values()), dtype=np.float64)
        figure.add_scatter(
            x=list(layers),
            y=np.where(values > 0, values, np.nan),
            name=_title(variant),
            mode="lines+markers",
            line={"color": VARIANT_COLORS.get(variant)},
            marker={"size": 5},
            hovertemplate=f"{_title(variant)}<br>%{{x}}: %{{y:.3g}}<extra></extra>",
        )
    when = {None: "", 0: " before training"}.get(epoch, f" after epoch {epoch}")
    apply_layout(
        figure,
        title=f"Gradient size at each layer{when}",
        x_title="layer (input → output)",
        y_title="‖∂loss/∂W‖",
    )
    figure.update_yaxes(type="log", exponentformat="power")
    figure.update_layout(height=380)
    return figure


def _title(variant: str) -> str:
    return VARIANT_TITLES.get(variant, variant)
