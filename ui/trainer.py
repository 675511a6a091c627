"""What every trainer page shares: its training state, Train / Stop / Reset, the training
job, the live chart, the model summary, Export, and handing the trained model on to the
try-it pages.

A trainer page trains as a job (`dlcore.jobs`): in a worker process by default, so the web
server's thread only draws what the job reports. A click on Stop (or on any widget) during
training makes Streamlit interrupt the page's script run at its next `st.*` call; the job
goes on meanwhile, held by the page's `TrainerRun` in `st.session_state`. The rerun that
follows finds it there, stops it after the epoch under way and keeps that epoch (see
`trainer_run`). A closed tab stops following, and the job's lease lets it go.

The pieces here (the run, the buttons, the job, the live chart, Export, the registry) are
put together once, for every trainer module, by `ui.trainer_flow.train_and_score` and
`ui.trainer_flow.export_section`; a page calls those and draws:

    run = trainer_run("cnn")
    action = training_buttons("cnn", can_train=config is not None)  # Reset is done here
    if action == "train":
        train_and_score(run, cnn, config, data, what="CNN on digits", epochs=epochs, ...)
    show_run_status(run, what="CNN on digits")
    if run.is_trained:
        show_figure(draw_history(run), key="cnn.history")
    export_section("cnn", cnn, run, config, epochs=epochs, file_stem="cnn_digits")
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ui.downloads import download_button
from ui.presenter import show_figure
from ui.sidebar import record_run, requested_placement

REGISTRY_KEY = "trained_models"
MAX_REGISTERED_MODELS = 10
"""Models a browser session keeps for the try-it pages: the oldest goes when one more comes,
so that a long lesson does not hold every model it ever trained."""
"""Where trained models wait for the try-it pages: title -> `saving.TrainedModel`."""

HIDE_HEADER_STOP = '<style>[data-testid="stStatusWidget"] button {display: none}</style>'
"""CSS that hides the Stop button in Streamlit's header, beside its "Running…" sign, while a
trainer page follows its job."""

REDRAW_SECONDS = 0.25
"""Shortest time between two redraws of a live chart; the last epoch is always drawn."""


@dataclasses.dataclass
class TrainerRun:
    """One trainer page's model and training history in this browser session.

    Attributes:
        model: the trained Keras model, or None before the first job ends.
        config: the page's config that built `model`.
        history: the page's history object (e.g. `dlcore.training.history.History`); while
            a job trains, the latest one it reported.
        extras: what the page keeps besides, e.g. the last decision-boundary snapshot.
        device: where the model trained, e.g. "CPU:0".
        precision: the dtype policy it trained with.
        note: why the requested device could not be used, or None.
        seconds: training time so far, over every job.
        status: what happened last: "", "trained", "stopped" or "stopped early".
        job: the `dlcore.jobs.Job` training the model, until the page has its result; still
            there on the next script run if the one following it was interrupted.
        job_what: that job's name for the device panel, e.g. "CNN on digits".
    """

    model: Any = None
    config: Any = None
    history: Any = None
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)
    device: str | None = None
    precision: str | None = None
    note: str | None = None
    seconds: float = 0.0
    status: str = ""
    job: Any = None
    job_what: str = ""

    def start(self, model: Any, config: Any, history: Any) -> None:
        """Begin again with a new model (None until its first job ends): the old one, its
        history and extras are dropped. Where it trained stays."""
        self.model, self.config, self.history = model, config, history
        self.extras, self.seconds, self.status = {}, 0.0, ""

    def reset(self) -> None:
        """Forget the model and everything about it, and free its memory now."""
        if self.job is not None:
            self.job.stop()
        for field in dataclasses.fields(self):
            value = field.default_factory() if callable(field.default_factory) else field.default
            setattr(self, field.name, value)
        # A Keras model lives in reference cycles, which Python's collector frees only at
        # its rare full passes: a server that trains model after model would grow meanwhile.
        gc.collect()

    def keep_epoch(self, **extras: Any) -> None:
        """Keep what the page draws from an epoch's report (e.g. a snapshot)."""
        self.extras.update(extras)

    def keep_measured(self, name: str, value: Any) -> None:
        """Keep `value` as measured on the model as trained so far (see
        `ui.trainer_flow.kept`)."""
        self.extras[name] = value
        self.extras[f"{name}_at"] = self.epochs_trained

    @property
    def in_progress(self) -> bool:
        """Whether a job is training the model and the page has not had its result yet."""
        return self.job is not None

    @property
    def epochs_trained(self) -> int:
        """Finished epochs over every job (histories count their epochs with `len`)."""
        return len(self.history) if self.history is not None else 0

    @property
    def is_trained(self) -> bool:
        return self.model is not None and self.epochs_trained > 0


def trainer_run(page: str) -> TrainerRun:
    """The page's `TrainerRun`, created on first use; settles a run that was interrupted.

    An interrupted run (Stop, or any widget moved while training) has its job stopped after
    the epoch under way; the model as that epoch left it comes back, with the status
    "stopped".
    """
    key = f"{page}.run"
    if key not in st.session_state:
        st.session_state[key] = TrainerRun()
    run: TrainerRun = st.session_state[key]
    if run.job is not None:
        run.job.stop()
        with st.spinner("Stopping the training after the epoch under way…"):
            _follow(run, {})
    return run


def training_buttons(page: str, *, can_train: bool = True) -> str | None:
    """Draw Train, Stop and Reset in a row; a click on Reset resets the page's run.

    Returns:
        "train", "stop" or "reset" for the button clicked in this run, else None.
    """
    with st.container(horizontal=True, key=f"{page}.controls"):
        train = st.button(
            "Train",
            type="primary",
            icon=":material/play_arrow:",
            disabled=not can_train,
            key=f"{page}.train",
        )
        stop = st.button(
            "Stop",
            icon=":material/stop:",
            key=f"{page}.stop",
            help="Ends training; the last finished epoch is kept.",
        )
        reset = st.button(
            "Reset",
            icon=":material/restart_alt:",
            key=f"{page}.reset",
            help="Forgets the trained model and its history.",
        )
    if train:
        return "train"
    if stop:
        return "stop"
    if reset:
        trainer_run(page).reset()
        return "reset"
    return None


def job_spec(run: TrainerRun, trainer: str, config: Any, *, going_on: bool, **fields: Any) -> Any:
    """The `dlcore.jobs.JobSpec` of a Train click: it goes on training the run's model (with
    its history) if `going_on`, else builds a new one, on the device chosen in the sidebar.

    Args:
        run: the page's run.
        trainer: the `dlcore.trainers` module's name, e.g. "cnn".
        config: its config.
        going_on: whether the run's model goes on training.
        **fields: the spec's other fields (`epochs`, `options`, `reports`, `inputs`).
    """
    from dlcore.jobs import JobSpec
    from dlcore.training.saving import model_to_bytes

    return JobSpec(
        trainer,
        config,
        model=model_to_bytes(run.model) if going_on else None,
        history=run.history if going_on else None,
        placement=requested_placement(),
        **fields,
    )


def train_in_job(
    run: TrainerRun,
    spec: Any,
    *,
    what: str,
    handlers: Mapping[str, Callable[..., Any]],
) -> Any:
    """Train as `spec` says in a job, drawing its reports with `handlers` as they come.

    While every worker is busy, a line says the job's place in the queue and about how long
    it will wait. The job's result becomes the run's model, history, device and test scores.
    A job that is refused (an impossible setting, a full queue) or fails (a worker that
    died) is explained in an error box, and the model trained so far stays.

    Args:
        run: the page's run; its `model`, `config` and `history` are what `spec` trains on.
        spec: the `dlcore.jobs.JobSpec`.
        what: the run's name for the device panel, e.g. "CNN on digits".
        handlers: report name -> the function that draws it (see `dlcore.jobs.Job.follow`).

    Returns:
        The `dlcore.jobs.JobResult`, or None if there is none.
    """
    from dlcore import jobs

    try:
        job = jobs.submit(spec)
    except (ValueError, jobs.QueueFull) as error:
        st.error(str(error), icon=":material/error:")
        return None
    run.job, run.job_what, run.status = job, what, ""
    if jobs.pool().note:
        st.warning(jobs.pool().note, icon=":material/warning:")
    watch = JobWatch(job, workers=jobs.pool().workers)
    # Streamlit's header Stop would end this script run for good, leaving the page drawn up to
    # the live chart until the next click: from here to the run's end, only the page's Stop
    # shows. (Style-only HTML takes no room on the page; the next run draws without it.)
    st.html(HIDE_HEADER_STOP)
    return _follow(run, {name: watch.drawing(handler) for name, handler in handlers.items()}, watch)


def _follow(
    run: TrainerRun, handlers: Mapping[str, Callable[..., Any]], watch: JobWatch | None = None
) -> Any:
    """Follow the run's job to its end and keep its result in the run; with no `watch`
    (a stopped job being settled), no queue line and no tab checks."""
    from dlcore.jobs import JobFailed

    try:
        result = run.job.follow(
            handlers,
            on_queued=watch.show if watch else None,
            on_wait=watch.tick if watch else None,
            newest_only=True,
        )
    except JobFailed as error:
        st.error(str(error), icon=":material/error:")
        result = None
    if watch is not None:
        watch.clear()
    _keep_result(run, result)
    return result


def _keep_result(run: TrainerRun, result: Any) -> None:
    from dlcore.training.saving import model_from_bytes

    what, run.job, run.job_what = run.job_what, None, ""
    if result is None:  # failed, or stopped before it started: the model stays as it was
        return
    run.model = model_from_bytes(result.model)
    run.history = result.history
    run.device, run.precision, run.note = result.device, result.precision, result.note
    run.seconds += result.seconds
    run.status = "stopped" if result.stopped else "trained"
    if result.stopped_early:
        run.status = "stopped early"
        run.extras["best_epoch"] = result.best_epoch
    run.keep_measured("test_scores", result.scores)
    record_run(what, result.device, result.precision)


FOLLOW_CHECK_SECONDS = 0.5
"""How often a page following a job looks up whether its tab is still open, and draws its
queue line again while nothing changes (each drawing lets Streamlit interrupt the script
run there, so a Stop click is answered within this time)."""


class JobWatch:
    """What a page does besides drawing while it follows its job: the line that says the
    job's place in the queue (in an `st.empty` slot), and letting the job go once the
    browser tab is closed.

    Streamlit keeps a closed tab's session, and its script run, for the server's
    `disconnectedSessionTTL` in case the tab comes back; its job is stopped at once instead
    (a tab that comes back finds the epochs trained so far, as after Stop).
    """

    def __init__(self, job: Any, *, workers: int) -> None:
        self.job = job
        self.workers = workers
        self._slot = st.empty()
        self._text: str | None = None
        self._throttle = Throttle(FOLLOW_CHECK_SECONDS)

    def show(self, queued: Any) -> None:
        """Draw a `dlcore.jobs.Queued`: the job's place and the estimated wait."""
        wait = (
            f"about {queued_wait_text(queued.wait_seconds)}"
            if queued.wait_seconds is not None
            else "starting as soon as a training ends"
        )
        busy = "The worker is busy" if self.workers == 1 else f"All {self.workers} workers are busy"
        self._text = f"{busy}: this training is number {queued.position} in the queue, {wait}."
        self._draw()

    def tick(self) -> None:
        """Called while no news comes: check the tab and draw the line again, now and then."""
        if self._throttle.due():
            self._let_go_if_tab_closed()
            self._draw()

    def drawing(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler`, after clearing the line (a report means the job is training) and,
        now and then, checking the tab."""

        def draw(*args: Any) -> Any:
            if self._text is not None:
                self.clear()
            if self._throttle.due():
                self._let_go_if_tab_closed()
            return handler(*args)

        return draw

    def clear(self) -> None:
        self._text = None
        self._slot.empty()

    def _draw(self) -> None:
        if self._text is None:
            self._slot.empty()
        else:
            self._slot.info(self._text, icon=":material/hourglass_top:")

    def _let_go_if_tab_closed(self) -> None:
        if not _tab_open():
            self.job.stop()
            st.stop()


def _tab_open() -> bool:
    """Whether this session's browser tab is connected; True where no server runs (AppTest)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None or not Runtime.exists():
        return True
    return Runtime.instance().is_active_session(context.session_id)


def queued_wait_text(seconds: float) -> str:
    """An estimated wait in words: "20 s", "3 min"."""
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5)} s"
    return f"{round(seconds / 60)} min"


class Throttle:
    """Tells a live drawing when to redraw: at most once every `seconds`.

    Example:
        >>> curves = Throttle(1.0)
        >>> curves.due(), curves.due()  # the second call comes too soon
        (True, False)
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last = 0.0

    def due(self, *, force: bool = False) -> bool:
        """Whether to redraw now (always if `force`); if so, the time is counted from now."""
        now = time.perf_counter()
        if not force and now - self._last < self.seconds:
            return False
        self._last = now
        return True


class LiveChart:
    """A progress bar and a chart redrawn as epochs finish.

    Args:
        page: the page's settings prefix, for unique element keys.
        draw: builds the figure to show from the `TrainerRun`, e.g. a history figure.
        total_epochs: the epoch count this training run ends at, for the progress bar.
    """

    def __init__(self, page: str, draw: Callable[[TrainerRun], Any], *, total_epochs: int):
        self.page = page
        self.draw = draw
        self.total_epochs = total_epochs
        self._progress = st.progress(0.0, text="Starting…")
        self._chart = st.empty()
        self._redraws = 0
        self._throttle = Throttle(REDRAW_SECONDS)

    def update(self, run: TrainerRun, *, epoch: int, text: str, force: bool = False) -> None:
        """Redraw after `epoch` (counted over every run) if enough time has passed."""
        if not self._throttle.due(force=force or epoch >= self.total_epochs):
            return
        self._redraws += 1
        self._progress.progress(min(epoch / self.total_epochs, 1.0), text=text)
        with self._chart.container():
            show_figure(self.draw(run), key=f"{self.page}.live.{self._redraws}")

    def progress(self, fraction: float, text: str) -> None:
        """Move the progress bar only (inside a long epoch)."""
        self._progress.progress(min(max(fraction, 0.0), 1.0), text=text)

    def clear(self) -> None:
        """Remove the progress bar and the chart, once the result is drawn elsewhere."""
        self._progress.empty()
        self._chart.empty()


def draw_history(run: TrainerRun) -> Any:
    """The loss and accuracy curves of a run whose history is a `History`."""
    from dlcore.figures.training import history_figure

    return history_figure(run.history.epochs, run.history.metrics, title="Loss and accuracy")


def show_run_status(run: TrainerRun, *, what: str) -> None:
    """One line under the buttons: epochs, time, device, and how the last run ended."""
    if run.note:
        st.warning(run.note, icon=":material/warning:")
    if not run.is_trained:
        st.info("Not trained yet: press **Train**.", icon=":material/info:")
        return
    ended = {"stopped": " Stopped: the last finished epoch is kept."}.get(run.status, "")
    if run.status == "stopped early":
        best = run.extras.get("best_epoch")
        kept = f"epoch {best}" if best else "the best epoch"
        ended = f" Stopped early: the validation loss stopped improving; {kept} is kept."
    st.caption(
        f"{what}: {run.epochs_trained} epochs in {run.seconds:.1f} s on **{run.device}** "
        f"({run.precision}).{ended}"
    )


def show_summary(model: Any, *, label: str = "Model summary") -> None:
    """Keras's model summary in an expander titled `label` (e.g. "Generator summary")."""
    from dlcore.training.saving import model_summary

    with st.expander(label, icon=":material/account_tree:"):
        st.code(model_summary(model), language=None)


def export_buttons(page: str, *, code: str, model: Any, file_stem: str) -> None:
    """Download the runnable Keras code of the configuration and the trained `.keras` file.

    Args:
        page: the page's settings prefix, for widget keys.
        code: the standalone script for the configuration on screen.
        model: the trained model, or None (then only the code can be downloaded).
        file_stem: the base of both file names, e.g. "cnn_digits".
    """
    from dlcore.training.saving import model_to_bytes

    with st.container(horizontal=True):
        download_button(
            "Keras code (.py)", code, file_name=f"{file_stem}.py", key=f"{page}.export_code"
        )
        download_button(
            "Trained model (.keras)",
            # Saved only when clicked: a few MB written for every rerun would be wasted.
            (lambda: model_to_bytes(model)) if model is not None else b"",
            file_name=f"{file_stem}.keras",
            disabled=model is None,
            key=f"{page}.export_model",
        )
    with st.expander("The code", icon=":material/description:"):
        st.code(code, language="python")


def register_model(trained: Any) -> None:
    """Offer a `dlcore.training.saving.TrainedModel` to the try-it pages of this browser session.

    A model with the same title replaces the earlier one; beyond `MAX_REGISTERED_MODELS`,
    the oldest is dropped.
    """
    registry = st.session_state.setdefault(REGISTRY_KEY, {})
    registry.pop(trained.title, None)  # so that the dict's order stays the order of registering
    registry[trained.title] = trained
    while len(registry) > MAX_REGISTERED_MODELS:
        del registry[next(iter(registry))]


def registered_models(task: str | None = None) -> list[Any]:
    """The models trained in this browser session, newest first, optionally of one task."""
    models = list(st.session_state.get(REGISTRY_KEY, {}).values())
    models.sort(key=lambda trained: trained.created, reverse=True)
    return [trained for trained in models if task is None or trained.task == task]
