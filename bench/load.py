"""Load: four browser sessions train at once on one server; does anyone else still get in?

A classroom on one server: `SESSIONS` Chromium sessions, each in its own process with
its own Playwright, open the Playground, wait for one another, then all press Train at
once (the default settings, `EPOCHS` epochs); each then asks the Your text page for the
intent of its default sentence. Meanwhile a further visitor opens the home page again
and again and times each render, as bench/cold_start.py does (navigation to the app
finished running with its title shown). Goals, from the issue: no session fails (an
error in the browser, a time-out, or a Python exception shown on the page) and the home
page renders in under 3 s throughout.

The browsers run on the same machine as the server, so they take CPU from it too: on a
2-core machine the figures are a harder test than a classroom of separate computers.
"""

import concurrent.futures
import contextlib
import dataclasses
import multiprocessing
import statistics
import threading
import time

from playwright.sync_api import sync_playwright

from bench.report import Figure
from harness import launch_chromium, serve_app, wait_for_app
from harness.sessions import (
    TRAINING_TIMEOUT,
    open_in_session,
    shows_exception,
    time_page_render,
    train_playground,
    wait_for_run,
)

SESSIONS = 4
# The fewest epochs the Playground offers: four runs at once on two cores already take
# about a minute each, the browsers included.
EPOCHS = 20
TARGET_RENDER_SECONDS = 3.0
# Seconds a session waits for the others to be ready to train: their first page load
# imports TensorFlow in the server.
READY_TIMEOUT = 300
# Seconds between two home page visits, so that the visitor does not load the server
# more than a person clicking around would.
VISIT_PAUSE = 0.5


@dataclasses.dataclass
class SessionResult:
    """What one training session did: its times (seconds since the epoch) and any error."""

    number: int
    train_started: float = 0.0
    train_ended: float = 0.0
    ended: float = 0.0
    error: str | None = None


def _session(number: int, url: str, ready) -> SessionResult:
    """One browser session: train on the Playground with the others, then try a text.

    Runs in its own process (Playwright's sync API belongs to one thread). `ready` is a
    barrier shared with the other sessions and the home page visitor.
    """
    result = SessionResult(number)
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(f"{url}/playground?play.epochs={EPOCHS}")
            wait_for_app(page, timeout=TRAINING_TIMEOUT)
        except Exception as error:
            result.error = f"opening the Playground: {_first_line(error)}"
        try:
            # Waited for even after an error, so that the others are not kept waiting.
            ready.wait(timeout=READY_TIMEOUT)
        except Exception:
            result.error = result.error or "the other sessions were not ready in time"
        if result.error is None:
            try:
                result.train_started = time.time()
                train_playground(page, EPOCHS)
                result.train_ended = time.time()
                open_in_session(page, "/try_text")
                wait_for_run(page, page.get_by_test_id("stMetric").filter(has_text="Intent"))
                if shows_exception(page):
                    result.error = "the page showed an exception"
            except Exception as error:
                result.error = _first_line(error)
            result.ended = time.time()
    return result


def _first_line(error: BaseException) -> str:
    """An error's first line: Playwright's messages go on with a long call log."""
    return (str(error).splitlines() or [type(error).__name__])[0]


def _outcome(number: int, session: concurrent.futures.Future) -> SessionResult:
    try:
        return session.result()
    except Exception as error:  # the process itself died
        return SessionResult(number, error=f"the session's process failed: {_first_line(error)}")


def _most_at_once(results: list[SessionResult]) -> int:
    """The most sessions whose training overlapped at one moment."""
    trained = [result for result in results if result.train_ended]
    # The most overlap is reached at some session's start.
    return max(
        (
            sum(other.train_started <= one.train_started < other.train_ended for other in trained)
            for one in trained
        ),
        default=0,
    )


def run() -> list[Figure]:
    renders: list[float] = []
    failed_visits = 0
    # Spawned, not forked: each process starts its own Playwright from scratch.
    context = multiprocessing.get_context("spawn")
    with (
        serve_app() as url,
        context.Manager() as manager,
        concurrent.futures.ProcessPoolExecutor(SESSIONS, mp_context=context) as pool,
        sync_playwright() as playwright,
    ):
        ready = manager.Barrier(SESSIONS + 1)
        sessions = [pool.submit(_session, number, str(url), ready) for number in range(SESSIONS)]
        browser = launch_chromium(playwright)
        visitor = browser.new_page()
        with contextlib.suppress(Exception):  # the visits below report a page that fails
            time_page_render(visitor, url)  # a first visit, so that later ones are warm visits
        with contextlib.suppress(threading.BrokenBarrierError):
            ready.wait(timeout=READY_TIMEOUT)  # the sessions report it if one was not ready
        while True:
            started = time.perf_counter()
            try:
                time_page_render(visitor, url)
            except Exception as error:
                failed_visits += 1
                print(f"  the home page did not render: {_first_line(error)}", flush=True)
            # A visit that failed counts with the time it took to fail.
            renders.append(time.perf_counter() - started)
            if all(session.done() for session in sessions):
                break
            time.sleep(VISIT_PAUSE)
        results = [_outcome(number, session) for number, session in enumerate(sessions)]
        browser.close()

    session_figures = []
    for result in results:
        if result.error:
            print(f"  session {result.number + 1} failed: {result.error}", flush=True)
            continue
        print(
            f"  session {result.number + 1}: trained in "
            f"{result.train_ended - result.train_started:.1f} s, then tried a text in "
            f"{result.ended - result.train_ended:.1f} s",
            flush=True,
        )
        session_figures.append(
            Figure(
                f"load: session {result.number + 1} trained and tried a text",
                result.ended - result.train_started,
                "s",
            )
        )
    print(f"  home page rendered {len(renders)} times during the load", flush=True)
    failures = sum(result.error is not None for result in results) + failed_visits
    return [
        Figure("browser sessions that failed under load", failures, "sessions", target=0),
        Figure(
            "browser sessions training at the same moment (most)",
            _most_at_once(results),
            "sessions",
        ),
        *session_figures,
        Figure(
            "home page render during load (worst)",
            max(renders),
            "s",
            target=TARGET_RENDER_SECONDS,
        ),
        Figure("home page render during load (median)", statistics.median(renders), "s"),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
