"""QR and barcode scanners: serial line scanners, camera decoding, a pseudo-terminal simulator."""

from devices.scanner.interface import CodeScanner, ScannerError, ScannerUnavailable

__all__ = ["CodeScanner", "ScannerError", "ScannerUnavailable"]
