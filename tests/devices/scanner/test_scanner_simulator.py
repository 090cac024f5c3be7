"""The pseudo-terminal scanner simulator: its wire bytes, link, control socket and CLI."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.scanner import ScannerError, ScannerUnavailable
from devices.scanner.driver import SerialLineScanner
from devices.scanner.simulator import ScannerSimulator, send_scanner_command

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += os.read(fd, size - len(data))
    return data


def test_scan_writes_text_and_cr_untouched_by_the_terminal() -> None:
    with ScannerSimulator() as simulator:
        fd = os.open(simulator.port_name, os.O_RDWR | os.O_NOCTTY)
        try:
            simulator.scan("Oʻz\n123")
            expected = "Oʻz\n123\r".encode()
            assert read_exactly(fd, len(expected)) == expected
            simulator.scan("chunks", chunk_size=2)
            assert read_exactly(fd, 7) == b"chunks\r"
        finally:
            os.close(fd)


def test_link_follows_the_current_pseudo_terminal_and_is_removed_on_stop(tmp_path: Path) -> None:
    link = tmp_path / "dev" / "scanner.tty"
    link.parent.mkdir()
    link.symlink_to("/dev/stale-device")
    simulator = ScannerSimulator(link_path=link)
    simulator.start()
    first = simulator.port_name
    assert os.readlink(link) == first
    simulator.unplug()
    assert not link.exists() and not link.is_symlink()
    assert not simulator.plugged
    with pytest.raises(ScannerUnavailable):
        simulator.port_name  # noqa: B018
    simulator.plug()
    assert os.readlink(link) == simulator.port_name
    simulator.stop()
    assert not link.is_symlink()
    assert list(link.parent.iterdir()) == []


def test_stop_leaves_a_link_taken_over_by_another_simulator(tmp_path: Path) -> None:
    link = tmp_path / "scanner.tty"
    with ScannerSimulator(link_path=link) as older, ScannerSimulator(link_path=link) as newer:
        assert os.readlink(link) == newer.port_name
        older.stop()
        assert os.readlink(link) == newer.port_name


def test_scanning_while_unplugged_is_refused() -> None:
    simulator = ScannerSimulator()
    with pytest.raises(ScannerUnavailable):
        simulator.scan("nobody home")


def test_a_full_terminal_nobody_reads_gives_an_error_instead_of_hanging() -> None:
    with (
        ScannerSimulator(write_timeout=0.1) as simulator,
        pytest.raises(ScannerError, match="nobody is reading"),
    ):
        for _ in range(10_000):
            simulator.scan("x" * 1000)


def test_control_socket_scans_unplugs_and_plugs(tmp_path: Path) -> None:
    link = tmp_path / "scanner.tty"
    with ScannerSimulator(control_port=0, link_path=link) as simulator:
        port = simulator.control_port
        assert port is not None and port > 0
        scans: queue.Queue[str] = queue.Queue()
        scanner = SerialLineScanner(str(link), reopen_delay=0.02, max_reopen_delay=0.1)
        scanner.start(scans.put)
        try:
            assert send_scanner_command(port, "ping") == "ok"
            send_scanner_command(port, "scan 0001 0000 0423 ʻ")
            assert scans.get(timeout=3) == "0001 0000 0423 ʻ"
            send_scanner_command(port, "unplug")
            assert not simulator.plugged
            deadline = time.monotonic() + 3
            while scanner.healthy and time.monotonic() < deadline:
                time.sleep(0.01)
            assert not scanner.healthy
            with pytest.raises(ScannerError, match="unplugged"):
                send_scanner_command(port, "scan lost")
            send_scanner_command(port, "plug")
            scanner.wait_until_healthy(3)
            send_scanner_command(port, "scan back")
            assert scans.get(timeout=3) == "back"
        finally:
            scanner.stop()
        with pytest.raises(ScannerError, match="unknown command"):
            send_scanner_command(port, "dance")
    assert simulator.control_port is None


def run_cli_simulator(link: Path) -> tuple[subprocess.Popen[str], int]:
    code = (
        "from devices.scanner.simulator import run_scanner_simulator; "
        f"run_scanner_simulator(0, {str(link)!r})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"on (/dev/\S+) \(linked at .*\), control 127\.0\.0\.1:(\d+)", banner)
    assert match, banner
    assert os.readlink(link) == match.group(1)
    return process, int(match.group(2))


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_runner_serves_until_interrupted_and_cleans_up(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    link = tmp_path / "var" / "scanner.tty"
    process, control_port = run_cli_simulator(link)
    try:
        scans: queue.Queue[str] = queue.Queue()
        scanner = SerialLineScanner(str(link))
        scanner.start(scans.put)
        try:
            scanner.wait_until_healthy(3)
            send_scanner_command(control_port, "scan from another process")
            assert scans.get(timeout=3) == "from another process"
        finally:
            scanner.stop()
        process.send_signal(stop_signal)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not link.is_symlink()
