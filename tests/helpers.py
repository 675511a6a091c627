"""Test helpers: run Python in a fresh process, read numbers out of Plotly JSON."""

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

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
