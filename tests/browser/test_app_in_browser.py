"""End-to-end tests in Debian's Chromium: home, Activations, bookmarks, the device check."""

import re

import pytest
from playwright.sync_api import Page, expect

from harness import screenshot, wait_for_app
from harness.look import chart_text_problems, wait_until_drawn
from ui.registry import HOME, PAGES

pytestmark = pytest.mark.browser


def sidebar_link(page: Page, title: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)


def metric_value(page: Page, label: str):
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    return metric.get_by_test_id("stMetricValue")


def slider(page: Page, label: str):
    return page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")


def drawn_curve(page: Page, index: int) -> str:
    """The SVG path of the first line drawn in the index-th chart on the page."""
    chart = page.locator(".js-plotly-plot").nth(index)
    return chart.locator(".scatterlayer path.js-line").first.get_attribute("d")


def test_home_page_links_every_page_and_shows_the_cpu(page: Page, app_url: str):
    page.goto(app_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Deep Learning Studio")).to_be_visible()
    for title in ("Activations", "Device check"):
        expect(sidebar_link(page, title)).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("CPU:0")
    expect(sidebar).to_contain_text("Mixed precision: off")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "home")


def test_every_page_is_a_sidebar_link_on_screen_with_no_fold(page: Page, app_url: str):
    """A presenter reaches any page in one click: no "View N more" hides part of the list."""
    page.goto(app_url)
    wait_for_app(page)
    navigation = page.get_by_test_id("stSidebarNav")
    for entry in (HOME, *PAGES):
        expect(navigation.get_by_role("link", name=entry.title, exact=True)).to_be_in_viewport()
    expect(navigation.get_by_role("link")).to_have_count(1 + len(PAGES))
    expect(page.get_by_test_id("stSidebarNavViewButton")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^View (\d+ more|less)$"))).to_have_count(0)


def test_moving_a_slider_changes_the_chart_and_a_bookmark_reopens_it(
    page: Page, app_url: str, browser
):
    page.goto(app_url)
    wait_for_app(page)
    sidebar_link(page, "Activations").click()
    expect(page.get_by_role("heading", name="Activations", exact=True)).to_be_visible()
    wait_for_app(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(2)
    expect(metric_value(page, "z = w·x + b")).to_have_text("2")
    before = drawn_curve(page, 1)

    weight = slider(page, "Weight w")
    weight.focus()
    for _ in range(5):
        weight.press("ArrowRight")
    expect(metric_value(page, "z = w·x + b")).to_have_text("3")
    expect(page).to_have_url(re.compile(r"act\.w=1\.5"))
    wait_for_app(page)
    assert drawn_curve(page, 1) != before
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "activations")

    bookmark = page.url
    reopened = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    reopened.goto(bookmark)
    wait_for_app(reopened)
    expect(metric_value(reopened, "z = w·x + b")).to_have_text("3")
    expect(slider(reopened, "Weight w")).to_have_value("1.5")
    assert drawn_curve(reopened, 1) == drawn_curve(page, 1)
    reopened.context.close()


def test_a_bookmark_opened_first_after_start_keeps_every_setting(page: Page, fresh_app_url: str):
    page.goto(f"{fresh_app_url}/activations?act.fn=Tanh&act.b=-1.5&presenter=true")
    wait_for_app(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Function")).to_have_value("Tanh")
    expect(slider(page, "Bias b")).to_have_value("-1.5")
    expect(
        page.get_by_test_id("stSidebar").get_by_role("switch", name="Presenter mode")
    ).to_be_checked()
    screenshot(page, "activations-presenter")


def test_device_check_trains_and_the_panel_says_where(page: Page, app_url: str):
    page.goto(f"{app_url}/device_check?check.epochs=3")
    wait_for_app(page)
    page.get_by_role("button", name="Run the check").click()
    expect(metric_value(page, "Ran on")).to_have_text("CPU:0", timeout=90_000)
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Last model: Device check on CPU:0")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "device-check")
    page.get_by_role("button", name="Compare every device").click()
    expect(page.get_by_text("No GPU is present on this machine", exact=False)).to_be_visible(
        timeout=90_000
    )
    wait_until_drawn(page)
    assert not chart_text_problems(page)
