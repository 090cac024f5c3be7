"""End to end: a citizen applies for an ID card in Uzbek. They identify on the keypad, the
camera simulator's "approaching" person is coached by the face screen (a screenshot of each
instruction), answers the liveness challenges, is verified by the backend against the person
registry, gives four fingerprints on the reader (a faint touch, a smudged one, a bandaged
thumb), pays the state fee by scanning the QR code on screen (the Payme simulator pays through
the backend's merchant API), and leaves with a receipt showing the payment; the case carries the
verification, the fingerprints and the paid order. Afterwards neither the backend's database
files nor the kiosk's outbox hold the phone, the personal number or an image in the clear.

The real Kivy app, the real backend over HTTP, the real camera, fingerprint, printer and
scanner drivers against their simulators, and the payment provider simulator. Screenshots
are kept under var/artifacts/e2e-face/.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
from sqlalchemy.engine import make_url

from backend.commands import show_case_identity_command
from backend.contracts import PaymentState, VerificationDecision, group_case_number
from backend.identity.demo_people import demo_person
from devices.camera.simulator import CameraSimulator
from devices.fingerprint.simulator import FingerprintSimulator
from devices.printer.simulator import PrinterSimulator
from devices.scanner.camera_decode import decode_codes
from kiosk.face_messages import CHALLENGES, INSTRUCTIONS
from kiosk.finger_messages import ISSUES
from kiosk.i18n import translator
from kiosk.money_text import som_text
from kiosk.runtime import KioskRuntime
from kiosk.session import FingerOutcome, FingerPhase, FlowState, Step
from payments.provider_simulator import PaymeSimulator, parse_checkout_link
from tests.kiosk.face_session_driver import ACT_FOR_CHALLENGE
from tests.kiosk.real_parts import RunningBackend
from tests.kiosk.ui_helpers import fresh_artifacts

LANGUAGE = "uz_Latn"
OBAMA = demo_person("obama")
PHONE_DIGITS = "901234567"
# Image signatures, raw (the backend's columns) and in base64 (the outbox's JSON); the JPEG
# pattern includes its JFIF/Exif marker so that random ciphertext cannot match by chance.
IMAGE_SIGNATURES = {
    "PNG": re.compile(rb"\x89PNG\r\n\x1a\n"),
    "JPEG": re.compile(rb"\xff\xd8\xff[\xe0-\xef]..(?:JFIF|Exif)", re.DOTALL),
    "PNG in base64": re.compile(rb"iVBORw0KGgo"),
    "JPEG in base64": re.compile(rb"/9j/4"),
}


def stored_bytes(path: Path) -> bytes:
    """A SQLite database with its write-ahead log, shared memory or journal, as on disk."""
    return b"".join(file.read_bytes() for file in sorted(path.parent.glob(f"{path.name}*")))


def personal_data_in(stored: bytes) -> list[str]:
    """What of the applicant can be read from ``stored`` without a key."""
    found = [name for name, pattern in IMAGE_SIGNATURES.items() if pattern.search(stored)]
    secrets = {"personal number": OBAMA.personal_number, "phone": PHONE_DIGITS}
    return found + [name for name, value in secrets.items() if value.encode() in stored]


def test_id_card_applicant_is_coached_verified_by_face_and_gets_a_receipt(
    kiosk_harness,
    kiosk_runtime: KioskRuntime,
    station_backend: RunningBackend,
    printer_simulator: PrinterSimulator,
    camera_simulator: CameraSimulator,
    fingerprint_simulator: FingerprintSimulator,
    payme_simulator: PaymeSimulator,
) -> None:
    harness = kiosk_harness
    shots = fresh_artifacts("e2e-face")
    flow = harness.mount_runtime(kiosk_runtime)
    tr = translator(LANGUAGE)
    taken: list[str] = []

    def keep(name: str) -> None:
        harness.step(2)
        label = f"{len(taken) + 1:02d}-{name}"
        harness.screenshot(label).replace(shots / f"{label}.png")
        taken.append(name)

    def arrive(screen: str, timeout: float = 10) -> None:
        harness.wait_for_screen(screen, timeout=timeout)
        keep(screen)

    arrive("language")
    harness.press(f"language-{LANGUAGE}")
    arrive("home")
    harness.press("home-submit")
    arrive("service")
    harness.press("service-id_card")
    arrive("identify_number")
    harness.type_digits(OBAMA.personal_number[:-1] + "0")  # a typo in the check digit
    harness.press("next")
    harness.step(2)
    assert flow.state.step is Step.IDENTIFY_NUMBER and flow.state.error is not None
    keep("identify_number-typo")
    harness.press("keypad-backspace")
    harness.type_digits(OBAMA.personal_number[-1])
    harness.press("next")
    arrive("identify_birth")
    harness.type_digits(OBAMA.birth_date.strftime("%d%m%Y"))
    harness.press("next")
    harness.wait_for_screen("face_capture")

    # The person walks up; every new instruction on screen is photographed, and the person
    # does what each liveness challenge asks.
    camera_simulator.set_scenario("approaching", "obama_2")
    shown: list[str] = []

    def prompt(state: FlowState) -> str | None:
        face = state.data.face
        if state.step is not Step.FACE_CAPTURE or face is None:
            return None
        if face.challenge:
            return f"challenge-{face.challenge_index}-{face.challenge}"
        return face.instruction

    def follow() -> bool:
        state = flow.state
        current = prompt(state)
        if current and (not shown or shown[-1] != current):
            shown.append(current)
            challenge = state.data.face.challenge
            expected = tr.gettext(CHALLENGES[challenge] if challenge else INSTRUCTIONS[current])
            harness.wait_until(lambda: expected in harness.texts(), what=f"prompt {expected!r}")
            keep(f"face_capture-{current}")
            if challenge:  # the person does as asked once it is on screen
                camera_simulator.act(ACT_FOR_CHALLENGE[challenge])
        return state.step is not Step.FACE_CAPTURE

    harness.wait_until(follow, timeout=45, what="the face capture to finish")
    instructions = [name for name in shown if not name.startswith("challenge-")]
    # The person walks up in real time: on a loaded machine some steps of the walk fall
    # between analysed frames, so only "nobody there" and one coaching step are certain.
    assert "no_face" in instructions and len(set(instructions)) >= 2, shown
    assert [name for name in shown if name.startswith("challenge-")], shown
    arrive("face_confirm")
    harness.press("use_photo")
    arrive("finger_capture", timeout=30)
    verification = flow.state.data.verification
    assert verification.decision is VerificationDecision.VERIFIED

    # Fingerprints: the hand on the reader is the simulator's; what the screen says is shown.
    reader = fingerprint_simulator

    def finger_phase(*phases: FingerPhase) -> bool:
        view = flow.state.data.finger
        return flow.state.step is Step.FINGER_CAPTURE and view is not None and view.phase in phases

    def touch(image: str, condition: str, shot: str) -> None:
        finger = flow.state.data.finger.finger
        reader.place_finger(image, condition)
        harness.wait_until(lambda: finger_phase(FingerPhase.READING), what="the reading")
        if shot == "first":
            keep(f"finger_capture-{finger}-reading")
        harness.wait_until(lambda: finger_phase(FingerPhase.LIFT), timeout=20, what="a verdict")
        view = flow.state.data.finger
        if not view.accepted:
            issue = tr.gettext(ISSUES[view.issue])
            harness.wait_until(lambda: any(issue in t for t in harness.texts()), what=issue)
        keep(f"finger_capture-{finger}-{view.issue or 'good'}")
        reader.lift_finger()
        harness.wait_until(lambda: not finger_phase(FingerPhase.LIFT), what="the lift")

    keep("finger_capture-right_index-place")
    touch("nbisP1_1", "faint", "first")
    assert flow.state.data.finger.issue == "low_contrast"
    touch("nbisP1_1", "clean", "")
    touch("nbisP2_1", "smudged", "")
    assert flow.state.data.finger.issue == "smudged"
    touch("nbisP2_1", "clean", "")
    assert flow.state.data.finger.finger == "right_thumb"
    harness.press("finger_cannot_give")
    arrive("finger_exception")
    harness.press("finger_exception-bandaged")
    harness.wait_until(lambda: flow.state.data.finger.finger == "left_thumb", what="left thumb")
    touch("afisA_1", "clean", "")
    arrive("finger_summary")
    outcomes = [(r.finger, r.outcome, r.attempts) for r in flow.state.data.fingers]
    assert outcomes == [
        ("right_index", FingerOutcome.CAPTURED, 2),
        ("left_index", FingerOutcome.CAPTURED, 2),
        ("right_thumb", FingerOutcome.EXCEPTION, 0),
        ("left_thumb", FingerOutcome.CAPTURED, 1),
    ]
    harness.press("next")
    arrive("category")

    harness.press("category-first")
    arrive("phone")
    harness.type_digits(PHONE_DIGITS)
    harness.press("next")
    arrive("review")
    harness.press("consent")
    harness.press("submit")
    arrive("payment", timeout=20)

    # The citizen's phone reads the QR code on the screen, and pays what it says.
    screen = cv2.imread(str(shots / f"{len(taken):02d}-payment.png"))
    (pay_link,) = decode_codes(screen)
    payment = flow.state.data.payment
    assert pay_link == payment.pay_url and payment.state is PaymentState.PENDING
    assert som_text(tr, payment.amount_tiyin) in harness.texts()
    link = parse_checkout_link(pay_link)
    run, paying = payme_simulator.pay_in_background(link.account, link.amount_tiyin, "ok")
    received = tr.gettext("Payment received")
    harness.wait_until(lambda: received in harness.texts(), timeout=20, what="the payment")
    keep("payment-received")
    paying.join(10)
    assert run.as_expected, run.summary()
    arrive("done", timeout=20)
    outcome = flow.state.data.outcome
    assert outcome.delivered and outcome.print_error is None
    receipt_fields = dict(outcome.receipt.fields)
    assert receipt_fields[tr.gettext("State fee paid")] == som_text(tr, payment.amount_tiyin)
    assert receipt_fields[tr.gettext("Transaction")] == run.transaction_ids[0]
    assert group_case_number(outcome.case_number) in harness.texts()
    printer_simulator.wait_for_receipt(after=0)
    harness.unmount()

    report = show_case_identity_command(station_backend.settings, outcome.case_number)
    assert str(verification.verification_id) in report or "verified" in report, report
    assert OBAMA.personal_number in report
    assert "fingerprints: 3 given, 1 exception" in report, report
    assert "right_thumb: exception bandaged" in report, report
    assert all((shots / f"{n:02d}-{name}.png").stat().st_size > 10_000
               for n, name in enumerate(taken, 1))  # fmt: skip

    backend_file = Path(make_url(station_backend.settings.resolved_database_url).database or "")
    assert personal_data_in(stored_bytes(backend_file)) == []
    assert personal_data_in(stored_bytes(kiosk_runtime.outbox.path)) == []
