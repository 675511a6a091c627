"""The project's own intents corpus, in English and Chinese, and a text vectorizer for both.

The corpus is written for Deep Learning Studio and kept in the repository: phrasing
templates with slots such as `{city}` or `{duration}`, and the values those slots take,
per language, in `dlcore/data/intents_corpus/templates_<language>.json`. `make_intents` fills
the templates with a `seed`; `load_intents` reads the result that ships as
`dlcore/data/intents_corpus/intents.csv`, so that nothing is generated at run time and the
corpus can be reviewed as a plain file. `python -m dlcore.data.intents` writes that file
again after the templates change.

`dlcore.media.tokens.tokenize` splits English into lowercase words and Chinese into single
characters, and `make_text_vectorizer` builds a `keras.layers.TextVectorization` that splits text
exactly as `tokenize` does, inside the TensorFlow graph.
"""

from __future__ import annotations

import csv
import json
import string
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlcore.media.tokens import tokenize, tokenize_tensor

INTENT_LABELS = (
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
"""The intents, in the order of their integer targets."""

LANGUAGES = ("en", "zh")
"""The corpus's languages: English and Chinese (simplified)."""

DATA_DIR = Path(__file__).resolve().parent / "intents_corpus"
"""The folder that holds the templates and the expanded corpus."""

CSV_PATH = DATA_DIR / "intents.csv"
"""The expanded corpus: columns `text`, `intent`, `language`, UTF-8."""

N_PER_INTENT = 120
"""Utterances per intent per language in the shipped corpus."""

SEED = 0
"""The seed that the shipped corpus was expanded with."""

# How many different fillings of one template to try before giving it up.
_MAX_TRIES = 40


KERAS_CUSTOM_OBJECTS = {"dlcore>tokenize_tensor": tokenize_tensor}
"""Pass as `custom_objects` to `keras.saving.load_model` for a model with our vectorizer."""


def make_text_vectorizer(
    texts: Sequence[str],
    *,
    max_tokens: int | None = 10_000,
    sequence_length: int | None = None,
) -> Any:
    """Builds a `keras.layers.TextVectorization` that splits text as `tokenize` does.

    The layer's `split` is `tokenize_tensor`, with `standardize=None`, so the model takes
    raw text, English, Chinese or mixed, and the splitting runs inside the graph. (The
    alternative, feeding text that Python has already tokenized and joined with spaces
    to `split="whitespace"`, needs no custom function, but every caller would have to
    remember to pre-tokenize, and a model given raw Chinese would see one token per
    phrase without an error.) `tokenize_tensor` is registered with Keras as
    `"dlcore>tokenize_tensor"`, so a model holding the layer saves to `.keras`; load it
    with `keras.saving.load_model(path, custom_objects=KERAS_CUSTOM_OBJECTS)`.

    Args:
        texts: The texts to learn the vocabulary from, a sequence of `str`.
        max_tokens: `int` or `None`, the largest vocabulary, counting the padding
            token `""` and the out-of-vocabulary token `"[UNK]"`; the most frequent
            tokens are kept. `None` keeps them all. Defaults to `10_000`.
        sequence_length: `int` or `None`. With an `int`, every output row is padded
            with 0 or cut to this length; with `None`, rows are padded to the longest
            text in the batch. Defaults to `None`.

    Returns:
        An adapted `keras.layers.TextVectorization`. Called on a `tf.string` tensor of
        shape `(batch_size,)`, it returns int64 token ids of shape
        `(batch_size, sequence_length)`: 0 pads, 1 is an unknown token, and id `i`
        is `layer.get_vocabulary()[i]`.

    Raises:
        TypeError: If `texts` is a single `str` or holds something other than `str`.
        ValueError: If `texts` is empty, or `max_tokens` or `sequence_length` is
            below 1.

    Example:

    >>> vectorizer = make_text_vectorizer(["play music", "播放音乐"], sequence_length=4)
    >>> vocabulary = vectorizer.get_vocabulary()
    >>> [str(vocabulary[i]) for i in vectorizer(["Play 音乐!"]).numpy()[0]]
    ['play', '音', '乐', '']
    """
    texts = _check_texts(texts, "texts")
    if not texts:
        raise ValueError(
            "`texts` must hold at least one text to learn a vocabulary from. Received: []."
        )
    for name, value in (("max_tokens", max_tokens), ("sequence_length", sequence_length)):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(
                f"`{name}` must be a positive int or None. Received: {name}={value!r}."
            )
    import keras

    keras.saving.register_keras_serializable(package="dlcore", name="tokenize_tensor")(
        tokenize_tensor
    )
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=None,
        split=tokenize_tensor,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    vectorizer.adapt(np.asarray(texts, dtype=object))
    return vectorizer


def vocabulary_coverage(texts: Sequence[str], vocabulary: Iterable[str]) -> list[list[bool]]:
    """Tells, token by token, which tokens of each text a vocabulary knows.

    The Text page uses it to mark the words that a model has never seen: they all map
    to the same unknown id.

    Args:
        texts: A sequence of `str`.
        vocabulary: The known tokens, e.g. `vectorizer.get_vocabulary()`.

    Returns:
        One list per text, with one `bool` per token of `tokenize(text)`, in order:
        `True` where the token is in `vocabulary`.

    Raises:
        TypeError: If `texts` or `vocabulary` is a single `str`, or `texts` holds
            something other than `str`.

    Example:

    >>> vocabulary_coverage(["play jazz now"], ["play", "now"])
    [[True, False, True]]
    """
    texts = _check_texts(texts, "texts")
    if isinstance(vocabulary, str):
        raise TypeError(
            "`vocabulary` must be a collection of tokens, not one str. "
            f"Received: vocabulary={vocabulary[:40]!r}. Wrap it in a list if it is one token."
        )
    known = set(vocabulary)
    return [[token in known for token in tokenize(text)] for text in texts]


def load_intents(*, language: str = "both", return_X_y: bool = False) -> Any:
    """Loads the intents corpus: short requests to a voice assistant, labelled by intent.

    The project wrote it: English and Chinese (simplified) phrasings of ten intents,
    filled with slot values such as cities, songs and durations. It is read from
    `CSV_PATH`, which `make_intents(seed=SEED)` reproduces exactly.

    =================  ============================================
    Classes            10 (`INTENT_LABELS`)
    Samples per class  120 per language
    Samples total      1,200 per language, 2,400 for `"both"`
    Languages          `"en"`, `"zh"`
    Features           text, `str`; split with `tokenize`
    =================  ============================================

    Args:
        language: `"both"`, `"en"` or `"zh"`: which utterances to load. Defaults to
            `"both"`.
        return_X_y: `bool`. If `True`, return only `(data, target)`. Defaults to `False`.

    Returns:
        A `sklearn.utils.Bunch` with `data`, an array of `str` of shape `(n_samples,)`;
        `target`, int64 of shape `(n_samples,)` with values in [0, 10), indices into
        `target_names`; `target_names`, the list of `INTENT_LABELS`; `language`, an
        array of `"en"` or `"zh"` of shape `(n_samples,)`; `DESCR`; and `filename`.
        With `return_X_y=True`, the tuple `(data, target)`. Rows are grouped by
        language, then by intent; shuffle before splitting.

    Raises:
        ValueError: If `language` is not one of the three choices.

    Example:

    >>> corpus = load_intents(language="zh")
    >>> corpus.data.shape, corpus.target.dtype, corpus.target_names[corpus.target[0]]
    ((1200,), dtype('int64'), 'weather')
    """
    languages = _check_language(language)
    with CSV_PATH.open(encoding="utf-8", newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["language"] in languages]
    return _corpus(rows, return_X_y=return_X_y, filename=str(CSV_PATH))


def make_intents(
    *,
    n_per_intent: int = N_PER_INTENT,
    language: str = "both",
    seed: int | None = SEED,
    return_X_y: bool = False,
) -> Any:
    """Fills the corpus's templates with slot values into labelled utterances.

    Each intent's templates are taken in an order drawn from `seed`, round after round,
    each template filled with values drawn from `seed`, so that all templates are used
    about equally often. An utterance is kept only if no utterance before it in the same
    language, of any intent, has the same tokens. A language's utterances depend only on
    `seed`, not on whether the other language is made too.

    Args:
        n_per_intent: `int` >= 1, utterances per intent per language. The templates
            give between a few hundred and a few thousand different utterances per intent.
            Defaults to `N_PER_INTENT` (120).
        language: `"both"`, `"en"` or `"zh"`. Defaults to `"both"`.
        seed: `int` or `None`, seeds the order of the templates and the slot values;
            `None` gives a different corpus each call. Defaults to `SEED` (0), the seed of
            the shipped corpus.
        return_X_y: `bool`. If `True`, return only `(data, target)`. Defaults to `False`.

    Returns:
        The same `Bunch` (or tuple) as `load_intents`, with `filename` `None`.

    Raises:
        ValueError: If `language` is unknown, `n_per_intent` < 1, or the templates of
            an intent cannot give `n_per_intent` different utterances.

    Example:

    >>> corpus = make_intents(n_per_intent=5, language="en", seed=1)
    >>> corpus.data.shape, set(corpus.language.tolist())
    ((50,), {'en'})
    """
    languages = _check_language(language)
    if not isinstance(n_per_intent, int) or n_per_intent < 1:
        raise ValueError(
            f"`n_per_intent` must be a positive int. Received: n_per_intent={n_per_intent!r}."
        )
    # One independent stream per language, so that "zh" alone equals the "zh" part of "both".
    streams = np.random.SeedSequence(seed).spawn(len(LANGUAGES))
    rows = []
    for name, stream in zip(LANGUAGES, streams, strict=True):
        if name in languages:
            rows += _expand_language(name, n_per_intent, rng=np.random.default_rng(stream))
    return _corpus(rows, return_X_y=return_X_y, filename=None)


def read_templates(language: str) -> dict[str, Any]:
    """Reads and checks one language's templates and slot values.

    Args:
        language: `"en"` or `"zh"`.

    Returns:
        A dict with `"slots"`, a dict from slot name to its list of values, and
        `"intents"`, a dict from each of `INTENT_LABELS` to its list of templates.

    Raises:
        ValueError: If `language` is unknown, or the file misses an intent, has an
            empty list, or a template uses a slot that has no values.

    Example:

    >>> len(read_templates("zh")["intents"]["weather"]) >= 25
    True
    """
    if language not in LANGUAGES:
        raise ValueError(f"`language` must be one of {LANGUAGES}. Received: language={language!r}.")
    path = DATA_DIR / f"templates_{language}.json"
    templates = json.loads(path.read_text(encoding="utf-8"))
    slots, intents = templates["slots"], templates["intents"]
    if tuple(intents) != INTENT_LABELS:
        raise ValueError(
            f"{path.name} must list the intents {INTENT_LABELS} in this order. "
            f"Received: {tuple(intents)}."
        )
    for name, values in [*slots.items(), *intents.items()]:
        if not values:
            raise ValueError(f"{path.name}: {name!r} has no entries; add at least one.")
    for intent, phrasings in intents.items():
        for template in phrasings:
            missing = set(_slot_names(template)) - set(slots)
            if missing:
                raise ValueError(
                    f"{path.name}: the {intent!r} template {template!r} uses the slots "
                    f"{sorted(missing)}, which have no values; add them under 'slots'."
                )
    return templates


def main() -> None:
    """Writes the corpus to `CSV_PATH` again, from the templates and `SEED`."""
    corpus = make_intents()
    with CSV_PATH.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["text", "intent", "language"])
        for text, target, language in zip(corpus.data, corpus.target, corpus.language, strict=True):
            writer.writerow([text, INTENT_LABELS[target], language])
    print(f"Wrote {len(corpus.data)} utterances to {CSV_PATH}.")


def _expand_language(
    language: str, n_per_intent: int, *, rng: np.random.Generator
) -> list[dict[str, str]]:
    """One language's utterances, intent by intent, as rows like the CSV's."""
    templates = read_templates(language)
    slots = templates["slots"]
    seen: set[tuple[str, ...]] = set()
    rows = []
    for intent, phrasings in templates["intents"].items():
        order = rng.permutation(len(phrasings))
        active = [phrasings[index] for index in order]
        texts: list[str] = []
        while active and len(texts) < n_per_intent:
            still_active = []
            for template in active:
                if len(texts) == n_per_intent:
                    break
                text = _fill_unseen(template, slots, seen=seen, rng=rng)
                if text is not None:
                    texts.append(text)
                    still_active.append(template)
            active = still_active
        if len(texts) < n_per_intent:
            raise ValueError(
                f"The {language!r} templates of {intent!r} give only {len(texts)} different "
                f"utterances. Received: n_per_intent={n_per_intent}. Ask for fewer, or "
                f"add templates or slot values to templates_{language}.json."
            )
        rows += [{"text": text, "intent": intent, "language": language} for text in texts]
    return rows


def _fill_unseen(
    template: str,
    slots: dict[str, list[str]],
    *,
    seen: set[tuple[str, ...]],
    rng: np.random.Generator,
) -> str | None:
    """The template filled with random slot values into tokens not yet seen, or None."""
    names = _slot_names(template)
    for _ in range(_MAX_TRIES if names else 1):
        values = {name: slots[name][rng.integers(len(slots[name]))] for name in names}
        text = template.format(**values)
        key = tuple(tokenize(text))
        if key not in seen:
            seen.add(key)
            return text
    return None


def _slot_names(template: str) -> list[str]:
    """The slots of a template, each once, in order of first use."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    return list(dict.fromkeys(names))


def _corpus(rows: list[dict[str, str]], *, return_X_y: bool, filename: str | None) -> Any:
    """The Bunch (or `(data, target)`) that `load_intents` and `make_intents` return."""
    data = np.array([row["text"] for row in rows], dtype=str)
    index = {intent: number for number, intent in enumerate(INTENT_LABELS)}
    target = np.array([index[row["intent"]] for row in rows], dtype=np.int64)
    if return_X_y:
        return data, target
    from sklearn.utils import Bunch

    language = np.array([row["language"] for row in rows], dtype=str)
    return Bunch(
        data=data,
        target=target,
        target_names=list(INTENT_LABELS),
        language=language,
        DESCR=_describe(target, language),
        filename=filename,
    )


def _describe(target: np.ndarray, language: np.ndarray) -> str:
    """The DESCR of a corpus: what it is, and its counts."""
    counts = "\n".join(
        f"    {name}: "
        + ", ".join(
            f"{int(np.sum((target == number) & (language == code)))} {code}"
            for code in LANGUAGES
            if code in language
        )
        for number, name in enumerate(INTENT_LABELS)
    )
    return (
        "Intents corpus\n"
        "--------------\n\n"
        "Short requests a person might say to a voice assistant, in English and in Chinese\n"
        "(simplified), labelled with one of ten intents. Deep Learning Studio wrote it:\n"
        "phrasing templates per intent and language (questions, commands, polite forms,\n"
        "fragments) filled with slot values such as cities, songs, times and durations.\n"
        "No utterance repeats within a language, and none belongs to two intents.\n"
        "Tokens: English words lowercased, Chinese characters one by one (`tokenize`).\n\n"
        f"Utterances: {len(target)}. Per intent:\n{counts}\n"
    )


def _check_language(language: str) -> tuple[str, ...]:
    """The languages that `language` selects, or a ValueError."""
    if language == "both":
        return LANGUAGES
    if language in LANGUAGES:
        return (language,)
    raise ValueError(f'`language` must be "both", "en" or "zh". Received: language={language!r}.')


def _check_texts(texts: Sequence[str], name: str) -> list[str]:
    """`texts` as a list of str, or a TypeError that says what was received."""
    if isinstance(texts, str):
        raise TypeError(
            f"`{name}` must be a sequence of texts, not one str. "
            f"Received: {name}={texts[:40]!r}. Wrap it in a list: [{name}]."
        )
    texts = list(texts)
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(
                f"`{name}` must hold only str. Received: an item of type {type(text).__name__}."
            )
    return texts


if __name__ == "__main__":
    main()
