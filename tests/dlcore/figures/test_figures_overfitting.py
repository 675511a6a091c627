"""Tests for dlcore.figures.overfitting: a panel per network with the gap shaded, the
early-stopping mark, panels that compare, and the test accuracies."""

import pytest

from dlcore.figures.overfitting import VARIANT_TITLES, accuracy_and_gap_figure, gap_figure

EPOCHS = [1, 2, 3, 4]


def curves():
    """Three networks; "early_stopping" trained 3 of the 4 epochs."""
    return {
        "baseline": {
            "loss": [1.0, 0.4, 0.1, 0.0],
            "val_loss": [1.1, 0.6, 0.5, 0.6],
            "accuracy": [0.6, 0.9, 1.0, 1.0],
            "val_accuracy": [0.5, 0.8, 0.85, 0.84],
        },
        "more_data": {
            "loss": [0.8, 0.3, 0.1, 0.05],
            "val_loss": [0.85, 0.35, 0.2, 0.2],
            "accuracy": [0.7, 0.9, 0.97, 0.99],
            "val_accuracy": [0.7, 0.88, 0.94, 0.95],
        },
        "early_stopping": {
            "loss": [1.0, 0.4, 0.1],
            "val_loss": [1.1, 0.55, 0.6],
            "accuracy": [0.6, 0.9, 1.0],
            "val_accuracy": [0.5, 0.82, 0.83],
        },
    }


def lines(figure):
    return {trace.name: trace for trace in figure.data}


def test_each_network_has_a_panel_with_its_validation_line_shading_the_gap():
    figure = gap_figure(EPOCHS, curves())
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles[:3] == ["Baseline", "More data", "Early stopping"]
    drawn = lines(figure)
    assert len(drawn) == 6
    for name in ("Baseline", "More data", "Early stopping"):
        training, validation = drawn[f"{name} (training)"], drawn[f"{name} (validation)"]
        assert training.fill is None and validation.fill == "tonexty"
        assert training.xaxis == validation.xaxis, "the gap is shaded inside its own panel"
        assert validation.line.dash == "dot" and training.line.color == validation.line.color
    assert len({drawn[f"{name} (training)"].xaxis for name in ("Baseline", "More data")}) == 2
    # The title says once which line is which and what the shade is, not once per network;
    # a legend above the panels would cover their titles.
    assert not [trace.name for trace in figure.data if trace.showlegend is not False]
    title = figure.layout.title.text
    assert "(solid)" in title and "(dotted)" in title and "shaded gap" in title


def test_a_network_that_stopped_early_ends_its_curve_and_marks_its_best_epoch():
    figure = gap_figure(EPOCHS, curves(), best_epochs={"early_stopping": 2})
    stopped = lines(figure)["Early stopping (validation)"]
    assert list(stopped.x) == [1, 2, 3]
    (mark,) = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert mark.x0 == mark.x1 == 2 and mark.xref == stopped.xaxis
    assert any(annotation.text == "best: 2" for annotation in figure.layout.annotations)


def test_the_panels_share_one_range_so_that_their_gaps_compare():
    figure = gap_figure(EPOCHS, curves())
    axes = [figure.layout[name] for name in figure.layout if name.startswith("yaxis")]
    assert len(axes) == 3
    assert len({tuple(axis.range) for axis in axes}) == 1
    # Zoomed on the later epochs: the highest validation loss there is 0.6.
    assert tuple(axes[0].range) == pytest.approx((0.0, 0.9))


def test_accuracy_panels_draw_percent_and_rows_can_hold_fewer_panels():
    figure = gap_figure(EPOCHS, curves(), metric="accuracy", columns=2)
    assert max(lines(figure)["Baseline (training)"].y) == pytest.approx(100.0)
    assert figure.layout.yaxis.title.text == "accuracy"
    assert figure.layout.yaxis3.title.text == "accuracy", "each row says what it shows"
    assert figure.layout.yaxis.range[1] == pytest.approx(100.5)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"curves": {}}, "at least one network"),
        ({"curves": curves(), "metric": "f1"}, "Unknown metric"),
        ({"curves": {"baseline": {"loss": [1.0]}}}, "have no val_loss"),
    ],
)
def test_the_gap_figure_refuses_what_it_cannot_draw(arguments, message):
    with pytest.raises(ValueError, match=message):
        gap_figure(EPOCHS, **arguments)


def test_the_test_figure_shows_each_networks_accuracy_and_gap_in_its_colour():
    figure = accuracy_and_gap_figure(
        {"baseline": 0.9, "more_data": 0.95}, {"baseline": 0.3, "more_data": 0.15}
    )
    accuracy, gap = figure.data
    # Bars across, one per network, named down the left in the order given.
    assert accuracy.orientation == gap.orientation == "h"
    assert list(accuracy.y) == [VARIANT_TITLES["baseline"], VARIANT_TITLES["more_data"]]
    assert figure.layout.yaxis.autorange == "reversed"
    assert list(accuracy.x) == pytest.approx([90.0, 95.0])
    assert list(gap.x) == pytest.approx([0.3, 0.15])
    assert accuracy.marker.color[0] != accuracy.marker.color[1]
    assert "measured once" in figure.layout.annotations[0].text
    in_points = accuracy_and_gap_figure({"baseline": 0.9}, {"baseline": 0.08}, metric="accuracy")
    assert list(in_points.data[1].x) == pytest.approx([8.0])
    with pytest.raises(ValueError, match="at least one network"):
        accuracy_and_gap_figure({}, {})
