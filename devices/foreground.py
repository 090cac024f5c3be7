"""Running a device simulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Protocol


class Startable(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(simulator: Startable, ready_line: Callable[[], str]) -> None:
    """Start ``simulator``, print its ready line, and stop it cleanly on Ctrl-C or SIGTERM."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        previous_handler = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    simulator.start()
    try:
        print(ready_line(), flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if in_main_thread:
            # Ctrl-C reaches the whole process group and the demo then terminates each
            # simulator too: a second signal must not cut the clean stop short.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            previous_interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            simulator.stop()
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous_handler)
                signal.signal(signal.SIGINT, previous_interrupt)
