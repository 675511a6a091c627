"""AppTest tests of the Depth and residuals page: it opens, trains, registers, refuses
impossible settings and exports."""

import re

import pytest
from helpers import figure, open_page, plotly_array

from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/residual.py"
TIMEOUT = 180
SMALL = {"res.data": "Spiral (2-D points)", "res.depth": "3", "res.width": "8", "res.epochs": "2"}


def run_state(app):
    return app.session_state["res.run"]


@pytest.fixture(scope="module")
def trained():
    """Four 3-layer networks on the spiral, trained for 2 epochs with one click on Train."""
    app = open_page(PAGE, timeout=TIMEOUT, **SMALL)
    app.button(key="res.train").click().run()
    return app


def test_the_untrained_page_shows_the_gradient_at_every_layer_of_each_network():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "Depth and residuals (ResNet)"
    assert "Not trained yet" in app.info[0].value
    gradients = figure(app, 0)
    assert "before training" in gradients["layout"]["title"]["text"]
    lines = {trace["name"]: trace for trace in gradients["data"]}
    assert set(lines) == {"plain", "plain + batch norm", "residual", "residual + batch norm"}
    plain = plotly_array(lines["plain"]["y"])
    both = plotly_array(lines["residual + batch norm"]["y"])
    assert len(plain) == len(both) == 31  # 30 hidden layers and the output
    assert plain.max() < 1e-3 * both.min(), "30 plain layers let almost no gradient through"


def test_training_shows_the_curves_the_gradients_and_each_networks_result(trained):
    app = trained
    assert not app.exception and not app.error
    run = run_state(app)
    assert run.history.epochs == [1, 2]
    curves, gradients = figure(app, 0), figure(app, 1)
    names = {trace["name"] for trace in curves["data"]}
    assert "residual + batch norm (training)" in names and "plain (validation)" in names
    assert not any("test" in name for name in names), "the live curves never show the test"
    assert "after epoch 2" in gradients["layout"]["title"]["text"]
    assert [metric.label for metric in app.metric] == [
        "plain",
        "plain + batch norm",
        "residual",
        "residual + batch norm",
    ]
    caption = " ".join(caption.value for caption in app.caption)
    assert "2 epochs" in caption and "CPU:0" in caption


def test_each_networks_test_accuracy_is_shown_once_training_ends(trained):
    app = trained
    from dlcore.trainers import residual

    run = run_state(app)
    scores = run.extras["test_scores"]
    data = residual.load_data(residual.Config(dataset="spiral"))
    assert scores == residual.evaluate(run.model, data)
    assert any("Test accuracy" in markdown.value for markdown in app.markdown)
    shown = [metric.value for metric in app.metric]
    expected = [f"{scores[f'test_{name}_accuracy']:.1%}" for name in run.config.variants]
    assert shown == expected


def test_the_accuracies_say_they_are_held_out_and_sit_below_the_settings(trained):
    app = trained
    assert any(
        markdown.value.startswith("**Test accuracy** of each network, held out")
        for markdown in app.markdown
    )
    settings = next(column for column in app.columns if column.get("tab"))
    output = next(
        column
        for column in app.columns
        if any(button.key == "res.train" for button in column.get("button"))
    )
    # At the page's full width, so that "residual + batch norm" is not cut.
    assert len(app.metric) == 4
    assert not settings.get("metric") and not output.get("metric")


def test_export_offers_the_code_and_the_trained_model(trained):
    app = trained
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) == {"Keras code (.py)", "Trained model (.keras)"}
    assert not buttons["Trained model (.keras)"].proto.disabled
    assert "DEPTH = 3" in app.get("code")[-1].value


def test_train_again_continues_and_reset_forgets(trained):
    app = trained
    app.button(key="res.train").click().run()
    assert run_state(app).history.epochs == [1, 2, 3, 4]
    app.button(key="res.reset").click().run()
    assert not app.exception
    assert run_state(app).model is None
    assert "Not trained yet" in app.info[0].value


def test_a_digits_network_is_registered_for_the_image_page():
    app = open_page(
        PAGE, timeout=TIMEOUT, **{"res.depth": "2", "res.width": "8", "res.epochs": "1"}
    )
    app.button(key="res.train").click().run()
    assert not app.exception
    models = list(app.session_state[REGISTRY_KEY].values())
    assert len(models) == 1
    assert models[0].task == "digits" and models[0].labels == tuple("0123456789")
    assert models[0].model.input_shape == (None, 8, 8, 1)
    assert set(models[0].metrics) == {"val_accuracy", "test_accuracy"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("multiselect", "res.variants", []), "Choose at least one network"),
        (("select_slider", "res.batch", 1), "Batch norm needs at least 2 samples"),
    ],
)
def test_an_impossible_setting_is_explained_and_train_is_off(change, message):
    app = open_page(PAGE, timeout=TIMEOUT, **SMALL)
    kind, key, value = change
    getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception
    assert message in app.error[0].value
    assert app.button(key="res.train").disabled


def test_the_untrained_chart_says_why_the_plain_line_is_flat():
    app = open_page(PAGE, timeout=TIMEOUT)
    notes = [caption.value for caption in app.caption if "plain stack's gradient" in caption.value]
    assert len(notes) == 1
    assert "faded through the 30 layers" in notes[0]
    assert "times smaller than" in notes[0]
    # Powers of ten as people write them ("3 × 10⁻⁶"), not as Python prints them ("3e-06").
    assert "× 10" in notes[0] and not re.search(r"\de[-+]\d", notes[0])
