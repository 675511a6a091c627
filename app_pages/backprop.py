"""Backpropagation: set a tiny network and a mini-batch, and follow each step number by number."""

import pandas as pd
import streamlit as st

from dlcore.concepts import backprop as bp
from dlcore.figures.backprop import loss_figure, network_figure
from ui.concept_layout import concept_layout
from ui.presenter import explain, show_figure
from ui.settings import PageSettings

settings = PageSettings("bp")
HISTORY_KEY = "bp.history"
REPLAY_KEY = "bp.replay"
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0)
VIEWS = ("Forward", "Backward", "Update")
YOUR_POINTS = "Your points"

controls, chart = concept_layout(
    "Backpropagation",
    "Training a network is three moves: the **forward** pass computes every neuron's "
    "output, the **backward** pass sends the error back through the same weights by the "
    "chain rule, and the **update** moves each weight a little against its gradient. "
    "Here every number of the three is on screen, for a network small enough to read.",
    chart_width=2.4,
)
with controls:
    hidden_text = st.text_input(
        "Hidden layers",
        "3",
        help="Neurons per hidden layer, separated by commas: 1 to 3 layers of 1 to 4 "
        "neurons, e.g. 3, 2.",
        **settings.bind("hidden"),
    )
    activation = st.selectbox(
        "Hidden activation",
        bp.ACTIVATION_NAMES,
        format_func=bp.ACTIVATION_TITLES.get,
        **settings.bind("act"),
    )
    loss = st.selectbox(
        "Output and loss", bp.LOSS_NAMES, format_func=bp.LOSS_TITLES.get, **settings.bind("loss")
    )
    learning_rate = st.select_slider("Learning rate η", LEARNING_RATES, 0.5, **settings.bind("lr"))
    batch_name = st.selectbox(
        "Mini-batch", (*bp.MINI_BATCHES, YOUR_POINTS), **settings.bind("batch")
    )
    if batch_name == YOUR_POINTS:
        points_text = st.text_area(
            "Your points: x₁, x₂, target, one a line",
            "0, 0, 0\n0, 1, 1\n1, 0, 1\n1, 1, 0",
            help=f"1 to {bp.MAX_POINTS} points, inputs from -{bp.POINT_RANGE:g} to "
            f"{bp.POINT_RANGE:g}; with cross-entropy a target is from 0 to 1.",
            **settings.bind("points"),
        )
    else:
        st.caption(bp.MINI_BATCHES[batch_name].description)
    seed = st.number_input(
        "Seed of the first weights",
        0,
        9999,
        0,
        help="The weights start Glorot-uniform, as in a Keras Dense layer; the biases at 0.",
        **settings.bind("seed"),
    )

try:
    hidden_sizes = bp.parse_hidden_sizes(hidden_text)
except ValueError as error:
    with chart:
        st.error(
            f"{error} Type 1 to 3 numbers from 1 to 4, such as 3 or 4, 2.",
            icon=":material/error:",
        )
    st.stop()
if batch_name == YOUR_POINTS:
    try:
        batch = bp.parse_points(points_text, loss=loss)
    except ValueError as error:
        with chart:
            st.error(str(error), icon=":material/error:")
        st.stop()
else:
    batch = bp.MINI_BATCHES[batch_name]

# The history belongs to one network and one batch: a change of either starts it again.
# The learning rate may change between steps.
points = (batch.inputs.tobytes(), batch.targets.tobytes())
signature = (hidden_sizes, activation, loss, points, int(seed))
history = st.session_state.get(HISTORY_KEY)
if history is None or history["signature"] != signature:
    start = bp.init_network(hidden_sizes, activation=activation, loss=loss, seed=int(seed))
    history = {
        "signature": signature,
        "networks": [start],
        "losses": [bp.backprop(start, batch.inputs, batch.targets).loss],
    }
    st.session_state[HISTORY_KEY] = history
    st.session_state.pop(REPLAY_KEY, None)
networks, losses = history["networks"], history["losses"]
sizes = networks[0].layer_sizes
n_layers = len(sizes)


def neuron_name(layer: int, neuron: int) -> str:
    """A neuron as the pickers name it, counted from 1: "x₂", "hidden 1, neuron 3"."""
    if layer == 0:
        return f"x{'₁₂'[neuron - 1]}"
    return f"{bp.layer_name(layer, n_layers)}, neuron {neuron}"


with controls:
    st.subheader("Weight to follow")
    settings.keep_within("into", 1, n_layers - 1)
    into = st.selectbox(
        "Into layer",
        range(1, n_layers),
        format_func=lambda layer: bp.layer_name(layer, n_layers),
        **settings.bind("into"),
    )
    # 0 is the bias, listed after the neurons: a smaller layer keeps the nearest neuron.
    settings.keep_within("from", 0, sizes[into - 1])
    source = st.selectbox(
        "From neuron",
        [*range(1, sizes[into - 1] + 1), 0],
        format_func=lambda neuron: (
            neuron_name(into - 1, neuron) if neuron else "its bias b (input 1)"
        ),
        help="A bias is a weight whose input is always 1.",
        **settings.bind("from"),
    )
    settings.keep_within("to", 1, sizes[into])
    target = st.selectbox(
        "To neuron",
        range(1, sizes[into] + 1),
        format_func=lambda neuron: neuron_name(into, neuron),
        **settings.bind("to"),
    )

with chart:
    step_column, ten_column, reset_column = st.columns(3)
    n_steps = 0
    room = bp.MAX_STEPS - (len(networks) - 1)
    if step_column.button(
        "Step",
        type="primary",
        key="bp.step",
        disabled=room < 1,
        help="One update, w ← w − η·∂L/∂w.",
    ):
        n_steps = 1
    if ten_column.button("10 steps", key="bp.step10", disabled=room < 1):
        n_steps = min(10, room)
    if reset_column.button("Reset", key="bp.reset", help="Back to the first weights."):
        del networks[1:], losses[1:]
        st.session_state.pop(REPLAY_KEY, None)
    for _ in range(n_steps):
        update = bp.sgd_step(networks[-1], batch.inputs, batch.targets, learning_rate=learning_rate)
        networks.append(update.after)
        losses.append(update.loss_after)
    if n_steps or REPLAY_KEY not in st.session_state:
        # A new step is shown at once; the slider replays older ones.
        st.session_state[REPLAY_KEY] = len(networks) - 1
    if n_steps and len(networks) - 1 >= bp.MAX_STEPS:
        st.rerun()  # the step buttons above were drawn before the history filled up
    if room < 1:
        st.caption(f"The history holds {bp.MAX_STEPS} steps: Reset to start again.")
    if len(networks) > 1:
        shown = st.slider(
            "Step shown",
            0,
            len(networks) - 1,
            key=REPLAY_KEY,
            help="Replay the history: step 0 is the first weights.",
        )
    else:
        shown = 0
        st.caption("Step 0: the first weights. Press Step to take one update.")

    view = st.radio("View", VIEWS, horizontal=True, **settings.bind("view"))
    n_points = len(batch.targets)
    settings.keep_within("point", 0, n_points)
    point = st.selectbox(
        "Numbers on the neurons for",
        range(n_points + 1),
        index=min(2, n_points),
        format_func=lambda n: (
            "the batch mean"
            if n == 0
            else f"point {n}: ({batch.inputs[n - 1][0]:g}, {batch.inputs[n - 1][1]:g}), "
            f"target {batch.targets[n - 1]:g}"
        ),
        **settings.bind("point"),
    )

network = networks[shown]
result = bp.backprop(network, batch.inputs, batch.targets)
update = bp.sgd_step(network, batch.inputs, batch.targets, learning_rate=learning_rate)
is_bias = source == 0
chosen = (into - 1, None if is_bias else source - 1, target - 1)
chain = bp.chain_rule(result, layer=chosen[0], source=chosen[1], target=chosen[2])
weight_label = (
    f"the bias of {neuron_name(into, target)}"
    if is_bias
    else f"{neuron_name(into - 1, source)} → {neuron_name(into, target)}"
)
point_index = None if point == 0 else point - 1

with chart:
    if view == "Forward":
        show_figure(
            network_figure(result, view="forward", point=point_index, chosen=chosen),
            key="bp.forward",
        )
        st.metric(f"Loss L at step {shown}", f"{result.loss:.6g}")
        explain(
            "Each neuron adds up its weighted inputs, z = Σ w·a + b, and passes the sum "
            "through its activation, a = f(z). The output ŷ is compared with the target, "
            "and the loss L is the mean over the batch."
        )
        table = pd.DataFrame(
            {
                "x₁": batch.inputs[:, 0],
                "x₂": batch.inputs[:, 1],
                "target y": batch.targets,
                "output ŷ": result.outputs,
                "loss of the point": result.point_losses,
            },
            index=pd.RangeIndex(1, n_points + 1, name="point"),
        )
        st.dataframe(table.style.format("{:.4g}"))
    elif view == "Backward":
        show_figure(
            network_figure(result, view="backward", point=point_index, chosen=chosen),
            key="bp.backward",
        )
        explain(
            "δ is how much one point's loss changes when a neuron's z changes. At the "
            "output it is ŷ − y (sigmoid with cross-entropy) or 2(ŷ − y) (linear with "
            "squared error); one layer down, each neuron collects the δ of the layer "
            "above through its weights and multiplies by its own slope f′(z). A weight's "
            "gradient is the δ at its end times the activation at its start, averaged "
            "over the batch; the batch mean of δ is the bias's gradient."
        )
        st.subheader(f"Chain rule for {weight_label}")
        for line in bp.chain_rule_latex(chain, n_layers=n_layers):
            st.latex(line)
    else:
        after = bp.backprop(update.after, batch.inputs, batch.targets)
        before_column, after_column = st.columns(2)
        before_column.metric("Loss before the update", f"{update.loss_before:.6g}")
        after_column.metric(
            "Loss after the update",
            f"{update.loss_after:.6g}",
            delta=f"{update.loss_after - update.loss_before:.3g}",
            delta_color="inverse",
        )
        if is_bias:
            new_weight, symbol = float(update.after.biases[chosen[0]][chosen[2]]), "b"
        else:
            new_weight, symbol = float(update.after.weights[chosen[0]][chosen[1], chosen[2]]), "w"
        st.markdown(f"The {'' if is_bias else 'weight '}{weight_label}:")
        st.latex(
            rf"{symbol} \leftarrow {symbol} - \eta\,\frac{{\partial L}}{{\partial {symbol}}}"
            rf" = {chain.weight:.4g} - {learning_rate:g} \times ({chain.gradient:.4g})"
            rf" = {new_weight:.4g}"
        )
        show_figure(
            network_figure(
                after,
                view="forward",
                point=point_index,
                chosen=chosen,
                title="After the update: z and a = f(z) for "
                + ("the batch mean" if point_index is None else f"point {point}")
                + "; edges are the new weights",
            ),
            key="bp.update",
        )
        st.caption(
            "The network after this update: every weight and bias moved by −η times its "
            "gradient. Step applies it and adds it to the history."
        )
        if update.loss_after > update.loss_before:
            st.warning(
                f"This step raises the loss: η = {learning_rate:g} overshoots here. "
                "Try a smaller learning rate.",
                icon=":material/warning:",
            )

show_figure(loss_figure(losses, current=shown, loss=loss), key="bp.losses", across_page=True)
