"""Looking inside a trained video model: probabilities, confusions, mistakes, feature maps.

`confusion_matrix` and `misclassified` score the test clips: a page calls them once,
after training, as it does `evaluate`.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from numpy.typing import ArrayLike

from dlcore.training import evaluation

ANALYSIS = evaluation.TestAnalysis(batch_size=256, limit=8)
"""Clips per call of the model, and test clips `misclassified` returns by default."""
predict_proba = ANALYSIS.predict_proba
confusion_matrix = ANALYSIS.confusion_matrix
misclassified = ANALYSIS.misclassified


def feature_maps(model: Any, clip: ArrayLike) -> np.ndarray:
    """What the first block makes of every frame of one clip, at inference.

    - "cnn_gru": the ReLU maps of "conv_1" of the per-frame CNN, frame by frame: each
      frame (with its change from the frame before, if the model adds it) is seen on its
      own;
    - "convlstm": the hidden state of "conv_lstm_1" after each frame (in [-1, 1]): its
      memory, which carries what earlier frames showed;
    - "conv3d": the ReLU maps of "conv3d_1", whose kernels span `kernel_size` frames, so
      each time step responds to change between neighbouring frames.

    Computed by a Keras sub-model of the trained model's own layers.

    Args:
        model: a model from `build_model`.
        clip: float32, shape `(n_frames, height, width, 3)`, values in [0, 1].

    Returns:
        float32, shape `(n_frames, height, width, n_filters)`.

    Raises:
        ValueError: If the clip's shape is not the model's input shape.
    """
    frames = evaluation.check_model_input(
        model, clip, name="clip", axes="frames, height, width, channels"
    )
    layer_names = {layer.name for layer in model.layers}
    steps = frames  # what the first block takes: each frame, with its change if the model adds it
    if "with_changes" in layer_names:
        changes = keras.Model(model.input, model.get_layer("with_changes").output)
        steps = np.asarray(changes(frames[np.newaxis], training=False))[0]
    if "per_frame" in layer_names:
        frame_cnn = model.get_layer("per_frame").layer
        probe = keras.Model(frame_cnn.input, _first_maps(frame_cnn, "conv_1").output)
        return np.asarray(probe(steps, training=False), dtype=np.float32)
    if "conv3d_1" in layer_names:
        probe = keras.Model(model.input, _first_maps(model, "conv3d_1").output)
        return np.asarray(probe(frames[np.newaxis], training=False), dtype=np.float32)[0]
    recurrent = model.get_layer("conv_lstm_1")
    if not recurrent.return_sequences:
        # With one block the layer returns only its last state: a copy with the same
        # weights that returns every frame's state.
        settings = {**recurrent.get_config(), "return_sequences": True, "name": "states"}
        recurrent_states = keras.layers.ConvLSTM2D.from_config(settings)
        recurrent_states.build((None, *steps.shape))
        recurrent_states.set_weights(recurrent.get_weights())
        return np.asarray(recurrent_states(steps[np.newaxis]), dtype=np.float32)[0]
    probe = keras.Model(model.input, recurrent.output)
    return np.asarray(probe(frames[np.newaxis], training=False), dtype=np.float32)[0]


def _first_maps(model: Any, convolution: str) -> Any:
    """The layer that gives the first block's ReLU maps: after batch norm, if there is one."""
    names = {layer.name for layer in model.layers}
    return model.get_layer("relu_1" if "relu_1" in names else convolution)
