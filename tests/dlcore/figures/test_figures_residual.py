"""Tests for dlcore.figures.residual: layer axes, log loss ticks, a legend clear of titles."""

import numpy as np

from dlcore.figures.residual import curves_figure, gradient_norms_figure

DEPTH = 30


def norms(variants=("plain", "residual")):
    layers = [*(f"layer_{k + 1}" for k in range(DEPTH)), "output"]
    return {
        variant: {name: 10.0 ** -(index % 7) for index, name in enumerate(layers)}
        for variant in variants
    }


def test_the_layer_axis_numbers_the_layers_with_distinct_labels():
    figure = gradient_norms_figure(norms(), epoch=0)
    axis = figure.layout.xaxis
    labels = list(axis.ticktext)
    assert len(set(labels)) == len(labels), f"tick labels repeat: {labels}"
    assert labels[0] == "1" and labels[-1] == "output"
    assert "layer" not in labels
    assert axis.tickangle == 0
    assert "input" in axis.title.text and "output" in axis.title.text
    # The points sit at the ticks' positions; the hover names each layer in words.
    np.testing.assert_array_equal(figure.data[0].x, np.arange(1, DEPTH + 2))
    assert figure.data[0].customdata[0] == "layer 1"


def test_neighbouring_layer_ticks_never_crowd_into_the_output_label():
    positions = list(gradient_norms_figure(norms(), epoch=0).layout.xaxis.tickvals)
    assert min(np.diff(positions)) >= 3


def test_the_gradient_axis_ticks_decades_in_powers_of_ten():
    axis = gradient_norms_figure(norms()).layout.yaxis
    assert axis.type == "log" and axis.dtick == 1 and axis.exponentformat == "power"


def curves(n_epochs=20):
    rng = np.random.default_rng(0)
    return {
        variant: {
            "loss": list(np.geomspace(20.0, 0.03, n_epochs)),
            "val_loss": list(np.geomspace(2.0, 0.1, n_epochs)),
            "accuracy": list(rng.random(n_epochs)),
            "val_accuracy": list(rng.random(n_epochs)),
        }
        for variant in ("plain", "residual_bn")
    }


def test_the_loss_panel_is_a_log_axis_of_decades():
    figure = curves_figure(list(range(1, 21)), curves())
    axis = figure.layout.yaxis
    assert axis.type == "log" and axis.dtick == 1 and axis.exponentformat == "power"
    assert figure.layout.yaxis2.type != "log"


def test_each_panel_is_titled_and_the_legend_stays_off_the_epoch_titles():
    figure = curves_figure(list(range(1, 21)), curves())
    assert figure.layout.xaxis.title.text == figure.layout.xaxis2.title.text == "epoch"
    assert "loss" in figure.layout.yaxis.title.text
    assert figure.layout.yaxis2.title.text == "accuracy (%)"
    # Above the plots: below them it covered both "epoch" titles.
    legend = figure.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    # Its top edge in the margin above the plot; the x axis titles are below it.
    assert (1 - legend.y) * figure.layout.height < figure.layout.margin.t
