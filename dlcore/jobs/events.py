"""A job as the page sees it, whatever runs it: `follow` it, `stop` it.

What a job sends while it lives, in order: `Queued` while it waits for a worker (again
whenever its place changes), the calls of the trainer's callbacks as `Report`s, and last either
`Ended` (with the `JobResult`, or None if it was stopped before it started) or `Failed`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from dlcore.jobs.work import JobResult, JobSpec

POLL_SECONDS = 0.1
"""How long `follow` waits for news before it asks again (and renews the job's lease)."""


@dataclasses.dataclass(frozen=True)
class Queued:
    """Every worker is busy: the job is `position`-th in the queue (1 is next).

    `wait_seconds` estimates the wait from the jobs finished lately, None before any has.
    """

    position: int
    wait_seconds: float | None


@dataclasses.dataclass(frozen=True)
class Report:
    """A call of one of the trainer's callbacks: `name` (e.g. "on_epoch") and its `args`
    (e.g. one `EpochReport`)."""

    name: str
    args: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class Ended:
    """The job is over: its `JobResult`, or None when it was stopped before it started."""

    result: JobResult | None


@dataclasses.dataclass(frozen=True)
class Failed:
    """The job could not finish; `message` says why, in words for the page."""

    message: str


class JobFailed(RuntimeError):
    """Raised by `Job.follow` when the job failed; the message is the `Failed` message."""


class QueueFull(RuntimeError):
    """Raised on submitting when the queue is full; the message says when to try again."""


class Job:
    """A submitted job. Subclasses deliver its news through `_next`, or run it in `_follow`."""

    def __init__(self, spec: JobSpec) -> None:
        self.spec = spec

    def follow(
        self,
        handlers: Mapping[str, Callable[..., Any]],
        *,
        on_queued: Callable[[Queued], None] | None = None,
        on_wait: Callable[[], None] | None = None,
        newest_only: bool = False,
    ) -> JobResult | None:
        """Waits for the job to end, handing on its news as it comes.

        Each wait renews the job's lease: a page that stops following (its tab closed)
        lets the job go after `dlcore.jobs.local.LEASE_SECONDS`.

        Args:
            handlers: callback name -> the function to call with its arguments, e.g.
                `{"on_epoch": draw}` calls `draw(report)` for each `EpochReport`; reports
                with no handler are passed over.
            on_queued: called with each `Queued` while the job waits for a worker.
            on_wait: called whenever `POLL_SECONDS` pass with no news (a page keeps its
                waiting line fresh, which also lets Streamlit interrupt it).
            newest_only: when several reports of one callback wait, hand on only the
                newest: a page that draws slower than the job reports then shows where
                the training is, not where it was. Off, every report is handed on.

        Returns:
            The `JobResult`, or None if the job was stopped before it started.

        Raises:
            JobFailed: if the job failed (a bad setting, a worker that died, ...).
        """
        return self._follow(handlers, on_queued, on_wait, newest_only)

    def stop(self) -> None:
        """Ends the job after its current epoch (it keeps that epoch), or drops it from
        the queue."""
        raise NotImplementedError

    def _follow(
        self,
        handlers: Mapping[str, Callable[..., Any]],
        on_queued: Callable[[Queued], None] | None,
        on_wait: Callable[[], None] | None,
        newest_only: bool,
    ) -> JobResult | None:
        """`follow` for a job that runs elsewhere: its news, a poll at a time."""
        while True:
            news = self._next(POLL_SECONDS)
            if news is None:
                if on_wait is not None:
                    on_wait()
                continue
            waiting = [news]
            while (more := self._next(0)) is not None:
                waiting.append(more)
            for index, news in enumerate(waiting):
                if isinstance(news, Report):
                    # A page settling a job it stopped has no handlers: it draws nothing.
                    later = newest_only and _reported_again(news.name, waiting[index + 1 :])
                    if news.name in handlers and not later:
                        handlers[news.name](*news.args)
                elif isinstance(news, Queued):
                    if on_queued is not None:
                        on_queued(news)
                elif isinstance(news, Ended):
                    return news.result
                elif isinstance(news, Failed):
                    raise JobFailed(news.message)

    def _next(self, timeout: float) -> Any:
        """The next news, or None if none came within `timeout` seconds (0: none waits)."""
        raise NotImplementedError


def _reported_again(name: str, news: list[Any]) -> bool:
    return any(isinstance(later, Report) and later.name == name for later in news)
