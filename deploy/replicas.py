"""Several replicas of the app behind HAProxy, sticky by cookie, started by one command.

    python -m deploy.replicas --replicas 2 --port 8500

starts `--replicas` servers of `streamlit run app.py` on free ports of 127.0.0.1, writes
HAProxy's configuration (deploy/haproxy.cfg.template, filled in) to a temporary folder,
and starts HAProxy on 127.0.0.1:`--port` in front of them (`--address 0.0.0.0`: on the
room's network too; the replicas stay on 127.0.0.1). Ctrl-C or SIGTERM stops the proxy,
then every replica (each stops its own training workers).

A Streamlit session lives in the replica that holds its websocket, so every request of a
browser must reach the same replica: HAProxy inserts a cookie (SERVERID) naming the replica
that served the browser's first page. `--no-sticky` leaves the cookie out, the negative
control of bench/replicas.py: a file upload then reaches a replica that does not know the
session and fails.

Each replica runs its own pool of training workers (`DLS_WORKERS`, by default the usable
cores minus one): on one computer, `--workers` shares the cores out between them.
"""

import argparse
import contextlib
import dataclasses
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")
ADDRESS = "127.0.0.1"
"""Where the replicas listen, and the proxy unless told otherwise: this computer only."""
COOKIE = "SERVERID"
# Seconds for a replica to answer its health check: two replicas start at once on two cores.
START_TIMEOUT = 120
# Seconds a replica or the proxy has to stop once asked before it is killed.
STOP_TIMEOUT = 20
# Seconds between two looks at whether every process still runs.
WATCH_INTERVAL = 1.0


@dataclasses.dataclass(frozen=True)
class Replica:
    """One app server behind the proxy: its name in HAProxy (and in the cookie), and its port."""

    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{ADDRESS}:{self.port}"


@dataclasses.dataclass(frozen=True)
class Deployment:
    """Running replicas and their proxy.

    Attributes:
        url: the proxy's address, the one to open, e.g. "http://127.0.0.1:8500".
        replicas: the replicas behind it.
        proxy: HAProxy's process.
        servers: each replica's server process, in the order of `replicas`.
    """

    url: str
    replicas: tuple[Replica, ...]
    proxy: subprocess.Popen
    servers: tuple[subprocess.Popen, ...]

    def describe(self) -> str:
        """Each process with its address and process id, for a person to read."""
        replicas = ", ".join(
            f"{replica.name} {replica.url} (pid {server.pid})"
            for replica, server in zip(self.replicas, self.servers, strict=True)
        )
        return f"HAProxy pid {self.proxy.pid}; replicas {replicas}"

    def exited(self) -> list[str]:
        """The processes that have stopped, each with its exit code."""
        named = [("HAProxy", self.proxy)]
        named += [
            (replica.name, server)
            for replica, server in zip(self.replicas, self.servers, strict=True)
        ]
        return [
            f"{name} (exit code {process.returncode})"
            for name, process in named
            if process.poll() is not None
        ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((ADDRESS, 0))
        return probe.getsockname()[1]


def render_config(
    port: int, replicas: Sequence[Replica], *, sticky: bool = True, address: str = ADDRESS
) -> str:
    """HAProxy's configuration: listen on `address`:`port`, send to `replicas`.

    Args:
        port: the proxy's port.
        replicas: the app servers, each named in the cookie by its `name`.
        sticky: keep each browser on one replica with the SERVERID cookie; False is the
            negative control, with nothing that keeps a browser on its replica.
        address: where the proxy listens; "0.0.0.0" for every network of this computer.
    """
    if not replicas:
        raise ValueError("at least one replica is needed behind the proxy")
    stickiness = (
        # insert: HAProxy sets the cookie; indirect: the replicas never see it; nocache:
        # a shared cache must not hand one browser's cookie to another.
        f"    cookie {COOKIE} insert indirect nocache httponly" if sticky else ""
    )
    servers = "\n".join(
        f"    server {replica.name} {ADDRESS}:{replica.port} check inter 2s"
        + (f" cookie {replica.name}" if sticky else "")
        for replica in replicas
    )
    return string.Template(TEMPLATE.read_text()).substitute(
        address=address, port=port, stickiness=stickiness, servers=servers
    )


def haproxy_binary() -> str:
    """HAProxy's program (Debian installs it in /usr/sbin, outside a user's PATH)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise FileNotFoundError(
            "HAProxy is missing: `make test` installs it, or: sudo apt-get install haproxy"
        )
    return found


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Wait until `url` answers Streamlit's health check, or `process` exits, or `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # still starting: ask again
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


def stop(processes: Sequence[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """Ask every process to stop (SIGTERM), then kill those still running after `timeout` s."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def _local_url(address: str, port: int) -> str:
    """The address to reach a server listening on `address` from this computer."""
    return f"http://{ADDRESS if address in ('0.0.0.0', '::', '') else address}:{port}"


@contextlib.contextmanager
def serve_proxy(
    port: int, replicas: Sequence[Replica], *, sticky: bool = True, address: str = ADDRESS
) -> Iterator[subprocess.Popen]:
    """Run HAProxy on `address`:`port` in front of running `replicas` until the block ends."""
    with tempfile.TemporaryDirectory(prefix="dls-haproxy-") as folder:
        config = Path(folder) / "haproxy.cfg"
        config.write_text(render_config(port, replicas, sticky=sticky, address=address))
        # -db: in the foreground, so that its process id is the one to stop. Its own
        # session: Ctrl-C reaches only the launcher, which stops everything in order.
        proxy = subprocess.Popen(
            [haproxy_binary(), "-db", "-f", str(config)], start_new_session=True
        )
        try:
            wait_until_healthy(_local_url(address, port), proxy, timeout=START_TIMEOUT)
            yield proxy
        finally:
            stop([proxy])


@contextlib.contextmanager
def serve_replicas(
    count: int,
    port: int,
    *,
    sticky: bool = True,
    workers: int | None = None,
    address: str = ADDRESS,
) -> Iterator[Deployment]:
    """Start `count` replicas of the app and HAProxy in front of them; stop all at the end.

    Args:
        count: how many app servers.
        port: the proxy's port.
        sticky: keep each browser on one replica by cookie (False: the negative control).
        workers: training workers of each replica (`DLS_WORKERS`); None for its default.
        address: where the proxy listens (the replicas listen on 127.0.0.1 only).
    """
    if count < 1:
        raise ValueError(f"--replicas must be at least 1, not {count}")
    haproxy_binary()  # missing: say so before starting any replica
    replicas = tuple(Replica(f"r{number}", free_port()) for number in range(1, count + 1))
    environment = {
        # TensorFlow's start-up notes from every replica and worker would bury the address.
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **os.environ,
        # One secret for all: a cookie that one replica signs, another accepts.
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
        **({"DLS_WORKERS": str(workers)} if workers else {}),
    }
    # As `make run` starts the app, with no file watcher: nobody edits a classroom's server.
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    command += ["--server.fileWatcherType=none", f"--server.address={ADDRESS}"]
    servers: list[subprocess.Popen] = []
    try:
        for replica in replicas:
            servers.append(
                subprocess.Popen(
                    [*command, f"--server.port={replica.port}"],
                    cwd=ROOT,
                    env=environment,
                    start_new_session=True,
                )
            )
        for replica, server in zip(replicas, servers, strict=True):
            wait_until_healthy(replica.url, server, timeout=START_TIMEOUT)
        with serve_proxy(port, replicas, sticky=sticky, address=address) as proxy:
            yield Deployment(_local_url(address, port), replicas, proxy, tuple(servers))
    finally:
        stop(servers)


def _stop_on_sigterm(signal_number: int, frame: object) -> None:
    # As Ctrl-C does: unwind, so that every process started is stopped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.replicas", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--replicas", type=int, default=2, help="app servers (default: 2)")
    parser.add_argument("--port", type=int, default=8500, help="the proxy's port (default: 8500)")
    parser.add_argument(
        "--address",
        default=ADDRESS,
        help="where the proxy listens (default: 127.0.0.1; a classroom: 0.0.0.0)",
    )
    parser.add_argument(
        "--workers", type=int, help="training workers per replica (default: cores - 1)"
    )
    parser.add_argument(
        "--no-sticky",
        dest="sticky",
        action="store_false",
        help="no cookie: the negative control, where uploads fail",
    )
    arguments = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with serve_replicas(
            arguments.replicas,
            arguments.port,
            sticky=arguments.sticky,
            workers=arguments.workers,
            address=arguments.address,
        ) as deployment:
            stickiness = "sticky by cookie" if arguments.sticky else "NOT sticky"
            print(
                f"Deep Learning Studio: {deployment.url}  ({stickiness}; "
                f"{deployment.describe()}). Ctrl-C stops all.",
                flush=True,
            )
            while not (exited := deployment.exited()):
                time.sleep(WATCH_INTERVAL)
            print(f"{', '.join(exited)} stopped: stopping the others", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
