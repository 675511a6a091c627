"""What an intent model makes of a person's text: tokens, attributions, hidden state, batches.

The logic behind the "Text" try-it page, for any intent predictor: the bundled one from
`dlcore.load_pretrained("intents")` or a model trained on the Sequences page and wrapped by
`dlcore.pretrained.predictor_from_trained`. A predictor here is any object with `.model`
(a Keras model from `dlcore.trainers.intents.build_model`), `.labels`, `.preprocessing`
(with "vocabulary", "max_length", "padding_id" and "unknown_id") and `.predict_proba`.
About 590 lines, one module: the two attributions and the hidden states read the same
tokens of the same sentence, and the page's answer is built from all three.

- `prepare_text` checks one typed text: empty, too long, or nothing the tokenizer reads.
- `sentence_tokens` splits it as the model does and flags unknown words (not in the
  vocabulary, so the model sees them all as the same "[UNK]"), the words read as their
  nearest known word (where the preprocessing's "unknown_words" is "nearest", see
  `dlcore.preprocess.nearest_known_words`) and the tokens cut off beyond `max_length`.
- `explain_text` classifies it and says which tokens drove the decision, by occlusion
  and by gradient x input, plus each recurrent layer's hidden state after every token.
  Both measure the predicted intent's log-odds, `log(p / (1 - p))`, not its probability:
  a confident model's probability hardly moves (99.7 % to 99.5 %) even when a word
  mattered (log-odds 5.8 to 5.3), and the gradient of a saturated softmax all but
  vanishes, so on the probability every token would look alike.
- `classify_texts` classifies many texts into table rows; `texts_from_lines` and
  `read_texts_csv` read them from a text box or an uploaded CSV, and `rows_to_csv`
  writes the table back for a download.

Occlusion replaces one token at a time by the unknown id rather than removing it. The
sentence keeps its length, so every other token stays at its position (a Transformer
adds position vectors, a recurrent layer counts steps): the only change the model sees
is the one word. And the unknown id is a neutral stand-in: the vocabulary is learnt from
the training sentences, so no training sentence holds it and its embedding keeps its
small random start. Removing the token instead would also move every later token.

TensorFlow is imported only inside the functions that run the model, so that reading a
CSV does not start it.

Example:

>>> from dlcore.pretrained import load_pretrained
>>> predictor = load_pretrained("intents")                            # doctest: +SKIP
>>> explanation = explain_text(predictor, "Play the new zorblax album")  # doctest: +SKIP
>>> explanation.intent, explanation.tokens.tokens                      # doctest: +SKIP
('play_music', ('play', 'the', 'new', 'zorblax', 'album'))
>>> explanation.tokens.unknown                                         # doctest: +SKIP
array([False, False, False,  True, False])
"""

from __future__ import annotations

import dataclasses
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlcore.media.texts import MAX_CHARACTERS, TABLE_COLUMNS
from dlcore.media.tokens import tokenize
from dlcore.preprocess import encode_texts, nearest_known_words

# Runs of letters of any script: what a person would call words.
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# Traced model calls, one of each per model; an entry goes when its model does.
_PROBABILITY_FUNCTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GRADIENT_FUNCTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TRACED_LOCK = threading.Lock()


@dataclasses.dataclass(frozen=True)
class SentenceTokens:
    """One text as the model reads it.

    Attributes:
        tokens: every token of the text from `dlcore.media.tokens.tokenize`, in order:
            lowercase English words, digit runs, single Chinese characters.
        unknown: bool, shape `(n_tokens,)`: True where the model reads the token as
            "[UNK]", the same for every unknown word: it is not in the vocabulary and no
            known word stands in for it.
        read_as: one entry per token: the vocabulary token the model reads in its place
            (itself when known, its nearest known word when the preprocessing's
            "unknown_words" is "nearest" and one is near enough), None where unknown.
        cut: bool, shape `(n_tokens,)`: True for the tokens beyond `max_length`, which
            the model never reads.
        token_ids: int32, shape `(max_length,)`, the model's input: one id per token read,
            then padding.
    """

    tokens: tuple[str, ...]
    unknown: np.ndarray
    cut: np.ndarray
    token_ids: np.ndarray
    read_as: tuple[str | None, ...]

    @property
    def stand_ins(self) -> dict[str, str]:
        """Each unknown word that a known word stands in for, mapped to that word."""
        return {
            token: known
            for token, known in zip(self.tokens, self.read_as, strict=True)
            if known is not None and known != token
        }

    @property
    def n_read(self) -> int:
        """How many tokens the model reads: at most `max_length`."""
        return int((~self.cut).sum())

    @property
    def read_tokens(self) -> tuple[str, ...]:
        """The tokens the model reads, in order."""
        return self.tokens[: self.n_read]

    @property
    def read_unknown(self) -> np.ndarray:
        """bool, shape `(n_read,)`: which of the read tokens are unknown."""
        return self.unknown[: self.n_read]


@dataclasses.dataclass(frozen=True)
class TextExplanation:
    """What `explain_text` found for one text.

    Attributes:
        text: the text as read (cut to `MAX_CHARACTERS`).
        tokens: its `SentenceTokens`.
        labels: the intents, in the model's output order.
        probabilities: float32, shape `(n_classes,)`, in [0, 1], summing to 1.
        class_index: the predicted intent, the index of the largest probability.
        occlusion: float32, shape `(n_read,)`: how much the predicted intent's log-odds
            (`log_odds`) drop when each read token is replaced by the unknown id.
            Positive: the token spoke for the intent; negative: against it; 0 for
            unknown tokens, which are the unknown id already. A drop of 1 means the odds
            for the intent shrink e = 2.7 times without the token. Log-odds, not the
            probability itself, because a confident model's probability hardly moves
            (99.7 % to 99.5 %) even when the word mattered (log-odds 5.8 to 5.3).
        occluded_probabilities: float32, shape `(n_read,)`, in [0, 1]: the predicted
            intent's probability with each read token replaced.
        gradient_x_input: float32, shape `(n_read,)`, the gradient of the predicted
            intent's log-odds with respect to each token's embedding vector, times that
            vector, summed over its dimensions: a first-order estimate of the same drop.
            None when the model's embedding table cannot be found.
        encoder: "recurrent", "transformer", "conv1d" or "other": what reads the tokens.
        hidden_states: one float32 array per recurrent layer, shape `(n_read, units)`
            (`2 * units` for a bidirectional layer), the state after each token; empty
            for a model without recurrent layers.
        state_layers: the recurrent layers' names, one per entry of `hidden_states`.
        bidirectional: one bool per entry of `hidden_states`.
        notes: what the person should know about how the text was read, e.g. that it was
            cut.
    """

    text: str
    tokens: SentenceTokens
    labels: tuple[str, ...]
    probabilities: np.ndarray
    class_index: int
    occlusion: np.ndarray
    occluded_probabilities: np.ndarray
    gradient_x_input: np.ndarray | None
    encoder: str
    hidden_states: tuple[np.ndarray, ...]
    state_layers: tuple[str, ...]
    bidirectional: tuple[bool, ...]
    notes: tuple[str, ...]

    @property
    def intent(self) -> str:
        """The predicted intent's name."""
        return self.labels[self.class_index]

    @property
    def confidence(self) -> float:
        """The predicted intent's probability, in [0, 1]."""
        return float(self.probabilities[self.class_index])


def prepare_text(text: str) -> tuple[str, list[str]]:
    """Checks one typed text and cuts it to `MAX_CHARACTERS`.

    Args:
        text: `str`, what the person typed, any language.

    Returns:
        `(text, notes)`: the text to read, stripped of surrounding spaces and cut to
        `MAX_CHARACTERS`, and a note for each thing the person should know: that it was
        cut, or that words of other scripts (Arabic, Cyrillic, kana, ...) are not read.

    Raises:
        TypeError: If `text` is not a `str`.
        ValueError: If the text is empty, or holds nothing the model reads (only
            punctuation, emoji, symbols or other scripts), saying what to type instead.

    Example:

    >>> prepare_text("  Play some jazz!  ")
    ('Play some jazz!', [])
    """
    if not isinstance(text, str):
        raise TypeError(
            f"`text` must be a str. Received: text of type {type(text).__name__}. "
            "Decode bytes first, e.g. data.decode('utf-8')."
        )
    text = text.strip()
    if not text:
        raise ValueError(
            "The text is empty: type a request, e.g. “Will it rain in Paris tomorrow?” "
            "or “播放周杰伦的歌”."
        )
    notes = []
    if len(text) > MAX_CHARACTERS:
        notes.append(
            f"The text has {len(text):,} characters; only the first {MAX_CHARACTERS:,} were read."
        )
        text = text[:MAX_CHARACTERS]
    if not tokenize(text):
        raise ValueError(
            "The text has no English words, numbers or Chinese characters, only "
            "punctuation, emoji, symbols or letters of other scripts, and the model reads "
            "nothing else: type a request in English or Chinese, e.g. “set a timer for 5 "
            "minutes”."
        )
    unread = _unread_words(text)
    if unread:
        notes.append(
            "The model reads English words, numbers and Chinese characters only; these "
            f"were left out: {_quote_list(unread)}."
        )
    return text, notes


def sentence_tokens(text: str, preprocessing: dict[str, Any]) -> SentenceTokens:
    """Splits a text as the model does and flags unknown and cut-off tokens.

    Args:
        text: `str`, any language; may be empty (no tokens).
        preprocessing: the predictor's, with "vocabulary" and "max_length", and optionally
            "unknown_words" (see `dlcore.preprocess.encode_texts`).

    Returns:
        A `SentenceTokens`.

    Example:

    >>> preprocessing = {"vocabulary": ["", "[UNK]", "play", "jazz"], "max_length": 3}
    >>> tokens = sentence_tokens("Play jazz, please, now", preprocessing)
    >>> tokens.tokens, tokens.unknown.tolist(), tokens.cut.tolist()
    (('play', 'jazz', 'please', 'now'), [False, False, True, True], [False, False, False, True])
    >>> sentence_tokens("Playing jazz", preprocessing | {"unknown_words": "nearest"}).stand_ins
    {'playing': 'play'}
    """
    tokens = tuple(tokenize(text))
    vocabulary = preprocessing["vocabulary"]
    if preprocessing.get("unknown_words", "unknown") == "nearest":
        read_as = tuple(nearest_known_words(tokens, vocabulary))
    else:
        known = set(vocabulary)
        read_as = tuple(token if token in known else None for token in tokens)
    unknown = np.array([known is None for known in read_as], dtype=bool)
    cut = np.arange(len(tokens)) >= preprocessing["max_length"]
    return SentenceTokens(
        tokens=tokens,
        unknown=unknown,
        cut=cut,
        token_ids=encode_texts([text], preprocessing)[0],
        read_as=read_as,
    )


def log_odds(probabilities: np.ndarray, class_index: int) -> np.ndarray:
    """The log-odds of one class, `log(p / (1 - p))`, from softmax probabilities.

    Unlike the probability, the log-odds do not flatten out near 0 and 1: a model 99.9 %
    sure (6.9) is told apart from one 99 % sure (4.6). `1 - p` is taken as the sum of the
    other classes' probabilities, which float32 holds precisely even when `p` rounds to 1.

    Args:
        probabilities: float, shape `(..., n_classes)`, rows summing to 1.
        class_index: the class.

    Returns:
        float64, shape `(...)`, any real number; about +-88 at most in float32.

    Example:

    >>> log_odds(np.array([[0.5, 0.25, 0.25], [0.9, 0.05, 0.05]]), 0).round(3)
    array([0.   , 2.197])
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    others = np.delete(probabilities, class_index, axis=-1).sum(axis=-1)
    tiny = np.finfo(np.float32).tiny
    return np.log(np.maximum(probabilities[..., class_index], tiny)) - np.log(
        np.maximum(others, tiny)
    )


def occlusion(
    model: Any, token_ids: np.ndarray, *, unknown_id: int, padding_id: int = 0
) -> np.ndarray:
    """The model's probabilities for a sentence and for its copies with one token replaced.

    The sentence and its copies, each with one token replaced by the unknown id, go
    through the model in one batch, a call traced once per model. See the module
    docstring for why tokens are replaced rather than removed.

    Args:
        model: an intent model: int token ids `(batch, max_length)` -> probabilities
            `(batch, n_classes)`.
        token_ids: int, shape `(max_length,)`, one sentence, padding at the end.
        unknown_id: the id that stands for an unknown token.
        padding_id: the id that fills the sentence up to `max_length`. Defaults to `0`.

    Returns:
        float32, shape `(n_read + 1, n_classes)` for the `n_read` tokens that are not
        padding: row 0 for the sentence as it is, row i for the sentence with token i - 1
        replaced. Rows sum to 1.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    n_read = int(np.count_nonzero(token_ids != padding_id))
    batch = np.repeat(token_ids[np.newaxis], n_read + 1, axis=0)
    batch[np.arange(1, n_read + 1), np.arange(n_read)] = unknown_id
    return np.asarray(_probability_function(model)(batch), dtype=np.float32)[: n_read + 1]


def gradient_times_input(
    model: Any, token_ids: np.ndarray, *, class_index: int, padding_id: int = 0
) -> np.ndarray | None:
    """Gradient x input on the token embeddings, summed over each token's vector.

    The gradient of the class's log-odds (see `log_odds`) with respect to each token's
    embedding vector, dotted with that vector: how much the log-odds would change, to
    first order, if the vector shrank to zero. One forward and one backward pass, where
    occlusion runs the sentence once per token; but a first-order estimate can miss what
    only shows when a token is gone altogether.

    The gradient of an embedding lookup reaches the embedding table one row per token
    position (TensorFlow's `IndexedSlices`), which gives each position its own gradient
    even when a word occurs twice. The computation is traced once per model.

    Args:
        model: an intent model whose layer named "embedding" is a `keras.layers.Embedding`
            or a `dlcore.training.layers.TokenAndPositionEmbedding`.
        token_ids: int, shape `(max_length,)`, one sentence, padding at the end.
        class_index: the class whose log-odds are explained.
        padding_id: the id that fills the sentence up to `max_length`. Defaults to `0`.

    Returns:
        float32, shape `(n_read,)` for the tokens that are not padding, or None when the
        model has no embedding table of the expected kind.
    """
    table = _embedding_table(model)
    if table is None:
        return None
    token_ids = np.asarray(token_ids, dtype=np.int32)
    n_read = int(np.count_nonzero(token_ids != padding_id))
    gradient = _gradient_function(model)(token_ids[np.newaxis], np.int32(class_index))
    if gradient is None:
        return None
    indices, per_position = (np.asarray(part) for part in gradient)
    if not np.array_equal(indices, token_ids):
        return None
    vectors = np.asarray(table.numpy(), dtype=np.float32)[token_ids[:n_read]]
    return (per_position[:n_read].astype(np.float32) * vectors).sum(axis=1).astype(np.float32)


def encoder_kind(model: Any) -> str:
    """What reads the token vectors of an intent model.

    Returns:
        "recurrent" (SimpleRNN, LSTM, GRU, or one wrapped in Bidirectional),
        "transformer" (multi-head attention), "conv1d", or "other".
    """
    import keras

    layers = model.layers
    if any(isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional) for layer in layers):
        return "recurrent"
    if any(isinstance(layer, keras.layers.MultiHeadAttention) for layer in layers):
        return "transformer"
    if any(isinstance(layer, keras.layers.Conv1D) for layer in layers):
        return "conv1d"
    return "other"


def explain_text(predictor: Any, text: str) -> TextExplanation:
    """Classifies one text and explains the answer token by token.

    Args:
        predictor: an intent predictor (see the module docstring).
        text: `str`, what the person typed.

    Returns:
        A `TextExplanation`.

    Raises:
        ValueError: If the text is empty or has no tokens (see `prepare_text`).
    """
    import keras

    from dlcore.explain.sequences import hidden_states

    text, notes = prepare_text(text)
    preprocessing = predictor.preprocessing
    tokens = sentence_tokens(text, preprocessing)
    if tokens.cut.any():
        notes.append(
            f"The model reads the first {preprocessing['max_length']} tokens; the last "
            f"{int(tokens.cut.sum())} were not read: "
            f"{_quote_list(tokens.tokens[tokens.n_read :])}."
        )
    model = predictor.model
    token_ids = tokens.token_ids
    padding_id = preprocessing["padding_id"]
    occluded = occlusion(
        model, token_ids, unknown_id=preprocessing["unknown_id"], padding_id=padding_id
    )
    probabilities = occluded[0]
    class_index = int(np.argmax(probabilities))
    odds = log_odds(occluded, class_index)
    encoder = encoder_kind(model)
    states, layer_names, bidirectional = (), (), ()
    if encoder == "recurrent":
        layers = [
            layer
            for layer in model.layers
            if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)
        ]
        states = tuple(hidden_states(model, token_ids))
        layer_names = tuple(layer.name for layer in layers)
        bidirectional = tuple(isinstance(layer, keras.layers.Bidirectional) for layer in layers)
    return TextExplanation(
        text=text,
        tokens=tokens,
        labels=tuple(str(label) for label in predictor.labels),
        probabilities=probabilities,
        class_index=class_index,
        occlusion=(odds[0] - odds[1:]).astype(np.float32),
        occluded_probabilities=occluded[1:, class_index],
        gradient_x_input=gradient_times_input(
            model, token_ids, class_index=class_index, padding_id=padding_id
        ),
        encoder=encoder,
        hidden_states=states,
        state_layers=layer_names,
        bidirectional=bidirectional,
        notes=tuple(notes),
    )


def classify_texts(predictor: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Classifies many texts into table rows, in one call of the predictor.

    Args:
        predictor: an intent predictor (see the module docstring).
        texts: the texts, a sequence of `str`; cut to `MAX_CHARACTERS` each.

    Returns:
        One dict per text with the keys of `TABLE_COLUMNS`: "text"; "intent" and
        "confidence" (in [0, 1]) of the most likely intent; "second_intent" and
        "second_confidence"; "unknown_words", how many of the tokens read are not in
        the vocabulary; "note", e.g. that the text had no words (then the intents are
        "" and the confidences None) or was cut.

    Raises:
        TypeError: If `texts` is one `str`.
    """
    if isinstance(texts, str):
        raise TypeError(
            f"`texts` must be a sequence of texts, not one str. Received: {texts[:40]!r}. "
            "Wrap it in a list: [text]."
        )
    texts = [text[:MAX_CHARACTERS] for text in texts]
    preprocessing = predictor.preprocessing
    token_ids = encode_texts(texts, preprocessing)
    has_tokens = (token_ids != preprocessing["padding_id"]).any(axis=1)
    labels = [str(label) for label in predictor.labels]
    probabilities = np.zeros((len(texts), len(labels)), dtype=np.float32)
    if has_tokens.any():
        chosen = [text for text, keep in zip(texts, has_tokens, strict=True) if keep]
        probabilities[has_tokens] = np.asarray(predictor.predict_proba(chosen), dtype=np.float32)
    max_length = preprocessing["max_length"]
    rows = []
    for text, ids, keep, row in zip(texts, token_ids, has_tokens, probabilities, strict=True):
        if not keep:
            rows.append(
                dict.fromkeys(TABLE_COLUMNS, "")
                | {
                    "text": text,
                    "confidence": None,
                    "second_confidence": None,
                    "unknown_words": 0,
                    "note": "no words to read",
                }
            )
            continue
        first, second = np.argsort(-row, kind="stable")[:2]
        n_tokens = len(tokenize(text))
        rows.append(
            {
                "text": text,
                "intent": labels[first],
                "confidence": float(row[first]),
                "second_intent": labels[second],
                "second_confidence": float(row[second]),
                "unknown_words": int(np.count_nonzero(ids == preprocessing["unknown_id"])),
                "note": f"only the first {max_length} of {n_tokens} tokens read"
                if n_tokens > max_length
                else "",
            }
        )
    return rows


def _probability_function(model: Any) -> Callable[[np.ndarray], Any]:
    """`model(token_ids, training=False)` traced once as a TensorFlow graph, any batch size.

    A direct call runs the recurrent layer step by step in Python (about ten times
    slower); `model.predict` traces a new function on its first call (seconds).
    """
    with _TRACED_LOCK:
        function = _PROBABILITY_FUNCTIONS.get(model)
        if function is None:
            import tensorflow as tf

            # A weak reference: the traced graph must not keep its model (the key) alive.
            model_ref = weakref.ref(model)
            spec = tf.TensorSpec((None, *model.input_shape[1:]), dtype=tf.int32)
            function = tf.function(
                lambda token_ids: model_ref()(token_ids, training=False), input_signature=[spec]
            )
            _PROBABILITY_FUNCTIONS[model] = function
        return function


def _gradient_function(model: Any) -> Callable[[np.ndarray, np.int32], Any]:
    """A traced `(token_ids, class_index) -> (indices, per-position gradients)` of the
    class's log-odds with respect to the token embedding table, or one returning None
    when TensorFlow gives the table a dense gradient."""
    with _TRACED_LOCK:
        function = _GRADIENT_FUNCTIONS.get(model)
        if function is None:
            import tensorflow as tf

            model_ref = weakref.ref(model)
            tiny = np.finfo(np.float32).tiny

            def gradient(token_ids: Any, class_index: Any) -> Any:
                traced_model = model_ref()
                table = _embedding_table(traced_model)
                with tf.GradientTape() as tape:
                    probabilities = traced_model(token_ids, training=False)[0]
                    probabilities = tf.cast(probabilities, tf.float32)
                    chosen = tf.one_hot(class_index, tf.shape(probabilities)[0])
                    odds = tf.math.log(tf.maximum(tf.reduce_sum(probabilities * chosen), tiny))
                    others = tf.reduce_sum(probabilities * (1 - chosen))
                    odds -= tf.math.log(tf.maximum(others, tiny))
                result = tape.gradient(odds, table)
                if not isinstance(result, tf.IndexedSlices):
                    return None
                return result.indices, result.values

            spec = tf.TensorSpec((1, *model.input_shape[1:]), dtype=tf.int32)
            function = tf.function(
                gradient, input_signature=[spec, tf.TensorSpec((), dtype=tf.int32)]
            )
            _GRADIENT_FUNCTIONS[model] = function
        return function


def _embedding_table(model: Any) -> Any:
    """The token embedding matrix `(vocabulary_size, embedding_dim)` of an intent model."""
    try:
        layer = model.get_layer("embedding")
    except ValueError:
        return None
    token_layer = getattr(layer, "token_embedding", layer)
    return getattr(token_layer, "embeddings", None)


def _unread_words(text: str) -> list[str]:
    """Words of letters that the tokenizer drops whole (other scripts), each once."""
    words = _LETTER_RUNS.findall(text)
    return list(dict.fromkeys(word for word in words if not tokenize(word)))


def _quote_list(tokens: Sequence[str], *, limit: int = 8) -> str:
    shown = ", ".join(f"“{token}”" for token in tokens[:limit])
    return shown + (f" and {len(tokens) - limit} more" if len(tokens) > limit else "")
