"""AppTest tests of the Overfitting lab page: it opens, keeps its settings in the URL, trains
every network side by side, says which remedy closed the gap, scores the test once, registers
a network for the Image page, refuses impossible settings and exports."""

import pytest
from helpers import figure, open_page

from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/overfitting.py"
TIMEOUT = 180
SMALL = {"ovf.n": "30", "ovf.width": "32", "ovf.epochs": "5", "ovf.patience": "2"}


def run_state(app):
    return app.session_state["ovf.run"]


@pytest.fixture(scope="module")
def trained():
    """The six small networks trained for 5 epochs with one click on Train."""
    app = open_page(PAGE, timeout=TIMEOUT, **SMALL)
    app.button(key="ovf.train").click().run()
    return app


def test_the_page_opens_untrained_with_its_explanation_and_the_common_mistake():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "Overfitting lab"
    assert "Not trained yet" in app.info[0].value
    assert any("过拟合" in markdown.value for markdown in app.markdown)
    notes = [info.value for info in app.info if info.value.startswith("**A common mistake:**")]
    assert len(notes) == 1 and "The test set is for the end" in notes[0]


def test_before_training_the_page_shows_the_digits_the_baseline_learns():
    app = open_page(PAGE, timeout=TIMEOUT, **{"ovf.n": "30"})
    digits = figure(app, 0)
    assert digits["layout"]["title"]["text"] == "The first 30 of the 30 training digits"
    # The small set takes each digit in turn: its first ten are 0 to 9, in some order.
    captions = [note["text"] for note in digits["layout"]["annotations"]]
    assert sorted(captions[:10]) == [str(digit) for digit in range(10)]


def test_every_setting_is_kept_in_the_url_and_a_bookmark_reopens_it():
    app = open_page(PAGE, timeout=TIMEOUT)
    kinds = ("slider", "select_slider", "selectbox", "radio", "multiselect", "number_input")
    controls = [widget for kind in kinds for widget in app.get(kind)]
    assert len(controls) >= 12
    assert [w.proto.label for w in controls if not w.proto.query_param_key] == []
    bookmarked = open_page(PAGE, timeout=TIMEOUT, **{"ovf.n": "50", "ovf.l2": "0.001"})
    assert bookmarked.select_slider(key="ovf.n").value == 50
    assert bookmarked.select_slider(key="ovf.l2").value == 0.001


def test_training_draws_a_panel_per_network_with_the_gap_shaded(trained):
    app = trained
    assert not app.exception and not app.error
    run = run_state(app)
    assert run.history.epochs == [1, 2, 3, 4, 5]
    curves = figure(app, 0)
    titles = [annotation["text"] for annotation in curves["layout"]["annotations"]]
    assert titles[:6] == [
        "Baseline",
        "Dropout",
        "L2",
        "Augmentation",
        "Early stopping",
        "More data",
    ]
    shaded = [trace for trace in curves["data"] if trace.get("fill") == "tonexty"]
    assert len(shaded) == 6
    assert not any("test" in trace.get("name", "") for trace in curves["data"])


def test_the_test_accuracy_of_each_network_is_shown_once_training_ends(trained):
    app = trained
    from dlcore.trainers import overfitting

    run = run_state(app)
    scores = run.extras["test_scores"]
    assert scores == overfitting.evaluate(run.model, overfitting.load_data(run.config))
    assert any(m.value.startswith("**Held-out test accuracy**") for m in app.markdown)
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["More data"] == f"{scores['test_more_data_accuracy']:.1%}"
    assert len(shown) == 6
    bars = figure(app, 1)
    assert [trace["name"] for trace in bars["data"]] == ["test accuracy (%)", "gap"]


def test_a_line_says_which_remedy_closed_the_gap_read_from_validation(trained):
    app = trained
    from dlcore.figures.overfitting import VARIANT_TITLES
    from dlcore.trainers import overfitting

    run = run_state(app)
    expected = overfitting.gap_note(
        overfitting.gaps(run.history, run.config.variants), VARIANT_TITLES
    )
    assert any(markdown.value == expected for markdown in app.markdown)


def test_the_best_network_on_validation_is_registered_for_the_image_page(trained):
    app = trained
    models = list(app.session_state[REGISTRY_KEY].values())
    assert len(models) == 1
    assert models[0].task == "digits" and models[0].labels == tuple("0123456789")
    assert models[0].model.input_shape == (None, 8, 8, 1)
    assert set(models[0].metrics) == {"val_accuracy", "test_accuracy"}


def test_export_offers_the_code_and_the_trained_lab(trained):
    app = trained
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) == {"Keras code (.py)", "Trained model (.keras)"}
    assert not buttons["Trained model (.keras)"].proto.disabled
    assert "N_TRAIN = 30" in app.get("code")[-1].value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("multiselect", "ovf.remedies", []), "Choose at least one remedy"),
        (("select_slider", "ovf.n", 300), "the more-data network needs 1200"),
    ],
)
def test_an_impossible_setting_is_explained_and_train_is_off(change, message):
    app = open_page(PAGE, timeout=TIMEOUT, **SMALL)
    kind, key, value = change
    getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception
    assert message in app.error[0].value
    assert app.button(key="ovf.train").disabled
