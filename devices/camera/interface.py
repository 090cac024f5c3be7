"""What the kiosk needs from a camera, whatever the hardware behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


class CameraError(Exception):
    """A camera failed."""


class CameraUnavailable(CameraError):
    """The camera cannot be reached or stopped delivering frames (unplugged, stream gone)."""


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8, height x width x 3, as the sensor sees it (not mirrored)
    index: int  # increases by at least one per delivered frame, across reconnects
    captured_at: float  # time.monotonic() when the frame arrived


@runtime_checkable
class Camera(Protocol):
    def open(self) -> None:
        """Start capturing; raise CameraUnavailable if the device does not answer in time."""
        ...

    def read(self) -> Frame:
        """Block for a frame newer than the last one returned; CameraUnavailable if none comes."""
        ...

    def close(self) -> None:
        """Stop capturing and release the device; safe to call more than once."""
        ...

    @property
    def healthy(self) -> bool:
        """True while the device is connected and delivering frames."""
        ...

    def describe(self) -> str:
        """One line for technicians: source, size, rate, state, last error."""
        ...
