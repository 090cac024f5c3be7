"""What the kiosk needs from a code scanner, whatever the hardware behind it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable


class ScannerError(Exception):
    """A code scanner failed."""


class ScannerUnavailable(ScannerError):
    """The scanner cannot be reached (unplugged, wrong port, no permission)."""


@runtime_checkable
class CodeScanner(Protocol):
    """A device that reads QR codes and barcodes and reports each decoded text once."""

    def start(self, on_scan: Callable[[str], None]) -> None:
        """Begin scanning; ``on_scan`` is called from a background thread, once per code."""
        ...

    def stop(self) -> None:
        """Stop scanning and release the device; safe to call more than once."""
        ...

    @property
    def healthy(self) -> bool:
        """True while the device is connected and being read."""
        ...
