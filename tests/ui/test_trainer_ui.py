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
    import streamlit as st

    from dlcore.trainers import cnn
    from ui.trainer import registered_models, trainer_run
    from ui.trainer_flow import Drawing, score_once, train_and_score

    calls = st.session_state.setdefault("calls", {"evaluate": 0, "drawn": []})
    if "evaluate" not in st.session_state:
        # Counts the test scorings, in the job (inline here) and on the page alike.
        evaluate = cnn.evaluate

        def counted(model, data):
            calls["evaluate"] += 1
            return evaluate(model, data)

        st.session_state.evaluate = counted
    cnn.evaluate = st.session_state.evaluate
    config = cnn.Config(n_samples=300, n_blocks=1, n_filters=4, dense_units=8, seed=3)
    data = cnn.load_data(config)
    run = trainer_run("flow")

    def live(run):
        # What the page holds when each report is drawn: the history so far and the note.
        return Drawing(lambda report: calls["drawn"].append((len(run.history), run.extras["note"])))

    if "trained" not in st.session_state:
        st.session_state.trained = True
        train_and_score(
            run,
            cnn,
            config,
            data,
            what="Fake",
            epochs=2,
            live=live,
            keep=lambda report: {"note": f"e{report.epoch}"},
            register=lambda scores: {"title": f"CNN ({scores['test_accuracy']:.0%})"},
        )
    score_once(run, cnn, data)  # a rerun does not score again
    trained = registered_models()
    st.write(
        f"{calls} {run.status} {run.epochs_trained} {type(run.model).__name__} "
        f"{[(t.title, t.task, t.labels, sorted(t.metrics)) for t in trained]}"
    )


def test_the_flow_draws_each_report_scores_once_and_registers():
    app = AppTest.from_function(_flow_page, default_timeout=180).run()
    assert not app.exception
    app.run()  # a rerun
    assert not app.exception
    text = app.markdown[0].value
    assert "'evaluate': 1" in text
    assert "'drawn': [(1, 'e1'), (2, 'e2')]" in text
    assert " trained 2 Functional " in text
    assert (
        "('CNN (" in text
        and "'digits', ('0', '1'," in text
        and "['test_accuracy', 'test_loss']" in text
    )


def _cut_short_page(how: str) -> None:
    """Five epochs of training that a Stop click (`how` = "stop", after epoch 2) or a closed
    tab (`how` = "closed", at the first report) cuts short, then the run's state on a rerun."""
    import streamlit as st

    import ui.trainer
    from dlcore.trainers import cnn
    from ui.trainer import trainer_run
    from ui.trainer_flow import Drawing, train_and_score

    config = cnn.Config(n_samples=300, n_blocks=1, n_filters=4, dense_units=8, seed=3)
    run = trainer_run(how)  # settles the job a Stop interrupted
    if "clicked" not in st.session_state:
        st.session_state.clicked = True

        def stop_clicked_after(report):
            if report.epoch == 2:
                st.stop()  # as Streamlit interrupts a script run when Stop is clicked

        if how == "closed":
            ui.trainer._tab_open = lambda: False  # as if the tab closed once training began
        train_and_score(
            run,
            cnn,
            config,
            cnn.load_data(config),
            what="CNN",
            epochs=5,
            live=lambda run: Drawing(stop_clicked_after if how == "stop" else print),
        )
    st.write(f"{run.status} {run.epochs_trained} {run.in_progress} {run.model is not None}")


def test_a_stopped_run_keeps_its_last_finished_epoch():
    app = AppTest.from_function(_cut_short_page, args=("stop",), default_timeout=180).run()
    assert not app.exception
    assert not app.markdown  # the run was interrupted before it wrote anything
    app.run()
    assert not app.exception
    assert app.markdown[0].value == "stopped 2 False True"


def test_a_closed_tab_lets_its_job_go_and_keeps_what_it_trained(monkeypatch):
    import ui.trainer

    monkeypatch.setattr(ui.trainer, "_tab_open", ui.trainer._tab_open)  # put back afterwards
    app = AppTest.from_function(_cut_short_page, args=("closed",), default_timeout=180).run()
    assert not app.exception
    assert not app.markdown  # the page stopped following at the first report
    app.run()  # the tab comes back
    assert app.markdown[0].value == "stopped 1 False True"
