"""Quality issues of live frames built from the shared photos, through the real analyser."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from biometrics.face.quality import QualityIssue
from config.face import FaceQualitySettings
from tests.biometrics.frames import (
    HEIGHT,
    WIDTH,
    close_eyes,
    darken_side,
    photo,
    place_face,
    scaled_light,
)

GOOD_FACES = ("people/obama_1.jpg", "people/lacamoire_3.jpg", "people/leslie_2.jpg")


def analyze(frame: np.ndarray) -> FrameAnalysis:
    """One frame through a fresh analyser, as the first frame of a session."""
    return FaceAnalyzer(FaceQualitySettings()).analyze(frame)


@pytest.mark.parametrize("name", [*GOOD_FACES, "people/harington_1.jpg"])
def test_a_well_placed_frontal_face_has_no_issues(name: str) -> None:
    result = analyze(place_face(name))
    assert result.ok, result.issues
    assert result.primary_issue is None
    assert len(result.faces) == 1
    assert result.landmarks is not None and result.landmarks.shape == (68, 2)
    m = result.measurements
    assert m is not None and 80 < m.inter_eye_px < 100
    assert (result.frame_width, result.frame_height) == (WIDTH, HEIGHT)


def test_nobody_in_view() -> None:
    noise = np.random.default_rng(3).integers(60, 140, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    result = analyze(cv2.GaussianBlur(noise, (9, 9), 0))
    assert result.issues == (QualityIssue.NO_FACE,)
    assert result.faces == () and result.measurements is None and not result.ok


@pytest.mark.parametrize(
    "name", ["multi/harington_with_leslie.jpg", "multi/obama_and_biden.jpg", "multi/two_people.jpg"]
)
def test_two_people_are_refused_first(name: str) -> None:
    image = photo(name)
    scale = min(WIDTH / image.shape[1], HEIGHT / image.shape[0])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    frame[: small.shape[0], : small.shape[1]] = small
    result = analyze(frame)
    assert result.primary_issue is QualityIssue.MULTIPLE_FACES
    assert len(result.faces) >= 2


@pytest.mark.parametrize("name", GOOD_FACES)
def test_a_far_face_is_found_and_told_to_come_closer(name: str) -> None:
    result = analyze(place_face(name, inter_eye=32))
    assert result.primary_issue is QualityIssue.TOO_FAR
    assert result.measurements is not None and result.measurements.inter_eye_px < 40


def test_a_face_filling_the_frame_is_too_close() -> None:
    result = analyze(place_face("people/obama_1.jpg", inter_eye=135, eyes_at=(0.5, 0.38)))
    assert result.primary_issue is QualityIssue.TOO_CLOSE


@pytest.mark.parametrize(
    ("eyes_at", "issue"),
    [
        # the face on the raw image's left is on the citizen's own left: they move left
        ((0.3, 0.42), QualityIssue.MOVE_LEFT),
        ((0.7, 0.42), QualityIssue.MOVE_RIGHT),
        ((0.5, 0.62), QualityIssue.MOVE_UP),
        ((0.5, 0.15), QualityIssue.MOVE_DOWN),
    ],
)
def test_an_off_centre_face_is_told_which_way_in_its_own_terms(
    eyes_at: tuple[float, float], issue: QualityIssue
) -> None:
    result = analyze(place_face("people/lacamoire_3.jpg", eyes_at=eyes_at))
    assert result.primary_issue is issue, result.issues


def test_left_and_right_follow_the_raw_image_not_the_mirrored_preview() -> None:
    left = analyze(place_face("people/obama_1.jpg", eyes_at=(0.3, 0.42)))
    mirrored = analyze(cv2.flip(place_face("people/obama_1.jpg", eyes_at=(0.3, 0.42)), 1))
    assert left.measurements is not None and left.measurements.center_offset_x < 0
    assert left.primary_issue is QualityIssue.MOVE_LEFT
    assert mirrored.primary_issue is QualityIssue.MOVE_RIGHT


def test_a_tilted_head_is_told_to_look_straight() -> None:
    result = analyze(place_face("people/obama_1.jpg", angle_deg=20))
    assert result.measurements is not None and abs(result.measurements.roll_deg) > 15
    assert result.primary_issue is QualityIssue.LOOK_STRAIGHT


def test_a_turned_head_is_told_to_look_straight() -> None:
    result = analyze(place_face("people/obama_2.jpg"))  # looking to the side in the photo
    assert result.measurements is not None and abs(result.measurements.yaw) > 0.15
    assert result.primary_issue is QualityIssue.LOOK_STRAIGHT


@pytest.mark.parametrize(
    ("gain", "issue"), [(0.3, QualityIssue.TOO_DARK), (2.2, QualityIssue.TOO_BRIGHT)]
)
@pytest.mark.parametrize("name", GOOD_FACES)
def test_exposure(name: str, gain: float, issue: QualityIssue) -> None:
    result = analyze(scaled_light(place_face(name), gain))
    assert result.primary_issue is issue, result.issues


@pytest.mark.parametrize("name", GOOD_FACES)
def test_light_from_one_side_is_uneven(name: str) -> None:
    result = analyze(darken_side(place_face(name), WIDTH // 2, 0.3))
    assert result.primary_issue is QualityIssue.UNEVEN_LIGHT, result.issues
    assert result.measurements is not None and result.measurements.evenness < 0.45


@pytest.mark.parametrize("name", GOOD_FACES)
def test_a_blurred_face_is_asked_to_hold_still(name: str) -> None:
    sharp = analyze(place_face(name))
    result = analyze(cv2.GaussianBlur(place_face(name), (0, 0), 4.0))
    assert result.issues == (QualityIssue.BLURRY,)
    assert sharp.measurements is not None and result.measurements is not None
    assert result.measurements.sharpness < sharp.measurements.sharpness / 3


def test_sharpness_does_not_depend_on_face_size_or_light() -> None:
    values = []
    for frame in (
        place_face("people/obama_1.jpg", inter_eye=65),
        place_face("people/obama_1.jpg", inter_eye=110),
        scaled_light(place_face("people/obama_1.jpg"), 0.5),
    ):
        m = analyze(frame).measurements
        assert m is not None
        values.append(m.sharpness)
    assert max(values) < 1.5 * min(values)


def test_closed_eyes() -> None:
    frame = place_face("people/leslie_2.jpg")
    open_eyes = analyze(frame)
    assert open_eyes.landmarks is not None
    result = analyze(close_eyes(frame, open_eyes.landmarks))
    assert result.primary_issue is QualityIssue.EYES_CLOSED
    assert result.measurements is not None and result.measurements.ear < 0.15


def test_issues_come_most_urgent_first() -> None:
    frame = scaled_light(place_face("people/obama_1.jpg", inter_eye=40, eyes_at=(0.3, 0.42)), 0.3)
    result = analyze(cv2.GaussianBlur(frame, (0, 0), 3.0))
    assert result.issues[:2] == (QualityIssue.TOO_FAR, QualityIssue.MOVE_LEFT)
    assert QualityIssue.TOO_DARK in result.issues
    order = list(QualityIssue)
    assert [order.index(i) for i in result.issues] == sorted(order.index(i) for i in result.issues)


def test_the_track_follows_a_moving_face_and_sees_a_second_person_arrive() -> None:
    settings = FaceQualitySettings(redetect_every=4)
    analyzer = FaceAnalyzer(settings)
    centres = []
    for step in range(12):
        frame = place_face("people/obama_1.jpg", eyes_at=(0.35 + 0.025 * step, 0.42))
        result = analyzer.analyze(frame)
        assert len(result.faces) == 1
        centres.append(result.faces[0].center[0])
    assert all(later > earlier for earlier, later in itertools.pairwise(centres))
    other = place_face("people/leslie_2.jpg", inter_eye=70, eyes_at=(0.2, 0.45))
    crowd = place_face("people/obama_1.jpg", eyes_at=(0.7, 0.42))
    crowd[:, :200] = other[:, :200]
    seen = [analyzer.analyze(crowd) for _ in range(settings.redetect_every)]
    assert seen[-1].primary_issue is QualityIssue.MULTIPLE_FACES
    assert seen[-1].faces[0].center[0] > WIDTH / 2  # the tracked citizen stays the main face
