"""Tests for dlcore.figures.memory: validation accuracy against chance, loss, the example."""

import numpy as np
import pytest

from dlcore.figures.memory import CELL_COLORS, curves_figure, example_sequence_markdown

N_EPOCHS = 6


def curves(cells=("simple_rnn", "lstm", "gru")):
    return {
        cell: {
            "loss": list(np.geomspace(1.4, 0.01 * (index + 1), N_EPOCHS)),
            "val_loss": list(np.geomspace(1.4, 0.02 * (index + 1), N_EPOCHS)),
            "accuracy": list(np.linspace(0.25, 1.0, N_EPOCHS)),
            "val_accuracy": list(np.linspace(0.25, 0.25 + 0.1 * index, N_EPOCHS)),
        }
        for index, cell in enumerate(cells)
    }


def traces(figure, axis):
    return {trace.name: trace for trace in figure.data if trace.xaxis == axis}


def test_the_left_panel_has_each_cells_validation_accuracy_and_a_dashed_chance_line():
    figure = curves_figure(list(range(1, N_EPOCHS + 1)), curves(), chance=0.25)
    left = traces(figure, "x")
    assert set(left) == {"SimpleRNN", "LSTM", "GRU", "chance (25%)"}
    np.testing.assert_allclose(left["GRU"].y, 100 * np.linspace(0.25, 0.45, N_EPOCHS))
    assert left["LSTM"].line.color == CELL_COLORS["lstm"]
    chance = left["chance (25%)"]
    assert chance.line.dash == "dash" and set(chance.y) == {25.0}
    assert list(chance.x) == [1, N_EPOCHS], "the chance line spans every epoch"
    assert figure.layout.yaxis.range == (0, 100.5)
    assert "validation accuracy" in figure.layout.yaxis.title.text


def test_the_right_panel_has_training_and_validation_loss_on_a_log_axis_out_of_the_legend():
    figure = curves_figure(list(range(1, N_EPOCHS + 1)), curves(("lstm",)), chance=0.125)
    right = traces(figure, "x2")
    assert set(right) == {"LSTM (training)", "LSTM (validation)"}
    assert right["LSTM (training)"].line.dash == "solid"
    assert right["LSTM (validation)"].line.dash == "dot"
    assert not any(trace.showlegend for trace in right.values())
    assert figure.layout.yaxis2.type == "log"
    assert "chance (12%)" in traces(figure, "x")
    # Epochs are counted: whole ticks only.
    assert figure.layout.xaxis.dtick == 1


@pytest.mark.parametrize(
    ("epochs", "given", "chance", "match"),
    [
        ([1], {}, 0.25, "at least one cell"),
        ([1, 2], {"gru": {"val_accuracy": [0.5]}}, 0.25, "one value per epoch.*gru val_accuracy"),
        ([1], {"gru": {"val_accuracy": [0.5]}}, 1.0, "chance=1.0"),
    ],
)
def test_impossible_curves_are_refused(epochs, given, chance, match):
    with pytest.raises(ValueError, match=match):
        curves_figure(epochs, given, chance=chance)


def test_the_example_marks_the_first_token_as_the_answer():
    text = example_sequence_markdown([2, 0, 3, 3], ["A", "B", "C", "D"])
    assert text == "**:green-background[C]** ← answer · A · D · D"


def test_a_long_example_shows_its_start_a_count_and_its_end():
    tokens = [1] + [0] * 58 + [3]
    text = example_sequence_markdown(tokens, ["A", "B", "C", "D"], shown=5)
    assert text == "**:green-background[B]** ← answer · A · A · A · … (55 more) … · D"


@pytest.mark.parametrize(
    ("tokens", "match"), [([], "at least one token"), ([0, 4], "tokens=\\[0, 4\\]")]
)
def test_an_impossible_example_is_refused(tokens, match):
    with pytest.raises(ValueError, match=match):
        example_sequence_markdown(tokens, ["A", "B", "C", "D"])
