"""Backpropagation by hand: a tiny MLP's forward pass, deltas, gradients and SGD step in NumPy.

The network has 2 inputs, 1 to 3 hidden layers of 1 to 4 neurons and one output: a
sigmoid scored by binary cross-entropy, or a linear output scored by mean squared error.
Everything is float64 and written out neuron by neuron, so that the page can show every
number; the tests check each one against `tf.GradientTape` on a Keras model with the
same weights.

Notation (layer l counts the input layer as 0 and the output layer as L):

- z_j = sum_i a_i w_ij + b_j, the weighted sum of neuron j, and a_j = f(z_j) its output;
- delta_j = d loss_n / d z_j, the error of neuron j for one point n: at the output
  y_hat - y (sigmoid and cross-entropy) or 2 (y_hat - y) (linear and squared error), and
  in a hidden layer f'(z_j) * sum_k w_jk delta_k;
- the loss is the mean over the batch, so dL/dw_ij = mean_n a_i delta_j and
  dL/db_j = mean_n delta_j.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from dlcore._checks import check_choice, check_int, check_number, check_seed, refuse

N_INPUTS = 2
"""Every network here reads points (x1, x2)."""
MAX_HIDDEN_LAYERS = 3
MAX_NEURONS = 4
"""The most neurons in one hidden layer: more would not fit the diagram at 560 px."""

ACTIVATION_NAMES = ("tanh", "sigmoid", "relu")
"""The hidden layers' activations, by their names in `keras.activations`."""
ACTIVATION_TITLES = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}

LOSS_NAMES = ("binary_crossentropy", "mean_squared_error")
"""The output and its loss: `"binary_crossentropy"` has a sigmoid output,
`"mean_squared_error"` a linear one (the pairs whose output delta is simply y_hat - y,
up to a factor 2)."""
LOSS_TITLES = {
    "binary_crossentropy": "Sigmoid output, binary cross-entropy",
    "mean_squared_error": "Linear output, mean squared error",
}

# Where the displayed factor dloss/dy_hat divides by y_hat (1 - y_hat), a sigmoid that
# rounded to exactly 0 or 1 would divide by zero; the delta itself never divides.
_PROBABILITY_FLOOR = 1e-15


@dataclasses.dataclass(frozen=True, eq=False)
class MiniBatch:
    """A few labelled points, one mini-batch.

    Attributes:
        name: The name the page lists it under, e.g. `"XOR corners"`.
        inputs: float64 array of shape `(n_points, 2)`.
        targets: float64 array of shape `(n_points,)`: in [0, 1] for the presets, so
            that either loss fits; any number for squared error.
        description: One sentence on what the network must learn from it.
    """

    name: str
    inputs: np.ndarray
    targets: np.ndarray
    description: str


def _batch(name: str, inputs: list, targets: list, description: str) -> MiniBatch:
    return MiniBatch(name, np.array(inputs, float), np.array(targets, float), description)


MINI_BATCHES: dict[str, MiniBatch] = {
    batch.name: batch
    for batch in (
        _batch(
            "XOR corners",
            [[0, 0], [0, 1], [1, 0], [1, 1]],
            [0, 1, 1, 0],
            "The four corners of a square: 1 where exactly one input is 1. No straight "
            "line separates them, so the hidden layer has to bend the space.",
        ),
        _batch(
            "Two points",
            [[1.0, 0.5], [-1.0, -0.5]],
            [1, 0],
            "One point of each class: the smallest batch that still averages.",
        ),
        _batch(
            "Line",
            [[-1.0, -0.5], [-0.5, 0.0], [0.0, 0.5], [0.5, 1.0], [1.0, 1.5]],
            [0.0, 0.25, 0.5, 0.75, 1.0],
            "Five points along a line whose target rises from 0 to 1: a regression, or "
            "soft labels for cross-entropy.",
        ),
    )
}
"""The preset mini-batches, by name."""

MAX_POINTS = 8
"""The most points a mini-batch of your own holds: each gets a line of the chain rule."""

POINT_RANGE = 5.0
"""Your points' inputs lie in [-POINT_RANGE, POINT_RANGE]: beyond, a sigmoid or tanh
neuron saturates at the first step and every number reads 1.00 or 0.00."""

MAX_STEPS = 500
"""The most updates a history holds before Reset: enough to watch a loss settle, and a
bound on what one browser session keeps."""


def parse_points(text: str, *, loss: str) -> MiniBatch:
    """Reads a mini-batch as a person types it: one point a line, `x1, x2, target`.

    Args:
        text: 1 to `MAX_POINTS` lines of three numbers separated by commas or spaces;
            blank lines are skipped.
        loss: one of `LOSS_NAMES`: cross-entropy takes targets in [0, 1], squared error
            any number.

    Returns:
        A `MiniBatch` named "Your points".

    Raises:
        ValueError: naming the first line that does not read, or a value out of range.

    Example:

    >>> batch = parse_points("0, 0, 0\n1 1 1", loss="binary_crossentropy")
    >>> batch.inputs.tolist(), batch.targets.tolist()
    ([[0.0, 0.0], [1.0, 1.0]], [0.0, 1.0])
    """
    check_choice(loss, name="loss", choices=LOSS_NAMES)
    lines = [line for line in text.splitlines() if line.strip()]
    if not 1 <= len(lines) <= MAX_POINTS:
        refuse(
            "points",
            text,
            f"Type 1 to {MAX_POINTS} points, one a line, as x1, x2, target (this has {len(lines)})",
        )
    rows = []
    for number, line in enumerate(lines, start=1):
        parts = line.replace(",", " ").split()
        try:
            values = [float(part) for part in parts]
        except ValueError:
            values = []
        if len(values) != 3 or not all(np.isfinite(values)):
            refuse(
                "points",
                line,
                f"Line {number} must be three numbers, x1, x2, target, e.g. '0.5, -1, 1'",
            )
        if max(abs(values[0]), abs(values[1])) > POINT_RANGE:
            refuse(
                "points",
                line,
                f"Line {number}: the inputs x1 and x2 must lie between -{POINT_RANGE:g} "
                f"and {POINT_RANGE:g}",
            )
        if loss == "binary_crossentropy" and not 0.0 <= values[2] <= 1.0:
            refuse(
                "points",
                line,
                f"Line {number}: with cross-entropy a target is a probability, from 0 to 1. "
                "Choose squared error for other targets",
            )
        rows.append(values)
    points = np.array(rows, float)
    return MiniBatch(
        "Your points",
        points[:, :2],
        points[:, 2],
        f"{len(rows)} point{'s' if len(rows) > 1 else ''} of your own.",
    )


@dataclasses.dataclass(frozen=True, eq=False)
class Network:
    """A tiny MLP's weights and what it computes with them.

    Attributes:
        weights: One float64 array per layer of weights, shape `(n_from, n_to)`, as a
            Keras `Dense` kernel: `weights[l][i, j]` joins neuron i of layer l to
            neuron j of layer l + 1 (the input layer is 0).
        biases: One float64 array per layer of weights, shape `(n_to,)`.
        activation: The hidden layers' activation, one of `ACTIVATION_NAMES`.
        loss: One of `LOSS_NAMES`; it sets the output's activation too.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activation: str
    loss: str

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Neurons per layer, input and output included, e.g. `(2, 3, 1)`."""
        return (self.weights[0].shape[0], *(kernel.shape[1] for kernel in self.weights))


@dataclasses.dataclass(frozen=True, eq=False)
class Backprop:
    """One forward and backward pass of a network over a mini-batch, as `backprop` returns it.

    Layers are indexed as in `Network.weights`: `pre_activations[l]`, `deltas[l]`,
    `weight_gradients[l]` and `bias_gradients[l]` belong to the layer that
    `weights[l]` leads into (hidden layer l + 1, or the output); `activations` starts
    with the input layer, so `activations[l]` is what `weights[l]` multiplies.

    Attributes:
        network: The network.
        inputs: float64 array of shape `(n_points, 2)`.
        targets: float64 array of shape `(n_points,)`.
        pre_activations: One `(n_points, n_neurons)` array per layer after the input: z.
        activations: One `(n_points, n_neurons)` array per layer, the input first: a.
        outputs: float64 array of shape `(n_points,)`, the network's output y_hat.
        point_losses: float64 array of shape `(n_points,)`, each point's loss.
        loss: `float`, their mean, the loss L that the gradients are of.
        deltas: One `(n_points, n_neurons)` array per layer after the input: each
            point's d loss_n / d z.
        weight_gradients: dL/dw, one array per layer of weights, shaped like it.
        bias_gradients: dL/db, one array per layer of biases, shaped like it; equal to
            the deltas' mean over the batch.
    """

    network: Network
    inputs: np.ndarray
    targets: np.ndarray
    pre_activations: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]
    outputs: np.ndarray
    point_losses: np.ndarray
    loss: float
    deltas: tuple[np.ndarray, ...]
    weight_gradients: tuple[np.ndarray, ...]
    bias_gradients: tuple[np.ndarray, ...]


@dataclasses.dataclass(frozen=True, eq=False)
class Update:
    """One step of plain gradient descent, as `sgd_step` returns it.

    Attributes:
        before: The `Backprop` of the network before the step; its gradients are used.
        after: The network after the step: w - learning_rate * dL/dw for every weight
            and bias.
        learning_rate: `float`, eta.
        loss_before: `float`, L before the step.
        loss_after: `float`, L after it, on the same mini-batch.
    """

    before: Backprop
    after: Network
    learning_rate: float
    loss_before: float
    loss_after: float


@dataclasses.dataclass(frozen=True, eq=False)
class ChainRule:
    """The chain rule for one weight, factor by factor, as `chain_rule` returns it.

    For every point n: dloss_n/dw = delta_j * a_i, where delta_j = slope * upstream.
    For a hidden neuron, slope is f'(z_j) and upstream is sum_k w_jk delta_k; for the
    output, slope is the output activation's derivative and upstream is dloss_n/dy_hat.
    A bias b_j is a weight whose input is always 1: dloss_n/db_j = delta_j.

    Attributes:
        layer: `int`, the layer of weights (index into `Network.weights`), from 0.
        source: `int`, neuron i of the layer the weight comes from, from 0; None for
            neuron j's bias.
        target: `int`, neuron j of the layer it leads to, from 0.
        is_output: Whether neuron j is the output.
        weight: `float`, w_ij (or b_j) now.
        inputs: float64 `(n_points,)`, a_i: what the weight multiplies (1 for a bias).
        slopes: float64 `(n_points,)`, the activation's derivative at z_j.
        upstream: float64 `(n_points,)`, the error reaching neuron j from above.
        next_weights: float64 `(n_next,)`, the w_jk that carry it (empty for the output).
        next_deltas: float64 `(n_points, n_next)`, the delta_k they carry (empty for the
            output).
        deltas: float64 `(n_points,)`, delta_j = slopes * upstream.
        terms: float64 `(n_points,)`, delta_j * a_i for each point.
        gradient: `float`, dL/dw_ij, the mean of `terms`.
    """

    layer: int
    source: int | None
    target: int
    is_output: bool
    weight: float
    inputs: np.ndarray
    slopes: np.ndarray
    upstream: np.ndarray
    next_weights: np.ndarray
    next_deltas: np.ndarray
    deltas: np.ndarray
    terms: np.ndarray
    gradient: float


def parse_hidden_sizes(text: str) -> tuple[int, ...]:
    """Reads hidden layer sizes as a person types them: `"3, 2"` -> `(3, 2)`.

    Args:
        text: Whole numbers separated by commas or spaces.

    Returns:
        The sizes, checked by `check_hidden_sizes`.

    Raises:
        ValueError: If a part is not a whole number or the sizes are out of range.

    Example:

    >>> parse_hidden_sizes("3, 2")
    (3, 2)
    """
    parts = text.replace(",", " ").split()
    if not all(part.isdigit() for part in parts):
        refuse(
            "hidden_sizes",
            text,
            "Hidden layers are written as whole numbers separated by commas, e.g. '3, 2'",
        )
    return check_hidden_sizes(tuple(int(part) for part in parts))


def check_hidden_sizes(hidden_sizes: Sequence[int]) -> tuple[int, ...]:
    """Checks 1 to `MAX_HIDDEN_LAYERS` hidden layers of 1 to `MAX_NEURONS` neurons each.

    Raises:
        ValueError: If `hidden_sizes` is no sequence of such sizes.
    """
    if isinstance(hidden_sizes, str) or not isinstance(hidden_sizes, Sequence):
        refuse("hidden_sizes", hidden_sizes, "`hidden_sizes` must be a sequence of ints, e.g. (3,)")
    if not 1 <= len(hidden_sizes) <= MAX_HIDDEN_LAYERS:
        refuse(
            "hidden_sizes",
            tuple(hidden_sizes),
            f"The network needs 1 to {MAX_HIDDEN_LAYERS} hidden layers",
        )
    for size in hidden_sizes:
        check_int(
            size,
            name="hidden_sizes",
            what="Each hidden layer",
            minimum=1,
            maximum=MAX_NEURONS,
            unit="neurons",
        )
    return tuple(int(size) for size in hidden_sizes)


def init_network(
    hidden_sizes: Sequence[int],
    *,
    activation: str = "tanh",
    loss: str = "binary_crossentropy",
    seed: int = 0,
) -> Network:
    """A network with Glorot-uniform weights and zero biases, as Keras' `Dense` starts.

    Each kernel is drawn uniformly from [-limit, limit], limit = sqrt(6 / (n_from + n_to)),
    one layer after another from one generator seeded with `seed`.

    Args:
        hidden_sizes: Neurons per hidden layer: 1 to 3 layers of 1 to 4, e.g. `(3,)`.
        activation: The hidden activation, one of `ACTIVATION_NAMES`. Defaults to `"tanh"`.
        loss: One of `LOSS_NAMES`. Defaults to `"binary_crossentropy"`.
        seed: `int` >= 0, for the weights. Defaults to `0`.

    Returns:
        A `Network` with layer sizes `(2, *hidden_sizes, 1)`.

    Raises:
        ValueError: If an argument is out of range or unknown.

    Example:

    >>> init_network((3, 2)).layer_sizes
    (2, 3, 2, 1)
    """
    sizes = (N_INPUTS, *check_hidden_sizes(hidden_sizes), 1)
    _check_kinds(activation, loss)
    generator = np.random.default_rng(check_seed(seed))
    weights = []
    for n_from, n_to in itertools.pairwise(sizes):
        limit = np.sqrt(6.0 / (n_from + n_to))
        weights.append(generator.uniform(-limit, limit, size=(n_from, n_to)))
    biases = tuple(np.zeros(n_to) for n_to in sizes[1:])
    return Network(tuple(weights), biases, activation, loss)


def backprop(network: Network, inputs: ArrayLike, targets: ArrayLike) -> Backprop:
    """Runs the network forward over a mini-batch, then the error backward through it.

    Args:
        network: The `Network`.
        inputs: Points of shape `(n_points, 2)`.
        targets: Their targets, shape `(n_points,)`, in [0, 1] for cross-entropy.

    Returns:
        A `Backprop` holding z, a and delta of every neuron for every point, the loss
        and dL/dw, dL/db of every weight and bias.

    Raises:
        ValueError: If the batch's shapes do not fit or a value is not finite.

    Example:

    >>> batch = MINI_BATCHES["XOR corners"]
    >>> result = backprop(init_network((2,)), batch.inputs, batch.targets)
    >>> [gradient.shape for gradient in result.weight_gradients]
    [(2, 2), (2, 1)]
    """
    inputs, targets = _checked_batch(inputs, targets, loss=network.loss)
    pre_activations, activations = [], [inputs]
    for layer, (kernel, bias) in enumerate(zip(network.weights, network.biases, strict=True)):
        z = activations[-1] @ kernel + bias
        is_output = layer == len(network.weights) - 1
        pre_activations.append(z)
        activations.append(_output_activation(network.loss, z) if is_output else _f(network, z))
    output_z, outputs = pre_activations[-1][:, 0], activations[-1][:, 0]
    point_losses = _point_losses(network.loss, output_z, outputs, targets)

    # d loss_n / d z at the output: the sigmoid's slope cancels the cross-entropy's
    # 1 / (y_hat (1 - y_hat)), leaving y_hat - y; a linear output leaves 2 (y_hat - y).
    factor = 1.0 if network.loss == "binary_crossentropy" else 2.0
    deltas = [(factor * (outputs - targets))[:, np.newaxis]]
    for layer in range(len(network.weights) - 1, 0, -1):
        upstream = deltas[0] @ network.weights[layer].T
        deltas.insert(0, _f_prime(network, pre_activations[layer - 1]) * upstream)
    n_points = len(targets)
    weight_gradients = tuple(
        activation.T @ delta / n_points
        for activation, delta in zip(activations[:-1], deltas, strict=True)
    )
    return Backprop(
        network=network,
        inputs=inputs,
        targets=targets,
        pre_activations=tuple(pre_activations),
        activations=tuple(activations),
        outputs=outputs,
        point_losses=point_losses,
        loss=float(point_losses.mean()),
        deltas=tuple(deltas),
        weight_gradients=weight_gradients,
        bias_gradients=tuple(delta.mean(axis=0) for delta in deltas),
    )


def sgd_step(
    network: Network, inputs: ArrayLike, targets: ArrayLike, *, learning_rate: float
) -> Update:
    """One step of plain gradient descent on one mini-batch: w <- w - eta * dL/dw.

    Args:
        network: The `Network` before the step.
        inputs: Points of shape `(n_points, 2)`.
        targets: Their targets, shape `(n_points,)`.
        learning_rate: `float` > 0, eta.

    Returns:
        An `Update`: the pass before, the network after and the loss before and after.

    Raises:
        ValueError: If the batch does not fit or `learning_rate` is not a number > 0.

    Example:

    >>> batch = MINI_BATCHES["Two points"]
    >>> update = sgd_step(init_network((2,)), batch.inputs, batch.targets, learning_rate=0.5)
    >>> update.loss_after < update.loss_before
    True
    """
    check_number(
        learning_rate, name="learning_rate", above=0, finite=True, hint="(0.1 to 1 is typical)"
    )
    before = backprop(network, inputs, targets)
    after = dataclasses.replace(
        network,
        weights=tuple(
            kernel - learning_rate * gradient
            for kernel, gradient in zip(network.weights, before.weight_gradients, strict=True)
        ),
        biases=tuple(
            bias - learning_rate * gradient
            for bias, gradient in zip(network.biases, before.bias_gradients, strict=True)
        ),
    )
    return Update(
        before=before,
        after=after,
        learning_rate=float(learning_rate),
        loss_before=before.loss,
        loss_after=backprop(after, before.inputs, before.targets).loss,
    )


def chain_rule(result: Backprop, *, layer: int, source: int | None, target: int) -> ChainRule:
    """Takes dL/dw apart for one weight or bias: the factors the chain rule multiplies,
    per point.

    Args:
        result: A `Backprop`.
        layer: `int`, the layer of weights, from 0 (0 leaves the inputs).
        source: `int`, the neuron the weight comes from, from 0; None for the bias of
            neuron `target`.
        target: `int`, the neuron it leads to, from 0.

    Returns:
        A `ChainRule` whose `gradient` equals `result.weight_gradients[layer][source, target]`
        (`result.bias_gradients[layer][target]` for a bias).

    Raises:
        ValueError: If an index is outside the network.

    Example:

    >>> batch = MINI_BATCHES["Two points"]
    >>> result = backprop(init_network((2,)), batch.inputs, batch.targets)
    >>> chain = chain_rule(result, layer=1, source=0, target=0)
    >>> bool(np.isclose(chain.gradient, result.weight_gradients[1][0, 0]))
    True
    """
    network = result.network
    check_int(layer, name="layer", minimum=0, maximum=len(network.weights) - 1)
    n_from, n_to = network.weights[layer].shape
    if source is not None:
        check_int(source, name="source", minimum=0, maximum=n_from - 1)
    check_int(target, name="target", minimum=0, maximum=n_to - 1)
    z = result.pre_activations[layer][:, target]
    is_output = layer == len(network.weights) - 1
    if is_output:
        outputs = result.outputs
        if network.loss == "binary_crossentropy":
            clipped = np.clip(outputs, _PROBABILITY_FLOOR, 1.0 - _PROBABILITY_FLOOR)
            upstream = (clipped - result.targets) / (clipped * (1.0 - clipped))
            slopes = outputs * (1.0 - outputs)
        else:
            upstream = 2.0 * (outputs - result.targets)
            slopes = np.ones_like(outputs)
        next_weights = np.zeros(0)
        next_deltas = np.zeros((len(outputs), 0))
    else:
        next_weights = network.weights[layer + 1][target]
        next_deltas = result.deltas[layer + 1]
        upstream = next_deltas @ next_weights
        slopes = _f_prime(network, z)
    if source is None:
        inputs = np.ones(len(z))
        weight = network.biases[layer][target]
    else:
        inputs = result.activations[layer][:, source]
        weight = network.weights[layer][source, target]
    deltas = result.deltas[layer][:, target]
    terms = deltas * inputs
    return ChainRule(
        layer=layer,
        source=source,
        target=target,
        is_output=is_output,
        weight=float(weight),
        inputs=inputs,
        slopes=slopes,
        upstream=upstream,
        next_weights=next_weights,
        next_deltas=next_deltas,
        deltas=deltas,
        terms=terms,
        gradient=float(terms.mean()),
    )


def layer_name(layer: int, n_layers: int) -> str:
    """A layer of neurons as the page names it: 0 -> "input", then "hidden 1", ..., "output".

    Args:
        layer: `int`, the layer, the input being 0.
        n_layers: `int`, how many layers the network has, input and output included.
    """
    if layer == 0:
        return "input"
    return "output" if layer == n_layers - 1 else f"hidden {layer}"


def chain_rule_latex(chain: ChainRule, *, n_layers: int, digits: int = 3) -> list[str]:
    """The chain rule for one weight written out in LaTeX, number by number, for `st.latex`.

    Neurons and points are counted from 1. The lines are: the gradient as a mean over
    the batch, the rule for delta, one block per point (its delta from its factors, then
    delta times the input, in an `aligned` block) and the mean, number by number.

    Args:
        chain: A `ChainRule`.
        n_layers: `int`, the network's layers, input and output included (for names).
        digits: `int` >= 1, significant digits of each number. Defaults to `3`.

    Returns:
        A list of LaTeX strings.
    """
    number = _latex_number(digits)
    j = chain.target + 1
    to_name = layer_name(chain.layer + 1, n_layers)
    if chain.source is None:  # a bias: a weight whose input is always 1
        weight, input_symbol, input_mean = f"b_{{{j}}}", "1", ""
    else:
        i = chain.source + 1
        weight, input_symbol = rf"w_{{{i}\to{j}}}", f"a_{{{i}}}"
        input_mean = rf" \, a_{{{i}}}^{{(n)}}"
    if chain.is_output:
        rule = (
            r"\delta_{\mathrm{out}} = \frac{\partial \ell}{\partial \hat y}"
            r"\cdot \frac{\partial \hat y}{\partial z}"
        )
    else:
        rule = rf"\delta_{{{j}}} = f'(z_{{{j}}}) \cdot \sum_k w_{{{j}\to k}}\,\delta_k"
    delta_j = r"\delta_{\mathrm{out}}" if chain.is_output else rf"\delta_{{{j}}}"
    lines = [
        rf"\frac{{\partial L}}{{\partial {weight}}} = \frac{{1}}{{N}} \sum_{{n=1}}^{{N}}"
        rf" {delta_j}^{{(n)}}{input_mean} \qquad (\text{{into {to_name}}})",
        rule,
    ]
    for n in range(len(chain.terms)):
        if chain.is_output:
            factors = (
                rf"{number(chain.upstream[n], factor=True)} \times"
                rf" {number(chain.slopes[n], factor=True)}"
            )
        else:
            products = [
                rf"{number(w, factor=True)} \times {number(delta, factor=True)}"
                for w, delta in zip(chain.next_weights, chain.next_deltas[n], strict=True)
            ]
            # Two products a line: four would run past a column of the page.
            total = r" \\ &\qquad + ".join(
                " + ".join(products[start : start + 2]) for start in range(0, len(products), 2)
            )
            factors = rf"{number(chain.slopes[n], factor=True)} \times ({total})"
        lines.append(
            rf"\begin{{aligned}} n={n + 1}:\ & {delta_j} = {factors}"
            rf" = {number(chain.deltas[n])} \\ & {delta_j} \, {input_symbol} ="
            rf" {number(chain.deltas[n], factor=True)} \times"
            rf" {number(chain.inputs[n], factor=True)} = {number(chain.terms[n])}"
            r" \end{aligned}"
        )
    terms = " + ".join(number(term, factor=True) for term in chain.terms)
    lines.append(
        rf"\frac{{\partial L}}{{\partial {weight}}} = \frac{{1}}{{{len(chain.terms)}}}"
        rf"\,({terms}) = {number(chain.gradient)}"
    )
    return lines


def _latex_number(digits: int) -> Callable[..., str]:
    def number(value: float, *, factor: bool = False) -> str:
        rounded = float(f"{float(value):.{digits}g}")
        # -0.0 reads as a mistake; a rounded zero is written 0.
        text = f"{rounded + 0.0:.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
        # A negative factor is bracketed, so that "× (-0.5)" reads as a product.
        return f"({text})" if factor and text.startswith("-") else text

    return number


def _check_kinds(activation: str, loss: str) -> None:
    check_choice(activation, name="activation", choices=ACTIVATION_NAMES, what="activation")
    check_choice(loss, name="loss", choices=LOSS_NAMES, what="loss")


def _checked_batch(
    inputs: ArrayLike, targets: ArrayLike, *, loss: str
) -> tuple[np.ndarray, np.ndarray]:
    inputs = np.asarray(inputs, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if inputs.ndim != 2 or inputs.shape[1] != N_INPUTS or len(inputs) == 0:
        refuse(
            "inputs.shape", inputs.shape, "`inputs` must have shape (n_points, 2), n_points >= 1"
        )
    if targets.shape != (len(inputs),):
        refuse(
            "targets.shape",
            targets.shape,
            f"`targets` must hold one number per point, shape ({len(inputs)},)",
        )
    if not (np.isfinite(inputs).all() and np.isfinite(targets).all()):
        refuse("inputs", inputs.tolist(), "The points and targets must be finite numbers")
    if loss == "binary_crossentropy" and not ((targets >= 0) & (targets <= 1)).all():
        refuse("targets", targets.tolist(), "Cross-entropy needs targets between 0 and 1")
    return inputs, targets


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # e^-|z| is at most 1: neither branch overflows, whatever the sign of z.
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _f(network: Network, z: np.ndarray) -> np.ndarray:
    match network.activation:
        case "tanh":
            return np.tanh(z)
        case "sigmoid":
            return _sigmoid(z)
        case _:
            return np.maximum(z, 0.0)


def _f_prime(network: Network, z: np.ndarray) -> np.ndarray:
    match network.activation:
        case "tanh":
            return 1.0 - np.tanh(z) ** 2
        case "sigmoid":
            return _sigmoid(z) * _sigmoid(-z)
        case _:
            # ReLU has no slope at 0; TensorFlow takes 0 there, and so does this.
            return (z > 0).astype(np.float64)


def _output_activation(loss: str, z: np.ndarray) -> np.ndarray:
    return _sigmoid(z) if loss == "binary_crossentropy" else z


def _point_losses(
    loss: str, output_z: np.ndarray, outputs: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    if loss == "binary_crossentropy":
        # -[y log s(z) + (1 - y) log(1 - s(z))] written from z, as TensorFlow's
        # sigmoid_cross_entropy_with_logits: log(0) never happens.
        return np.maximum(output_z, 0.0) - output_z * targets + np.log1p(np.exp(-np.abs(output_z)))
    return (outputs - targets) ** 2
