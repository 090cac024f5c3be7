"""What the on-screen keyboard offers: its rows of letters per script, and its icon keys."""

from __future__ import annotations

BACKSPACE = "\u232b"
SHIFT = "\u21e7"

LATIN_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjklʻ",  # ʻ (U+02BB) makes the Uzbek oʻ and gʻ
    "zxcvbnmʼ",  # ʼ (U+02BC) is the Uzbek tutuq belgisi
)
CYRILLIC_ROWS = (
    "1234567890",
    "йцукенгшщзхъ",
    "фывапролджэё",
    "ячсмитьбю",
)
CYRILLIC_EXTRA = "ўқғҳ"  # Uzbek Cyrillic letters, on the bottom row
PUNCTUATION_LEFT_OF_SPACE = ","
PUNCTUATION_RIGHT_OF_SPACE = ".?!-"
LAYOUT_OF_LANGUAGE = {"uz_Latn": "latin", "en": "latin", "uz_Cyrl": "cyrillic", "ru": "cyrillic"}
