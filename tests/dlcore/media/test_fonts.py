"""Tests for dlcore.media.fonts: the app's CJK font draws Chinese in Pillow, and the theme
serves the same file to the browser."""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFont

from dlcore.data.intents import CSV_PATH
from dlcore.media import fonts

ROOT = Path(__file__).resolve().parents[3]
# A private-use code point no font maps: FreeType draws the font's .notdef box for it.
UNMAPPED = "\ue000"


def glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, character: str) -> np.ndarray:
    """The greyscale bitmap Pillow renders for one character, shape (height, width)."""
    mask = font.getmask(character, mode="L")
    return np.asarray(mask, dtype=np.uint8).reshape(mask.size[1], mask.size[0])


def test_the_font_draws_tian_and_qi_as_two_real_glyphs_not_boxes():
    font = fonts.load_font(40)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert font.getname()[0].startswith(fonts.FONT_FAMILY)
    sky, air, box = glyph(font, "天"), glyph(font, "气"), glyph(font, UNMAPPED)
    for character, bitmap in (("天", sky), ("气", air)):
        assert bitmap.size and (bitmap > 127).sum() > 40, f"{character} drew no ink"
        assert bitmap.shape != box.shape or (bitmap != box).any(), f"{character} is .notdef"
    assert sky.shape != air.shape or (sky != air).any(), "天 and 气 drew the same bitmap"


def test_every_chinese_character_of_the_intents_corpus_has_a_glyph():
    # The bundled model's Chinese: what the Text try-it and Sequences pages show.
    font = fonts.load_font(24)
    box = glyph(font, UNMAPPED)
    characters = sorted(set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff]", CSV_PATH.read_text())))
    assert len(characters) > 300
    missing = [c for c in characters if np.array_equal(glyph(font, c), box)]
    assert missing == [], f"no glyph for {''.join(missing)}"


def test_latin_letters_and_digits_draw_too():
    font = fonts.load_font(24)
    box = glyph(font, UNMAPPED)
    for character in "Aa7":
        assert not np.array_equal(glyph(font, character), box), character


def test_a_missing_file_falls_back_to_pillows_default_font_with_a_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_PATH", tmp_path / "gone.woff2")
    fonts._load_font.cache_clear()
    try:
        with pytest.warns(UserWarning, match="gone.woff2 could not be read"):
            font = fonts.load_font(20)
        assert (glyph(font, "A") > 127).sum() > 10
        assert font.size == 20
    finally:
        fonts._load_font.cache_clear()


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "12"])
def test_a_size_that_is_not_a_positive_whole_number_is_refused(size):
    with pytest.raises(ValueError, match=r"`size` must be a whole number.*Received: "):
        fonts.load_font(size)


def test_the_theme_serves_the_same_file_under_the_same_family():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    faces = config["theme"]["fontFaces"]
    assert [face["family"] for face in faces] == [fonts.FONT_FAMILY]
    # Streamlit serves ./static/ (beside app.py) at app/static/.
    served = ROOT / faces[0]["url"].removeprefix("app/")
    assert served.resolve() == fonts.FONT_PATH.resolve() and served.is_file()
    assert fonts.FONT_FAMILY in config["theme"]["font"]
    # The OFL travels with the font, as the licence asks.
    assert "SIL Open Font License" in (fonts.FONT_PATH.parent / "OFL.txt").read_text()
