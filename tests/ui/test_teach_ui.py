"""AppTest of the "Teach your own classes" tab (ui/teach.py), run alone by tests/teach_app.py:
classes named, images uploaded and snapped, a bad file skipped, a model trained and tried."""

import io
import json

import numpy as np
import pytest
from helpers import ROOT
from PIL import Image
from streamlit.testing.v1 import AppTest

from dlcore.data.shapes import make_shapes

pytestmark = pytest.mark.slow


def encoded(pixels, *, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=format)
    return buffer.getvalue()


def shape_files(kind, n):
    """`n` generated images of one shape ("circle" or "square") as PNG upload tuples."""
    shapes = make_shapes(16, seed=0, backgrounds=("plain",))
    pixels = np.round(shapes.images * 255).astype(np.uint8)
    rows = np.flatnonzero(shapes.target == shapes.target_names.index(kind))[:n]
    return [(f"{kind}{i}.png", encoded(pixels[row]), "image/png") for i, row in enumerate(rows)]


def open_tab():
    return AppTest.from_file(str(ROOT / "tests" / "teach_app.py"), default_timeout=180).run()


def uploader(app, number):
    """The image uploader of the number-th class (1-based), whatever its current key."""
    return [box for box in app.file_uploader if box.key.startswith("teach.upload.")][number - 1]


def texts(elements):
    return " ".join(element.value for element in elements)


def test_tab_starts_with_two_empty_classes_and_no_training():
    app = open_tab()
    assert not app.exception
    assert [box.value for box in app.text_input] == ["Class 1", "Class 2"]
    assert app.button(key="teach.train").disabled
    assert "'Class 1' has 0 images: add at least 3" in texts(app.info)


def test_add_and_remove_classes_within_two_to_five():
    app = open_tab()
    for _ in range(3):
        app.button(key="teach.add_class").click().run()
    assert len(app.text_input) == 5
    assert app.button(key="teach.add_class").disabled
    app.button(key="teach.remove.1").click().run()
    assert [box.value for box in app.text_input] == ["Class 2", "Class 3", "Class 4", "Class 5"]
    for key in ("teach.remove.2", "teach.remove.3"):
        app.button(key=key).click().run()
    assert len(app.text_input) == 2
    assert all(button.disabled for button in app.button if button.key.startswith("teach.remove"))
    assert not app.exception


def test_names_must_differ():
    app = open_tab()
    app.text_input[1].set_value("class 1").run()
    assert "both called 'class 1'" in texts(app.info)


def test_teach_train_and_classify():
    app = open_tab()
    app.text_input[0].set_value("circle")
    app.text_input[1].set_value("square").run()
    # A file that is not an image is named, skipped, and the others are kept.
    bad = ("notes.png", b"this is not a picture", "image/png")
    uploader(app, 1).set_value([*shape_files("circle", 2), bad, *shape_files("circle", 3)[2:]])
    app.run()
    assert not app.exception
    warnings = texts(app.warning)
    assert "notes.png was skipped" in warnings
    assert "**3** images Added 3 images." in texts(app.caption)
    uploader(app, 2).set_value(shape_files("square", 2)).run()
    assert "**2** images (at least 3 needed)" in texts(app.caption)
    assert app.button(key="teach.train").disabled
    # A camera snapshot adds to its class.
    app.toggle(key="teach.camera_on.2").set_value(True).run()
    square = Image.open(io.BytesIO(shape_files("square", 3)[2][1]))
    snapshot = encoded(np.asarray(square), format="JPEG")
    app.camera_input[0].set_value(("snap.jpg", snapshot, "image/jpeg")).run()
    assert not app.exception
    assert texts(app.caption).count("**3** images") == 2
    assert not app.button(key="teach.train").disabled

    app.slider(key="teach.epochs").set_value(3)
    app.button(key="teach.train").click().run()
    assert not app.exception
    assert "Your classes: 3 epochs" in texts(app.caption)
    assert app.metric[0].label == "Accuracy on your training images"
    registry = app.session_state["trained_models"]
    (trained,) = registry.values()
    assert trained.task == "custom" and trained.labels == ("circle", "square")
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels[0] == "Trained model (.keras)" and "Keras code (.py)" in labels
    assert "def build_cnn(" in app.get("code")[-1].value  # the builder the app itself calls
    # 3 images per class: all train, and the page says there is no test score.
    assert "training images themselves" in texts(app.caption)
    assert "Test accuracy" not in [metric.label for metric in app.metric]

    # Classify a new image: confidence bars over the two classes.
    app.file_uploader(key="teach.try_upload").set_value(shape_files("circle", 4)[3]).run()
    assert not app.exception
    (chart,) = [c for c in app.get("plotly_chart") if "teach.confidence" in c.proto.id]
    bars = json.loads(chart.proto.spec)["data"][0]
    assert sorted(bars["y"]) == ["circle", "square"]

    # A bad file to classify: a warning, and the model is still there.
    app.file_uploader(key="teach.try_upload").set_value(bad).run()
    assert not app.exception
    assert "notes.png" in texts(app.warning)
    assert app.session_state["trained_models"]

    # Training more continues the same model; a second Train adds epochs.
    app.slider(key="teach.epochs").set_value(1)
    app.button(key="teach.train").click().run()
    assert "Your classes: 4 epochs" in texts(app.caption)
    assert len(app.session_state["trained_models"]) == 1

    # Changing the classes afterwards says the model is out of date; nothing is lost.
    app.text_input[1].set_value("box").run()
    assert "changed since this model trained" in texts(app.info)
    assert len(app.session_state["trained_models"]) == 1


def test_tab_on_the_image_page_keeps_names_and_images_across_pages():
    from helpers import open_page

    app = open_page("app_pages/try_image.py", timeout=180)
    assert not app.exception
    assert [box.key for box in app.text_input if box.key.startswith("teach.")] == [
        "teach.name.1",
        "teach.name.2",
    ]
    uploader(app, 1).set_value([*shape_files("circle", 1), ("bad.gif", b"GIF89a", "image/gif")])
    app.run()
    assert not app.exception
    assert "bad.gif was skipped" in texts(app.warning)
    assert "**1** image" in texts(app.caption)
    app.text_input(key="teach.name.1").set_value("circle").run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page("app_pages/try_image.py").run()
    assert not app.exception
    assert app.text_input(key="teach.name.1").value == "circle"
    assert "**1** image" in texts(app.caption)
