"""Tests for dlcore.figures.backprop: the diagram carries the pass's numbers, readable."""

import numpy as np
import pytest

from dlcore.concepts import backprop
from dlcore.figures import backprop as figures
from dlcore.figures.style import BASE_FONT_SIZE, PRESENTER_FONT_SIZE, enlarge

BATCH = backprop.MINI_BATCHES["XOR corners"]


def result_for(sizes=(3, 2), **options):
    network = backprop.init_network(sizes, seed=3, **options)
    return backprop.backprop(network, BATCH.inputs, BATCH.targets)


def edges(figure):
    return [trace for trace in figure.data if trace.mode == "lines" and trace.x[0] is not None]


def signed_edges(figure):
    return [trace for trace in edges(figure) if trace.name != "chosen weight"]


def neuron_texts(figure):
    """The numbers under each neuron (the annotations that hang below a circle)."""
    return [annotation.text for annotation in figure.layout.annotations if annotation.yshift]


@pytest.mark.parametrize("view", figures.VIEWS)
def test_every_edge_is_drawn_coloured_by_sign_and_sized_by_its_number(view):
    result = result_for()
    figure = figures.network_figure(result, view=view)
    values = result.network.weights if view == "forward" else result.weight_gradients
    flat = np.concatenate([layer.ravel() for layer in values])
    drawn = signed_edges(figure)
    assert len(drawn) == flat.size == 2 * 3 + 3 * 2 + 2 * 1
    for trace, value in zip(drawn, flat, strict=True):
        expected = "31, 119, 180" if value >= 0 else "214, 39, 40"
        assert expected in trace.line.color
    widths = np.array([trace.line.width for trace in drawn])
    # The largest number gets the widest edge; widths grow with |value|.
    assert widths[np.argmax(np.abs(flat))] == pytest.approx(figures.MAX_EDGE_WIDTH)
    order = np.argsort(np.abs(flat))
    assert np.all(np.diff(widths[order]) >= -1e-12)


def test_forward_writes_z_and_a_and_backward_writes_delta_on_every_neuron():
    result = result_for()
    forward = neuron_texts(figures.network_figure(result, view="forward", point=1))
    backward = neuron_texts(figures.network_figure(result, view="backward", point=1))
    # Two inputs, 3 + 2 hidden neurons and the output.
    assert len(forward) == len(backward) == 8
    z, a = result.pre_activations[0][1, 0], result.activations[1][1, 0]
    first_hidden = f"z {figures.short_number(z)}<br>a {figures.short_number(a)}"
    assert forward[2] == first_hidden
    assert forward[-1].endswith(f"ŷ {figures.short_number(result.outputs[1])}")
    assert backward[2] == f"δ {figures.short_number(result.deltas[0][1, 0])}"
    assert backward[-1] == f"δ {figures.short_number(result.deltas[-1][1, 0])}"


def test_the_batch_mean_shows_mean_deltas_which_are_the_bias_gradients():
    result = result_for()
    texts = neuron_texts(figures.network_figure(result, view="backward", point=None))
    assert texts[2] == f"δ {figures.short_number(result.bias_gradients[0][0])}"


def test_the_chosen_weight_is_marked_under_its_edge():
    result = result_for()
    figure = figures.network_figure(result, chosen=(1, 2, 0))
    (mark,) = [trace for trace in figure.data if trace.name == "chosen weight"]
    assert figure.data[0] is mark
    # Hidden 1's third neuron (x = 1/3, y = -1) to hidden 2's first (x = 2/3, y = 0.5).
    assert mark.x == pytest.approx((1 / 3, 2 / 3))
    assert mark.y == pytest.approx((-1.0, 0.5))


def test_layers_are_named_on_the_axis_and_inputs_labelled():
    figure = figures.network_figure(result_for((2, 2, 2)))
    assert list(figure.layout.xaxis.ticktext) == [
        "input",
        "hidden 1",
        "hidden 2",
        "hidden 3",
        "output",
    ]
    inside = [a.text for a in figure.layout.annotations if not a.yshift]
    assert inside[:2] == ["x₁", "x₂"] and inside[-1] == "ŷ"


def test_hover_gives_every_edge_its_full_numbers():
    result = result_for()
    figure = figures.network_figure(result)
    points, neurons = [trace for trace in figure.data if trace.mode == "markers"]
    first = points.hovertext[0]
    assert neurons.hovertext[2].startswith("hidden 1 1<br>z = ")
    assert first.startswith("input 1 → hidden 1 1")
    assert f"∂L/∂w = {result.weight_gradients[0][0, 0]:.6g}" in first


@pytest.mark.parametrize("sizes", [(1,), (4, 4, 4)])
def test_text_stays_readable_at_560_px_and_grows_in_presenter_mode(sizes):
    figure = figures.network_figure(result_for(sizes), view="forward")
    sizes_now = [a.font.size or figure.layout.font.size for a in figure.layout.annotations]
    assert min(sizes_now) >= 13
    enlarged = enlarge(figure)
    grown = [a.font.size for a in enlarged.layout.annotations]
    # Neighbouring columns leave room: the numbers grow to near the presenter size.
    assert min(grown) >= 0.85 * PRESENTER_FONT_SIZE
    assert enlarged.layout.height > figure.layout.height
    assert enlarged.layout.xaxis.tickfont.size >= 0.85 * PRESENTER_FONT_SIZE
    # A row of neurons keeps at least two lines of its numbers' height.
    rows = max(backprop.init_network(sizes).layer_sizes)
    assert figure.layout.height / rows >= 4 * 1.3 * BASE_FONT_SIZE


def test_loss_figure_counts_steps_and_marks_the_one_shown():
    figure = figures.loss_figure([0.7, 0.6, 0.5], current=1, loss="binary_crossentropy")
    line, mark = figure.data
    assert list(line.x) == [0, 1, 2]
    assert list(line.y) == [0.7, 0.6, 0.5]
    assert (mark.x[0], mark.y[0]) == (1, 0.6)
    assert figure.layout.xaxis.dtick == 1
    assert figure.layout.xaxis.title.text == "step"
    assert figure.layout.yaxis.title.text == "binary cross-entropy"


def test_short_number_fits_a_neuron():
    assert figures.short_number(-0.0342) == "-0.034"
    assert figures.short_number(0.5319) == "0.53"
    assert figures.short_number(-0.0001) == "0"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: figures.network_figure(result_for(), view="sideways"), "Unknown view"),
        (lambda: figures.network_figure(result_for(), point=4), "Received: point=4"),
        (lambda: figures.network_figure(result_for(), chosen=(3, 0, 0)), "Received: layer=3"),
        (lambda: figures.network_figure(result_for(), chosen=(0, 2, 0)), "Received: source=2"),
        (lambda: figures.loss_figure([], loss="mean_squared_error"), "at least one loss"),
        (
            lambda: figures.loss_figure([1.0], current=1, loss="mean_squared_error"),
            "Received: current=1",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
