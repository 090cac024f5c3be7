"""The simulated fingerprint reader's control socket: TCP line commands on 127.0.0.1."""

from __future__ import annotations

import socket
import socketserver
from typing import TYPE_CHECKING

from devices.fingerprint.interface import FingerprintError

if TYPE_CHECKING:
    from devices.fingerprint.simulator import FingerprintSimulator

CONTROL_COMMANDS = (
    "finger <name> [clean|faint|smudged|partial]", "lift", "auto on|off", "fail capture",
    "messy", "wrong-password", "corrupt-checksum",
    "silent", "unplug", "plug", "status", "ping",
)  # fmt: skip


class _ControlHandler(socketserver.StreamRequestHandler):
    server: ControlServer

    def handle(self) -> None:
        for raw in self.rfile:
            reply = self.server.simulator_command(raw.decode("utf-8", "replace").strip())
            self.wfile.write(reply.encode("utf-8") + b"\n")
            self.wfile.flush()


class ControlServer(socketserver.ThreadingTCPServer):
    """Answers each control line with `ok`, `ok <status>` or `error <why>`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: FingerprintSimulator) -> None:
        super().__init__(address, _ControlHandler)
        self.simulator = simulator

    def simulator_command(self, line: str) -> str:
        simulator = self.simulator
        command, _, argument = line.partition(" ")
        try:
            if command == "finger" and argument:
                name, _, condition = argument.strip().partition(" ")
                simulator.place_finger(name, condition.strip() or "clean")
            elif command == "auto" and argument.strip() in ("on", "off"):
                simulator.auto_fingers = argument.strip() == "on"
            elif command == "lift":
                simulator.lift_finger()
            elif line == "fail capture":
                simulator.fail_next_capture = True
            elif command == "messy":
                simulator.messy_next_image = True
            elif command == "wrong-password":
                simulator.password = (simulator.password + 1) & 0xFFFFFFFF
            elif command == "corrupt-checksum":
                simulator.corrupt_next_reply = True
            elif command == "silent":
                simulator.silent = True
            elif command == "unplug":
                simulator.unplug()
            elif command == "plug":
                simulator.plug()
            elif command == "status":
                return "ok " + simulator.status_line()
            elif command != "ping":
                return "error unknown command; use: " + ", ".join(CONTROL_COMMANDS)
        except FingerprintError as exc:
            return f"error {exc}"
        return "ok"


def send_fingerprint_command(control_port: int, command: str, *, timeout: float = 5.0) -> str:
    """Send one control command to a running simulator; raise FingerprintError if it refuses."""
    with socket.create_connection(("127.0.0.1", control_port), timeout=timeout) as connection:
        connection.sendall(command.encode("utf-8") + b"\n")
        with connection.makefile("rb") as replies:
            reply = replies.readline().decode("utf-8").rstrip("\r\n")
    if not reply.startswith("ok"):
        raise FingerprintError(reply or "no reply from the fingerprint simulator")
    return reply
