"""AppTest of presenter mode (ui/presenter.py): charts enlarged through the figure style, small
text grown with them."""

import json

from streamlit.testing.v1 import AppTest

from dlcore.figures import style

LONG_TITLE = "Real points and the untrained generator's points over the discriminator's map"


def presenter_app():
    """A page with one chart with a long title and one caption, under the presenter toggle."""
    import plotly.graph_objects as go
    import streamlit as st

    from dlcore.figures.style import apply_layout
    from ui.presenter import presenter_toggle, show_figure

    presenter_toggle()
    figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="real"))
    apply_layout(
        figure,
        title="Real points and the untrained generator's points over the discriminator's map",
        x_title="x1",
        y_title="x2",
    )
    show_figure(figure, key="chart")
    st.caption("A caption under the chart")
    st.metric("plain + batch norm, held-out accuracy", "97.0%")


def run(*, presenting: bool) -> AppTest:
    app = AppTest.from_function(presenter_app, default_timeout=30)
    app.session_state["presenter"] = presenting
    return app.run()


def chart(app: AppTest) -> dict:
    return json.loads(app.get("plotly_chart")[0].proto.spec)


def test_presenter_mode_enlarges_the_chart_and_wraps_its_title_for_the_larger_font():
    normal, presenting = run(presenting=False), run(presenting=True)
    assert not normal.exception and not presenting.exception
    small, large = chart(normal)["layout"], chart(presenting)["layout"]
    assert large["font"]["size"] == style.PRESENTER_FONT_SIZE > small["font"]["size"]
    assert large["title"]["font"]["size"] > small["title"]["font"]["size"]
    lines = large["title"]["text"].split("<br>")
    limit = style.max_line_characters(style.title_font_size(style.PRESENTER_FONT_SIZE))
    assert len(lines) > len(small["title"]["text"].split("<br>"))
    assert all(len(line) <= limit for line in lines), lines
    assert " ".join(lines) == LONG_TITLE, "wrapped, never cut"
    assert large["height"] > small["height"]


def test_presenter_mode_grows_captions_and_metric_labels_with_the_charts():
    normal, presenting = run(presenting=False), run(presenting=True)
    assert not normal.get("html")
    css = " ".join(element.proto.body for element in presenting.get("html"))
    for element in ("stCaptionContainer", "stMetricLabel", "stMetricValue", "stWidgetLabel"):
        assert element in css, f"presenter mode leaves {element} at its small size"
    # A long metric label wraps instead of being cut with an ellipsis.
    assert "white-space: normal" in css
