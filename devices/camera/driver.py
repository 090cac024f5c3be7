"""Camera driver over OpenCV's VideoCapture: USB/V4L2 devices, RTSP/HTTP streams, video files.

A reader thread pulls frames as fast as the source delivers them and keeps only the newest, so
``read()`` always hands the kiosk the latest picture rather than one that waited in a buffer
while face detection was busy (V4L2 and FFmpeg both queue several frames). The same thread
notices a lost device and reopens it with a growing delay, so an unplugged camera comes back by
itself.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from config.profiles import CameraConfig
from devices.camera.interface import CameraError, CameraUnavailable, Frame

logger = logging.getLogger(__name__)

URL_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "udp://", "tcp://")
STREAM_TIMEOUT_MS = 2000


class OpenCvCamera:
    """A camera read through cv2.VideoCapture on a background thread that keeps the newest frame.

    ``source`` is a device index (int), a V4L2 path (``/dev/video0``), a stream URL or a video
    file (played at ``fps`` and looped).
    """

    def __init__(
        self,
        source: int | str,
        *,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        read_timeout: float = 2.0,
        open_timeout: float = 5.0,
        reopen_delay: float = 0.2,
        max_reopen_delay: float = 3.0,
    ) -> None:
        self.source = source
        self.width, self.height, self.fps = width, height, fps
        self._read_timeout = read_timeout
        self._open_timeout = open_timeout
        self._reopen_delay = reopen_delay
        self._max_reopen_delay = max_reopen_delay
        self._condition = threading.Condition()
        self._latest: Frame | None = None
        self._delivered_index = -1
        self._next_index = 0
        self._connected = False
        self._lost = False  # a connection existed and went away, or never came
        self._last_error: str | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._frames_total = 0

    @property
    def is_stream(self) -> bool:
        return isinstance(self.source, str) and self.source.lower().startswith(URL_SCHEMES)

    @property
    def is_file(self) -> bool:
        return (
            isinstance(self.source, str)
            and not self.is_stream
            and not self.source.startswith("/dev/")
        )

    @property
    def healthy(self) -> bool:
        with self._condition:
            return self._connected

    @property
    def last_error(self) -> str | None:
        return self._last_error

    def open(self) -> None:
        """Start the reader; raise CameraUnavailable if no frame arrives within open_timeout.

        The reader keeps retrying in the background after that, until close().
        """
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"camera-reader {self.source}", daemon=True
        )
        self._thread.start()
        with self._condition:
            arrived = self._condition.wait_for(
                lambda: self._latest is not None or self._stopping.is_set(), self._open_timeout
            )
        if not arrived:
            raise CameraUnavailable(f"{self.source}: {self._last_error or 'no frames'}")

    def read(self, timeout: float | None = None) -> Frame:
        """The newest frame not returned before; waits at most ``timeout`` (default read_timeout).

        Raises CameraUnavailable at once when the reader has lost the device, so a caller that
        loops on read() should pause before trying again.
        """
        if self._thread is None:
            raise CameraError("camera is not open")
        wait = self._read_timeout if timeout is None else timeout
        with self._condition:
            fresh = self._condition.wait_for(
                lambda: (
                    self._lost
                    or self._stopping.is_set()
                    or (self._latest is not None and self._latest.index > self._delivered_index)
                ),
                wait,
            )
            frame = self._latest
            if fresh and frame is not None and frame.index > self._delivered_index:
                self._delivered_index = frame.index
                return frame
            reason = self._last_error or f"no frame within {wait:.1f} s"
        raise CameraUnavailable(f"{self.source}: {reason}")

    def close(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        with self._condition:
            self._condition.notify_all()
        thread.join(timeout=STREAM_TIMEOUT_MS / 1000 + 3)
        self._thread = None

    def describe(self) -> str:
        state = "connected" if self.healthy else "not connected"
        error = f", last error: {self._last_error}" if self._last_error else ""
        return (
            f"OpenCV camera {self.source} ({self._backend_name()}), requested "
            f"{self.width}x{self.height} @ {self.fps:g} fps, {state}, "
            f"{self._frames_total} frames{error}"
        )

    def __enter__(self) -> OpenCvCamera:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _backend_name(self) -> str:
        if self.is_stream or self.is_file:
            return "FFMPEG"
        return "V4L2" if isinstance(self.source, str) else "default backend"

    def _open_capture(self) -> cv2.VideoCapture | None:
        if self.is_stream or self.is_file:
            # Bounded open and read, so a stalled stream cannot hang the reader thread.
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
            ]  # fmt: skip
            capture = cv2.VideoCapture(str(self.source), cv2.CAP_FFMPEG, params)
        elif isinstance(self.source, str):
            capture = cv2.VideoCapture(self.source, cv2.CAP_V4L2)
        else:
            capture = cv2.VideoCapture(self.source)
        if not capture.isOpened():
            capture.release()
            return None
        if not (self.is_stream or self.is_file):
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
            # Devices that honour it keep a single buffer: one less frame of latency.
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return capture

    def _run(self) -> None:
        delay = self._reopen_delay
        while not self._stopping.is_set():
            capture = self._open_capture()
            if capture is None:
                self._mark_lost(f"cannot open {self.source}")
                self._stopping.wait(delay)
                delay = min(delay * 2, self._max_reopen_delay)
                continue
            try:
                if self._read_until_lost(capture):
                    delay = self._reopen_delay
            finally:
                capture.release()
        with self._condition:
            self._connected = False
            self._condition.notify_all()

    def _read_until_lost(self, capture: cv2.VideoCapture) -> bool:
        """Read until the source fails; True if at least one frame came through."""
        got_any = False
        period = 1.0 / self.fps if self.is_file else 0.0
        next_due = time.monotonic()
        while not self._stopping.is_set():
            ok, image = capture.read()
            if not ok and self.is_file and got_any:
                capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop a video file
                ok, image = capture.read()
            if not ok or image is None:
                self._mark_lost(f"{self.source} stopped delivering frames")
                return got_any
            got_any = True
            self._publish(image)
            if period:
                next_due += period
                self._stopping.wait(max(0.0, next_due - time.monotonic()))
        return got_any

    def _publish(self, image: np.ndarray) -> None:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        with self._condition:
            if not self._connected:
                logger.info("camera %s delivering frames", self.source)
            frame = Frame(image=image, index=self._next_index, captured_at=time.monotonic())
            self._next_index += 1
            self._frames_total += 1
            self._latest = frame
            self._connected = True
            self._lost = False
            self._last_error = None
            self._condition.notify_all()

    def _mark_lost(self, reason: str) -> None:
        with self._condition:
            if self._connected or self._last_error is None:
                logger.warning("camera %s: %s", self.source, reason)
            self._connected = False
            self._lost = True
            self._last_error = reason
            self._condition.notify_all()


def parse_source(source: str, base_dir: Path | None = None) -> int | str:
    """A device index for digits, else a URL, absolute path, or path relative to base_dir."""
    text = source.strip()
    if text.isdigit():
        return int(text)
    if text.lower().startswith(URL_SCHEMES) or Path(text).is_absolute() or base_dir is None:
        return text
    return str(base_dir / text)


def open_camera(config: CameraConfig, *, base_dir: Path | None = None) -> OpenCvCamera:
    """The camera a kiosk profile describes, not yet opened; relative paths are under base_dir."""
    return OpenCvCamera(
        parse_source(config.source, base_dir),
        width=config.width,
        height=config.height,
        fps=config.fps,
    )
