"""The shared face signals, measured on a frame with face_recognition's 68 landmarks.

Written from the signal definitions alone (not from the simulator's code), because these tests
are the contract between the camera simulator and the liveness checks that consume its frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import face_recognition
import numpy as np


@dataclass(frozen=True)
class Measured:
    ear: float
    ied: float
    yaw: float
    centre_x: float
    centre_y: float


def landmark_points(face: dict[str, list[tuple[int, int]]]) -> np.ndarray:
    """The 68 points in dlib's order, from face_recognition's named groups."""
    top_lip, bottom_lip = face["top_lip"], face["bottom_lip"]
    ordered = (
        face["chin"]  # 0..16
        + face["left_eyebrow"]  # 17..21
        + face["right_eyebrow"]  # 22..26
        + face["nose_bridge"]  # 27..30, the tip is 30
        + face["nose_tip"]  # 31..35
        + face["left_eye"]  # 36..41
        + face["right_eye"]  # 42..47
        + top_lip[0:7]  # 48..54
        + bottom_lip[1:6]  # 55..59
        + [top_lip[11], top_lip[10], top_lip[9], top_lip[8], top_lip[7]]  # 60..64
        + [bottom_lip[11], bottom_lip[10], bottom_lip[9]]  # 65..67
    )
    return np.array(ordered, dtype=np.float64)


def _ear(eye: np.ndarray) -> float:
    p1, p2, p3, p4, p5, p6 = eye
    return float(
        (np.linalg.norm(p2 - p6) + np.linalg.norm(p3 - p5)) / (2.0 * np.linalg.norm(p1 - p4))
    )


def measure_faces(frame_bgr: np.ndarray) -> list[Measured]:
    """Signals of every face in a BGR frame, largest first."""
    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    faces = []
    for face in face_recognition.face_landmarks(rgb):
        p = landmark_points(face)
        first, second = p[36:42], p[42:48]
        c1, c2 = first.mean(axis=0), second.mean(axis=0)
        ied = float(np.linalg.norm(c2 - c1))
        middle = (c1 + c2) / 2.0
        angle = np.arctan2(c2[1] - c1[1], c2[0] - c1[0])
        cos, sin = np.cos(-angle), np.sin(-angle)
        nose = p[30] - middle
        nose_x = nose[0] * cos - nose[1] * sin  # rotated so the eye line is horizontal
        centre = p.mean(axis=0)
        faces.append(
            Measured(
                ear=(_ear(first) + _ear(second)) / 2.0,
                ied=ied,
                yaw=float(nose_x / ied),
                centre_x=float(centre[0]),
                centre_y=float(centre[1]),
            )
        )
    faces.sort(key=lambda m: m.ied, reverse=True)
    return faces


def measure_one(frame_bgr: np.ndarray) -> Measured:
    faces = measure_faces(frame_bgr)
    assert len(faces) == 1, f"expected one face, found {len(faces)}"
    return faces[0]
