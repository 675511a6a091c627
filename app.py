"""Deep Learning Studio: page set-up, navigation by section, and the sidebar of every page."""

import streamlit as st

from dlcore import jobs
from ui.keras_state import keep_keras_state_between_runs
from ui.registry import HOME, PAGES, SECTIONS
from ui.sidebar import render_device_status, render_sidebar

keep_keras_state_between_runs()

st.set_page_config(
    page_title="Deep Learning Studio",
    page_icon=":material/neurology:",
    layout="wide",
)

navigation = {"": [st.Page(HOME.script, title=HOME.title, icon=HOME.icon, default=True)]}
for section in SECTIONS:
    entries = [entry for entry in PAGES if entry.section == section]
    if entries:
        navigation[section] = [
            st.Page(entry.script, title=entry.title, icon=entry.icon) for entry in entries
        ]

# Every page stays in view, with no "View N more" fold: a presenter jumps to any page in one click.
page = st.navigation(navigation, expanded=True)
device_status = render_sidebar()
page.run()
render_device_status(device_status)
# The training workers start with the first visit, each loading TensorFlow while the person
# reads: a first Train does not wait for a cold worker.
jobs.pool()
