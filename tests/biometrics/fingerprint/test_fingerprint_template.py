"""Minutiae templates: extraction finds plausible minutiae, bytes round-trip, corruption fails."""

from __future__ import annotations

import math
import struct
import zlib

import pytest

from biometrics.fingerprint import FingerprintTemplate, Minutia, MinutiaKind, extract_template
from devices.fingerprint.finger_images import empty_glass
from tests.biometrics.fingerprint.samples import sensor_image, stored_image


@pytest.fixture(scope="module")
def template() -> FingerprintTemplate:
    return extract_template(sensor_image("nbisP1_2"))


def test_a_reader_image_gives_tens_of_minutiae_of_both_kinds(template) -> None:
    assert (template.width, template.height) == (256, 288)
    assert 15 <= len(template.minutiae) <= 120
    kinds = {m.kind for m in template.minutiae}
    assert kinds == {MinutiaKind.ENDING, MinutiaKind.BIFURCATION}
    for minutia in template.minutiae:
        assert 0 <= minutia.x < 256 and 0 <= minutia.y < 288
        assert 0 <= minutia.angle < 2 * math.pi


def test_a_colour_image_gives_minutiae() -> None:
    assert len(extract_template(stored_image("afisA_1")).minutiae) >= 15


def test_empty_glass_gives_no_minutiae() -> None:
    assert extract_template(empty_glass()).minutiae == ()


def test_bytes_round_trip(template) -> None:
    data = template.to_bytes()
    assert FingerprintTemplate.from_bytes(data) == template
    assert len(data) < 20 + 6 * len(template.minutiae)


def test_a_template_made_by_hand_round_trips() -> None:
    made = FingerprintTemplate(
        10,
        20,
        (Minutia(1, 2, 0.0, MinutiaKind.ENDING), Minutia(9, 19, math.pi, MinutiaKind.BIFURCATION)),
    )
    assert FingerprintTemplate.from_bytes(made.to_bytes()) == made
    empty = FingerprintTemplate(5, 5, ())
    assert FingerprintTemplate.from_bytes(empty.to_bytes()) == empty


def test_corrupt_bytes_are_refused(template) -> None:
    data = template.to_bytes()
    flipped = bytearray(data)
    flipped[12] ^= 0x40
    corrupt = [
        b"",
        data[:10],
        data[:-1],
        data + b"\x00",
        b"XXXX" + data[4:],
        data[:4] + bytes([99]) + data[5:],
        bytes(flipped),
    ]
    for bad in corrupt:
        with pytest.raises(ValueError):
            FingerprintTemplate.from_bytes(bad)


def test_a_minutia_outside_the_image_is_refused() -> None:
    data = bytearray(
        FingerprintTemplate(10, 10, (Minutia(5, 5, 0.0, MinutiaKind.ENDING),)).to_bytes()
    )
    struct.pack_into("<H", data, 11, 50)  # the minutia's x
    struct.pack_into("<I", data, len(data) - 4, zlib.crc32(bytes(data[:-4])))
    with pytest.raises(ValueError, match="out of range"):
        FingerprintTemplate.from_bytes(bytes(data))


def test_a_template_holds_its_minutiae_inside_and_not_too_many() -> None:
    with pytest.raises(ValueError, match="out of range"):
        FingerprintTemplate(10, 10, (Minutia(10, 5, 0.0, MinutiaKind.ENDING),))
    crowd = tuple(Minutia(i % 100, i // 100, 0.0, MinutiaKind.ENDING) for i in range(256))
    with pytest.raises(ValueError, match="more than"):
        FingerprintTemplate(100, 100, crowd)
    header = struct.pack("<4sBHHH", b"SSFP", 1, 100, 100, 256)
    body = header + b"\x00" * 6 * 256
    with pytest.raises(ValueError, match="more than"):
        FingerprintTemplate.from_bytes(body + struct.pack("<I", zlib.crc32(body)))
