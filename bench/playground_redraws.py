"""Playground: how many times a second the browser redraws the decision boundary while it trains.

The app is served as `make run` serves it and the Playground page is opened in Chromium
with its default settings (circles, 4 and 2 neurons, batch size 10) and 200 epochs per
run, trained by a job in a worker process as `make run` does it. Each new boundary picture
the browser shows while the model trains counts as a redraw (see harness/playground.py);
the rate is taken between the first and the last of them. The Plotly chart drawn at rest,
after the test score, is not a redraw while training and is left out. The goal, from
issue 14: at least 8 a second.
"""

from playwright.sync_api import sync_playwright

from bench.report import Figure
from harness import launch_chromium, serve_app, wait_for_app
from harness.playground import boundary_redraw_times, click_app_button, record_boundary_redraws

TARGET_REDRAWS_PER_SECOND = 8.0
EPOCHS = 200


def run() -> list[Figure]:
    with serve_app() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{url}/playground?play.epochs={EPOCHS}")
        wait_for_app(page, timeout=120_000)
        # A first run warms TensorFlow up (its start, the compiled training step).
        click_app_button(page, "play.train")
        page.get_by_text(f"Epoch {EPOCHS} ·").wait_for(timeout=180_000)
        wait_for_app(page, timeout=180_000)
        click_app_button(page, "play.reset")
        # Else a lost click would leave "Epoch 200" on screen and end the count at once.
        page.get_by_text("Not trained yet").wait_for(timeout=60_000)
        wait_for_app(page, timeout=60_000)

        record_boundary_redraws(page)
        click_app_button(page, "play.train")
        page.get_by_text(f"Epoch {EPOCHS} ·").wait_for(timeout=180_000)
        wait_for_app(page, timeout=180_000)
        times = boundary_redraw_times(page, live_only=True)
        browser.close()
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / seconds if seconds > 0 else 0.0
    return [
        Figure.at_least(
            f"playground boundary redraws while training ({len(times)} in {seconds:.1f} s)",
            rate,
            "1/s",
            target=TARGET_REDRAWS_PER_SECOND,
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
