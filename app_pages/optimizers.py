"""Optimizers and losses: race the real Keras optimizers on a 2-D surface, and compare losses."""

import streamlit as st

from dlcore.concepts.losses import LOSSES
from dlcore.concepts.optimizers import OPTIMIZER_NAMES, OPTIMIZERS
from dlcore.concepts.surfaces import SURFACES
from ui.concept_layout import concept_layout
from ui.presenter import common_mistake, explain, show_figure
from ui.settings import PageSettings

settings = PageSettings("opt")
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.005, 0.01, 0.03, 0.05, 0.06, 0.1, 0.3, 1.0]


@st.cache_data(max_entries=64, show_spinner=False)
def _race(surface: str, learning_rate: float, steps: int, names: tuple[str, ...]):
    """The race's two figures and why paths stopped; cached, as the losses panel reruns too."""
    from dlcore.concepts.optimizers import all_trajectories
    from dlcore.figures.optimizers import losses_over_steps_figure, trajectories_figure

    paths = all_trajectories(surface, learning_rate=learning_rate, steps=steps, optimizers=names)
    stops = [path.stop_reason for path in paths.values() if path.diverged]
    return trajectories_figure(surface, paths), losses_over_steps_figure(paths), stops


@st.cache_data(max_entries=64, show_spinner=False)
def _loss_figure(names: tuple[str, ...], target: float, delta: float, curve: str):
    from dlcore.figures.optimizers import loss_curves_figure

    return loss_curves_figure(list(names), target=target, delta=delta, curve=curve)


def _use_the_surface_learning_rate() -> None:
    """A new surface starts at its own learning rate: one that keeps every optimizer stable."""
    surface = SURFACES[st.session_state[settings.key("surface")]]
    st.session_state[settings.key("lr")] = surface.default_learning_rate


controls, chart = concept_layout(
    "Optimizers and losses",
    "Training walks downhill on the loss. Here the real Keras optimizers race from the "
    "same start on a 2-D loss surface: plain SGD, momentum, and the adaptive methods that "
    "scale each step by the gradients they have seen.",
)
with controls:
    surface_name = st.selectbox(
        "Surface",
        list(SURFACES),
        format_func=lambda name: SURFACES[name].title,
        on_change=_use_the_surface_learning_rate,
        **settings.bind("surface"),
    )
    surface = SURFACES[surface_name]
    st.latex(surface.formula)
    st.caption(surface.description)
    learning_rate = st.select_slider(
        "Learning rate",
        LEARNING_RATES,
        surface.default_learning_rate,
        help="The default suits this surface: every optimizer stays stable for 300 steps.",
        **settings.bind("lr"),
    )
    steps = st.slider("Steps", 10, 1000, 300, 10, **settings.bind("steps"))
    # Pills, not a multiselect: every name stays readable, on or off, in a narrow column.
    chosen = st.pills(
        "Optimizers",
        OPTIMIZER_NAMES,
        selection_mode="multi",
        default=list(OPTIMIZER_NAMES),
        format_func=lambda name: OPTIMIZERS[name].title,
        # In a column Streamlit keeps pills on one scrolling row: names would be cut.
        wrap=True,
        **settings.bind("optimizers"),
    )

with chart:
    if not chosen:
        st.info("Pick at least one optimizer to race.", icon=":material/info:")
        st.stop()
    with st.spinner("Starting TensorFlow and compiling the optimizers (first run only)…"):
        paths_figure, losses_figure, stops = _race(
            surface_name, learning_rate, steps, tuple(chosen)
        )
    show_figure(paths_figure, key="opt.paths")
    for reason in stops:
        st.warning(reason, icon=":material/trending_up:")
    show_figure(losses_figure, key="opt.loss_over_steps")

with st.expander("The update rules, as Keras implements them"):
    for name in chosen:
        info = OPTIMIZERS[name]
        st.markdown(f"**{info.title}** — `{info.keras_code}`: {info.summary}")
        st.latex(info.update_rule)
common_mistake(
    "Keras optimizers take `learning_rate`, as in `keras.optimizers.Adam(learning_rate=0.001)`. "
    "The old `lr` is gone: Keras 3 refuses it (“Argument(s) not recognized”)."
)

st.subheader("Losses against the prediction")
explain(
    "A loss turns a prediction and its target into one number to minimize. Its slope is "
    "what training follows: squared error pushes harder the further off the prediction is; "
    "absolute error pushes equally hard everywhere; Huber is squared near the target and "
    "absolute far from it; cross-entropy punishes a confident wrong probability without limit."
)
loss_controls, loss_chart = st.columns([1, 2.6], gap="large")
with loss_controls:
    loss_names = st.pills(
        "Losses",
        list(LOSSES),
        selection_mode="multi",
        default=["mse", "mae", "huber"],
        format_func=lambda name: LOSSES[name].title,
        wrap=True,
        **settings.bind("losses"),
    )
    target = st.select_slider("Target", [0.0, 0.25, 0.5, 0.75, 1.0], 1.0, **settings.bind("target"))
    delta = st.slider("Huber δ", 0.1, 3.0, 1.0, 0.1, **settings.bind("delta"))
    curve = st.radio(
        "Show",
        ["loss", "gradient"],
        horizontal=True,
        **settings.bind("curve"),
        help="The gradient, d loss / d prediction, is what backpropagation starts from.",
    )
with loss_chart:
    if not loss_names:
        st.info("Pick at least one loss.", icon=":material/info:")
    else:
        show_figure(_loss_figure(tuple(loss_names), target, delta, curve), key="opt.loss_curves")
        st.caption(
            "Computed by keras.losses. Cross-entropies take a probability in (0, 1) and clip "
            "it to [1e-7, 1 − 1e-7], as Keras does."
        )
