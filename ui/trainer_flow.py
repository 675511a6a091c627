"""The trainer flow, once for every trainer page: Train -> fit -> the test score, once ->
the model registered for the try-it pages; and the Export section.

Every trainer module in `dlcore.trainers` has the same names (`TASK`, `Config`,
`load_data`, `build_model`, `fit`, `evaluate`, `export_code`, optionally
`exported_model`), so `train_and_score` runs any of them. A page adds only its drawing:

    def live(run):                          # called once training starts
        return chart_drawing(PAGE, run, draw_history, total_epochs=run.epochs_trained + epochs,
                             text=lambda report: f"Epoch {report.epoch}")
    if action == "train" and config is not None:
        with output_column:
            train_and_score(run, cnn, config, data, what="CNN on digits", epochs=epochs,
                            live=live,
                            register=lambda scores: {"title": f"CNN ({scores[...]:.1%})"})
    with output_column:
        settings_changed_note(run, config)
        show_run_status(run, what="CNN on digits")     # ui.trainer
    # Below both columns, at the page's full width: what the trained model shows, each
    # computation named while it runs.
    confusion = kept(run, "confusion", lambda: cnn.confusion_matrix(run.model, data),
                     step="Counting the test predictions…")
    export_section(PAGE, cnn, run, config, epochs=epochs, file_stem="cnn_digits")

The training runs as a job (`dlcore.jobs`, see `ui.trainer`): the page draws what the job
reports, and the job's result (the model, its history, the test scores) becomes the run's.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import streamlit as st

from dlcore.training.history import History
from ui.presenter import explain, show_figure
from ui.trainer import (
    LiveChart,
    Throttle,
    TrainerRun,
    export_buttons,
    job_spec,
    register_model,
    show_summary,
    train_in_job,
    trainer_run,
    training_buttons,
)


def trainer_layout(
    title: str, explanation: str, *, tabs: Sequence[str], output_width: float = 1.7
) -> tuple[Any, Any, Sequence[Any]]:
    """The top of a trainer page: its title and explanation, then two columns, the settings
    (in `tabs`) on the left and the buttons, the status line and the live chart on the right.

    The results that follow training (scores, mistakes, filters, maps, Export) go below both
    columns, at the page's full width: beside the settings they would be squeezed while the
    settings column stays empty under its last widget.

    Args:
        title: the page title.
        explanation: Markdown on what the page shows and how to use it.
        tabs: the settings tabs' labels, e.g. `("Data", "Network", "Training")`.
        output_width: the output column's width, the settings column's being 1.

    Returns:
        `(settings_column, output_column, tabs)`.
    """
    st.title(title)
    explain(explanation)
    settings_column, output_column = st.columns([1, output_width], gap="large")
    with settings_column:
        return settings_column, output_column, st.tabs(list(tabs))


def trainer_controls(page: str, config: Any, *, where: Any) -> tuple[TrainerRun, str | None]:
    """The page's run, and its Train, Stop and Reset buttons drawn in `where`.

    Args:
        page: the run's key and the buttons' key prefix.
        config: the validated config, or None: then Train is disabled.
        where: the column (or other container) the buttons go in.

    Returns:
        `(run, action)`: the `TrainerRun` and the button clicked in this script run
        (see `ui.trainer.training_buttons`).
    """
    run = trainer_run(page)
    with where:
        action = training_buttons(page, can_train=config is not None)
    return run, action


SPLIT_FIELDS = ("validation_fraction", "test_fraction", "seed")
"""The settings of every trainer that split its data three ways."""


def shared_data(
    trainer: Any, fields: Sequence[str], *, spinner: str, max_entries: int
) -> Callable[[Any], Any]:
    """A page's `load_data(config)`: the trainer's data, cached under the config's `fields`
    and its split settings (see `data_part`), and shared read-only by every browser session.

    Streamlit keys the cache by the trainer's `load_data` itself, so it lives across reruns.

    Args:
        trainer: the `dlcore.trainers` module.
        fields: the settings that make the data, besides `SPLIT_FIELDS`.
        spinner: what the page says while the data is made.
        max_entries: the most data sets kept (fewer where each is large, such as clips).
    """
    cached = st.cache_resource(show_spinner=spinner, max_entries=max_entries)(trainer.load_data)
    return lambda config: cached(data_part(config, (*fields, *SPLIT_FIELDS)))


def data_part(config: Any, fields: Sequence[str]) -> Any:
    """`config` with only `fields` kept, the rest at their defaults.

    A page caches its data under this part: the fields that make the data and its split.
    A setting that only builds or trains the model then does not load the data again.
    """
    return type(config)(**{field: getattr(config, field) for field in fields})


@dataclasses.dataclass
class Drawing:
    """What a page draws while it trains.

    Attributes:
        on_epoch: called with each report, after what `keep` takes from it was kept.
        clear: removes the live elements once training ends.
        reports: more of the trainer's `fit` callbacks to follow, by name, with the function
            that draws each (e.g. `{"on_progress": ...}` inside long epochs).
        chart: the `LiveChart`, for pages that move its bar inside an epoch.
    """

    on_epoch: Callable[[Any], None]
    clear: Callable[[], None] = lambda: None
    reports: dict[str, Callable[..., Any]] = dataclasses.field(default_factory=dict)
    chart: LiveChart | None = None


def chart_drawing(
    page: str,
    run: TrainerRun,
    draw: Callable[[TrainerRun], Any],
    *,
    total_epochs: int,
    text: Callable[[Any], str],
    also: Callable[[Any], Any] | None = None,
    also_seconds: float = 1.0,
    also_key: str = "also",
) -> Drawing:
    """A `LiveChart` redrawn after every epoch, and optionally a second figure on a clock.

    Args:
        page: the element key prefix.
        run: the page's run, drawn by `draw`.
        draw: the live chart's figure from the run.
        total_epochs: where the progress bar ends.
        text: the progress bar's text for a report.
        also: a second figure for a report, redrawn at most every `also_seconds` and at the
            last epoch; None for none.
        also_seconds: the shortest time between two redraws of `also`.
        also_key: names the second figure's element keys, `{page}.live.{also_key}.{epoch}`.
    """
    chart = LiveChart(page, draw, total_epochs=total_epochs)
    slot = st.empty() if also is not None else None
    also_throttle = Throttle(also_seconds)

    def on_epoch(report: Any) -> None:
        chart.update(run, epoch=report.epoch, text=text(report))
        if also is None:
            return
        if also_throttle.due(force=report.epoch == report.final_epoch):
            with slot.container():
                show_figure(also(report), key=f"{page}.live.{also_key}.{report.epoch}")

    def clear() -> None:
        chart.clear()
        if slot is not None:
            slot.empty()

    return Drawing(on_epoch, clear, chart=chart)


FINAL_STEP = "Training done: measuring the test score and handing the model back…"
"""The progress bar's text between the last epoch and the job's end."""


def train_and_score(
    run: TrainerRun,
    trainer: Any,
    config: Any,
    data: Any,
    *,
    what: str,
    epochs: int,
    live: Callable[[TrainerRun], Drawing],
    new_history: Callable[[], Any] = History,
    keep: Callable[[Any], dict[str, Any]] | None = None,
    callback: str = "on_epoch",
    register: Callable[[dict[str, float]], dict[str, Any] | None] | None = None,
    **fit_options: Any,
) -> dict[str, float] | None:
    """One click on Train: a job that trains a new model if the settings changed, else the
    page's model, for `epochs` more epochs; the test score, measured once at its end; and
    the model offered to the try-it pages.

    Args:
        run: the page's `TrainerRun`.
        trainer: a `dlcore.trainers` module.
        config: its validated config; data: `trainer.load_data(config)` (the page's copy:
            the job loads its own).
        what: the run's name for the device panel, e.g. "CNN on digits".
        epochs: epochs in this run (for the Playground and the GAN, their own unit).
        live: makes the page's live `Drawing`, once the run holds the model's history.
        new_history: an empty history for a new model. Defaults to `History`.
        keep: what to keep from a report (e.g. a snapshot), before it is drawn.
        callback: the name of `fit`'s per-report argument ("on_update" on the Playground).
        register: the `TrainedModel`'s fields for the scores (at least its `title`; see
            `registered` for the rest), or None to register nothing.
        **fit_options: passed on to `trainer.fit` (e.g. `patience`).

    Returns:
        The test scores, also kept as `run.extras["test_scores"]`; None if the job failed
        (the page says why) or the run was stopped before the job started.
    """
    going_on = run.model is not None and run.config == config
    if not going_on:
        run.start(None, config, new_history())
    run.extras.pop("test_scores", None)  # a new score comes once this run ends
    drawing = live(run)

    def on_report(report: Any) -> None:
        # The job's history is the run's: the live curves draw it.
        run.history = getattr(report, "history", run.history)
        run.keep_epoch(**(keep(report) if keep else {}))
        drawing.on_epoch(report)
        if drawing.chart is not None and report.epoch >= getattr(report, "final_epoch", 0) > 0:
            # The job still scores the test part before it ends: a full bar alone looks stuck.
            drawing.chart.progress(1.0, text=FINAL_STEP)

    spec = job_spec(
        run,
        trainer.__name__.rsplit(".", 1)[-1],
        config,
        going_on=going_on,
        epochs=epochs,
        options=fit_options,
        reports=(callback, *drawing.reports),
    )
    result = train_in_job(run, spec, what=what, handlers={callback: on_report, **drawing.reports})
    drawing.clear()
    if result is None:
        return None
    scores = result.scores
    fields = register(scores) if register is not None else None
    if fields is not None:
        register_model(registered(run, trainer, data, scores, **fields))
    return scores


def registered(run: TrainerRun, trainer: Any, data: Any, scores: dict, **fields: Any) -> Any:
    """A `dlcore.training.saving.TrainedModel` of the run's model for the try-it pages.

    `fields` names at least the `title`; the rest default to the trainer's `TASK`, its
    `exported_model` (or the model itself), the data's labels and preprocessing, the test
    scores and the device the run trained on.
    """
    from dlcore.training.saving import TrainedModel

    exported = getattr(trainer, "exported_model", lambda model: model)
    defaults = {
        "task": trainer.TASK,
        "model": exported(run.model),
        "labels": getattr(data, "labels", ()),
        "preprocessing": data.preprocessing,
        "metrics": dict(scores),
        "device": run.device or "CPU:0",
    }
    return TrainedModel(**(defaults | fields))


def kept(run: TrainerRun, name: str, compute: Callable[[], Any], *, step: str | None = None) -> Any:
    """`compute()`, computed once for the epochs trained so far and kept in `run.extras`
    (e.g. a confusion matrix: computed again only once the model trains further).

    Args:
        run: the page's run.
        name: the key in `run.extras`.
        compute: measures it on `run.model`.
        step: what the page says while `compute` runs, e.g. "Counting the test images'
            mistakes…": after the last epoch, no wait goes without a word.
    """
    if name not in run.extras or run.extras.get(f"{name}_at") != run.epochs_trained:
        with after_training(step):
            run.keep_measured(name, compute())
    return run.extras[name]


@contextlib.contextmanager
def after_training(step: str | None) -> Iterator[None]:
    """A spinner that names the `step` under way once training has ended (nothing if None).

    Pages wrap every computation on the trained model in one, so that the wait between the
    last epoch and the full page says what it is doing.
    """
    if step is None:
        yield
        return
    with st.spinner(step, show_time=True):
        yield


def score_once(run: TrainerRun, trainer: Any, data: Any) -> dict[str, float]:
    """The trained model's test scores, measured once after training and kept until it trains
    further (a run that Stop interrupted has ended too)."""
    return kept(
        run,
        "test_scores",
        lambda: trainer.evaluate(run.model, data),
        step="Measuring the test score, once…",
    )


def show_side_by_side_scores(
    run: TrainerRun, scores: Mapping[str, float], titles: Mapping[str, str], *, what: str
) -> None:
    """One column per network of a side-by-side run: its held-out test accuracy, measured
    once, with its last training loss and validation accuracy under it.

    Args:
        run: the trained run; `run.history.variant(name)` gives each network's curves.
        scores: the test scores, with "test_<name>_accuracy" per network (`score_once`).
        titles: network name -> its title, in the order of the columns.
        what: what the test part holds, e.g. "samples", for the metric's help.
    """
    for column, (name, title) in zip(st.columns(len(titles)), titles.items(), strict=True):
        curves = run.history.variant(name)
        column.metric(
            title,
            f"{scores[f'test_{name}_accuracy']:.1%}",
            help=f"Accuracy on the held-out test {what}, which chose nothing (no epoch, no "
            "setting).",
        )
        column.caption(
            f"training loss {curves['loss'][-1]:.3f} · "
            f"validation accuracy {curves['val_accuracy'][-1]:.1%}"
        )


def show_confusion(page: str, run: TrainerRun, trainer: Any, data: Any, *, title: str) -> Any:
    """Draw the trained classifier's confusion matrix on the test part, and return it.

    The matrix comes from `trainer.confusion_matrix` and is kept until the model trains
    further (see `kept`); its chart's key is `{page}.chart.confusion`.
    """
    from dlcore.figures.style import human_label
    from dlcore.figures.training import confusion_figure

    confusion = kept(
        run,
        "confusion",
        lambda: trainer.confusion_matrix(run.model, data),
        step="Counting the test predictions for the confusion matrix…",
    )
    show_figure(
        confusion_figure(confusion, [human_label(label) for label in data.labels], title=title),
        key=f"{page}.chart.confusion",
        across_page=True,
    )
    return confusion


def shown(run: TrainerRun, config: Any) -> Any:
    """The config whose data the page shows: the settings on screen, or if they cannot make a
    model, those the model trained with; with neither, the page stops here."""
    shown_config = config if config is not None else run.config
    if shown_config is None:
        st.stop()
    return shown_config


def settings_changed_note(
    run: TrainerRun, config: Any, *, what: str = "this model", starts: str = "a new one"
) -> None:
    """Say so when the model on screen was trained with other settings than those shown."""
    if run.config is not None and run.config != config and run.is_trained:
        st.caption(f"The settings changed since {what} trained: **Train** starts {starts}.")


def export_section(
    page: str,
    trainer: Any,
    run: TrainerRun,
    config: Any,
    *,
    epochs: int,
    file_stem: str,
    summaries: Mapping[str, Any] | None = None,
) -> None:
    """The Export section: the model summary, the Keras code and the trained `.keras` file.

    Args:
        page: the widget key prefix.
        trainer: the `dlcore.trainers` module, for `export_code` and `exported_model`.
        run: the page's run; its model is offered only if it trained with `config`.
        config: the settings on screen, or None (then nothing is drawn).
        epochs: the epochs the exported script trains for.
        file_stem: the base of both file names.
        summaries: the models whose summaries to show, by label (e.g. `{"Generator": ...}`);
            the run's model, labelled "Model summary", by default.
    """
    if config is None:
        return
    st.subheader("Export", divider="gray")
    current = run.model is not None and run.config == config
    if current:
        for label, model in (summaries or {"Model summary": run.model}).items():
            show_summary(model, label=label)
    exported = getattr(trainer, "exported_model", lambda model: model)
    export_buttons(
        page,
        code=trainer.export_code(config, epochs=epochs),
        model=exported(run.model) if current and run.is_trained else None,
        file_stem=file_stem,
    )
