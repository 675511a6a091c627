"""Tests of dlcore.explain.text and its figures: tokens, attributions, hidden state, batches."""

import dataclasses
from typing import Any

import numpy as np
import pytest

from dlcore import preprocess
from dlcore.explain import text as text_insight
from dlcore.explain.sequences import hidden_states
from dlcore.figures.text_insight import UNKNOWN_SUFFIX, attribution_figure, token_state_figure
from dlcore.media import texts as media_texts
from dlcore.trainers import intents

TINY_VOCABULARY = ["", "[UNK]", "play", "the", "weather", "today", "some", "jazz"]
TINY_LABELS = ["music", "weather"]
TINY_LENGTH = 6


@dataclasses.dataclass
class TinyPredictor:
    """The predictor interface of dlcore.pretrained.Predictor, for a hand-built model."""

    model: Any
    labels: list
    preprocessing: dict

    def predict_proba(self, texts):
        return np.asarray(self.model(preprocess.encode_texts(texts, self.preprocessing)))


@pytest.fixture(scope="module")
def tiny():
    """A model where only "weather" counts: its embedding is 4, every other token's 0.

    The embeddings are averaged over the tokens (padding masked) and a dense softmax
    maps the mean m to logits (-m + 0.5, m - 0.5): "play the weather today" has m = 1,
    so "weather" wins with 73 %; without "weather" m = 0 and "music" wins.
    """
    import keras

    token_ids = keras.Input((TINY_LENGTH,), dtype="int32")
    embedding = keras.layers.Embedding(len(TINY_VOCABULARY), 1, mask_zero=True, name="embedding")
    pooled = keras.layers.GlobalAveragePooling1D()(embedding(token_ids))
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(token_ids, dense(pooled))
    vectors = np.zeros((len(TINY_VOCABULARY), 1), np.float32)
    vectors[TINY_VOCABULARY.index("weather")] = 4.0
    embedding.set_weights([vectors])
    dense.set_weights([np.array([[-1.0, 1.0]], np.float32), np.array([0.5, -0.5], np.float32)])
    preprocessing = {
        "vocabulary": TINY_VOCABULARY,
        "max_length": TINY_LENGTH,
        "padding_id": 0,
        "unknown_id": 1,
    }
    return TinyPredictor(model, TINY_LABELS, preprocessing)


@pytest.fixture(scope="module")
def bundled():
    from dlcore.pretrained import load_pretrained

    return load_pretrained("intents")


# ---------------------------------------------------------------- checking and tokens


def test_prepare_text_strips_and_keeps_short_text():
    assert text_insight.prepare_text("  Play some jazz!  \n") == ("Play some jazz!", [])


def test_prepare_text_cuts_very_long_text_with_a_note():
    text, notes = text_insight.prepare_text("play jazz " * 50_000)
    assert len(text) == media_texts.MAX_CHARACTERS
    assert "499,999 characters" in notes[0] and "first 1,000" in notes[0]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_prepare_text_refuses_empty_text(text):
    with pytest.raises(ValueError, match="The text is empty: type a request"):
        text_insight.prepare_text(text)


@pytest.mark.parametrize("text", ["😀🎉👍", "?!... ---", "☀️ → ♫"])
def test_prepare_text_refuses_text_without_words(text):
    with pytest.raises(ValueError, match=r"no English words, numbers or Chinese characters.*emoji"):
        text_insight.prepare_text(text)


@pytest.mark.parametrize("text", ["مرحبا بالعالم", "Привет!", "\u200f\u202e\x07"])
def test_prepare_text_refuses_text_only_in_other_scripts(text):
    with pytest.raises(ValueError, match="letters of other scripts"):
        text_insight.prepare_text(text)


def test_prepare_text_notes_words_of_other_scripts_it_leaves_out():
    text, notes = text_insight.prepare_text("Play музыка and مرحبا, please")
    assert text == "Play музыка and مرحبا, please"
    assert notes == [
        "The model reads English words, numbers and Chinese characters only; these were "
        "left out: “музыка”, “مرحبا”."
    ]


def test_prepare_text_refuses_bytes():
    with pytest.raises(TypeError, match="decode"):
        text_insight.prepare_text(b"play jazz")


def test_sentence_tokens_flags_unknown_words_and_cut_tokens(tiny):
    tokens = text_insight.sentence_tokens(
        "Play the zorblax weather today, some jazz!", tiny.preprocessing
    )
    assert tokens.tokens == ("play", "the", "zorblax", "weather", "today", "some", "jazz")
    assert tokens.unknown.tolist() == [False, False, True, False, False, False, False]
    assert tokens.cut.tolist() == [False] * 6 + [True]
    assert tokens.n_read == 6 and tokens.read_tokens[-1] == "some"
    assert tokens.token_ids.tolist() == [2, 3, 1, 4, 5, 6]


def test_sentence_tokens_of_chinese_and_mixed_text(bundled):
    tokens = text_insight.sentence_tokens("播放周杰伦的 Zorblax songs!", bundled.preprocessing)
    assert tokens.tokens == ("播", "放", "周", "杰", "伦", "的", "zorblax", "songs")
    assert tokens.unknown.tolist() == [False] * 6 + [True, False]
    assert not tokens.cut.any()
    assert (tokens.token_ids[:8] > 1).sum() == 7 and tokens.token_ids[6] == 1


def test_sentence_tokens_marks_words_read_as_their_nearest_known_word(tiny):
    preprocessing = tiny.preprocessing | {"unknown_words": "nearest"}
    tokens = text_insight.sentence_tokens("Playing the wether, zorblax 天", preprocessing)
    assert tokens.tokens == ("playing", "the", "wether", "zorblax", "天")
    assert tokens.read_as == ("play", "the", "weather", None, None)
    assert tokens.stand_ins == {"playing": "play", "wether": "weather"}
    assert tokens.unknown.tolist() == [False, False, False, True, True]
    assert tokens.token_ids[:5].tolist() == [2, 3, 4, 1, 1]


def test_sentence_tokens_without_the_fallback_has_no_stand_ins(tiny):
    tokens = text_insight.sentence_tokens("Playing the wether", tiny.preprocessing)
    assert tokens.read_as == (None, "the", None)
    assert tokens.stand_ins == {}
    assert tokens.unknown.tolist() == [True, False, True]


def test_a_misspelled_word_drives_the_answer_through_its_stand_in(tiny):
    fallback = dataclasses.replace(
        tiny, preprocessing=tiny.preprocessing | {"unknown_words": "nearest"}
    )
    assert text_insight.explain_text(tiny, "play the wether today").intent == "music"
    explanation = text_insight.explain_text(fallback, "play the wether today")
    assert explanation.intent == "weather"
    assert int(np.argmax(explanation.occlusion)) == 2
    assert not explanation.tokens.read_unknown.any()


def test_classify_texts_counts_only_the_words_still_unknown(bundled):
    rows = text_insight.classify_texts(bundled, ["Turn up the volumn zorblax"])
    assert rows[0]["intent"] == "smart_home"
    assert rows[0]["unknown_words"] == 1


# ---------------------------------------------------------------- attributions


def test_occlusion_gives_the_deciding_token_the_largest_attribution(tiny):
    explanation = text_insight.explain_text(tiny, "play the weather today")
    assert explanation.intent == "weather"
    np.testing.assert_allclose(explanation.confidence, 1 / (1 + np.exp(-1.0)), rtol=1e-5)
    assert explanation.tokens.read_tokens == ("play", "the", "weather", "today")
    assert int(np.argmax(explanation.occlusion)) == 2
    # Without "weather" the mean embedding is 0: log-odds go from +1 to -1.
    np.testing.assert_allclose(explanation.occlusion, [0, 0, 2, 0], atol=1e-5)
    np.testing.assert_allclose(
        explanation.occluded_probabilities, [0.731, 0.731, 0.269, 0.731], atol=1e-3
    )


def test_gradient_times_input_agrees_on_the_deciding_token(tiny):
    explanation = text_insight.explain_text(tiny, "play the weather today")
    scores = explanation.gradient_x_input
    assert scores.shape == (4,)
    # d log-odds / d e = 2 / 4 tokens for the weather vector 4: 2.0; the rest are 0-vectors.
    np.testing.assert_allclose(scores, [0, 0, 2, 0], atol=1e-5)


def test_an_unknown_token_has_no_occlusion(bundled):
    explanation = text_insight.explain_text(bundled, "Play the new zorblax album")
    position = explanation.tokens.read_tokens.index("zorblax")
    assert explanation.tokens.read_unknown[position]
    assert explanation.occlusion[position] == 0.0
    assert explanation.intent == "play_music"


def test_log_odds_stay_precise_for_a_confident_model():
    probabilities = np.array([[1 - 1e-9, 1e-9, 0.0], [0.5, 0.25, 0.25]], np.float32)
    np.testing.assert_allclose(
        text_insight.log_odds(probabilities, 0), [np.log(1 / 1e-9), 0.0], rtol=1e-6
    )


def test_occlusion_batches_the_sentence_and_each_replacement(tiny):
    token_ids = np.array([2, 4, 0, 0, 0, 0], np.int32)
    probabilities = text_insight.occlusion(tiny.model, token_ids, unknown_id=1)
    replaced = np.array([[2, 4, 0, 0, 0, 0], [1, 4, 0, 0, 0, 0], [2, 1, 0, 0, 0, 0]])
    expected = np.asarray(tiny.model(replaced))
    np.testing.assert_allclose(probabilities, expected, atol=1e-6)


# ---------------------------------------------------------------- the bundled model


def test_explain_text_classifies_english_as_the_predictor_does(bundled):
    text = "Will it rain in Paris tomorrow?"
    explanation = text_insight.explain_text(bundled, text)
    assert explanation.intent == "weather" and explanation.confidence > 0.9
    np.testing.assert_allclose(
        explanation.probabilities, bundled.predict_proba([text])[0], atol=1e-5
    )
    assert explanation.encoder == "recurrent" and explanation.bidirectional == (False,)
    (states,) = explanation.hidden_states
    (expected,) = hidden_states(bundled.model, explanation.tokens.token_ids)
    np.testing.assert_allclose(states, expected, atol=1e-6)
    assert states.shape == (6, bundled.model.get_layer(explanation.state_layers[0]).units)
    assert np.isfinite(explanation.gradient_x_input).all()
    assert explanation.notes == ()


@pytest.mark.parametrize(
    ("text", "intent", "tokens"),
    [
        ("明天北京会下雨吗", "weather", ("明", "天", "北", "京", "会", "下", "雨", "吗")),
        ("播放一些 jazz music", "play_music", ("播", "放", "一", "些", "jazz", "music")),
    ],
)
def test_explain_text_reads_chinese_and_mixed_text(bundled, text, intent, tokens):
    explanation = text_insight.explain_text(bundled, text)
    assert explanation.intent == intent
    assert explanation.tokens.read_tokens == tokens
    assert explanation.occlusion.shape == (len(tokens),)
    assert explanation.hidden_states[0].shape[0] == len(tokens)


def test_explain_text_names_the_tokens_it_did_not_read(bundled):
    text = "set a timer for ten minutes " + "and then some more words " * 10
    explanation = text_insight.explain_text(bundled, text)
    assert explanation.tokens.n_read == 20 and explanation.occlusion.shape == (20,)
    assert "first 20 tokens; the last 36 were not read" in explanation.notes[0]


def test_explain_text_refuses_emoji_only_text(bundled):
    with pytest.raises(ValueError, match="no English words, numbers or Chinese characters"):
        text_insight.explain_text(bundled, "🎵🎶🔥")


def test_a_transformer_has_no_hidden_state(tiny):
    model = intents.intent_classifier(
        len(TINY_VOCABULARY), 2, encoder="transformer", units=8, embedding_dim=8, max_length=6
    )
    predictor = dataclasses.replace(tiny, model=model)
    explanation = text_insight.explain_text(predictor, "play some jazz")
    assert explanation.encoder == "transformer" and explanation.hidden_states == ()
    assert explanation.gradient_x_input.shape == (3,)


# ---------------------------------------------------------------- batches


def test_classify_texts_gives_one_row_per_text(bundled):
    texts = [
        "Play some jazz",
        "明天北京会下雨吗",
        "Play the zorblax album",
        "!!!",
        "set alarm " * 30,
    ]
    rows = text_insight.classify_texts(bundled, texts)
    assert [row["intent"] for row in rows[:3]] == ["play_music", "weather", "play_music"]
    assert all(tuple(row) == text_insight.TABLE_COLUMNS for row in rows)
    assert rows[0]["confidence"] >= rows[0]["second_confidence"]
    assert rows[0]["second_intent"] not in ("", "play_music")
    assert [row["unknown_words"] for row in rows[:3]] == [0, 0, 1]
    assert rows[3]["intent"] == "" and rows[3]["confidence"] is None
    assert rows[3]["note"] == "no words to read"
    assert rows[4]["note"] == "only the first 20 of 60 tokens read"


def test_classify_texts_refuses_one_string(bundled):
    with pytest.raises(TypeError, match="Wrap it in a list"):
        text_insight.classify_texts(bundled, "play jazz")


# ---------------------------------------------------------------- figures


def test_attribution_figure_colours_known_tokens_and_greys_unknown_ones():
    figure = attribution_figure(
        ["play", "zorblax", "jazz"],
        [1.5, 0.0, -0.5],
        unknown=[False, True, False],
        intent="play_music",
        probabilities_without=[0.4, 0.9, 0.95],
    )
    known, unknown = figure.data
    assert list(known.z[0]) == [1.5, None, -0.5]
    assert (known.zmin, known.zmax, known.zmid) == (-1.5, 1.5, 0.0)
    assert list(unknown.z[0]) == [None, 0.0, None]
    assert unknown.text[0][1] == "zorblax<br>unknown"
    assert known.text[0][0] == "play<br>+1.50"
    assert "40.0 % without it" in known.customdata[0][0]
    assert "“play music”" in figure.layout.title.text


def test_attribution_figure_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="one attribution and one unknown flag per token"):
        attribution_figure(["play"], [1.0, 2.0], unknown=[False], intent="x")


def test_token_state_figure_marks_unknown_tokens():
    figure = token_state_figure(
        np.zeros((2, 4)), ["play", "zorblax"], unknown=[False, True], layer_name="gru_1"
    )
    assert list(figure.layout.xaxis.ticktext) == ["play", "zorblax" + UNKNOWN_SUFFIX]
    assert figure.data[0].z.shape == (4, 2)
    assert figure.layout.title.text == "Hidden state of gru_1 after each token"
