"""Driver for serial line scanners (USB-CDC, RS-232, RFC 2217) that send each code as a line."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import serial

from config.profiles import ScannerConfig
from devices.scanner.framing import LineFramer
from devices.scanner.interface import ScannerError, ScannerUnavailable

logger = logging.getLogger(__name__)


class SerialLineScanner:
    """Reads codes from a serial scanner on a background thread, reopening the port when lost.

    ``url`` is anything ``serial.serial_for_url`` accepts: a device path, a pseudo-terminal,
    ``loop://`` or ``rfc2217://host:port``.
    """

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        *,
        prefix: str | bytes = b"",
        suffix: str | bytes = b"",
        read_timeout: float = 0.1,
        reopen_delay: float = 0.2,
        max_reopen_delay: float = 5.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self._framer = LineFramer(prefix=prefix, suffix=suffix)
        self._read_timeout = read_timeout
        self._reopen_delay = reopen_delay
        self._max_reopen_delay = max_reopen_delay
        self._join_timeout = max(2.0, 10 * read_timeout)
        self._on_scan: Callable[[str], None] | None = None
        self._thread: threading.Thread | None = None
        self._port: serial.SerialBase | None = None
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._last_error: str | None = None

    @property
    def healthy(self) -> bool:
        """True while the port is open and being read."""
        return self._connected.is_set()

    @property
    def last_error(self) -> str | None:
        """Why the port last failed to open or was lost, for the operator."""
        return self._last_error

    def start(self, on_scan: Callable[[str], None]) -> None:
        """Open the port and read it on a background thread; keep retrying while it is absent.

        Raises ScannerError when the URL itself is invalid; an absent device is not an error
        here, it only leaves ``healthy`` false until the device appears.
        """
        previous = self._thread
        if previous is not None and previous.is_alive():
            if not self._stopping.is_set() or previous is threading.current_thread():
                raise ScannerError("scanner already started")
            previous.join(timeout=self._join_timeout)  # stopped from on_scan, still finishing
        self._on_scan = on_scan
        self._stopping.clear()
        # Opening once here lets the caller see ``healthy`` right after start().
        self._port = self._open()
        self._thread = threading.Thread(
            target=self._run, name=f"scanner-reader {self.url}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the reader thread and close the port."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        if thread is threading.current_thread():
            return  # called from on_scan: the reader ends after this callback returns
        thread.join(timeout=self._join_timeout)
        self._thread = None
        self._on_scan = None

    def wait_until_healthy(self, timeout: float) -> None:
        """Block until the port is open; raise ScannerUnavailable if it is not within timeout."""
        if not self._connected.wait(timeout):
            raise ScannerUnavailable(f"{self.url}: {self._last_error or 'not connected'}")

    def _open(self) -> serial.SerialBase | None:
        try:
            port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=self._read_timeout
            )
        except ValueError as exc:
            raise ScannerError(f"invalid scanner port {self.url!r}: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            if self._last_error is None:  # log the first failure, not every retry
                logger.warning("scanner %s unavailable: %s", self.url, exc)
            self._last_error = str(exc)
            return None
        logger.info("scanner %s connected", self.url)
        self._last_error = None
        self._framer.reset()
        self._connected.set()
        return port

    def _run(self) -> None:
        delay = self._reopen_delay
        try:
            while not self._stopping.is_set():
                if self._port is None:
                    self._port = self._open()
                if self._port is None:
                    self._stopping.wait(delay)
                    delay = min(delay * 2, self._max_reopen_delay)
                    continue
                delay = self._reopen_delay
                self._read_until_lost(self._port)
                self._port = None
        finally:
            self._close_port()

    def _read_until_lost(self, port: serial.SerialBase) -> None:
        try:
            while not self._stopping.is_set():
                data = port.read(max(1, port.in_waiting))
                if data:
                    for code in self._framer.feed(data):
                        self._deliver(code)
        except (serial.SerialException, OSError) as exc:
            logger.warning("scanner %s lost: %s", self.url, exc)
            self._last_error = str(exc)
            self._connected.clear()
            self._close_quietly(port)

    def _deliver(self, code: str) -> None:
        callback = self._on_scan
        if callback is None or self._stopping.is_set():
            return
        try:
            callback(code)
        except Exception:
            logger.exception("scan callback failed for a code from %s", self.url)

    def _close_port(self) -> None:
        self._connected.clear()
        if self._port is not None:
            self._close_quietly(self._port)
            self._port = None

    @staticmethod
    def _close_quietly(port: serial.SerialBase) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            port.close()


def open_scanner(config: ScannerConfig, *, base_dir: Path | None = None) -> SerialLineScanner:
    """The scanner a kiosk profile describes; a relative device path is taken from base_dir."""
    url = config.url
    if base_dir is not None and "://" not in url and not Path(url).is_absolute():
        url = str(base_dir / url)
    return SerialLineScanner(url, config.baudrate)
