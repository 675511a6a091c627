"""Chinese in Debian's Chromium, which has no CJK font of its own: the app's web font draws it."""

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from dlcore.media.fonts import FONT_FAMILY
from harness import wait_for_app

pytestmark = pytest.mark.browser

# The first try-it in a server loads TensorFlow and the bundled model.
FIRST_ANSWER_TIMEOUT = 120_000
SENTENCE = "明天会下雨吗"

# Once the page's fonts have settled: the status of each face of the family, whether the
# family is ready for 天气, and whether 天 and 气 come out as two different pictures in a
# canvas drawn in that family (without the font both are the same .notdef box).
FONT_REPORT = """async (family) => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter((face) => face.family.replaceAll('"', "") === family);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    const pixels = (character) => {
        context.clearRect(0, 0, 64, 64);
        context.font = `48px "${family}"`;
        context.fillText(character, 4, 52);
        return context.getImageData(0, 0, 64, 64).data.join();
    };
    return {
        statuses: faces.map((face) => face.status),
        ready: document.fonts.check(`16px "${family}"`, "天气"),
        distinct: pixels("天") !== pixels("气"),
    };
}"""


def test_a_chinese_sentence_is_drawn_in_the_apps_own_web_font(page: Page, app_url: str):
    # A bookmark with the sentence in it: the page opens showing Chinese.
    page.goto(f"{app_url}/try_text?try_text.sentence={quote(SENTENCE)}")
    wait_for_app(page, timeout=FIRST_ANSWER_TIMEOUT)
    sentence = page.get_by_label("Your sentence", exact=True)
    expect(sentence).to_have_value(SENTENCE, timeout=FIRST_ANSWER_TIMEOUT)
    assert FONT_FAMILY in sentence.evaluate("box => getComputedStyle(box).fontFamily")

    report = page.evaluate(FONT_REPORT, FONT_FAMILY)
    # Served from static/ and fetched because the page needed it: not a family name only.
    assert report["statuses"] == ["loaded"]
    assert report["ready"] is True
    assert report["distinct"] is True
    expect(page.get_by_test_id("stException")).to_have_count(0)
