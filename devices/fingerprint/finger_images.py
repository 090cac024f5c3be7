"""Finger images for the simulated reader, and its stand-in templates and scores.

The stand-in "template" is the finger image shrunk to 32x16 pixels, scored by normalised
correlation. It is not a fingerprint matcher (that is biometrics/fingerprint); it only lets the
simulator's on-board Img2Tz, RegModel, Store, Match and Search commands behave plausibly.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from config.settings import PROJECT_ROOT
from devices.fingerprint import protocol
from devices.fingerprint.interface import FingerprintError

FINGERS_DIR = PROJECT_ROOT.parent / "shared" / "data" / "fingerprints" / "fingers"
TEMPLATE_SHAPE = (16, 32)  # 512 bytes, the size of a real R30x character file


def load_finger_image(name: str, fingers_dir: Path = FINGERS_DIR) -> np.ndarray:
    """A finger image scaled to cover 256x288 and centre-cropped: grey uint8, 288 rows."""
    path = fingers_dir / f"{name}.png"
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise FingerprintError(f"no finger image {path}")
    height, width = image.shape
    scale = max(protocol.IMAGE_WIDTH / width, protocol.IMAGE_HEIGHT / height)
    size = (max(protocol.IMAGE_WIDTH, round(width * scale)),
            max(protocol.IMAGE_HEIGHT, round(height * scale)))  # fmt: skip
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    top = (resized.shape[0] - protocol.IMAGE_HEIGHT) // 2
    left = (resized.shape[1] - protocol.IMAGE_WIDTH) // 2
    return np.ascontiguousarray(
        resized[top : top + protocol.IMAGE_HEIGHT, left : left + protocol.IMAGE_WIDTH]
    )


def stand_in_template(image: np.ndarray) -> np.ndarray:
    """The 512-byte stand-in template of an image (not a real fingerprint template)."""
    small = cv2.resize(image, TEMPLATE_SHAPE[::-1], interpolation=cv2.INTER_AREA)
    return small.astype(np.uint8)


def stand_in_score(first: np.ndarray, second: np.ndarray) -> int:
    """0..300 from the correlation of two stand-in templates."""
    a = first.astype(np.float64).ravel() - first.mean()
    b = second.astype(np.float64).ravel() - second.mean()
    denominator = np.linalg.norm(a) * np.linalg.norm(b)
    correlation = float(a @ b / denominator) if denominator else 0.0
    return max(0, round(correlation * 300))
