"""Receipt printer: interface, ESC/POS driver on python-escpos connectors, and simulators."""

from devices.printer.driver import EscposReceiptPrinter, open_printer
from devices.printer.interface import (
    PaperState,
    PrinterError,
    PrinterOffline,
    PrinterOutOfPaper,
    PrinterStatus,
    ReceiptPrinter,
)

__all__ = [
    "EscposReceiptPrinter",
    "PaperState",
    "PrinterError",
    "PrinterOffline",
    "PrinterOutOfPaper",
    "PrinterStatus",
    "ReceiptPrinter",
    "open_printer",
]
