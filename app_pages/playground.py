"""Playground (MLP): train a small network on 2-D points and watch its boundary and neurons."""

import itertools
import time

import streamlit as st

from dlcore.data import toy2d
from dlcore.training.sizes import parse_layer_sizes
from ui.presenter import explain, show_figure
from ui.settings import PageSettings
from ui.trainer import show_run_status, trainer_run, training_buttons
from ui.trainer_flow import (
    Drawing,
    export_section,
    score_once,
    settings_changed_note,
    shown,
    train_and_score,
)
from ui.trainer_settings import (
    activation_input,
    epochs_inputs,
    optimizer_inputs,
    rate_and_batch_inputs,
    seed_input,
    validated,
)

PAGE = "play"
settings = PageSettings(PAGE)

DATASET_TITLES = {
    "circles": "Circles",
    "xor": "XOR",
    "gaussian": "Gaussian blobs",
    "spiral": "Spiral",
    "moons": "Moons",
}
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "elu", "gelu", "swish")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
LEARNING_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
PENALTIES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
# Seconds between redraws of the boundary and the neurons: at most about 12 a second,
# however long an epoch takes (more would slow the training for little to see).
REDRAW_SECONDS = 0.08
# Seconds between redraws of the loss curves while training: they change slowly.
CURVE_SECONDS = 1.0


st.title("Playground (MLP)")
explain(
    "A small network learns to separate coloured points on a plane, as in TensorFlow "
    "Playground. The background shows what it predicts at every point (orange class 0, "
    "blue class 1, faded where unsure); each small square is one hidden neuron's output "
    "over the same plane, so you can see how layers combine simple cuts into curved "
    "boundaries. Press **Train**, then change a setting and train again."
)

settings_column, output_column = st.columns([1, 1.6], gap="large")
with settings_column:
    data_tab, network_tab, training_tab = st.tabs(["Data", "Network", "Training"])
with data_tab:
    dataset = st.selectbox(
        "Data set", list(DATASET_TITLES), format_func=DATASET_TITLES.get, **settings.bind("data")
    )
    two_classes_only = dataset in ("xor", "moons")
    n_classes = st.slider(
        "Classes",
        2,
        6,
        2,
        disabled=two_classes_only,
        help="XOR and moons have exactly two classes.",
        **settings.bind("classes"),
    )
    noise = st.slider("Noise", 0.0, 0.5, 0.0, 0.05, **settings.bind("noise"))
    held_out = st.slider(
        "Held-out share",
        0.1,
        0.9,
        0.5,
        0.1,
        **settings.bind("test"),
        help="The share of points kept out of training: half are validation points (the "
        "live curves, early stopping), half test points, scored once when training ends.",
    )
    n_samples = st.select_slider(
        "Points", [100, 200, 500, 1000, 2000], 500, **settings.bind("points")
    )
    features = st.multiselect(
        "Input features", list(toy2d.FEATURE_NAMES), ["x1", "x2"], **settings.bind("features")
    )
with network_tab:
    layers_text = st.text_input(
        "Neurons per hidden layer",
        "4, 2",
        help="One number per hidden layer, e.g. `8, 8, 8`; leave empty for no hidden layer.",
        **settings.bind("layers"),
    )
    activation = activation_input(settings, ACTIVATIONS)
    dropout = st.slider("Dropout", 0.0, 0.8, 0.0, 0.1, **settings.bind("dropout"))
    penalty_columns = st.columns(2)
    l1 = penalty_columns[0].select_slider("L1 penalty", PENALTIES, 0.0, **settings.bind("l1"))
    l2 = penalty_columns[1].select_slider("L2 penalty", PENALTIES, 0.0, **settings.bind("l2"))
with training_tab:
    optimizer = optimizer_inputs(settings, OPTIMIZERS, index=2)
    learning_rate, batch_size = rate_and_batch_inputs(
        settings, LEARNING_RATES, 0.03, [1, 5, 10, 20, 50, 100], 10
    )
    epochs, patience = epochs_inputs(
        settings, [20, 50, 100, 200, 500, 1000], 200, patience=("off", 5, 10, 20, 50)
    )
    seed = seed_input(settings, help="The same seed draws the same points and weights.")

config = None
try:
    hidden_layers = parse_layer_sizes(layers_text)
except ValueError as error:
    st.error(str(error), icon=":material/error:")
else:
    from dlcore.trainers.playground import Config

    config = validated(
        lambda: Config(
            dataset=dataset,
            noise=noise,
            n_samples=n_samples,
            validation_fraction=held_out / 2,
            test_fraction=held_out / 2,
            n_classes=2 if two_classes_only else n_classes,
            features=tuple(features),
            hidden_layers=hidden_layers,
            activation=activation,
            optimizer=optimizer,
            learning_rate=learning_rate,
            l1=l1,
            l2=l2,
            dropout=dropout,
            batch_size=batch_size,
            seed=seed,
        ),
        where=settings_column,
    )

run = trainer_run(PAGE)
with output_column:
    action = training_buttons(PAGE, can_train=config is not None)

from dlcore.figures.playground import boundary_figure, boundary_picture, neuron_images, neuron_strip  # noqa: E402
from dlcore.figures.training import history_figure  # noqa: E402
from dlcore.trainers import playground  # noqa: E402  (TensorFlow starts here, after the controls)
from dlcore.training.history import History  # noqa: E402

shown_config = shown(run, config)
data = playground.load_data(shown_config)

with output_column:
    status_slot = st.empty()
    show_test = st.toggle("Show the test points", **settings.bind("show_test"))
    # A keyed box, so that the browser tests and bench/ can find the boundary's picture.
    boundary_slot = st.container(key=f"{PAGE}.boundary").empty()
    st.markdown("**Hidden neurons**, each over the same plane")
    neuron_slot = st.empty()
curve_slot = st.empty()
redraw_numbers = itertools.count()  # unique chart keys for every redraw in this script run


def draw(snapshot, history, *, epoch: int, with_curves: bool = True, live: bool = False) -> None:
    """Redraw the boundary and the neurons, and the curves too if asked.

    While training (`live`) the boundary is a picture, which the browser swaps many times
    a second; at rest it is the Plotly chart, whose points tell what they are on hover.
    """
    redraw = next(redraw_numbers)
    if history is not None and len(history):
        test = run.extras.get("test_scores") if not live else None
        status_slot.markdown(
            f"**Epoch {epoch}** · loss {history.last('loss'):.3f} · "
            f"validation loss {history.last('val_loss'):.3f} · "
            f"validation accuracy {history.last('val_accuracy'):.1%}"
            + (f" · **Test accuracy {test['test_accuracy']:.1%}**" if test else "")
        )
    probabilities = (
        snapshot.probabilities
        if snapshot is not None
        else playground.undecided_boundary(len(data.labels))
    )
    points = {
        "points_train": data.points_train,
        "labels_train": data.y_train,
        "points_test": data.points_test if show_test else None,
        "labels_test": data.y_test if show_test else None,
    }
    with boundary_slot.container():
        if live:
            st.image(boundary_picture(probabilities, **points), caption="Decision boundary")
        else:
            show_figure(
                boundary_figure(playground.boundary_grid(), probabilities, **points),
                key=f"{PAGE}.boundary.{redraw}",
            )
    with neuron_slot.container():
        if snapshot is None or not snapshot.neurons:
            st.caption("Each neuron's picture appears once the network trains.")
        else:
            activation_name = run.config.activation if run.config else activation
            for index, layer in enumerate(
                neuron_images(snapshot.neurons, activation=activation_name)
            ):
                st.image(
                    neuron_strip(layer),
                    caption=f"Layer {index + 1}: neurons 1 to {len(layer)}, left to right",
                )
    if with_curves and history is not None and len(history):
        curves = history_figure(history.epochs, history.metrics, title="Loss and accuracy")
        with curve_slot.container():
            show_figure(curves, key=f"{PAGE}.curves.{redraw}")


def live(run) -> Drawing:
    curves_drawn_at = [0.0]

    def on_update(update) -> None:
        now = time.perf_counter()
        with_curves = now - curves_drawn_at[0] >= CURVE_SECONDS
        if with_curves:
            curves_drawn_at[0] = now
        draw(update.snapshot, run.history, epoch=update.epoch, with_curves=with_curves, live=True)

    return Drawing(on_update)


if action == "train" and config is not None:
    train_and_score(
        run,
        playground,
        config,
        data,
        what="Playground MLP",
        epochs=epochs,
        live=live,
        new_history=History,
        keep=lambda update: {"snapshot": update.snapshot},
        callback="on_update",
        register=lambda scores: {
            "title": f"Playground MLP on {DATASET_TITLES[config.dataset]} "
            f"({scores['test_accuracy']:.1%})",
            "metrics": {**scores, "val_accuracy": run.history.last("val_accuracy")},
        },
        redraw_seconds=REDRAW_SECONDS,
        patience=patience,
    )
elif run.is_trained:
    # A run that Stop interrupted has ended too: its test score, once.
    score_once(
        run, playground, data if run.config == shown_config else playground.load_data(run.config)
    )

settings_changed_note(run, config)
snapshot = run.extras.get("snapshot") if run.config == shown_config else None
draw(snapshot, run.history if snapshot is not None else None, epoch=run.epochs_trained)
show_run_status(run, what="Playground MLP")
export_section(
    PAGE,
    playground,
    run,
    config,
    epochs=max(epochs, run.epochs_trained),
    file_stem=f"playground_{config.dataset}" if config else "",
)
