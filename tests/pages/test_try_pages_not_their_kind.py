"""The try-it pages say so when an input does not look like the model's kind of input."""

import numpy as np
import skimage.data
from helpers import open_page

from dlcore.media.video import encode_video

IMAGE_PAGE = "app_pages/try_image.py"
VIDEO_PAGE = "app_pages/try_video.py"
TIMEOUT = 180


def warnings(app) -> list[str]:
    return [warning.value for warning in app.warning]


def test_a_digit_gets_a_plain_answer_and_a_photo_is_called_a_guess():
    app = open_page(IMAGE_PAGE, timeout=TIMEOUT)
    assert not app.exception
    assert app.selectbox(key="try_image.model").value == "digits"
    assert warnings(app) == []
    app.selectbox(key="try_image.sample").set_value("photo/china").run()
    assert not app.exception and not app.error
    assert warnings(app) == [
        "This doesn't look like a digit, so the answer below is a guess: the model can "
        "only choose among its classes."
    ]


def test_a_moving_sample_gets_a_plain_answer_and_a_still_clip_is_called_a_guess():
    app = open_page(VIDEO_PAGE, timeout=TIMEOUT)
    assert not app.exception
    assert warnings(app) == []
    still = np.repeat(skimage.data.astronaut()[np.newaxis, 100:228, 150:278], 32, axis=0)
    app.radio(key="try_video.source").set_value("Upload").run()
    app = (
        app.file_uploader(key="try_video.upload")
        .set_value(("still.mp4", encode_video(still, fps=16), "video/mp4"))
        .run()
    )
    assert not app.exception and not app.error
    assert len(warnings(app)) == 1
    assert warnings(app)[0].startswith("This doesn't look like a clip in which something moves")
