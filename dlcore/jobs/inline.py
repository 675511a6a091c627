"""The inline backend: the job runs in the thread that follows it (AppTest, unit tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dlcore.jobs.events import Job, JobFailed
from dlcore.jobs.work import JobResult, JobSpec, run_job


class InlineJob(Job):
    """Runs when followed, in the following thread: a report reaches the page at once."""

    def __init__(self, spec: JobSpec) -> None:
        super().__init__(spec)
        self._stop_asked = False

    def _follow(self, handlers: Mapping[str, Callable[..., Any]], *_: Any) -> JobResult | None:
        # Nothing queues or waits here: `on_queued` and `on_wait` are never called.
        if self._stop_asked:
            return None
        try:
            return run_job(
                self.spec,
                relay=lambda name, args: handlers[name](*args),
                stop=lambda: self._stop_asked,
            )
        except ValueError as error:
            raise JobFailed(str(error)) from error

    def stop(self) -> None:
        self._stop_asked = True


class InlinePool:
    """Submits `InlineJob`s: nothing waits, nothing runs in the background."""

    workers = 1

    def submit(self, spec: JobSpec) -> InlineJob:
        return InlineJob(spec)

    def close(self) -> None:
        return None
