from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from config.profiles import PrinterConfig
from devices.printer import (
    EscposReceiptPrinter,
    PaperState,
    PrinterError,
    PrinterOffline,
    PrinterOutOfPaper,
    open_printer,
)
from devices.printer.simulator import PrinterSimulator

JOB = b"\x1b@hello\n\x1dV\x00"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def control(simulator: PrinterSimulator, line: str) -> str:
    with socket.create_connection(simulator.control_address, timeout=2) as conn:
        conn.sendall(line.encode() + b"\n")
        return conn.makefile().readline().strip()


def test_status_of_a_ready_printer(printer: EscposReceiptPrinter) -> None:
    status = printer.status()
    assert status.online and status.paper is PaperState.OK and status.can_print
    assert status.detail == ""


def test_a_job_comes_out_as_a_receipt(
    printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    printer.print_bytes(JOB)
    receipt = simulator.wait_for_receipt(timeout=5, after=0)
    assert receipt.with_suffix(".txt").read_text() == "hello\n"


def test_paper_out_refuses_the_job_and_prints_nothing(
    printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    simulator.set_paper(PaperState.OUT)
    status = printer.status()
    assert not status.online and status.paper is PaperState.OUT and not status.can_print
    with pytest.raises(PrinterOutOfPaper):
        printer.print_bytes(JOB)
    simulator.set_paper(PaperState.OK)
    printer.print_bytes(b"\x1b@after\n\x1dV\x00")
    first = simulator.wait_for_receipt(timeout=5, after=0)
    assert first.with_suffix(".txt").read_text() == "after\n"


def test_near_end_still_prints(printer: EscposReceiptPrinter, simulator: PrinterSimulator) -> None:
    simulator.set_paper(PaperState.NEAR_END)
    status = printer.status()
    assert status.online and status.paper is PaperState.NEAR_END and status.can_print
    printer.print_bytes(JOB)
    simulator.wait_for_receipt(timeout=5, after=0)


def test_open_cover_is_offline(printer: EscposReceiptPrinter, simulator: PrinterSimulator) -> None:
    simulator.set_cover_open(True)
    status = printer.status()
    assert status.cover_open and not status.online and status.paper is PaperState.OK
    with pytest.raises(PrinterOffline):
        printer.print_bytes(JOB)
    assert simulator.receipts == []


def test_nothing_listening_is_offline_at_once() -> None:
    config = PrinterConfig(host="127.0.0.1", port=free_port(), timeout_seconds=2)
    with open_printer(config) as printer:
        started = time.monotonic()
        status = printer.status()
        with pytest.raises(PrinterOffline):
            printer.print_bytes(JOB)
        assert time.monotonic() - started < 1
    assert not status.online and status.paper is PaperState.UNKNOWN
    assert "cannot reach" in status.detail


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (in the kernel backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


def test_an_unanswered_status_query_is_offline_not_a_hang(silent_port: int) -> None:
    config = PrinterConfig(host="127.0.0.1", port=silent_port, timeout_seconds=0.3)
    with open_printer(config) as printer:
        started = time.monotonic()
        status = printer.status()
        assert time.monotonic() - started < 1.5
        assert not status.online and "did not answer DLE EOT 1" in status.detail
        with pytest.raises(PrinterOffline):
            printer.print_bytes(JOB)


def test_a_reply_that_is_not_a_status_byte_is_an_error() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def answer_garbage() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(16)
                conn.sendall(b"\xff")
                conn.recv(16)

        thread = threading.Thread(target=answer_garbage, daemon=True)
        thread.start()
        config = PrinterConfig(port=listener.getsockname()[1], timeout_seconds=1)
        with open_printer(config) as printer:
            status = printer.status()
        thread.join(timeout=2)
    assert status.error and not status.online and "0xFF" in status.detail


def test_reconnects_after_the_printer_drops_the_connection(
    printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    assert printer.status().online
    simulator.drop_connections()
    assert printer.status().online
    printer.print_bytes(JOB)
    simulator.wait_for_receipt(timeout=5, after=0)


def test_reconnects_after_the_printer_restarts(tmp_path) -> None:
    port = free_port()
    with PrinterSimulator("127.0.0.1", port, tmp_path / "a"):
        printer = open_printer(PrinterConfig(port=port, timeout_seconds=1))
        assert printer.status().online
    assert not printer.status().online
    with PrinterSimulator("127.0.0.1", port, tmp_path / "b") as restarted:
        assert printer.status().online
        printer.print_bytes(JOB)
        restarted.wait_for_receipt(timeout=5, after=0)
    printer.close()


def test_control_port_changes_paper_from_another_process(
    printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    assert control(simulator, "paper out") == "ok paper=out"
    assert printer.status().paper is PaperState.OUT
    assert control(simulator, "paper near-end") == "ok paper=near_end"
    assert printer.status().paper is PaperState.NEAR_END
    assert control(simulator, "cover open") == "ok cover=open"
    assert printer.status().cover_open
    assert control(simulator, "cover closed") == "ok cover=closed"
    assert control(simulator, "paper ok") == "ok paper=ok"
    assert control(simulator, "status").startswith("paper=ok cover=closed receipts=0")
    assert control(simulator, "jam").startswith("error:")


def test_test_page(printer: EscposReceiptPrinter, simulator: PrinterSimulator) -> None:
    printer.print_test_page()
    receipt = simulator.wait_for_receipt(timeout=5, after=0)
    text = receipt.with_suffix(".txt").read_text()
    assert text.startswith("TEST PAGE\n") and "Русский текст: Привет" in text
    codes = [d.data.decode() for d in decode(Image.open(receipt).convert("L"))]
    assert codes == [f"TEST {printer.description}"]


def test_configuration_errors_are_printer_errors() -> None:
    with pytest.raises(PrinterError, match="profile"):
        open_printer(PrinterConfig(escpos_profile="no-such-printer"))


def test_an_unplugged_printer_is_offline_and_back_when_plugged(
    printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    assert control(simulator, "unplug") == "ok unplugged"
    status = printer.status()
    assert not status.online and not status.can_print
    assert control(simulator, "status").startswith("unplugged")
    assert control(simulator, "plug") == "ok plugged"
    assert printer.status().online
