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
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcore._checks import check_choice, check_fraction, check_int, check_number
from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import intents as intents_data
from dlcore.data.split import SplitData, split_indices, split_sizes
from dlcore.preprocess import PADDING_ID, UNKNOWN_ID
from dlcore.trainers._recurrent import CLIP_NORM, RECURRENT_CELLS, fit
from dlcore.trainers.intents.export import export_code
from dlcore.trainers.intents.model import builder_arguments, intent_classifier
from dlcore.training.evaluation import test_scores
from dlcore.training.settings import check_training_settings

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

TASK = "intents"
"""What the models predict: a try-it page ("Text") takes them."""

LANGUAGE_CHOICES = ("en", "zh", "both")
"""The corpus parts an intent model can learn: English, Chinese, or both together."""

ENCODERS = (*RECURRENT_CELLS, "conv1d", "transformer")
"""What reads the token vectors of a sentence: a recurrent layer, a 1-D convolution, or a
Transformer encoder block."""

OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum")
"""The optimizers on offer, from `dlcore.concepts.optimizers`; "momentum" is SGD with
momentum 0.9, "sgd" plain SGD."""


@dataclasses.dataclass(frozen=True)
class Config:
    """The intent classifier's settings: data, encoder and training.

    Attributes:
        language: one of `LANGUAGE_CHOICES`: "en", "zh" or "both". Defaults to `"both"`.
        validation_fraction: `float` in (0, 1), the share of sentences that early
            stopping and the best epoch watch. Defaults to `0.1`.
        test_fraction: `float` in (0, 1), the share of sentences scored once, at the end.
            Defaults to `0.2`.
        seed: `int` >= 0, seeds the split, the initial weights and the dropout.
            Defaults to `0`.
        encoder: one of `ENCODERS`. Defaults to `"gru"`.
        bidirectional: read the sentence forwards and backwards (recurrent encoders only)
            and join both states. Defaults to `False`.
        units: `int` >= 1: the state size of a recurrent layer, the filters of a
            convolution, the hidden width of a Transformer's feed-forward part.
            Defaults to `32`.
        n_layers: `int` >= 1, encoder layers stacked. Defaults to `1`.
        embedding_dim: `int` >= 1, the size of each token's vector. Defaults to `32`.
        max_length: `int` >= 1, tokens per sentence: longer ones are cut, shorter ones
            padded. The corpus's longest sentence has 20 tokens. Defaults to `20`.
        n_heads: `int` >= 1, attention heads of the Transformer. Defaults to `2`.
        kernel_size: `int` >= 1, tokens seen by one convolution filter. Defaults to `3`.
        dropout: `float` in [0, 1), the dropout rate after each encoder layer.
            Defaults to `0.1`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.005`.
        batch_size: `int` >= 1. Defaults to `32`.
    """

    language: str = "both"
    validation_fraction: float = 0.1
    test_fraction: float = 0.2
    seed: int = 0
    encoder: str = "gru"
    bidirectional: bool = False
    units: int = 32
    n_layers: int = 1
    embedding_dim: int = 32
    max_length: int = 20
    n_heads: int = 2
    kernel_size: int = 3
    dropout: float = 0.1
    optimizer: str = "adam"
    learning_rate: float = 0.005
    batch_size: int = 32

    def validate(self) -> Config:
        """Returns this config if its sentences and encoder can be built and trained.

        Raises:
            ValueError: naming the first impossible setting, e.g. a kernel longer than a sentence.
        """
        if self.language not in LANGUAGE_CHOICES:
            raise ValueError(
                'Unknown language. Choose "en" (English), "zh" (Chinese) or "both". '
                f"Received: language={self.language!r}."
            )
        check_choice(self.encoder, name="encoder", choices=ENCODERS)
        if self.bidirectional and self.encoder not in RECURRENT_CELLS:
            raise ValueError(
                f"Only a recurrent encoder ({', '.join(RECURRENT_CELLS)}) can be bidirectional: "
                f"a {self.encoder} already sees the tokens on both sides. Turn bidirectional "
                f"off or pick a recurrent encoder. Received: encoder={self.encoder!r}, "
                "bidirectional=True."
            )
        for name, why in (
            ("units", "A layer of zero units passes nothing on"),
            ("n_layers", "The encoder needs at least one layer"),
            ("embedding_dim", "Each token needs a vector of at least one number"),
            ("max_length", "A sentence needs at least one token"),
            ("n_heads", "Attention needs at least one head"),
            ("kernel_size", "A filter sees at least one token"),
        ):
            check_int(getattr(self, name), name=name, minimum=1, hint=why)
        if self.encoder == "conv1d" and self.kernel_size > self.max_length:
            raise ValueError(
                f"The kernel ({self.kernel_size} tokens) is longer than the sentences "
                f"({self.max_length} tokens): use a kernel of at most {self.max_length} tokens "
                f"or a longer max length. Received: kernel_size={self.kernel_size}, "
                f"max_length={self.max_length}."
            )
        if self.encoder == "transformer" and self.embedding_dim < self.n_heads:
            raise ValueError(
                f"Each of the {self.n_heads} attention heads needs at least one of the "
                f"{self.embedding_dim} embedding dimensions: use an embedding size of at least "
                f"{self.n_heads} or fewer heads. Received: embedding_dim={self.embedding_dim}, "
                f"n_heads={self.n_heads}."
            )
        check_number(
            self.dropout,
            name="dropout",
            minimum=0,
            below=1,
            hint="(a rate of 1 would drop every value)",
        )
        check_fraction(self.validation_fraction, name="validation_fraction")
        check_fraction(self.test_fraction, name="test_fraction")
        n_sentences = _n_sentences(self.language)
        n_groups = len(intents_data.INTENT_LABELS) * (2 if self.language == "both" else 1)
        sizes = split_sizes(
            n_sentences,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
        )
        if min(sizes) < n_groups:
            raise ValueError(
                f"The training, validation and test parts each need at least one sentence of "
                f"every intent in every language ({n_groups}), but {n_sentences} sentences "
                f"split {sizes[0]}, {sizes[1]} and {sizes[2]}: use a test fraction nearer 0.2 "
                f"and a validation fraction nearer 0.1. Received: validation_fraction="
                f"{self.validation_fraction!r}, test_fraction={self.test_fraction!r}."
            )
        check_training_settings(self, optimizers=OPTIMIZERS, unit="sentence")
        return self


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
            "language": "both"}`; pass it to `dlcore.preprocess.encode_texts`.
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
        An `IntentData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(language="zh"))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape  # doctest: +SKIP
    ((560, 20), (80, 20), (160, 20))
    """
    config.validate()
    corpus = intents_data.load_intents(language=config.language)
    strata = np.char.add(corpus.language, corpus.target.astype(str))
    parts = split_indices(
        strata,
        validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction,
        seed=config.seed,
    )
    train = parts[0]
    vectorizer = intents_data.make_text_vectorizer(
        list(corpus.data[train]), max_tokens=None, sequence_length=config.max_length
    )
    vocabulary = tuple(str(token) for token in vectorizer.get_vocabulary())
    x_train, x_val, x_test = (
        np.asarray(vectorizer(corpus.data[part]), dtype=np.int32) for part in parts
    )
    y_train, y_val, y_test = (corpus.target[part] for part in parts)
    texts_train, texts_val, texts_test = (corpus.data[part] for part in parts)
    languages_train, languages_val, languages_test = (corpus.language[part] for part in parts)
    return IntentData(
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        x_test=x_test,
        y_test=y_test,
        labels=tuple(corpus.target_names),
        preprocessing={
            "vocabulary": list(vocabulary),
            "max_length": config.max_length,
            "tokenizer": "dlcore.media.tokens.tokenize",
            "padding_id": PADDING_ID,
            "unknown_id": UNKNOWN_ID,
            "language": config.language,
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
    model = intent_classifier(
        len(data.vocabulary),
        len(data.labels),
        **builder_arguments(config),
    )
    model.compile(
        optimizer=make_optimizer(
            config.optimizer, learning_rate=config.learning_rate, clipnorm=CLIP_NORM
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=math.ceil(len(data.y_train) / config.batch_size),
    )
    return model


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


def _n_sentences(language: str) -> int:
    """Sentences in the corpus for one of `LANGUAGE_CHOICES`."""
    n_languages = len(intents_data.LANGUAGES) if language == "both" else 1
    return intents_data.N_PER_INTENT * len(intents_data.INTENT_LABELS) * n_languages
