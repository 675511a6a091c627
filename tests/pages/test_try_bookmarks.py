"""A bookmark of a try-it page that names a model this browser session does not have."""

import pytest
from helpers import open_page


@pytest.mark.parametrize(
    ("page", "bundled"),
    [("try_image", "digits"), ("try_text", "intents"), ("try_video", "motion")],
)
def test_a_link_to_a_model_of_another_session_says_so_and_shows_the_bundled_one(page, bundled):
    key = f"{page}.model"
    app = open_page(f"app_pages/{page}.py", timeout=120, **{key: "session:My CNN"})

    assert not app.exception
    assert app.selectbox(key=key).value == bundled
    (message,) = [info.value for info in app.info if "in this link" in info.value]
    assert message.startswith("The model 'My CNN' in this link was trained in another session")
    assert message.endswith("instead.")


def test_a_link_to_the_bundled_model_says_nothing():
    app = open_page("app_pages/try_text.py", timeout=120, **{"try_text.model": "intents"})

    assert not app.exception
    assert not [info for info in app.info if "in this link" in info.value]


def test_a_link_reopens_the_video_on_its_frame():
    app = open_page("app_pages/try_video.py", timeout=180, **{"try_video.frame": "5"})

    assert not app.exception
    assert app.slider(key="try_video.frame").value == 5


def test_a_link_to_a_frame_past_the_clip_opens_on_one_of_its_frames():
    app = open_page("app_pages/try_video.py", timeout=180, **{"try_video.frame": "9999"})

    assert not app.exception and not app.error
    frame = app.slider(key="try_video.frame")
    assert frame.min <= frame.value <= frame.max < 9999
