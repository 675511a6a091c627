"""Overfitting lab: a big network on a few digits, and the remedies side by side.

The logic behind the "Overfitting lab" page, with the names of the trainer contract (see
`dlcore.trainers`). A network with far more weights than training samples (2 x 256 units
on 100 digits: about 85,000 weights) learns its training set by heart: its training loss
falls towards 0 and its training accuracy reaches 100 %, while on digits it never saw
(validation) it stays well below. The distance between the two curves is the gap that
overfitting opens. Beside that baseline, one network per remedy, each changing one thing:

    dropout:         drops a random share of the hidden units at every training step
    l2:              adds l2 * sum(w ** 2) of the hidden kernels to the loss
    augmentation:    trains on randomly shifted or rotated copies of the digits
    early_stopping:  the baseline, stopped once its validation loss stops improving,
                     with its best epoch's weights taken back
    more_data:       the baseline on `more_data` times as many training digits

All start from the same weights and train with the same optimizer, seed and epochs; all
are measured on the same validation digits and scored on the same test digits.

`load_data` splits the digits three ways and takes the small and the larger training set
(`LabData`); `build_model` builds each network with the plain builder `build_network`
and holds them side by side in one Keras model (`build_lab`), which is what the page saves;
`fit` trains the networks one epoch at a time, in turn, so that every curve grows live;
`evaluate` scores each network on the test part, once, at the end; `gaps` and `gap_note`
read which remedy closed the gap most, from training and validation alone;
`export_code` writes the same lab as a standalone Keras script.

Example:

>>> config = Config(remedies=("dropout", "more_data"))
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=40)                     # doctest: +SKIP
>>> found = gaps(result.history, config.variants, metric="accuracy")  # doctest: +SKIP
>>> found["baseline"].train, found["baseline"].validation            # doctest: +SKIP
(1.0, 0.91)
>>> closest_gap(found)                                               # doctest: +SKIP
'more_data'
>>> evaluate(model, data)["test_more_data_accuracy"]                 # doctest: +SKIP
0.95
"""

from dlcore.trainers.overfitting.config import (
    AUGMENTATIONS,
    DIGITS_PREPROCESSING,
    MAX_DEPTH,
    MAX_DROPOUT,
    MAX_FACTOR,
    MAX_WIDTH,
    REMEDIES,
    VARIANTS,
    Config,
)
from dlcore.trainers.overfitting.data import LabData, balanced_order, load_data, training_set
from dlcore.trainers.overfitting.export import export_code
from dlcore.trainers.overfitting.gaps import (
    METRICS,
    Gap,
    Stopping,
    closest_gap,
    gap_note,
    gaps,
    stopping,
)
from dlcore.trainers.overfitting.live import EarlyStop, fit, measure
from dlcore.trainers.overfitting.model import (
    build_lab,
    build_model,
    build_network,
    evaluate,
    model_variants,
    network_options,
    variant_model,
    variant_scores,
)

TASK = "digits"
"""What its networks predict, for the try-it pages: a digit."""

__all__ = [
    "AUGMENTATIONS",
    "DIGITS_PREPROCESSING",
    "MAX_DEPTH",
    "MAX_DROPOUT",
    "MAX_FACTOR",
    "MAX_WIDTH",
    "METRICS",
    "REMEDIES",
    "TASK",
    "VARIANTS",
    "Config",
    "EarlyStop",
    "Gap",
    "LabData",
    "Stopping",
    "balanced_order",
    "build_lab",
    "build_model",
    "build_network",
    "closest_gap",
    "evaluate",
    "export_code",
    "fit",
    "gap_note",
    "gaps",
    "load_data",
    "measure",
    "model_variants",
    "network_options",
    "stopping",
    "training_set",
    "variant_model",
    "variant_scores",
]
