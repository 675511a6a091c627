"""Test helpers: open a page as a browser would, run Python apart, read Plotly JSON."""

import base64
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def start_python(code: str, *, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `code` in a fresh interpreter; `finish_python` collects what it prints.

    Device settings (logical CPUs, threads, a cluster) apply only before TensorFlow
    starts, and the import-cost checks need a process where nothing is imported yet.
    """
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_python(process: subprocess.Popen, *, timeout: float = 180) -> Any:
    """Wait for a `start_python` process and return the JSON on its last line of output."""
    stdout, stderr = process.communicate(timeout=timeout)
    if process.returncode != 0:
        pytest.fail(f"subprocess failed:\n{stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 180) -> Any:
    """Run `code` in a fresh interpreter and return the JSON it prints on its last line."""
    return finish_python(start_python(code, env=env), timeout=timeout)


def plotly_array(value: Any) -> np.ndarray:
    """A trace's numbers from a figure's JSON: Plotly writes arrays as base64 typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


# Pages that import TensorFlow or train need more than AppTest's default 3 s.
PAGE_TIMEOUT = 60


def open_page(script: str, *, timeout: float = PAGE_TIMEOUT, **query_params: str) -> AppTest:
    """Open a page as a new browser session would open the URL `/page?query_params`.

    `timeout` is the longest wait, in seconds, for this and every later run of the page:
    give pages that train more.
    """
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if script != "app_pages/home.py":
        app.switch_page(script)
    app.query_params.update(query_params)
    return app.run()


def figure(app: AppTest, index: int) -> dict:
    """The index-th Plotly chart on the page, as the JSON the browser receives."""
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def png_header(width, height):
    """A PNG that claims width x height RGB pixels: a valid IHDR, an empty IDAT, IEND.

    Only the header is real, so a decoder that trusts it before checking would try to
    allocate width * height * 3 bytes; the file itself is 57 bytes.
    """

    def chunk(kind, payload):
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    # Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def bold_answer(app: AppTest, opening: str) -> str | None:
    """The first bold word of the page's text that starts with `opening`, as the try-it
    pages give their answer ("The model says **7**, ..."); None if no such text is shown."""
    said = [item.value for item in app.markdown if item.value.startswith(opening)]
    return said[0].split("**")[1] if said else None


def audio_only_mp4() -> bytes:
    """An MP4 with one second of silence in AAC and no video track: a song."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        for _ in range(44):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate = 44100
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def tiny_digits_model(title: str) -> Any:
    """An untrained tiny digits CNN, as the CNN page registers a model for the try-it pages."""
    from dlcore.trainers import cnn
    from dlcore.trainers.residual import DIGITS_PREPROCESSING
    from dlcore.training.saving import TrainedModel

    return TrainedModel(
        task="digits",
        title=title,
        model=cnn.build_cnn((8, 8, 1), 10, n_filters=4),
        labels=tuple(str(digit) for digit in range(10)),
        preprocessing=dict(DIGITS_PREPROCESSING),
        metrics={"val_accuracy": 0.5},
        device="CPU:0",
    )
