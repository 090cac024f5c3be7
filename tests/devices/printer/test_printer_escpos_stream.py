from __future__ import annotations

import pytest

from devices.printer.escpos_stream import Command, Op, parse_command, parse_commands


def ops(data: bytes) -> list[Command]:
    commands, used = parse_commands(data)
    assert used == len(data)
    return commands


def test_text_and_control_characters() -> None:
    assert ops(b"Hello \x80\xff\n\r\t") == [
        Command(Op.TEXT, data=b"Hello \x80\xff"),
        Command(Op.LINE_FEED),
        Command(Op.CARRIAGE_RETURN),
        Command(Op.TAB),
    ]


@pytest.mark.parametrize(
    ("data", "command"),
    [
        (b"\x1b@", Command(Op.INIT)),
        (b"\x1ba\x01", Command(Op.ALIGN, (1,))),
        (b"\x1bE\x01", Command(Op.BOLD, (1,))),
        (b"\x1bG\x00", Command(Op.DOUBLE_STRIKE, (0,))),
        (b"\x1b-\x02", Command(Op.UNDERLINE, (2,))),
        (b"\x1b!\x38", Command(Op.PRINT_MODE, (0x38,))),
        (b"\x1bM\x01", Command(Op.FONT, (1,))),
        (b"\x1bt\x11", Command(Op.CODE_PAGE, (17,))),
        (b"\x1bd\x06", Command(Op.FEED_LINES, (6,))),
        (b"\x1bJ\x40", Command(Op.FEED_DOTS, (64,))),
        (b"\x1b3\x18", Command(Op.LINE_SPACING, (24,))),
        (b"\x1b2", Command(Op.DEFAULT_LINE_SPACING)),
        (b"\x1d!\x11", Command(Op.CHAR_SIZE, (0x11,))),
        (b"\x1dV\x00", Command(Op.CUT, (0, 0))),
        (b"\x1dV\x01", Command(Op.CUT, (1, 0))),
        (b"\x1dVA\x10", Command(Op.CUT, (0, 16))),
        (b"\x1dVB\x03", Command(Op.CUT, (1, 3))),
        (b"\x1bi", Command(Op.CUT, (0, 0))),
        (b"\x1bm", Command(Op.CUT, (1, 0))),
        (b"\x10\x04\x01", Command(Op.STATUS_QUERY, (1,))),
        (b"\x10\x04\x04", Command(Op.STATUS_QUERY, (4,))),
    ],
)
def test_single_commands(data: bytes, command: Command) -> None:
    assert ops(data) == [command]


def test_raster_image() -> None:
    data = b"\x1dv0\x00\x02\x00\x03\x00" + bytes(range(6))
    assert ops(data) == [Command(Op.RASTER_IMAGE, (0, 2, 3), bytes(range(6)))]


def test_qr_code_functions() -> None:
    stream = (
        b"\x1d(k\x04\x001A2\x00"
        b"\x1d(k\x03\x001C\x08"
        b"\x1d(k\x03\x001E1"
        b"\x1d(k\x06\x001P0abc"
        b"\x1d(k\x03\x001Q0"
    )
    assert ops(stream) == [
        Command(Op.QR_MODEL, (50,)),
        Command(Op.QR_MODULE_SIZE, (8,)),
        Command(Op.QR_ERROR_CORRECTION, (49,)),
        Command(Op.QR_STORE, data=b"abc"),
        Command(Op.QR_PRINT),
    ]


def test_graphics_store_and_print() -> None:
    store = b"0p0\x01\x011" + b"\x08\x00\x02\x00" + b"\xff\x81"  # 8 x 2 dots
    stream = b"\x1d(L" + bytes([len(store), 0]) + store + b"\x1d(L\x02\x0002"
    assert ops(stream) == [
        Command(Op.GRAPHICS_STORE, (1, 1, 8, 2), b"\xff\x81"),
        Command(Op.GRAPHICS_PRINT),
    ]
    eight = b"\x1d8L" + len(store).to_bytes(4, "little") + store
    assert ops(eight) == [Command(Op.GRAPHICS_STORE, (1, 1, 8, 2), b"\xff\x81")]


@pytest.mark.parametrize(
    "data",
    [
        b"\x1bp\x00\x19\xfa",  # ESC p: cash drawer pulse
        b"\x1bD\x08\x10\x00",  # ESC D: tab stops, NUL-terminated
        b"\x1b*\x21\x02\x00" + b"\xff" * 6,  # ESC *: 24-dot column image, 2 columns
        b"\x1dk\x04ABC\x00",  # GS k: CODE39, NUL-terminated
        b"\x1dkI\x04{B12",  # GS k: CODE128, length-prefixed
        b"\x1dH\x02",  # GS H: HRI position
        b"\x1d(k\x04\x000A\x02\x00",  # GS ( k for PDF417 (cn 48)
        b"\x1d(E\x03\x00\x01IN",  # GS ( E: user setup
        b"\x1cp\x01\x00",  # FS p: print NV image
        b"\x1c.",  # FS .: cancel Kanji mode
        b"\x10\x14\x01\x00\x01",  # DLE DC4 1: real-time pulse
        b"\x10\x04\x07\x01",  # DLE EOT 7: ink status, an extra byte
        b"\x1bB\x02\x03",  # ESC B: buzzer
        b"\x1b&\x03\x20\x21" + b"\x02" + b"\x00" * 6 + b"\x01" + b"\x00" * 3,  # ESC &
    ],
)
def test_other_commands_are_skipped_whole(data: bytes) -> None:
    # The text after the command is intact, so the command took exactly its own bytes.
    commands = ops(data + b"X")
    assert [c.op for c in commands] == [Op.UNKNOWN, Op.TEXT]
    assert commands[1].data == b"X"


def test_unknown_escape_skips_only_its_code() -> None:
    assert [c.op for c in ops(b"\x1b\x7fAB")] == [Op.UNKNOWN, Op.TEXT]
    assert ops(b"\x1b\x7fAB")[1].data == b"AB"


@pytest.mark.parametrize(
    "data",
    [
        b"\x1b",
        b"\x1ba",
        b"\x1dv0\x00\x02\x00\x03\x00\x01\x02",
        b"\x1d(k\x06\x001P0ab",
        b"\x10\x04",
        b"\x1dVA",
        b"\x1bD\x08",
        b"\x1d8L\x10\x00",
    ],
)
def test_incomplete_commands_wait_for_more_bytes(data: bytes) -> None:
    assert parse_command(data, 0) is None
    commands, used = parse_commands(b"ok\n" + data)
    assert used == 3 and [c.op for c in commands] == [Op.TEXT, Op.LINE_FEED]


def test_parsing_resumes_after_more_bytes_arrive() -> None:
    stream = b"\x1b@\x1dv0\x00\x01\x00\x02\x00\xf0\x0f\x1dV\x00"
    commands, used = parse_commands(stream[:7])
    assert used == 2
    rest, used_rest = parse_commands(stream[used:])
    assert used + used_rest == len(stream)
    assert [c.op for c in commands + rest] == [Op.INIT, Op.RASTER_IMAGE, Op.CUT]
