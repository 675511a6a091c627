"""Download buttons, each with the file type and icon that its file name calls for."""

from pathlib import PurePath
from typing import Any

import streamlit as st

FILE_TYPES = {
    ".py": ("text/x-python", ":material/code:"),
    ".keras": ("application/zip", ":material/download:"),
    ".json": ("application/json", ":material/data_object:"),
    ".csv": ("text/csv", ":material/download:"),
}
"""The MIME type and button icon of each file kind the app offers, by file extension."""


def download_button(
    label: str, data: Any, *, file_name: str, key: str, disabled: bool = False
) -> None:
    """A button that downloads `data` as `file_name`; a click does not rerun the page.

    Args:
        label: the button's text.
        data: the file's content, or a function that makes it once the button is clicked.
        file_name: the downloaded file's name; its extension (a key of `FILE_TYPES`) sets
            the MIME type and the icon.
        key: the element key.
        disabled: whether the button is greyed out.
    """
    mime, icon = FILE_TYPES[PurePath(file_name).suffix]
    st.download_button(
        label,
        data,
        file_name=file_name,
        mime=mime,
        icon=icon,
        on_click="ignore",
        disabled=disabled,
        key=key,
    )
