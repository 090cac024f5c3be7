"""Challenge-response liveness: blink or turn the head on request, within a time limit.

A picture held up cannot blink, and turning or tilting it does not turn the face in it: the yaw
is measured after levelling the eye line (geometry.head_pose), and a turn must also move the nose
tip against the frame of the eyes and chin, which no flat picture does under any tilt (that
position is invariant to every affine map of the picture's plane). A recording cannot know which
challenge comes next, so a turn to the wrong side fails at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from biometrics.face.analysis import FrameAnalysis
from biometrics.face.geometry import NOSE_TIP, FaceBox, eye_centers
from config.face import LivenessSettings

CHIN = 8


OPEN_LEVEL_FRAMES = 5  # frames whose median eye ratio is the person's open level


class Challenge(StrEnum):
    """What the citizen is asked to do; left and right are the citizen's own."""

    BLINK = "blink"
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"


class LivenessVerdict(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class LivenessProgress:
    """Where the check stands: the challenge shown now (index of total), or the verdict."""

    verdict: LivenessVerdict
    current: Challenge | None
    index: int
    total: int
    failure: str | None = None


def pick_challenges(count: int = 2) -> list[Challenge]:
    """``count`` different challenges in an unpredictable order."""
    options = list(Challenge)
    if not 1 <= count <= len(options):
        raise ValueError(f"between 1 and {len(options)} challenges, not {count}")
    return secrets.SystemRandom().sample(options, count)


def nose_shift(points: np.ndarray) -> float:
    """The nose tip's sideways place in the affine frame of the eye centres and the chin.

    Solves nose - eye_mid = a * (left_eye - right_eye) + b * (chin - eye_mid) and returns a.
    Constant for a flat picture however it is moved, rotated or tilted; grows as a head turns,
    because the nose stands out of the face further than the eyes and chin.
    """
    right, left = eye_centers(points)
    middle = (right + left) / 2
    basis = np.column_stack([left - right, points[CHIN] - middle])
    if abs(np.linalg.det(basis)) < 1e-9:
        return 0.0
    return float(np.linalg.solve(basis, points[NOSE_TIP] - middle)[0])


class LivenessCheck:
    """Feeds analysed frames through the challenges, one after another, to a verdict."""

    def __init__(self, challenges: list[Challenge], settings: LivenessSettings | None = None):
        if not challenges:
            raise ValueError("at least one challenge")
        self._challenges = list(challenges)
        self._settings = settings or LivenessSettings()
        self._index = 0
        self._stage = 0  # progress within the current challenge
        self._shown_at: float | None = None
        self._last_seen = 0.0
        self._last_box: FaceBox | None = None
        self._reference_shift = 0.0
        self._open_ears: list[float] = []
        self._verdict = LivenessVerdict.PENDING
        self._failure: str | None = None

    @property
    def progress(self) -> LivenessProgress:
        done = self._verdict is not LivenessVerdict.PENDING
        return LivenessProgress(
            verdict=self._verdict,
            current=None if done else self._challenges[self._index],
            index=self._index,
            total=len(self._challenges),
            failure=self._failure,
        )

    def feed(self, analysis: FrameAnalysis, now: float) -> LivenessProgress:
        """Take one frame seen at ``now`` (seconds); the first frame starts the clock."""
        if self._verdict is not LivenessVerdict.PENDING:
            return self.progress
        if self._shown_at is None:
            self._shown_at = self._last_seen = now
        if now - self._shown_at > self._settings.challenge_seconds:
            return self._fail("timeout")
        if len(analysis.faces) > 1:
            return self._fail("multiple_faces")
        if not analysis.faces or analysis.landmarks is None or analysis.measurements is None:
            if now - self._last_seen > self._settings.face_lost_seconds:
                return self._fail("face_lost")
            return self.progress
        if self._jumped(analysis.faces[0]):
            return self._fail("face_jump")
        self._last_seen, self._last_box = now, analysis.faces[0]
        challenge = self._challenges[self._index]
        if challenge is Challenge.BLINK:
            self._blink(analysis.measurements.ear)
        else:
            sign = 1.0 if challenge is Challenge.TURN_LEFT else -1.0
            if self._turn(sign, analysis.measurements.yaw, analysis.landmarks):
                return self._fail("wrong_direction")
        if self._stage == 3:
            self._next(now)
        return self.progress

    def _jumped(self, box: FaceBox) -> bool:
        """A face that leaps or changes size between frames is another picture, not a move."""
        last = self._last_box
        if last is None:
            return False
        (x0, y0), (x1, y1) = last.center, box.center
        moved = np.hypot(x1 - x0, y1 - y0) / max(last.width, 1)
        ratio = max(box.width, 1) / max(last.width, 1)
        limit = self._settings.max_size_change
        return moved > self._settings.max_jump_share or not 1 / limit <= ratio <= limit

    def _blink(self, ear: float) -> None:
        """Open (after being asked), then closed, then open again.

        Eyes count as closed below the absolute line or at a clear drop from this person's own
        open level (the median of the last open frames): some faces read a high eye ratio even
        with the lids shut.
        """
        s = self._settings
        if self._stage == 0:
            if ear >= s.open_ear:
                self._open_ears = [ear]
                self._stage = 1
            return
        level = float(np.median(self._open_ears))
        if self._stage == 1:
            if ear <= max(s.closed_ear, s.closed_share * level):
                self._stage = 2
            else:
                self._open_ears = [*self._open_ears[-(OPEN_LEVEL_FRAMES - 1) :], ear]
        elif self._stage == 2 and ear >= max(s.open_ear, s.reopen_share * level):
            self._stage = 3

    def _turn(self, sign: float, yaw: float, points: np.ndarray) -> bool:
        """Frontal, then turned to the asked side, then frontal again; True on the wrong side."""
        s = self._settings
        if self._stage == 0:
            if abs(yaw) <= s.frontal_yaw:
                self._reference_shift = nose_shift(points)
                self._stage = 1
            return False
        if -sign * yaw >= s.turn_yaw:
            return True
        if self._stage == 1 and sign * yaw >= s.turn_yaw:
            depth = sign * (nose_shift(points) - self._reference_shift)
            if depth >= s.min_turn_depth:
                self._stage = 2
        elif self._stage == 2 and abs(yaw) <= s.frontal_yaw:
            self._stage = 3
        return False

    def _next(self, now: float) -> None:
        self._index += 1
        self._stage = 0
        if self._index == len(self._challenges):
            self._verdict = LivenessVerdict.PASSED
        else:
            self._shown_at = now

    def _fail(self, reason: str) -> LivenessProgress:
        self._verdict, self._failure = LivenessVerdict.FAILED, reason
        return self.progress
