"""Keep a long-running process's memory flat while it trains model after model.

A Streamlit server trains a new model at every Train after a Reset, in every browser
session, for days. It grew by about 6 MB per model (measured on the Playground's small
MLP, 20 epochs), because of how Keras's TensorFlow optimizer applies gradients:

Keras sums each step's gradients across replicas with `ReplicaContext.all_reduce`, even
when there is only one. Inside a traced training step that call wraps its result in
`tf.custom_gradient`, which registers a gradient function in TensorFlow's global gradient
registry and never removes it; the function holds the step's whole traced graph, so
every training step ever traced stays in memory. With one replica the sum is the
gradients themselves: importing this module makes the optimizer skip the call then
(`sum_gradients_across_replicas`), and leaves it as it is under a strategy with several
replicas.

Every module of dlcore that trains imports this one, so the fix is in place before the
first training step is traced. (A Keras model lives in reference cycles, so a caller that
drops one and wants its memory back at once also runs `gc.collect()`.)
"""

from __future__ import annotations

import warnings
from typing import Any

import keras

_keras_all_reduce = None


def sum_gradients_across_replicas(optimizer: Any, grads_and_vars: list) -> list:
    """The optimizer's gradients summed over the replicas in sync; with one, as given.

    Args:
        optimizer: the Keras optimizer applying them.
        grads_and_vars: `(gradient, variable)` pairs; a gradient may be `None`.

    Returns:
        The pairs, with each gradient summed over the replicas.
    """
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync > 1:
        return _keras_all_reduce(optimizer, grads_and_vars)
    return list(grads_and_vars)


def _skip_single_replica_all_reduce() -> None:
    global _keras_all_reduce
    if keras.backend.backend() != "tensorflow" or _keras_all_reduce is not None:
        return
    try:
        from keras.src.backend.tensorflow.optimizer import TFOptimizer

        keras_all_reduce = TFOptimizer._all_reduce_sum_gradients
    except (ImportError, AttributeError):  # a Keras whose insides have moved: train anyway
        warnings.warn(
            f"dlcore.runtime.memory cannot find the optimizer's all-reduce in Keras "
            f"{keras.__version__}: every model trained in this process may stay in memory.",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    _keras_all_reduce = keras_all_reduce
    TFOptimizer._all_reduce_sum_gradients = sum_gradients_across_replicas


_skip_single_replica_all_reduce()
