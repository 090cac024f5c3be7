"""ESC/POS real-time status (DLE EOT n): queries, reply bytes and what they mean.

Each reply is one byte. Bits 1 and 4 are always 1 and bits 0 and 7 always 0, which is how a
status byte is told apart from anything else on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from devices.printer.interface import PaperState, PrinterError, PrinterStatus

DLE_EOT = b"\x10\x04"
FIXED_BITS_MASK = 0b1001_0011
FIXED_BITS_VALUE = 0b0001_0010

# DLE EOT 1: printer status
DRAWER_PIN3_HIGH = 1 << 2
OFFLINE = 1 << 3
WAITING_FOR_RECOVERY = 1 << 5
FEED_BUTTON_PRESSED = 1 << 6
# DLE EOT 2: offline cause
COVER_OPEN = 1 << 2
FEEDING_BY_BUTTON = 1 << 3
PAPER_END_STOP = 1 << 5
ERROR_OCCURRED = 1 << 6
# DLE EOT 3: error cause
RECOVERABLE_ERROR = 1 << 2
AUTOCUTTER_ERROR = 1 << 3
UNRECOVERABLE_ERROR = 1 << 5
AUTO_RECOVERABLE_ERROR = 1 << 6
# DLE EOT 4: roll paper sensor (each condition is reported on two bits)
PAPER_NEAR_END_BITS = (1 << 2) | (1 << 3)
PAPER_OUT_BITS = (1 << 5) | (1 << 6)


class StatusKind(IntEnum):
    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER_SENSOR = 4


class StatusReplyError(PrinterError):
    """A reply byte that does not have the fixed bits of a status byte."""


def status_query(kind: StatusKind) -> bytes:
    """The DLE EOT n command asking for one status byte."""
    return DLE_EOT + bytes([kind])


def check_status_byte(value: int, kind: StatusKind) -> int:
    if not 0 <= value <= 0xFF or value & FIXED_BITS_MASK != FIXED_BITS_VALUE:
        raise StatusReplyError(f"not a DLE EOT {int(kind)} status byte: 0x{value:02X}")
    return value


@dataclass(frozen=True)
class PrinterStatusBits:
    drawer_pin3_high: bool
    offline: bool
    waiting_for_recovery: bool
    feed_button_pressed: bool


@dataclass(frozen=True)
class OfflineCause:
    cover_open: bool
    feeding_by_button: bool
    paper_end_stop: bool
    error: bool


@dataclass(frozen=True)
class ErrorCause:
    recoverable: bool
    autocutter: bool
    unrecoverable: bool
    auto_recoverable: bool

    def describe(self) -> list[str]:
        names = {
            "recoverable": "recoverable error",
            "autocutter": "autocutter error",
            "unrecoverable": "unrecoverable error",
            "auto_recoverable": "automatically recoverable error",
        }
        return [text for attr, text in names.items() if getattr(self, attr)]


def parse_printer_status(value: int) -> PrinterStatusBits:
    """Reply to DLE EOT 1."""
    check_status_byte(value, StatusKind.PRINTER)
    return PrinterStatusBits(
        drawer_pin3_high=bool(value & DRAWER_PIN3_HIGH),
        offline=bool(value & OFFLINE),
        waiting_for_recovery=bool(value & WAITING_FOR_RECOVERY),
        feed_button_pressed=bool(value & FEED_BUTTON_PRESSED),
    )


def parse_offline_cause(value: int) -> OfflineCause:
    """Reply to DLE EOT 2."""
    check_status_byte(value, StatusKind.OFFLINE_CAUSE)
    return OfflineCause(
        cover_open=bool(value & COVER_OPEN),
        feeding_by_button=bool(value & FEEDING_BY_BUTTON),
        paper_end_stop=bool(value & PAPER_END_STOP),
        error=bool(value & ERROR_OCCURRED),
    )


def parse_error_cause(value: int) -> ErrorCause:
    """Reply to DLE EOT 3."""
    check_status_byte(value, StatusKind.ERROR_CAUSE)
    return ErrorCause(
        recoverable=bool(value & RECOVERABLE_ERROR),
        autocutter=bool(value & AUTOCUTTER_ERROR),
        unrecoverable=bool(value & UNRECOVERABLE_ERROR),
        auto_recoverable=bool(value & AUTO_RECOVERABLE_ERROR),
    )


def parse_paper_sensor(value: int) -> PaperState:
    """Reply to DLE EOT 4; either bit of a pair is taken as the condition."""
    check_status_byte(value, StatusKind.PAPER_SENSOR)
    if value & PAPER_OUT_BITS:
        return PaperState.OUT
    if value & PAPER_NEAR_END_BITS:
        return PaperState.NEAR_END
    return PaperState.OK


def printer_status_byte(offline: bool) -> int:
    return FIXED_BITS_VALUE | (OFFLINE if offline else 0)


def offline_cause_byte(cover_open: bool, paper_end_stop: bool, error: bool) -> int:
    return (
        FIXED_BITS_VALUE
        | (COVER_OPEN if cover_open else 0)
        | (PAPER_END_STOP if paper_end_stop else 0)
        | (ERROR_OCCURRED if error else 0)
    )


def error_cause_byte(autocutter: bool = False, unrecoverable: bool = False) -> int:
    return (
        FIXED_BITS_VALUE
        | (AUTOCUTTER_ERROR if autocutter else 0)
        | (UNRECOVERABLE_ERROR if unrecoverable else 0)
    )


def paper_sensor_byte(paper: PaperState) -> int:
    if paper is PaperState.OUT:
        # With the roll gone the near-end sensor sees no paper either.
        return FIXED_BITS_VALUE | PAPER_NEAR_END_BITS | PAPER_OUT_BITS
    if paper is PaperState.NEAR_END:
        return FIXED_BITS_VALUE | PAPER_NEAR_END_BITS
    return FIXED_BITS_VALUE


def combine_status(
    printer: PrinterStatusBits,
    paper: PaperState,
    offline_cause: OfflineCause | None = None,
    error_cause: ErrorCause | None = None,
) -> PrinterStatus:
    """One PrinterStatus from the replies that were asked for."""
    cover_open = bool(offline_cause and offline_cause.cover_open)
    error = bool(offline_cause and offline_cause.error) or bool(
        error_cause and error_cause.describe()
    )
    if offline_cause and offline_cause.paper_end_stop:
        paper = PaperState.OUT
    notes: list[str] = []
    if printer.offline:
        notes.append("offline")
    if cover_open:
        notes.append("cover open")
    if paper is PaperState.OUT:
        notes.append("paper out")
    elif paper is PaperState.NEAR_END:
        notes.append("paper near end")
    if error_cause:
        notes += error_cause.describe()
    elif error:
        notes.append("error")
    return PrinterStatus(
        online=not printer.offline,
        paper=paper,
        cover_open=cover_open,
        error=error,
        detail=", ".join(notes),
    )
