"""Receipt blocks drawn as 1-bit images with the receipt font, one image per block."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from printing.fonts import receipt_font
from printing.layout import Align, Block, FieldRow, Gap, QrCode, Rule, TextLine, TextStyle
from printing.qr import qr_block_image

MARGIN_PX = 8
FIELD_GAP_PX = 16
LEADING_PX = 2
# Grey edge pixels darker than this become dots: a little heavier than 50 % reads better on
# thermal paper.
INK_THRESHOLD = 160
RULE_DASH_PX = (6, 4)


@dataclass(frozen=True)
class RasterFont:
    size: int
    bold: bool


def raster_fonts(paper_width_px: int) -> dict[TextStyle, RasterFont]:
    """Pixel sizes for 203 dpi paper; the case number shrinks on narrow paper."""
    return {
        TextStyle.TITLE: RasterFont(28, True),
        TextStyle.SERVICE: RasterFont(26, True),
        TextStyle.LABEL: RasterFont(22, False),
        TextStyle.VALUE: RasterFont(24, True),
        TextStyle.CASE_LABEL: RasterFont(24, False),
        TextStyle.CASE_NUMBER: RasterFont(min(56, paper_width_px // 10), True),
        TextStyle.HINT: RasterFont(22, False),
        TextStyle.FOOTER: RasterFont(20, False),
    }


class RasterPainter:
    """Measures text for the layout and paints each block at the paper's full width."""

    def __init__(self, paper_width_px: int) -> None:
        self.paper_width_px = paper_width_px
        self.line_width = float(paper_width_px - 2 * MARGIN_PX)
        self.field_gap = float(FIELD_GAP_PX)
        self._fonts = raster_fonts(paper_width_px)

    def font(self, style: TextStyle) -> ImageFont.FreeTypeFont:
        spec = self._fonts[style]
        return receipt_font(spec.size, spec.bold)

    def width(self, text: str, style: TextStyle) -> float:
        return self.font(style).getlength(text)

    def line_height(self, style: TextStyle) -> int:
        ascent, descent = self.font(style).getmetrics()
        return ascent + descent + LEADING_PX

    @property
    def body_line_px(self) -> int:
        return self.line_height(TextStyle.HINT)

    def gap_px(self, gap: Gap) -> int:
        return max(1, round(gap.lines * self.body_line_px))

    def block_image(self, block: Block) -> Image.Image:
        """A 1-bit image of the block as wide as the paper (white = no dot)."""
        match block:
            case TextLine():
                return self._text_line(block)
            case FieldRow():
                return self._field_row(block)
            case QrCode():
                return qr_block_image(block.data, self.paper_width_px)
            case Gap():
                return Image.new("1", (self.paper_width_px, self.gap_px(block)), 1)
            case Rule():
                return self._rule()
        raise TypeError(f"not a receipt block: {block!r}")

    def _canvas(self, height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        canvas = Image.new("L", (self.paper_width_px, height), 255)
        return canvas, ImageDraw.Draw(canvas)

    def _x_for(self, text: str, style: TextStyle, align: Align) -> float:
        free = self.line_width - self.width(text, style)
        if align is Align.CENTER:
            return MARGIN_PX + max(0.0, free) / 2
        if align is Align.RIGHT:
            return MARGIN_PX + max(0.0, free)
        return MARGIN_PX

    def _text_line(self, line: TextLine) -> Image.Image:
        canvas, draw = self._canvas(self.line_height(line.style))
        x = self._x_for(line.text, line.style, line.align)
        draw.text((round(x), 0), line.text, font=self.font(line.style), fill=0)
        return _to_one_bit(canvas)

    def _field_row(self, row: FieldRow) -> Image.Image:
        label_font = self.font(TextStyle.LABEL)
        value_font = self.font(TextStyle.VALUE)
        label_ascent, label_descent = label_font.getmetrics()
        value_ascent, value_descent = value_font.getmetrics()
        baseline = max(label_ascent, value_ascent)
        canvas, draw = self._canvas(baseline + max(label_descent, value_descent) + LEADING_PX)
        draw.text((MARGIN_PX, baseline), row.label, font=label_font, fill=0, anchor="ls")
        value_x = round(self._x_for(row.value, TextStyle.VALUE, Align.RIGHT))
        draw.text((value_x, baseline), row.value, font=value_font, fill=0, anchor="ls")
        return _to_one_bit(canvas)

    def _rule(self) -> Image.Image:
        height = self.body_line_px // 2
        canvas, draw = self._canvas(height)
        dash, space = RULE_DASH_PX
        y = height // 2
        for x in range(MARGIN_PX, self.paper_width_px - MARGIN_PX, dash + space):
            draw.rectangle((x, y, x + dash - 1, y + 1), fill=0)
        return _to_one_bit(canvas)


def _to_one_bit(canvas: Image.Image) -> Image.Image:
    return canvas.point(lambda value: 255 if value >= INK_THRESHOLD else 0, mode="1")
