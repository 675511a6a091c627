"""AppTest tests of the Sequences page: intents and forecasting train, are scored on their
test part, explain, and refuse."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array

from dlcore import preprocess
from dlcore.explain.attention import intent_attention_by_hand
from dlcore.explain.sequences import hidden_states
from dlcore.figures.style import scientific
from dlcore.trainers import intents
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/sequences.py"
TIMEOUT = 240
FORECAST = "Forecasting (time series)"


@pytest.fixture(scope="module")
def trained_intents():
    """A GRU of 8 units on the English intents, trained 2 epochs with one click on Train."""
    app = open_page(
        PAGE, timeout=TIMEOUT, **{"seq.language": "English", "seq.units": "8", "seq.epochs": "2"}
    )
    app.button(key="seq.intents.train").click().run()
    return app


@pytest.fixture(scope="module")
def trained_transformer():
    """A Transformer block with 2 heads on the English intents, trained 1 epoch."""
    app = open_page(
        PAGE,
        timeout=TIMEOUT,
        **{
            "seq.language": "English",
            "seq.encoder": "Transformer",
            "seq.embedding": "8",
            "seq.heads": "2",
            "seq.epochs": "1",
        },
    )
    app.button(key="seq.intents.train").click().run()
    return app


@pytest.fixture(scope="module")
def trained_forecaster():
    """A GRU forecaster on a 300-step series, trained 2 epochs."""
    app = open_page(
        PAGE,
        timeout=TIMEOUT,
        **{"seq.task": FORECAST, "seq.steps": "300", "seq.window": "16", "seq.epochs": "2"},
    )
    app.button(key="seq.forecast.train").click().run()
    return app


def run_scores(app):
    """The test scores the page computed for its intents model."""
    return app.session_state["seq.intents.run"].extras["test_scores"]


def test_the_untrained_page_invites_training_and_offers_the_code():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "Sequences (RNN, LSTM, GRU)"
    assert "Not trained yet" in app.info[0].value
    assert not app.button(key="seq.intents.train").disabled
    assert "ENCODER = 'gru'" in app.get("code")[-1].value
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert buttons["Trained model (.keras)"].proto.disabled


def test_training_shows_the_curves_the_accuracy_and_the_hidden_state(trained_intents):
    app = trained_intents
    assert not app.exception and not app.error
    run = app.session_state["seq.intents.run"]
    assert run.history.epochs == [1, 2]
    assert figure(app, 0)["layout"]["title"]["text"] == "Loss and accuracy"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert set(metrics) == {"Test accuracy", "… in English"}
    assert metrics["Test accuracy"].endswith("%")
    # The test score is computed once, after training, on the test part.
    scores = run.extras["test_scores"]
    data = intents.load_data(run.config)
    assert scores == intents.evaluate(run.model, data)
    assert metrics["Test accuracy"] == f"{scores['test_accuracy']:.1%}"
    assert set(run.history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    caption = " ".join(caption.value for caption in app.caption)
    assert "2 epochs" in caption and "CPU:0" in caption


def test_the_hidden_state_heatmap_is_the_models_own(trained_intents):
    app = trained_intents
    run = app.session_state["seq.intents.run"]
    sentence = app.text_input(key="seq.sentence").value
    data = intents.load_data(run.config)
    token_ids = preprocess.encode_texts([sentence], data.preprocessing)[0]
    (expected,) = hidden_states(run.model, token_ids)
    heatmap = figure(app, 2)["data"][0]
    assert heatmap["type"] == "heatmap"
    shown = plotly_array(heatmap["z"]).reshape(expected.T.shape)
    np.testing.assert_allclose(shown, expected.T, atol=1e-6)
    ticks = figure(app, 2)["layout"]["xaxis"]["ticktext"]
    assert ticks == ["will", "it", "rain", "in", "paris", "tomorrow"]


def test_the_gates_of_the_trained_gru_follow_its_own_hidden_state(trained_intents):
    app = trained_intents
    gates = figure(app, 3)
    titles = [annotation["text"] for annotation in gates["layout"]["annotations"]]
    assert titles[:3] == ["Update gate", "Reset gate", "Candidate"]
    assert "Inside the GRU of layer 1" in gates["layout"]["title"]["text"]
    # The last panel is the hidden state, recomputed from the gates: the model's own.
    run = app.session_state["seq.intents.run"]
    data = intents.load_data(run.config)
    sentence = app.text_input(key="seq.sentence").value
    (expected,) = hidden_states(
        run.model, preprocess.encode_texts([sentence], data.preprocessing)[0]
    )
    hidden = plotly_array(gates["data"][-1]["z"]).reshape(expected.T.shape)
    np.testing.assert_allclose(hidden, expected.T, atol=1e-5)


def test_a_typed_sentence_is_classified_and_the_model_registered(trained_intents):
    app = trained_intents
    app.text_input(key="seq.sentence").set_value("set an alarm for 7 am").run()
    assert not app.exception
    bars = figure(app, 1)["data"][0]
    assert len(bars["y"]) == 10
    np.testing.assert_allclose(plotly_array(bars["x"]).sum(), 1.0, rtol=1e-5)
    assert figure(app, 2)["layout"]["xaxis"]["ticktext"] == ["set", "an", "alarm", "for", "7", "am"]
    (trained,) = app.session_state[REGISTRY_KEY].values()
    assert trained.task == "intents" and trained.labels[0] == "weather"
    assert trained.metrics["test_accuracy"] == run_scores(app)["test_accuracy"]
    assert (
        trained.preprocessing["max_length"] == 20 and "play" in trained.preprocessing["vocabulary"]
    )


def test_forecasting_shows_the_forecast_against_the_naive_one(trained_forecaster):
    app = trained_forecaster
    assert not app.exception and not app.error
    names = [trace["name"] for trace in figure(app, 1)["data"]]
    assert names == ["series", "forecast", "naive (last value)"]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert set(metrics) == {"Test MAE", "Naive MAE (next = last value)"}
    states = figure(app, 2)
    assert states["layout"]["xaxis"]["ticktext"][-1] == "t-0"
    (trained,) = [
        model for model in app.session_state[REGISTRY_KEY].values() if model.task == "forecast"
    ]
    assert trained.preprocessing["window_length"] == 16
    assert set(trained.metrics) == {"test_loss", "test_mae", "test_naive_loss", "test_naive_mae"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"seq.encoder": "Conv1D", "seq.kernel": "9", "seq.max_length": "5"},
            "The kernel (9 tokens) is longer than the sentences (5 tokens)",
        ),
        (
            {"seq.encoder": "Transformer", "seq.heads": "8", "seq.embedding": "4"},
            "use an embedding size of at least 8 or fewer heads",
        ),
        (
            {"seq.task": FORECAST, "seq.steps": "200", "seq.window": "128", "seq.test": "0.5"},
            "A window of 128 steps and a horizon of 1 do not fit in the 80 training steps",
        ),
    ],
    ids=["kernel", "heads", "window"],
)
def test_impossible_settings_are_explained_and_train_is_off(query, message):
    app = open_page(PAGE, timeout=TIMEOUT, **query)
    assert not app.exception
    assert message in app.error[0].value
    task = "forecast" if "seq.task" in query else "intents"
    assert app.button(key=f"seq.{task}.train").disabled


def test_the_untrained_page_shows_sentences_of_every_intent_with_human_labels():
    app = open_page(PAGE, timeout=TIMEOUT, **{"seq.language": "English"})
    assert not app.exception
    (table,) = app.table
    rows = table.value
    data = intents.load_data(intents.Config(language="en"))
    assert set(rows["Intent"]) == {label.replace("_", " ") for label in data.labels}
    assert not any("_" in intent for intent in rows["Intent"])  # "set timer", not "set_timer"
    assert rows["Sentence"].str.len().min() > 0
    assert any("Training sentences" in markdown.value for markdown in app.markdown)


def test_the_results_sit_below_the_settings_at_full_width(trained_intents):
    app = trained_intents
    output = next(
        column
        for column in app.columns
        if any(button.key == "seq.intents.train" for button in column.get("button"))
    )
    assert app.metric[0].label == "Test accuracy"
    assert not output.get("metric") and not output.get("text_input")


def test_attention_by_hand_is_the_layers_own_for_the_chosen_token_and_head(trained_transformer):
    app = trained_transformer
    assert not app.exception and not app.error
    titles = [
        figure(app, index)["layout"]["title"]["text"]
        for index in range(len(app.get("plotly_chart")))
    ]
    assert any("Where each token looks" in title for title in titles)
    run = app.session_state["seq.intents.run"]
    data = intents.load_data(run.config)
    sentence = app.text_input(key="seq.sentence").value
    token_ids = preprocess.encode_texts([sentence], data.preprocessing)[0]
    app.selectbox(key="seq.att_token").set_value(3).run()
    app.selectbox(key="seq.att_head").set_value(2).run()
    assert not app.exception
    worked = intent_attention_by_hand(run.model, token_ids)
    line = next(m.value for m in app.markdown if m.value.startswith("For “"))
    # Token 3 ("rain") against token 1 in head 2, at T = 1: the layer's own numbers.
    score = scientific(worked.scores[1, 2, 0], digits=3)
    assert f"**{score}**" in line and f"**{worked.weights[1, 2, 0]:.3f}**" in line
    app.select_slider(key="seq.att_temp").set_value(4.0).run()
    hot = intent_attention_by_hand(run.model, token_ids, temperature=4.0)
    line = next(m.value for m in app.markdown if m.value.startswith("For “"))
    assert f"**{hot.weights[1, 2, 0]:.3f}**" in line and "T = 4" in line
