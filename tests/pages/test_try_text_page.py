"""AppTest tests of the Text try-it page: a sentence, Chinese, bad input, batches, models."""

import pytest
from helpers import figure, open_page, plotly_array

from dlcore.training.saving import TrainedModel
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/try_text.py"
TIMEOUT = 180
SENTENCE = "try_text.sentence"
LINES = "try_text.lines"


def shown(message: str) -> str:
    """A message as a person reads it: without the page's Markdown escapes."""
    return message.replace("\\", "")


def top_intent(app) -> str:
    """The most likely intent, as the page's bars name it for a person ("set timer")."""
    return figure(app, 0)["data"][0]["y"][0]


@pytest.fixture(scope="module")
def bundled():
    from dlcore.pretrained import load_pretrained

    return load_pretrained("intents")


def test_the_default_sentence_gets_an_intent_tokens_and_hidden_state():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error and not app.warning
    assert app.title[0].value == "Your text"
    assert app.text_input(key=SENTENCE).value == "Will it rain in Paris tomorrow?"
    assert top_intent(app) == "weather"
    known, unknown = figure(app, 1)["data"]
    assert [text.split("<br>")[0] for text in known["text"][0]] == [
        "will",
        "it",
        "rain",
        "in",
        "paris",
        "tomorrow",
    ]
    assert all(value is None for value in unknown["z"][0])
    heatmap = figure(app, 2)
    assert heatmap["layout"]["xaxis"]["ticktext"][2] == "rain"
    assert plotly_array(heatmap["data"][0]["z"]).size % 6 == 0


def test_a_chinese_sentence_is_read_character_by_character():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_input(key=SENTENCE).set_value("明天北京会下雨吗").run()
    assert not app.exception and not app.warning
    assert top_intent(app) == "weather"
    ticks = figure(app, 2)["layout"]["xaxis"]["ticktext"]
    assert ticks == ["明", "天", "北", "京", "会", "下", "雨", "吗"]


def test_picking_an_example_fills_the_box_and_unknown_words_are_marked():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.selectbox(key="try_text.example").set_value("Play the new zorblax album").run()
    assert not app.exception
    assert app.text_input(key=SENTENCE).value == "Play the new zorblax album"
    assert top_intent(app) == "play music"
    unknown = figure(app, 1)["data"][1]
    assert "zorblax<br>unknown" in unknown["text"][0]
    assert "zorblax (?)" in figure(app, 2)["layout"]["xaxis"]["ticktext"]
    assert any("Unknown to this model: “zorblax”" in caption.value for caption in app.caption)


def test_a_misspelled_word_is_shown_as_read_as_its_nearest_known_word():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_input(key=SENTENCE).set_value("Turn up the volumn, zorblax").run()
    assert not app.exception and not app.warning
    assert top_intent(app) == "smart home"
    captions = [shown(caption.value) for caption in app.caption]
    assert any("“volumn” read as “volume”" in caption for caption in captions)
    assert any("Unknown to this model: “zorblax”" in caption for caption in captions)
    assert not any("Unknown to this model: “volumn”" in caption for caption in captions)
    ticks = figure(app, 2)["layout"]["xaxis"]["ticktext"]
    assert "volumn → volume" in ticks and "zorblax (?)" in ticks


def test_gradient_times_input_can_be_chosen():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.segmented_control(key="try_text.method").set_value("gradient").run()
    assert not app.exception
    assert "gradient × input" in figure(app, 1)["layout"]["title"]["text"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The text is empty"),
        ("   ", "The text is empty"),
        ("🎵🔥!!", "no English words, numbers or Chinese"),
    ],
)
def test_text_without_words_gets_a_warning_and_the_page_keeps_working(text, message):
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_input(key=SENTENCE).set_value(text).run()
    assert not app.exception and not app.error
    assert message in shown(app.warning[0].value)
    assert len(app.get("plotly_chart")) == 0
    app.text_input(key=SENTENCE).set_value("Set a timer for 10 minutes").run()
    assert not app.warning and top_intent(app) == "set timer"


def test_very_long_text_is_cut_with_a_note():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_input(key=SENTENCE).set_value("play some jazz " * 2000).run()
    assert not app.exception and not app.warning
    notes = " ".join(info.value for info in app.info)
    assert "only the first 1,000 were read" in notes and "reads the first 20 tokens" in notes
    assert top_intent(app) == "play music"


def test_batch_lines_give_a_table_and_a_download():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_area(key=LINES).set_value("Play some jazz\n\n明天北京会下雨吗\n😀\n").run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert list(table["text"]) == ["Play some jazz", "明天北京会下雨吗", "😀"]
    # Words on screen ("play music"); the CSV download keeps the identifiers.
    assert list(table["intent"]) == ["play music", "weather", ""]
    assert list(table["note"])[2] == "no words to read"
    (download,) = app.get("download_button")
    assert download.proto.label == "Download the table (CSV)"


def test_a_csv_upload_gives_a_table():
    app = open_page(PAGE, timeout=TIMEOUT)
    data = "id,utterance,intent\n1,Turn off the kitchen lights,x\n2,今天有什么新闻,y\n".encode()
    app.file_uploader[0].set_value(("requests.csv", data, "text/csv")).run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert list(table["text"]) == ["Turn off the kitchen lights", "今天有什么新闻"]
    assert list(table["intent"]) == ["smart home", "news"]
    assert any("column “utterance” of requests.csv" in shown(c.value) for c in app.caption)


def test_a_csv_without_a_text_column_is_refused_and_typed_text_kept():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.text_input(key=SENTENCE).set_value("播放周杰伦的歌").run()
    app.text_area(key=LINES).set_value("Play some jazz").run()
    data = b"id,score\n1,0.5\n2,0.7\n"
    app.file_uploader[0].set_value(("scores.csv", data, "text/csv")).run()
    assert not app.exception
    message = shown(app.error[0].value)
    assert "No text column found" in message and "Columns found: “id”, “score”" in message
    assert app.text_input(key=SENTENCE).value == "播放周杰伦的歌"
    assert top_intent(app) == "play music"
    # The typed lines are classified meanwhile.
    assert list(app.dataframe[0].value["text"]) == ["Play some jazz"]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "The file is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text")],
)
def test_unreadable_csv_files_get_an_error(data, message):
    app = open_page(PAGE, timeout=TIMEOUT)
    app.file_uploader[0].set_value(("bad.csv", data, "text/csv")).run()
    assert not app.exception
    assert message in shown(app.error[0].value)


def test_a_model_trained_in_this_session_can_be_chosen(bundled):
    app = open_page(PAGE, timeout=TIMEOUT)
    trained = TrainedModel(
        task="intents",
        title="GRU on intents (97.0%)",
        model=bundled.model,
        labels=tuple(bundled.labels),
        preprocessing=bundled.preprocessing,
        metrics={"accuracy_all": 0.97},
        device="CPU:0",
    )
    app.session_state[REGISTRY_KEY] = {trained.title: trained}
    app.run()
    model_box = app.selectbox(key="try_text.model")
    # After the two bundled models: the GRU and the Transformer.
    assert model_box.options[1] == "Intents (bundled Transformer, English and Chinese)"
    assert model_box.options[2] == "GRU on intents (97.0%) (trained in this session)"
    model_box.set_value("session:GRU on intents (97.0%)").run()
    assert not app.exception
    assert top_intent(app) == "weather"
    assert any("97.0%" in caption.value for caption in app.caption)


def session_model(app, bundled, encoder: str, title: str):
    """An untrained intent model of this encoder, chosen as this session's model."""
    from dlcore.trainers import intents

    model = intents.intent_classifier(
        len(bundled.preprocessing["vocabulary"]),
        len(bundled.labels),
        encoder=encoder,
        units=8,
        embedding_dim=8,
    )
    trained = TrainedModel(
        task="intents",
        title=title,
        model=model,
        labels=tuple(bundled.labels),
        preprocessing=bundled.preprocessing,
        metrics={},
        device="CPU:0",
    )
    app.session_state[REGISTRY_KEY] = {trained.title: trained}
    app.run()
    app.selectbox(key="try_text.model").set_value(f"session:{title}").run()
    return model


def test_a_convolution_says_it_has_no_recurrent_state(bundled):
    app = open_page(PAGE, timeout=TIMEOUT)
    session_model(app, bundled, "conv1d", "Conv1D (untrained)")
    assert not app.exception
    assert any(
        "convolution" in info.value and "no recurrent state" in info.value for info in app.info
    )
    assert len(app.get("plotly_chart")) == 2


def attention_by_hand_line(app) -> str:
    return next(md.value for md in app.markdown if md.value.startswith("For “"))


def test_the_bundled_transformer_shows_its_attention_worked_by_hand():
    from dlcore.explain.attention import intent_attention_by_hand
    from dlcore.pretrained import load_pretrained

    app = open_page(
        PAGE,
        timeout=TIMEOUT,
        **{"try_text.model": "Intents (bundled Transformer, English and Chinese)"},
    )
    assert not app.exception
    assert top_intent(app) == "weather"
    assert any(header.value == "Attention, token by token" for header in app.subheader)
    assert any(header.value == "Attention by hand" for header in app.subheader)
    # The numbers on the page are the bundled layer's own, for the token and head chosen.
    app.selectbox(key="try_text.att_token").set_value(3).run()
    app.selectbox(key="try_text.att_head").set_value(2).run()
    assert not app.exception
    predictor = load_pretrained("intents_transformer")
    token_ids = predictor.prepare(["Will it rain in Paris tomorrow?"])[0]
    worked = intent_attention_by_hand(predictor.model, token_ids)
    assert f"**{worked.weights[1, 2, 0]:.3f}**" in attention_by_hand_line(app)


def test_a_transformer_trained_in_this_session_shows_its_attention(bundled):
    app = open_page(PAGE, timeout=TIMEOUT)
    session_model(app, bundled, "transformer", "Transformer (untrained)")
    assert not app.exception
    assert attention_by_hand_line(app).startswith("For “will” and “will” in head 1")


def test_the_bundled_grus_gates_end_in_the_hidden_state_shown_above_them():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception
    states, gates = figure(app, 2), figure(app, 3)
    assert "Inside the GRU of layer 1" in gates["layout"]["title"]["text"]
    titles = [annotation["text"] for annotation in gates["layout"]["annotations"]]
    assert titles == ["Update gate", "Reset gate", "Candidate", "Hidden state"]
    # The gates' last panel, recomputed from the weights, is the layer's own hidden state.
    shown = plotly_array(states["data"][0]["z"])
    recomputed = plotly_array(gates["data"][-1]["z"]).reshape(shown.shape)
    assert abs(recomputed - shown).max() < 1e-4
