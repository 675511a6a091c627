"""The script that Export writes for an intent classifier: the model's own source, pasted."""

from __future__ import annotations

import inspect
from typing import Any

from dlcore.concepts.optimizers import optimizer_code
from dlcore.trainers._arguments import builder_arguments
from dlcore.trainers._recurrent import (
    CELL_CLASS_NAMES,
    CLIP_NORM,
    RECURRENT_CELLS,
    layer_seeds,
    recurrent_layer,
    recurrent_stack,
    seeded_dropout,
)
from dlcore.trainers.intents.model import intent_classifier, transformer_blocks
from dlcore.training import export
from dlcore.training.layers import TokenAndPositionEmbedding

_LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "both": "English and Chinese"}


def export_code(config: Any, *, epochs: int = 20) -> str:
    """Writes a runnable Python script that rebuilds and trains this intent classifier.

    The script pastes the source of `intent_classifier` and of the functions and layers
    it uses, so it builds the same model with the same seeds, trains it with
    `python script.py --epochs N` (the validation sentences measured after every epoch),
    prints the test accuracy overall ("Test accuracy: 0.xxxx") and per language, and
    saves `intent_model.keras` (`--output` to change). It reads and splits the corpus
    through `dlcore.data` (the corpus file, its tokenizer and the split, data only), so
    `dlcore` must be importable.

    Args:
        config: the `Config`; an invalid one raises `ValueError`, saying why.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to `20`.
    """
    export.check_settings(config, epochs)
    pieces: list[Any] = [layer_seeds, seeded_dropout]
    if config.encoder == "transformer":
        pieces += [TokenAndPositionEmbedding, transformer_blocks]
    elif config.encoder in RECURRENT_CELLS:
        pieces += [recurrent_layer, recurrent_stack]
    pieces.append(intent_classifier)
    source = "\n\n".join(inspect.getsource(piece) for piece in pieces)
    builder = builder_arguments(intent_classifier, config)
    settings = "".join(f"{name.upper()} = {value!r}\n" for name, value in builder.items())
    arguments = "".join(f"        {name}={name.upper()},\n" for name in builder)
    return f'''\
"""Intent classifier: {_describe_encoder(config)} on the intents corpus \
({_LANGUAGE_NAMES[config.language]}).

Exported by Deep Learning Studio. Needs numpy, scikit-learn, Keras 3 and, for the data
only, the `dlcore` package on the Python path.
{export.run_note(epochs=epochs, output="intent_model.keras")}"""

from __future__ import annotations

import argparse
import itertools
import os

import keras
import numpy as np

# Data only: the project's own corpus (a CSV that ships inside dlcore), its tokenizer,
# which splits English into words and Chinese into characters, and its three-way split.
# Model and training are plain Keras below.
from dlcore.data.intents import LANGUAGES, load_intents, make_text_vectorizer
from dlcore.data.split import split_indices

LANGUAGE = {config.language!r}
{settings}LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
VALIDATION_FRACTION = {float(config.validation_fraction)!r}
TEST_FRACTION = {float(config.test_fraction)!r}


def load_data():
    """Training, validation and test parts as (token ids, intents, languages), as the app
    splits them, then the vocabulary size and the intent names."""
    corpus = load_intents(language=LANGUAGE)
    strata = np.char.add(corpus.language, corpus.target.astype(str))
    parts = split_indices(
        strata, validation_fraction=VALIDATION_FRACTION, test_fraction=TEST_FRACTION, seed=SEED
    )
    # The vocabulary comes from the training sentences only: "" pads, "[UNK]" is unknown.
    vectorizer = make_text_vectorizer(
        list(corpus.data[parts[0]]), max_tokens=None, sequence_length=MAX_LENGTH
    )
    train, validation, test = (
        (
            np.asarray(vectorizer(corpus.data[part]), dtype=np.int32),
            corpus.target[part],
            corpus.language[part],
        )
        for part in parts
    )
    return train, validation, test, len(vectorizer.get_vocabulary()), corpus.target_names


# The model, as Deep Learning Studio builds it (models saved here load there too).


{source}


def build_model(vocabulary_size, n_classes):
    """The classifier, compiled as the app compiles it."""
    model = intent_classifier(
        vocabulary_size,
        n_classes,
{arguments}    )
{export.compile_code(optimizer_code(config.optimizer, clipnorm=CLIP_NORM))}

{export.main_code(epochs=epochs, output="intent_model.keras", seeded="the order of the batches")}\
    train, validation, test, vocabulary_size, labels = load_data()
    (x_train, y_train, _), (x_val, y_val, _) = train, validation
    x_test, y_test, test_languages = test
    print("x_train shape:", x_train.shape, "x_val shape:", x_val.shape)
    print("x_test shape:", x_test.shape)
    model = build_model(vocabulary_size, len(labels))
{export.fit_code("x_train", "y_train", "(x_val, y_val)")}\
    # The test sentences, looked at once, at the end.
    correct = model.predict(x_test, verbose=0).argmax(axis=1) == y_test
    print(f"Test accuracy: {{correct.mean():.4f}}")
    for language in LANGUAGES:
        if (test_languages == language).any():
            accuracy = correct[test_languages == language].mean()
            print(f"Test accuracy ({{language}}): {{accuracy:.4f}}")
{export.save_code()}'''


def _describe_encoder(config: Any) -> str:
    if config.encoder == "conv1d":
        return f"{config.n_layers} Conv1D layer(s) of {config.units} filters"
    if config.encoder == "transformer":
        return f"{config.n_layers} Transformer block(s) with {config.n_heads} heads"
    direction = "bidirectional " if config.bidirectional else ""
    name = CELL_CLASS_NAMES[config.encoder]
    return f"{config.n_layers} {direction}{name} layer(s) of {config.units} units"
