"""Replicas: two app servers behind HAProxy, sticky by cookie; do sessions on both upload and train?

`deploy.replicas` starts `REPLICAS` servers of the app and HAProxy in front of them, as
`python -m deploy.replicas` does. `SESSIONS` browser sessions (Chromium contexts, each with
fresh cookies) open the Convolution page through the proxy and stay open, so that HAProxy
spreads them over the replicas (the fewest open connections first); the SERVERID cookie
each receives names its replica. Each uploads a small PNG: Streamlit's upload is an HTTP
PUT to /_stcore/upload_file/<session>/<file>, which only the replica holding the session's
websocket accepts. Then each moves, in the same session, to the Playground and all press
Train (`EPOCHS` epochs, its fewest); each replica trains in its own pool of workers.

The negative control: a second HAProxy in front of the same replicas, with the same
settings but no cookie (`python -m deploy.replicas --no-sticky`). One session at a time
opens the page and uploads: the session's websocket holds a connection to one replica, so
the PUT goes to the other, which answers 400. Goals: every session's upload works through
the sticky proxy and none without stickiness; both replicas hold sessions and finish their
trainings.
"""

import collections
import dataclasses

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from bench.report import Figure
from deploy.replicas import COOKIE, serve_proxy, serve_replicas
from harness import free_port, launch_chromium, wait_for_app
from harness.playground import click_app_button
from harness.sessions import TRAINING_TIMEOUT, open_in_session, wait_for_run, wait_until_idle
from harness.uploads import PNG_NAME, upload_png

REPLICAS = 2
SESSIONS = 4
EPOCHS = 20
UPLOAD_PAGE = "/convolution?conv.source=Upload"
PLAYGROUND = f"/playground?play.epochs={EPOCHS}"
# Two app servers and a browser share two cores: the first page of a replica is slow.
PAGE_TIMEOUT = 120_000
# Milliseconds for an upload's PUT to be answered and its rerun drawn.
UPLOAD_TIMEOUT = 60_000
UPLOADED = f"Input, 60×80 (upload: {PNG_NAME})"
FINISHED = f"Playground MLP: {EPOCHS} epochs in"


@dataclasses.dataclass
class SessionResult:
    """What one browser session did.

    Attributes:
        replica: the replica its SERVERID cookie names, "" without stickiness.
        upload_status: the HTTP status that answered its upload's PUT, 0 if none did.
        uploaded: whether the page then drew the uploaded image.
        trained: whether its Playground training finished and was drawn.
    """

    number: int
    replica: str = ""
    upload_status: int = 0
    uploaded: bool = False
    trained: bool = False
    error: str | None = None

    @property
    def upload_worked(self) -> bool:
        return 200 <= self.upload_status < 300 and self.uploaded


def upload_image(page: Page, result: SessionResult) -> None:
    """Upload a PNG in the page's file uploader, as a person does in the dialog.

    Records the HTTP status of the upload's PUT and whether the page drew the image.
    """
    result.upload_status = upload_png(page, timeout=UPLOAD_TIMEOUT).status
    drawn = page.get_by_text(UPLOADED)
    # A failed upload shows an error on the file's chip, and the page is not rerun.
    drawn.or_(page.get_by_test_id("stFileChipIconError")).first.wait_for(timeout=UPLOAD_TIMEOUT)
    result.uploaded = drawn.count() > 0


def open_upload_page(context: BrowserContext, url: str, result: SessionResult) -> Page:
    """Open the Convolution page set to Upload, and note the replica the proxy chose."""
    page = context.new_page()
    answer = page.goto(f"{url}{UPLOAD_PAGE}", timeout=PAGE_TIMEOUT)
    wait_for_app(page, timeout=PAGE_TIMEOUT)
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    result.replica = cookies.get(COOKIE, "")
    if answer is not None and result.replica:
        served_by = answer.headers.get("x-replica")
        if served_by != result.replica:
            raise RuntimeError(f"served by {served_by}, cookie names {result.replica}")
    return page


def _describe(error: BaseException) -> str:
    """An error's first line, or its type where it has no message."""
    return (str(error).splitlines() or [type(error).__name__])[0]


def sticky_sessions(browser: Browser, url: str) -> list[SessionResult]:
    """All sessions through the sticky proxy: open, upload, then all train at once."""
    results = [SessionResult(number) for number in range(SESSIONS)]
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in results]
    pages: dict[int, Page] = {}
    try:
        # One after the other, each staying open: the proxy sends a new session to the
        # replica with the fewest open connections.
        for context, result in zip(contexts, results, strict=True):
            try:
                page = open_upload_page(context, url, result)
                upload_image(page, result)
                open_in_session(page, PLAYGROUND)
                page.get_by_text("Not trained yet").wait_for(timeout=TRAINING_TIMEOUT)
                wait_until_idle(page, timeout=TRAINING_TIMEOUT)
                pages[result.number] = page
            except Exception as error:
                result.error = f"before training: {_describe(error)}"
        for page in pages.values():
            click_app_button(page, "play.train")
        for number, page in pages.items():
            try:
                wait_for_run(page, page.get_by_text(FINISHED))
                results[number].trained = True
            except Exception as error:
                results[number].error = f"training: {_describe(error)}"
    finally:
        for context in contexts:
            context.close()
    return results


def sessions_without_stickiness(browser: Browser, url: str) -> list[SessionResult]:
    """The negative control: one session at a time opens the page and uploads."""
    results = [SessionResult(number) for number in range(SESSIONS)]
    for result in results:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            upload_image(open_upload_page(context, url, result), result)
        except Exception as error:
            result.error = f"uploading: {_describe(error)}"
        finally:
            context.close()
    return results


def run() -> list[Figure]:
    # One training worker each: two replicas share this machine's cores.
    with (
        serve_replicas(REPLICAS, free_port(), workers=1) as deployment,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            sticky = sticky_sessions(browser, deployment.url)
            control_port = free_port()
            with serve_proxy(control_port, deployment.replicas, sticky=False):
                control = sessions_without_stickiness(browser, f"http://127.0.0.1:{control_port}")
        finally:
            browser.close()

    for result in sticky:
        print(
            f"  sticky: session {result.number + 1} on {result.replica or '-'}, upload "
            f"answered {result.upload_status or '-'}, {'' if result.trained else 'not '}trained"
            + (f": {result.error}" if result.error else ""),
            flush=True,
        )
    for result in control:
        print(
            f"  without stickiness: session {result.number + 1}, upload answered "
            f"{result.upload_status or '-'}" + (f": {result.error}" if result.error else ""),
            flush=True,
        )
    names = [replica.name for replica in deployment.replicas]
    sessions_on = collections.Counter(result.replica for result in sticky)
    trained_on = collections.Counter(result.replica for result in sticky if result.trained)
    figures = [
        Figure.at_least(
            f"replicas: sessions on {name}",
            sessions_on[name],
            "sessions",
            target=1,
        )
        for name in names
    ]
    figures += [
        Figure.at_least(
            "replicas: uploads that worked through the sticky proxy",
            sum(result.upload_worked for result in sticky),
            "uploads",
            target=SESSIONS,
        ),
        # The control: the same replicas and proxy settings, no cookie.
        Figure(
            "replicas: uploads that worked without stickiness",
            sum(result.upload_worked for result in control),
            "uploads",
            target=0,
        ),
    ]
    figures += [
        Figure.at_least(
            f"replicas: trainings finished on {name}",
            trained_on[name],
            "trainings",
            target=1,
        )
        for name in names
    ]
    figures.append(
        Figure.at_least(
            "replicas: trainings finished",
            sum(result.trained for result in sticky),
            "trainings",
            target=SESSIONS,
        )
    )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
