"""AppTest tests of the GAN page: it opens on the untrained GAN, trains and redraws,
registers the generator, refuses impossible settings and exports."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array

from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/gan.py"
TIMEOUT = 180


def run_state(app):
    return app.session_state["gan.run"]


@pytest.fixture(scope="module")
def trained():
    """The default GAN on the ring, trained 500 steps with one click on Train."""
    app = open_page(PAGE, timeout=TIMEOUT, **{"gan.steps": "500"})
    untrained = figure(app, 0)
    app.button(key="gan.train").click().run()
    return app, untrained


def test_the_untrained_page_shows_the_real_points_and_the_untrained_generators():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.title[0].value == "GAN"
    assert "Not trained yet" in app.info[0].value
    heatmap, real, generated = figure(app, 0)["data"]
    assert heatmap["type"] == "heatmap"
    # 1000 real points: 600 to train on (drawn), 200 to validate, 200 to test.
    assert len(plotly_array(real["x"])) == len(plotly_array(generated["x"])) == 600


def test_training_moves_the_generated_points_and_shows_the_measures(trained):
    app, untrained = trained
    assert not app.exception and not app.error
    run = run_state(app)
    assert run.history.epochs == [100, 200, 300, 400, 500] and run.history.unit == "step"
    points, progress = figure(app, 0), figure(app, 1)
    assert "after 500 steps" in points["layout"]["title"]["text"]
    before = plotly_array(untrained["data"][2]["x"])
    after = plotly_array(points["data"][2]["x"])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(
        plotly_array(points["data"][2]["x"]), run.extras["snapshot"].generated[:, 0]
    )
    distance = plotly_array(progress["data"][2]["y"])
    np.testing.assert_allclose(distance, run.history.metrics["val_sliced_wasserstein"])
    metrics = {metric.label: metric.value for metric in app.metric}
    scores = run.extras["test_scores"]
    assert metrics["Test distance to the target"] == f"{scores['test_sliced_wasserstein']:.3f}"
    assert metrics["Test modes covered"] == f"{scores['test_modes_covered']:.0%}"
    assert metrics["Steps trained"] == "500"
    caption = " ".join(caption.value for caption in app.caption)
    assert "5 epochs" in caption and "CPU:0" in caption


def test_export_labels_the_generator_and_the_discriminator_summaries(trained):
    app, _ = trained
    labels = [expander.label for expander in app.expander]
    assert "Generator summary" in labels and "Discriminator summary" in labels
    assert "Model summary" not in labels
    by_label = {expander.label: expander for expander in app.expander}
    generator = by_label["Generator summary"].get("code")[0].value
    discriminator = by_label["Discriminator summary"].get("code")[0].value
    assert generator != discriminator


def test_the_generator_is_registered_and_exported(trained):
    app, _ = trained
    models = list(app.session_state[REGISTRY_KEY].values())
    assert len(models) == 1 and models[0].task == "gan"
    assert models[0].model is run_state(app).model.generator
    assert models[0].metrics == run_state(app).extras["test_scores"]
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert not buttons["Trained model (.keras)"].proto.disabled
    assert "TARGET = 'ring'" in app.get("code")[-1].value


def test_train_again_continues_and_reset_forgets(trained):
    app, _ = trained
    app.button(key="gan.train").click().run()
    assert run_state(app).history.epochs[-1] == 1000
    app.button(key="gan.reset").click().run()
    assert not app.exception
    assert run_state(app).model is None
    assert "Not trained yet" in app.info[0].value


def test_a_batch_larger_than_the_real_points_is_explained_and_train_is_off():
    app = open_page(PAGE, timeout=TIMEOUT, **{"gan.points": "100"})
    assert not app.exception
    assert "a batch cannot hold more real points than there are" in app.error[0].value
    assert app.button(key="gan.train").disabled
