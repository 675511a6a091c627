"""The one figure style every chart goes through: titles, axes, ticks, legends, presenter sizes.

A chart is drawn for a column about `REFERENCE_WIDTH` pixels wide (a trainer page's
results column at 1400x900). Its title is wrapped with `<br>` to fit that width at its font
size, never cut; its legend sits above the plot, horizontal, where it covers neither an
axis title nor a tick; its number axes print plain numbers or powers of ten, never SI
prefixes ("1μ" is not a loss). `enlarge` makes the same figure readable from the back of
a room and wraps its title again for the larger font.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

AXIS_LINE_COLOR = "#9a9a9a"
BASE_FONT_SIZE = 15
PRESENTER_FONT_SIZE = 22
CAPTION_FONT_SIZE = 14
"""Pixels: captions over the pictures of a grid."""
REFERENCE_WIDTH = 560
"""Pixels: the width titles, captions and cell text are laid out for unless told
otherwise: a column of a page at 1400x900 (60 % of `PAGE_WIDTH`)."""
PAGE_WIDTH = 940
"""Pixels: the page's content at 1400x900 with the sidebar open: a figure across the page."""
DEFAULT_HEIGHT = 450
"""Pixels: Plotly's own height, given to a figure that sets none."""
MIN_DECADES = 2.0
"""A log axis over fewer decades than this gets ticks between the decades too."""
MAX_DECADE_TICKS = 6
MAX_UNIT_TICKS = 10
"""A counting axis up to this many gets a tick at every whole number (1, 2, 3), never 0.5."""
LEGEND_ABOVE = {
    "orientation": "h",
    "yanchor": "bottom",
    "y": 1.02,
    "xanchor": "left",
    "x": 0,
    "title": {"text": ""},
}
"""A horizontal legend just above the plot: clear of the x axis title and tick labels,
which a legend below the plot covers as soon as they grow. `apply_layout` then pins it
under the title."""
PICTURE_AXES = {
    "showticklabels": False,
    "ticks": "",
    "showline": False,
    "showgrid": False,
    "zeroline": False,
}
"""The axes of a picture panel: none of a plot's ticks, labels, grid or lines around it."""

# Average width of a character as a share of the font size: an upper estimate for
# sans-serif text, so that a line laid out with it does not overflow.
_CHARACTER_WIDTH = 0.6
_LINE_HEIGHT = 1.3
_TITLE_PADDING = 8
# The share of a figure's width its plot gets, the rest going to margins and colour bar.
_PLOT_SHARE = 0.8
_DEFAULT_LINE_WIDTH = 2
_WHOLE_WORDS = {"break_long_words": False, "break_on_hyphens": False}
_PICTURE_TRACES = ("heatmap", "contour", "image")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)
# A line wholly inside one element, e.g. "<sup>z = 2, f(z) = 0.88</sup>".
_MARKED_LINE = re.compile(r"<(?P<tag>sup|sub|b|i)>(?P<inner>[^<]*)</(?P=tag)>")
_SMALLER_SCRIPT = 0.7
# Spaces a title is never broken at: beside an operator ("w·x + b"), and before a
# number, which belongs to the word before it ("layer 1", "after 2000 steps").
_OPERATOR = re.compile(r" [=+×·/<>≈−→-] |(?<=[^\s\d,;:]) (?=\d)")
# A word of two letters or more: what a caption worth two lines is made of.
_WORD = re.compile(r"[^\W\d_]{2,}")
_NO_BREAK = "\u00a0"
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def human_label(identifier: str) -> str:
    """The words of an identifier, for a person: "set_timer" -> "set timer".

    Args:
        identifier: a name such as a class label, an intent or a layer name.

    Returns:
        `identifier` with underscores as spaces and runs of spaces collapsed; its case
        and any other character kept ("zoom_in" -> "zoom in", "conv2d_1" -> "conv2d 1").

    Example:

    >>> human_label("set_timer")
    'set timer'
    """
    return " ".join(identifier.replace("_", " ").split())


def scientific(value: float, *, digits: int = 2) -> str:
    """A number as a person writes it: plain between 0.001 and 100,000, else a power of ten.

    Args:
        value: the number.
        digits: `int` >= 1, the significant digits kept.

    Returns:
        e.g. "0.25", "12,345", "3 × 10⁻⁶", "1.2 × 10⁸"; never Python's "3e-06".

    Example:

    >>> scientific(3.1e-06, digits=1)
    '3 × 10⁻⁶'
    >>> scientific(123187674)
    '1.2 × 10⁸'
    """
    if value == 0 or not math.isfinite(value) or 1e-3 <= abs(value) < 1:
        return f"{value:.{digits}g}"
    if 1 <= abs(value) < 1e5:
        whole_digits = len(str(int(abs(value))))
        return f"{value:,.{max(0, digits - whole_digits)}f}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPTS)
    return f"{float(mantissa):g} × 10{power}"


def title_font_size(font_size: float) -> int:
    """The title's font size for a chart whose text is `font_size` pixels."""
    return round(font_size * 1.25)


def max_line_characters(font_size: float, *, width: float = REFERENCE_WIDTH) -> int:
    """How many characters of text `font_size` pixels high fit on a line `width` pixels wide."""
    return max(12, int(width / (_CHARACTER_WIDTH * font_size)))


def wrap_title(title: str, *, max_characters: int) -> str:
    """A title broken with `<br>` into lines of at most `max_characters` characters.

    Lines are broken between words; a word longer than a line gets a line of its own.
    Lines the title already breaks with `<br>` are kept. A line wholly inside one
    element (a `<sup>` subtitle) is wrapped inside it; any other line holding markup is
    left as it is. Undoing an earlier wrap first is the caller's choice: `enlarge` does it.

    Args:
        title: the title, plain text or Plotly's HTML subset.
        max_characters: `int` >= 1, the longest line wanted.

    Returns:
        The title with `<br>` between its lines.

    Example:

    >>> wrap_title("Real points and the untrained generator's", max_characters=24)
    "Real points and the<br>untrained generator's"
    """
    lines = []
    for line in _BREAK.split(title):
        marked = _MARKED_LINE.fullmatch(line)
        if marked and len(marked["inner"]) > max_characters:
            # A subtitle (`<sup>` is printed at about 70 % of the title's size) is
            # wrapped inside its markup, each line marked again.
            share = _SMALLER_SCRIPT if marked["tag"] in ("sup", "sub") else 1.0
            inner = _balanced_lines(marked["inner"], int(max_characters / share))
            lines += [f"<{marked['tag']}>{part}</{marked['tag']}>" for part in inner]
        elif _TAG.search(line) or len(line) <= max_characters:
            lines.append(line)
        else:
            lines += _balanced_lines(line, max_characters)
    return "<br>".join(lines)


def _unwrapped(title: str) -> str:
    """`title` with the breaks between its plain lines taken out (those `wrap_title` put
    in, to wrap them again at another size); a line holding markup (a `<sup>` subtitle)
    stays a line of its own."""
    lines: list[str] = []
    joining = False
    for line in _BREAK.split(title):
        if _TAG.search(line):
            lines.append(line)
            joining = False
        elif joining:
            lines[-1] += " " + line
        else:
            lines.append(line)
            joining = True
    return "<br>".join(lines)


def _balanced_lines(text: str, max_characters: int) -> list[str]:
    """`text` in as few lines as `max_characters` allows, of lengths as even as can be
    (no lone last word), never broken beside an operator ("w·x + b", "f(z) = 0.88") or
    before a number ("layer 1") unless what that holds together is longer than a line."""
    # textwrap breaks only at ASCII whitespace: a no-break space holds a formula together.
    held = " ".join(
        chunk if len(chunk) <= max_characters else chunk.replace(_NO_BREAK, " ")
        for chunk in _OPERATOR.sub(lambda match: match[0].replace(" ", _NO_BREAK), text).split(" ")
    )
    wrapped = textwrap.wrap(held, width=max_characters, **_WHOLE_WORDS)
    if not wrapped:
        return [text]
    width = -(-len(held) // len(wrapped))
    while width < max_characters:
        balanced = textwrap.wrap(held, width=width, **_WHOLE_WORDS)
        if len(balanced) == len(wrapped):
            wrapped = balanced
            break
        width += 1
    return [line.replace(_NO_BREAK, " ") for line in wrapped]


def title_lines(title: str) -> int:
    """How many lines `title` takes: one more than its `<br>` breaks, 0 for no title."""
    return len(_BREAK.split(title)) if title else 0


def title_layout(
    title: str, *, font_size: float = BASE_FONT_SIZE, width: float = REFERENCE_WIDTH
) -> dict:
    """A chart's title as Plotly's layout takes it: wrapped (`wrap_title`) for a figure
    `width` pixels wide at the title size of a chart whose text is `font_size` pixels, at
    the top of the figure, starting at the plot's left edge.

    For a figure built in one call (`go.Figure(traces, layout)`); `apply_layout` uses it.
    """
    size = title_font_size(font_size)
    return {
        "text": wrap_title(title, max_characters=max_line_characters(size, width=width)),
        "font": {"size": size},
        "x": 0,
        "xanchor": "left",
        "xref": "paper",
        "y": 1,
        "yanchor": "top",
        "yref": "container",
        "pad": {"t": _TITLE_PADDING},
    }


def apply_layout(
    figure: go.Figure,
    *,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    font_size: float = BASE_FONT_SIZE,
) -> go.Figure:
    """Give a chart the shared look: wrapped title, font, legend above, readable axes.

    The title starts at the plot's left edge, wrapped (`wrap_title`) for
    `REFERENCE_WIDTH`; the legend is horizontal, pinned under the title in the figure's
    own coordinates, so that Plotly pushes the plot down by the legend's height however
    many rows it takes; number axes print powers of ten ("10⁻⁶"), never SI prefixes
    ("1μ"). Call it after setting the figure's height and annotations (it makes room for
    the top row's captions), and before changing single axes.

    Args:
        figure: the figure to style, changed in place.
        title: its title, wrapped here to fit `REFERENCE_WIDTH`.
        x_title: the x axis title (every x axis of a figure with several panels);
            None keeps what the figure has.
        y_title: the same for the y axis.
        font_size: the text size in pixels. Defaults to `BASE_FONT_SIZE`.

    Returns:
        `figure`, for chaining.
    """
    figure.update_layout(
        title=title_layout(title, font_size=font_size),
        font={"size": font_size},
        legend={**LEGEND_ABOVE, "font": {"size": font_size}},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    axis_style = {"exponentformat": "power", "automargin": True}
    if not any(trace.type in _PICTURE_TRACES for trace in figure.data):
        # The chart theme draws the x = 0 and y = 0 lines faintly; make them visible
        # (on a plot, not across a picture).
        axis_style.update(zeroline=True, zerolinecolor=AXIS_LINE_COLOR, zerolinewidth=1)
    figure.update_xaxes(**axis_style)
    figure.update_yaxes(**axis_style)
    _fit_top_margin(figure)
    return figure


def count_axis(largest: int) -> dict:
    """An axis that counts (epochs, steps): whole numbers only. Up to `MAX_UNIT_TICKS`, a
    tick at every one; above, Plotly's own steps (2, 5, 10...) are whole already.

    Returns:
        Keyword arguments for `update_xaxes`, or a layout's axis dict.
    """
    return {"dtick": 1, "tick0": 0} if largest <= MAX_UNIT_TICKS else {}


def log_axis(
    figure: go.Figure, values: ArrayLike, *, axis: str = "y", **selector: object
) -> go.Figure:
    """Make an axis logarithmic, its ticks readable: decades (1, 10, 100 or 10⁻³) only.

    At most `MAX_DECADE_TICKS` + 1 ticks: over 18 decades, every third power of ten.

    Where the values span under `MIN_DECADES` decades there are too few decades to
    read: the ticks are then 1, 2 and 5 times the powers of ten inside the span, printed
    whole ("0.2", "0.5"), never as the lone leading digits ("2, 5") that read as other
    numbers.

    Args:
        figure: the figure, changed in place.
        values: the values drawn on the axis; only those > 0 count.
        axis: "x" or "y". Defaults to "y".
        **selector: `row`, `col`, `secondary_y` as `update_yaxes` takes them, to pick
            one panel's axis; none picks every such axis.

    Returns:
        `figure`, for chaining.
    """
    update = figure.update_xaxes if axis == "x" else figure.update_yaxes
    positive = np.asarray(values, dtype=np.float64).ravel()
    positive = positive[np.isfinite(positive) & (positive > 0)]
    decades = np.log10(positive.max() / positive.min()) if positive.size else 0.0
    # dtick=n on a log axis is a tick at every n-th power of ten and nothing in between:
    # every decade, or every second, third... where there are more than fit.
    every = max(1, math.ceil(decades / MAX_DECADE_TICKS))
    ticks = {"dtick": every} if decades >= MIN_DECADES else _one_two_five_ticks(positive)
    update(type="log", exponentformat="power", minorloglabels="complete", **ticks, **selector)
    return figure


def _one_two_five_ticks(positive: np.ndarray) -> dict:
    """Ticks at 1, 2 and 5 times the powers of ten inside the values' span, written whole
    ("0.5", "20"): Plotly's own, over a decade or two, label every digit between the
    decades and print them into each other. Where fewer than two fall inside, Plotly's."""
    if not positive.size:
        return {"dtick": None}
    low, high = positive.min(), positive.max()
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [
        step * 10.0**power
        for power in powers
        for step in (1, 2, 5)
        if low <= step * 10.0**power <= high
    ]
    if len(ticks) < 2:
        return {"dtick": None}
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [scientific(tick, digits=1) for tick in ticks],
    }


def enlarge(
    figure: go.Figure, *, font_size: float = PRESENTER_FONT_SIZE, width: float = REFERENCE_WIDTH
) -> go.Figure:
    """A copy of a figure sized for a room: every text grows, the title is wrapped again.

    Text, title, legend, ticks, axis titles, annotations (captions, panel titles), colour
    bars and text inside cells grow by `font_size` over the figure's own font size; so
    do its height, the margins it sets and its lines, so that the plot keeps its
    proportions and a colour bar keeps room for its ticks. Captions of a grid and text
    inside cells grow only as far as they still fit beside their neighbours, never into
    them.

    Args:
        figure: a figure from `dlcore.figures`; it is not changed.
        font_size: the enlarged text size in pixels. Defaults to `PRESENTER_FONT_SIZE`.
        width: the narrowest width in pixels the figure is shown at: its title, captions
            and cell text are laid out for it. Defaults to `REFERENCE_WIDTH` (a column);
            `PAGE_WIDTH` for a figure across the page.

    Returns:
        The enlarged copy.
    """
    enlarged = go.Figure(figure)
    base = enlarged.layout.font.size or BASE_FONT_SIZE
    factor = font_size / base
    enlarged.update_layout(
        font={"size": font_size},
        title=title_layout(
            _unwrapped(enlarged.layout.title.text or ""), font_size=font_size, width=width
        ),
        legend={"font": {"size": font_size}},
    )
    for update_axes in (enlarged.update_xaxes, enlarged.update_yaxes):
        update_axes(
            tickfont_size=round(font_size * 0.9),
            title_font_size=font_size,
            title_standoff=12,
            automargin=True,
        )
    annotations = enlarged.layout.annotations
    # Captions over a single row of panels may take a second line: the top margin makes
    # room for it. Below a row, a second line would reach into the row above.
    single_row = all(_is_over_the_plot(annotation) for annotation in annotations)
    pitches = _annotation_pitches(annotations)
    for annotation, pitch in zip(annotations, pitches, strict=True):
        size, room = annotation.font.size or base, pitch * _PLOT_SHARE * width
        if single_row:
            annotation.text = _wrapped_caption(annotation.text or "", size * factor, room)
        annotation.font.size = _grown(
            size, factor, lines=_BREAK.split(annotation.text or ""), room=room
        )
    # The captions of a grid (those with neighbours on their line) read as one: one size,
    # the one that fits the longest ("filter 10" as large as "filter 9").
    in_grid = [
        annotation for annotation, pitch in zip(annotations, pitches, strict=True) if pitch < 1
    ]
    if in_grid:
        smallest = min(annotation.font.size for annotation in in_grid)
        for annotation in in_grid:
            annotation.font.size = smallest
    # Text inside cells: one size for every trace, each cell getting its share of the
    # plot's width.
    written = [trace for trace in enlarged.data if _has_cell_text(trace)]
    if written:
        n_cells = max(len(trace.z[0]) if trace.type == "heatmap" else 1 for trace in written)
        texts = [str(text) for trace in written for row in trace.text for text in row]
        cell_size = _grown(
            min(trace.textfont.size for trace in written),
            factor,
            lines=[line for text in texts for line in _BREAK.split(text)],
            room=_PLOT_SHARE * width / n_cells,
        )
        for trace in written:
            trace.textfont.size = cell_size
    colorbar_text = {
        "tickfont": {"size": round(font_size * 0.9)},
        "title": {"font": {"size": font_size}},
    }
    # Colour bars belong to a trace, or to a colour axis that several traces share.
    enlarged.for_each_coloraxis(lambda axis: axis.colorbar.update(colorbar_text))
    for trace in enlarged.data:
        if getattr(trace, "colorbar", None) is not None:
            trace.colorbar.update(colorbar_text)
        # Only traces with a `mode` draw data as lines: a contour's `line` is its isolines.
        drawn_as_lines = "mode" in trace and "lines" in (trace.mode or "lines")
        if getattr(trace, "line", None) is not None and drawn_as_lines:
            # Scaled, not set: lines drawn at different widths so that overlapping ones
            # both show keep their order.
            trace.line.width = (trace.line.width or _DEFAULT_LINE_WIDTH) * factor
    if enlarged.layout.height:
        enlarged.layout.height = round(enlarged.layout.height * factor)
    # Margins a figure sets hold text (a bar's value beside it, tick labels): they grow
    # with it. The top one is fitted to the title again below.
    margin = enlarged.layout.margin
    enlarged.update_layout(
        margin={
            side: round(getattr(margin, side) * factor) for side in "lrb" if getattr(margin, side)
        }
    )
    _fit_top_margin(enlarged)
    return enlarged


def _is_over_the_plot(annotation: go.layout.Annotation) -> bool:
    """Whether an annotation stands above the plot (a panel title of the top row)."""
    return annotation.yref == "paper" and (annotation.y or 0) >= 0.999


def _wrapped_caption(text: str, size: float, room: float) -> str:
    """A one-line plain caption of a few words that is too long for `room` pixels at
    `size`, in two or more balanced lines that fit; any other caption as it is (a short
    one, "0.5 s" or "1 → 9", shrinks rather than strand a part on a line of its own)."""
    fits = len(text) * _CHARACTER_WIDTH * size <= 0.9 * room
    if fits or len(_WORD.findall(text)) < 3 or _TAG.search(text) or _BREAK.search(text):
        return text
    per_line = max(1, int(0.9 * room / (_CHARACTER_WIDTH * size)))
    return "<br>".join(_balanced_lines(text, per_line))


def _has_cell_text(trace: go.BaseTraceType) -> bool:
    return (
        trace.type == "heatmap"
        and trace.textfont is not None
        and bool(trace.textfont.size)
        and bool(trace.text)
        and bool(trace.z)
    )


def _grown(size: float, factor: float, *, lines: Sequence[str], room: float) -> int:
    """`size` grown by `factor`, as far as the longest of `lines` still fits `room` pixels
    (neighbouring captions, a cell); never below `size`."""
    longest = max((len(_TAG.sub("", line)) for line in lines), default=0)
    # A tenth of the room kept free, so that neighbours never touch.
    fitting = 0.9 * room / (_CHARACTER_WIDTH * longest) if longest else size * factor
    return round(max(size, min(size * factor, fitting)))


def _annotation_pitches(annotations: Sequence[go.layout.Annotation]) -> list[float]:
    """For each annotation, the share of the figure's width it may take: the distance
    to its nearest neighbour on the same line (a grid's captions), else the whole width."""
    pitches = []
    for annotation in annotations:
        neighbours = [
            abs((other.x or 0) - (annotation.x or 0))
            for other in annotations
            if other is not annotation
            and other.text
            and round(other.y or 0, 3) == round(annotation.y or 0, 3)
        ]
        pitches.append(min([gap for gap in neighbours if gap > 0] or [1.0]))
    return pitches


def _fit_top_margin(figure: go.Figure) -> None:
    """Room above the plot for the title's lines, the legend under them and the captions.

    The legend is placed in the figure's own coordinates, just under the title; Plotly
    then pushes the plot down by the legend's height, however many rows it wraps into.
    """
    font_size = figure.layout.font.size or BASE_FONT_SIZE
    title_size = title_font_size(font_size)
    lines = title_lines(figure.layout.title.text or "")
    # Plotly raises a title of several lines anchored at its top by about a line per
    # extra line: the padding takes that back, so that the first line is not cut.
    padding = _TITLE_PADDING + max(0, lines - 1) * title_size
    title_height = padding + lines * _LINE_HEIGHT * title_size
    height = figure.layout.height or DEFAULT_HEIGHT
    # Panel titles and captions of the top row stand above the plot too.
    caption_height = max(
        (
            (annotation.font.size or font_size) * _LINE_HEIGHT * title_lines(annotation.text)
            for annotation in figure.layout.annotations
            if annotation.text and _is_over_the_plot(annotation)
        ),
        default=0,
    )
    figure.update_layout(
        height=height,
        title={"pad": {"t": padding}},
        legend={"yref": "container", "y": 1 - (title_height + 6) / height, "yanchor": "top"},
        margin={"t": round(title_height + caption_height + 16)},
    )


def _in_legend(trace: go.BaseTraceType) -> bool:
    # Plotly leaves pictures (heatmaps, contours, images) out of the legend unless asked.
    if trace.showlegend is not None:
        return bool(trace.showlegend)
    return trace.type not in _PICTURE_TRACES
