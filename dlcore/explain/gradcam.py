"""Where a trained image or video model looks: Grad-CAM, saliency maps and heatmap overlays.

Two ways to ask a classifier "which part of this input made you say that?":

- Grad-CAM (Selvaraju et al., 2017, "Grad-CAM: Visual Explanations from Deep Networks
  via Gradient-based Localization"): take a conv layer's feature maps A_k and the
  gradient of the class score y_c with respect to them. Each channel's weight is its
  gradient averaged over the map's positions, alpha_k = mean(dy_c / dA_k); the map is
  ReLU(sum_k alpha_k A_k), scaled to [0, 1] and resized to the input. It is coarse (the
  conv layer's resolution) but follows what the model has learned to detect.
- Saliency (Simonyan et al., 2014, "Deep Inside Convolutional Networks"): the gradient
  of the class score with respect to every input pixel, |dy_c / dx|, the largest over
  the colour channels. Sharp, but noisy: it says which pixels the score is most
  sensitive to, not which object the model found.

The class score is the output layer's score before its softmax where it can be reached
(a final `Dense` with softmax, or a final `Softmax`/softmax `Activation` layer): a
probability near 1 has almost no gradient left, so maps from probabilities fade exactly
when the model is sure. Otherwise the model's output is used as it is.

Both work on the project's image CNNs (`dlcore.trainers.cnn.build_cnn`) and video models
(`dlcore.trainers.video.motion_model`), and on any Keras model made of the same kinds of
layers. For a video the answer is one map per input frame:

- a 2-D CNN run on every frame (`TimeDistributed`, "cnn_gru"): each frame's own maps;
- `Conv3D` and sequence-returning `ConvLSTM2D`: the layer's output has a time axis; each
  output time step gets its own map and covers the input frames it was pooled from
  (after a 2-frame pooling, output step t covers frames 2t and 2t + 1);
- a `ConvLSTM2D` that returns only its last state has one map for the whole clip (its
  memory after the last frame), shown on every frame. That is why, for videos, the
  default layer is the last conv layer that keeps the time axis, when there is one.

Each time step has its own channel weights (the gradient averaged over that step's
positions only), and by default each frame's map is divided by its own largest value: a
recurrent model leans on its last frames, so on one shared scale the early frames of a
real clip are a uniform wash that hides where, in them, the model looked. `per_frame=False`
puts a clip's maps on one scale instead, to compare how much each frame counts.

Which conv layer Grad-CAM looks at, and where it sits in the model, is decided in
`dlcore.explain.conv_layers`.

`overlay` lays a map over the image it explains, in colour, for a page to show, and
`prepare_with_steps` shows the other half of "what the model sees": how a person's image
became the model's input, step by step.

Example:

>>> heatmap = grad_cam(model, image)           # doctest: +SKIP
>>> heatmap.shape, heatmap.min() >= 0, heatmap.max() <= 1   # doctest: +SKIP
((8, 8), True, True)
>>> overlay(picture_uint8, heatmap).dtype      # doctest: +SKIP
dtype('uint8')
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image

from dlcore.explain.conv_layers import ConvTarget, find_conv_target, input_in, output_in

# Colour stops of the heatmap colour scale, dark blue (0) through cyan, yellow and red
# (1): a "jet"-like scale, the one the Grad-CAM paper and the keras.io example show.
_HEAT_STOPS = np.array(
    [
        [0.0, 0, 0, 128],
        [0.15, 0, 0, 255],
        [0.4, 0, 255, 255],
        [0.6, 255, 255, 0],
        [0.85, 255, 0, 0],
        [1.0, 128, 0, 0],
    ],
    dtype=np.float32,
)


def grad_cam(
    model: Any,
    inputs: ArrayLike,
    *,
    class_index: int | None = None,
    layer_name: str | None = None,
    per_frame: bool = True,
) -> np.ndarray:
    """The Grad-CAM map of one input: where the chosen conv layer saw the class.

    Input shape:
        One prepared model input, without a batch axis: `(height, width, channels)` for
        an image model, `(n_frames, height, width, channels)` for a video model; float32
        as the model takes it (the project's models: values in [0, 1]).

    Output shape:
        `(height, width)` for an image, `(n_frames, height, width)` for a video: float32
        in [0, 1], bilinearly resized from the conv layer's resolution to the input's.
        The largest value of each frame's map (with `per_frame`; else of all of them) is 1,
        unless the map is all zero (no position speaks for the class: every weighted sum
        was negative), which is returned as zeros.

    Args:
        model: a Keras model (e.g. from `dlcore.trainers.cnn.build_cnn` or
            `dlcore.trainers.video.motion_model`) with at least one conv layer.
        inputs: the model input, as above.
        class_index: `int`, the class to explain. Defaults to None: the predicted class.
        layer_name: `str`, the conv layer to look at (a layer of the model or of its
            per-frame model). Defaults to None: the last conv layer whose maps still have
            space (`dlcore.explain.conv_layers.MIN_MAP_SIDE`; for a video model, the last
            one whose output keeps the time axis, if any), followed through the batch
            normalization and activation layers that directly follow it.
        per_frame: `bool`, for a video: scale each frame's map to its own largest value
            (the default), or all frames by the clip's largest value (`False`).

    Returns:
        The map, as above.

    Raises:
        ValueError: If `inputs` does not have the model's input shape, the model has no
            conv layer (or none named `layer_name`), or `class_index` is out of range.

    Example:

    >>> from dlcore.trainers import cnn
    >>> model = cnn.build_cnn((8, 8, 1), 10)
    >>> grad_cam(model, np.zeros((8, 8, 1), np.float32)).shape
    (8, 8)
    """
    import tensorflow as tf

    values = _check_inputs(model, inputs)
    target = find_conv_target(model, layer_name, is_video=_is_video(model))
    with tf.GradientTape() as tape:
        activations, scores = _forward(model, target, values)
        score = _class_score(scores, class_index)
    gradients = tape.gradient(score, activations)
    if gradients is None:
        raise ValueError(
            f"The class score does not depend on layer {target.layer.name!r}: choose a conv "
            f"layer on the path to the output. Received: layer_name={layer_name!r}."
        )
    maps = _weighted_maps(
        np.asarray(activations, dtype=np.float32), np.asarray(gradients, dtype=np.float32)
    )
    return _to_input_size(maps, values.shape, per_frame=per_frame)


def saliency(
    model: Any, inputs: ArrayLike, *, class_index: int | None = None, per_frame: bool = True
) -> np.ndarray:
    """The saliency map of one input: how strongly each pixel moves the class score.

    |d score / d pixel|, the largest over the colour channels, divided by the largest
    value: of each frame of a video with `per_frame` (the default), else of the clip.

    Input shape:
        As `grad_cam`: `(height, width, channels)` or `(n_frames, height, width, channels)`.

    Output shape:
        `(height, width)` or `(n_frames, height, width)`, float32 in [0, 1] (all zero
        when the score does not depend on the input at all).

    Args:
        model: a Keras model.
        inputs: one prepared model input, without a batch axis.
        class_index: `int`, the class to explain. Defaults to None: the predicted class.
        per_frame: `bool`, for a video: scale each frame's map on its own (the default),
            or all on one scale (`False`).

    Returns:
        The map, as above.

    Raises:
        ValueError: If `inputs` does not have the model's input shape, or `class_index` is
            out of range.
    """
    import tensorflow as tf

    values = _check_inputs(model, inputs)
    batch = tf.convert_to_tensor(values[np.newaxis])
    scorer = _score_model(model)
    with tf.GradientTape() as tape:
        tape.watch(batch)
        score = _class_score(_scores(model, scorer(batch, training=False)), class_index)
    gradients = np.abs(np.asarray(tape.gradient(score, batch), dtype=np.float32))[0]
    strengths = gradients.max(axis=-1)
    return _normalized(strengths, per_frame=per_frame and _is_video(model))


def overlay(image: ArrayLike, heatmap: ArrayLike, *, alpha: float = 0.45) -> np.ndarray:
    """Lays a heatmap over an image in colour: blue where it is 0, red where it is 1.

    The heatmap is resized to the image bilinearly, coloured with a jet-like scale and
    blended in: `(1 - alpha) * image + alpha * colour`.

    Args:
        image: uint8 `(H, W)` or `(H, W, 3)` (values 0-255), or float `(H, W)`,
            `(H, W, 1)` or `(H, W, 3)` in [0, 1]. A greyscale image is shown in grey.
        heatmap: float `(h, w)` in [0, 1], e.g. from `grad_cam`; values outside are clipped.
        alpha: `float` in [0, 1], the heatmap's share of each pixel. Defaults to 0.45.

    Returns:
        uint8, shape `(H, W, 3)`.

    Raises:
        ValueError: If the image or heatmap has another shape, or `alpha` is outside [0, 1].

    Example:

    >>> overlay(np.zeros((32, 32), np.uint8), np.ones((8, 8))).shape
    (32, 32, 3)
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f"`alpha` must be in [0, 1]. Received: alpha={alpha!r}.")
    rgb = _as_rgb_float(image)
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise ValueError(
            "The heatmap must be one (height, width) map; for a video, overlay each frame's "
            f"map on its frame. Received: shape {heat.shape}."
        )
    height, width = rgb.shape[:2]
    if heat.shape != (height, width):
        heat = np.asarray(
            Image.fromarray(heat, mode="F").resize((width, height), Image.Resampling.BILINEAR)
        )
    colours = heat_colours(heat)
    blended = (1 - alpha) * rgb + alpha * colours
    return np.clip(np.rint(blended * 255), 0, 255).astype(np.uint8)


def heat_colours(heatmap: ArrayLike) -> np.ndarray:
    """Colours a map with the jet-like scale `overlay` uses.

    Args:
        heatmap: float, any shape, values in [0, 1] (clipped).

    Returns:
        float32, the heatmap's shape plus a last axis of 3 (RGB), values in [0, 1].
    """
    heat = np.clip(np.nan_to_num(np.asarray(heatmap, dtype=np.float32)), 0.0, 1.0)
    stops = _HEAT_STOPS[:, 0]
    channels = [np.interp(heat, stops, _HEAT_STOPS[:, channel]) for channel in (1, 2, 3)]
    return (np.stack(channels, axis=-1) / 255).astype(np.float32)


def _is_video(model: Any) -> bool:
    return len(model.inputs[0].shape) == 5


def _check_inputs(model: Any, inputs: ArrayLike) -> np.ndarray:
    values = np.asarray(inputs, dtype=np.float32)
    expected = tuple(model.inputs[0].shape[1:])
    matches = values.ndim == len(expected) and all(
        size is None or size == actual for size, actual in zip(expected, values.shape, strict=True)
    )
    if not matches:
        axes = "(height, width, channels)"
        if _is_video(model):
            axes = "(frames, height, width, channels)"
        raise ValueError(
            f"Expected one model input of shape {expected} {axes}, without a batch axis "
            f"(prepare it with the model's preprocessing first). Received: shape {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("The input contains NaN or infinite values: it cannot be explained.")
    return values


def _softmax_head(model: Any) -> tuple[str, Any]:
    """How to reach the score before the softmax: ("dense", layer), ("logits", layer) or
    ("output", None) where it cannot be reached."""
    import keras

    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    is_softmax = activation is keras.activations.softmax or (
        getattr(activation, "__name__", "") == "softmax"
    )
    if isinstance(last, keras.layers.Dense) and is_softmax:
        return "dense", last
    if isinstance(last, keras.layers.Softmax) or (
        isinstance(last, keras.layers.Activation) and is_softmax
    ):
        return "logits", last
    return "output", None


def _score_source(model: Any) -> Any:
    """The symbolic tensor the class scores are computed from."""
    kind, layer = _softmax_head(model)
    return model.outputs[0] if kind == "output" else input_in(model, layer)


def _scores(model: Any, source: Any) -> Any:
    """The class scores (pre-softmax where reachable) from `_score_source`'s value."""
    from keras import ops

    kind, layer = _softmax_head(model)
    source = ops.cast(source, "float32")
    if kind != "dense":
        return source
    scores = ops.matmul(source, ops.cast(layer.kernel, "float32"))
    if layer.use_bias:
        scores = scores + ops.cast(layer.bias, "float32")
    return scores


def _score_model(model: Any) -> Any:
    import keras

    return keras.Model(model.inputs, _score_source(model))


def _forward(model: Any, target: ConvTarget, values: np.ndarray) -> tuple[Any, Any]:
    """Runs the model on one input, returning (the target's activations, the class scores).

    Both are computed in one pass, so that a surrounding tape links them. Activations:
    `(1, h, w, channels)` for an image or a layer without a time axis, `(1, n_steps, h, w,
    channels)` for a layer with one, `(n_frames, h, w, channels)` inside a per-frame
    model; scores: `(1, n_classes)`.
    """
    import keras
    from keras import ops

    batch = ops.convert_to_tensor(values[np.newaxis])
    if target.frame_model is None:
        probe = keras.Model(model.inputs, [target.output, _score_source(model)])
        activations, source = probe(batch, training=False)
        return activations, _scores(model, source)
    inner = target.frame_model
    head = keras.Model(inner.inputs, target.output)
    tail = keras.Model(target.output, inner.outputs[0])
    rest = keras.Model(output_in(model, target.wrapper), _score_source(model))
    clips = input_in(model, target.wrapper)
    if clips is not model.inputs[0]:  # layers before the per-frame model
        batch = keras.Model(model.inputs, clips)(batch, training=False)
    activations = head(batch[0], training=False)
    frame_features = tail(activations, training=False)
    source = rest(ops.expand_dims(frame_features, 0), training=False)
    return activations, _scores(model, source)


def _class_score(scores: Any, class_index: int | None) -> Any:
    n_classes = int(scores.shape[-1])
    if class_index is None:
        class_index = int(np.argmax(np.asarray(scores)[0]))
    if not isinstance(class_index, int | np.integer) or not 0 <= class_index < n_classes:
        raise ValueError(
            f"`class_index` must be an integer from 0 to {n_classes - 1}. "
            f"Received: class_index={class_index!r}."
        )
    return scores[0, int(class_index)]


def _weighted_maps(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Grad-CAM per time step: ReLU(sum_k mean_positions(dy/dA_k) * A_k), (steps, h, w)."""
    steps = activations.reshape(-1, *activations.shape[-3:])
    slopes = gradients.reshape(steps.shape)
    channel_weights = slopes.mean(axis=(1, 2))  # (steps, channels)
    return np.maximum(np.einsum("thwk,tk->thw", steps, channel_weights), 0.0)


def _normalized(maps: np.ndarray, *, per_frame: bool = False) -> np.ndarray:
    """Maps >= 0 divided by their largest value, or each map along the first axis by its
    own (`per_frame`); a map with no positive, finite largest value becomes zeros."""
    maps = np.asarray(maps, dtype=np.float32)
    if not maps.size:
        return maps
    axes = tuple(range(1, maps.ndim)) if per_frame else None
    largest = maps.max(axis=axes, keepdims=True)
    usable = (largest > 0) & np.isfinite(largest)
    return np.where(usable, maps / np.where(usable, largest, 1.0), 0.0).astype(np.float32)


def _to_input_size(
    maps: np.ndarray, input_shape: tuple[int, ...], *, per_frame: bool
) -> np.ndarray:
    """(steps, h, w) maps >= 0 -> the input's (height, width) or (n_frames, height, width),
    divided by their largest value (each step's own with `per_frame`)."""
    import tensorflow as tf

    height, width = input_shape[-3:-1]
    resized = tf.image.resize(maps[..., np.newaxis], (height, width), method="bilinear")
    # Normalized after resizing, so that the largest value shown is 1 (bilinear
    # resizing samples between the coarse map's centres and would lower the peak).
    resized = np.maximum(np.asarray(resized, dtype=np.float32)[..., 0], 0.0)
    resized = _normalized(resized, per_frame=per_frame)
    if len(input_shape) == 3:  # an image: one map
        return resized[0]
    n_frames = input_shape[0]
    # Output step t of a layer with n_steps steps covers input frames
    # [t * n_frames / n_steps, (t + 1) * n_frames / n_steps): pooling over time merges
    # neighbouring frames, and a last-state layer (1 step) covers them all.
    n_steps = len(resized)
    steps_of_frames = np.arange(n_frames) * n_steps // n_frames
    return resized[steps_of_frames]


def _as_rgb_float(image: ArrayLike) -> np.ndarray:
    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ValueError(
            "The image must be (height, width) greyscale or (height, width, 3) RGB. "
            f"Received: shape {pixels.shape}."
        )
    values = pixels.astype(np.float32) / 255 if pixels.dtype == np.uint8 else pixels
    values = np.clip(np.asarray(values, dtype=np.float32), 0.0, 1.0)
    if values.ndim == 2:
        values = np.repeat(values[..., np.newaxis], 3, axis=2)
    return values
