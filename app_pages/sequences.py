"""Sequences (RNN, LSTM, GRU): train a recurrent network on sentences or a time series and
look at its hidden state, token by token or step by step."""

import streamlit as st

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
OPTIMIZER_TITLES = {
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
    "momentum": "SGD with momentum",
}
LEARNING_RATES = [0.0003, 0.001, 0.003, 0.005, 0.01, 0.03, 0.1]
SAMPLE_SENTENCES = {
    "both": "Will it rain in Paris tomorrow?",
    "en": "Will it rain in Paris tomorrow?",
    "zh": "明天北京会下雨吗",
}

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


def training_settings(*, default_epochs: int) -> tuple[str, float, int, int, str, int]:
    """The Training tab's widgets, shared by both tasks: optimizer, rate, batch, epochs,
    early stopping, seed."""
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZER_TITLES),
        format_func=OPTIMIZER_TITLES.get,
        **settings.bind("optimizer"),
    )
    learning_rate = st.select_slider("Learning rate", LEARNING_RATES, 0.005, **settings.bind("lr"))
    batch_size = st.select_slider("Batch size", [8, 16, 32, 64, 128], 32, **settings.bind("batch"))
    epochs = st.select_slider(
        "Epochs per run", [1, 2, 5, 10, 20, 50], default_epochs, **settings.bind("epochs")
    )
    patience = st.select_slider(
        "Early stopping",
        ["off", 2, 3, 5, 10],
        "off",
        help="Stop once the validation loss has not improved for this many epochs, and keep "
        "the best epoch's network. The test part is scored once, after training.",
        **settings.bind("patience"),
    )
    seed = st.number_input(
        "Seed",
        0,
        10_000,
        0,
        help="The same seed gives the same split, series and initial weights.",
        **settings.bind("seed"),
    )
    return optimizer, learning_rate, batch_size, epochs, patience, int(seed)


def split_settings() -> tuple[float, float]:
    """The shares of the data kept for validation and for the test."""
    validation_fraction = st.slider(
        "Validation share",
        0.05,
        0.3,
        0.1,
        0.05,
        help="Watched after every epoch: early stopping and the best epoch.",
        **settings.bind("validation"),
    )
    test_fraction = st.slider(
        "Test share",
        0.1,
        0.5,
        0.2,
        0.05,
        help="Scored once, after training: the test score.",
        **settings.bind("test"),
    )
    return validation_fraction, test_fraction


def intent_settings():
    """The intent classifier's widgets; returns the config (None if impossible) and epochs."""
    data_tab, network_tab, training_tab = st.tabs(["Data", "Network", "Training"])
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
        validation_fraction, test_fraction = split_settings()
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
        units = st.select_slider(
            "Units" if encoder != "conv1d" else "Filters",
            [2, 4, 8, 16, 32, 64, 128],
            32,
            **settings.bind("units"),
        )
        n_layers = st.slider("Layers", 1, 4, 1, **settings.bind("layers"))
        embedding_dim = st.select_slider(
            "Embedding size", [2, 4, 8, 16, 32, 64], 32, **settings.bind("embedding")
        )
        n_heads = st.slider(
            "Attention heads", 1, 8, 2, disabled=encoder != "transformer", **settings.bind("heads")
        )
        kernel_size = st.slider(
            "Kernel (tokens)", 1, 9, 3, disabled=encoder != "conv1d", **settings.bind("kernel")
        )
        dropout = st.slider("Dropout", 0.0, 0.7, 0.1, 0.1, **settings.bind("dropout"))
    with training_tab:
        optimizer, learning_rate, batch_size, epochs, patience, seed = training_settings(
            default_epochs=10
        )
    from dlcore.trainers.intents import Config  # TensorFlow starts here, after the widgets

    config = Config(
        language=language,
        encoder=encoder,
        bidirectional=bidirectional and recurrent,
        units=units,
        n_layers=n_layers,
        embedding_dim=embedding_dim,
        max_length=max_length,
        n_heads=n_heads,
        kernel_size=kernel_size,
        dropout=dropout,
        optimizer=optimizer,
        learning_rate=learning_rate,
        batch_size=batch_size,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        seed=seed,
    )
    return config, epochs, patience


def forecast_settings():
    """The forecaster's widgets; returns the config (None if impossible) and epochs."""
    data_tab, network_tab, training_tab = st.tabs(["Series", "Network", "Training"])
    with data_tab:
        n_steps = st.select_slider(
            "Steps in the series", [200, 300, 500, 1000, 2000], 1000, **settings.bind("steps")
        )
        n_sines = st.slider("Sines", 0, 5, 3, **settings.bind("sines"))
        trend = st.slider("Trend (total rise)", -5.0, 5.0, 0.0, 0.5, **settings.bind("trend"))
        noise = st.slider("Noise", 0.0, 0.5, 0.1, 0.05, **settings.bind("noise"))
        window_length = st.slider("Window (past steps seen)", 2, 128, 32, **settings.bind("window"))
        horizon = st.slider("Horizon (steps forecast)", 1, 20, 1, **settings.bind("horizon"))
        validation_fraction, test_fraction = split_settings()
    with network_tab:
        cell = st.selectbox(
            "Cell",
            list(CELL_TITLES),
            index=2,
            format_func=CELL_TITLES.get,
            **settings.bind("cell"),
        )
        units = st.select_slider("Units", [2, 4, 8, 16, 32, 64, 128], 32, **settings.bind("units"))
        n_layers = st.slider("Layers", 1, 4, 1, **settings.bind("layers"))
    with training_tab:
        optimizer, learning_rate, batch_size, epochs, patience, seed = training_settings(
            default_epochs=10
        )
    from dlcore.trainers.forecast import Config  # TensorFlow starts here, after the widgets

    config = Config(
        n_steps=n_steps,
        n_sines=n_sines,
        trend=trend,
        noise=noise,
        window_length=window_length,
        horizon=horizon,
        cell=cell,
        units=units,
        n_layers=n_layers,
        optimizer=optimizer,
        learning_rate=learning_rate,
        batch_size=batch_size,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        seed=seed,
    )
    return config, epochs, patience


with settings_column:
    config, epochs, patience = intent_settings() if task == "intents" else forecast_settings()
    try:
        config.validate()
    except ValueError as error:
        st.error(f"These settings can't make a network: {error}", icon=":material/error:")
        config = None

RUN_KEY = f"{PAGE}.{task}"
run = trainer_run(RUN_KEY)
with output_column:
    action = training_buttons(RUN_KEY, can_train=config is not None)

from dlcore import preprocess  # noqa: E402
from dlcore.explain.sequences import attention_weights, hidden_states  # noqa: E402
from dlcore.figures.sequences import (  # noqa: E402
    attention_figure,
    forecast_figure,
    hidden_state_figure,
    probability_figure,
)
from dlcore.figures.training import history_figure  # noqa: E402
from dlcore.trainers import forecast, intents  # noqa: E402
from dlcore.training.history import History  # noqa: E402
from dlcore.training.saving import TrainedModel  # noqa: E402

trainer = intents if task == "intents" else forecast


@st.cache_resource(show_spinner="Reading the corpus…", max_entries=8)
def intent_data(
    language: str, max_length: int, validation_fraction: float, test_fraction: float, seed: int
):
    """The split corpus as token ids, shared read-only by every browser session."""
    return intents.load_data(
        intents.Config(
            language=language,
            max_length=max_length,
            validation_fraction=validation_fraction,
            test_fraction=test_fraction,
            seed=seed,
        )
    )


def load_data(shown):
    """The data a config trains on."""
    if task == "intents":
        return intent_data(
            shown.language,
            shown.max_length,
            shown.validation_fraction,
            shown.test_fraction,
            shown.seed,
        )
    # A few milliseconds: generated again rather than cached.
    return forecast.load_data(shown)


def draw_history(run) -> object:
    title = "Loss and accuracy" if task == "intents" else "Loss and mean absolute error"
    return history_figure(run.history.epochs, run.history.metrics, title=title)


def train(config, data) -> None:
    """One click on Train: a new model if the settings changed, then `epochs` more epochs."""
    what = "Sequences: intents" if task == "intents" else "Sequences: forecast"
    with training(run, what):
        if run.model is None or run.config != config:
            run.start(trainer.build_model(config, data), config, History())
        with output_column:
            chart = LiveChart(RUN_KEY, draw_history, total_epochs=run.epochs_trained + epochs)

        def on_epoch(report) -> None:
            run.keep_epoch(report.weights)  # first: drawing may be interrupted by Stop
            validation = report.logs.get("val_accuracy")
            measure = (
                f"validation accuracy {validation:.1%}"
                if validation is not None
                else f"validation MAE {report.logs['val_mae']:.3f} (standardized)"
            )
            chart.update(run, epoch=report.epoch, text=f"Epoch {report.epoch} · {measure}")

        result = trainer.fit(
            run.model,
            data,
            config,
            epochs=epochs,
            patience=None if patience == "off" else patience,
            history=run.history,
            on_epoch=on_epoch,
        )
        if result.stopped_early:
            run.status = "stopped early"
            run.extras["best_epoch"] = result.best_epoch
    chart.clear()


def register(config, data, scores, result) -> None:
    """Offer the trained model to the try-it pages."""
    if task == "intents":
        title = (
            f"{sequences_title(config)} on {LANGUAGE_TITLES[config.language]} intents "
            f"({scores['test_accuracy']:.1%})"
        )
        trained = TrainedModel(
            task=intents.TASK,
            title=title,
            model=run.model,
            labels=data.labels,
            preprocessing=data.preprocessing,
            metrics=scores,
            device=run.device or "CPU:0",
        )
    else:
        trained = TrainedModel(
            task=forecast.TASK,
            title=f"{sequences_title(config)} forecaster (MAE {result.mae:.3f})",
            model=run.model,
            labels=(),
            preprocessing=data.preprocessing,
            metrics=scores,
            device=run.device or "CPU:0",
        )
    register_model(trained)


def sequences_title(config) -> str:
    if task == "intents":
        name = ENCODER_TITLES[config.encoder]
        return f"Bidirectional {name}" if config.bidirectional else name
    return CELL_TITLES[config.cell]


def evaluate(data):
    """The test scores (and a forecaster's test forecasts), computed once after training
    and kept until the model trains further."""
    if run.extras.get("evaluated_at") != run.epochs_trained:
        scores = trainer.evaluate(run.model, data)
        result = forecast.forecast(run.model, data) if task == "forecast" else None
        run.extras.update(scores=scores, forecast=result, evaluated_at=run.epochs_trained)
    return run.extras["scores"], run.extras["forecast"]


def show_intent_results(data) -> None:
    scores, _ = evaluate(data)
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
    show_figure(probability_figure(probabilities, data.labels), key=f"{RUN_KEY}.probabilities")
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
        show_figure(figure, key=f"{RUN_KEY}.states")
    elif run.config.encoder == "transformer":
        blocks = attention_weights(run.model, token_ids[0])
        block = 1
        if len(blocks) > 1:
            settings.keep_within("block", 1, len(blocks))
            block = st.slider("Block", 1, len(blocks), 1, **settings.bind("block"))
        figure = attention_figure(
            blocks[block - 1], tokens, title=f"Where each token looks (block {block})"
        )
        show_figure(figure, key=f"{RUN_KEY}.attention")
    else:
        st.info(
            "A 1-D convolution has no state that runs through the sentence: each filter looks "
            "at a few neighbouring tokens at a time. Choose a recurrent encoder to see a "
            "hidden state, or the Transformer to see its attention."
        )


def show_forecast_results(data) -> None:
    _, result = evaluate(data)
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
        # As much of the series before the test part as after it: the forecast stays visible.
        show_from=max(0, 2 * data.test_start - len(data.series)),
    )
    show_figure(figure, key=f"{RUN_KEY}.forecast")
    window = data.x_test[-1]
    (states, *_) = hidden_states(run.model, window)
    steps = [f"t-{len(window) - 1 - index}" for index in range(len(window))]
    figure = hidden_state_figure(
        states,
        steps,
        step_title="past step",
        title="Hidden state of layer 1 over the last test window",
    )
    show_figure(figure, key=f"{RUN_KEY}.states")


shown_config = config if config is not None else run.config
if shown_config is None:
    st.stop()
data = load_data(shown_config)

if action == "train" and config is not None:
    train(config, data)
    register(config, data, *evaluate(data))

with output_column:
    if run.config is not None and run.config != config and run.is_trained:
        st.caption("The settings changed since this model trained: **Train** starts a new one.")
    show_run_status(run, what=sequences_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_history(run), key=f"{RUN_KEY}.history")
        model_data = data if run.config == shown_config else load_data(run.config)
        if task == "intents":
            show_intent_results(model_data)
        else:
            show_forecast_results(model_data)
    elif task == "forecast":
        show_figure(
            forecast_figure(data.series, test_start=data.test_start), key=f"{RUN_KEY}.series"
        )

if config is not None:
    st.subheader("Export", divider="gray")
    if run.model is not None and run.config == config:
        show_summary(run.model)
    stem = f"intents_{config.encoder}" if task == "intents" else f"forecast_{config.cell}"
    export_buttons(
        RUN_KEY,
        code=trainer.export_code(config, epochs=max(epochs, run.epochs_trained)),
        model=run.model if run.config == config and run.is_trained else None,
        file_stem=stem,
    )
