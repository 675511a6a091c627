"""Playground (MLP): train a small network on 2-D points and watch its boundary and neurons."""

import streamlit as st

from dlcore.data import toy2d
from dlcore.training.sizes import parse_layer_sizes
from ui import trainer_flow
from ui.settings import PageSettings
from ui.trainer import show_run_status
from ui.trainer_settings import TrainingOptions, activation_input, training_inputs, validated

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
TRAINING = TrainingOptions(
    optimizers=("sgd", "momentum", "adam", "rmsprop", "adagrad"),
    optimizer_index=2,
    learning_rates=([0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 0.03),
    batch_sizes=([1, 5, 10, 20, 50, 100], 10),
    # 500 by default: about 10 s on circles here, long enough to talk over the boundary
    # as it forms (200 were over in under 4 s).
    epochs=([20, 50, 100, 200, 500, 1000, 2000], 500),
    patience=("off", 5, 10, 20, 50),
    seed_help="The same seed draws the same points and weights.",
)
PENALTIES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
# Seconds between redraws of the boundary and the neurons, however long an epoch takes:
# about 12 a second reach the browser from a worker (more would slow the training for
# little to see; bench/playground_redraws.py measures it).
REDRAW_SECONDS = 0.06


settings_column, output_column, (data_tab, network_tab, training_tab) = trainer_flow.trainer_layout(
    "Playground (MLP)",
    "A small network learns to separate coloured points on a plane, as in TensorFlow "
    "Playground. The background shows what it predicts at every point (orange class 0, "
    "blue class 1, faded where unsure); each small square is one hidden neuron's output "
    "over the same plane, so you can see how layers combine simple cuts into curved "
    "boundaries. Press **Train**, then change a setting and train again.",
    tabs=("Data", "Network", "Training"),
    output_width=1.6,
)
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
    network = {  # the config fields set as they are
        "activation": activation_input(settings, ACTIVATIONS),
        "dropout": st.slider("Dropout", 0.0, 0.8, 0.0, 0.1, **settings.bind("dropout")),
    }
    l1_column, l2_column = st.columns(2)
    network["l1"] = l1_column.select_slider("L1 penalty", PENALTIES, 0.0, **settings.bind("l1"))
    network["l2"] = l2_column.select_slider("L2 penalty", PENALTIES, 0.0, **settings.bind("l2"))
with training_tab:
    training = training_inputs(settings, TRAINING)

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
            **network,
            **training.fields,
        ),
        where=settings_column,
    )
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from dlcore.trainers import playground  # noqa: E402  (TensorFlow starts here, after the controls)
from ui.playground_results import PlaygroundView  # noqa: E402

shown_config = trainer_flow.shown(run, config)
data = playground.load_data(shown_config)
view = PlaygroundView(settings, run, data, where=output_column)

if action == "train" and config is not None:
    trainer_flow.train_and_score(
        run,
        playground,
        config,
        data,
        what="Playground MLP",
        epochs=training.epochs,
        live=view.live_drawing,
        keep=lambda update: {"snapshot": update.snapshot},
        callback="on_update",
        register=lambda scores: {
            "title": f"Playground MLP on {DATASET_TITLES[config.dataset]} "
            f"({scores['test_accuracy']:.1%})",
            "metrics": {**scores, "val_accuracy": run.history.last("val_accuracy")},
        },
        redraw_seconds=REDRAW_SECONDS,
        patience=training.patience,
    )
elif run.is_trained:
    # A run that Stop interrupted has ended too: its test score, once.
    trainer_flow.score_once(
        run, playground, data if run.config == shown_config else playground.load_data(run.config)
    )

trainer_flow.settings_changed_note(run, config)
snapshot = run.extras.get("snapshot") if run.config == shown_config else None
view.draw(snapshot, run.history if snapshot is not None else None, epoch=run.epochs_trained)
show_run_status(run, what="Playground MLP")
trainer_flow.export_section(
    PAGE,
    playground,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=f"playground_{config.dataset}" if config else "",
)
