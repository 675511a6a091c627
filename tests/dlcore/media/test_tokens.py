"""Tests for dlcore.media.tokens: English words and Chinese characters, in Python and in the
TensorFlow graph."""

# The cases are Chinese text, with its own full-width punctuation and ideographic zero.
# ruff: noqa: RUF001

import numpy as np
import pytest

from dlcore.data import intents
from dlcore.media.tokens import tokenize, tokenize_tensor

# text -> tokens
TOKENIZE_CASES = [
    ("What's the weather in Paris?", ["what's", "the", "weather", "in", "paris"]),
    ("SET A TIMER for 10 minutes", ["set", "a", "timer", "for", "10", "minutes"]),
    ("Wake me at 6:30am", ["wake", "me", "at", "6", "30", "am"]),
    ("what’s up, rock'n'roll?", ["what's", "up", "rock'n'roll"]),
    ("'quoted' words'' and 90's", ["quoted", "words", "and", "90", "s"]),
    ("Play Beyoncé, danke schön", ["play", "beyoncé", "danke", "schön"]),
    ("北京明天天气怎么样？", ["北", "京", "明", "天", "天", "气", "怎", "么", "样"]),
    ("二〇二四年", ["二", "〇", "二", "四", "年"]),
    (
        "播放周杰伦的 Jay Chou songs",
        ["播", "放", "周", "杰", "伦", "的", "jay", "chou", "songs"],
    ),
    ("打开BBC中文news", ["打", "开", "bbc", "中", "文", "news"]),
    ("hello!!! ... (((world))) -- #42 @home", ["hello", "world", "42", "home"]),
    ("🎵 play music 😀👍 好的✨", ["play", "music", "好", "的"]),
    ("", []),
    ("   \t\n  ", []),
    ("?!。，、“”😀", []),
    ("Привет こんにちは hi", ["hi"]),
]


@pytest.mark.parametrize(("text", "tokens"), TOKENIZE_CASES)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_bytes_are_refused_with_how_to_decode_them():
    with pytest.raises(TypeError, match=r"Received: text of type bytes"):
        tokenize(b"bytes")


def random_texts(count, *, seed):
    """Short strings mixing letters, digits, apostrophes, Chinese, emoji and odd symbols."""
    pieces = [
        *"aZé É'’ 3-09,.!?\t\n天气İKß×÷_",
        "〇",
        "😀",
        "\U00020001",
        "ж",
        "の",
        "\u0301",
        "\u212a",
        "\x00",
        "a'b",
    ]
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(pieces, size=rng.integers(0, 20))) for _ in range(count)]


def test_tokenize_tensor_gives_the_same_tokens_as_tokenize():
    import tensorflow as tf

    texts = [
        *intents.load_intents().data.tolist(),
        *(text for text, _ in TOKENIZE_CASES),
        *random_texts(500, seed=0),
    ]

    tokens = tokenize_tensor(tf.constant(texts)).to_list()

    decoded = [[token.decode("utf-8") for token in row] for row in tokens]
    assert decoded == [tokenize(text) for text in texts]
