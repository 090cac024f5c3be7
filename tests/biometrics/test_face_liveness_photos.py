"""A still picture held up to the camera, moved, rotated and tilted, never passes liveness."""

from __future__ import annotations

import math
from functools import cache

import pytest

from biometrics.face.analysis import FaceAnalyzer, FrameAnalysis
from biometrics.face.liveness import Challenge, LivenessCheck, LivenessVerdict
from config.face import FaceQualitySettings, LivenessSettings
from tests.biometrics.frames import place_face, tilt_about_vertical

PHOTOS = ("spoof/spoof_1.jpg", "spoof/spoof_2.jpg", "people/obama_1.jpg")
FPS = 5  # few frames keep the test short; the rules depend on time, not on frame count
SECONDS = 7.0


@cache
def waved_photo(name: str) -> tuple[FrameAnalysis, ...]:
    """A picture moved about, rotated in-plane by up to 10 degrees and tilted up to 35."""
    analyzer = FaceAnalyzer(FaceQualitySettings())
    frames = []
    count = round(SECONDS * FPS)
    for i in range(count):
        phase = 2 * math.pi * i / count
        frame = place_face(
            name,
            inter_eye=80 + 15 * math.sin(2 * phase),
            eyes_at=(0.5 + 0.08 * math.sin(phase), 0.42 + 0.05 * math.cos(3 * phase)),
            angle_deg=10 * math.sin(3 * phase),
        )
        frames.append(analyzer.analyze(tilt_about_vertical(frame, 35 * math.sin(2 * phase))))
    return tuple(frames)


@pytest.mark.parametrize("name", PHOTOS)
def test_the_waved_picture_is_seen_throughout(name: str) -> None:
    analyses = waved_photo(name)
    measured = [a.measurements for a in analyses if a.measurements is not None]
    assert len(measured) >= 0.9 * len(analyses)
    rolls = [m.roll_deg for m in measured]
    assert max(rolls) - min(rolls) > 12  # it really was rotated
    assert min(m.ear for m in measured) > LivenessSettings().open_ear  # a picture cannot blink


@pytest.mark.parametrize("name", ["spoof/spoof_2.jpg", "people/obama_1.jpg"])
def test_a_frontal_picture_never_looks_turned(name: str) -> None:
    yaws = [a.measurements.yaw for a in waved_photo(name) if a.measurements is not None]
    assert max(abs(yaw) for yaw in yaws) < LivenessSettings().turn_yaw


@pytest.mark.parametrize("challenge", list(Challenge))
@pytest.mark.parametrize("name", PHOTOS)
def test_a_still_picture_never_passes(name: str, challenge: Challenge) -> None:
    check = LivenessCheck([challenge], LivenessSettings())
    verdicts = [check.feed(a, i / FPS).verdict for i, a in enumerate(waved_photo(name))]
    assert LivenessVerdict.PASSED not in verdicts
    assert verdicts[-1] is LivenessVerdict.FAILED
