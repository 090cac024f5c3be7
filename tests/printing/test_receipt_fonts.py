from __future__ import annotations

from printing import font_path, receipt_font

UNASSIGNED = "\U0010fffd"  # drawn as the font's empty box


def _ink_height(char: str) -> int:
    box = receipt_font(48).getmask(char).getbbox()
    assert box is not None
    return box[3] - box[1]


def test_font_files_are_noto_sans() -> None:
    assert font_path().name == "NotoSans-Regular.ttf"
    assert font_path(bold=True).name == "NotoSans-Bold.ttf"
    assert font_path().is_file()


def test_fonts_are_cached_per_size_and_weight() -> None:
    assert receipt_font(24) is receipt_font(24)
    assert receipt_font(24) is not receipt_font(24, bold=True)
    assert receipt_font(30).size == 30


def test_uzbek_letter_mark_is_a_real_glyph_not_a_box() -> None:
    box_height = _ink_height(UNASSIGNED)
    # U+02BB is a small raised comma, far shorter than the empty box.
    assert _ink_height("ʻ") < box_height / 2
    box = _ink(UNASSIGNED)
    for letter in "ғқҳўҒҚҲЎ":
        assert _ink(letter) != box


def _ink(char: str) -> list[int]:
    return list(receipt_font(48).getmask(char))
