"""Grad-CAM and saliency on videos: each frame on its own scale, and a layer with room."""

import keras
import numpy as np

from dlcore.explain import gradcam as explain
from dlcore.explain.conv_layers import MIN_MAP_SIDE, find_conv_target


def _leaning_clip_model() -> keras.Model:
    """A per-frame 1x1 conv whose class score weighs frame t by 10 ** t: a model that, like
    a recurrent one, leans on its last frames."""
    frame_input = keras.Input((4, 4, 1))
    frame_maps = keras.layers.Conv2D(1, 1, use_bias=False, activation="relu", name="conv")(
        frame_input
    )
    per_frame = keras.Model(frame_input, keras.layers.Flatten()(frame_maps), name="frame")
    clip = keras.Input((3, 4, 4, 1))
    features = keras.layers.TimeDistributed(per_frame)(clip)
    outputs = keras.layers.Dense(2, activation="softmax", name="output")(
        keras.layers.Flatten()(features)
    )
    model = keras.Model(clip, outputs)
    per_frame.get_layer("conv").set_weights([np.ones((1, 1, 1, 1))])
    weights = np.repeat(10.0 ** np.arange(3), 16)  # frame 0, 1, 2: 1, 10, 100
    model.get_layer("output").set_weights([np.stack([-weights, weights], axis=1), np.zeros(2)])
    return model


def _clip() -> np.ndarray:
    """Three frames, each bright in a different corner."""
    clip = np.full((3, 4, 4, 1), 0.1, np.float32)
    clip[0, 0, 0] = clip[1, 0, 3] = clip[2, 3, 3] = 1.0
    return clip


def test_each_frame_of_a_clip_peaks_at_one_by_default():
    model, clip = _leaning_clip_model(), _clip()
    for heatmap in (
        explain.grad_cam(model, clip, class_index=1),
        explain.saliency(model, clip, class_index=1),
    ):
        np.testing.assert_allclose(heatmap.reshape(3, -1).max(axis=1), 1.0, rtol=1e-6)


def test_one_scale_for_the_clip_shows_how_much_each_frame_counts():
    model, clip = _leaning_clip_model(), _clip()
    heatmap = explain.saliency(model, clip, class_index=1, per_frame=False)
    # Frame t counts 10 ** t: on the clip's scale the first frame is a faint wash.
    np.testing.assert_allclose(heatmap.reshape(3, -1).max(axis=1), [0.01, 0.1, 1.0], rtol=1e-5)
    per_frame = explain.saliency(model, clip, class_index=1)
    np.testing.assert_allclose(per_frame[0], heatmap[0] * 100, rtol=1e-5)


def test_the_bright_corner_is_where_each_frame_looks():
    heatmap = explain.grad_cam(_leaning_clip_model(), _clip(), class_index=1)
    for frame, corner in zip(heatmap, [(0, 0), (0, 3), (3, 3)], strict=True):
        assert np.unravel_index(frame.argmax(), frame.shape) == corner


def _pyramid(sides: list[int]) -> keras.Model:
    """A CNN whose conv layers "conv_k" have maps of the given sides, input side first."""
    inputs = keras.Input((sides[0], sides[0], 1))
    maps = inputs
    for index, side in enumerate(sides):
        if maps.shape[1] != side:
            maps = keras.layers.MaxPooling2D(maps.shape[1] // side)(maps)
        maps = keras.layers.Conv2D(2, 1, padding="same", name=f"conv_{index + 1}")(maps)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(maps))
    return keras.Model(inputs, outputs)


def test_the_default_layer_is_the_last_one_with_room_in_its_maps():
    roomy = _pyramid([16, 8, MIN_MAP_SIDE, 2])
    assert find_conv_target(roomy, None, is_video=False).layer.name == "conv_3"
    # With no layer that large, the largest maps there are, the deepest of equals.
    cramped = _pyramid([2, 2, 1])
    assert find_conv_target(cramped, None, is_video=False).layer.name == "conv_2"
    # A named layer is taken as it is, room or not.
    assert find_conv_target(roomy, "conv_4", is_video=False).layer.name == "conv_4"
