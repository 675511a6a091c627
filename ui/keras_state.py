"""Keep Streamlit from clearing Keras's state after every script run.

After each run of any page, in any browser session, Streamlit calls
`keras.backend.clear_session()` (its private `_clean_problem_modules`, in
streamlit/runtime/scriptrunner/script_runner.py), for apps that build a new model at
every run. In this app that call does harm:

- it resets Keras's global state for every thread, while other browser sessions may be
  training (see NOTES.md);
- it clears TensorFlow's kernel cache and runs a full garbage collection, holding the
  GIL: with four sessions training, it took a third of the server's Python time (measured
  with py-spy), and every other page waited for it.

dlcore frees what a dropped model held itself (`dlcore.runtime.memory`, and a Reset's
collection in `ui.trainer`), so nothing needs the clean-up.
"""

import sys

from streamlit.runtime.scriptrunner import script_runner


def _close_pyplot_figures() -> None:
    """The rest of Streamlit's clean-up after a run: close Matplotlib's pyplot figures."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> None:
    """Replace Streamlit's clean-up after each script run with one that leaves Keras alone."""
    script_runner._clean_problem_modules = _close_pyplot_figures
