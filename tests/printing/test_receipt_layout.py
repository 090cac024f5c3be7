from __future__ import annotations

import dataclasses

import pytest

from printing import Receipt
from printing.layout import (
    Align,
    FieldRow,
    Gap,
    QrCode,
    Rule,
    TextLine,
    TextStyle,
    layout_receipt,
    wrap_text,
)


class CharMeasure:
    """One unit per character, like a printer font."""

    def __init__(self, line_width: int) -> None:
        self.line_width = float(line_width)
        self.field_gap = 1.0

    def width(self, text: str, style: TextStyle) -> float:
        return float(len(text) * (2 if style is TextStyle.CASE_NUMBER else 1))


def fits_in(width: int):
    return lambda text: len(text) <= width


def test_wrap_breaks_between_words() -> None:
    assert wrap_text("one two three four", fits_in(9)) == ["one two", "three", "four"]


def test_wrap_keeps_explicit_newlines() -> None:
    assert wrap_text("first line\nsecond", fits_in(40)) == ["first line", "second"]


def test_wrap_splits_words_longer_than_a_line() -> None:
    assert wrap_text("abcdefghij xy", fits_in(4)) == ["abcd", "efgh", "ij", "xy"]


def test_receipt_is_immutable_and_needs_a_case_number(english_receipt: Receipt) -> None:
    assert isinstance(english_receipt.fields, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        english_receipt.title = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        dataclasses.replace(english_receipt, case_number=" ")
    with pytest.raises(ValueError):
        dataclasses.replace(english_receipt, qr_data="")


def test_layout_order(english_receipt: Receipt) -> None:
    blocks = layout_receipt(english_receipt, CharMeasure(48))
    assert blocks == [
        TextLine("Migration Office", TextStyle.TITLE, Align.CENTER),
        TextLine("General application", TextStyle.SERVICE, Align.CENTER),
        Rule(),
        FieldRow("Date", "22.11.2026 14:05"),
        FieldRow("Kiosk", "0001"),
        Rule(),
        Gap(0.5),
        TextLine("Case number", TextStyle.CASE_LABEL, Align.CENTER),
        TextLine("0001 0000 0423", TextStyle.CASE_NUMBER, Align.CENTER),
        QrCode(english_receipt.qr_data),
        TextLine("Scan the code to follow your case.", TextStyle.HINT, Align.CENTER),
        Gap(0.5),
        TextLine("Thank you", TextStyle.FOOTER, Align.CENTER),
    ]


def test_field_too_long_for_one_line_goes_under_its_label(english_receipt: Receipt) -> None:
    receipt = dataclasses.replace(english_receipt, fields=[("Category", "Documents and more")])
    blocks = layout_receipt(receipt, CharMeasure(20))
    assert blocks[3:6] == [
        TextLine("Category", TextStyle.LABEL, Align.LEFT),
        TextLine("Documents and more", TextStyle.VALUE, Align.LEFT),
        Rule(),
    ]


def test_wide_case_number_wraps_between_groups(english_receipt: Receipt) -> None:
    blocks = layout_receipt(english_receipt, CharMeasure(20))
    numbers = [
        b.text for b in blocks if isinstance(b, TextLine) and b.style is TextStyle.CASE_NUMBER
    ]
    assert numbers == ["0001 0000", "0423"]


def test_empty_footer_leaves_no_trailing_gap(english_receipt: Receipt) -> None:
    blocks = layout_receipt(dataclasses.replace(english_receipt, footer=""), CharMeasure(48))
    assert isinstance(blocks[-1], TextLine) and blocks[-1].style is TextStyle.HINT
