"""deploy/: HAProxy's configuration keeps a browser on one replica by cookie, and
`python -m deploy.replicas` serves the app from two replicas through the proxy.

The launcher runs as a person runs it, in a process of its own on 127.0.0.1, and is
stopped by its process id with SIGTERM, as Ctrl-C would; the test then checks that the
replicas, their training workers and HAProxy have stopped too. Every wait is bounded.
"""

import concurrent.futures
import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect, sync_playwright

from deploy.replicas import (
    COOKIE,
    ROOT,
    Replica,
    free_port,
    haproxy_binary,
    render_config,
    stop,
    wait_until_healthy,
)
from harness import launch_chromium, wait_for_app
from harness.uploads import PNG_NAME, upload_png

# Seconds for the launcher to start both replicas and the proxy on a busy 2-core machine.
START_TIMEOUT = 180
# Seconds for the launcher to stop everything once asked.
STOP_TIMEOUT = 60
# Milliseconds for a page through the proxy: two app servers start on two cores.
PAGE_TIMEOUT = 120_000
REPLICAS = (Replica("r1", 9001), Replica("r2", 9002))


def _backend(config: str) -> list[str]:
    """The configuration's lines that say where requests go, without comments."""
    lines = [line.split("#", 1)[0].strip() for line in config.splitlines()]
    return [line for line in lines if line]


def test_the_proxy_keeps_a_browser_on_its_replica_by_cookie_not_by_address():
    lines = _backend(render_config(8500, REPLICAS))

    assert "cookie SERVERID insert indirect nocache httponly" in lines
    servers = [line for line in lines if line.startswith("server ")]
    assert servers == [
        "server r1 127.0.0.1:9001 check inter 2s cookie r1",
        "server r2 127.0.0.1:9002 check inter 2s cookie r2",
    ]
    # Not by the client's address: a classroom behind one NAT address would share a replica.
    balance = [line for line in lines if line.startswith("balance ")]
    assert balance == ["balance leastconn"]
    assert not [line for line in lines if re.search(r"\bsrc\b|\bsource\b|hash-type", line)]
    assert "bind 127.0.0.1:8500" in lines


def test_without_stickiness_nothing_keeps_a_browser_on_its_replica():
    lines = _backend(render_config(8500, REPLICAS, sticky=False))

    assert not [line for line in lines if line.startswith("cookie ") or " cookie " in line]
    assert [line for line in lines if line.startswith("server ")] == [
        "server r1 127.0.0.1:9001 check inter 2s",
        "server r2 127.0.0.1:9002 check inter 2s",
    ]


@pytest.mark.parametrize("sticky", [True, False])
def test_haproxy_accepts_the_configuration(tmp_path: Path, sticky: bool):
    config = tmp_path / "haproxy.cfg"
    config.write_text(render_config(free_port(), REPLICAS, sticky=sticky))

    checked = subprocess.run(
        [haproxy_binary(), "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Warning" not in checked.stdout + checked.stderr


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie that nobody collected has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def launcher() -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m deploy.replicas --replicas 2` on a free port; its address and process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.replicas", "--replicas", "2", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "DLS_WORKERS": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        # The proxy starts once both replicas answer: it answering means all three run.
        wait_until_healthy(url, process, timeout=START_TIMEOUT)
        yield url, process
    finally:
        stop([process], timeout=STOP_TIMEOUT)


def _open_and_upload(context: BrowserContext, url: str) -> str:
    """Open the Convolution page through the proxy and upload a PNG; the replica's name."""
    page = context.new_page()
    answer = page.goto(f"{url}/convolution?conv.source=Upload", timeout=PAGE_TIMEOUT)
    wait_for_app(page, timeout=PAGE_TIMEOUT)
    cookie = {item["name"]: item["value"] for item in context.cookies()}.get(COOKIE)
    assert answer is not None
    assert answer.headers.get("x-replica") == cookie  # the replica the cookie names served it

    # Streamlit's upload: a PUT that only the replica holding this session accepts.
    put = upload_png(page, timeout=PAGE_TIMEOUT)
    assert put.ok, f"the upload's PUT answered {put.status}"
    expect(page.get_by_text(f"Input, 60×80 (upload: {PNG_NAME})")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return cookie


def _two_browsers(url: str, replica_pids: list[int]) -> tuple[list[str], list[int]]:
    """Two browsers open the app through the proxy and upload: the replicas they landed
    on, and the replicas' training workers meanwhile."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # Both stay open: the proxy sends a new browser to the replica with fewer
            # open connections, the first one's websocket holding one on its replica.
            first = browser.new_context()
            second = browser.new_context()
            replicas = [_open_and_upload(first, url), _open_and_upload(second, url)]
            workers = [worker for pid in replica_pids for worker in _children(pid)]
        finally:
            browser.close()
    return replicas, workers


@pytest.mark.browser
@pytest.mark.slow
def test_two_browsers_land_on_two_replicas_and_upload_through_the_proxy(launcher):
    url, process = launcher
    replica_pids = _children(process.pid)
    assert len(replica_pids) == 3  # two app servers and HAProxy

    # In a thread of its own: the browser tests' Playwright may hold this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        replicas, workers = thread.submit(_two_browsers, url, replica_pids).result()

    assert sorted(replicas) == ["r1", "r2"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=STOP_TIMEOUT) == 0
    still_running = [pid for pid in replica_pids + workers if _is_running(pid)]
    assert still_running == []
