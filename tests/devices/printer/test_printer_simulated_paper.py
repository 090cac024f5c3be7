from __future__ import annotations

from PIL import Image
from pyzbar.pyzbar import decode

from devices.printer.escpos_stream import parse_commands
from devices.printer.interface import PaperState
from devices.printer.simulated_paper import FinishedReceipt, SimulatedPaper, decode_text
from devices.printer.simulated_printer import SimulatedPrinter
from devices.printer.status import StatusKind, status_query

CUT = b"\x1dV\x00"


def print_stream(stream: bytes, width: int = 576) -> list[FinishedReceipt]:
    paper = SimulatedPaper(width)
    commands, used = parse_commands(stream)
    assert used == len(stream)
    return [r for c in commands if (r := paper.apply(c)) is not None]


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()


def test_code_pages_follow_python_escpos_numbering() -> None:
    assert decode_text("Ça".encode("cp437"), 0) == "Ça"
    assert decode_text("Привет ў".encode("cp866"), 17) == "Привет ў"
    assert decode_text("Привет ў".encode("cp1251"), 46) == "Привет ў"


def test_text_lines_are_printed_and_logged() -> None:
    stream = b"\x1b@\x1bt\x11" + "Привет".encode("cp866") + b"\n\x1ba\x01centre\n" + CUT
    (receipt,) = print_stream(stream)
    assert receipt.text == "Привет\ncentre\n"
    assert receipt.image.width == 576
    assert receipt.image.height == 60  # two lines at the default 30-dot spacing


def test_alignment_and_character_size() -> None:
    (left,) = print_stream(b"AB\n" + CUT)
    (centred,) = print_stream(b"\x1ba\x01AB\n" + CUT)
    (right,) = print_stream(b"\x1ba\x02AB\n" + CUT)
    (double,) = print_stream(b"\x1d!\x11AB\n" + CUT)
    assert ink_box(left.image)[0] < 12
    assert abs(ink_box(centred.image)[0] - (576 - ink_box(centred.image)[2])) <= 4
    assert ink_box(right.image)[2] > 576 - 12
    assert double.image.height == 48  # 24-dot font at double height is taller than spacing
    assert ink_box(double.image)[2] > 2 * ink_box(left.image)[2] - 8


def test_long_lines_wrap_at_the_paper_edge() -> None:
    (receipt,) = print_stream(b"x" * 60 + b"\n" + CUT)  # font A: 48 characters a line
    assert receipt.text == "x" * 48 + "\n" + "x" * 12 + "\n"


def test_raster_image_lands_where_it_was_sent() -> None:
    square = b"\xff" * 4 * 16  # 32 x 16 dots, all black
    stream = b"\x1dv0\x00\x04\x00\x10\x00" + square + CUT
    (receipt,) = print_stream(stream)
    assert ink_box(receipt.image) == (0, 0, 32, 16)
    (wide,) = print_stream(b"\x1dv0\x01\x04\x00\x10\x00" + square + CUT)
    assert ink_box(wide.image) == (0, 0, 64, 16)


def test_native_qr_code_is_printed_scannable() -> None:
    data = b"https://example.org/s/1"
    stream = (
        b"\x1ba\x01\n"
        + b"\x1d(k\x03\x001C\x06"
        + b"\x1d(k" + bytes([len(data) + 3, 0]) + b"1P0" + data
        + b"\x1d(k\x03\x001Q0\n\n"
        + CUT
    )  # fmt: skip
    (receipt,) = print_stream(stream)
    assert [d.data for d in decode(receipt.image.convert("L"))] == [data]
    assert f"[qr {data.decode()}]" in receipt.text


def test_a_cut_with_nothing_printed_makes_no_receipt() -> None:
    assert print_stream(b"\x1b@\x1bd\x06" + CUT) == []


def test_unknown_commands_do_not_print(tmp_path) -> None:
    (receipt,) = print_stream(b"\x1bp\x00\x19\xfaA\x1d(E\x03\x00\x01IN\n" + CUT)
    assert receipt.text == "A\n"


def test_printer_answers_status_and_saves_receipts(tmp_path) -> None:
    printer = SimulatedPrinter(tmp_path)
    replies, used = printer.receive(status_query(StatusKind.PRINTER) + b"hi\n" + CUT + b"\x1b")
    assert replies == b"\x12" and used == 3 + 3 + 3
    (path,) = printer.receipts
    assert path.name == "receipt-0001.png" and path.with_suffix(".txt").read_text() == "hi\n"
    assert Image.open(path).width == 576


def test_without_paper_nothing_is_printed_but_status_is_answered(tmp_path) -> None:
    printer = SimulatedPrinter(tmp_path)
    printer.set_paper(PaperState.OUT)
    queries = b"".join(status_query(kind) for kind in StatusKind)
    replies, _ = printer.receive(b"lost\n" + CUT + queries)
    assert replies == bytes([0x1A, 0x32, 0x12, 0x7E])
    assert printer.receipts == []
    printer.set_paper(PaperState.OK)
    printer.receive(b"kept\n" + CUT)
    assert printer.receipts[0].with_suffix(".txt").read_text() == "kept\n"


def test_numbering_continues_after_earlier_runs(tmp_path) -> None:
    SimulatedPrinter(tmp_path).receive(b"one\n" + CUT)
    later = SimulatedPrinter(tmp_path)
    later.receive(b"two\n" + CUT)
    assert later.receipts[0].name == "receipt-0002.png"
