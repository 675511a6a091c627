"""harness.streamlit_client against a real app server: a session opens pages, reads them and
clicks, as a browser tab would, with no browser.

The server is the one `make run` starts (`harness.serve_app`, on 127.0.0.1), stopped by its
process id when the module's tests end; every wait is bounded.
"""

import asyncio
import concurrent.futures
from collections.abc import Iterator

import pytest

from harness import serve_app
from harness.streamlit_client import AppSession

# The Playground imports TensorFlow in the server and trains in a worker process.
pytestmark = pytest.mark.slow

# Seconds a page's run may take: the Playground's first run imports TensorFlow in the server.
RUN_TIMEOUT = 180


def _run(coroutine):
    """`asyncio.run` in a thread of its own: the browser tests' Playwright may be running an
    event loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve_app(workers=1) as url:
        yield str(url)


def test_a_session_reads_the_home_page_then_a_concept_page(app_url: str) -> None:
    async def visit() -> tuple[list[str], list[str], list[str]]:
        async with AppSession(app_url) as session:
            await session.open("/", timeout=RUN_TIMEOUT)
            home = session.texts()
            # In the same session, as the app's menu moves between pages.
            await session.open("/activations", timeout=RUN_TIMEOUT)
            return home, session.texts(), session.errors()

    home, activations, errors = _run(visit())

    assert home[0] == "Deep Learning Studio"
    assert "Activations" in home  # its link
    assert activations[0] == "Activations"
    assert "Deep Learning Studio" not in activations  # the home page's elements are gone
    assert errors == []


def test_clicks_train_then_reset_on_the_playground(app_url: str) -> None:
    async def train() -> dict[str, object]:
        async with AppSession(app_url) as session:
            await session.open("/playground?play.epochs=20", timeout=RUN_TIMEOUT)
            before = session.shows("Not trained yet")
            await session.click("play.train", timeout=RUN_TIMEOUT)
            trained = {
                "status": [text for text in session.texts() if "epochs in" in text],
                "epochs drawn": [
                    shown.text.split("·")[0] for shown in session.received if "loss" in shown.text
                ],
                "errors": session.errors(),
            }
            await session.click("play.reset", timeout=RUN_TIMEOUT)
            return {"before": before, **trained, "after reset": session.shows("Not trained yet")}

    seen = _run(train())

    assert seen["before"] is True
    assert seen["errors"] == []
    assert len(seen["status"]) == 1
    assert seen["status"][0].startswith("Playground MLP: 20 epochs in")
    assert "**Epoch 20** " in seen["epochs drawn"]  # drawn live while it trained
    assert seen["after reset"] is True


def test_a_click_on_a_key_the_page_lacks_says_what_the_page_shows(app_url: str) -> None:
    async def click_missing() -> None:
        async with AppSession(app_url) as session:
            await session.open("/", timeout=RUN_TIMEOUT)
            await session.click("no.such.button")

    with pytest.raises(LookupError, match="Deep Learning Studio"):
        _run(click_missing())
