"""The layout every concept page opens with: its title, a short introduction, then its
controls in a narrow column beside a wide one for the charts."""

from typing import Any

import streamlit as st


def concept_layout(title: str, introduction: str, *, chart_width: float = 2.6) -> tuple[Any, Any]:
    """Draw the page's title and introduction (Markdown); return `(controls, charts)`, the
    two columns, the charts' column `chart_width` times as wide as the controls'."""
    st.title(title)
    st.markdown(introduction)
    controls, charts = st.columns([1, chart_width], gap="large")
    return controls, charts
