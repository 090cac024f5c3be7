from __future__ import annotations

import pytest

from devices.printer.interface import PaperState, PrinterError, PrinterStatus
from devices.printer.status import (
    ErrorCause,
    OfflineCause,
    PrinterStatusBits,
    StatusKind,
    StatusReplyError,
    combine_status,
    error_cause_byte,
    offline_cause_byte,
    paper_sensor_byte,
    parse_error_cause,
    parse_offline_cause,
    parse_paper_sensor,
    parse_printer_status,
    printer_status_byte,
    status_query,
)

BASE = 0x12  # bits 1 and 4 set, bits 0 and 7 clear: the fixed pattern of every status byte
QUIET_PRINTER = PrinterStatusBits(False, False, False, False)


def test_queries_are_dle_eot_n() -> None:
    assert status_query(StatusKind.PRINTER) == b"\x10\x04\x01"
    assert status_query(StatusKind.OFFLINE_CAUSE) == b"\x10\x04\x02"
    assert status_query(StatusKind.ERROR_CAUSE) == b"\x10\x04\x03"
    assert status_query(StatusKind.PAPER_SENSOR) == b"\x10\x04\x04"


@pytest.mark.parametrize("value", [0x00, 0x02, 0x10, 0x13, 0x92, 0x93, 0xFF, 0x1F | 0x80, 256])
@pytest.mark.parametrize(
    "parse", [parse_printer_status, parse_offline_cause, parse_error_cause, parse_paper_sensor]
)
def test_bytes_without_the_fixed_bits_are_rejected(parse, value: int) -> None:
    with pytest.raises(StatusReplyError) as raised:
        parse(value)
    assert isinstance(raised.value, PrinterError)


def test_printer_status_bits() -> None:
    assert parse_printer_status(BASE) == QUIET_PRINTER
    assert parse_printer_status(BASE | 1 << 2) == PrinterStatusBits(True, False, False, False)
    assert parse_printer_status(BASE | 1 << 3) == PrinterStatusBits(False, True, False, False)
    assert parse_printer_status(BASE | 1 << 5) == PrinterStatusBits(False, False, True, False)
    assert parse_printer_status(BASE | 1 << 6) == PrinterStatusBits(False, False, False, True)


def test_offline_cause_bits() -> None:
    assert parse_offline_cause(BASE) == OfflineCause(False, False, False, False)
    assert parse_offline_cause(BASE | 1 << 2) == OfflineCause(True, False, False, False)
    assert parse_offline_cause(BASE | 1 << 3) == OfflineCause(False, True, False, False)
    assert parse_offline_cause(BASE | 1 << 5) == OfflineCause(False, False, True, False)
    assert parse_offline_cause(BASE | 1 << 6) == OfflineCause(False, False, False, True)


def test_error_cause_bits() -> None:
    assert parse_error_cause(BASE) == ErrorCause(False, False, False, False)
    assert parse_error_cause(BASE | 1 << 2) == ErrorCause(True, False, False, False)
    assert parse_error_cause(BASE | 1 << 3) == ErrorCause(False, True, False, False)
    assert parse_error_cause(BASE | 1 << 5) == ErrorCause(False, False, True, False)
    assert parse_error_cause(BASE | 1 << 6) == ErrorCause(False, False, False, True)
    assert parse_error_cause(BASE | 1 << 3).describe() == ["autocutter error"]


def test_paper_sensor_bits() -> None:
    assert parse_paper_sensor(BASE) is PaperState.OK
    assert parse_paper_sensor(BASE | 1 << 2) is PaperState.NEAR_END
    assert parse_paper_sensor(BASE | 1 << 3) is PaperState.NEAR_END
    assert parse_paper_sensor(0x1E) is PaperState.NEAR_END
    assert parse_paper_sensor(BASE | 1 << 5) is PaperState.OUT
    assert parse_paper_sensor(BASE | 1 << 6) is PaperState.OUT
    assert parse_paper_sensor(0x7E) is PaperState.OUT


def test_reply_bytes_of_a_printer() -> None:
    assert printer_status_byte(offline=False) == 0x12
    assert printer_status_byte(offline=True) == 0x1A
    assert offline_cause_byte(cover_open=False, paper_end_stop=True, error=False) == 0x32
    assert offline_cause_byte(cover_open=True, paper_end_stop=False, error=False) == 0x16
    assert offline_cause_byte(cover_open=False, paper_end_stop=False, error=True) == 0x52
    assert error_cause_byte(autocutter=True) == 0x1A
    assert error_cause_byte(unrecoverable=True) == 0x32
    assert paper_sensor_byte(PaperState.OK) == 0x12
    assert paper_sensor_byte(PaperState.NEAR_END) == 0x1E
    assert paper_sensor_byte(PaperState.OUT) == 0x7E


def test_combined_status() -> None:
    ok = combine_status(QUIET_PRINTER, PaperState.OK)
    assert ok == PrinterStatus(online=True, paper=PaperState.OK)
    assert ok.can_print

    near_end = combine_status(QUIET_PRINTER, PaperState.NEAR_END)
    assert near_end.can_print and near_end.detail == "paper near end"

    offline = parse_printer_status(0x1A)
    paper_out = combine_status(offline, PaperState.OK, parse_offline_cause(0x32))
    assert paper_out.paper is PaperState.OUT and not paper_out.online
    assert not paper_out.can_print and paper_out.detail == "offline, paper out"

    cover = combine_status(offline, PaperState.OK, parse_offline_cause(0x16))
    assert cover.cover_open and not cover.can_print

    failed = combine_status(
        offline, PaperState.OK, parse_offline_cause(0x52), parse_error_cause(0x32)
    )
    assert failed.error and "unrecoverable error" in failed.detail


def test_unknown_paper_does_not_block_printing() -> None:
    assert PrinterStatus(online=True, paper=PaperState.UNKNOWN).can_print
    assert not PrinterStatus(online=False, paper=PaperState.UNKNOWN).can_print
