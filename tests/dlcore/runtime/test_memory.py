"""Tests for dlcore.runtime.memory: training model after model keeps no traced step alive."""

import gc

import tensorflow as tf
from helpers import run_python

from dlcore.trainers import playground


def _graphs_alive() -> int:
    gc.collect()
    return sum(isinstance(thing, tf.Graph) for thing in gc.get_objects())


def test_training_model_after_model_frees_each_traced_training_step():
    config = playground.Config(n_samples=40, batch_size=20)
    data = playground.load_data(config)
    graphs_after_each_model = []
    for _ in range(4):
        model = playground.build_model(config, data)
        playground.fit(model, data, config, epochs=2)
        del model
        graphs_after_each_model.append(_graphs_alive())
    # Without the fix, each model left about 30 graphs (its traced step and the
    # optimizer's branches) in TensorFlow's gradient registry.
    assert graphs_after_each_model[-1] <= graphs_after_each_model[1]


def test_gradients_are_still_summed_across_two_replicas():
    # Logical devices must exist before TensorFlow starts: hence a fresh process.
    result = run_python(
        """
        import json
        import keras
        import tensorflow as tf
        from dlcore.runtime import devices, memory
        devices.configure(logical_cpus=2)
        strategy = devices.distribution_strategy(devices=["CPU:0", "CPU:1"])
        with strategy.scope():
            weight = keras.Variable(0.0)
            optimizer = keras.optimizers.SGD(learning_rate=1.0)
            optimizer.build([weight])

        @tf.function
        def step():
            optimizer.apply([tf.constant(1.0)], [weight])

        strategy.run(step)
        print(json.dumps({"replicas": strategy.num_replicas_in_sync,
                          "weight": float(weight.numpy())}))
        """
    )
    # Each replica's gradient is 1: summed over two, one SGD step at rate 1 gives -2.
    assert result == {"replicas": 2, "weight": -2.0}


def test_a_keras_without_the_all_reduce_still_trains_and_says_so():
    # A fresh process: dlcore.runtime.memory must be imported for the first time there.
    result = run_python(
        """
        import json
        import sys
        import warnings
        import keras
        # Keras keeps working, but the module dlcore.runtime.memory reaches into cannot be found.
        sys.modules["keras.src.backend.tensorflow.optimizer"] = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from dlcore.trainers import playground
        config = playground.Config(n_samples=40, batch_size=20)
        data = playground.load_data(config)
        result = playground.fit(playground.build_model(config, data), data, config, epochs=1)
        print(json.dumps({"warnings": [str(warning.message) for warning in caught],
                          "epochs": result.epochs_run}))
        """
    )
    assert result["epochs"] == 1
    assert any("may stay in memory" in message for message in result["warnings"])
