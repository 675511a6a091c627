"""Sequences (RNN, LSTM, GRU): train a recurrent network on sentences or a time series and
look at its hidden state, token by token or step by step."""

import streamlit as st

from ui import trainer_flow
from ui.presenter import common_mistake, explain, show_figure
from ui.sequences import (
    LANGUAGE_TITLES,
    PAGE,
    TASK_TITLES,
    sequences_title,
    settings,
    show_forecast_results,
    show_intent_examples,
    show_intent_results,
    task_settings,
)
from ui.trainer import show_run_status
from ui.trainer_settings import validated

st.title("Sequences (RNN, LSTM, GRU)")
explain(
    "A recurrent network reads a sequence one step at a time and carries a **hidden "
    "state** from step to step: a vector that sums up what it has read so far. Here it "
    "learns either to tell what a short request to a voice assistant asks for (ten "
    "intents, in English and Chinese: words for English, characters for Chinese) or to "
    "forecast the next values of a time series from a window of past ones. After "
    "training, the heatmaps show the state after every token or step, computed by the "
    "trained layers themselves."
)

task = st.radio(
    "Task",
    list(TASK_TITLES),
    format_func=TASK_TITLES.get,
    horizontal=True,
    **settings.bind("task"),
)
settings_column, output_column = st.columns([1, 1.7], gap="large")
with settings_column:
    config, training = task_settings(task)
config = validated(lambda: config, where=settings_column)

RUN_KEY = f"{PAGE}.{task}"
run, action = trainer_flow.trainer_controls(RUN_KEY, config, where=output_column)

from dlcore.figures.sequences import forecast_figure  # noqa: E402
from dlcore.figures.training import history_figure  # noqa: E402
from dlcore.trainers import forecast, intents  # noqa: E402

trainer = intents if task == "intents" else forecast


# The settings that make the corpus's token ids and split: the rest only build and train.
intent_data = trainer_flow.shared_data(
    intents, ("language", "max_length"), spinner="Reading the corpus…", max_entries=8
)


def load_data(shown):
    """The data a config trains on."""
    if task == "intents":
        return intent_data(shown)
    # A few milliseconds: generated again rather than cached.
    return forecast.load_data(shown)


def draw_history(run) -> object:
    title = "Loss and accuracy" if task == "intents" else "Loss and mean absolute error"
    return history_figure(run.history.epochs, run.history.metrics, title=title)


def live(run) -> object:
    def text(report) -> str:
        validation = report.logs.get("val_accuracy")
        measure = (
            f"validation accuracy {validation:.1%}"
            if validation is not None
            else f"validation MAE {report.logs['val_mae']:.3f} (standardized)"
        )
        return f"Epoch {report.epoch} · {measure}"

    total = run.epochs_trained + training.epochs
    return trainer_flow.chart_drawing(RUN_KEY, run, draw_history, total_epochs=total, text=text)


def register(config, data, scores) -> dict:
    """The trained model's title for the try-it pages."""
    if task == "intents":
        language = LANGUAGE_TITLES[config.language]
        title = f"{sequences_title(config)} on {language} intents ({scores['test_accuracy']:.1%})"
        return {"title": title}
    mae = trainer_flow.kept(run, "forecast", lambda: forecast.forecast(run.model, data)).mae
    return {"title": f"{sequences_title(config)} forecaster (MAE {mae:.3f})", "labels": ()}


shown_config = trainer_flow.shown(run, config)
data = load_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            trainer,
            config,
            data,
            what="Sequences: intents" if task == "intents" else "Sequences: forecast",
            epochs=training.epochs,
            live=live,
            patience=training.patience,
            register=lambda scores: register(config, data, scores),
        )

with output_column:
    trainer_flow.settings_changed_note(run, config)
    show_run_status(run, what=sequences_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_history(run), key=f"{RUN_KEY}.history")
# Below the settings, the results take the page's full width.
if run.is_trained:
    model_data = data if run.config == shown_config else load_data(run.config)
    if task == "intents":
        show_intent_results(run, model_data, key=RUN_KEY)
    else:
        show_forecast_results(run, model_data, key=RUN_KEY)
elif task == "intents":
    show_intent_examples(data)
else:
    show_figure(forecast_figure(data.series, test_start=data.test_start), key=f"{RUN_KEY}.series")

common_mistake(
    "Keras has no `Tokenizer` any more: text becomes token ids through the "
    "`keras.layers.TextVectorization` layer, as here. A GRU has gates too (an update and a "
    "reset gate; an LSTM has three and a cell state). And a Transformer's attention is "
    "trained with the rest of the model, by the same backpropagation, not separately."
)
trainer_flow.export_section(
    RUN_KEY,
    trainer,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=(f"intents_{config.encoder}" if task == "intents" else f"forecast_{config.cell}")
    if config
    else "",
)
