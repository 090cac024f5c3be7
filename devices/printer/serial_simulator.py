"""The simulated receipt printer on a pseudo-terminal, for the serial and device-file connectors."""

from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path
from types import TracebackType

from devices.printer.interface import PaperState
from devices.printer.simulated_printer import SimulatedPrinter

POLL_SECONDS = 0.05


class SerialPrinterSimulator:
    """A printer behind a pseudo-terminal; open `port_path` like a serial port or a device."""

    def __init__(self, out_dir: Path | str, paper_width_px: int = 576) -> None:
        self.printer = SimulatedPrinter(out_dir, paper_width_px)
        self._master: int | None = None
        self._slave: int | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.port_path = ""

    def start(self) -> SerialPrinterSimulator:
        self._master, self._slave = os.openpty()
        # Raw on both ends: a printer's wire carries bytes, not lines of a terminal session.
        tty.setraw(self._master)
        tty.setraw(self._slave)
        self.port_path = os.ttyname(self._slave)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="serial-printer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = self._thread = None

    def __enter__(self) -> SerialPrinterSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def receipts(self) -> list[Path]:
        return self.printer.receipts

    def set_paper(self, state: PaperState) -> None:
        self.printer.set_paper(state)

    def wait_for_receipt(self, timeout: float = 5.0, after: int | None = None) -> Path:
        return self.printer.wait_for_receipt(timeout, after)

    def _serve(self) -> None:
        assert self._master is not None
        master = self._master
        pending = b""
        while not self._stopping.is_set():
            ready, _, _ = select.select([master], [], [], POLL_SECONDS)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                continue  # no process has the port open right now
            pending += chunk
            replies, used = self.printer.receive(pending)
            pending = pending[used:]
            if replies:
                os.write(master, replies)
