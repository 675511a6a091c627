"""A bookmark of a try-it page that names a model this browser session does not have."""

import json

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


@pytest.mark.parametrize(
    ("link", "model"),
    [
        ("intents", "intents"),
        # The browser writes the title the menu shows into the link.
        ("Intents (bundled Transformer, English and Chinese)", "intents_transformer"),
    ],
)
def test_a_link_to_a_bundled_model_says_nothing(link, model):
    app = open_page("app_pages/try_text.py", timeout=120, **{"try_text.model": link})

    assert not app.exception
    assert app.selectbox(key="try_text.model").value == model
    assert not [info for info in app.info if "in this link" in info.value]


def test_a_link_with_the_title_of_another_sessions_model_says_so():
    link = "GRU on intents (97.0%) (trained in this session)"
    app = open_page("app_pages/try_text.py", timeout=120, **{"try_text.model": link})

    (message,) = [info.value for info in app.info if "in this link" in info.value]
    assert message.startswith("The model 'GRU on intents (97.0%)' in this link was trained in")
    assert message.endswith("showing Intents (bundled GRU, English and Chinese) instead.")


def test_a_link_reopens_the_video_on_its_frame():
    app = open_page("app_pages/try_video.py", timeout=180, **{"try_video.frame": "5"})

    assert not app.exception
    assert app.slider(key="try_video.frame").value == 5


def test_a_link_to_a_frame_past_the_clip_opens_on_one_of_its_frames():
    app = open_page("app_pages/try_video.py", timeout=180, **{"try_video.frame": "9999"})

    assert not app.exception and not app.error
    frame = app.slider(key="try_video.frame")
    assert frame.min <= frame.value <= frame.max < 9999


def explanation_title(app) -> str:
    titles = [
        json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")
    ]
    (title,) = [title for title in titles if "Where the model looked for" in title]
    return title


def test_a_link_reopens_the_explanation_of_the_class_it_names():
    app = open_page("app_pages/try_image.py", timeout=120, **{"try_image.explain": "7"})

    assert not app.exception
    assert app.selectbox(key="try_image.explain").value == "7"
    assert "looked for “7”" in explanation_title(app)


def test_the_chosen_class_is_explained_until_another_answer_explains_itself():
    app = open_page("app_pages/try_image.py", timeout=120)
    menu = app.selectbox(key="try_image.explain")
    assert menu.value == "0" and menu.options[0] == "0 (predicted)"
    app = menu.set_value("3").run()
    assert "looked for “3”" in explanation_title(app)

    # A sample read as another digit explains its own answer.
    app = app.selectbox(key="try_image.sample").set_value("digits/digit 7").run()
    assert not app.exception
    menu = app.selectbox(key="try_image.explain")
    assert menu.value == "7" and menu.options[7] == "7 (predicted)"
    assert "looked for “7”" in explanation_title(app)
