"""AppTest tests of every page: each runs without an exception and shows its key elements."""

import numpy as np
import pytest
from helpers import figure, open_page, plotly_array, run_python

from dlcore.concepts.activations import ACTIVATION_NAMES, ACTIVATIONS, activation, neuron
from ui.registry import HOME, PAGES, SECTIONS


@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda entry: entry.title)
def test_every_page_runs_and_has_its_title_and_the_device_panel(entry):
    app = open_page(entry.script)
    assert not app.exception
    assert app.title[0].value in {entry.title, "Deep Learning Studio"}
    panel = " ".join(markdown.value for markdown in app.sidebar.markdown)
    assert "Keras" in panel and "CPU:0" in panel
    assert "Placement: **CPU:0**" in panel
    assert "Mixed precision: **off**" in panel
    assert app.sidebar.toggle(key="presenter").value is False


@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda entry: entry.title)
def test_every_page_runs_in_presenter_mode(entry):
    app = open_page(entry.script, presenter="true")
    assert not app.exception
    assert app.sidebar.toggle(key="presenter").value is True


def test_home_links_to_every_page():
    app = open_page(HOME.script)
    links = [element.proto.page for element in app.get("page_link")]
    # Cards sit in a grid of columns, so compare the pages linked, not their order.
    assert sorted(links) == sorted(
        entry.script.removeprefix("app_pages/").removesuffix(".py") for entry in PAGES
    )


def test_home_and_activations_render_without_importing_tensorflow():
    loaded = run_python(
        """
        import json, sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file("app.py", default_timeout=10).run()
        home_ok = not app.exception
        app.switch_page("app_pages/activations.py").run()
        print(json.dumps([home_ok, not app.exception, "tensorflow" in sys.modules]))
        """
    )
    assert loaded == [True, True, False]


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activations_page_draws_each_function_from_dlcore(name):
    app = open_page("app_pages/activations.py", **{"act.fn": ACTIVATIONS[name].title})
    assert not app.exception
    assert app.selectbox(key="act.fn").value == name
    curve = figure(app, 0)["data"][0]
    assert curve["name"] == "f(x)"
    x = plotly_array(curve["x"])
    expected = activation(name, x, **_default_options(name))
    np.testing.assert_allclose(plotly_array(curve["y"]), expected, rtol=1e-9, atol=1e-12)


def _default_options(name: str) -> dict:
    return {"other_logits": (1.0, -1.0)} if name == "softmax" else {}


def test_a_bookmarked_url_reopens_the_same_settings():
    app = open_page(
        "app_pages/activations.py",
        **{"act.fn": "Tanh", "act.w": "2.5", "act.b": "-1", "act.x": "0.4", "act.vanish": "0.1"},
    )
    assert not app.exception
    assert app.selectbox(key="act.fn").value == "tanh"
    assert app.slider(key="act.w").value == 2.5
    assert app.select_slider(key="act.vanish").value == 0.1
    expected = neuron(0.4, weight=2.5, bias=-1.0, name="tanh")
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["z = w·x + b"] == f"{float(expected.pre_activation):.4g}"
    assert metrics["f(z)"] == f"{float(expected.output):.4g}"


def test_moving_a_slider_changes_the_numbers_and_the_chart():
    app = open_page("app_pages/activations.py")
    before = figure(app, 1)
    app.slider(key="act.w").set_value(-3.0).run()
    after = figure(app, 1)
    assert not np.array_equal(
        plotly_array(before["data"][0]["y"]), plotly_array(after["data"][0]["y"])
    )
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["z = w·x + b"] == "-6"


def test_a_saturated_neuron_is_called_out():
    app = open_page("app_pages/activations.py", **{"act.w": "5", "act.x": "6"})
    assert any("Saturated" in warning.value for warning in app.warning)


def test_a_hand_edited_url_value_is_ignored_not_an_error():
    app = open_page("app_pages/activations.py", **{"act.fn": "nonsense", "act.w": "abc"})
    assert not app.exception
    assert app.selectbox(key="act.fn").value == ACTIVATION_NAMES[0]
    assert app.slider(key="act.w").value == 1.0


def test_an_empty_x_range_gets_a_message():
    app = open_page("app_pages/activations.py")
    app.slider(key="act.range").set_value((2.0, 2.0)).run()
    assert not app.exception
    assert any("x range is empty" in info.value for info in app.info)
    panel = " ".join(markdown.value for markdown in app.sidebar.markdown)
    assert "Mixed precision" in panel


def test_softmax_shows_the_probabilities_with_temperature():
    app = open_page("app_pages/activations.py", **{"act.fn": "Softmax", "act.temp": "2"})
    bars = figure(app, 2)["data"][0]
    assert plotly_array(bars["y"]).sum() == pytest.approx(1.0)
    assert app.slider(key="act.temp").value == 2.0


def test_presenter_mode_enlarges_charts_and_folds_explanations():
    normal = open_page("app_pages/activations.py")
    presenting = open_page("app_pages/activations.py", presenter="true")
    assert presenting.sidebar.toggle(key="presenter").value is True
    normal_size = figure(normal, 0)["layout"]["font"].get("size", 0)
    assert figure(presenting, 0)["layout"]["font"]["size"] > normal_size
    assert len(presenting.expander) > len(normal.expander)


def test_presenter_mode_persists_across_pages():
    app = open_page(HOME.script, presenter="true")
    app.switch_page("app_pages/activations.py").run()
    assert app.title[0].value == "Activations"
    assert app.sidebar.toggle(key="presenter").value is True


def test_device_check_trains_and_the_panel_shows_where():
    app = open_page("app_pages/device_check.py", **{"check.epochs": "2"})
    app.button[0].click().run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Ran on"] == "CPU:0"
    assert metrics["Devices in step"] == "1"
    panel = " ".join(markdown.value for markdown in app.sidebar.markdown)
    assert "Last model: **Device check** on **CPU:0**" in panel
    assert "expected" not in panel


def test_device_check_compares_every_device_and_says_when_there_is_no_gpu():
    app = open_page("app_pages/device_check.py", **{"check.epochs": "1"})
    app.button(key="check.compare").click().run()
    assert not app.exception
    comparison = app.session_state["check_comparison"]
    bars = figure(app, 0)["data"]
    assert [list(bar["y"]) for bar in bars] == [["CPU"], ["CPU"]]
    assert bars[0]["text"] == [f"{comparison.results[0].samples_per_second:,.0f}"]
    assert any("No GPU is present on this machine" in info.value for info in app.info)


def test_device_check_under_a_cluster_explains_instead_of_failing(monkeypatch):
    from dlcore.runtime import devices

    monkeypatch.setattr(devices, "spans_workers", lambda strategy: True)
    app = open_page("app_pages/device_check.py", **{"check.mirrored": "true"})
    app.button[0].click().run()
    assert not app.exception
    assert any("keras-team/keras#20585" in error.value for error in app.error)
    assert not app.metric


def test_home_cards_sit_in_rows_of_three_one_card_a_column():
    app = open_page(HOME.script)
    cards = [column for column in app.main.columns if column.get("page_link")]
    # One card per column, rows of three: a section of n pages fills ceil(n / 3) rows.
    assert all(len(column.get("page_link")) == 1 for column in cards)
    assert len(cards) == len(PAGES)
    rows = sum(-(-sum(entry.section == section for entry in PAGES) // 3) for section in SECTIONS)
    assert len(app.main.columns) == 3 * rows


def test_home_warms_tensorflow_up_in_the_background_and_says_when_it_is_ready():
    said = run_python(
        """
        import json, sys, time
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file("app.py", default_timeout=10).run()
        before = [caption.value for caption in app.caption]
        cold = "tensorflow" in sys.modules
        app.button(key="home.warm_up_button").click().run()
        warming = [caption.value for caption in app.caption]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready = [c.value for c in app.caption if "TensorFlow is ready" in c.value]
            if ready:
                break
            time.sleep(0.5)
            app.run()
        print(json.dumps([cold, before, warming, ready, "tensorflow" in sys.modules,
                          app.button(key="home.warm_up_button").disabled]))
        """,
        timeout=180,
    )
    cold, before, warming, ready, loaded, disabled = said
    assert cold is False and loaded is True and disabled is True
    assert any("Before a talk" in caption for caption in before)
    # The click returns at once, with TensorFlow still loading behind the page.
    assert any("Loading TensorFlow in the background" in caption for caption in warming)
    assert len(ready) == 1 and "loaded in" in ready[0]
