"""Every letter a citizen can see has a glyph in the screen fonts (no empty boxes)."""

from __future__ import annotations

from babel.messages.pofile import read_po
from PIL import Image, ImageDraw, ImageFont

from kiosk.fonts import SYMBOLS_FILES, text_font_paths
from kiosk.i18n import po_path
from kiosk.keyboard_layouts import (
    BACKSPACE,
    CYRILLIC_EXTRA,
    CYRILLIC_ROWS,
    LATIN_ROWS,
    PUNCTUATION_LEFT_OF_SPACE,
    PUNCTUATION_RIGHT_OF_SPACE,
    SHIFT,
)

NOT_IN_ANY_FONT = "\ue000"  # private use: every font draws its "missing glyph" box for it


def drawn(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    picture = Image.new("L", (96, 96))
    ImageDraw.Draw(picture).text((16, 8), char, font=font, fill=255)
    return picture.tobytes()


def missing_glyphs(font_path: str, text: str) -> set[str]:
    font = ImageFont.truetype(font_path, 48)
    missing_box = drawn(font, NOT_IN_ANY_FONT)
    return {char for char in set(text) if not char.isspace() and drawn(font, char) == missing_box}


def catalog_text() -> str:
    parts = []
    for language in ("uz_Latn", "uz_Cyrl", "ru", "en"):
        with po_path(language).open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                parts.extend(strings)
    return "".join(parts)


def test_the_check_itself_finds_a_missing_glyph() -> None:
    regular, _bold = text_font_paths()
    assert missing_glyphs(str(regular), "a\u0b85") == {"\u0b85"}  # Tamil is not in Noto Sans


def test_screen_fonts_draw_every_translated_letter_and_key() -> None:
    keys = (
        "".join(LATIN_ROWS + CYRILLIC_ROWS)
        + CYRILLIC_EXTRA
        + PUNCTUATION_LEFT_OF_SPACE
        + PUNCTUATION_RIGHT_OF_SPACE
    )
    keys += "АБВABC+_"
    text = catalog_text() + keys
    assert "ʻ" in text and "ў" in text and "ғ" in text
    for path in text_font_paths():
        assert missing_glyphs(str(path), text) == set(), path


def test_the_key_icon_font_draws_the_icons() -> None:
    symbols = next(path for path in SYMBOLS_FILES if path.is_file())
    assert missing_glyphs(str(symbols), BACKSPACE + SHIFT) == set()
