"""Pages: server time of one rerun after a slider or a menu changes.

Each page is opened in Streamlit's AppTest, which runs the real page script; a page that
shows its controls only after training first trains a small model with one click on
Train. Then one widget after another takes a new value and the rerun is timed. AppTest
adds a little of its own polling, so the figures are upper bounds of the script's time.
The convolution page works on the 512×512 colour astronaut, the size the issue names.

The pages run in a child Python with the inline job backend (`DLS_JOBS=inline`), so
that Train trains in the script itself, as in the page tests, whatever backend the
other benchmarks started in this process.
"""

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.report import Figure

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


@dataclasses.dataclass(frozen=True)
class Changes:
    """One page's timed changes.

    Attributes:
        script: the page, e.g. "app_pages/backprop.py".
        query: the query string that opens it.
        changes: `(widget kind, key, value)`, each applied on top of the previous ones,
            as a person moving through the settings.
        train: the key of the Train button to click before the changes, or None.
    """

    script: str
    query: dict[str, str]
    changes: list[tuple[str, str, object]]
    train: str | None = None


CHANGES = {
    "convolution": Changes(
        "app_pages/convolution.py",
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
    "pooling": Changes(
        "app_pages/pooling.py",
        {},
        [
            ("radio", "pool.mode", "Average"),
            ("slider", "pool.size", 3),
            ("slider", "pool.stride", 3),
            ("radio", "pool.padding", "same"),
            ("slider", "pool.shift", 2),
        ],
    ),
    "activations": Changes(
        "app_pages/activations.py",
        {},
        [
            ("slider", "act.w", 2.0),
            ("selectbox", "act.fn", "tanh"),
            ("slider", "act.b", -1.0),
            ("selectbox", "act.fn", "gelu"),
        ],
    ),
    "optimizers": Changes(
        "app_pages/optimizers.py",
        {},
        [
            ("select_slider", "opt.lr", 0.1),
            ("slider", "opt.steps", 500),
            ("select_slider", "opt.lr", 0.01),
            ("slider", "opt.steps", 200),
        ],
    ),
    "backprop": Changes(
        "app_pages/backprop.py",
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
    "batch_norm": Changes(
        "app_pages/batch_norm.py",
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
    "sequences (Transformer)": Changes(
        "app_pages/sequences.py",
        {
            "seq.language": "English",
            "seq.encoder": "Transformer",
            "seq.embedding": "8",
            "seq.heads": "2",
            "seq.epochs": "1",
        },
        [
            ("selectbox", "seq.att_token", 2),
            ("select_slider", "seq.att_temp", 4.0),
            ("selectbox", "seq.att_head", 2),
            ("text_input", "seq.sentence", "will it rain in paris tomorrow"),
            ("select_slider", "seq.att_temp", 1.0),
            ("selectbox", "seq.att_token", 1),
        ],
        train="seq.intents.train",
    ),
    "sequences (LSTM)": Changes(
        "app_pages/sequences.py",
        {"seq.language": "English", "seq.encoder": "LSTM", "seq.units": "8", "seq.epochs": "1"},
        [
            ("text_input", "seq.sentence", "will it rain in paris tomorrow"),
            ("text_input", "seq.sentence", "play some jazz please"),
        ],
        train="seq.intents.train",
    ),
    "memory": Changes(
        "app_pages/memory.py",
        {},
        [
            ("slider", "mem.length", 30),
            ("select_slider", "mem.symbols", 8),
            ("select_slider", "mem.units", 64),
            ("slider", "mem.length", 60),
            ("select_slider", "mem.symbols", 4),
        ],
    ),
    "overfitting (trained)": Changes(
        "app_pages/overfitting.py",
        {"ovf.epochs": "5"},
        [
            ("radio", "ovf.curves", "accuracy"),
            ("radio", "ovf.curves", "loss"),
        ],
        train="ovf.train",
    ),
}
# Milliseconds of server time a rerun may take: the convolution page's first-round target,
# and the second round's pages' (issue 17).
TARGETS_MS = {
    "convolution": 200.0,
    **dict.fromkeys(
        (
            "backprop",
            "batch_norm",
            "sequences (Transformer)",
            "sequences (LSTM)",
            "memory",
            "overfitting (trained)",
        ),
        300.0,
    ),
}


def _rerun_times(name: str) -> list[float]:
    page = CHANGES[name]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.switch_page(page.script)
    app.query_params.update(page.query)
    app.run()  # the first run pays one-off costs (imports, compiling): not a slider move
    if page.train:
        app.button(key=page.train).click().run()
    times = []
    for _ in range(ROUNDS):
        for kind, key, value in page.changes:
            getattr(app, kind)(key=key).set_value(value)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(f"{name} failed after {key}={value}: {app.exception}")
    return times


def run() -> list[Figure]:
    measured = subprocess.run(
        [sys.executable, "-m", "bench.page_reruns"],
        cwd=ROOT,
        env={**os.environ, "DLS_JOBS": "inline"},
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    times_by_page = json.loads(measured.stdout.strip().splitlines()[-1])
    figures = []
    for name, times in times_by_page.items():
        figures.append(
            Figure(
                f"{name} page: rerun after a widget change (median of {len(times)})",
                statistics.median(times) * 1000,
                "ms",
                target=TARGETS_MS.get(name),
            )
        )
        figures.append(
            Figure(f"{name} page: slowest rerun of {len(times)}", max(times) * 1000, "ms")
        )
    return figures


if __name__ == "__main__":
    print(json.dumps({name: _rerun_times(name) for name in CHANGES}))
