"""Custom Keras layers of the trainers, registered so that their models save and load.

A Transformer sees its tokens all at once, so unlike a recurrent layer it has no idea of
their order: `TokenAndPositionEmbedding` adds a learned vector per position to each
token's vector (after the keras.io example "Text classification with Transformer").

Each layer here is registered with Keras as `"dlcore>ClassName"`: importing this module
is enough for `keras.saving.load_model` to rebuild a model that holds one.
"""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="dlcore")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Turns token ids into vectors that also say where each token stands.

    Output = token embedding + position embedding: the token's learned vector plus a
    learned vector for its position 0, 1, ..., so the same word at the start or the end
    of a sentence gives different vectors. Token id 0 is padding: the layer returns a mask
    that is False there, which `MultiHeadAttention` and `GlobalAveragePooling1D` use to
    ignore the padding.

    Args:
        vocabulary_size: `int` >= 2, token ids lie in [0, vocabulary_size).
        max_length: `int` >= 1, the longest sequence, i.e. the number of positions.
        embedding_dim: `int` >= 1, the size of each vector.
        seed: `int` or None, seeds both embeddings' initial values. Defaults to None.

    Input shape:
        `(batch_size, timesteps)`, integer token ids, `timesteps` <= `max_length`.

    Output shape:
        `(batch_size, timesteps, embedding_dim)`, float32; mask `(batch_size, timesteps)`.

    Example:

    >>> layer = TokenAndPositionEmbedding(100, 8, 16, seed=0)
    >>> layer(keras.ops.convert_to_tensor([[5, 7, 0]])).shape
    TensorShape([1, 3, 16])
    """

    def __init__(
        self,
        vocabulary_size: int,
        max_length: int,
        embedding_dim: int,
        *,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
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

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.token_embedding.build(input_shape)
        self.position_embedding.build((input_shape[-1],))

    def call(self, token_ids: Any) -> Any:
        positions = keras.ops.arange(keras.ops.shape(token_ids)[-1])
        return self.token_embedding(token_ids) + self.position_embedding(positions)

    def compute_mask(self, token_ids: Any, mask: Any = None) -> Any:
        return keras.ops.not_equal(token_ids, 0)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape, self.embedding_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "max_length": self.max_length,
            "embedding_dim": self.embedding_dim,
            "seed": self.seed,
        }
