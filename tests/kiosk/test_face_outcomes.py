"""What the kiosk does with each answer to a face verification, and with a camera that goes
away: real camera simulator, driver and analyser; the verifier scripted per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from backend.contracts import (
    FaceVerificationRequest,
    FaceVerificationResult,
    VerificationDecision,
)
from backend.identity.demo_people import demo_person
from config.profiles import KioskProfile
from devices.camera.simulator import CameraSimulator
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, Step, VerificationRejected, VerificationUnavailable
from tests.kiosk.face_session_driver import FaceSessionDriver
from tests.kiosk.finger_session_driver import face_only

OBAMA = demo_person("obama")


class ScriptedVerifier:
    """Answers verifications from a script: a decision, or an exception to raise."""

    def __init__(self, *answers: VerificationDecision | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[FaceVerificationRequest] = []

    def verify(self, request: FaceVerificationRequest) -> FaceVerificationResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return FaceVerificationResult(
            verification_id=uuid.uuid4(),
            decision=answer,
            refusal="no_face" if answer is VerificationDecision.REFUSED else None,
            attempts_left=2,
            refer_to_staff=False,
        )


@pytest.fixture
def kiosk_profile(kiosk_profile: KioskProfile) -> KioskProfile:
    """No fingerprints: they are tested on their own (test_finger_capture)."""
    return face_only(kiosk_profile)


@pytest.fixture
def verifier() -> ScriptedVerifier:
    return ScriptedVerifier()


@pytest.fixture
def driver(
    kiosk_runtime: KioskRuntime, camera_simulator: CameraSimulator, verifier: ScriptedVerifier
) -> Iterator[FaceSessionDriver]:
    running = FaceSessionDriver(kiosk_runtime, camera_simulator, face_verifier=verifier)
    yield running
    running.flow.finish()


def capture(driver: FaceSessionDriver) -> None:
    state = driver.face_until((Step.FACE_CONFIRM, Step.FACE_RESULT))
    assert state.step is Step.FACE_CONFIRM, (state.error, state.data.face)


def verify(driver: FaceSessionDriver) -> None:
    driver.flow.accept_portrait()
    driver.pump(lambda state: not state.busy, 10)


def test_no_connection_keeps_the_photo_and_a_retry_is_the_same_request(
    driver: FaceSessionDriver, verifier: ScriptedVerifier
) -> None:
    verifier.answers = [VerificationUnavailable("down"), VerificationDecision.MANUAL_REVIEW]
    driver.identify(OBAMA)
    driver.camera.set_scenario("live", "obama_2")
    capture(driver)
    verify(driver)
    state = driver.flow.state
    assert state.step is Step.FACE_CONFIRM and state.error is ErrorCode.VERIFY_UNAVAILABLE
    assert state.data.portrait_jpeg is not None
    verify(driver)
    # A borderline score goes to an officer; the citizen goes on with the application.
    assert driver.flow.state.step is Step.CATEGORY
    first, second = verifier.requests
    assert first.request_id == second.request_id and first == second


def test_an_unusable_photo_is_retaken_and_the_staff_desk_ends_the_attempts(
    driver: FaceSessionDriver, verifier: ScriptedVerifier
) -> None:
    verifier.answers = [VerificationDecision.REFUSED, VerificationRejected("refer_to_staff")]
    driver.identify(OBAMA)
    driver.camera.set_scenario("live", "obama_2")
    capture(driver)
    verify(driver)
    assert driver.flow.state.error is ErrorCode.FACE_REFUSED
    driver.flow.retake()
    capture(driver)
    verify(driver)
    state = driver.flow.state
    assert state.step is Step.FACE_RESULT and state.error is ErrorCode.REFER_TO_STAFF
    driver.flow.retake()  # no more tries here: the citizen is sent to the desk
    assert driver.flow.state.step is Step.FACE_RESULT
    assert verifier.requests[0].request_id != verifier.requests[1].request_id


def test_an_unknown_person_goes_back_to_the_personal_number(
    driver: FaceSessionDriver, verifier: ScriptedVerifier
) -> None:
    verifier.answers = [VerificationRejected("person_not_found")]
    driver.identify(OBAMA)
    driver.camera.set_scenario("live", "obama_2")
    capture(driver)
    verify(driver)
    state = driver.flow.state
    assert state.step is Step.IDENTIFY_NUMBER and state.error is ErrorCode.PERSON_NOT_FOUND
    assert state.data.personal_number == OBAMA.personal_number  # kept to correct, not retyped


def test_an_unplugged_camera_is_said_plainly_and_comes_back_by_itself(
    driver: FaceSessionDriver,
) -> None:
    driver.identify(OBAMA)
    driver.pump(lambda state: state.data.face and state.data.face.instruction == "no_face", 10)
    driver.camera.unplug()
    state = driver.pump(lambda s: s.error is ErrorCode.CAMERA_UNAVAILABLE, 10)
    assert state.step is Step.FACE_CAPTURE
    driver.camera.plug()
    driver.pump(lambda s: s.error is None, 15)
    driver.camera.set_scenario("live", "obama_2")
    capture(driver)
