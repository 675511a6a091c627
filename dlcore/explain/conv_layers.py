"""Which conv layer Grad-CAM looks at, and where that layer sits in a Keras model.

The layer is found at the model's top level or inside a per-frame model that a
`TimeDistributed` layer runs on every frame of a video, then followed through the batch
normalization and activation layers right after it. The lookups answer in the graph of
the model that holds the layer, even where a layer is shared by two models.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# Layers that act on each value (or each channel) of a conv layer's output without
# mixing positions: Grad-CAM looks at the end of such a chain, the conv block's
# activation, as the keras.io example does ("..._act").
_ELEMENTWISE_LAYER_NAMES = ("BatchNormalization", "ReLU", "Activation", "LeakyReLU", "ELU")

MIN_MAP_SIDE = 4
"""The smallest map side (in positions) the default layer should still have: a 2x2 or 1x1
map, resized to the input, is one smooth slope or one colour that says nothing about where
the model looked."""


@dataclasses.dataclass(frozen=True)
class ConvTarget:
    """Where the explained conv layer sits: at the top level, or inside a per-frame model."""

    layer: Any  # the layer whose output is explained
    graph: Any  # the model whose layer it is: the model, or the per-frame model
    frame_model: Any = None  # the inner model of a TimeDistributed wrapper, if nested
    wrapper: Any = None  # that TimeDistributed wrapper

    @property
    def output(self) -> Any:
        """The layer's output tensor in its own model's graph."""
        return output_in(self.graph, self.layer)


def _is_conv(layer: Any) -> bool:
    import keras

    conv_types = (
        keras.layers.Conv2D,
        keras.layers.Conv3D,
        keras.layers.SeparableConv2D,
        keras.layers.DepthwiseConv2D,
        keras.layers.ConvLSTM2D,
    )
    return isinstance(layer, conv_types)


def _frame_model(layer: Any) -> Any:
    """The model a `TimeDistributed` layer runs on every frame, or None."""
    import keras

    if isinstance(layer, keras.layers.TimeDistributed) and isinstance(layer.layer, keras.Model):
        return layer.layer
    return None


def _candidates(model: Any) -> list[ConvTarget]:
    """Every conv layer, input side first, with where it sits."""
    found = []
    for layer in model.layers:
        inner = _frame_model(layer)
        if inner is not None:
            found += [
                ConvTarget(child, inner, frame_model=inner, wrapper=layer)
                for child in inner.layers
                if _is_conv(child)
            ]
        elif _is_conv(layer):
            found.append(ConvTarget(layer, model))
    return found


def find_conv_target(model: Any, layer_name: str | None, *, is_video: bool) -> ConvTarget:
    """The named conv layer, or by default the last one whose maps still have space (sides
    of at least `MIN_MAP_SIDE`; else the one with the largest maps) among those that keep the
    time axis for a video model (if any), followed through the elementwise layers after it.

    Raises:
        ValueError: If the model has no conv layer, or none named `layer_name`.
    """
    candidates = _candidates(model)
    if layer_name is not None:
        for candidate in candidates:
            if candidate.layer.name == layer_name:
                return _follow_elementwise(candidate)
        names = ", ".join(candidate.layer.name for candidate in candidates) or "none"
        raise ValueError(
            f"The model has no conv layer named {layer_name!r}. Its conv layers: {names}. "
            f"Received: layer_name={layer_name!r}."
        )
    if not candidates:
        raise ValueError(
            f"Grad-CAM needs a conv layer, and model {model.name!r} has none: use `saliency` "
            "for models without convolutions."
        )
    if is_video:
        candidates = [candidate for candidate in candidates if _keeps_time(candidate)] or candidates
    roomy = [candidate for candidate in candidates if min(_map_size(candidate)) >= MIN_MAP_SIDE]
    if roomy:
        return _follow_elementwise(roomy[-1])
    # The largest maps left; of equals the deepest (max keeps the first it meets).
    deepest_first = reversed(candidates)
    return _follow_elementwise(max(deepest_first, key=lambda candidate: min(_map_size(candidate))))


def _map_size(target: ConvTarget) -> tuple[int, int]:
    """The (height, width) of a conv layer's maps; unknown sides count as large."""
    height, width = target.output.shape[-3:-1]
    return (height or MIN_MAP_SIDE, width or MIN_MAP_SIDE)


def _keeps_time(target: ConvTarget) -> bool:
    """Whether a video model's conv layer gives maps per frame (or per time step)."""
    return target.frame_model is not None or len(target.output.shape) == 5


def _follow_elementwise(target: ConvTarget) -> ConvTarget:
    """Moves from a conv layer to the end of the batch norm/activation chain right after it."""
    layers = target.graph.layers
    index = next(position for position, layer in enumerate(layers) if layer is target.layer)
    current = target.layer
    for following in layers[index + 1 :]:
        if type(following).__name__ not in _ELEMENTWISE_LAYER_NAMES:
            break
        if input_in(target.graph, following) is not output_in(target.graph, current):
            break
        current = following
    return dataclasses.replace(target, layer=current)


def _call_in(graph: Any, layer: Any) -> Any:
    """The call (Keras `Node`) of `layer` that belongs to `graph`'s model.

    A layer reused in a second model (a model built from a bundled model's layers, say)
    has one call per model, and `layer.output` is always the first model's tensor.
    """
    # Keras keeps no public map from a model to its layers' calls: `_nodes` holds the
    # keys of the calls in the model's graph, built as "<id of layer>_ib-<call index>".
    keys = getattr(graph, "_nodes", ())
    for index, node in enumerate(layer._inbound_nodes):
        if f"{id(layer)}_ib-{index}" in keys:
            return node
    return layer._inbound_nodes[0]


def output_in(graph: Any, layer: Any) -> Any:
    """The output tensor of `layer`'s call in `graph`'s model."""
    outputs = _call_in(graph, layer).outputs
    return outputs[0] if len(outputs) == 1 else outputs


def input_in(graph: Any, layer: Any) -> Any:
    """The input tensor of `layer`'s call in `graph`'s model."""
    inputs = _call_in(graph, layer).input_tensors
    return inputs[0] if len(inputs) == 1 else inputs
