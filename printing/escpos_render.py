"""A receipt drawn onto a python-escpos printer object, or turned into its exact byte stream."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Literal

from escpos.capabilities import BaseProfile, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image

from config.profiles import PrinterConfig
from printing.layout import (
    Align,
    Block,
    FieldRow,
    Gap,
    QrCode,
    Rule,
    TextLine,
    TextStyle,
    layout_receipt,
)
from printing.qr import qr_block_image, qr_module_px, qr_quiet_zone_px
from printing.raster_text import RasterPainter
from printing.receipt import Receipt

QrMode = Literal["native", "image"]
TextMode = Literal["raster", "codepage"]

# Font A of an ESC/POS printer is 12 dots wide: 48 columns on 576-dot paper, 42 on 512.
FONT_A_DOTS = 12
# Letters no printer code page holds, and the nearest letter that one does.
CODEPAGE_SUBSTITUTES = str.maketrans({"ʻ": "'", "ʼ": "'"})


@dataclass(frozen=True)
class EscposOptions:
    """How a receipt becomes ESC/POS for one printer model."""

    qr_mode: QrMode = "native"
    text_mode: TextMode = "raster"
    paper_width_px: int = 576
    escpos_profile: str = "default"

    @classmethod
    def from_printer_config(cls, config: PrinterConfig) -> EscposOptions:
        return cls(
            qr_mode=config.qr_mode,
            text_mode=config.text_mode,
            paper_width_px=config.paper_width_px,
            escpos_profile=config.escpos_profile,
        )


@dataclass(frozen=True)
class CodepageStyle:
    bold: bool
    width: int = 1
    height: int = 1


CODEPAGE_STYLES: dict[TextStyle, CodepageStyle] = {
    TextStyle.TITLE: CodepageStyle(bold=True, height=2),
    TextStyle.SERVICE: CodepageStyle(bold=True),
    TextStyle.LABEL: CodepageStyle(bold=False),
    TextStyle.VALUE: CodepageStyle(bold=True),
    TextStyle.CASE_LABEL: CodepageStyle(bold=False),
    TextStyle.CASE_NUMBER: CodepageStyle(bold=True, width=2, height=2),
    TextStyle.HINT: CodepageStyle(bold=False),
    TextStyle.FOOTER: CodepageStyle(bold=False),
}
PLAIN = CodepageStyle(bold=False)


def escpos_profile_for(options: EscposOptions) -> BaseProfile:
    """The python-escpos profile, told the paper width so images are checked and centred."""
    profile = get_profile(options.escpos_profile)
    data = copy.deepcopy(profile.profile_data)
    data["media"]["width"]["pixels"] = options.paper_width_px
    # An instance attribute, so the class shared by every printer of this profile stays as is.
    profile.profile_data = data
    return profile


def dummy_printer(options: EscposOptions) -> Dummy:
    """A python-escpos printer that only collects bytes, set up for these options."""
    printer = Dummy(profile=options.escpos_profile)
    printer.profile = escpos_profile_for(options)
    return printer


def receipt_to_escpos_bytes(receipt: Receipt, options: EscposOptions | None = None) -> bytes:
    """The exact ESC/POS byte stream of a receipt; the same input gives the same bytes."""
    options = options or EscposOptions()
    printer = dummy_printer(options)
    render_receipt_escpos(receipt, printer, options)
    return printer.output


def render_receipt_escpos(receipt: Receipt, printer: Escpos, options: EscposOptions) -> None:
    """Draw a receipt onto a python-escpos printer: initialise, print, feed and cut.

    The printer's profile should know the paper width (see `escpos_profile_for`): python-escpos
    checks image widths against it and prints a console warning for every image when it is unset.
    """
    printer.hw("INIT")
    # ESC @ puts the printer back on its default code page; make python-escpos select one again.
    printer.magic.encoding = None
    if options.text_mode == "raster":
        _RasterWriter(printer, options).write(receipt)
    else:
        _CodepageWriter(printer, options).write(receipt)
    printer.cut()


def trim_right(image: Image.Image) -> Image.Image:
    """Drop blank columns on the right (whole bytes only) so less data goes down the wire."""
    inverted = image.convert("L").point(lambda value: 255 - value)
    box = inverted.getbbox()
    right = box[2] if box else 1
    width = min(image.width, -(-right // 8) * 8)
    return image.crop((0, 0, width, image.height))


class _RasterWriter:
    """Every line is a GS v 0 raster image drawn with the receipt font."""

    def __init__(self, printer: Escpos, options: EscposOptions) -> None:
        self.printer = printer
        self.options = options
        self.painter = RasterPainter(options.paper_width_px)

    def write(self, receipt: Receipt) -> None:
        # Lines are drawn at their place on the full width, so they go out left-justified.
        self.printer.set(align="left")
        for block in layout_receipt(receipt, self.painter):
            if isinstance(block, QrCode) and self.options.qr_mode == "native":
                self._native_qr(block.data)
            elif isinstance(block, Gap):
                self._blank(self.painter.gap_px(block))
            else:
                self._image(trim_right(self.painter.block_image(block)))

    def _image(self, image: Image.Image) -> None:
        self.printer.image(image, impl="bitImageRaster")

    def _blank(self, height_px: int) -> None:
        # A one-byte-wide blank raster feeds exactly height_px dots on any printer.
        self._image(Image.new("1", (8, height_px), 1))

    def _native_qr(self, data: str) -> None:
        module = qr_module_px(data, self.options.paper_width_px)
        quiet = qr_quiet_zone_px(module)
        self._blank(quiet)
        self.printer.set(align="center")
        self.printer.qr(data, ec=QR_ECLEVEL_M, size=module, native=True)
        self.printer.set(align="left")
        self._blank(quiet)


@dataclass
class _CodepageState:
    align: Align = Align.LEFT
    style: CodepageStyle = field(default_factory=lambda: PLAIN)


class _CodepageWriter:
    """Printer-font text in the printer's code pages, for printers whose pages hold the text."""

    def __init__(self, printer: Escpos, options: EscposOptions) -> None:
        self.printer = printer
        self.options = options
        self.columns = options.paper_width_px // FONT_A_DOTS
        self.line_width = float(self.columns)
        self.field_gap = 1.0
        # The state python-escpos leaves after ESC @: left, not bold, normal size.
        self.state = _CodepageState()

    def width(self, text: str, style: TextStyle) -> float:
        return len(text) * CODEPAGE_STYLES[style].width

    def write(self, receipt: Receipt) -> None:
        for block in layout_receipt(_for_codepages(receipt), self):
            self._block(block)

    def _block(self, block: Block) -> None:
        match block:
            case TextLine():
                self._set(block.align, CODEPAGE_STYLES[block.style])
                self.printer.textln(block.text)
            case FieldRow():
                label_style = CODEPAGE_STYLES[TextStyle.LABEL]
                value_style = CODEPAGE_STYLES[TextStyle.VALUE]
                padding = self.columns - len(block.label) - len(block.value) * value_style.width
                self._set(Align.LEFT, label_style)
                self.printer.text(block.label + " " * padding)
                self._set(Align.LEFT, value_style)
                self.printer.textln(block.value)
            case Rule():
                self._set(Align.LEFT, PLAIN)
                self.printer.textln("-" * self.columns)
            case Gap():
                self.printer.ln(max(1, round(block.lines)))
            case QrCode():
                self._qr(block.data)

    def _qr(self, data: str) -> None:
        if self.options.qr_mode == "image":
            self._set(Align.LEFT, PLAIN)
            self.printer.image(qr_block_image(data, self.options.paper_width_px))
            return
        self._set(Align.CENTER, PLAIN)
        self.printer.ln()
        self.printer.qr(
            data, ec=QR_ECLEVEL_M, size=qr_module_px(data, self.options.paper_width_px), native=True
        )
        self.printer.ln()

    def _set(self, align: Align, style: CodepageStyle) -> None:
        """Send only the settings that change, so the stream stays short and predictable."""
        changes: dict[str, object] = {}
        if (style.width, style.height) != (self.state.style.width, self.state.style.height):
            changes.update(custom_size=True, width=style.width, height=style.height)
        if style.bold != self.state.style.bold:
            changes["bold"] = style.bold
        if align != self.state.align:
            changes["align"] = align.value
        if changes:
            self.printer.set(**changes)
        self.state = _CodepageState(align, style)


def _for_codepages(receipt: Receipt) -> Receipt:
    def sub(text: str) -> str:
        return text.translate(CODEPAGE_SUBSTITUTES)

    return replace(
        receipt,
        title=sub(receipt.title),
        service=sub(receipt.service),
        fields=[(sub(label), sub(value)) for label, value in receipt.fields],
        case_number_label=sub(receipt.case_number_label),
        follow_hint=sub(receipt.follow_hint),
        footer=sub(receipt.footer),
    )
