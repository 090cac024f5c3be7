"""Identification and the live face at the kiosk, with real parts: the camera simulator over
MJPEG read by the OpenCV driver, the face analyser and liveness check, and the backend's
verification over HTTP against its person registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.commands import show_case_identity_command
from backend.contracts import VerificationDecision
from backend.identity.demo_people import demo_person
from config.profiles import KioskProfile
from devices.camera.simulator import CameraSimulator
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, Step
from payments.provider_simulator import PaymeSimulator
from tests.kiosk.face_session_driver import FaceSessionDriver
from tests.kiosk.finger_session_driver import catalogue_of, face_only
from tests.kiosk.real_parts import RunningBackend

OBAMA = demo_person("obama")


@pytest.fixture
def kiosk_profile(kiosk_profile: KioskProfile) -> KioskProfile:
    """No fingerprints: they are tested on their own (test_finger_capture)."""
    return face_only(kiosk_profile)


@pytest.fixture
def backend_catalogue(kiosk_profile: KioskProfile, tmp_path: Path) -> Path:
    """The backend requires what this kiosk asks: no fingerprints either."""
    path = tmp_path / "services.toml"
    path.write_text(catalogue_of(kiosk_profile))
    return path


@pytest.fixture
def driver(kiosk_runtime: KioskRuntime, camera_simulator: CameraSimulator):
    running = FaceSessionDriver(kiosk_runtime, camera_simulator)
    yield running
    running.flow.finish()


def test_a_citizen_is_coached_passes_liveness_is_verified_and_the_case_carries_it(
    driver: FaceSessionDriver, station_backend: RunningBackend, payme_simulator: PaymeSimulator
) -> None:
    driver.identify(OBAMA)
    driver.camera.set_scenario("approaching", "obama_2")
    state = driver.face_until((Step.FACE_CONFIRM, Step.FACE_RESULT))
    assert state.step is Step.FACE_CONFIRM, (state.error, state.data.face)
    assert {"too_far", "move_left"} <= set(driver.instructions), driver.instructions
    assert len(driver.challenges) == 2
    assert state.data.portrait_jpeg and state.data.portrait_jpeg[:3] == b"\xff\xd8\xff"

    driver.flow.accept_portrait()
    state = driver.pump(lambda s: not s.busy, 30)
    assert state.step is Step.CATEGORY, state.error
    assert state.data.verification.decision is VerificationDecision.VERIFIED
    assert state.data.portrait_jpeg is None  # nothing kept once it is sent

    flow = driver.flow
    flow.choose_category("first")
    assert flow.state.step is Step.PHONE  # no free text for an ID card
    flow.submit_phone()
    flow.set_consent(True)
    flow.confirm()
    state = driver.pump(lambda s: s.data.payment is not None, 10)  # the ID card's state fee
    payme_simulator.pay(state.data.payment.account, state.data.payment.amount_tiyin, "ok")
    state = driver.pump(lambda s: s.step in (Step.DONE, Step.PRINT_FAILED), 30)
    assert state.data.outcome.delivered
    report = show_case_identity_command(station_backend.settings, state.data.outcome.case_number)
    assert "verified" in report and OBAMA.personal_number in report, report


def test_an_impostor_is_not_verified_and_may_try_again(driver: FaceSessionDriver) -> None:
    driver.identify(OBAMA)
    driver.camera.set_scenario("live", "leslie_1")
    state = driver.face_until((Step.FACE_CONFIRM, Step.FACE_RESULT))
    assert state.step is Step.FACE_CONFIRM, state.error
    driver.flow.accept_portrait()
    state = driver.pump(lambda s: not s.busy, 30)
    assert state.step is Step.FACE_RESULT
    assert state.error is ErrorCode.FACE_NOT_VERIFIED
    assert state.data.verification.decision is VerificationDecision.NOT_VERIFIED
    assert state.data.verification.attempts_left == 2
    driver.flow.retake()
    assert driver.flow.state.step is Step.FACE_CAPTURE


def test_a_photo_held_up_fails_liveness(driver: FaceSessionDriver) -> None:
    driver.identify(OBAMA)
    driver.camera.set_scenario("photo", "obama_1")
    state = driver.face_until((Step.FACE_CONFIRM, Step.FACE_RESULT), timeout=40)
    assert state.step is Step.FACE_RESULT
    assert state.error is ErrorCode.LIVENESS_FAILED
    assert driver.challenges, "the photo passed coaching and was challenged"
    assert state.data.portrait_jpeg is None and state.data.verification is None


def test_two_people_are_asked_to_come_one_at_a_time(driver: FaceSessionDriver) -> None:
    driver.identify(OBAMA)
    driver.camera.set_scenario("two_people")
    driver.pump(lambda s: s.data.face is not None and s.data.face.instruction is not None, 15)
    # However long they stand there, nothing is captured and the instruction stays.
    state = driver.run_for(4)
    assert state.step is Step.FACE_CAPTURE
    assert state.data.face.instruction == "multiple_faces"
    assert set(driver.instructions) <= {"no_face", "multiple_faces"}  # nobody, then two
    assert driver.challenges == []
