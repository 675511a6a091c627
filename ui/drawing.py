"""A canvas to draw a digit on with the mouse, finger or pen (streamlit-drawable-canvas).

White ink on black, as the 8x8 digits are. The drawing is optional: where the canvas
component cannot load, the page says so and goes on with its other image sources.
"""

import numpy as np
import streamlit as st

CANVAS_SIDE = 224
STROKE_WIDTH = 18


def draw_digit(*, key: str) -> np.ndarray | None:
    """Draw the canvas and return what is drawn on it.

    Args:
        key: the canvas's widget key.

    Returns:
        uint8 `(CANVAS_SIDE, CANVAS_SIDE)` greyscale, white strokes on black, or None
        while nothing is drawn (or the canvas is unavailable).
    """
    try:
        # Imported here: the component registers itself on import, which needs a
        # running Streamlit app.
        from streamlit_drawable_canvas import st_canvas

        result = st_canvas(
            stroke_width=STROKE_WIDTH,
            stroke_color="#ffffff",
            background_color="#000000",
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            key=key,
        )
    except Exception as error:  # any failure of an optional widget must not stop the page
        st.info(
            f"The drawing canvas is not available here ({error}). Upload a photo of a "
            "digit or choose a sample instead.",
            icon=":material/draw:",
        )
        return None
    st.caption("Draw one digit, large, in white; the trash icon clears the canvas.")
    rgba = result.image_data
    if rgba is None:
        return None
    rgba = np.asarray(rgba, dtype=np.float32)
    # Strokes over the black background: each pixel's brightness times its opacity.
    grey = rgba[..., :3].mean(axis=-1) * rgba[..., 3] / 255
    if grey.max() < 1:
        return None
    return np.round(grey).astype(np.uint8)
