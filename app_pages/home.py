"""Home: what Deep Learning Studio offers, with a link to every page."""

import streamlit as st

from ui.presenter import explain
from ui.registry import PAGES, SECTIONS

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

for section in SECTIONS:
    entries = [entry for entry in PAGES if entry.section == section]
    if not entries:
        continue
    st.subheader(section)
    columns = st.columns(3)
    for index, entry in enumerate(entries):
        with columns[index % 3].container(border=True):
            st.page_link(entry.script, label=entry.title, icon=entry.icon)
            st.caption(entry.summary)
