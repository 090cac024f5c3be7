"""Scenario timelines measured on their frames: approach, people in view, frame cost."""

from __future__ import annotations

import cv2
import numpy as np

from devices.camera.scenarios import build_scenario
from tests.devices.camera.conftest import ARTIFACTS, DATA_DIR
from tests.devices.camera.face_measure import measure_faces

WIDTH = 640


def coaching_state(ied: float, centre_x: float) -> str:
    if ied < 60:
        return "too far"
    if abs(centre_x - WIDTH / 2) > 0.12 * WIDTH:
        return "off-centre"
    return "good"


def test_approaching_goes_far_then_off_centre_then_good() -> None:
    scenario = build_scenario("approaching", "obama_2", data_dir=DATA_DIR)
    states, samples = [], {}
    for moment in np.arange(0.0, 7.0, 0.25):
        faces = measure_faces(scenario.frame(float(moment)))
        assert len(faces) == 1, f"at {moment:.2f} s"
        face = faces[0]
        samples[round(float(moment), 2)] = face
        state = coaching_state(face.ied, face.centre_x)
        if not states or states[-1] != state:
            states.append(state)
    assert states == ["too far", "off-centre", "good"]
    far, near_aside, settled = samples[0.5], samples[3.25], samples[6.5]
    assert 25 <= far.ied <= 35 and far.centre_x < 0.32 * WIDTH
    assert near_aside.ied >= 85 and near_aside.centre_x < 0.32 * WIDTH
    assert 90 <= settled.ied <= 110 and abs(settled.centre_x - WIDTH / 2) < 0.05 * WIDTH
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    strip = np.hstack([scenario.frame(t) for t in (0.5, 2.0, 3.25, 4.25, 6.5)])
    cv2.imwrite(str(ARTIFACTS / "approaching_obama_2.png"), strip)


def test_two_people_scenario_shows_several_faces() -> None:
    scenario = build_scenario("two_people", None, data_dir=DATA_DIR)
    counts = [len(measure_faces(scenario.frame(t))) for t in (0.0, 1.3, 2.6)]
    assert min(counts) >= 2


def test_nobody_shows_no_face() -> None:
    assert measure_faces(build_scenario("nobody", None, data_dir=DATA_DIR).frame(1.0)) == []


def test_a_living_person_never_repeats_a_frame() -> None:
    scenario = build_scenario("live", "obama_2", data_dir=DATA_DIR)
    scenario.act("left", 0.0)
    scenario.act("blink", 1.5)
    frames = [scenario.frame(t / 15.0) for t in range(60)]
    assert len({f.tobytes() for f in frames}) == len(frames)
