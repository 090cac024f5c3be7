"""Shared pieces of the fingerprint tests: reader-like images and capture bodies."""

from __future__ import annotations

import base64
from datetime import date
from functools import cache
from typing import Any

import cv2
import numpy as np

from backend.contracts import make_personal_number
from devices.fingerprint.finger_images import load_finger_image
from devices.fingerprint.protocol import quantise


def person(serial: int) -> str:
    """A well-formed personal number; different serials are different people."""
    return make_personal_number(date(1990, 5, 17), male=True, region=26, serial=serial)


def png_bytes(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    assert ok
    return encoded.tobytes()


@cache
def reader_png(name: str) -> bytes:
    """A shared finger image as the reader uploads it: 288x256, 16 grey levels, as PNG."""
    return png_bytes(quantise(load_finger_image(name)))


def reader_pixels(name: str) -> np.ndarray:
    return quantise(load_finger_image(name))


def finger_capture(finger: str, name: str, **overrides: Any) -> dict[str, Any]:
    """A FingerprintCapture as JSON carrying the reader image of shared finger ``name``."""
    body: dict[str, Any] = {
        "finger": finger,
        "image_png": base64.b64encode(reader_png(name)).decode(),
        "kiosk_quality": 80,
        "attempts": 1,
    }
    body.update(overrides)
    return body


def exception_capture(finger: str, reason: str, attempts: int = 0) -> dict[str, Any]:
    return {"finger": finger, "exception": reason, "attempts": attempts}
