"""Presenter mode: bigger chart text for a room, long explanations folded away.

The toggle sits in the sidebar of every page and is kept in the URL (`?presenter=true`),
so it survives page changes and a bookmarked link opens in the same mode.
"""

import re

import plotly.graph_objects as go
import streamlit as st

PRESENTER_KEY = "presenter"

# Markdown (links, images, colours, icons, maths) that a file's name or content could
# carry into a message: escaped, so that it shows as typed.
_MARKDOWN_CHARACTERS = re.compile(r"([\\`*_\[\]<>#$~|:])")

# Sizes chosen to read from the back of a lecture room on a projector.
_PRESENTER_FONT_SIZE = 22
_PRESENTER_LINE_WIDTH = 4
_PRESENTER_CSS = """
<style>
  [data-testid="stMainBlockContainer"] p { font-size: 1.25rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * { font-size: 2.6rem; }
</style>
"""


def presenter_toggle() -> bool:
    """Draw the presenter-mode toggle (in the sidebar) and return whether it is on."""
    is_on = st.sidebar.toggle(
        "Presenter mode",
        key=PRESENTER_KEY,
        bind="query-params",
        help="Larger text and charts for a room; long explanations are folded away.",
    )
    if is_on:
        st.html(_PRESENTER_CSS)
    return is_on


def is_presenting() -> bool:
    """Whether presenter mode is on in this browser session."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def explain(markdown: str, *, title: str = "How it works") -> None:
    """Show an explanation: inline normally, folded into an expander in presenter mode."""
    if is_presenting():
        with st.expander(title, expanded=False):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def show_figure(figure: go.Figure, *, key: str) -> None:
    """Render a Plotly figure, enlarged for a room in presenter mode.

    Args:
        figure: the figure from `dlcore.figures`; it is not changed.
        key: a unique element key, so that charts redrawn in a loop keep their identity.
    """
    if is_presenting():
        figure = go.Figure(figure)
        figure.update_layout(
            font={"size": _PRESENTER_FONT_SIZE},
            title_font={"size": _PRESENTER_FONT_SIZE + 6},
            legend_font={"size": _PRESENTER_FONT_SIZE},
        )
        # Streamlit's chart theme sizes the axes itself, so they are set one by one.
        for update_axes in (figure.update_xaxes, figure.update_yaxes):
            update_axes(
                tickfont_size=_PRESENTER_FONT_SIZE - 2,
                title_font_size=_PRESENTER_FONT_SIZE,
                title_standoff=16,
                automargin=True,
            )
        figure.update_traces(line_width=_PRESENTER_LINE_WIDTH, selector={"mode": "lines"})
    st.plotly_chart(figure, key=key, config={"displaylogo": False})


def plain(message: object) -> str:
    """A message shown as written: a file's name or content in it is not read as Markdown."""
    return _MARKDOWN_CHARACTERS.sub(r"\\\1", str(message))
