"""AppTest tests of the Image classifier (CNN) page: it trains, looks inside, and refuses."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array

from dlcore.trainers import cnn
from dlcore.training.saving import TrainedModel
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/cnn.py"
TIMEOUT = 180


def titles(app) -> list[str]:
    """The titles of the page's Plotly charts, in page order."""
    return [
        figure(app, index)["layout"].get("title", {}).get("text", "")
        for index in range(len(app.get("plotly_chart")))
    ]


@pytest.fixture(scope="module")
def trained():
    """The digits CNN with 8 first-block filters, trained 2 epochs with one click on Train."""
    app = open_page(PAGE, timeout=TIMEOUT, **{"cnn.epochs": "2", "cnn.filters": "8"})
    app.button(key="cnn.train").click().run()
    return app


def test_the_untrained_page_shows_training_images_and_offers_the_code():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "Image classifier (CNN)"
    assert "Not trained yet" in app.info[0].value
    assert not app.button(key="cnn.train").disabled
    assert "Training images" in titles(app)
    assert "n_blocks=2," in app.get("code")[-1].value
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert buttons["Trained model (.keras)"].proto.disabled


def test_training_shows_the_curves_and_what_the_model_learned(trained):
    app = trained
    assert not app.exception and not app.error
    run = app.session_state["cnn.run"]
    assert run.history.epochs == [1, 2]
    shown = titles(app)
    assert shown[0] == "Loss and accuracy"
    assert "Confusion matrix (test images)" in shown
    assert "What the first layer's filters learned" in shown
    assert any(title.startswith("conv_1: 8 maps of 8x8") for title in shown)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Test accuracy"].endswith("%")
    # The test score, computed once after training; the curves are training and validation.
    scores = run.extras["test_scores"]
    assert metrics["Test accuracy"] == f"{scores['test_accuracy']:.1%}"
    assert not any(name.startswith("test_") for name in run.history.metrics)
    assert "val_accuracy" in run.history.metrics
    caption = " ".join(caption.value for caption in app.caption)
    assert "2 epochs" in caption and "CPU:0" in caption


def test_the_pictures_are_the_trained_models_own(trained):
    app = trained
    run = app.session_state["cnn.run"]
    data = cnn.load_data(run.config)
    shown = titles(app)
    confusion = figure(app, shown.index("Confusion matrix (test images)"))["data"][0]
    counts = plotly_array(confusion["text"]).reshape(10, 10)
    np.testing.assert_array_equal(counts, cnn.confusion_matrix(run.model, data))
    maps_index = next(i for i, title in enumerate(shown) if title.startswith("conv_1:"))
    first_map = plotly_array(figure(app, maps_index)["data"][0]["z"]).reshape(8, 8)
    (_, expected), *_ = cnn.feature_maps(run.model, data.x_test[0])
    np.testing.assert_allclose(first_map, expected[..., 0], atol=1e-5)


def test_a_trained_model_is_registered_for_the_try_it_pages(trained):
    app = trained
    models = list(app.session_state[REGISTRY_KEY].values())
    assert len(models) == 1
    model = models[0]
    assert isinstance(model, TrainedModel)
    assert model.task == "digits" and model.model is app.session_state["cnn.run"].model
    assert model.labels == tuple(str(digit) for digit in range(10))
    assert model.preprocessing["image_size"] == (8, 8)
    assert model.title.startswith("CNN on digits")
    assert model.metrics == app.session_state["cnn.run"].extras["test_scores"]
    assert set(model.metrics) == {"test_loss", "test_accuracy"}


def test_choosing_another_layer_and_image_redraws_the_maps(trained):
    app = trained
    app.selectbox(key="cnn.layer").set_value("pool_2").run()
    app.number_input(key="cnn.image").set_value(5).run()
    assert not app.exception
    assert any(title.startswith("pool_2: 16 maps of 2x2") for title in titles(app))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cnn.kernel": "5"}, "The kernel (5x5) is larger than the 4x4 feature map"),
        ({"cnn.blocks": "4"}, "Too many conv blocks for 8x8 images"),
    ],
)
def test_an_impossible_network_is_explained_and_train_is_off(query, message):
    app = open_page(PAGE, timeout=TIMEOUT, **query)
    assert not app.exception
    assert message in app.error[0].value
    assert app.button(key="cnn.train").disabled


def test_the_default_optimizer_is_adam_and_momentum_is_offered():
    app = open_page(PAGE, timeout=TIMEOUT)
    optimizer = app.selectbox(key="cnn.optimizer")
    assert optimizer.value == "adam"
    assert list(optimizer.options) == ["Adam", "SGD with momentum", "SGD", "RMSprop"]
    optimizer.set_value("momentum").run()
    assert "keras.optimizers.SGD(LEARNING_RATE, momentum=0.9)" in app.get("code")[-1].value


def test_augmentation_is_shown_on_the_training_images():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.multiselect(key="cnn.augmentation").set_value(["rotate", "shift"]).run()
    assert not app.exception
    assert "The same images, augmented" in titles(app)
    assert "augmentation=('rotate', 'shift')," in app.get("code")[-1].value
