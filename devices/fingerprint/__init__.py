"""Optical fingerprint readers (R30x/ZFM/AS608): packet codec, serial driver, pty simulator."""

from devices.fingerprint.interface import (
    FingerprintError,
    FingerprintReader,
    ProtocolError,
    ReaderNotResponding,
    ReaderStatus,
)

__all__ = [
    "FingerprintError",
    "FingerprintReader",
    "ProtocolError",
    "ReaderNotResponding",
    "ReaderStatus",
]
