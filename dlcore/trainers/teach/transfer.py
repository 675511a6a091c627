"""Transfer learning for Teach your own classes: a bundled model's frozen layers and a new head.

Written once, as plain functions: `build_model` calls `build_transfer`, and the exported
script carries its source (`inspect.getsource`).
"""

from __future__ import annotations

import keras

from dlcore.trainers.cnn import AUGMENTATIONS, augmentation_layer


def feature_layer_index(model):
    """The index of the model's last flatten or global pooling layer; else of its last
    pooling layer: where its features end and a new head can start."""
    features = (
        keras.layers.Flatten,
        keras.layers.GlobalAveragePooling2D,
        keras.layers.GlobalMaxPooling2D,
    )
    pooling = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
    for kinds in (features, pooling):
        found = [index for index, layer in enumerate(model.layers) if isinstance(layer, kinds)]
        if found:
            return found[-1]
    raise ValueError(
        f"The model {model.name!r} has no flatten or pooling layer to cut after, so it "
        "can't take a new head: start from scratch instead."
    )


def build_transfer(base, n_classes, *, seed=0):
    """A model's layers up to its features, frozen, with augmentation and a new head.

    Layers: "image" (the input, `base`'s input shape); the augmentation layers "flip",
    "rotate", "zoom" and "shift" (seeds `seed + 100` to `seed + 103`); copies of `base`'s
    layers up to `feature_layer_index(base)` (its own augmentation layers left out), with
    `base`'s weights and `trainable=False`; "flatten" where the features are not flat
    yet; and a new "output" softmax `Dense` over `n_classes`, the only layer that trains.

    Each layer is a copy (its config and weights): `base` (a bundled model is shared by
    every browser session) does not change, and a layer used by this model alone has one
    output, so that its feature maps can be read.

    Args:
        base: a Functional `keras.Model` that is one chain of layers up to its features.
        n_classes: `int` >= 2.
        seed: `int`, the augmentation's and the head's seeds.

    Returns:
        An uncompiled `keras.Model` named "taught".

    Raises:
        ValueError: If `base` has no pooling or flatten layer to cut after, or is not one
            chain of layers up to it.
    """
    cut = feature_layer_index(base)
    inputs = keras.Input(tuple(base.input_shape[1:]), name="image")
    features = inputs
    for index, name in enumerate(AUGMENTATIONS):
        features = augmentation_layer(name, seed=seed + 100 + index)(features)
    previous = base.layers[0].output
    for layer in base.layers[1 : cut + 1]:
        if layer.input is not previous:
            raise ValueError(
                f"The model {base.name!r} is not one chain of layers up to its features "
                f"(at layer {layer.name!r}), so it can't be cut for a new head: start from "
                "scratch instead."
            )
        previous = layer.output
        if layer.name in AUGMENTATIONS:
            continue  # the new augmentation layers above replace the model's own
        copy = type(layer).from_config(layer.get_config())
        features = copy(features)
        copy.set_weights(layer.get_weights())
        copy.trainable = False
    if features.ndim > 2:
        features = keras.layers.Flatten(name="flatten")(features)
    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(features)
    return keras.Model(inputs, outputs, name="taught")
