"""Tests of the trainers' shared charts and the Playground's pictures."""

import numpy as np
import pytest
from helpers import plotly_array

from dlcore.figures.playground import (
    BOUNDARY_STRENGTH,
    CLASS_COLORS,
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    boundary_figure,
    boundary_image,
    boundary_picture,
    diverging_image,
    neuron_images,
    neuron_strip,
)
from dlcore.figures.training import confusion_figure, history_figure, image_grid_figure


def test_history_puts_losses_left_and_accuracies_right_in_percent():
    figure = history_figure(
        [1, 2, 3],
        {
            "loss": [1.0, 0.5, 0.25],
            "val_loss": [1.1, 0.6, 0.4],
            "accuracy": [0.5, 0.75, 1.0],
            "val_accuracy": [0.4, 0.7, 0.9],
        },
    )
    panels = {trace.name: (trace.xaxis, trace.yaxis, list(trace.y)) for trace in figure.data}
    assert panels["loss (training)"] == ("x", "y", [1.0, 0.5, 0.25])
    assert panels["loss (validation)"][:2] == ("x", "y")
    assert panels["accuracy (training)"] == ("x2", "y2", [50.0, 75.0, 100.0])
    assert panels["accuracy (validation)"][2] == pytest.approx([40.0, 70.0, 90.0])
    assert figure.layout.xaxis.domain[1] < figure.layout.xaxis2.domain[0]
    # Three epochs: ticks at whole epochs, never at 0.5.
    assert figure.layout.xaxis.dtick == figure.layout.xaxis2.dtick == 1


def test_history_without_accuracy_has_one_panel():
    figure = history_figure([1, 2], {"loss": [2.0, 1.0], "val_mae": [0.5, 0.4]})
    assert {trace.yaxis for trace in figure.data} == {"y"}
    assert "xaxis2" not in figure.to_plotly_json()["layout"]


def test_confusion_counts_are_written_and_rows_shaded_by_share():
    matrix = np.array([[8, 2], [0, 5]])
    figure = confusion_figure(matrix, ["cat", "dog"])
    heatmap = figure.data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.text), matrix)
    np.testing.assert_allclose(np.asarray(heatmap.z), [[0.8, 0.2], [0.0, 1.0]])
    assert list(heatmap.x) == ["cat", "dog"] and list(heatmap.y) == ["cat", "dog"]
    with pytest.raises(ValueError, match="one row and column per label"):
        confusion_figure(matrix, ["cat"])


def test_image_grid_draws_one_panel_per_image_with_square_pixels():
    figure = image_grid_figure(np.random.rand(5, 3, 3), list("abcde"), title="maps", n_columns=3)
    assert len(figure.data) == 5
    assert [annotation.text for annotation in figure.layout.annotations] == list("abcde")
    assert figure.layout.yaxis5.scaleanchor == "x5"
    rgb = image_grid_figure(np.ones((2, 4, 4, 3)), ["x", "y"], title="rgb")
    assert [trace.type for trace in rgb.data] == ["image", "image"]
    with pytest.raises(ValueError, match="one caption each"):
        image_grid_figure(np.zeros((2, 3, 3)), ["only one"], title="bad")


def test_diverging_colours_run_from_orange_through_white_to_blue():
    pixels = diverging_image(np.array([[-1.0, 0.0, 1.0, 5.0]]))
    np.testing.assert_array_equal(pixels[0, 0], NEGATIVE_COLOR)
    np.testing.assert_array_equal(pixels[0, 1], [255, 255, 255])
    np.testing.assert_array_equal(pixels[0, 2], POSITIVE_COLOR)
    np.testing.assert_array_equal(pixels[0, 3], POSITIVE_COLOR)  # clipped at the limit


def test_boundary_colours_the_likely_class_paler_than_points_and_fades_where_unsure():
    def pale(color):
        return np.round(255 * (1 - BOUNDARY_STRENGTH) + color * BOUNDARY_STRENGTH)

    two = boundary_image(np.array([[0.0, 0.5, 1.0]]))
    np.testing.assert_array_equal(
        two[0], [pale(NEGATIVE_COLOR), [255, 255, 255], pale(POSITIVE_COLOR)]
    )
    three = boundary_image(np.array([[[0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]]]))
    np.testing.assert_array_equal(three[0, 0], pale(CLASS_COLORS[2]))
    np.testing.assert_array_equal(three[0, 1], [255, 255, 255])


def test_boundary_figure_lays_the_picture_under_the_points_on_the_grid():
    grid = np.linspace(-6, 6, 4, dtype="float32")
    probabilities = np.linspace(0, 1, 16).reshape(4, 4)
    points = np.array([[1.0, 2.0], [-1.0, -2.0]])
    figure = boundary_figure(
        grid, probabilities, points_train=points, labels_train=np.array([0, 1])
    ).to_plotly_json()
    image = figure["data"][0]
    assert (image["x0"], image["y0"], image["dx"]) == (-6.0, -6.0, 4.0)
    np.testing.assert_array_equal(plotly_array(image["z"]), boundary_image(probabilities).ravel())
    assert [trace["name"] for trace in figure["data"][1:]] == ["class 0 (train)", "class 1 (train)"]
    assert figure["layout"]["yaxis"]["range"] == [-6.0, 6.0]


def test_neuron_pictures_put_high_x2_at_the_top_and_scale_unbounded_activations():
    layer = np.zeros((1, 3, 3), dtype="float32")
    layer[0, 2, :] = 4.0  # the last grid row, x2 = +6
    (pictures,) = neuron_images([layer], activation="relu")
    np.testing.assert_array_equal(pictures[0][0, 0], POSITIVE_COLOR)  # full colour at the max
    np.testing.assert_array_equal(pictures[0][2, 0], [255, 255, 255])
    (tanh_pictures,) = neuron_images([layer / 8], activation="tanh")
    assert tanh_pictures[0][0, 0, 0] > POSITIVE_COLOR[0]  # 0.5 of tanh's range: paler


def test_boundary_picture_draws_each_point_in_its_class_colour_where_it_lies():
    probabilities = np.full((50, 50), 0.5)  # undecided: a white background
    points = np.array([[-3.0, 3.0], [3.0, -3.0]])
    picture = boundary_picture(
        probabilities, points_train=points, labels_train=np.array([0, 1]), size=120
    )
    assert picture.shape == (120, 120, 3) and picture.dtype == np.uint8
    # (x1, x2) = (-3, 3) is a quarter in from the left and the top; (3, -3) from the right
    # and the bottom, as in the Plotly chart where x2 grows upwards.
    np.testing.assert_array_equal(picture[30, 30], CLASS_COLORS[0])
    np.testing.assert_array_equal(picture[90, 90], CLASS_COLORS[1])
    np.testing.assert_array_equal(picture[60, 60], [255, 255, 255])


def test_boundary_picture_background_is_the_boundary_image_with_x2_upwards():
    probabilities = np.zeros((50, 50))
    probabilities[40:] = 1.0  # class 1 where x2 is high: the top rows of the picture
    picture = boundary_picture(probabilities, points_train=np.zeros((0, 2)), labels_train=[])
    colours = boundary_image(np.array([[0.0, 1.0]]))[0]
    np.testing.assert_array_equal(picture[5, 180], colours[1])
    np.testing.assert_array_equal(picture[-5, 180], colours[0])


def test_neuron_strip_lays_a_layers_pictures_side_by_side_with_white_between():
    pictures = [np.full((3, 3, 3), value, dtype=np.uint8) for value in (10, 20, 30)]
    strip = neuron_strip(pictures, gap=2)
    assert strip.shape == (3, 3 * 3 + 2 * 2, 3)
    np.testing.assert_array_equal(strip[:, 0:3], pictures[0])
    np.testing.assert_array_equal(strip[:, 5:8], pictures[1])
    np.testing.assert_array_equal(strip[:, 10:13], pictures[2])
    assert (strip[:, 3:5] == 255).all() and (strip[:, 8:10] == 255).all()


def test_the_confusion_matrix_names_classes_in_words():
    from dlcore.figures.training import confusion_figure

    figure = confusion_figure(np.eye(2, dtype=int), ["set_timer", "play_music"])
    assert list(figure.data[0].x) == ["set timer", "play music"]
    assert list(figure.data[0].y) == ["set timer", "play music"]


def test_the_history_legend_sits_above_the_plots_clear_of_the_epoch_titles():
    from dlcore.figures.training import history_figure

    metrics = {"loss": [1e-6, 1e-9], "val_loss": [1e-5, 1e-8], "accuracy": [0.5, 0.9]}
    figure = history_figure([1, 2], metrics)
    legend = figure.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    # Its top edge in the margin above the plot; the x axis titles are below it.
    assert (1 - legend.y) * figure.layout.height < figure.layout.margin.t
    assert figure.layout.xaxis.title.text == figure.layout.xaxis2.title.text == "epoch"
    # A loss of 1e-9 reads as a power of ten, never "1n".
    assert figure.layout.yaxis.exponentformat == "power"
