"""The "common mistake" notes: each shows on the page where its topic comes up, and what it
says holds in the Keras the app runs on."""

import keras
import numpy as np
import pytest
from helpers import open_page

NOTES = {
    "app_pages/optimizers.py": "take `learning_rate`",
    "app_pages/sequences.py": "Keras has no `Tokenizer` any more",
    "app_pages/residual.py": "not a cure for overfitting",
    "app_pages/pooling.py": "Pooling does not prevent overfitting by itself",
    "app_pages/batch_norm.py": "batch norm uses the **moving averages**",
    "app_pages/memory.py": "SimpleRNN is not useless",
    "app_pages/overfitting.py": "The test set is for the end",
}


@pytest.mark.parametrize("page", list(NOTES))
def test_each_page_shows_its_note(page):
    app = open_page(page, timeout=120)
    assert not app.exception
    notes = [info.value for info in app.info if info.value.startswith("**A common mistake:**")]
    assert len(notes) == 1 and NOTES[page] in notes[0]


def test_an_optimizer_refuses_lr_and_takes_learning_rate():
    with pytest.raises(ValueError, match="not recognized"):
        keras.optimizers.Adam(lr=0.1)
    assert keras.optimizers.Adam(learning_rate=0.1).learning_rate.numpy() == pytest.approx(0.1)


def test_keras_has_text_vectorization_and_no_tokenizer():
    assert not hasattr(keras.preprocessing, "text")
    vectorizer = keras.layers.TextVectorization(output_sequence_length=3)
    vectorizer.adapt(["play some jazz", "play the news"])
    assert np.asarray(vectorizer(["play jazz"])).shape == (1, 3)


def test_a_gru_has_an_update_and_a_reset_gate():
    layer = keras.layers.GRU(4)
    layer.build((None, 5, 2))
    # One block of weights each for the update gate, the reset gate and the candidate.
    assert layer.cell.kernel.shape == (2, 3 * 4)
