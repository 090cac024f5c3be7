"""The R30x driver against the pseudo-terminal simulator: capture, on-board commands, faults."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from config.settings import PROJECT_ROOT
from devices.fingerprint import FingerprintReader, ReaderNotResponding, protocol
from devices.fingerprint.confirmation import (
    EnrollFailed,
    MessyImage,
    NoFinger,
    NotFound,
    WrongPassword,
)
from devices.fingerprint.driver import R30xReader, find_readers, open_reader
from devices.fingerprint.interface import BadChecksum, FingerprintError
from devices.fingerprint.simulator import (
    FingerprintSimulator,
    load_finger_image,
    send_fingerprint_command,
)

FAST_BAUD = 921600
TIMEOUT = 0.5


@pytest.fixture
def simulator() -> Iterator[FingerprintSimulator]:
    with FingerprintSimulator(baudrate=FAST_BAUD, control_port=0) as running:
        yield running


@pytest.fixture
def reader(simulator: FingerprintSimulator) -> Iterator[R30xReader]:
    with R30xReader(simulator.port_name, FAST_BAUD, timeout_seconds=TIMEOUT) as opened:
        opened.handshake()
        yield opened


def control(simulator: FingerprintSimulator, command: str) -> str:
    assert simulator.control_port is not None
    return send_fingerprint_command(simulator.control_port, command)


def test_reader_satisfies_the_interface(reader: R30xReader) -> None:
    assert isinstance(reader, FingerprintReader)


def test_parameters_after_handshake(reader: R30xReader) -> None:
    status = reader.read_parameters()
    assert status.packet_size == reader.packet_size == 128
    assert status.baudrate == FAST_BAUD and status.library_size == 1000
    assert status.address == protocol.DEFAULT_ADDRESS and not status.busy


@pytest.mark.parametrize("name", ["afisA_1", "nbisP2_3"])
def test_full_capture_returns_the_quantised_source_image(
    simulator: FingerprintSimulator, reader: R30xReader, name: str
) -> None:
    control(simulator, f"finger {name}")
    image = reader.capture_image(deadline_seconds=2)
    assert image.shape == (288, 256) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, protocol.quantise(load_finger_image(name)))
    assert image.std() > 20  # a real ridge pattern, not a flat field


def test_capture_waits_for_a_finger_placed_later(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    simulator.lift_finger()
    started = time.monotonic()
    threading.Timer(0.3, simulator.place_finger, args=("afisB_1",)).start()
    image = reader.capture_image(deadline_seconds=3)
    assert time.monotonic() - started >= 0.3
    np.testing.assert_array_equal(image, protocol.quantise(load_finger_image("afisB_1")))


def test_templates_store_search_match(simulator: FingerprintSimulator, reader: R30xReader) -> None:
    control(simulator, "finger afisA_1")
    reader.capture_image(2)
    reader.image_to_template(1)
    with pytest.raises(NotFound):
        reader.search(1)
    reader.image_to_template(2)
    assert reader.match() >= 250
    reader.create_model()
    reader.store(7, 1)
    assert reader.template_count() == 1
    assert reader.search(1) == (7, 300)
    assert len(reader.upload_template(1)) == 512


def test_no_finger_raises_at_the_deadline(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    control(simulator, "lift")
    started = time.monotonic()
    with pytest.raises(NoFinger, match=r"within 0\.4 s"):
        reader.capture_image(deadline_seconds=0.4)
    assert 0.3 <= time.monotonic() - started < 1.5


def test_failed_capture(simulator: FingerprintSimulator, reader: R30xReader) -> None:
    control(simulator, "finger afisA_1")
    control(simulator, "fail capture")
    with pytest.raises(EnrollFailed):
        reader.capture_image(2)
    assert reader.capture_image(2).shape == (288, 256)


def test_messy_image(simulator: FingerprintSimulator, reader: R30xReader) -> None:
    control(simulator, "finger afisA_1")
    reader.capture_image(2)
    control(simulator, "messy")
    with pytest.raises(MessyImage):
        reader.image_to_template(1)
    reader.image_to_template(1)


def test_wrong_password(simulator: FingerprintSimulator) -> None:
    control(simulator, "wrong-password")
    with (
        R30xReader(simulator.port_name, FAST_BAUD, timeout_seconds=TIMEOUT) as reader,
        pytest.raises(WrongPassword, match="another password"),
    ):
        reader.handshake()
    with R30xReader(simulator.port_name, FAST_BAUD, password=simulator.password) as reader:
        reader.handshake()


def test_corrupt_checksum_then_recovers(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    control(simulator, "corrupt-checksum")
    with pytest.raises(BadChecksum):
        reader.template_count()
    assert reader.template_count() == 0


def test_garbage_before_a_reply_is_skipped(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    simulator.noise_before_next_reply = b"\x00\xff\xef\x00noise\xef\x01\x99"
    assert reader.read_parameters().packet_size == 128


@pytest.mark.parametrize("fault", ["silent", "unplug"])
def test_silent_or_unplugged_reader_is_not_responding_within_the_timeout(
    simulator: FingerprintSimulator, reader: R30xReader, fault: str
) -> None:
    control(simulator, fault)
    started = time.monotonic()
    with pytest.raises(ReaderNotResponding):
        reader.template_count()
    assert time.monotonic() - started < TIMEOUT + 0.5
    with pytest.raises(ReaderNotResponding):
        reader.capture_image(deadline_seconds=5)
    assert time.monotonic() - started < 2 * TIMEOUT + 1.0


def test_plug_after_silent_answers_again(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    control(simulator, "silent")
    with pytest.raises(ReaderNotResponding):
        reader.template_count()
    control(simulator, "plug")
    assert reader.template_count() == 0


def test_control_status_and_errors(simulator: FingerprintSimulator) -> None:
    assert control(simulator, "ping") == "ok"
    control(simulator, "finger nbisP1_2")
    assert "finger=nbisP1_2" in control(simulator, "status")
    with pytest.raises(FingerprintError, match="no finger image"):
        control(simulator, "finger nobody_9")
    with pytest.raises(FingerprintError, match="unknown command"):
        control(simulator, "dance")


def test_missing_port_is_not_responding() -> None:
    with pytest.raises(ReaderNotResponding):
        R30xReader("/dev/nonexistent-fingerprint-reader")


def test_open_reader_takes_relative_paths_from_base_dir(
    tmp_path: Path, simulator: FingerprintSimulator
) -> None:
    (tmp_path / "fp.tty").symlink_to(simulator.port_name)
    with open_reader("fp.tty", FAST_BAUD, base_dir=tmp_path, timeout_seconds=TIMEOUT) as reader:
        assert reader.url == str(tmp_path / "fp.tty")
        reader.handshake()


def test_find_readers_reports_only_answering_ports(simulator: FingerprintSimulator) -> None:
    with FingerprintSimulator(baudrate=FAST_BAUD) as silent:
        silent.silent = True
        found = find_readers(
            ["/dev/nonexistent-fingerprint-reader", silent.port_name, simulator.port_name],
            baudrates=(57600,),
            timeout_seconds=0.2,
        )
    assert [(port, baud) for port, baud, _ in found] == [(simulator.port_name, 57600)]
    assert found[0][2].library_size == 1000


def test_capture_at_57600_is_paced_to_the_line_rate() -> None:
    with FingerprintSimulator(baudrate=57600) as simulator:
        simulator.place_finger("afisA_2")
        with R30xReader(simulator.port_name, 57600) as reader:
            reader.handshake()
            written = simulator.bytes_written
            started = time.monotonic()
            reader.capture_image(2)
            elapsed = time.monotonic() - started
            wire_bytes = simulator.bytes_written - written
    assert wire_bytes == 12 + 12 + 36864 + 288 * protocol.OVERHEAD
    line_limit = wire_bytes * 10 / 57600
    assert line_limit <= elapsed < line_limit * 1.15


def test_command_line_simulator_runs_until_terminated(tmp_path: Path) -> None:
    link = tmp_path / "fingerprint.tty"
    code = (
        "from devices.fingerprint.run_fingerprint_simulator import main; "
        f"main(['--link', {str(link)!r}, '--baudrate', '{FAST_BAUD}'])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"on (/dev/\S+) \(linked at .*\) .* control 127\.0\.0\.1:(\d+)", banner)
        assert match, banner
        send_fingerprint_command(int(match.group(2)), "finger afisA_1")
        with R30xReader(str(link), FAST_BAUD, timeout_seconds=TIMEOUT) as reader:
            reader.handshake()
            assert reader.capture_image(2).shape == (288, 256)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    assert not link.exists()
