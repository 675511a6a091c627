"""Memory: does a long browser session make the server grow?

One Chromium session does what a student does in a long lesson: 50 train/reset cycles
on the Playground, then 200 predictions on the Your text page, each a new sentence,
all in the same Streamlit session (pages change as the app's menu changes them). The
server's resident memory (Linux's VmRSS) is read after a warm-up, which has trained,
reset and predicted a few times so that TensorFlow, the compiled functions and the
bundled model are loaded, and again at the end. The goal, from the issue: it grows by
at most 100 MB after the warm-up; the peak (VmHWM) is reported too.

Each cycle is kept cheap with settings in the URL (100 points, one batch per epoch,
the fewest epochs the page offers), so that the counts, which the issue fixes, run in
a few minutes.
"""

import string
import time

from playwright.sync_api import Page, sync_playwright

from bench.report import Figure
from harness import launch_chromium, serve_app
from harness.sessions import (
    ask_try_text,
    open_in_session,
    reset_playground,
    resident_memory_mb,
    shows_exception,
    train_playground,
    wait_for_run,
)

CYCLES = 50
PREDICTIONS = 200
WARM_UP_CYCLES = 5
WARM_UP_PREDICTIONS = 5
TARGET_GROWTH_MB = 100.0
EPOCHS = 20
# The smallest Playground run the page offers: 100 points, half held out, one batch.
PLAYGROUND = f"/playground?play.points=100&play.batch=100&play.epochs={EPOCHS}"
TRY_TEXT = "/try_text"
# What each page shows once it is open: the Playground with no model, the text model's facts.
PLAYGROUND_SHOWN = "Not trained yet"
TRY_TEXT_SHOWN = "Held-out accuracy"
REQUESTS = (
    "Will it rain in Paris tomorrow",
    "Play some jazz by",
    "Wake me up at six with",
    "Set a timer for ten minutes for",
    "Turn off the kitchen lights for",
)


def unknown_word(index: int) -> str:
    """A made-up word, different for each index, that no model's vocabulary holds."""
    letters = ""
    while True:
        index, digit = divmod(index, 26)
        letters += string.ascii_lowercase[digit]
        if index == 0:
            return "zq" + letters


def _check(page: Page, what: str) -> None:
    if shows_exception(page):
        raise RuntimeError(f"the page showed an exception after {what}")


def _cycles(page: Page, count: int) -> None:
    for _ in range(count):
        train_playground(page, EPOCHS)
        reset_playground(page)
    _check(page, "training and resetting")


def _predictions(page: Page, first: int, count: int) -> None:
    for index in range(first, first + count):
        word = unknown_word(index)
        # The unknown word is named in the answer, so the answer shown is this sentence's.
        ask_try_text(page, f"{REQUESTS[index % len(REQUESTS)]} {word}", f"“{word}”")
    _check(page, "predicting")


def _open(page: Page, path: str, shown: str) -> None:
    """Show the page at `path` in the same session; wait for its `shown` text and its end."""
    open_in_session(page, path)
    wait_for_run(page, page.get_by_text(shown))


def run() -> list[Figure]:
    started = time.perf_counter()
    with serve_app() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{url}{PLAYGROUND}")
        wait_for_run(page, page.get_by_text(PLAYGROUND_SHOWN))

        _cycles(page, WARM_UP_CYCLES)
        _open(page, TRY_TEXT, TRY_TEXT_SHOWN)
        _predictions(page, 0, WARM_UP_PREDICTIONS)
        _open(page, PLAYGROUND, PLAYGROUND_SHOWN)
        warm, _ = resident_memory_mb(url.pid)
        print(f"  after warm-up: {warm:.0f} MB resident", flush=True)

        _cycles(page, CYCLES - WARM_UP_CYCLES)
        after_cycles, _ = resident_memory_mb(url.pid)
        print(f"  after {CYCLES} train/reset cycles: {after_cycles:.0f} MB", flush=True)
        _open(page, TRY_TEXT, TRY_TEXT_SHOWN)
        _predictions(page, WARM_UP_PREDICTIONS, PREDICTIONS - WARM_UP_PREDICTIONS)
        end, peak = resident_memory_mb(url.pid)
        print(f"  after {PREDICTIONS} predictions: {end:.0f} MB, peak {peak:.0f} MB", flush=True)
        browser.close()
    print(f"  {time.perf_counter() - started:.0f} s in all", flush=True)
    return [
        Figure("server resident memory, peak (one long browser session)", peak, "MB"),
        Figure(
            f"server memory growth after warm-up ({CYCLES} train/reset, {PREDICTIONS} predictions)",
            end - warm,
            "MB",
            target=TARGET_GROWTH_MB,
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
