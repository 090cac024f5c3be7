"""Driver for R30x/ZFM/AS608 optical fingerprint readers on a serial line."""

from __future__ import annotations

import contextlib
import logging
import struct
import termios
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import serial

from config.profiles import FingerprintConfig
from devices.fingerprint import protocol
from devices.fingerprint.confirmation import NoFinger, raise_for_code
from devices.fingerprint.interface import (
    FingerprintError,
    ProtocolError,
    ReaderNotResponding,
    ReaderStatus,
    UnexpectedPacket,
)
from devices.fingerprint.protocol import Packet, PacketDecoder

logger = logging.getLogger(__name__)

# termios.error is what a pty whose other side has gone raises on a flush.
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)

POLL_INTERVAL_SECONDS = 0.05
COMMON_BAUDRATES = (57600, 115200, 9600, 19200, 38400)


@dataclass(frozen=True)
class ReaderSettings:
    """How to reach a reader; mirrors the kiosk profile's fingerprint section."""

    url: str = "/dev/ttyUSB0"
    baudrate: int = 57600
    address: int = protocol.DEFAULT_ADDRESS
    password: int = 0
    timeout_seconds: float = 2.0


class R30xReader:
    """One reader on ``serial.serial_for_url(url)``; every reply is awaited at most ``timeout``.

    ``url`` is anything ``serial.serial_for_url`` accepts: a device path, a pseudo-terminal or
    ``rfc2217://host:port``.
    """

    def __init__(
        self,
        url: str,
        baudrate: int = 57600,
        *,
        address: int = protocol.DEFAULT_ADDRESS,
        password: int = 0,
        timeout_seconds: float = 2.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.address = address
        self.password = password
        self.timeout_seconds = timeout_seconds
        self.packet_size = 128
        self._decoder = PacketDecoder(address)
        self._pending: list[Packet] = []
        try:
            self._port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.05)
        except ValueError as exc:
            raise FingerprintError(f"invalid fingerprint reader port {url!r}: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise ReaderNotResponding(f"{url}: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(*_PORT_ERRORS):
            self._port.close()

    def __enter__(self) -> R30xReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def handshake(self) -> None:
        """Verify the password (VfyPwd) and learn the packet size the reader uses."""
        self._call(protocol.VFY_PWD, struct.pack(">I", self.password))
        self.packet_size = self.read_parameters().packet_size

    def read_parameters(self) -> ReaderStatus:
        return protocol.parse_system_parameters(self._call(protocol.READ_SYS_PARA))

    def capture_image(self, deadline_seconds: float = 10.0) -> np.ndarray:
        """Poll GenImg until a finger is on the sensor, then upload the image (288x256 uint8).

        Raises NoFinger if no finger arrives before the deadline.
        """
        deadline = time.monotonic() + deadline_seconds
        while not self.take_image():
            if time.monotonic() + POLL_INTERVAL_SECONDS >= deadline:
                raise NoFinger(detail=f"no finger within {deadline_seconds:g} s")
            time.sleep(POLL_INTERVAL_SECONDS)
        return self.upload_image()

    def take_image(self) -> bool:
        """One GenImg: True when a finger was on the sensor and its image is in the buffer."""
        try:
            self._call(protocol.GEN_IMG)
        except NoFinger:
            return False
        return True

    def upload_image(self) -> np.ndarray:
        """UpImage: the image in the reader's buffer, grey uint8, 288 rows by 256 columns."""
        return protocol.unpack_image(self._call_with_data(protocol.UP_IMAGE))

    def image_to_template(self, buffer_id: int = 1) -> None:
        """Extract features of the captured image into character buffer ``buffer_id``."""
        self._call(protocol.IMG2TZ, bytes([buffer_id]))

    def upload_template(self, buffer_id: int = 1) -> bytes:
        return self._call_with_data(protocol.UP_CHAR, bytes([buffer_id]))

    def create_model(self) -> None:
        """Merge buffers 1 and 2 into one template (RegModel)."""
        self._call(protocol.REG_MODEL)

    def store(self, page_id: int, buffer_id: int = 1) -> None:
        self._call(protocol.STORE, struct.pack(">BH", buffer_id, page_id))

    def match(self) -> int:
        """Score of buffer 1 against buffer 2; raises NoMatch when they differ."""
        return struct.unpack(">H", self._call(protocol.MATCH)[:2])[0]

    def search(
        self, buffer_id: int = 1, start_page: int = 0, page_count: int = 1000
    ) -> tuple[int, int]:
        """(page id, score) of the best library match; raises NotFound when there is none."""
        data = self._call(protocol.SEARCH, struct.pack(">BHH", buffer_id, start_page, page_count))
        page_id, score = struct.unpack(">HH", data[:4])
        return page_id, score

    def template_count(self) -> int:
        return struct.unpack(">H", self._call(protocol.TEMPLATE_NUM)[:2])[0]

    def _call(self, code: int, parameters: bytes = b"") -> bytes:
        """Send a command, wait for its acknowledgement, raise its error; return its data."""
        self._send(code, parameters)
        confirmation, data = protocol.split_ack(self._read_packet())
        raise_for_code(confirmation)
        return data

    def _call_with_data(self, code: int, parameters: bytes = b"") -> bytes:
        data = self._call(code, parameters)
        if data:
            raise UnexpectedPacket(f"unexpected data in the acknowledgement: {data.hex(' ')}")
        received = bytearray()
        while True:
            packet = self._read_packet()
            if packet.packet_id not in (protocol.DATA_PACKET, protocol.END_DATA_PACKET):
                raise UnexpectedPacket(f"expected data, got packet id 0x{packet.packet_id:02X}")
            received += packet.payload
            if packet.packet_id == protocol.END_DATA_PACKET:
                return bytes(received)

    def _send(self, code: int, parameters: bytes) -> None:
        # A reply left over from a timed-out command must not answer this one.
        self._pending.clear()
        self._decoder.reset()
        try:
            self._port.reset_input_buffer()
            self._port.write(protocol.command(code, parameters, self.address))
        except _PORT_ERRORS as exc:
            raise ReaderNotResponding(f"{self.url}: {exc}") from exc

    def _read_packet(self) -> Packet:
        deadline = time.monotonic() + self.timeout_seconds
        while not self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReaderNotResponding(
                    f"{self.url}: no reply within {self.timeout_seconds:g} s "
                    f"at {self.baudrate} baud"
                )
            try:
                self._port.timeout = min(remaining, 0.1)
                chunk = self._port.read(max(1, self._port.in_waiting))
            except _PORT_ERRORS as exc:
                raise ReaderNotResponding(f"{self.url}: {exc}") from exc
            if chunk:
                # The deadline is per packet: a long upload keeps the line busy, not silent.
                deadline = time.monotonic() + self.timeout_seconds
                self._pending.extend(self._decoder.feed(chunk))
        return self._pending.pop(0)


def open_reader(
    url: str,
    baudrate: int = 57600,
    *,
    address: int = protocol.DEFAULT_ADDRESS,
    password: int = 0,
    timeout_seconds: float = 2.0,
    base_dir: Path | None = None,
) -> R30xReader:
    """The reader a kiosk profile describes; a relative device path is taken from base_dir."""
    if base_dir is not None and "://" not in url and not Path(url).is_absolute():
        url = str(base_dir / url)
    return R30xReader(
        url, baudrate, address=address, password=password, timeout_seconds=timeout_seconds
    )


def open_configured_reader(config: FingerprintConfig, base_dir: Path | None = None) -> R30xReader:
    """The reader a kiosk profile's ``[devices.fingerprint]`` section describes."""
    return open_reader(
        config.url,
        config.baudrate,
        address=config.address,
        password=config.password,
        timeout_seconds=config.timeout_seconds,
        base_dir=base_dir,
    )


def find_readers(
    ports: Iterable[str],
    baudrates: Iterable[int] = COMMON_BAUDRATES,
    *,
    password: int = 0,
    timeout_seconds: float = 0.5,
) -> list[tuple[str, int, ReaderStatus]]:
    """Ports and baud rates where a reader answers the handshake, for a technician."""
    found: list[tuple[str, int, ReaderStatus]] = []
    rates = tuple(baudrates)
    for port in ports:
        for baudrate in rates:
            try:
                with R30xReader(
                    port, baudrate, password=password, timeout_seconds=timeout_seconds
                ) as reader:
                    reader.handshake()
                    found.append((port, baudrate, reader.read_parameters()))
                    break
            except (FingerprintError, ProtocolError) as exc:
                logger.debug("no reader on %s at %d baud: %s", port, baudrate, exc)
    return found
