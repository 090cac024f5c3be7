"""A fingerprint's minutiae as a compact, versioned binary template."""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from biometrics.fingerprint.image import to_grey
from biometrics.fingerprint.minutiae import ANGLE_STEPS, Minutia, MinutiaKind, extract_minutiae

MAGIC = b"SSFP"
VERSION = 1
MAX_MINUTIAE = 255  # a whole finger at 500 dpi holds 40-100; matching cost grows as the square
_HEADER = struct.Struct("<4sBHHH")  # magic, version, width, height, minutiae count
_MINUTIA = struct.Struct("<HHBB")  # x, y, angle in 1/256 turns, kind
_CHECKSUM = struct.Struct("<I")  # CRC-32 of everything before it
_KINDS = (MinutiaKind.ENDING, MinutiaKind.BIFURCATION)


@dataclass(frozen=True)
class FingerprintTemplate:
    """The minutiae of one finger image of ``width`` x ``height`` pixels."""

    width: int
    height: int
    minutiae: tuple[Minutia, ...]

    def __post_init__(self) -> None:
        if not (0 <= self.width <= 0xFFFF and 0 <= self.height <= 0xFFFF):
            raise ValueError(f"fingerprint template size {self.width}x{self.height} out of range")
        if len(self.minutiae) > MAX_MINUTIAE:
            raise ValueError(f"more than {MAX_MINUTIAE} minutiae in a fingerprint template")
        for minutia in self.minutiae:
            if not (0 <= minutia.x < self.width and 0 <= minutia.y < self.height):
                raise ValueError("fingerprint template minutia out of range")

    def to_bytes(self) -> bytes:
        """Header, 6 bytes per minutia, CRC-32."""
        body = bytearray(_HEADER.pack(MAGIC, VERSION, self.width, self.height, len(self.minutiae)))
        for minutia in self.minutiae:
            step = round(minutia.angle * ANGLE_STEPS / (2 * math.pi)) % ANGLE_STEPS
            body += _MINUTIA.pack(minutia.x, minutia.y, step, _KINDS.index(minutia.kind))
        return bytes(body + _CHECKSUM.pack(zlib.crc32(body)))

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerprintTemplate:
        """The template written by ``to_bytes``; ValueError on anything else."""
        data = bytes(data)
        if len(data) < _HEADER.size + _CHECKSUM.size:
            raise ValueError("fingerprint template too short")
        magic, version, width, height, count = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise ValueError("not a fingerprint template")
        if version != VERSION:
            raise ValueError(f"unsupported fingerprint template version {version}")
        if count > MAX_MINUTIAE:
            raise ValueError(f"more than {MAX_MINUTIAE} minutiae in a fingerprint template")
        expected = _HEADER.size + count * _MINUTIA.size + _CHECKSUM.size
        if len(data) != expected:
            raise ValueError(f"fingerprint template of {len(data)} bytes, expected {expected}")
        body, (checksum,) = data[: -_CHECKSUM.size], _CHECKSUM.unpack_from(data, expected - 4)
        if zlib.crc32(body) != checksum:
            raise ValueError("fingerprint template checksum mismatch")
        minutiae = []
        for x, y, step, kind in _MINUTIA.iter_unpack(body[_HEADER.size :]):
            if kind >= len(_KINDS):
                raise ValueError("fingerprint template minutia of unknown kind")
            minutiae.append(Minutia(x, y, step * 2 * math.pi / ANGLE_STEPS, _KINDS[kind]))
        return cls(width, height, tuple(minutiae))


def extract_template(image: np.ndarray) -> FingerprintTemplate:
    """The minutiae template of a fingerprint image (grey or colour, ~500 dpi)."""
    grey = to_grey(image)
    height, width = grey.shape
    if width > 0xFFFF or height > 0xFFFF:
        raise ValueError(f"image of {width}x{height} pixels is too large for a template")
    # beyond the limit the image is mostly noise; its first minutiae (top to bottom) are kept
    return FingerprintTemplate(width, height, tuple(extract_minutiae(grey)[:MAX_MINUTIAE]))
