from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator

import pytest

from config.profiles import PrinterConfig
from devices.printer import (
    PaperState,
    PrinterError,
    PrinterOffline,
    PrinterOutOfPaper,
    open_printer,
)
from devices.printer.connectors import usb_available
from devices.printer.serial_simulator import SerialPrinterSimulator

JOB = b"\x1b@line one\nline two\r\n\x1dV\x00"


@pytest.fixture
def serial_simulator(tmp_path) -> Iterator[SerialPrinterSimulator]:
    with SerialPrinterSimulator(tmp_path / "receipts") as running:
        yield running


def serial_config(path: str, timeout: float = 1.0) -> PrinterConfig:
    return PrinterConfig(
        connector="serial", serial_url=path, baudrate=19200, timeout_seconds=timeout
    )


def test_serial_printer_status_and_job(serial_simulator: SerialPrinterSimulator) -> None:
    with open_printer(serial_config(serial_simulator.port_path)) as printer:
        started = time.monotonic()
        status = printer.status()
        assert time.monotonic() - started < 0.5  # a one-byte reply does not wait out the timeout
        assert status.online and status.paper is PaperState.OK
        printer.print_bytes(JOB)
        receipt = serial_simulator.wait_for_receipt(timeout=5, after=0)
    assert receipt.with_suffix(".txt").read_text() == "line one\nline two\n"


def test_serial_printer_out_of_paper(serial_simulator: SerialPrinterSimulator) -> None:
    serial_simulator.set_paper(PaperState.OUT)
    with open_printer(serial_config(serial_simulator.port_path)) as printer:
        assert printer.status().paper is PaperState.OUT
        with pytest.raises(PrinterOutOfPaper):
            printer.print_bytes(JOB)
    assert serial_simulator.receipts == []


def test_a_silent_serial_line_is_offline_after_the_timeout() -> None:
    master, slave = os.openpty()
    try:
        with open_printer(serial_config(os.ttyname(slave), timeout=0.3)) as printer:
            started = time.monotonic()
            status = printer.status()
            assert time.monotonic() - started < 1.5
    finally:
        os.close(master)
        os.close(slave)
    assert not status.online and "did not answer" in status.detail


def test_a_missing_serial_port_is_offline() -> None:
    with open_printer(serial_config("/dev/does-not-exist")) as printer:
        assert not printer.status().online
        with pytest.raises(PrinterOffline):
            printer.print_bytes(JOB)


def test_device_file_on_a_terminal_gets_the_bytes_unchanged() -> None:
    master, slave = os.openpty()
    try:
        config = PrinterConfig(connector="file", file_path=os.ttyname(slave))
        with open_printer(config) as printer:
            status = printer.status()
            printer.print_bytes(JOB)
            received = b""
            while len(received) < len(JOB) and select.select([master], [], [], 2)[0]:
                received += os.read(master, 4096)
    finally:
        os.close(master)
        os.close(slave)
    assert status.online and status.paper is PaperState.UNKNOWN and status.can_print
    assert received == JOB


def test_device_file_prints_on_the_simulator(serial_simulator: SerialPrinterSimulator) -> None:
    config = PrinterConfig(connector="file", file_path=serial_simulator.port_path)
    with open_printer(config) as printer:
        printer.print_bytes(JOB)
    receipt = serial_simulator.wait_for_receipt(timeout=5, after=0)
    assert receipt.with_suffix(".txt").read_text() == "line one\nline two\n"


def test_device_file_that_cannot_be_opened_is_offline(tmp_path) -> None:
    config = PrinterConfig(connector="file", file_path=str(tmp_path / "no" / "lp0"))
    with open_printer(config) as printer:
        assert not printer.status().online
        with pytest.raises(PrinterOffline):
            printer.print_bytes(JOB)


@pytest.mark.skipif(usb_available(), reason="pyusb is installed here")
def test_usb_without_pyusb_says_what_to_install() -> None:
    with pytest.raises(PrinterError, match="pyusb"):
        open_printer(PrinterConfig(connector="usb"))
