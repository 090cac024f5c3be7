"""Analysed frames with landmarks posed by hand: turned heads, closed eyes, tilted pictures."""

from __future__ import annotations

from functools import cache

import numpy as np

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from biometrics.face.geometry import FaceBox, eye_aspect_ratio, head_pose, inter_eye_distance
from biometrics.face.measurements import FaceMeasurements
from tests.biometrics.frames import HEIGHT, WIDTH, place_face

# How far each landmark stands out of the plane of the face's outline, in inter-eye distances:
# a head turn moves each point sideways by its depth.
DEPTH = np.concatenate(
    [
        [0, 0, 0, 0, 0.1, 0.2, 0.3, 0.36, 0.4, 0.36, 0.3, 0.2, 0.1, 0, 0, 0, 0],  # jaw
        np.full(10, 0.2),  # brows
        [0.3, 0.4, 0.5, 0.6, 0.4, 0.45, 0.5, 0.45, 0.4],  # nose
        np.full(12, 0.1),  # eyes
        np.full(20, 0.35),  # mouth
    ]
)
UPPER_LIDS, LOWER_LIDS = [37, 38, 43, 44], [40, 41, 46, 47]


@cache
def frontal_points() -> np.ndarray:
    """Real landmarks of a frontal face, from the analyser on a shared photo."""
    result = FaceAnalyzer().analyze(place_face("people/obama_1.jpg"))
    assert result.landmarks is not None
    return result.landmarks


def turned(points: np.ndarray, amount: float) -> np.ndarray:
    """A head turn: positive moves the nose to the image's right (the citizen's own left)."""
    out = points.copy()
    out[:, 0] += DEPTH * amount * inter_eye_distance(points)
    return out


def blinking(points: np.ndarray, openness: float) -> np.ndarray:
    """Lids brought towards each eye's middle: 1.0 open as given, 0.0 shut."""
    out = points.copy()
    for eye in (slice(36, 42), slice(42, 48)):
        middle = points[eye, 1].mean()
        for index in range(eye.start, eye.stop):
            if index in UPPER_LIDS or index in LOWER_LIDS:
                out[index, 1] = middle + (points[index, 1] - middle) * openness
    return out


def sheared(points: np.ndarray, amount: float) -> np.ndarray:
    """A flat picture seen at a slant: an affine shear of every point alike."""
    centre = points.mean(axis=0)
    out = points.copy()
    out[:, 0] += amount * (points[:, 1] - centre[1])
    return out


def shifted(points: np.ndarray, dx: float, dy: float = 0.0) -> np.ndarray:
    return points + np.array([dx, dy])


def box_of(points: np.ndarray) -> FaceBox:
    low, high = points.min(axis=0), points.max(axis=0)
    return FaceBox(top=int(low[1]), right=int(high[0]), bottom=int(high[1]), left=int(low[0]))


def posed(points: np.ndarray, extra_faces: tuple[FaceBox, ...] = ()) -> FrameAnalysis:
    """A FrameAnalysis of one face with these landmarks (light and sharpness left good)."""
    yaw, pitch, roll = head_pose(points)
    measurements = FaceMeasurements(
        inter_eye_px=inter_eye_distance(points),
        center_offset_x=float(points[:, 0].mean() / WIDTH - 0.5),
        center_offset_y=float(points[:, 1].mean() / HEIGHT - 0.5),
        yaw=yaw,
        pitch=pitch,
        roll_deg=roll,
        ear=eye_aspect_ratio(points),
        sharpness=200.0,
        brightness=140.0,
        evenness=0.9,
    )
    faces = (box_of(points), *extra_faces)
    return FrameAnalysis(faces, points, measurements, (), WIDTH, HEIGHT)


def nobody() -> FrameAnalysis:
    return FrameAnalysis((), None, None, (), WIDTH, HEIGHT)
