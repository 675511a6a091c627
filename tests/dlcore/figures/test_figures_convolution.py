"""Tests for dlcore.figures.convolution: the traces carry the real numbers, windows are outlined."""

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import plotly_array

from dlcore.concepts import convolution, pooling
from dlcore.figures import convolution as figures


def trace_values(figure, field="z"):
    """A trace's array as the browser gets it: through the figure's JSON."""
    return plotly_array(figure.to_plotly_json()["data"][0][field])


def outlined_cells(figure):
    """The (row, col) of each rectangle that outlines one cell of a numeric grid."""
    return {
        (round((shape.y0 + shape.y1) / 2), round((shape.x0 + shape.x1) / 2))
        for shape in figure.layout.shapes
        if shape.type == "rect"
    }


def test_image_figure_shows_a_grey_image_with_its_numbers_and_size():
    image = np.random.default_rng(0).uniform(0.0, 1.0, (28, 32))

    figure = figures.image_figure(image, title="Digit")

    (heatmap,) = figure.data
    assert isinstance(heatmap, go.Heatmap)
    np.testing.assert_array_equal(trace_values(figure).reshape(28, 32), image)
    assert (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)
    assert heatmap.colorscale == ((0.0, "rgb(0, 0, 0)"), (1.0, "rgb(255, 255, 255)"))
    assert figure.layout.title.text == "Digit (28×32)"
    assert figure.layout.xaxis.showticklabels is False
    assert figure.layout.yaxis.showticklabels is False
    assert figure.layout.yaxis.scaleanchor == "x"
    assert figure.layout.yaxis.autorange == "reversed"


def test_image_figure_stretches_a_filter_output_from_its_smallest_to_largest_value():
    edges = np.array([[-2.0, 0.0], [1.0, 6.0]])

    figure = figures.image_figure(edges, title="Sobel x")

    assert (figure.data[0].zmin, figure.data[0].zmax) == (-2.0, 6.0)
    np.testing.assert_array_equal(trace_values(figure).reshape(2, 2), edges)


def test_image_figure_shows_uint8_colour_as_is():
    photo = np.random.default_rng(1).integers(0, 256, (5, 7, 3), dtype=np.uint8)

    figure = figures.image_figure(photo, title="Photo")

    (image_trace,) = figure.data
    assert isinstance(image_trace, go.Image)
    np.testing.assert_array_equal(np.asarray(image_trace.z), photo)
    assert figure.layout.title.text == "Photo (5×7)"


@pytest.mark.parametrize(
    ("image", "value_range", "expected"),
    [
        # Floats in [0, 1] are fractions of full colour.
        (np.array([[[0.0, 0.5, 1.0]]]), None, [[[0, 128, 255]]]),
        # Anything else is stretched from its smallest to its largest value.
        (np.array([[[-1.0, 0.0, 3.0]]]), None, [[[0, 64, 255]]]),
        # A given range clips what lies outside it.
        (np.array([[[-1.0, 100.0, 300.0]]]), (0.0, 200.0), [[[0, 128, 255]]]),
    ],
)
def test_image_figure_maps_float_colour_to_0_255(image, value_range, expected):
    figure = figures.image_figure(image, title="Float", value_range=value_range)

    np.testing.assert_array_equal(np.asarray(figure.data[0].z), expected)


def test_image_figure_takes_a_single_channel_as_grey():
    figure = figures.image_figure(np.zeros((3, 4, 1), dtype=np.uint8), title="One channel")

    assert isinstance(figure.data[0], go.Heatmap)
    assert (figure.data[0].zmin, figure.data[0].zmax) == (0.0, 255.0)
    assert "3×4" in figure.layout.title.text


def test_numeric_grid_figure_writes_each_number_and_outlines_the_window():
    window = convolution.conv_window(
        np.arange(20.0).reshape(4, 5), np.ones((2, 2)), row=1, col=1, strides=1, dilation=2
    )

    figure = figures.numeric_grid_figure(
        window.padded,
        title="Input",
        highlight_rows=window.input_rows,
        highlight_cols=window.input_cols,
    )

    (heatmap,) = figure.data
    np.testing.assert_array_equal(trace_values(figure).reshape(4, 5), window.padded)
    assert heatmap.text[1][2] == "7.00"
    assert heatmap.texttemplate == "%{text}"
    # Dilation 2: the taps at rows 1 and 3, columns 1 and 3, with gaps between them.
    assert outlined_cells(figure) == {(1, 1), (1, 3), (3, 1), (3, 3)}
    assert figure.layout.title.text == "Input"


def test_numeric_grid_figure_outlines_whole_rows_when_only_rows_are_given():
    figure = figures.numeric_grid_figure(np.zeros((3, 2)), title="Rows", highlight_rows=[2])

    assert outlined_cells(figure) == {(2, 0), (2, 1)}
    assert figures.numeric_grid_figure(np.zeros((3, 2)), title="None").layout.shapes == ()


def test_numeric_grid_figure_leaves_pooling_padding_blank():
    window = pooling.pool_window(
        np.arange(1.0, 10.0).reshape(3, 3), row=1, col=1, pool_size=2, padding="same"
    )

    figure = figures.numeric_grid_figure(
        window.padded,
        title="Pooling window",
        highlight_rows=window.input_rows,
        highlight_cols=window.input_cols,
        text_format=".0f",
    )

    text = figure.data[0].text
    assert text[2][2] == "9"
    assert text[3][3] == ""
    assert outlined_cells(figure) == {(2, 2), (2, 3), (3, 2), (3, 3)}


def test_numeric_grid_figure_centres_the_colours_on_zero_for_signed_values():
    signed = figures.numeric_grid_figure([[-1.0, 2.0]], title="Signed")
    positive = figures.numeric_grid_figure([[1.0, 2.0]], title="Positive")

    assert signed.data[0].zmid == 0.0
    assert positive.data[0].zmid is None


def test_products_figure_shows_the_products_and_their_sum():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])
    window = convolution.conv_window(image, kernel, row=1, col=1, strides=2)

    figure = figures.products_figure(window)

    np.testing.assert_array_equal(trace_values(figure).reshape(2, 2), window.products)
    assert list(map(list, figure.data[0].text)) == [["10.00", "0.00"], ["0.00", "-15.00"]]
    assert figure.layout.title.text == "patch × kernel<br>sum = -5.000"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: figures.image_figure(np.zeros((4, 4, 2)), title="x"),
            r"`image` must have shape \(height, width\), \(height, width, 1\) or .*\(4, 4, 2\)",
        ),
        (
            lambda: figures.numeric_grid_figure(np.zeros(3), title="x"),
            r"`values` must be a non-empty 2-D array.*shape \(3,\)",
        ),
        (
            lambda: figures.numeric_grid_figure(np.zeros((2, 2)), title="x", highlight_cols=[2]),
            r"`highlight_cols` must be indices in \[0, 2\).*Received: highlight_cols=\[2\]",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# A crop in [0, 1] (9×9 when padded) in a third of the page, products of both signs.
@pytest.mark.parametrize(
    ("shape", "low", "width"),
    [((9, 9), 0.0, 300), ((9, 9), 0.0, 340), ((3, 3), -3.0, 250), ((8, 8), 0.0, 450)],
)
def test_numbers_get_a_font_that_fits_their_cells(shape, low, width):
    values = np.random.default_rng(0).uniform(low, 1.0, size=shape)

    figure = figures.numeric_grid_figure(values, title="Crop", width=width)

    margin = figure.layout.margin
    cell = (figure.layout.width - margin.l - margin.r) / shape[1]
    widest = max(len(number) for row in figure.data[0].text for number in row)
    # A digit, a sign or a point is at most 0.6 of the font size wide.
    assert figure.data[0].textfont.size * 0.6 * widest <= cell
    assert figure.data[0].textfont.size >= 12
    # The figure is tall enough for square cells under its title.
    assert figure.layout.height >= margin.t + margin.b + cell * shape[0]


def test_small_cells_get_fewer_decimals_and_large_ones_keep_them():
    crop = np.full((9, 9), 0.123)

    assert figures.grid_text_format(crop, width=250) == ".1f"
    assert figures.grid_text_format(np.full((3, 3), 0.123), width=250) == ".2f"
    assert figures.grid_text_format(np.full((8, 8), 0.123), width=450, max_decimals=3) == ".3f"


def test_long_titles_are_wrapped_to_the_figure_width_at_presenter_size():
    title = "7×7 greyscale crop (the most detailed), padded"

    wrapped = figures.numeric_grid_figure(np.zeros((9, 9)), title=title, width=280)

    lines = wrapped.layout.title.text.split("<br>")
    assert len(lines) > 1 and " ".join(lines) == title
    assert all(len(line) * 0.6 * figures.PRESENTER_TITLE_SIZE <= 280 for line in lines)
    assert figures.wrap_title("a<br>b", width=280) == "a<br>b"


def test_the_marked_cell_is_circled():
    figure = figures.numeric_grid_figure(
        [[1.0, 5.0], [2.0, 3.0]], title="Max", highlight_rows=[0, 1], mark=(0, 1)
    )

    circles = [shape for shape in figure.layout.shapes if shape.type == "circle"]
    assert len(circles) == 1
    assert (circles[0].x0 + circles[0].x1) / 2 == 1 and (circles[0].y0 + circles[0].y1) / 2 == 0
    with pytest.raises(ValueError, match="mark"):
        figures.numeric_grid_figure([[1.0]], title="x", mark=(1, 0))
