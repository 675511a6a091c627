"""AppTest tests of the Optimizers and losses page: real trajectories, divergence, losses."""

import numpy as np
from helpers import figure, open_page, plotly_array

from dlcore.concepts.losses import loss_curve
from dlcore.concepts.optimizers import OPTIMIZER_NAMES, trajectory

PAGE = "app_pages/optimizers.py"


def test_every_optimizer_races_on_the_default_surface():
    app = open_page(PAGE, **{"opt.steps": "50"})
    assert not app.exception
    paths = figure(app, 0)["data"]
    # The drawn path of Adam is the one dlcore computes with keras.optimizers.Adam.
    expected = trajectory("bowl", "adam", learning_rate=0.05, steps=50).points
    adam = next(trace for trace in paths if trace.get("name", "").startswith("Adam"))
    np.testing.assert_allclose(plotly_array(adam["x"]), expected[:, 0], rtol=1e-6)
    named = {trace.get("name", "") for trace in paths}
    assert len([name for name in named if name]) >= len(OPTIMIZER_NAMES)
    assert not app.warning


def test_a_new_surface_brings_its_own_learning_rate():
    app = open_page(PAGE, **{"opt.steps": "20"})
    app.selectbox(key="opt.surface").set_value("rosenbrock").run()
    assert not app.exception
    assert app.select_slider(key="opt.lr").value == 0.001
    assert not app.warning


def test_a_learning_rate_too_large_is_reported_per_optimizer():
    app = open_page(
        PAGE,
        **{
            "opt.surface": "Rosenbrock's banana",
            "opt.lr": "0.03",
            "opt.steps": "20",
            "opt.optimizers": "SGD",
        },
    )
    assert not app.exception
    assert [warning.value.split(" diverged")[0] for warning in app.warning] == ["SGD"]


def test_no_optimizer_chosen_asks_for_one():
    app = open_page(PAGE, **{"opt.steps": "20"})
    app.pills(key="opt.optimizers").set_value([]).run()
    assert not app.exception
    assert any("at least one optimizer" in info.value for info in app.info)


def test_the_losses_panel_draws_keras_losses():
    app = open_page(PAGE, **{"opt.steps": "20", "opt.losses": "Huber", "opt.delta": "0.5"})
    assert not app.exception
    huber = figure(app, 2)["data"][0]
    predictions = plotly_array(huber["x"])
    expected = loss_curve("huber", target=1.0, predictions=predictions, delta=0.5)
    np.testing.assert_allclose(plotly_array(huber["y"]), expected, rtol=1e-6)
