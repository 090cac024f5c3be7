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
    """A finger image as the 500 dpi sensor sees it: grey uint8, 288 rows by 256 columns."""
    path = fingers_dir / f"{name}.png"
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise FingerprintError(f"no finger image {path}")
    return fit_to_sensor(image)


def fit_to_sensor(image: np.ndarray) -> np.ndarray:
    """A 500 dpi grey image centre-cropped (padded with white where smaller) to the sensor's
    288x256. The images are 500 dpi like the sensor, so they are cropped, not scaled: scaling
    would change the ridge spacing."""
    height, width = image.shape
    pad_y = max(0, protocol.IMAGE_HEIGHT - height)
    pad_x = max(0, protocol.IMAGE_WIDTH - width)
    if pad_x or pad_y:
        image = cv2.copyMakeBorder(
            image, pad_y // 2, pad_y - pad_y // 2, pad_x // 2, pad_x - pad_x // 2,
            cv2.BORDER_CONSTANT, value=255,
        )  # fmt: skip
        height, width = image.shape
    top = (height - protocol.IMAGE_HEIGHT) // 2
    left = (width - protocol.IMAGE_WIDTH) // 2
    return np.ascontiguousarray(
        image[top : top + protocol.IMAGE_HEIGHT, left : left + protocol.IMAGE_WIDTH]
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


def faint_image(image: np.ndarray) -> np.ndarray:
    """A finger touched too lightly: ridges barely darker than the glass."""
    lifted = 255.0 - (255.0 - image.astype(np.float32)) * 0.12
    return np.clip(lifted, 0, 255).astype(np.uint8)


def smudged_image(image: np.ndarray) -> np.ndarray:
    """A wet or greasy finger: ridges run together into dark blots."""
    eroded = cv2.erode(image, np.ones((5, 5), np.uint8))
    blurred = cv2.GaussianBlur(eroded, (0, 0), 3.0)
    return (blurred.astype(np.float32) * 0.55).astype(np.uint8)


def partial_image(image: np.ndarray) -> np.ndarray:
    """Only a fingertip's edge touches the glass: a small patch of ridges."""
    partial = np.full_like(image, 255)
    height, width = image.shape
    rows = slice(height // 2, height // 2 + height // 4)
    cols = slice(width // 4, width // 4 + width // 3)
    partial[rows, cols] = image[rows, cols]
    return partial


def empty_glass(
    shape: tuple[int, int] = (protocol.IMAGE_HEIGHT, protocol.IMAGE_WIDTH),
) -> np.ndarray:
    """What the sensor sees with nothing on it: light, with a little noise."""
    rng = np.random.default_rng(7)
    return np.clip(rng.normal(240, 4, shape), 0, 255).astype(np.uint8)


def _clean(image: np.ndarray) -> np.ndarray:
    return image


FINGER_CONDITIONS = {
    "clean": _clean,
    "faint": faint_image,
    "smudged": smudged_image,
    "partial": partial_image,
}
