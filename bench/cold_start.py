"""Cold start: how soon a presenter who types `make run` sees the app in a browser.

Each round starts a fresh server (as `make run` does), waits for its health check,
then opens the home page in Chromium and times it until the page has finished running
and its title shows. Two browsers are compared, each the first visitor of its own fresh
server: one with an empty cache (someone who never opened the app: Chromium must load
and parse Streamlit's 2.8 MB of JavaScript) and one that has opened the app before (a
presenter's laptop). A second visit to the same server is the warm figure. Last, it
times a slider move on the Activations page, from key press to the new number shown.
"""

import statistics
import time

from playwright.sync_api import Page, expect, sync_playwright

from bench.report import Figure
from harness import free_port, launch_chromium, serve_app, wait_for_app

ROUNDS = 3


def _time_page(page: Page, url: str, heading: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    return time.perf_counter() - started


def _time_slider_move(page: Page, url: str) -> float:
    """Seconds from a key press on the weight slider to the new z shown on the page."""
    _time_page(page, f"{url}/activations", "Activations")
    weight = page.get_by_test_id("stSlider").filter(has_text="Weight w").get_by_role("slider")
    z_value = page.get_by_test_id("stMetric").filter(has_text="z = w·x + b")
    weight.focus()
    started = time.perf_counter()
    weight.press("ArrowRight")
    expect(z_value.get_by_test_id("stMetricValue")).to_have_text("2.2")
    return time.perf_counter() - started


def run() -> list[Figure]:
    server_starts, empty_cache, cached, warm_visits, slider_moves = [], [], [], [], []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # A returning browser keeps its cache across server starts, as a laptop does; its
        # cache is per origin, so its server always comes back on the same port.
        returning = browser.new_context()
        returning_port = free_port()
        with serve_app(port=returning_port) as url:
            _time_page(returning.new_page(), url, "Deep Learning Studio")
        for _ in range(ROUNDS):
            started = time.perf_counter()
            with serve_app() as url:
                server_starts.append(time.perf_counter() - started)
                page = browser.new_page()
                empty_cache.append(_time_page(page, url, "Deep Learning Studio"))
                warm_visits.append(_time_page(page, url, "Deep Learning Studio"))
                slider_moves.append(_time_slider_move(page, url))
                page.close()
            with serve_app(port=returning_port) as url:
                cached.append(_time_page(returning.new_page(), url, "Deep Learning Studio"))
        browser.close()
    return [
        Figure("server start to healthy (median)", statistics.median(server_starts), "s"),
        Figure(
            "home page shown after server up, browser cache empty (median)",
            statistics.median(empty_cache),
            "s",
            target=2.0,
        ),
        Figure(
            "home page shown after server up, browser has opened the app before (median)",
            statistics.median(cached),
            "s",
            target=2.0,
        ),
        Figure("home page shown, warm visit (median)", statistics.median(warm_visits), "s"),
        Figure(
            "activations slider move to new number, in the browser (median)",
            statistics.median(slider_moves) * 1000,
            "ms",
        ),
    ]
