"""Browser test fixtures: one app server per test session and Debian's Chromium."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness import launch_chromium, serve_app

# Two cores shared with the app server: give a rerun time to show before calling it lost.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """One app server shared by the tests of this session."""
    with serve_app() as url:
        yield url


@pytest.fixture
def fresh_app_url() -> Iterator[str]:
    """An app server of its own, for what happens on the first request after start-up."""
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    yield context.new_page()
    context.close()
