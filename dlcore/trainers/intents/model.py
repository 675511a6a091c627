"""The intent classifier, written once: `build_model` builds it, `export_code` pastes it.

`intent_classifier` is a plain function of plain arguments; `transformer_blocks` is the
encoder it stacks for the "transformer" choice. The exported script holds their own
source (`inspect.getsource`), so the app's model and the script's cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras

from dlcore.trainers._recurrent import layer_seeds, recurrent_stack, seeded_dropout
from dlcore.training.layers import TokenAndPositionEmbedding


def transformer_blocks(
    features: Any,
    *,
    padding: Any,
    n_layers: int,
    n_heads: int,
    embedding_dim: int,
    units: int,
    dropout: float,
    seeds: Iterator[int],
) -> Any:
    """`n_layers` Transformer encoder blocks: attention, then feed-forward, each residual.

    `padding` (bool, `(batch_size, max_length)`, True for a real token) is given to every
    block's attention explicitly: Keras 3's `MultiHeadAttention` takes the Keras mask off
    its input tensor when it reads it (keras-team/keras#19817), so a mask carried by the
    tensors would reach the first block only, and later blocks would look at padding.
    """
    for number in range(1, n_layers + 1):
        attention = keras.layers.MultiHeadAttention(
            n_heads, key_dim=embedding_dim // n_heads, name=f"attention_{number}"
        )
        # No token looks at padding, and padding's own rows are left out.
        attended = attention(features, features, query_mask=padding, value_mask=padding)
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
        attended = seeded_dropout(
            attended, dropout, seeds=seeds, name=f"attention_dropout_{number}"
        )
        features = keras.layers.LayerNormalization(epsilon=1e-6, name=f"attention_norm_{number}")(
            keras.layers.Add(name=f"attention_residual_{number}")([features, attended])
        )
        hidden = keras.layers.Dense(
            units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_{number}",
        )(features)
        hidden = keras.layers.Dense(
            embedding_dim,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"feed_forward_out_{number}",
        )(hidden)
        hidden = seeded_dropout(hidden, dropout, seeds=seeds, name=f"feed_forward_dropout_{number}")
        features = keras.layers.LayerNormalization(
            epsilon=1e-6, name=f"feed_forward_norm_{number}"
        )(keras.layers.Add(name=f"feed_forward_residual_{number}")([features, hidden]))
    return features


def intent_classifier(
    vocabulary_size: int,
    n_classes: int,
    *,
    encoder: str = "gru",
    max_length: int = 20,
    embedding_dim: int = 32,
    units: int = 32,
    n_layers: int = 1,
    bidirectional: bool = False,
    n_heads: int = 2,
    kernel_size: int = 3,
    dropout: float = 0.1,
    seed: int = 0,
) -> Any:
    """The intent classifier, uncompiled, with the Functional API.

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
    has its own seed drawn from `seed`, so the same seed gives the same network without
    seeding global random state.

    Input shape:
        `(batch_size, max_length)`, int token ids.

    Output shape:
        `(batch_size, n_classes)`, intent probabilities that sum to 1.

    Returns:
        A `keras.Model` named "intent_<encoder>".
    """
    seeds = layer_seeds(seed)
    token_ids = keras.Input((max_length,), dtype="int32", name="token_ids")
    if encoder == "transformer":
        padding = keras.ops.not_equal(token_ids, 0)  # True for a real token
        embedding_seed = next(seeds)
        next(seeds)  # the layer seeds its position vectors with embedding_seed + 1
        features = TokenAndPositionEmbedding(
            vocabulary_size, max_length, embedding_dim, seed=embedding_seed, name="embedding"
        )(token_ids)
        features = transformer_blocks(
            features,
            padding=padding,
            n_layers=n_layers,
            n_heads=n_heads,
            embedding_dim=embedding_dim,
            units=units,
            dropout=dropout,
            seeds=seeds,
        )
        features = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(
            features, mask=padding
        )
    else:
        features = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=next(seeds)),
            # A convolution cannot skip padding; it learns what the padding vector means.
            mask_zero=encoder != "conv1d",
            name="embedding",
        )(token_ids)
        if encoder == "conv1d":
            for index in range(n_layers):
                features = keras.layers.Conv1D(
                    units,
                    kernel_size,
                    padding="same",
                    activation="relu",
                    kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
                    name=f"conv_{index + 1}",
                )(features)
                features = seeded_dropout(
                    features, dropout, seeds=seeds, name=f"dropout_{index + 1}"
                )
            features = keras.layers.GlobalMaxPooling1D(name="max_over_tokens")(features)
        else:
            features = recurrent_stack(
                features,
                cell=encoder,
                units=units,
                n_layers=n_layers,
                seeds=seeds,
                bidirectional=bidirectional,
                dropout=dropout,
            )
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",
        name="output",
    )(features)
    return keras.Model(token_ids, outputs, name=f"intent_{encoder}")
