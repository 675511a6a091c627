"""The Ray backend: jobs run as Ray Core tasks on a cluster (`DLS_JOBS=ray`, `RAY_ADDRESS`).

Each job is one task that runs `run_job`, so a cluster trains exactly what a local worker
trains. Every node needs the same checkout and packages as this server
(requirements.txt, requirements-ray.txt and `pip install -e .`): a task imports `dlcore`
there by name.

A small mailbox actor per pool carries the news both ways: a task posts its reports to it
and asks it after every epoch whether to stop; a page takes its job's reports from it,
which also renews the job's lease. The mailbox keeps the lease itself, so a job whose page
stopped following (a closed tab) stops after `LEASE_SECONDS` even if this server is gone.
It also tells a waiting job its place among this server's jobs: a cluster shared with
other servers may take a little longer than that place says.

Ray is imported only here: it is an optional dependency (requirements-ray.txt).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import socket
import statistics
import time
from typing import Any

import ray
import ray.exceptions

from dlcore.jobs.events import Ended, Failed, Job, Queued, QueueFull, Report
from dlcore.jobs.local import LEASE_SECONDS, MAX_WAITING
from dlcore.jobs.work import JobSpec, failure_message, run_job

CONNECT_SECONDS = 5.0
"""How long to wait for the cluster's address to answer before falling back: Ray itself
goes on retrying an address nobody listens on for minutes."""

_POLL_SECONDS = 0.05
"""How often a follower waiting for news asks the mailbox again."""

_threads_set = False
"""Whether this Ray worker process has sized TensorFlow's thread pools already."""


class RayPool:
    """Runs jobs as Ray tasks, each taking `cpus_per_job` CPUs of the cluster.

    Args:
        address: the cluster, as `ray.init` takes it (e.g. "10.0.0.5:6379"); None starts
            a Ray head on this machine (note that Ray's servers then listen on every
            network interface, as they do on a cluster's head).
        cpus_per_job: CPUs each job takes; TensorFlow's threads in the task are sized to it,
            so that the jobs on a node do not oversubscribe its cores.
        gpus_per_job: GPUs each job takes (Ray hides the GPUs from a task that asks none).
        lease_seconds: see `dlcore.jobs.local.LEASE_SECONDS`.
        max_waiting: see `dlcore.jobs.local.MAX_WAITING`.

    Raises:
        ConnectionError: if nothing answers at `address` within `CONNECT_SECONDS`, or Ray
            cannot connect to it or refuses to (a version unlike the cluster's).
    """

    note: str | None = None
    """Set when this pool stands in for another backend that could not be used."""

    def __init__(
        self,
        address: str | None = None,
        *,
        cpus_per_job: float = 1,
        gpus_per_job: float = 0,
        lease_seconds: float = LEASE_SECONDS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.address = address
        self.cpus_per_job = cpus_per_job
        self.lease_seconds = lease_seconds
        self.max_waiting = max_waiting
        self._owns_connection = not ray.is_initialized()
        if self._owns_connection:
            if address is not None:
                check_reachable(address, timeout=CONNECT_SECONDS)
            try:
                # The tasks' printing stays in the Ray session's logs, not the server's.
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            except RuntimeError as error:  # e.g. a Ray or Python version unlike the cluster's
                ray.shutdown()
                raise ConnectionError(f"Ray refused: {str(error).splitlines()[0]}") from error
        self._mailbox = _Mailbox.options(num_cpus=0).remote(self.workers)
        self._train = _train.options(num_cpus=cpus_per_job, num_gpus=gpus_per_job)
        self._ids = itertools.count(1)  # `next` on it is atomic: pages submit from threads
        self._closed = False

    @property
    def workers(self) -> int:
        """How many jobs the cluster runs at once: its CPUs shared out among jobs."""
        cpus = ray.cluster_resources().get("CPU", 1)
        return max(1, int(cpus // self.cpus_per_job))

    def submit(self, spec: JobSpec) -> RayJob:
        """Starts a job's task: Ray runs it when the cluster has a CPU free.

        Raises:
            QueueFull: if `max_waiting` of this pool's jobs wait already.
        """
        if self._closed:
            raise RuntimeError("This job pool is closed.")
        waiting, typical = ray.get(self._mailbox.waiting.remote())
        if waiting >= self.max_waiting:
            raise QueueFull(
                f"Every worker is busy and the queue is full ({waiting} waiting): try "
                f"again in about {math.ceil(typical or 60.0)} s."
            )
        job_id = next(self._ids)
        ray.get(self._mailbox.open.remote(job_id, self.lease_seconds))
        return RayJob(self, job_id, spec)

    def close(self) -> None:
        """Lets go of the cluster: the jobs still running end with this connection."""
        self._closed = True
        if self._owns_connection and ray.is_initialized():
            ray.shutdown()


class RayJob(Job):
    """A job of the Ray pool: its task's reports come from the mailbox, its end from the task."""

    def __init__(self, pool: RayPool, job_id: int, spec: JobSpec) -> None:
        super().__init__(spec)
        self.id = job_id
        self._pool = pool
        self._task = pool._train.remote(job_id, spec, pool._mailbox, pool.cpus_per_job)
        self._news: collections.deque[Any] = collections.deque()
        self._place: Queued | None = None
        self._over = False
        self._collect(renew=True)  # its place now, as the page will want it first

    def stop(self) -> None:
        if self._over or self._pool._closed:
            return
        started = ray.get(self._pool._mailbox.stop.remote(self.id))
        if not started:
            # It never will start: the page settles it at once, and Ray drops the task.
            ray.cancel(self._task)
            self._news.append(Ended(None))
            self._over = True

    def _next(self, timeout: float) -> Any:
        return self._receive(timeout, renew=True)

    def _receive(self, timeout: float, *, renew: bool) -> Any:
        """The next news; `renew` says whether asking renews the job's lease."""
        deadline = time.monotonic() + timeout
        while not self._news and not self._over:
            if self._pool._closed:
                self._news.append(Failed("The job pool was closed."))
                self._over = True
                break
            self._collect(renew)
            if self._news:
                break
            done, _ = ray.wait([self._task], timeout=0)
            if done:
                self._collect(renew)  # the task waited for its last reports to land
                self._news.append(_outcome(self._task))
                self._over = True
                self._pool._mailbox.close.remote(self.id)
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ray.wait([self._task], timeout=min(left, _POLL_SECONDS))
        return self._news.popleft() if self._news else None

    def _collect(self, renew: bool) -> None:
        place, reports = ray.get(self._pool._mailbox.collect.remote(self.id, renew))
        if place is not None and place != self._place:
            self._news.append(place)
        self._place = place
        self._news.extend(reports)


def _outcome(task: Any) -> Ended | Failed:
    """What a finished task's page hears, from the task's value or Ray's error."""
    try:
        return ray.get(task)
    except ray.exceptions.RayError as error:
        return Failed(
            "The training process stopped unexpectedly (it may have run out of memory, or "
            f"its machine left the cluster: {type(error).__name__}). Press Train to try again."
        )


def check_reachable(address: str, *, timeout: float) -> None:
    """Checks that something answers at a "host:port" (or "ray://host:port") address.

    Addresses that name no port ("auto", "local") are left to Ray.

    Raises:
        ConnectionError: if nothing answers within `timeout` seconds.
    """
    host, colon, port = address.split("://", 1)[-1].rpartition(":")
    if not colon or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        raise ConnectionError(f"nothing answers there: {error.strerror or error}") from error


@ray.remote(max_retries=0)
def _train(job_id: int, spec: JobSpec, mailbox: Any, cpus: float) -> Ended | Failed:
    """A job's task: `run_job` with its reports posted to the mailbox and its stop asked there.

    Not retried when its worker dies: the job fails and its page says so, as with the local
    pool, instead of starting again from its first epoch.
    """
    if not ray.get(mailbox.start.remote(job_id)):
        return Ended(None)  # stopped, or let go of, while it waited
    _size_threads(cpus)

    def relay(name: str, args: tuple[Any, ...]) -> None:
        mailbox.post.remote(job_id, Report(name, args))

    def stop() -> bool:
        return ray.get(mailbox.stopping.remote(job_id))

    try:
        outcome: Ended | Failed = Ended(run_job(spec, relay=relay, stop=stop))
    except Exception as error:  # the page shows it; the worker takes the next job
        outcome = Failed(failure_message(error))
    # A mailbox runs one caller's calls in order: once this one is done, so are the reports.
    ray.get(mailbox.finish.remote(job_id))
    return outcome


def _size_threads(cpus: float) -> None:
    """Gives TensorFlow in this worker process as many threads as a job has CPUs, once."""
    global _threads_set
    if _threads_set:
        return
    import tensorflow as tf

    threads = max(1, int(cpus))
    # Too late when something else in this worker initialized TensorFlow: it keeps its pools.
    with contextlib.suppress(RuntimeError):
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    _threads_set = True


@ray.remote
class _Mailbox:
    """The news of one pool's jobs, between their tasks and their pages, and their leases."""

    def __init__(self, slots: int) -> None:
        self._slots = slots
        self._lease_seconds: dict[int, float] = {}
        self._renewed: dict[int, float] = {}
        self._reports: dict[int, list[Report]] = collections.defaultdict(list)
        self._stop_asked: set[int] = set()
        self._waiting: dict[int, None] = {}  # in submission order
        self._started: set[int] = set()
        self._running: dict[int, float] = {}  # when each started
        self._durations: collections.deque[float] = collections.deque(maxlen=20)

    def open(self, job_id: int, lease_seconds: float) -> None:
        self._lease_seconds[job_id] = lease_seconds
        self._renewed[job_id] = time.monotonic()
        self._waiting[job_id] = None

    def start(self, job_id: int) -> bool:
        """Called by a task as it starts; False if it should not run any more."""
        self._waiting.pop(job_id, None)
        self._started.add(job_id)
        self._running[job_id] = time.monotonic()
        return not self.stopping(job_id)

    def post(self, job_id: int, report: Report) -> None:
        self._reports[job_id].append(report)

    def stopping(self, job_id: int) -> bool:
        """Whether the job's page asked it to stop, or stopped renewing its lease."""
        lapsed = time.monotonic() - self._renewed[job_id] > self._lease_seconds[job_id]
        return job_id in self._stop_asked or lapsed

    def stop(self, job_id: int) -> bool:
        """Asks the job to stop; returns whether its task had started."""
        self._stop_asked.add(job_id)
        self._waiting.pop(job_id, None)
        return job_id in self._started

    def finish(self, job_id: int) -> None:
        """Called by a task as it ends, after its last report."""
        self._durations.append(time.monotonic() - self._running.pop(job_id))

    def close(self, job_id: int) -> None:
        """Forgets a job whose page has its end (a task whose worker died never finishes)."""
        for record in (self._lease_seconds, self._renewed, self._reports, self._running):
            record.pop(job_id, None)
        self._stop_asked.discard(job_id)
        self._started.discard(job_id)

    def collect(self, job_id: int, renew: bool) -> tuple[Queued | None, list[Report]]:
        """The job's place in the queue (None once it runs or is about to) and its reports."""
        if renew:
            self._renewed[job_id] = time.monotonic()
        reports = self._reports.pop(job_id, [])
        return self._place(job_id), reports

    def waiting(self) -> tuple[int, float | None]:
        """How many jobs wait, and how long a job has taken lately (None before any ended)."""
        return len(self._queue()), self._typical()

    def _queue(self) -> list[int]:
        """The jobs that wait for a free slot, first come first; those let go of don't count."""
        now = time.monotonic()
        waiting = [
            job_id
            for job_id in self._waiting
            if now - self._renewed[job_id] <= self._lease_seconds[job_id]
        ]
        free = max(0, self._slots - len(self._running))
        return waiting[free:]

    def _place(self, job_id: int) -> Queued | None:
        queue = self._queue()
        if job_id not in queue:
            return None
        position = queue.index(job_id) + 1
        typical = self._typical()
        rounds = math.ceil(position / self._slots)
        return Queued(position, None if typical is None else rounds * typical)

    def _typical(self) -> float | None:
        return statistics.median(self._durations) if self._durations else None
