"""Streamlit's clean-up after each script run leaves Keras's state alone (ui/keras_state.py)."""

import keras
from helpers import open_page


def test_a_page_run_does_not_clear_the_keras_session(monkeypatch):
    cleared = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: cleared.append(1))
    app = open_page("app_pages/home.py")
    assert not app.exception
    app.run()  # a rerun, as a click makes
    assert not app.exception
    assert cleared == []
