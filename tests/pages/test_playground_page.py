"""AppTest tests of the Playground page: training, continuing, reset, bad settings, export."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array

from dlcore.training.saving import TrainedModel
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/playground.py"
TIMEOUT = 180


def boundary_pixels(app) -> np.ndarray:
    """The decision boundary's picture (flattened RGB): the image under the points."""
    image = figure(app, 0)["data"][0]
    assert image["type"] == "image"
    return plotly_array(image["z"])


def run_state(app):
    return app.session_state["play.run"]


@pytest.fixture(scope="module")
def trained():
    """XOR with 8, 8 neurons, trained for 20 epochs with one click on Train."""
    app = open_page(
        PAGE, timeout=TIMEOUT, **{"play.data": "XOR", "play.layers": "8, 8", "play.epochs": "20"}
    )
    untrained = boundary_pixels(app)
    app.button(key="play.train").click().run()
    return app, untrained


def test_the_untrained_page_shows_the_points_on_an_undecided_plane():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    pixels = boundary_pixels(app)
    assert np.all(pixels == 255)  # white: no class is favoured before training
    points = figure(app, 0)["data"][1:]
    assert {trace["name"] for trace in points} == {"class 0 (train)", "class 1 (train)"}
    assert sum(len(plotly_array(trace["x"])) for trace in points) == 250  # half of 500
    assert "Not trained yet" in app.info[0].value
    assert not app.button(key="play.train").disabled


def test_training_redraws_the_boundary_and_the_neurons(trained):
    app, untrained = trained
    assert not app.exception
    run = run_state(app)
    assert run.history.epochs == list(range(1, 21))
    assert not np.array_equal(boundary_pixels(app), untrained)
    assert "Epoch 20" in " ".join(markdown.value for markdown in app.markdown)
    neuron_strips = app.get("image")  # one picture per layer, its 8 neurons side by side
    assert [strip.proto.imgs[0].caption for strip in neuron_strips] == [
        f"Layer {layer}: neurons 1 to 8, left to right" for layer in (1, 2)
    ]
    caption = " ".join(caption.value for caption in app.caption)
    assert "20 epochs" in caption and "CPU:0" in caption


def test_the_boundary_is_the_models_own_output(trained):
    app, _ = trained
    from dlcore.figures.playground import boundary_image
    from dlcore.trainers.playground import boundary_snapshot

    run = run_state(app)
    expected = boundary_image(boundary_snapshot(run.model, run.config).probabilities)
    np.testing.assert_array_equal(boundary_pixels(app), expected.ravel())


def test_a_trained_model_is_registered_for_the_try_it_pages(trained):
    app, _ = trained
    models = list(app.session_state[REGISTRY_KEY].values())
    assert len(models) == 1
    model = models[0]
    assert isinstance(model, TrainedModel)
    assert model.task == "playground" and model.model is run_state(app).model
    assert model.labels == ("class 0", "class 1") and model.device == "CPU:0"
    assert model.title.startswith("Playground MLP on XOR")
    assert set(model.metrics) >= {"test_accuracy", "test_loss", "val_accuracy"}


def test_the_test_accuracy_is_shown_once_training_ends(trained):
    app, _ = trained
    from dlcore.trainers import playground

    run = run_state(app)
    scores = run.extras["test_scores"]
    assert scores == playground.evaluate(run.model, playground.load_data(run.config))
    status = " ".join(markdown.value for markdown in app.markdown)
    assert f"Test accuracy {scores['test_accuracy']:.1%}" in status
    assert "validation accuracy" in status
    curves = {trace["name"] for trace in figure(app, 1)["data"]}
    assert not any("test" in name.lower() for name in curves), curves


def test_train_again_continues_and_reset_forgets(trained):
    app, _ = trained
    app.button(key="play.train").click().run()
    assert run_state(app).history.epochs == list(range(1, 41))
    app.button(key="play.reset").click().run()
    assert not app.exception
    assert run_state(app).model is None
    assert "Not trained yet" in app.info[0].value


def test_export_offers_the_code_and_the_model():
    app = open_page(PAGE, timeout=TIMEOUT, **{"play.layers": "3"})
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) == {"Keras code (.py)", "Trained model (.keras)"}
    assert buttons["Trained model (.keras)"].proto.disabled  # nothing trained yet
    code = app.get("code")[-1].value
    assert "HIDDEN_LAYERS = [3]" in code


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ("4, x", "is not a list of neuron counts"),
        ("4, 0", "a layer with zero neurons passes nothing on"),
    ],
)
def test_an_impossible_network_is_explained_and_train_is_off(layers, message):
    app = open_page(PAGE, timeout=TIMEOUT, **{"play.layers": layers})
    assert not app.exception
    assert message in app.error[0].value
    assert app.button(key="play.train").disabled


def test_more_classes_colour_each_class():
    app = open_page(PAGE, timeout=TIMEOUT, **{"play.data": "Spiral", "play.classes": "3"})
    assert not app.exception
    names = {trace["name"] for trace in figure(app, 0)["data"][1:]}
    assert names == {f"class {label} (train)" for label in range(3)}


def test_early_stopping_ends_the_run_and_says_which_epoch_is_kept():
    app = open_page(
        PAGE,
        timeout=TIMEOUT,
        **{
            "play.data": "Spiral",
            "play.noise": "0.3",
            "play.points": "100",
            "play.layers": "32, 32",
            "play.lr": "0.1",
            "play.epochs": "500",
            "play.patience": "5",
        },
    )
    app.button(key="play.train").click().run()
    assert not app.exception
    run = run_state(app)
    assert run.status == "stopped early" and run.epochs_trained < 500
    caption = " ".join(caption.value for caption in app.caption)
    assert f"epoch {run.extras['best_epoch']} is kept" in caption


def test_the_status_says_since_when_every_training_point_is_on_the_right_side():
    from dlcore.training.history import History
    from ui.playground_results import CLEAN_LINE, clean_epoch

    history = History()
    for epoch, accuracy in enumerate([0.6, 1.0, 0.98, 1.0, 1.0], start=1):
        history.append(epoch, {"loss": 0.1, "accuracy": accuracy})
    assert clean_epoch(history) == 4  # the run of clean epochs that reaches the last one
    history.append(6, {"loss": 0.1, "accuracy": 0.99})
    assert clean_epoch(history) is None
    assert CLEAN_LINE.format(epoch=4).startswith("Since epoch 4, every training point")
