"""The simulator's finger conditions, its messy image and its unattended demo mode, seen
through the real driver."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from devices.fingerprint import protocol
from devices.fingerprint.confirmation import MessyImage
from devices.fingerprint.driver import R30xReader
from devices.fingerprint.interface import FingerprintError
from devices.fingerprint.simulator import (
    FingerprintSimulator,
    load_finger_image,
    send_fingerprint_command,
)

FAST_BAUD = 921600


@pytest.fixture
def simulator() -> Iterator[FingerprintSimulator]:
    with FingerprintSimulator(baudrate=FAST_BAUD, control_port=0) as running:
        yield running


@pytest.fixture
def reader(simulator: FingerprintSimulator) -> Iterator[R30xReader]:
    with R30xReader(simulator.port_name, FAST_BAUD, timeout_seconds=0.5) as opened:
        opened.handshake()
        yield opened


def control(simulator: FingerprintSimulator, command: str) -> str:
    assert simulator.control_port is not None
    return send_fingerprint_command(simulator.control_port, command)


def test_a_finger_can_be_placed_faint_smudged_or_partial(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    clean = protocol.quantise(load_finger_image("afisA_1"))
    control(simulator, "finger afisA_1 faint")
    faint = reader.capture_image(2)
    assert faint.mean() > clean.mean() + 40 and np.ptp(faint) < 64
    control(simulator, "finger afisA_1 smudged")
    assert reader.capture_image(2).mean() < clean.mean() - 40
    control(simulator, "finger afisA_1 partial")
    partial = reader.capture_image(2)
    assert (partial == partial.max()).mean() > 0.85  # mostly empty glass
    assert "finger=afisA_1 (partial)" in control(simulator, "status")
    with pytest.raises(FingerprintError, match="unknown finger condition"):
        control(simulator, "finger afisA_1 greasy")


def test_a_messy_image_is_smudged_once_and_refused_by_img2tz(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    control(simulator, "finger nbisP1_1")
    clean = reader.capture_image(2)
    control(simulator, "messy")
    messy = reader.capture_image(2)
    assert messy.mean() < clean.mean() - 40
    with pytest.raises(MessyImage):
        reader.image_to_template(1)
    np.testing.assert_array_equal(reader.capture_image(2), clean)  # only the next image


def test_the_unattended_reader_presents_a_finger_and_lifts_it_once_read(
    simulator: FingerprintSimulator, reader: R30xReader
) -> None:
    control(simulator, "auto on")
    assert "auto=on" in control(simulator, "status")
    started = time.monotonic()
    while not reader.take_image():
        assert time.monotonic() - started < 5, "no finger came"
        time.sleep(0.05)
    assert time.monotonic() - started >= 1.4  # it waits as a person would
    assert reader.upload_image().shape == (protocol.IMAGE_HEIGHT, protocol.IMAGE_WIDTH)
    lifted = time.monotonic()
    while reader.take_image():
        assert time.monotonic() - lifted < 5, "the finger never left"
        time.sleep(0.05)
    control(simulator, "auto off")
    time.sleep(2)
    assert not reader.take_image()
