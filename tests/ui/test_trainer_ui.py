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


def _flow_page() -> None:
    import types

    import streamlit as st

    from ui.trainer import registered_models, trainer_run
    from ui.trainer_flow import Drawing, score_once, train_and_score

    calls = st.session_state.setdefault("calls", {"evaluate": 0, "drawn_with": []})

    def fit(model, data, config, *, epochs, history, on_epoch, patience=None):
        for epoch in range(1, epochs + 1):
            history.append(epoch)
            on_epoch(types.SimpleNamespace(epoch=epoch, weights=[epoch], note=f"e{epoch}"))
        return types.SimpleNamespace(stopped_early=patience is not None, best_epoch=1)

    def evaluate(model, data):
        calls["evaluate"] += 1
        return {"test_accuracy": 0.5}

    trainer = types.SimpleNamespace(
        TASK="digits",
        build_model=lambda config, data: types.SimpleNamespace(name="model"),
        fit=fit,
        evaluate=evaluate,
    )
    data = types.SimpleNamespace(labels=("a", "b"), preprocessing={"size": 8})
    run = trainer_run("flow")

    def live(run):
        # What was kept when each epoch is drawn: the epoch's own weights and note.
        return Drawing(lambda report: calls["drawn_with"].append((run.weights, run.extras["note"])))

    if "trained" not in st.session_state:
        st.session_state.trained = True
        train_and_score(
            run,
            trainer,
            "config",
            data,
            what="Fake",
            epochs=2,
            live=live,
            new_history=list,
            keep=lambda report: {"note": report.note},
            register=lambda scores: {"title": f"Fake ({scores['test_accuracy']:.0%})"},
            patience=3,
        )
    score_once(run, trainer, data)  # a rerun does not score again
    trained = registered_models()
    st.write(f"{calls} {run.status} {[(t.title, t.task, t.labels, t.metrics) for t in trained]}")


def test_the_flow_keeps_each_epoch_before_drawing_scores_once_and_registers():
    # Training places the work with dlcore.runtime.devices, which starts TensorFlow.
    app = AppTest.from_function(_flow_page, default_timeout=120).run()
    assert not app.exception
    app.run()  # a rerun
    assert not app.exception
    text = app.markdown[0].value
    assert "'evaluate': 1" in text
    assert "'drawn_with': [([1], 'e1'), ([2], 'e2')]" in text
    assert "stopped early" in text
    assert "[('Fake (50%)', 'digits', ('a', 'b'), {'test_accuracy': 0.5})]" in text
