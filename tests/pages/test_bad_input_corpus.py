"""Every case of the bad-input corpus (tests/bad_inputs.py) through the page that takes it.

Each page is opened once and kept for all its cases, as one browser session would be,
holding what a person may already have: a model trained in the session, a trainer's
history and a changed setting. Each case then checks that the page raised no exception,
showed the error or warning the case expects (or its normal answer, with the expected
note), and that the model, the history and the setting are all still there.
"""

import dataclasses
import hashlib

import numpy as np
import pytest
from bad_inputs import BadInput, cases_for, image_file, photo
from helpers import ROOT, bold_answer, open_page, tiny_digits_model
from PIL import Image
from streamlit.testing.v1 import AppTest

from dlcore.media.texts import MAX_BATCH_TEXTS
from dlcore.training.history import History
from dlcore.training.saving import TrainedModel
from ui.trainer import REGISTRY_KEY, TrainerRun

TIMEOUT = 180
KEPT_RUN_KEY = "cnn.run"
"""Where the planted training history lives: the CNN trainer page's run."""


@dataclasses.dataclass(frozen=True)
class Keepsakes:
    """What the browser session had before the bad input, to find intact afterwards."""

    trained: TrainedModel
    run: TrainerRun
    n_epochs: int


@pytest.fixture(scope="module")
def trained_model() -> TrainedModel:
    """A tiny digits CNN, as the CNN page registers it for the try-it pages."""
    return tiny_digits_model("CNN on digits (kept)")


def plant_keepsakes(app: AppTest, trained: TrainedModel) -> Keepsakes:
    """Put a trained model and a three-epoch training history into the session."""
    history = History()
    for epoch in (1, 2, 3):
        history.append(epoch, {"loss": 1.0 / epoch, "accuracy": 0.3 * epoch})
    run = TrainerRun(model=trained.model, history=history, status="trained", device="CPU:0")
    app.session_state[REGISTRY_KEY] = {trained.title: trained}
    app.session_state[KEPT_RUN_KEY] = run
    return Keepsakes(trained=trained, run=run, n_epochs=3)


def assert_keepsakes_intact(app: AppTest, keepsakes: Keepsakes) -> None:
    registry = app.session_state[REGISTRY_KEY]
    assert list(registry) == [keepsakes.trained.title]
    assert registry[keepsakes.trained.title] is keepsakes.trained, "the trained model was replaced"
    run = app.session_state[KEPT_RUN_KEY]
    assert run is keepsakes.run, "the training run was replaced"
    assert run.model is keepsakes.trained.model
    assert run.epochs_trained == keepsakes.n_epochs
    assert run.history.metrics["loss"] == [1.0, 0.5, pytest.approx(1 / 3)]


def shown(elements) -> str:
    """The text of message elements as a person reads it: Markdown escapes removed."""
    return " ".join(element.value for element in elements).replace("\\", "").lower()


def assert_one_error_saying(app: AppTest, case: BadInput, *, and_then: str) -> None:
    assert len(app.error) == 1, [error.value for error in app.error]
    message = shown(app.error)
    assert case.message in message, message
    assert and_then.lower() in message


def ids(cases: list[BadInput]) -> list[str]:
    return [case.name for case in cases]


# The Image page ---------------------------------------------------------------------------

IMAGE_PAGE = "app_pages/try_image.py"
LAST_IMAGE_KEY = "try_image.last_image"
IMAGE_CASES = cases_for("image")


def image_answer(app: AppTest) -> str | None:
    """The class the Image page says the model chose, or None if it shows no answer."""
    return bold_answer(app, "The model says")


@pytest.fixture(scope="module")
def image_page(trained_model):
    app = open_page(IMAGE_PAGE, timeout=TIMEOUT, **{"try_image.source": "Upload"})
    keepsakes = plant_keepsakes(app, trained_model)
    app.selectbox(key="try_image.model").set_value("shapes").run()
    assert not app.exception
    assert image_answer(app) in ("circle", "square", "triangle", "star")
    return app, keepsakes


@pytest.mark.parametrize("case", IMAGE_CASES, ids=ids(IMAGE_CASES))
def test_image_page_handles(image_page, case):
    app, keepsakes = image_page
    previous_label = app.session_state[LAST_IMAGE_KEY][1]

    upload = (case.file_name, case.data, case.mime)
    app.file_uploader(key="try_image.upload").set_value(upload).run()

    assert not app.exception
    if case.outcome == "error":
        assert_one_error_saying(app, case, and_then="Showing the previous image meanwhile")
        assert app.session_state[LAST_IMAGE_KEY][1] == previous_label
    else:
        assert not app.error, shown(app.error)
        assert app.session_state[LAST_IMAGE_KEY][1] == f"upload: {case.file_name}"
        assert case.message in shown(app.caption)
    assert image_answer(app) in ("circle", "square", "triangle", "star")
    if case.upright is not None:
        pixels = app.session_state[LAST_IMAGE_KEY][0]
        assert pixels.shape == case.upright.shape, "the EXIF orientation was not applied"
        # JPEG blurs the colours a little; a photo left sideways would differ by ~100.
        difference = np.abs(pixels.astype(int) - case.upright.astype(int)).mean()
        assert difference < 12
    assert app.selectbox(key="try_image.model").value == "shapes"
    assert_keepsakes_intact(app, keepsakes)


# The "Teach your own classes" tab -----------------------------------------------------------

TEACH_CASES = cases_for("teach")


def good_upload(name: str) -> tuple[str, bytes, str]:
    return name, image_file(Image.fromarray(photo(40, 40, seed=len(name))), "PNG"), "image/png"


@pytest.fixture(scope="module")
def teach_tab(trained_model):
    """The tab alone (tests/teach_app.py), with its first class renamed and epochs changed."""
    app = AppTest.from_file(str(ROOT / "tests" / "teach_app.py"), default_timeout=TIMEOUT).run()
    keepsakes = plant_keepsakes(app, trained_model)
    app.text_input(key="teach.name.1").set_value("holidays")
    app.slider(key="teach.epochs").set_value(5).run()
    assert not app.exception
    return app, keepsakes


@pytest.mark.parametrize("case", TEACH_CASES, ids=ids(TEACH_CASES))
def test_teach_tab_handles(teach_tab, case):
    app, keepsakes = teach_tab
    holidays = app.session_state["teach.classes"][0]
    n_before = len(holidays.images)
    uploader = next(box for box in app.file_uploader if box.key.startswith("teach.upload.1."))

    uploader.set_value(
        [
            good_upload("before.png"),
            (case.file_name, case.data, case.mime),
            good_upload("after.png"),
        ]
    ).run()

    assert not app.exception
    warnings = shown(app.warning)
    if case.outcome == "error":
        assert f"{case.file_name.lower()} was skipped" in warnings
        assert case.message in warnings
        assert len(holidays.images) == n_before + 2, "the good files around it were not kept"
    else:
        assert not warnings
        assert len(holidays.images) == n_before + 3
    if case.upright is not None:
        # The tab keeps images scaled to its stored size; the colours must be upright.
        kept = holidays.images[-2]
        top, bottom = kept[: len(kept) // 2], kept[len(kept) // 2 :]
        assert top[..., 0].mean() > 150 > top[..., 2].mean(), "the top is not the red half"
        assert bottom[..., 2].mean() > 150 > bottom[..., 0].mean()
    assert app.text_input(key="teach.name.1").value == "holidays"
    assert app.slider(key="teach.epochs").value == 5
    assert_keepsakes_intact(app, keepsakes)


# The Convolution and Pooling pages --------------------------------------------------------------

# page -> (script, settings prefix, a setting's widget kind and name, the value set)
CONCEPT_PAGES = {
    "convolution": ("app_pages/convolution.py", "conv", "selectbox", "kernel", "Sobel x"),
    "pooling": ("app_pages/pooling.py", "pool", "radio", "mode", "Average"),
}
# Images these pages fail on today, with a traceback: their step-by-step window needs a
# crop of 7 (Convolution) or 8 (Pooling) pixels a side, and 'valid' pooling a window's
# worth, which a 1x1 image or a 20000x4 strip (512x1 once scaled) does not have. Either a
# message (ui/image_source.py refusing images under that size, as it does a damaged
# file) or a picture will do; once one is shown, these tests pass and the mark must go.
# Decoded fine, but too small to follow a window across: the concept pages refuse them.
TOO_SMALL_FOR_THE_WINDOW = {"one-pixel", "20000x4-strip"}


def concept_cases(page: str) -> list:
    return [pytest.param(case, id=case.name) for case in cases_for(page)]


@pytest.fixture(scope="module")
def concept_pages(trained_model):
    """Each concept page, opened on "Upload", with one of its settings changed."""
    opened = {}
    for page, (script, prefix, kind, setting, value) in CONCEPT_PAGES.items():
        app = open_page(script, timeout=TIMEOUT, **{f"{prefix}.source": "Upload"})
        keepsakes = plant_keepsakes(app, trained_model)
        getattr(app, kind)(key=f"{prefix}.{setting}").set_value(value).run()
        assert not app.exception
        opened[page] = app, keepsakes
    return opened


def check_concept_page(concept_pages, page: str, case: BadInput) -> None:
    app, keepsakes = concept_pages[page]
    _, prefix, kind, setting, value = CONCEPT_PAGES[page]

    app.file_uploader(key=f"{prefix}.upload").set_value(
        (case.file_name, case.data, case.mime)
    ).run()

    assert not app.exception, app.exception[0].message
    # The input image's caption says where it came from: "Input, 512×512 (sample: ...)".
    input_caption = app.get("image")[0].proto.imgs[0].caption
    if case.name in TOO_SMALL_FOR_THE_WINDOW:
        assert len(app.error) == 1
        assert "choose a larger image" in shown(app.error)
        assert input_caption.endswith("(sample: astronaut)")
    elif case.outcome == "error":
        assert_one_error_saying(app, case, and_then="Showing the sample meanwhile")
        assert input_caption.endswith("(sample: astronaut)")
    else:
        assert not app.error, shown(app.error)
        assert input_caption.endswith(f"(upload: {case.file_name})")
        assert case.message in shown(app.caption)
    assert getattr(app, kind)(key=f"{prefix}.{setting}").value == value
    assert_keepsakes_intact(app, keepsakes)


@pytest.mark.parametrize("case", concept_cases("convolution"))
def test_convolution_page_handles(concept_pages, case):
    check_concept_page(concept_pages, "convolution", case)


@pytest.mark.parametrize("case", concept_cases("pooling"))
def test_pooling_page_handles(concept_pages, case):
    check_concept_page(concept_pages, "pooling", case)


# The Video page -------------------------------------------------------------------------------

VIDEO_PAGE = "app_pages/try_video.py"
LAST_CLIP_KEY = "try_video.last_clip"
VIDEO_CASES = cases_for("video")
# The page names the motions for people: "zoom in", not zoom_in.
MOTIONS = ("left", "right", "up", "down", "zoom in", "zoom out")


def video_answer(app: AppTest) -> str | None:
    """The class the Video page says the model chose, or None if it shows no answer."""
    return bold_answer(app, "Over the whole clip")


@pytest.fixture(scope="module")
def video_page(trained_model):
    app = open_page(VIDEO_PAGE, timeout=TIMEOUT, **{"try_video.source": "Upload"})
    keepsakes = plant_keepsakes(app, trained_model)
    app.selectbox(key="try_video.sample").set_value("left").run()
    assert not app.exception
    assert video_answer(app) in MOTIONS
    return app, keepsakes


@pytest.mark.parametrize("case", VIDEO_CASES, ids=ids(VIDEO_CASES))
def test_video_page_handles(video_page, case):
    app, keepsakes = video_page
    previous_clip = app.session_state[LAST_CLIP_KEY]["name"]

    app.file_uploader(key="try_video.upload").set_value(
        (case.file_name, case.data, case.mime)
    ).run()

    assert not app.exception
    if case.outcome == "error":
        assert_one_error_saying(app, case, and_then="Showing the last clip that worked meanwhile")
        assert app.session_state[LAST_CLIP_KEY]["name"] == previous_clip
    else:
        assert not app.error, shown(app.error)
        assert app.session_state[LAST_CLIP_KEY]["name"] == f"upload: {case.file_name}"
        assert case.message in shown(app.caption) + shown(app.info)
    assert video_answer(app) in MOTIONS
    if case.frame_times is not None:
        digest = hashlib.sha256(case.data).hexdigest()
        analyses = app.session_state["try_video.analyses"]
        (analysis,) = [value for key, value in analyses.items() if key[0] == digest]
        np.testing.assert_allclose(analysis.video.times, case.frame_times, atol=0.01)
    assert app.selectbox(key="try_video.sample").value == "left"
    assert_keepsakes_intact(app, keepsakes)


# The Text page: the sentence box and the Batch tab's CSV upload ----------------------------------

TEXT_PAGE = "app_pages/try_text.py"
SENTENCE_KEY = "try_text.sentence"
METHOD_KEY = "try_text.method"
GOOD_SENTENCE = "Set a timer for 10 minutes"
TEXT_CASES = cases_for("text")
CSV_CASES = cases_for("csv")


@pytest.fixture(scope="module")
def text_page(trained_model):
    app = open_page(TEXT_PAGE, timeout=TIMEOUT)
    keepsakes = plant_keepsakes(app, trained_model)
    app.segmented_control(key=METHOD_KEY).set_value("gradient").run()
    assert not app.exception
    return app, keepsakes


def intent_shown(app: AppTest) -> bool:
    return any(metric.label == "Intent" for metric in app.metric)


def assert_method_kept(app: AppTest) -> None:
    """The attribution method chosen is still "gradient", once a sentence is read again."""
    if not any(control.key == METHOD_KEY for control in app.segmented_control):
        app.text_input(key=SENTENCE_KEY).set_value(GOOD_SENTENCE).run()
        assert not app.exception
    assert app.segmented_control(key=METHOD_KEY).value == "gradient"


@pytest.mark.parametrize("case", TEXT_CASES, ids=ids(TEXT_CASES))
def test_text_page_handles(text_page, case):
    app, keepsakes = text_page

    app.text_input(key=SENTENCE_KEY).set_value(case.data).run()

    assert not app.exception
    assert not app.error, shown(app.error)
    if case.outcome == "warning":
        warnings = shown(app.warning)
        assert case.message in warnings, warnings
        assert not intent_shown(app)
    else:
        assert not app.warning, shown(app.warning)
        assert intent_shown(app)
        assert case.message in shown(app.info)
    assert_method_kept(app)
    assert_keepsakes_intact(app, keepsakes)


@pytest.mark.parametrize("case", CSV_CASES, ids=ids(CSV_CASES))
def test_batch_csv_handles(text_page, case):
    app, keepsakes = text_page

    app.file_uploader(key="try_text.csv").set_value((case.file_name, case.data, case.mime)).run()

    assert not app.exception
    if case.outcome == "error":
        assert_one_error_saying(app, case, and_then="")
        assert not app.dataframe
    else:
        assert not app.error, shown(app.error)
        assert case.message in shown(app.info)
        n_rows = case.data.count(b"\n") - 1  # the header is the first line
        assert len(app.dataframe[0].value) == min(n_rows, MAX_BATCH_TEXTS)
    assert_method_kept(app)
    assert_keepsakes_intact(app, keepsakes)


# What the uploaders accept ----------------------------------------------------------------------

# Files that can carry code: a page never takes them.
CODE_CARRYING_TYPES = {
    *("keras", "h5", "hdf5", "pkl", "pickle", "joblib", "npy", "npz", "py"),
    *("svg", "html", "htm", "js"),  # a browser runs their scripts
}


def test_no_uploader_takes_model_files_or_any_file(
    image_page, teach_tab, concept_pages, video_page, text_page
):
    for app, _ in (image_page, teach_tab, *concept_pages.values(), video_page, text_page):
        for uploader in app.file_uploader:
            accepted = {kind.lstrip(".").lower() for kind in uploader.proto.type}
            assert accepted, f"{uploader.key} takes any file"
            assert not accepted & CODE_CARRYING_TYPES, f"{uploader.key} takes {accepted}"
