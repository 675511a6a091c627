"""Drive whole browser sessions of the app: train, predict, time a page, read the server's memory.

Shared by bench/load.py (its home page visitor) and bench/memory.py (one long session).
A browser session here is one Streamlit session: it lives as long as its page's
connection, so `open_in_session` moves between pages as the app's own menu does,
keeping `st.session_state`, where `page.goto` would start a new session.
"""

import time
from pathlib import Path

from playwright.sync_api import Locator, Page

from harness.playground import click_app_button

HOME_HEADING = "Deep Learning Studio"
TRAINING_TIMEOUT = 300_000
"""Milliseconds a training or a first try-it may take on a loaded 2-core machine."""

_IDLE_APP = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)


def wait_until_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait, as `harness.wait_for_app` does, until the app is connected and not running.

    Noticed as soon as it happens: a locator's wait follows the page, where `expect`
    checks again at growing intervals (up to a second), which would add to every step
    timed here. Call it once the page shows something the awaited run draws, since the
    app is also idle just before a run starts.
    """
    page.locator(_IDLE_APP).wait_for(state="attached", timeout=timeout)


def time_page_render(page: Page, url: str, heading: str = HOME_HEADING) -> float:
    """Seconds from navigating to `url` to the app rendered: finished running, heading shown.

    The same end points as bench/cold_start.py, waited for without `expect`'s intervals.
    """
    started = time.perf_counter()
    page.goto(url)
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    wait_until_idle(page)
    return time.perf_counter() - started


def open_in_session(page: Page, path: str) -> None:
    """Show another page of the app, with the settings in `path`'s query, in the same session.

    Streamlit's front end reruns the page named by the URL, with its query, on a history
    change (as for the browser's Back button), over the same connection.
    """
    page.evaluate(
        "path => { history.pushState(null, '', path);"
        " dispatchEvent(new PopStateEvent('popstate')); }",
        path,
    )


def shows_exception(page: Page) -> bool:
    """Whether the page shows a Python exception (Streamlit's st.exception box)."""
    return page.get_by_test_id("stException").count() > 0


def wait_for_run(page: Page, shown: Locator, timeout: float = TRAINING_TIMEOUT) -> None:
    """Wait until the page shows `shown` and its run has ended.

    Raises:
        RuntimeError: the page showed a Python exception instead (at once, not after
            `timeout`), with the exception's first line.
    """
    exception = page.get_by_test_id("stException")
    shown.or_(exception).first.wait_for(timeout=timeout)
    if exception.count():
        message = exception.first.inner_text().strip().splitlines()
        raise RuntimeError(f"the page showed an exception: {message[0] if message else ''}")
    wait_until_idle(page, timeout=timeout)


def train_playground(page: Page, epochs: int) -> None:
    """Press the Playground's Train and wait until the run is over and drawn.

    The page must be the Playground with no trained model, set to train `epochs` epochs.
    """
    click_app_button(page, "play.train")
    # The result caption appears only once the run has ended.
    wait_for_run(page, page.get_by_text(f"Playground MLP: {epochs} epochs in"))


def reset_playground(page: Page) -> None:
    """Press the Playground's Reset and wait until the page shows no model."""
    click_app_button(page, "play.reset")
    wait_for_run(page, page.get_by_text("Not trained yet"))


def ask_try_text(page: Page, sentence: str, shown: str) -> None:
    """Type `sentence` on the Your text page and wait until its answer is drawn.

    Args:
        page: showing the Your text page.
        sentence: the request to classify.
        shown: text that only this sentence's answer shows, e.g. its unknown word.
    """
    box = page.get_by_test_id("stTextInput").filter(has_text="Your sentence").locator("input")
    box.fill(sentence)
    box.press("Enter")
    wait_for_run(page, page.get_by_text(shown))


def resident_memory_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and its peak so far, in MB (Linux's /proc).

    Returns:
        (VmRSS, VmHWM) of the process, in megabytes of 10^6 bytes.
    """
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    # Both are written as "<n> kB", in kibibytes.
    resident, peak = (int(fields[name].split()[0]) * 1024 / 1e6 for name in ("VmRSS", "VmHWM"))
    return resident, peak
