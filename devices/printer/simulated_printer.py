"""The simulated receipt printer behind any transport: bytes in, status replies out, receipts
saved as PNG (with a text log of what was printed) in a folder."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from devices.printer.escpos_stream import Op, parse_commands
from devices.printer.interface import PaperState
from devices.printer.simulated_paper import FinishedReceipt, SimulatedPaper
from devices.printer.status import (
    StatusKind,
    error_cause_byte,
    offline_cause_byte,
    paper_sensor_byte,
    printer_status_byte,
)

RECEIPT_NAME = re.compile(r"^receipt-(\d+)\.png$")


class SimulatedPrinter:
    """One printer's state, shared by every connection to it; safe to use from many threads."""

    def __init__(self, out_dir: Path | str, paper_width_px: int = 576) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._receipt_added = threading.Condition(self._lock)
        self._paper = SimulatedPaper(paper_width_px)
        self._paper_state = PaperState.OK
        self._cover_open = False
        self._receipts: list[Path] = []
        self._next_number = 1 + max(
            (int(m.group(1)) for p in self.out_dir.iterdir() if (m := RECEIPT_NAME.match(p.name))),
            default=0,
        )

    @property
    def paper(self) -> PaperState:
        return self._paper_state

    @property
    def cover_open(self) -> bool:
        return self._cover_open

    @property
    def receipts(self) -> list[Path]:
        """PNG files of the receipts cut so far, oldest first."""
        with self._lock:
            return list(self._receipts)

    def set_paper(self, state: PaperState) -> None:
        if state is PaperState.UNKNOWN:
            raise ValueError("a printer always knows its own paper state")
        with self._lock:
            self._paper_state = state

    def set_cover_open(self, cover_open: bool) -> None:
        with self._lock:
            self._cover_open = cover_open

    def receive(self, buffer: bytes) -> tuple[bytes, int]:
        """Handle the complete commands at the start of buffer.

        Returns the status replies to send back and how many bytes were used; the caller keeps
        the rest until more bytes arrive.
        """
        commands, used = parse_commands(buffer)
        replies = bytearray()
        with self._lock:
            for command in commands:
                if command.op is Op.STATUS_QUERY:
                    replies += self._status_reply(command.args[0])
                elif self._printing_stopped():
                    continue  # no paper or an open cover: nothing reaches the paper
                else:
                    finished = self._paper.apply(command)
                    if finished is not None:
                        self._save(finished)
        return bytes(replies), used

    def wait_for_receipt(self, timeout: float = 5.0, after: int | None = None) -> Path:
        """The receipt after the first `after` ones (default: the next one to be cut)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            wanted = len(self._receipts) if after is None else after
            while len(self._receipts) <= wanted:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no receipt number {wanted + 1} within {timeout} s")
                self._receipt_added.wait(left)
            return self._receipts[wanted]

    def status_line(self) -> str:
        with self._lock:
            last = self._receipts[-1] if self._receipts else "-"
            return (
                f"paper={self._paper_state.value} "
                f"cover={'open' if self._cover_open else 'closed'} "
                f"receipts={len(self._receipts)} last={last}"
            )

    def _printing_stopped(self) -> bool:
        return self._paper_state is PaperState.OUT or self._cover_open

    def _status_reply(self, kind: int) -> bytes:
        paper_out = self._paper_state is PaperState.OUT
        if kind == StatusKind.PRINTER:
            return bytes([printer_status_byte(offline=self._printing_stopped())])
        if kind == StatusKind.OFFLINE_CAUSE:
            return bytes([offline_cause_byte(self._cover_open, paper_out, error=False)])
        if kind == StatusKind.ERROR_CAUSE:
            return bytes([error_cause_byte()])
        if kind == StatusKind.PAPER_SENSOR:
            return bytes([paper_sensor_byte(self._paper_state)])
        return b""  # printers stay silent on status kinds they do not have

    def _save(self, receipt: FinishedReceipt) -> None:
        stem = self.out_dir / f"receipt-{self._next_number:04d}"
        self._next_number += 1
        receipt.image.save(stem.with_suffix(".png"))
        stem.with_suffix(".txt").write_text(receipt.text, encoding="utf-8")
        self._receipts.append(stem.with_suffix(".png"))
        self._receipt_added.notify_all()
