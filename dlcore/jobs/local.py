"""The local pool: warm worker processes on this machine, one job each at a time.

Workers are started with the `spawn` method (TensorFlow must not be forked) and import
TensorFlow as they start, so that a first Train does not wait for it. Each talks to the
pool over its own pipe: a worker killed mid-epoch breaks only its pipe, which the pool
notices, reports to that job's page and replaces. A thread in the calling process routes
what the workers send to each job, keeps the queue moving, and lets go of jobs whose
page stopped renewing their lease (a closed browser tab).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.spawn
import os
import queue
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

from dlcore.jobs.events import Ended, Failed, Job, Queued, QueueFull, Report
from dlcore.jobs.work import JobSpec, failure_message, run_job
from dlcore.runtime.devices import usable_cores

MAX_JOBS_PER_WORKER = 50
"""A worker is replaced by a fresh one after this many jobs: whatever TensorFlow and Keras
keep from one training to the next (traced functions, allocator pools) goes with it."""

MAX_WORKER_MEGABYTES = 2000
"""A worker is replaced once its resident memory passes this, between two jobs."""

MAX_WAITING = 100
"""The most jobs the queue holds; one more is refused with a time to try again."""

LEASE_SECONDS = 30.0
"""A job whose page has not asked for news for this long is stopped (its tab is gone)."""

_TICK_SECONDS = 0.25
"""How often the pool looks for dead workers and lapsed leases when nothing happens."""


def default_workers() -> int:
    """Usable cores minus one for the web server, at least one."""
    return max(1, usable_cores() - 1)


class LocalJob(Job):
    """A job of the local pool: what its worker sends arrives in `_inbox`."""

    def __init__(self, pool: LocalPool, job_id: int, spec: JobSpec) -> None:
        super().__init__(spec)
        self.id = job_id
        self._pool = pool
        self._inbox: queue.Queue = queue.Queue()
        self.renewed = time.monotonic()
        self.last_queued: Queued | None = None

    def stop(self) -> None:
        self._pool._stop(self)

    def _next(self, timeout: float) -> Any:
        self.renewed = time.monotonic()
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None


class _Worker:
    """One worker process and the pool's end of its pipe."""

    def __init__(self, context: Any, threads: int) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child_end, threads), name="dlcore-job-worker", daemon=True
        )
        with _without_parent_main():
            self.process.start()
        child_end.close()
        self.job: LocalJob | None = None
        self.started = 0.0
        self.jobs_done = 0

    def send(self, message: Any) -> None:
        """Sends to the worker; a dead worker's pipe refuses, and the pool replaces it."""
        with contextlib.suppress(OSError):
            self.connection.send(message)


_spawning = threading.Lock()


@contextlib.contextmanager
def _without_parent_main() -> Iterator[None]:
    """Spawns with nothing of the parent's `__main__`, which a worker does not need.

    `spawn` runs the parent's main script again in the child; under Streamlit that is the
    app's script, which would start a pool of its own in every worker. The standard library
    offers no switch for this, so its preparation step is wrapped while a worker starts.
    """
    prepare = multiprocessing.spawn.get_preparation_data

    def without_main(name: str) -> dict[str, Any]:
        data = prepare(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    with _spawning:
        multiprocessing.spawn.get_preparation_data = without_main
        try:
            yield
        finally:
            multiprocessing.spawn.get_preparation_data = prepare


class LocalPool:
    """Runs jobs in `workers` processes; more jobs wait in a queue, first come first served.

    Args:
        workers: worker processes; defaults to `default_workers()`.
        threads: TensorFlow threads per worker; by default the usable cores shared out,
            so that the workers do not oversubscribe the machine.
        lease_seconds: see `LEASE_SECONDS`.
        max_jobs_per_worker, max_worker_megabytes, max_waiting: see `MAX_JOBS_PER_WORKER`,
            `MAX_WORKER_MEGABYTES` and `MAX_WAITING`.
    """

    note: str | None = None
    """Set when this pool stands in for another backend that could not be used."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        threads: int | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_jobs_per_worker: int = MAX_JOBS_PER_WORKER,
        max_worker_megabytes: float = MAX_WORKER_MEGABYTES,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        n_workers = workers or default_workers()
        self.threads = threads or max(1, usable_cores() // n_workers)
        self.lease_seconds = lease_seconds
        self.max_jobs_per_worker = max_jobs_per_worker
        self.max_worker_megabytes = max_worker_megabytes
        self.max_waiting = max_waiting
        self._retired: list[Any] = []  # processes told to exit, joined on close
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._workers = [_Worker(self._context, self.threads) for _ in range(n_workers)]
        self._waiting: collections.deque[LocalJob] = collections.deque()
        self._ids = itertools.count(1)
        self._durations: collections.deque[float] = collections.deque(maxlen=20)
        self._closed = False
        self._router = threading.Thread(target=self._route, name="dlcore-job-router", daemon=True)
        self._router.start()

    @property
    def workers(self) -> int:
        return len(self._workers)

    def submit(self, spec: JobSpec) -> LocalJob:
        """Queues a job; a free worker starts it at once.

        Raises:
            QueueFull: if `max_waiting` jobs wait already.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("This job pool is closed.")
            if len(self._waiting) >= self.max_waiting:
                typical = statistics.median(self._durations) if self._durations else 60.0
                raise QueueFull(
                    f"Every worker is busy and the queue is full ({len(self._waiting)} "
                    f"waiting): try again in about {math.ceil(typical)} s."
                )
            job = LocalJob(self, next(self._ids), spec)
            self._waiting.append(job)
            self._dispatch()
        return job

    def close(self) -> None:
        """Ends the workers (a running job ends with them) and the router thread."""
        with self._lock:
            self._closed = True
            for worker in self._workers:
                if worker.job is not None:
                    worker.job._inbox.put(Failed("The job pool was closed."))
                worker.send(None)
            for job in self._waiting:
                job._inbox.put(Failed("The job pool was closed."))
            self._waiting.clear()
        self._router.join(timeout=5)
        for process in [worker.process for worker in self._workers] + self._retired:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def _stop(self, job: LocalJob) -> None:
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
                job._inbox.put(Ended(None))
                self._tell_positions()
                return
            for worker in self._workers:
                if worker.job is job:
                    worker.send(("stop", job.id))

    def _dispatch(self) -> None:
        for worker in self._workers:
            if worker.job is None and self._waiting and worker.process.is_alive():
                job = self._waiting.popleft()
                worker.job, worker.started = job, time.monotonic()
                worker.send((job.id, job.spec))
        self._tell_positions()

    def _tell_positions(self) -> None:
        typical = statistics.median(self._durations) if self._durations else None
        for position, job in enumerate(self._waiting, start=1):
            rounds = math.ceil(position / len(self._workers))
            news = Queued(position, None if typical is None else rounds * typical)
            if news != job.last_queued:
                job.last_queued = news
                job._inbox.put(news)

    def _route(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                connections = [worker.connection for worker in self._workers]
                sentinels = [worker.process.sentinel for worker in self._workers]
            multiprocessing.connection.wait(connections + sentinels, timeout=_TICK_SECONDS)
            with self._lock:
                if self._closed:
                    return
                for index, worker in enumerate(self._workers):
                    finished = self._read(worker)
                    if not worker.process.is_alive():
                        self._replace(index)
                    elif finished and self._worn_out(worker):
                        worker.send(None)
                        self._retired.append(worker.process)
                        self._replace(index)
                self._let_go_of_lapsed_jobs()
                self._dispatch()

    def _read(self, worker: _Worker) -> bool:
        """Hands on what the worker sent; True if its job ended."""
        finished = False
        try:
            while worker.connection.poll():
                kind, job_id, payload = worker.connection.recv()
                job = worker.job
                if job is None or job.id != job_id:
                    continue  # news of a job already let go of
                if kind == "report":
                    job._inbox.put(Report(*payload))
                else:
                    self._durations.append(time.monotonic() - worker.started)
                    job._inbox.put(payload)
                    worker.job = None
                    worker.jobs_done += 1
                    finished = True
        except (EOFError, OSError):
            pass  # the worker died: `_replace` tells its job
        return finished

    def _replace(self, index: int) -> None:
        worker = self._workers[index]
        if worker.job is not None:
            worker.job._inbox.put(
                Failed(
                    "The training process stopped unexpectedly (it may have run out of "
                    f"memory; exit code {worker.process.exitcode}). Press Train to try again."
                )
            )
        worker.connection.close()
        self._workers[index] = _Worker(self._context, self.threads)

    def _worn_out(self, worker: _Worker) -> bool:
        if worker.jobs_done >= self.max_jobs_per_worker:
            return True
        megabytes = resident_megabytes(worker.process.pid)
        return megabytes is not None and megabytes > self.max_worker_megabytes

    def _let_go_of_lapsed_jobs(self) -> None:
        now = time.monotonic()
        for job in [job for job in self._waiting if now - job.renewed > self.lease_seconds]:
            self._waiting.remove(job)
        for worker in self._workers:
            if worker.job is not None and now - worker.job.renewed > self.lease_seconds:
                worker.send(("stop", worker.job.id))


def resident_megabytes(pid: int) -> float | None:
    """A process's resident memory in MB, from Linux's /proc; None where there is none."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def serve(connection: Any, threads: int) -> None:
    """A worker process's life: start TensorFlow, then run the jobs the pool sends."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import dlcore.training.saving  # noqa: F401  (Keras imported now, not at the first Train)

    while (message := connection.recv()) is not None:
        if message[0] != "stop":  # a stop for a job that already ended is dropped
            job_id, spec = message
            connection.send(("end", job_id, _run(connection, job_id, spec)))


def _run(connection: Any, job_id: int, spec: JobSpec) -> Ended | Failed:
    """One job in a worker: its reports go out as they come; a stop comes in between epochs."""
    stop_asked = False

    def stop() -> bool:
        nonlocal stop_asked
        while connection.poll():
            stop_asked = stop_asked or connection.recv() == ("stop", job_id)
        return stop_asked

    def relay(name: str, args: tuple[Any, ...]) -> None:
        connection.send(("report", job_id, (name, args)))

    try:
        return Ended(run_job(spec, relay=relay, stop=stop))
    except Exception as error:  # the page shows it; the worker takes the next job
        return Failed(failure_message(error))
