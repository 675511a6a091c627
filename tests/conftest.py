"""Shared test helpers: run Python in a fresh process, read numbers out of Plotly JSON."""

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


def run_python(code: str, *, env: dict[str, str] | None = None, timeout: float = 180) -> dict:
    """Run `code` in a fresh interpreter and return the JSON it prints on its last line.

    Device settings (logical CPUs, threads) can only be applied before TensorFlow starts,
    and the import-cost checks need a process where nothing is imported yet.
    """
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"subprocess failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def plotly_array(value: Any) -> np.ndarray:
    """A trace's numbers from a figure's JSON: Plotly writes arrays as base64 typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)
