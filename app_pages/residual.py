"""Depth and residuals (ResNet): the same deep network with and without skip connections and
batch norm, trained side by side, with the size of the gradient at every layer."""

import time

import streamlit as st

from dlcore.figures.residual import VARIANT_TITLES
from ui.presenter import explain, show_figure
from ui.settings import PageSettings
from ui.trainer import (
    LiveChart,
    export_buttons,
    register_model,
    show_run_status,
    show_summary,
    trainer_run,
    training,
    training_buttons,
)

PAGE = "res"
settings = PageSettings(PAGE)

DATASET_TITLES = {"digits": "Handwritten digits (8×8)", "spiral": "Spiral (2-D points)"}
ACTIVATION_TITLES = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "elu": "ELU",
    "gelu": "GELU",
}
LEARNING_RATES = [0.0003, 0.001, 0.002, 0.003, 0.01, 0.03]
# Seconds between redraws of the gradient chart while training (the curves have LiveChart).
GRADIENT_SECONDS = 0.5

st.title("Depth and residuals (ResNet)")
explain(
    "The same deep stack of dense layers, four ways: **plain**, with **batch norm**, with "
    "**skip connections** (each layer adds its output to its input, as in a ResNet), and "
    "with both. All four start from the same weights and learn from the same batches, side "
    "by side. In a deep plain stack the gradient that reaches the first layers is a product "
    "of one factor per layer, so it fades away (or blows up), and those layers hardly learn; "
    "a skip connection gives the gradient a path past every layer, and batch norm keeps each "
    "layer's input at the same size. The lower chart shows the gradient's size at every "
    "layer. Press **Train**, then try a depth of 5 against 30, or the sigmoid activation."
)

settings_column, output_column = st.columns([1, 1.7], gap="large")
with settings_column:
    network_tab, training_tab = st.tabs(["Network", "Training"])
with network_tab:
    dataset = st.selectbox(
        "Task", list(DATASET_TITLES), format_func=DATASET_TITLES.get, **settings.bind("data")
    )
    depth = st.slider(
        "Depth (hidden layers)",
        1,
        50,
        30,
        help="Deeper stacks take longer to compile: about 6 s for 30 layers here.",
        **settings.bind("depth"),
    )
    width = st.select_slider("Units per layer", [8, 16, 32, 64, 128], 32, **settings.bind("width"))
    activation = st.selectbox(
        "Activation",
        list(ACTIVATION_TITLES),
        format_func=ACTIVATION_TITLES.get,
        **settings.bind("activation"),
    )
    variants = st.multiselect(
        "Networks to compare",
        list(VARIANT_TITLES),
        list(VARIANT_TITLES),
        format_func=VARIANT_TITLES.get,
        **settings.bind("variants"),
    )
with training_tab:
    learning_rate = st.select_slider(
        "Learning rate (Adam)", LEARNING_RATES, 0.002, **settings.bind("lr")
    )
    batch_size = st.select_slider(
        "Batch size", [1, 8, 16, 32, 64, 128], 64, **settings.bind("batch")
    )
    epochs = st.select_slider(
        "Epochs per run", [1, 2, 5, 10, 20, 50], 20, **settings.bind("epochs")
    )
    seed = st.number_input(
        "Seed",
        0,
        10_000,
        0,
        help="The same seed gives the same split, starting weights and batches.",
        **settings.bind("seed"),
    )

from dlcore.trainers import residual  # noqa: E402  (TensorFlow starts here, after the widgets)

config = None
try:
    config = residual.Config(
        dataset=dataset,
        depth=depth,
        width=width,
        activation=activation,
        variants=tuple(variants),
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=int(seed),
    ).validate()
except ValueError as error:
    with settings_column:
        st.error(f"These settings can't make the networks: {error}", icon=":material/error:")

run = trainer_run(PAGE)
with output_column:
    action = training_buttons(PAGE, can_train=config is not None)

from dlcore.data.split import SplitData  # noqa: E402
from dlcore.figures.residual import curves_figure, gradient_norms_figure  # noqa: E402
from dlcore.training.history import History  # noqa: E402
from dlcore.training.saving import TrainedModel  # noqa: E402


@st.cache_resource(show_spinner="Loading the task…", max_entries=4)
def task_data(dataset: str, seed: int) -> SplitData:
    """The task split three ways, shared read-only by every browser session."""
    return residual.load_data(residual.Config(dataset=dataset, seed=seed))


@st.cache_data(show_spinner="Measuring the gradients of the untrained networks…", max_entries=16)
def initial_gradient_norms(shown: residual.Config) -> dict[str, dict[str, float]]:
    """Every variant's gradient size per layer before any training."""
    data = task_data(shown.dataset, shown.seed)
    batch = (data.x_train[: residual.N_PROBE_SAMPLES], data.y_train[: residual.N_PROBE_SAMPLES])
    return residual.gradient_norms(residual.build_model(shown, data), batch)


def model_title(shown: residual.Config) -> str:
    return f"{shown.depth}-layer networks on {shown.dataset}"


def draw_curves(trained) -> object:
    history = trained.history
    curves = {name: residual.variant_metrics(history, name) for name in trained.config.variants}
    return curves_figure(history.epochs, curves)


def train(config: residual.Config, data: SplitData) -> None:
    """One click on Train: new networks if the settings changed, then `epochs` more epochs."""
    with training(run, model_title(config)):
        if run.model is None or run.config != config:
            with output_column, st.spinner("Building the networks…"):
                run.start(residual.build_model(config, data), config, History())
        run.extras.pop("test_scores", None)  # a new score comes once this run ends
        with output_column:
            chart = LiveChart(PAGE, draw_curves, total_epochs=run.epochs_trained + epochs)
            gradient_slot = st.empty()
        drawn_at = [0.0]
        chart.progress(0.0, "Compiling the first step (a few seconds)…")

        def on_epoch(report) -> None:
            # Kept before drawing: a Stop interrupts the drawing, not the saving.
            run.keep_epoch(
                report.weights, gradient_norms=report.gradient_norms, norms_epoch=report.epoch
            )
            losses = " · ".join(
                f"{VARIANT_TITLES[name]} {report.history.metrics[f'{name}_loss'][-1]:.3f}"
                for name in config.variants
            )
            chart.update(run, epoch=report.epoch, text=f"Epoch {report.epoch} · loss {losses}")
            now = time.perf_counter()
            if now - drawn_at[0] >= GRADIENT_SECONDS or report.epoch == report.final_epoch:
                drawn_at[0] = now
                figure = gradient_norms_figure(report.gradient_norms, epoch=report.epoch)
                with gradient_slot.container():
                    show_figure(figure, key=f"{PAGE}.live.gradients.{report.epoch}")

        residual.fit(run.model, data, config, epochs=epochs, history=run.history, on_epoch=on_epoch)
    chart.clear()
    gradient_slot.empty()
    run.extras["test_scores"] = residual.evaluate(run.model, data)


def register(config: residual.Config) -> None:
    """Offer the digits network with the best validation accuracy to the Image try-it page."""
    accuracies = {
        name: residual.variant_metrics(run.history, name)["val_accuracy"][-1]
        for name in config.variants
    }
    best = max(accuracies, key=accuracies.get)  # chosen on validation, never on the test
    test_accuracy = run.extras["test_scores"][f"test_{best}_accuracy"]
    data = task_data(config.dataset, config.seed)
    register_model(
        TrainedModel(
            task=residual.TASK,
            title=f"{config.depth}-layer {VARIANT_TITLES[best]} MLP on digits "
            f"({test_accuracy:.1%})",
            model=residual.variant_model(run.model, best, image_shape=(8, 8, 1)),
            labels=data.labels,
            preprocessing=data.preprocessing,
            metrics={"val_accuracy": accuracies[best], "test_accuracy": test_accuracy},
            device=run.device or "CPU:0",
        )
    )


def show_results(trained_config: residual.Config) -> None:
    """The curves, the gradient sizes and each network's test accuracy."""
    show_figure(draw_curves(run), key=f"{PAGE}.chart.curves")
    norms = run.extras.get("gradient_norms")
    if norms is not None:
        show_figure(
            gradient_norms_figure(norms, epoch=run.extras.get("norms_epoch")),
            key=f"{PAGE}.chart.gradients",
        )
    if "test_scores" not in run.extras:  # a run that Stop interrupted has ended too
        trained_data = task_data(trained_config.dataset, trained_config.seed)
        run.extras["test_scores"] = residual.evaluate(run.model, trained_data)
    scores = run.extras["test_scores"]
    st.markdown("**Test accuracy** of each network, measured once after training")
    columns = st.columns(len(trained_config.variants))
    for column, name in zip(columns, trained_config.variants, strict=True):
        metrics = residual.variant_metrics(run.history, name)
        column.metric(
            VARIANT_TITLES[name],
            f"{scores[f'test_{name}_accuracy']:.1%}",
            help="Test accuracy: the test samples chose nothing (no epoch, no setting).",
        )
        column.caption(
            f"training loss {metrics['loss'][-1]:.3f} · "
            f"validation accuracy {metrics['val_accuracy'][-1]:.1%}"
        )


shown_config = config if config is not None else run.config
if shown_config is None:
    st.stop()
data = task_data(shown_config.dataset, shown_config.seed)

if action == "train" and config is not None:
    train(config, data)
    if config.dataset == "digits":
        register(config)

with output_column:
    if run.config is not None and run.config != config and run.is_trained:
        st.caption("The settings changed since these networks trained: **Train** starts anew.")
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_results(run.config)
    else:
        show_figure(
            gradient_norms_figure(initial_gradient_norms(shown_config), epoch=0),
            key=f"{PAGE}.chart.initial_gradients",
        )

if config is not None:
    st.subheader("Export", divider="gray")
    if run.model is not None and run.config == config:
        show_summary(run.model)
    export_buttons(
        PAGE,
        code=residual.export_code(config, epochs=max(epochs, run.epochs_trained)),
        model=run.model if run.config == config and run.is_trained else None,
        file_stem=f"residual_{config.dataset}",
    )
