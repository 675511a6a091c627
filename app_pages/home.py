"""Home: what Deep Learning Studio offers, with a link to every page."""

import streamlit as st

from ui import warm_up
from ui.presenter import explain
from ui.registry import PAGES, SECTIONS

CARDS_PER_ROW = 3

st.title("Deep Learning Studio")
st.markdown("#### See deep learning work: the operations, the training, the decisions.")
explain(
    "Each **Concepts** page shows one operation computed by the real Keras function, "
    "with sliders that react at once. The **Train** pages train models live on this "
    "machine's CPU or GPU. The **Try it** pages take your own image, text or video "
    "clip and show why a model decided what it did, with bundled models that work "
    "before anything is trained. Everything runs offline; settings are kept in the URL, so "
    "bookmark a view to reopen it exactly. Turn on **Presenter mode** in the sidebar "
    "for a room.",
    title="About this app",
)


def warm_up_panel(*, ticking: bool) -> None:
    """Before a talk: load TensorFlow in the background, so that the first page that needs it
    opens at once. While it loads, the panel redraws itself every second (`ticking`) and the
    rest of the page stays free."""
    state = warm_up.state()
    if ticking and state.phase != "warming":
        st.rerun()  # the whole page, whose panel then stops redrawing itself
    with st.container(horizontal=True, vertical_alignment="center", key="home.warm_up"):
        if st.button(
            "Warm up TensorFlow",
            icon=":material/local_fire_department:",
            disabled=state.phase != "cold",
            help="Loads TensorFlow now, in the background (about 10 s), instead of when the "
            "first page that trains or explains opens.",
            key="home.warm_up_button",
        ):
            warm_up.start()
            st.rerun()  # the whole page, whose panel then redraws itself while it loads
        if state.phase == "cold":
            st.caption("Before a talk: the first page that trains or explains then opens at once.")
        elif state.phase == "warming":
            st.caption(f"Loading TensorFlow in the background… {state.seconds:.0f} s")
        elif state.phase == "ready":
            took = f" (loaded in {state.seconds:.1f} s)" if state.seconds is not None else ""
            st.caption(f":material/check: TensorFlow is ready{took}: every page opens at once.")
        else:
            st.caption(f"TensorFlow could not be loaded: {state.error}")


warming = warm_up.state().phase == "warming"
st.fragment(warm_up_panel, run_every=1.0 if warming else None)(ticking=warming)

for section in SECTIONS:
    entries = [entry for entry in PAGES if entry.section == section]
    if not entries:
        continue
    st.subheader(section)
    # One row of columns per three cards, each card stretched to its row's tallest: even rows.
    for start in range(0, len(entries), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, entry in zip(columns, entries[start : start + CARDS_PER_ROW], strict=False):
            with column.container(border=True, height="stretch"):
                st.page_link(entry.script, label=entry.title, icon=entry.icon)
                st.caption(entry.summary)
