"""The paper of the simulated printer: applies parsed ESC/POS commands and renders receipts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import qrcode
from escpos.capabilities import CAPABILITIES
from PIL import Image, ImageDraw, ImageFont

from devices.printer.escpos_stream import Command, Op

DEFAULT_LINE_SPACING_DOTS = 30
TAB_COLUMNS = 8
# Printer ROM fonts: font A is 12 x 24 dots, font B 9 x 17.
FONT_CELLS = {0: (12, 24), 1: (9, 17)}
MONO_FONTS = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansMono-Bold.ttf",
    ),
}
QR_ERROR_LEVELS = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}


@lru_cache(maxsize=1)
def _code_pages() -> dict[int, dict]:
    """ESC t numbering of python-escpos's default profile, with each page's character data."""
    pages = CAPABILITIES["profiles"]["default"]["codePages"]
    encodings = CAPABILITIES["encodings"]
    return {int(number): encodings.get(name, {}) for number, name in pages.items()}


@lru_cache(maxsize=64)
def code_page_table(number: int) -> str:
    """The 256 characters of code page number (ESC t n); unknown pages read as CP437."""
    page = _code_pages().get(number, {})
    if "data" in page:
        return "".join(chr(i) for i in range(128)) + "".join(page["data"])
    codec = page.get("python_encode", "cp437")
    # Byte by byte: a page's codec may be multi-byte (CP932), but ESC t pages are single-byte.
    return "".join(bytes([byte]).decode(codec, errors="replace")[:1] or "?" for byte in range(256))


def decode_text(data: bytes, code_page: int) -> str:
    table = code_page_table(code_page)
    return "".join(table[byte] for byte in data)


def _mono_font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in MONO_FONTS[bold]:
        if Path(path).is_file():
            return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size)


@lru_cache(maxsize=4096)
def glyph_cell(char: str, font: int, bold: bool, width: int, height: int) -> Image.Image:
    """One character cell as a 1-bit image (0 = dot), scaled like the printer scales it."""
    cell_w, cell_h = FONT_CELLS[font]
    cell = Image.new("L", (cell_w, cell_h), 255)
    face = _mono_font(bold, round(cell_w / 0.6))
    ImageDraw.Draw(cell).text((cell_w / 2, cell_h * 0.8), char, font=face, fill=0, anchor="ms")
    one_bit = cell.point(lambda value: 255 if value >= 128 else 0, mode="1")
    return one_bit.resize((cell_w * width, cell_h * height), Image.Resampling.NEAREST)


def raster_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """A GS v 0 bitmap (1 = dot) as a 1-bit image (0 = dot)."""
    return Image.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")


@dataclass
class PrintSettings:
    align: int = 0
    bold: bool = False
    underline: bool = False
    font: int = 0
    width: int = 1
    height: int = 1
    code_page: int = 0
    line_spacing: int = DEFAULT_LINE_SPACING_DOTS
    qr_module: int = 3
    qr_error_level: int = 48
    qr_data: bytes = b""
    graphic: Image.Image | None = None


@dataclass
class _Line:
    cells: list[Image.Image] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return sum(cell.width for cell in self.cells)


@dataclass
class FinishedReceipt:
    image: Image.Image
    text: str


class SimulatedPaper:
    """What an ESC/POS printer mechanism does with each command, drawn on a roll of paper."""

    def __init__(self, width_px: int = 576) -> None:
        self.width_px = width_px
        self.settings = PrintSettings()
        self._line = _Line()
        self._strips: list[Image.Image] = []
        self._log: list[str] = []
        self._inked = False

    def apply(self, command: Command) -> FinishedReceipt | None:
        """Carry out one command; a cut returns the receipt it finished, if anything was on it."""
        handler = getattr(self, f"_on_{command.op.value}", None)
        if handler is None:
            return None
        return handler(command)

    # text and line handling

    def _on_text(self, command: Command) -> None:
        settings = self.settings
        for char in decode_text(command.data, settings.code_page):
            cell = glyph_cell(char, settings.font, settings.bold, settings.width, settings.height)
            if settings.underline:
                cell = cell.copy()
                ImageDraw.Draw(cell).line(
                    (0, cell.height - 2, cell.width, cell.height - 2), fill=0, width=2
                )
            if self._line.width + cell.width > self.width_px:
                self._print_line()
            self._line.cells.append(cell)
            self._line.text.append(char)

    def _on_tab(self, command: Command) -> None:
        cell_w = FONT_CELLS[self.settings.font][0] * self.settings.width
        columns = self._line.width // cell_w
        spaces = TAB_COLUMNS - columns % TAB_COLUMNS
        self._on_text(Command(Op.TEXT, data=b" " * spaces))

    def _on_line_feed(self, command: Command) -> None:
        self._print_line()

    def _print_line(self) -> None:
        line, self._line = self._line, _Line()
        if not line.cells:
            self._feed(self.settings.line_spacing)
            return
        height = max(self.settings.line_spacing, max(cell.height for cell in line.cells))
        strip = Image.new("1", (self.width_px, height), 1)
        x = self._x_for(line.width)
        for cell in line.cells:
            strip.paste(cell, (x, height - cell.height))
            x += cell.width
        self._emit(strip)
        self._log.append("".join(line.text).rstrip())

    def _flush_line(self) -> None:
        if self._line.cells:
            self._print_line()

    def _feed(self, dots: int) -> None:
        if dots > 0:
            self._strips.append(Image.new("1", (self.width_px, dots), 1))

    def _emit(self, strip: Image.Image) -> None:
        self._strips.append(strip)
        self._inked = True

    def _x_for(self, width: int) -> int:
        free = max(0, self.width_px - width)
        return {0: 0, 1: free // 2, 2: free}.get(self.settings.align, 0)

    def _on_feed_lines(self, command: Command) -> None:
        lines = command.args[0]
        if self._line.cells:
            self._print_line()
            lines -= 1
        self._feed(max(0, lines) * self.settings.line_spacing)

    def _on_feed_dots(self, command: Command) -> None:
        self._flush_line()
        self._feed(command.args[0])

    # settings

    def _on_init(self, command: Command) -> None:
        self.settings = PrintSettings()
        self._line = _Line()

    def _on_align(self, command: Command) -> None:
        self.settings.align = command.args[0] % 48

    def _on_bold(self, command: Command) -> None:
        self.settings.bold = bool(command.args[0] & 1)

    _on_double_strike = _on_bold

    def _on_underline(self, command: Command) -> None:
        self.settings.underline = command.args[0] % 48 != 0

    def _on_font(self, command: Command) -> None:
        self.settings.font = 1 if command.args[0] % 48 == 1 else 0

    def _on_print_mode(self, command: Command) -> None:
        mode = command.args[0]
        self.settings.font = mode & 1
        self.settings.bold = bool(mode & 0x08)
        self.settings.height = 2 if mode & 0x10 else 1
        self.settings.width = 2 if mode & 0x20 else 1
        self.settings.underline = bool(mode & 0x80)

    def _on_char_size(self, command: Command) -> None:
        size = command.args[0]
        self.settings.width = min(8, (size >> 4) + 1)
        self.settings.height = min(8, (size & 0x0F) + 1)

    def _on_code_page(self, command: Command) -> None:
        self.settings.code_page = command.args[0]

    def _on_line_spacing(self, command: Command) -> None:
        self.settings.line_spacing = command.args[0]

    def _on_default_line_spacing(self, command: Command) -> None:
        self.settings.line_spacing = DEFAULT_LINE_SPACING_DOTS

    # images and codes

    def _place(self, image: Image.Image, label: str) -> None:
        self._flush_line()
        if image.width > self.width_px:
            image = image.crop((0, 0, self.width_px, image.height))
        strip = Image.new("1", (self.width_px, image.height), 1)
        strip.paste(image, (self._x_for(image.width), 0))
        self._emit(strip)
        self._log.append(label)

    def _on_raster_image(self, command: Command) -> None:
        mode, width_bytes, height = command.args
        image = raster_image(width_bytes, height, command.data)
        scale_x, scale_y = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
        if (scale_x, scale_y) != (1, 1):
            size = (image.width * scale_x, image.height * scale_y)
            image = image.resize(size, Image.Resampling.NEAREST)
        self._place(image, f"[raster {image.width}x{image.height}]")

    def _on_graphics_store(self, command: Command) -> None:
        scale_x, scale_y, width, height = command.args
        width_bytes = (width + 7) // 8
        if len(command.data) < width_bytes * height:
            return
        image = raster_image(width_bytes, height, command.data[: width_bytes * height])
        image = image.crop((0, 0, width, height))
        size = (width * max(1, scale_x), height * max(1, scale_y))
        self.settings.graphic = image.resize(size, Image.Resampling.NEAREST)

    def _on_graphics_print(self, command: Command) -> None:
        if self.settings.graphic is not None:
            graphic = self.settings.graphic
            self._place(graphic, f"[graphics {graphic.width}x{graphic.height}]")

    def _on_qr_module_size(self, command: Command) -> None:
        self.settings.qr_module = max(1, min(16, command.args[0]))

    def _on_qr_error_correction(self, command: Command) -> None:
        if command.args[0] in QR_ERROR_LEVELS:
            self.settings.qr_error_level = command.args[0]

    def _on_qr_store(self, command: Command) -> None:
        self.settings.qr_data = command.data

    def _on_qr_print(self, command: Command) -> None:
        data = self.settings.qr_data
        if not data:
            return
        code = qrcode.QRCode(
            error_correction=QR_ERROR_LEVELS[self.settings.qr_error_level],
            box_size=self.settings.qr_module,
            border=0,
        )
        code.add_data(data)
        try:
            code.make(fit=True)
        except qrcode.exceptions.DataOverflowError:
            return  # a printer prints nothing for data no symbol can hold
        image = code.make_image().get_image().convert("1")
        self._place(image, f"[qr {data.decode('utf-8', errors='replace')}]")

    def _on_cut(self, command: Command) -> FinishedReceipt | None:
        self._flush_line()
        self._feed(command.args[1] if len(command.args) > 1 else 0)
        strips, self._strips = self._strips, []
        log, self._log = self._log, []
        inked, self._inked = self._inked, False
        if not inked:
            return None
        paper = Image.new("1", (self.width_px, sum(strip.height for strip in strips)), 1)
        y = 0
        for strip in strips:
            paper.paste(strip, (0, y))
            y += strip.height
        return FinishedReceipt(paper, "\n".join(log) + "\n")
