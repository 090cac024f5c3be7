"""python-escpos connectors with what a kiosk needs on top: bounded status reads, stale-reply
draining, reconnecting and chunked writes.

python-escpos 3.1 reads status with ``recv(16)`` / ``read(16)``: on TCP that blocks for the
whole socket timeout (60 s by default) when the printer stays silent, and on a serial line it
always waits the full timeout because a status reply is one byte, not sixteen. Replies left
over from an earlier, timed-out query would also be taken as the answer to the next one.
"""

from __future__ import annotations

import os
import socket
import tty
from typing import Protocol

import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial, Usb

# A stalled printer is noticed within one timeout, yet a long raster job is not cut short.
WRITE_CHUNK_BYTES = 4096


class Connector(Protocol):
    """The part of a connector the receipt printer driver relies on."""

    description: str
    has_status_channel: bool

    def ensure_open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def discard_input(self) -> None: ...

    def read_status_byte(self) -> int | None: ...


def _chunks(data: bytes) -> list[bytes]:
    return [data[i : i + WRITE_CHUNK_BYTES] for i in range(0, len(data), WRITE_CHUNK_BYTES)]


class NetworkConnector(Network):
    """A printer on TCP (port 9100 on most network printers)."""

    has_status_channel = True

    def __init__(
        self, host: str, port: int, timeout: float, reply_timeout: float, profile: str
    ) -> None:
        super().__init__(host=host, port=port, timeout=timeout, profile=profile)
        self.reply_timeout = reply_timeout
        self.description = f"network printer {host}:{port}"

    def ensure_open(self) -> None:
        if not self._device:
            self.open()

    def write(self, data: bytes) -> None:
        for chunk in _chunks(data):
            self._raw(chunk)

    def _socket(self) -> socket.socket:
        if not self._device:
            raise ConnectionError(f"{self.description} is not connected")
        return self._device

    def _read(self) -> bytes:
        sock = self._socket()
        sock.settimeout(self.reply_timeout)
        try:
            data = sock.recv(1)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.timeout)
        if not data:
            raise ConnectionError(f"{self.description} closed the connection")
        return data

    def read_status_byte(self) -> int | None:
        data = self._read()
        return data[0] if data else None

    def discard_input(self) -> None:
        sock = self._socket()
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(4096):
                    raise ConnectionError(f"{self.description} closed the connection")
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.timeout)


class SerialConnector(Serial):
    """A printer on a serial port; the port may be any pyserial URL or device path."""

    has_status_channel = True

    def __init__(
        self, url: str, baudrate: int, timeout: float, reply_timeout: float, profile: str
    ) -> None:
        super().__init__(devfile=url, baudrate=baudrate, timeout=reply_timeout, profile=profile)
        self.write_timeout = timeout
        self.description = f"serial printer {url} at {baudrate} baud"

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = serial.serial_for_url(
                self.devfile,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                timeout=self.timeout,
                write_timeout=self.write_timeout,
                xonxoff=self.xonxoff,
                dsrdtr=self.dsrdtr,
            )
        except (ValueError, serial.SerialException) as error:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"cannot open {self.description}: {error}") from error

    def ensure_open(self) -> None:
        if not self._device:
            self.open()

    def write(self, data: bytes) -> None:
        for chunk in _chunks(data):
            self._raw(chunk)

    def _read(self) -> bytes:
        if not self._device:
            raise ConnectionError(f"{self.description} is not open")
        return self._device.read(1)

    def read_status_byte(self) -> int | None:
        data = self._read()
        return data[0] if data else None

    def discard_input(self) -> None:
        if not self._device:
            raise ConnectionError(f"{self.description} is not open")
        self._device.reset_input_buffer()

    def close(self) -> None:
        try:
            super().close()
        except (OSError, serial.SerialException):
            # The port went away (adapter unplugged); there is nothing left to flush.
            self._device = False


class FileConnector(File):
    """A printer device file such as /dev/usb/lp0: write-only, so no status."""

    has_status_channel = False

    def __init__(self, path: str, profile: str) -> None:
        super().__init__(devfile=path, profile=profile)
        self.description = f"printer device file {path}"

    def open(self, raise_not_found: bool = True) -> None:
        super().open(raise_not_found=raise_not_found)
        if self._device and os.isatty(self._device.fileno()):
            # A terminal in cooked mode rewrites bytes (LF to CR LF and more); printers need them
            # exactly as sent.
            tty.setraw(self._device.fileno())

    def ensure_open(self) -> None:
        if not self._device:
            self.open()

    def write(self, data: bytes) -> None:
        for chunk in _chunks(data):
            self._raw(chunk)

    def discard_input(self) -> None:
        """Nothing comes back on a device file."""

    def read_status_byte(self) -> int | None:
        raise NotImplementedError("a device file has no status channel")


class UsbConnector(Usb):
    """A printer on USB through pyusb; status replies come on the IN endpoint."""

    has_status_channel = True

    def __init__(
        self, vendor_id: int, product_id: int, timeout: float, reply_timeout: float, profile: str
    ) -> None:
        super().__init__(
            idVendor=vendor_id,
            idProduct=product_id,
            timeout=max(1, int(timeout * 1000)),
            profile=profile,
        )
        self.reply_timeout_ms = max(1, int(reply_timeout * 1000))
        self.description = f"USB printer {vendor_id:04x}:{product_id:04x}"

    def ensure_open(self) -> None:
        if not self._device:
            self.open()

    def write(self, data: bytes) -> None:
        for chunk in _chunks(data):
            self._raw(chunk)

    def _read_within(self, timeout_ms: int) -> bytes:
        import usb.core  # present whenever this class could be built (checked by the driver)

        if not self._device:
            raise ConnectionError(f"{self.description} is not open")
        try:
            # One full-speed packet; asking for less than a packet can overflow on some hosts.
            return bytes(self._device.read(self.in_ep, 64, timeout_ms))
        except usb.core.USBTimeoutError:
            return b""

    def _read(self) -> bytes:
        return self._read_within(self.reply_timeout_ms)

    def read_status_byte(self) -> int | None:
        data = self._read()
        return data[0] if data else None

    def discard_input(self) -> None:
        while self._read_within(1):
            pass


def usb_available() -> bool:
    """pyusb (and through it libusb) can be used."""
    return Usb.is_usable()


__all__ = [
    "Connector",
    "FileConnector",
    "NetworkConnector",
    "SerialConnector",
    "UsbConnector",
    "usb_available",
]
