"""Choosing the best live frame and cropping the portrait that is sent for verification."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from biometrics.face.encoding import encode_portrait, locate_faces
from biometrics.face.geometry import eye_centers
from biometrics.face.matching import face_distance
from biometrics.face.portrait import NoPortrait, best_frame, best_portrait, encode_jpeg
from config.face import FaceMatchSettings
from tests.biometrics.frames import close_eyes, place_face


def analysed(frame: np.ndarray) -> tuple[np.ndarray, FrameAnalysis]:
    return frame, FaceAnalyzer().analyze(frame)


def test_the_sharpest_frontal_open_eyed_frame_is_chosen() -> None:
    sharp = place_face("people/leslie_2.jpg")
    soft = analysed(cv2.GaussianBlur(sharp, (0, 0), 1.5))
    best = analysed(sharp)
    assert best[1].landmarks is not None
    shut = analysed(close_eyes(sharp, best[1].landmarks))
    turned = analysed(place_face("people/obama_2.jpg"))  # sharp, but looking aside
    chosen = best_frame([soft, shut, turned, best])
    assert chosen[0] is sharp
    assert best_frame([soft, turned])[0] is soft[0]


def test_the_portrait_is_3_by_4_with_the_head_centred() -> None:
    frame, analysis = analysed(place_face("people/obama_1.jpg", inter_eye=70))
    portrait = best_portrait([(frame, analysis)])
    height, width = portrait.shape[:2]
    assert width / height == pytest.approx(0.75, abs=0.02)
    boxes = locate_faces(cv2.cvtColor(portrait, cv2.COLOR_BGR2RGB), max_side=800)
    assert len(boxes) == 1
    centre_x, centre_y = boxes[0].center
    assert abs(centre_x / width - 0.5) < 0.06
    assert 0.3 < centre_y / height < 0.65
    assert 0.3 < boxes[0].height / height < 0.65  # the head with margins, not a face close-up


def test_a_face_near_the_edge_is_cropped_inside_the_frame() -> None:
    frame, analysis = analysed(place_face("people/obama_1.jpg", inter_eye=100, eyes_at=(0.2, 0.3)))
    portrait = best_portrait([(frame, analysis)])
    assert portrait.shape[0] <= frame.shape[0] and portrait.shape[1] <= frame.shape[1]
    assert portrait.shape[1] / portrait.shape[0] == pytest.approx(0.75, abs=0.02)
    assert analysis.landmarks is not None
    eye_x = float(np.mean(eye_centers(analysis.landmarks), axis=0)[0])
    assert eye_x < portrait.shape[1]  # the face is in the crop's columns, starting at 0


def test_the_jpeg_portrait_still_matches_its_owner() -> None:
    frame, analysis = analysed(place_face("people/obama_1.jpg", inter_eye=95))
    jpeg = encode_jpeg(best_portrait([(frame, analysis)]))
    assert jpeg[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    settings = FaceMatchSettings()
    portrait = encode_portrait(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), settings)
    original = encode_portrait(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), settings)
    assert face_distance(portrait.vector, original.vector) < 0.3


def test_no_measured_face_gives_no_portrait() -> None:
    empty = analysed(np.full((480, 640, 3), 120, np.uint8))
    with pytest.raises(NoPortrait):
        best_portrait([empty])
