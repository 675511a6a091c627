"""Warming TensorFlow up in the background, so that the first page that trains or explains
opens at once in front of a room.

The web server imports TensorFlow only when a page first needs it (about 7 s here, 10 s on a
fresh server). `start` begins that import on a thread of its own and returns at once; `state`
tells the Home page how it goes. Python's import lock makes a page that imports TensorFlow
meanwhile wait for the same import rather than start a second one.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import threading
import time

WARMED_MODULES = ("tensorflow", "keras")
"""What the warm-up imports, in order: what every page that trains or explains imports first."""


@dataclasses.dataclass(frozen=True)
class WarmUpState:
    """How the warm-up goes.

    Attributes:
        phase: "cold" (not started, TensorFlow not loaded), "warming", "ready" or "failed".
        seconds: how long it took ("ready") or has taken so far ("warming"); None otherwise.
        error: why it failed, for "failed"; else None.
    """

    phase: str
    seconds: float | None = None
    error: str | None = None


_lock = threading.Lock()
_thread: threading.Thread | None = None
_started_at: float | None = None
_seconds: float | None = None
_error: str | None = None


def start() -> None:
    """Begin importing TensorFlow and Keras on a background thread; a no-op once begun, or
    when they are loaded already."""
    global _thread, _started_at
    with _lock:
        if _thread is not None or _loaded():
            return
        _started_at = time.perf_counter()
        _thread = threading.Thread(
            target=_warm, args=(_started_at,), name="tensorflow-warm-up", daemon=True
        )
        _thread.start()


def state() -> WarmUpState:
    """Where the warm-up stands now; "ready" also when a page loaded TensorFlow already."""
    with _lock:
        if _error is not None:
            return WarmUpState("failed", error=_error)
        if _seconds is not None:
            return WarmUpState("ready", seconds=_seconds)
        if _thread is not None and _started_at is not None:
            return WarmUpState("warming", seconds=time.perf_counter() - _started_at)
    return WarmUpState("ready") if _loaded() else WarmUpState("cold")


def _loaded() -> bool:
    return all(name in sys.modules for name in WARMED_MODULES)


def _warm(started_at: float) -> None:
    global _seconds, _error
    try:
        for name in WARMED_MODULES:
            importlib.import_module(name)
    except Exception as error:  # any failure is shown on the Home page
        with _lock:
            _error = f"{type(error).__name__}: {error}"
        return
    with _lock:
        _seconds = time.perf_counter() - started_at
