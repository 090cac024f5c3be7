"""Client of the simulators' line-based control ports."""

from __future__ import annotations

import socket


def send_control_line(host: str, port: int, line: str, timeout: float = 5.0) -> str:
    """Send one command line and return the simulator's one-line reply."""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(line.strip().encode() + b"\n")
        reply = b""
        try:
            while not reply.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except TimeoutError:
            pass
    return reply.decode(errors="replace").strip() or "sent"
