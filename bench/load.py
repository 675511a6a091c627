"""Load: a classroom of sessions press Train at once on one server; does everyone get served?

A classroom on one server: `SESSIONS` sessions open the Playground (the default settings,
`EPOCHS` epochs, its fewest), wait until all are open, then all press Train within a
second and wait for their training to end. Meanwhile one more visitor, in Chromium,
opens the home page again and again and times each render, as bench/cold_start.py does
(navigation to the app finished running with its title shown). Goals, from issue 14: all
sessions train at once (their runs, from the click to the end, overlap), none fails (a
time-out, or an exception or error box on its page), every training finishes, and the
home page renders in under 3 s throughout.

The classroom's sessions speak Streamlit's websocket protocol themselves
(`harness.streamlit_client`), all in one thread of this process: a browser per session
would take the server's two cores from it, where a classroom's laptops bring their own.
The server does the same work for them as for browsers: the same script runs, the same
elements sent.

While every training worker is busy, a page says its training's place in the queue; the
wait in the queue is from the click to the first epoch drawn ("Epoch 1 · loss ..."), and
zero for a training that never showed a place in the queue.
"""

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import math
import re
import statistics
import threading
import time

from playwright.sync_api import sync_playwright

from bench.report import Figure
from harness import launch_chromium, serve_app
from harness.sessions import time_page_render
from harness.streamlit_client import AppSession, Shown

SESSIONS = 24
EPOCHS = 20
PLAYGROUND = f"/playground?play.epochs={EPOCHS}"
TARGET_RENDER_SECONDS = 3.0
TARGET_CLICK_SPREAD_SECONDS = 1.0
# Seconds for all sessions to open the Playground: the first run imports TensorFlow in
# the server, and all open at once on two cores.
OPEN_TIMEOUT = 300
# Seconds from a click to the end of its training: the last in the queue waits for all
# the others.
TRAINING_TIMEOUT = 900
# Seconds between two home page visits, so that the visitor does not load the server
# more than a person clicking around would.
VISIT_PAUSE = 0.5

# An epoch drawn: the Playground's line "**Epoch 3** · loss ...", or a progress bar's "Epoch 3".
_EPOCH_DRAWN = re.compile(r"^\W*Epoch \d")
_QUEUED = "in the queue"
_FINISHED = f"Playground MLP: {EPOCHS} epochs in"


@dataclasses.dataclass
class SessionResult:
    """What one session did: its times (`time.perf_counter()` seconds) and any error.

    Attributes:
        clicked: when it sent its Train click, 0 if it did not.
        training_started: when its first epoch was drawn, 0 if none was.
        ended: when its run ended, 0 if it did not.
        queued: whether its page showed the training's place in the queue.
        finished: whether its page then showed the finished training's status line.
    """

    number: int
    clicked: float = 0.0
    training_started: float = 0.0
    ended: float = 0.0
    queued: bool = False
    finished: bool = False
    error: str | None = None

    @property
    def queue_wait(self) -> float:
        """Seconds from the click to the first epoch, if the page showed a queue, else 0."""
        return self.training_started - self.clicked if self.queued else 0.0


async def _open(session: AppSession, result: SessionResult) -> None:
    try:
        await session.open(PLAYGROUND, timeout=OPEN_TIMEOUT)
        session.widget_id("play.train")
    except Exception as error:
        result.error = f"opening the Playground: {_describe(error)}"


async def _train(session: AppSession, result: SessionResult) -> None:
    """Wait for the run that the session's click started, and read what it showed."""
    try:
        await session.wait_for_run(timeout=TRAINING_TIMEOUT)
        result.ended = time.perf_counter()
    except Exception as error:
        result.error = f"training: {_describe(error)}"
    shown: list[Shown] = session.received
    result.queued = any(_QUEUED in element.text for element in shown)
    epochs = [element.at for element in shown if _EPOCH_DRAWN.match(element.text)]
    result.training_started = epochs[0] if epochs else 0.0
    result.finished = result.ended > 0 and session.shows(_FINISHED)
    errors = [element.text for element in shown if element.is_error]
    if errors and result.error is None:
        result.error = f"the page showed an error: {errors[0].splitlines()[0]}"


async def _classroom(url: str, pressed: threading.Event) -> list[SessionResult]:
    """All sessions: open the Playground, press Train together, wait for the end.

    `pressed` is set once every open session has sent its click (or none could open).
    """
    results = [SessionResult(number) for number in range(SESSIONS)]
    sessions = [AppSession(url) for _ in range(SESSIONS)]
    try:
        await asyncio.gather(*map(_open, sessions, results))
        ready = [
            (session, result)
            for session, result in zip(sessions, results, strict=True)
            if not result.error
        ]
        # One after the other with no pause: the clicks leave within milliseconds.
        for session, result in ready:
            try:
                await session.click("play.train", wait=False)
                result.clicked = time.perf_counter()
            except Exception as error:
                result.error = f"clicking Train: {_describe(error)}"
        pressed.set()
        await asyncio.gather(
            *(_train(session, result) for session, result in ready if result.clicked)
        )
    finally:
        pressed.set()
        await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)
    return results


def _describe(error: BaseException) -> str:
    """An error's first line, or its type where it has no message."""
    return (str(error).splitlines() or [type(error).__name__])[0]


def _most_at_once(results: list[SessionResult]) -> int:
    """The most sessions whose training (from the click to the run's end) overlapped."""
    trained = [result for result in results if result.ended]
    # The most overlap is reached at some session's click.
    return max(
        (sum(other.clicked <= one.clicked < other.ended for other in trained) for one in trained),
        default=0,
    )


def _percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value with `percent`% of them at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)]


def run() -> list[Figure]:
    renders: list[float] = []
    failed_visits = 0
    pressed = threading.Event()
    # The server stops before the classroom's thread is waited for: its sessions then end at
    # once, should the visitor fail.
    with (
        concurrent.futures.ThreadPoolExecutor(1) as classroom_thread,
        serve_app() as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        visitor = browser.new_page()
        with contextlib.suppress(Exception):  # the visits below report a page that fails
            time_page_render(visitor, url)  # a first visit, so that later ones are warm visits
        classroom = classroom_thread.submit(asyncio.run, _classroom(str(url), pressed))
        pressed.wait(timeout=OPEN_TIMEOUT + 60)  # the classroom reports what did not open
        while True:
            started = time.perf_counter()
            try:
                time_page_render(visitor, url)
            except Exception as error:
                failed_visits += 1
                print(f"  the home page did not render: {_describe(error)}", flush=True)
            # A visit that failed counts with the time it took to fail.
            renders.append(time.perf_counter() - started)
            if classroom.done():
                break
            time.sleep(VISIT_PAUSE)
        results = classroom.result()
        browser.close()

    for result in results:
        if result.error:
            print(f"  session {result.number + 1} failed: {result.error}", flush=True)
    trained = [result for result in results if result.ended and result.training_started]
    if not trained:
        raise RuntimeError(f"no session trained: {results[0].error}")
    clicks = [result.clicked for result in results if result.clicked]
    waits = [result.queue_wait for result in trained]
    durations = [result.ended - result.clicked for result in trained]
    print(
        f"  {len(trained)} trainings took {min(durations):.1f} to {max(durations):.1f} s "
        f"from the click; {sum(result.queued for result in trained)} waited in the queue",
        flush=True,
    )
    print(f"  home page rendered {len(renders)} times during the load", flush=True)
    failures = sum(result.error is not None for result in results) + failed_visits
    return [
        Figure.at_least(
            "load: sessions training at once",
            _most_at_once(results),
            "sessions",
            target=SESSIONS,
        ),
        Figure(
            "load: Train clicks spread",
            max(clicks) - min(clicks),
            "s",
            target=TARGET_CLICK_SPREAD_SECONDS,
        ),
        Figure("load: sessions that failed", failures, "sessions", target=0),
        Figure.at_least(
            "load: sessions whose training finished",
            sum(result.finished for result in results),
            "sessions",
            target=SESSIONS,
        ),
        Figure(
            "load: wait in the queue (median)",
            statistics.median(waits),
            "s",
        ),
        Figure(
            "load: wait in the queue (95th percentile)",
            _percentile(waits, 95),
            "s",
        ),
        Figure(
            "home page render during load (worst)",
            max(renders),
            "s",
            target=TARGET_RENDER_SECONDS,
        ),
        Figure(
            "home page render during load (median)",
            statistics.median(renders),
            "s",
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
