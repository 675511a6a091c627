"""Plotly figures of the depth and residuals page: curves per variant, gradient size per layer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlcore.figures.style import apply_layout, count_axis, human_label, log_axis

# One fixed colour per variant, so that a variant keeps its colour across the figures.
VARIANT_COLORS = {
    "plain": "#7f7f7f",
    "plain_bn": "#1f77b4",
    "residual": "#ff7f0e",
    "residual_bn": "#2ca02c",
}
KEY_COLOR = "#333333"
"""The legend's key to the line styles: solid for training, dotted for validation."""
VARIANT_TITLES = {
    "plain": "plain",
    "plain_bn": "plain + batch norm",
    "residual": "residual",
    "residual_bn": "residual + batch norm",
}


def _legend_key(name: str, color: str | None, group: str, *, dash: str = "solid") -> go.Scatter:
    """A legend entry with no data: a colour or a line style, named."""
    return go.Scatter(
        x=[None],
        y=[None],
        name=name,
        legendgroup=group,
        mode="lines",
        line={"color": color, "dash": dash},
        hoverinfo="skip",
    )


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
            `History.variant` gives them.
        title: the figure's title.

    Returns:
        A figure with two panels. Per variant and metric one line, named "<variant
        title> (training)" or "(validation)", in the variant's colour, solid for training
        and dotted for validation; `x` the epochs, `y` the loss or the accuracy in percent.
        Those lines stay out of the legend; after them come its entries, which hold no
        data: one per variant in its colour, then "training" and "validation" in their
        line styles.

    Raises:
        ValueError: If `curves` is empty or a curve's length differs from `epochs`.
    """
    if not curves:
        raise ValueError("Expected the curves of at least one variant. Received: no curves.")
    # Wide enough between the panels for the right one's y axis title.
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.18)
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
                    showlegend=False,
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
    # The legend names each network once (its colour) and each line style once: a line
    # per network and metric would fill the height with legend in presenter mode.
    for variant in curves:
        figure.add_trace(_legend_key(_title(variant), VARIANT_COLORS.get(variant), variant))
    figure.add_trace(_legend_key("training", KEY_COLOR, "style"))
    figure.add_trace(_legend_key("validation", KEY_COLOR, "style", dash="dot"))
    figure.update_layout(height=420)
    apply_layout(figure, title=title, x_title="epoch")
    figure.update_xaxes(**count_axis(max(epochs, default=0)))
    # Entries in reading order, as many to a row as fit, rather than a row per variant.
    figure.update_layout(legend_traceorder="normal")
    # Each panel's y axis says what it carries, in place of panel titles, which would
    # share the space above the plots with the legend.
    figure.update_yaxes(title_text="loss (cross-entropy)", row=1, col=1)
    figure.update_yaxes(title_text="accuracy (%)", range=[0, 100.5], row=1, col=2)
    figure.update_xaxes(rangemode="tozero")
    losses = [
        value
        for metrics in curves.values()
        for name, values in metrics.items()
        if name.removeprefix("val_") == "loss"
        for value in values
    ]
    log_axis(figure, losses, row=1, col=1)
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
    layer_names: list[str] = []
    for variant, layers in norms.items():
        values = np.asarray(list(layers.values()), dtype=np.float64)
        layer_names = max(layer_names, list(layers), key=len)
        figure.add_scatter(
            x=np.arange(1, len(values) + 1),
            y=np.where(values > 0, values, np.nan),
            name=_title(variant),
            mode="lines+markers",
            line={"color": VARIANT_COLORS.get(variant)},
            marker={"size": 5},
            customdata=[human_label(name) for name in layers],
            hovertemplate=f"{_title(variant)}<br>%{{customdata}}: %{{y:.3g}}<extra></extra>",
        )
    when = {None: "", 0: " before training"}.get(epoch, f" after epoch {epoch}")
    figure.update_layout(height=400)
    apply_layout(
        figure,
        title=f"Gradient size at each layer{when}",
        x_title="layer, from the input to the output",
        y_title="‖∂loss/∂W‖",
    )
    positions = np.arange(1, len(layer_names) + 1)
    # Every fifth layer numbered and the last one named, none close to it, so that 31
    # labels never crowd into each other or have to be rotated.
    last = len(layer_names)
    shown = [p for p in positions if p == 1 or (p % 5 == 0 and p < last - 2) or p == last]
    figure.update_xaxes(
        tickmode="array",
        tickvals=shown,
        ticktext=[_layer_tick(layer_names[p - 1], p) for p in shown],
        tickangle=0,
        zeroline=False,
    )
    log_axis(figure, [value for layers in norms.values() for value in layers.values()])
    return figure


def _layer_tick(name: str, position: int) -> str:
    """A short tick label: the layer's number, or its name when it has none ("output")."""
    return str(position) if re.fullmatch(r"layer_\d+", name) else human_label(name)


def _title(variant: str) -> str:
    return VARIANT_TITLES.get(variant, variant)
