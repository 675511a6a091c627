"""AppTest tests of what a room sees on the Train pages: the results at full width below the
settings, a word for every wait after the last epoch, held-out items counted from 1, and a
page whole again after Streamlit's header Stop cut a training short."""

import json

import pytest
import streamlit
from helpers import open_page
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from ui import trainer
from ui.playground_results import PlaygroundView
from ui.trainer_flow import FINAL_STEP

CNN = "app_pages/cnn.py"
PLAYGROUND = "app_pages/playground.py"
TIMEOUT = 180


def chart_titles(block) -> list[str]:
    """The titles of the Plotly charts in `block` and below it, in page order."""
    return [
        json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "")
        for chart in block.get("plotly_chart")
    ]


def top_columns(app, page: str) -> tuple:
    """The trainer page's two top columns: the settings (with the tabs) and the output (with
    the Train button)."""
    settings = next(column for column in app.columns if column.get("tab"))
    output = next(
        column
        for column in app.columns
        if any(button.key == f"{page}.train" for button in column.get("button"))
    )
    return settings, output


@pytest.fixture(scope="module")
def cnn_trained():
    """The digits CNN trained 2 epochs, with every spinner text and progress text recorded."""
    spinners: list[str] = []
    progress: list[str] = []
    spinner, bar = streamlit.spinner, trainer.LiveChart.progress

    def recorded_spinner(text="", **options):
        spinners.append(text)
        return spinner(text, **options)

    def recorded_progress(chart, fraction, text):
        progress.append(text)
        return bar(chart, fraction, text)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamlit, "spinner", recorded_spinner)
        patch.setattr(trainer.LiveChart, "progress", recorded_progress)
        app = open_page(CNN, timeout=TIMEOUT, **{"cnn.epochs": "2", "cnn.filters": "4"})
        app.button(key="cnn.train").click().run()
    return app, spinners, progress


def test_after_training_the_results_use_the_full_width_below_the_settings(cnn_trained):
    app, _, _ = cnn_trained
    assert not app.exception and not app.error
    settings, output = top_columns(app, "cnn")
    beside_settings = chart_titles(settings) + chart_titles(output)
    # The live curves stay beside the settings ...
    assert "Loss and accuracy" in chart_titles(output)
    # ... and what follows training spans the page below both columns.
    for title in ("Confusion matrix (test images)", "What the first layer's filters learned"):
        assert title in chart_titles(app)
        assert title not in beside_settings
    assert not output.get("metric") and not settings.get("metric")
    assert {metric.label for metric in app.metric} >= {"Test accuracy", "Test images wrong"}


def test_every_step_after_the_last_epoch_says_what_it_does(cnn_trained):
    _, spinners, progress = cnn_trained
    # The job scores the test part after the last epoch: the full bar says so.
    assert progress[-1] == FINAL_STEP
    # Then the page measures on the trained model, each step with its spinner.
    for step in (
        "Counting the test predictions for the confusion matrix…",
        "Finding the test images the network gets wrong…",
        "Reading the first layer's filters…",
        "Reading the network's prediction and feature maps…",
    ):
        assert step in spinners


def test_the_test_images_are_counted_from_one(cnn_trained):
    app, _, _ = cnn_trained
    picker = app.number_input(key="cnn.image")
    assert picker.value == 1 and picker.min == 1
    n_test = int(picker.max)
    assert picker.label == f"Test image (1 to {n_test})"
    captions = [caption.value for caption in app.caption]
    assert any(caption.startswith(f"Test image 1 of {n_test}: ") for caption in captions)


def test_the_playground_default_run_lasts_long_enough_to_watch():
    app = open_page(PLAYGROUND, timeout=TIMEOUT)
    assert not app.exception
    # 200 epochs were over in under 4 s: too quick to talk over.
    assert app.select_slider(key="play.epochs").value >= 500


def test_a_run_cut_short_by_the_header_stop_is_whole_on_the_next_run(monkeypatch):
    live_drawing = PlaygroundView.live_drawing

    def stopped_at_third_epoch(view, run):
        drawing = live_drawing(view, run)
        draw = drawing.on_epoch

        def on_epoch(update):
            draw(update)
            if update.epoch >= 3:
                raise StopException()  # what Streamlit's header Stop raises in the script

        drawing.on_epoch = on_epoch
        return drawing

    monkeypatch.setattr(PlaygroundView, "live_drawing", stopped_at_third_epoch)
    app = open_page(PLAYGROUND, timeout=TIMEOUT, **{"play.epochs": "50"})
    app.button(key="play.train").click().run()
    assert not app.exception
    # Cut short: the page ends at the live picture, with no Export below it; the header
    # Stop was hidden while the job trained (this test stands in for a click on it).
    assert not app.get("download_button")
    assert [item.value for item in app.get("html")] == [trainer.HIDE_HEADER_STOP]
    monkeypatch.undo()
    app.run()  # the next run, e.g. any click
    assert not app.exception and not app.error
    run = app.session_state["play.run"]
    assert not run.in_progress and run.status == "stopped" and 3 <= run.epochs_trained < 50
    assert not app.get("html")  # the header Stop shows again once nothing trains
    status = [item.value for item in app.markdown if item.value.startswith("**Epoch")]
    assert status and status[0].startswith(f"**Epoch {run.epochs_trained}**")
    assert any("Stopped: the last finished epoch is kept." in item.value for item in app.caption)
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert not buttons["Trained model (.keras)"].proto.disabled
