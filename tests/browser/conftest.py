"""Browser test fixtures: one app server per test session and Debian's Chromium."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from harness import ROOT, launch_chromium, serve_app

SCREENSHOTS = ROOT / "docs" / "screenshots"


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


def screenshot(page: Page, name: str) -> None:
    """Save the top of the page, as a visitor first sees it, under docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
