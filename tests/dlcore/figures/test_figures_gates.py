"""Tests for dlcore.figures.gates: a cell's gates and states as stacked heat maps."""

import numpy as np
import pytest

from dlcore.figures.gates import gates_figure

TOKENS = ["天", "天", "气", "好"]


def _lstm_arrays(n_units: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    shape = (len(TOKENS), n_units)
    gates = {name: rng.uniform(0, 1, shape) for name in ("forget", "input", "output")}
    states = {name: rng.uniform(-1, 1, shape) for name in ("candidate", "cell", "hidden")}
    return gates | states


def test_one_panel_per_array_with_human_titles_in_the_given_order():
    arrays = _lstm_arrays()
    figure = gates_figure(arrays, TOKENS)
    assert len(figure.data) == 6
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == [
        "Forget gate",
        "Input gate",
        "Output gate",
        "Candidate",
        "Cell state",
        "Hidden state",
    ]
    for trace, values in zip(figure.data, arrays.values(), strict=True):
        np.testing.assert_array_equal(np.asarray(trace.z), values.T)
        assert list(trace.y) == [1, 2, 3], "units counted from 1"


def test_gates_and_states_have_their_own_fixed_scales():
    figure = gates_figure(_lstm_arrays(), TOKENS)
    axes = [trace.coloraxis for trace in figure.data]
    assert axes == ["coloraxis"] * 3 + ["coloraxis2"] * 3
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0.0, 1.0)
    assert (figure.layout.coloraxis2.cmin, figure.layout.coloraxis2.cmax) == (-1.0, 1.0)


def test_tokens_label_every_column_even_when_repeated():
    figure = gates_figure({"update": np.zeros((4, 2)), "reset": np.ones((4, 2))}, TOKENS)
    # By position, not by name: the two "天" stay two columns.
    assert list(figure.data[0].x) == [0, 1, 2, 3]
    assert list(figure.layout.xaxis2.ticktext) == TOKENS
    assert figure.layout.xaxis2.title.text == "token"
    assert "Update gate" in figure.data[0].hovertemplate


def test_bad_arrays_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="one row per token"):
        gates_figure({"forget": np.zeros((3, 2))}, TOKENS)
    with pytest.raises(ValueError, match="one shape"):
        gates_figure({"forget": np.zeros((4, 2)), "input": np.zeros((4, 3))}, TOKENS)
    with pytest.raises(ValueError, match="one shape"):
        gates_figure({}, TOKENS)
