"""AppTest tests of the Backpropagation page: settings, steps, history and the chain rule."""

import itertools

import numpy as np
import pytest
from helpers import figure, open_page, run_python

from dlcore.concepts import backprop as bp
from dlcore.figures.backprop import short_number

PAGE = "app_pages/backprop.py"


def history(app):
    return app.session_state["bp.history"]


def metrics(app):
    return {metric.label: metric.value for metric in app.metric}


def test_the_page_opens_with_the_forward_pass_of_the_first_weights():
    app = open_page(PAGE)
    assert not app.exception
    assert app.title[0].value == "Backpropagation"
    network = bp.init_network((3,), seed=0)
    batch = bp.MINI_BATCHES["XOR corners"]
    expected = bp.backprop(network, batch.inputs, batch.targets)
    assert metrics(app)["Loss L at step 0"] == f"{expected.loss:.6g}"
    diagram = figure(app, 0)
    assert diagram["layout"]["xaxis"]["ticktext"] == ["input", "hidden 1", "output"]
    # Point 2 of the batch is shown: hidden 1's first neuron carries its z and a.
    below = [note["text"] for note in diagram["layout"]["annotations"] if note.get("yshift")]
    z, a = expected.pre_activations[0][1, 0], expected.activations[1][1, 0]
    assert below[2] == f"z {short_number(z)}<br>a {short_number(a)}"


def test_settings_in_the_url_build_that_network_and_batch():
    app = open_page(
        PAGE,
        **{
            "bp.hidden": "4, 2",
            "bp.act": "ReLU",
            "bp.loss": "Linear output, mean squared error",
            "bp.batch": "Line",
            "bp.seed": "7",
            "bp.lr": "0.1",
            "bp.view": "Backward",
        },
    )
    assert not app.exception
    assert app.selectbox(key="bp.act").value == "relu"
    assert app.select_slider(key="bp.lr").value == 0.1
    assert history(app)["networks"][0].layer_sizes == (2, 4, 2, 1)
    network = bp.init_network((4, 2), activation="relu", loss="mean_squared_error", seed=7)
    np.testing.assert_array_equal(history(app)["networks"][0].weights[0], network.weights[0])
    diagram = figure(app, 0)
    assert diagram["layout"]["title"]["text"].startswith("Backward")
    assert diagram["layout"]["xaxis"]["ticktext"][-2:] == ["hidden 2", "output"]


def test_step_lowers_the_loss_grows_the_history_and_reset_clears_it():
    app = open_page(PAGE, **{"bp.batch": "Two points", "bp.lr": "1.0"})
    app.button(key="bp.step").click().run()
    assert not app.exception
    losses = history(app)["losses"]
    assert len(losses) == len(history(app)["networks"]) == 2
    assert losses[1] < losses[0]
    assert app.slider(key="bp.replay").value == 1
    app.button(key="bp.step10").click().run()
    losses = history(app)["losses"]
    assert len(losses) == 12
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    # The loss chart draws every step and marks the one shown.
    curve = figure(app, 1)["data"]
    assert len(curve[0]["y"]["bdata"] if isinstance(curve[0]["y"], dict) else curve[0]["y"]) > 0
    assert curve[1]["x"] == [11]

    app.slider(key="bp.replay").set_value(3).run()
    assert not app.exception
    assert metrics(app)["Loss L at step 3"] == f"{losses[3]:.6g}"

    app.button(key="bp.reset").click().run()
    assert not app.exception
    assert len(history(app)["losses"]) == 1
    assert "bp.replay" not in [slider.key for slider in app.slider]


def test_a_step_uses_the_learning_rate_w_minus_eta_gradient():
    app = open_page(PAGE, **{"bp.lr": "0.3"})
    start = history(app)["networks"][0]
    app.button(key="bp.step").click().run()
    batch = bp.MINI_BATCHES["XOR corners"]
    gradients = bp.backprop(start, batch.inputs, batch.targets).weight_gradients
    np.testing.assert_array_equal(
        history(app)["networks"][1].weights[0], start.weights[0] - 0.3 * gradients[0]
    )


def test_the_chosen_weight_is_written_out_by_the_chain_rule():
    app = open_page(
        PAGE,
        **{
            "bp.view": "Backward",
            "bp.into": "output",
            "bp.from": "hidden 1, neuron 3",
            "bp.to": "output, neuron 1",
        },
    )
    assert not app.exception
    batch = bp.MINI_BATCHES["XOR corners"]
    result = bp.backprop(bp.init_network((3,), seed=0), batch.inputs, batch.targets)
    chain = bp.chain_rule(result, layer=1, source=2, target=0)
    formulas = [latex.value for latex in app.latex]
    assert len(formulas) == 3 + len(batch.targets)
    assert r"w_{3\to1}" in formulas[0] and "output" in formulas[0]
    assert formulas[-1].strip("$\n ").endswith(f"= {chain.gradient:.3g}")
    assert any(
        "hidden 1, neuron 3 → output, neuron 1" in subheader.value for subheader in app.subheader
    )
    # The chosen edge is marked on the diagram.
    assert figure(app, 0)["data"][0]["name"] == "chosen weight"


def test_update_shows_the_loss_before_and_after_and_the_weights_new_value():
    app = open_page(PAGE, **{"bp.view": "Update", "bp.batch": "Two points"})
    assert not app.exception
    shown = metrics(app)
    before = float(shown["Loss before the update"])
    after = float(shown["Loss after the update"])
    assert after < before
    assert any(r"w \leftarrow w - \eta" in latex.value for latex in app.latex)
    assert figure(app, 0)["layout"]["title"]["text"].startswith("After the update")


def test_a_choice_outside_a_smaller_network_moves_back_inside():
    app = open_page(
        PAGE,
        **{
            "bp.hidden": "4, 4",
            "bp.into": "hidden 2",
            "bp.from": "hidden 1, neuron 4",
            "bp.to": "hidden 2, neuron 4",
        },
    )
    assert app.selectbox(key="bp.from").value == 4
    app.text_input(key="bp.hidden").set_value("2").run()
    assert not app.exception
    # Layer 2 of 3 is now the output, of one neuron; it reads from hidden 1's two.
    assert app.selectbox(key="bp.into").value == 2
    assert app.selectbox(key="bp.from").value == 2
    assert app.selectbox(key="bp.to").value == 1


@pytest.mark.parametrize(("text", "message"), [("3, x", "whole numbers"), ("5", "from 1 to 4")])
def test_bad_hidden_layers_get_a_message_not_a_traceback(text, message):
    app = open_page(PAGE, **{"bp.hidden": text})
    assert not app.exception
    assert any(message in error.value for error in app.error)


def test_presenter_mode_enlarges_the_diagram():
    normal = figure(open_page(PAGE), 0)
    presenting = figure(open_page(PAGE, presenter="true"), 0)
    assert presenting["layout"]["font"]["size"] > normal["layout"].get("font", {}).get("size", 0)
    assert presenting["layout"]["height"] > normal["layout"]["height"]


def test_the_page_runs_without_importing_tensorflow():
    loaded = run_python(
        """
        import json, sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file("app.py", default_timeout=10)
        app.switch_page("app_pages/backprop.py").run()
        app.button(key="bp.step").click().run()
        print(json.dumps([not app.exception, "tensorflow" in sys.modules]))
        """
    )
    assert loaded == [True, False]


def test_your_own_points_are_the_batch_and_a_bad_line_is_said():
    app = open_page(PAGE, **{"bp.batch": "Your points", "bp.points": "1, 2, 1\n-1, 0, 0"})
    assert not app.exception
    batch = bp.parse_points("1, 2, 1\n-1, 0, 0", loss="binary_crossentropy")
    start = history(app)["networks"][0]
    expected = bp.backprop(start, batch.inputs, batch.targets)
    assert metrics(app)["Loss L at step 0"] == f"{expected.loss:.6g}"
    app.button(key="bp.step").click().run()
    assert len(history(app)["networks"]) == 2
    # A typo says which line is wrong; the points typed stay in the box.
    app.text_area(key="bp.points").set_value("1, 2, 1\n-1, zero, 0").run()
    assert not app.exception
    assert any("Line 2" in error.value for error in app.error)
    assert app.text_area(key="bp.points").value == "1, 2, 1\n-1, zero, 0"


def test_a_bias_is_followed_through_the_chain_rule_and_the_update():
    app = open_page(
        PAGE,
        **{"bp.into": "output", "bp.from": "its bias b (input 1)", "bp.view": "Backward"},
    )
    assert not app.exception
    assert app.selectbox(key="bp.from").value == 0
    assert any(r"\partial b_{1}" in latex.value for latex in app.latex)
    diagram = figure(app, 0)
    assert any(trace.get("name") == "chosen bias" for trace in diagram["data"])
    app.radio(key="bp.view").set_value("Update").run()
    network = history(app)["networks"][0]
    batch = bp.MINI_BATCHES["XOR corners"]
    update = bp.sgd_step(network, batch.inputs, batch.targets, learning_rate=0.5)
    assert any(f"= {update.after.biases[1][0]:.4g}" in latex.value for latex in app.latex)


def test_the_history_stops_growing_at_its_cap(monkeypatch):
    monkeypatch.setattr(bp, "MAX_STEPS", 12)
    app = open_page(PAGE)
    app.button(key="bp.step10").click().run()
    app.button(key="bp.step10").click().run()
    assert len(history(app)["networks"]) == 13  # the first weights and 12 steps
    assert app.button(key="bp.step").disabled and app.button(key="bp.step10").disabled
    assert any("holds 12 steps" in caption.value for caption in app.caption)
