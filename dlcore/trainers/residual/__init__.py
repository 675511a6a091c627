"""Depth and residual connections: one deep network with and without skips and batch norm.

The logic behind the "Depth and residuals (ResNet)" page, with the names of the trainer
contract (see `dlcore.trainers`). A `Config` sets a deep stack of dense layers of one
width; the page compares four variants that differ only in two switches, so that any
difference in training comes from them. In the pre-activation order of ResNet v2 (He et
al., 2016), hidden layer k computes from the stream x:

    plain:        x_k = W_k act(x_{k-1}) + b_k
    plain_bn:     x_k = W_k act(BN(x_{k-1})) + b_k
    residual:     x_k = x_{k-1} + W_k act(x_{k-1}) + b_k
    residual_bn:  x_k = x_{k-1} + W_k act(BN(x_{k-1})) + b_k

All variants start from the same kernels. In a plain stack the gradient that reaches the
first layers is a product of one factor per layer, and it fades (or explodes) with depth;
a skip connection adds a path on which the gradient passes every layer unchanged, and
batch norm keeps each layer's input at the same size. `gradient_norms` measures the
gradient's size at every layer.

`load_data` splits the task into training, validation and test parts; `build_model`
builds the chosen variants side by side as one Keras model whose weights have a variant
axis (`build_side_by_side`, with the layers of `dlcore.training.layers`), and `fit`
trains it, reporting every variant after each epoch; `evaluate` scores each variant on
the test part, once, at the end; `export_code` writes the same model and training as a
standalone Keras script.

Example:

>>> config = Config(dataset="spiral", depth=30, variants=("plain", "residual"))
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=20)                    # doctest: +SKIP
>>> plain, residual = (result.history.variant(name)["loss"][-1] for name in
...                    config.variants)                             # doctest: +SKIP
>>> residual < plain   # 0.1 against 2.3 for plain, stuck at chance   # doctest: +SKIP
True
>>> evaluate(model, data)["test_residual_accuracy"]                 # doctest: +SKIP
0.99
"""

from dlcore.trainers.residual.config import (
    ACTIVATIONS,
    DATASETS,
    DIGITS_PREPROCESSING,
    MAX_DEPTH,
    MAX_WIDTH,
    N_PROBE_SAMPLES,
    N_SAMPLES,
    OPTIMIZERS,
    VARIANTS,
    Config,
)
from dlcore.trainers.residual.export import export_code
from dlcore.trainers.residual.live import (
    ResidualReport,
    fit,
    gradient_norms,
    layer_names,
)
from dlcore.trainers.residual.model import (
    build_model,
    build_side_by_side,
    evaluate,
    load_data,
    model_variants,
    variant_model,
)

TASK = "digits"
"""What its models predict, for the try-it pages: a digit (a spiral model has none)."""

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "DIGITS_PREPROCESSING",
    "MAX_DEPTH",
    "MAX_WIDTH",
    "N_PROBE_SAMPLES",
    "N_SAMPLES",
    "OPTIMIZERS",
    "TASK",
    "VARIANTS",
    "Config",
    "ResidualReport",
    "build_model",
    "build_side_by_side",
    "evaluate",
    "export_code",
    "fit",
    "gradient_norms",
    "layer_names",
    "load_data",
    "model_variants",
    "variant_model",
]
