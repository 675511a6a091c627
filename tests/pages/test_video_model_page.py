"""AppTest tests of the Video model page: it trains, explains, registers and refuses."""

import json

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array

from dlcore.data.motion import MOTION_LABELS
from dlcore.figures.style import human_label
from dlcore.trainers import video
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/video_model.py"
TIMEOUT = 240
# The smallest quick run: 300 clips (210 to train on, 45 to validate, 45 to test), 4 filters,
# 2 epochs.
SMALL = {"video.clips": "300", "video.filters": "4", "video.epochs": "2"}


@pytest.fixture(scope="module")
def trained():
    """The per-frame CNN and GRU on 300 clips, trained 2 epochs with one click on Train."""
    app = open_page(PAGE, timeout=TIMEOUT, **SMALL)
    app.button(key="video.train").click().run()
    return app


def test_the_untrained_page_shows_one_clip_of_each_motion_and_offers_the_code():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "Video model"
    assert "Not trained yet" in app.info[0].value
    assert not app.button(key="video.train").disabled
    examples = figure(app, 0)
    assert len(examples["data"]) == 6 * 8  # six clips of 8 frames
    titles = [annotation["text"] for annotation in examples["layout"]["annotations"]]
    # Human labels: "zoom in", not "zoom_in".
    assert [title for title in titles if title] == [human_label(m) for m in MOTION_LABELS]
    assert "N_CLIPS = 2400" in app.get("code")[-1].value
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert buttons["Trained model (.keras)"].proto.disabled


def test_training_shows_the_curves_the_accuracy_and_the_confusions(trained):
    app = trained
    assert not app.exception and not app.error
    run = app.session_state["video.run"]
    assert run.history.epochs == [1, 2]
    assert figure(app, 0)["layout"]["title"]["text"] == "Loss and accuracy"
    metrics = {metric.label: metric.value for metric in app.metric}
    accuracy = run.extras["test_scores"]["test_accuracy"]
    assert metrics == {"Test accuracy": f"{accuracy:.1%}"}
    confusion = figure(app, 1)["data"][0]
    counts = plotly_array(confusion["text"]).reshape(6, 6)
    assert counts.sum() == 45  # every test clip once
    assert np.trace(counts) / 45 == pytest.approx(accuracy, abs=0.012)
    assert set(run.history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    caption = " ".join(caption.value for caption in app.caption)
    assert "2 epochs" in caption and "CPU:0" in caption
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert not buttons["Trained model (.keras)"].proto.disabled


def test_the_feature_maps_are_the_models_own(trained):
    app = trained
    run = app.session_state["video.run"]
    app.number_input(key="video.clip").set_value(3)
    app.slider(key="video.filter").set_value(2).run()
    assert not app.exception
    data = video.load_data(run.config)
    expected = video.feature_maps(run.model, data.x_test[2])[..., 1]
    maps = figure(app, 4)
    assert maps["layout"]["title"]["text"] == "Filter 2"
    shown = np.stack([plotly_array(heatmap["z"]).reshape(16, 16) for heatmap in maps["data"]])
    np.testing.assert_allclose(shown, expected, atol=1e-5)
    clip_title = figure(app, 3)["layout"]["title"]["text"]
    label = human_label(MOTION_LABELS[data.y_test[2]])  # "zoom in", not "zoom_in"
    assert clip_title == f"Test clip 3 of {len(data.y_test)}: {label}"


def test_the_trained_model_is_offered_to_the_try_it_pages(trained):
    (model,) = trained.session_state[REGISTRY_KEY].values()
    assert model.task == "motion" and model.labels == MOTION_LABELS
    assert model.title.startswith("CNN per frame + GRU on motion clips (")
    assert model.preprocessing["n_frames"] == 8
    assert model.preprocessing["image_size"] == (16, 16)
    assert model.model.input_shape == (None, 8, 16, 16, 3)
    assert model.metrics == trained.session_state["video.run"].extras["test_scores"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"video.clip_frames": "4"}, "cannot see 8 frames of a clip that has only 4"),
        (
            {"video.architecture": "Conv3D", "video.frames": "2"},
            "Too few frames for Conv3D's kernels",
        ),
        (
            {"video.size": "8", "video.kernel": "9", "video.blocks": "1"},
            "The kernel (9x9) is larger than the 8x8 frame",
        ),
    ],
)
def test_impossible_settings_show_an_error_and_no_train_button(query, message):
    app = open_page(PAGE, timeout=TIMEOUT, **query)
    assert not app.exception
    assert message in app.error[0].value
    assert app.button(key="video.train").disabled


def test_presenter_mode_folds_the_explanation_and_keeps_the_page():
    app = open_page(PAGE, timeout=TIMEOUT, presenter="true")
    assert not app.exception and not app.error
    assert app.sidebar.toggle(key="presenter").value is True
    assert any(expander.label == "How it works" for expander in app.expander)
    assert figure(app, 0)["layout"]["font"]["size"] == 22  # enlarged for a room


def test_the_results_sit_below_the_settings_at_full_width(trained):
    app = trained
    output = next(
        column
        for column in app.columns
        if any(button.key == "video.train" for button in column.get("button"))
    )
    beside = [json.loads(chart.proto.spec) for chart in output.get("plotly_chart")]
    assert [chart["layout"]["title"]["text"] for chart in beside] == ["Loss and accuracy"]
    assert not output.get("metric") and not output.get("number_input")
    assert app.number_input(key="video.clip").label.startswith("Test clip (1 to ")
