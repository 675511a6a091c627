"""What every test shares.

Every test that runs a page in this process (AppTest) trains inline, in the script's own
thread: deterministic, and no worker processes to start. The app servers that the browser
tests and benchmarks start train in a local pool of workers (`harness.serve_app`), and
tests/dlcore/jobs tests the pools themselves.
"""

import os
import sys
from collections.abc import Iterator

import pytest

os.environ.setdefault("DLS_JOBS", "inline")


@pytest.fixture(autouse=True)
def dlcore_keras_classes_stay_registered() -> Iterator[None]:
    """Puts dlcore's Keras classes back in Keras's registry after each test.

    A test that runs an exported script in this process registers the script's copies of
    the custom layers under the same names ("dlcore>VariantStack", ...); a model loaded
    afterwards would be made of those copies, which dlcore's own code does not recognise.
    """
    yield
    layers = sys.modules.get("dlcore.training.layers")
    if layers is None:
        return
    registry = sys.modules["keras"].saving.get_custom_objects()
    for name, value in vars(layers).items():
        key = f"dlcore>{name}"
        if isinstance(value, type) and registry.get(key, value) is not value:
            registry[key] = value


@pytest.fixture(autouse=True)
def no_global_random_seed_left_behind() -> Iterator[None]:
    """Clears TensorFlow's global random seed after each test, as a fresh process has none.

    An exported script run in this process calls `keras.utils.set_random_seed`, and a
    seeded `tf.data` shuffle mixes the global seed into its own: every later training in
    the process would draw other batches than the same settings draw in a job's worker.
    """
    yield
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None:
        tensorflow.random.set_seed(None)
