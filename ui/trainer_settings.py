"""The settings widgets every trainer page has: the data split, the optimizer, epochs, early
stopping and the seed, each bound to the page's URL settings, and the config's validation.

Each function draws its widgets where it is called (inside the page's tab) and returns
their values; the widget keys are the page's `PageSettings` names, so links stay valid.
A page declares its Training tab once, as a `TrainingOptions` table, and passes the
config fields it returns straight to its trainer's `Config`:

    TRAINING = TrainingOptions(learning_rates=([0.001, 0.01], 0.01), batch_sizes=([16, 32], 32),
                               epochs=([5, 10], 10), seed_help="The same seed gives ...")
    with training_tab:
        training = training_inputs(settings, TRAINING)
    config = cnn.Config(n_blocks=n_blocks, **split, **training.fields)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from ui.settings import PageSettings

Config = TypeVar("Config")

OPTIMIZER_TITLES = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}
"""Every optimizer a trainer page offers, by its config name."""

ACTIVATION_TITLES = {
    "tanh": "tanh",
    "relu": "ReLU",
    "sigmoid": "sigmoid",
    "linear": "linear",
    "elu": "ELU",
    "gelu": "GELU",
    "swish": "swish",
}
"""Every activation a trainer page offers, by its Keras name."""

EARLY_STOPPING_HELP = (
    "Stop once the validation loss has not improved for this many epochs, and keep "
    "the best epoch's network."
)


def split_inputs(
    settings: PageSettings,
    *,
    validation: tuple[float, float, float, float],
    test: tuple[float, float, float, float],
    validation_help: str,
    test_help: str,
) -> dict[str, float]:
    """The Validation share and Test share sliders; each range is `(low, high, default, step)`.

    Returns:
        The config fields they set: `validation_fraction` and `test_fraction`.
    """
    validation_fraction = st.slider(
        "Validation share", *validation, help=validation_help, **settings.bind("validation")
    )
    test_fraction = st.slider("Test share", *test, help=test_help, **settings.bind("test"))
    return {"validation_fraction": validation_fraction, "test_fraction": test_fraction}


def optimizer_inputs(settings: PageSettings, names: Sequence[str], *, index: int = 0) -> str:
    """The Optimizer box: one of `names` (keys of `OPTIMIZER_TITLES`), shown by title."""
    return st.selectbox(
        "Optimizer",
        list(names),
        index=index,
        format_func=OPTIMIZER_TITLES.get,
        **settings.bind("optimizer"),
    )


def activation_input(settings: PageSettings, names: Sequence[str]) -> str:
    """The Activation box: one of `names` (keys of `ACTIVATION_TITLES`), shown by title."""
    return st.selectbox(
        "Activation", list(names), format_func=ACTIVATION_TITLES.get, **settings.bind("activation")
    )


def rate_and_batch_inputs(
    settings: PageSettings,
    rates: Sequence[float],
    default_rate: float,
    batches: Sequence[int],
    default_batch: int,
    *,
    rate_label: str = "Learning rate",
) -> tuple[float, int]:
    """The Learning rate and Batch size sliders."""
    learning_rate = st.select_slider(rate_label, rates, default_rate, **settings.bind("lr"))
    batch_size = st.select_slider("Batch size", batches, default_batch, **settings.bind("batch"))
    return learning_rate, batch_size


def epochs_inputs(
    settings: PageSettings,
    options: Sequence[int],
    default: int,
    *,
    patience: Sequence[Any] | None = ("off", 2, 3, 5, 10),
    patience_help: str = EARLY_STOPPING_HELP,
) -> tuple[int, int | None]:
    """The Epochs per run and Early stopping sliders (no early stopping if `patience` is None).

    Returns:
        `(epochs, patience)`, the patience None when early stopping is off.
    """
    epochs = st.select_slider("Epochs per run", options, default, **settings.bind("epochs"))
    if patience is None:
        return epochs, None
    chosen = st.select_slider(
        "Early stopping", patience, "off", help=patience_help, **settings.bind("patience")
    )
    return epochs, None if chosen == "off" else chosen


def seed_input(settings: PageSettings, *, help: str) -> int:
    """The Seed box, 0 to 10,000."""
    return int(st.number_input("Seed", 0, 10_000, 0, help=help, **settings.bind("seed")))


@dataclasses.dataclass(frozen=True)
class TrainingOptions:
    """What a page's Training tab offers; each `(stops, default)` pair feeds one slider.

    Attributes:
        learning_rates: the Learning rate slider's stops and default.
        batch_sizes: the Batch size slider's stops and default.
        epochs: the Epochs per run slider's stops and default.
        seed_help: the Seed box's help: what the seed decides on this page.
        optimizers: the Optimizer box's names (keys of `OPTIMIZER_TITLES`); () for no box,
            when the trainer has one optimizer.
        optimizer_index: the optimizer chosen at first.
        rate_label: the learning rate slider's label, e.g. "Learning rate (Adam)".
        patience: the Early stopping slider's stops, or None for no early stopping.
        patience_help: the Early stopping slider's help.
    """

    learning_rates: tuple[Sequence[float], float]
    batch_sizes: tuple[Sequence[int], int]
    epochs: tuple[Sequence[int], int]
    seed_help: str
    optimizers: Sequence[str] = ()
    optimizer_index: int = 0
    rate_label: str = "Learning rate"
    patience: Sequence[Any] | None = ("off", 2, 3, 5, 10)
    patience_help: str = EARLY_STOPPING_HELP


@dataclasses.dataclass(frozen=True)
class TrainingChoices:
    """What the Training tab chose.

    Attributes:
        fields: the trainer config's fields it sets: `learning_rate`, `batch_size`, `seed`,
            and `optimizer` where the tab offers one.
        epochs: the epochs one click on Train runs.
        patience: early stopping's patience, or None when it is off.
    """

    fields: dict[str, Any]
    epochs: int
    patience: int | None


def training_inputs(settings: PageSettings, options: TrainingOptions) -> TrainingChoices:
    """The Training tab's widgets, in this order: Optimizer (if offered), Learning rate,
    Batch size, Epochs per run, Early stopping (if offered) and Seed."""
    fields: dict[str, Any] = {}
    if options.optimizers:
        fields["optimizer"] = optimizer_inputs(
            settings, options.optimizers, index=options.optimizer_index
        )
    fields["learning_rate"], fields["batch_size"] = rate_and_batch_inputs(
        settings, *options.learning_rates, *options.batch_sizes, rate_label=options.rate_label
    )
    epochs, patience = epochs_inputs(
        settings, *options.epochs, patience=options.patience, patience_help=options.patience_help
    )
    fields["seed"] = seed_input(settings, help=options.seed_help)
    return TrainingChoices(fields, epochs, patience)


def validated(make: Callable[[], Config], *, what: str = "a network", where: Any) -> Config | None:
    """The page's config made and validated, or None with the reason shown in `where`."""
    try:
        return make().validate()
    except ValueError as error:
        with where:
            st.error(f"These settings can't make {what}: {error}", icon=":material/error:")
    return None
