"""A receipt laid out as a column of blocks, the same for paper, raster and preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Protocol

from printing.receipt import Receipt


class TextStyle(Enum):
    """The role of a line of text; each renderer maps it to a font and size."""

    TITLE = "title"
    SERVICE = "service"
    LABEL = "label"
    VALUE = "value"
    CASE_LABEL = "case_label"
    CASE_NUMBER = "case_number"
    HINT = "hint"
    FOOTER = "footer"


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    text: str
    style: TextStyle
    align: Align


@dataclass(frozen=True)
class FieldRow:
    """A label on the left and its value on the right of one line."""

    label: str
    value: str


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Gap:
    """Blank paper, in lines of body text."""

    lines: float


@dataclass(frozen=True)
class Rule:
    """A thin horizontal separator."""


Block = TextLine | FieldRow | QrCode | Gap | Rule


class TextMeasure(Protocol):
    """How wide text is in a renderer's own units (pixels or character columns)."""

    line_width: float
    field_gap: float

    def width(self, text: str, style: TextStyle) -> float: ...


def wrap_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedy word wrap; explicit newlines are kept and over-long words are split."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if fits(candidate):
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            for piece in _split_long_word(word, fits):
                if current:
                    lines.append(current)
                current = piece
        lines.append(current)
    return lines


def _split_long_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and not fits(current + char):
            pieces.append(current)
            current = ""
        current += char
    pieces.append(current)
    return pieces


def _wrapped(text: str, style: TextStyle, align: Align, measure: TextMeasure) -> list[Block]:
    if not text.strip():
        return []

    def fits(candidate: str) -> bool:
        return measure.width(candidate, style) <= measure.line_width

    return [TextLine(line, style, align) for line in wrap_text(text, fits)]


def _field(label: str, value: str, measure: TextMeasure) -> list[Block]:
    one_line = (
        measure.width(label, TextStyle.LABEL)
        + measure.field_gap
        + measure.width(value, TextStyle.VALUE)
    )
    if "\n" not in value and one_line <= measure.line_width:
        return [FieldRow(label, value)]
    return _wrapped(label, TextStyle.LABEL, Align.LEFT, measure) + _wrapped(
        value, TextStyle.VALUE, Align.LEFT, measure
    )


def layout_receipt(receipt: Receipt, measure: TextMeasure) -> list[Block]:
    """The blocks of a receipt, top to bottom, wrapped to the measure's line width."""
    blocks: list[Block] = []
    blocks += _wrapped(receipt.title, TextStyle.TITLE, Align.CENTER, measure)
    blocks += _wrapped(receipt.service, TextStyle.SERVICE, Align.CENTER, measure)
    blocks.append(Rule())
    for label, value in receipt.fields:
        blocks += _field(label, value, measure)
    blocks.append(Rule())
    blocks.append(Gap(0.5))
    blocks += _wrapped(receipt.case_number_label, TextStyle.CASE_LABEL, Align.CENTER, measure)
    blocks += _wrapped(receipt.case_number, TextStyle.CASE_NUMBER, Align.CENTER, measure)
    blocks.append(QrCode(receipt.qr_data))
    blocks += _wrapped(receipt.follow_hint, TextStyle.HINT, Align.CENTER, measure)
    if receipt.footer.strip():
        blocks.append(Gap(0.5))
        blocks += _wrapped(receipt.footer, TextStyle.FOOTER, Align.CENTER, measure)
    return blocks
