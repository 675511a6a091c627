"""One training job, as every backend runs it: the worker's entry point.

`run_job` is the only code that trains: the inline backend calls it in the caller's
thread, the local pool in a worker process, Ray in a task. It takes a `JobSpec` of plain,
picklable values (a trainer's name, its `Config`, the epochs, and the model to go on
training as `.keras` bytes) and returns a `JobResult` of plain values, so that a job can
cross a process or a machine.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from dlcore._checks import check_choice
from dlcore.training.history import History


@dataclasses.dataclass(frozen=True)
class JobSpec:
    """What to train.

    Attributes:
        trainer: a module name in `dlcore.trainers`, e.g. "playground".
        config: that trainer's `Config`.
        epochs: epochs to train in this job (the trainer's own unit).
        options: more keyword arguments for the trainer's `fit` (e.g. `patience`).
        reports: the names of `fit`'s callback arguments whose calls the job relays to
            its page: "on_epoch" (an `EpochReport` per epoch), "on_progress" (inside an
            epoch), "on_update" (the Playground's redraws).
        model: a model to go on training, as `.keras` bytes; None builds a new one.
        history: that model's `History`, which the new epochs continue.
        inputs: more arguments for the trainer's `load_data` after the config (the
            images of Teach your own classes).
        placement: where to train, as `dlcore.runtime.devices.placement` takes it:
            "auto", "cpu" or "gpu:N".
    """

    trainer: str
    config: Any
    epochs: int
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    reports: tuple[str, ...] = ("on_epoch",)
    model: bytes | None = None
    history: History | None = None
    inputs: tuple[Any, ...] = ()
    placement: str = "auto"


@dataclasses.dataclass(frozen=True)
class JobResult:
    """What a finished job hands back.

    Attributes:
        model: the trained model as `.keras` bytes (its last finished epoch).
        history: every epoch of the model, earlier jobs' included.
        scores: the test scores, measured once at the end (`trainer.evaluate`).
        stopped: whether `stop()` ended the job before its last epoch.
        stopped_early: whether early stopping ended it.
        best_epoch: with early stopping, the epoch whose weights the model holds.
        seconds: the training's wall time, without loading and saving.
        device: where it trained, e.g. "CPU:0".
        precision: the dtype policy it trained with, e.g. "float32".
        note: why the requested device could not be used, or None.
    """

    model: bytes
    history: History
    scores: dict[str, float]
    stopped: bool
    stopped_early: bool
    best_epoch: int | None
    seconds: float
    device: str
    precision: str
    note: str | None = None


def trainer_names() -> tuple[str, ...]:
    """The trainers a job can name: the modules of `dlcore.trainers`."""
    import dlcore.trainers

    return tuple(
        module.name
        for module in pkgutil.iter_modules(dlcore.trainers.__path__)
        if not module.name.startswith("_")
    )


def trainer_module(name: str) -> Any:
    """The module `dlcore.trainers.<name>`, imported by name so that a job stays plain data.

    Raises:
        ValueError: if there is no such trainer.
    """
    check_choice(name, name="trainer", choices=trainer_names())
    return importlib.import_module(f"dlcore.trainers.{name}")


def run_job(
    spec: JobSpec,
    *,
    relay: Callable[[str, tuple[Any, ...]], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> JobResult:
    """Trains as `spec` says: load the data, build or load the model, fit, score, save.

    Args:
        spec: the `JobSpec`.
        relay: called as `relay(name, args)` for each call of one of `spec.reports`, as
            training goes.
        stop: asked after every epoch; True ends the job there, keeping that epoch.

    Returns:
        The `JobResult`.
    """
    from dlcore.runtime import devices
    from dlcore.training.saving import model_from_bytes, model_to_bytes

    trainer = trainer_module(spec.trainer)
    config = spec.config.validate()
    data = trainer.load_data(config, *spec.inputs)
    with (
        devices.placement(spec.placement) as where,
        devices.precision_scope(where) as precision,
    ):
        model = (
            model_from_bytes(spec.model)
            if spec.model is not None
            else trainer.build_model(config, data)
        )
        fitted = trainer.fit(
            model,
            data,
            config,
            epochs=spec.epochs,
            history=spec.history,
            stop=stop,
            **{name: _relayed(name, relay) for name in spec.reports},
            **spec.options,
        )
    return JobResult(
        model=model_to_bytes(model),
        history=fitted.history,
        scores=trainer.evaluate(model, data),
        stopped=fitted.stopped,
        stopped_early=fitted.stopped_early,
        best_epoch=fitted.best_epoch,
        seconds=fitted.seconds,
        device=where.device,
        precision=precision,
        note=where.note,
    )


def failure_message(error: Exception) -> str:
    """What a page says about a job that raised `error`: a `ValueError` is a setting the
    data or the model cannot take, and says so itself."""
    if isinstance(error, ValueError):
        return str(error)
    return f"Training failed: {type(error).__name__}: {error}"


def _relayed(name: str, relay: Callable[[str, tuple[Any, ...]], None] | None) -> Any:
    if relay is None:
        return None
    return lambda *args: relay(name, args)
