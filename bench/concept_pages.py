"""Concept pages: server time of one rerun after a slider or a menu changes.

Each page is opened in Streamlit's AppTest, which runs the real page script; then one
widget after another takes a new value and the rerun is timed. AppTest adds a little
of its own polling, so the figures are upper bounds of the script's time. The
convolution page works on the 512×512 colour astronaut, the size the issue names.
"""

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.report import Figure

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3

# (page, query string that opens it, [(widget kind, key, value), ...]) -- each change
# is applied on top of the previous ones, as a person moving through the settings.
CHANGES = {
    "convolution": (
        {"conv.sample": "Astronaut"},
        [
            ("selectbox", "conv.kernel", "Sobel x"),
            ("slider", "conv.stride", 2),
            ("slider", "conv.cell", 3),
            ("slider", "conv.dilation", 2),
            ("radio", "conv.padding", "valid"),
            ("slider", "conv.stride", 1),
            ("selectbox", "conv.kernel", "Gaussian blur 5x5"),
            ("radio", "conv.padding", "same"),
            ("slider", "conv.dilation", 1),
        ],
    ),
    "pooling": (
        {},
        [
            ("radio", "pool.mode", "Average"),
            ("slider", "pool.size", 3),
            ("slider", "pool.stride", 3),
            ("radio", "pool.padding", "same"),
            ("slider", "pool.shift", 2),
        ],
    ),
    "activations": (
        {},
        [
            ("slider", "act.w", 2.0),
            ("selectbox", "act.fn", "tanh"),
            ("slider", "act.b", -1.0),
            ("selectbox", "act.fn", "gelu"),
        ],
    ),
    "optimizers": (
        {},
        [
            ("select_slider", "opt.lr", 0.1),
            ("slider", "opt.steps", 500),
            ("select_slider", "opt.lr", 0.01),
            ("slider", "opt.steps", 200),
        ],
    ),
    "backprop": (
        {"bp.hidden": "3, 2"},
        [
            ("radio", "bp.view", "Backward"),
            ("select_slider", "bp.lr", 1.0),
            ("radio", "bp.view", "Update"),
            ("text_input", "bp.hidden", "4, 4, 4"),
            ("radio", "bp.view", "Forward"),
            ("text_input", "bp.hidden", "3, 2"),
        ],
    ),
    "batch_norm": (
        {},
        [
            ("slider", "bn.size", 8),
            ("radio", "bn.mode", "Inference"),
            ("slider", "bn.steps", 50),
            ("select_slider", "bn.momentum", 0.9),
            ("slider", "bn.gamma", 2.0),
            ("radio", "bn.mode", "Training"),
        ],
    ),
}
# Milliseconds of server time a rerun may take: the convolution page's first-round target,
# and the second round's pages' (issue 17).
TARGETS_MS = {"convolution": 200.0, "backprop": 300.0, "batch_norm": 300.0}


def _rerun_times(page: str) -> list[float]:
    query, changes = CHANGES[page]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.switch_page(f"app_pages/{page}.py")
    app.query_params.update(query)
    app.run()  # the first run pays one-off costs (imports, compiling): not a slider move
    times = []
    for _ in range(ROUNDS):
        for kind, key, value in changes:
            getattr(app, kind)(key=key).set_value(value)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(f"{page} failed after {key}={value}: {app.exception}")
    return times


def run() -> list[Figure]:
    figures = []
    for page in CHANGES:
        times = _rerun_times(page)
        figures.append(
            Figure(
                f"{page} page: rerun after a widget change (median of {len(times)})",
                statistics.median(times) * 1000,
                "ms",
                target=TARGETS_MS.get(page),
            )
        )
        figures.append(
            Figure(f"{page} page: slowest rerun of {len(times)}", max(times) * 1000, "ms")
        )
    return figures
