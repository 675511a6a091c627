"""The intents trainer: what a short request in English or Chinese asks for.

The logic behind the intents task of the "Sequences (RNN, LSTM, GRU)" page, with the names
of the trainer contract (`dlcore.trainers`): `Config` holds the settings; `load_data`
splits the project's intents corpus into training, validation and test sentences
(stratified by language and intent) and turns each into token ids (English by words,
Chinese by characters); `build_model` compiles `intent_classifier`, an embedding, an
encoder (a simple RNN, LSTM or GRU, optionally bidirectional, a 1-D convolution, or a
small Transformer) and a softmax over the intents; `fit` trains it, watching the
validation sentences; `evaluate` scores the test sentences once, overall and in each
language; `export_code` writes a script that pastes `intent_classifier`'s own source.
The classifier is written once, in `intents.model`; the script's template is
`intents.export`.

Example:

>>> config = Config(language="both", encoder="gru")
>>> data = load_data(config)                                         # doctest: +SKIP
>>> model = build_model(config, data)                                # doctest: +SKIP
>>> result = fit(model, data, config, epochs=15)                     # doctest: +SKIP
>>> evaluate(model, data)                                            # doctest: +SKIP
{'test_loss': 0.12, 'test_accuracy': 0.969, 'test_accuracy_en': 0.956, 'test_accuracy_zh': 0.981}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import intents as intents_data
from dlcore.data.split import SplitData, split_as_configured
from dlcore.preprocess import PADDING_ID, UNKNOWN_ID
from dlcore.trainers._arguments import builder_arguments
from dlcore.trainers._recurrent import CLIP_NORM, RECURRENT_CELLS, fit
from dlcore.trainers.intents.config import ENCODERS, LANGUAGE_CHOICES, OPTIMIZERS, Config
from dlcore.trainers.intents.export import export_code
from dlcore.trainers.intents.model import intent_classifier
from dlcore.training.compiling import compile_model, epoch_batches
from dlcore.training.evaluation import test_scores

TASK = "intents"
"""What the models predict: a try-it page ("Text") takes them."""


__all__ = [
    "ENCODERS",
    "LANGUAGE_CHOICES",
    "OPTIMIZERS",
    "RECURRENT_CELLS",
    "TASK",
    "Config",
    "IntentData",
    "build_model",
    "evaluate",
    "export_code",
    "fit",
    "intent_classifier",
    "load_data",
    "predict_intents",
    "token_labels",
]


@dataclasses.dataclass(frozen=True)
class IntentData(SplitData):
    """The intents corpus, split three ways, with every sentence as token ids.

    Attributes:
        x_train, x_val, x_test: int32, shape `(n, max_length)`, token ids: 0 pads, 1 is
            an unknown token, id i is `vocabulary[i]`.
        y_train, y_val, y_test: int64, shape `(n,)`, intents in [0, n_classes).
        labels: the intent names, in the order of the targets.
        preprocessing: what a try-it page needs to turn text into model input:
            `{"vocabulary": [...], "max_length": 20, "tokenizer":
            "dlcore.media.tokens.tokenize", "padding_id": 0, "unknown_id": 1,
            "language": "both", "unknown_words": "unknown"}`; pass it to
            `dlcore.preprocess.encode_texts`.
        texts_train, texts_val, texts_test: str, shape `(n,)`, the sentences.
        languages_train, languages_val, languages_test: str, shape `(n,)`, "en" or "zh"
            for each sentence.
        vocabulary: the tokens of the training sentences, most frequent first, after ""
            (padding) and "[UNK]" (unknown).
        vectorizer: the adapted `keras.layers.TextVectorization` that made the ids.
    """

    texts_train: np.ndarray
    texts_val: np.ndarray
    texts_test: np.ndarray
    languages_train: np.ndarray
    languages_val: np.ndarray
    languages_test: np.ndarray
    vocabulary: tuple[str, ...]
    vectorizer: Any


def load_data(config: Config) -> IntentData:
    """Loads the intents corpus, splits it three ways, and turns the sentences into token ids.

    The split is `dlcore.data.split.split_indices`, stratified by language and intent,
    with `seed=config.seed`. The vocabulary is learnt from the training sentences only,
    so a validation or test sentence can hold unknown tokens, as a new sentence would.

    Args:
        config: the `Config`; validated first.

    Returns:
        An `IntentData`: int32 token ids `(n, max_length)`, int64 intents `(n,)`, and
        each sentence's text and language.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(language="zh"))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape  # doctest: +SKIP
    ((840, 20), (120, 20), (240, 20))
    """
    config.validate()
    corpus = intents_data.load_intents(language=config.language)
    strata = np.char.add(corpus.language, corpus.target.astype(str))
    parts = split_as_configured(strata, config)
    vectorizer = intents_data.make_text_vectorizer(
        list(corpus.data[parts[0]]), max_tokens=None, sequence_length=config.max_length
    )
    vocabulary = tuple(str(token) for token in vectorizer.get_vocabulary())
    texts_train, texts_val, texts_test = (corpus.data[part] for part in parts)
    languages_train, languages_val, languages_test = (corpus.language[part] for part in parts)
    return IntentData.from_indices(
        np.asarray(vectorizer(corpus.data), dtype=np.int32),
        corpus.target,
        parts,
        labels=tuple(corpus.target_names),
        preprocessing={
            "vocabulary": list(vocabulary),
            "max_length": config.max_length,
            "tokenizer": "dlcore.media.tokens.tokenize",
            "padding_id": PADDING_ID,
            "unknown_id": UNKNOWN_ID,
            "language": config.language,
            "unknown_words": config.unknown_words,
        },
        texts_train=texts_train,
        texts_val=texts_val,
        texts_test=texts_test,
        languages_train=languages_train,
        languages_val=languages_val,
        languages_test=languages_test,
        vocabulary=vocabulary,
        vectorizer=vectorizer,
    )


def token_labels(token_ids: np.ndarray, vocabulary: Sequence[str]) -> list[str]:
    """The tokens of one sentence's ids, padding left out: axis labels for the figures.

    Args:
        token_ids: int, shape `(max_length,)`, one row of `IntentData.x_test` or of
            `dlcore.preprocess.encode_texts`.
        vocabulary: the vocabulary the ids index.

    Returns:
        One `str` per token that is not padding, "[UNK]" for unknown ones.
    """
    return [str(vocabulary[index]) for index in np.asarray(token_ids) if index != PADDING_ID]


def build_model(config: Config, data: IntentData) -> Any:
    """Builds `intent_classifier` with the config's settings and compiles it.

    Compiled with sparse categorical cross-entropy, accuracy, the config's optimizer
    (`dlcore.concepts.optimizers`) with gradients clipped to norm `CLIP_NORM`, and one
    TensorFlow call per epoch (`steps_per_execution`).

    Args:
        config: the `Config`; validated first.
        data: the `IntentData` from `load_data(config)`: the vocabulary and the intents
            give the model's sizes.

    Returns:
        A compiled `keras.Model` named "intent_<encoder>".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    arguments = builder_arguments(intent_classifier, config)
    return compile_model(
        intent_classifier(len(data.vocabulary), data.n_classes, **arguments),
        make_optimizer(config.optimizer, learning_rate=config.learning_rate, clipnorm=CLIP_NORM),
        steps_per_execution=epoch_batches(len(data.y_train), config.batch_size),
    )


def predict_intents(model: Any, token_ids: np.ndarray) -> np.ndarray:
    """Intent probabilities for sentences given as token ids.

    Calls the model directly in batches of 256 (faster than `predict` for a few batches).

    Args:
        model: a trained intent model.
        token_ids: int, shape `(n_sentences, max_length)`.

    Returns:
        float32, shape `(n_sentences, n_classes)`, rows summing to 1.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    batches = [
        np.asarray(model(token_ids[start : start + 256], training=False))
        for start in range(0, len(token_ids), 256)
    ]
    return np.concatenate(batches) if batches else np.zeros((0, model.output_shape[-1]), np.float32)


def evaluate(model: Any, data: IntentData) -> dict[str, float]:
    """The test score, computed once, at the end: overall and in each language.

    Args:
        model: a trained intent model.
        data: the `IntentData` it was trained on.

    Returns:
        `{"test_loss": ..., "test_accuracy": ..., "test_accuracy_en": ...,
        "test_accuracy_zh": ...}`, accuracies in [0, 1]; only the languages the data holds.
    """
    scores = test_scores(model, data)
    correct = predict_intents(model, data.x_test).argmax(axis=1) == data.y_test
    for language in intents_data.LANGUAGES:
        chosen = data.languages_test == language
        if chosen.any():
            scores[f"test_accuracy_{language}"] = float(correct[chosen].mean())
    return scores
