"""The bundled intents model on everyday requests it was not built from.

`dlcore/data/intents_corpus/robustness.json` holds requests written by hand in other
words than the templates; training never reads it (the last test checks that none of
its sentences is in the corpus). `MISSPELLED` below are requests with typos, written for
this file only, that the model reads through its nearest-known-word fallback
(`dlcore.preprocess.nearest_known_words`, "unknown_words": "nearest" in its preprocessing).
"""

import json

import numpy as np
import pytest

from dlcore import pretrained
from dlcore.data import intents as intents_data
from dlcore.media.tokens import tokenize
from dlcore.preprocess import encode_texts

ROBUSTNESS_PATH = intents_data.DATA_DIR / "robustness.json"

# Measured 0.96 (0.94 English, 0.98 Chinese) for the bundled model, 0.95 without the
# nearest-known-word fallback ("what meetings do I have tomorrow" is the one it wins); trainings on
# nearly identical corpora gave 0.94 to 0.99, so the figure moves a few points between
# trainings. The target is 0.95 on the filer's own set; the floors leave room
# for a retrain.
FLOOR = 0.90
LANGUAGE_FLOOR = 0.86

# Misspelled everyday requests, each with its intent. Measured with the bundled model:
# 22 of 22 right with the fallback, 17 of 22 without it (every unknown word as [UNK]);
# the five it needs the fallback for are `ONLY_WITH_FALLBACK`.
ONLY_WITH_FALLBACK = (
    ("whats the wether tomorow", "weather"),
    ("plz tunr up the volumn", "smart_home"),
    ("translat good morning into spanish", "translate"),
    ("latest headlnes please", "news"),
    ("whats trending in the newz today", "news"),
)
MISSPELLED = (
    *ONLY_WITH_FALLBACK,
    ("is it gonna rian tomorow in tokyo", "weather"),
    ("swich off the lihgts in the kitchn", "smart_home"),
    ("set an alram for sevn tomorow morning", "set_alarm"),
    ("wake me up at 6 tomorow mornin", "set_alarm"),
    ("start a timmer for ten minuts", "set_timer"),
    ("count down fiften minutes", "set_timer"),
    ("directons to the nearst pharmacy", "navigate"),
    ("how do i get to the airprot", "navigate"),
    ("remind me to call my moms on sundy", "calendar"),
    ("add a meting with sarah to my calender", "calendar"),
    ("how do you say thanks in germann", "translate"),
    ("helo there", "greeting"),
    ("hey buddy hows it goin", "greeting"),
    ("play sum jazz musik", "play_music"),
    ("put on my favrite playlist", "play_music"),
    ("its too cold in here make it warmr", "smart_home"),
    ("what's the temprature outside", "weather"),
)


@pytest.fixture(scope="module")
def predictor():
    return pretrained.load_pretrained("intents")


@pytest.fixture(scope="module")
def robustness():
    return json.loads(ROBUSTNESS_PATH.read_text(encoding="utf-8"))


def _correct(predictor, rows):
    texts = [text for text, _, _ in rows]
    predicted = predictor.predict_proba(texts).argmax(axis=1)
    expected = [intents_data.INTENT_LABELS.index(intent) for _, intent, _ in rows]
    return predicted == np.asarray(expected)


def _correct_without_fallback(predictor, rows):
    preprocessing = predictor.preprocessing | {"unknown_words": "unknown"}
    token_ids = encode_texts([text for text, _ in rows], preprocessing)
    predicted = np.asarray(predictor.model(token_ids)).argmax(axis=1)
    return predicted == [intents_data.INTENT_LABELS.index(intent) for _, intent in rows]


def test_the_bundled_model_reads_unknown_words_by_spelling(predictor):
    assert predictor.preprocessing["unknown_words"] == "nearest"


def test_misspelled_requests_are_read_thanks_to_the_fallback(predictor):
    rows = [(text, intent, "en") for text, intent in MISSPELLED]
    correct = _correct(predictor, rows)
    assert correct.mean() >= 0.9, [
        row for row, right in zip(rows, correct, strict=True) if not right
    ]
    assert _correct(predictor, [(text, intent, "en") for text, intent in ONLY_WITH_FALLBACK]).all()
    without = _correct_without_fallback(predictor, MISSPELLED)
    # The fallback is what reads them: at least 3 more right with it (5 when measured).
    assert correct.sum() - without.sum() >= 3


def test_the_named_everyday_requests_get_their_intent(predictor, robustness):
    rows = robustness["named"]
    correct = _correct(predictor, rows)
    missed = [row for row, right in zip(rows, correct, strict=True) if not right]
    assert not missed, f"misread: {missed}"


def test_everyday_requests_are_read_above_the_floor(predictor, robustness):
    rows = robustness["sentences"]
    assert len(rows) == 100
    correct = _correct(predictor, rows)
    assert correct.mean() >= FLOOR
    languages = np.asarray([language for _, _, language in rows])
    for language in intents_data.LANGUAGES:
        assert (languages == language).sum() == 50
        assert correct[languages == language].mean() >= LANGUAGE_FLOOR, language


@pytest.mark.parametrize("token", ["询", "然", "mom", "volume", "暖", "音", "remind", "cold"])
def test_common_words_and_characters_are_in_the_vocabulary(predictor, token):
    assert token in predictor.preprocessing["vocabulary"]


def test_no_robustness_sentence_is_in_the_training_corpus(robustness):
    corpus = {tuple(tokenize(text)) for text in intents_data.load_intents().data}
    rows = robustness["named"] + robustness["sentences"]
    assert not [text for text, _, _ in rows if tuple(tokenize(text)) in corpus]
    assert not [text for text, _ in MISSPELLED if tuple(tokenize(text)) in corpus]
