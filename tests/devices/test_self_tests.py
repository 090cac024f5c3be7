"""Each device self-test against its simulator, working and with its fault."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.profiles import CameraConfig, FingerprintConfig, PrinterConfig, ScannerConfig
from config.settings import PROJECT_ROOT
from devices.camera.simulator import CameraSimulator
from devices.fingerprint.simulator import FingerprintSimulator
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator
from devices.self_test import check_camera, check_fingerprint, check_printer, check_scanner

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
FAST = 921600  # a pty does not throttle


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    with PrinterSimulator("127.0.0.1", 0, tmp_path / "receipts") as running:
        yield running


def printer_config(simulator: PrinterSimulator) -> PrinterConfig:
    host, port = simulator.address
    return PrinterConfig(connector="network", host=host, port=port, timeout_seconds=1.0)


def test_printer_ok_reports_status(printer_sim: PrinterSimulator) -> None:
    result = check_printer(printer_config(printer_sim))
    assert result.ok and result.problem is None and not result.warnings
    assert result.facts and result.facts[0].startswith("connected")


def test_printer_paper_near_end_is_a_warning_and_out_is_a_failure(
    printer_sim: PrinterSimulator,
) -> None:
    printer_sim.set_paper(PaperState.NEAR_END)
    result = check_printer(printer_config(printer_sim))
    assert result.ok and any("paper near end" in text for text in result.warnings)
    printer_sim.set_paper(PaperState.OUT)
    result = check_printer(printer_config(printer_sim))
    assert not result.ok and result.problem == "paper out — load a new roll"


def test_printer_cover_open_is_named(printer_sim: PrinterSimulator) -> None:
    printer_sim.set_cover_open(True)
    result = check_printer(printer_config(printer_sim))
    assert result.problem is not None and result.problem.startswith("cover open")


def test_printer_switched_off_says_connection_refused() -> None:
    port = free_port()
    result = check_printer(PrinterConfig(host="127.0.0.1", port=port, timeout_seconds=1.0))
    assert result.problem == (
        f"printer at 127.0.0.1:{port}: connection refused — is it switched on and on the network?"
    )


@pytest.fixture
def reader() -> Iterator[FingerprintSimulator]:
    with FingerprintSimulator(baudrate=FAST) as simulator:
        yield simulator


def test_fingerprint_ok_reports_parameters_and_templates(reader: FingerprintSimulator) -> None:
    result = check_fingerprint(FingerprintConfig(url=reader.port_name, baudrate=FAST))
    assert result.ok
    assert "handshake ok at 921600 baud" in result.facts
    assert "library 0/1000 templates" in result.facts


def test_fingerprint_silent_reader_names_timeout_cable_and_baud(
    reader: FingerprintSimulator,
) -> None:
    reader.silent = True
    config = FingerprintConfig(url=reader.port_name, baudrate=FAST, timeout_seconds=0.5)
    result = check_fingerprint(config)
    assert result.problem == (
        f"fingerprint reader on {reader.port_name}: no reply within 0.5 s — "
        "check the cable and the baud rate (921600)"
    )


def test_fingerprint_unplugged_reader_says_no_such_device(tmp_path: Path) -> None:
    link = tmp_path / "fingerprint.tty"
    with FingerprintSimulator(baudrate=FAST, link_path=link) as simulator:
        config = FingerprintConfig(url="fingerprint.tty", baudrate=FAST)
        assert check_fingerprint(config, base_dir=tmp_path).ok
        simulator.unplug()
        result = check_fingerprint(config, base_dir=tmp_path)
    assert result.problem is not None
    assert result.problem.startswith("fingerprint reader on fingerprint.tty: no such device")


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[ScannerSimulator]:
    with ScannerSimulator(link_path=tmp_path / "scanner.tty") as simulator:
        yield simulator


def test_scanner_healthy_and_reads_a_code_while_waiting(
    scanner: ScannerSimulator, tmp_path: Path
) -> None:
    config = ScannerConfig(url="scanner.tty")
    assert check_scanner(config, base_dir=tmp_path).ok
    timer = threading.Timer(0.3, scanner.scan, args=("0001-000042-7",))
    timer.start()
    result = check_scanner(config, base_dir=tmp_path, wait_seconds=5)
    timer.join()
    assert result.ok and "scanned '0001-000042-7'" in result.facts


def test_scanner_no_scan_within_wait_fails(scanner: ScannerSimulator, tmp_path: Path) -> None:
    result = check_scanner(ScannerConfig(url="scanner.tty"), base_dir=tmp_path, wait_seconds=0.3)
    assert result.problem is not None and "no code read within 0.3 s" in result.problem


def test_scanner_unplugged_says_no_such_device(scanner: ScannerSimulator, tmp_path: Path) -> None:
    scanner.unplug()
    result = check_scanner(ScannerConfig(url="scanner.tty"), base_dir=tmp_path)
    assert result.problem is not None
    assert result.problem.startswith("scanner on scanner.tty: no such device")


def test_camera_ok_reports_size_and_brightness() -> None:
    with CameraSimulator(scenario="live", data_dir=DATA_DIR) as simulator:
        result = check_camera(CameraConfig(source=simulator.url))
    assert result.ok and not result.warnings
    assert result.facts[0].startswith("frame 640x480, mean brightness ")


def test_camera_dark_scene_is_a_warning() -> None:
    with CameraSimulator(scenario="dark", data_dir=DATA_DIR) as simulator:
        result = check_camera(CameraConfig(source=simulator.url))
    assert result.ok
    assert any(text.startswith("too dark") for text in result.warnings)


def test_camera_dead_url_fails_naming_the_source() -> None:
    url = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    result = check_camera(CameraConfig(source=url), open_seconds=2)
    assert result.problem is not None
    assert result.problem.startswith(f"camera {url}: no frames within 2 s")
