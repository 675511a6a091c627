"""Start the app and drive it in Debian's Chromium: shared by the browser tests and bench/."""

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from deploy.replicas import free_port, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Seconds the app server has to answer its health check once started.
SERVER_START_TIMEOUT = 60
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class AppUrl(str):
    """The served app's address (a plain `str`), which also knows its server's process id.

    The memory benchmark reads the server's resident memory through `pid`.
    """

    pid: int

    def __new__(cls, url: str, pid: int) -> "AppUrl":
        address = super().__new__(cls, url)
        address.pid = pid
        return address

    def __getnewargs__(self) -> tuple[str, int]:  # type: ignore[override]
        # Pickled with its pid, e.g. when handed to another process.
        return str(self), self.pid


@contextlib.contextmanager
def serve_app(
    *, port: int | None = None, jobs: str = "local", workers: int | None = None
) -> Iterator[AppUrl]:
    """Run `streamlit run app.py` as `make run` does, headless, on `port` or a free one.

    Its trainings run as `jobs` says (`DLS_JOBS`): in a local pool of worker processes, as
    `make run` does, unless told otherwise; `workers` sets that pool's size (`DLS_WORKERS`).

    Yields:
        The app's address, e.g. "http://127.0.0.1:8501", with the server's `pid`.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    command += ["--server.fileWatcherType=none", "--server.address=127.0.0.1"]
    # The server's log goes to our own output: a pipe nobody reads could stall it.
    server = subprocess.Popen(
        [*command, f"--server.port={port}"],
        cwd=ROOT,
        env={
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "DLS_JOBS": jobs,
            **({"DLS_WORKERS": str(workers)} if workers else {}),
        },
    )
    url = AppUrl(f"http://127.0.0.1:{port}", server.pid)
    try:
        wait_until_healthy(url, server, timeout=SERVER_START_TIMEOUT)
        yield url
    finally:
        stop([server])


def job_worker_pids(server_pid: int) -> list[int]:
    """The server's training workers (`dlcore.jobs.local`): its children that multiprocessing
    spawned, found in Linux's /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
            if parent == server_pid and b"spawn_main" in command:
                pids.append(int(stat.parent.name))
    return pids


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with nothing that reaches for the network."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            "Chromium is missing: `make test` installs it (sudo apt-get install chromium)."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Wait until the app is connected and its script has finished running."""
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-connection-state", "CONNECTED", timeout=timeout
    )
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout
    )


def screenshot(page: Page, name: str, *, at: Locator | None = None) -> None:
    """Save the top of the page, as a visitor first sees it, under docs/screenshots/,
    once the app has finished running (no "Stop" in its toolbar); with `at`, the screen
    that starts at that element (a section further down) instead."""
    wait_for_app(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if at is None:
        page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
    else:
        at.evaluate("element => element.scrollIntoView({block: 'start'})")
        # Clear of the app's header, which lies over the top of the main area.
        page.get_by_test_id("stMain").evaluate("main => main.scrollBy(0, -96)")
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
