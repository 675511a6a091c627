"""End-to-end tests of the trainer pages in Debian's Chromium: open, a short Train, results.

Each run is short (seconds on two cores), and the page is pictured for the README once
it is idle.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from harness import screenshot, wait_for_app
from harness.look import look_at_both_modes
from harness.playground import click_app_button

pytestmark = pytest.mark.browser

# The first trainer opened in a server imports TensorFlow.
OPEN_TIMEOUT = 120_000
TRAINING_TIMEOUT = 120_000
# What show_run_status writes under the buttons once a run has finished.
FINISHED = re.compile(r"\d+ epochs in [\d.]+ s on CPU:0")


def open_untrained(page: Page, url: str, title: str) -> None:
    """Open a trainer page and wait until it has drawn its untrained view."""
    page.goto(url)
    wait_for_app(page, timeout=OPEN_TIMEOUT)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_text("Not trained yet")).to_be_visible(timeout=OPEN_TIMEOUT)


def train(page: Page, button_key: str) -> None:
    """Press the page's own Train and wait for the run to finish."""
    click_app_button(page, button_key)
    expect(page.get_by_text(FINISHED)).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_for_app(page, timeout=TRAINING_TIMEOUT)


def screenshot_when_idle(page: Page, name: str) -> None:
    """Picture the page for the README once nothing on it is still loading."""
    expect(page.get_by_test_id("stSpinner")).to_have_count(0)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, name)


def expect_results_read_whole(page: Page, name: str) -> None:
    """The trained page, normal and in presenter mode: no chart text cut, both pictured."""
    problems = look_at_both_modes(page, f"{name}-trained")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not problems, problems


def expect_text(page: Page, text: str) -> None:
    """Wait until this exact text (a heading, a chart's title) is on the page."""
    expect(page.get_by_text(text, exact=True)).to_be_visible()


def metric_value(page: Page, label: str):
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    return metric.get_by_test_id("stMetricValue")


def test_sequences_learns_the_intents_in_two_epochs(page: Page, app_url: str):
    open_untrained(page, f"{app_url}/sequences?seq.epochs=2", "Sequences (RNN, LSTM, GRU)")
    train(page, "seq.intents.train")
    for label in ("Test accuracy", "… in English", "… in Chinese"):
        expect(metric_value(page, label)).to_have_text(re.compile(r"[\d.]+%"))
    expect_text(page, "Predicted intent")
    screenshot_when_idle(page, "sequences")
    expect_results_read_whole(page, "sequences")


def test_a_transformer_shows_its_attention_worked_by_hand(page: Page, app_url: str):
    query = "seq.encoder=Transformer&seq.embedding=8&seq.epochs=1&seq.language=English"
    open_untrained(page, f"{app_url}/sequences?{query}", "Sequences (RNN, LSTM, GRU)")
    train(page, "seq.intents.train")
    expect_text(page, "Attention by hand")
    expect(page.get_by_text(re.compile(r"^For “will” and “will” in head 1"))).to_be_visible()
    expect_results_read_whole(page, "sequences-transformer")


def test_cnn_learns_the_digits_in_two_epochs(page: Page, app_url: str):
    open_untrained(page, f"{app_url}/cnn?cnn.epochs=2", "Image classifier (CNN)")
    expect_text(page, "Training images")
    train(page, "cnn.train")
    expect(metric_value(page, "Test accuracy")).to_have_text(re.compile(r"[\d.]+%"))
    expect_text(page, "Confusion matrix (test images)")
    screenshot_when_idle(page, "cnn")
    expect_results_read_whole(page, "cnn")


def test_video_model_shows_one_clip_of_each_motion_before_training(page: Page, app_url: str):
    # A video model needs minutes to learn the motions, so the picture is its first view.
    open_untrained(page, f"{app_url}/video_model", "Video model")
    expect_text(page, "One clip of each motion, as the model sees it")
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled()
    screenshot_when_idle(page, "video_model")


def test_residual_trains_four_deep_networks_side_by_side(page: Page, app_url: str):
    open_untrained(page, f"{app_url}/residual?res.epochs=2", "Depth and residuals (ResNet)")
    expect_text(page, "Gradient size at each layer before training")
    train(page, "res.train")
    expect_text(page, "Loss and accuracy of each network")
    expect_text(page, "Gradient size at each layer after epoch 2")
    screenshot_when_idle(page, "residual")
    expect_results_read_whole(page, "residual")


def test_gan_learns_the_ring_in_one_run(page: Page, app_url: str):
    open_untrained(page, f"{app_url}/gan", "GAN")
    train(page, "gan.train")
    expect_text(page, "Real and generated points after 2000 steps")
    expect(metric_value(page, "Steps trained")).to_have_text("2,000")
    expect(metric_value(page, "Test distance to the target")).to_have_text(re.compile(r"\d\.\d{3}"))
    screenshot_when_idle(page, "gan")
    expect_results_read_whole(page, "gan")


def test_memory_shows_the_simple_rnn_forget_where_the_gated_cells_remember(
    page: Page, app_url: str
):
    # The page's own settings (length 60, 10 epochs): the picture shows the gap it is about.
    open_untrained(page, f"{app_url}/memory", "Memory (RNN, LSTM, GRU)")
    expect(page.get_by_text(re.compile(r"^An example sequence"))).to_be_visible()
    train(page, "mem.train")
    for label in ("SimpleRNN", "LSTM", "GRU"):
        expect(metric_value(page, label)).to_have_text(re.compile(r"[\d.]+%"))
    screenshot_when_idle(page, "memory")
    expect_results_read_whole(page, "memory")


def test_the_overfitting_lab_shades_each_networks_gap(page: Page, app_url: str):
    open_untrained(page, f"{app_url}/overfitting?ovf.epochs=40", "Overfitting lab")
    train(page, "ovf.train")
    expect(metric_value(page, "Baseline")).to_have_text(re.compile(r"[\d.]+%"))
    screenshot_when_idle(page, "overfitting")
    expect_results_read_whole(page, "overfitting")
