"""The shared finger images, as stored and as the simulated R307 reader delivers them."""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from config.settings import PROJECT_ROOT
from devices.fingerprint.finger_images import load_finger_image
from devices.fingerprint.protocol import quantise

FINGERPRINTS_DIR = PROJECT_ROOT.parent / "shared" / "data" / "fingerprints"
FINGERS_DIR = FINGERPRINTS_DIR / "fingers"
NEGATIVE_DIR = FINGERPRINTS_DIR / "negative"
FINGER_NAMES = sorted(path.stem for path in FINGERS_DIR.glob("*.png"))
NEGATIVE_PATHS = sorted(NEGATIVE_DIR.iterdir())


def stored_image(name: str) -> np.ndarray:
    """A finger image as stored (BGRA PNG)."""
    image = cv2.imread(str(FINGERS_DIR / f"{name}.png"), cv2.IMREAD_UNCHANGED)
    assert image is not None, name
    return image


def sensor_image(name: str) -> np.ndarray:
    """A finger image as the simulated reader delivers it: 256x288, 16 grey levels."""
    return quantise(load_finger_image(name))


def sensor_sized(grey: np.ndarray) -> np.ndarray:
    """Any grey image scaled to cover 256x288 and centre-cropped to it."""
    height, width = grey.shape
    scale = max(288 / height, 256 / width)
    size = (max(256, round(width * scale)), max(288, round(height * scale)))
    resized = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    top, left = (resized.shape[0] - 288) // 2, (resized.shape[1] - 256) // 2
    return np.ascontiguousarray(resized[top : top + 288, left : left + 256])


def finger_of(name: str) -> str:
    return name.rsplit("_", 1)[0]


def pairs(same_finger: bool) -> list[tuple[str, str]]:
    return [
        (a, b)
        for a, b in itertools.combinations(FINGER_NAMES, 2)
        if (finger_of(a) == finger_of(b)) == same_finger
    ]
