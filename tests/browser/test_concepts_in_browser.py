"""End-to-end tests of the Convolution, Pooling, Optimizers, Backpropagation and Batch norm
pages in Debian's Chromium."""

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from harness import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def output_image(page: Page):
    """The convolution's or pooling's output picture (the second image on the page)."""
    return page.get_by_test_id("stImage").nth(1).locator("img")


def test_changing_the_kernel_changes_the_output_image(page: Page, app_url: str):
    page.goto(f"{app_url}/convolution")
    wait_for_app(page)
    expect(page.get_by_text("Output, 512×512")).to_be_visible()
    before = output_image(page).get_attribute("src")

    choose(page, "Kernel", "Sobel x")
    expect(page.get_by_text("Output brightness: mid-grey = 0", exact=False)).to_be_visible()
    wait_for_app(page)
    assert output_image(page).get_attribute("src") != before
    expect(page.get_by_text("Output cell", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "convolution")


def test_an_uploaded_photo_is_convolved_and_a_bad_file_explained(page: Page, app_url: str):
    page.goto(f"{app_url}/convolution?conv.source=Upload")
    wait_for_app(page)
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 220)).save(buffer, format="PNG")
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("stFileUploaderDropzone").click()
    chooser.value.set_files(
        files=[{"name": "blue.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    expect(page.get_by_text("Input, 60×80 (upload: blue.png)")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("stFileUploaderDropzone").click()
    chooser.value.set_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture"}]
    )
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("not an image")
    expect(page.get_by_text("Input, 512×512 (sample: astronaut)")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_pooling_mode_changes_the_pooled_image(page: Page, app_url: str):
    page.goto(f"{app_url}/pooling")
    wait_for_app(page)
    expect(page.get_by_text("Max pooled, 256×256")).to_be_visible()
    page.get_by_test_id("stRadio").filter(has_text="Pooling").get_by_text(
        "Average", exact=True
    ).click()
    expect(page.get_by_text("Average pooled, 256×256")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "pooling")


def test_optimizers_race_on_the_surface(page: Page, app_url: str):
    page.goto(f"{app_url}/optimizers")
    wait_for_app(page, timeout=120_000)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3, timeout=60_000)
    expect(charts.first).to_contain_text("Adam")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "optimizers")


def test_batch_norm_switches_to_the_moving_averages_at_inference(page: Page, app_url: str):
    page.goto(f"{app_url}/batch_norm")
    wait_for_app(page)
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("batch mean")
    page.get_by_text("Inference", exact=True).click()
    expect(table).to_contain_text("moving mean")
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_text("Training", exact=True).first.click()
    expect(table).to_contain_text("batch mean")
    screenshot(page, "batch_norm")


def test_backpropagation_steps_lower_the_loss(page: Page, app_url: str):
    page.goto(f"{app_url}/backprop?bp.hidden=3%2C%202")
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.locator(".st-key-bp-step10 button").click()
    expect(page.get_by_text("Loss L at step 10")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "backprop")
