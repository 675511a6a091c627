"""Tests for dlcore.figures.style: labels, wrapped titles, tick formats, legends, enlarging."""

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from dlcore.figures import style

SI_FORMATS = {None, "B", "SI"}


def lines_of(title: str) -> list[str]:
    return re.split(r"<br>", title)


@pytest.mark.parametrize(
    ("identifier", "label"),
    [
        ("set_timer", "set timer"),
        ("zoom_in", "zoom in"),
        ("play__music_", "play music"),
        ("left", "left"),
        ("conv2d_1", "conv2d 1"),
    ],
)
def test_human_label_spells_an_identifier_as_words(identifier, label):
    assert style.human_label(identifier) == label


@pytest.mark.parametrize("max_characters", [12, 20, 35, 60])
def test_a_long_title_is_wrapped_into_lines_that_fit_and_keeps_every_word(max_characters):
    title = "Misclassified held-out images: true → predicted (confidence), first layer filters"
    wrapped = style.wrap_title(title, max_characters=max_characters)
    assert "<br>" in wrapped
    # A word longer than a line gets a line of its own, never cut.
    assert all(len(line) <= max_characters or " " not in line for line in lines_of(wrapped))
    assert " ".join(lines_of(wrapped)).split() == title.split()


def test_a_wrapped_title_leaves_no_word_alone_on_its_last_line():
    wrapped = style.wrap_title("Losses and the distance to the target", max_characters=35)
    assert min(len(line) for line in lines_of(wrapped)) > len("target")


def test_a_short_title_and_a_line_of_mixed_markup_are_kept_as_they_are():
    assert style.wrap_title("Filter 2", max_characters=20) == "Filter 2"
    mixed = "One <b>neuron</b> with w = 1, b = 0, and a long line after it"
    assert style.wrap_title(mixed, max_characters=20) == mixed


def test_a_long_subtitle_is_wrapped_inside_its_markup():
    numbers = "z = 2, f(z) = 0.881, f'(z) = 0.105, df/dw = 0.21, df/db = 0.105"
    wrapped = style.wrap_title(f"One neuron<br><sup>{numbers}</sup>", max_characters=20)
    first, *subtitle = lines_of(wrapped)
    assert first == "One neuron"
    assert len(subtitle) > 1
    assert all(line.startswith("<sup>") and line.endswith("</sup>") for line in subtitle)
    inner = [line.removeprefix("<sup>").removesuffix("</sup>") for line in subtitle]
    # A subtitle's smaller letters fit more of them on a line, never more than 20 / 0.7.
    assert max(len(line) for line in inner) <= int(20 / 0.7)
    assert " ".join(inner) == numbers


def test_enlarge_wraps_the_title_again_keeping_its_subtitle_on_lines_of_its_own():
    figure = go.Figure()
    style.apply_layout(
        figure, title="One neuron: Sigmoid(w·x + b), w = 1, b = 0<br><sup>z = 2, f(z) = 0.881</sup>"
    )
    lines = lines_of(style.enlarge(figure).layout.title.text)
    assert lines[-1] == "<sup>z = 2, f(z) = 0.881</sup>"
    plain = " ".join(lines[:-1])
    assert plain == "One neuron: Sigmoid(w·x + b), w = 1, b = 0"
    assert len(lines) > 2


def test_max_line_characters_shrinks_as_the_font_grows():
    small = style.max_line_characters(style.title_font_size(style.BASE_FONT_SIZE))
    large = style.max_line_characters(style.title_font_size(style.PRESENTER_FONT_SIZE))
    assert large < small
    # A line of that many characters at that size fits the reference width.
    assert large * 0.6 * style.title_font_size(style.PRESENTER_FONT_SIZE) <= style.REFERENCE_WIDTH


def line_chart(names=("training", "validation")) -> go.Figure:
    figure = go.Figure()
    for offset, name in enumerate(names):
        figure.add_scatter(x=[1, 2, 3], y=np.array([3.0, 2.0, 1.0]) + offset, name=name)
    return figure


def test_apply_layout_titles_the_axes_and_prints_no_si_prefixes():
    figure = style.apply_layout(line_chart(), title="Loss", x_title="epoch", y_title="loss")
    assert figure.layout.xaxis.title.text == "epoch"
    assert figure.layout.yaxis.title.text == "loss"
    assert figure.layout.xaxis.exponentformat not in SI_FORMATS
    assert figure.layout.yaxis.exponentformat not in SI_FORMATS


def legend_top(figure: go.Figure) -> float:
    """Pixels from the figure's top edge to the legend's top edge."""
    assert figure.layout.legend.yref == "container"
    assert figure.layout.legend.yanchor == "top"
    return (1 - figure.layout.legend.y) * figure.layout.height


def title_bottom(figure: go.Figure) -> float:
    """Pixels from the figure's top edge to the bottom of the title's last line."""
    size = figure.layout.title.font.size
    return figure.layout.title.pad.t + style.title_lines(figure.layout.title.text) * 1.3 * size


def test_the_legend_sits_above_the_plot_under_the_title_not_over_the_x_axis_title():
    figure = style.apply_layout(line_chart(), title="Loss", x_title="epoch", y_title="loss")
    assert figure.layout.legend.orientation == "h"
    # Under the title, in the margin above the plot: the x title below stays clear.
    assert title_bottom(figure) <= legend_top(figure) <= figure.layout.margin.t


def test_the_title_has_room_for_all_its_lines_normal_and_enlarged():
    long_title = "Loss and accuracy of every network, training and validation, " * 2
    one_line = style.apply_layout(line_chart(), title="Loss")
    two_lines = style.apply_layout(line_chart(), title=long_title)
    assert style.title_lines(two_lines.layout.title.text) >= 2
    assert two_lines.layout.margin.t > one_line.layout.margin.t
    for figure in (two_lines, style.enlarge(two_lines)):
        assert title_bottom(figure) <= legend_top(figure) <= figure.layout.margin.t


@pytest.mark.parametrize(
    ("values", "decades_only"),
    [([1e-18, 1e-3, 1.0], True), ([0.03, 20.0], True), ([0.2, 0.9], False)],
)
def test_a_log_axis_ticks_decades_only_when_there_are_enough(values, decades_only):
    figure = style.log_axis(line_chart(), values)
    axis = figure.layout.yaxis
    assert axis.type == "log"
    assert axis.exponentformat not in SI_FORMATS
    # Ticks between decades, when there are any, print whole ("0.2"), not as a lone "2".
    assert axis.minorloglabels == "complete"
    # An integer dtick on a log axis: ticks at powers of ten only.
    assert isinstance(axis.dtick, int) is decades_only


def test_enlarge_grows_every_text_and_wraps_the_title_for_its_size():
    title = "Real points and the untrained generator's points over the discriminator's map"
    figure = style.apply_layout(line_chart(), title=title, x_title="x1", y_title="x2")
    figure.add_annotation(text="caption", x=0, y=1, yref="paper", font_size=14)
    figure.add_heatmap(
        z=[[0, 1]], text=[["a", "b"]], colorbar={"title": {"text": "P(real)"}}, textfont_size=12
    )
    figure.update_layout(height=400)
    original = figure.to_json()

    enlarged = style.enlarge(figure)

    assert figure.to_json() == original, "enlarge must leave the figure it is given alone"
    assert enlarged.layout.font.size == style.PRESENTER_FONT_SIZE
    assert enlarged.layout.title.font.size > figure.layout.title.font.size
    assert enlarged.layout.height > figure.layout.height
    assert enlarged.layout.annotations[0].font.size > 14
    assert enlarged.data[-1].textfont.size > 12
    assert enlarged.data[-1].colorbar.title.font.size == style.PRESENTER_FONT_SIZE
    limit = style.max_line_characters(style.title_font_size(style.PRESENTER_FONT_SIZE))
    lines = lines_of(enlarged.layout.title.text)
    assert len(lines) > len(lines_of(figure.layout.title.text))
    assert all(len(line) <= limit for line in lines)
    assert enlarged.layout.margin.t > figure.layout.margin.t


def test_enlarge_keeps_lines_of_different_widths_different():
    figure = go.Figure()
    figure.add_scatter(y=[1, 2], mode="lines", line_width=6, name="Adam")
    figure.add_scatter(y=[1, 2], mode="lines", line_width=3, name="AdamW")
    widths = [trace.line.width for trace in style.enlarge(figure).data]
    assert widths[0] > widths[1] > 3


def test_enlarge_leaves_a_contours_isolines_as_they_are():
    # The Optimizers page's loss surface: a contour has a `line` but no `mode`.
    figure = go.Figure(go.Contour(z=[[1, 2], [3, 4]], line_width=0.5))
    figure.add_scatter(y=[1, 2], mode="lines+markers", line_width=2)
    contour, path = style.enlarge(figure).data
    assert contour.line.width == 0.5
    assert path.line.width > 2


def test_a_log_axis_over_a_decade_or_so_ticks_one_two_five_written_whole():
    axis = style.log_axis(line_chart(), [0.7, 1.3, 30.0]).layout.yaxis
    assert list(axis.tickvals) == [1, 2, 5, 10, 20]
    assert list(axis.ticktext) == ["1", "2", "5", "10", "20"]
    small = style.log_axis(line_chart(), [3e-6, 4e-5]).layout.yaxis
    assert list(small.ticktext) == ["5 × 10⁻⁶", "1 × 10⁻⁵", "2 × 10⁻⁵"]


def test_a_log_axis_over_many_decades_labels_only_some_of_them():
    axis = style.log_axis(line_chart(), [1e-18, 1.0]).layout.yaxis
    assert axis.dtick == 3, "18 decades: a tick every third power of ten"


def test_enlarged_captions_and_cell_text_grow_only_as_far_as_they_fit():
    figure = go.Figure()
    captions = [f"{digit} → {9 - digit}<br>(95%)" for digit in range(8)]
    for index, caption in enumerate(captions):
        figure.add_annotation(text=caption, x=(index + 0.5) / 8, y=1, yref="paper")
    figure.add_heatmap(z=[list(range(7))], text=[["unknown"] * 7], textfont_size=15)
    figure.update_annotations(font_size=14)
    enlarged = style.enlarge(figure)
    # Eight captions side by side: each within its eighth of the plot, at the reference width.
    pitch = 0.8 * style.REFERENCE_WIDTH / 8
    for annotation in enlarged.layout.annotations:
        assert annotation.font.size > 14
        assert 0.6 * annotation.font.size * len("6 → 3") <= pitch
    cell = 0.8 * style.REFERENCE_WIDTH / 7
    assert enlarged.data[0].textfont.size >= 15
    assert 0.6 * enlarged.data[0].textfont.size * len("unknown") <= cell


def captioned_panels(captions: list[str], *, rows: int = 1) -> go.Figure:
    figure = go.Figure()
    per_row = len(captions) // rows
    for index, caption in enumerate(captions):
        row, column = divmod(index, per_row)
        y = 1 - row / rows
        figure.add_annotation(text=caption, x=(column + 0.5) / per_row, y=y, yref="paper")
    figure.update_annotations(font_size=12)
    return figure


def test_a_long_caption_over_one_row_of_panels_takes_two_lines_at_the_enlarged_size():
    caption = "Resized to 8×8: the model input"
    enlarged = style.enlarge(captioned_panels(["Original (8×8)", caption]))
    short, long = enlarged.layout.annotations
    assert short.text == "Original (8×8)"
    lines = lines_of(long.text)
    assert len(lines) == 2 and " ".join(lines) == caption
    # Both grow alike, each line within its half of the plot at the reference width.
    assert long.font.size == short.font.size > 12
    half = 0.8 * style.REFERENCE_WIDTH / 2
    assert max(len(line) for line in lines) * 0.6 * long.font.size <= half
    # The top margin makes room for the second line.
    assert enlarged.layout.margin.t > style.enlarge(captioned_panels(["a", "b"])).layout.margin.t


def test_a_short_caption_shrinks_rather_than_strand_its_unit():
    for captions in ([f"{second / 4:.1f} s" for second in range(8)], ["1 → 9", "2 → 3"] * 4):
        enlarged = style.enlarge(captioned_panels(captions))
        assert [annotation.text for annotation in enlarged.layout.annotations] == captions


def test_captions_in_several_rows_stay_on_one_line():
    captions = [f"a long caption for panel {index}" for index in range(4)]
    enlarged = style.enlarge(captioned_panels(captions, rows=2))
    assert [annotation.text for annotation in enlarged.layout.annotations] == captions


def test_a_title_is_never_broken_beside_an_operator():
    title = "One neuron: Sigmoid(w·x + b), w = 1, b = 0, f'(z) = 0.105, df/dw = 0.21"
    longest_formula = len("Sigmoid(w·x + b),")
    for max_characters in range(longest_formula, 40):
        lines = lines_of(style.wrap_title(title, max_characters=max_characters))
        assert " ".join(lines) == title
        for line in lines:
            assert not line.startswith(("= ", "+ ")) and not line.endswith((" =", " +"))
    # Narrower than a formula: it is broken rather than run past the line.
    narrow = lines_of(style.wrap_title(title, max_characters=12))
    assert all(len(line) <= 12 or " " not in line for line in narrow)


@pytest.mark.parametrize(
    ("value", "digits", "written"),
    [
        (3.1e-06, 1, "3 × 10⁻⁶"),
        (123187674, 2, "1.2 × 10⁸"),
        (-4e-9, 1, "-4 × 10⁻⁹"),
        (0.25, 2, "0.25"),
        (1.55, 2, "1.6"),
        (12345, 2, "12,345"),
        (0, 2, "0"),
    ],
)
def test_scientific_writes_numbers_as_people_do(value, digits, written):
    assert style.scientific(value, digits=digits) == written


def test_a_short_count_axis_ticks_whole_numbers_only():
    assert style.count_axis(2) == {"dtick": 1, "tick0": 0}
    # Past ten, Plotly's own steps (2, 5, 10...) are whole already.
    assert style.count_axis(500) == {}


def test_a_number_stays_with_the_word_before_it():
    wrapped = style.wrap_title("Hidden state of layer 1 after each token", max_characters=24)
    assert lines_of(wrapped) == ["Hidden state of layer 1", "after each token"]


def test_a_figure_across_the_page_is_laid_out_for_the_page_width():
    figure = captioned_panels([f"{digit} → {9 - digit}" for digit in range(8)])
    style.apply_layout(figure, title="Misclassified test images: true → predicted")
    in_column = style.enlarge(figure)
    across = style.enlarge(figure, width=style.PAGE_WIDTH)
    assert style.title_lines(across.layout.title.text) < style.title_lines(
        in_column.layout.title.text
    )
    caption_sizes = [
        {annotation.font.size for annotation in enlarged.layout.annotations}
        for enlarged in (in_column, across)
    ]
    (in_column_size,), (across_size,) = caption_sizes
    assert in_column_size < across_size <= style.PRESENTER_FONT_SIZE


def test_the_captions_of_a_grid_share_one_size():
    captions = [f"filter {number}" for number in range(1, 17)]
    enlarged = style.enlarge(captioned_panels(captions, rows=2), width=style.PAGE_WIDTH)
    assert len({annotation.font.size for annotation in enlarged.layout.annotations}) == 1


def test_enlarge_grows_the_colour_bars_of_shared_colour_axes():
    figure = go.Figure(
        go.Heatmap(z=[[1, 2]], coloraxis="coloraxis2"),
        layout={"coloraxis": {"colorscale": "Viridis"}, "coloraxis2": {"colorscale": "RdBu"}},
    )
    enlarged = style.enlarge(figure)
    for axis in (enlarged.layout.coloraxis, enlarged.layout.coloraxis2):
        assert axis.colorbar.tickfont.size == round(0.9 * style.PRESENTER_FONT_SIZE)
