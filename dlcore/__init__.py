"""dlcore: the logic behind Deep Learning Studio — data, models, training, explanations, devices.

Importing `dlcore` is cheap: TensorFlow and Keras are imported only by the modules
that need them, so that pages which don't train appear at once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dlcore.pretrained import Predictor

# TensorFlow reads these when it starts, so they must be set before anything imports
# it: keep its C++ start-up chatter out of the terminal and pick the Keras backend once.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"


def load_pretrained(name: str) -> Predictor:
    """Loads one of the bundled pre-trained models: "digits", "faces", "shapes", "intents"
    or "motion". See `dlcore.pretrained.load_pretrained`; imported here only when called,
    so that `import dlcore` stays cheap.

    Example:

    >>> import dlcore
    >>> predictor = dlcore.load_pretrained("shapes")                  # doctest: +SKIP
    >>> predictor.predict_proba([image]).shape                         # doctest: +SKIP
    (1, 4)
    """
    from dlcore.pretrained import load_pretrained as load

    return load(name)
