"""The Sequences trainer: intent classification (English and Chinese) and forecasting.

The logic behind the "Sequences (RNN, LSTM, GRU)" page. Two tasks share it, because both
feed a sequence to a recurrent network one step at a time:

- Intents: `IntentConfig` holds the settings; `load_intent_data` splits the project's
  intents corpus and turns each sentence into token ids (English by words, Chinese by
  characters); `build_intent_model` builds an embedding, an encoder (a simple RNN, LSTM or
  GRU, optionally bidirectional, a 1-D convolution, or a small Transformer) and a softmax
  over the intents; `train_intents` trains it with `dlcore.training.fit.fit_live` and measures
  the held-out accuracy in each language.
- Forecasting: `ForecastConfig` holds the settings; `load_forecast_data` generates a series
  and cuts it into (past window, next steps) pairs, the last part of the series held out;
  `build_forecast_model` builds a recurrent regressor; `forecast` compares its predictions
  with the truth and with the naive forecast "the next value equals the last one".

`hidden_states` shows what a recurrent layer carries from token to token, and
`attention_weights` where each token of a Transformer looks; both are computed from the
trained model's own layers. `export_intent_code` and `export_forecast_code` write runnable
Keras scripts for a configuration.

Example:

>>> config = IntentConfig(language="both", encoder="gru")
>>> data = load_intent_data(config)                                  # doctest: +SKIP
>>> model = build_intent_model(config, len(data.vocabulary), len(data.labels))  # doctest: +SKIP
>>> result = train_intents(model, data, config, epochs=15)          # doctest: +SKIP
>>> result.accuracy                                                  # doctest: +SKIP
{'all': 0.969, 'en': 0.956, 'zh': 0.981}
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import keras
import numpy as np
from sklearn.model_selection import train_test_split

from dlcore.data import intents as intents_data
from dlcore.data import timeseries
from dlcore.preprocess import PADDING_ID, UNKNOWN_ID
from dlcore.training.fit import EpochReport, FitResult, fit_live
from dlcore.training.history import History
from dlcore.training.layers import TokenAndPositionEmbedding

LANGUAGE_CHOICES = ("en", "zh", "both")
"""The corpus parts an intent model can learn: English, Chinese, or both together."""

RECURRENT_CELLS = ("simple_rnn", "lstm", "gru")
"""The recurrent layers on offer, as `keras.layers.SimpleRNN`, `LSTM` and `GRU`."""

ENCODERS = (*RECURRENT_CELLS, "conv1d", "transformer")
"""What reads the token vectors of a sentence: a recurrent layer, a 1-D convolution, or a
Transformer encoder block."""

OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum")
"""The optimizers on offer; "momentum" is SGD with momentum 0.9."""

MOMENTUM = 0.9
"""The momentum of the "momentum" optimizer."""

CLIP_NORM = 1.0
"""Every gradient is scaled down to at most this norm: a recurrent network's gradients can
grow by the same factor at every step back in time and would otherwise explode."""


_RECURRENT_LAYERS = {
    "simple_rnn": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}
# Seeds of one model are drawn from `seed * _SEEDS_PER_MODEL` on, so that two models
# whose seeds differ by one do not share initial weights.
_SEEDS_PER_MODEL = 1000


@dataclasses.dataclass(frozen=True)
class IntentConfig:
    """The intent classifier's settings: data, encoder and training.

    Attributes:
        language: one of `LANGUAGE_CHOICES`: "en", "zh" or "both". Defaults to `"both"`.
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
        test_fraction: `float` in (0, 1), the share of sentences held out, stratified by
            language and intent. Defaults to `0.2`.
        seed: `int`, seeds the split, the initial weights and the dropout. Defaults to `0`.
    """

    language: str = "both"
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
    test_fraction: float = 0.2
    seed: int = 0

    def validate(self) -> IntentConfig:
        """Checks that the settings make a network that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what to change, and what was
                received.
        """
        if self.language not in LANGUAGE_CHOICES:
            raise ValueError(
                'Unknown language. Choose "en" (English), "zh" (Chinese) or "both". '
                f"Received: language={self.language!r}."
            )
        if self.encoder not in ENCODERS:
            raise ValueError(
                f"Unknown encoder. Choose one of: {', '.join(ENCODERS)}. "
                f"Received: encoder={self.encoder!r}."
            )
        if self.bidirectional and self.encoder not in RECURRENT_CELLS:
            raise ValueError(
                f"Only a recurrent encoder ({', '.join(RECURRENT_CELLS)}) can be bidirectional: "
                f"a {self.encoder} already sees the tokens on both sides. Turn bidirectional "
                f"off or pick a recurrent encoder. Received: encoder={self.encoder!r}, "
                "bidirectional=True."
            )
        _check_positive_int("units", self.units, "a layer of zero units passes nothing on")
        _check_positive_int("n_layers", self.n_layers, "the encoder needs at least one layer")
        _check_positive_int(
            "embedding_dim", self.embedding_dim, "each token needs a vector of at least one number"
        )
        _check_positive_int("max_length", self.max_length, "a sentence needs at least one token")
        _check_positive_int("n_heads", self.n_heads, "attention needs at least one head")
        _check_positive_int("kernel_size", self.kernel_size, "a filter sees at least one token")
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
        _check_dropout(self.dropout)
        _check_optimizer(self.optimizer, self.learning_rate)
        _check_positive_int("batch_size", self.batch_size, "a batch holds at least one sentence")
        _check_fraction(self.test_fraction)
        n_sentences = _n_sentences(self.language)
        n_groups = len(intents_data.INTENT_LABELS) * (2 if self.language == "both" else 1)
        n_test = math.ceil(n_sentences * self.test_fraction)
        if min(n_test, n_sentences - n_test) < n_groups:
            raise ValueError(
                f"The training and the held-out parts each need at least one sentence of every "
                f"intent in every language ({n_groups}): use a test fraction nearer 0.2. "
                f"Received: test_fraction={self.test_fraction!r}."
            )
        _check_seed(self.seed)
        return self


@dataclasses.dataclass(frozen=True)
class IntentData:
    """The intents corpus, split, with every sentence as token ids.

    Attributes:
        x_train: int32, shape `(n_train, max_length)`, token ids: 0 pads, 1 is an unknown
            token, id i is `vocabulary[i]`.
        y_train: int64, shape `(n_train,)`, intents in [0, n_classes).
        x_test: int32, shape `(n_test, max_length)`.
        y_test: int64, shape `(n_test,)`.
        texts_train: str, shape `(n_train,)`, the sentences of `x_train`.
        texts_test: str, shape `(n_test,)`.
        languages_train: str, shape `(n_train,)`, "en" or "zh" for each sentence.
        languages_test: str, shape `(n_test,)`.
        labels: the intent names, in the order of the targets.
        vocabulary: the tokens of the training sentences, most frequent first, after ""
            (padding) and "[UNK]" (unknown).
        vectorizer: the adapted `keras.layers.TextVectorization` that made the ids.
        preprocessing: what a try-it page needs to turn text into model input:
            `{"vocabulary": [...], "max_length": 20, "tokenizer":
            "dlcore.media.tokens.tokenize", "padding_id": 0, "unknown_id": 1,
            "language": "both"}`; pass it to `encode_texts`.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    texts_train: np.ndarray
    texts_test: np.ndarray
    languages_train: np.ndarray
    languages_test: np.ndarray
    labels: tuple[str, ...]
    vocabulary: tuple[str, ...]
    vectorizer: Any
    preprocessing: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class IntentResult:
    """What `train_intents` returns.

    Attributes:
        fit: the `dlcore.training.fit.FitResult` (history, epochs, seconds, early stop).
        accuracy: held-out accuracy in [0, 1]: `"all"`, then one entry per language of
            the data, e.g. `{"all": 0.97, "en": 0.98, "zh": 0.96}`.
    """

    fit: FitResult
    accuracy: dict[str, float]


def load_intent_data(config: IntentConfig) -> IntentData:
    """Loads the intents corpus, splits it, and turns the sentences into token ids.

    The split is scikit-learn's `train_test_split`, stratified by language and intent,
    with `random_state=config.seed`. The vocabulary is learnt from the training sentences
    only, so a held-out sentence can hold unknown tokens, as a new sentence would.

    Args:
        config: the `IntentConfig`; validated first.

    Returns:
        An `IntentData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_intent_data(IntentConfig(language="zh"))
    >>> data.x_train.shape, data.x_test.shape, data.labels[data.y_train[0]]  # doctest: +SKIP
    ((640, 20), (160, 20), 'set_alarm')
    """
    config.validate()
    corpus = intents_data.load_intents(language=config.language)
    strata = np.char.add(corpus.language, corpus.target.astype(str))
    train_index, test_index = train_test_split(
        np.arange(len(corpus.target)),
        test_size=config.test_fraction,
        stratify=strata,
        random_state=config.seed,
    )
    vectorizer = intents_data.make_text_vectorizer(
        list(corpus.data[train_index]), max_tokens=None, sequence_length=config.max_length
    )
    vocabulary = tuple(str(token) for token in vectorizer.get_vocabulary())
    return IntentData(
        x_train=np.asarray(vectorizer(corpus.data[train_index]), dtype=np.int32),
        y_train=corpus.target[train_index],
        x_test=np.asarray(vectorizer(corpus.data[test_index]), dtype=np.int32),
        y_test=corpus.target[test_index],
        texts_train=corpus.data[train_index],
        texts_test=corpus.data[test_index],
        languages_train=corpus.language[train_index],
        languages_test=corpus.language[test_index],
        labels=tuple(corpus.target_names),
        vocabulary=vocabulary,
        vectorizer=vectorizer,
        preprocessing={
            "vocabulary": list(vocabulary),
            "max_length": config.max_length,
            "tokenizer": "dlcore.media.tokens.tokenize",
            "padding_id": PADDING_ID,
            "unknown_id": UNKNOWN_ID,
            "language": config.language,
        },
    )


def token_labels(token_ids: np.ndarray, vocabulary: Sequence[str]) -> list[str]:
    """The tokens of one sentence's ids, padding left out: axis labels for the figures.

    Args:
        token_ids: int, shape `(max_length,)`, one row of `IntentData.x_test` or of
            `encode_texts`.
        vocabulary: the vocabulary the ids index.

    Returns:
        One `str` per token that is not padding, "[UNK]" for unknown ones.
    """
    return [str(vocabulary[index]) for index in np.asarray(token_ids) if index != PADDING_ID]


def build_intent_model(config: IntentConfig, vocabulary_size: int, n_classes: int) -> Any:
    """Builds and compiles the configured intent classifier with the Functional API.

    Layers, by encoder:

    - "simple_rnn", "lstm", "gru": an `Embedding` ("embedding", padding masked), then
      `n_layers` recurrent layers ("gru_1", ...; wrapped in `Bidirectional`
      "bidirectional_1", ... when asked), each but the last returning its whole sequence
      of states; the last returns its state after the sentence's last token.
    - "conv1d": an `Embedding`, `n_layers` `Conv1D` ("conv_1", ...; ReLU, `units`
      filters of `kernel_size` tokens, "same" padding), then the largest value of each
      filter over the sentence (`GlobalMaxPooling1D`).
    - "transformer": a `TokenAndPositionEmbedding`, then `n_layers` encoder blocks:
      `MultiHeadAttention` ("attention_1", ...) with a residual connection and
      `LayerNormalization`, a two-layer feed-forward part (`units` wide) with the same,
      then the mean over the tokens (`GlobalAveragePooling1D`, padding masked).

    A `Dropout` follows each encoder layer when `dropout` > 0, and a `Dense` softmax
    "output" of `n_classes` units in float32 ends the model. Every initializer and dropout
    has its own seed drawn from `config.seed`, so the same seed gives the same network
    without seeding global random state. Compiled with sparse categorical cross-entropy,
    accuracy, gradients clipped to norm `CLIP_NORM`, and one TensorFlow call per epoch
    (`steps_per_execution`).

    Input shape:
        `(batch_size, max_length)`, int token ids from `load_intent_data` or `encode_texts`.

    Output shape:
        `(batch_size, n_classes)`, intent probabilities that sum to 1.

    Args:
        config: the `IntentConfig`; validated first.
        vocabulary_size: `int` >= 3, `len(IntentData.vocabulary)`.
        n_classes: `int` >= 2, `len(IntentData.labels)`.

    Returns:
        A compiled `keras.Model` named "intent_<encoder>".

    Raises:
        ValueError: If the config is invalid or a size is too small.
    """
    config.validate()
    if not _is_int(vocabulary_size) or vocabulary_size < 3:
        raise ValueError(
            "`vocabulary_size` must be an integer >= 3 (padding, unknown and one token). "
            f"Received: vocabulary_size={vocabulary_size!r}."
        )
    if not _is_int(n_classes) or n_classes < 2:
        raise ValueError(f"`n_classes` must be an integer >= 2. Received: n_classes={n_classes!r}.")
    seeds = _seeds(config.seed)
    token_ids = keras.Input((config.max_length,), dtype="int32", name="token_ids")
    if config.encoder == "transformer":
        embedding_seed = next(seeds)
        next(seeds)  # the layer seeds its position vectors with embedding_seed + 1
        features = TokenAndPositionEmbedding(
            vocabulary_size,
            config.max_length,
            config.embedding_dim,
            seed=embedding_seed,
            name="embedding",
        )(token_ids)
        features = _transformer_blocks(features, config, seeds)
        features = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(features)
    else:
        features = keras.layers.Embedding(
            vocabulary_size,
            config.embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=next(seeds)),
            # A convolution cannot skip padding; it learns what the padding vector means.
            mask_zero=config.encoder != "conv1d",
            name="embedding",
        )(token_ids)
        if config.encoder == "conv1d":
            for index in range(config.n_layers):
                features = keras.layers.Conv1D(
                    config.units,
                    config.kernel_size,
                    padding="same",
                    activation="relu",
                    kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
                    name=f"conv_{index + 1}",
                )(features)
                features = _dropout(features, config.dropout, seeds, f"dropout_{index + 1}")
            features = keras.layers.GlobalMaxPooling1D(name="max_over_tokens")(features)
        else:
            features = _recurrent_stack(
                features,
                cell=config.encoder,
                units=config.units,
                n_layers=config.n_layers,
                bidirectional=config.bidirectional,
                dropout=config.dropout,
                seeds=seeds,
            )
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",
        name="output",
    )(features)
    model = keras.Model(token_ids, outputs, name=f"intent_{config.encoder}")
    model.compile(
        optimizer=_optimizer(config.optimizer, config.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=_intent_steps_per_epoch(config),
    )
    return model


def train_intents(
    model: Any,
    data: IntentData,
    config: IntentConfig,
    *,
    epochs: int,
    patience: int | None = None,
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> IntentResult:
    """Trains an intent model with `dlcore.training.fit.fit_live`, then measures it per language.

    The held-out sentences are the validation set: the "val_loss" and "val_accuracy"
    of every epoch's report are measured on them.

    Args:
        model: a model from `build_intent_model(config, ...)`.
        data: the `IntentData` from `load_intent_data(config)`.
        config: the `IntentConfig` (for the batch size and the seed).
        epochs: `int` >= 1, epochs to run in this call.
        patience: stop once the held-out loss has not improved for this many epochs and
            keep the best epoch's weights; None trains every epoch. Defaults to None.
        history: a `History` from an earlier call on the same model, to continue it.
        on_epoch: called with an `EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        An `IntentResult`.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    fit = fit_live(
        model,
        (data.x_train, data.y_train),
        (data.x_test, data.y_test),
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        patience=patience,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
    )
    return IntentResult(fit=fit, accuracy=intent_accuracy(model, data))


def intent_accuracy(model: Any, data: IntentData) -> dict[str, float]:
    """The held-out accuracy overall and in each language of the data.

    Args:
        model: a trained intent model.
        data: the `IntentData` it was trained on.

    Returns:
        `{"all": a, "en": a_en, "zh": a_zh}` with each accuracy in [0, 1]; only the
        languages the data holds.
    """
    correct = predict_intents(model, data.x_test).argmax(axis=1) == data.y_test
    accuracy = {"all": float(correct.mean())}
    for language in intents_data.LANGUAGES:
        chosen = data.languages_test == language
        if chosen.any():
            accuracy[language] = float(correct[chosen].mean())
    return accuracy


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


def hidden_states(model: Any, inputs: np.ndarray) -> list[np.ndarray]:
    """Each recurrent layer's state after every step of one sequence.

    A recurrent layer reads a sequence one step at a time and keeps a state vector that
    it updates at each step; the last state is what the next layer (or the output) sees.
    This returns the states after every step, computed by the model's own layers: each
    recurrent layer is run again with `return_sequences=True` and the same weights, on
    the inputs that the model itself feeds it.

    Args:
        model: a model with recurrent layers (from `build_intent_model` with a recurrent
            encoder, or from `build_forecast_model`).
        inputs: one example without the batch axis: int token ids of shape
            `(max_length,)` (padding ids are left out of the result), or a float window
            of shape `(window_length, 1)`.

    Returns:
        One float32 array per recurrent layer, in order, of shape `(n_steps, units)`
        (`(n_steps, 2 * units)` for a bidirectional one: the forward states, then the
        backward ones, each at the step it belongs to). `n_steps` is the number of tokens
        that are not padding, or the window length. Tanh states lie in (-1, 1).

    Raises:
        ValueError: If the model has no recurrent layer, or a token sequence is all
            padding.
    """
    layers = [layer for layer in model.layers if _is_recurrent(layer)]
    if not layers:
        raise ValueError(
            "This model has no recurrent layer (SimpleRNN, LSTM or GRU), so it has no hidden "
            "state over time: train a recurrent encoder to see one."
        )
    batch, keep = _one_example(inputs)
    layer_inputs = _probe(model, [_first_input(layer) for layer in layers], batch)
    mask = None if keep is None else keras.ops.convert_to_tensor(keep[np.newaxis])
    states = []
    for layer, layer_input in zip(layers, layer_inputs, strict=True):
        twin = _sequence_twin(layer)
        sequence = np.asarray(twin(layer_input, mask=mask, training=False), dtype=np.float32)[0]
        states.append(sequence if keep is None else sequence[keep])
    return states


def attention_weights(model: Any, token_ids: np.ndarray) -> list[np.ndarray]:
    """Where each token looks, in every head of every Transformer block, for one sentence.

    Each block's `MultiHeadAttention` is called again on the inputs the model feeds it,
    with `return_attention_scores=True`: row i of a head's matrix holds the softmax
    weights with which token i mixes the tokens' values. Padding is masked, so it gets no
    weight and is left out.

    Args:
        model: a model from `build_intent_model` with the "transformer" encoder.
        token_ids: int, shape `(max_length,)`, one sentence.

    Returns:
        One float32 array per block, shape `(n_heads, n_tokens, n_tokens)`, values in
        [0, 1], each row summing to 1 (query token on axis 1, key token on axis 2).

    Raises:
        ValueError: If the model has no attention layer, or the sentence is all padding.
    """
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "This model has no attention layer: choose the transformer encoder to see "
            "attention weights."
        )
    batch, keep = _one_example(token_ids)
    if keep is None:
        raise ValueError("`token_ids` must be integer token ids of one sentence, shape (length,).")
    queries = _probe(model, [_first_input(layer) for layer in layers], batch)
    pairs = keras.ops.convert_to_tensor((keep[:, np.newaxis] & keep[np.newaxis, :])[np.newaxis])
    weights = []
    for layer, query in zip(layers, queries, strict=True):
        _, scores = layer(
            query, query, attention_mask=pairs, return_attention_scores=True, training=False
        )
        weights.append(np.asarray(scores, dtype=np.float32)[0][:, keep][:, :, keep])
    return weights


@dataclasses.dataclass(frozen=True)
class ForecastConfig:
    """The forecaster's settings: the series, the windows, the network and training.

    Attributes:
        n_steps: `int` >= 2, the length of the series. Defaults to `1000`.
        n_sines: `int` >= 0, sines summed into the series. Defaults to `3`.
        trend: `float`, the trend's total rise over the series. Defaults to `0.0`.
        noise: `float` >= 0, the standard deviation of the noise. Defaults to `0.1`.
        window_length: `int` >= 1, past steps the model sees. Defaults to `32`.
        horizon: `int` >= 1, future steps it predicts at once. Defaults to `1`.
        cell: one of `RECURRENT_CELLS`. Defaults to `"gru"`.
        units: `int` >= 1, the state size of each recurrent layer. Defaults to `32`.
        n_layers: `int` >= 1, recurrent layers stacked. Defaults to `1`.
        learning_rate: `float` > 0, for Adam. Defaults to `0.005`.
        batch_size: `int` >= 1. Defaults to `32`.
        test_fraction: `float` in (0, 1), the share of the series, at its end, held out.
            Defaults to `0.2`.
        seed: `int`, seeds the series, the initial weights and the shuffling.
            Defaults to `0`.
    """

    n_steps: int = 1000
    n_sines: int = 3
    trend: float = 0.0
    noise: float = 0.1
    window_length: int = 32
    horizon: int = 1
    cell: str = "gru"
    units: int = 32
    n_layers: int = 1
    learning_rate: float = 0.005
    batch_size: int = 32
    test_fraction: float = 0.2
    seed: int = 0

    def validate(self) -> ForecastConfig:
        """Checks that the settings make a forecaster that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what to change, and what was
                received.
        """
        _check_positive_int("n_steps", self.n_steps, "a series needs steps")
        if not _is_int(self.n_sines) or self.n_sines < 0:
            raise ValueError(
                f"`n_sines` must be an integer >= 0. Received: n_sines={self.n_sines!r}."
            )
        if not isinstance(self.trend, numbers.Real) or not math.isfinite(self.trend):
            raise ValueError(f"`trend` must be a finite number. Received: trend={self.trend!r}.")
        if not isinstance(self.noise, numbers.Real) or not 0 <= self.noise < math.inf:
            raise ValueError(f"`noise` must be a number >= 0. Received: noise={self.noise!r}.")
        _check_positive_int(
            "window_length", self.window_length, "the model must see at least one past step"
        )
        _check_positive_int("horizon", self.horizon, "the model must predict at least one step")
        if self.cell not in RECURRENT_CELLS:
            raise ValueError(
                f"Unknown cell. Choose one of: {', '.join(RECURRENT_CELLS)}. "
                f"Received: cell={self.cell!r}."
            )
        _check_positive_int("units", self.units, "a layer of zero units passes nothing on")
        _check_positive_int("n_layers", self.n_layers, "the model needs at least one layer")
        _check_optimizer("adam", self.learning_rate)
        _check_positive_int("batch_size", self.batch_size, "a batch holds at least one window")
        _check_fraction(self.test_fraction)
        test_start = _test_start(self)
        n_train_windows = test_start - self.window_length - self.horizon + 1
        if n_train_windows < 1:
            raise ValueError(
                f"A window of {self.window_length} steps and a horizon of {self.horizon} do not "
                f"fit in the {test_start} training steps: use a shorter window or horizon, a "
                f"longer series or a smaller test fraction. Received: window_length="
                f"{self.window_length}, horizon={self.horizon}, n_steps={self.n_steps}."
            )
        if self.n_steps - test_start < self.horizon:
            raise ValueError(
                f"The held-out end of the series ({self.n_steps - test_start} steps) is shorter "
                f"than the horizon ({self.horizon}): use a larger test fraction or a shorter "
                f"horizon. Received: test_fraction={self.test_fraction!r}, "
                f"horizon={self.horizon}."
            )
        _check_seed(self.seed)
        return self


@dataclasses.dataclass(frozen=True)
class ForecastData:
    """A generated series cut into windows, the end of the series held out.

    The model sees standardized values: `(value - mean) / scale`, with the mean and
    standard deviation of the training part, so that one learning rate suits any series.

    Attributes:
        series: float32, shape `(n_steps,)`, the series in its own units.
        test_start: the first held-out step: training targets all lie before it, held-out
            targets all from it on.
        x_train: float32, shape `(n_train, window_length, 1)`, standardized past windows.
        y_train: float32, shape `(n_train, horizon)`, standardized next steps.
        x_test: float32, shape `(n_test, window_length, 1)`.
        y_test: float32, shape `(n_test, horizon)`.
        target_steps_test: int64, shape `(n_test, horizon)`, the step number of each
            held-out target.
        mean: the training part's mean.
        scale: the training part's standard deviation (1 if it is 0).
    """

    series: np.ndarray
    test_start: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    target_steps_test: np.ndarray
    mean: float
    scale: float


@dataclasses.dataclass(frozen=True)
class Forecast:
    """The model's forecasts of the held-out end of the series, next to the truth.

    Attributes:
        target_steps: int64, shape `(n_test, horizon)`, the step each value forecasts.
        predictions: float32, shape `(n_test, horizon)`, in the series' units.
        truth: float32, shape `(n_test, horizon)`.
        naive: float32, shape `(n_test, horizon)`: the last value of each window,
            repeated, the baseline a forecaster must beat.
        mae: the model's mean absolute error over every held-out value.
        naive_mae: the naive forecast's mean absolute error.
    """

    target_steps: np.ndarray
    predictions: np.ndarray
    truth: np.ndarray
    naive: np.ndarray
    mae: float
    naive_mae: float


def load_forecast_data(config: ForecastConfig) -> ForecastData:
    """Generates the configured series and cuts it into standardized windows.

    The series is `dlcore.data.timeseries.make_series` with the config's settings and
    seed. Its last `ceil(n_steps * test_fraction)` steps are held out: a training pair has
    all its targets before them, a held-out pair all its targets among them (its window
    may start before).

    Args:
        config: the `ForecastConfig`; validated first.

    Returns:
        A `ForecastData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_forecast_data(ForecastConfig(window_length=20, horizon=3))
    >>> data.x_train.shape, data.y_test.shape
    ((778, 20, 1), (198, 3))
    """
    config.validate()
    series = timeseries.make_series(
        config.n_steps,
        n_sines=config.n_sines,
        trend=config.trend,
        noise=config.noise,
        seed=config.seed,
    ).data
    test_start = _test_start(config)
    mean = float(series[:test_start].mean())
    scale = float(series[:test_start].std()) or 1.0
    inputs, targets = timeseries.make_windows(
        (series - mean) / scale, window=config.window_length, horizon=config.horizon
    )
    # Pair i forecasts the steps from i + window_length on.
    first_targets = np.arange(len(targets)) + config.window_length
    is_train = first_targets + config.horizon <= test_start
    is_test = first_targets >= test_start
    return ForecastData(
        series=series,
        test_start=test_start,
        x_train=inputs[is_train],
        y_train=targets[is_train],
        x_test=inputs[is_test],
        y_test=targets[is_test],
        target_steps_test=first_targets[is_test, np.newaxis] + np.arange(config.horizon),
        mean=mean,
        scale=scale,
    )


def build_forecast_model(config: ForecastConfig) -> Any:
    """Builds and compiles the configured recurrent forecaster with the Functional API.

    `n_layers` recurrent layers ("gru_1", ...), each but the last returning its whole
    sequence of states, then a linear `Dense` "output" of `horizon` units in float32 that
    reads the last state. Seeded initializers as in `build_intent_model`. Compiled with
    Adam, gradients clipped to norm `CLIP_NORM`, the mean squared error as the loss and
    the mean absolute error as a metric, one TensorFlow call per epoch.

    Input shape:
        `(batch_size, window_length, 1)`, standardized past values.

    Output shape:
        `(batch_size, horizon)`, standardized forecasts of the next steps.

    Args:
        config: the `ForecastConfig`; validated first.

    Returns:
        A compiled `keras.Model` named "forecast_<cell>".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    seeds = _seeds(config.seed)
    window = keras.Input((config.window_length, 1), name="window")
    features = _recurrent_stack(
        window,
        cell=config.cell,
        units=config.units,
        n_layers=config.n_layers,
        bidirectional=False,
        dropout=0.0,
        seeds=seeds,
    )
    outputs = keras.layers.Dense(
        config.horizon,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",
        name="output",
    )(features)
    model = keras.Model(window, outputs, name=f"forecast_{config.cell}")
    n_train = _test_start(config) - config.window_length - config.horizon + 1
    model.compile(
        optimizer=_optimizer("adam", config.learning_rate),
        loss="mse",
        metrics=["mae"],
        steps_per_execution=math.ceil(n_train / config.batch_size),
    )
    return model


def train_forecast(
    model: Any,
    data: ForecastData,
    config: ForecastConfig,
    *,
    epochs: int,
    patience: int | None = None,
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Trains a forecaster with `dlcore.training.fit.fit_live`; the held-out windows validate.

    Args:
        model: a model from `build_forecast_model(config)`.
        data: the `ForecastData` from `load_forecast_data(config)`.
        config: the `ForecastConfig` (for the batch size and the seed).
        epochs: `int` >= 1, epochs to run in this call.
        patience: stop once the held-out loss has not improved for this many epochs and
            keep the best epoch's weights; None trains every epoch. Defaults to None.
        history: a `History` from an earlier call on the same model, to continue it.
        on_epoch: called with an `EpochReport` after every epoch ("loss" and "mae" on
            standardized values, and their "val_" twins).
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        The `dlcore.training.fit.FitResult`.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    return fit_live(
        model,
        (data.x_train, data.y_train),
        (data.x_test, data.y_test),
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        patience=patience,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
    )


def forecast(model: Any, data: ForecastData) -> Forecast:
    """Forecasts every held-out window and compares with the truth and the naive forecast.

    Args:
        model: a trained model from `build_forecast_model`.
        data: the `ForecastData` it was trained on.

    Returns:
        A `Forecast`, in the series' own units.
    """
    standardized = np.asarray(model(data.x_test, training=False), dtype=np.float32)
    predictions = standardized * data.scale + data.mean
    truth = data.y_test * data.scale + data.mean
    last_values = data.x_test[:, -1, :] * data.scale + data.mean
    naive = np.repeat(last_values, truth.shape[1], axis=1)
    return Forecast(
        target_steps=data.target_steps_test,
        predictions=predictions.astype(np.float32),
        truth=truth.astype(np.float32),
        naive=naive.astype(np.float32),
        mae=float(np.abs(predictions - truth).mean()),
        naive_mae=float(np.abs(naive - truth).mean()),
    )


def export_intent_code(config: IntentConfig, *, epochs: int = 20) -> str:
    """Writes a runnable Python script that rebuilds and trains this intent classifier.

    The script builds the same model with the same seeds in plain Keras (with the
    `TokenAndPositionEmbedding` layer written out for a Transformer), trains it with
    `python script.py --epochs N`, prints the held-out accuracy overall ("Test accuracy:
    0.xxxx") and per language, and saves `intent_model.keras` (`--output` to change).
    It reads the corpus through `dlcore.data.intents` (the corpus file and its
    tokenizer, data only), so `dlcore` must be importable.

    Args:
        config: the `IntentConfig`; validated first.
        epochs: `int` >= 1, the script's default `--epochs`. Defaults to `20`.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    _check_positive_int("epochs", epochs, "training needs at least one epoch")
    description = _describe_encoder(config)
    encoder_code = {
        "conv1d": _CONV_CODE,
        "transformer": _TRANSFORMER_CODE,
    }.get(config.encoder, _RECURRENT_CODE)
    layer_code = _POSITION_LAYER_CODE if config.encoder == "transformer" else ""
    header = f'''\
"""Intent classifier: {description} on the intents corpus ({_LANGUAGE_NAMES[config.language]}).

Exported by Deep Learning Studio. Needs numpy, scikit-learn, Keras 3 and, for the data
only, the `dlcore` package on the Python path.
Run: python this_script.py --epochs {epochs}
"""

import argparse
import itertools

import keras
import numpy as np
from sklearn.model_selection import train_test_split

# Data only: the project's own corpus (a CSV that ships inside dlcore) and its tokenizer,
# which splits English into words and Chinese into characters. Model and training are
# plain Keras below.
from dlcore.data.intents import LANGUAGES, load_intents, make_text_vectorizer

LANGUAGE = {config.language!r}
ENCODER = {config.encoder!r}
BIDIRECTIONAL = {config.bidirectional!r}
UNITS = {config.units!r}
N_LAYERS = {config.n_layers!r}
EMBEDDING_DIM = {config.embedding_dim!r}
MAX_LENGTH = {config.max_length!r}
N_HEADS = {config.n_heads!r}
KERNEL_SIZE = {config.kernel_size!r}
DROPOUT = {float(config.dropout)!r}
LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
TEST_FRACTION = {float(config.test_fraction)!r}
SEED = {config.seed!r}
{layer_code}

def load_data():
    """Token ids (n, MAX_LENGTH), intents (n,) and languages (n,), split as the app does."""
    corpus = load_intents(language=LANGUAGE)
    strata = np.char.add(corpus.language, corpus.target.astype(str))
    train_index, test_index = train_test_split(
        np.arange(len(corpus.target)),
        test_size=TEST_FRACTION,
        stratify=strata,
        random_state=SEED,
    )
    # The vocabulary comes from the training sentences only: "" pads, "[UNK]" is unknown.
    vectorizer = make_text_vectorizer(
        list(corpus.data[train_index]), max_tokens=None, sequence_length=MAX_LENGTH
    )
    x_train = np.asarray(vectorizer(corpus.data[train_index]), dtype=np.int32)
    x_test = np.asarray(vectorizer(corpus.data[test_index]), dtype=np.int32)
    return (
        (x_train, corpus.target[train_index], corpus.language[train_index]),
        (x_test, corpus.target[test_index], corpus.language[test_index]),
        len(vectorizer.get_vocabulary()),
        corpus.target_names,
    )


def dropout(x, seeds, name):
    """Dropout after an encoder layer, when DROPOUT > 0."""
    if DROPOUT == 0:
        return x
    return keras.layers.Dropout(DROPOUT, seed=next(seeds), name=name)(x)

'''
    body = f'''

def build_model(vocabulary_size, n_classes):
    """{description}, then a softmax over the intents."""
    # Every initializer and dropout gets its own seed, the same ones as in the app.
    seeds = itertools.count(SEED * {_SEEDS_PER_MODEL})
    token_ids = keras.Input((MAX_LENGTH,), dtype="int32", name="token_ids")
{encoder_code}
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="output",
    )(x)
    model = keras.Model(token_ids, outputs, name="intent_" + ENCODER)
    model.compile(
        optimizer={_OPTIMIZER_CODE[config.optimizer]},
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--output", default="intent_model.keras")
    args = parser.parse_args()
    keras.utils.set_random_seed(SEED)  # the order of the batches
    train, test, vocabulary_size, labels = load_data()
    (x_train, y_train, _), (x_test, y_test, test_languages) = train, test
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    model = build_model(vocabulary_size, len(labels))
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(x_test, y_test),
        verbose=2,
    )
    correct = model.predict(x_test, verbose=0).argmax(axis=1) == y_test
    print(f"Test accuracy: {{correct.mean():.4f}}")
    for language in LANGUAGES:
        if (test_languages == language).any():
            accuracy = correct[test_languages == language].mean()
            print(f"Test accuracy ({{language}}): {{accuracy:.4f}}")
    model.save(args.output)
    print("Saved", args.output)


if __name__ == "__main__":
    main()
'''
    return header + body


def export_forecast_code(config: ForecastConfig, *, epochs: int = 20) -> str:
    """Writes a standalone Python script that rebuilds and trains this forecaster.

    The script needs only numpy and Keras (no `dlcore`): it generates the same series as
    `dlcore.data.timeseries.make_series` with the same seed, cuts and standardizes the
    windows as `load_forecast_data`, builds the same model with the same seeds, trains with
    `python script.py --epochs N`, prints the held-out mean absolute error of the model
    ("Test MAE: x.xxxx") and of the naive forecast ("Naive MAE: x.xxxx"), and saves
    `forecast_model.keras` (`--output` to change).

    Args:
        config: the `ForecastConfig`; validated first.
        epochs: `int` >= 1, the script's default `--epochs`. Defaults to `20`.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    _check_positive_int("epochs", epochs, "training needs at least one epoch")
    layer_name = _RECURRENT_LAYERS[config.cell].__name__
    return f'''\
"""Forecaster: {config.n_layers} {layer_name} layer(s) of {config.units} units, \
{config.window_length} past steps -> {config.horizon} next.

Exported by Deep Learning Studio. Needs numpy and Keras 3 only.
Run: python this_script.py --epochs {epochs}
"""

import argparse
import itertools
import math

import keras
import numpy as np

N_STEPS = {config.n_steps!r}
N_SINES = {config.n_sines!r}
TREND = {float(config.trend)!r}
NOISE = {float(config.noise)!r}
WINDOW_LENGTH = {config.window_length!r}
HORIZON = {config.horizon!r}
UNITS = {config.units!r}
N_LAYERS = {config.n_layers!r}
LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
TEST_FRACTION = {float(config.test_fraction)!r}
SEED = {config.seed!r}


def make_series():
    """Sines (periods 10 to 100 steps) + a linear trend + Gaussian noise, shape (N_STEPS,)."""
    rng = np.random.default_rng(SEED)
    time = np.arange(N_STEPS, dtype=np.float64)
    periods = np.exp(rng.uniform(np.log(10.0), np.log(100.0), size=N_SINES))
    amplitudes = rng.uniform(0.5, 1.5, size=N_SINES)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=N_SINES)
    sines = amplitudes[:, None] * np.sin(2.0 * math.pi * time / periods[:, None] + phases[:, None])
    trend = TREND * time / (N_STEPS - 1)
    noise = rng.normal(0.0, NOISE, size=N_STEPS)
    components = np.vstack([sines, trend, noise]).astype(np.float32)
    return components.sum(axis=0, dtype=np.float32)


def make_windows(series):
    """Pairs (past WINDOW_LENGTH steps, next HORIZON steps), shapes (n, W, 1) and (n, H)."""
    pairs = np.lib.stride_tricks.sliding_window_view(series, WINDOW_LENGTH + HORIZON)
    return pairs[:, :WINDOW_LENGTH, None].copy(), pairs[:, WINDOW_LENGTH:].copy()


def load_data():
    """Standardized windows; every held-out target lies in the last TEST_FRACTION."""
    series = make_series()
    test_start = N_STEPS - math.ceil(N_STEPS * TEST_FRACTION)
    mean = float(series[:test_start].mean())
    scale = float(series[:test_start].std()) or 1.0
    inputs, targets = make_windows((series - mean) / scale)
    first_targets = np.arange(len(targets)) + WINDOW_LENGTH
    train = first_targets + HORIZON <= test_start
    test = first_targets >= test_start
    return (inputs[train], targets[train]), (inputs[test], targets[test]), mean, scale


def build_model():
    """Stacked {layer_name} layers that read the window, then a linear layer."""
    # Every initializer gets its own seed, the same ones as in the app.
    seeds = itertools.count(SEED * {_SEEDS_PER_MODEL})
    x = window = keras.Input((WINDOW_LENGTH, 1), name="window")
    for index in range(N_LAYERS):
        x = keras.layers.{layer_name}(
            UNITS,
            return_sequences=index < N_LAYERS - 1,  # the last layer gives its final state
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name=f"{config.cell}_{{index + 1}}",
        )(x)
    outputs = keras.layers.Dense(
        HORIZON,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="output",
    )(x)
    model = keras.Model(window, outputs, name="forecast_{config.cell}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE, clipnorm={CLIP_NORM!r}),
        loss="mse",
        metrics=["mae"],
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--output", default="forecast_model.keras")
    args = parser.parse_args()
    keras.utils.set_random_seed(SEED)  # the order of the batches
    (x_train, y_train), (x_test, y_test), mean, scale = load_data()
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    model = build_model()
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(x_test, y_test),
        verbose=2,
    )
    predictions = model.predict(x_test, verbose=0) * scale + mean
    truth = y_test * scale + mean
    naive = x_test[:, -1, :] * scale + mean  # "the next values equal the last one"
    print(f"Test MAE: {{np.abs(predictions - truth).mean():.4f}}")
    print(f"Naive MAE: {{np.abs(naive - truth).mean():.4f}}")
    model.save(args.output)
    print("Saved", args.output)


if __name__ == "__main__":
    main()
'''


def _recurrent_stack(
    inputs: Any,
    *,
    cell: str,
    units: int,
    n_layers: int,
    bidirectional: bool,
    dropout: float,
    seeds: Iterator[int],
) -> Any:
    """Stacked recurrent layers; all but the last return their whole sequence."""
    features = inputs
    for index in range(n_layers):
        name = f"{cell}_{index + 1}"
        return_sequences = index < n_layers - 1
        layer = _recurrent_layer(cell, units, return_sequences, seeds, name=name)
        if bidirectional:
            # Its own backward layer: one cloned from `layer` would start with its weights.
            backward = _recurrent_layer(
                cell, units, return_sequences, seeds, name=f"backward_{name}", go_backwards=True
            )
            layer = keras.layers.Bidirectional(
                layer, backward_layer=backward, name=f"bidirectional_{index + 1}"
            )
        features = layer(features)
        features = _dropout(features, dropout, seeds, f"dropout_{index + 1}")
    return features


def _recurrent_layer(
    cell: str,
    units: int,
    return_sequences: bool,
    seeds: Iterator[int],
    *,
    name: str,
    go_backwards: bool = False,
) -> Any:
    return _RECURRENT_LAYERS[cell](
        units,
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        name=name,
    )


def _transformer_blocks(features: Any, config: IntentConfig, seeds: Iterator[int]) -> Any:
    """`n_layers` Transformer encoder blocks (attention, then feed-forward, each residual)."""
    for index in range(config.n_layers):
        number = index + 1
        attention = keras.layers.MultiHeadAttention(
            config.n_heads,
            key_dim=config.embedding_dim // config.n_heads,
            name=f"attention_{number}",
        )
        attended = attention(features, features)
        # The layer gives its query, key, value and output projections copies of one
        # initializer: seeded, they would all start equal. Each gets its own seed instead.
        for projection in (
            attention.query_dense,
            attention.key_dense,
            attention.value_dense,
            attention.output_dense,
        ):
            initializer = keras.initializers.GlorotUniform(seed=next(seeds))
            projection.kernel.assign(initializer(projection.kernel.shape))
        attended = _dropout(attended, config.dropout, seeds, f"attention_dropout_{number}")
        features = keras.layers.LayerNormalization(epsilon=1e-6, name=f"attention_norm_{number}")(
            keras.layers.Add(name=f"attention_residual_{number}")([features, attended])
        )
        hidden = keras.layers.Dense(
            config.units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_{number}",
        )(features)
        hidden = keras.layers.Dense(
            config.embedding_dim,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_out_{number}",
        )(hidden)
        hidden = _dropout(hidden, config.dropout, seeds, f"feed_forward_dropout_{number}")
        features = keras.layers.LayerNormalization(
            epsilon=1e-6, name=f"feed_forward_norm_{number}"
        )(keras.layers.Add(name=f"feed_forward_residual_{number}")([features, hidden]))
    return features


def _dropout(features: Any, rate: float, seeds: Iterator[int], name: str) -> Any:
    if rate == 0:
        return features
    return keras.layers.Dropout(rate, seed=next(seeds), name=name)(features)


def _seeds(seed: int) -> Iterator[int]:
    """A different seed for every initializer and dropout of one model."""
    return itertools.count(seed * _SEEDS_PER_MODEL)


def _optimizer(name: str, learning_rate: float) -> Any:
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=CLIP_NORM)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate, clipnorm=CLIP_NORM)
    momentum = MOMENTUM if name == "momentum" else 0.0
    return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, clipnorm=CLIP_NORM)


def _intent_steps_per_epoch(config: IntentConfig) -> int:
    n_sentences = _n_sentences(config.language)
    n_train = n_sentences - math.ceil(n_sentences * config.test_fraction)
    return math.ceil(n_train / config.batch_size)


def _n_sentences(language: str) -> int:
    """Sentences in the corpus for one of `LANGUAGE_CHOICES`."""
    n_languages = len(intents_data.LANGUAGES) if language == "both" else 1
    return intents_data.N_PER_INTENT * len(intents_data.INTENT_LABELS) * n_languages


def _test_start(config: ForecastConfig) -> int:
    return config.n_steps - math.ceil(config.n_steps * config.test_fraction)


def _is_recurrent(layer: Any) -> bool:
    return isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)


def _sequence_twin(layer: Any) -> Any:
    """A copy of a recurrent layer (or `Bidirectional`) that returns every step's state."""
    config = layer.get_config()
    if isinstance(layer, keras.layers.Bidirectional):
        for part in ("layer", "backward_layer"):
            if part in config:
                config[part]["config"]["return_sequences"] = True
    else:
        config["return_sequences"] = True
    config["name"] = f"{layer.name}_states"
    twin = type(layer).from_config(config)
    twin.build(_first_input(layer).shape)
    twin.set_weights(layer.get_weights())
    return twin


def _one_example(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """One example as a batch of one, and for token ids which steps are not padding."""
    array = np.asarray(inputs)
    if np.issubdtype(array.dtype, np.integer):
        if array.ndim != 1:
            raise ValueError(
                "`token_ids` must be the ids of one sentence, shape (max_length,). "
                f"Received: shape {array.shape}."
            )
        keep = array != PADDING_ID
        if not keep.any():
            raise ValueError("The sentence has no tokens (all padding): type some words first.")
        return array[np.newaxis].astype(np.int32), keep
    return array[np.newaxis].astype(np.float32), None


def _probe(model: Any, tensors: list[Any], batch: np.ndarray) -> list[Any]:
    """The values that `tensors` of the model's graph take for `batch`, in inference mode."""
    outputs = keras.Model(model.input, tensors)(batch, training=False)
    return list(outputs) if isinstance(outputs, list | tuple) else [outputs]


def _first_input(layer: Any) -> Any:
    """The first tensor a layer received in the model: a recurrent layer called with a
    mask, or an attention layer called as `layer(query, value)`, received several."""
    inputs = layer.input
    return inputs[0] if isinstance(inputs, list | tuple) else inputs


def _describe_encoder(config: IntentConfig) -> str:
    if config.encoder == "conv1d":
        return f"{config.n_layers} Conv1D layer(s) of {config.units} filters"
    if config.encoder == "transformer":
        return f"{config.n_layers} Transformer block(s) with {config.n_heads} heads"
    name = _RECURRENT_LAYERS[config.encoder].__name__
    direction = "bidirectional " if config.bidirectional else ""
    return f"{config.n_layers} {direction}{name} layer(s) of {config.units} units"


def _check_positive_int(name: str, value: object, why: str) -> None:
    if not _is_int(value) or value < 1:
        raise ValueError(
            f"`{name}` must be a whole number of at least 1: {why}. Received: {name}={value!r}."
        )


def _check_dropout(rate: object) -> None:
    if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(
            "`dropout` must be a number in [0, 1): a rate of 1 would drop every value. "
            f"Received: dropout={rate!r}."
        )


def _check_optimizer(name: str, learning_rate: object) -> None:
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer. Choose one of: {', '.join(OPTIMIZERS)}. "
            f"Received: optimizer={name!r}."
        )
    if not isinstance(learning_rate, numbers.Real) or not 0 < learning_rate < math.inf:
        raise ValueError(
            "`learning_rate` must be a number > 0: at 0 the weights never change. "
            f"Received: learning_rate={learning_rate!r}."
        )


def _check_fraction(test_fraction: object) -> None:
    if not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise ValueError(
            "`test_fraction` must be a number strictly between 0 and 1. "
            f"Received: test_fraction={test_fraction!r}."
        )


def _check_seed(seed: object) -> None:
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"`seed` must be a whole number >= 0. Received: seed={seed!r}.")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


_LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "both": "English and Chinese"}

_OPTIMIZER_CODE = {
    "adam": f"keras.optimizers.Adam(learning_rate=LEARNING_RATE, clipnorm={CLIP_NORM!r})",
    "rmsprop": f"keras.optimizers.RMSprop(learning_rate=LEARNING_RATE, clipnorm={CLIP_NORM!r})",
    "sgd": f"keras.optimizers.SGD(learning_rate=LEARNING_RATE, clipnorm={CLIP_NORM!r})",
    "momentum": (
        f"keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum={MOMENTUM!r}, "
        f"clipnorm={CLIP_NORM!r})"
    ),
}

# The encoders of `export_intent_code`, the same layers and seeds as `build_intent_model`.
_RECURRENT_CODE = """\
    x = keras.layers.Embedding(
        vocabulary_size,
        EMBEDDING_DIM,
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=next(seeds)),
        mask_zero=True,  # the recurrent layers skip the padding
        name="embedding",
    )(token_ids)
    layer_class = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                   "gru": keras.layers.GRU}[ENCODER]
    for index in range(N_LAYERS):
        settings = dict(
            return_sequences=index < N_LAYERS - 1,  # the last layer gives its final state
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        )
        layer = layer_class(UNITS, name=f"{ENCODER}_{index + 1}", **settings)
        if BIDIRECTIONAL:
            settings.update(
                kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
                recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            )
            backward = layer_class(
                UNITS, go_backwards=True, name=f"backward_{ENCODER}_{index + 1}", **settings
            )
            layer = keras.layers.Bidirectional(
                layer, backward_layer=backward, name=f"bidirectional_{index + 1}"
            )
        x = dropout(layer(x), seeds, f"dropout_{index + 1}")"""

_CONV_CODE = """\
    x = keras.layers.Embedding(
        vocabulary_size,
        EMBEDDING_DIM,
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=next(seeds)),
        name="embedding",
    )(token_ids)
    for index in range(N_LAYERS):
        x = keras.layers.Conv1D(
            UNITS,
            KERNEL_SIZE,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"conv_{index + 1}",
        )(x)
        x = dropout(x, seeds, f"dropout_{index + 1}")
    x = keras.layers.GlobalMaxPooling1D(name="max_over_tokens")(x)"""

_TRANSFORMER_CODE = """\
    embedding_seed = next(seeds)
    next(seeds)  # the layer seeds its position vectors with embedding_seed + 1
    x = TokenAndPositionEmbedding(
        vocabulary_size, MAX_LENGTH, EMBEDDING_DIM, seed=embedding_seed, name="embedding"
    )(token_ids)
    for number in range(1, N_LAYERS + 1):
        attention = keras.layers.MultiHeadAttention(
            N_HEADS, key_dim=EMBEDDING_DIM // N_HEADS, name=f"attention_{number}"
        )
        attended = attention(x, x)  # padding is masked: no token attends to it
        # A seeded initializer would start the query, key, value and output projections
        # equal (the layer copies it); each gets its own seed instead.
        for projection in (attention.query_dense, attention.key_dense,
                           attention.value_dense, attention.output_dense):
            initializer = keras.initializers.GlorotUniform(seed=next(seeds))
            projection.kernel.assign(initializer(projection.kernel.shape))
        attended = dropout(attended, seeds, f"attention_dropout_{number}")
        x = keras.layers.LayerNormalization(epsilon=1e-6, name=f"attention_norm_{number}")(
            keras.layers.Add(name=f"attention_residual_{number}")([x, attended])
        )
        hidden = keras.layers.Dense(
            UNITS,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_{number}",
        )(x)
        hidden = keras.layers.Dense(
            EMBEDDING_DIM,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_out_{number}",
        )(hidden)
        hidden = dropout(hidden, seeds, f"feed_forward_dropout_{number}")
        x = keras.layers.LayerNormalization(epsilon=1e-6, name=f"feed_forward_norm_{number}")(
            keras.layers.Add(name=f"feed_forward_residual_{number}")([x, hidden])
        )
    x = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)  # padding masked"""

_POSITION_LAYER_CODE = '''

@keras.saving.register_keras_serializable(package="dlcore")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Token vector + a learned vector for its position; masks the padding (id 0).

    A Transformer sees all tokens at once, so without the position vectors it could not
    tell "play jazz" from "jazz play". Input (batch, length) ids, output (batch, length,
    embedding_dim).
    """

    def __init__(self, vocabulary_size, max_length, embedding_dim, *, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.max_length = max_length
        self.embedding_dim = embedding_dim
        self.seed = seed
        self.supports_masking = True
        self.token_embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
            name="token_embedding",
        )
        self.position_embedding = keras.layers.Embedding(
            max_length,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.05, 0.05, seed=None if seed is None else seed + 1
            ),
            name="position_embedding",
        )

    def build(self, input_shape):
        self.token_embedding.build(input_shape)
        self.position_embedding.build((input_shape[-1],))

    def call(self, token_ids):
        positions = keras.ops.arange(keras.ops.shape(token_ids)[-1])
        return self.token_embedding(token_ids) + self.position_embedding(positions)

    def compute_mask(self, token_ids, mask=None):
        return keras.ops.not_equal(token_ids, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.embedding_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "max_length": self.max_length,
            "embedding_dim": self.embedding_dim,
            "seed": self.seed,
        }
'''
