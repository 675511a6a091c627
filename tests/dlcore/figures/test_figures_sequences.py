"""Tests for dlcore.figures.sequences: hidden states, attention, forecasts, probabilities."""

import numpy as np
import pytest

from dlcore.figures import sequences as figures


def test_hidden_state_figure_keeps_repeated_tokens_apart():
    states = np.linspace(-1, 1, 5 * 6).reshape(5, 6)
    tokens = ["天", "天", "气", "怎", "么"]
    figure = figures.hidden_state_figure(states, tokens, bidirectional=True)
    heatmap = figure.data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), states.T)
    assert list(figure.layout.xaxis.ticktext) == tokens
    assert list(figure.layout.yaxis.ticktext) == ["→ 1", "→ 2", "→ 3", "← 1", "← 2", "← 3"]
    assert len(figure.layout.shapes) == 1
    with pytest.raises(ValueError, match="one label per step"):
        figures.hidden_state_figure(states, tokens[:4])


def test_hidden_state_units_are_counted_from_one_as_on_every_page():
    figure = figures.hidden_state_figure(np.zeros((3, 64)), ["play", "some", "jazz"])
    # 64 units: Plotly's own ticks, on units numbered 1 to 64.
    assert list(figure.data[0].y) == list(range(1, 65))
    split = figures.hidden_state_figure(np.zeros((3, 6)), ["a", "b", "c"], bidirectional=True)
    (divider,) = split.layout.shapes
    assert divider.y0 == divider.y1 == 3.5, "between forward unit 3 and backward unit 1"


def test_a_label_per_unit_only_while_each_fits_its_row():
    few = figures.hidden_state_figure(np.zeros((2, 16)), ["a", "b"])
    assert len(few.layout.yaxis.ticktext) == 16
    many = figures.hidden_state_figure(np.zeros((2, 32)), ["a", "b"])
    assert many.layout.yaxis.ticktext is None and many.layout.yaxis.title.text == "unit"


def test_attention_figure_draws_one_heatmap_per_head():
    weights = np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 3))
    figure = figures.attention_figure(weights, ["play", "jazz", "now"])
    assert [trace.type for trace in figure.data] == ["heatmap", "heatmap"]
    np.testing.assert_allclose(np.asarray(figure.data[1].z), weights[1])
    with pytest.raises(ValueError, match="n_heads, n_tokens, n_tokens"):
        figures.attention_figure(weights, ["play", "jazz"])


def test_attention_figure_puts_two_heads_a_row_and_names_the_tokens_once_per_side():
    weights = np.random.default_rng(0).dirichlet(np.ones(3), size=(3, 3))
    figure = figures.attention_figure(weights, ["play", "jazz", "now"])
    layout = figure.layout
    # Heads 1 and 2 side by side, head 3 below head 1.
    assert layout.xaxis.domain == layout.xaxis3.domain != layout.xaxis2.domain
    assert layout.yaxis.domain == layout.yaxis2.domain != layout.yaxis3.domain
    # Token names beside the first column, and under the lowest head of each column.
    assert [layout[f"yaxis{n}"].showticklabels for n in ("", 2, 3)] == [True, False, True]
    assert [layout[f"xaxis{n}"].showticklabels for n in ("", 2, 3)] == [False, True, True]
    assert list(layout.xaxis3.ticktext) == ["play", "jazz", "now"]


def test_forecast_figure_draws_the_chosen_step_ahead():
    steps = np.array([[8, 9], [9, 10]])
    predictions = np.array([[8.1, 9.2], [9.1, 10.3]])
    figure = figures.forecast_figure(
        np.arange(11.0),
        test_start=8,
        target_steps=steps,
        predictions=predictions,
        naive=np.array([[7.0, 7.0], [8.0, 8.0]]),
        step_ahead=2,
    )
    assert [trace.name for trace in figure.data] == ["series", "forecast", "naive (last value)"]
    np.testing.assert_array_equal(np.asarray(figure.data[1].x), [9, 10])
    np.testing.assert_allclose(np.asarray(figure.data[1].y), [9.2, 10.3])
    assert figure.layout.shapes[0].x0 == 7.5
    assert list(figure.layout.xaxis.range) == [-0.5, 10.5]
    zoomed = figures.forecast_figure(np.arange(11.0), test_start=8, show_from=5)
    assert list(zoomed.layout.xaxis.range) == [4.5, 10.5]
    before_training = figures.forecast_figure(np.arange(11.0), test_start=8)
    assert [trace.name for trace in before_training.data] == ["series"]
    with pytest.raises(ValueError, match="step_ahead"):
        figures.forecast_figure(
            np.arange(11.0), test_start=8, target_steps=steps, predictions=predictions, step_ahead=3
        )


def test_probability_figure_puts_the_likeliest_intent_on_top():
    figure = figures.probability_figure([0.1, 0.6, 0.3], ["news", "weather", "greeting"])
    bars = figure.data[0]
    assert list(bars.y) == ["news", "greeting", "weather"]
    np.testing.assert_allclose(np.asarray(bars.x), [0.1, 0.3, 0.6])
    assert bars.marker.color[-1] == figures.FORECAST_COLOR
    with pytest.raises(ValueError, match="one per label"):
        figures.probability_figure([0.5, 0.5], ["news"])


def test_a_windows_steps_are_named_back_from_the_last():
    from dlcore.figures.sequences import past_step_labels

    assert past_step_labels(3) == ["t-2", "t-1", "t-0"]
    assert past_step_labels(0) == []


def test_the_forecast_view_shows_as_much_before_the_test_part_as_after_it():
    from dlcore.figures.sequences import forecast_view_start

    assert forecast_view_start(1000, 800) == 600
    assert forecast_view_start(100, 30) == 0
