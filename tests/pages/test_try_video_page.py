"""AppTest tests of the Video try-it page: samples, uploads, bad files, session models."""

import io

import numpy as np
import pytest
from helpers import audio_only_mp4, bold_answer, figure, open_page
from PIL import Image

from dlcore.data import motion
from dlcore.figures.style import human_label
from dlcore.media.video import encode_video
from dlcore.training.saving import TrainedModel
from ui.trainer import REGISTRY_KEY

PAGE = "app_pages/try_video.py"
TIMEOUT = 180
UPLOADER = "try_video.upload"
LAST_CLIP_KEY = "try_video.last_clip"
CHART_TITLES = [
    "What the model thinks",
    "Frames sampled from the clip",
    "What the model sees, window by window",
    "Motion energy: how much the picture changes",
]


TOUR = "All six motions in one take (generated, 16 s)"
# A 2 s clip is one window: its answer is the bars, with no timeline of one dot.
ONE_WINDOW_CHART_TITLES = [
    title for title in CHART_TITLES if title != "What the model sees, window by window"
]
# The classes as the page writes them: "zoom in", not "zoom_in".
HUMAN_LABELS = [label.replace("_", " ") for label in motion.MOTION_LABELS]


def answer(app) -> str | None:
    """The class the page says the model chose for the whole clip."""
    return bold_answer(app, "Over the whole clip")


def bold_answers(app, opening: str) -> list[str]:
    """Every bold word of the page's text that starts with `opening`."""
    said = [item.value for item in app.markdown if item.value.startswith(opening)]
    return said[0].split("**")[1::2] if said else []


def chart_titles(app) -> list[str]:
    return [
        figure(app, index)["layout"]["title"]["text"]
        for index in range(len(app.get("plotly_chart")))
    ]


def motion_clip(label: str) -> bytes:
    """A 2 s H.264 clip of one motion, as the training clips are drawn, 128x128."""
    clips = motion.make_motion_clips(6, frames=32, image_size=128, seed=0)
    index = int(np.flatnonzero(clips.target == motion.MOTION_LABELS.index(label))[0])
    return encode_video(clips.clips[index], fps=16)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def right_clip() -> bytes:
    return motion_clip("right")


@pytest.fixture
def uploading():
    """The page with "Upload" chosen as the clip source."""
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_video.source": "Upload"})
    assert not app.exception
    return app


def test_the_page_opens_on_a_camera_sample_with_a_clear_answer():
    app = open_page(PAGE, timeout=TIMEOUT)

    assert not app.exception and not app.error and not app.warning
    assert app.selectbox(key="try_video.sample").value == "left"
    assert answer(app) == "left"
    assert bold_answers(app, "Along the clip") == []
    said = next(m.value for m in app.markdown if m.value.startswith("Over the whole clip"))
    assert float(said.split("**, ")[1].split(" %")[0]) > 80
    # One window: no timeline of a single dot, the bars say it.
    assert "What the model sees, window by window" not in chart_titles(app)
    assert "What the model thinks" in chart_titles(app)
    assert any("single window" in info.value for info in app.info)


def test_the_tour_sample_gets_a_prediction_timeline_and_grad_cam():
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_video.sample": TOUR})

    assert not app.exception
    assert not app.error
    assert answer(app) in HUMAN_LABELS
    # Six motions in one take: the headline follows the answer along the clip first.
    along = bold_answers(app, "Along the clip the answer changes")
    assert along[0] == "right" and len(set(along)) >= 4
    assert set(along) <= set(HUMAN_LABELS)
    assert chart_titles(app) == CHART_TITLES
    timeline = figure(app, 2)
    assert [trace["name"] for trace in timeline["data"]] == [
        human_label(label) for label in motion.MOTION_LABELS
    ]
    # The tour's segments are shaded, with what each really shows.
    labels = [note["text"] for note in timeline["layout"]["annotations"]]
    assert labels[:4] == ["right", "down", "left", "up"]
    assert len(app.get("video")) == 1
    # The frame and its Grad-CAM overlay.
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert len(captions) == 2
    assert captions[0].startswith("Frame 64 at ")
    assert captions[1].startswith("Grad-CAM for “")


def test_a_generated_sample_is_classified():
    # The URL keeps a menu's choice as its title.
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_video.sample": "Zooming out (generated, 2 s)"})

    assert not app.exception
    assert answer(app) == "zoom out"


def test_the_gif_sample_is_shown_and_analysed():
    app = open_page(
        PAGE,
        timeout=TIMEOUT,
        **{"try_video.sample": "A real GIF: 'no time for that' (scikit-image)"},
    )

    assert not app.exception
    assert answer(app) in HUMAN_LABELS
    assert any("shorter than one window" in caption.value for caption in app.caption)


def test_moving_the_frame_slider_moves_the_marker_and_explains_another_class():
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_video.sample": TOUR})
    slider = app.slider(key="try_video.frame")
    assert (slider.min, slider.max) == (1, 128)

    slider.set_value(17).run()

    assert not app.exception
    marker = [shape for shape in figure(app, 2)["layout"]["shapes"] if shape["type"] == "line"]
    assert marker[0]["x0"] == pytest.approx(2.0)  # frame 17 of 8 per second
    explained = app.selectbox(
        key=next(box.key for box in app.selectbox if box.key.startswith("try_video.explain"))
    )
    explained.set_value(2).run()
    assert not app.exception
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert captions == ["Frame 17 at 2.00 s", "Grad-CAM for “up” on the square the model sees"]


def test_an_uploaded_h264_clip_is_analysed(uploading, right_clip):
    app = (
        uploading.file_uploader(key=UPLOADER)
        .set_value(("my clip.mp4", right_clip, "video/mp4"))
        .run()
    )

    assert not app.exception
    assert not app.error
    assert answer(app) == "right"
    assert app.session_state[LAST_CLIP_KEY]["name"] == "upload: my clip.mp4"
    assert len(app.get("video")) == 1


BAD_UPLOADS = [
    ("empty.mp4", lambda clip: b"", "video/mp4", "The file is empty"),
    ("notes.mp4", lambda clip: b"Meeting notes, not a video.\n" * 10, "video/mp4", "text file"),
    # Cut inside the first frame, so that nothing can be decoded.
    ("cut.mp4", lambda clip: clip[: len(clip) // 4], "video/mp4", "damaged or incomplete"),
    ("song.mp4", lambda clip: audio_only_mp4(), "video/mp4", "only sound"),
    ("picture.gif", lambda clip: png(), "image/gif", "still image"),
]


@pytest.mark.parametrize(
    ("name", "make", "mime", "message"),
    BAD_UPLOADS,
    ids=[name for name, *_ in BAD_UPLOADS],
)
def test_a_bad_upload_says_what_to_do_and_keeps_the_last_clip(
    uploading, right_clip, name, make, mime, message
):
    app = (
        uploading.file_uploader(key=UPLOADER).set_value(("good.mp4", right_clip, "video/mp4")).run()
    )
    assert answer(app) == "right"

    app.file_uploader(key=UPLOADER).set_value((name, make(right_clip), mime)).run()

    assert not app.exception
    assert len(app.error) == 1
    assert message in app.error[0].value
    assert "Showing the last clip that worked meanwhile" in app.error[0].value
    # The clip that worked is still analysed and shown.
    assert answer(app) == "right"
    assert app.session_state[LAST_CLIP_KEY]["name"] == "upload: good.mp4"
    assert chart_titles(app) == ONE_WINDOW_CHART_TITLES


def test_a_bad_first_upload_falls_back_to_the_sample(uploading):
    app = (
        uploading.file_uploader(key=UPLOADER)
        .set_value(("notes.mp4", b"just text\n", "video/mp4"))
        .run()
    )

    assert not app.exception
    assert "text file" in app.error[0].value
    assert answer(app) == "left"
    assert chart_titles(app) == ONE_WINDOW_CHART_TITLES


def test_a_model_trained_in_this_session_can_be_chosen():
    from dlcore.trainers import video

    model = video.motion_model(
        "conv3d", (4, 8, 8, 3), len(motion.MOTION_LABELS), n_blocks=1, n_filters=2, units=4
    )
    trained = TrainedModel(
        task=video.TASK,
        title="Conv3D on motion clips (20.0%)",
        model=model,
        labels=motion.MOTION_LABELS,
        preprocessing={"n_frames": 4, "image_size": (8, 8)},
        metrics={"val_accuracy": 0.2},
        device="CPU:0",
    )
    app = open_page(PAGE, timeout=TIMEOUT, **{"try_video.sample": TOUR})
    app.session_state[REGISTRY_KEY] = {trained.title: trained}
    app.run()
    model_box = app.selectbox(key="try_video.model")
    assert model_box.options[1] == "Conv3D on motion clips (20.0%) (trained in this session)"

    model_box.set_value("session:Conv3D on motion clips (20.0%)").run()

    assert not app.exception
    assert answer(app) in HUMAN_LABELS
    assert chart_titles(app) == CHART_TITLES
