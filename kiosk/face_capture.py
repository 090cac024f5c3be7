"""The face screen's logic: coach to a good frame, run the liveness challenge, pick a portrait.

Plain Python, fed one analysed camera frame at a time (on the UI thread); no Kivy, no camera.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

import numpy as np

from biometrics.face.analysis import FrameAnalysis
from biometrics.face.liveness import (
    Challenge,
    LivenessCheck,
    LivenessVerdict,
    pick_challenges,
)
from biometrics.face.portrait import best_portrait, encode_jpeg
from config.face import LivenessSettings
from config.profiles import FaceCaptureConfig
from kiosk.session import FaceView


class CapturePhase(StrEnum):
    COACHING = "coaching"
    LIVENESS = "liveness"
    SETTLING = "settling"
    DONE = "done"
    FAILED = "failed"


ChallengePicker = Callable[[int], Sequence[Challenge]]


class FaceCaptureSession:
    """One attempt at a live portrait: coaching, then liveness, then the best frame."""

    def __init__(
        self,
        config: FaceCaptureConfig,
        liveness: LivenessSettings,
        pick: ChallengePicker = pick_challenges,
    ) -> None:
        self._config = config
        self._liveness_settings = liveness
        self._pick = pick
        self._phase = CapturePhase.COACHING
        self._good_since: float | None = None
        self._check: LivenessCheck | None = None
        self._settle_started = 0.0
        self._candidates: list[tuple[np.ndarray, FrameAnalysis]] = []
        self._view = FaceView(phase=CapturePhase.COACHING.value)
        self.portrait_jpeg: bytes | None = None
        self.challenges: tuple[Challenge, ...] = ()

    @property
    def view(self) -> FaceView:
        return self._view

    @property
    def phase(self) -> CapturePhase:
        return self._phase

    def feed(self, image: np.ndarray, analysis: FrameAnalysis, now: float) -> FaceView:
        """Take one analysed frame; returns what the screen should show now."""
        if self._phase is CapturePhase.COACHING:
            self._coach(analysis, now)
        elif self._phase is CapturePhase.LIVENESS:
            self._challenge(analysis, now)
        elif self._phase is CapturePhase.SETTLING:
            self._settle(image, analysis, now)
        return self._view

    def _coach(self, analysis: FrameAnalysis, now: float) -> None:
        if not analysis.ok:
            self._good_since = None
            self._view = self._instruction(analysis)
            return
        if self._good_since is None:
            self._good_since = now
        held = now - self._good_since
        if held < self._config.hold_seconds:
            progress = held / self._config.hold_seconds
            self._view = FaceView(phase=self._phase.value, hold_progress=round(progress, 1))
            return
        self.challenges = tuple(self._pick(self._config.challenges))
        self._check = LivenessCheck(list(self.challenges), self._liveness_settings)
        self._phase = CapturePhase.LIVENESS
        self._challenge(analysis, now)

    def _challenge(self, analysis: FrameAnalysis, now: float) -> None:
        assert self._check is not None
        progress = self._check.feed(analysis, now)
        if progress.verdict is LivenessVerdict.FAILED:
            self._phase = CapturePhase.FAILED
            self._view = FaceView(phase=self._phase.value, failure=progress.failure)
            return
        if progress.verdict is LivenessVerdict.PASSED:
            self._phase = CapturePhase.SETTLING
            self._settle_started = now
            self._view = FaceView(phase=self._phase.value, instruction=None)
            return
        current = progress.current.value if progress.current else None
        self._view = FaceView(
            phase=self._phase.value,
            challenge=current,
            challenge_index=progress.index,
            challenge_total=progress.total,
        )

    def _settle(self, image: np.ndarray, analysis: FrameAnalysis, now: float) -> None:
        """After the challenge, keep the good frames for a moment and take the best one."""
        if len(analysis.faces) > 1:
            self._phase = CapturePhase.FAILED
            self._view = FaceView(phase=self._phase.value, failure="multiple_faces")
            return
        if analysis.ok:
            self._candidates.append((image, analysis))
        elapsed = now - self._settle_started
        enough = self._candidates and elapsed >= self._config.settle_seconds
        if enough:
            portrait = best_portrait(self._candidates)
            self.portrait_jpeg = encode_jpeg(portrait)
            self._candidates.clear()
            self._phase = CapturePhase.DONE
            self._view = FaceView(phase=self._phase.value)
        elif elapsed >= self._config.settle_timeout_seconds:
            self._phase = CapturePhase.FAILED
            self._view = FaceView(phase=self._phase.value, failure="no_steady_frame")
        elif not analysis.ok:
            self._view = self._instruction(analysis)

    def _instruction(self, analysis: FrameAnalysis) -> FaceView:
        issue = analysis.primary_issue
        return FaceView(phase=self._phase.value, instruction=issue.value if issue else None)
