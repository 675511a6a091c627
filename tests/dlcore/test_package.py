"""The front door, `import dlcore`: cheap to import, and Keras knows dlcore's classes."""

import pytest
from helpers import run_python


def test_importing_dlcore_starts_no_tensorflow():
    imported = run_python(
        """
        import json, sys
        import dlcore
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )
    assert imported == []


@pytest.mark.slow
@pytest.mark.parametrize("first", ["dlcore", "keras"])
def test_keras_knows_dlcores_classes_whichever_comes_first(first):
    second = "keras" if first == "dlcore" else "dlcore"
    found = run_python(
        f"""
        import json
        import {first}
        import {second}
        import keras
        print(json.dumps(str(keras.saving.get_registered_object("dlcore>TokenAndPositionEmbedding"))))
        """
    )
    assert found == "<class 'dlcore.training.layers.TokenAndPositionEmbedding'>"
