"""The intent classifier's settings: the corpus part, the encoder, training, and `Config`."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import check_choice, check_fraction, check_number, rule
from dlcore.data import intents as intents_data
from dlcore.data.split import split_sizes
from dlcore.preprocess import UNKNOWN_WORD_CHOICES
from dlcore.trainers._recurrent import RECURRENT_CELLS
from dlcore.training.settings import Limits, TrainerConfig, positive_counts, training_limits

LANGUAGE_CHOICES = ("en", "zh", "both")
"""The corpus parts an intent model can learn: English, Chinese, or both together."""

ENCODERS = (*RECURRENT_CELLS, "conv1d", "transformer")
"""What reads the token vectors of a sentence: a recurrent layer, a 1-D convolution, or a
Transformer encoder block."""

OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum")
"""The optimizers on offer, from `dlcore.concepts.optimizers`; "momentum" is SGD with
momentum 0.9, "sgd" plain SGD."""


_check_language = rule(
    lambda value: value in LANGUAGE_CHOICES,
    'Unknown language. Choose "en" (English), "zh" (Chinese) or "both"',
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
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
        unknown_words: one of `dlcore.preprocess.UNKNOWN_WORD_CHOICES`, how the trained
            model reads a word its vocabulary lacks, kept in the data's preprocessing:
            "unknown" as the same unknown id, like Keras' `TextVectorization`; "nearest"
            as the known word nearest in spelling, where one is near enough
            (`dlcore.preprocess.nearest_known_words`). Training and the test scores are
            the same either way: the split's ids come from the vectorizer. Defaults to
            `"unknown"`.
    """

    language: str = "both"
    validation_fraction: float = 0.1
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
    unknown_words: str = "unknown"

    LIMITS: ClassVar[Limits] = {
        "language": _check_language,
        "encoder": partial(check_choice, choices=ENCODERS),
        "unknown_words": partial(
            check_choice, choices=UNKNOWN_WORD_CHOICES, what="reading of unknown words"
        ),
        **positive_counts(
            {
                "units": "A layer of zero units passes nothing on",
                "n_layers": "The encoder needs at least one layer",
                "embedding_dim": "Each token needs a vector of at least one number",
                "max_length": "A sentence needs at least one token",
                "n_heads": "Attention needs at least one head",
                "kernel_size": "A filter sees at least one token",
            }
        ),
        "dropout": partial(
            check_number, minimum=0, below=1, hint="(a rate of 1 would drop every value)"
        ),
        "validation_fraction": check_fraction,
        "test_fraction": check_fraction,
        **training_limits(optimizers=OPTIMIZERS, unit="sentence"),
    }

    def check_combinations(self) -> None:
        """Checks that the encoder fits the sentences, and that they split by intent.

        Raises:
            ValueError: naming the first impossible setting, e.g. a kernel longer than a sentence.
        """
        if self.bidirectional and self.encoder not in RECURRENT_CELLS:
            raise ValueError(
                f"Only a recurrent encoder ({', '.join(RECURRENT_CELLS)}) can be bidirectional: "
                f"a {self.encoder} already sees the tokens on both sides. Turn bidirectional "
                f"off or pick a recurrent encoder. Received: encoder={self.encoder!r}, "
                "bidirectional=True."
            )
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
        self._check_split()

    def _check_split(self) -> None:
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


def _n_sentences(language: str) -> int:
    """Sentences in the corpus for one of `LANGUAGE_CHOICES`."""
    n_languages = len(intents_data.LANGUAGES) if language == "both" else 1
    return intents_data.N_PER_INTENT * len(intents_data.INTENT_LABELS) * n_languages
