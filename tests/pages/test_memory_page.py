"""AppTest tests of the Memory page: it opens with an example sequence, keeps its length in
the URL, trains the three cells side by side, shows each one's test accuracy once, refuses
impossible settings and exports."""

import pytest
from helpers import figure, open_page

PAGE = "app_pages/memory.py"
TIMEOUT = 180
SMALL = {"mem.length": "5", "mem.units": "8", "mem.epochs": "2"}


def open_memory(**query_params):
    """The page as a browser opens `/memory?query_params`."""
    return open_page(PAGE, timeout=TIMEOUT, **query_params)


@pytest.fixture(scope="module")
def trained():
    """The three cells on sequences of 5 tokens, trained for 2 epochs with one click."""
    app = open_memory(**SMALL)
    app.button(key="mem.train").click().run()
    return app


def test_the_page_opens_with_an_example_whose_first_token_is_the_answer():
    app = open_memory()
    assert not app.exception and not app.error
    assert app.title[0].value == "Memory (RNN, LSTM, GRU)"
    assert "Not trained yet" in app.info[0].value
    assert app.slider(key="mem.length").value == 60
    example = next(item.value for item in app.markdown if "An example sequence" in item.value)
    assert "← answer" in example and "more) …" in example, "60 tokens are shortened"
    captions = " ".join(caption.value for caption in app.caption)
    assert "Chance: **25%**" in captions
    notes = [info.value for info in app.info if info.value.startswith("**A common mistake:**")]
    assert len(notes) == 1 and "SimpleRNN is not useless" in notes[0]


def test_the_length_comes_from_the_url_and_makes_the_sequences():
    app = open_memory(**{"mem.length": "7", "mem.symbols": "2"})
    assert not app.exception
    assert app.slider(key="mem.length").value == 7
    example = next(item.value for item in app.markdown if "An example sequence" in item.value)
    tokens = example.split(": ", 1)[1].split(" · ")
    assert len(tokens) == 7 and set(tokens[1:]) <= {"A", "B"}
    assert "Chance: **50%**" in " ".join(caption.value for caption in app.caption)


def test_training_draws_each_cells_curves_against_chance(trained):
    app = trained
    assert not app.exception and not app.error
    run = app.session_state["mem.run"]
    assert run.history.epochs == [1, 2]
    curves = figure(app, 0)
    names = {trace["name"] for trace in curves["data"]}
    assert {"SimpleRNN", "LSTM", "GRU", "chance (25%)"} <= names
    assert not any("test" in name for name in names), "the live curves never show the test"


def test_each_cells_test_accuracy_is_shown_once_and_labelled_held_out(trained):
    app = trained
    from dlcore.trainers import memory

    run = app.session_state["mem.run"]
    scores = run.extras["test_scores"]
    data = memory.load_data(run.config)
    assert scores == memory.evaluate(run.model, data)
    assert any(
        markdown.value.startswith("**Test accuracy** of each cell, held out")
        for markdown in app.markdown
    )
    assert [metric.label for metric in app.metric] == ["SimpleRNN", "LSTM", "GRU"]
    assert [metric.value for metric in app.metric] == [
        f"{scores[f'test_{cell}_accuracy']:.1%}" for cell in ("simple_rnn", "lstm", "gru")
    ]


def test_export_offers_the_code_and_the_trained_model(trained):
    app = trained
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) == {"Keras code (.py)", "Trained model (.keras)"}
    assert not buttons["Trained model (.keras)"].proto.disabled
    assert "LENGTH = 5" in app.get("code")[-1].value


def test_no_cell_chosen_is_explained_and_train_is_off():
    app = open_memory(**SMALL)
    app.multiselect(key="mem.cells").set_value([]).run()
    assert not app.exception
    assert "Choose at least one cell" in app.error[0].value
    assert app.button(key="mem.train").disabled
