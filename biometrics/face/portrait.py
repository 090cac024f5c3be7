"""The portrait sent for verification: the best live frame, cropped after ICAO 9303."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from biometrics.face.analysis import FrameAnalysis
from biometrics.face.geometry import eye_centers

CHIN = 8
ASPECT = 3 / 4  # width over height
HEAD_SHARE = 0.72  # chin to crown, of the portrait height (ICAO: 70-80%)
CROWN_MARGIN = 0.12  # free space above the crown, of the portrait height
FRONTAL_YAW = 0.12
OPEN_EAR = 0.18


class NoPortrait(ValueError):
    """None of the frames shows a measurable face."""


def _score(analysis: FrameAnalysis) -> tuple[bool, float]:
    """Frontal with open eyes first, then the sharpest."""
    m = analysis.measurements
    assert m is not None
    return (abs(m.yaw) <= FRONTAL_YAW and m.ear >= OPEN_EAR, m.sharpness)


def best_frame(
    candidates: Sequence[tuple[np.ndarray, FrameAnalysis]],
) -> tuple[np.ndarray, FrameAnalysis]:
    """The sharpest frontal, eyes-open frame among ``(image, analysis)`` pairs."""
    usable = [
        (image, analysis)
        for image, analysis in candidates
        if analysis.measurements is not None and analysis.landmarks is not None
    ]
    if not usable:
        raise NoPortrait("no frame with a measured face")
    return max(usable, key=lambda pair: _score(pair[1]))


def crop_portrait(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """A 3:4 head-and-shoulders crop with the head centred, clamped to the frame."""
    height, width = image.shape[:2]
    right, left = eye_centers(landmarks)
    eyes = (right + left) / 2
    eyes_to_chin = max(float(landmarks[CHIN, 1] - eyes[1]), 1.0)
    head = 2.0 * eyes_to_chin  # the eyes sit about half way between chin and crown
    crop_h = head / HEAD_SHARE
    crop_w = crop_h * ASPECT
    shrink = min(1.0, width / crop_w, height / crop_h)
    crop_w, crop_h = crop_w * shrink, crop_h * shrink
    crown = eyes[1] - head / 2
    top = crown - CROWN_MARGIN * crop_h
    left_x = eyes[0] - crop_w / 2
    left_x = min(max(0.0, left_x), width - crop_w)
    top = min(max(0.0, top), height - crop_h)
    x0, y0 = round(left_x), round(top)
    x1, y1 = min(width, round(left_x + crop_w)), min(height, round(top + crop_h))
    return image[y0:y1, x0:x1].copy()


def best_portrait(candidates: Sequence[tuple[np.ndarray, FrameAnalysis]]) -> np.ndarray:
    """The best frame's ICAO-like crop (BGR)."""
    image, analysis = best_frame(candidates)
    assert analysis.landmarks is not None
    return crop_portrait(image, analysis.landmarks)


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("image could not be encoded as JPEG")
    return buffer.tobytes()
