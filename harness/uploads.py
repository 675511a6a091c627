"""Upload a small PNG through a page's file uploader, as a person does in the dialog."""

import io

from PIL import Image
from playwright.sync_api import Page, Response

PNG_NAME = "blue.png"


def small_png() -> bytes:
    """A small picture to upload: 80×60 pixels of one blue."""
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_png(page: Page, *, timeout: float) -> Response:
    """Upload `small_png()` as `PNG_NAME` in the page's file uploader.

    Returns:
        The answer to Streamlit's upload, a PUT to /_stcore/upload_file/<session>/<file>
        that only the server holding the page's session accepts.
    """
    with (
        page.expect_response(
            lambda response: (
                "/_stcore/upload_file/" in response.url and response.request.method == "PUT"
            ),
            timeout=timeout,
        ) as answer,
        page.expect_file_chooser() as chooser,
    ):
        page.get_by_test_id("stFileUploaderDropzone").click()
        chooser.value.set_files(
            files=[{"name": PNG_NAME, "mimeType": "image/png", "buffer": small_png()}]
        )
    return answer.value
