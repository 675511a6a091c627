"""Plotly figures of activation functions: a curve with its derivative, one neuron, softmax."""

from __future__ import annotations

from typing import Unpack

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from dlcore.concepts import activations
from dlcore.figures.style import apply_layout

FUNCTION_COLOR = "#1f77b4"
DERIVATIVE_COLOR = "#d62728"
VANISHING_COLOR = "#7f7f7f"
POINT_COLOR = "#ff7f0e"


def activation_figure(
    name: str,
    *,
    x_min: float = -6.0,
    x_max: float = 6.0,
    n_points: int = 601,
    threshold: float = 0.05,
    **activation_options: Unpack[activations.ActivationOptions],
) -> go.Figure:
    """Draws an activation function, its derivative, and where the gradient vanishes.

    Args:
        name: One of `dlcore.concepts.activations.ACTIVATION_NAMES`.
        x_min: `float`, the left end of the x axis. Defaults to `-6.0`.
        x_max: `float` > `x_min`, the right end of the x axis. Defaults to `6.0`.
        n_points: `int` >= 2, how many evenly spaced x values to sample. Defaults to `601`.
        threshold: `float` >= 0. Bands are shaded where `|f'(x)| < threshold`.
            Defaults to `0.05`.
        **activation_options: `dlcore.concepts.activations.ActivationOptions`, passed on
            to `activation` and `derivative`.

    Returns:
        A figure with two line traces, `"f(x)"` and `"f'(x)"`, each with `x` and `y`
        float64 arrays of shape `(n_points,)`, and one rectangle shape (legend name
        `"gradient < {threshold}"`) per interval where the gradient vanishes.

    Raises:
        ValueError: If the name, the grid or an option is invalid.

    Example:

    >>> figure = activation_figure("sigmoid")
    >>> [trace.name for trace in figure.data]
    ['f(x)', "f'(x)"]
    """
    x = _grid(x_min, x_max, n_points)
    values = activations.activation(name, x, **activation_options)
    slopes = activations.derivative(name, x, **activation_options)
    regions = activations.vanishing_regions(x, slopes, threshold=threshold)

    figure = go.Figure()
    figure.add_scatter(
        x=x, y=values, name="f(x)", mode="lines", line={"color": FUNCTION_COLOR, "width": 3}
    )
    figure.add_scatter(
        x=x,
        y=slopes,
        name="f'(x)",
        mode="lines",
        line={"color": DERIVATIVE_COLOR, "width": 3, "dash": "dash"},
    )
    for index, (start, end) in enumerate(regions):
        figure.add_vrect(
            x0=start,
            x1=end,
            fillcolor=VANISHING_COLOR,
            opacity=0.18,
            line_width=0,
            layer="below",
            name=f"gradient < {threshold:g}",
            legendgroup="vanishing",
            # One legend entry stands for all the bands.
            showlegend=index == 0,
        )
    apply_layout(
        figure,
        title=f"{activations.ACTIVATIONS[name].title} and its derivative",
        x_title="x",
        y_title="value",
    )
    figure.update_layout(hovermode="x unified")
    return figure


def neuron_figure(
    *,
    weight: float,
    bias: float,
    name: str,
    x_value: float,
    x_min: float = -6.0,
    x_max: float = 6.0,
    n_points: int = 401,
    **activation_options: Unpack[activations.ActivationOptions],
) -> go.Figure:
    """Draws one neuron's output f(w·x + b) over its input x, with a tangent at `x_value`.

    The tangent's slope is d output / d x = weight * f'(z): a flat tangent means that a
    small change of the input (or of the weight) barely moves the output.

    Args:
        weight: `float`, the neuron's weight w.
        bias: `float`, the neuron's bias b.
        name: The activation f, one of `dlcore.concepts.activations.ACTIVATION_NAMES`.
        x_value: `float`, the input to mark on the curve.
        x_min: `float`, the left end of the x axis. Defaults to `-6.0`.
        x_max: `float` > `x_min`, the right end of the x axis. Defaults to `6.0`.
        n_points: `int` >= 2, how many evenly spaced x values to sample. Defaults to `401`.
        **activation_options: `dlcore.concepts.activations.ActivationOptions`, passed on
            to `neuron`.

    Returns:
        A figure with three traces: `"f(w·x + b)"` (shape `(n_points,)`), the marked
        point (one x and one y) and `"tangent"` (two points, a tenth of the x range to
        each side of `x_value`). The title gives z, f(z), f'(z) and the gradients.

    Raises:
        ValueError: If the name, the grid or an option is invalid.

    Example:

    >>> figure = neuron_figure(weight=2.0, bias=-1.0, name="tanh", x_value=0.5)
    >>> [trace.name for trace in figure.data]
    ['f(w·x + b)', 'x = 0.5', 'tangent']
    """
    x = _grid(x_min, x_max, n_points)
    curve = activations.neuron(x, weight=weight, bias=bias, name=name, **activation_options)
    point = activations.neuron(x_value, weight=weight, bias=bias, name=name, **activation_options)
    output = float(point.output)
    # Chain rule: d f(w·x + b) / d x = f'(z) * w.
    tangent_slope = weight * float(point.local_gradient)
    half_width = (x_max - x_min) / 10
    tangent_x = np.array([x_value - half_width, x_value + half_width])
    tangent_y = output + tangent_slope * (tangent_x - x_value)

    figure = go.Figure()
    figure.add_scatter(
        x=x,
        y=curve.output,
        name="f(w·x + b)",
        mode="lines",
        line={"color": FUNCTION_COLOR, "width": 3},
    )
    figure.add_scatter(
        x=[x_value],
        y=[output],
        name=f"x = {x_value:g}",
        mode="markers",
        marker={"color": POINT_COLOR, "size": 14},
    )
    figure.add_scatter(
        x=tangent_x,
        y=tangent_y,
        name="tangent",
        mode="lines",
        line={"color": DERIVATIVE_COLOR, "width": 3},
    )
    title = activations.ACTIVATIONS[name].title
    numbers = (
        f"z = {float(point.pre_activation):.3g}, f(z) = {output:.3g}, "
        f"f'(z) = {float(point.local_gradient):.3g}, "
        f"∂f/∂w = {float(point.weight_gradient):.3g}, ∂f/∂b = {float(point.bias_gradient):.3g}"
    )
    apply_layout(
        figure,
        title=f"One neuron: {title}(w·x + b), w = {weight:g}, b = {bias:g}<br><sup>{numbers}</sup>",
        x_title="input x",
        y_title="output f(w·x + b)",
    )
    return figure


def softmax_figure(logits: ArrayLike, *, temperature: float) -> go.Figure:
    """Draws the softmax probabilities of a vector of logits as bars.

    Args:
        logits: A 1-D array of shape `(n_classes,)`, any real values.
        temperature: `float` > 0, divides the logits before the softmax.

    Returns:
        A figure with one bar trace: `x` the labels `"class 0"`, `"class 1"`, ...,
        `y` the probabilities (float64, in [0, 1], summing to 1), `text` the same
        numbers with three decimals, `customdata` the logits.

    Raises:
        ValueError: If `logits` is not a non-empty 1-D array or `temperature` <= 0.

    Example:

    >>> figure = softmax_figure([2.0, 1.0, 0.1], temperature=1.0)
    >>> list(figure.data[0].text)
    ['0.659', '0.242', '0.099']
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(
            "`logits` must be a non-empty 1-D array, one logit per class. "
            f"Received: logits with shape {logits.shape}."
        )
    probabilities = activations.softmax(logits, temperature=temperature)

    figure = go.Figure()
    figure.add_bar(
        x=[f"class {index}" for index in range(logits.size)],
        y=probabilities,
        text=[f"{probability:.3f}" for probability in probabilities],
        textposition="outside",
        # Text above a bar that is close to 1 would otherwise be cut off at the top.
        cliponaxis=False,
        customdata=logits,
        hovertemplate="%{x}<br>logit %{customdata:.3g}<br>probability %{y:.4f}<extra></extra>",
        marker={"color": FUNCTION_COLOR},
    )
    apply_layout(
        figure,
        title=f"Softmax at temperature T = {temperature:g}",
        x_title="class",
        y_title="probability",
    )
    figure.update_yaxes(range=[0.0, 1.0])
    return figure


def _grid(x_min: float, x_max: float, n_points: int) -> np.ndarray:
    if not x_min < x_max:
        raise ValueError(
            f"`x_min` must be less than `x_max`. Received: x_min={x_min!r}, x_max={x_max!r}."
        )
    if n_points < 2:
        raise ValueError(f"`n_points` must be at least 2. Received: n_points={n_points!r}.")
    return np.linspace(x_min, x_max, n_points)
