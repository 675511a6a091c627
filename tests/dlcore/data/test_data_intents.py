"""Tests for dlcore.data.intents: the corpus, its CSV and the Keras vectorizer."""

# The cases are Chinese text, with its own full-width punctuation and ideographic zero.

import collections
import csv
import re

import numpy as np
import pytest
from helpers import run_python

from dlcore.data import intents

EXPECTED_LABELS = (
    "weather",
    "play_music",
    "set_alarm",
    "set_timer",
    "navigate",
    "calendar",
    "smart_home",
    "translate",
    "news",
    "greeting",
)
CJK = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]")


@pytest.fixture(scope="module")
def corpus():
    return intents.load_intents()


def test_intent_labels_are_exact_and_in_order():
    assert intents.INTENT_LABELS == EXPECTED_LABELS
    assert intents.load_intents().target_names == list(EXPECTED_LABELS)


def test_load_intents_returns_a_bunch_with_documented_fields(corpus):
    n_samples = len(corpus.data)

    assert n_samples == 10 * 2 * 120
    assert corpus.target.shape == (n_samples,)
    assert corpus.target.dtype == np.int64
    assert set(corpus.target.tolist()) == set(range(10))
    assert corpus.language.shape == (n_samples,)
    assert set(corpus.language.tolist()) == {"en", "zh"}
    assert all(isinstance(text, str) for text in corpus.data.tolist())
    assert "Intents corpus" in corpus.DESCR
    assert corpus.filename == str(intents.CSV_PATH)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_load_intents_selects_one_language_and_has_a_return_x_y_shortcut(corpus, language):
    one = intents.load_intents(language=language)
    data, target = intents.load_intents(language=language, return_X_y=True)

    assert set(one.language.tolist()) == {language}
    np.testing.assert_array_equal(one.data, corpus.data[corpus.language == language])
    np.testing.assert_array_equal(data, one.data)
    np.testing.assert_array_equal(target, one.target)


def test_every_intent_has_120_utterances_in_each_language(corpus):
    counts = collections.Counter(zip(corpus.language.tolist(), corpus.target.tolist(), strict=True))

    expected = {(language, number): 120 for language in ("en", "zh") for number in range(10)}
    assert counts == expected, "the issue asks for at least 60; the corpus is built with 120"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_utterances_are_unique_within_a_language_even_after_tokenizing(corpus, language):
    texts = corpus.data[corpus.language == language].tolist()
    token_sequences = [tuple(intents.tokenize(text)) for text in texts]

    assert len(set(texts)) == len(texts)
    assert len(set(token_sequences)) == len(texts), "two utterances differ only in case or marks"


def test_no_utterance_belongs_to_two_intents(corpus):
    intents_of = collections.defaultdict(set)
    for text, target in zip(corpus.data.tolist(), corpus.target.tolist(), strict=True):
        intents_of[tuple(intents.tokenize(text))].add(target)

    shared = {tokens: labels for tokens, labels in intents_of.items() if len(labels) > 1}
    assert shared == {}


def test_the_csv_equals_a_fresh_expansion_of_the_templates():
    with intents.CSV_PATH.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        rows = list(reader)
    fresh = intents.make_intents(seed=intents.SEED)
    expected = [
        [text, EXPECTED_LABELS[target], language]
        for text, target, language in zip(
            fresh.data.tolist(), fresh.target.tolist(), fresh.language.tolist(), strict=True
        )
    ]

    assert header == ["text", "intent", "language"]
    assert rows == expected, "run `python -m dlcore.data.intents` after editing the templates"


def test_every_template_slot_is_filled(corpus):
    unfilled = [text for text in corpus.data.tolist() if "{" in text or "}" in text]

    assert unfilled == []


def test_chinese_utterances_have_chinese_characters_and_english_ones_none(corpus):
    chinese = corpus.data[corpus.language == "zh"].tolist()
    english = corpus.data[corpus.language == "en"].tolist()

    assert [text for text in chinese if not CJK.search(text)] == []
    assert [text for text in english if CJK.search(text)] == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_intent_has_at_least_25_different_phrasings(language):
    templates = intents.read_templates(language)

    for intent, phrasings in templates["intents"].items():
        assert len(set(phrasings)) == len(phrasings), f"{intent}: a template is repeated"
        assert len(phrasings) >= 25, f"{language} {intent}: {len(phrasings)} templates"


def test_make_intents_repeats_with_a_seed_and_varies_without_changing_counts():
    first = intents.make_intents(n_per_intent=20, seed=3)
    again = intents.make_intents(n_per_intent=20, seed=3)
    other = intents.make_intents(n_per_intent=20, seed=4)

    np.testing.assert_array_equal(first.data, again.data)
    assert first.data.tolist() != other.data.tolist()
    assert np.bincount(other.target).tolist() == [40] * 10


def test_make_intents_gives_one_language_the_same_utterances_alone_or_with_the_other():
    both = intents.make_intents(n_per_intent=10, seed=7)
    chinese = intents.make_intents(n_per_intent=10, language="zh", seed=7)

    np.testing.assert_array_equal(chinese.data, both.data[both.language == "zh"])


def test_make_intents_says_when_the_templates_cannot_give_enough_utterances():
    with pytest.raises(ValueError, match=r"'weather' give only \d+ different utterances"):
        intents.make_intents(n_per_intent=100_000, language="en")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: intents.load_intents(language="fr"), r"Received: language='fr'"),
        (lambda: intents.make_intents(n_per_intent=0), r"Received: n_per_intent=0"),
        (lambda: intents.read_templates("de"), r"Received: language='de'"),
        (lambda: intents.make_text_vectorizer([]), r"Received: \[\]"),
        (lambda: intents.make_text_vectorizer(["a"], max_tokens=0), r"max_tokens=0"),
    ],
)
def test_bad_arguments_raise_value_errors_that_name_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: intents.vocabulary_coverage("one text", ["one"]), r"Wrap it in a list"),
        (lambda: intents.vocabulary_coverage(["a"], "a"), r"not one str"),
        (lambda: intents.make_text_vectorizer("play music"), r"Wrap it in a list"),
        (lambda: intents.vocabulary_coverage(["a", 3], ["a"]), r"type int"),
    ],
)
def test_text_arguments_of_the_wrong_type_raise_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_vocabulary_coverage_marks_unknown_tokens():
    coverage = intents.vocabulary_coverage(
        ["Play jazz NOW!", "播放爵士乐", "", "🎵"], ["play", "now", "播", "放", "乐"]
    )

    assert coverage == [[True, False, True], [True, True, False, False, True], [], []]


def test_make_text_vectorizer_maps_a_sentence_to_the_ids_of_its_tokens(corpus):
    vectorizer = intents.make_text_vectorizer(corpus.data.tolist(), sequence_length=16)
    vocabulary = [str(token) for token in vectorizer.get_vocabulary()]
    sentence = "播放周杰伦的 Jay Chou songs, what's up?"

    ids = vectorizer([sentence]).numpy()

    tokens = intents.tokenize(sentence)
    expected = [vocabulary.index(token) if token in vocabulary else 1 for token in tokens]
    assert ids.shape == (1, 16)
    assert ids.dtype == np.int64
    assert ids[0].tolist() == expected + [0] * (16 - len(tokens))
    assert vocabulary[:2] == ["", "[UNK]"]
    assert "jay" not in vocabulary, "the sentence should hold a word the corpus lacks"
    known = intents.vocabulary_coverage([sentence], vocabulary)[0]
    assert known == [token_id != 1 for token_id in expected]


@pytest.mark.slow
def test_a_model_with_the_vectorizer_saves_and_loads_in_a_fresh_process(tmp_path):
    import keras

    vectorizer = intents.make_text_vectorizer(["play music", "播放音乐"], sequence_length=4)
    inputs = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inputs, vectorizer(inputs))
    path = tmp_path / "vectorizer.keras"
    model.save(path)

    ids = run_python(
        f"""
        import json
        import keras
        import numpy as np
        from dlcore.data import intents
        model = keras.saving.load_model(
            {str(path)!r}, custom_objects=intents.KERAS_CUSTOM_OBJECTS
        )
        print(json.dumps(model(np.array([["Play 音乐!"]])).numpy().tolist()))
        """
    )

    assert ids == model(np.array([["Play 音乐!"]])).numpy().tolist()
    assert ids[0][0] != 1 and ids[0][3] == 0


@pytest.mark.parametrize("language", ["en", "zh"])
def test_tfidf_and_logistic_regression_learn_each_language_to_90_percent(language):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    data, target = intents.load_intents(language=language, return_X_y=True)
    train_data, test_data, train_target, test_target = train_test_split(
        data, target, test_size=0.25, stratify=target, random_state=0
    )
    model = make_pipeline(
        TfidfVectorizer(analyzer=intents.tokenize), LogisticRegression(max_iter=1000)
    )

    accuracy = model.fit(train_data, train_target).score(test_data, test_target)

    # Measured: 0.950 (en), 0.985 (zh). Below 1: the held-out phrasings are not copies.
    assert accuracy >= 0.9, f"{language}: held-out accuracy {accuracy:.3f}"


def test_importing_intents_and_loading_the_corpus_do_not_import_tensorflow():
    imported = run_python(
        """
        import json, sys
        from dlcore.data import intents
        intents.tokenize("播放 music")
        intents.vocabulary_coverage(["播放 music"], ["music"])
        intents.load_intents()
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )

    assert imported == [], "the Text page would wait for TensorFlow before showing anything"
