"""The Playground in Debian's Chromium while it trains: only the app's own Stop is offered,
and the default run lasts long enough to talk over."""

import re

import pytest
from playwright.sync_api import Page, expect

from harness import wait_for_app
from harness.playground import click_app_button

pytestmark = pytest.mark.browser

OPEN_TIMEOUT = 120_000
TRAINING_TIMEOUT = 180_000


def test_while_the_playground_trains_the_header_stop_is_hidden(page: Page, app_url: str):
    page.goto(f"{app_url}/playground")
    wait_for_app(page, timeout=OPEN_TIMEOUT)
    expect(page.get_by_text("Not trained yet")).to_be_visible(timeout=OPEN_TIMEOUT)
    click_app_button(page, "play.train")  # the default run: 500 epochs
    expect(page.get_by_text(re.compile(r"^Epoch \d+ · loss"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    # Streamlit draws its Stop beside "Running…" (display inline-flex), and the page's CSS
    # takes it out (display none); read at once, while the run is still going.
    header_stops = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stStatusWidget"] button')]
            .map(button => [button.innerText, getComputedStyle(button).display])"""
    )
    assert header_stops == [["Stop", "none"]]
    assert not page.get_by_text(re.compile(r"500 epochs in")).count()  # still training
    expect(page.locator(".st-key-play-stop button").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"500 epochs in [\d.]+ s on CPU:0"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
