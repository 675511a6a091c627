"""The Playground (MLP) trainer: 2-D data, a small MLP, its decision boundary and neurons.

The logic behind the Playground page, after TensorFlow Playground, with the names of the
trainer contract (see `dlcore.trainers`): a `Config` holds the page's settings;
`load_data` draws the 2-D set and splits it into training, validation and test points;
`build_model` builds the compiled Keras MLP (`build_mlp`); `fit` trains it while a
`PlaygroundCallback` records the losses and accuracies and hands a `BoundarySnapshot`
(the decision boundary and every hidden neuron's picture over the square [-6, 6]^2) to
the page on a clock; `evaluate` scores the test points once, at the end; `export_code`
writes a standalone Keras script for the same configuration.

The output layer is always a softmax over `n_classes` (two units for two classes), trained
with sparse categorical cross-entropy, so that 2 and more classes share one code path.

Example:

>>> config = Config(dataset="xor", hidden_layers=(8, 8))
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=80)      # doctest: +SKIP
>>> result.history.last("val_accuracy") > 0.95         # doctest: +SKIP
True
>>> evaluate(model, data)["test_accuracy"] > 0.95      # doctest: +SKIP
True
"""

from dlcore.trainers.playground.config import (
    ACTIVATIONS,
    OPTIMIZERS,
    TWO_CLASS_DATASETS,
    Config,
)
from dlcore.trainers.playground.export import export_code
from dlcore.trainers.playground.live import (
    BoundarySnapshot,
    PlaygroundCallback,
    TrainingUpdate,
    boundary_grid,
    boundary_snapshot,
    fit,
    neuron_probe,
    undecided_boundary,
)
from dlcore.trainers.playground.model import (
    PlaygroundData,
    build_mlp,
    build_model,
    evaluate,
    load_data,
)

TASK = "playground"
"""What its models predict, for the try-it pages: a class for a point of the plane."""

__all__ = [
    "ACTIVATIONS",
    "OPTIMIZERS",
    "TASK",
    "TWO_CLASS_DATASETS",
    "BoundarySnapshot",
    "Config",
    "PlaygroundCallback",
    "PlaygroundData",
    "TrainingUpdate",
    "boundary_grid",
    "boundary_snapshot",
    "build_mlp",
    "build_model",
    "evaluate",
    "export_code",
    "fit",
    "load_data",
    "neuron_probe",
    "undecided_boundary",
]
