"""What the kiosk needs from a receipt printer, whatever its model or cable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class PaperState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper: PaperState
    cover_open: bool = False
    error: bool = False
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """Online, with paper (or no way to tell), cover shut and no error."""
        return (
            self.online and self.paper is not PaperState.OUT and not (self.cover_open or self.error)
        )


class PrinterError(Exception):
    """The printer cannot do what was asked."""


class PrinterOffline(PrinterError):
    """The printer does not answer, or says it is offline."""


class PrinterOutOfPaper(PrinterError):
    """The paper roll is empty."""


class ReceiptPrinter(Protocol):
    def status(self) -> PrinterStatus: ...

    def print_bytes(self, data: bytes) -> None: ...

    def close(self) -> None: ...
