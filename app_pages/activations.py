"""Activations: pick an activation function, see it and its slope, and push one neuron around."""

import streamlit as st

from dlcore.concepts.activations import ACTIVATION_NAMES, ACTIVATIONS, neuron
from dlcore.figures.activations import activation_figure, neuron_figure, softmax_figure
from ui.concept_layout import concept_layout
from ui.presenter import explain, show_figure
from ui.settings import PageSettings

settings = PageSettings("act")

controls, chart = concept_layout(
    "Activations",
    "A neuron adds up its weighted inputs and passes the sum through an **activation "
    "function**. Its slope decides how much gradient flows back during training: where "
    "the slope is nearly zero, learning stalls.",
    chart_width=2.4,
)
with controls:
    name = st.selectbox(
        "Function",
        ACTIVATION_NAMES,
        format_func=lambda option: ACTIVATIONS[option].title,
        **settings.bind("fn"),
    )
    options = {}
    if name == "leaky_relu":
        options["negative_slope"] = st.slider(
            "Negative slope", 0.0, 1.0, 0.2, 0.01, **settings.bind("slope")
        )
    elif name == "elu":
        options["alpha"] = st.slider("α", 0.1, 3.0, 1.0, 0.1, **settings.bind("alpha"))
    elif name == "softmax":
        options["temperature"] = st.slider(
            "Temperature T",
            0.1,
            5.0,
            1.0,
            0.1,
            **settings.bind("temp"),
            help="Divides the logits: a high T flattens the probabilities, a low T sharpens them.",
        )
        other_logits = (
            st.slider("Logit of class 1", -5.0, 5.0, 1.0, 0.1, **settings.bind("logit1")),
            st.slider("Logit of class 2", -5.0, 5.0, -1.0, 0.1, **settings.bind("logit2")),
        )
        options["other_logits"] = other_logits
    x_min, x_max = st.slider("x range", -20.0, 20.0, (-6.0, 6.0), 0.5, **settings.bind("range"))
    threshold = st.select_slider(
        "Gradient counts as vanished below",
        [0.001, 0.01, 0.05, 0.1, 0.2],
        0.05,
        **settings.bind("vanish"),
    )

info = ACTIVATIONS[name]
with chart:
    if x_max <= x_min:
        st.info("The x range is empty: drag its two ends apart.", icon=":material/info:")
        st.stop()
    formula, slope = st.columns(2)
    formula.latex(info.formula)
    slope.latex(info.derivative_formula)
    show_figure(
        activation_figure(name, x_min=x_min, x_max=x_max, threshold=threshold, **options),
        key="act.curve",
    )
    explain(info.summary, title=f"About {info.title}")
    if name == "softmax":
        st.caption(
            "Softmax turns a whole vector of logits into probabilities. The curve above is "
            "the probability of class 0 as its logit x moves, the other logits held fixed."
        )

st.subheader("One neuron: f(w·x + b)")
explain(
    "Backpropagation hands the weight the gradient ∂f/∂w = f′(z)·x and the bias "
    "∂f/∂b = f′(z). When f′(z) is nearly zero the neuron is **saturated**: whatever the "
    "error, its weight and bias barely move."
)
weight_column, bias_column, input_column = st.columns(3)
weight = weight_column.slider("Weight w", -5.0, 5.0, 1.0, 0.1, **settings.bind("w"))
bias = bias_column.slider("Bias b", -10.0, 10.0, 0.0, 0.1, **settings.bind("b"))
x_value = input_column.slider("Input x", -6.0, 6.0, 2.0, 0.1, **settings.bind("x"))

result = neuron(x_value, weight=weight, bias=bias, name=name, **options)
numbers = st.columns(4)
numbers[0].metric("z = w·x + b", f"{float(result.pre_activation):.4g}")
numbers[1].metric("f(z)", f"{float(result.output):.4g}")
numbers[2].metric("f′(z)", f"{float(result.local_gradient):.4g}")
numbers[3].metric("∂f/∂w = f′(z)·x", f"{float(result.weight_gradient):.4g}")
if abs(float(result.local_gradient)) < threshold:
    st.warning(
        f"Saturated: f′(z) = {float(result.local_gradient):.2g} is below {threshold}, so this "
        "neuron's weight and bias get almost no gradient. Move w or b to bring z back.",
        icon=":material/warning:",
    )

neuron_chart, softmax_chart = st.columns(2) if name == "softmax" else (st.container(), None)
with neuron_chart:
    show_figure(
        neuron_figure(weight=weight, bias=bias, name=name, x_value=x_value, **options),
        key="act.neuron",
    )
if softmax_chart is not None:
    with softmax_chart:
        show_figure(
            softmax_figure(
                [float(result.pre_activation), *options["other_logits"]],
                temperature=options["temperature"],
            ),
            key="act.softmax",
        )
        st.caption("Class 0's logit is the neuron's z; temperature divides all three.")
