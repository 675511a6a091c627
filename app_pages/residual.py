"""Depth and residuals (ResNet): the same deep network with and without skip connections and
batch norm, trained side by side, with the size of the gradient at every layer."""

import numpy as np
import streamlit as st

from dlcore.figures.residual import VARIANT_TITLES
from dlcore.figures.style import scientific
from ui import trainer_flow
from ui.presenter import common_mistake, show_figure
from ui.settings import PageSettings
from ui.trainer import show_run_status
from ui.trainer_settings import TrainingOptions, activation_input, training_inputs, validated

PAGE = "res"
settings = PageSettings(PAGE)

DATASET_TITLES = {"digits": "Handwritten digits (8×8)", "spiral": "Spiral (2-D points)"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu")
TRAINING = TrainingOptions(
    learning_rates=([0.0003, 0.001, 0.002, 0.003, 0.01, 0.03], 0.002),
    rate_label="Learning rate (Adam)",
    batch_sizes=([1, 8, 16, 32, 64, 128], 64),
    epochs=([1, 2, 5, 10, 20, 50], 20),
    patience=None,
    seed_help="The same seed gives the same split, starting weights and batches.",
)
# Seconds between redraws of the gradient chart while training (the curves have LiveChart).
GRADIENT_SECONDS = 0.5

settings_column, output_column, (network_tab, training_tab) = trainer_flow.trainer_layout(
    "Depth and residuals (ResNet)",
    "The same deep stack of dense layers, four ways: **plain**, with **batch norm**, with "
    "**skip connections** (each layer adds its output to its input, as in a ResNet), and "
    "with both. All four start from the same weights and learn from the same batches, side "
    "by side. In a deep plain stack the gradient that reaches the first layers is a product "
    "of one factor per layer, so it fades away (or blows up), and those layers hardly learn; "
    "a skip connection gives the gradient a path past every layer, and batch norm keeps each "
    "layer's input at the same size. The lower chart shows the gradient's size at every "
    "layer. Press **Train**, then try a depth of 5 against 30, or the sigmoid activation.",
    tabs=("Network", "Training"),
)
with network_tab:
    network = {  # the config fields set as they are
        "dataset": st.selectbox(
            "Task", list(DATASET_TITLES), format_func=DATASET_TITLES.get, **settings.bind("data")
        ),
        "depth": st.slider(
            "Depth (hidden layers)",
            1,
            50,
            30,
            help="Deeper stacks take longer to compile: about 6 s for 30 layers here.",
            **settings.bind("depth"),
        ),
        "width": st.select_slider(
            "Units per layer", [8, 16, 32, 64, 128], 32, **settings.bind("width")
        ),
        "activation": activation_input(settings, ACTIVATIONS),
        "variants": tuple(
            st.multiselect(
                "Networks to compare",
                list(VARIANT_TITLES),
                list(VARIANT_TITLES),
                format_func=VARIANT_TITLES.get,
                **settings.bind("variants"),
            )
        ),
    }
with training_tab:
    training = training_inputs(settings, TRAINING)

from dlcore.trainers import residual  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(
    lambda: residual.Config(**network, **training.fields),
    what="the networks",
    where=settings_column,
)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from dlcore.figures.residual import curves_figure, gradient_norms_figure  # noqa: E402
from dlcore.training.scores import best_on_validation  # noqa: E402

# The page offers no split settings: the task, the seed and the default split make the data.
task_data = trainer_flow.shared_data(
    residual, ("dataset",), spinner="Loading the task…", max_entries=4
)


@st.cache_data(show_spinner="Measuring the gradients of the untrained networks…", max_entries=16)
def initial_gradient_norms(shown: residual.Config) -> dict[str, dict[str, float]]:
    """Every variant's gradient size per layer before any training."""
    data = task_data(shown)
    batch = (data.x_train[: residual.N_PROBE_SAMPLES], data.y_train[: residual.N_PROBE_SAMPLES])
    return residual.gradient_norms(residual.build_model(shown, data), batch)


def faded_note(norms: dict[str, dict[str, float]], *, depth: int) -> str | None:
    """What the untrained chart shows of the plain stack, whose line is flat there: its
    gradient has faded at every layer before training starts. None without a plain stack
    or another network to compare it with."""
    typical = {name: float(np.median(list(layers.values()))) for name, layers in norms.items()}
    plain = typical.pop("plain", None)
    if plain is None or not typical:
        return None
    best = max(typical, key=typical.get)
    if plain <= 0 or typical[best] < 10 * plain:
        return None
    return (
        f"Before training, the plain stack's gradient is already tiny at every layer (about "
        f"{scientific(plain, digits=1)}, {scientific(typical[best] / plain)} times smaller than "
        f"{VARIANT_TITLES[best]}'s): it faded through the {depth} layers before the first "
        "step, so its line is low and flat rather than falling layer by layer. Press "
        "**Train**: the chart then follows every layer's gradient as the networks learn."
    )


def model_title(shown: residual.Config) -> str:
    return f"{shown.depth}-layer networks on {shown.dataset}"


def draw_curves(trained) -> object:
    history = trained.history
    curves = {name: history.variant(name) for name in trained.config.variants}
    return curves_figure(history.epochs, curves)


def live(run) -> object:
    def text(report) -> str:
        losses = " · ".join(
            f"{VARIANT_TITLES[name]} {report.history.metrics[f'{name}_loss'][-1]:.3f}"
            for name in run.config.variants
        )
        return f"Epoch {report.epoch} · loss {losses}"

    drawing = trainer_flow.chart_drawing(
        PAGE,
        run,
        draw_curves,
        total_epochs=run.epochs_trained + training.epochs,
        text=text,
        also=lambda report: gradient_norms_figure(report.gradient_norms, epoch=report.epoch),
        also_seconds=GRADIENT_SECONDS,
        also_key="gradients",
    )
    drawing.chart.progress(0.0, "Compiling the first step (a few seconds)…")
    return drawing


def register(config: residual.Config, scores: dict) -> dict | None:
    """The digits network with the best validation accuracy, for the Image try-it page."""
    if config.dataset != "digits":
        return None
    accuracies = {name: run.history.variant(name)["val_accuracy"][-1] for name in config.variants}
    best = best_on_validation(accuracies)  # chosen on validation, never on the test
    test_accuracy = scores[f"test_{best}_accuracy"]
    return {
        "title": f"{config.depth}-layer {VARIANT_TITLES[best]} MLP on digits ({test_accuracy:.1%})",
        "model": residual.variant_model(run.model, best, image_shape=(8, 8, 1)),
        "metrics": {"val_accuracy": accuracies[best], "test_accuracy": test_accuracy},
    }


def show_results(trained_config: residual.Config) -> None:
    """The gradient sizes and each network's held-out test accuracy (the curves are beside
    the settings)."""
    norms = run.extras.get("gradient_norms")
    if norms is not None:
        show_figure(
            gradient_norms_figure(norms, epoch=run.extras.get("norms_epoch")),
            key=f"{PAGE}.chart.gradients",
            across_page=True,
        )
    # A run that Stop interrupted has ended too: its test score, once.
    scores = trainer_flow.score_once(run, residual, task_data(trained_config))
    st.markdown(
        "**Test accuracy** of each network, held out: on test samples kept out of training, "
        "measured once after it"
    )
    # At the page's full width (below the settings), the longest title fits.
    titles = {name: VARIANT_TITLES[name] for name in trained_config.variants}
    trainer_flow.show_side_by_side_scores(run, scores, titles, what="samples")


shown_config = trainer_flow.shown(run, config)
data = task_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            residual,
            config,
            data,
            what=model_title(config),
            epochs=training.epochs,
            live=live,
            keep=lambda report: {
                "gradient_norms": report.gradient_norms,
                "norms_epoch": report.epoch,
            },
            register=lambda scores: register(config, scores),
        )

with output_column:
    trainer_flow.settings_changed_note(run, config, what="these networks", starts="anew")
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_curves(run), key=f"{PAGE}.chart.curves")
# Below the settings, the results take the page's full width.
if run.is_trained:
    show_results(run.config)
else:
    show_figure(
        gradient_norms_figure(initial_gradient_norms(shown_config), epoch=0),
        key=f"{PAGE}.chart.initial_gradients",
        across_page=True,
    )
    note = faded_note(initial_gradient_norms(shown_config), depth=shown_config.depth)
    if note:
        st.caption(note)

common_mistake(
    "Skip connections answer the **vanishing gradient** of deep networks, which is what this "
    "page shows; they are not a cure for overfitting. Against overfitting: more data, "
    "dropout, L2, augmentation and early stopping."
)
trainer_flow.export_section(
    PAGE,
    residual,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=f"residual_{config.dataset}" if config else "",
)
