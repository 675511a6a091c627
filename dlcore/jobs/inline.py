"""The inline backend: the job runs in the thread that follows it (AppTest, unit tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dlcore.jobs.events import Job, JobFailed
from dlcore.jobs.work import JobResult, JobSpec, failure_message, run_job


class InlineJob(Job):
    """Runs when followed, in the following thread: a report reaches the page at once.

    A handler that raises (Streamlit interrupting the page's script run at its next
    drawing, when Stop is clicked) stops the job instead of breaking it: the epoch under
    way finishes undrawn, the result is kept, and the handler's exception goes on up. The
    next `follow` returns that result, so a page that settles an interrupted job keeps
    its last finished epoch, as it does with the other backends.
    """

    def __init__(self, spec: JobSpec) -> None:
        super().__init__(spec)
        self._stop_asked = False
        self._ran = False
        self._result: JobResult | None = None

    def _follow(self, handlers: Mapping[str, Callable[..., Any]], *_: Any) -> JobResult | None:
        # Nothing queues or waits here: `on_queued` and `on_wait` are never called.
        if self._ran or self._stop_asked:
            return self._result
        self._ran = True
        interruption: BaseException | None = None

        def relay(name: str, args: tuple[Any, ...]) -> None:
            nonlocal interruption
            if interruption is not None or name not in handlers:
                return
            try:
                handlers[name](*args)
            except BaseException as error:  # Streamlit's own are not Exceptions
                interruption = error
                self._stop_asked = True

        try:
            self._result = run_job(self.spec, relay=relay, stop=lambda: self._stop_asked)
        except Exception as error:
            raise JobFailed(failure_message(error)) from error
        if interruption is not None:
            raise interruption
        return self._result

    def stop(self) -> None:
        self._stop_asked = True


class InlinePool:
    """Submits `InlineJob`s: nothing waits, nothing runs in the background."""

    workers = 1
    note: str | None = None

    def submit(self, spec: JobSpec) -> InlineJob:
        return InlineJob(spec)

    def close(self) -> None:
        return None
