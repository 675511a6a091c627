"""Presenter mode: bigger chart text for a room, long explanations folded away.

The toggle sits in the sidebar of every page and is kept in the URL (`?presenter=true`),
so it survives page changes and a bookmarked link opens in the same mode.
"""

import re

import plotly.graph_objects as go
import streamlit as st

from dlcore.figures.style import PAGE_WIDTH, PRESENTER_FONT_SIZE, REFERENCE_WIDTH, enlarge

PRESENTER_KEY = "presenter"

# Markdown (links, images, colours, icons, maths) that a file's name or content could
# carry into a message: escaped, so that it shows as typed.
_MARKDOWN_CHARACTERS = re.compile(r"([\\`*_\[\]<>#$~|:])")

# Sizes chosen to read from the back of a lecture room on a projector: charts grow by
# `PRESENTER_FONT_SIZE` over their own font size (`dlcore.figures.style.enlarge`), and the
# page's text by about the same share, captions and labels included, so that nothing
# stays small beside an enlarged chart.
_PRESENTER_CSS = """
<style>
  [data-testid="stMainBlockContainer"] p,
  [data-testid="stMainBlockContainer"] li { font-size: 1.25rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"],
  [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p,
  [data-testid="stMainBlockContainer"] [data-testid="stImageCaption"],
  [data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p,
  [data-testid="stMainBlockContainer"] [data-testid="stMetricDelta"] * { font-size: 1.1rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] * {
    font-size: 1.2rem;
    white-space: normal;
    overflow: visible;
  }
  [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * { font-size: 2.6rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stTable"] *,
  [data-testid="stMainBlockContainer"] [data-testid="stExpander"] summary p {
    font-size: 1.15rem;
  }
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


def common_mistake(markdown: str) -> None:
    """Correct, where a topic comes up, what tutorials often get wrong: a short note."""
    st.info(f"**A common mistake:** {markdown}", icon=":material/lightbulb:")


def show_figure(figure: go.Figure, *, key: str, across_page: bool = False) -> None:
    """Render a Plotly figure, enlarged for a room in presenter mode.

    Args:
        figure: the figure from `dlcore.figures`; it is not changed. In presenter mode a
            copy is enlarged through the figure style (`dlcore.figures.style.enlarge`): its
            text, title (wrapped again, never cut), legend, colour bars and height grow.
        key: a unique element key, so that charts redrawn in a loop keep their identity.
        across_page: the figure spans the page's width, not a column: its enlarged title,
            captions and cell text are laid out for that width (`PAGE_WIDTH`).
    """
    if is_presenting():
        width = PAGE_WIDTH if across_page else REFERENCE_WIDTH
        figure = enlarge(figure, font_size=PRESENTER_FONT_SIZE, width=width)
    st.plotly_chart(figure, key=key, config={"displaylogo": False})


def plain(message: object) -> str:
    """A message shown as written: a file's name or content in it is not read as Markdown."""
    return _MARKDOWN_CHARACTERS.sub(r"\\\1", str(message))
