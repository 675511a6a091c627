"""AppTest tests of the Image try-it page's Classify tab: samples, uploads, bad files, models."""

import io
import sys
import types

import numpy as np
import pytest
from helpers import bold_answer, figure, open_page, png_header, tiny_digits_model
from PIL import Image

from dlcore.data.sample_images import SAMPLE_IMAGES
from dlcore.trainers.cnn import held_out_samples
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/try_image.py"
TIMEOUT = 120
LAST_IMAGE_KEY = "try_image.last_image"


def charts(app) -> dict[str, dict]:
    """The page's Plotly charts by title (the first chart of each title)."""
    found = {}
    for index in range(len(app.get("plotly_chart"))):
        spec = figure(app, index)
        found.setdefault(spec["layout"].get("title", {}).get("text", ""), spec)
    return found


def step_captions(app):
    """The captions of "What the model sees", each on one line (long ones wrap in the chart)."""
    annotations = charts(app)["What the model sees"]["layout"]["annotations"]
    return [annotation["text"].replace("<br>", " ") for annotation in annotations]


def answer(app) -> str | None:
    """The class the page says the model chose."""
    return bold_answer(app, "The model says")


def encoded(pixels: np.ndarray, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format)
    return buffer.getvalue()


def paper_digit(label: str) -> np.ndarray:
    """A held-out digit as a 96x96 photo would show it: dark ink on white, off-centre."""
    digit = dict(held_out_samples("digits"))[f"digit {label}"]
    ink = np.asarray(Image.fromarray(digit).resize((48, 48), Image.Resampling.NEAREST))
    page = np.zeros((96, 96), np.uint8)
    page[10:58, 30:78] = ink
    return 255 - page


def upload(app, name: str, data: bytes, mime: str):
    return app.file_uploader(key="try_image.upload").set_value((name, data, mime)).run()


@pytest.fixture
def uploading():
    """The page with "Upload" chosen as the image source."""
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_image.source": "Upload"})
    assert not app.exception
    return app


def test_default_page_predicts_with_bars_and_grad_cam():
    app = open_page(PAGE, timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.selectbox(key="try_image.model").value == "digits"
    assert app.selectbox(key="try_image.sample").value == "digits/digit 0"
    assert answer(app) == "0"
    found = charts(app)
    bars = found["What the model thinks"]["data"][0]
    assert bars["type"] == "bar" and len(bars["y"]) == 5 and bars["y"][0] == "0"
    explanation = next(spec for title, spec in found.items() if title.startswith("Where"))
    panels = [annotation["text"] for annotation in explanation["layout"]["annotations"]]
    assert panels == ["Image", "Grad-CAM", "Saliency"]
    assert all(trace["type"] == "image" for trace in explanation["data"])
    assert step_captions(app) == ["Original (8×8)", "Resized to 8×8: the model input"]
    assert any(title.startswith("relu_1") for title in found)


def test_every_sample_gives_a_prediction():
    app = open_page(PAGE, timeout=TIMEOUT)
    samples = [
        f"{dataset}/{caption}"
        for dataset in ("digits", "faces", "shapes")
        for caption, _ in held_out_samples(dataset)
    ] + [f"photo/{name}" for name in SAMPLE_IMAGES]
    assert len(app.selectbox(key="try_image.sample").options) == len(samples)
    n_digits_right = 0
    for sample in samples:
        app.selectbox(key="try_image.sample").set_value(sample).run()
        assert not app.exception, sample
        assert not app.error, sample
        predicted = answer(app)
        if sample.startswith("digits/"):
            n_digits_right += predicted == sample.removeprefix("digits/digit ")
    # The bundled model reads about 97 % of held-out digits right.
    assert n_digits_right >= 8


def test_samples_follow_the_chosen_model():
    app = open_page(PAGE, timeout=TIMEOUT)
    app.selectbox(key="try_image.model").set_value("faces").run()
    assert not app.exception
    assert app.selectbox(key="try_image.sample").value == "faces/not face"
    assert answer(app) in ("face", "not face")
    app.selectbox(key="try_image.model").set_value("shapes").run()
    assert app.selectbox(key="try_image.sample").value == "shapes/circle"
    steps = step_captions(app)
    assert steps[-1] == "Resized to 32×32: the model input"


def test_upload_png_of_a_digit_on_paper_is_cropped_and_inverted_with_no_toggle(uploading):
    app = upload(uploading, "seven.png", encoded(paper_digit("7"), "PNG"), "image/png")
    assert not app.exception and not app.error
    # The digits model's own preprocessing finds the ink: a person sets nothing.
    assert not [toggle for toggle in app.toggle if toggle.key == "try_image.crop.Upload"]
    steps = step_captions(app)
    assert steps[1].startswith("Ink, bright on black")
    assert steps[2].startswith("Cropped to the ink")
    assert steps[-1].endswith("the model input")
    assert answer(app) == "7"
    assert app.session_state[LAST_IMAGE_KEY][1] == "upload: seven.png"


def test_upload_jpeg_photo(uploading):
    uploading.selectbox(key="try_image.model").set_value("shapes").run()
    photo = np.zeros((120, 160, 3), np.uint8)
    photo[30:90, 50:110] = (230, 60, 40)  # a red square on black
    app = upload(uploading, "square.jpg", encoded(photo, "JPEG"), "image/jpeg")
    assert not app.exception and not app.error
    assert answer(app) in ("circle", "square", "triangle", "star")
    steps = step_captions(app)
    assert steps[:2] == ["Original (160×120)", "Middle square (120×120)"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"These are my notes, not a picture.", "not an image"),
        ("broken.png", encoded(np.zeros((40, 40, 3), np.uint8), "PNG")[:60], "damaged"),
        ("huge.png", png_header(60_000, 60_000), "the limit is 40 megapixels"),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "SVG"),
    ],
)
def test_bad_upload_shows_an_error_and_keeps_the_previous_image(uploading, name, data, message):
    uploading.selectbox(key="try_image.model").set_value("faces").run()
    face = dict(held_out_samples("faces"))["face"]
    app = upload(uploading, "face.png", encoded(face, "PNG"), "image/png")
    assert answer(app) == "face"
    app = upload(app, name, data, "image/png")
    assert not app.exception
    assert len(app.error) == 1
    assert message.lower() in app.error[0].value.lower()
    assert "previous image" in app.error[0].value
    assert app.selectbox(key="try_image.model").value == "faces"
    assert app.session_state[LAST_IMAGE_KEY][1] == "upload: face.png"
    assert answer(app) == "face"


def test_a_small_drawing_is_cropped_centred_and_read(monkeypatch):
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_image.source": "Draw"})
    assert not app.exception
    # The canvas's component runs only in a browser: stand in for it with a drawing of
    # a "1", a short white stroke near the top-left corner of the black canvas.
    canvas = np.zeros((224, 224, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[20:90, 40:54, :3] = 255
    component = sys.modules["streamlit_drawable_canvas"]
    monkeypatch.setattr(
        component, "st_canvas", lambda **_: types.SimpleNamespace(image_data=canvas)
    )
    app.run()
    assert not app.exception and not app.error
    assert app.session_state[LAST_IMAGE_KEY][1] == "your drawing"
    steps = step_captions(app)
    assert steps[2].startswith("Cropped to the ink")
    assert answer(app) == "1"


def test_draw_and_camera_sources_without_input_show_the_sample():
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_image.source": "Draw"})
    assert not app.exception and not app.error
    assert answer(app) == "0"
    app.radio(key="try_image.source").set_value("Camera").run()
    assert not app.exception and not app.error
    assert any("No camera image yet" in caption.value for caption in app.caption)


def test_a_camera_snapshot_of_a_digit_on_paper_is_read():
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_image.source": "Camera"})
    snapshot = encoded(np.stack([paper_digit("7")] * 3, axis=-1), "JPEG")
    app.camera_input(key="try_image.camera").set_value(("image.jpg", snapshot, "image/jpeg"))
    app.run()
    assert not app.exception and not app.error
    assert app.session_state[LAST_IMAGE_KEY][1] == "camera: snapshot"
    assert step_captions(app)[2].startswith("Cropped to the ink")
    assert answer(app) == "7"


def test_a_model_trained_in_this_session_appears_in_the_model_choice():
    trained = tiny_digits_model("CNN on digits (test)")
    app = open_page(PAGE, timeout=TIMEOUT)
    app.session_state[REGISTRY_KEY] = {trained.title: trained}
    app.run()
    model_box = app.selectbox(key="try_image.model")
    assert "CNN on digits (test) (trained in this session)" in model_box.options
    app = model_box.set_value("session:CNN on digits (test)").run()
    assert not app.exception and not app.error
    assert any("50.0 % correct" in caption.value for caption in app.caption)
    assert answer(app) in trained.labels
    assert any(title.startswith("Where") for title in charts(app))
