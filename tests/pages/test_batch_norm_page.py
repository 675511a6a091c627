"""AppTest tests of the Batch norm page: the concept's numbers, training against inference."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array, run_python

from dlcore.concepts import batch_norm

PAGE = "app_pages/batch_norm.py"


def table(app) -> list[dict[str, str]]:
    """The page's table of numbers, row by row, keyed by column."""
    frame = app.table[0].value
    return frame.to_dict(orient="records")


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_the_page_opens_with_the_batch_and_its_training_numbers():
    app = open_page(PAGE)
    assert not app.exception
    assert app.title[0].value == "Batch norm"
    rows = table(app)
    expected = batch_norm.batch_norm_training(batch_norm.sample_batch(4, seed=0))
    assert [row[""] for row in rows] == [
        "sample 1",
        "sample 2",
        "sample 3",
        "sample 4",
        "batch mean",
        "batch variance",
    ]
    for index in range(4):
        assert rows[index]["x₂"] == f"{expected.batch[index, 1]:.2f}"
        assert rows[index]["x̂₂"] == f"{expected.normalized[index, 1]:.3f}"
        assert rows[index]["y₃"] == f"{expected.output[index, 2]:.3f}"
    assert rows[4]["x₁"] == f"{expected.mean[0]:.3f}"
    assert rows[5]["x₃"] == f"{expected.variance[2]:.3f}"
    # The chart draws the same numbers.
    batch_chart = figure(app, 0)
    outputs = next(trace for trace in batch_chart["data"] if trace["name"] == "output y")
    np.testing.assert_allclose(plotly_array(outputs["y"]), expected.output.ravel())
    notes = [info.value for info in app.info if info.value.startswith("**A common mistake:**")]
    assert len(notes) == 1 and "moving averages" in notes[0]


def test_url_settings_are_applied():
    app = open_page(
        PAGE,
        **{"bn.size": "6", "bn.seed": "5", "bn.gamma": "2.0", "bn.beta": "-1.0", "bn.feature": "2"},
    )
    assert not app.exception
    assert app.slider(key="bn.size").value == 6
    assert app.number_input(key="bn.seed").value == 5
    expected = batch_norm.batch_norm_training(
        batch_norm.sample_batch(6, seed=5), gamma=2.0, beta=-1.0
    )
    rows = table(app)
    assert len(rows) == 6 + 2
    assert [row["y₁"] for row in rows[:6]] == [f"{value:.3f}" for value in expected.output[:, 0]]
    sentence = next(m.value for m in app.markdown if m.value.startswith("Sample 1, feature 2"))
    assert f"**{expected.output[0, 1]:.3f}**" in sentence


def test_changing_gamma_and_the_seed_changes_the_numbers():
    app = open_page(PAGE)
    before = table(app)
    app.slider(key="bn.gamma").set_value(2.0).run()
    assert not app.exception
    doubled = table(app)
    for old, new in zip(before[:4], doubled[:4], strict=True):
        assert old["x̂₁"] == new["x̂₁"]
        assert float(new["y₁"]) == pytest.approx(2 * float(old["y₁"]), abs=2e-3)
    app.number_input(key="bn.seed").set_value(1).run()
    assert table(app)[0]["x₁"] != doubled[0]["x₁"]


def test_inference_uses_the_moving_averages_and_ignores_the_batch():
    settings = {"bn.size": "4", "bn.steps": "300", "bn.momentum": "0.9"}
    training = open_page(PAGE, **settings)
    inference = open_page(PAGE, **settings, **{"bn.mode": "Inference"})
    assert not inference.exception
    run = batch_norm.simulate_training(steps=300, batch_size=4, momentum=0.9, seed=0)
    expected = batch_norm.batch_norm_inference(
        batch_norm.sample_batch(4, seed=0),
        moving_mean=run.moving_mean,
        moving_variance=run.moving_variance,
    )
    rows = table(inference)
    assert rows[4][""] == "moving mean" and rows[5][""] == "moving variance"
    assert rows[4]["x₁"] == f"{run.moving_mean[0]:.3f}"
    assert [row["y₂"] for row in rows[:4]] == [f"{value:.3f}" for value in expected.output[:, 1]]
    assert table(training)[0]["y₂"] != rows[0]["y₂"]
    # At inference a sample gives the same output alone; in training alone it is just beta.
    shown = metrics(inference)
    assert shown["Sample 1's y₁ in this batch"] == shown["The same sample alone (batch of 1)"]
    assert metrics(training)["The same sample alone (batch of 1)"] == "0.000"
    # The training step shows the moving-average update; inference does not.
    assert any("moving mean" in code.value for code in training.code)
    assert not inference.code


def test_inference_right_after_the_start_warns_that_the_averages_are_not_ready():
    early = open_page(PAGE, **{"bn.mode": "Inference", "bn.steps": "10"})
    assert not early.exception
    assert any("starting values" in warning.value for warning in early.warning)
    ready = open_page(PAGE, **{"bn.mode": "Inference", "bn.steps": "500"})
    assert not ready.warning


def test_the_page_renders_without_importing_tensorflow():
    loaded = run_python(
        """
        import json, sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file("app.py", default_timeout=10)
        app.switch_page("app_pages/batch_norm.py").run()
        print(json.dumps([not app.exception, "tensorflow" in sys.modules]))
        """
    )
    assert loaded == [True, False]
