"""The models a try-it page offers: the bundled ones, and those trained in this session.

A menu's value is the bundled model's name ("digits", "intents", ...) or, for a model
trained on a trainer page (or taught on the Your image page), "session:" and its title.

`dlcore.load_pretrained` keeps one copy of each bundled model per process, shared by
every browser session (its predictions are guarded by a lock), so no Streamlit cache is
needed here: two pages' cached functions of the same name and source would even share
one cache entry and hand a page another page's model.
"""

from collections.abc import Collection, Mapping
from typing import Any

import streamlit as st

from ui.presenter import plain
from ui.trainer import registered_models

SESSION_PREFIX = "session:"


def bundled_predictor(name: str) -> Any:
    """The bundled model `name` ("digits", "intents", "motion", ...) as a `Predictor`."""
    # Imported here: loading a model imports TensorFlow, which a page needs only now.
    from dlcore.pretrained import load_pretrained

    with st.spinner("Loading the bundled model…", show_time=True):
        return load_pretrained(name)


def session_models(tasks: Collection[str]) -> dict[str, Any]:
    """Menu value -> `TrainedModel`, for this browser session's models of these tasks."""
    return {
        SESSION_PREFIX + trained.title: trained
        for trained in registered_models()
        if trained.task in tasks
    }


SESSION_SUFFIX = " (trained in this session)"


def model_title(choice: str, bundled_titles: Mapping[str, str]) -> str:
    """What the model menu shows for a value."""
    if choice in bundled_titles:
        return bundled_titles[choice]
    return f"{choice.removeprefix(SESSION_PREFIX)}{SESSION_SUFFIX}"


def say_if_link_model_missing(
    key: str, choices: Collection[str], *, bundled_titles: Mapping[str, str]
) -> None:
    """Say so when the page's link names a model that this browser session does not have.

    A link keeps the model menu's value (the browser writes the title the menu shows); a
    model trained in another browser session (or before the app restarted) is not there,
    and the menu silently falls back to its first model. Call before the menu is drawn.

    Args:
        key: the menu's URL parameter, e.g. `"try_image.model"`.
        choices: the menu's values in this session, the one shown instead first.
        bundled_titles: the bundled models' titles, by value, as the menu shows them.
    """
    wanted = st.query_params.get(key)
    titles = {model_title(choice, bundled_titles) for choice in choices}
    if not wanted or wanted in choices or wanted in titles:
        return
    name = plain(wanted.removeprefix(SESSION_PREFIX).removesuffix(SESSION_SUFFIX))
    if wanted.startswith(SESSION_PREFIX) or wanted.endswith(SESSION_SUFFIX):
        reason = f"The model '{name}' in this link was trained in another session"
    else:
        reason = f"This app has no model '{name}', which this link names"
    shown = model_title(next(iter(choices)), bundled_titles)
    st.info(f"{reason}; showing {plain(shown)} instead.", icon=":material/link_off:")


def predictor_for(choice: str, trained_models: Mapping[str, Any]) -> Any:
    """The `Predictor` of a menu value: a session model, or else a bundled one."""
    if choice in trained_models:
        from dlcore.pretrained import predictor_from_trained

        return predictor_from_trained(trained_models[choice])
    return bundled_predictor(choice)


def warn_if_not_its_kind(predictor: Any, looks_like_its_kind: bool | None) -> None:
    """Say so above a model's answer when its input does not look like the model's kind
    (`dlcore.pretrained.Predictor.in_domain`): the answer is then a guess."""
    from dlcore.pretrained.domain import KINDS

    if looks_like_its_kind is False:
        kind = KINDS.get(predictor.name, "what this model was trained on")
        st.warning(
            f"This doesn't look like {kind}, so the answer below is a guess: the model "
            "can only choose among its classes.",
            icon=":material/help:",
        )
