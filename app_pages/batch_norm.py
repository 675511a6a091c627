"""Batch norm: normalise a small batch by hand, train the moving averages, switch to inference."""

import streamlit as st

from dlcore.concepts.batch_norm import (
    EPSILON,
    FEATURE_MEANS,
    FEATURE_STDS,
    batch_norm_inference,
    batch_norm_training,
    batch_size_effect,
    sample_batch,
    simulate_training,
    update_moving,
)
from dlcore.figures.batch_norm import batch_figure, batch_size_figure, moving_average_figure
from ui.concept_layout import concept_layout
from ui.presenter import common_mistake, explain, show_figure
from ui.settings import PageSettings

settings = PageSettings("bn")
MODES = ("Training", "Inference")
MOMENTUMS = [0.0, 0.5, 0.9, 0.99, 0.999]
SUBSCRIPTS = "₁₂₃₄₅₆₇₈₉"
# Spelled by name: ruff reads a bare gamma as a confusable "y", and y is the output here.
GAMMA = "\N{GREEK SMALL LETTER GAMMA}"

controls, results = concept_layout(
    "Batch norm",
    "Batch normalization rescales each feature of a layer's output so that, over the "
    "batch, it has mean 0 and variance 1, then lets the network choose its own scale "
    f"**{GAMMA}** and shift **β**. In training it uses the **batch's** statistics; at inference "
    "the **moving averages** it kept during training.",
)
with controls:
    mode = st.radio("Mode", MODES, horizontal=True, **settings.bind("mode"))
    training = mode == "Training"
    batch_size = st.slider("Batch size", 2, 8, 4, **settings.bind("size"))
    seed = int(
        st.number_input("Seed", 0, 999, 0, help="Draws another batch.", **settings.bind("seed"))
    )
    gamma = st.slider(f"Scale {GAMMA} (gamma)", 0.0, 3.0, 1.0, 0.1, **settings.bind("gamma"))
    beta = st.slider("Shift β (beta)", -3.0, 3.0, 0.0, 0.1, **settings.bind("beta"))
    momentum = st.select_slider("Momentum", MOMENTUMS, 0.99, **settings.bind("momentum"))
    steps = st.slider(
        "Training steps so far",
        0,
        1000,
        200,
        10,
        help="Batches the layer has seen in training: each moved the moving averages.",
        **settings.bind("steps"),
    )
    feature = st.radio("Feature to follow", [1, 2, 3], horizontal=True, **settings.bind("feature"))
column = feature - 1

batch = sample_batch(batch_size, seed=seed)
run = simulate_training(steps=steps, batch_size=batch_size, momentum=momentum, seed=seed)
options = {"gamma": gamma, "beta": beta}
if training:
    result = batch_norm_training(batch, **options)
else:
    result = batch_norm_inference(
        batch, moving_mean=run.moving_mean, moving_variance=run.moving_variance, **options
    )


def _table_rows() -> list[dict[str, str]]:
    """The batch, x̂ and y sample by sample, then the statistics used, as text to read."""
    features = range(batch.shape[1])
    rows = []
    for index in range(batch_size):
        row = {"": f"sample {index + 1}"}
        row |= {f"x{SUBSCRIPTS[j]}": f"{result.batch[index, j]:.2f}" for j in features}
        row |= {f"x̂{SUBSCRIPTS[j]}": f"{result.normalized[index, j]:.3f}" for j in features}
        row |= {f"y{SUBSCRIPTS[j]}": f"{result.output[index, j]:.3f}" for j in features}
        rows.append(row)
    used = "batch" if training else "moving"
    for name, values in ((f"{used} mean", result.mean), (f"{used} variance", result.variance)):
        row = {"": name} | {f"x{SUBSCRIPTS[j]}": f"{values[j]:.3f}" for j in features}
        rows.append(row | {key: "" for key in rows[0] if key not in row})
    return rows


with results:
    st.markdown(
        f"**{batch_size} samples × 3 features**, x on three different scales. "
        + (
            "Training: each feature is normalised with **its own** mean and variance in this batch."
            if training
            else f"Inference: each feature is normalised with the **moving averages** after "
            f"{steps} training steps, not with this batch's statistics."
        )
    )
    show_figure(batch_figure(result), key="bn.batch")

st.subheader("The numbers")
# Across the page, not in the charts' column: ten columns of numbers need its width in
# presenter mode. A plain table, not a data grid, so that presenter mode enlarges its text.
st.table(_table_rows(), hide_index=True, border="horizontal")
st.caption(
    "The small number names the feature: x₁ is feature 1. x̂ = (x − mean) / √(variance + ε), "
    f"y = {GAMMA}·x̂ + β, with ε = {EPSILON:g} as in Keras. The variance divides by the batch "
    "size, not by batch size − 1."
)
x_value = result.batch[0, column]
mean, variance = result.mean[column], result.variance[column]
st.markdown(
    f"Sample 1, feature {feature}: x̂ = ({x_value:.2f} − {mean:.3f}) / "
    f"√({variance:.3f} + {EPSILON:g}) = **{result.normalized[0, column]:.3f}**, then "
    f"y = {gamma:.1f} × {result.normalized[0, column]:.3f} + {beta:.1f} = "
    f"**{result.output[0, column]:.3f}**."
)

st.subheader("Training against inference")
if training:
    new_mean = update_moving(run.moving_mean, batch.mean(axis=0), momentum=momentum)
    new_variance = update_moving(run.moving_variance, batch.var(axis=0), momentum=momentum)
    st.markdown(
        f"This training step also moves feature {feature}'s moving averages, keeping "
        f"{momentum:g} of the old value and taking {1 - momentum:g} of the batch's:"
    )
    st.code(
        f"moving mean     = {momentum:g} × {run.moving_mean[column]:.3f} + {1 - momentum:g} × "
        f"{result.mean[column]:.3f} = {new_mean[column]:.3f}\n"
        f"moving variance = {momentum:g} × {run.moving_variance[column]:.3f} + "
        f"{1 - momentum:g} × {result.variance[column]:.3f} = {new_variance[column]:.3f}",
        language=None,
    )
else:
    own = batch_norm_training(batch, **options)
    st.markdown(
        f"Feature {feature}: inference uses the moving mean **{run.moving_mean[column]:.3f}** "
        f"and variance **{run.moving_variance[column]:.3f}**; this batch's own would be "
        f"{own.mean[column]:.3f} and {own.variance[column]:.3f}. The true values are "
        f"{FEATURE_MEANS[column]:g} and {FEATURE_STDS[column] ** 2:g}."
    )
    if steps * (1 - momentum) < 3:
        st.warning(
            f"After {steps} steps at momentum {momentum:g} the moving averages have not "
            "left their starting values (mean 0, variance 1) far behind: a model evaluated "
            "this early gives poor answers at inference even if its training loss looks fine.",
            icon=":material/warning:",
        )
alone = (
    batch_norm_training(batch[:1], **options)
    if training
    else batch_norm_inference(
        batch[:1], moving_mean=run.moving_mean, moving_variance=run.moving_variance, **options
    )
)
in_batch, by_itself = st.columns(2)
in_batch.metric(
    f"Sample 1's y{SUBSCRIPTS[column]} in this batch", f"{result.output[0, column]:.3f}"
)
by_itself.metric("The same sample alone (batch of 1)", f"{alone.output[0, column]:.3f}")
explain(
    "In training a sample's output depends on the other samples in its batch: alone, a "
    "sample is its own mean, its variance is 0, x̂ is 0 and y is just β. At inference "
    "the moving averages are fixed numbers, so a sample gives the same output in any "
    "batch, or alone."
    if training
    else "At inference the moving averages are fixed numbers: a sample gives the same "
    "output in any batch, or alone. Switch to Training to see the output depend on the "
    "batch."
)
show_figure(
    moving_average_figure(
        run,
        feature=column,
        true_mean=FEATURE_MEANS[column],
        true_variance=FEATURE_STDS[column] ** 2,
        batch_size=batch_size,
    ),
    key="bn.moving",
    across_page=True,
)
explain(
    f"With momentum {momentum:g} each step closes {1 - momentum:.1%} of the gap between "
    "the moving average and the batch's value: it takes a few times 1 / (1 − momentum) "
    "steps to forget the start. The moving variance settles near the true variance "
    f"times ({batch_size} − 1) / {batch_size}: a small batch's variance comes out low.",
    title="Why the moving averages take their time",
)
common_mistake(
    "At inference batch norm uses the **moving averages**, not the batch's statistics. "
    "`model.predict` and `model.evaluate` do this for you; calling `model(x, training=True)` "
    "on test data does not, and its answers then depend on which samples share the batch."
)

st.subheader("What batch size does")
effect = batch_size_effect(seed=seed)
show_figure(batch_size_figure(effect), key="bn.batch_size", across_page=True)
explain(
    f"A batch's mean strays from the true mean by about 1/√(batch size) standard "
    f"deviations: {effect.mean_spread[0]:.2f} for batches of {effect.batch_sizes[0]}, "
    f"{effect.mean_spread[-1]:.2f} for {effect.batch_sizes[-1]}. So the same activation "
    "(right: a sample one standard deviation above the mean, whose x̂ with the true "
    "statistics is 1) gets a different x̂ in every batch. In a batch of 2, x̂ is always −1 "
    "or +1, whatever the values. The noise regularizes a little with batches of 32 or "
    "more, and drowns the signal with batches of 2 to 4, where group or layer "
    "normalization work better."
)
