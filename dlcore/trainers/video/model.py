"""The video models: a per-frame CNN and a GRU, ConvLSTM2D or Conv3D, written once.

`motion_model` is the builder, a plain function of plain arguments: `build_model` calls
it with the config's values, and `export_code` pastes its source (with the helpers
below) into the exported script, so that the two cannot drift.

Every convolution pads its input ("same"), so only pooling shrinks the feature maps:
each block's 2x2 pooling halves the frame's side (rounded down), and in "conv3d" every
block after the first also halves the number of frames.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import keras


def motion_model(
    architecture: str,
    input_shape: Sequence[int],
    n_classes: int,
    *,
    n_blocks: int = 2,
    n_filters: int = 16,
    kernel_size: int = 3,
    units: int = 32,
    dropout: float = 0.2,
    batch_norm: bool = False,
    frame_changes: bool = False,
    seed: int = 0,
) -> Any:
    """Builds an (uncompiled) video classifier with the Functional API.

    Layers, by name, after the input "clip":

    - "cnn_gru": "per_frame" (a `TimeDistributed` around the model "frame_cnn", which
      holds per block k = 1, 2, ... "conv_k" (`Conv2D`, ReLU) and "pool_k" (2x2 max
      pooling), then "flatten"), "gru" (a `GRU` that returns its last state);
    - "convlstm": per block "conv_lstm_k" (`ConvLSTM2D`; all but the last return every
      frame's state) and "pool_k" (2x2 max pooling of each frame's state), then
      "flatten", "dense" (ReLU);
    - "conv3d": per block "conv3d_k" (`Conv3D`, ReLU, a kernel of `kernel_size` frames
      and pixels) and "pool_k" (max pooling over 2x2 pixels, and 2 frames after the first
      block), then "flatten", "dense" (ReLU);

    then "dropout" (when `dropout` > 0) and "output" (softmax, float32). With
    `batch_norm`, every block's convolution is followed by "bn_k" (`BatchNormalization`)
    and then its ReLU, "relu_k" (a ConvLSTM2D keeps its own activations: "bn_k" only). Block k has
    `n_filters * 2**(k-1)` filters, every convolution pads ("same"). Every initializer and
    the dropout take the next seed from `seed` on, so the same arguments give the same
    network without touching global random state.

    Args:
        architecture: "cnn_gru", "convlstm" or "conv3d".
        input_shape: `(n_frames, height, width, 3)` of one clip.
        n_classes: `int` >= 1, the motions to tell apart.
        n_blocks: `int` >= 1, conv blocks. Defaults to 2.
        n_filters: `int` >= 1, the first block's filters. Defaults to 16.
        kernel_size: `int` >= 1, in pixels (and frames for "conv3d"). Defaults to 3.
        units: `int` >= 1, the GRU's units or the dense layer's. Defaults to 32.
        dropout: `float` in [0, 1), before the output layer. Defaults to 0.2.
        batch_norm: `bool`, batch normalization after each block's convolution.
            Defaults to False.
        frame_changes: `bool`, give the layers each frame together with its change
            from the frame before (zero for the first frame), six channels per pixel,
            as "with_changes". A moving camera shifts every pixel by a fraction of a
            pixel; the change shows it directly, and a model learns camera motion many
            times faster from it. Defaults to False.
        seed: `int`, the first of the seeds. Defaults to 0.

    Input shape:
        `(batch_size, n_frames, height, width, 3)`, float32 in [0, 1].

    Output shape:
        `(batch_size, n_classes)`, probabilities summing to 1.

    Returns:
        A `keras.Model` named "video_<architecture>".

    Example:

    >>> motion_model("conv3d", (8, 16, 16, 3), 6).output_shape
    (None, 6)
    """
    seeds = itertools.count(seed)  # each initializer and the dropout take the next seed
    inputs = keras.Input(tuple(input_shape), name="clip")
    x = _with_changes(inputs) if frame_changes else inputs
    if architecture == "cnn_gru":
        x = _per_frame_cnn(x.shape[2:], n_blocks, n_filters, kernel_size, batch_norm, seeds)(x)
        # The GRU reads the frames' feature vectors in order and keeps its last state.
        x = keras.layers.GRU(
            units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name="gru",
        )(x)
    else:
        for block in range(n_blocks):
            layer = _video_block(
                architecture, block, n_blocks, n_filters, kernel_size, batch_norm, seeds
            )
            # A ConvLSTM2D applies its own activations: only a Conv3D needs the ReLU.
            x = _normalised(layer(x), block, batch_norm, relu=architecture == "conv3d")
            x = _pooling(architecture, block, n_blocks)(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(
            units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name="dense",
        )(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, seed=next(seeds), name="dropout")(x)
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(x)
    return keras.Model(inputs, outputs, name=f"video_{architecture}")


def _with_changes(clip: Any) -> Any:
    """Each frame and its change from the frame before, on the channel axis: "with_changes"."""
    before = keras.ops.concatenate([clip[:, :1], clip[:, :-1]], axis=1)
    return keras.layers.Concatenate(axis=-1, name="with_changes")([clip, clip - before])


def _per_frame_cnn(
    frame_shape: Sequence[int],
    n_blocks: int,
    n_filters: int,
    kernel_size: int,
    batch_norm: bool,
    seeds: Iterator[int],
) -> Any:
    """The "cnn_gru" frame CNN, wrapped to run on every frame on its own: "per_frame"."""
    frame = keras.Input(tuple(frame_shape), name="frame")
    features = frame
    for block in range(n_blocks):
        features = keras.layers.Conv2D(
            n_filters * 2**block,
            kernel_size,
            padding="same",
            activation=None if batch_norm else "relu",
            use_bias=not batch_norm,  # batch norm's own offset replaces the bias
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"conv_{block + 1}",
        )(features)
        features = _normalised(features, block, batch_norm)
        features = keras.layers.MaxPooling2D(2, name=f"pool_{block + 1}")(features)
    features = keras.layers.Flatten(name="flatten")(features)
    frame_cnn = keras.Model(frame, features, name="frame_cnn")
    return keras.layers.TimeDistributed(frame_cnn, name="per_frame")


def _video_block(
    architecture: str,
    block: int,
    n_blocks: int,
    n_filters: int,
    kernel_size: int,
    batch_norm: bool,
    seeds: Iterator[int],
) -> Any:
    """Block `block` (from 0) of "convlstm" or "conv3d": its ConvLSTM2D or Conv3D layer."""
    initializer = keras.initializers.GlorotUniform(seed=next(seeds))
    if architecture == "conv3d":
        # Each kernel spans kernel_size frames as well as kernel_size x kernel_size pixels.
        return keras.layers.Conv3D(
            n_filters * 2**block,
            kernel_size,
            padding="same",
            activation=None if batch_norm else "relu",
            use_bias=not batch_norm,  # batch norm's own offset replaces the bias
            kernel_initializer=initializer,
            name=f"conv3d_{block + 1}",
        )
    # An LSTM whose gates are convolutions: its memory is a stack of feature maps.
    return keras.layers.ConvLSTM2D(
        n_filters * 2**block,
        kernel_size,
        padding="same",
        return_sequences=block < n_blocks - 1,
        kernel_initializer=initializer,
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        name=f"conv_lstm_{block + 1}",
    )


def _normalised(features: Any, block: int, batch_norm: bool, *, relu: bool = True) -> Any:
    """A convolution's output, batch-normalized and then through `relu`, if `batch_norm`."""
    if not batch_norm:
        return features
    number = block + 1
    features = keras.layers.BatchNormalization(name=f"bn_{number}")(features)
    return keras.layers.ReLU(name=f"relu_{number}")(features) if relu else features


def _pooling(architecture: str, block: int, n_blocks: int) -> Any:
    """The 2x2 max pooling after block `block` (from 0) of "convlstm" or "conv3d"."""
    name = f"pool_{block + 1}"
    if architecture == "conv3d":
        # The first block keeps every frame; the later ones halve the frames too.
        return keras.layers.MaxPooling3D((1 if block == 0 else 2, 2, 2), name=name)
    if block < n_blocks - 1:  # the ConvLSTM returned every frame's state
        return keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2), name=name)
    return keras.layers.MaxPooling2D(2, name=name)
