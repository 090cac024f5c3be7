"""A picture of the kiosk window, taken from any thread (for the screenshot command).

Kivy is imported only when a picture is asked for, so this module can be imported by code
that must stay free of Kivy.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from kiosk.background import Dispatch

POLL_SECONDS = 0.05


class CaptureFailed(Exception):
    """The window did not draw a frame to picture in time."""


def window_png_capture(
    dispatch: Dispatch, timeout: float = 5.0, directory: Path | None = None
) -> Callable[[], bytes]:
    """A function that asks the UI thread for the window's next frame and returns it as PNG
    bytes; call it from a worker thread, never from the UI thread (it waits for a frame)."""
    folder = directory or Path(tempfile.gettempdir())

    def capture() -> bytes:
        from kivy.core.window import Window

        from kiosk.screenshots import WindowCapture

        path = folder / f"kiosk-screen-{uuid4().hex}.png"
        holder: list[WindowCapture] = []
        asked = threading.Event()

        def ask() -> None:
            window_capture = WindowCapture(Window)
            holder.append(window_capture)
            window_capture.request(path)
            asked.set()

        dispatch(ask)
        deadline = time.monotonic() + timeout
        try:
            while not path.exists():
                if time.monotonic() > deadline:
                    raise CaptureFailed(f"no frame drawn within {timeout:g} s")
                time.sleep(POLL_SECONDS)
            return path.read_bytes()
        finally:
            if asked.is_set():
                dispatch(holder[0].close)
            with contextlib.suppress(OSError):
                path.unlink()

    return capture
