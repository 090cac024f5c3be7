"""A simulator's control server (TCP, one command a line) run on a background thread."""

from __future__ import annotations

import socketserver
import threading


def serve_in_background(server: socketserver.BaseServer, name: str) -> threading.Thread:
    """Start ``server.serve_forever`` on a daemon thread; stopping it is ``shut_down``."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()
    return thread


def shut_down(server: socketserver.BaseServer | None, thread: threading.Thread | None) -> None:
    """Stop a server from ``serve_in_background`` and close its socket; either may be None."""
    if server is not None:
        server.shutdown()
        server.server_close()
    if thread is not None:
        thread.join(timeout=2)
