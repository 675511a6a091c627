"""The bundled models as the try-it pages load them: once per server, with a spinner.

`dlcore.load_pretrained` keeps one copy of each model per process, shared by every
browser session (its predictions are guarded by a lock), so no Streamlit cache is
needed here: two pages' cached functions of the same name and source would even share
one cache entry and hand a page another page's model.
"""

import streamlit as st


def bundled_predictor(name: str):
    """The bundled model `name` ("digits", "intents", "motion", ...) as a `Predictor`."""
    # Imported here: loading a model imports TensorFlow, which a page needs only now.
    from dlcore.pretrained import load_pretrained

    with st.spinner("Loading the bundled model…", show_time=True):
        return load_pretrained(name)
