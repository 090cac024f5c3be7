"""A network receipt printer on 127.0.0.1 that speaks ESC/POS, plus a line-based control port.

Control commands (one per line, one reply line each):
``paper ok|near-end|out``, ``cover open|closed``, ``unplug``, ``plug``, ``status``.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from pathlib import Path
from types import TracebackType

from devices.printer.interface import PaperState
from devices.printer.simulated_printer import SimulatedPrinter

PAPER_WORDS = {"ok": PaperState.OK, "near-end": PaperState.NEAR_END, "out": PaperState.OUT}
RECV_BYTES = 65536
SHUTDOWN_POLL_SECONDS = 0.05


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, owner: PrinterSimulator) -> None:
        self.owner = owner
        super().__init__(address, handler)


class _PrinterConnection(socketserver.BaseRequestHandler):
    """One host connection: ESC/POS in, status replies out."""

    def handle(self) -> None:
        owner: PrinterSimulator = self.server.owner  # type: ignore[attr-defined]
        if owner.unplugged:
            return  # the cable is out: the connection closes at once, nothing is answered
        owner._track(self.request, True)
        pending = b""
        try:
            while True:
                chunk = self.request.recv(RECV_BYTES)
                if not chunk:
                    return
                pending += chunk
                replies, used = owner.printer.receive(pending)
                pending = pending[used:]
                if replies:
                    self.request.sendall(replies)
        except OSError:
            return
        finally:
            owner._track(self.request, False)


class _ControlConnection(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        owner: PrinterSimulator = self.server.owner  # type: ignore[attr-defined]
        for raw in self.rfile:
            reply = owner.control(raw.decode("utf-8", errors="replace").strip())
            self.wfile.write(reply.encode() + b"\n")
            self.wfile.flush()


class PrinterSimulator:
    """A simulated network receipt printer; receipts become PNG files in out_dir."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        out_dir: Path | str = "var/printer-simulator",
        control_port: int | None = 0,
        paper_width_px: int = 576,
    ) -> None:
        self.printer = SimulatedPrinter(out_dir, paper_width_px)
        self._host, self._port, self._control_port = host, port, control_port
        self._servers: list[_Server] = []
        self.unplugged = False
        self._threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def start(self) -> PrinterSimulator:
        """Listen and serve in background threads; returns self."""
        self._servers.append(_Server((self._host, self._port), _PrinterConnection, self))
        if self._control_port is not None:
            self._servers.append(
                _Server((self._host, self._control_port), _ControlConnection, self)
            )
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
                name="printer-simulator",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self.drop_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """Host and port of the printer (the real port when started on port 0)."""
        host, port = self._servers[0].server_address[:2]
        return str(host), int(port)

    @property
    def control_address(self) -> tuple[str, int]:
        if len(self._servers) < 2:
            raise RuntimeError("the control port is switched off")
        host, port = self._servers[1].server_address[:2]
        return str(host), int(port)

    @property
    def receipts(self) -> list[Path]:
        return self.printer.receipts

    def set_paper(self, state: PaperState) -> None:
        self.printer.set_paper(state)

    def set_cover_open(self, cover_open: bool) -> None:
        self.printer.set_cover_open(cover_open)

    def wait_for_receipt(self, timeout: float = 5.0, after: int | None = None) -> Path:
        return self.printer.wait_for_receipt(timeout, after)

    def drop_connections(self) -> None:
        """Close every host connection, as a printer does when it restarts."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def control(self, line: str) -> str:
        """Run one control command and return its one-line reply."""
        words = line.lower().split()
        match words:
            case ["paper", state] if state in PAPER_WORDS:
                self.set_paper(PAPER_WORDS[state])
                return f"ok paper={PAPER_WORDS[state].value}"
            case ["cover", ("open" | "closed") as state]:
                self.set_cover_open(state == "open")
                return f"ok cover={state}"
            case ["unplug"]:
                self.unplugged = True
                self.drop_connections()
                return "ok unplugged"
            case ["plug"]:
                self.unplugged = False
                return "ok plugged"
            case ["status"]:
                plugged = "unplugged " if self.unplugged else ""
                return plugged + self.printer.status_line()
        return (
            "error: expected 'paper ok|near-end|out', 'cover open|closed', 'unplug', 'plug' "
            "or 'status'"
        )

    def _track(self, connection: socket.socket, active: bool) -> None:
        with self._connections_lock:
            if active:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


def run_printer_simulator(
    host: str = "127.0.0.1",
    port: int = 9100,
    control_port: int = 9101,
    out_dir: Path | str = "var/printer-simulator",
    paper_width_px: int = 576,
) -> None:
    """Run the simulator in the foreground until Ctrl-C."""
    simulator = PrinterSimulator(host, port, out_dir, control_port, paper_width_px).start()
    printer_host, printer_port = simulator.address
    control_host, control_port_bound = simulator.control_address
    print(
        f"printer simulator on {printer_host}:{printer_port}, "
        f"control on {control_host}:{control_port_bound}, receipts in {Path(out_dir).resolve()}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
