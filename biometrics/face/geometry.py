"""Face boxes and the landmark geometry every face check is measured from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIGHT_EYE = slice(36, 42)  # the subject's right eye: on the image's left
LEFT_EYE = slice(42, 48)
NOSE_TIP = 30


@dataclass(frozen=True)
class FaceBox:
    """A face's bounding box in pixels (face_recognition's top, right, bottom, left order)."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def area(self) -> int:
        return max(self.width, 0) * max(self.height, 0)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def scaled(self, factor: float) -> FaceBox:
        return FaceBox(
            top=round(self.top * factor),
            right=round(self.right * factor),
            bottom=round(self.bottom * factor),
            left=round(self.left * factor),
        )

    def as_css(self) -> tuple[int, int, int, int]:
        return (self.top, self.right, self.bottom, self.left)

    @classmethod
    def from_css(cls, css: tuple[int, int, int, int]) -> FaceBox:
        top, right, bottom, left = css
        return cls(top=top, right=right, bottom=bottom, left=left)


def eye_centers(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the right and left eye from 68 landmarks, as (x, y)."""
    return points[RIGHT_EYE].mean(axis=0), points[LEFT_EYE].mean(axis=0)


def inter_eye_distance(points: np.ndarray) -> float:
    right, left = eye_centers(points)
    return float(np.linalg.norm(left - right))


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes: about 0.3 open, under 0.15 closed."""

    def one(eye: np.ndarray) -> float:
        vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
        horizontal = 2 * np.linalg.norm(eye[0] - eye[3])
        return float(vertical / horizontal) if horizontal > 0 else 0.0

    return (one(points[RIGHT_EYE]) + one(points[LEFT_EYE])) / 2


def head_pose(points: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll_degrees) proxies from 68 landmarks in the raw (unmirrored) image.

    Landmarks are first rotated so the eye line is level, so a photo tilted in its own plane
    cannot pass for a turned head. Yaw is the nose tip's sideways offset from the eye midpoint
    in inter-eye distances: positive when the nose points to the image's right, which is the
    subject turning to their own left. Pitch is the nose tip's drop below the eyes, likewise.
    """
    right, left = eye_centers(points)
    delta = left - right
    distance = float(np.hypot(*delta))
    if distance == 0:
        return 0.0, 0.0, 0.0
    roll = float(np.arctan2(delta[1], delta[0]))
    middle = (left + right) / 2
    cos, sin = np.cos(-roll), np.sin(-roll)
    offset = points[NOSE_TIP] - middle
    level_x = offset[0] * cos - offset[1] * sin
    level_y = offset[0] * sin + offset[1] * cos
    return float(level_x / distance), float(level_y / distance), float(np.degrees(roll))
