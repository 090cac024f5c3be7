"""An R30x fingerprint reader on a pseudo-terminal, for tests, benchmarks and the demo kiosk.

The driver opens the pseudo-terminal's slave side exactly as it would open ``/dev/ttyUSB0``.
The simulator answers the same packet protocol, backed by real finger images, and paces its
writes to the line rate of the configured baud rate (10 bits per byte), which a pty does not do.

Img2Tz, RegModel, Store, Match and Search work on a stand-in "template" (see finger_images):
the finger image shrunk to 32x16 pixels, scored by normalised correlation. It is not a
fingerprint matcher (that is biometrics/fingerprint); it only lets the commands behave plausibly.
"""

from __future__ import annotations

import contextlib
import os
import select
import struct
import threading
import time
import tty
from pathlib import Path

import numpy as np

from devices.control_thread import serve_in_background, shut_down
from devices.fingerprint import protocol
from devices.fingerprint.finger_images import (
    FINGER_CONDITIONS,
    FINGERS_DIR,
    load_finger_image,
    smudged_image,
    stand_in_score,
    stand_in_template,
)
from devices.fingerprint.interface import FingerprintError, ProtocolError, ReaderStatus
from devices.fingerprint.protocol import Packet, PacketDecoder
from devices.fingerprint.simulator_control import ControlServer, send_fingerprint_command
from devices.foreground import run_until_stopped

MATCH_THRESHOLD = 50
LIBRARY_SIZE = 1000
AUTO_PLACE_AFTER_SECONDS = 1.5  # an unattended demo reader "gets" a finger after this wait
AUTO_LIFT_AFTER_SECONDS = 0.8  # and the finger leaves this long after its image was read


class FingerprintSimulator:
    """A simulated reader on a pty; optionally linked at a stable path, steered over TCP."""

    def __init__(
        self,
        *,
        baudrate: int = 57600,
        password: int = 0,
        address: int = protocol.DEFAULT_ADDRESS,
        packet_size: int = 128,
        control_port: int | None = None,
        link_path: str | Path | None = None,
        fingers_dir: Path = FINGERS_DIR,
        auto_fingers: bool = False,
    ) -> None:
        """``control_port`` None runs no control server, 0 picks a free port.

        ``auto_fingers`` makes the reader present a finger by itself whenever it is polled for
        a while with none on it, and lift it after its image is read: an unattended demo.
        """
        self.baudrate = baudrate
        self.password = password
        self.address = address
        self.packet_size = packet_size
        self._fingers_dir = fingers_dir
        self._requested_control_port = control_port
        self._link_path = Path(link_path) if link_path is not None else None
        self._lock = threading.RLock()
        self._master_fd: int | None = None
        self._slave_fd: int | None = None
        self._port_name: str | None = None
        self._serve_thread: threading.Thread | None = None
        self._stop_serving = threading.Event()
        self._control: ControlServer | None = None
        self._control_thread: threading.Thread | None = None
        self.finger: str | None = None
        self._finger_image: np.ndarray | None = None
        self._image_buffer: np.ndarray | None = None
        self._char_buffers: dict[int, np.ndarray] = {}
        self.library: dict[int, np.ndarray] = {}
        self.fail_next_capture = False
        self.messy_next_image = False
        self.corrupt_next_reply = False
        self.silent = False
        self.noise_before_next_reply = b""
        self.bytes_written = 0
        self.auto_fingers = auto_fingers
        self._auto_names = sorted(path.stem for path in fingers_dir.glob("*.png"))
        self._auto_next = 0
        self._empty_since: float | None = None
        self._lift_at: float | None = None
        self._buffer_messy = False

    @property
    def port_name(self) -> str:
        if self._port_name is None:
            raise FingerprintError("simulated fingerprint reader is unplugged")
        return self._port_name

    @property
    def link_path(self) -> Path | None:
        """The stable path linked to the current pseudo-terminal, if one was asked for."""
        return self._link_path

    @property
    def control_port(self) -> int | None:
        return self._control.server_address[1] if self._control is not None else None

    @property
    def plugged(self) -> bool:
        return self._master_fd is not None

    def start(self) -> None:
        self.plug()
        if self._requested_control_port is not None and self._control is None:
            self._control = ControlServer(("127.0.0.1", self._requested_control_port), self)
            self._control_thread = serve_in_background(
                self._control, "fingerprint-simulator-control"
            )

    def stop(self) -> None:
        shut_down(self._control, self._control_thread)
        self._control, self._control_thread = None, None
        self.unplug()

    def __enter__(self) -> FingerprintSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def plug(self) -> None:
        """A fresh pseudo-terminal, as when the reader enumerates on USB; also ends `silent`."""
        with self._lock:
            self.silent = False
            if self._master_fd is not None:
                return
            master_fd, slave_fd = os.openpty()
            tty.setraw(slave_fd)  # binary packets must pass the line discipline untouched
            self._master_fd, self._slave_fd = master_fd, slave_fd
            self._port_name = os.ttyname(slave_fd)
            if self._link_path is not None:
                _replace_symlink(self._link_path, self._port_name)
            self._stop_serving.clear()
            self._serve_thread = threading.Thread(
                target=self._serve, args=(master_fd,), name="fingerprint-simulator", daemon=True
            )
            self._serve_thread.start()

    def unplug(self) -> None:
        thread = self._serve_thread
        self._stop_serving.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        with self._lock:
            if self._master_fd is None:
                return
            if self._link_path is not None and self._port_name is not None:
                with contextlib.suppress(OSError):
                    if os.readlink(self._link_path) == self._port_name:
                        self._link_path.unlink()
            for fd in (self._master_fd, self._slave_fd):
                if fd is not None:
                    os.close(fd)
            self._master_fd = self._slave_fd = None
            self._port_name = None
            self._serve_thread = None

    def place_finger(self, name: str, condition: str = "clean") -> None:
        """Put a finger on the glass: ``condition`` clean, faint, smudged or partial."""
        if condition not in FINGER_CONDITIONS:
            raise FingerprintError(
                f"unknown finger condition {condition!r}; use: {', '.join(FINGER_CONDITIONS)}"
            )
        image = FINGER_CONDITIONS[condition](load_finger_image(name, self._fingers_dir))
        with self._lock:
            self.finger = name if condition == "clean" else f"{name} ({condition})"
            self._finger_image = image
            self._lift_at = None

    def lift_finger(self) -> None:
        with self._lock:
            self.finger, self._finger_image = None, None
            self._lift_at = None

    def status_line(self) -> str:
        return (
            f"plugged={'yes' if self.plugged else 'no'} silent={'yes' if self.silent else 'no'} "
            f"finger={self.finger or '-'} baud={self.baudrate} templates={len(self.library)} "
            f"auto={'on' if self.auto_fingers else 'off'}"
        )

    def _serve(self, master_fd: int) -> None:
        decoder = PacketDecoder(expected_address=None)
        while not self._stop_serving.is_set():
            readable, _, _ = select.select([master_fd], [], [], 0.05)
            if not readable:
                continue
            try:
                data = os.read(master_fd, 4096)
            except OSError:
                return
            try:
                packets = decoder.feed(data)
            except ProtocolError:
                self._write(master_fd, protocol.ack(0x01, address=self.address))
                continue
            for packet in packets:
                if self.silent or self._stop_serving.is_set():
                    continue
                if packet.address != self.address:
                    continue  # a real module ignores packets for another address
                reply = self._reply(packet)
                if reply:
                    self._write(master_fd, reply)

    def _write(self, fd: int, data: bytes) -> None:
        """Write at the line rate of the baud rate, so timing matches a real serial link."""
        if self.corrupt_next_reply:
            self.corrupt_next_reply = False
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        if self.noise_before_next_reply:
            data, self.noise_before_next_reply = self.noise_before_next_reply + data, b""
        bytes_per_second = self.baudrate / 10
        start = time.monotonic()
        chunk = max(1, int(bytes_per_second / 200))  # about 5 ms of line time per write
        for offset in range(0, len(data), chunk):
            # A chunk is released once its last byte would have arrived over the wire.
            due = start + min(len(data), offset + chunk) / bytes_per_second
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            piece = data[offset : offset + chunk]
            try:
                while piece:
                    _, writable, _ = select.select([], [fd], [], 0.5)
                    if self._stop_serving.is_set():
                        return
                    if writable:
                        piece = piece[os.write(fd, piece) :]
            except OSError:
                return
            self.bytes_written += len(data[offset : offset + chunk])

    def _ack(self, confirmation: int, data: bytes = b"") -> bytes:
        return protocol.ack(confirmation, data, self.address)

    def _reply(self, packet: Packet) -> bytes:
        if packet.packet_id != protocol.COMMAND_PACKET or not packet.payload:
            return self._ack(0x01)
        code, parameters = packet.payload[0], packet.payload[1:]
        with self._lock:
            handler = _HANDLERS.get(code)
            if handler is None:
                return self._ack(0x01)
            try:
                return handler(self, parameters)
            except (struct.error, IndexError):
                return self._ack(0x01)

    def _vfy_pwd(self, parameters: bytes) -> bytes:
        (password,) = struct.unpack(">I", parameters[:4])
        return self._ack(0x00 if password == self.password else 0x13)

    def _read_sys_para(self, _: bytes) -> bytes:
        status = ReaderStatus(
            status=0,
            system_id=0x0000,
            library_size=LIBRARY_SIZE,
            security_level=3,
            address=self.address,
            packet_size=self.packet_size,
            baudrate=self.baudrate if self.baudrate % 9600 == 0 else 57600,
        )
        return self._ack(0x00, protocol.encode_system_parameters(status))

    def _gen_img(self, _: bytes) -> bytes:
        if self.auto_fingers:
            self._auto_present(time.monotonic())
        if self.fail_next_capture:
            self.fail_next_capture = False
            return self._ack(0x03)
        if self._finger_image is None:
            return self._ack(0x02)
        image = self._finger_image
        if self.messy_next_image:
            # The next image comes out smudged; Img2Tz refuses it (0x06) as a real module does.
            image, self.messy_next_image, self._buffer_messy = smudged_image(image), False, True
        else:
            self._buffer_messy = False
        self._image_buffer = image
        return self._ack(0x00)

    def _auto_present(self, now: float) -> None:
        """Unattended demo: a finger arrives after a short wait and leaves once read."""
        if self._finger_image is None:
            if self._empty_since is None:
                self._empty_since = now
            elif now - self._empty_since >= AUTO_PLACE_AFTER_SECONDS and self._auto_names:
                name = self._auto_names[self._auto_next % len(self._auto_names)]
                self._auto_next += 1
                self.place_finger(name)
                self._empty_since = None
        elif self._lift_at is not None and now >= self._lift_at:
            self.lift_finger()
            self._empty_since = now

    def _up_image(self, _: bytes) -> bytes:
        if self._image_buffer is None:
            return self._ack(0x0F)
        data = protocol.pack_image(self._image_buffer)
        if self.auto_fingers and self._finger_image is not None:
            line_seconds = len(data) * 10 / self.baudrate
            self._lift_at = time.monotonic() + line_seconds + AUTO_LIFT_AFTER_SECONDS
        return self._ack(0x00) + protocol.data_packets(data, self.packet_size, self.address)

    def _img2tz(self, parameters: bytes) -> bytes:
        if self.messy_next_image or self._buffer_messy:
            self.messy_next_image = self._buffer_messy = False
            return self._ack(0x06)
        if self._image_buffer is None:
            return self._ack(0x15)
        self._char_buffers[parameters[0]] = stand_in_template(self._image_buffer)
        return self._ack(0x00)

    def _up_char(self, parameters: bytes) -> bytes:
        template = self._char_buffers.get(parameters[0])
        if template is None:
            return self._ack(0x0D)
        data = template.tobytes()
        return self._ack(0x00) + protocol.data_packets(data, self.packet_size, self.address)

    def _reg_model(self, _: bytes) -> bytes:
        first, second = self._char_buffers.get(1), self._char_buffers.get(2)
        if first is None or second is None or stand_in_score(first, second) < MATCH_THRESHOLD:
            return self._ack(0x0A)
        merged = ((first.astype(np.uint16) + second) // 2).astype(np.uint8)
        self._char_buffers[1] = self._char_buffers[2] = merged
        return self._ack(0x00)

    def _store(self, parameters: bytes) -> bytes:
        buffer_id, page_id = struct.unpack(">BH", parameters[:3])
        if page_id >= LIBRARY_SIZE:
            return self._ack(0x0B)
        template = self._char_buffers.get(buffer_id)
        if template is None:
            return self._ack(0x18)
        self.library[page_id] = template
        return self._ack(0x00)

    def _match(self, _: bytes) -> bytes:
        first, second = self._char_buffers.get(1), self._char_buffers.get(2)
        score = stand_in_score(first, second) if first is not None and second is not None else 0
        return self._ack(0x00 if score >= MATCH_THRESHOLD else 0x08, struct.pack(">H", score))

    def _search(self, parameters: bytes) -> bytes:
        buffer_id, start, count = struct.unpack(">BHH", parameters[:5])
        template = self._char_buffers.get(buffer_id)
        best_page, best_score = 0, 0
        if template is not None:
            for page, stored in self.library.items():
                score = stand_in_score(template, stored)
                if start <= page < start + count and score > best_score:
                    best_page, best_score = page, score
        if best_score < MATCH_THRESHOLD:
            return self._ack(0x09, struct.pack(">HH", 0, 0))
        return self._ack(0x00, struct.pack(">HH", best_page, best_score))

    def _template_num(self, _: bytes) -> bytes:
        return self._ack(0x00, struct.pack(">H", len(self.library)))


_HANDLERS = {
    protocol.VFY_PWD: FingerprintSimulator._vfy_pwd,
    protocol.READ_SYS_PARA: FingerprintSimulator._read_sys_para,
    protocol.GEN_IMG: FingerprintSimulator._gen_img,
    protocol.UP_IMAGE: FingerprintSimulator._up_image,
    protocol.IMG2TZ: FingerprintSimulator._img2tz,
    protocol.UP_CHAR: FingerprintSimulator._up_char,
    protocol.REG_MODEL: FingerprintSimulator._reg_model,
    protocol.STORE: FingerprintSimulator._store,
    protocol.MATCH: FingerprintSimulator._match,
    protocol.SEARCH: FingerprintSimulator._search,
    protocol.TEMPLATE_NUM: FingerprintSimulator._template_num,
}


def _replace_symlink(link: Path, target: str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)


def run_fingerprint_simulator(
    control_port: int, link_path: str | None, baudrate: int = 57600, auto_fingers: bool = False
) -> None:
    """Run a simulator until Ctrl-C or SIGTERM, printing where its port and control socket are."""
    simulator = FingerprintSimulator(
        baudrate=baudrate,
        control_port=control_port,
        link_path=link_path,
        auto_fingers=auto_fingers,
    )
    link_note = f" (linked at {link_path})" if link_path else ""
    run_until_stopped(
        simulator,
        lambda: (
            f"fingerprint simulator on {simulator.port_name}{link_note} at {baudrate} baud, "
            f"control 127.0.0.1:{simulator.control_port}"
        ),
    )


__all__ = [
    "FingerprintSimulator",
    "load_finger_image",
    "run_fingerprint_simulator",
    "send_fingerprint_command",
]
