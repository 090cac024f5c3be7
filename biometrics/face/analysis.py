"""Live frame analysis: find the citizen's face fast enough for a preview and measure it.

A full-frame HOG detection at 640x480 (upsample 0) finds faces down to ~60 px wide, far enough
to tell a distant citizen to come closer, but costs ~40 ms on one core. So a found face is
tracked instead: each frame runs the same detector only on a window around the last box,
rescaled so the face is ~100 px wide (a few ms whatever the face size), then dlib's 68-point
shape predictor (~1.5 ms). Every ``redetect_every`` frames, and whenever the track is lost, the
full frame is searched again so a second person walking in is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import dlib
import numpy as np

from biometrics.face.encoding import people_in_view
from biometrics.face.geometry import FaceBox
from biometrics.face.measurements import FaceMeasurements, measure_face
from biometrics.face.models import DLIB_LOCK, face_recognition_module
from biometrics.face.quality import QualityIssue, frame_issues
from config.face import FaceQualitySettings

__all__ = ["FaceAnalyzer", "FaceMeasurements", "FrameAnalysis"]

TRACK_MARGIN = 0.6  # of the face width on each side: how far a face may move between frames


@dataclass(frozen=True)
class FrameAnalysis:
    """One frame: the people in view (main face first), its landmarks, measurements, issues."""

    faces: tuple[FaceBox, ...]
    landmarks: np.ndarray | None
    measurements: FaceMeasurements | None
    issues: tuple[QualityIssue, ...]
    frame_width: int
    frame_height: int

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def primary_issue(self) -> QualityIssue | None:
        """The one instruction to show: the most urgent issue."""
        return self.issues[0] if self.issues else None

    @property
    def main_face(self) -> FaceBox | None:
        return self.faces[0] if self.faces else None


@dataclass
class _Track:
    box: FaceBox
    others: tuple[FaceBox, ...] = field(default=())
    since_detection: int = 0


def _box_from_rect(rect: dlib.rectangle, scale: float, dx: float = 0, dy: float = 0) -> FaceBox:
    """A detector's rectangle found on an image scaled by ``scale`` and offset by (dx, dy)."""
    return FaceBox(
        top=round(rect.top() / scale + dy),
        right=round(rect.right() / scale + dx),
        bottom=round(rect.bottom() / scale + dy),
        left=round(rect.left() / scale + dx),
    )


def _overlap(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes."""
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a.area + b.area - inter)


class FaceAnalyzer:
    """Analyses a stream of frames from one camera; keeps a face track between calls."""

    def __init__(self, settings: FaceQualitySettings | None = None) -> None:
        self.settings = settings or FaceQualitySettings()
        api = face_recognition_module().api
        self._detector = api.face_detector
        self._predictor = api.pose_predictor_68_point
        self._track: _Track | None = None

    def reset(self) -> None:
        """Forget the tracked face, e.g. when a new citizen's session starts."""
        self._track = None

    def analyze(self, frame_bgr: np.ndarray) -> FrameAnalysis:
        height, width = frame_bgr.shape[:2]
        gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
        faces = self._find_faces(gray)
        if not faces:
            issues = frame_issues(0, None, height, self.settings)
            return FrameAnalysis((), None, None, issues, width, height)
        points = self._landmarks(gray, faces[0])
        measurements = measure_face(gray, points)
        issues = frame_issues(len(faces), measurements, height, self.settings)
        return FrameAnalysis(tuple(faces), points, measurements, issues, width, height)

    def _find_faces(self, gray: np.ndarray) -> list[FaceBox]:
        track = self._track
        if track is not None and track.since_detection + 1 < self.settings.redetect_every:
            box = self._follow(gray, track.box)
            if box is not None:
                track.box, track.since_detection = box, track.since_detection + 1
                others = [o for o in track.others if _overlap(o, box) < 0.3]
                return [box, *others]
        people = self._detect(gray)
        if not people:
            box = self._follow(gray, track.box) if track is not None else None
            if box is None:
                self._track = None
                return []
            people = [box]
        main = people[0]
        if track is not None:
            main = max(people, key=lambda candidate: _overlap(candidate, track.box))
            if _overlap(main, track.box) == 0.0:
                main = people[0]
        others = tuple(box for box in people if box is not main)
        self._track = _Track(box=main, others=others)
        return [main, *others]

    def _detect(self, gray: np.ndarray) -> list[FaceBox]:
        """People in the whole frame, largest first, from a detection at detect_max_side."""
        height, width = gray.shape[:2]
        scale = min(1.0, self.settings.detect_max_side / max(height, width))
        small = gray
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        with DLIB_LOCK:
            rects = self._detector(small, 0)
        boxes = [_box_from_rect(rect, scale) for rect in rects]
        boxes.sort(key=lambda box: box.area, reverse=True)
        return people_in_view(boxes, self.settings.second_face_min_ratio)

    def _follow(self, gray: np.ndarray, last: FaceBox) -> FaceBox | None:
        """The face nearest ``last`` in a rescaled window around it, or None when it is gone."""
        height, width = gray.shape[:2]
        margin = TRACK_MARGIN * max(last.width, 1)
        x0, y0 = max(0, int(last.left - margin)), max(0, int(last.top - margin))
        x1, y1 = min(width, int(last.right + margin)), min(height, int(last.bottom + margin))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        scale = self.settings.track_face_px / max(last.width, 1)
        window = gray[y0:y1, x0:x1]
        size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        window = cv2.resize(window, size, interpolation=interpolation)
        with DLIB_LOCK:
            rects = self._detector(window, 0)
        found = [_box_from_rect(r, scale, x0, y0) for r in rects]
        if not found:
            return None
        last_x, last_y = last.center

        def distance(box: FaceBox) -> float:
            x, y = box.center
            return (x - last_x) ** 2 + (y - last_y) ** 2

        return min(found, key=distance)

    def _landmarks(self, gray: np.ndarray, box: FaceBox) -> np.ndarray:
        """dlib's 68 landmarks of the face in ``box``, as a 68x2 float array."""
        rect = dlib.rectangle(box.left, box.top, box.right, box.bottom)
        with DLIB_LOCK:
            shape = self._predictor(gray, rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
