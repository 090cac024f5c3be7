"""Preview frames built from the shared photos: a face placed, scaled and lit at will."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from biometrics.face.geometry import eye_centers, inter_eye_distance
from biometrics.face.models import face_recognition_module
from config.settings import PROJECT_ROOT

FACES = PROJECT_ROOT.parent / "shared" / "data" / "faces"
WIDTH, HEIGHT = 640, 480


@cache
def photo(name: str) -> np.ndarray:
    """A shared photo as BGR (cv2 applies the EXIF rotation), e.g. ``people/obama_1.jpg``."""
    image = cv2.imread(str(FACES / name), cv2.IMREAD_COLOR)
    assert image is not None, name
    return image


@cache
def photo_landmarks(name: str) -> np.ndarray:
    """68 landmarks of the largest face of a photo, found at full resolution."""
    fr = face_recognition_module()
    rgb = cv2.cvtColor(photo(name), cv2.COLOR_BGR2RGB)
    scale = min(1.0, 1000 / max(rgb.shape[:2]))
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes = fr.face_locations(small, 1)
    assert boxes, name
    top, right, bottom, left = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    css = [tuple(round(v / scale) for v in (top, right, bottom, left))]
    shape = fr.api._raw_face_landmarks(rgb, css, model="large")[0]
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def place_face(
    name: str,
    *,
    inter_eye: float = 90.0,
    eyes_at: tuple[float, float] = (0.5, 0.42),
    angle_deg: float = 0.0,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> np.ndarray:
    """A frame in which the photo's face has ``inter_eye`` px between the eyes, its eye midpoint
    at ``eyes_at`` (fractions of the frame) and is rotated in-plane by ``angle_deg``."""
    points = photo_landmarks(name)
    right, left = eye_centers(points)
    middle = (right + left) / 2
    scale = inter_eye / inter_eye_distance(points)
    matrix = cv2.getRotationMatrix2D((float(middle[0]), float(middle[1])), angle_deg, scale)
    matrix[:, 2] += np.array([eyes_at[0] * size[0], eyes_at[1] * size[1]]) - middle
    return cv2.warpAffine(
        photo(name), matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


def scaled_light(frame: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def darken_side(frame: np.ndarray, x_split: int, gain: float) -> np.ndarray:
    """The frame with everything left of ``x_split`` darkened, as by light from one side."""
    out = frame.copy()
    out[:, :x_split] = scaled_light(frame[:, :x_split], gain)
    return out


def close_eyes(frame: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The frame with both eyes covered by lids: skin from just below each eye, a lash line."""
    out = frame.copy()
    distance = inter_eye_distance(points)
    for eye in (points[36:42], points[42:48]):
        x0, y0 = (eye.min(axis=0) - 0.12 * distance).astype(int)
        x1, y1 = (eye.max(axis=0) + 0.12 * distance).astype(int)
        height = y1 - y0
        skin = frame[y1 + height // 2 : y1 + height // 2 + height, x0:x1]
        out[y0:y1, x0:x1] = cv2.GaussianBlur(skin, (5, 5), 0)
        corners = eye[[0, 3]].astype(np.int32)
        line = np.array([corners[0], eye[4:6].mean(axis=0), corners[1]], dtype=np.int32)
        cv2.polylines(out, [line], False, (40, 40, 50), max(1, round(distance / 40)))
    return out


def tilt_about_vertical(frame: np.ndarray, degrees: float, focal: float = 700.0) -> np.ndarray:
    """The frame as a flat sheet turned about its vertical middle line, seen in perspective."""
    height, width = frame.shape[:2]
    angle = np.radians(degrees)
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    centred = corners - np.float32([width / 2, height / 2])
    depth = focal + centred[:, 0] * np.sin(angle)
    seen = np.stack(
        [centred[:, 0] * np.cos(angle) * focal / depth, centred[:, 1] * focal / depth], axis=1
    ) + np.float32([width / 2, height / 2])
    matrix = cv2.getPerspectiveTransform(corners, seen.astype(np.float32))
    return cv2.warpPerspective(frame, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
