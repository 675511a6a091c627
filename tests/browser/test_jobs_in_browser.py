"""Training as jobs, end to end in Chromium, on a server with one training worker: a second
training waits its turn with its place on the page, and a worker killed mid-epoch costs one
page a message and nothing else."""

import os
import re
import signal
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from harness import AppUrl, job_worker_pids, serve_app, wait_for_app
from harness.playground import click_app_button
from harness.sessions import HOME_HEADING

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 180_000
# A Stop waits for the epoch under way, then the page draws again: on two busy cores that
# can take longer than the default wait.
STOP_TIMEOUT = 60_000
LONG_RUN = "playground?play.data=Spiral&play.layers=8%2C8&play.epochs=1000"
SHORT_RUN = "playground?play.data=XOR&play.layers=4&play.epochs=20"
STOPPED = "Stopped: the last finished epoch is kept."
KILLED = "The training process stopped unexpectedly"


@pytest.fixture(scope="module")
def one_worker_url() -> Iterator[AppUrl]:
    with serve_app(workers=1) as url:
        yield url


def _open(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    page.goto(url)
    wait_for_app(page, timeout=TRAINING_TIMEOUT)
    return page


def test_a_second_training_waits_in_the_queue_and_starts_when_the_first_stops(
    browser: Browser, one_worker_url: AppUrl
):
    first = _open(browser, f"{one_worker_url}/{LONG_RUN}")
    second = _open(browser, f"{one_worker_url}/{SHORT_RUN}")
    click_app_button(first, "play.train")
    expect(first.get_by_text(re.compile(r"^Epoch \d+ ·"))).to_be_visible(timeout=TRAINING_TIMEOUT)

    click_app_button(second, "play.train")
    expect(second.get_by_text("number 1 in the queue", exact=False)).to_be_visible()
    click_app_button(first, "play.stop")
    expect(first.get_by_text(STOPPED, exact=False)).to_be_visible(timeout=STOP_TIMEOUT)
    expect(second.get_by_text(re.compile(r"20 epochs in .* on CPU:0"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    expect(second.get_by_text("in the queue", exact=False)).to_have_count(0)
    for page in (first, second):
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.context.close()


def test_a_worker_killed_mid_epoch_fails_that_training_only(
    browser: Browser, one_worker_url: AppUrl
):
    page = _open(browser, f"{one_worker_url}/{LONG_RUN}")
    click_app_button(page, "play.train")
    expect(page.get_by_text(re.compile(r"^Epoch \d+ ·"))).to_be_visible(timeout=TRAINING_TIMEOUT)
    (worker,) = job_worker_pids(one_worker_url.pid)
    os.kill(worker, signal.SIGKILL)

    expect(page.get_by_text(KILLED, exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # The pool has a new worker, and Train works again.
    click_app_button(page, "play.train")
    expect(page.get_by_text(re.compile(r"^Epoch \d+ ·"))).to_be_visible(timeout=TRAINING_TIMEOUT)
    click_app_button(page, "play.stop")
    expect(page.get_by_text(STOPPED, exact=False)).to_be_visible(timeout=STOP_TIMEOUT)
    assert job_worker_pids(one_worker_url.pid) != [worker]
    # The server serves everyone else as before.
    visitor = _open(browser, one_worker_url)
    expect(visitor.get_by_role("heading", name=HOME_HEADING, exact=True)).to_be_visible()
    for opened in (page, visitor):
        opened.context.close()
