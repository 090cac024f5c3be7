"""The analyser and liveness check on the camera simulator's scenes, when it is installed."""

from __future__ import annotations

import pytest

from biometrics.face.analysis import FaceAnalyzer
from biometrics.face.liveness import Challenge, LivenessCheck, LivenessVerdict
from biometrics.face.quality import QualityIssue
from config.face import FaceQualitySettings, LivenessSettings
from config.settings import PROJECT_ROOT

scenarios = pytest.importorskip("devices.camera.scenarios")

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
FPS = 15
ACTS = {Challenge.BLINK: "blink", Challenge.TURN_LEFT: "left", Challenge.TURN_RIGHT: "right"}


@pytest.mark.parametrize("challenge", list(Challenge))
def test_a_live_person_doing_what_is_asked_passes(challenge: Challenge) -> None:
    scene = scenarios.build_scenario("live", "leslie_2", data_dir=DATA_DIR)
    analyzer = FaceAnalyzer(FaceQualitySettings())
    check = LivenessCheck([challenge], LivenessSettings())
    start = 0.5  # before the scene's first natural blink
    first = analyzer.analyze(scene.frame(start))
    assert first.ok, first.issues
    progress = check.feed(first, start)
    for i in range(1, 3 * FPS):
        t = start + i / FPS
        if i == 5:
            assert scene.act(ACTS[challenge], t)
        progress = check.feed(analyzer.analyze(scene.frame(t)), t)
        if progress.verdict is not LivenessVerdict.PENDING:
            break
    assert progress.verdict is LivenessVerdict.PASSED, progress


def test_a_held_photo_cannot_act_and_fails() -> None:
    scene = scenarios.build_scenario("photo", "spoof_1", data_dir=DATA_DIR)
    analyzer = FaceAnalyzer(FaceQualitySettings())
    check = LivenessCheck([Challenge.BLINK, Challenge.TURN_LEFT], LivenessSettings())
    verdicts = []
    for i in range(7 * 5):
        t = i / 5
        scene.act("blink", t)
        verdicts.append(check.feed(analyzer.analyze(scene.frame(t)), t).verdict)
    assert LivenessVerdict.PASSED not in verdicts
    assert verdicts[-1] is LivenessVerdict.FAILED


def test_the_scenes_get_the_guidance_they_stage() -> None:
    expected = {
        ("nobody", None): QualityIssue.NO_FACE,
        ("two_people", None): QualityIssue.MULTIPLE_FACES,
        ("dark", "leslie_2"): QualityIssue.TOO_DARK,
    }
    for (name, argument), issue in expected.items():
        scene = scenarios.build_scenario(name, argument, data_dir=DATA_DIR)
        assert FaceAnalyzer().analyze(scene.frame(1.0)).primary_issue is issue, name
