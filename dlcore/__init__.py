"""dlcore: the logic behind Deep Learning Studio — data, models, training, explanations, devices.

Importing `dlcore` is cheap: TensorFlow and Keras are imported only by the modules
that need them, so that pages which don't train appear at once.
"""

import os

# TensorFlow reads these when it starts, so they must be set before anything imports
# it: keep its C++ start-up chatter out of the terminal and pick the Keras backend once.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"
