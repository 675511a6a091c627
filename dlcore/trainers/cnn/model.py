"""The Image classifier's network, written once: `build_cnn`, a plain function that the
trainer calls and whose source the exported script carries (`inspect.getsource`).

Every convolution pads its input ("same"), so only pooling shrinks the feature maps: a
block meets a map half as wide as the block before it (rounded down), or the whole image
with pooling "none".
"""

from __future__ import annotations

import keras

from dlcore.trainers.cnn.config import AUGMENTATIONS

ROTATION = 0.05
""""rotate" turns an image by up to this fraction of a full turn either way (18 degrees)."""

ZOOM = 0.15
""""zoom" scales an image in or out by up to this fraction."""

SHIFT = 0.125
""""shift" moves an image by up to this fraction of its side on each axis (1 pixel of 8)."""

BATCH_NORM_MOMENTUM = 0.9
"""The batch norm layers' momentum: Keras's default of 0.99 leaves the moving statistics,
which inference uses, far behind the weights when an epoch has only a few dozen batches."""


def augmentation_layer(name, *, seed):
    """One random augmentation layer, named after what it does: "flip", "rotate", "zoom"
    or "shift". Random in training, the identity at inference."""
    if name == "flip":
        return keras.layers.RandomFlip("horizontal", seed=seed, name=name)
    if name == "rotate":
        return keras.layers.RandomRotation(ROTATION, fill_mode="nearest", seed=seed, name=name)
    if name == "zoom":
        return keras.layers.RandomZoom(ZOOM, fill_mode="nearest", seed=seed, name=name)
    return keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="nearest", seed=seed, name=name)


def build_cnn(
    input_shape,
    n_classes,
    *,
    n_blocks=2,
    n_filters=16,
    kernel_size=3,
    pooling="max",
    batch_norm=False,
    dropout=0.0,
    augmentation=(),
    dense_units=64,
    seed=0,
):
    """A small CNN with the Functional API, uncompiled.

    Layers, by name: "image" (the input); the augmentation layers "flip", "rotate",
    "zoom", "shift" that `augmentation` names, in that order (random in training, the
    identity at inference); then per block k = 1, 2, ...: "conv_k" (a `Conv2D` of
    `n_filters * 2**(k-1)` filters, "same" padding, no activation, no bias under batch
    norm), "bn_k" (with batch norm), "relu_k", "pool_k" (2x2, stride 2; none with
    pooling "none"); then "flatten", "dense" (ReLU, when `dense_units` > 0), "dropout"
    (when `dropout` > 0) and "output" (softmax, float32). Seeds are fixed per layer: conv
    k's kernel initializer takes `seed + k - 1`, the dense layer `seed + n_blocks`, the
    output `seed + n_blocks + 1`, the dropout `seed + n_blocks + 2` and the i-th
    augmentation layer `seed + n_blocks + 3 + i`, so the same arguments give the same
    network without touching global random state.

    Input shape:
        `(batch_size, height, width, channels)`, float32 in [0, 1].

    Output shape:
        `(batch_size, n_classes)`, class probabilities that sum to 1.

    Args:
        input_shape: `(height, width, channels)` of one image.
        n_classes: `int` >= 2.
        n_blocks, n_filters, kernel_size, pooling ("max", "average" or "none"),
            batch_norm, dropout, augmentation, dense_units, seed: as the Image
            classifier's `Config` describes them.

    Returns:
        A `keras.Model` named "cnn".
    """
    inputs = keras.Input(tuple(input_shape), name="image")
    features = inputs
    chosen = [name for name in AUGMENTATIONS if name in augmentation]
    for index, name in enumerate(chosen):
        features = augmentation_layer(name, seed=seed + n_blocks + 3 + index)(features)
    for block in range(n_blocks):
        number = block + 1
        features = keras.layers.Conv2D(
            n_filters * 2**block,
            kernel_size,
            padding="same",
            use_bias=not batch_norm,  # batch norm's own offset replaces the bias
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + block),
            name=f"conv_{number}",
        )(features)
        if batch_norm:
            features = keras.layers.BatchNormalization(
                momentum=BATCH_NORM_MOMENTUM, name=f"bn_{number}"
            )(features)
        features = keras.layers.ReLU(name=f"relu_{number}")(features)
        if pooling == "max":
            features = keras.layers.MaxPooling2D(2, name=f"pool_{number}")(features)
        elif pooling == "average":
            features = keras.layers.AveragePooling2D(2, name=f"pool_{number}")(features)
    features = keras.layers.Flatten(name="flatten")(features)
    if dense_units > 0:
        features = keras.layers.Dense(
            dense_units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + n_blocks),
            name="dense",
        )(features)
    if dropout > 0:
        features = keras.layers.Dropout(dropout, seed=seed + n_blocks + 2, name="dropout")(features)
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + n_blocks + 1),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(features)
    return keras.Model(inputs, outputs, name="cnn")
