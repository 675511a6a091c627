"""The Home page in Debian's Chromium at 1400x900: its cards in even rows."""

import pytest
from playwright.sync_api import Page, expect

from harness import wait_for_app
from ui.registry import PAGES

pytestmark = pytest.mark.browser


def card_boxes(page: Page) -> list[dict]:
    """Each Home card's box on screen: the bordered container around each page link."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPageLink"]')]
            .map(link => link.closest('[data-testid="stVerticalBlock"]'))
            .map(card => { const box = card.getBoundingClientRect();
                           return {top: box.top, height: box.height, width: box.width}; })"""
    )


def test_home_cards_sit_in_even_rows(browser, app_url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(app_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Deep Learning Studio")).to_be_visible()
    cards = page.locator('[data-testid="stMain"] [data-testid="stPageLink"]')
    expect(cards).to_have_count(len(PAGES))
    wait_for_app(page)
    boxes = card_boxes(page)
    assert len(boxes) == len(PAGES)
    rows: dict[int, list[dict]] = {}
    for box in boxes:
        rows.setdefault(round(box["top"]), []).append(box)
    assert all(len(row) <= 3 for row in rows.values())
    for row in rows.values():
        # Every card of a row as tall and as wide as the others (to a pixel's rounding).
        assert max(box["height"] for box in row) - min(box["height"] for box in row) <= 1
        assert max(box["width"] for box in row) - min(box["width"] for box in row) <= 1
    context.close()
