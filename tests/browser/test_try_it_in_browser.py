"""End-to-end tests of the try-it pages in Debian's Chromium: a person's file in, an answer out."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dlcore.data.motion import make_motion_clips
from dlcore.media.video import encode_video
from dlcore.pretrained import SAMPLE_FOLDER
from harness import screenshot, wait_for_app
from harness.look import look_at_both_modes

pytestmark = pytest.mark.browser

# The first try-it in a server loads TensorFlow and the bundled model.
FIRST_ANSWER_TIMEOUT = 120_000


def upload(page: Page, label: str, path: Path) -> None:
    """Choose `path` in the file uploader labelled `label`, as a person does in the dialog."""
    dropzone = page.locator(f'[data-testid="stFileUploaderDropzone"][aria-label="{label}"]')
    with page.expect_file_chooser() as chooser:
        dropzone.click()
    chooser.value.set_files(str(path))


def test_image_page_answers_right_away_and_reads_an_uploaded_drawing(page: Page, app_url: str):
    page.goto(f"{app_url}/try_image")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    # Before anything is trained: a bundled model answers for a sample, and explains it.
    expect(page.get_by_text("The model says")).to_be_visible(timeout=FIRST_ANSWER_TIMEOUT)
    expect(page.get_by_text("Where the model looked")).to_be_visible()

    page.get_by_text("Upload", exact=True).first.click()
    wait_for_app(page)
    upload(page, "Upload an image", SAMPLE_FOLDER / "digit_7.png")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    expect(page.get_by_text("upload: digit_7.png")).to_be_visible()
    # An upload is cut to its ink and centred first, as the training digits were, by
    # default: there is no toggle a person must know about.
    expect(page.get_by_text("Crop to the ink first")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"The model says 7, [\d.]+ % sure"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "try_image")


def test_video_page_analyses_an_uploaded_h264_clip(page: Page, app_url: str, tmp_path: Path):
    clips = make_motion_clips(1, frames=32, image_size=96, seed=3)
    frames = (clips.clips[0] * 255).round().astype("uint8")
    path = tmp_path / "moving.mp4"
    path.write_bytes(encode_video(frames, fps=16))

    page.goto(f"{app_url}/try_video")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    expect(page.get_by_text("Over the whole clip the model says")).to_be_visible(
        timeout=FIRST_ANSWER_TIMEOUT
    )

    page.get_by_text("Upload", exact=True).first.click()
    wait_for_app(page)
    upload(page, "Upload a video clip", path)
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    labels = "|".join(clips.target_names)
    expect(page.get_by_text("upload: moving.mp4").first).to_be_visible()
    expect(
        page.get_by_text(re.compile(f"Over the whole clip the model says ({labels})"))
    ).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "try_video")


def test_text_page_answers_right_away_and_reads_a_typed_chinese_request(page: Page, app_url: str):
    page.goto(f"{app_url}/try_text")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    intent = page.get_by_test_id("stMetricValue")
    expect(intent).to_be_visible(timeout=FIRST_ANSWER_TIMEOUT)
    expect(page.get_by_text("Hidden state, token by token")).to_be_visible()
    # Pictured with the English example: a Chromium without a CJK font draws Chinese as boxes.
    screenshot(page, "try_text")
    screenshot(page, "gru_gates", at=page.locator(".st-key-try_text-gates"))

    sentence = page.get_by_label("Your sentence", exact=True)
    sentence.fill("明天会下雨吗")
    sentence.press("Enter")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    expect(intent).to_have_text("weather")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_text_page_works_out_the_bundled_transformers_attention(page: Page, app_url: str):
    model = "Intents (bundled Transformer, English and Chinese)".replace(" ", "+")
    page.goto(f"{app_url}/try_text?try_text.model={model}")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    expect(page.get_by_test_id("stMetricValue")).to_have_text("weather")
    expect(page.get_by_text("Attention by hand", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^For “will” and “will” in head 1"))).to_be_visible()
    screenshot(page, "attention_by_hand", at=page.get_by_text("Attention by hand", exact=True))
    problems = look_at_both_modes(page, "try_text-transformer")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not problems, problems
