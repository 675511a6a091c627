"""Playground (MLP): train a small network on 2-D points and watch its boundary and neurons."""

import itertools
import time

import streamlit as st

from dlcore.data import toy2d
from ui.presenter import explain, show_figure
from ui.settings import PageSettings
from ui.trainer import (
    export_buttons,
    register_model,
    show_run_status,
    show_summary,
    trainer_run,
    training,
    training_buttons,
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
ACTIVATION_TITLES = {
    "tanh": "tanh",
    "relu": "ReLU",
    "sigmoid": "sigmoid",
    "linear": "linear",
    "elu": "ELU",
    "gelu": "GELU",
    "swish": "swish",
}
OPTIMIZER_TITLES = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}
LEARNING_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
PENALTIES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
# Seconds between redraws of the boundary and the neurons: at most about 12 a second,
# however long an epoch takes (more would slow the training for little to see).
REDRAW_SECONDS = 0.08
# Seconds between redraws of the loss curves while training: they change slowly.
CURVE_SECONDS = 1.0


def _parse_layers(text: str) -> tuple[int, ...] | None:
    """ "4, 2" -> (4, 2); "" -> (); None (with a message on the page) if it is not numbers."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        st.error(
            f"“{text}” is not a list of neuron counts. Write the neurons of each hidden "
            "layer as whole numbers separated by commas, e.g. `8, 8`.",
            icon=":material/error:",
        )
        return None


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
    activation = st.selectbox(
        "Activation",
        list(ACTIVATION_TITLES),
        format_func=ACTIVATION_TITLES.get,
        **settings.bind("activation"),
    )
    dropout = st.slider("Dropout", 0.0, 0.8, 0.0, 0.1, **settings.bind("dropout"))
    penalty_columns = st.columns(2)
    l1 = penalty_columns[0].select_slider("L1 penalty", PENALTIES, 0.0, **settings.bind("l1"))
    l2 = penalty_columns[1].select_slider("L2 penalty", PENALTIES, 0.0, **settings.bind("l2"))
with training_tab:
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZER_TITLES),
        index=2,
        format_func=OPTIMIZER_TITLES.get,
        **settings.bind("optimizer"),
    )
    learning_rate = st.select_slider("Learning rate", LEARNING_RATES, 0.03, **settings.bind("lr"))
    batch_size = st.select_slider(
        "Batch size", [1, 5, 10, 20, 50, 100], 10, **settings.bind("batch")
    )
    epochs = st.select_slider(
        "Epochs per run", [20, 50, 100, 200, 500, 1000], 200, **settings.bind("epochs")
    )
    patience = st.select_slider(
        "Early stopping",
        ["off", 5, 10, 20, 50],
        "off",
        help="Stop once the validation loss has not improved for this many epochs, and keep "
        "the best epoch's network.",
        **settings.bind("patience"),
    )
    seed = st.number_input(
        "Seed",
        0,
        10_000,
        0,
        help="The same seed draws the same points and weights.",
        **settings.bind("seed"),
    )

hidden_layers = _parse_layers(layers_text)
config = None
if hidden_layers is not None:
    from dlcore.trainers.playground import Config

    try:
        config = Config(
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
            seed=int(seed),
        ).validate()
    except ValueError as error:
        with settings_column:
            st.error(f"These settings can't make a network: {error}", icon=":material/error:")

run = trainer_run(PAGE)
with output_column:
    action = training_buttons(PAGE, can_train=config is not None)

from dlcore.figures.playground import boundary_figure, boundary_picture, neuron_images, neuron_strip  # noqa: E402
from dlcore.figures.training import history_figure  # noqa: E402
from dlcore.trainers import playground  # noqa: E402  (TensorFlow starts here, after the controls)
from dlcore.training.history import History  # noqa: E402
from dlcore.training.saving import TrainedModel  # noqa: E402

shown_config = config if config is not None else run.config
if shown_config is None:
    st.stop()
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


if action == "train" and config is not None:
    with training(run, "Playground MLP"):
        if run.model is None or run.config != config:
            run.start(playground.build_model(config, data), config, History())
        run.extras.pop("test_scores", None)  # a new score comes once this run ends

        curves_drawn_at = [0.0]

        def on_update(update) -> None:
            # Kept before drawing: a Stop interrupts the drawing, not the saving.
            run.keep_epoch(snapshot=update.snapshot)
            now = time.perf_counter()
            with_curves = now - curves_drawn_at[0] >= CURVE_SECONDS
            if with_curves:
                curves_drawn_at[0] = now
            draw(
                update.snapshot, run.history, epoch=update.epoch, with_curves=with_curves, live=True
            )

        result = playground.fit(
            run.model,
            data,
            config,
            epochs=epochs,
            redraw_seconds=REDRAW_SECONDS,
            on_update=on_update,
            history=run.history,
            patience=None if patience == "off" else patience,
        )
        if result.stopped_early:
            run.status = "stopped early"
            run.extras["best_epoch"] = result.best_epoch
    scores = run.extras["test_scores"] = playground.evaluate(run.model, data)
    register_model(
        TrainedModel(
            task=playground.TASK,
            title=f"Playground MLP on {DATASET_TITLES[config.dataset]} "
            f"({scores['test_accuracy']:.1%})",
            model=run.model,
            labels=data.labels,
            preprocessing=data.preprocessing,
            metrics={**scores, "val_accuracy": run.history.last("val_accuracy")},
            device=run.device or "CPU:0",
        )
    )
elif run.is_trained and "test_scores" not in run.extras:
    # A run that Stop interrupted has ended too: its test score, once.
    run.extras["test_scores"] = playground.evaluate(run.model, playground.load_data(run.config))

if run.config is not None and run.config != config and run.is_trained:
    st.caption("The settings changed since this model trained: **Train** starts a new one.")
snapshot = run.extras.get("snapshot") if run.config == shown_config else None
draw(snapshot, run.history if snapshot is not None else None, epoch=run.epochs_trained)
show_run_status(run, what="Playground MLP")

if config is not None:
    st.subheader("Export", divider="gray")
    if run.model is not None and run.config == config:
        show_summary(run.model)
    export_buttons(
        PAGE,
        code=playground.export_code(config, epochs=max(epochs, run.epochs_trained)),
        model=run.model if run.config == config else None,
        file_stem=f"playground_{config.dataset}",
    )
