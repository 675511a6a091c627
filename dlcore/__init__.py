"""dlcore: the logic behind Deep Learning Studio — data, models, training, explanations, devices.

Importing `dlcore` is cheap: TensorFlow and Keras are imported only by the modules
that need them, so that pages which don't train appear at once.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dlcore.pretrained import Predictor

# TensorFlow reads these when it starts, so they must be set before anything imports
# it: keep its C++ start-up chatter out of the terminal and pick the Keras backend once.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Imports `dlcore.training.layers` as soon as Keras's own import has finished.

    That module registers every Keras class of the project (layers, metrics, losses), so a
    `.keras` file saved by dlcore loads after a bare `import dlcore`, with
    `keras.saving.load_model(path)`; and `import dlcore` itself still starts no TensorFlow.
    """

    def find_spec(self, name: str, path: object = None, target: object = None) -> object:
        if name != "keras":
            return None
        sys.meta_path.remove(self)  # once: Keras is then found the usual way
        spec = importlib.machinery.PathFinder.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run_keras = spec.loader.exec_module

        def exec_module(module: object) -> None:
            run_keras(module)
            importlib.import_module("dlcore.training.layers")

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "keras" in sys.modules:
    importlib.import_module("dlcore.training.layers")
elif not any(isinstance(finder, _RegisterAfterKeras) for finder in sys.meta_path):
    sys.meta_path.insert(0, _RegisterAfterKeras())


def load_pretrained(name: str) -> Predictor:
    """Loads one of the bundled pre-trained models: "digits", "faces", "shapes", "intents",
    "intents_transformer" or "motion". See `dlcore.pretrained.load_pretrained`; imported
    here only when called, so that `import dlcore` stays cheap.

    Example:

    >>> import dlcore
    >>> predictor = dlcore.load_pretrained("shapes")                  # doctest: +SKIP
    >>> predictor.predict_proba([image]).shape                         # doctest: +SKIP
    (1, 4)
    """
    from dlcore.pretrained import load_pretrained as load

    return load(name)
