"""68-point face landmarks (dlib, with face_recognition's model files) and the face signals
derived from them.

The simulator measures its own synthesized frames with these to calibrate head turns; the
definitions follow the project's shared face-signal conventions (eye aspect ratio, inter-eye
distance, roll-corrected yaw and pitch proxies).
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from functools import cache

import dlib
import numpy as np

RIGHT_EYE = slice(36, 42)  # the citizen's right eye, on the image's left
LEFT_EYE = slice(42, 48)
NOSE_TIP = 30
JAW = slice(0, 17)


@dataclass(frozen=True)
class FaceSignals:
    ear: float
    inter_eye_distance: float
    yaw: float
    pitch: float
    centre: tuple[float, float]


# dlib's detector and shape predictor release the GIL and must not run on two threads at once.
# The simulator keeps its own instances (not face_recognition's shared ones), so it never races
# with face analysis running in the same process, and serialises its own calls.
_DLIB_LOCK = threading.Lock()


@cache
def _dlib_models() -> tuple[dlib.fhog_object_detector, dlib.shape_predictor]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the models package imports pkg_resources
        import face_recognition_models

    predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())
    return dlib.get_frontal_face_detector(), predictor


def face_boxes(image_rgb: np.ndarray, upsample: int = 1) -> list[tuple[int, int, int, int]]:
    """Face boxes as (top, right, bottom, left), largest first."""
    detector, _predictor = _dlib_models()
    height, width = image_rgb.shape[:2]
    with _DLIB_LOCK:
        rects = detector(image_rgb, upsample)
    boxes = [
        (max(r.top(), 0), min(r.right(), width), min(r.bottom(), height), max(r.left(), 0))
        for r in rects
    ]
    return sorted(boxes, key=lambda box: (box[2] - box[0]) * (box[1] - box[3]), reverse=True)


def detect_landmarks(image_rgb: np.ndarray, upsample: int = 1) -> list[np.ndarray]:
    """Every face's 68 landmarks as a (68, 2) float array, largest face first."""
    return [landmarks_in_box(image_rgb, box) for box in face_boxes(image_rgb, upsample)]


def landmarks_in_box(image_rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The 68 landmarks of the face in a (top, right, bottom, left) box."""
    top, right, bottom, left = box
    _detector, predictor = _dlib_models()
    with _DLIB_LOCK:
        shape = predictor(image_rgb, dlib.rectangle(left, top, right, bottom))
    return np.array([(point.x, point.y) for point in shape.parts()], dtype=np.float64)


def eye_aspect_ratio(eye: np.ndarray) -> float:
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return float(vertical / (2.0 * np.linalg.norm(eye[0] - eye[3])))


def eye_centres(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return points[RIGHT_EYE].mean(axis=0), points[LEFT_EYE].mean(axis=0)


def eye_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Eye midpoint, unit vector along the eye line (image-left eye to image-right eye), IED."""
    first, second = eye_centres(points)
    axis = second - first
    distance = float(np.linalg.norm(axis))
    return (first + second) / 2.0, axis / distance, distance


def to_face_frame(points: np.ndarray) -> np.ndarray:
    """Landmarks in roll-corrected face units: origin at the eye midpoint, 1.0 = one IED."""
    middle, along, distance = eye_frame(points)
    across = np.array([-along[1], along[0]])
    relative = points - middle
    return np.stack([relative @ along, relative @ across], axis=1) / distance


def face_signals(points: np.ndarray) -> FaceSignals:
    face = to_face_frame(points)
    _, _, distance = eye_frame(points)
    ear = (eye_aspect_ratio(points[RIGHT_EYE]) + eye_aspect_ratio(points[LEFT_EYE])) / 2.0
    centre = points.mean(axis=0)
    return FaceSignals(
        ear=ear,
        inter_eye_distance=distance,
        yaw=float(face[NOSE_TIP, 0]),
        pitch=float(face[NOSE_TIP, 1]),
        centre=(float(centre[0]), float(centre[1])),
    )
