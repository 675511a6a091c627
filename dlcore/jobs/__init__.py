"""Training as jobs: a page submits a trainer's run and draws what comes back.

The training runs elsewhere (a warm worker process by default), so the web server's
thread only draws, one session's crash does not take the others down, and a queue
shares the machine fairly when a whole class presses Train at once.

>>> from dlcore import jobs                                               # doctest: +SKIP
>>> from dlcore.trainers import playground                                # doctest: +SKIP
>>> job = jobs.submit(jobs.JobSpec("playground", playground.Config(), epochs=20))  # doctest: +SKIP
>>> result = job.follow(lambda report: print(report.epoch))              # doctest: +SKIP
>>> model = dlcore.training.saving.model_from_bytes(result.model)         # doctest: +SKIP

Backends, chosen by the `DLS_JOBS` environment variable:

- "local" (the default): `dlcore.jobs.local.LocalPool`, worker processes on this machine
  (`DLS_WORKERS` of them; by default the usable cores minus one, at least one).
- "inline": the job runs in the thread that follows it (AppTest, unit tests).
- "ray": `dlcore.jobs.ray_cluster.RayPool`, Ray Core tasks on the cluster at `RAY_ADDRESS`
  (a Ray head on this machine when it is not set). Ray is optional
  (requirements-ray.txt): when it is not installed or the cluster does not answer, the
  local pool runs the jobs, and its `note` says why for the pages to show.

Whatever the backend, `pool().note` is None, or a sentence a page can show about it.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from dlcore._checks import check_choice
from dlcore.jobs.events import Ended, Failed, Job, JobFailed, Queued, QueueFull, Report
from dlcore.jobs.work import JobResult, JobSpec, run_job

__all__ = [
    "Ended",
    "Failed",
    "Job",
    "JobFailed",
    "JobResult",
    "JobSpec",
    "QueueFull",
    "Queued",
    "Report",
    "pool",
    "run_job",
    "submit",
]

BACKENDS = ("local", "inline", "ray")

_pool: Any = None
_pool_lock = threading.Lock()


def pool() -> Any:
    """This process's pool of workers, started on first use (see the module doc)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            backend = os.environ.get("DLS_JOBS", "local")
            check_choice(backend, name="DLS_JOBS", choices=BACKENDS)
            if backend == "inline":
                from dlcore.jobs.inline import InlinePool

                _pool = InlinePool()
            else:
                _pool = _ray_pool() if backend == "ray" else _local_pool()
                atexit.register(_pool.close)
        return _pool


def _local_pool() -> Any:
    from dlcore.jobs.local import LocalPool

    workers = os.environ.get("DLS_WORKERS")
    return LocalPool(int(workers) if workers else None)


def _ray_pool() -> Any:
    """The Ray cluster's pool, or the local pool with a note saying why not."""
    address = os.environ.get("RAY_ADDRESS")
    try:
        from dlcore.jobs.ray_cluster import RayPool

        return RayPool(address)
    except ImportError as error:
        why_not = f"Ray could not be imported here ({error}; pip install -r requirements-ray.txt)"
    except ConnectionError as error:
        where = f"at {address}" if address else "on this machine"
        why_not = f"The Ray cluster {where} could not be reached ({error})"
    fallback = _local_pool()
    fallback.note = f"{why_not}: training runs on this machine's own workers."
    return fallback


def submit(spec: JobSpec) -> Job:
    """Queues a job on this process's pool and returns its handle.

    Raises:
        ValueError: if the trainer does not exist or its config is impossible: refused
            before it queues.
    """
    from dlcore.jobs.work import trainer_module

    trainer_module(spec.trainer)
    spec.config.validate()
    return pool().submit(spec)
