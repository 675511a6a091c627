"""The Ray backend: the same jobs as Ray Core tasks on a one-CPU Ray head, and its fallback.

Ray cannot be kept on the loopback address: with Ray 2.60, `ray start --head
--node-ip-address=127.0.0.1` (or `ray.init(_node_ip_address="127.0.0.1")`) still has its
gRPC servers (GCS, raylet, workers) listen on every interface and its runtime-env agent on
the machine's own address, as `ss -ltnp` shows; Ray has no setting for it. So the Ray head
and the driver that follows its jobs run in a child process with namespaces of its own
(`unshare`, from util-linux): a network with nothing but a loopback interface, which the
child brings up itself (an ioctl, so no `ip` is needed), and a PID namespace, which the
kernel empties at once when the child's first process ends or is killed at the deadline:
no Ray process outlives the test. The child runs this file as a script (`scenario`) and
prints what it saw as JSON, which the test checks. Ray's session files go to a temporary
folder that the test removes; token authentication and usage reports are off for this
private head, so Ray writes nothing under the home folder.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from dlcore import jobs
from dlcore.jobs.local import LocalPool
from dlcore.trainers import playground

EPOCHS = 3
IGNORED = {"on_update": lambda update: None}
HEAD_PORT = 6379
DEADLINE_SECONDS = 150
"""The whole Ray scenario (a cold head, a cold worker importing TensorFlow, four jobs) takes
about 40 s on a 2-core machine; past this, the child and every Ray process go."""

HEAD_OPTIONS = (
    "--head",
    "--block",  # it ends its Ray processes when it is told to end
    "--node-ip-address=127.0.0.1",
    f"--port={HEAD_PORT}",
    "--num-cpus=1",
    "--include-dashboard=false",
    "--disable-usage-stats",
    "--temp-dir",
)
NAMESPACES = ("--user", "--map-root-user", "--net", "--pid", "--fork", "--mount-proc")


def playground_job(epochs: int) -> jobs.JobSpec:
    return jobs.JobSpec(
        "playground",
        playground.Config(),
        epochs=epochs,
        reports=("on_update",),
        options={"redraw_every": 1},
    )


class TabClosed(Exception):
    """What a page's script meets when its browser tab goes: it stops following."""


def test_jobs_train_report_and_stop_on_a_one_cpu_ray_head_in_a_private_network():
    ray_files = tempfile.mkdtemp(prefix="dls-ray-")  # short: Ray's socket paths must fit
    child = subprocess.Popen(
        ["unshare", *NAMESPACES, "--kill-child", sys.executable, __file__, ray_files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"},
    )
    try:
        out, err = child.communicate(timeout=DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()  # unshare; --kill-child then ends the namespace and all in it
        out, err = child.communicate()
    finally:
        shutil.rmtree(ray_files, ignore_errors=True)
    assert child.returncode == 0, f"The Ray scenario failed or timed out:\n{err[-6000:]}"
    seen = json.loads(out.splitlines()[-1])

    assert seen["interfaces"] == ["lo"]
    assert seen["pool"] == "RayPool"
    assert seen["note"] is None
    assert seen["workers"] == 1

    # The first job was stopped after its second report: it kept every finished epoch.
    stopped = seen["stopped"]
    assert stopped["result_stopped"]
    assert stopped["reported"][:2] == [1, 2]
    assert stopped["history"] == stopped["reported"]

    # The second waited behind it, was told its place, then reported every epoch.
    queued = seen["queued"]
    assert queued["places"][0] == [1, None]
    assert queued["reported"] == list(range(1, EPOCHS + 1))
    assert queued["history"] == queued["reported"]
    assert queued["probabilities_shape"] == [50, 50]
    assert 0.0 <= queued["test_accuracy"] <= 1.0
    assert queued["model_bytes"] > 0

    assert seen["dropped_while_queued"] is None

    # A job whose page stopped following was let go after its lease.
    abandoned = seen["abandoned"]
    assert abandoned["result_stopped"]
    assert 1 <= abandoned["epochs"] < 100_000


@contextlib.contextmanager
def _ray_backend(monkeypatch, address: str | None) -> Iterator[Any]:
    """This process's pool as `DLS_JOBS=ray` makes it, for the cluster at `address` (None: on
    this machine), closed afterwards."""
    monkeypatch.setattr(jobs, "_pool", None)
    monkeypatch.setenv("DLS_JOBS", "ray")
    if address is None:
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("RAY_ADDRESS", address)
    monkeypatch.setenv("DLS_WORKERS", "1")
    pool = jobs.pool()
    try:
        yield pool
    finally:
        pool.close()


def test_an_unreachable_ray_cluster_falls_back_to_the_local_pool_with_a_note(monkeypatch):
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _ray_backend(monkeypatch, f"127.0.0.1:{port}") as pool:
        assert isinstance(pool, LocalPool)
        assert re.fullmatch(
            rf"The Ray cluster at 127\.0\.0\.1:{port} could not be reached \(nothing answers "
            r"there: .+\): training runs on this machine's own workers\.",
            pool.note,
        )
        assert jobs.pool() is pool


def test_without_ray_installed_the_ray_backend_falls_back_to_the_local_pool(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    monkeypatch.delitem(sys.modules, "dlcore.jobs.ray_cluster", raising=False)
    with _ray_backend(monkeypatch, None) as pool:
        assert isinstance(pool, LocalPool)
        assert re.fullmatch(
            r"Ray could not be imported here \(.+; pip install -r requirements-ray\.txt\): "
            r"training runs on this machine's own workers\.",
            pool.note,
        )


def scenario(ray_files: str) -> dict:
    """Inside the private namespaces: a one-CPU Ray head, and four jobs through `jobs.pool()`."""
    _bring_up_loopback()
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", *HEAD_OPTIONS, ray_files],
        stdout=subprocess.DEVNULL,
    )
    _wait_for_port(HEAD_PORT, deadline=time.monotonic() + 60)
    os.environ |= {"DLS_JOBS": "ray", "RAY_ADDRESS": f"127.0.0.1:{HEAD_PORT}"}
    pool = jobs.pool()
    seen: dict = {
        "interfaces": [name for _, name in socket.if_nameindex()],
        "pool": type(pool).__name__,
        "note": pool.note,
        "workers": pool.workers,
    }

    running = jobs.submit(playground_job(100_000))
    waiting = jobs.submit(playground_job(EPOCHS))
    dropped = jobs.submit(playground_job(EPOCHS))
    dropped.stop()
    seen["dropped_while_queued"] = dropped.follow(IGNORED)

    reported = []

    def stop_at_the_second(update):
        reported.append(update.epoch)
        if len(reported) == 2:
            running.stop()

    result = running.follow({"on_update": stop_at_the_second})
    seen["stopped"] = {
        "result_stopped": result.stopped,
        "reported": reported,
        "history": result.history.epochs,
    }

    updates, places = [], []
    result = waiting.follow({"on_update": updates.append}, on_queued=places.append)
    seen["queued"] = {
        "places": [[place.position, place.wait_seconds] for place in places],
        "reported": [update.epoch for update in updates],
        "probabilities_shape": list(updates[-1].snapshot.probabilities.shape),
        "history": result.history.epochs,
        "test_accuracy": result.scores["test_accuracy"],
        "model_bytes": len(result.model),
    }

    pool.lease_seconds = 1.0
    abandoned = jobs.submit(playground_job(100_000))

    def close_the_tab(update):
        raise TabClosed

    with contextlib.suppress(TabClosed):
        abandoned.follow({"on_update": close_the_tab})
    deadline = time.monotonic() + 60
    news = None
    while not isinstance(news, jobs.Ended) and time.monotonic() < deadline:
        news = abandoned._receive(1.0, renew=False)  # read as nobody would: no renewal
    assert isinstance(news, jobs.Ended), f"the abandoned job did not end: {news}"
    seen["abandoned"] = {
        "result_stopped": news.result.stopped,
        "epochs": len(news.result.history),
    }

    pool.close()
    head.terminate()
    head.wait(timeout=60)
    return seen


def _bring_up_loopback() -> None:
    """A new network namespace's loopback interface starts down: `ip link set lo up`."""
    get_flags, set_flags, up = 0x8913, 0x8914, 0x1  # SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(control, get_flags, request))[1]
        fcntl.ioctl(control, set_flags, struct.pack("16sh", b"lo", flags | up))


def _wait_for_port(port: int, *, deadline: float) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # the head is starting: ask again


if __name__ == "__main__":
    print(json.dumps(scenario(sys.argv[1])))
