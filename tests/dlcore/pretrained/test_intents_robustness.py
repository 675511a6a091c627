"""The bundled intents model on everyday requests it was not built from.

`dlcore/data/intents_corpus/robustness.json` holds requests written by hand in other
words than the templates; training never reads it (the last test checks that none of
its sentences is in the corpus).
"""

import json

import numpy as np
import pytest

from dlcore import pretrained
from dlcore.data import intents as intents_data
from dlcore.media.tokens import tokenize

ROBUSTNESS_PATH = intents_data.DATA_DIR / "robustness.json"

# Measured 0.95 (0.92 English, 0.98 Chinese) for the bundled model; trainings on
# nearly identical corpora gave 0.94 to 0.99, so the figure moves a few points between
# trainings. The target is 0.95 on the filer's own set; the floors leave room
# for a retrain.
FLOOR = 0.90
LANGUAGE_FLOOR = 0.86


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
