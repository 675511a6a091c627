"""Convolution: slide a kernel over a real image, and follow one output value step by step."""

import numpy as np
import pandas as pd
import streamlit as st

from dlcore.concepts.convolution import (
    busiest_window,
    conv_window,
    describe_output_size,
    filter_image,
    output_size,
)
from dlcore.concepts.display import to_display
from dlcore.concepts.kernels import (
    KERNEL_DESCRIPTIONS,
    KERNEL_PRESETS,
    kernel_from_text,
    kernel_to_text,
    make_kernel,
)
from dlcore.figures.convolution import numeric_grid_figure, products_figure
from dlcore.media.images import to_float
from ui.concept_layout import concept_layout
from ui.image_source import choose_image
from ui.presenter import explain
from ui.settings import PageSettings
from ui.window_view import (
    cell_name,
    choose_output_cell,
    grid_columns,
    show_grid,
    show_window,
    window_crop,
)

settings = PageSettings("conv")
CROP_SIZE = 7
WEIGHTS_PARAMETER = "conv.weights"  # an edited kernel, e.g. "0,-1,0;-1,5,-1;0,-1,0"


def _kernel_from_url(preset: str) -> np.ndarray:
    """The kernel in the URL if it has the preset's size and parses, else the preset."""
    text = st.query_params.get(WEIGHTS_PARAMETER)
    if text:
        try:
            weights = kernel_from_text(text)
            if weights.shape == KERNEL_PRESETS[preset].shape:
                return weights
        except ValueError:
            st.warning("The kernel in the link could not be read; using the preset.")
    return KERNEL_PRESETS[preset]


controls, results = concept_layout(
    "Convolution",
    "A convolution slides a small grid of weights, the **kernel**, over the image. At each "
    "position it multiplies the pixels under the kernel by the weights and adds the "
    "products up: one output pixel. The same kernel everywhere finds the same pattern "
    "everywhere — blurs, edges, corners.",
)
with controls:
    chosen = choose_image(settings)
    preset = st.selectbox("Kernel", list(KERNEL_PRESETS), **settings.bind("kernel"))
    st.caption(KERNEL_DESCRIPTIONS[preset])
    edited = st.data_editor(
        pd.DataFrame(_kernel_from_url(preset)),
        key=settings.key(f"editor.{preset}"),
        hide_index=True,
        width="stretch",
    )
    try:
        kernel = make_kernel(edited.to_numpy(dtype=float))
    except (ValueError, TypeError) as error:
        st.error(f"{error} Using the preset kernel.", icon=":material/error:")
        kernel = KERNEL_PRESETS[preset]
    if np.array_equal(kernel, KERNEL_PRESETS[preset]):
        st.query_params.pop(WEIGHTS_PARAMETER, None)
    else:
        st.query_params[WEIGHTS_PARAMETER] = kernel_to_text(kernel)
    stride = st.slider("Stride", 1, 4, 1, **settings.bind("stride"))
    padding = st.radio("Padding", ["same", "valid"], horizontal=True, **settings.bind("padding"))
    dilation = st.slider("Dilation", 1, 3, 1, **settings.bind("dilation"))

image = to_float(chosen.pixels)
height, width = image.shape[:2]
kernel_size = kernel.shape[0]
options = {"padding": padding, "dilation": dilation}
with results:
    try:
        output = filter_image(image, kernel, strides=stride, **options)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    shown = to_display(output)
    before, after = st.columns(2)
    before.image(chosen.pixels, caption=f"Input, {height}×{width} ({chosen.label})")
    after.image(shown.pixels, caption=f"Output, {output.shape[0]}×{output.shape[1]}")
    st.caption(f"Output brightness: {shown.scale}.")
    for note in chosen.notes:
        st.caption(note)
    st.markdown("**Output size**")
    for axis, size in (("rows", height), ("columns", width)):
        formula = describe_output_size(size, kernel_size, stride=stride, **options)
        st.code(f"{axis:>7}: {formula}", language=None)
    explain(
        "The formula: ⌊(input + padding before + padding after − dilated kernel) / stride⌋ "
        "+ 1. 'same' padding adds just enough zeros for the output to be ⌈input / stride⌉; "
        "'valid' adds none, so the output shrinks by the kernel's reach."
    )

st.subheader("One output value, step by step")
crop = window_crop(chosen.pixels, size=CROP_SIZE)
try:
    rows = cols = output_size(CROP_SIZE, kernel_size, stride=stride, **options)
except ValueError as error:
    st.info(f"The {CROP_SIZE}×{CROP_SIZE} crop is too small here. {error}", icon=":material/info:")
    st.stop()
start = busiest_window(crop, kernel_size, strides=stride, **options)
row, col = choose_output_cell(settings, rows=rows, cols=cols, start=start)
window = conv_window(crop, kernel, row=row, col=col, strides=stride, **options)
output_grid = filter_image(crop, kernel, strides=stride, **options)
# Widths in proportion to what each grid holds: the padded crop has the most cells, and
# the output room for two decimals, as the sum of the products below gives them.
(padded_view, products_view, output_view), widths = grid_columns([4, 2.7, 3.8])
with padded_view:
    show_window(
        window.padded,
        window.input_rows,
        window.input_cols,
        title=f"{CROP_SIZE}×{CROP_SIZE} crop, {padding} padding",
        key="conv.window",
        width=widths[0],
    )
with products_view:
    show_grid(products_figure(window, width=widths[1]), key="conv.products")
with output_view:
    show_grid(
        numeric_grid_figure(
            output_grid,
            title="Output",
            highlight_rows=[row],
            highlight_cols=[col],
            width=widths[2],
        ),
        key="conv.output",
    )
st.caption(
    f"The crop is the image's most detailed {CROP_SIZE}×{CROP_SIZE} greyscale square; "
    "the slider starts on the window with the most contrast."
)
st.markdown(
    f"Output cell ({cell_name(row, col)}) = sum of the products = **{window.total:.3f}**. "
    "Move the slider to slide the kernel."
)
