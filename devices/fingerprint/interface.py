"""What the kiosk needs from an optical fingerprint reader, and the errors it can raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


class FingerprintError(Exception):
    """A fingerprint reader failed."""


class ReaderNotResponding(FingerprintError):
    """The reader sent no (complete) reply in time: unplugged, wrong port or wrong baud rate."""


class ProtocolError(FingerprintError):
    """Bytes on the line do not form a valid packet."""


class BadHeader(ProtocolError):
    """A packet does not start with EF 01."""


class BadChecksum(ProtocolError):
    """A packet's checksum does not match its contents."""


class BadLength(ProtocolError):
    """A packet's length field disagrees with its size, or is out of range."""


class WrongAddress(ProtocolError):
    """A packet came from (or is meant for) another module address."""


class UnexpectedPacket(ProtocolError):
    """A packet of the wrong kind or size arrived for the command in progress."""


@dataclass(frozen=True)
class ReaderStatus:
    """The 16-byte system parameters a reader reports (ReadSysPara)."""

    status: int
    system_id: int
    library_size: int
    security_level: int
    address: int
    packet_size: int
    baudrate: int

    @property
    def busy(self) -> bool:
        return bool(self.status & 0x01)


@runtime_checkable
class FingerprintReader(Protocol):
    """A reader that captures finger images and matches templates on board."""

    def handshake(self) -> None:
        """Verify the password; raise a FingerprintError if the reader refuses or is silent."""
        ...

    def read_parameters(self) -> ReaderStatus: ...

    def capture_image(self, deadline_seconds: float = 10.0) -> np.ndarray:
        """Wait for a finger, then return its image as a grey uint8 array (288 rows, 256 cols)."""
        ...

    def take_image(self) -> bool:
        """Check the sensor once; True when a finger was there and its image was taken."""
        ...

    def upload_image(self) -> np.ndarray:
        """The image last taken, grey uint8 (288 rows, 256 cols)."""
        ...

    def image_to_template(self, buffer_id: int = 1) -> None: ...

    def match(self) -> int:
        """Compare the templates in buffers 1 and 2; return the score."""
        ...

    def search(
        self, buffer_id: int = 1, start_page: int = 0, page_count: int = 1000
    ) -> tuple[int, int]:
        """Search the library for the template in ``buffer_id``; return (page id, score)."""
        ...

    def template_count(self) -> int: ...

    def close(self) -> None: ...
