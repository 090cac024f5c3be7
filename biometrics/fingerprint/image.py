"""Input conversion shared by quality and minutiae extraction."""

from __future__ import annotations

import cv2
import numpy as np


def to_grey(image: np.ndarray) -> np.ndarray:
    """A 2-D uint8 grey copy of a grey, BGR or BGRA image (alpha composited on white)."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3 and array.shape[2] == 4:
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        colour = array[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        array = cv2.cvtColor(colour.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    elif array.ndim == 3 and array.shape[2] == 3:
        array = cv2.cvtColor(array.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if array.ndim != 2:
        raise ValueError(f"expected a grey or colour image, got shape {array.shape}")
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(array)
