"""A serial line scanner on a pseudo-terminal, for tests and the demo kiosk.

The driver opens the pseudo-terminal's slave side exactly as it would open ``/dev/ttyACM0``;
the simulator writes each "scanned" code to the master side as text followed by CR, the way a
USB-CDC scanner does. Another process can make it scan, or unplug it, over a line-based control
socket on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import socketserver
import threading
import time
import tty
from pathlib import Path

from devices.control_thread import serve_in_background, shut_down
from devices.foreground import run_until_stopped
from devices.scanner.interface import ScannerError, ScannerUnavailable

WRITE_TIMEOUT_SECONDS = 2.0
CONTROL_COMMANDS = ("scan <text>", "unplug", "plug", "ping")


class ScannerSimulator:
    """A pseudo-terminal that "scans" text on request; optionally linked at a stable path."""

    def __init__(
        self,
        *,
        control_port: int | None = None,
        link_path: str | Path | None = None,
        chunk_size: int | None = None,
        chunk_delay: float = 0.002,
        write_timeout: float = WRITE_TIMEOUT_SECONDS,
    ) -> None:
        """``control_port`` None runs no control server, 0 picks a free port."""
        self._requested_control_port = control_port
        self._link_path = Path(link_path) if link_path is not None else None
        self._chunk_size = chunk_size
        self._chunk_delay = chunk_delay
        self._write_timeout = write_timeout
        self._master_fd: int | None = None
        self._slave_fd: int | None = None
        self._port_name: str | None = None
        self._write_lock = threading.Lock()
        self._control: _ControlServer | None = None
        self._control_thread: threading.Thread | None = None

    @property
    def port_name(self) -> str:
        """The pseudo-terminal slave path the driver opens."""
        if self._port_name is None:
            raise ScannerUnavailable("simulated scanner is unplugged")
        return self._port_name

    @property
    def link_path(self) -> Path | None:
        return self._link_path

    @property
    def control_port(self) -> int | None:
        """The TCP port of the control server on 127.0.0.1, once started."""
        return self._control.server_address[1] if self._control is not None else None

    @property
    def plugged(self) -> bool:
        return self._master_fd is not None

    def start(self) -> None:
        """Plug the device in and start the control server."""
        self.plug()
        if self._requested_control_port is not None and self._control is None:
            self._control = _ControlServer(("127.0.0.1", self._requested_control_port), self)
            self._control_thread = serve_in_background(self._control, "scanner-simulator-control")

    def stop(self) -> None:
        """Stop the control server and unplug the device."""
        shut_down(self._control, self._control_thread)
        self._control, self._control_thread = None, None
        self.unplug()

    def plug(self) -> None:
        """Create a fresh pseudo-terminal, as when the device enumerates on USB."""
        with self._write_lock:
            if self._master_fd is not None:
                return
            master_fd, slave_fd = os.openpty()
            # Raw mode so the line discipline passes CR through untouched and does not echo.
            tty.setraw(slave_fd)
            os.set_blocking(master_fd, False)
            self._master_fd, self._slave_fd = master_fd, slave_fd
            self._port_name = os.ttyname(slave_fd)
            if self._link_path is not None:
                _replace_symlink(self._link_path, self._port_name)

    def unplug(self) -> None:
        """Close the pseudo-terminal so the driver sees the device vanish."""
        with self._write_lock:
            if self._master_fd is None:
                return
            if self._link_path is not None and self._port_name is not None:
                _remove_symlink_to(self._link_path, self._port_name)
            for fd in (self._master_fd, self._slave_fd):
                if fd is not None:
                    os.close(fd)
            self._master_fd = self._slave_fd = None
            self._port_name = None

    def scan(
        self, text: str, *, chunk_size: int | None = None, chunk_delay: float | None = None
    ) -> None:
        """Send ``text`` + CR, whole or in chunks of ``chunk_size`` bytes with a short delay."""
        data = text.encode("utf-8") + b"\r"
        size = chunk_size if chunk_size is not None else self._chunk_size
        delay = chunk_delay if chunk_delay is not None else self._chunk_delay
        with self._write_lock:
            if self._master_fd is None:
                raise ScannerUnavailable("simulated scanner is unplugged")
            if not size:
                _write_all(self._master_fd, data, self._write_timeout)
                return
            for start in range(0, len(data), size):
                _write_all(self._master_fd, data[start : start + size], self._write_timeout)
                time.sleep(delay)

    def write_raw(self, data: bytes) -> None:
        """Send bytes as they are: a code cut short, line noise, another terminator."""
        with self._write_lock:
            if self._master_fd is None:
                raise ScannerUnavailable("simulated scanner is unplugged")
            _write_all(self._master_fd, data, self._write_timeout)

    def __enter__(self) -> ScannerSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _ControlHandler(socketserver.StreamRequestHandler):
    server: _ControlServer

    def handle(self) -> None:
        for raw in self.rfile:
            reply = self.server.simulator_command(raw.decode("utf-8", "replace").rstrip("\r\n"))
            self.wfile.write(reply.encode("utf-8") + b"\n")
            self.wfile.flush()


class _ControlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: ScannerSimulator) -> None:
        super().__init__(address, _ControlHandler)
        self.simulator = simulator

    def simulator_command(self, line: str) -> str:
        command, _, argument = line.partition(" ")
        try:
            if command == "scan" and argument:
                self.simulator.scan(argument)
            elif command == "unplug":
                self.simulator.unplug()
            elif command == "plug":
                self.simulator.plug()
            elif command != "ping":
                return "error unknown command; use: " + ", ".join(CONTROL_COMMANDS)
        except ScannerError as exc:
            return f"error {exc}"
        return "ok"


def send_scanner_command(control_port: int, command: str, *, timeout: float = 5.0) -> str:
    """Send one control command to a running simulator; raise ScannerError if it refuses."""
    with socket.create_connection(("127.0.0.1", control_port), timeout=timeout) as connection:
        connection.sendall(command.encode("utf-8") + b"\n")
        with connection.makefile("rb") as replies:
            reply = replies.readline().decode("utf-8").rstrip("\r\n")
    if reply != "ok":
        raise ScannerError(reply or "no reply from the scanner simulator")
    return reply


def _write_all(fd: int, data: bytes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    view = memoryview(data)
    while view:
        # The master is non-blocking: with nobody reading, a full pty must not hang us.
        remaining = deadline - time.monotonic()
        _, writable, _ = select.select([], [fd], [], max(0.0, remaining))
        if not writable:
            raise ScannerError("simulated scanner output is full; nobody is reading it")
        view = view[os.write(fd, view) :]


def _replace_symlink(link: Path, target: str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _remove_symlink_to(link: Path, target: str) -> None:
    # Leave the link alone if another simulator has taken it over since.
    with contextlib.suppress(OSError):
        if os.readlink(link) == target:
            link.unlink()


def run_scanner_simulator(control_port: int, link_path: str | None) -> None:
    """Run a simulator until Ctrl-C or SIGTERM, printing where its port and control socket are."""
    simulator = ScannerSimulator(control_port=control_port, link_path=link_path)
    link_note = f" (linked at {link_path})" if link_path else ""
    run_until_stopped(
        simulator,
        lambda: (
            f"scanner simulator on {simulator.port_name}{link_note}, "
            f"control 127.0.0.1:{simulator.control_port}"
        ),
    )
