"""Activation functions and their derivatives in NumPy, checked against keras.activations.

About 550 lines because each of the ten functions is written out twice, as itself and as
its derivative, with the one neuron the page shows; splitting them would part each
function from its slope.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike

ACTIVATION_NAMES = (
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "swish",
    "softplus",
    "softmax",
)
"""The activations this module explains, by their names in `keras.activations`."""

# SELU's fixed constants (Klambauer et al., 2017), as TensorFlow's `tf.nn.selu` uses them.
# They are chosen so that activations keep mean 0 and variance 1 from layer to layer.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@dataclasses.dataclass(frozen=True)
class ActivationInfo:
    """What the Activations page shows about one activation function.

    Attributes:
        name: The name in `keras.activations`, e.g. `"leaky_relu"`.
        title: The name to display, e.g. `"Leaky ReLU"`.
        formula: The function as a LaTeX string, for `st.latex`.
        derivative_formula: Its derivative as a LaTeX string.
        summary: Two or three plain sentences: what it does, where its gradient
            vanishes, where it is used.
    """

    name: str
    title: str
    formula: str
    derivative_formula: str
    summary: str


ACTIVATIONS: dict[str, ActivationInfo] = {
    info.name: info
    for info in (
        ActivationInfo(
            name="sigmoid",
            title="Sigmoid",
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative_formula=r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
            summary=(
                "Squashes any number into (0, 1), so the output reads as a probability. "
                "Its slope is at most 0.25 and almost 0 once |x| passes about 4, which is why "
                "deep stacks of sigmoids learn slowly. It is used for the output of a "
                "yes/no classifier and for the gates of LSTM and GRU cells."
            ),
        ),
        ActivationInfo(
            name="tanh",
            title="Tanh",
            formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            derivative_formula=r"\tanh'(x) = 1 - \tanh^2(x)",
            summary=(
                "Squashes any number into (-1, 1) and is centred on 0, unlike the sigmoid. "
                "Its slope is 1 at 0 but vanishes for |x| beyond about 3. "
                "It is the usual output activation of recurrent cells (SimpleRNN, LSTM, GRU)."
            ),
        ),
        ActivationInfo(
            name="relu",
            title="ReLU",
            formula=r"\mathrm{ReLU}(x) = \max(0, x)",
            derivative_formula=(
                r"\mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
            ),
            summary=(
                "Passes positive inputs through unchanged and sets negative ones to 0. "
                "Its gradient never shrinks for x > 0 but is exactly 0 for x < 0, so a neuron "
                "whose input stays negative stops learning (a 'dead' ReLU). "
                "It is the default hidden-layer activation of most CNNs and MLPs."
            ),
        ),
        ActivationInfo(
            name="leaky_relu",
            title="Leaky ReLU",
            formula=(
                r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}"
                r"\qquad a = \text{negative\_slope}"
            ),
            derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
            summary=(
                "Like ReLU, but negative inputs keep a small slope a instead of 0. "
                "The gradient is never 0, so neurons cannot die. "
                "It is common in GAN discriminators."
            ),
        ),
        ActivationInfo(
            name="elu",
            title="ELU",
            formula=(
                r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}"
            ),
            derivative_formula=(
                r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}"
            ),
            summary=(
                "Like ReLU for positive inputs, but negative inputs curve smoothly down to "
                "-alpha, which pulls the mean output towards 0. "
                "Its gradient vanishes only for large negative x. "
                "It is an alternative to ReLU in hidden layers."
            ),
        ),
        ActivationInfo(
            name="selu",
            title="SELU",
            formula=(
                r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 "
                r"\end{cases} \qquad \lambda \approx 1.0507,\ \alpha \approx 1.6733"
            ),
            derivative_formula=(
                r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}"
            ),
            summary=(
                "A scaled ELU whose fixed constants keep each layer's outputs near mean 0 and "
                "variance 1, so a deep network normalizes itself. "
                "Its gradient vanishes only for large negative x. "
                "It is used in deep fully connected networks with lecun_normal initialization."
            ),
        ),
        ActivationInfo(
            name="gelu",
            title="GELU",
            formula=(
                r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}"
                r"\left(1 + \operatorname{erf}\!\left(\frac{x}{\sqrt{2}}\right)\right)"
            ),
            derivative_formula=(
                r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x), \qquad "
                r"\varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}"
            ),
            summary=(
                "Weights the input by the probability that a standard normal variable is "
                "below it, a smooth version of ReLU that dips slightly below 0. "
                "Its gradient vanishes for large negative x. "
                "It is the activation of Transformers such as BERT and GPT."
            ),
        ),
        ActivationInfo(
            name="swish",
            title="Swish (SiLU)",
            formula=r"\mathrm{swish}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
            derivative_formula=(
                r"\mathrm{swish}'(x) = \sigma(x) + x\,\sigma(x)\,\bigl(1 - \sigma(x)\bigr)"
            ),
            summary=(
                "Multiplies the input by its own sigmoid: a smooth ReLU with a small dip "
                "below 0. Its gradient vanishes for large negative x. "
                "It is used in EfficientNet and many recent vision models."
            ),
        ),
        ActivationInfo(
            name="softplus",
            title="Softplus",
            formula=r"\mathrm{softplus}(x) = \log\left(1 + e^{x}\right)",
            derivative_formula=r"\mathrm{softplus}'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
            summary=(
                "A smooth ReLU whose output is always positive. "
                "Its gradient is the sigmoid, so it vanishes for large negative x. "
                "It is used where an output must be positive, such as a standard deviation."
            ),
        ),
        ActivationInfo(
            name="softmax",
            title="Softmax",
            formula=(
                r"p_0 = \frac{e^{x/T}}{e^{x/T} + \sum_{j \ge 1} e^{z_j/T}}"
                r"\qquad T = \text{temperature}"
            ),
            derivative_formula=r"\frac{\partial p_0}{\partial x} = \frac{p_0\,(1 - p_0)}{T}",
            summary=(
                "Turns a vector of scores (logits) into probabilities that sum to 1; "
                "the curve shows the first class's probability as its logit x changes "
                "while the others stay fixed. Its gradient vanishes once one class wins by "
                "far, and a low temperature T sharpens the choice. "
                "It is the output activation of classifiers with more than two classes."
            ),
        ),
    )
}


class ActivationOptions(TypedDict, total=False):
    """The settings some activations take; each activation ignores those it does not use.

    `activation`, `derivative` and `neuron` take them as keyword arguments.

    Attributes:
        negative_slope: `float`, the slope of `"leaky_relu"` for x <= 0. Defaults to `0.2`.
        alpha: `float`, the size of `"elu"`'s negative saturation, -alpha. Defaults to `1.0`.
        temperature: `float` > 0, divides all logits of `"softmax"`. Defaults to `1.0`.
        other_logits: The logits of the other classes for `"softmax"`, which stay fixed
            while x varies as the logit of class 0. Defaults to `(0.0,)`.
    """

    negative_slope: float
    alpha: float
    temperature: float
    other_logits: Sequence[float]


_DEFAULT_OPTIONS: ActivationOptions = {
    "negative_slope": 0.2,
    "alpha": 1.0,
    "temperature": 1.0,
    "other_logits": (0.0,),
}


def activation(name: str, x: ArrayLike, **options: Unpack[ActivationOptions]) -> np.ndarray:
    """Applies an activation function elementwise, as `keras.activations.<name>` does.

    Args:
        name: One of `ACTIVATION_NAMES`.
        x: A number or an array of any shape.
        **options: The `ActivationOptions` the chosen activation uses; it ignores the others.

    Returns:
        A float64 array of the same shape as `x`. For `"softmax"`, the probability of
        class 0, in [0, 1].

    Raises:
        ValueError: If `name` is unknown or `temperature` <= 0 for `"softmax"`.
        TypeError: If an option is not one of `ActivationOptions`.

    Example:

    >>> activation("relu", [-2.0, 3.0])
    array([0., 3.])
    """
    _check_name(name)
    settings = _with_defaults(options)
    x = np.asarray(x, dtype=np.float64)
    match name:
        case "sigmoid":
            values = _sigmoid(x)
        case "tanh":
            values = np.tanh(x)
        case "relu":
            values = np.maximum(x, 0.0)
        case "leaky_relu":
            values = np.where(x > 0, x, settings["negative_slope"] * x)
        case "elu":
            values = _elu(x, settings["alpha"])
        case "selu":
            values = SELU_SCALE * _elu(x, SELU_ALPHA)
        case "gelu":
            values = x * _standard_normal_cdf(x)
        case "swish":
            values = x * _sigmoid(x)
        case "softplus":
            # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): e^x itself would overflow for x > 709.
            values = np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
        case "softmax":
            values = _class_probabilities(x, settings)[..., 0]
    # NumPy returns a scalar, not a 0-d array, for a 0-d input; keep the promised type.
    return np.asarray(values)


def derivative(name: str, x: ArrayLike, **options: Unpack[ActivationOptions]) -> np.ndarray:
    """Computes the exact derivative d f / d x of an activation function, elementwise.

    At x = 0, where ReLU, Leaky ReLU, ELU (alpha != 1) and SELU have a kink and no
    derivative, this returns the slope on the left (x < 0), as TensorFlow does for ReLU
    and Leaky ReLU.

    Args:
        name: One of `ACTIVATION_NAMES`.
        x: A number or an array of any shape.
        **options: The `ActivationOptions` the chosen activation uses; it ignores the others.

    Returns:
        A float64 array of the same shape as `x`. For `"softmax"`, d p0 / d x, in
        [0, 0.25 / temperature].

    Raises:
        ValueError: If `name` is unknown or `temperature` <= 0 for `"softmax"`.
        TypeError: If an option is not one of `ActivationOptions`.

    Example:

    >>> derivative("sigmoid", 0.0)
    array(0.25)
    """
    _check_name(name)
    settings = _with_defaults(options)
    x = np.asarray(x, dtype=np.float64)
    match name:
        case "sigmoid":
            # 1 - sigmoid(x) equals sigmoid(-x), which stays accurate where sigmoid(x) nears 1.
            slopes = _sigmoid(x) * _sigmoid(-x)
        case "tanh":
            slopes = 1.0 - np.tanh(x) ** 2
        case "relu":
            slopes = np.where(x > 0, 1.0, 0.0)
        case "leaky_relu":
            slopes = np.where(x > 0, 1.0, settings["negative_slope"])
        case "elu":
            slopes = _elu_derivative(x, settings["alpha"])
        case "selu":
            slopes = SELU_SCALE * _elu_derivative(x, SELU_ALPHA)
        case "gelu":
            standard_normal_pdf = np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)
            slopes = _standard_normal_cdf(x) + x * standard_normal_pdf
        case "swish":
            slopes = _sigmoid(x) + x * _sigmoid(x) * _sigmoid(-x)
        case "softplus":
            slopes = _sigmoid(x)
        case "softmax":
            probabilities = _class_probabilities(x, settings)
            # 1 - p0 is summed from the other classes: 1.0 - p0 would round to 0 when p0 is
            # close to 1 and lose the tiny gradient that is left.
            first_class, other_classes = probabilities[..., 0], probabilities[..., 1:].sum(axis=-1)
            slopes = first_class * other_classes / settings["temperature"]
    return np.asarray(slopes)


def softmax(logits: ArrayLike, *, temperature: float = 1.0) -> np.ndarray:
    """Turns logits into probabilities over the last axis, as `keras.activations.softmax`.

    Args:
        logits: An array of shape `(..., n_classes)`, any real values.
        temperature: `float` > 0. The logits are divided by it: below 1 sharpens the
            probabilities towards the largest logit, above 1 flattens them. Defaults to `1.0`.

    Returns:
        A float64 array of shape `(..., n_classes)`, values in [0, 1] that sum to 1
        over the last axis.

    Raises:
        ValueError: If `logits` is a scalar or `temperature` <= 0.

    Example:

    >>> softmax([0.0, 0.0])
    array([0.5, 0.5])
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 0:
        raise ValueError(
            "`logits` must have at least one axis, the classes. "
            f"Received: logits={logits.item()!r} (a scalar)."
        )
    _check_temperature(temperature)
    scaled = logits / temperature
    # Subtracting the largest logit leaves the result unchanged and keeps exp() from overflowing.
    exponentials = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def vanishing_regions(
    x: ArrayLike, gradient: ArrayLike, *, threshold: float = 0.05
) -> list[tuple[float, float]]:
    """Finds the intervals of x where the gradient is too small to learn from.

    Args:
        x: A 1-D array of increasing sample points, shape `(n_points,)`.
        gradient: The derivative at those points, shape `(n_points,)`.
        threshold: `float` >= 0. The gradient vanishes where `|gradient| < threshold`.
            Defaults to `0.05`.

    Returns:
        One `(start, end)` pair per run of consecutive samples where the gradient
        vanishes, in increasing order: the first and the last x of the run.

    Raises:
        ValueError: If `x` is not 1-D and increasing, `gradient` has another shape,
            or `threshold` < 0.

    Example:

    >>> x = np.linspace(-6.0, 6.0, 13)
    >>> vanishing_regions(x, derivative("relu", x))
    [(-6.0, 0.0)]
    """
    x = np.asarray(x, dtype=np.float64)
    gradient = np.asarray(gradient, dtype=np.float64)
    if x.ndim != 1 or np.any(np.diff(x) <= 0):
        raise ValueError(
            f"`x` must be a 1-D array of increasing values. Received: x with shape {x.shape}."
        )
    if gradient.shape != x.shape:
        raise ValueError(
            f"`gradient` must have the same shape as `x`, {x.shape}. "
            f"Received: gradient with shape {gradient.shape}."
        )
    if threshold < 0:
        raise ValueError(f"`threshold` must be >= 0. Received: threshold={threshold!r}.")

    vanishes = np.abs(gradient) < threshold
    # Padding with False on both sides gives every run a rising edge and a falling edge.
    edges = np.diff(np.concatenate(([False], vanishes, [False])).astype(np.int8))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1) - 1
    return [
        (float(x[start]), float(x[end])) for start, end in zip(run_starts, run_ends, strict=True)
    ]


@dataclasses.dataclass(frozen=True)
class NeuronOutput:
    """One neuron's forward pass and its gradients, as `neuron` returns them.

    All fields are float64 arrays of the input's shape.

    Attributes:
        pre_activation: z = weight * x + bias.
        output: f(z).
        local_gradient: f'(z), the activation's slope at z.
        weight_gradient: d output / d weight = f'(z) * x.
        bias_gradient: d output / d bias = f'(z).
    """

    pre_activation: np.ndarray
    output: np.ndarray
    local_gradient: np.ndarray
    weight_gradient: np.ndarray
    bias_gradient: np.ndarray


def neuron(
    x: ArrayLike, *, weight: float, bias: float, name: str, **options: Unpack[ActivationOptions]
) -> NeuronOutput:
    """Runs one neuron with a single input, f(weight * x + bias), and its backward pass.

    The gradients are what backpropagation would hand to the optimizer: by the chain
    rule, d f(z) / d weight = f'(z) * x and d f(z) / d bias = f'(z). Where f'(z) vanishes,
    so do both, and the neuron stops learning.

    Args:
        x: The input, a number or an array of any shape.
        weight: `float`, the neuron's weight w.
        bias: `float`, the neuron's bias b.
        name: The activation f, one of `ACTIVATION_NAMES`.
        **options: The `ActivationOptions` f uses; it ignores the others.

    Returns:
        A `NeuronOutput` whose fields are float64 arrays of the shape of `x`.

    Raises:
        ValueError: If `name` is unknown or `temperature` <= 0 for `"softmax"`.
        TypeError: If an option is not one of `ActivationOptions`.

    Example:

    >>> result = neuron(2.0, weight=0.5, bias=-3.0, name="relu")
    >>> float(result.pre_activation), float(result.output), float(result.weight_gradient)
    (-2.0, 0.0, 0.0)
    """
    x = np.asarray(x, dtype=np.float64)
    pre_activation = weight * x + bias
    local_gradient = derivative(name, pre_activation, **options)
    return NeuronOutput(
        pre_activation=pre_activation,
        output=activation(name, pre_activation, **options),
        local_gradient=local_gradient,
        weight_gradient=local_gradient * x,
        bias_gradient=local_gradient,
    )


def _with_defaults(options: ActivationOptions) -> ActivationOptions:
    """Every option: those given, and the defaults of the others."""
    unknown = sorted(set(options) - set(_DEFAULT_OPTIONS))
    if unknown:
        raise TypeError(
            f"Unknown activation option {unknown[0]!r}. "
            f"Valid options are: {', '.join(_DEFAULT_OPTIONS)}."
        )
    return {**_DEFAULT_OPTIONS, **options}


def _check_name(name: str) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"`name` must be one of {', '.join(ACTIVATION_NAMES)}. Received: name={name!r}."
        )


def _check_temperature(temperature: float) -> None:
    if not temperature > 0:
        raise ValueError(
            "`temperature` must be a number > 0; lower values sharpen the softmax. "
            f"Received: temperature={temperature!r}."
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # e^-|x| is at most 1, so neither branch can overflow, whatever the sign of x.
    exp_minus_abs = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + exp_minus_abs), exp_minus_abs / (1.0 + exp_minus_abs))


def _elu(x: np.ndarray, alpha: float) -> np.ndarray:
    # np.where evaluates both branches; min(x, 0) keeps expm1 away from large positive x.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _elu_derivative(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


# math.erfc works on one number at a time; np.vectorize maps it over arrays.
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _standard_normal_cdf(x: np.ndarray) -> np.ndarray:
    # Phi(x) = erfc(-x / sqrt(2)) / 2 stays accurate for large negative x, where the
    # textbook (1 + erf(x / sqrt(2))) / 2 cancels to 0.
    return 0.5 * _erfc(-x / math.sqrt(2.0))


def _class_probabilities(x: np.ndarray, settings: ActivationOptions) -> np.ndarray:
    """Softmax of the logits [x, *other_logits] for each element of x, shape x.shape + (K,)."""
    other_logits = np.asarray(settings["other_logits"], dtype=np.float64)
    if other_logits.ndim != 1:
        raise ValueError(
            "`other_logits` must be a flat sequence of numbers, one per other class. "
            f"Received: other_logits={other_logits.tolist()!r}."
        )
    logits = np.concatenate(
        [x[..., np.newaxis], np.broadcast_to(other_logits, (*x.shape, other_logits.size))],
        axis=-1,
    )
    return softmax(logits, temperature=settings["temperature"])
