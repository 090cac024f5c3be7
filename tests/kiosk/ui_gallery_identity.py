"""The identity and face screens of one language, for the screen galleries.

The face screen is shown in its longest states (the longest instruction, a challenge) by
setting the session's face view, since what a live camera shows is the end-to-end test's job.
"""

from __future__ import annotations

from dataclasses import replace

from backend.contracts import FaceVerificationResult, VerificationDecision
from backend.identity.demo_people import demo_person
from kiosk.session import ErrorCode, FaceView, Step
from tests.backend.identity_support import photo

OBAMA = demo_person("obama")


class IdleCameraFeed:
    """A camera feed that delivers nothing: the gallery sets the face view itself."""

    def start(self, on_frame, on_error) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False


def walk_identity(gallery) -> None:
    """Personal number and birth date with their errors, the face screen, its outcomes."""
    flow = gallery.flow
    flow.finish()
    flow.choose_language(gallery.language)
    flow.start_submission()
    flow.choose_service("passport")
    flow.set_personal_number(OBAMA.personal_number[:-1] + "0")
    flow.submit_personal_number()
    assert flow.state.error is ErrorCode.PERSONAL_NUMBER_CHECK_DIGIT
    gallery.shot("20-identify-number-typo", Step.IDENTIFY_NUMBER)
    flow.set_personal_number(OBAMA.personal_number)
    flow.submit_personal_number()
    flow.set_birth_digits("05081961")
    flow.submit_birth_date()
    assert flow.state.error is ErrorCode.BIRTH_DATE_MISMATCH
    gallery.shot("21-identify-birth-mismatch", Step.IDENTIFY_BIRTH)
    flow.set_birth_digits("04081961")
    flow.submit_birth_date()
    for name, view in (
        ("22-face-uneven-light", FaceView(phase="coaching", instruction="uneven_light")),
        ("23-face-stand-in-front", FaceView(phase="coaching", instruction="no_face")),
        (
            "24-face-turn-left",
            FaceView(phase="liveness", challenge="turn_left", challenge_index=1, challenge_total=2),
        ),
    ):
        flow._set(data=replace(flow.state.data, face=view), error=None)
        gallery.shot(name, Step.FACE_CAPTURE)
    portrait = photo("obama_2").read_bytes()
    flow._go(Step.FACE_CONFIRM, data=replace(flow.state.data, portrait_jpeg=portrait))
    gallery.shot("25-face-confirm", Step.FACE_CONFIRM)
    flow._go(Step.FACE_CONFIRM, error=ErrorCode.VERIFY_UNAVAILABLE)
    gallery.shot("26-face-confirm-offline", Step.FACE_CONFIRM)
    rejected = FaceVerificationResult(
        verification_id="00000000-0000-4000-8000-000000000001",
        decision=VerificationDecision.NOT_VERIFIED,
        attempts_left=2,
        refer_to_staff=False,
    )
    data = replace(flow.state.data, verification=rejected)
    for name, error in (
        ("27-face-not-verified", ErrorCode.FACE_NOT_VERIFIED),
        ("28-face-liveness-failed", ErrorCode.LIVENESS_FAILED),
        ("29-face-staff-desk", ErrorCode.REFER_TO_STAFF),
    ):
        flow._go(Step.FACE_RESULT, data=data, error=error)
        gallery.shot(name, Step.FACE_RESULT)
    flow.finish()
