"""The finger screens' logic with real parts: the R30x driver on a pseudo-terminal against the
reader simulator serving real finger images, and the fingerprint quality check.

Each fault the simulator can play gives the citizen a message (an issue or an error code) and
the staff a readable detail, and never hangs the screen.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.profiles import KioskProfile
from devices.fingerprint.finger_images import FINGERS_DIR
from devices.fingerprint.simulator import FingerprintSimulator
from kiosk.finger_messages import ISSUES, finger_name, finger_prompt
from kiosk.finger_results import finger_capture
from kiosk.i18n import translator
from kiosk.session import ErrorCode, FingerOutcome, FingerPhase, Step
from tests.kiosk.finger_session_driver import (
    FAST_BAUD,
    FingerSessionDriver,
    finger_profile,
    finger_session,
)

TWO_FINGERS = ["right_index", "left_index"]


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[FingerprintSimulator]:
    with FingerprintSimulator(baudrate=FAST_BAUD, link_path=tmp_path / "reader.tty") as running:
        yield running


@pytest.fixture
def driver(
    demo_profile: KioskProfile, simulator: FingerprintSimulator
) -> Iterator[FingerSessionDriver]:
    with finger_session(finger_profile(demo_profile, TWO_FINGERS), simulator) as running:
        yield running


def decoded(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)


def test_each_finger_in_turn_is_read_judged_and_sent_with_the_case(
    driver: FingerSessionDriver,
) -> None:
    state = driver.start()
    assert state.step is Step.FINGER_CAPTURE
    view = state.data.finger
    assert (view.finger, view.index, view.total, view.phase) == ("right_index", 0, 2, "place")
    assert finger_name(translator("ru"), view.finger) == "Правый указательный палец"
    assert finger_prompt(translator("en"), view) == "Place this finger flat on the glass."

    state = driver.touch("nbisP1_1")
    assert state.data.finger.accepted and state.data.finger.score >= 60
    state = driver.after_lift()
    assert state.data.finger.finger == "left_index" and state.data.finger.attempts == 0
    driver.touch("afisA_1")
    state = driver.pump(lambda s: s.step is Step.FINGER_SUMMARY)
    assert [(r.finger, r.outcome, r.attempts) for r in state.data.fingers] == [
        ("right_index", FingerOutcome.CAPTURED, 1),
        ("left_index", FingerOutcome.CAPTURED, 1),
    ]

    driver.flow.fingers_done()
    assert driver.flow.state.step is Step.CATEGORY
    driver.flow.choose_category("first")
    driver.flow.submit_phone()
    driver.flow.set_consent(True)
    driver.flow.confirm()
    driver.pump(lambda s: s.step is Step.DONE)
    (draft,) = driver.submitter.drafts
    assert [r.finger for r in draft.fingers] == TWO_FINGERS
    image = decoded(draft.fingers[0].image_png)
    assert image.shape == (288, 256)
    assert len(np.unique(image)) <= 16  # the wire carries four bits per pixel


def test_a_faint_print_asks_to_press_harder_and_the_next_touch_counts_as_attempt_two(
    driver: FingerSessionDriver,
) -> None:
    driver.start()
    state = driver.touch("nbisP2_1", "faint")
    view = state.data.finger
    assert (view.issue, view.accepted, view.attempts) == ("low_contrast", False, 1)
    assert "Press a little harder" in finger_prompt(translator("en"), view)
    state = driver.after_lift()
    assert state.data.finger.phase is FingerPhase.PLACE
    assert state.data.finger.issue == "low_contrast"  # still shown while waiting

    state = driver.touch("nbisP2_1")
    assert state.data.finger.accepted and state.data.finger.attempts == 2
    driver.after_lift()
    (result,) = driver.flow.state.data.fingers
    assert (result.outcome, result.attempts) == (FingerOutcome.CAPTURED, 2)


@pytest.mark.parametrize(
    ("condition", "issue"),
    [("smudged", "smudged"), ("partial", "too_small_area"), ("faint", "low_contrast")],
)
def test_each_poor_touch_says_what_to_do(
    driver: FingerSessionDriver, condition: str, issue: str
) -> None:
    driver.start()
    view = driver.touch("afisA_2", condition).data.finger
    assert view.issue == issue
    text = finger_prompt(translator("ru"), view)
    assert translator("ru").gettext(ISSUES[issue]) in text and text != ISSUES[issue]


def test_after_the_last_poor_attempt_the_citizen_keeps_the_best_or_gives_a_reason(
    demo_profile: KioskProfile, simulator: FingerprintSimulator
) -> None:
    profile = finger_profile(demo_profile, TWO_FINGERS, max_attempts=2)
    with finger_session(profile, simulator) as driver:
        driver.start()
        driver.touch("afisB_1", "smudged")
        driver.after_lift()
        driver.touch("afisB_1", "partial")
        state = driver.after_lift()
        view = state.data.finger
        assert (view.phase, view.attempts, view.has_best) == ("choose", 2, True)
        driver.simulator.place_finger("afisB_1")  # touches after the last attempt are ignored
        assert driver.run_for(0.6).data.finger.phase is FingerPhase.CHOOSE
        driver.simulator.lift_finger()
        driver.flow.finger_keep_best()
        state = driver.flow.state
        (kept,) = state.data.fingers
        assert kept.outcome is FingerOutcome.LOW_QUALITY and kept.attempts == 2
        assert decoded(kept.image_png).shape == (288, 256)

        # The second finger cannot be given: bandaged.
        assert state.data.finger.finger == "left_index"
        driver.flow.finger_cannot_give()
        assert driver.flow.state.step is Step.FINGER_EXCEPTION
        driver.flow.back()
        assert driver.flow.state.step is Step.FINGER_CAPTURE  # changed their mind
        driver.flow.finger_cannot_give()
        driver.flow.finger_exception("bandaged")
        state = driver.flow.state
        assert state.step is Step.FINGER_SUMMARY
        assert [(r.outcome, r.exception) for r in state.data.fingers] == [
            (FingerOutcome.LOW_QUALITY, None),
            (FingerOutcome.EXCEPTION, "bandaged"),
        ]


def test_something_that_is_not_a_fingerprint_is_never_kept(
    demo_profile: KioskProfile, tmp_path: Path
) -> None:
    face = cv2.imread(str(FINGERS_DIR.parent / "negative" / "face.jpeg"), cv2.IMREAD_GRAYSCALE)
    fingers = tmp_path / "fingers"
    fingers.mkdir()
    cv2.imwrite(str(fingers / "face_1.png"), cv2.resize(face, (256, 288)))
    profile = finger_profile(demo_profile, TWO_FINGERS, max_attempts=1)
    with (
        FingerprintSimulator(baudrate=FAST_BAUD, fingers_dir=fingers) as simulator,
        finger_session(profile, simulator) as driver,
    ):
        driver.start()
        view = driver.touch("face_1").data.finger
        assert view.issue == "not_a_fingerprint" and not view.accepted
        view = driver.after_lift().data.finger
        assert view.phase is FingerPhase.CHOOSE and not view.has_best


def test_a_failed_shot_or_a_garbled_reply_asks_again_without_counting_an_attempt(
    driver: FingerSessionDriver, simulator: FingerprintSimulator
) -> None:
    driver.start()
    simulator.fail_next_capture = True
    simulator.place_finger("nbisP1_2")
    state = driver.pump(lambda s: s.data.finger.issue == "capture_failed")
    assert state.data.finger.attempts == 0
    state = driver.phase(FingerPhase.LIFT)  # the finger is still there: read again
    assert state.data.finger.accepted and state.data.finger.attempts == 1
    simulator.lift_finger()
    driver.after_lift()

    simulator.corrupt_next_reply = True
    state = driver.touch("nbisP1_3")
    assert state.data.finger.accepted and state.data.finger.attempts == 1


@pytest.mark.parametrize("fault", ["unplug", "silent", "wrong-password"])
def test_a_broken_reader_tells_the_citizen_and_staff_and_recovers_when_fixed(
    driver: FingerSessionDriver, simulator: FingerprintSimulator, fault: str
) -> None:
    driver.start()
    driver.phase(FingerPhase.PLACE)
    if fault == "unplug":
        simulator.unplug()
    elif fault == "silent":
        simulator.silent = True
    else:
        simulator.password = 1234
        driver.feed.start(driver.flow.finger_event)  # a fresh handshake meets the new password
    state = driver.phase(FingerPhase.READER_ERROR, timeout=10)
    assert state.error is ErrorCode.FINGER_READER_UNAVAILABLE
    expected = {"unplug": "ReaderNotResponding", "silent": "ReaderNotResponding"}
    assert expected.get(fault, "WrongPassword") in state.data.finger.reader_detail

    if fault == "unplug":
        simulator.plug()  # a new pseudo-terminal behind the same path
    elif fault == "silent":
        simulator.silent = False
    else:
        simulator.password = 0
    driver.flow.finger_retry_reader()
    assert driver.flow.state.error is None
    state = driver.touch("afisA_1")
    assert state.data.finger.accepted


def test_a_case_submission_carries_images_and_exceptions_as_the_backend_expects(
    driver: FingerSessionDriver,
) -> None:
    driver.start()
    driver.touch("nbisP1_1")
    driver.after_lift()
    driver.flow.finger_cannot_give()
    driver.flow.finger_exception("missing")
    driver.flow.fingers_done()
    driver.flow.choose_category("first")
    driver.flow.submit_phone()
    driver.flow.set_consent(True)
    driver.flow.confirm()
    driver.pump(lambda s: s.step is Step.DONE)
    first, second = (finger_capture(r) for r in driver.submitter.drafts[0].fingers)
    assert first.exception is None and base64.b64decode(first.image_png)[:4] == b"\x89PNG"
    assert second.image_png is None and second.exception == "missing"


def test_a_messy_image_from_the_reader_asks_to_dry_the_finger(
    driver: FingerSessionDriver, simulator: FingerprintSimulator
) -> None:
    driver.start()
    simulator.messy_next_image = True
    view = driver.touch("nbisP1_2").data.finger
    assert view.issue == "smudged" and not view.accepted
    driver.after_lift()
    assert driver.touch("nbisP1_2").data.finger.accepted  # the next touch is clean
