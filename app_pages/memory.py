"""Memory (RNN, LSTM, GRU): a SimpleRNN, an LSTM and a GRU trained side by side on sequences
whose answer is their first token, to see which cells remember it across a long sequence."""

import streamlit as st

from dlcore.figures.memory import CELL_TITLES, example_sequence_markdown
from ui import trainer_flow
from ui.presenter import common_mistake, show_figure
from ui.settings import PageSettings
from ui.trainer import show_run_status
from ui.trainer_settings import TrainingOptions, training_inputs, validated

PAGE = "mem"
settings = PageSettings(PAGE)

# The sequences the page draws, before the split: enough for the gated cells to learn a
# length of 60 in about 10 epochs.
N_SEQUENCES = 3000
TRAINING = TrainingOptions(
    learning_rates=([0.001, 0.003, 0.01, 0.03], 0.01),
    rate_label="Learning rate (Adam)",
    batch_sizes=([8, 16, 32, 64, 128], 32),
    epochs=([1, 2, 5, 10, 20, 30], 10),
    patience=None,
    seed_help="The same seed gives the same sequences, split, starting weights and batches.",
)

settings_column, output_column, (sequence_tab, network_tab, training_tab) = (
    trainer_flow.trainer_layout(
        "Memory (RNN, LSTM, GRU)",
        "Every sequence is a row of random symbols, and its answer is its **first** symbol: "
        "everything after it is noise. To answer, a network reads the whole row and must "
        "carry the first symbol to the end. A **SimpleRNN** rewrites its whole state at every "
        "step, through a tanh: after many steps the first symbol has faded, and so has the "
        "gradient that would teach the network to keep it, since it passes back through one "
        "tanh and one weight matrix per step. An **LSTM** keeps a separate cell state that its "
        "forget gate can pass on unchanged, and a **GRU** an update gate that can copy its "
        "state from step to step: both can carry the first symbol to the end, and the "
        "gradient back to it (both start with their gates set to keep, as chrono "
        "initialization does; a SimpleRNN has no gate to set). The three train side by "
        "side on the same batches. Press "
        "**Train** at length 60, where the SimpleRNN stays near chance (with some seeds it "
        "learns to tell a few symbols apart) while the gated cells climb to 100% (with "
        "some seeds the LSTM needs a few more epochs), then try length 5, where the "
        "SimpleRNN remembers too.",
        tabs=("Sequences", "Network", "Training"),
    )
)
with sequence_tab:
    sequences = {  # the config fields set as they are
        "length": st.slider(
            "Sequence length (tokens)",
            2,
            100,
            60,
            help="The answer is the first token: the longer the sequence, the further back "
            "it lies. A step takes longer with every token.",
            **settings.bind("length"),
        ),
        "n_symbols": st.select_slider(
            "Symbols",
            [2, 3, 4, 6, 8, 10],
            4,
            help="How many symbols a token is drawn from: a guess is right one time in this "
            "many (chance).",
            **settings.bind("symbols"),
        ),
    }
with network_tab:
    network = {
        "units": st.select_slider(
            "Units per cell", [8, 16, 32, 64, 128], 32, **settings.bind("units")
        ),
        "cells": tuple(
            st.multiselect(
                "Cells to compare",
                list(CELL_TITLES),
                list(CELL_TITLES),
                format_func=CELL_TITLES.get,
                **settings.bind("cells"),
            )
        ),
    }
with training_tab:
    training = training_inputs(settings, TRAINING)

from dlcore.trainers import memory  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(
    lambda: memory.Config(**sequences, n_samples=N_SEQUENCES, **network, **training.fields),
    what="the networks",
    where=settings_column,
)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from dlcore.figures.memory import curves_figure  # noqa: E402

task_data = trainer_flow.shared_data(
    memory, ("length", "n_symbols", "n_samples"), spinner="Drawing the sequences…", max_entries=8
)


def model_title(shown: memory.Config) -> str:
    return f"Cells on sequences of {shown.length} tokens"


def draw_curves(trained) -> object:
    history = trained.history
    curves = {cell: history.variant(cell) for cell in memory.model_order(trained.config.cells)}
    return curves_figure(history.epochs, curves, chance=1 / trained.config.n_symbols)


def live(run) -> object:
    def text(report) -> str:
        accuracies = " · ".join(
            f"{CELL_TITLES[cell]} {report.history.metrics[f'val_{cell}_accuracy'][-1]:.0%}"
            for cell in memory.model_order(run.config.cells)
        )
        return f"Epoch {report.epoch} · validation accuracy {accuracies}"

    drawing = trainer_flow.chart_drawing(
        PAGE,
        run,
        draw_curves,
        total_epochs=run.epochs_trained + training.epochs,
        text=text,
    )
    drawing.chart.progress(0.0, "Compiling the first step (a few seconds)…")
    return drawing


def show_example(shown: memory.Config) -> None:
    """A training sequence, its answer marked, and what chance is."""
    data = task_data(shown)
    st.markdown(
        "**An example sequence** (from the training part): "
        + example_sequence_markdown(data.x_train[0], data.labels)
    )
    st.caption(
        f"Chance: **{1 / shown.n_symbols:.0%}**, one guess in {shown.n_symbols} symbols. A "
        "network that has forgotten the first token can do no better: the tokens after it "
        f"say nothing about it. {N_SEQUENCES:,} sequences, split into training, validation "
        "(the curves) and test (scored once, at the end)."
    )


def show_results(trained_config: memory.Config) -> None:
    """Each cell's held-out test accuracy, once (the curves are beside the settings)."""
    # A run that Stop interrupted has ended too: its test score, once.
    scores = trainer_flow.score_once(run, memory, task_data(trained_config))
    chance = 1 / trained_config.n_symbols
    st.markdown(
        "**Test accuracy** of each cell, held out: on test sequences kept out of training, "
        f"measured once after it (chance: {chance:.0%})"
    )
    titles = {cell: CELL_TITLES[cell] for cell in memory.model_order(trained_config.cells)}
    trainer_flow.show_side_by_side_scores(run, scores, titles, what="sequences")


shown_config = trainer_flow.shown(run, config)
data = task_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            memory,
            config,
            data,
            what=model_title(config),
            epochs=training.epochs,
            live=live,
        )

with output_column:
    trainer_flow.settings_changed_note(run, config, what="these networks", starts="anew")
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_curves(run), key=f"{PAGE}.chart.curves")
    show_example(shown_config)
# Below the settings, the results take the page's full width.
if run.is_trained:
    show_results(run.config)

common_mistake(
    "A SimpleRNN is not useless: on short dependencies (try length 5) it learns as well as the "
    "gated cells. What it lacks is a path that carries a value unchanged across "
    "many steps; that path is what the LSTM's cell state and the GRU's update gate add."
)
trainer_flow.export_section(
    PAGE,
    memory,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=f"memory_length{config.length}" if config else "",
)
