"""``station devices list`` and ``station devices test ...``: exit codes and one-line messages."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.devices import list_cameras
from cli.main import main
from config.settings import PROJECT_ROOT
from devices.fingerprint.simulator import FingerprintSimulator
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator

DEMO_PROFILE = PROJECT_ROOT / "config" / "profiles" / "demo.toml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_profile(tmp_path: Path, **devices: dict[str, object]) -> str:
    """The demo profile with some ``[devices.<kind>]`` settings replaced."""
    text = DEMO_PROFILE.read_text()
    for kind, settings in devices.items():
        section = re.search(rf"^\[devices\.{kind}\]\n(?:[^\[\n].*\n|\n)*", text, re.MULTILINE)
        assert section is not None, kind
        lines = [f"[devices.{kind}]"] + [f"{key} = {value!r}" for key, value in settings.items()]
        text = text[: section.start()] + "\n".join(lines) + "\n\n" + text[section.end() :]
    path = tmp_path / "kiosk.toml"
    path.write_text(text.replace("'", '"'))
    return str(path)


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    with PrinterSimulator("127.0.0.1", 0, tmp_path / "receipts") as running:
        yield running


def test_list_shows_ports_and_cameras_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "list"]) == 0
    out = capsys.readouterr().out
    assert "serial ports:" in out and "cameras:" in out
    if not list_cameras():
        assert "no cameras found" in out


def test_list_cameras_reads_names_from_sysfs(tmp_path: Path) -> None:
    dev, sys_dir = tmp_path / "dev", tmp_path / "sys"
    (sys_dir / "video0").mkdir(parents=True)
    (sys_dir / "video0" / "name").write_text("HD Webcam C270\n")
    dev.mkdir()
    for name in ("video10", "video0", "video2"):
        (dev / name).touch()
    assert list_cameras(dev, sys_dir) == [
        (str(dev / "video0"), "HD Webcam C270"),
        (str(dev / "video2"), ""),
        (str(dev / "video10"), ""),
    ]
    assert list_cameras(tmp_path / "empty", sys_dir) == []


def test_printer_ok_then_paper_out(
    printer_sim: PrinterSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host, port = printer_sim.address
    profile = write_profile(tmp_path, printer={"host": host, "port": port})
    assert main(["devices", "test", "printer", "--profile", profile]) == 0
    assert "printer: ok" in capsys.readouterr().out
    printer_sim.set_paper(PaperState.OUT)
    assert main(["devices", "test", "printer", "--profile", profile]) == 1
    assert capsys.readouterr().err == "FAILED: paper out — load a new roll\n"


def test_printer_switched_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    profile = write_profile(tmp_path, printer={"host": "127.0.0.1", "port": port})
    assert main(["devices", "test", "printer", "--profile", profile]) == 1
    assert capsys.readouterr().err == (
        f"FAILED: printer at 127.0.0.1:{port}: connection refused — "
        "is it switched on and on the network?\n"
    )


def test_fingerprint_ok_and_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FingerprintSimulator(baudrate=57600) as reader:
        url = reader.port_name
        profile = write_profile(tmp_path, fingerprint={"url": url, "baudrate": 57600})
        assert main(["devices", "test", "fingerprint", "--profile", profile]) == 0
        out = capsys.readouterr().out
        assert "handshake ok at 57600 baud" in out and "library 0/1000 templates" in out
        reader.silent = True
        assert main(["devices", "test", "fingerprint", "--profile", profile]) == 1
    assert capsys.readouterr().err == (
        f"FAILED: fingerprint reader on {url}: no reply within 2 s — "
        "check the cable and the baud rate (57600)\n"
    )


def test_scanner_missing_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "no-scanner.tty")
    profile = write_profile(tmp_path, scanner={"url": missing, "baudrate": 9600})
    assert main(["devices", "test", "scanner", "--profile", profile]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"FAILED: scanner on {missing}: no such device")
    assert err.count("\n") == 1


def test_scanner_waits_for_a_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ScannerSimulator(link_path=tmp_path / "scanner.tty") as scanner:
        profile = write_profile(tmp_path, scanner={"url": str(tmp_path / "scanner.tty")})
        args = ["devices", "test", "scanner", "--profile", profile, "--wait", "0.3"]
        assert main(args) == 1
        assert "no code read within 0.3 s" in capsys.readouterr().err
        assert scanner.plugged


def test_camera_dead_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    profile = write_profile(tmp_path, camera={"source": url})
    assert main(["devices", "test", "camera", "--profile", profile]) == 1
    assert capsys.readouterr().err.startswith(f"FAILED: camera {url}: no frames within 5 s")
