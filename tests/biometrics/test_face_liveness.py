"""Liveness rules on scripted sequences of posed landmarks, at 15 frames per second."""

from __future__ import annotations

import numpy as np
import pytest

from biometrics.face.analysis import FrameAnalysis
from biometrics.face.geometry import FaceBox
from biometrics.face.liveness import (
    Challenge,
    LivenessCheck,
    LivenessProgress,
    LivenessVerdict,
    nose_shift,
    pick_challenges,
)
from config.face import LivenessSettings
from tests.biometrics.landmark_poses import (
    blinking,
    frontal_points,
    nobody,
    posed,
    sheared,
    shifted,
    turned,
)

FPS = 15


def hold(analysis: FrameAnalysis, seconds: float) -> list[FrameAnalysis]:
    return [analysis] * max(1, round(seconds * FPS))


def turn(amount: float) -> list[FrameAnalysis]:
    """Frontal, a smooth turn by ``amount``, held, and back."""
    base = frontal_points()
    ramp = [posed(turned(base, amount * k / 5)) for k in range(6)]
    return hold(posed(base), 0.4) + ramp + hold(ramp[-1], 0.4) + ramp[::-1] + hold(posed(base), 0.3)


def blink() -> list[FrameAnalysis]:
    base = frontal_points()
    closing = [posed(blinking(base, 1 - k / 3)) for k in range(4)]
    return hold(posed(base), 0.4) + closing + hold(closing[-1], 0.1) + closing[::-1] + [posed(base)]


def run(
    challenges: list[Challenge], frames: list[FrameAnalysis], start: float = 100.0
) -> list[LivenessProgress]:
    check = LivenessCheck(challenges, LivenessSettings())
    return [check.feed(frame, start + i / FPS) for i, frame in enumerate(frames)]


def test_the_posed_landmarks_give_the_signals_they_claim() -> None:
    base = frontal_points()
    assert abs(posed(base).measurements.yaw) < 0.08  # type: ignore[union-attr]
    assert posed(turned(base, 0.5)).measurements.yaw > 0.2  # type: ignore[union-attr]
    assert posed(blinking(base, 0.0)).measurements.ear < 0.05  # type: ignore[union-attr]
    assert posed(sheared(base, 0.4)).measurements.yaw > 0.2  # type: ignore[union-attr]
    assert nose_shift(sheared(base, 0.4)) == pytest.approx(nose_shift(base), abs=1e-9)


def test_a_blink_passes() -> None:
    progress = run([Challenge.BLINK], blink())
    assert progress[0] == LivenessProgress(LivenessVerdict.PENDING, Challenge.BLINK, 0, 1, None)
    assert progress[-1].verdict is LivenessVerdict.PASSED
    assert progress[-1].current is None and progress[-1].failure is None


@pytest.mark.parametrize(
    ("challenge", "amount"), [(Challenge.TURN_LEFT, 0.5), (Challenge.TURN_RIGHT, -0.5)]
)
def test_a_turn_to_the_asked_side_passes(challenge: Challenge, amount: float) -> None:
    progress = run([challenge], turn(amount))
    assert progress[-1].verdict is LivenessVerdict.PASSED
    passed_at = next(i for i, p in enumerate(progress) if p.verdict is LivenessVerdict.PASSED)
    assert passed_at > len(progress) // 2  # only once the head came back to frontal


def test_turn_left_is_the_citizens_own_left_the_nose_to_the_images_right() -> None:
    points = turned(frontal_points(), 0.5)
    assert points[30, 0] > frontal_points()[30, 0]
    assert run([Challenge.TURN_LEFT], turn(0.5))[-1].verdict is LivenessVerdict.PASSED


def test_challenges_run_one_after_another() -> None:
    progress = run([Challenge.TURN_RIGHT, Challenge.BLINK], turn(-0.5) + blink())
    indices = [p.index for p in progress if p.verdict is LivenessVerdict.PENDING]
    assert indices[0] == 0 and indices[-1] == 1
    assert progress[len(turn(-0.5)) - 1].current is Challenge.BLINK
    assert progress[-1].verdict is LivenessVerdict.PASSED and progress[-1].index == 2


def test_a_blink_does_not_do_for_a_turn() -> None:
    progress = run([Challenge.TURN_LEFT], blink() + hold(posed(frontal_points()), 7))
    assert progress[-1].failure == "timeout"


@pytest.mark.parametrize(
    ("challenge", "amount"), [(Challenge.TURN_LEFT, -0.5), (Challenge.TURN_RIGHT, 0.5)]
)
def test_turning_to_the_wrong_side_fails(challenge: Challenge, amount: float) -> None:
    progress = run([challenge], turn(amount) + turn(-amount))
    assert progress[-1].verdict is LivenessVerdict.FAILED
    assert progress[-1].failure == "wrong_direction"


def test_nothing_done_in_time_fails_and_a_late_blink_does_not_help() -> None:
    frames = hold(posed(frontal_points()), 6.5) + blink()
    progress = run([Challenge.BLINK], frames)
    assert progress[round(5.9 * FPS)].verdict is LivenessVerdict.PENDING
    assert progress[-1].failure == "timeout"


def test_each_challenge_gets_its_own_time() -> None:
    frames = hold(posed(frontal_points()), 5) + blink() + hold(posed(frontal_points()), 4) + blink()
    progress = run([Challenge.BLINK, Challenge.BLINK], frames)
    assert progress[-1].verdict is LivenessVerdict.PASSED


def test_eyes_closed_before_the_challenge_was_shown_do_not_count() -> None:
    shut = posed(blinking(frontal_points(), 0.0))
    progress = run([Challenge.BLINK], hold(shut, 0.5) + hold(posed(frontal_points()), 1))
    assert progress[-1].verdict is LivenessVerdict.PENDING


def test_a_face_lost_for_more_than_a_second_fails() -> None:
    progress = run([Challenge.BLINK], hold(posed(frontal_points()), 0.5) + hold(nobody(), 1.3))
    assert progress[-1].failure == "face_lost"


def test_a_short_loss_is_forgiven() -> None:
    frames = hold(posed(frontal_points()), 0.5) + hold(nobody(), 0.5) + blink()
    assert run([Challenge.BLINK], frames)[-1].verdict is LivenessVerdict.PASSED


def test_a_second_face_fails() -> None:
    stranger = FaceBox(top=50, right=600, bottom=150, left=500)
    frames = [*hold(posed(frontal_points()), 0.5), posed(frontal_points(), (stranger,)), *blink()]
    progress = run([Challenge.BLINK], frames)
    assert progress[-1].failure == "multiple_faces"


def test_a_swapped_picture_fails_even_after_a_short_gap() -> None:
    base = frontal_points()
    width = base[:, 0].max() - base[:, 0].min()
    frames = hold(posed(base), 0.5) + hold(nobody(), 0.3) + [posed(shifted(base, width))] + blink()
    assert run([Challenge.BLINK], frames)[-1].failure == "face_jump"


def test_a_face_moving_steadily_is_one_face() -> None:
    base = frontal_points()
    drift = [posed(shifted(base, 4 * i)) for i in range(15)]
    assert run([Challenge.BLINK], drift + blink())[-1].verdict is LivenessVerdict.PASSED


@pytest.mark.parametrize("challenge", [Challenge.TURN_LEFT, Challenge.TURN_RIGHT])
def test_a_flat_picture_tilted_to_fake_a_turn_never_passes(challenge: Challenge) -> None:
    base = frontal_points()
    sign = 1 if challenge is Challenge.TURN_LEFT else -1
    tilts = [posed(sheared(base, sign * 0.08 * k)) for k in range(6)]
    frames = (hold(posed(base), 0.3) + tilts + hold(tilts[-1], 0.5) + tilts[::-1]) * 3
    progress = run([challenge], frames + hold(posed(base), 2))
    assert tilts[-1].measurements.yaw * sign >= 0.18  # type: ignore[union-attr]
    assert all(p.verdict is not LivenessVerdict.PASSED for p in progress)
    assert progress[-1].failure == "timeout"


def test_picked_challenges_are_distinct_and_unpredictable() -> None:
    picks = [tuple(pick_challenges()) for _ in range(60)]
    assert all(len(set(pick)) == 2 for pick in picks)
    assert len(set(picks)) > 2
    assert sorted(pick_challenges(3)) == sorted(Challenge)
    for count in (0, 4):
        with pytest.raises(ValueError):
            pick_challenges(count)


def test_the_verdict_is_final() -> None:
    check = LivenessCheck([Challenge.BLINK])
    for i, frame in enumerate(blink()):
        check.feed(frame, i / FPS)
    assert check.feed(nobody(), 60.0).verdict is LivenessVerdict.PASSED
    assert np.isfinite(nose_shift(frontal_points()))
