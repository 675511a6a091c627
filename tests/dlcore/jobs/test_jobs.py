"""Jobs: the same training, run inline or in the local pool's worker processes."""

import dataclasses
import os
import signal

import pytest

from dlcore import jobs
from dlcore.jobs.inline import InlinePool
from dlcore.jobs.local import LocalPool
from dlcore.trainers import playground
from dlcore.training.saving import model_from_bytes

EPOCHS = 5
IGNORED = {"on_update": lambda update: None}


def playground_job(epochs: int = EPOCHS, **config) -> jobs.JobSpec:
    return jobs.JobSpec(
        "playground",
        playground.Config(**config),
        epochs=epochs,
        reports=("on_update",),
        options={"redraw_every": 1},
    )


@pytest.fixture(scope="module")
def local_pool():
    """One warm worker, as on a 2-core laptop."""
    pool = LocalPool(1)
    yield pool
    pool.close()
    assert not any(worker.process.is_alive() for worker in pool._workers)


def test_an_inline_job_reports_every_epoch_and_returns_a_loadable_model():
    reports = []
    result = InlinePool().submit(playground_job()).follow({"on_update": reports.append})
    assert [report.epoch for report in reports] == list(range(1, EPOCHS + 1))
    assert result.history.epochs == list(range(1, EPOCHS + 1))
    assert set(result.scores) == {"test_loss", "test_accuracy"}
    assert not result.stopped
    model = model_from_bytes(result.model)
    assert model.count_params() > 0


def test_a_local_job_gives_the_same_reports_and_result(local_pool):
    reports = []
    result = local_pool.submit(playground_job()).follow({"on_update": reports.append})
    assert [report.epoch for report in reports] == list(range(1, EPOCHS + 1))
    assert reports[-1].snapshot.probabilities.shape == (50, 50)
    assert result.history.epochs == list(range(1, EPOCHS + 1))
    assert 0.0 <= result.scores["test_accuracy"] <= 1.0
    assert model_from_bytes(result.model).count_params() > 0


def test_a_cnn_job_relays_its_epochs_and_its_progress_inside_them(local_pool):
    from dlcore.trainers import cnn

    epochs, progress = [], []
    spec = jobs.JobSpec(
        "cnn", cnn.Config(), epochs=2, reports=("on_epoch", "on_progress"), placement="cpu"
    )
    result = local_pool.submit(spec).follow(
        {"on_epoch": epochs.append, "on_progress": lambda epoch, done: progress.append(done)}
    )
    assert [report.epoch for report in epochs] == [1, 2]
    assert epochs[-1].history.epochs == [1, 2]  # the report carries the history so far
    assert all(0 <= done < 1 for done in progress)
    assert result.device == "CPU:0"
    assert set(result.scores) == {"test_loss", "test_accuracy"}


def test_a_setting_the_worker_refuses_fails_the_job_with_its_message(local_pool):
    spec = playground_job()
    impossible = dataclasses.replace(spec, config=playground.Config(dataset="xor", n_classes=3))
    with pytest.raises(jobs.JobFailed, match="n_classes") as failure:
        local_pool.submit(impossible).follow(IGNORED)  # the pool itself does not check
    assert "Traceback" not in str(failure.value)
    assert local_pool.submit(spec).follow(IGNORED).history.epochs[-1] == EPOCHS


def test_a_job_goes_on_training_the_model_it_is_given(local_pool):
    first = local_pool.submit(playground_job(epochs=2)).follow(IGNORED)
    more = dataclasses.replace(playground_job(epochs=3), model=first.model, history=first.history)
    result = local_pool.submit(more).follow(IGNORED)
    assert result.history.epochs == [1, 2, 3, 4, 5]


def test_stop_ends_a_job_after_the_epoch_that_was_running(local_pool):
    job = local_pool.submit(playground_job(epochs=50))
    reports = []

    def stop_at_first(report):
        reports.append(report.epoch)
        job.stop()

    result = job.follow({"on_update": stop_at_first})
    assert result.stopped
    assert 1 <= len(result.history) < 50
    assert result.history.epochs == reports  # every finished epoch was reported and kept


def test_a_second_job_waits_in_the_queue_and_is_told_its_place(local_pool):
    first = local_pool.submit(playground_job(epochs=30))
    second = local_pool.submit(playground_job())
    places = []
    first.follow(IGNORED)
    result = second.follow(IGNORED, on_queued=places.append)
    assert places and places[0].position == 1
    assert result.history.epochs[-1] == EPOCHS


def test_a_queued_job_that_is_stopped_never_runs(local_pool):
    first = local_pool.submit(playground_job(epochs=30))
    second = local_pool.submit(playground_job())
    second.stop()
    assert second.follow(IGNORED) is None
    assert first.follow(IGNORED).history.epochs[-1] == 30


def test_a_killed_worker_fails_its_job_and_the_pool_goes_on(local_pool):
    job = local_pool.submit(playground_job(epochs=200))

    def kill_the_worker(report):
        os.kill(local_pool._workers[0].process.pid, signal.SIGKILL)

    with pytest.raises(jobs.JobFailed, match="training process stopped unexpectedly"):
        job.follow({"on_update": kill_the_worker})
    result = local_pool.submit(playground_job()).follow(IGNORED)
    assert result.history.epochs[-1] == EPOCHS


class TabClosed(Exception):
    """What a page's script meets when its browser tab goes: it stops following."""


def test_a_job_whose_page_stopped_following_is_let_go(local_pool, monkeypatch):
    monkeypatch.setattr(local_pool, "lease_seconds", 1.0)
    job = local_pool.submit(playground_job(epochs=100_000))

    def close_the_tab(report):
        raise TabClosed

    with pytest.raises(TabClosed):
        job.follow({"on_update": close_the_tab})
    news = job._inbox.get(timeout=60)  # read without renewing the lease, as nobody would
    while not isinstance(news, jobs.Ended):
        news = job._inbox.get(timeout=60)
    assert news.result.stopped
    assert len(news.result.history) < 100_000


def test_a_job_with_an_impossible_config_is_refused_before_it_queues():
    with pytest.raises(ValueError, match="n_classes"):
        jobs.submit(playground_job(dataset="xor", n_classes=3))
    with pytest.raises(ValueError, match="Unknown trainer"):
        jobs.submit(jobs.JobSpec("no_such_trainer", playground.Config(), epochs=1))


def test_the_backend_is_chosen_by_DLS_JOBS(monkeypatch):
    monkeypatch.setattr(jobs, "_pool", None)
    monkeypatch.setenv("DLS_JOBS", "inline")
    assert isinstance(jobs.pool(), InlinePool)
    result = jobs.submit(playground_job(epochs=2)).follow(IGNORED)
    assert result.history.epochs == [1, 2]
    monkeypatch.setattr(jobs, "_pool", None)
    monkeypatch.setenv("DLS_JOBS", "cluster")
    with pytest.raises(ValueError, match="DLS_JOBS"):
        jobs.pool()


def test_a_worker_is_replaced_by_a_fresh_one_after_its_share_of_jobs():
    pool = LocalPool(1, max_jobs_per_worker=2)
    try:
        first_worker = pool._workers[0].process.pid
        for _ in range(2):
            assert pool.submit(playground_job(epochs=1)).follow(IGNORED) is not None
        result = pool.submit(playground_job(epochs=1)).follow(IGNORED)
        assert result.history.epochs == [1]
        assert pool._workers[0].process.pid != first_worker
    finally:
        pool.close()
    assert not any(process.is_alive() for process in pool._retired)


def test_a_full_queue_refuses_one_more_job_and_says_when_to_try_again(local_pool, monkeypatch):
    monkeypatch.setattr(local_pool, "max_waiting", 1)
    running = local_pool.submit(playground_job(epochs=100_000))
    waiting = local_pool.submit(playground_job())
    with pytest.raises(
        jobs.QueueFull, match=r"queue is full \(1 waiting\): try again in about \d+ s"
    ):
        local_pool.submit(playground_job())
    waiting.stop()
    running.stop()
    assert waiting.follow(IGNORED) is None
    assert running.follow(IGNORED).stopped


class _NewsInAHeap(jobs.Job):
    """A job whose news have all come already (a page that drew slower than it trained)."""

    def __init__(self, news: list) -> None:
        super().__init__(playground_job())
        self._news = list(news)

    def _next(self, timeout: float):
        return self._news.pop(0) if self._news else None


@pytest.mark.parametrize(("newest_only", "drawn"), [(False, [1, 2, "b", 3]), (True, ["b", 3])])
def test_a_slow_follower_can_draw_only_the_newest_report_of_each_kind(newest_only, drawn):
    news = [
        jobs.Report("on_update", (1,)),
        jobs.Report("on_update", (2,)),
        jobs.Report("on_progress", ("b",)),
        jobs.Report("on_update", (3,)),
        jobs.Ended(None),
    ]
    seen = []
    handlers = {"on_update": seen.append, "on_progress": seen.append}
    assert _NewsInAHeap(news).follow(handlers, newest_only=newest_only) is None
    assert seen == drawn
