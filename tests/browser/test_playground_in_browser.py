"""End-to-end tests of the Playground page in Debian's Chromium: train, watch, stop."""

import re

import pytest
from playwright.sync_api import Page, expect

from harness import screenshot, wait_for_app
from harness.look import look_at_both_modes
from harness.playground import (
    boundary_redraw_times,
    click_app_button,
    record_boundary_redraws,
    shown_boundary,
)

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 180_000


def test_training_redraws_the_boundary_as_it_learns(page: Page, app_url: str):
    page.goto(f"{app_url}/playground?play.data=XOR&play.layers=8%2C8&play.epochs=200")
    wait_for_app(page, timeout=TRAINING_TIMEOUT)
    expect(page.get_by_text("Not trained yet")).to_be_visible()
    untrained = shown_boundary(page)
    record_boundary_redraws(page)

    click_app_button(page, "play.train")
    expect(page.get_by_text("Epoch 200 ·", exact=False)).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_for_app(page, timeout=TRAINING_TIMEOUT)

    assert shown_boundary(page) != untrained
    # Redrawn while it trained (up to 8 times a second), not only once at the end.
    assert len(boundary_redraw_times(page)) >= 5
    expect(page.get_by_text(re.compile(r"200 epochs in .* on CPU:0"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "playground")
    problems = look_at_both_modes(page, "playground-trained")
    assert not problems, problems


def test_stop_keeps_the_model_and_its_history(page: Page, app_url: str):
    page.goto(f"{app_url}/playground?play.data=Spiral&play.layers=8%2C8&play.epochs=1000")
    wait_for_app(page, timeout=TRAINING_TIMEOUT)
    click_app_button(page, "play.train")
    expect(page.get_by_text(re.compile(r"Epoch \d+ ·"))).to_be_visible(timeout=TRAINING_TIMEOUT)

    click_app_button(page, "play.stop")
    expect(
        page.get_by_text("Stopped: the last finished epoch is kept.", exact=False)
    ).to_be_visible()
    wait_for_app(page)
    caption = page.get_by_text(re.compile(r"^Playground MLP: \d+ epochs in")).inner_text()
    epochs = int(re.search(r"(\d+) epochs", caption).group(1))
    assert 0 < epochs < 1000
    # The curves and the boundary are drawn again from what was kept.
    expect(page.get_by_text(re.compile(r"^Epoch \d+ ·"))).to_be_visible()
    expect(page.get_by_text("Loss and accuracy")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
