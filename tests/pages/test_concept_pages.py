"""AppTest tests of the Convolution and Pooling pages: settings, numbers, uploads, bad files."""

import base64
import io

import numpy as np
import pytest
from helpers import figure, open_page, png_header
from PIL import Image

from dlcore.concepts.convolution import conv2d
from dlcore.concepts.kernels import KERNEL_PRESETS
from dlcore.concepts.pooling import global_pool
from dlcore.data.sample_images import load_sample
from dlcore.media.images import detailed_crop, fit_within, to_float, to_grayscale

CONVOLUTION = "app_pages/convolution.py"
POOLING = "app_pages/pooling.py"


def captions(app) -> list[str]:
    return [caption.value for caption in app.caption] + [
        image.proto.imgs[0].caption for image in app.get("image")
    ]


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_convolution_shows_input_and_output_with_their_sizes():
    app = open_page(CONVOLUTION)
    assert not app.exception
    shown = captions(app)
    assert "Input, 512×512 (sample: astronaut)" in shown
    assert "Output, 512×512" in shown
    assert any("black = 0, white = 1" in caption for caption in shown)


def test_stride_two_halves_the_output_and_fills_in_the_formula():
    app = open_page(CONVOLUTION, **{"conv.stride": "2", "conv.kernel": "Sobel x"})
    assert not app.exception
    assert "Output, 256×256" in captions(app)
    formulas = [code.value for code in app.code]
    assert [formula.split(":")[0].strip() for formula in formulas] == ["rows", "columns"]
    assert all(formula.endswith("= 256") for formula in formulas)
    assert any("mid-grey = 0" in caption for caption in captions(app))


def test_the_step_by_step_sum_is_the_convolution_of_the_crop():
    app = open_page(CONVOLUTION, **{"conv.kernel": "Sharpen", "conv.padding": "valid"})
    crop = to_float(detailed_crop(to_grayscale(load_sample("astronaut")), size=7))
    kernel = KERNEL_PRESETS["Sharpen"][..., None, None]
    expected = conv2d(crop[..., None], kernel, padding="valid")[..., 0]
    cell = app.slider(key="conv.cell").value
    row, col = divmod(cell - 1, expected.shape[1])
    sentence = next(m.value for m in app.markdown if m.value.startswith("Output cell"))
    assert f"**{expected[row, col]:.3f}**" in sentence


def test_a_moved_output_cell_survives_settings_that_shrink_the_output():
    # Found by `make bench`: the slider's start value outlived a smaller output.
    app = open_page(CONVOLUTION)
    for kind, key, value in [
        ("selectbox", "conv.kernel", "Sobel x"),
        ("slider", "conv.stride", 2),
        ("slider", "conv.cell", 3),
        ("slider", "conv.dilation", 2),
        ("radio", "conv.padding", "valid"),
    ]:
        app = getattr(app, kind)(key=key).set_value(value).run()
        assert not app.exception, f"after {key} = {value}"
    cell = app.slider(key="conv.cell")
    assert (cell.value, cell.max) == (3, 4)


def test_the_output_grid_shows_the_chosen_cell_as_the_sum_gives_it():
    app = open_page(CONVOLUTION)
    output = figure(app, 2)
    cell = app.slider(key="conv.cell").value
    row, col = divmod(cell - 1, len(output["data"][0]["text"][0]))
    sentence = next(m.value for m in app.markdown if m.value.startswith("Output cell"))
    total = float(sentence.split("**")[1])
    # Two decimals in the grid: the sum's 0.475 is not shown as a puzzling 0.5.
    assert output["data"][0]["text"][row][col] == f"{total:.2f}"


def test_a_kernel_in_the_url_is_used_and_a_broken_one_is_explained():
    doubled = open_page(CONVOLUTION, **{"conv.weights": "0,0,0;0,2,0;0,0,0"})
    assert any("white = 2" in caption for caption in captions(doubled))
    broken = open_page(CONVOLUTION, **{"conv.weights": "a,b;c"})
    assert not broken.exception
    assert any("could not be read" in warning.value for warning in broken.warning)


def test_the_output_cell_stays_in_range_when_the_output_shrinks():
    app = open_page(CONVOLUTION)
    app.slider(key="conv.cell").set_value(49).run()
    app.slider(key="conv.stride").set_value(4).run()
    assert not app.exception
    assert app.slider(key="conv.cell").value <= app.slider(key="conv.cell").max


def test_a_kernel_too_wide_for_the_crop_is_explained_not_raised():
    app = open_page(
        CONVOLUTION,
        **{"conv.kernel": "Gaussian blur 5x5", "conv.padding": "valid", "conv.dilation": "3"},
    )
    assert not app.exception
    assert any("too small" in info.value for info in app.info)


def upload(app, name: str, data: bytes, mime: str):
    app.radio(key="conv.source").set_value("Upload").run()
    return app.file_uploader[0].set_value((name, data, mime)).run()


def test_an_uploaded_image_is_used():
    app = upload(open_page(CONVOLUTION), "red.png", png_bytes(), "image/png")
    assert not app.exception
    assert "Input, 48×64 (upload: red.png)" in captions(app)


def test_a_camera_snapshot_is_used():
    app = open_page(CONVOLUTION, **{"conv.source": "Camera"})
    assert any("No camera image yet" in caption for caption in captions(app))
    snapshot = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 30, 200)).save(snapshot, format="JPEG")
    app = app.camera_input[0].set_value(("snapshot.jpg", snapshot.getvalue(), "image/jpeg"))
    app = app.run()
    assert not app.exception and not app.error
    assert "Input, 60×80 (camera: snapshot.jpg)" in captions(app)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"just some text, not a picture", "not an image"),
        ("empty.png", b"", "empty"),
        ("half.png", png_bytes()[:40], "damaged or incomplete"),
        ("bomb.png", png_header(30_000, 30_000), "30000"),
    ],
)
def test_a_bad_upload_is_explained_and_the_page_goes_on(name, data, message):
    app = open_page(CONVOLUTION, **{"conv.kernel": "Sobel y", "conv.stride": "2"})
    app = upload(app, name, data, "image/png")
    assert not app.exception
    assert any(message in error.value for error in app.error)
    # The sample stands in, and the person's settings are all still there.
    assert "Input, 512×512 (sample: astronaut)" in captions(app)
    assert app.selectbox(key="conv.kernel").value == "Sobel y"
    assert app.slider(key="conv.stride").value == 2


def test_pooling_halves_the_image_and_max_survives_a_shift_better():
    app = open_page(POOLING)
    assert not app.exception
    assert "Max pooled, 256×256" in captions(app)
    metrics = {metric.label: float(metric.value.rstrip("%")) for metric in app.metric}
    assert metrics["Max pooling: outputs unchanged"] > metrics["Average pooling: outputs unchanged"]


def test_global_average_pooling_shows_one_number_per_channel():
    app = open_page(POOLING, **{"pool.mode": "Global average", "pool.sample": "Coffee"})
    assert not app.exception
    # The page works on the photo scaled to at most 512 pixels a side, as a person sees it.
    scaled, note = fit_within(load_sample("coffee"), max_side=512)
    assert note is not None
    expected = global_pool(to_float(scaled), mode="average")
    shown = [float(metric.value) for metric in app.metric]
    np.testing.assert_allclose(shown, expected, atol=5e-4)


def test_the_winning_value_is_the_largest_in_its_window():
    app = open_page(POOLING, **{"pool.size": "3", "pool.stride": "2"})
    crop = to_float(detailed_crop(to_grayscale(load_sample("astronaut")), size=8))
    sentence = next(m.value for m in app.markdown if "wins" in m.value)
    row, col = divmod(app.slider(key="pool.cell").value - 1, 3)
    window = crop[2 * row : 2 * row + 3, 2 * col : 2 * col + 3]
    assert f"**{window.max():.3f}**" in sentence


def test_pooling_in_greyscale_and_same_padding_runs():
    app = open_page(POOLING, **{"pool.color": "false", "pool.padding": "same", "pool.size": "3"})
    assert not app.exception
    assert "Max pooled, 256×256" in captions(app)


def grid_values(grid: dict) -> np.ndarray:
    """The values of a numeric grid figure, as Plotly's JSON carries them (maybe base64)."""
    z = grid["data"][0]["z"]
    if isinstance(z, dict):
        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
        return flat.reshape([int(size) for size in z["shape"].split(",")])
    return np.array(z, dtype=float)


def assert_numbers_and_title_fit(grid: dict) -> None:
    """Each number, at its font size, is narrower than its cell, and each title line
    fits the figure at presenter mode's title size (28 px); a digit is at most 0.6 em."""
    layout, (heatmap,) = grid["layout"], grid["data"]
    n_cols = grid_values(grid).shape[1]
    cell = (layout["width"] - layout["margin"]["l"] - layout["margin"]["r"]) / n_cols
    widest = max(len(number) for row in heatmap["text"] for number in row)
    assert heatmap["textfont"]["size"] * 0.6 * widest <= cell
    assert heatmap["textfont"]["size"] >= 10
    for line in layout["title"]["text"].split("<br>"):
        assert len(line) * 0.6 * 28 <= layout["width"]


@pytest.mark.parametrize("presenter", [False, True])
def test_the_padded_crop_numbers_and_titles_fit_their_cells(presenter):
    app = open_page(CONVOLUTION, **({"presenter": "true"} if presenter else {}))
    assert not app.exception
    padded, products, output = (figure(app, index) for index in range(3))
    assert grid_values(padded).shape == (9, 9)  # 7×7 and 'same' padding for a 3×3 kernel
    for grid in (padded, products, output):
        assert_numbers_and_title_fit(grid)


def test_the_convolution_starts_on_a_window_that_holds_an_edge():
    app = open_page(CONVOLUTION)
    padded = grid_values(figure(app, 0))
    outlined = {
        (round(s["y0"] + 0.5), round(s["x0"] + 0.5)) for s in figure(app, 0)["layout"]["shapes"]
    }
    window = np.array([padded[row, col] for row, col in outlined])
    assert window.max() - window.min() > 0.3


def test_the_output_cell_is_kept_in_the_url_and_a_bookmark_reopens_it():
    app = open_page(CONVOLUTION)
    assert app.slider(key="conv.cell").proto.query_param_key == "conv.cell"
    bookmarked = open_page(CONVOLUTION, **{"conv.cell": "12"})
    assert bookmarked.slider(key="conv.cell").value == 12
    sentence = next(m.value for m in bookmarked.markdown if m.value.startswith("Output cell"))
    assert "row 2, column 5" in sentence  # cell 12 of 7 a row, counted from 1


@pytest.mark.parametrize(
    "page", [CONVOLUTION, POOLING, "app_pages/activations.py", "app_pages/optimizers.py"]
)
def test_every_control_of_a_concept_page_is_kept_in_the_url(page):
    app = open_page(page, timeout=60)
    kinds = ("slider", "select_slider", "selectbox", "radio", "toggle", "multiselect", "pills")
    controls = [widget for kind in kinds for widget in app.get(kind)]
    assert len(controls) >= 5
    unbound = [widget.proto.label for widget in controls if not widget.proto.query_param_key]
    assert unbound == []


def test_pooling_starts_on_a_window_whose_values_differ_and_circles_the_winner():
    app = open_page(POOLING)
    grid = figure(app, 0)
    values = grid_values(grid)
    shapes = grid["layout"]["shapes"]
    outlined = [(round(s["y0"] + 0.5), round(s["x0"] + 0.5)) for s in shapes if s["type"] == "rect"]
    (circle,) = [s for s in shapes if s["type"] == "circle"]
    winner = (round((circle["y0"] + circle["y1"]) / 2), round((circle["x0"] + circle["x1"]) / 2))
    window = [values[cell] for cell in outlined]
    assert max(window) - min(window) > 0.1
    assert winner in outlined and values[winner] == max(window)
    assert_numbers_and_title_fit(grid)
    # The sentence writes the winner as the grid does.
    shown = grid["data"][0]["text"][winner[0]][winner[1]]
    sentence = next(m.value for m in app.markdown if "wins" in m.value)
    assert f"**{shown}**" in sentence


def test_the_optimizers_and_losses_on_are_pills_that_show_every_name():
    app = open_page("app_pages/optimizers.py", timeout=60, **{"opt.steps": "20"})
    assert not app.exception
    assert not app.multiselect
    optimizers, losses = app.pills(key="opt.optimizers"), app.pills(key="opt.losses")
    assert "SGD + momentum" in [option.content for option in optimizers.proto.options]
    assert len(optimizers.value) == len(optimizers.proto.options)
    assert losses.value == ["mse", "mae", "huber"]
    # In a column, pills would otherwise stay on one row and cut the names off.
    assert optimizers.proto.wrap and losses.proto.wrap
