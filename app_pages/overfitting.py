"""Overfitting lab: a big network learns a few digits by heart; the same network with dropout,
L2, augmentation, early stopping and more data, side by side, closes the gap or not."""

import streamlit as st

from dlcore.figures.overfitting import VARIANT_TITLES
from ui import trainer_flow
from ui.presenter import common_mistake, show_figure
from ui.settings import PageSettings
from ui.trainer import show_run_status
from ui.trainer_settings import TrainingOptions, training_inputs, validated

PAGE = "ovf"
settings = PageSettings(PAGE)

REMEDIES = [name for name in VARIANT_TITLES if name != "baseline"]
AUGMENTATION_TITLES = {
    "shift": "shift (1 pixel)",
    "rotate": "rotate (up to 18°)",
    "zoom": "zoom (up to 15 %)",
}
METRIC_TITLES = {"loss": "loss", "accuracy": "accuracy"}
# The training digits pictured before training: three rows of ten at most.
SHOWN_DIGITS = 30
TRAINING = TrainingOptions(
    learning_rates=([0.0003, 0.001, 0.003, 0.01], 0.003),
    rate_label="Learning rate (Adam)",
    batch_sizes=([8, 16, 32, 64, 128], 32),
    epochs=([1, 5, 10, 20, 40, 60, 80, 100], 80),
    # Early stopping is one of the networks here (Remedies tab), not a rule for all of them.
    patience=None,
    seed_help="The same seed gives the same digits, starting weights, batches, dropout and "
    "augmentation.",
)

settings_column, output_column, (data_tab, remedies_tab, training_tab) = (
    trainer_flow.trainer_layout(
        "Overfitting lab",
        "**Overfitting** (过拟合): a network with far more weights than training examples "
        "can learn its training set by heart. As the page opens, a network of 2 × 256 units "
        "(about 85,000 weights) learns 100 handwritten digits: its training loss falls "
        "towards zero, while "
        "on digits it never saw (the validation set) the loss stops falling. The shaded gap "
        "between the two curves is what it memorised rather than learned. Beside that "
        "baseline, each remedy changes one thing: **dropout** switches off a random share of "
        "the hidden units at every step, so that no unit can lean on another; **L2** adds the "
        "sum of the squared weights to the loss, which keeps them small; **augmentation** "
        "trains on randomly shifted and rotated copies of the digits, so that exact pixels "
        "cannot be memorised; **early stopping** stops once the validation loss has not "
        "improved for a few epochs and keeps its best epoch; **more data** gives the same "
        "network more digits. All start from the same weights, with the same seed, optimizer "
        "and epochs. The validation digits judge every epoch; the test digits are scored "
        "once, at the end. Press **Train**, then try 30 training digits, or a narrower "
        "network.",
        tabs=("Data and network", "Remedies", "Training"),
    )
)
with data_tab:
    network = {
        "n_train": st.select_slider(
            "Training digits (the small set)",
            [30, 50, 100, 200, 300],
            100,
            help="Drawn 1 of each digit in turn, from the digits left after the validation "
            "and test sets: every network but “more data” learns from these.",
            **settings.bind("n"),
        ),
        "width": st.select_slider(
            "Units per hidden layer", [32, 64, 128, 256, 512, 1024], 256, **settings.bind("width")
        ),
        "depth": st.slider("Hidden layers", 1, 4, 2, **settings.bind("depth")),
    }
with remedies_tab:
    remedies = {
        "remedies": tuple(
            st.multiselect(
                "Remedies, each beside the baseline",
                REMEDIES,
                REMEDIES,
                format_func=VARIANT_TITLES.get,
                **settings.bind("remedies"),
            )
        ),
        "dropout": st.slider(
            "Dropout rate", 0.1, 0.8, 0.5, 0.1, format="%.1f", **settings.bind("dropout")
        ),
        "l2": st.select_slider(
            "L2 strength",
            [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1],
            0.01,
            help="Adds this times the sum of the squared hidden weights to the loss.",
            **settings.bind("l2"),
        ),
        "augmentation": tuple(
            st.multiselect(
                "Augmentation: random changes to each training image",
                list(AUGMENTATION_TITLES),
                ["shift", "rotate"],
                format_func=AUGMENTATION_TITLES.get,
                **settings.bind("augment"),
            )
        ),
        "patience": st.select_slider(
            "Early stopping: patience (epochs)",
            [2, 3, 5, 10, 20],
            5,
            help="Stop once the validation loss has not improved for this many epochs, and "
            "keep the best epoch's network.",
            **settings.bind("patience"),
        ),
        "more_data": st.select_slider(
            "More data: times the small set",
            [2, 3, 4, 6, 8, 10],
            4,
            help="The “more data” network learns from the small set and this many times as "
            "many digits in all, from the same pool.",
            **settings.bind("more"),
        ),
    }
with training_tab:
    training = training_inputs(settings, TRAINING)

from dlcore.trainers import overfitting  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(
    lambda: overfitting.Config(**network, **remedies, **training.fields),
    what="the lab",
    where=settings_column,
)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)
with output_column:
    metric = st.radio(
        "Curves",
        list(METRIC_TITLES),
        format_func=METRIC_TITLES.get,
        horizontal=True,
        **settings.bind("curves"),
    )

from dlcore.figures.cnn import images_figure  # noqa: E402
from dlcore.figures.overfitting import accuracy_and_gap_figure, gap_figure  # noqa: E402
from dlcore.training.scores import best_on_validation  # noqa: E402

lab_data = trainer_flow.shared_data(
    overfitting, ("n_train", "remedies", "more_data"), spinner="Loading the digits…", max_entries=8
)


def model_title(shown: overfitting.Config) -> str:
    return f"{shown.depth} × {shown.width} networks on {shown.n_train} digits"


def draw_curves(trained) -> object:
    history = trained.history
    stop = overfitting.stopping(history)
    return gap_figure(
        history.epochs,
        {name: history.variant(name) for name in trained.config.variants},
        metric=metric,
        best_epochs={"early_stopping": stop.best_epoch} if stop and stop.stopped_epoch else None,
        # Three to a row: six panels in one row would be too narrow beside the settings.
        columns=3,
    )


def live(run) -> object:
    drawing = trainer_flow.chart_drawing(
        PAGE,
        run,
        draw_curves,
        total_epochs=run.epochs_trained + training.epochs,
        text=lambda report: f"Epoch {report.epoch} of {report.final_epoch}, every network",
    )
    drawing.chart.progress(0.0, "Compiling each network's first step (a few seconds)…")
    return drawing


def register(config: overfitting.Config, scores: dict) -> dict:
    """The network with the best validation accuracy, for the Image try-it page."""
    kept = overfitting.gaps(run.history, config.variants, metric="accuracy")
    accuracies = {name: gap.validation for name, gap in kept.items()}
    best = best_on_validation(accuracies)  # chosen on validation, never on the test
    test_accuracy = scores[f"test_{best}_accuracy"]
    return {
        "title": f"{VARIANT_TITLES[best]} MLP on {config.n_train} digits ({test_accuracy:.1%})",
        "model": overfitting.variant_model(run.model, best),
        "metrics": {"val_accuracy": accuracies[best], "test_accuracy": test_accuracy},
    }


def show_results(trained_config: overfitting.Config) -> None:
    """Which remedy closed the gap (from validation), then each network's test score, once."""
    found = overfitting.gaps(run.history, trained_config.variants, metric=metric)
    st.markdown(overfitting.gap_note(found, VARIANT_TITLES, metric=metric))
    stop = overfitting.stopping(run.history)
    if stop is not None and stop.stopped_epoch is not None:
        st.caption(
            f"Early stopping stopped after epoch {stop.stopped_epoch} and kept epoch "
            f"{stop.best_epoch}'s weights, where its validation loss was lowest."
        )
    # A run that Stop interrupted has ended too: its test score, once.
    scores = trainer_flow.score_once(run, overfitting, lab_data(trained_config))
    st.markdown(
        "**Held-out test accuracy** of each network: measured once, after training, on test "
        "digits that chose nothing (no epoch, no remedy)"
    )
    columns = st.columns(len(trained_config.variants))
    for column, name in zip(columns, trained_config.variants, strict=True):
        column.metric(
            VARIANT_TITLES[name],
            f"{scores[f'test_{name}_accuracy']:.1%}",
            help="Accuracy on the held-out test digits, which chose nothing.",
        )
        column.caption(
            f"train {100 * found[name].train:.0f} % · val {100 * found[name].validation:.0f} %"
            if metric == "accuracy"
            else f"gap {found[name].gap:.3f}"
        )
    show_figure(
        accuracy_and_gap_figure(
            {name: scores[f"test_{name}_accuracy"] for name in trained_config.variants},
            {name: gap.gap for name, gap in found.items()},
            metric=metric,
        ),
        key=f"{PAGE}.chart.test",
        across_page=True,
    )


shown_config = trainer_flow.shown(run, config)
data = lab_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            overfitting,
            config,
            data,
            what=model_title(config),
            epochs=training.epochs,
            live=live,
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
    # What the baseline will learn by heart: its whole training set, when it is small.
    shown_digits = min(len(data.y_train), SHOWN_DIGITS)
    show_figure(
        images_figure(
            data.x_train[:shown_digits],
            [data.labels[label] for label in data.y_train[:shown_digits]],
            title=f"The first {shown_digits} of the {len(data.y_train)} training digits",
            n_columns=10,
        ),
        key=f"{PAGE}.chart.digits",
        across_page=True,
    )

common_mistake(
    "The test set is for the end. Choosing the epoch or the remedy by the test score "
    "overfits the test set too: the choice fits those digits, and their score no longer says "
    "how it does on new ones. Here early stopping, the best network and the gap note read the "
    "validation digits; the test digits are scored once, last."
)
trainer_flow.export_section(
    PAGE,
    overfitting,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem="overfitting_lab",
)
