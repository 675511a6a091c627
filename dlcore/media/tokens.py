"""Typed text split into tokens, in Python and in the TensorFlow graph: English words and
Chinese characters, the way every text model of the project reads a sentence."""

from __future__ import annotations

import re
from typing import Any

# Chinese characters: CJK Unified Ideographs, Extension A, the compatibility ideographs,
# Extensions B to H (one range, U+20000 to U+323AF), and U+3007, the ideographic zero.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"


# Letters of words: ASCII and the accented Latin letters (Latin-1 to Latin Extended-B,
# without × and ÷), so that "Beyoncé" and "schön" stay whole words.
_LETTERS = "a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"


_TOKEN_PATTERN = re.compile(f"[{_CJK}]|[0-9]+|[{_LETTERS}]+(?:'[{_LETTERS}]+)*")


# Phones type the right single quotation mark (U+2019) for an apostrophe.
_RIGHT_QUOTE = "\u2019"


# Marks a kept apostrophe while `tokenize_tensor` drops the others; never in the text
# by then, since every character that is not a token character has become a space.
_KEPT_APOSTROPHE = "\x01"


def tokenize(text: str) -> list[str]:
    """Splits text into tokens: lowercase English words and single Chinese characters.

    English words are runs of Latin letters, lowercased, that keep an apostrophe inside
    them ("what's"; the typographic apostrophe U+2019 counts as one). Runs of digits
    are tokens of their own, so "3pm" gives "3" and "pm". Every Chinese character is a
    token, as Chinese has no spaces between words. Punctuation, emoji, other symbols
    and letters of other scripts are dropped. Mixed text is split by the same rules.

    Args:
        text: `str`, any length; may be empty.

    Returns:
        A list of `str` tokens in the order they appear; empty if `text` has none.

    Raises:
        TypeError: If `text` is not a `str`.

    Example:

    >>> tokenize("播放周杰伦的 Jay Chou songs!")
    ['播', '放', '周', '杰', '伦', '的', 'jay', 'chou', 'songs']
    >>> tokenize("What's the weather at 3pm? ☀️")
    ["what's", 'the', 'weather', 'at', '3', 'pm']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"`text` must be a str. Received: text of type {type(text).__name__}. "
            "Decode bytes first, e.g. text.decode('utf-8')."
        )
    return _TOKEN_PATTERN.findall(text.lower().replace(_RIGHT_QUOTE, "'"))


def tokenize_tensor(text: Any) -> Any:
    """Splits a string tensor into the tokens that `tokenize` gives, with TensorFlow ops.

    This is `tokenize` for the TensorFlow graph: the `split` of the layer that
    `make_text_vectorizer` builds, and usable in a `tf.data` pipeline. It lowercases,
    turns every character that is not part of a token into a space, puts spaces around
    each Chinese character and each run of digits, drops apostrophes that are not
    inside a word and splits on spaces. The tests check that it gives the same tokens
    as `tokenize`.

    Args:
        text: A `tf.string` tensor of any shape, UTF-8, e.g. `(batch_size,)`.

    Returns:
        A `tf.RaggedTensor` of `tf.string` tokens, shape `text.shape + (None,)`; a dense
        1-D tensor if `text` is a scalar.

    Example:

    >>> import tensorflow as tf
    >>> tokenize_tensor(tf.constant(["Play 晴天, please!"])).to_list()
    [[b'play', b'\\xe6\\x99\\xb4', b'\\xe5\\xa4\\xa9', b'please']]
    """
    import tensorflow as tf

    # TensorFlow's UTF-8 lowercasing stops at a NUL character, so NUL goes first.
    text = tf.strings.regex_replace(text, r"\x00", " ")
    text = tf.strings.lower(text, encoding="utf-8")
    text = tf.strings.regex_replace(text, _RIGHT_QUOTE, "'")
    text = tf.strings.regex_replace(text, f"[^{_CJK}{_LETTERS}0-9']+", " ")
    text = tf.strings.regex_replace(text, f"([{_CJK}]|[0-9]+)", r" \1 ")
    # An apostrophe stays only between two letters. Matches cannot overlap, so in
    # "rock'n'roll" the first pass marks one apostrophe and the second pass the other.
    for _ in range(2):
        text = tf.strings.regex_replace(
            text, f"([{_LETTERS}])'([{_LETTERS}])", rf"\1{_KEPT_APOSTROPHE}\2"
        )
    text = tf.strings.regex_replace(text, "'", " ")
    text = tf.strings.regex_replace(text, _KEPT_APOSTROPHE, "'")
    return tf.strings.split(text)
