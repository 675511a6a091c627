"""Tests for dlcore.figures.text_insight: the attribution row reads in presenter mode too."""

from dlcore.figures.style import enlarge
from dlcore.figures.text_insight import attribution_figure

TOKENS = ["remind", "me", "to", "call", "mom", "on", "sunday"]


def attribution():
    return attribution_figure(
        TOKENS,
        [4.16, -0.09, 1.26, 0.94, 0.0, -2.14, -1.31],
        unknown=[False, False, False, False, True, False, False],
        intent="set_timer",
    )


def test_the_intent_is_named_in_words():
    assert "“set timer”" in attribution().layout.title.text


def test_the_colour_bar_keeps_its_height_for_the_ticks_when_enlarged():
    figure = attribution()
    bar = figure.data[0].colorbar
    # Along the bar, the title takes none of the bar's height; stacked above it, two
    # lines of enlarged title squashed the bar until its ticks overlapped.
    assert bar.title.side == "right"
    assert "<br>" not in bar.title.text
    enlarged = enlarge(figure)
    plot_height = enlarged.layout.height - enlarged.layout.margin.t - enlarged.layout.margin.b
    assert plot_height >= figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
    # The cells' text grows as far as the longest word still fits its cell, at one size.
    sizes = {trace.textfont.size for trace in enlarged.data}
    assert len(sizes) == 1 and sizes.pop() >= figure.data[0].textfont.size
