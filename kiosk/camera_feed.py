"""The face screen's camera loop: read, analyse, hand the newest result to the UI thread.

Reading and analysing run on a worker thread, so the UI never waits for the camera or the
detector. Only the newest result is handed over: when the UI is busy, older frames are dropped
rather than queued, so what the citizen sees and is told is never behind what they do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from devices.camera.interface import Camera, CameraError
from kiosk.background import Dispatch

log = logging.getLogger(__name__)

FrameHandler = Callable[[np.ndarray, FrameAnalysis], None]
ErrorHandler = Callable[[Exception], None]


class CameraFeed:
    """Runs one camera through the face analyser while the face screen is shown."""

    def __init__(
        self,
        camera: Camera,
        analyzer: FaceAnalyzer,
        dispatch: Dispatch,
        guard: threading.Lock | None = None,
    ) -> None:
        self._camera = camera
        self._guard = guard or threading.Lock()
        self._analyzer = analyzer
        self._dispatch = dispatch
        self._lock = threading.Lock()
        self._latest: tuple[np.ndarray, FrameAnalysis] | None = None
        self._delivery_pending = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_frame: FrameHandler | None = None
        self._on_error: ErrorHandler | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def latest(self) -> tuple[np.ndarray, FrameAnalysis] | None:
        """The newest analysed frame, for the preview (any thread)."""
        with self._lock:
            return self._latest

    def start(self, on_frame: FrameHandler, on_error: ErrorHandler) -> None:
        self.stop()
        self._on_frame, self._on_error = on_frame, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop,), name="camera-feed", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop; nothing more is delivered after this returns."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self._lock:
            self._latest = None
            self._delivery_pending = False

    def _loop(self, stop: threading.Event) -> None:
        # A health check may hold the camera for a moment; the screen waits for it to finish.
        while not self._guard.acquire(timeout=0.1):
            if stop.is_set():
                return
        try:
            self._run(stop)
        finally:
            self._guard.release()

    def _run(self, stop: threading.Event) -> None:
        failed = False
        try:
            self._camera.open()
        except CameraError as error:
            self._report(stop, error)
            failed = True
        while not stop.is_set():
            try:
                frame = self._camera.read()
            except CameraError as error:
                if not failed:
                    self._report(stop, error)
                failed = True
                stop.wait(0.5)
                continue
            failed = False
            analysis = self._analyzer.analyze(frame.image)
            with self._lock:
                if stop.is_set():
                    break
                self._latest = (frame.image, analysis)
                schedule = not self._delivery_pending
                self._delivery_pending = True
            if schedule:
                self._dispatch(lambda stop=stop: self._deliver(stop))
        self._camera.close()

    def _deliver(self, stop: threading.Event) -> None:
        with self._lock:
            latest, self._delivery_pending = self._latest, False
        if latest is None or stop.is_set() or self._on_frame is None:
            return
        self._on_frame(*latest)

    def _report(self, stop: threading.Event, error: Exception) -> None:
        log.warning("camera: %s", error)
        handler = self._on_error
        if handler is not None:
            self._dispatch(lambda: None if stop.is_set() else handler(error))
