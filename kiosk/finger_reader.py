"""The finger screen's reader loop: watch the glass, read each finger's image, judge it.

The serial conversation and the quality check run on a worker thread; what happened reaches
the UI thread as ``FingerEvent``s through ``dispatch``. The loop notices a finger arriving
(GenImg succeeds), reads its image (UpImage), judges it, then waits for the finger to leave
before it reads another, so one touch is one attempt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np

from biometrics.fingerprint import FingerprintQuality, assess_fingerprint
from devices.fingerprint.confirmation import ReaderError
from devices.fingerprint.interface import FingerprintError, FingerprintReader, ProtocolError
from kiosk.background import Dispatch

log = logging.getLogger(__name__)

MAX_LINE_ERRORS_IN_A_ROW = 3  # garbled replies tolerated before the reader counts as broken

ReaderOpener = Callable[[], FingerprintReader]
Assessor = Callable[[np.ndarray], FingerprintQuality]


class FingerEventKind(StrEnum):
    READING = "reading"  # a finger arrived; its image is being read
    IMAGE = "image"  # the image, judged
    LIFTED = "lifted"  # the finger left the glass
    CAPTURE_FAILED = "capture_failed"  # the reader could not take or send the picture
    READER_FAILED = "reader_failed"  # the reader does not answer or refuses; the loop ended


@dataclass(frozen=True)
class FingerImage:
    image: np.ndarray = field(repr=False)
    png: bytes = field(repr=False)
    quality: FingerprintQuality


@dataclass(frozen=True)
class FingerEvent:
    kind: FingerEventKind
    image: FingerImage | None = None
    error: Exception | None = None


def png_bytes(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:
        raise ValueError("cannot encode the finger image as PNG")
    return encoded.tobytes()


class FingerReaderFeed:
    """Runs the fingerprint reader while the finger screen is shown."""

    def __init__(
        self,
        open_reader: ReaderOpener,
        dispatch: Dispatch,
        *,
        poll_seconds: float = 0.15,
        assess: Assessor = assess_fingerprint,
        guard: threading.Lock | None = None,
    ) -> None:
        self._open_reader = open_reader
        self._dispatch = dispatch
        self._poll_seconds = poll_seconds
        self._assess = assess
        self._guard = guard or threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, on_event: Callable[[FingerEvent], None]) -> None:
        self.stop()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop, on_event), name="finger-reader", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop; nothing more is delivered after this returns."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=15)  # an image upload in progress finishes first

    def _loop(self, stop: threading.Event, on_event: Callable[[FingerEvent], None]) -> None:
        # A health check may be talking to the reader for a moment; wait for it to finish.
        while not self._guard.acquire(timeout=0.1):
            if stop.is_set():
                return
        try:
            self._converse(stop, on_event)
        finally:
            self._guard.release()

    def _converse(self, stop: threading.Event, on_event: Callable[[FingerEvent], None]) -> None:
        def emit(event: FingerEvent) -> None:
            self._dispatch(lambda: None if stop.is_set() else on_event(event))

        try:
            reader = self._open_reader()
        except (FingerprintError, OSError) as error:
            log.error("fingerprint reader cannot be opened: %s", error)
            emit(FingerEvent(FingerEventKind.READER_FAILED, error=error))
            return
        try:
            reader.handshake()
            self._watch(reader, stop, emit)
        except (FingerprintError, OSError) as error:
            log.error("fingerprint reader failed: %s", error)
            emit(FingerEvent(FingerEventKind.READER_FAILED, error=error))
        finally:
            reader.close()

    def _watch(
        self,
        reader: FingerprintReader,
        stop: threading.Event,
        emit: Callable[[FingerEvent], None],
    ) -> None:
        finger_on = False
        line_errors = 0
        while not stop.is_set():
            try:
                present = reader.take_image()
                if present and not finger_on:
                    emit(FingerEvent(FingerEventKind.READING))
                    image = reader.upload_image()
                    emit(FingerEvent(FingerEventKind.IMAGE, image=self._judge(image)))
                elif not present and finger_on:
                    emit(FingerEvent(FingerEventKind.LIFTED))
                finger_on = present
                line_errors = 0
            except (ProtocolError, ReaderError) as error:
                # A garbled reply or a failed shot: the driver has resynchronised; look again.
                line_errors += 1
                log.warning("fingerprint capture failed (%d in a row): %s", line_errors, error)
                if isinstance(error, ProtocolError) and line_errors >= MAX_LINE_ERRORS_IN_A_ROW:
                    raise
                finger_on = False
                emit(FingerEvent(FingerEventKind.CAPTURE_FAILED, error=error))
            stop.wait(self._poll_seconds)

    def _judge(self, image: np.ndarray) -> FingerImage:
        return FingerImage(image=image, png=png_bytes(image), quality=self._assess(image))
