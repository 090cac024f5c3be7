"""What is measured on the main face of a frame: position, pose, eyes, light and sharpness."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from biometrics.face.geometry import eye_aspect_ratio, head_pose, inter_eye_distance

JAW = slice(0, 17)
BROWS = slice(17, 27)
MOUTH = slice(48, 68)
PATCH_WIDTH = 96  # the face patch is resampled to this, so sharpness does not grow with size


@dataclass(frozen=True)
class FaceMeasurements:
    """Signals of one face; offsets are signed fractions of the frame size in the raw image."""

    inter_eye_px: float
    center_offset_x: float
    center_offset_y: float
    yaw: float
    pitch: float
    roll_deg: float
    ear: float
    sharpness: float
    brightness: float
    evenness: float


def face_patch(gray: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The skin area from the jaw's sides and the brows down to the mouth, PATCH_WIDTH wide."""
    height, width = gray.shape[:2]
    x0 = int(max(0, np.floor(points[JAW, 0].min())))
    x1 = int(min(width, np.ceil(points[JAW, 0].max())))
    y0 = int(max(0, np.floor(points[BROWS, 1].min())))
    y1 = int(min(height, np.ceil(points[MOUTH, 1].max())))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    patch = gray[y0:y1, x0:x1]
    size = (PATCH_WIDTH, max(8, round(PATCH_WIDTH * patch.shape[0] / patch.shape[1])))
    interpolation = cv2.INTER_AREA if patch.shape[1] > PATCH_WIDTH else cv2.INTER_LINEAR
    return cv2.resize(patch, size, interpolation=interpolation)


def sharpness(patch: np.ndarray) -> float:
    """Variance of the Laplacian of the size-normalised face patch, per 100 of its own variance.

    Dividing by the patch's variance keeps a dim but sharp face from reading as blurred.
    """
    laplacian = float(cv2.Laplacian(patch, cv2.CV_32F, ksize=3).var())
    return 100.0 * laplacian / max(float(patch.astype(np.float32).var()), 1.0)


def evenness(patch: np.ndarray) -> float:
    """Mean light of the darker half of the face over the brighter half: 1.0 is even."""
    middle = patch.shape[1] // 2
    left, right = float(patch[:, :middle].mean()), float(patch[:, middle:].mean())
    brighter = max(left, right)
    return min(left, right) / brighter if brighter > 0 else 1.0


def measure_face(gray: np.ndarray, points: np.ndarray) -> FaceMeasurements:
    """All measurements of the face whose 68 landmarks are ``points`` in the grey frame."""
    height, width = gray.shape[:2]
    low, high = points.min(axis=0), points.max(axis=0)
    center_x, center_y = (low + high) / 2
    yaw, pitch, roll = head_pose(points)
    patch = face_patch(gray, points)
    return FaceMeasurements(
        inter_eye_px=inter_eye_distance(points),
        center_offset_x=float(center_x / width - 0.5),
        center_offset_y=float(center_y / height - 0.5),
        yaw=yaw,
        pitch=pitch,
        roll_deg=roll,
        ear=eye_aspect_ratio(points),
        sharpness=sharpness(patch) if patch is not None else 0.0,
        brightness=float(patch.mean()) if patch is not None else 0.0,
        evenness=evenness(patch) if patch is not None else 1.0,
    )
