"""Quality checks of a live frame, after ISO/IEC 29794-5 and ICAO 9303 in spirit.

Each check looks at one property of the main face and returns the issue the citizen should fix,
or None. Issues are ordered by what to fix first: a citizen who is too far cannot be judged on
blur, and a turned head changes the light on each half of the face.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from biometrics.face.measurements import FaceMeasurements
from config.face import FaceQualitySettings


class QualityIssue(StrEnum):
    """Reason codes; the kiosk shows the first one as an instruction in the citizen's terms."""

    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    TOO_FAR = "too_far"
    TOO_CLOSE = "too_close"
    MOVE_LEFT = "move_left"
    MOVE_RIGHT = "move_right"
    MOVE_UP = "move_up"
    MOVE_DOWN = "move_down"
    LOOK_STRAIGHT = "look_straight"
    EYES_CLOSED = "eyes_closed"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    UNEVEN_LIGHT = "uneven_light"
    BLURRY = "blurry"  # "hold still"


def people_issue(people: int) -> QualityIssue | None:
    if people == 0:
        return QualityIssue.NO_FACE
    if people > 1:
        return QualityIssue.MULTIPLE_FACES
    return None


def distance_issue(
    m: FaceMeasurements, frame_height: int, settings: FaceQualitySettings
) -> QualityIssue | None:
    if m.inter_eye_px < settings.min_inter_eye_px:
        return QualityIssue.TOO_FAR
    if m.inter_eye_px > settings.max_inter_eye_share * frame_height:
        return QualityIssue.TOO_CLOSE
    return None


def centring_issue(m: FaceMeasurements, settings: FaceQualitySettings) -> QualityIssue | None:
    """The camera faces the citizen: a face on the raw image's left is on the citizen's left."""
    if m.center_offset_x < -settings.max_center_offset_x:
        return QualityIssue.MOVE_LEFT
    if m.center_offset_x > settings.max_center_offset_x:
        return QualityIssue.MOVE_RIGHT
    if m.center_offset_y > settings.max_center_offset_y:
        return QualityIssue.MOVE_UP
    if m.center_offset_y < -settings.max_center_offset_y:
        return QualityIssue.MOVE_DOWN
    return None


def pose_issue(m: FaceMeasurements, settings: FaceQualitySettings) -> QualityIssue | None:
    turned = abs(m.yaw) > settings.max_abs_yaw
    nodding = not settings.min_pitch <= m.pitch <= settings.max_pitch
    tilted = abs(m.roll_deg) > settings.max_abs_roll_deg
    return QualityIssue.LOOK_STRAIGHT if turned or nodding or tilted else None


def light_issue(m: FaceMeasurements, settings: FaceQualitySettings) -> QualityIssue | None:
    if m.brightness < settings.min_brightness:
        return QualityIssue.TOO_DARK
    if m.brightness > settings.max_brightness:
        return QualityIssue.TOO_BRIGHT
    if m.evenness < settings.min_evenness:
        return QualityIssue.UNEVEN_LIGHT
    return None


def eyes_issue(m: FaceMeasurements, settings: FaceQualitySettings) -> QualityIssue | None:
    return QualityIssue.EYES_CLOSED if m.ear < settings.min_eyes_open_ear else None


def blur_issue(m: FaceMeasurements, settings: FaceQualitySettings) -> QualityIssue | None:
    return QualityIssue.BLURRY if m.sharpness < settings.min_sharpness else None


def face_issues(
    m: FaceMeasurements, frame_height: int, settings: FaceQualitySettings
) -> list[QualityIssue]:
    """Issues of the main face, most urgent first."""
    checks: list[Callable[[], QualityIssue | None]] = [
        lambda: distance_issue(m, frame_height, settings),
        lambda: centring_issue(m, settings),
        lambda: pose_issue(m, settings),
        lambda: light_issue(m, settings),
        lambda: eyes_issue(m, settings),
        lambda: blur_issue(m, settings),
    ]
    return [issue for issue in (check() for check in checks) if issue is not None]


def frame_issues(
    people: int,
    m: FaceMeasurements | None,
    frame_height: int,
    settings: FaceQualitySettings,
) -> tuple[QualityIssue, ...]:
    """All issues of a frame with ``people`` faces in view and the main one measured as ``m``."""
    issues: list[QualityIssue] = []
    crowd = people_issue(people)
    if crowd is not None:
        issues.append(crowd)
    if m is not None:
        issues.extend(face_issues(m, frame_height, settings))
    elif crowd is None:
        issues.append(QualityIssue.NO_FACE)
    return tuple(issues)
