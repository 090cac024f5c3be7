"""The identity part of the citizen's session: personal number, birth date, live face, 1:1 check.

A mixin of ``KioskFlow`` (kiosk.flow), split out to keep each module to one job. Camera frames
arrive already analysed, on the UI thread, through ``face_frame``.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from backend.contracts import (
    PERSONAL_NUMBER_DIGITS,
    FaceVerificationRequest,
    FaceVerificationResult,
    VerificationDecision,
)
from kiosk.face_capture import CapturePhase, FaceCaptureSession
from kiosk.identity_rules import (
    BIRTH_DATE_DIGITS,
    birth_date_error,
    is_digit_prefix,
    parse_birth_digits,
    personal_number_error,
)
from kiosk.session import (
    ErrorCode,
    FaceVerifier,
    FlowState,
    SessionData,
    Step,
    VerificationRejected,
    VerificationUnavailable,
)

if TYPE_CHECKING:
    from biometrics.face.analysis import FrameAnalysis
    from config.face import LivenessSettings
    from config.profiles import KioskProfile

log = logging.getLogger(__name__)

IDENTITY_BACK = {
    Step.IDENTIFY_NUMBER: Step.SERVICE,
    Step.IDENTIFY_BIRTH: Step.IDENTIFY_NUMBER,
    Step.FACE_CAPTURE: Step.IDENTIFY_BIRTH,
}
_REJECTIONS = {
    "person_not_found": (Step.IDENTIFY_NUMBER, ErrorCode.PERSON_NOT_FOUND),
    "refer_to_staff": (Step.FACE_RESULT, ErrorCode.REFER_TO_STAFF),
}


class FaceCameraFeed(Protocol):
    """Analysed camera frames for the face screen (kiosk.camera_feed.CameraFeed)."""

    def start(
        self,
        on_frame: Callable[[np.ndarray, FrameAnalysis], None],
        on_error: Callable[[Exception], None],
    ) -> None: ...

    def stop(self) -> None: ...


class IdentitySteps:
    """Events of the identify and face screens; mixed into ``KioskFlow``."""

    profile: KioskProfile
    _state: FlowState
    _clock: Callable[[], float]
    _last_activity: float
    _face_verifier: FaceVerifier | None
    _face_camera: FaceCameraFeed | None
    _liveness_settings: LivenessSettings
    _today: Callable[[], date]
    _capture: FaceCaptureSession | None = None

    # provided by KioskFlow
    def _accept(self, *steps: Step) -> None: ...
    def _set(self, **changes: Any) -> None: ...
    def _go(self, step: Step, **kwargs: Any) -> None: ...
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]): ...
    def _after_identity(self, data: SessionData) -> None: ...
    def touch(self) -> None: ...

    # --- personal number and birth date ----------------------------------------------------

    def set_personal_number(self, digits: str) -> None:
        self._accept(Step.IDENTIFY_NUMBER)
        if not is_digit_prefix(digits, PERSONAL_NUMBER_DIGITS):
            self._set(error=ErrorCode.PERSONAL_NUMBER_FORMAT)
            return
        self._set(data=self._forget_face(replace(self._state.data, personal_number=digits)))

    def submit_personal_number(self) -> None:
        self._accept(Step.IDENTIFY_NUMBER)
        error = personal_number_error(self._state.data.personal_number)
        if error:
            self._set(error=error)
            return
        self._go(Step.IDENTIFY_BIRTH)

    def set_birth_digits(self, digits: str) -> None:
        self._accept(Step.IDENTIFY_BIRTH)
        if not is_digit_prefix(digits, BIRTH_DATE_DIGITS):
            self._set(error=ErrorCode.BIRTH_DATE_INVALID)
            return
        self._set(data=self._forget_face(replace(self._state.data, birth_digits=digits)))

    def submit_birth_date(self) -> None:
        self._accept(Step.IDENTIFY_BIRTH)
        data = self._state.data
        error = birth_date_error(data.birth_digits, data.personal_number, self._today())
        if error:
            self._set(error=error)
            return
        self._start_capture()

    # --- the face ------------------------------------------------------------------------

    def face_frame(self, image: np.ndarray, analysis: FrameAnalysis) -> None:
        """An analysed camera frame; the face screen's state follows it."""
        if self._state.screen is not Step.FACE_CAPTURE or self._capture is None:
            return
        now = self._clock()
        if analysis.faces:
            self.touch()  # someone stands in front of the camera
        view = self._capture.feed(image, analysis, now)
        phase = self._capture.phase
        data = self._state.data
        if phase is CapturePhase.DONE:
            portrait = self._capture.portrait_jpeg
            self._last_challenges = self._capture.challenges
            self._capture = None
            data = replace(data, face=view, portrait_jpeg=portrait, verification_request_id=None)
            self._go(Step.FACE_CONFIRM, data=data)
        elif phase is CapturePhase.FAILED:
            self._capture = None
            failures = data.face_failures + 1
            data = replace(data, face=view, face_failures=failures)
            too_many = failures >= self.profile.face_capture.max_liveness_failures
            error = ErrorCode.REFER_TO_STAFF if too_many else ErrorCode.LIVENESS_FAILED
            self._go(Step.FACE_RESULT, data=data, error=error)
        elif view != data.face or self._state.error is not None:
            self._set(data=replace(data, face=view), error=None)

    def camera_failed(self, error: Exception) -> None:
        """The camera stopped giving pictures; the citizen is told, nothing entered is lost."""
        log.error("camera failed: %s", error)
        if self._state.screen is Step.FACE_CAPTURE:
            self._set(error=ErrorCode.CAMERA_UNAVAILABLE)

    def retake(self) -> None:
        """Take the photo again (from the confirmation, or after a failed attempt)."""
        self._accept(Step.FACE_CONFIRM, Step.FACE_RESULT)
        if self._state.error is ErrorCode.REFER_TO_STAFF:
            return
        self._start_capture()

    def accept_portrait(self) -> None:
        """Send the confirmed portrait for verification; a retry reuses its request id."""
        self._accept(Step.FACE_CONFIRM)
        data = self._state.data
        born = parse_birth_digits(data.birth_digits)
        if data.portrait_jpeg is None or born is None or self._face_verifier is None:
            self._set(error=ErrorCode.VERIFY_UNAVAILABLE)
            return
        request_id = data.verification_request_id or uuid.uuid4()
        data = replace(data, verification_request_id=request_id)
        request = FaceVerificationRequest(
            request_id=request_id,
            personal_number=data.personal_number,
            birth_date=born,
            portrait_jpeg=base64.b64encode(data.portrait_jpeg).decode("ascii"),
            liveness=",".join(c.value for c in self._last_challenges),
        )
        verifier = self._face_verifier
        self._go(Step.FACE_VERIFYING, data=data, busy=True)
        self._run(lambda: verifier.verify(request), self._verified)

    # --- internals -------------------------------------------------------------------------

    _last_challenges: tuple[Any, ...] = ()

    def _start_capture(self) -> None:
        if self._state.data.face_failures >= self.profile.face_capture.max_liveness_failures:
            self._go(Step.FACE_RESULT, error=ErrorCode.REFER_TO_STAFF)
            return
        self._capture = FaceCaptureSession(self.profile.face_capture, self._liveness_settings)
        data = replace(self._state.data, face=self._capture.view, portrait_jpeg=None)
        error = None if self._face_camera is not None else ErrorCode.CAMERA_UNAVAILABLE
        self._go(Step.FACE_CAPTURE, data=data, error=error)

    def _follow_camera(self, before: Step, after: Step) -> None:
        """Run the camera only while the face screen shows."""
        if self._face_camera is None or before == after:
            return
        if after is Step.FACE_CAPTURE:
            self._face_camera.start(self.face_frame, self.camera_failed)
        elif before is Step.FACE_CAPTURE:
            self._face_camera.stop()

    def _forget_face(self, data: SessionData) -> SessionData:
        """A changed personal number or birth date voids an earlier photo, verification and
        fingerprints: they were given as someone else."""
        return replace(
            data,
            portrait_jpeg=None,
            verification=None,
            verification_request_id=None,
            face=None,
            finger=None,
            fingers=(),
        )

    def _verified(self, result: FaceVerificationResult | None, error: Exception | None) -> None:
        data = self._state.data
        if isinstance(error, VerificationRejected) and error.code in _REJECTIONS:
            step, code = _REJECTIONS[error.code]
            self._go(step, data=replace(data, verification_request_id=None), error=code)
            return
        if error is not None or result is None:
            if not isinstance(error, VerificationUnavailable):
                log.error("face verification failed", exc_info=error)
            self._go(Step.FACE_CONFIRM, error=ErrorCode.VERIFY_UNAVAILABLE)
            return
        data = replace(data, verification=result, portrait_jpeg=None)
        if result.decision in (VerificationDecision.VERIFIED, VerificationDecision.MANUAL_REVIEW):
            self._after_identity(data)
        elif result.decision is VerificationDecision.REFUSED:
            self._go(Step.FACE_RESULT, data=data, error=ErrorCode.FACE_REFUSED)
        elif result.refer_to_staff or result.attempts_left <= 0:
            self._go(Step.FACE_RESULT, data=data, error=ErrorCode.REFER_TO_STAFF)
        else:
            self._go(Step.FACE_RESULT, data=data, error=ErrorCode.FACE_NOT_VERIFIED)
