"""What every trainer page shares: its training state, Train / Stop / Reset, the live chart,
the model summary, Export, and handing the trained model on to the try-it pages.

A trainer page trains in its own script run, with a Keras callback that redraws the live
chart. A click on Stop (or on any widget) during training makes Streamlit interrupt that
run at its next `st.*` call, inside the callback. So every finished epoch is saved into the
page's `TrainerRun` in `st.session_state` before the callback draws anything: the rerun
that follows finds the run marked in progress, puts back the last finished epoch's weights
and shows the history kept so far.

The pieces here (the run, the buttons, the live chart, Export, the registry) are put
together once, for every trainer module, by `ui.trainer_flow.train_and_score` and
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

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st

from dlcore.runtime import devices
from ui.downloads import download_button
from ui.presenter import show_figure
from ui.sidebar import record_run, requested_placement

REGISTRY_KEY = "trained_models"
MAX_REGISTERED_MODELS = 10
"""Models a browser session keeps for the try-it pages: the oldest goes when one more comes,
so that a long lesson does not hold every model it ever trained."""
"""Where trained models wait for the try-it pages: title -> `saving.TrainedModel`."""

REDRAW_SECONDS = 0.25
"""Shortest time between two redraws of a live chart; the last epoch is always drawn."""


@dataclasses.dataclass
class TrainerRun:
    """One trainer page's model and training history in this browser session.

    Attributes:
        model: the Keras model being trained, or None before the first Train.
        config: the page's config that built `model`.
        history: the page's history object (e.g. `dlcore.training.history.History`), appended
            to in place while training.
        weights: the weights at the end of the last finished epoch, when the page's
            training reports them; put back after an interrupted run.
        extras: what the page keeps besides, e.g. the last decision-boundary snapshot.
        device: where the model trained, e.g. "CPU:0".
        precision: the dtype policy it trained with.
        note: why the requested device could not be used, or None.
        seconds: training time so far, over every run.
        status: what happened last: "", "trained", "stopped" or "stopped early".
        in_progress: True while a run is training; still True on the next script run if
            that run was interrupted.
    """

    model: Any = None
    config: Any = None
    history: Any = None
    weights: list | None = None
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)
    device: str | None = None
    precision: str | None = None
    note: str | None = None
    seconds: float = 0.0
    status: str = ""
    in_progress: bool = False

    def start(self, model: Any, config: Any, history: Any) -> None:
        """Begin again with a new model: the old one, its history and extras are dropped.

        Where it trains (set by `training`) stays.
        """
        self.model, self.config, self.history = model, config, history
        self.weights, self.extras, self.seconds, self.status = None, {}, 0.0, ""

    def reset(self) -> None:
        """Forget the model and everything about it, and free its memory now."""
        for field in dataclasses.fields(self):
            value = field.default_factory() if callable(field.default_factory) else field.default
            setattr(self, field.name, value)
        # A Keras model lives in reference cycles, which Python's collector frees only at
        # its rare full passes: a server that trains model after model would grow meanwhile.
        gc.collect()

    def keep_epoch(self, weights: list | None = None, **extras: Any) -> None:
        """Save what an epoch finished with, before anything is drawn (see the module doc)."""
        if weights is not None:
            self.weights = weights
        self.extras.update(extras)

    @property
    def epochs_trained(self) -> int:
        """Finished epochs over every run (histories count their epochs with `len`)."""
        return len(self.history) if self.history is not None else 0

    @property
    def is_trained(self) -> bool:
        return self.model is not None and self.epochs_trained > 0


def trainer_run(page: str) -> TrainerRun:
    """The page's `TrainerRun`, created on first use; settles a run that was interrupted.

    An interrupted run (Stop, or any widget moved while training) gets the last finished
    epoch's weights back and the status "stopped".
    """
    key = f"{page}.run"
    if key not in st.session_state:
        st.session_state[key] = TrainerRun()
    run: TrainerRun = st.session_state[key]
    if run.in_progress:
        run.in_progress = False
        run.status = "stopped"
        if run.model is not None and run.weights is not None:
            run.model.set_weights(run.weights)
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


@contextlib.contextmanager
def training(run: TrainerRun, what: str) -> Iterator[devices.Placement]:
    """Train on the device chosen in the sidebar, keeping `run` in step.

    Marks the run in progress (so that an interruption is noticed by `trainer_run`),
    places the work with `dlcore.runtime.devices` and its precision policy, and on a normal end
    records where it ran for the device panel.

    Yields:
        The `Placement` in use.
    """
    started = time.perf_counter()
    with (
        devices.placement(requested_placement()) as where,
        devices.precision_scope(where) as precision,
    ):
        run.device, run.precision, run.note = where.device, precision, where.note
        run.in_progress = True
        run.status = ""
        try:
            yield where
        except Exception:
            run.in_progress = False  # failed, not interrupted: nothing to put back
            raise
        finally:
            # An interruption passes through here too; the time trained still counts.
            run.seconds += time.perf_counter() - started
    run.in_progress = False
    run.status = run.status or "trained"
    record_run(what, where.device, precision)


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


def show_summary(model: Any) -> None:
    """Keras's model summary in an expander."""
    from dlcore.training.saving import model_summary

    with st.expander("Model summary", icon=":material/account_tree:"):
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
