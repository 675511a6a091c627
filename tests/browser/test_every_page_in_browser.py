"""Every page of the app as a room sees it, in Chromium: at 1400x900 normal and in presenter
mode, and in presenter mode on a 1920x1080 projector.

No error on any page and no chart text cut by its figure (`harness.look`); each view is
pictured whole under test-artifacts/pages/, for a person to look through before a talk.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from harness.look import PICTURES, chart_text_problems, picture_whole_page, wait_until_drawn
from ui.registry import HOME, PAGES, PageEntry

pytestmark = pytest.mark.browser

# (width, height): the presenter modes looked at on that screen.
SCREENS = {(1400, 900): (False, True), (1920, 1080): (True,)}


def page_name(entry: PageEntry) -> str:
    return Path(entry.script).stem


@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=page_name)
def test_every_view_of_the_page_reads_whole(browser: Browser, app_url: str, entry: PageEntry):
    name = page_name(entry)
    path = "" if entry is HOME else name
    context = browser.new_context()
    page = context.new_page()
    problems = []
    for (width, height), modes in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        for presenting in modes:
            mode = "presenter" if presenting else "normal"
            page.goto(f"{app_url}/{path}?presenter={str(presenting).lower()}")
            wait_until_drawn(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
            view = f"{width}x{height} {mode}"
            problems += [f"{view}: {problem}" for problem in chart_text_problems(page)]
            picture_whole_page(page, PICTURES / f"{name}-{mode}-{width}x{height}.png")
    context.close()
    assert not problems, problems
