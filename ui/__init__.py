"""Streamlit helpers shared by the pages: navigation, sidebar, URL-bound settings, presenter mode.

Everything that touches Streamlit and is used by more than one page lives here; the
logic the pages show lives in `dlcore`, which never imports Streamlit.
"""
