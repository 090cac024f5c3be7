"""Split a raw ESC/POS byte stream into commands: pure functions over bytes.

Commands a receipt printer draws with get their own operation; every other command in the
ESC/POS reference is recognised by length and passed on as UNKNOWN with its parameter bytes, so
it is skipped whole instead of being printed as text. A command cut off at the end of the
buffer is left unconsumed until more bytes arrive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT = 0x0A, 0x0D, 0x09
EOT, ENQ, DC4 = 0x04, 0x05, 0x14
QR_CODE_TYPE = 49  # cn of GS ( k for QR Code


class Op(StrEnum):
    TEXT = "text"
    LINE_FEED = "line_feed"
    CARRIAGE_RETURN = "carriage_return"
    TAB = "tab"
    INIT = "init"
    ALIGN = "align"
    BOLD = "bold"
    DOUBLE_STRIKE = "double_strike"
    UNDERLINE = "underline"
    PRINT_MODE = "print_mode"
    CHAR_SIZE = "char_size"
    FONT = "font"
    CODE_PAGE = "code_page"
    FEED_LINES = "feed_lines"
    FEED_DOTS = "feed_dots"
    LINE_SPACING = "line_spacing"
    DEFAULT_LINE_SPACING = "default_line_spacing"
    RASTER_IMAGE = "raster_image"
    GRAPHICS_STORE = "graphics_store"
    GRAPHICS_PRINT = "graphics_print"
    QR_MODEL = "qr_model"
    QR_MODULE_SIZE = "qr_module_size"
    QR_ERROR_CORRECTION = "qr_error_correction"
    QR_STORE = "qr_store"
    QR_PRINT = "qr_print"
    CUT = "cut"
    STATUS_QUERY = "status_query"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    op: Op
    args: tuple[int, ...] = ()
    data: bytes = b""


# Commands with a fixed number of parameter bytes after the command byte.
ESC_FIXED = {
    b" ": 1, b"!": 1, b"$": 2, b"%": 1, b"+": 1, b"-": 1, b"2": 0, b"3": 1, b"<": 0,
    b"=": 1, b"?": 1, b"@": 0, b"A": 1, b"B": 2, b"C": 1, b"E": 1, b"F": 1, b"G": 1,
    b"J": 1, b"K": 1, b"L": 0, b"M": 1, b"R": 1, b"S": 0, b"T": 1, b"U": 1, b"V": 1,
    b"W": 8, b"\\": 2, b"a": 1, b"c": 2, b"d": 1, b"e": 1, b"f": 2, b"i": 0, b"j": 1,
    b"m": 0, b"p": 3, b"r": 1, b"t": 1, b"u": 1, b"v": 0, b"{": 1,
}  # fmt: skip
GS_FIXED = {
    b"!": 1, b"$": 2, b"/": 1, b":": 0, b"B": 1, b"H": 1, b"I": 1, b"L": 2, b"P": 2,
    b"T": 1, b"W": 2, b"\\": 2, b"^": 3, b"a": 1, b"b": 1, b"c": 0, b"f": 1, b"h": 1,
    b"j": 1, b"r": 1, b"w": 1, b"|": 1,
}  # fmt: skip
FS_FIXED = {
    b"!": 1, b"&": 0, b"-": 1, b".": 0, b"?": 2, b"C": 1, b"S": 2, b"W": 1, b"p": 2,
    b"2": 74,
}  # fmt: skip
ESC_SIMPLE_OPS = {
    b"@": Op.INIT, b"a": Op.ALIGN, b"E": Op.BOLD, b"G": Op.DOUBLE_STRIKE, b"-": Op.UNDERLINE,
    b"!": Op.PRINT_MODE, b"M": Op.FONT, b"t": Op.CODE_PAGE, b"d": Op.FEED_LINES,
    b"J": Op.FEED_DOTS, b"3": Op.LINE_SPACING, b"2": Op.DEFAULT_LINE_SPACING,
}  # fmt: skip
TEXT_RUN = re.compile(rb"[\x20-\xff]+")

Parsed = tuple[Command, int] | None  # None: the command is not complete yet


def parse_commands(buffer: bytes) -> tuple[list[Command], int]:
    """Commands found at the start of buffer, and how many bytes they took."""
    commands: list[Command] = []
    position = 0
    while position < len(buffer):
        parsed = parse_command(buffer, position)
        if parsed is None:
            break
        command, length = parsed
        commands.append(command)
        position += length
    return commands, position


def parse_command(buffer: bytes, at: int) -> Parsed:
    """The command starting at offset at, with its length in bytes."""
    first = buffer[at]
    if first >= 0x20:
        run = TEXT_RUN.match(buffer, at)
        assert run is not None
        return Command(Op.TEXT, data=run.group()), run.end() - at
    if first == LF:
        return Command(Op.LINE_FEED), 1
    if first == CR:
        return Command(Op.CARRIAGE_RETURN), 1
    if first == HT:
        return Command(Op.TAB), 1
    prefixed = PREFIX_PARSERS.get(first)
    if prefixed is None:
        return Command(Op.UNKNOWN, data=buffer[at : at + 1]), 1
    if at + 1 >= len(buffer):
        return None
    return prefixed(buffer, at)


def _u16(buffer: bytes, at: int) -> int:
    return buffer[at] | buffer[at + 1] << 8


def _unknown(buffer: bytes, at: int, length: int) -> Parsed:
    if at + length > len(buffer):
        return None
    return Command(Op.UNKNOWN, data=buffer[at : at + length]), length


def _parse_esc(buffer: bytes, at: int) -> Parsed:
    code = buffer[at + 1 : at + 2]
    if code in ESC_FIXED:
        length = 2 + ESC_FIXED[code]
        if at + length > len(buffer):
            return None
        args = tuple(buffer[at + 2 : at + length])
        if code in ESC_SIMPLE_OPS:
            return Command(ESC_SIMPLE_OPS[code], args), length
        if code in (b"i", b"m"):
            return Command(Op.CUT, (int(code == b"m"), 0)), length
        return Command(Op.UNKNOWN, data=buffer[at : at + length]), length
    if code == b"*":  # ESC * m nL nH d...: column bit image
        if at + 5 > len(buffer):
            return None
        columns = _u16(buffer, at + 3)
        return _unknown(buffer, at, 5 + columns * (3 if buffer[at + 2] >= 32 else 1))
    if code == b"D":  # ESC D n1 ... NUL: tab positions
        end = buffer.find(b"\x00", at + 2)
        return None if end < 0 else _unknown(buffer, at, end + 1 - at)
    if code == b"&":
        return _parse_user_characters(buffer, at)
    if code == b"(":  # ESC ( fn pL pH d...
        if at + 5 > len(buffer):
            return None
        return _unknown(buffer, at, 5 + _u16(buffer, at + 3))
    return _unknown(buffer, at, 2)


def _parse_user_characters(buffer: bytes, at: int) -> Parsed:
    """ESC & y c1 c2 [x d1...d(y*x)]...: define user characters (skipped)."""
    if at + 5 > len(buffer):
        return None
    height, first, last = buffer[at + 2], buffer[at + 3], buffer[at + 4]
    position = at + 5
    for _ in range(max(0, last - first + 1)):
        if position >= len(buffer):
            return None
        position += 1 + height * buffer[position]
    return _unknown(buffer, at, position - at)


def _parse_gs(buffer: bytes, at: int) -> Parsed:
    code = buffer[at + 1 : at + 2]
    if code in GS_FIXED:
        length = 2 + GS_FIXED[code]
        if at + length > len(buffer):
            return None
        if code == b"!":
            return Command(Op.CHAR_SIZE, (buffer[at + 2],)), length
        return Command(Op.UNKNOWN, data=buffer[at : at + length]), length
    parser = GS_VARIABLE.get(code)
    return parser(buffer, at) if parser else _unknown(buffer, at, 2)


FULL_CUT_MODES = frozenset({0, 48, 65, 97, 103})


def _parse_cut(buffer: bytes, at: int) -> Parsed:
    """GS V m [n]: args (partial, feed dots); m 65/66, 97/98 and 103/104 carry n."""
    if at + 3 > len(buffer):
        return None
    mode = buffer[at + 2]
    partial = int(mode not in FULL_CUT_MODES)
    if mode in (0, 1, 48, 49):
        return Command(Op.CUT, (partial, 0)), 3
    if at + 4 > len(buffer):
        return None
    return Command(Op.CUT, (partial, buffer[at + 3])), 4


def _parse_raster(buffer: bytes, at: int) -> Parsed:
    """GS v 0 m xL xH yL yH d...: raster bit image, xL/xH in bytes, yL/yH in dots."""
    if at + 8 > len(buffer):
        return None
    if buffer[at + 2] != 0x30:
        return _unknown(buffer, at, 3)
    mode, width_bytes, height = buffer[at + 3], _u16(buffer, at + 4), _u16(buffer, at + 6)
    end = at + 8 + width_bytes * height
    if end > len(buffer):
        return None
    return Command(
        Op.RASTER_IMAGE, (mode % 48, width_bytes, height), buffer[at + 8 : end]
    ), end - at


def _parse_barcode(buffer: bytes, at: int) -> Parsed:
    """GS k m ...: barcode, NUL-terminated (m <= 6) or length-prefixed (m >= 65); skipped."""
    if at + 3 > len(buffer):
        return None
    if buffer[at + 2] <= 6:
        end = buffer.find(b"\x00", at + 3)
        return None if end < 0 else _unknown(buffer, at, end + 1 - at)
    if at + 4 > len(buffer):
        return None
    return _unknown(buffer, at, 4 + buffer[at + 3])


def _parse_column_image(buffer: bytes, at: int) -> Parsed:
    """GS * x y d...: define downloaded bit image (skipped)."""
    if at + 4 > len(buffer):
        return None
    return _unknown(buffer, at, 4 + buffer[at + 2] * buffer[at + 3] * 8)


def _parse_variable_image(buffer: bytes, at: int) -> Parsed:
    """GS Q 0 m xL xH yL yH d...: variable vertical size bit image (skipped)."""
    if at + 8 > len(buffer):
        return None
    return _unknown(buffer, at, 8 + _u16(buffer, at + 4) * _u16(buffer, at + 6))


def _parse_gs_paren(buffer: bytes, at: int) -> Parsed:
    """GS ( fn pL pH p...: QR codes (fn k) and graphics (fn L) are drawn, the rest skipped."""
    if at + 5 > len(buffer):
        return None
    end = at + 5 + _u16(buffer, at + 3)
    if end > len(buffer):
        return None
    function, params = buffer[at + 2 : at + 3], buffer[at + 5 : end]
    if function == b"k":
        return _qr_command(params), end - at
    if function == b"L":
        return _graphics_command(params), end - at
    return Command(Op.UNKNOWN, data=buffer[at:end]), end - at


def _parse_gs_eight(buffer: bytes, at: int) -> Parsed:
    """GS 8 L p1 p2 p3 p4 m fn ...: graphics with a four-byte length."""
    if at + 7 > len(buffer):
        return None
    size = int.from_bytes(buffer[at + 3 : at + 7], "little")
    end = at + 7 + size
    if end > len(buffer):
        return None
    if buffer[at + 2 : at + 3] == b"L":
        return _graphics_command(buffer[at + 7 : end]), end - at
    return Command(Op.UNKNOWN, data=buffer[at:end]), end - at


def _qr_command(params: bytes) -> Command:
    if len(params) < 2 or params[0] != QR_CODE_TYPE:
        return Command(Op.UNKNOWN, data=params)
    function, rest = params[1], params[2:]
    if function == 65 and rest:
        return Command(Op.QR_MODEL, (rest[0],))
    if function == 67 and rest:
        return Command(Op.QR_MODULE_SIZE, (rest[0],))
    if function == 69 and rest:
        return Command(Op.QR_ERROR_CORRECTION, (rest[0],))
    if function == 80 and rest:
        return Command(Op.QR_STORE, data=rest[1:])
    if function == 81:
        return Command(Op.QR_PRINT)
    return Command(Op.UNKNOWN, data=params)


def _graphics_command(params: bytes) -> Command:
    """m fn ...: fn 112 stores a raster graphic, fn 50 (or 2) prints it."""
    if len(params) < 2:
        return Command(Op.UNKNOWN, data=params)
    function = params[1]
    if function == 112 and len(params) >= 10:
        width, height = _u16(params, 6), _u16(params, 8)
        return Command(Op.GRAPHICS_STORE, (params[3], params[4], width, height), params[10:])
    if function in (2, 50):
        return Command(Op.GRAPHICS_PRINT)
    return Command(Op.UNKNOWN, data=params)


def _parse_fs(buffer: bytes, at: int) -> Parsed:
    code = buffer[at + 1 : at + 2]
    if code in FS_FIXED:
        return _unknown(buffer, at, 2 + FS_FIXED[code])
    if code == b"(":
        if at + 5 > len(buffer):
            return None
        return _unknown(buffer, at, 5 + _u16(buffer, at + 3))
    return _unknown(buffer, at, 2)


def _parse_dle(buffer: bytes, at: int) -> Parsed:
    code = buffer[at + 1]
    if code == EOT:
        if at + 3 > len(buffer):
            return None
        kind = buffer[at + 2]
        if kind in (7, 8):
            return _unknown(buffer, at, 4)
        return Command(Op.STATUS_QUERY, (kind,)), 3
    if code == ENQ:
        return _unknown(buffer, at, 3)
    if code == DC4:
        if at + 3 > len(buffer):
            return None
        return _unknown(buffer, at, 3 + {1: 2, 2: 2, 3: 2, 7: 1, 8: 7}.get(buffer[at + 2], 0))
    # A lone DLE is not a command: drop it and read on from the next byte.
    return Command(Op.UNKNOWN, data=buffer[at : at + 1]), 1


GS_VARIABLE: dict[bytes, Callable[[bytes, int], Parsed]] = {
    b"V": _parse_cut,
    b"v": _parse_raster,
    b"k": _parse_barcode,
    b"*": _parse_column_image,
    b"Q": _parse_variable_image,
    b"(": _parse_gs_paren,
    b"8": _parse_gs_eight,
}
PREFIX_PARSERS: dict[int, Callable[[bytes, int], Parsed]] = {
    ESC: _parse_esc,
    GS: _parse_gs,
    FS: _parse_fs,
    DLE: _parse_dle,
}
