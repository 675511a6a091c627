"""Page settings kept in the URL, so that a configured view can be bookmarked and reopened.

Each page makes one `PageSettings` and passes `**settings.bind("name")` to every widget
whose value belongs to the view. Streamlit then keeps the widget and the URL query
parameter `page.name` in step: changes go into the URL, and a URL opened later sets the
widgets. Values equal to the widget's default are left out of the URL; a value that does
not fit the widget (a hand-edited link) is ignored.
"""

from typing import Any

import streamlit as st


class PageSettings:
    """The URL-bound widget settings of one page.

    Example:
        >>> settings = PageSettings("activations")
        >>> st.slider("Weight w", -5.0, 5.0, 1.0, **settings.bind("w"))
        # the URL now carries ?activations.w=2.5 once the slider moves to 2.5
    """

    def __init__(self, page: str) -> None:
        self.page = page

    def key(self, name: str) -> str:
        """The widget key and URL parameter for one setting, e.g. `"activations.w"`."""
        return f"{self.page}.{name}"

    def bind(self, name: str) -> dict[str, Any]:
        """Keyword arguments that bind a widget to the URL parameter for `name`."""
        return {"key": self.key(name), "bind": "query-params"}

    def keep_within(self, name: str, low: float, high: float) -> None:
        """Bring a setting back inside [low, high] before its widget is drawn.

        For a slider whose range depends on other settings (the output cell of a
        convolution, say): when the range shrinks, the value moves to its nearest end
        instead of falling outside, which Streamlit refuses.
        """
        key = self.key(name)
        value = st.session_state.get(key)
        if value is not None and not low <= value <= high:
            st.session_state[key] = min(max(value, low), high)
