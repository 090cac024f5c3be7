"""Pictures of the kiosk window: for demos (one per screen shown) and for UI tests."""

from __future__ import annotations

import os
from pathlib import Path

from kivy.clock import Clock

from kiosk.session import FlowState, Step

SETTLE_SECONDS = 0.2  # let labels and layouts of a new screen settle before the picture


class WindowCapture:
    """Saves the next frame the window draws, read before the buffers are swapped."""

    def __init__(self, window: object) -> None:
        self._window = window
        self._pending: list[Path] = []
        self.saved: list[Path] = []
        window.bind(on_flip=self._on_flip)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def request(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._pending.append(path)
        self._window.canvas.ask_update()

    def close(self) -> None:
        self._window.unbind(on_flip=self._on_flip)

    def _on_flip(self, window: object) -> None:
        while self._pending:
            path = self._pending.pop(0)
            # Window.screenshot appends a free counter to the name; keep the name asked for.
            written = window.screenshot(name=str(path.with_suffix("")) + ".png")
            os.replace(written, path)
            self.saved.append(path)


class ScreenRecorder:
    """Takes one picture each time the kiosk shows a different screen (or the idle warning)."""

    def __init__(self, capture: WindowCapture, directory: Path) -> None:
        self._capture = capture
        self._directory = directory
        self._last: tuple[str, str, bool] | None = None
        self._count = 0
        self._event = None

    def observe(self, state: FlowState, language: str) -> None:
        shown = (state.screen.value, language, state.step is Step.IDLE_WARNING)
        if shown == self._last:
            return
        self._last = shown
        self._count += 1
        suffix = "-idle_warning" if shown[2] else ""
        path = self._directory / f"{self._count:03d}-{shown[0]}{suffix}-{language}.png"
        if self._event is not None:
            self._event.cancel()  # a screen shown for less than a frame is not worth a picture
        self._event = Clock.schedule_once(lambda _dt: self._capture.request(path), SETTLE_SECONDS)
