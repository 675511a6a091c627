"""Pooling: shrink a real image by max or average pooling, window by window, and shift it."""

import streamlit as st

from dlcore.concepts.convolution import busiest_window, output_size
from dlcore.concepts.display import enlarge, to_display
from dlcore.concepts.pooling import global_pool, pool2d, pool_window, shift_effect
from dlcore.figures.convolution import grid_text_format, numeric_grid_figure
from dlcore.media.images import to_float, to_grayscale
from ui.concept_layout import concept_layout
from ui.image_source import choose_image
from ui.presenter import common_mistake, explain
from ui.settings import PageSettings
from ui.window_view import cell_name, choose_output_cell, grid_columns, show_grid, window_crop

settings = PageSettings("pool")
CROP_SIZE = 8
MODES = {
    "Max": "max",
    "Average": "average",
    "Global max": "max",
    "Global average": "average",
}

controls, results = concept_layout(
    "Pooling",
    "Pooling shrinks a feature map: a window slides over it and keeps **one number** per "
    "position — the largest (max pooling) or the mean (average pooling). Global pooling "
    "keeps one number per channel for the whole image.",
)
with controls:
    chosen = choose_image(settings)
    mode_title = st.radio("Pooling", list(MODES), horizontal=True, **settings.bind("mode"))
    mode = MODES[mode_title]
    is_global = mode_title.startswith("Global")
    pool_size = st.slider("Window size", 2, 4, 2, disabled=is_global, **settings.bind("size"))
    stride = st.slider("Stride", 1, 4, 2, disabled=is_global, **settings.bind("stride"))
    padding = st.radio(
        "Padding",
        ["valid", "same"],
        horizontal=True,
        disabled=is_global,
        **settings.bind("padding"),
    )

image = to_float(chosen.pixels)
height, width = image.shape[:2]
options = {"pool_size": pool_size, "strides": stride, "padding": padding, "mode": mode}
channels = image if image.ndim == 3 else image[..., None]
with results:
    if is_global:
        values = global_pool(channels, mode=mode)
        st.image(chosen.pixels, caption=f"Input, {height}×{width} ({chosen.label})")
        names = ["red", "green", "blue"] if len(values) == 3 else ["grey"]
        columns = st.columns(len(values))
        for column, name, value in zip(columns, names, values, strict=True):
            column.metric(f"{mode_title} of {name}", f"{value:.3f}")
        st.caption(
            f"{height * width:,} values per channel become one: a CNN does this to its last "
            "feature maps, so that any image size gives the classifier the same inputs."
        )
        st.stop()
    pooled = pool2d(channels, **options)
    before, after = st.columns(2)
    before.image(
        chosen.pixels, caption=f"Input, {height}×{width} ({chosen.label})", width="stretch"
    )
    # Shown at the input's size with each pooled value as a block, as the network sees it.
    blocks = enlarge(pooled, factor=max(1, round(height / pooled.shape[0])))
    after.image(
        blocks if image.ndim == 3 else blocks[..., 0],
        caption=f"{mode_title} pooled, {pooled.shape[0]}×{pooled.shape[1]}",
        width="stretch",
        clamp=True,
    )
    for note in chosen.notes:
        st.caption(note)
    explain(
        f"Output size: ⌊({height} − {pool_size}) / {stride}⌋ + 1 with 'valid' padding, "
        f"⌈{height} / {stride}⌉ with 'same'. Pooling has no weights to learn: it only keeps "
        "the strongest (or the typical) response in each window, so later layers see a "
        "smaller map that moves less when the image moves."
    )

st.subheader("One window, step by step")
crop = window_crop(chosen.pixels, size=CROP_SIZE)
try:
    rows = output_size(CROP_SIZE, pool_size, stride=stride, padding=padding)
except ValueError as error:
    st.info(str(error), icon=":material/info:")
    st.stop()
start = busiest_window(crop, pool_size, strides=stride, padding=padding)
row, col = choose_output_cell(settings, rows=rows, cols=rows, start=start)
window = pool_window(crop, row=row, col=col, **options)
pooled_crop = pool2d(crop[..., None], **options)[..., 0]
(crop_view, output_view), widths = grid_columns([1, 1])
# One rounding for both grids and the sentence, so that they show the same numbers.
text_format = grid_text_format(window.padded, width=widths[0], max_decimals=3)
winner = None
if window.winner is not None:
    winner = (int(window.input_rows[window.winner[0]]), int(window.input_cols[window.winner[1]]))
with crop_view:
    show_grid(
        numeric_grid_figure(
            window.padded,
            title=f"{CROP_SIZE}×{CROP_SIZE} crop",
            highlight_rows=window.input_rows,
            highlight_cols=window.input_cols,
            text_format=text_format,
            width=widths[0],
            mark=winner,
        ),
        key="pool.window",
    )
with output_view:
    show_grid(
        numeric_grid_figure(
            pooled_crop,
            title="Pooled",
            highlight_rows=[row],
            highlight_cols=[col],
            text_format=text_format,
            width=widths[0],
        ),
        key="pool.output",
    )
st.caption(
    f"The crop is the image's most detailed {CROP_SIZE}×{CROP_SIZE} greyscale square; "
    "the slider starts on the window whose values differ the most."
)
if winner is not None:
    st.markdown(
        f"The largest value in the window, **{window.value:{text_format}}** (circled, at "
        f"{cell_name(*winner)}), wins and becomes output cell {cell_name(row, col)}."
    )
else:
    st.markdown(
        f"The mean of the window's real values, **{window.value:{text_format}}**, becomes "
        f"output cell {cell_name(row, col)} (padding, if any, is left out of the mean)."
    )

st.subheader("Move the image by one pixel")
shift = st.slider("Shift right by (pixels)", 1, 3, 1, **settings.bind("shift"))
grey = to_float(to_grayscale(chosen.pixels))
effects = {
    name: shift_effect(grey, shift=(0, shift), **{**options, "mode": name})
    for name in ("max", "average")
}
max_column, average_column = st.columns(2)
for column, name in ((max_column, "max"), (average_column, "average")):
    column.metric(
        f"{name.capitalize()} pooling: outputs unchanged",
        f"{effects[name].unchanged_fraction:.1%}",
    )
    change = to_display(effects[name].change)
    column.image(
        change.pixels,
        caption=f"Change of each {name}-pooled output ({change.scale})",
        width="stretch",
    )
explain(
    "Max pooling keeps a window's largest value; when the content moves by a pixel, that "
    "value often stays inside the same window, so many outputs do not change at all. "
    "Average pooling mixes every pixel in, so almost every output changes a little."
)
common_mistake(
    "Pooling does not prevent overfitting by itself. It shrinks the feature maps and buys "
    "some tolerance to small shifts (above), but a network with pooling can still learn its "
    "training images by heart; dropout, L2, augmentation and more data are what fight that."
)
