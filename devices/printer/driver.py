"""The receipt printer driver: ESC/POS over a python-escpos connector, with status checks."""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime
from types import TracebackType

from escpos.capabilities import get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy

from config.profiles import PrinterConfig
from devices.printer.connectors import (
    Connector,
    FileConnector,
    NetworkConnector,
    SerialConnector,
    UsbConnector,
    usb_available,
)
from devices.printer.interface import (
    PaperState,
    PrinterError,
    PrinterOffline,
    PrinterOutOfPaper,
    PrinterStatus,
)
from devices.printer.status import (
    StatusKind,
    StatusReplyError,
    combine_status,
    parse_error_cause,
    parse_offline_cause,
    parse_paper_sensor,
    parse_printer_status,
    status_query,
)

LINK_ERRORS = (OSError, DeviceNotFoundError)


class _NoReply(Exception):
    pass


class EscposReceiptPrinter:
    """A receipt printer that checks its status before every job and never hangs on a reply.

    Connects on first use and again after the link drops, so a printer that is switched off at
    start-up or restarted later is picked up without restarting the kiosk.
    """

    def __init__(self, connector: Connector) -> None:
        self._connector = connector
        self._lock = threading.RLock()

    @property
    def description(self) -> str:
        return self._connector.description

    @property
    def escpos(self) -> Escpos:
        """The python-escpos object underneath, to draw on with its API."""
        assert isinstance(self._connector, Escpos)
        return self._connector

    def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1, then 2/3 if offline, then 4); offline if it is silent."""
        with self._lock:
            try:
                self._connector.ensure_open()
            except LINK_ERRORS as error:
                self._drop()
                return _offline(f"cannot reach {self.description}: {error}")
            if not self._connector.has_status_channel:
                return PrinterStatus(
                    online=True, paper=PaperState.UNKNOWN, detail="no status channel"
                )
            try:
                return self._query_status()
            except _NoReply as error:
                self._drop()
                return _offline(str(error))
            except StatusReplyError as error:
                self._drop()
                return PrinterStatus(
                    online=False, paper=PaperState.UNKNOWN, error=True, detail=str(error)
                )
            except LINK_ERRORS as error:
                self._drop()
                return _offline(f"lost {self.description}: {error}")

    def print_bytes(self, data: bytes) -> None:
        """Send a job as is, after checking that the printer can take it."""
        with self._lock:
            status = self.status()
            if status.paper is PaperState.OUT:
                raise PrinterOutOfPaper(f"{self.description}: {status.detail}")
            if not status.online or status.cover_open:
                raise PrinterOffline(f"{self.description}: {status.detail}")
            if status.error:
                raise PrinterError(f"{self.description}: {status.detail}")
            try:
                self._connector.write(data)
            except LINK_ERRORS as error:
                # Part of the job may be on paper already: report it, never send it twice.
                self._drop()
                raise PrinterOffline(f"{self.description}: lost while printing: {error}") from error

    def print_test_page(self) -> None:
        """A short page for technicians: connection, status, code pages, a QR code and a cut."""
        status = self.status()
        page = Dummy()
        page.profile = self.escpos.profile
        page.hw("INIT")
        page.set(align="center", bold=True, double_height=True, double_width=True)
        page.textln("TEST PAGE")
        page.set(align="left", bold=False, normal_textsize=True)
        page.textln(self.description)
        page.textln(datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
        page.textln(f"Status: {status.detail or 'ok'}")
        page.textln("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789")
        page.textln("Русский текст: Привет")
        page.set(align="center")
        page.qr("TEST " + self.description, ec=QR_ECLEVEL_M, size=6, native=True)
        page.ln()
        page.cut()
        self.print_bytes(page.output)

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> EscposReceiptPrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _query_status(self) -> PrinterStatus:
        printer = parse_printer_status(self._ask(StatusKind.PRINTER))
        offline_cause = error_cause = None
        if printer.offline:
            offline_cause = parse_offline_cause(self._ask(StatusKind.OFFLINE_CAUSE))
            if offline_cause.error:
                error_cause = parse_error_cause(self._ask(StatusKind.ERROR_CAUSE))
        paper = parse_paper_sensor(self._ask(StatusKind.PAPER_SENSOR))
        return combine_status(printer, paper, offline_cause, error_cause)

    def _ask(self, kind: StatusKind) -> int:
        """One status byte; reconnects once if the link turns out to have dropped."""
        for attempt in range(2):
            try:
                self._connector.ensure_open()
                self._connector.discard_input()
                self._connector.write(status_query(kind))
                reply = self._connector.read_status_byte()
            except LINK_ERRORS:
                self._drop()
                if attempt:
                    raise
                continue
            if reply is None:
                raise _NoReply(f"{self.description} did not answer DLE EOT {int(kind)}")
            return reply
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        with contextlib.suppress(*LINK_ERRORS):
            self._connector.close()


def _offline(detail: str) -> PrinterStatus:
    return PrinterStatus(online=False, paper=PaperState.UNKNOWN, detail=detail)


def open_printer(config: PrinterConfig) -> EscposReceiptPrinter:
    """The driver for a configured printer; it connects on first use, not here."""
    try:
        get_profile(config.escpos_profile)
    except KeyError:
        raise PrinterError(f"unknown python-escpos profile {config.escpos_profile!r}") from None
    timeout = config.timeout_seconds
    connector: Connector
    match config.connector:
        case "network":
            connector = NetworkConnector(
                config.host, config.port, timeout, timeout, config.escpos_profile
            )
        case "serial":
            connector = SerialConnector(
                config.serial_url, config.baudrate, timeout, timeout, config.escpos_profile
            )
        case "usb":
            if not usb_available():
                raise PrinterError(
                    "USB printers need pyusb and libusb-1.0 "
                    "(pip install 'python-escpos[usb]'; apt install libusb-1.0-0)"
                )
            connector = UsbConnector(
                config.usb_vendor_id,
                config.usb_product_id,
                timeout,
                timeout,
                config.escpos_profile,
            )
        case "file":
            connector = FileConnector(config.file_path, config.escpos_profile)
    return EscposReceiptPrinter(connector)
