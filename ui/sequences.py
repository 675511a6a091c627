"""The Sequences page's two tasks, intents and forecasting: each one's settings form and its
results after training. The page (app_pages/sequences.py) holds the flow between them.

The settings import TensorFlow only once their widgets are drawn.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.attention import show_attention
from ui.gates import show_gates
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer_flow import kept, score_once
from ui.trainer_settings import (
    EARLY_STOPPING_HELP,
    TrainingChoices,
    TrainingOptions,
    split_inputs,
    training_inputs,
)

PAGE = "seq"
settings = PageSettings(PAGE)

TASK_TITLES = {"intents": "Intents (text)", "forecast": "Forecasting (time series)"}
LANGUAGE_TITLES = {"both": "English and Chinese", "en": "English", "zh": "Chinese"}
ENCODER_TITLES = {
    "simple_rnn": "SimpleRNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "conv1d": "Conv1D",
    "transformer": "Transformer",
}
CELL_TITLES = {name: ENCODER_TITLES[name] for name in ("simple_rnn", "lstm", "gru")}
TRAINING = TrainingOptions(
    optimizers=("adam", "rmsprop", "sgd", "momentum"),
    learning_rates=([0.0003, 0.001, 0.003, 0.005, 0.01, 0.03, 0.1], 0.005),
    batch_sizes=([8, 16, 32, 64, 128], 32),
    epochs=([1, 2, 5, 10, 20, 50], 10),
    patience_help=EARLY_STOPPING_HELP + " The test part is scored once, after training.",
    seed_help="The same seed gives the same split, series and initial weights.",
)
"""The Training tab, the same for both tasks."""
SAMPLE_SENTENCES = {
    "both": "Will it rain in Paris tomorrow?",
    "en": "Will it rain in Paris tomorrow?",
    "zh": "明天北京会下雨吗",
}


def split_settings() -> dict[str, float]:
    """The shares of the data kept for validation and for the test."""
    return split_inputs(
        settings,
        validation=(0.05, 0.3, 0.1, 0.05),
        test=(0.1, 0.5, 0.2, 0.05),
        validation_help="Watched after every epoch: early stopping and the best epoch.",
        test_help="Scored once, after training: the test score.",
    )


def task_settings(task: str) -> tuple[Any, TrainingChoices]:
    """The task's settings tabs (its data, its network, then the Training tab both share);
    returns its config, not yet validated, and the Training tab's choices."""
    data_title, task_fields = (
        ("Data", intent_fields) if task == "intents" else ("Series", forecast_fields)
    )
    data_tab, network_tab, training_tab = st.tabs([data_title, "Network", "Training"])
    fields = task_fields(data_tab, network_tab)
    with training_tab:
        training = training_inputs(settings, TRAINING)
    # TensorFlow starts here, after the widgets.
    from dlcore.trainers import forecast, intents

    trainer = intents if task == "intents" else forecast
    return trainer.Config(**fields, **training.fields), training


def intent_fields(data_tab: Any, network_tab: Any) -> dict[str, Any]:
    """The intent classifier's data and network widgets; returns the config fields they set."""
    with data_tab:
        language = st.selectbox(
            "Language",
            list(LANGUAGE_TITLES),
            format_func=LANGUAGE_TITLES.get,
            **settings.bind("language"),
        )
        max_length = st.slider(
            "Tokens per sentence",
            2,
            32,
            20,
            help="Longer sentences are cut, shorter ones padded. The longest in the corpus "
            "has 20 tokens.",
            **settings.bind("max_length"),
        )
        split = split_settings()
    with network_tab:
        encoder = st.selectbox(
            "Encoder",
            list(ENCODER_TITLES),
            index=2,
            format_func=ENCODER_TITLES.get,
            **settings.bind("encoder"),
        )
        recurrent = encoder in CELL_TITLES
        bidirectional = st.toggle(
            "Bidirectional",
            disabled=not recurrent,
            help="Read the sentence forwards and backwards and join both states.",
            **settings.bind("bidirectional"),
        )
        network = {  # the config fields set as they are
            "units": st.select_slider(
                "Units" if encoder != "conv1d" else "Filters",
                [2, 4, 8, 16, 32, 64, 128],
                32,
                **settings.bind("units"),
            ),
            "n_layers": st.slider("Layers", 1, 4, 1, **settings.bind("layers")),
            "embedding_dim": st.select_slider(
                "Embedding size", [2, 4, 8, 16, 32, 64], 32, **settings.bind("embedding")
            ),
            "n_heads": st.slider(
                "Attention heads",
                1,
                8,
                2,
                disabled=encoder != "transformer",
                **settings.bind("heads"),
            ),
            "kernel_size": st.slider(
                "Kernel (tokens)", 1, 9, 3, disabled=encoder != "conv1d", **settings.bind("kernel")
            ),
            "dropout": st.slider("Dropout", 0.0, 0.7, 0.1, 0.1, **settings.bind("dropout")),
        }
    return {
        "language": language,
        "encoder": encoder,
        "max_length": max_length,
        "bidirectional": bidirectional and recurrent,
        **network,
        **split,
    }


def forecast_fields(data_tab: Any, network_tab: Any) -> dict[str, Any]:
    """The forecaster's series and network widgets; returns the config fields they set."""
    with data_tab:
        series = {  # the config fields set as they are
            "n_steps": st.select_slider(
                "Steps in the series", [200, 300, 500, 1000, 2000], 1000, **settings.bind("steps")
            ),
            "n_sines": st.slider("Sines", 0, 5, 3, **settings.bind("sines")),
            "trend": st.slider("Trend (total rise)", -5.0, 5.0, 0.0, 0.5, **settings.bind("trend")),
            "noise": st.slider("Noise", 0.0, 0.5, 0.1, 0.05, **settings.bind("noise")),
            "window_length": st.slider(
                "Window (past steps seen)", 2, 128, 32, **settings.bind("window")
            ),
            "horizon": st.slider("Horizon (steps forecast)", 1, 20, 1, **settings.bind("horizon")),
        }
        split = split_settings()
    with network_tab:
        network = {
            "cell": st.selectbox(
                "Cell",
                list(CELL_TITLES),
                index=2,
                format_func=CELL_TITLES.get,
                **settings.bind("cell"),
            ),
            "units": st.select_slider(
                "Units", [2, 4, 8, 16, 32, 64, 128], 32, **settings.bind("units")
            ),
            "n_layers": st.slider("Layers", 1, 4, 1, **settings.bind("layers")),
        }
    return {**series, **split, **network}


def sequences_title(config) -> str:
    """The network's name, e.g. "Bidirectional GRU" or "LSTM"."""
    if hasattr(config, "encoder"):
        name = ENCODER_TITLES[config.encoder]
        return f"Bidirectional {name}" if config.bidirectional else name
    return CELL_TITLES[config.cell]


def show_intent_results(run, data, *, key: str) -> None:
    """The trained intent classifier: its test accuracy, and what it makes of a sentence."""
    from dlcore import preprocess
    from dlcore.explain.sequences import hidden_states
    from dlcore.figures.sequences import hidden_state_figure, probability_figure
    from dlcore.trainers import intents

    scores = score_once(run, intents, data)
    shown = {"Test accuracy": scores["test_accuracy"]}
    for language in ("en", "zh"):
        if f"test_accuracy_{language}" in scores:
            shown[f"… in {LANGUAGE_TITLES[language]}"] = scores[f"test_accuracy_{language}"]
    for column, (label, value) in zip(st.columns(len(shown)), shown.items(), strict=True):
        column.metric(label, f"{value:.1%}")
    language = run.config.language
    sentence = st.text_input(
        "Try a sentence",
        SAMPLE_SENTENCES[language],
        max_chars=200,
        # One per language, so that each keeps its own sample sentence.
        **settings.bind("sentence_zh" if language == "zh" else "sentence"),
    )
    token_ids = preprocess.encode_texts([sentence], data.preprocessing)
    if not (token_ids != preprocess.PADDING_ID).any():
        st.info("No words or characters to read: type a request, e.g. “play some jazz”.")
        return
    tokens = intents.token_labels(token_ids[0], data.vocabulary)
    probabilities = intents.predict_intents(run.model, token_ids)[0]
    from dlcore.figures.style import human_label

    labels = [human_label(label) for label in data.labels]
    show_figure(probability_figure(probabilities, labels), key=f"{key}.probabilities")
    if "[UNK]" in tokens:
        st.caption("[UNK] marks tokens the model never saw in training: they all look alike to it.")
    if run.config.encoder in intents.RECURRENT_CELLS:
        states = hidden_states(run.model, token_ids[0])
        layer = 1
        if len(states) > 1:
            settings.keep_within("layer", 1, len(states))
            layer = st.slider("Layer", 1, len(states), len(states), **settings.bind("layer"))
        figure = hidden_state_figure(
            states[layer - 1],
            tokens,
            bidirectional=run.config.bidirectional,
            step_title="token",
            title=f"Hidden state of layer {layer} after each token",
        )
        show_figure(figure, key=f"{key}.states")
        show_gates(
            run.model,
            token_ids[0],
            tokens,
            bidirectional=run.config.bidirectional,
            settings=settings,
            key=key,
            layer=layer,
        )
    elif run.config.encoder == "transformer":
        show_attention(run.model, token_ids[0], tokens, settings=settings, key=key)
    else:
        st.info(
            "A 1-D convolution has no state that runs through the sentence: each filter looks "
            "at a few neighbouring tokens at a time. Choose a recurrent encoder to see a "
            "hidden state, or the Transformer to see its attention."
        )


def show_intent_examples(data, *, per_intent: int = 2) -> None:
    """Before training: a few training sentences of every intent, so that a room sees what
    the network will learn from.

    Args:
        data: the `dlcore.trainers.intents.IntentData` on screen.
        per_intent: the sentences shown per intent, the first ones of the training part.
    """
    from dlcore.figures.style import human_label

    rows = []
    for label_id, label in enumerate(data.labels):
        (indices,) = (data.y_train == label_id).nonzero()
        rows += [
            {"Intent": human_label(label), "Sentence": str(data.texts_train[index])}
            for index in indices[:per_intent]
        ]
    st.markdown(f"**Training sentences**: {len(data.texts_train)} in all; a few of each intent")
    # A plain table, not a data grid: its text is the page's own, which presenter mode
    # enlarges (a grid draws its text on a canvas, at one size).
    st.table(rows, hide_index=True, border="horizontal")


def show_forecast_results(run, data, *, key: str) -> None:
    """The trained forecaster: its test error against the naive forecast, its forecasts and
    its hidden state."""
    from dlcore.explain.sequences import hidden_states
    from dlcore.figures.sequences import (
        forecast_figure,
        forecast_view_start,
        hidden_state_figure,
        past_step_labels,
    )
    from dlcore.trainers import forecast

    result = kept(
        run,
        "forecast",
        lambda: forecast.forecast(run.model, data),
        step="Forecasting the test part of the series…",
    )
    model_column, naive_column = st.columns(2)
    model_column.metric("Test MAE", f"{result.mae:.3f}")
    naive_column.metric(
        "Naive MAE (next = last value)",
        f"{result.naive_mae:.3f}",
        delta=f"{result.mae - result.naive_mae:+.3f} for the model",
        delta_color="inverse",
    )
    horizon = result.predictions.shape[1]
    step_ahead = 1
    if horizon > 1:
        settings.keep_within("ahead", 1, horizon)
        step_ahead = st.slider("Steps ahead", 1, horizon, 1, **settings.bind("ahead"))
    figure = forecast_figure(
        data.series,
        test_start=data.test_start,
        target_steps=result.target_steps,
        predictions=result.predictions,
        naive=result.naive,
        step_ahead=step_ahead,
        show_from=forecast_view_start(len(data.series), data.test_start),
    )
    show_figure(figure, key=f"{key}.forecast")
    window = data.x_test[-1]
    (states, *_) = hidden_states(run.model, window)
    figure = hidden_state_figure(
        states,
        past_step_labels(len(window)),
        step_title="past step",
        title="Hidden state of layer 1 over the last test window",
    )
    show_figure(figure, key=f"{key}.states")
