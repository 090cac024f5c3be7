from __future__ import annotations

import dataclasses

from PIL import Image
from pyzbar.pyzbar import decode

from printing import EscposOptions, Receipt, receipt_to_escpos_bytes
from printing.escpos_render import trim_right

ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
LEFT, CENTER = ESC + b"a\x00", ESC + b"a\x01"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
SIZE_1X1, SIZE_1X2, SIZE_2X2 = GS + b"!\x00", GS + b"!\x01", GS + b"!\x11"
CODE_PAGE_437 = ESC + b"t\x00"
FEED_6_LINES_AND_CUT = ESC + b"d\x06" + GS + b"V\x00"
PAPER_COLUMNS = 48  # font A (12 dots) on 576-dot paper


def qr_function(fn: bytes, params: bytes) -> bytes:
    """GS ( k pL pH cn fn params, with cn = 49 (QR Code) and pL pH = len(params) + 2."""
    size = len(params) + 2
    return GS + b"(k" + bytes([size % 256, size // 256]) + b"1" + fn + params


def native_qr(data: str, module_dots: int) -> bytes:
    return (
        qr_function(b"A", b"2\x00")  # fn 65: model 2
        + qr_function(b"C", bytes([module_dots]))  # fn 67: module size
        + qr_function(b"E", b"1")  # fn 69: error correction M
        + qr_function(b"P", b"0" + data.encode())  # fn 80: store data
        + qr_function(b"Q", b"0")  # fn 81: print
    )


def test_english_receipt_in_codepage_mode_with_native_qr(english_receipt: Receipt) -> None:
    url = english_receipt.qr_data
    expected = (
        INIT
        + SIZE_1X2 + BOLD_ON + CENTER + CODE_PAGE_437 + b"Migration Office\n"
        + SIZE_1X1 + b"General application\n"
        + BOLD_OFF + LEFT + b"-" * PAPER_COLUMNS + b"\n"
        + b"Date" + b" " * 28 + BOLD_ON + b"22.11.2026 14:05\n"
        + BOLD_OFF + b"Kiosk" + b" " * 39 + BOLD_ON + b"0001\n"
        + BOLD_OFF + b"-" * PAPER_COLUMNS + b"\n"
        + b"\n"
        + CENTER + b"Case number\n"
        + SIZE_2X2 + BOLD_ON + b"0001 0000 0423\n"
        + SIZE_1X1 + BOLD_OFF + b"\n"
        # 43 bytes of URL need version 4 (33 modules) at level M: 8 dots a module is ~half the paper
        + native_qr(url, module_dots=8)
        + b"\n"
        + b"Scan the code to follow your case.\n"
        + b"\n"
        + b"Thank you\n"
        + FEED_6_LINES_AND_CUT
    )  # fmt: skip
    options = EscposOptions(text_mode="codepage", qr_mode="native")
    assert receipt_to_escpos_bytes(english_receipt, options) == expected


def test_codepage_mode_switches_pages_for_cyrillic_and_replaces_the_letter_mark(
    english_receipt: Receipt,
) -> None:
    receipt = dataclasses.replace(english_receipt, title="Oʻzbekiston", service="Привет")
    stream = receipt_to_escpos_bytes(receipt, EscposOptions(text_mode="codepage"))
    assert CODE_PAGE_437 + b"O'zbekiston\n" in stream
    assert ESC + b"t\x11" + "Привет".encode("cp866") + b"\n" in stream  # page 17 = CP866


# --- raster mode --------------------------------------------------------------------------


def split_raster_stream(stream: bytes) -> tuple[list[tuple[bytes, Image.Image]], bytes]:
    """Walk a raster-mode stream: (command, image) for every GS v 0, and the other bytes."""
    images: list[tuple[bytes, Image.Image]] = []
    other = bytearray()
    i = 0
    while i < len(stream):
        if stream.startswith(GS + b"v0", i):
            header = stream[i : i + 8]
            width_bytes = header[4] + 256 * header[5]
            height = header[6] + 256 * header[7]
            data = stream[i + 8 : i + 8 + width_bytes * height]
            assert len(data) == width_bytes * height
            image = Image.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")
            images.append((header, image))
            i += 8 + len(data)
        else:
            other.append(stream[i])
            i += 1
    return images, bytes(other)


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()


def test_raster_stream_structure(uzbek_receipt: Receipt) -> None:
    stream = receipt_to_escpos_bytes(uzbek_receipt, EscposOptions(text_mode="raster"))
    images, other = split_raster_stream(stream)
    assert stream.startswith(INIT + LEFT + GS + b"v0")
    assert stream.endswith(FEED_6_LINES_AND_CUT)
    for header, image in images:
        assert header[3] == 0  # normal density, no scaling
        assert 1 <= image.width // 8 <= 576 // 8
    # Nothing but raster, justification and the native QR code besides init and cut.
    assert CODE_PAGE_437 not in other
    assert other.count(GS + b"(k") == 5
    text_like = [image for _, image in images if ink_box(image)]
    assert len(text_like) >= 12  # title, service, rules, fields, case number, hint lines...


def test_raster_lines_carry_ink_where_the_text_is(uzbek_receipt: Receipt) -> None:
    images, _ = split_raster_stream(receipt_to_escpos_bytes(uzbek_receipt))
    title = images[0][1]
    box = ink_box(title)
    assert box is not None
    # The title is centred: as much blank on its left as on its right.
    assert abs(box[0] - (576 - box[2])) <= 12
    blanks = [image for _, image in images if image.width == 8]
    assert blanks and all(ink_box(image) is None for image in blanks)
    case_number = max((image for _, image in images), key=lambda image: image.height)
    case_box = ink_box(case_number)
    assert case_box is not None and case_box[3] - case_box[1] >= 35


def test_raster_lines_are_trimmed_to_their_ink() -> None:
    line = Image.new("1", (576, 10), 1)
    line.paste(0, (0, 0, 100, 10))
    assert trim_right(line).width == 104
    assert trim_right(Image.new("1", (576, 10), 1)).width == 8


def test_image_qr_mode_sends_the_code_as_a_scannable_raster(uzbek_receipt: Receipt) -> None:
    stream = receipt_to_escpos_bytes(uzbek_receipt, EscposOptions(qr_mode="image"))
    images, other = split_raster_stream(stream)
    assert GS + b"(k" not in other
    codes = [d.data.decode() for _, image in images for d in decode(image.convert("L"))]
    assert codes == [uzbek_receipt.qr_data]


def test_bytes_are_the_same_for_the_same_receipt(uzbek_receipt: Receipt) -> None:
    for options in (EscposOptions(), EscposOptions(qr_mode="image", text_mode="codepage")):
        first = receipt_to_escpos_bytes(uzbek_receipt, options)
        assert receipt_to_escpos_bytes(uzbek_receipt, options) == first


def test_options_follow_the_printer_config() -> None:
    from config.profiles import PrinterConfig

    config = PrinterConfig(qr_mode="image", text_mode="codepage", paper_width_px=512)
    options = EscposOptions.from_printer_config(config)
    assert options == EscposOptions(qr_mode="image", text_mode="codepage", paper_width_px=512)
