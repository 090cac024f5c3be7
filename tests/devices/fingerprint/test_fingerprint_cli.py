"""What a technician runs on site: ``station devices fingerprint info|capture|find``, against
the reader simulator through the real driver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from cli.main import main
from devices.fingerprint.simulator import FingerprintSimulator

FAST = "921600"  # a pty does not throttle; the pacing test runs at 57600 elsewhere


@pytest.fixture
def reader() -> Iterator[FingerprintSimulator]:
    with FingerprintSimulator(baudrate=int(FAST)) as simulator:
        yield simulator


def station(*args: str) -> int:
    return main(["devices", "fingerprint", *args])


def test_info_shows_the_handshake_and_parameters(
    reader: FingerprintSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert station("info", "--url", reader.port_name, "--baud", FAST) == 0
    out = capsys.readouterr().out
    assert "handshake ok" in out and "packet size 128 bytes" in out and "library 0/1000" in out


def test_capture_writes_the_finger_image_and_judges_it(
    reader: FingerprintSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reader.place_finger("afisA_1")
    out = tmp_path / "finger.png"
    assert station("capture", str(out), "--url", reader.port_name, "--baud", FAST) == 0
    image = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (288, 256)
    assert 40 < image.mean() < 250 and image.std() > 20  # ridges, not a blank
    assert "acceptable" in capsys.readouterr().out
    reader.place_finger("afisA_1", "smudged")
    assert station("capture", str(out), "--url", reader.port_name, "--baud", FAST) == 0
    assert ": smudged" in capsys.readouterr().out


def test_a_silent_reader_is_said_plainly(
    reader: FingerprintSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    port = reader.port_name
    reader.silent = True  # powered but answering nothing, like a reader with a broken cable
    assert station("info", "--url", port, "--baud", FAST) == 1
    assert "fingerprint reader on" in capsys.readouterr().err


def test_find_reports_the_port_that_answers(
    reader: FingerprintSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert station("find", reader.port_name) == 0
    assert f"reader on {reader.port_name}" in capsys.readouterr().out
