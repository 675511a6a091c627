"""AppTest of ui.trainer's per-session registry of trained models, on a page made for it."""

from streamlit.testing.v1 import AppTest


def _registry_page(titles: list[str]) -> None:
    import types

    import streamlit as st

    from ui.trainer import register_model, registered_models

    for title in titles:
        register_model(types.SimpleNamespace(title=title, task="playground", created=""))
    st.write(", ".join(trained.title for trained in registered_models()))


def registered_after(titles: list[str]) -> set[str]:
    app = AppTest.from_function(_registry_page, args=(titles,)).run()
    assert not app.exception
    return set(app.markdown[0].value.split(", "))


def test_a_session_keeps_its_newest_models_only():
    from ui.trainer import MAX_REGISTERED_MODELS

    titles = [f"model {number}" for number in range(MAX_REGISTERED_MODELS + 2)]
    assert registered_after(titles) == set(titles[2:])


def test_registering_a_title_again_makes_it_the_newest():
    from ui.trainer import MAX_REGISTERED_MODELS

    titles = [f"model {number}" for number in range(MAX_REGISTERED_MODELS)]
    # "model 0" is registered again, so "model 1" is now the oldest and goes.
    kept = {*titles, "one more"} - {"model 1"}
    assert registered_after([*titles, "model 0", "one more"]) == kept
